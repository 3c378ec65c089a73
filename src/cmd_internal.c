/* Commands berth runs itself, not meant for users (not in `berth --help`).
 *
 *   berth __monitor-exited ID PID
 *
 * The exit hook of a monitor whose container is on a network or publishes
 * ports (see src/monitor/main.c): wait until the monitor (PID) is gone, then
 * release what containers whose monitor is dead still hold - port rules, DNS
 * names, interfaces kept alive by a joined namespace (netwire_gc) - so none
 * of them outlives its container until some later berth command happens to
 * clean up.  A restart policy keeps the monitor alive, and so keeps them. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "commands.h"
#include "netwire.h"

/* How long to wait for the monitor to be gone: it exits right after starting
 * the hook, so this bounds only a monitor stuck in its last writes. */
enum { MONITOR_EXIT_WAIT_MS = 10000 };

static void wait_gone(pid_t pid)
{
        _cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return; /* ESRCH: already gone */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        while (poll(&p, 1, MONITOR_EXIT_WAIT_MS) < 0 && errno == EINTR)
                ;
}

int cmd_monitor_exited(int argc, char **argv)
{
        if (argc != 3) {
                die_msg("usage: berth __monitor-exited ID PID");
                return EXIT_BERTH;
        }
        char *end;
        long pid = strtol(argv[2], &end, 10);
        if (*end || pid <= 0) {
                die_msg("__monitor-exited: bad pid %s", argv[2]);
                return EXIT_BERTH;
        }
        wait_gone((pid_t)pid);
        err_t err = {0};
        if (netwire_gc(&err) < 0) {
                die_msg("container %.12s exited: releasing its ports and names: %s", argv[1],
                        err.msg);
                return EXIT_BERTH;
        }
        return 0;
}
