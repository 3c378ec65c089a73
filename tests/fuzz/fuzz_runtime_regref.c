/* libFuzzer: parse arbitrary bytes as an image reference; a parsed reference
 * re-parses to the same full string. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry_ref.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = xstrndup((const char *)data, size);
        struct reg_ref r, r2;
        err_t err;
        if (reg_ref_parse(s, &r, &err) == 0) {
                char *full = reg_ref_string(&r), *fam = reg_ref_familiar_string(&r);
                if (reg_ref_parse(full, &r2, &err) != 0)
                        abort();
                char *full2 = reg_ref_string(&r2);
                if (strcmp(full, full2) != 0)
                        abort();
                free(full2);
                reg_ref_free(&r2);
                /* the familiar form parses (it may name another image when
                 * its first component looks like a host, as in Docker) */
                if (reg_ref_parse(fam, &r2, &err) == 0)
                        reg_ref_free(&r2);
                free(full);
                free(fam);
                reg_ref_default_tag(&r);
                reg_ref_free(&r);
        }
        free(s);
        return 0;
}
