/* libFuzzer: docker's tmpfs options ("rw,noexec,size=64m,mode=1777,...") as
 * rt_tmpfs_opts parses them for --tmpfs, --mount type=tmpfs and compose. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = xstrndup((const char *)data, size);
        unsigned attrs;
        char *out = NULL;
        err_t err;
        if (rt_tmpfs_opts(s, size % 2, &attrs, &out, &err) == 0) {
                /* only known keys with a printable, non-empty value remain */
                if (strchr(out, ' ') || strstr(out, ",,"))
                        abort();
                free(out);
        }
        free(s);
        return 0;
}
