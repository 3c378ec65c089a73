/* libFuzzer target: .env parsing (quotes, escapes, export, interpolation of
 * values from the environment and from earlier lines) with its budgets: no
 * input may crash, hang or allocate without bound.  The values parsed are
 * then used to interpolate the input once more, as compose files use them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dotenv.h"
#include "interp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const envv[] = {"A=alpha", "EMPTY=", "B=${A}", NULL};
        strv_t env = {(char **)envv, 3, 4}, out = STRV_INIT;
        char *text = malloc(size + 1), *res = NULL;
        err_t err;

        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        if (dotenv_parse(text, size, "fuzz.env", interp_lookup_strv, &env, &out, &err) == 0 &&
            interp_string(text, interp_lookup_strv, &out, NULL, &res, &err) == 0)
                free(res);
        strv_free(&out);
        free(text);
        return 0;
}
