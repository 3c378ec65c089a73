/* ctr_stats.c - see ctr_stats.h. */
#include "ctr_stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "cgroup.h"
#include "cleanup.h"
#include "container.h"
#include "fsutil.h"
#include "xalloc.h"

/* An unsigned decimal at *p (after blanks); false when there is none. */
static bool num_at(const char **p, uint64_t *out)
{
        const char *s = *p;
        while (*s == ' ' || *s == '\t')
                s++;
        if (*s < '0' || *s > '9')
                return false;
        uint64_t v = 0;
        for (; *s >= '0' && *s <= '9'; s++)
                v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(*s - '0');
        *p = s;
        *out = v;
        return true;
}

static const char *next_line(const char *l)
{
        const char *nl = strchr(l, '\n');
        return nl ? nl + 1 : NULL;
}

bool rt_stat_key(const char *text, const char *key, uint64_t *out)
{
        size_t n = strlen(key);
        for (const char *l = text; l && *l; l = next_line(l))
                if (!strncmp(l, key, n) && (l[n] == ' ' || l[n] == '\t')) {
                        const char *p = l + n;
                        return num_at(&p, out);
                }
        return false;
}

static void add_sat(uint64_t *acc, uint64_t v)
{
        *acc = *acc > UINT64_MAX - v ? UINT64_MAX : *acc + v;
}

/* Line l (up to its newline) as a string.  Caller frees. */
static char *line_dup(const char *l)
{
        const char *end = strchr(l, '\n');
        return xstrndup(l, end ? (size_t)(end - l) : strlen(l));
}

void rt_stat_blkio(const char *text, uint64_t *rd, uint64_t *wr)
{
        *rd = *wr = 0;
        for (const char *l = text; l && *l; l = next_line(l)) {
                _cleanup_free_ char *line = line_dup(l);
                char *sv = NULL;
                const char *dev = strtok_r(line, " \t", &sv);
                const char *op = strtok_r(NULL, " \t", &sv);
                const char *p = strtok_r(NULL, " \t", &sv);
                uint64_t v;
                if (!dev || !op || !p || !strchr(dev, ':') || !num_at(&p, &v))
                        continue;
                if (!strcmp(op, "Read"))
                        add_sat(rd, v);
                else if (!strcmp(op, "Write"))
                        add_sat(wr, v);
        }
}

void rt_stat_iostat(const char *text, uint64_t *rd, uint64_t *wr)
{
        *rd = *wr = 0;
        for (const char *l = text; l && *l; l = next_line(l)) {
                _cleanup_free_ char *line = line_dup(l);
                for (char *sv = NULL, *t = strtok_r(line, " ", &sv); t;
                     t = strtok_r(NULL, " ", &sv)) {
                        uint64_t v;
                        const char *p = t + 7;
                        if (!strncmp(t, "rbytes=", 7) && num_at(&p, &v))
                                add_sat(rd, v);
                        else if (!strncmp(t, "wbytes=", 7) && num_at(&p, &v))
                                add_sat(wr, v);
                }
        }
}

void rt_stat_netdev(const char *text, uint64_t *rx, uint64_t *tx)
{
        *rx = *tx = 0;
        for (const char *l = text; l && *l; l = next_line(l)) {
                /* "  eth0: rxbytes packets errs drop fifo frame compressed multicast txbytes" */
                const char *colon = strchr(l, ':');
                const char *nl = strchr(l, '\n');
                if (!colon || (nl && colon > nl))
                        continue;
                const char *name = l;
                while (*name == ' ')
                        name++;
                if ((size_t)(colon - name) == 2 && !strncmp(name, "lo", 2))
                        continue;
                const char *p = colon + 1;
                uint64_t v[9];
                size_t k = 0;
                while (k < 9 && num_at(&p, &v[k]))
                        k++;
                if (k < 9)
                        continue;
                add_sat(rx, v[0]);
                add_sat(tx, v[8]);
        }
}

bool rt_stat_cpu_ticks(const char *text, uint64_t *ticks)
{
        for (const char *l = text; l && *l; l = next_line(l)) {
                if (strncmp(l, "cpu ", 4))
                        continue;
                const char *p = l + 4;
                *ticks = 0;
                for (int i = 0; i < 7; i++) {
                        uint64_t v;
                        if (!num_at(&p, &v))
                                return false;
                        add_sat(ticks, v);
                }
                return true;
        }
        return false;
}

int rt_ctr_stats(const char *id, bool host_net, struct rt_stats *s, err_t *err)
{
        memset(s, 0, sizeof(*s));
        pid_t pid = 0;
        if (!rt_ctr_monitor_alive(id, &pid) || pid <= 0)
                return err_set(err, ESRCH, "container %s is not running", id);
        rt_cgroup_stats(id, s);
        struct sysinfo si;
        if (sysinfo(&si) == 0) {
                uint64_t total = (uint64_t)si.totalram * si.mem_unit;
                if (!s->mem_limit || s->mem_limit > total)
                        s->mem_limit = total;
        }
        _cleanup_free_ char *stat = NULL;
        uint64_t ticks;
        long hz = sysconf(_SC_CLK_TCK);
        if (read_file("/proc/stat", &stat, NULL, NULL) == 0 && rt_stat_cpu_ticks(stat, &ticks) &&
            hz > 0)
                s->system_ns = ticks * (1000000000ULL / (uint64_t)hz);
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->online_cpus = n > 0 ? (unsigned)n : 1;
        if (!host_net) {
                _cleanup_free_ char *p = xasprintf("/proc/%d/net/dev", (int)pid);
                _cleanup_free_ char *dev = NULL;
                if (read_file(p, &dev, NULL, NULL) == 0)
                        rt_stat_netdev(dev, &s->net_rx, &s->net_tx);
        }
        return 0;
}
