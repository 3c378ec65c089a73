#include "exe_seal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

bool rt_exe_sealed(void)
{
        _cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return false;
        int s = fcntl(fd, F_GET_SEALS);
        return s >= 0 && (s & SEALS) == SEALS;
}

int rt_exe_seal(char **argv, const char *const (*env)[2], err_t *err)
{
        if (rt_exe_sealed()) {
                /* The kernel names a process run from a memfd "memfd:berth":
                 * keep berth's own names (ps, pgrep, the tests' leak check) */
                if (argv && argv[0]) {
                        const char *b = strrchr(argv[0], '/');
                        prctl(PR_SET_NAME, b ? b + 1 : argv[0], 0, 0, 0);
                }
                return 0;
        }
        _cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (src < 0 || fstat(src, &st) < 0)
                return err_sys(err, errno, "open the running berth binary");
        int mfd = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (mfd < 0 && errno == EINVAL) /* kernel before 6.3 */
                mfd = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mfd < 0)
                return err_sys(err, errno, "memfd_create for a sealed copy of the berth binary");
        _cleanup_close_ int m = mfd;
        for (off_t off = 0; off < st.st_size;) {
                ssize_t n = sendfile(m, src, &off, (size_t)(st.st_size - off));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return err_sys(err, n < 0 ? errno : EIO,
                                       "copy the berth binary into a sealed memfd");
        }
        if (fcntl(m, F_ADD_SEALS, SEALS) < 0)
                return err_sys(err, errno, "seal the copy of the berth binary");
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                char *dir = dirname(self);
                for (size_t i = 0; env && env[i][0]; i++)
                        if (!getenv(env[i][0])) {
                                _cleanup_free_ char *p = xasprintf("%s/%s", dir, env[i][1]);
                                setenv(env[i][0], p, 1);
                        }
        }
        syscall(SYS_execveat, m, "", argv, environ, AT_EMPTY_PATH);
        return err_sys(err, errno, "execute the sealed copy of the berth binary");
}
