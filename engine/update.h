/* update.h - `update`: a container's resource limits and restart policy
 * changed in its document under its lock; a running container's cgroup
 * files are written first (rt_cgroup_update), a stopped one gets them at
 * its next start, and the monitor reads the restart policy when the
 * container exits. */
#ifndef BERTH_ENGINE_UPDATE_H
#define BERTH_ENGINE_UPDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/restart.h"
#include "runtime/cgroup.h"

struct ctr_update {
        /* the limits to change: RT_CG_* bits */
        unsigned what;
        int64_t memory, swap, nano_cpus, shares, pids;
        const char *cpuset;
        bool has_restart;
        struct restart_policy restart;
};

/* Apply u to container ref (docker's checks: a larger memory needs the swap
 * limit raised with it, swap needs a memory limit and is not below it, an
 * auto-removed container takes no restart policy); the update event is
 * logged. */
int ctr_update(const char *ref, const struct ctr_update *u, err_t *err);
/* The limits *l (the container's) with u's applied after docker's checks;
 * *l is left as it was when one fails.  Pure. */
int ctr_update_limits(struct rt_cgroup_limits *l, const struct ctr_update *u, err_t *err);

#endif
