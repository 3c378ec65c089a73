/* Unit tests: the kernel statistics files `stats` parses (this host's kernel
 * may not account block I/O at all, so the integration test cannot). */
#include "runtime/ctr_stats.h"
#include "tap.h"

int main(void)
{
        uint64_t a = 0, b = 0;
        rt_stat_blkio("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 12288\n8:0 Total 12288\n"
                      "8:16 Read 1\n8:16 Write 2\nTotal 12291\n",
                      &a, &b);
        ok(a == 4097 && b == 8194, "v1 blkio: Read and Write summed over devices, Total skipped");
        rt_stat_iostat("8:0 rbytes=1024 wbytes=2048 rios=1 wios=2 dbytes=0 dios=0\n"
                       "253:0 rbytes=5 wbytes=6 rios=1 wios=1\n",
                       &a, &b);
        ok(a == 1029 && b == 2054, "v2 io.stat: rbytes and wbytes summed");
        rt_stat_netdev("Inter-|   Receive |  Transmit\n"
                       " face |bytes    packets errs drop fifo frame compressed multicast|bytes\n"
                       "    lo:  100 1 0 0 0 0 0 0  100 1 0 0 0 0 0 0\n"
                       "  eth0: 1234 10 0 0 0 0 0 0  567 5 0 0 0 0 0 0\n"
                       "  eth1:    1 1 0 0 0 0 0 0    2 1 0 0 0 0 0 0\n",
                       &a, &b);
        ok(a == 1235 && b == 569, "net/dev: every interface but lo");
        ok(rt_stat_cpu_ticks("cpu  100 2 30 4000 5 0 6 7 0 0\ncpu0 50 1 15 2000 2 0 3 0 0 0\n",
                             &a) &&
               a == 4143,
           "/proc/stat: user..softirq of the cpu line (steal not counted, as docker)");
        ok(!rt_stat_cpu_ticks("cpu0 1 2 3 4 5 6 7\n", &a), "/proc/stat without a cpu line");
        ok(rt_stat_key("rss 122880\ntotal_inactive_file 4096\n", "total_inactive_file", &a) &&
               a == 4096,
           "memory.stat key");
        ok(!rt_stat_key("total_inactive_file_x 1\n", "total_inactive_file", &a),
           "a longer key does not match");
        ok(rt_stat_key("usage_usec 99999999999999999999999\n", "usage_usec", &a) && a == UINT64_MAX,
           "an overflowing value saturates");
        return tap_done();
}
