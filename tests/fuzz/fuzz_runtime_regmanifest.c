/* libFuzzer: parse arbitrary bytes as a registry manifest (with and without
 * a Content-Type) and select a platform from an index. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct reg_manifest m;
        err_t err;
        if (reg_manifest_parse((const char *)data, size, size % 2 ? MT_OCI_INDEX : NULL, &m,
                               &err) == 0) {
                (void)reg_manifest_select(&m, "linux", "amd64", NULL);
                (void)reg_manifest_select(&m, "linux", "arm64", "v8");
                reg_manifest_free(&m);
        }
        return 0;
}
