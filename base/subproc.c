/* subproc.c - run a program over pipes (see subproc.h). */
#include "subproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int subproc_pipe(const char *prog, char *const argv[], const void *in, size_t inlen, size_t outmax,
                 strbuf_t *out, int *status, err_t *err)
{
        int ip[2] = {-1, -1}, op[2] = {-1, -1};
        if (pipe2(ip, O_CLOEXEC) < 0 || pipe2(op, O_CLOEXEC) < 0) {
                int e = errno;
                if (ip[0] >= 0) {
                        close(ip[0]);
                        close(ip[1]);
                }
                return err_sys(err, e, "%s: pipe", prog);
        }
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t at;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, ip[0], 0);
        posix_spawn_file_actions_adddup2(&fa, op[1], 1);
        posix_spawnattr_init(&at);
        sigset_t none, defs;
        sigemptyset(&none);
        sigemptyset(&defs);
        sigaddset(&defs, SIGPIPE);
        posix_spawnattr_setsigmask(&at, &none);
        posix_spawnattr_setsigdefault(&at, &defs);
        posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        pid_t pid;
        int r = posix_spawnp(&pid, prog, &fa, &at, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&at);
        close(ip[0]);
        close(op[1]);
        if (r != 0) {
                close(ip[1]);
                close(op[0]);
                return err_sys(err, r, "run %s", prog);
        }

        /* Feed stdin and drain stdout together; a child that exits early
         * makes the write fail with EPIPE instead of killing us. */
        sigset_t pipeset, old;
        sigemptyset(&pipeset);
        sigaddset(&pipeset, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipeset, &old);
        fcntl(ip[1], F_SETFL, O_NONBLOCK);
        size_t off = 0;
        int rc = 0;
        if (inlen == 0) {
                close(ip[1]);
                ip[1] = -1;
        }
        for (;;) {
                struct pollfd p[2] = {{op[0], POLLIN, 0}, {ip[1], POLLOUT, 0}};
                nfds_t np = ip[1] >= 0 ? 2 : 1;
                if (poll(p, np, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        rc = err_sys(err, errno, "%s: poll", prog);
                        break;
                }
                if (np == 2 && p[1].revents) {
                        ssize_t w = write(ip[1], (const char *)in + off, inlen - off);
                        if (w > 0)
                                off += (size_t)w;
                        if ((w < 0 && errno != EAGAIN && errno != EINTR) || off == inlen) {
                                close(ip[1]);
                                ip[1] = -1;
                        }
                }
                if (p[0].revents) {
                        char buf[4096];
                        ssize_t n = read(op[0], buf, sizeof(buf));
                        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (n <= 0)
                                break;
                        if (out->len + (size_t)n > outmax) {
                                explicit_bzero(buf, sizeof(buf));
                                rc = err_set(err, EFBIG, "%s: output larger than %zu bytes", prog,
                                             outmax);
                                break;
                        }
                        sb_appendn(out, buf, (size_t)n);
                        explicit_bzero(buf, sizeof(buf));
                }
        }
        if (ip[1] >= 0)
                close(ip[1]);
        close(op[0]);
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipeset, NULL, &zero) > 0)
                ;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        if (rc < 0)
                return rc;
        *status = st;
        return 0;
}

int subproc_helper_finish(pid_t pid, int efd, const char *what, err_t *err)
{
        err_t ce = {0};
        size_t got = 0;
        while (got < sizeof(ce)) {
                ssize_t n = read(efd, (char *)&ce + got, sizeof(ce) - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                got += (size_t)n;
        }
        close(efd);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                ;
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                return 0;
        if (got == sizeof(ce)) {
                ce.msg[sizeof(ce.msg) - 1] = '\0';
                return err_set(err, ce.code, "%s", ce.msg);
        }
        return err_set(err, EIO, "the %s helper process failed (status %d)", what, st);
}
