#include "exe_seal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#if __ELF_NATIVE_CLASS == 64
#define ELFCLASS_NATIVE ELFCLASS64
#else
#define ELFCLASS_NATIVE ELFCLASS32
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

/* How many leading bytes of the executable src (size bytes long) execve and
 * the dynamic loader read: up to the end of the furthest segment its program
 * headers name.  What follows (debug info, the symbol and section tables:
 * three quarters of a -g build) is never mapped, so the sealed copy leaves it
 * out; the copy is still every byte that executes.  The whole size when the
 * headers are not those of an ELF file for this machine. */
static off_t exe_image_size(int src, off_t size)
{
        ElfW(Ehdr) eh;
        if (pread(src, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
            memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS_NATIVE ||
            eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 || eh.e_phnum > 64)
                return size;
        ElfW(Phdr) ph[64];
        size_t len = (size_t)eh.e_phnum * sizeof(ElfW(Phdr));
        if (eh.e_phoff > (ElfW(Off))size || pread(src, ph, len, (off_t)eh.e_phoff) != (ssize_t)len)
                return size;
        ElfW(Off) end = eh.e_phoff + len;
        if (end < sizeof(eh))
                end = sizeof(eh);
        for (size_t i = 0; i < eh.e_phnum; i++) {
                if (ph[i].p_offset > (ElfW(Off))size ||
                    ph[i].p_filesz > (ElfW(Off))size - ph[i].p_offset)
                        return size;
                if (ph[i].p_offset + ph[i].p_filesz > end)
                        end = ph[i].p_offset + ph[i].p_filesz;
        }
        return end <= (ElfW(Off))size ? (off_t)end : size;
}

/* A sealed memfd holding the first size bytes of src. */
static int seal_copy(int src, off_t size, err_t *err)
{
        int mfd = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (mfd < 0 && errno == EINVAL) /* kernel before 6.3 */
                mfd = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (mfd < 0)
                return err_sys(err, errno, "memfd_create for a sealed copy of the berth binary");
        _cleanup_close_ int m = mfd;
        for (off_t off = 0; off < size;) {
                ssize_t n = sendfile(m, src, &off, (size_t)(size - off));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return err_sys(err, n < 0 ? errno : EIO,
                                       "copy the berth binary into a sealed memfd");
        }
        if (fcntl(m, F_ADD_SEALS, SEALS) < 0)
                return err_sys(err, errno, "seal the copy of the berth binary");
        return TAKE_FD(m);
}

/* Do a and b hold the same size bytes? */
static bool same_bytes(int a, int b, off_t size)
{
        if (size <= 0)
                return false;
        void *pa = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, a, 0);
        if (pa == MAP_FAILED)
                return false;
        void *pb = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, b, 0);
        bool same = pb != MAP_FAILED && memcmp(pa, pb, (size_t)size) == 0;
        if (pb != MAP_FAILED)
                munmap(pb, (size_t)size);
        munmap(pa, (size_t)size);
        return same;
}

int rt_exe_shared_copy(const char *path, const char *record, bool *fresh, err_t *err)
{
        *fresh = false;
        _cleanup_close_ int src = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (src < 0 || fstat(src, &st) < 0)
                return err_sys(err, errno, "open %s", path);
        off_t img = exe_image_size(src, st.st_size);
        _cleanup_free_ char *txt = NULL;
        if (record && read_file(record, &txt, NULL, NULL) == 0) {
                int pid = atoi(txt);
                char p[64];
                snprintf(p, sizeof(p), "/proc/%d/exe", pid);
                _cleanup_close_ int fd = pid > 0 ? open(p, O_RDONLY | O_CLOEXEC) : -1;
                struct stat cst;
                int seals = fd >= 0 ? fcntl(fd, F_GET_SEALS) : -1;
                /* whatever process has that pid now: only a sealed file with
                 * exactly these bytes is used */
                if (seals >= 0 && (seals & SEALS) == SEALS && fstat(fd, &cst) == 0 &&
                    S_ISREG(cst.st_mode) && cst.st_size == img && same_bytes(fd, src, img))
                        return TAKE_FD(fd);
        }
        int m = seal_copy(src, img, err);
        if (m >= 0)
                *fresh = true;
        return m;
}

/* Written in place, one width for every pid, not replaced: a reader that
 * sees a torn pid checks the process it names anyway (rt_exe_shared_copy),
 * and a replacement freed the old file's block at every monitor's start, a
 * synchronous discard on a disk mounted with discard, on the monitor's way
 * to the container's clone. */
void rt_exe_shared_record(const char *record)
{
        char pid[32];
        int n = snprintf(pid, sizeof(pid), "%10d\n", (int)getpid());
        _cleanup_close_ int fd =
            open(record, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
        if (fd >= 0 && pwrite(fd, pid, (size_t)n, 0) == n)
                (void)ftruncate(fd, n);
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
        _cleanup_close_ int m = seal_copy(src, exe_image_size(src, st.st_size), err);
        if (m < 0)
                return -1;
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
