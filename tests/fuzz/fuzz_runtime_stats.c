/* libFuzzer: the kernel statistics files `stats` parses (memory.stat and
 * cpu.stat keys, v1 blkio, v2 io.stat, /proc/PID/net/dev, /proc/stat). */
#include <stdint.h>
#include <stdlib.h>

#include "ctr_stats.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = xstrndup((const char *)data, size);
        uint64_t a = 0, b = 0;
        (void)rt_stat_key(s, "total_inactive_file", &a);
        (void)rt_stat_key(s, "usage_usec", &a);
        rt_stat_blkio(s, &a, &b);
        rt_stat_iostat(s, &a, &b);
        rt_stat_netdev(s, &a, &b);
        (void)rt_stat_cpu_ticks(s, &a);
        free(s);
        return 0;
}
