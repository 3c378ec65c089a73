/* berth-monitor ID SYNC_FD [--keep-fd N]... [--share-exe]
 *
 * The per-container monitor: parent of the container's init, started by the
 * berth CLI (already detached: own session, stdio on /dev/null).  Fds named by
 * --keep-fd (e.g. sockets reserving published host ports) stay open for the
 * monitor's lifetime and are never passed into the container.
 *
 * Its watcher: as it starts, the monitor starts `berth-watch ID PID` (a
 * detached fork of itself, fd 3 a pidfd of the monitor), which waits for the monitor
 * to be gone, however it goes (the container ended: its own exit, an OOM
 * kill, a stop; or the monitor itself was killed or crashed), and then runs
 * `berth __monitor-exited ID PID 3` (the CLI beside this binary), which does
 * what the next berth command would otherwise do: a container whose monitor
 * died without recording its end is recorded as exited (and started again
 * when its restart policy says so), and whatever containers whose monitor is
 * dead still hold - port rules, DNS names - is released (netwire_gc).  A
 * restart keeps the monitor, and so keeps them.  When the monitor recorded
 * the end itself and its container held nothing outside itself (--network
 * none), it says so on a pipe (fd 4 of the watcher) as it returns, and the
 * watcher ends without starting the CLI (an exec and dynamic loading of the
 * CLI, ~3-5 ms of CPU per container); a monitor that is killed or crashes
 * writes nothing, and the CLI runs.  Once the container runs, a second
 * watcher is made and the first told to end (watcher_handover): the one left
 * for the container's life shares the pages the monitor has then, not those
 * it had before its start. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/paths.h"
#include "base/xalloc.h"
#include "runtime/exe_seal.h"
#include "runtime/monitor.h"

/* What a monitor writes to its watcher: WATCH_DONE as it ends, when it
 * leaves nothing to do; WATCH_HANDED_OVER to the first watcher once a second
 * one watches (see watcher_handover). */
#define WATCH_DONE        'd'
#define WATCH_HANDED_OVER 'h'

/* The CLI the watcher runs, found before any watcher is made: a watcher is a
 * raw clone of the monitor and allocates nothing. */
static char *watch_cli;

/* A watcher: a fork of the monitor made without glibc's fork handlers, and
 * a child of the monitor's parent (CLONE_PARENT), as a double fork would make
 * it, with one fork and exit less.  glibc's fork() locks and unlocks malloc's
 * arenas, stdio and the loader's lists around the fork, and so writes, in
 * both processes, the pages that hold them (libc's data, ld.so's), which the
 * two then held twice for the container's life.  The child may only make
 * async-signal-safe calls (no malloc, no stdio, no raise: glibc still holds
 * the monitor's thread id), which is all a watcher does. */
static pid_t watch_fork(void)
{
        return (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), 0UL, NULL, NULL,
                              0UL);
}

/* berth-watch ID PID, fd 3 a pidfd of the monitor PID, fd 4 the monitor's
 * pipe (or closed): wait for the monitor to be gone, then hand over to the
 * CLI.  A small process sharing the monitor's pages for the container's life;
 * the CLI, much larger, runs only once the monitor is gone.  Ends without the
 * CLI when the monitor leaves word that nothing is left to do
 * (WATCH_DONE), or that a later watcher has taken over (WATCH_HANDED_OVER). */
static int watch_main(const char *id, const char *mon)
{
        struct pollfd p[2] = {{.fd = 3, .events = POLLIN}, {.fd = 4, .events = POLLIN}};
        if (syscall(SYS_fcntl, 4, F_SETFL, O_NONBLOCK) < 0)
                p[1].fd = -1;
        for (;;) {
                if (rt_mon_poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                char c = 0;
                /* the word first: the monitor writes it before it is gone */
                if (p[1].revents && read(4, &c, 1) == 1 &&
                    (c == WATCH_DONE || c == WATCH_HANDED_OVER))
                        return 0;
                if (p[0].revents)
                        break; /* the monitor is gone */
                if (p[1].revents)
                        p[1].fd = -1; /* the pipe's end closed: the pidfd says when */
        }
        const char *cli = watch_cli;
        if (!cli) {
                static const char msg[] = "berth-watch: cannot find the berth binary\n";
                (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
                return 1;
        }
        execl(cli, "berth", "__monitor-exited", id, mon, "3", (char *)NULL);
        static const char msg[] = "berth-watch: cannot run the berth binary\n";
        (void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
        return 1;
}

/* dup2 for a watcher (syscall() only, see start_watcher): fd as to. */
static int fd_move(int fd, int to)
{
        return fd == to ? 0 : (int)syscall(SYS_dup3, fd, to, 0);
}

/* Start a watcher detached (not our child, own session), with
 * stdin/stdout on /dev/null, stderr on ours (monitor.log), as fd 3 a pidfd of
 * this process (no pid-reuse race, however soon we die) and as fd 4 the read
 * end of a pipe whose write end (O_CLOEXEC) is stored in *wordp (-1 without a
 * pipe: that watcher always runs the CLI) before the fork, so that the
 * monitor writes nothing the watcher shares after it.  0, or -1 (*wordp as it
 * was) when no watcher could be made. */
static int start_watcher(const char *id, int *wordp)
{
        char mon[16];
        snprintf(mon, sizeof(mon), "%d", (int)getpid());
        int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
        if (pfd < 0) {
                fprintf(stderr, "berth-monitor: watcher: pidfd_open: %s\n", strerror(errno));
                return -1;
        }
        int word[2] = {-1, -1};
        if (pipe2(word, O_CLOEXEC) < 0)
                word[0] = word[1] = -1; /* no word: the watcher always runs the CLI */
        int prev = *wordp;
        *wordp = word[1];
        pid_t c = watch_fork();
        if (c < 0) {
                fprintf(stderr, "berth-monitor: watcher: fork: %s\n", strerror(errno));
                *wordp = prev;
                close(pfd);
                if (word[0] >= 0) {
                        close(word[0]);
                        close(word[1]);
                }
                return -1;
        }
        if (c == 0) {
                /* Only syscall() from here to the wait: each libc function
                 * called would map a 64 kB window of libc's text of its own
                 * for the watcher's life (sigprocmask, setsid, open, dup2,
                 * prctl and fcntl lie in five); syscall()'s is the one the
                 * monitor's wait maps too.  None of the monitor's blocked
                 * signals (SIGCHLD, SIGTERM, ... for its signalfd), here nor
                 * in the CLI it runs. */
                sigset_t none = {{0}};
                syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, (size_t)_NSIG / 8);
                if (syscall(SYS_setsid) < 0)
                        _exit(0);
                int nul = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC);
                if (nul < 0 || fd_move(nul, 0) < 0 || fd_move(nul, 1) < 0 || fd_move(pfd, 3) < 0)
                        _exit(127);
                if (word[0] < 0 || fd_move(word[0], 4) < 0)
                        syscall(SYS_close, 4);
                syscall(SYS_close_range, 5U, ~0U, 0U);
                /* no exec: a clone of the monitor shares its pages (an exec
                 * of this binary, with its dynamic loading, cost ~3 ms of
                 * CPU and ~200 kB of PSS more per container) */
                syscall(SYS_prctl, PR_SET_NAME, "berth-watch", 0UL, 0UL, 0UL);
                _exit(watch_main(id, mon));
        }
        /* from the fork to the loop's wait the monitor writes none of the
         * pages it shares with the watcher: syscall() for these too (glibc's
         * close and write, cancellation points, write to the thread's
         * control block, which each process then held a copy of) */
        syscall(SYS_close, pfd);
        if (word[0] >= 0)
                syscall(SYS_close, word[0]);
        return 0;
}

/* The watcher's word pipe (its write end; < 0: none). */
static int watch_word = -1;

/* Once the container runs: a second watcher, made now, shares the pages the
 * start wrote (heap, data, stack) with the monitor, where the first one,
 * made before the start so that a monitor gone during the start is noticed
 * too, holds the pages as they were before the start, which the monitor has
 * since written its own copies of: ~50 kB held twice for the container's
 * life.  The first one is told to end once the second exists; a second that
 * cannot be made leaves the first in place. */
static void watcher_handover(const char *id)
{
        int first = watch_word;
        if (start_watcher(id, &watch_word) < 0)
                return;
        if (first >= 0) {
                /* syscall(): see start_watcher */
                char c = WATCH_HANDED_OVER;
                (void)!syscall(SYS_write, first, &c, 1UL);
                syscall(SYS_close, first);
        }
}

static void warn_log(const char *msg)
{
        fprintf(stderr, "berth-monitor: %s\n", msg);
        fflush(stderr);
}

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr, "usage: berth-monitor ID SYNC_FD [--keep-fd N]...\n");
                return 2;
        }
        /* first of all, before the fds we were given are touched: run from
         * a sealed copy, so no container can reach this binary */
        static const char *const sib[][2] = {
            {"BERTH_DNS_BIN", "berth-dns"}, {"BERTH_CLI", "berth"}, {NULL, NULL}};
        static err_t serr; /* static: a frame of main stays for good */
        if (rt_exe_seal(argv, sib, &serr) < 0) {
                fprintf(stderr, "berth-monitor: %s\n", serr.msg);
                return 1;
        }
        watch_cli = berth_sibling_path("BERTH_CLI", "berth", NULL);
        if (!strcmp(argv[0], "berth-watch") && argc == 3)
                return watch_main(argv[1], argv[2]);
        const char *id = argv[1];
        int sync_fd = atoi(argv[2]);
        for (int i = 3; i < argc; i++) {
                if (!strcmp(argv[i], "--share-exe")) {
                        /* started from a new sealed copy: the next monitor
                         * shares it (runtime/exe_seal.h) */
                        _cleanup_free_ char *rec =
                            xasprintf("%s/%s", berth_run_dir(), RT_MONITOR_EXE_RECORD);
                        rt_exe_shared_record(rec);
                } else if (!strcmp(argv[i], "--keep-fd") && i + 1 < argc) {
                        int fd = atoi(argv[++i]);
                        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
                                fprintf(stderr, "berth-monitor: --keep-fd %d: %s\n", fd,
                                        strerror(errno));
                                return 2;
                        }
                } else {
                        fprintf(stderr, "berth-monitor: unknown argument %s\n", argv[i]);
                        return 2;
                }
        }
        if (fcntl(sync_fd, F_SETFD, FD_CLOEXEC) < 0) {
                fprintf(stderr, "berth-monitor: bad sync fd %d\n", sync_fd);
                return 2;
        }
        (void)start_watcher(id, &watch_word);
        rt_monitor_set_running_hook(watcher_handover);
        /* room in the log (monitor.log, stderr) for what the monitor may
         * have to say when the disk is full: blocks past its end */
        struct stat lst;
        if (fstat(STDERR_FILENO, &lst) == 0 && S_ISREG(lst.st_mode))
                (void)fallocate(STDERR_FILENO, FALLOC_FL_KEEP_SIZE, lst.st_size, 4096);
        rt_monitor_set_warn(warn_log);
        static err_t err;
        bool done = false;
        int r = rt_monitor_main(id, sync_fd, &done, &err);
        if (r < 0)
                fprintf(stderr, "berth-monitor: %s\n", err.msg);
        if (done && watch_word >= 0) {
                char c = WATCH_DONE;
                (void)!write(watch_word, &c, 1);
        }
        return r < 0 ? 1 : 0;
}
