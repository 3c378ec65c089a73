/* cgroup.h - per-container cgroups on v1, v2 and hybrid hosts.
 *
 * Each controller is detected on its own (a hybrid host mounts most of them as
 * v1 and cgroup2 at /sys/fs/cgroup/unified).  A container's cgroup is
 * <controller root>/<berth_instance_name()>/<id> in every hierarchy used. */
#ifndef BERTH_RT_CGROUP_H
#define BERTH_RT_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

/* Docker's default is no pids limit; berth sets this one so a fork bomb in a
 * container cannot exhaust the host's pid space.  --pids-limit -1 lifts it. */
#define RT_PIDS_DEFAULT 4096

struct rt_cgroup_limits {
        int64_t memory;      /* bytes, 0 = unlimited */
        int64_t memory_swap; /* bytes memory+swap, 0 = unset, -1 = unlimited swap */
        int64_t nano_cpus;   /* 1e9 = one cpu, 0 = unlimited */
        int64_t cpu_shares;  /* 0 = default */
        int64_t pids_limit;  /* 0 = RT_PIDS_DEFAULT, < 0 = unlimited */
        const char *cpuset_cpus;
        bool devices_all; /* privileged: no device restrictions */
};

/* Create the container's cgroups and write the limits, all but the cgroup2
 * device program (rt_cgroup_device_program). */
int rt_cgroup_create(const char *id, const struct rt_cgroup_limits *l, err_t *err);
/* The cgroup2 device program of an unprivileged container, the default
 * rules (on a hybrid host, behind the v1 devices controller's list, it is
 * defence in depth: a kernel refusing bpf() is no error there).  Attached in
 * one step: until then a new cgroup allows what its parent allows. */
int rt_cgroup_device_program(const char *id, err_t *err);
/* What rt_cgroup_update changes. */
enum {
        RT_CG_MEMORY = 1 << 0, /* memory (and swap: memory_swap 0 keeps Docker's default) */
        RT_CG_SWAP = 1 << 1,
        RT_CG_CPUS = 1 << 2,
        RT_CG_SHARES = 1 << 3,
        RT_CG_PIDS = 1 << 4,
        RT_CG_CPUSET = 1 << 5,
};
/* `update`: write the limits `what` of l (the container's complete new
 * values: memory 0 and nano_cpus 0 are unlimited) into the existing cgroups
 * of a running container. */
int rt_cgroup_update(const char *id, const struct rt_cgroup_limits *l, unsigned what, err_t *err);
/* Move pid into every cgroup of the container. */
int rt_cgroup_attach(const char *id, pid_t pid, err_t *err);
/* A container's cgroups, opened for its init to join them itself, as it is
 * born: any move of another process (and of a whole thread group) into a
 * cgroup takes one global lock (cgroup_threadgroup_rwsem) for writing, and
 * the first such write after a quiet spell waits for an RCU grace period
 * (6-16 ms here).  Two ways in need no such wait: a clone3 with
 * CLONE_INTO_CGROUP into the cgroup2 directory (v2dir), and a
 * single-threaded process writing "0" (itself) to a v1 hierarchy's "tasks"
 * file (tasks[]). */
#define RT_CG_JOIN_MAX 9
struct rt_cg_join {
        int tasks[RT_CG_JOIN_MAX]; /* every v1 hierarchy's "tasks", write-only */
        size_t ntasks;
        int v2dir; /* the cgroup2 directory, or -1 (no cgroup2 mounted) */
};
/* Open the cgroups of container id (made by rt_cgroup_create) for a join;
 * j is filled either way (empty on failure). */
int rt_cgroup_join_open(const char *id, struct rt_cg_join *j, err_t *err);
/* In the new, still single-threaded process: write "0" to every tasks file
 * of j (it moves itself, thread by thread: no grace period).  The cgroup2
 * directory is the clone's (CLONE_INTO_CGROUP). */
int rt_cgroup_join_self(const struct rt_cg_join *j, err_t *err);
/* The same process into the cgroup2 directory of j, where it was not cloned
 * into it (clone3 refused): "0" to its cgroup.procs, which waits for the
 * grace period.  No cgroup2 directory: nothing to do. */
int rt_cgroup_join_self_v2(const struct rt_cg_join *j, err_t *err);
void rt_cgroup_join_close(struct rt_cg_join *j);
/* Did the kernel OOM-kill a process in the container's memory cgroup? */
bool rt_cgroup_oom_killed(const char *id);
/* Kill what is left in the cgroups and remove them; missing is success. */
int rt_cgroup_remove(const char *id, err_t *err);
/* Freeze (pause) or thaw the container's processes and wait until the
 * kernel reports it done: the v1 freezer controller, else cgroup v2's
 * cgroup.freeze. */
int rt_cgroup_freeze(const char *id, bool freeze, err_t *err);
/* Is the container's cgroup frozen (or freezing)? */
bool rt_cgroup_frozen(const char *id);
/* Path of the container's cgroup for controller ("memory", "cpu", "pids", ...),
 * NULL when the controller is not available.  Caller frees. */
char *rt_cgroup_path(const char *id, const char *controller);

struct rt_stats;
/* `stats`: fill the cgroup part of s (CPU time, memory usage and limit,
 * PIDs, block I/O) of the container; what cannot be read stays as it is. */
void rt_cgroup_stats(const char *id, struct rt_stats *s);

#endif
