/* berth compose events: the project's container events as they happen.
 *
 * berth has no daemon to publish events, so they are derived: the containers
 * directory and every container's directory are watched (rt_ctrs_watch: the
 * state documents are replaced by rename), and on each change (or every
 * second, for state reconciled without a write) the project's containers are
 * observed again and compared with the last observation.  Reported actions:
 * create, start, die, pause,
 * unpause, health_status: <status>, destroy.  Text lines like docker compose
 * v2 ("2024-01-02 03:04:05.000000 container start <id> (image=..., name=...)")
 * or, with --json, one object per line with time, type, action, id, service,
 * attributes{name,image}. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose_cmds.h"
#include "compose_up.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

static volatile sig_atomic_t ev_stop;

static void on_sig(int sig)
{
        (void)sig;
        ev_stop = 1;
}

/* What is compared between two observations of one container. */
struct snap {
        char *id, *name, *service, *image, *status, *health, *started;
};

struct snaps {
        struct snap *v;
        size_t n;
};

static void snaps_free(struct snaps *s)
{
        for (size_t i = 0; i < s->n; i++) {
                struct snap *x = &s->v[i];
                free(x->id);
                free(x->name);
                free(x->service);
                free(x->image);
                free(x->status);
                free(x->health);
                free(x->started);
        }
        free(s->v);
        s->v = NULL;
        s->n = 0;
}

static bool wanted(const char *service, char **svcs, int n)
{
        if (n == 0)
                return true;
        for (int i = 0; i < n; i++)
                if (!strcmp(svcs[i], service))
                        return true;
        return false;
}

static int observe(const char *project, char **svcs, int nsvcs, struct snaps *out, err_t *err)
{
        struct cctr_list l = {0};
        if (cctr_observe(project, true, &l, err) < 0)
                return -1;
        out->v = xcalloc(l.n + 1, sizeof(*out->v));
        out->n = 0;
        for (size_t i = 0; i < l.n; i++) {
                struct cctr *c = &l.v[i];
                if (!wanted(c->service, svcs, nsvcs))
                        continue;
                const char *img = rt_doc_image(c->j);
                out->v[out->n++] = (struct snap){
                    .id = xstrdup(c->id),
                    .name = xstrdup(c->name),
                    .service = xstrdup(c->service),
                    .image = xstrdup(img ?: ""),
                    .status = xstrdup(c->status),
                    .health = xstrdup(c->health),
                    .started = xstrdup(rt_doc_started_at(c->j) ?: ""),
                };
        }
        cctr_list_free(&l);
        return 0;
}

static const struct snap *find(const struct snaps *s, const char *id)
{
        for (size_t i = 0; i < s->n; i++)
                if (!strcmp(s->v[i].id, id))
                        return &s->v[i];
        return NULL;
}

static void emit(bool json, const struct snap *c, const char *action)
{
        struct timespec ts;
        struct tm tm;
        char when[64];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        if (json) {
                _cleanup_free_ char *t = time_rfc3339_nano(ts.tv_sec, ts.tv_nsec);
                json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s}}", "time", t, "type",
                                      "container", "action", action, "id", c->id, "service",
                                      c->service, "attributes", "name", c->name, "image", c->image);
                char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
                printf("%s\n", s);
                free(s);
                json_decref(o);
        } else {
                strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
                printf("%s.%06ld container %s %s (image=%s, name=%s)\n", when, ts.tv_nsec / 1000,
                       action, c->id, c->image, c->name);
        }
        fflush(stdout);
}

static bool live(const char *status)
{
        return !strcmp(status, "running") || !strcmp(status, "paused") ||
               !strcmp(status, "restarting");
}

/* Events between two observations of the project. */
static void diff(bool json, const struct snaps *old, const struct snaps *cur)
{
        for (size_t i = 0; i < cur->n; i++) {
                const struct snap *c = &cur->v[i], *o = find(old, c->id);
                if (!o) {
                        emit(json, c, "create");
                        if (live(c->status))
                                emit(json, c, "start");
                } else {
                        bool restarted = strcmp(o->started, c->started) != 0;
                        if (live(o->status) && (!live(c->status) || restarted))
                                emit(json, c, "die");
                        if (live(c->status) && (!live(o->status) || restarted))
                                emit(json, c, "start");
                        if (!strcmp(c->status, "paused") && strcmp(o->status, "paused"))
                                emit(json, c, "pause");
                        if (!strcmp(o->status, "paused") && !strcmp(c->status, "running"))
                                emit(json, c, "unpause");
                }
                if (c->health[0] && (!o || strcmp(o->health, c->health))) {
                        _cleanup_free_ char *a = xasprintf("health_status: %s", c->health);
                        emit(json, c, a);
                }
        }
        for (size_t i = 0; i < old->n; i++) {
                const struct snap *o = &old->v[i];
                if (find(cur, o->id))
                        continue;
                if (live(o->status))
                        emit(json, o, "die");
                emit(json, o, "destroy");
        }
}

int compose_cmd_events(struct compose_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
            {"json", no_argument, NULL, 'j'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        bool json = false;
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'j':
                        json = true;
                        break;
                case 'h':
                        printf("Usage:  berth compose events [OPTIONS] [SERVICE...]\n\n"
                               "Receive real time events from containers\n\n"
                               "Options:\n      --json   Output events as a stream of json "
                               "objects\n");
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose events --help'.\n",
                                argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        _cleanup_free_ char *project = cproject_name(g);
        if (!project)
                return COMPOSE_EXIT_FAIL;
        char **svcs = argv + optind;
        int nsvcs = argc - optind;
        err_t err;
        _cleanup_close_ int fd = rt_ctrs_watch(&err);
        if (fd < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return COMPOSE_EXIT_FAIL;
        }
        struct sigaction sa = {.sa_handler = on_sig};
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        struct snaps old = {0}, cur = {0};
        if (observe(project, svcs, nsvcs, &old, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return COMPOSE_EXIT_FAIL;
        }
        int rc = 0;
        while (!ev_stop) {
                if (rt_ctrs_watch_wait(fd, 1000, &err) < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        rc = COMPOSE_EXIT_FAIL;
                        break;
                }
                if (ev_stop)
                        break;
                if (observe(project, svcs, nsvcs, &cur, &err) < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        rc = COMPOSE_EXIT_FAIL;
                        break;
                }
                diff(json, &old, &cur);
                snaps_free(&old);
                old = cur;
                cur = (struct snaps){0};
                if (ferror(stdout))
                        break;
        }
        snaps_free(&old);
        snaps_free(&cur);
        return rc;
}
