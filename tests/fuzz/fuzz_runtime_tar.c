/* libFuzzer: extract arbitrary bytes as a (possibly compressed) layer tar into a
 * temp dir and check that nothing appeared outside it. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../unit/dir_entries.h"
#include "fsutil.h"
#include "fuzz_tmp.h"
#include "tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[PATH_MAX], root[PATH_MAX + 8];

static void cleanup_base(void)
{
        err_t err;
        rm_rf(base, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        err_t err;

        if (!base[0]) {
                fuzz_mkdtemp(base, sizeof(base), "berth-fuzz-tar");
                snprintf(root, sizeof(root), "%s/root", base);
                atexit(cleanup_base);
        }
        if (mkdir(root, 0755) < 0)
                abort();
        int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                abort();
        const struct rt_tar_opts opts = {RT_TAR_OVERLAY | RT_TAR_DECOMPRESS, 16u << 20};
        rt_tar_extract_mem(data, size, rootfd, &opts, NULL, &err);
        close(rootfd);
        /* the only entry in base is root/: anything else escaped */
        if (dir_entries(base) != 1)
                abort();
        if (rm_rf(root, &err) < 0) {
                fprintf(stderr, "cleanup failed: %s\n", err.msg);
                abort();
        }
        return 0;
}
