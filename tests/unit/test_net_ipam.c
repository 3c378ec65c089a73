/* IPAM: subnet parsing, pool parsing, subnet picking, address allocation. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "net/ipam.h"
#include "net/network.h"
#include "tap.h"

static struct ipv4_net net(const char *s)
{
        struct ipv4_net n = {0, -1};
        err_t err;
        if (ipv4_net_parse(s, &n, &err) < 0)
                tap_diag("parse %s: %s", s, err.msg);
        return n;
}

static uint32_t ip(const char *s)
{
        uint32_t a = 0;
        err_t err;
        ipv4_parse(s, &a, &err);
        return a;
}

static void test_parse(void)
{
        err_t err;
        struct ipv4_net n;
        char buf[IPV4_NET_STRLEN];

        ok(ipv4_net_parse("10.231.4.0/24", &n, &err) == 0 && n.prefix == 24, "parse /24");
        ipv4_net_format(&n, buf);
        is_str(buf, "10.231.4.0/24", "format round trip");
        ok(ipv4_net_parse("10.231.4.1/24", &n, &err) < 0, "host bits set refused");
        is_str(err.msg, "invalid subnet \"10.231.4.1/24\": it should be 10.231.4.0/24",
               "host bits message names the fix");
        ok(ipv4_net_parse("10.231.4.0/33", &n, &err) < 0, "prefix 33 refused");
        ok(ipv4_net_parse("10.231.4.0", &n, &err) < 0, "missing prefix refused");
        ok(ipv4_net_parse("10.231.300.0/24", &n, &err) < 0, "bad octet refused");
        ok(ipv4_net_parse("10.231.4.0/", &n, &err) < 0, "empty prefix refused");
        struct ipv4_net a = net("10.231.0.0/16"), b = net("10.231.7.0/24"),
                        c = net("10.232.0.0/24");
        ok(ipv4_net_overlap(&a, &b) && ipv4_net_overlap(&b, &a), "overlap both ways");
        ok(!ipv4_net_overlap(&a, &c), "disjoint");
        ok(ipv4_net_contains(&b, ip("10.231.7.200")), "contains");
        ok(!ipv4_net_contains(&b, ip("10.231.8.1")), "does not contain");
}

static void test_pools(void)
{
        err_t err;
        struct ipam_pool *pools = NULL;
        size_t np = 0;
        struct ipv4_net out;
        char buf[IPV4_NET_STRLEN];

        ok(ipam_pools_parse("10.231.0.0/16:24,10.231.0.0/30:30", &pools, &np, &err) == 0 && np == 2,
           "two pools");
        free(pools);
        ok(ipam_pools_parse("10.231.0.0/16:8", &pools, &np, &err) < 0, "size below base refused");
        ok(ipam_pools_parse("10.231.0.0/16", &pools, &np, &err) < 0, "missing size refused");

        ok(ipam_pools_parse("10.231.0.0/22:24", &pools, &np, &err) == 0, "pool of four /24s");
        struct ipv4_net used[] = {net("10.231.0.0/24"), net("10.231.1.128/25")};
        ok(ipam_pick_subnet(pools, np, used, 2, &out, &err) == 0, "pick with two in use");
        ipv4_net_format(&out, buf);
        is_str(buf, "10.231.2.0/24", "skips used and partially overlapping subnets");
        struct ipv4_net wide[] = {net("10.231.0.0/16")};
        ok(ipam_pick_subnet(pools, np, wide, 1, &out, &err) < 0, "route covering the pool");
        is_str(err.msg,
               "no available subnet in the address pool: all of 10.231.0.0/22 (/24 subnets) are "
               "in use; pass --subnet",
               "exhausted message");
        free(pools);

        setenv("BERTH_ADDRESS_POOLS", "10.231.8.0/21:24", 1);
        ok(ipam_pools_default(&pools, &np, &err) == 0 && np == 1 && pools[0].size == 24,
           "BERTH_ADDRESS_POOLS overrides the defaults");
        free(pools);
        unsetenv("BERTH_ADDRESS_POOLS");
        ok(ipam_pools_default(&pools, &np, &err) == 0 && np == 4, "default pools");
        ok(ipam_pick_subnet(pools, np, NULL, 0, &out, &err) == 0, "default pick");
        ipv4_net_format(&out, buf);
        is_str(buf, "172.18.0.0/16", "default first subnet");
        free(pools);
}

static void test_alloc(void)
{
        err_t err;
        struct ipv4_net sub = net("10.231.5.0/29"), none = {0, 0};
        uint32_t gw = ip("10.231.5.1"), out = 0;
        char buf[IPV4_STRLEN];

        ok(ipam_alloc_ip(&sub, &none, gw, NULL, 0, 0, &out, &err) == 0, "alloc first");
        ipv4_format(out, buf);
        is_str(buf, "10.231.5.2", "first address after the gateway");
        uint32_t used[] = {ip("10.231.5.2"), ip("10.231.5.3")};
        ok(ipam_alloc_ip(&sub, &none, gw, used, 2, 0, &out, &err) == 0, "alloc skipping used");
        ipv4_format(out, buf);
        is_str(buf, "10.231.5.4", "skips used addresses");
        ok(ipam_alloc_ip(&sub, &none, gw, NULL, 0, ip("10.231.5.5"), &out, &err) == 0,
           "alloc with hint");
        ipv4_format(out, buf);
        is_str(buf, "10.231.5.6", "continues after the hint");
        ok(ipam_alloc_ip(&sub, &none, gw, NULL, 0, ip("10.231.5.6"), &out, &err) == 0,
           "hint at the end wraps");
        ipv4_format(out, buf);
        is_str(buf, "10.231.5.2", "wraps to the start, never the broadcast");
        uint32_t full[] = {ip("10.231.5.2"), ip("10.231.5.3"), ip("10.231.5.4"), ip("10.231.5.5"),
                           ip("10.231.5.6")};
        ok(ipam_alloc_ip(&sub, &none, gw, full, 5, 0, &out, &err) < 0, "full subnet");
        is_str(err.msg, "no available IPv4 address in 10.231.5.0/29: all addresses are in use",
               "full message");

        struct ipv4_net big = net("10.231.0.0/16"), range = net("10.231.9.0/30");
        ok(ipam_alloc_ip(&big, &range, ip("10.231.0.1"), NULL, 0, 0, &out, &err) == 0,
           "alloc in ip-range");
        ipv4_format(out, buf);
        is_str(buf, "10.231.9.0", "ip-range start is usable inside a larger subnet");

        ok(ipam_check_ip(&sub, gw, used, 2, ip("10.231.5.5"), &err) == 0, "static ok");
        ok(ipam_check_ip(&sub, gw, used, 2, ip("10.231.5.2"), &err) < 0, "static in use");
        is_str(err.msg, "address 10.231.5.2 is already in use on 10.231.5.0/29", "in use message");
        ok(ipam_check_ip(&sub, gw, used, 2, ip("10.231.5.7"), &err) < 0, "static broadcast");
        ok(ipam_check_ip(&sub, gw, used, 2, ip("10.231.6.7"), &err) < 0, "static outside");
        ok(ipam_check_ip(&sub, gw, used, 2, gw, &err) < 0, "static gateway");

        uint8_t mac[6];
        char mbuf[18];
        ipam_mac_from_ip(ip("10.231.5.2"), mac);
        ipam_mac_format(mac, mbuf);
        is_str(mbuf, "02:42:0a:e7:05:02", "docker-style MAC");
}

/* A release with no networks directory (its state root removed, a
 * monitor's watcher running late) must not make that directory. */
static void test_release_without_state(void)
{
        char tmpl[] = "/tmp/berth-ipam-test.XXXXXX";
        ok(mkdtemp(tmpl) != NULL, "temp root");
        setenv("BERTH_ROOT", tmpl, 1);
        err_t err = {0};
        ok(network_endpoint_down("bridge", "0123456789ab", true, true, &err) < 0 &&
               err.code == ENOENT,
           "endpoint_down without networks: ENOENT");
        ok(network_releasing_sweep(&err) == 0, "releasing sweep without networks: nothing to do");
        char path[128];
        struct stat st;
        snprintf(path, sizeof(path), "%s/lib/networks", tmpl);
        ok(stat(path, &st) < 0 && errno == ENOENT, "the networks directory is not made");
        snprintf(path, sizeof(path), "%s/lib", tmpl);
        rmdir(path);
        rmdir(tmpl);
        unsetenv("BERTH_ROOT");
}

int main(void)
{
        test_parse();
        test_pools();
        test_alloc();
        test_release_without_state();
        return tap_done();
}
