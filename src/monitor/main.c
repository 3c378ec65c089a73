/* berth-monitor ID SYNC_FD [--keep-fd N]...
 *
 * The per-container monitor: parent of the container's init, started by the
 * berth CLI (already detached: own session, stdio on /dev/null).  Fds named by
 * --keep-fd (e.g. sockets reserving published host ports) stay open for the
 * monitor's lifetime and are never passed into the container. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "runtime/exe_seal.h"
#include "runtime/monitor.h"

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr, "usage: berth-monitor ID SYNC_FD [--keep-fd N]...\n");
                return 2;
        }
        /* first of all, before the fds we were given are touched: run from
         * a sealed copy, so no container can reach this binary */
        static const char *const sib[][2] = {{"BERTH_DNS_BIN", "berth-dns"}, {NULL, NULL}};
        err_t serr = {0};
        if (rt_exe_seal(argv, sib, &serr) < 0) {
                fprintf(stderr, "berth-monitor: %s\n", serr.msg);
                return 1;
        }
        const char *id = argv[1];
        int sync_fd = atoi(argv[2]);
        for (int i = 3; i < argc; i++) {
                if (!strcmp(argv[i], "--keep-fd") && i + 1 < argc) {
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
        err_t err = {0};
        if (rt_monitor_main(id, sync_fd, &err) < 0) {
                fprintf(stderr, "berth-monitor: %s\n", err.msg);
                return 1;
        }
        return 0;
}
