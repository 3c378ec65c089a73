/* logs.c - a compose project's container logs read and multiplexed, and
 * the attached mode of up (logs.h). */
#include "logs.h"

#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "runtime/ctr_doc.h"
#include "start.h"

static void give(const struct log_set *set, const struct log_src *s, const struct log_out *out,
                 const char *line)
{
        json_t *j = json_loads(line, 0, NULL);
        const char *msg = j ? json_string_value(json_object_get(j, "log")) : line;
        const char *time = j ? json_string_value(json_object_get(j, "time")) : NULL;
        int64_t at = time ? time_parse_rfc3339_ns(time) : 0;
        if (!time || !((s->since_ns && at < s->since_ns) || (s->until_ns && at > s->until_ns)))
                out->line(out->ud, set, s, time, msg ? msg : "");
        json_decref(j);
}

void log_src_drain(struct log_set *set, struct log_src *s, const struct log_out *out)
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
                        give(set, s, out, start);
                        start = nl + 1;
                }
                size_t rest = s->partial.len - (size_t)(start - s->partial.s);
                memmove(s->partial.s, start, rest);
                s->partial.len = rest;
                s->partial.s[rest] = '\0';
        }
        if (out->flush)
                out->flush(out->ud);
}

/* The last n lines of a file start at the offset returned. */
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

void log_src_open_tail(struct log_src *s, long tail)
{
        s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
        if (s->fd >= 0 && tail >= 0) {
                off_t off = tail == 0 ? lseek(s->fd, 0, SEEK_END) : tail_offset(s->fd, tail);
                lseek(s->fd, off, SEEK_SET);
        }
}

void log_set_free(struct log_set *set)
{
        for (size_t i = 0; i < set->n; i++) {
                struct log_src *s = &set->v[i];
                free(s->id);
                free(s->name);
                free(s->service);
                free(s->path);
                if (s->fd >= 0)
                        close(s->fd);
                sb_free(&s->partial);
        }
        free(set->v);
        memset(set, 0, sizeof(*set));
}

void log_set_open(const struct cctr_list *l, const strv_t *services, bool oneoff,
                  struct log_set *out)
{
        memset(out, 0, sizeof(*out));
        out->v = xcalloc(l->n + 1, sizeof(*out->v));
        for (size_t i = 0; i < l->n; i++) {
                const struct cctr *c = &l->v[i];
                if ((services && services->n && !strv_contains(services, c->service)) ||
                    (c->oneoff && !oneoff))
                        continue;
                const char *lp = rt_doc_log_path(c->j);
                struct log_src *s = &out->v[out->n];
                s->index = out->n++;
                s->id = xstrdup(c->id);
                s->service = xstrdup(c->service);
                s->name = c->oneoff || c->number <= 0 ? xstrdup(c->name)
                                                      : xasprintf("%s-%d", c->service, c->number);
                s->path = xstrdup(lp ? lp : "/dev/null");
                s->fd = -1;
                s->partial = (strbuf_t)STRBUF_INIT;
                if (strlen(s->name) > out->width)
                        out->width = strlen(s->name);
        }
}

bool log_src_running(const struct log_src *s, int *code)
{
        _cleanup_free_ char *cid = NULL;
        _cleanup_json_ json_t *j = NULL;
        err_t err;
        if (ctr_get(s->id, &cid, &j, NULL, &err) < 0)
                return false;
        const char *st = rt_doc_status(j) ?: "";
        *code = rt_doc_exit_code(j);
        return !strcmp(st, "running") || !strcmp(st, "restarting");
}

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
}

int compose_follow(const struct cproject *cp, const strv_t *services, const struct follow_opts *o,
                   const struct follow_out *out, err_t *err)
{
        struct cctr_list l = {0};
        if (cctr_observe(cp->p->name, false, &l, err) < 0)
                return -1;
        struct log_set set;
        log_set_open(&l, services, false, &set);
        for (size_t i = 0; i < set.n; i++)
                set.v[i].since_ns = cp->opened_ns;
        int rc = 0;
        bool stop_all = false;
        const char *reason = NULL;
        out->attaching(out->log.ud, &set);
        for (;;) {
                size_t live = 0;
                for (size_t i = 0; i < set.n; i++) {
                        struct log_src *s = &set.v[i];
                        if (s->done)
                                continue;
                        int code = 0;
                        bool running = log_src_running(s, &code);
                        log_src_drain(&set, s, &out->log);
                        if (running) {
                                live++;
                                continue;
                        }
                        s->done = true;
                        s->code = code;
                        out->exited(out->log.ud, s, code);
                        if (o->exit_code_from && !strcmp(s->service, o->exit_code_from))
                                rc = code;
                        if (o->abort_on_exit || (o->abort_on_failure && code != 0)) {
                                stop_all = true;
                                reason = s->name;
                                if (!o->exit_code_from)
                                        rc = code;
                        }
                }
                if (stop_all || *o->interrupted || live == 0)
                        break;
                sleep_ms(100);
        }
        if (stop_all || *o->interrupted) {
                err_t e2;
                out->stopping(out->log.ud, *o->interrupted);
                cctr_list_free(&l);
                if (cctr_observe(cp->p->name, false, &l, &e2) == 0 &&
                    out->stop(out->log.ud, cp->p, &l, &e2) < 0)
                        out->error(out->log.ud, &e2);
                for (size_t i = 0; i < set.n; i++)
                        log_src_drain(&set, &set.v[i], &out->log);
                if (o->exit_code_from)
                        for (size_t i = 0; i < set.n; i++)
                                if (!strcmp(set.v[i].service, o->exit_code_from))
                                        log_src_running(&set.v[i], &rc);
                if (*o->interrupted && !reason)
                        rc = 130;
        }
        log_set_free(&set);
        cctr_list_free(&l);
        return rc;
}
