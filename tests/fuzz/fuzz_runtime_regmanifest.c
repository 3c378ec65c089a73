/* libFuzzer: parse arbitrary bytes as a registry manifest (with and without
 * a Content-Type), check the foreign layers' URLs kept, and select a platform
 * from an index. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct reg_manifest m;
        err_t err;
        if (reg_manifest_parse((const char *)data, size, size % 2 ? MT_OCI_INDEX : NULL, &m,
                               &err) == 0) {
                /* kept URLs are http(s), bounded, without spaces or control bytes */
                for (size_t i = 0; i < m.nlayers; i++) {
                        const strv_t *u = &m.layers[i].urls;
                        if (u->n > REG_URLS_MAX)
                                abort();
                        for (size_t k = 0; k < u->n; k++) {
                                if (strncasecmp(u->v[k], "http", 4) != 0 ||
                                    strlen(u->v[k]) > REG_URL_LEN_MAX ||
                                    strpbrk(u->v[k], " \r\n\t"))
                                        abort();
                        }
                }
                (void)reg_manifest_select(&m, "linux", "amd64", NULL);
                (void)reg_manifest_select(&m, "linux", "arm64", "v8");
                reg_manifest_free(&m);
        }
        return 0;
}
