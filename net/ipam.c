#include "ipam.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

int ipv4_parse(const char *s, uint32_t *out, err_t *err)
{
        struct in_addr a;

        if (!s || inet_pton(AF_INET, s, &a) != 1)
                return err_set(err, EINVAL, "invalid IPv4 address \"%s\"", s ? s : "");
        *out = ntohl(a.s_addr);
        return 0;
}

uint32_t ipv4_mask(int prefix)
{
        return prefix <= 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int ipv4_net_parse(const char *s, struct ipv4_net *out, err_t *err)
{
        const char *slash = s ? strchr(s, '/') : NULL;
        char addr[IPV4_STRLEN], *end;
        uint32_t a = 0;

        if (!slash || (size_t)(slash - s) >= sizeof(addr))
                return err_set(err, EINVAL, "invalid subnet \"%s\": expected A.B.C.D/N",
                               s ? s : "");
        memcpy(addr, s, (size_t)(slash - s));
        addr[slash - s] = '\0';
        errno = 0;
        long p = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || errno || p < 0 || p > 32)
                return err_set(err, EINVAL, "invalid subnet \"%s\": prefix length must be 0-32", s);
        if (ipv4_parse(addr, &a, err) < 0)
                return err_wrap(err, "invalid subnet \"%s\"", s);
        if (a & ~ipv4_mask((int)p)) {
                char buf[IPV4_STRLEN];
                ipv4_format(a & ipv4_mask((int)p), buf);
                return err_set(err, EINVAL, "invalid subnet \"%s\": it should be %s/%ld", s, buf,
                               p);
        }
        out->addr = a;
        out->prefix = (int)p;
        return 0;
}

void ipv4_format(uint32_t addr, char buf[IPV4_STRLEN])
{
        snprintf(buf, IPV4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
                 (addr >> 8) & 0xff, addr & 0xff);
}

void ipv4_net_format(const struct ipv4_net *n, char buf[IPV4_NET_STRLEN])
{
        char a[IPV4_STRLEN];
        ipv4_format(n->addr, a);
        snprintf(buf, IPV4_NET_STRLEN, "%s/%d", a, n->prefix);
}

bool ipv4_net_contains(const struct ipv4_net *n, uint32_t addr)
{
        return (addr & ipv4_mask(n->prefix)) == n->addr;
}

bool ipv4_net_overlap(const struct ipv4_net *a, const struct ipv4_net *b)
{
        int p = a->prefix < b->prefix ? a->prefix : b->prefix;
        return (a->addr & ipv4_mask(p)) == (b->addr & ipv4_mask(p));
}

int ipam_pools_parse(const char *spec, struct ipam_pool **out, size_t *n, err_t *err)
{
        _cleanup_free_ char *copy = xstrdup(spec);
        _cleanup_free_ struct ipam_pool *pools = NULL;
        size_t np = 0;
        char *save = NULL;

        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                char *colon = strchr(tok, ':'), *end;
                struct ipam_pool p;

                if (!colon)
                        return err_set(err, EINVAL,
                                       "invalid address pool \"%s\": expected BASE/LEN:SIZE", tok);
                *colon = '\0';
                if (ipv4_net_parse(tok, &p.base, err) < 0)
                        return err_wrap(err, "invalid address pool");
                errno = 0;
                long sz = strtol(colon + 1, &end, 10);
                if (!colon[1] || *end || errno || sz < p.base.prefix || sz > 30)
                        return err_set(err, EINVAL,
                                       "invalid address pool \"%s:%s\": size must be between "
                                       "%d and 30",
                                       tok, colon + 1, p.base.prefix);
                p.size = (int)sz;
                pools = xrealloc(pools, (np + 1) * sizeof(*pools));
                pools[np++] = p;
        }
        if (np == 0)
                return err_set(err, EINVAL, "empty address pool list");
        *out = TAKE_PTR(pools);
        *n = np;
        return 0;
}

int ipam_pools_default(struct ipam_pool **out, size_t *n, err_t *err)
{
        const char *env = getenv("BERTH_ADDRESS_POOLS");

        if (env && *env) {
                if (ipam_pools_parse(env, out, n, err) < 0)
                        return err_wrap(err, "BERTH_ADDRESS_POOLS");
                return 0;
        }
        return ipam_pools_parse("172.18.0.0/15:16,172.20.0.0/14:16,172.24.0.0/13:16,"
                                "192.168.0.0/16:20",
                                out, n, err);
}

int ipam_pick_subnet(const struct ipam_pool *pools, size_t npools, const struct ipv4_net *used,
                     size_t nused, struct ipv4_net *out, err_t *err)
{
        strbuf_t names = STRBUF_INIT;

        for (size_t i = 0; i < npools; i++) {
                uint64_t count = 1ull << (pools[i].size - pools[i].base.prefix);
                uint64_t step = 1ull << (32 - pools[i].size);
                char buf[IPV4_NET_STRLEN];

                for (uint64_t k = 0; k < count; k++) {
                        struct ipv4_net cand = {
                            .addr = pools[i].base.addr + (uint32_t)(k * step),
                            .prefix = pools[i].size,
                        };
                        bool busy = false;
                        for (size_t u = 0; u < nused && !busy; u++)
                                busy = ipv4_net_overlap(&cand, &used[u]);
                        if (!busy) {
                                sb_free(&names);
                                *out = cand;
                                return 0;
                        }
                }
                ipv4_net_format(&pools[i].base, buf);
                sb_appendf(&names, "%s%s (/%d subnets)", i ? ", " : "", buf, pools[i].size);
        }
        err_set(err, ENOSPC,
                "no available subnet in the address pool: all of %s are in use; pass --subnet",
                sb_str(&names));
        sb_free(&names);
        return -1;
}

static bool ip_used(const uint32_t *used, size_t nused, uint32_t ip)
{
        for (size_t i = 0; i < nused; i++)
                if (used[i] == ip)
                        return true;
        return false;
}

int ipam_check_ip(const struct ipv4_net *subnet, uint32_t gateway, const uint32_t *used,
                  size_t nused, uint32_t ip, err_t *err)
{
        char ipbuf[IPV4_STRLEN], nbuf[IPV4_NET_STRLEN];
        uint32_t bcast = subnet->addr | ~ipv4_mask(subnet->prefix);

        ipv4_format(ip, ipbuf);
        ipv4_net_format(subnet, nbuf);
        if (!ipv4_net_contains(subnet, ip))
                return err_set(err, EINVAL, "address %s is not in subnet %s", ipbuf, nbuf);
        if (subnet->prefix < 31 && (ip == subnet->addr || ip == bcast))
                return err_set(err, EINVAL, "address %s is the network or broadcast address of %s",
                               ipbuf, nbuf);
        if (ip == gateway)
                return err_set(err, EADDRINUSE, "address %s is the gateway of %s", ipbuf, nbuf);
        if (ip_used(used, nused, ip))
                return err_set(err, EADDRINUSE, "address %s is already in use on %s", ipbuf, nbuf);
        return 0;
}

int ipam_alloc_ip(const struct ipv4_net *subnet, const struct ipv4_net *range, uint32_t gateway,
                  const uint32_t *used, size_t nused, uint32_t hint, uint32_t *out, err_t *err)
{
        const struct ipv4_net *r = range && range->prefix > 0 ? range : subnet;
        uint32_t first = r->addr, last = r->addr | ~ipv4_mask(r->prefix);
        uint32_t sfirst = subnet->addr, slast = subnet->addr | ~ipv4_mask(subnet->prefix);
        char nbuf[IPV4_NET_STRLEN];

        if (subnet->prefix < 31) {
                if (first <= sfirst)
                        first = sfirst + 1;
                if (last >= slast)
                        last = slast - 1;
        }
        if (first > last)
                goto full;
        uint64_t span = (uint64_t)last - first + 1;
        uint64_t start = hint >= first && hint < last ? (uint64_t)hint - first + 1 : 0;
        for (uint64_t k = 0; k < span; k++) {
                uint32_t ip = first + (uint32_t)((start + k) % span);
                if (ip != gateway && !ip_used(used, nused, ip)) {
                        *out = ip;
                        return 0;
                }
        }
full:
        ipv4_net_format(r, nbuf);
        return err_set(err, ENOSPC, "no available IPv4 address in %s: all addresses are in use",
                       nbuf);
}

void ipam_mac_from_ip(uint32_t ip, uint8_t mac[6])
{
        mac[0] = 0x02;
        mac[1] = 0x42;
        mac[2] = (uint8_t)(ip >> 24);
        mac[3] = (uint8_t)(ip >> 16);
        mac[4] = (uint8_t)(ip >> 8);
        mac[5] = (uint8_t)ip;
}

void ipam_mac_format(const uint8_t mac[6], char buf[18])
{
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
                 mac[5]);
}
