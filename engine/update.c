/* update.c - a container's limits and restart policy changed (update.h). */
#include "update.h"

#include <errno.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "start.h"

int ctr_update_limits(struct rt_cgroup_limits *lim, const struct ctr_update *u, err_t *err)
{
        struct rt_cgroup_limits l = *lim;
        if (u->what & RT_CG_MEMORY) {
                /* docker: a larger memory needs the swap limit raised with it */
                if (!(u->what & RT_CG_SWAP) && l.memory_swap > 0 && u->memory > l.memory_swap)
                        return err_set(err, EINVAL,
                                       "Memory limit should be smaller than already set "
                                       "memoryswap limit, update the memoryswap at the same time");
                l.memory = u->memory;
        }
        if (u->what & RT_CG_SWAP) {
                if (l.memory <= 0)
                        return err_set(err, EINVAL,
                                       "You should always set the Memory limit when using "
                                       "Memoryswap limit");
                if (u->swap > 0 && u->swap < l.memory)
                        return err_set(err, EINVAL,
                                       "Minimum memoryswap limit should be larger than memory "
                                       "limit, see usage");
                l.memory_swap = u->swap;
        }
        if (u->what & RT_CG_CPUS)
                l.nano_cpus = u->nano_cpus;
        if (u->what & RT_CG_SHARES)
                l.cpu_shares = u->shares;
        if (u->what & RT_CG_PIDS)
                l.pids_limit = u->pids;
        if (u->what & RT_CG_CPUSET)
                l.cpuset_cpus = u->cpuset;
        *lim = l;
        return 0;
}

int ctr_update(const char *ref, const struct ctr_update *u, err_t *err)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        int lk = -1;
        if (ctr_get(ref, &id, &j, &lk, err) < 0) {
                if (lk >= 0)
                        close(lk);
                return -1;
        }
        _cleanup_close_ int lock = lk; /* held until return */
        (void)lock;
        if (u->has_restart && rt_doc_auto_remove(j) && u->restart.kind != RESTART_NO)
                return err_set(err, EINVAL,
                               "Restart policy cannot be updated because AutoRemove is enabled "
                               "for the container");
        struct rt_cgroup_limits l;
        rt_doc_limits(j, &l);
        if (ctr_update_limits(&l, u, err) < 0)
                return -1;
        if (u->what && rt_ctr_monitor_alive(id, NULL) && rt_cgroup_update(id, &l, u->what, err) < 0)
                return err_wrap(err, "Cannot update container %s", id);
        rt_doc_set_limits(j, &l);
        if (u->has_restart)
                rt_doc_set_restart_policy(j, restart_kind_name(u->restart.kind),
                                          u->restart.max_retries);
        if (rt_ctr_save(id, j, err) < 0)
                return -1;
        rt_ctr_event(j, "update", NULL);
        return 0;
}
