/* berth compose logs, and the attached mode of `up`: the containers' json
 * log files, prefixed "service-1  | " in one color per container as compose
 * v2 prints them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/fsutil.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose_up.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

/* A log being read. */
struct lsrc {
        char *id, *name, *service, *path;
        int fd;
        strbuf_t partial;
        int color;
        bool done; /* container exited and its log drained */
        int code;
        int64_t since_ns; /* lines stamped before this are skipped (0: none) */
        int64_t until_ns; /* lines stamped after this are skipped (0: none) */
};

static const int colors[] = {36, 33, 32, 35, 34, 96, 93, 92, 95, 94};

static void emit(const struct lsrc *s, const struct log_style *st, size_t width, const char *line)
{
        json_t *j = json_loads(line, 0, NULL);
        const char *msg = j ? json_string_value(json_object_get(j, "log")) : line;
        const char *time = j ? json_string_value(json_object_get(j, "time")) : NULL;
        int64_t at = time ? time_parse_rfc3339_ns(time) : 0;
        if (time && ((s->since_ns && at < s->since_ns) || (s->until_ns && at > s->until_ns))) {
                json_decref(j);
                return;
        }
        strbuf_t b = STRBUF_INIT;
        if (st->prefix) {
                bool color = st->color;
                if (color)
                        sb_appendf(&b, "\033[%dm", s->color);
                sb_appendf(&b, "%-*s |", (int)width + 1, s->name);
                if (color)
                        sb_append(&b, "\033[0m");
                sb_append(&b, " ");
        }
        if (st->timestamps && time)
                sb_appendf(&b, "%s ", time);
        sb_append(&b, msg ? msg : "");
        if (!b.len || sb_str(&b)[b.len - 1] != '\n')
                sb_appendc(&b, '\n');
        fwrite(sb_str(&b), 1, b.len, stdout);
        sb_free(&b);
        json_decref(j);
}

/* Read what is new in s; print complete lines.  tail < 0: all. */
static void drain(struct lsrc *s, const struct log_style *st, size_t width)
{
        if (s->fd < 0) {
                s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
                if (s->fd < 0)
                        return;
        }
        char buf[65536];
        ssize_t n;
        while ((n = read(s->fd, buf, sizeof(buf))) > 0) {
                sb_appendn(&s->partial, buf, (size_t)n);
                char *start = s->partial.s, *nl;
                while (
                    (nl = memchr(start, '\n', s->partial.len - (size_t)(start - s->partial.s)))) {
                        *nl = '\0';
                        emit(s, st, width, start);
                        start = nl + 1;
                }
                size_t rest = s->partial.len - (size_t)(start - s->partial.s);
                memmove(s->partial.s, start, rest);
                s->partial.len = rest;
                s->partial.s[rest] = '\0';
        }
        fflush(stdout);
}

/* The last n lines of a file start at *off. */
static off_t tail_offset(int fd, long n)
{
        struct stat st;
        if (n < 0 || fstat(fd, &st) < 0)
                return 0;
        off_t pos = st.st_size;
        long lines = 0;
        char buf[4096];
        while (pos > 0) {
                size_t chunk = pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)pos;
                pos -= (off_t)chunk;
                if (pread(fd, buf, chunk, pos) != (ssize_t)chunk)
                        return 0;
                for (size_t i = chunk; i > 0; i--) {
                        if (buf[i - 1] == '\n' && (pos + (off_t)i) != st.st_size && ++lines >= n)
                                return pos + (off_t)i;
                }
        }
        return 0;
}

static void lsrc_free(struct lsrc *v, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(v[i].id);
                free(v[i].name);
                free(v[i].service);
                free(v[i].path);
                if (v[i].fd >= 0)
                        close(v[i].fd);
                sb_free(&v[i].partial);
        }
        free(v);
}

static struct lsrc *sources(const struct cctr_list *l, const strv_t *services, bool oneoff,
                            size_t *n, size_t *width)
{
        struct lsrc *v = xcalloc(l->n + 1, sizeof(*v));
        *n = 0;
        *width = 0;
        for (size_t i = 0; i < l->n; i++) {
                const struct cctr *c = &l->v[i];
                if ((services && services->n && !strv_contains(services, c->service)) ||
                    (c->oneoff && !oneoff))
                        continue;
                const char *lp = rt_doc_log_path(c->j);
                struct lsrc *s = &v[(*n)++];
                s->id = xstrdup(c->id);
                s->service = xstrdup(c->service);
                s->name = c->oneoff || c->number <= 0 ? xstrdup(c->name)
                                                      : xasprintf("%s-%d", c->service, c->number);
                s->path = xstrdup(lp ? lp : "/dev/null");
                s->fd = -1;
                s->partial = (strbuf_t)STRBUF_INIT;
                s->color = colors[(*n - 1) % (sizeof(colors) / sizeof(colors[0]))];
                if (strlen(s->name) > *width)
                        *width = strlen(s->name);
        }
        return v;
}

static volatile sig_atomic_t interrupted;
static void on_int(int sig)
{
        interrupted = sig;
}

static bool ctr_running(const char *id, int *code)
{
        _cleanup_free_ char *cid = NULL;
        _cleanup_json_ json_t *j = NULL;
        err_t err;
        if (container_get(id, &cid, &j, NULL, &err) < 0)
                return false;
        const char *s = rt_doc_status(j) ?: "";
        *code = rt_doc_exit_code(j);
        return !strcmp(s, "running") || !strcmp(s, "restarting");
}

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

int compose_follow(struct cproject *cp, const strv_t *services, const struct log_style *st,
                   bool abort_on_exit, bool abort_on_failure, const char *exit_code_from,
                   int timeout)
{
        struct cctr_list l = {0};
        err_t err;
        if (cctr_observe(cp->p->name, false, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return COMPOSE_EXIT_FAIL;
        }
        size_t n, width;
        struct lsrc *v = sources(&l, services, false, &n, &width);
        for (size_t i = 0; i < n; i++)
                v[i].since_ns = cp->opened_ns;
        struct sigaction sa = {.sa_handler = on_int}, old_int, old_term;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        int rc = 0;
        bool stop_all = false;
        const char *reason = NULL;
        for (size_t i = 0; i < n; i++)
                printf("%s%s%s", i ? ", " : "Attaching to ", v[i].name, i + 1 == n ? "\n" : "");
        for (;;) {
                size_t live = 0;
                for (size_t i = 0; i < n; i++) {
                        if (v[i].done)
                                continue;
                        int code = 0;
                        bool running = ctr_running(v[i].id, &code);
                        drain(&v[i], st, width);
                        if (running) {
                                live++;
                                continue;
                        }
                        v[i].done = true;
                        v[i].code = code;
                        printf("%s exited with code %d\n", v[i].name, code);
                        fflush(stdout);
                        if (exit_code_from && !strcmp(v[i].service, exit_code_from))
                                rc = code;
                        if (abort_on_exit || (abort_on_failure && code != 0)) {
                                stop_all = true;
                                reason = v[i].name;
                                if (!exit_code_from)
                                        rc = code;
                        }
                }
                if (stop_all || interrupted || live == 0)
                        break;
                sleep_ms(100);
        }
        if (stop_all || interrupted) {
                if (interrupted)
                        fprintf(stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
                else if (reason)
                        fprintf(stderr, "Aborting on container exit...\n");
                sigaction(SIGINT, &old_int, NULL);
                struct compose_globals g = {0};
                cctr_list_free(&l);
                if (cctr_observe(cp->p->name, false, &l, &err) == 0 &&
                    compose_stop_plan(&g, cp->p, &l, NULL, timeout, false, false, "Stopping",
                                      &err) < 0)
                        fprintf(stderr, "%s\n", err.msg);
                for (size_t i = 0; i < n; i++)
                        drain(&v[i], st, width);
                if (exit_code_from)
                        for (size_t i = 0; i < n; i++)
                                if (!strcmp(v[i].service, exit_code_from))
                                        ctr_running(v[i].id, &rc);
                if (interrupted && !reason)
                        rc = 130;
        }
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        lsrc_free(v, n);
        cctr_list_free(&l);
        return rc;
}

static void logs_usage(FILE *f)
{
        fprintf(f, "Usage:  berth compose logs [OPTIONS] [SERVICE...]\n\n"
                   "View output from containers\n\n"
                   "Options:\n"
                   "  -f, --follow          Follow log output\n"
                   "  -n, --tail string     Number of lines to show from the end of the logs\n"
                   "  -t, --timestamps      Show timestamps\n"
                   "      --no-log-prefix   Don't print prefix in logs\n"
                   "      --no-color        Produce monochrome output\n"
                   "      --index int       index of the container if service has multiple "
                   "replicas\n"
                   "      --since string    Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) "
                   "or relative (e.g. 42m for 42 minutes)\n"
                   "      --until string    Show logs before a timestamp (e.g. "
                   "2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)\n");
}

int compose_cmd_logs(struct compose_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
            {"follow", no_argument, NULL, 'f'},      {"tail", required_argument, NULL, 'n'},
            {"timestamps", no_argument, NULL, 't'},  {"no-log-prefix", no_argument, NULL, 'P'},
            {"no-color", no_argument, NULL, 'C'},    {"index", required_argument, NULL, 'i'},
            {"since", required_argument, NULL, 'S'}, {"until", required_argument, NULL, 'U'},
            {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
        };
        bool follow = false;
        int64_t since_ns = 0, until_ns = 0;
        struct log_style st = {.prefix = true, .color = isatty(STDOUT_FILENO)};
        long tail = -1;
        int index = 0, c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "fn:th", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        follow = true;
                        break;
                case 'n':
                        tail = strcmp(optarg, "all") ? atol(optarg) : -1;
                        break;
                case 't':
                        st.timestamps = true;
                        break;
                case 'P':
                        st.prefix = false;
                        break;
                case 'C':
                        st.color = false;
                        break;
                case 'i':
                        index = atoi(optarg);
                        break;
                case 'S':
                case 'U':
                        if (time_parse_docker(optarg, time_now_ns(),
                                              c == 'S' ? &since_ns : &until_ns) < 0) {
                                fprintf(stderr,
                                        "invalid value for \"%s\": %s\n(a duration as 10m or "
                                        "1h30m, a Unix timestamp, or an RFC 3339 time)\n",
                                        c == 'S' ? "since" : "until", optarg);
                                return EXIT_BERTH;
                        }
                        if (c == 'U' && !until_ns)
                                until_ns = 1; /* before the epoch: nothing */
                        break;
                case 'h':
                        logs_usage(stdout);
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose logs --help'.\n",
                                argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        struct cproject cp;
        if (cproject_open(g, argv + optind, argc - optind, &cp) < 0)
                return COMPOSE_EXIT_FAIL;
        strv_t svcs = STRV_INIT;
        for (int i = optind; i < argc; i++)
                strv_push(&svcs, argv[i]);
        struct cctr_list l = {0};
        err_t err;
        int rc = 0;
        if (cctr_observe(cp.p->name, true, &l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
                goto out;
        }
        if (index > 0)
                for (size_t i = 0; i < l.n; i++)
                        if (l.v[i].number != index)
                                l.v[i].oneoff = true, l.v[i].service[0] = '\0';
        size_t n, width;
        struct lsrc *v = sources(&l, &svcs, false, &n, &width);
        for (size_t i = 0; i < n; i++) {
                v[i].since_ns = since_ns;
                v[i].until_ns = until_ns;
                v[i].fd = open(v[i].path, O_RDONLY | O_CLOEXEC);
                if (v[i].fd >= 0 && tail >= 0) {
                        off_t off =
                            tail == 0 ? lseek(v[i].fd, 0, SEEK_END) : tail_offset(v[i].fd, tail);
                        lseek(v[i].fd, off, SEEK_SET);
                }
                drain(&v[i], &st, width);
        }
        if (follow) {
                struct sigaction sa = {.sa_handler = on_int};
                sigaction(SIGINT, &sa, NULL);
                sigaction(SIGTERM, &sa, NULL);
                while (!interrupted) {
                        size_t live = 0;
                        for (size_t i = 0; i < n; i++) {
                                int code;
                                bool r = ctr_running(v[i].id, &code);
                                drain(&v[i], &st, width);
                                live += r;
                        }
                        if (!live || (until_ns && time_now_ns() > until_ns))
                                break;
                        sleep_ms(100);
                }
        }
        lsrc_free(v, n);
out:
        cctr_list_free(&l);
        strv_free(&svcs);
        cproject_close(&cp);
        return rc;
}
