/* watch.c - waiting on a container's state and log files without polling
 * them: the monitor replaces config.json by a rename and appends to the log
 * in the container's directory, both of which inotify reports. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "container.h"
#include "paths.h"
#include "xalloc.h"

int rt_ctr_watch(const char *id, int what)
{
        uint32_t mask = 0;
        if (what & RT_WATCH_STATE)
                mask |= IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF;
        if (what & RT_WATCH_LOG)
                mask |= IN_MODIFY | IN_CREATE | IN_MOVED_TO;
        int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd < 0)
                return -1;
        _cleanup_free_ char *dir = rt_ctr_dir(id);
        if (inotify_add_watch(fd, dir, mask) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

int rt_watch_wait(int wfd, double s)
{
        if (s <= 0)
                return 0;
        if (wfd < 0) {
                struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
                while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                        ;
                return 0;
        }
        struct pollfd p = {wfd, POLLIN, 0};
        if (poll(&p, 1, (int)(s * 1000) + 1) <= 0)
                return 0;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        while (read(wfd, buf, sizeof(buf)) > 0)
                ;
        return 1;
}
