/* The sealed copy of a binary (runtime/exe_seal.c): it holds the bytes execve
 * maps, sealed, and runs; a file that is not an ELF executable of this
 * machine is copied whole. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/exe_seal.h"
#include "tap.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

static off_t fsize(int fd)
{
        struct stat st;
        return fstat(fd, &st) == 0 ? st.st_size : -1;
}

/* Do the first n bytes of fds a and b match? */
static int same_prefix(int a, int b, off_t n)
{
        char x[4096], y[4096];
        for (off_t off = 0; off < n;) {
                size_t k = (size_t)(n - off) < sizeof(x) ? (size_t)(n - off) : sizeof(x);
                if (pread(a, x, k, off) != (ssize_t)k || pread(b, y, k, off) != (ssize_t)k ||
                    memcmp(x, y, k) != 0)
                        return 0;
                off += (off_t)k;
        }
        return 1;
}

/* Copy of the file at path; returns the memfd, or -1. */
static int copy_of(const char *path)
{
        bool fresh = false;
        err_t e = {0};
        int fd = rt_exe_shared_copy(path, NULL, &fresh, &e);
        if (fd < 0)
                tap_diag("%s", e.msg);
        ok(fd >= 0 && fresh, "%s: a new copy", path);
        return fd;
}

int main(int argc, char **argv)
{
        if (argc == 2 && !strcmp(argv[1], "--child"))
                return 42; /* run from the copy */

        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return 1;
        self[n] = '\0';
        int src = open(self, O_RDONLY | O_CLOEXEC);
        int m = copy_of(self);
        if (src < 0 || m < 0)
                return tap_done();
        ok((fcntl(m, F_GET_SEALS) & SEALS) == SEALS, "the copy has all four seals");
        off_t fs = fsize(src), ms = fsize(m);
        /* this test is built with -g: its debug info is not mapped */
        ok(ms > 0 && ms < fs, "only the mapped part is copied (%lld of %lld bytes)", (long long)ms,
           (long long)fs);
        ok(same_prefix(src, m, ms), "the copy holds the file's first bytes");
        ok(pwrite(m, "x", 1, 0) < 0, "the copy cannot be written");

        pid_t c = fork();
        if (c == 0) {
                char *cargv[] = {"test_runtime_exeseal", "--child", NULL};
                char *envp[] = {NULL};
                syscall(SYS_execveat, m, "", cargv, envp, AT_EMPTY_PATH);
                _exit(1);
        }
        int st = 0;
        waitpid(c, &st, 0);
        ok(WIFEXITED(st) && WEXITSTATUS(st) == 42, "the copy runs (status %d)", st);
        close(m);

        /* not an ELF executable: the whole file */
        char tmpl[] = "/tmp/berth-exeseal.XXXXXX";
        int t = mkstemp(tmpl);
        static const char txt[] = "#!/bin/sh\necho not an ELF file\n";
        ok(t >= 0 && write(t, txt, sizeof(txt) - 1) == (ssize_t)(sizeof(txt) - 1), "script");
        m = copy_of(tmpl);
        ok(m >= 0 && fsize(m) == (off_t)(sizeof(txt) - 1) && same_prefix(t, m, fsize(m)),
           "a file that is not ELF is copied whole");
        if (m >= 0)
                close(m);

        /* an ELF header whose program headers lie past the end: whole file */
        char hdr[128] = {0};
        if (pread(src, hdr, 64, 0) == 64) {
                memset(hdr + 32, 0x7f, 8); /* e_phoff far beyond the file */
                ok(ftruncate(t, 0) == 0 && pwrite(t, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr),
                   "bad ELF");
                m = copy_of(tmpl);
                ok(m >= 0 && fsize(m) == (off_t)sizeof(hdr),
                   "an ELF file with bad program headers is copied whole");
                if (m >= 0)
                        close(m);
        }
        close(t);
        unlink(tmpl);

        /* the record of a shared copy is written in place (a replacement
         * would free a block at every monitor's start), whatever it held */
        char rec[] = "/tmp/berth-exeseal-rec.XXXXXX";
        int r = mkstemp(rec);
        static const char old[] = "123456789012345678\n";
        struct stat before, after;
        ok(r >= 0 && write(r, old, sizeof(old) - 1) == (ssize_t)(sizeof(old) - 1) &&
               fstat(r, &before) == 0,
           "an old record");
        rt_exe_shared_record(rec);
        char buf[64] = {0};
        ok(stat(rec, &after) == 0 && after.st_ino == before.st_ino, "the same file");
        ok(pread(r, buf, sizeof(buf) - 1, 0) == 11 && atoi(buf) == (int)getpid(),
           "it holds our pid, and only it: %s", buf);
        close(r);
        unlink(rec);
        close(src);
        return tap_done();
}
