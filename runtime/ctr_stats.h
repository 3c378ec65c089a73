/* ctr_stats.h - a running container's resource usage for `stats`: CPU time,
 * memory, PIDs and block I/O from its cgroups (v1 or v2), network I/O from
 * the interfaces of its network namespace; and the parsers of the kernel's
 * statistics files that these reads use. */
#ifndef BERTH_RT_CTR_STATS_H
#define BERTH_RT_CTR_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct rt_stats {
        uint64_t cpu_ns;    /* CPU time used by the container */
        uint64_t system_ns; /* the host's CPU time (Docker's system_cpu_usage) */
        unsigned online_cpus;
        uint64_t mem_usage; /* without the inactive page cache, as docker shows it */
        uint64_t mem_limit; /* the limit, or the host's memory when lower or none */
        uint64_t pids;
        uint64_t blk_read, blk_write;
        uint64_t net_rx, net_tx;
};

/* One sample of container id (running: its monitor alive).  What a host
 * cannot tell stays 0.  Fails only when the container is not running. */
int rt_ctr_stats(const char *id, bool host_net, struct rt_stats *s, err_t *err);

/* The value of "key value" line key (memory.stat, cpu.stat, ...). */
bool rt_stat_key(const char *text, const char *key, uint64_t *out);
/* cgroup v1 blkio.*io_service_bytes*: "MAJ:MIN Read|Write N" lines summed. */
void rt_stat_blkio(const char *text, uint64_t *rd, uint64_t *wr);
/* cgroup v2 io.stat: "MAJ:MIN rbytes=N wbytes=N ..." lines summed. */
void rt_stat_iostat(const char *text, uint64_t *rd, uint64_t *wr);
/* /proc/PID/net/dev: received and sent bytes of every interface but lo. */
void rt_stat_netdev(const char *text, uint64_t *rx, uint64_t *tx);
/* /proc/stat: the "cpu" line's user..softirq in clock ticks. */
bool rt_stat_cpu_ticks(const char *text, uint64_t *ticks);

#endif
