/* Unit tests for engine/update.h: `update`'s limits with docker's checks
 * (pure), and an update of no container. */
#include <stdlib.h>
#include <string.h>

#include "update.h"
#include "tap.h"

int main(void)
{
        setenv("BERTH_ROOT", "/nonexistent/es2-update", 1); /* nothing here may touch state */
        err_t err = {0};
        struct rt_cgroup_limits l = {.memory = 64 << 20, .memory_swap = 128 << 20};
        struct ctr_update u = {.what = RT_CG_MEMORY, .memory = 256 << 20};
        ok(ctr_update_limits(&l, &u, &err) < 0, "memory above the swap limit alone is refused");
        is_str(err.msg,
               "Memory limit should be smaller than already set memoryswap limit, update the "
               "memoryswap at the same time",
               "with docker's text");
        is_int((int)(l.memory >> 20), 64, "the limits are left as they were");
        u.what |= RT_CG_SWAP;
        u.swap = 512 << 20;
        ok(ctr_update_limits(&l, &u, &err) == 0, "with the swap raised too it is taken");
        ok(l.memory == 256 << 20 && l.memory_swap == 512 << 20, "both are set");
        u = (struct ctr_update){.what = RT_CG_SWAP, .swap = 16 << 20};
        ok(ctr_update_limits(&l, &u, &err) < 0, "swap below memory is refused");
        is_str(err.msg, "Minimum memoryswap limit should be larger than memory limit, see usage",
               "with docker's text");
        struct rt_cgroup_limits none = {0};
        u = (struct ctr_update){.what = RT_CG_SWAP, .swap = -1};
        ok(ctr_update_limits(&none, &u, &err) < 0, "swap without a memory limit is refused");
        u = (struct ctr_update){.what = RT_CG_PIDS | RT_CG_CPUS | RT_CG_SHARES | RT_CG_CPUSET,
                                .pids = 10,
                                .nano_cpus = 500000000,
                                .shares = 512,
                                .cpuset = "0"};
        ok(ctr_update_limits(&none, &u, &err) == 0, "pids, cpus, shares and cpuset");
        ok(none.pids_limit == 10 && none.nano_cpus == 500000000 && none.cpu_shares == 512 &&
               !strcmp(none.cpuset_cpus, "0") && none.memory == 0,
           "are set, nothing else");
        u = (struct ctr_update){.what = RT_CG_PIDS, .pids = 5};
        ok(ctr_update("es2-none", &u, &err) < 0, "an update of no container fails");
        return tap_done();
}
