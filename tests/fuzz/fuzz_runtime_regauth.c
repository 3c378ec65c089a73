/* libFuzzer: parse arbitrary bytes as a WWW-Authenticate header value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = xstrndup((const char *)data, size);
        struct reg_challenge c;
        err_t err;
        if (reg_challenge_parse(s, &c, &err) == 0) {
                if (!c.scheme ||
                    (strcmp(c.scheme, "bearer") != 0 && strcmp(c.scheme, "basic") != 0))
                        abort();
                if (!strcmp(c.scheme, "bearer") && !c.realm)
                        abort();
                reg_challenge_free(&c);
        }
        free(s);
        return 0;
}
