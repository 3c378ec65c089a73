/* Commands berth runs itself, not meant for users (not in `berth --help`).
 *
 *   berth __monitor-exited ID PID [PIDFD]
 *
 * The watcher of a container's monitor (see src/monitor/main.c), started by
 * the monitor as it starts, with PIDFD (an inherited pidfd of PID) so that a
 * reused pid is never mistaken for it.  It waits until the monitor is gone,
 * however it goes, then:
 *   - a monitor that died without recording the container's end (killed,
 *     crashed) leaves a container whose state still says running: it is
 *     recorded as exited (status 255, "container monitor exited
 *     unexpectedly"), and started again, under a new monitor, when its
 *     restart policy says so - never a ghost that `ps` shows as running;
 *   - what containers whose monitor is dead still hold - port rules, DNS
 *     names, interfaces kept alive by a joined namespace - is released
 *     (netwire_gc), so none of it outlives its container until some later
 *     berth command happens to clean up.
 * A restart policy keeps the monitor alive, and so keeps them.
 *
 *   berth __settle
 *
 * Left behind by a command that released an address whose veth a dying
 * namespace still held, for a container whose monitor (and so its watcher)
 * is gone: waits for the veth and frees the address (netwire_gc_settle),
 * in the background, detached, its output on /dev/null. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/jsonfile.h"
#include "commands.h"
#include "container_cli.h"
#include "engine/netglue.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

/* Wait until the monitor is gone: on the inherited pidfd when there is one
 * (for as long as the monitor lives), else on one opened now. */
static void wait_gone(pid_t pid, int pidfd)
{
        _cleanup_close_ int own = -1;
        if (pidfd < 0) {
                own = (int)syscall(SYS_pidfd_open, pid, 0);
                if (own < 0)
                        return; /* ESRCH: already gone */
                pidfd = own;
        }
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        while (poll(&p, 1, -1) < 0 && errno == EINTR)
                ;
}

static bool live_status(const json_t *j)
{
        const char *s = rt_doc_status(j);
        return s && (!strcmp(s, "running") || !strcmp(s, "restarting") || !strcmp(s, "paused"));
}

/* The monitor of container id died without recording its end: record it
 * (ctr_get reconciles), and start the container again when its restart
 * policy says so.  Returns 0 when there was nothing to do. */
static int recover(const char *id, err_t *err)
{
        _cleanup_json_ json_t *before = NULL;
        _cleanup_json_ json_t *j = NULL;
        _cleanup_free_ char *cid = NULL;
        int status;

        if (rt_ctr_load(id, &before, err) < 0)
                return err->code == ENOENT ? 0 : -1; /* removed meanwhile */
        if (!live_status(before))
                return 0; /* the monitor recorded the end itself */
        if (ctr_get(id, &cid, &j, NULL, err) < 0)
                return err->code == ENOENT ? 0 : -1;
        if (live_status(j) || !ctr_policy_restarts(cid, j, true))
                return 0; /* recorded as exited; or someone started it again */
        /* a short pause: a monitor that dies at once is not restarted in a
         * tight loop, and a machine going down takes this process first */
        struct timespec ts = {0, 250 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (container_start(cid, 0, &status, err) < 0)
                return err_wrap(err, "restarting container %.12s after its monitor died", cid);
        return 0;
}

int cmd_monitor_exited(int argc, char **argv)
{
        if (argc != 3 && argc != 4) {
                error_msg("usage: berth __monitor-exited ID PID [PIDFD]");
                return EXIT_BERTH;
        }
        char *end;
        long pid = strtol(argv[2], &end, 10);
        if (*end || pid <= 0) {
                error_msg("__monitor-exited: bad pid %s", argv[2]);
                return EXIT_BERTH;
        }
        long pidfd = -1;
        if (argc == 4) {
                pidfd = strtol(argv[3], &end, 10);
                if (*end || pidfd < 0 || pidfd > 1024) {
                        error_msg("__monitor-exited: bad pidfd %s", argv[3]);
                        return EXIT_BERTH;
                }
        }
        wait_gone((pid_t)pid, (int)pidfd);
        if (pidfd >= 0)
                close((int)pidfd);
        int rc = 0;
        err_t err = {0};
        if (recover(argv[1], &err) < 0) {
                error_msg("container %.12s: its monitor died: %s", argv[1], err.msg);
                rc = EXIT_BERTH;
        }
        err_clear(&err);
        /* a dying namespace's veth pair can take seconds to go when many
         * namespaces die at once (the kernel cleans them up in batches):
         * wait for it here, in the background, rather than leave the
         * address to the next allocation on its network */
        if (netwire_gc_settle(10000, &err) < 0) {
                error_msg("container %.12s exited: releasing its ports and names: %s", argv[1],
                          err.msg);
                rc = EXIT_BERTH;
        }
        return rc;
}

int cmd_settle(int argc, char **argv)
{
        (void)argv;
        if (argc != 1) {
                error_msg("usage: berth __settle");
                return EXIT_BERTH;
        }
        err_t err = {0};
        return netwire_gc_settle(10000, &err) < 0 ? EXIT_BERTH : 0;
}
