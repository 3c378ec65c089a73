/* ipam.h - IPv4 address management: subnets, pools, address allocation.
 *
 * Pure functions (no syscalls): the caller supplies what is in use (host
 * routes, other networks' subnets, endpoints' addresses) and persists the
 * result.  Addresses are in host byte order.
 *
 * Default address pools (like docker's defaults): the default `bridge`
 * network prefers 172.17.0.0/16; other networks take the first free /16 of
 * 172.18.0.0/16 ... 172.31.0.0/16, then the first free /20 of 192.168.0.0/16.
 * BERTH_ADDRESS_POOLS="BASE/LEN:SIZE,..." replaces the pool list (e.g.
 * "10.231.0.0/16:24" = the /24s of 10.231.0.0/16). */
#ifndef BERTH_NET_IPAM_H
#define BERTH_NET_IPAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ipv4_net {
        uint32_t addr; /* network address, host bits zero */
        int prefix;    /* 0..32 */
};

struct ipam_pool {
        struct ipv4_net base;
        int size; /* prefix length of the subnets carved out of base */
};

#define IPV4_STRLEN     16
#define IPV4_NET_STRLEN 19

/* "a.b.c.d" -> addr.  Errors name the text. */
int ipv4_parse(const char *s, uint32_t *out, err_t *err);
/* "a.b.c.d/n" with zero host bits (a clear error otherwise, naming the
 * network address to use instead). */
int ipv4_net_parse(const char *s, struct ipv4_net *out, err_t *err);
void ipv4_format(uint32_t addr, char buf[IPV4_STRLEN]);
void ipv4_net_format(const struct ipv4_net *n, char buf[IPV4_NET_STRLEN]);
uint32_t ipv4_mask(int prefix);
bool ipv4_net_contains(const struct ipv4_net *n, uint32_t addr);
bool ipv4_net_overlap(const struct ipv4_net *a, const struct ipv4_net *b);

/* Parse "BASE/LEN:SIZE[,BASE/LEN:SIZE...]" (SIZE >= LEN, <= 30). */
int ipam_pools_parse(const char *spec, struct ipam_pool **out, size_t *n, err_t *err);
/* The pools in effect: BERTH_ADDRESS_POOLS or the defaults above. */
int ipam_pools_default(struct ipam_pool **out, size_t *n, err_t *err);

/* First subnet of the pools that overlaps none of used[].  Fails with
 * "no available subnet in the address pool: all of ... are in use; pass
 * --subnet" when none is left. */
int ipam_pick_subnet(const struct ipam_pool *pools, size_t npools, const struct ipv4_net *used,
                     size_t nused, struct ipv4_net *out, err_t *err);

/* Choose an address in subnet (restricted to range when range->prefix > 0)
 * that is not the network or broadcast address, not gateway and not in
 * used[].  *hint: start the scan after it (0 = from the start), so freed
 * addresses are not reused immediately. */
int ipam_alloc_ip(const struct ipv4_net *subnet, const struct ipv4_net *range, uint32_t gateway,
                  const uint32_t *used, size_t nused, uint32_t hint, uint32_t *out, err_t *err);

/* Validate a static address request the same way ipam_alloc_ip picks. */
int ipam_check_ip(const struct ipv4_net *subnet, uint32_t gateway, const uint32_t *used,
                  size_t nused, uint32_t ip, err_t *err);

/* Docker-style MAC for an address: 02:42:a.b.c.d. */
void ipam_mac_from_ip(uint32_t ip, uint8_t mac[6]);
void ipam_mac_format(const uint8_t mac[6], char buf[18]);

#endif
