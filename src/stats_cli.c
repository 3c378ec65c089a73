/* stats_cli.c - what `berth stats` and `compose stats` share (container_cli.h):
 * their options [-a] [--no-stream] [--no-trunc] [--format FORMAT] and
 * Docker's live resource usage table.  CPU % is the
 * container's share of the host's CPU time between two samples, times the
 * online CPUs, as the docker CLI computes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/cliformat.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/ctr_stats.h"
#include "table.h"

static const char *const stats_headers[] = {
    "Container",    "CONTAINER", "Name",  "NAME",     "ID",
    "CONTAINER ID", "CPUPerc",   "CPU %", "MemUsage", "MEM USAGE / LIMIT",
    "MemPerc",      "MEM %",     "NetIO", "NET I/O",  "BlockIO",
    "BLOCK I/O",    "PIDs",      "PIDS",  NULL};

#define STATS_TABLE                                                                                \
        "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t"        \
        "{{.BlockIO}}\t{{.PIDs}}"

/* One container between two refreshes. */
struct stat_ctr {
        char *label; /* .Container: as named, else the (short) id */
        char *id, *name;
        bool running, sampled;
        struct rt_stats prev, cur;
};

struct stat_set {
        struct stat_ctr *v;
        size_t n;
};

static void set_free(struct stat_set *s)
{
        for (size_t i = 0; i < s->n; i++) {
                free(s->v[i].label);
                free(s->v[i].id);
                free(s->v[i].name);
        }
        free(s->v);
        s->v = NULL;
        s->n = 0;
}

static struct stat_ctr *set_find(struct stat_set *s, const char *id)
{
        for (size_t i = 0; i < s->n; i++)
                if (!strcmp(s->v[i].id, id))
                        return &s->v[i];
        return NULL;
}

/* Add ref (a name or an id) to next, keeping the samples it had in prev.
 * named: shown whatever its state; else only running ones unless all. */
static int set_add(struct stat_set *next, struct stat_set *prev, const char *ref, bool named,
                   bool all, bool trunc, err_t *err)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        if (ctr_get(ref, &id, &j, NULL, err) < 0)
                return -1;
        const char *st = rt_doc_status(j) ?: "";
        bool running = !strcmp(st, "running") || !strcmp(st, "paused") || !strcmp(st, "restarting");
        if (!named && !all && !running)
                return 0;
        if (set_find(next, id))
                return 0;
        next->v = xrealloc(next->v, (next->n + 1) * sizeof(*next->v));
        struct stat_ctr *c = &next->v[next->n++];
        struct stat_ctr *old = set_find(prev, id);
        memset(c, 0, sizeof(*c));
        if (old && old->running)
                *c = *old; /* its samples; the strings are set below */
        c->label = named ? xstrdup(ref) : xstrndup(id, trunc ? RT_SHORT_ID_LEN : RT_ID_LEN);
        c->id = xstrdup(id);
        const char *name = rt_doc_name(j) ?: "";
        c->name = xstrdup(name[0] == '/' ? name + 1 : name);
        c->running = running;
        const char *mode = rt_doc_network_mode(j);
        if (running) {
                struct rt_stats s;
                err_t e = {0};
                if (rt_ctr_stats(id, mode && !strcmp(mode, "host"), &s, &e) == 0) {
                        c->prev = c->sampled ? c->cur : s;
                        c->cur = s;
                        c->sampled = true;
                } else {
                        c->running = false;
                }
        }
        if (!c->running)
                memset(&c->cur, 0, sizeof(c->cur)), memset(&c->prev, 0, sizeof(c->prev));
        return 0;
}

/* Go's units.HumanSizeWithPrecision(n, 3) and units.BytesSize(n). */
static void human3(uint64_t n, char *buf, size_t len)
{
        units_size_prec(n, false, 3, buf, len);
}

static json_t *stats_context(const struct stat_ctr *c, bool trunc)
{
        const struct rt_stats *a = &c->prev, *b = &c->cur;
        double cpu = 0, memp = 0;
        if (b->cpu_ns > a->cpu_ns && b->system_ns > a->system_ns)
                cpu = (double)(b->cpu_ns - a->cpu_ns) / (double)(b->system_ns - a->system_ns) *
                      b->online_cpus * 100.0;
        if (b->mem_limit)
                memp = (double)b->mem_usage / (double)b->mem_limit * 100.0;
        char mu[32], ml[32], rx[32], tx[32], br[32], bw[32];
        units_size(b->mem_usage, true, mu, sizeof(mu));
        units_size(b->mem_limit, true, ml, sizeof(ml));
        human3(b->net_rx, rx, sizeof(rx));
        human3(b->net_tx, tx, sizeof(tx));
        human3(b->blk_read, br, sizeof(br));
        human3(b->blk_write, bw, sizeof(bw));
        _cleanup_free_ char *cpus = xasprintf("%.2f%%", cpu);
        _cleanup_free_ char *mems = xasprintf("%.2f%%", memp);
        _cleanup_free_ char *memu = xasprintf("%s / %s", mu, ml);
        _cleanup_free_ char *net = xasprintf("%s / %s", rx, tx);
        _cleanup_free_ char *blk = xasprintf("%s / %s", br, bw);
        _cleanup_free_ char *pids = xasprintf("%llu", (unsigned long long)b->pids);
        _cleanup_free_ char *id = xstrndup(c->id, trunc ? RT_SHORT_ID_LEN : RT_ID_LEN);
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "BlockIO", blk, "CPUPerc", cpus,
                         "Container", c->label, "ID", id, "MemPerc", mems, "MemUsage", memu, "Name",
                         *c->name ? c->name : "--", "NetIO", net, "PIDs", pids);
}

static void sleep_ms(long ms)
{
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0)
                ;
}

/* Sample the containers (refs, or every one when nrefs is 0 and not ids);
 * print one table per sample; loop each second unless !o->stream. */
int stats_run(const struct stats_opts *o, char **refs, int nrefs, bool named)
{
        struct stat_set cur = {0}, prev = {0};
        bool tty = isatty(STDOUT_FILENO);
        int rc = 0;
        for (int round = 0;; round++) {
                err_t err = {0};
                strv_t ids = STRV_INIT;
                if (!named && !nrefs && rt_ctr_list(&ids, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                        break;
                }
                char **v = nrefs || named ? refs : ids.v;
                size_t n = nrefs || named ? (size_t)nrefs : ids.n;
                for (size_t i = 0; i < n; i++) {
                        if (set_add(&cur, &prev, v[i], named, o->all, o->trunc, &err) < 0 &&
                            named) {
                                error_msg("%s", err.msg);
                                rc = 1;
                        }
                }
                strv_free(&ids);
                set_free(&prev);
                prev = cur;
                cur = (struct stat_set){0};
                if (rc)
                        break;
                if (round == 0) { /* a second sample for CPU % */
                        sleep_ms(o->stream ? 1000 : 500);
                        continue;
                }
                struct cliformat f;
                if (format_open(&f, o->format, STATS_TABLE, stats_headers,
                                "*formatter.statsContext") < 0) {
                        rc = EXIT_BERTH;
                        break;
                }
                for (size_t i = 0; i < prev.n && !rc; i++) {
                        _cleanup_json_ json_t *ctx = stats_context(&prev.v[i], o->trunc);
                        if (format_row(&f, ctx, NULL) < 0)
                                rc = EXIT_BERTH;
                }
                if (rc) {
                        cliformat_free(&f);
                        break;
                }
                if (o->stream && tty)
                        fputs("\033[2J\033[H", stdout);
                format_print(&f);
                if (fflush(stdout) == EOF || !o->stream)
                        break;
                sleep_ms(1000);
        }
        set_free(&prev);
        set_free(&cur);
        return rc;
}

int stats_parse(int argc, char **argv, const char *cmd, struct stats_opts *o)
{
        *o = (struct stats_opts){.stream = true, .trunc = true};
        const struct cli_opt opts[] = {
            CLI_OPT("all", 'a', CLI_FLAG, &o->all,
                    "Show all containers (default shows just running)"),
            FORMAT_OPT(0, &o->format, "{{.Name}} {{.CPUPerc}} {{.MemUsage}} ..."),
            CLI_OPT("no-stream", 0, CLI_UNSET, &o->stream,
                    "Disable streaming stats and only pull the first result"),
            CLI_OPT("no-trunc", 0, CLI_UNSET, &o->trunc, "Do not truncate output"),
            {0}};
        const struct cli_cmd c = CLI_CMD(
            cmd, strcmp(cmd, "stats") ? "[OPTIONS] [SERVICE...]" : "[OPTIONS] [CONTAINER...]",
            "Display a live stream of container(s) resource usage statistics", opts, CLI_ANY_ARGS);
        return cli_parse(&c, argc, argv);
}
