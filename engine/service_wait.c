/* service_wait.c - waiting for a container to be healthy or to exit.
 *
 * Health: the monitor is the one probe engine; it records State.Health
 * ("starting" from the moment the container runs), and this waits on that.
 *
 * The waits read the state when it changes (rt_ctr_watch: the monitor
 * replaces the container's config.json by a rename), so a container that
 * turned healthy (or exited) is seen within a millisecond.  Without a watch
 * they poll every 50 ms. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "service.h"
#include "start.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/monitor.h"

static char *short_name(const json_t *j)
{
        const char *n = rt_doc_name(j) ?: "";
        return xstrdup(n[0] == '/' ? n + 1 : n);
}

static double min_d(double a, double b)
{
        return a < b ? a : b;
}

/* Wait until the state may have changed, at most s seconds (and at most 50 ms
 * without a watch; the state is read again at least every second anyway). */
static void state_wait(int wfd, double s)
{
        rt_watch_wait(wfd, min_d(s, wfd < 0 ? 0.05 : 1));
}

/* Reads the container's document, on each change of its state file, until
 * done says 1 (-1: it fails) or the deadline (0: none) passes: done words
 * that error itself when late, else it is "timeout waiting for ID". */
static int wait_state(const char *id, double deadline,
                      int (*done)(const json_t *j, bool late, void *ud, err_t *err), void *ud,
                      err_t *err)
{
        _cleanup_close_ int wfd = rt_ctr_watch(id, RT_WATCH_STATE);
        for (;;) {
                _cleanup_free_ char *cid = NULL;
                _cleanup_json_ json_t *j = NULL;
                if (ctr_get(id, &cid, &j, NULL, err) < 0)
                        return -1;
                double now = mono_now();
                bool late = deadline > 0 && now > deadline;
                int r = done(j, late, ud, err);
                if (r != 0)
                        return r < 0 ? -1 : 0;
                if (late)
                        return err_set(err, ETIMEDOUT, "timeout waiting for %.12s", id);
                state_wait(wfd, deadline > 0 ? deadline - now : 1);
        }
}

static int healthy_done(const json_t *j, bool late, void *ud, err_t *err)
{
        (void)ud;
        _cleanup_free_ char *name = short_name(j);
        const char *status = rt_doc_status(j) ?: "";
        if (!rt_health_test(j))
                return err_set(err, EINVAL, "container %s has no healthcheck configured", name);
        if (strcmp(status, "running") && strcmp(status, "restarting"))
                return err_set(err, ECHILD, "container %s exited (%d)", name, rt_doc_exit_code(j));
        const char *hs = rt_doc_health(j);
        if (hs && !strcmp(hs, "healthy"))
                return 1;
        if (hs && !strcmp(hs, "unhealthy"))
                return err_set(err, EIO, "container %s is unhealthy", name);
        if (!hs && !strcmp(status, "running"))
                return err_set(err, EIO,
                               "container %s has no health state: its monitor keeps none "
                               "(restart the container)",
                               name);
        if (late)
                return err_set(err, ETIMEDOUT, "container %s is not healthy yet (timeout)", name);
        return 0;
}

int cctr_wait_healthy(const char *id, double deadline, err_t *err)
{
        return wait_state(id, deadline, healthy_done, NULL, err);
}

static int exited_done(const json_t *j, bool late, void *code, err_t *err)
{
        (void)late;
        (void)err;
        const char *s = rt_doc_status(j) ?: "";
        if (!strcmp(s, "running") || !strcmp(s, "restarting"))
                return 0;
        *(int *)code = rt_doc_exit_code(j);
        return 1;
}

int cctr_wait_exit(const char *id, double deadline, int *code, err_t *err)
{
        _cleanup_close_ int fd = rt_ctl_connect(id, "wait\n", NULL);
        if (fd >= 0) {
                for (;;) {
                        int to = -1;
                        if (deadline > 0) {
                                double left = deadline - mono_now();
                                if (left <= 0)
                                        return err_set(err, ETIMEDOUT, "timeout waiting for %.12s",
                                                       id);
                                to = (int)(left * 1000) + 1;
                        }
                        struct pollfd p = {fd, POLLIN, 0};
                        int r = poll(&p, 1, to);
                        if (r < 0 && errno == EINTR)
                                continue;
                        if (r <= 0)
                                continue;
                        int stream;
                        char *data = NULL;
                        size_t len;
                        int fr = rt_frame_read(fd, &stream, &data, &len);
                        if (fr == 1 && stream == RT_STREAM_EXIT) {
                                *code = atoi(data);
                                free(data);
                                break;
                        }
                        free(data);
                        if (fr <= 0)
                                break;
                }
        }
        /* the state file has the final word (and covers "already exited") */
        return wait_state(id, deadline, exited_done, code, err);
}
