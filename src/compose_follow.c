/* compose_follow.c - engine/logs.h on this terminal: the containers' log
 * lines prefixed "service-1  | " in one color per container as compose v2
 * prints them (`compose logs`, attached `up`), and attached up's messages
 * around following and stopping. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "compose_up.h"
#include "engine/logs.h"

static const int colors[] = {36, 33, 32, 35, 34, 96, 93, 92, 95, 94};

static void print_line(void *ud, const struct log_set *set, const struct log_src *s,
                       const char *time, const char *msg)
{
        const struct log_style *st = ud;
        strbuf_t b = STRBUF_INIT;
        if (st->prefix) {
                if (st->color)
                        sb_appendf(&b, "\033[%dm",
                                   colors[s->index % (sizeof(colors) / sizeof(colors[0]))]);
                sb_appendf(&b, "%-*s |", (int)set->width + 1, s->name);
                if (st->color)
                        sb_append(&b, "\033[0m");
                sb_append(&b, " ");
        }
        if (st->timestamps && time)
                sb_appendf(&b, "%s ", time);
        sb_append(&b, msg);
        if (!b.len || sb_str(&b)[b.len - 1] != '\n')
                sb_appendc(&b, '\n');
        fwrite(sb_str(&b), 1, b.len, stdout);
        sb_free(&b);
}

static void flush_out(void *ud)
{
        (void)ud;
        fflush(stdout);
}

struct log_out log_style_out(const struct log_style *st)
{
        return (struct log_out){.ud = (void *)st, .line = print_line, .flush = flush_out};
}

static volatile sig_atomic_t interrupted;
static struct sigaction old_int, old_term;

static void on_int(int sig)
{
        interrupted = sig;
}

static void attaching(void *ud, const struct log_set *set)
{
        (void)ud;
        for (size_t i = 0; i < set->n; i++)
                printf("%s%s%s", i ? ", " : "Attaching to ", set->v[i].name,
                       i + 1 == set->n ? "\n" : "");
}

static void exited(void *ud, const struct log_src *s, int code)
{
        (void)ud;
        printf("%s exited with code %d\n", s->name, code);
        fflush(stdout);
}

static void stopping(void *ud, bool by_signal)
{
        (void)ud;
        if (by_signal)
                fprintf(stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
        else
                fprintf(stderr, "Aborting on container exit...\n");
        sigaction(SIGINT, &old_int, NULL);
}

/* attached up's callbacks' data: the style first, so print_line reads it */
struct follow_ctx {
        struct log_style st;
        int timeout;
};

static int stop(void *ud, const struct compose_project *p, struct cctr_list *l, err_t *err)
{
        const struct follow_ctx *fc = ud;
        struct compose_globals g = {0};
        return compose_stop_plan(&g, p, l, NULL, fc->timeout, false, false, "Stopping", err);
}

static void stop_error(void *ud, const err_t *err)
{
        (void)ud;
        fprintf(stderr, "%s\n", err->msg);
}

int up_follow(const struct cproject *cp, const strv_t *services, const struct log_style *st,
              bool abort_on_exit, bool abort_on_failure, const char *exit_code_from, int timeout)
{
        struct follow_ctx fc = {.st = *st, .timeout = timeout};
        struct follow_out out = {.log = log_style_out(&fc.st),
                                 .attaching = attaching,
                                 .exited = exited,
                                 .stopping = stopping,
                                 .stop = stop,
                                 .error = stop_error};
        out.log.ud = &fc;
        struct follow_opts o = {.abort_on_exit = abort_on_exit,
                                .abort_on_failure = abort_on_failure,
                                .exit_code_from = exit_code_from,
                                .interrupted = &interrupted};
        struct sigaction sa = {.sa_handler = on_int};
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        err_t err;
        int rc = compose_follow(cp, services, &o, &out, &err);
        if (rc < 0) {
                fprintf(stderr, "%s\n", err.msg);
                rc = COMPOSE_EXIT_FAIL;
        }
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        return rc;
}
