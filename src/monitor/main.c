/* berth-monitor ID SYNC_FD [--keep-fd N]... [--share-exe]
 *
 * The per-container monitor: parent of the container's init, started by the
 * berth CLI (already detached: own session, stdio on /dev/null).  Fds named by
 * --keep-fd (e.g. sockets reserving published host ports) stay open for the
 * monitor's lifetime and are never passed into the container.
 *
 * A container with published ports gets them unpublished when it ends, however
 * it ends (its own exit, an OOM kill, a crash of the monitor's init): as the
 * monitor exits it starts `berth __monitor-exited ID PID` (the CLI beside this
 * binary, detached), which waits for this pid to be gone and then removes the
 * port rules of containers whose monitor is dead (netwire_gc), exactly what the
 * next berth command would otherwise do. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/xalloc.h"
#include "runtime/container.h"
#include "runtime/exe_seal.h"
#include "runtime/monitor.h"

/* Does the stored container publish any port? */
static bool publishes_ports(const char *id)
{
        err_t e = {0};
        _cleanup_json_ json_t *j = NULL;
        if (rt_ctr_load(id, &j, &e) < 0)
                return false;
        json_t *hc = json_object_get(j, "HostConfig");
        return json_object_size(json_object_get(hc, "PortBindings")) > 0 ||
               json_is_true(json_object_get(hc, "PublishAllPorts"));
}

static char *cli_path(void)
{
        const char *env = getenv("BERTH_CLI");
        if (env && *env)
                return xstrdup(env);
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return NULL;
        self[n] = '\0';
        return xasprintf("%s/berth", dirname(self));
}

/* Start the exit hook detached (double fork: not our child, own session), with
 * stdin/stdout on /dev/null and stderr on ours (monitor.log). */
static void exit_hook(const char *id)
{
        _cleanup_free_ char *cli = cli_path();
        if (!cli)
                return;
        char mon[16];
        snprintf(mon, sizeof(mon), "%d", (int)getpid());
        pid_t c = fork();
        if (c < 0) {
                fprintf(stderr, "berth-monitor: exit hook: fork: %s\n", strerror(errno));
                return;
        }
        if (c == 0) {
                if (setsid() < 0 || fork() != 0)
                        _exit(0);
                int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0)
                        _exit(127);
                closefrom(3);
                execl(cli, "berth", "__monitor-exited", id, mon, (char *)NULL);
                fprintf(stderr, "berth-monitor: exit hook: exec %s: %s\n", cli, strerror(errno));
                _exit(127);
        }
        while (waitpid(c, NULL, 0) < 0 && errno == EINTR)
                ;
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
        err_t serr = {0};
        if (rt_exe_seal(argv, sib, &serr) < 0) {
                fprintf(stderr, "berth-monitor: %s\n", serr.msg);
                return 1;
        }
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
        bool hook = publishes_ports(id);
        err_t err = {0};
        int r = rt_monitor_main(id, sync_fd, &err);
        if (r < 0)
                fprintf(stderr, "berth-monitor: %s\n", err.msg);
        if (hook)
                exit_hook(id);
        return r < 0 ? 1 : 0;
}
