/* compose_wait.c - waiting for a container to be healthy or to exit.
 *
 * Health: when the container's State carries Health (kept by the monitor),
 * that is the truth.  Otherwise the healthcheck is probed from here while
 * someone waits (exec of the test inside the container, docker's interval /
 * timeout / start period / retries rules), so depends_on service_healthy and
 * --wait work with a monitor that keeps no health state.
 *
 * The waits read the state when it changes: the monitor replaces the
 * container's config.json by a rename, which inotify on the container's
 * directory reports, so a container that turned healthy (or exited) is seen
 * within a millisecond.  Without inotify they poll every 50 ms. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "compose_up.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/monitor.h"
#include "runtime/spawn.h"

static char *short_name(const json_t *j)
{
        const char *n = json_string_value(json_object_get(j, "Name")) ?: "";
        return xstrdup(n[0] == '/' ? n + 1 : n);
}

static long long hc_ns(const json_t *hc, const char *key, long long def)
{
        const json_t *v = json_object_get(hc, key);
        return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : def;
}

static void sleep_s(double s)
{
        if (s <= 0)
                return;
        struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* An inotify fd that becomes readable when the container's state is
 * replaced (or its directory goes), -1 when inotify is not available. */
static int state_watch(const char *id)
{
        int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (fd < 0)
                return -1;
        _cleanup_free_ char *dir = rt_ctr_dir(id);
        if (inotify_add_watch(fd, dir, IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
                close(fd);
                return -1;
        }
        return fd;
}

/* Wait until the state may have changed, at most s seconds (and at most 50 ms
 * without a watch; the state is read again at least every second anyway). */
static void state_wait(int wfd, double s)
{
        if (wfd < 0) {
                sleep_s(s < 0.05 ? s : 0.05);
                return;
        }
        if (s > 1)
                s = 1;
        struct pollfd p = {wfd, POLLIN, 0};
        if (s > 0 && poll(&p, 1, (int)(s * 1000) + 1) > 0) {
                char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
                while (read(wfd, buf, sizeof(buf)) > 0)
                        ;
        }
}

static double min_d(double a, double b)
{
        return a < b ? a : b;
}

/* Run the test once: 0 healthy, 1 failed. */
static int probe(const char *id, const json_t *j, const json_t *test, long long timeout_ns)
{
        pid_t init = 0;
        if (!rt_ctr_monitor_alive(id, &init) || init <= 0)
                return 1;
        struct rt_proc proc;
        err_t err;
        if (rt_ctr_proc_spec(j, &proc, &err) < 0)
                return 1;
        const char *kind = json_string_value(json_array_get(test, 0)) ?: "";
        if (!strcmp(kind, "CMD-SHELL")) {
                strv_push(&proc.argv, "/bin/sh");
                strv_push(&proc.argv, "-c");
                strv_push(&proc.argv, json_string_value(json_array_get(test, 1)) ?: "false");
        } else {
                for (size_t i = 1; i < json_array_size(test); i++)
                        strv_push(&proc.argv, json_string_value(json_array_get(test, i)) ?: "");
        }
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        int stdio[3] = {nul, nul, nul};
        pid_t pid = -1;
        int fail_status = 0;
        int r = rt_exec(init, id, &proc, stdio, NULL, &pid, &fail_status, &err);
        if (nul >= 0)
                close(nul);
        rt_proc_free(&proc);
        if (r < 0)
                return 1;
        double end = mono_now() + (double)timeout_ns / 1e9;
        int st = 0;
        for (;;) {
                pid_t w = waitpid(pid, &st, WNOHANG);
                if (w == pid)
                        break;
                if (w < 0 && errno != EINTR)
                        return 1;
                if (mono_now() > end) {
                        kill(pid, SIGKILL);
                        waitpid(pid, &st, 0);
                        return 1;
                }
                sleep_s(0.02);
        }
        return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

int cctr_wait_healthy(const char *id, double deadline, err_t *err)
{
        double started = mono_now();
        int failures = 0;
        double next_probe = 0;
        _cleanup_close_ int wfd = state_watch(id);
        for (;;) {
                _cleanup_free_ char *cid = NULL;
                _cleanup_json_ json_t *j = NULL;
                if (container_get(id, &cid, &j, NULL, err) < 0)
                        return -1;
                _cleanup_free_ char *name = short_name(j);
                const json_t *st = json_object_get(j, "State");
                const char *status = json_string_value(json_object_get(st, "Status")) ?: "";
                const json_t *hc = json_object_get(json_object_get(j, "Config"), "Healthcheck");
                const json_t *test = json_object_get(hc, "Test");
                const char *kind = json_string_value(json_array_get(test, 0));
                if (!hc || !kind || !strcmp(kind, "NONE"))
                        return err_set(err, EINVAL, "container %s has no healthcheck configured",
                                       name);
                if (strcmp(status, "running") && strcmp(status, "restarting"))
                        return err_set(err, ECHILD, "container %s exited (%d)", name,
                                       (int)json_integer_value(json_object_get(st, "ExitCode")));
                const char *hs =
                    json_string_value(json_object_get(json_object_get(st, "Health"), "Status"));
                if (hs && !strcmp(hs, "healthy"))
                        return 0;
                if (hs && !strcmp(hs, "unhealthy"))
                        return err_set(err, EIO, "container %s is unhealthy", name);
                double now = mono_now();
                if (deadline > 0 && now > deadline)
                        return err_set(err, ETIMEDOUT, "container %s is not healthy yet (timeout)",
                                       name);
                if (!hs && now >= next_probe) {
                        long long interval = hc_ns(hc, "Interval", 30000000000LL);
                        long long timeout = hc_ns(hc, "Timeout", 30000000000LL);
                        long long start_period = hc_ns(hc, "StartPeriod", 0);
                        long long start_interval = hc_ns(hc, "StartInterval", 5000000000LL);
                        long long retries = hc_ns(hc, "Retries", 3);
                        bool in_start = (now - started) * 1e9 < (double)start_period;
                        if (probe(cid, j, test, timeout) == 0)
                                return 0;
                        if (!in_start && ++failures >= retries)
                                return err_set(err, EIO, "container %s is unhealthy", name);
                        long long iv =
                            in_start && start_interval < interval ? start_interval : interval;
                        next_probe = mono_now() + (double)iv / 1e9;
                }
                now = mono_now();
                double wait = 1;
                if (deadline > 0)
                        wait = min_d(wait, deadline - now);
                if (!hs)
                        wait = min_d(wait, next_probe - now);
                state_wait(wfd, wait);
        }
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
        _cleanup_close_ int wfd = state_watch(id);
        for (;;) {
                _cleanup_free_ char *cid = NULL;
                _cleanup_json_ json_t *j = NULL;
                if (container_get(id, &cid, &j, NULL, err) < 0)
                        return -1;
                const json_t *st = json_object_get(j, "State");
                const char *s = json_string_value(json_object_get(st, "Status")) ?: "";
                if (strcmp(s, "running") && strcmp(s, "restarting")) {
                        *code = (int)json_integer_value(json_object_get(st, "ExitCode"));
                        return 0;
                }
                if (deadline > 0 && mono_now() > deadline)
                        return err_set(err, ETIMEDOUT, "timeout waiting for %.12s", id);
                state_wait(wfd, deadline > 0 ? deadline - mono_now() : 1);
        }
}
