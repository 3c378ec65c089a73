/* berth-dns: the embedded DNS server for container name resolution.
 *
 *   berth-dns [--ready-fd N] [--port P] [--foreground]
 *
 * Started on demand by the CLI (net_dns_ensure_running) with --ready-fd; it
 * serves <run>/dns/records.json and exits when no network is left.  See
 * net/dns.h for the contract and net/dns_server.h for the event loop.
 *
 * berth has no daemon, so berth-dns supervises itself: the process the CLI
 * starts (renamed berth-dns-sup) forks the server and waits for it.  A server
 * that dies (SIGKILL, a crash, an error exit) is started again at once, so
 * containers lose name resolution for milliseconds, not until the next berth
 * command; five deaths in ten seconds make it give up.  A server that decides
 * to exit (status 0: no network left, another server holds the pid lock, a
 * polite SIGTERM/SIGINT) ends the supervisor too.  SIGTERM/SIGINT/SIGHUP sent to the supervisor are
 * passed on. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/fsutil.h"
#include "base/paths.h"
#include "base/xalloc.h"
#include "net/dns_server.h"

static void __attribute__((format(printf, 1, 2))) log_line(const char *fmt, ...)
{
        char ts[32];
        time_t t = time(NULL);
        struct tm tm;
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        va_list ap;
        fprintf(stderr, "%s ", ts);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static void usage(void)
{
        fprintf(stderr, "usage: berth-dns [--ready-fd N] [--port P]\n");
        exit(125);
}

/* Take the pid-file lock (fcntl, so F_GETLK tells the CLI our pid).
 * Returns the fd, -2 when another berth-dns holds it. */
static int take_pid_lock(const char *path, err_t *err)
{
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return err_sys(err, errno, "open %s", path);
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_SETLK, &fl) < 0) {
                int e = errno;
                close(fd);
                if (e == EAGAIN || e == EACCES)
                        return -2;
                return err_sys(err, e, "lock %s", path);
        }
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
        if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
                int e = errno;
                close(fd);
                return err_sys(err, e, "write %s", path);
        }
        return fd;
}

/* Restarts allowed in RESTART_WINDOW_S seconds before the supervisor gives
 * up on a server that crashes at once every time. */
enum { RESTART_BURST = 5, RESTART_WINDOW_S = 10 };

static volatile sig_atomic_t server_pid;
static volatile sig_atomic_t stop_requested;

static void pass_on(int sig)
{
        int e = errno;
        if (sig != SIGHUP)
                stop_requested = 1;
        if (server_pid > 0)
                kill((pid_t)server_pid, sig);
        errno = e;
}

/* Fork the server and watch it.  Returns 0 in the server (which goes on to
 * serve), or never returns in the supervisor (it exits with the server's
 * status).  *ready is the CLI's readiness pipe: only the first server gets it. */
static int supervise(int *ready, const char *records)
{
        time_t starts[RESTART_BURST] = {0};
        unsigned nstarts = 0;
        struct sigaction sa = {.sa_handler = pass_on};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        prctl(PR_SET_NAME, "berth-dns-sup", 0, 0, 0);
        for (;;) {
                pid_t c = fork();
                if (c < 0) {
                        log_line("berth-dns: fork: %s; serving unsupervised", strerror(errno));
                        return 0;
                }
                if (c == 0) {
                        signal(SIGTERM, SIG_DFL);
                        signal(SIGINT, SIG_DFL);
                        signal(SIGHUP, SIG_DFL);
                        prctl(PR_SET_NAME, "berth-dns", 0, 0, 0);
                        return 0;
                }
                server_pid = c;
                starts[nstarts++ % RESTART_BURST] = time(NULL);
                if (*ready >= 0) {
                        close(*ready);
                        *ready = -1;
                }
                int st;
                while (waitpid(c, &st, 0) < 0)
                        if (errno != EINTR)
                                exit(125);
                server_pid = 0;
                /* 0 is a decision (no network left, another server, a polite
                 * stop); anything else is a death: a signal, or an exit a
                 * crash handler (a sanitizer's) or an error turned it into */
                if ((WIFEXITED(st) && WEXITSTATUS(st) == 0) || stop_requested)
                        exit(0);
                char how[48];
                if (WIFSIGNALED(st))
                        snprintf(how, sizeof(how), "died of signal %d", WTERMSIG(st));
                else
                        snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(st));
                if (access(records, F_OK) < 0) {
                        log_line("berth-dns: server (pid %d) %s and %s is gone; not restarting",
                                 (int)c, how, records);
                        exit(0);
                }
                if (nstarts >= RESTART_BURST &&
                    time(NULL) - starts[nstarts % RESTART_BURST] < RESTART_WINDOW_S) {
                        log_line("berth-dns: the server ended %d times in %d s (last: %s); "
                                 "giving up until the next berth command starts it",
                                 RESTART_BURST, RESTART_WINDOW_S, how);
                        exit(125);
                }
                log_line("berth-dns: server (pid %d) %s; restarting", (int)c, how);
        }
}

int main(int argc, char **argv)
{
        int ready = -1;
        unsigned long port = 53;
        err_t err;

        for (int i = 1; i < argc; i++) {
                char *end;
                if (strcmp(argv[i], "--ready-fd") == 0 && i + 1 < argc) {
                        ready = (int)strtol(argv[++i], &end, 10);
                        if (*end || ready < 0)
                                usage();
                } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
                        port = strtoul(argv[++i], &end, 10);
                        if (*end || port == 0 || port > 65535)
                                usage();
                } else {
                        usage();
                }
        }
        if (ready >= 0)
                fcntl(ready, F_SETFD, FD_CLOEXEC);

        _cleanup_free_ char *dir = xasprintf("%s/dns", berth_run_dir());
        _cleanup_free_ char *pidf = xasprintf("%s/pid", dir);
        _cleanup_free_ char *records = xasprintf("%s/records.json", dir);
        _cleanup_free_ char *lock = xasprintf("%s/records.lock", dir);
        if (mkdir_p(dir, 0700, &err) < 0) {
                log_line("berth-dns: %s", err.msg);
                return 125;
        }
        supervise(&ready, records);
        int pfd = take_pid_lock(pidf, &err);
        if (pfd == -2) {
                if (ready >= 0)
                        (void)!write(ready, "B", 1);
                return 0;
        }
        if (pfd < 0) {
                log_line("berth-dns: %s", err.msg);
                return 125;
        }
        log_line("berth-dns: started (pid %d, records %s)", (int)getpid(), records);
        dns_server_opts_t o = {
            .records_path = records,
            .lock_path = lock,
            .port = (uint16_t)port,
            .ready_fd = ready,
            .log = log_line,
        };
        int r = dns_server_run(&o, &err);
        if (r < 0)
                log_line("berth-dns: %s", err.msg);
        else if (r == 1)
                log_line("berth-dns: no network left, exiting");
        else
                log_line("berth-dns: stopped by signal");
        /* Release the pid lock before the records lock (still held by the
         * server's exit decision and released by exit), so a CLI that gets
         * the records lock next never sees us as the running server. */
        if (ftruncate(pfd, 0) < 0)
                log_line("berth-dns: truncate %s: %s", pidf, strerror(errno));
        close(pfd);
        return r < 0 ? 125 : 0;
}
