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

/* Watch the containers directory and each container's directory; a watch
 * already there is kept, not doubled. */
static void ctrs_watch_add(int fd)
{
        _cleanup_free_ char *dir = xasprintf("%s/containers", berth_lib_dir());
        inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM);
        strv_t ids = STRV_INIT;
        err_t err;
        if (rt_ctr_list(&ids, &err) == 0)
                for (size_t i = 0; i < ids.n; i++) {
                        _cleanup_free_ char *d = xasprintf("%s/%s", dir, ids.v[i]);
                        inotify_add_watch(fd, d, IN_MOVED_TO | IN_CLOSE_WRITE);
                }
        strv_free(&ids);
}

int rt_ctrs_watch(err_t *err)
{
        int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd < 0)
                return err_sys(err, errno, "inotify");
        ctrs_watch_add(fd);
        return fd;
}

int rt_ctrs_watch_wait(int wfd, int ms, err_t *err)
{
        struct pollfd p = {.fd = wfd, .events = POLLIN};
        int r = poll(&p, 1, ms);
        if (r < 0)
                return errno == EINTR ? 0 : err_sys(err, errno, "poll");
        if (r == 0)
                return 0;
        char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool added = false;
        ssize_t n;
        while ((n = read(wfd, buf, sizeof(buf))) > 0)
                for (char *q = buf; q < buf + n;) {
                        struct inotify_event *e = (struct inotify_event *)q;
                        added |= (e->mask & IN_CREATE) && (e->mask & IN_ISDIR);
                        q += sizeof(*e) + e->len;
                }
        if (added)
                ctrs_watch_add(wfd);
        return 1;
}
