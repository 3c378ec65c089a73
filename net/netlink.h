/* netlink.h - links, addresses and routes through libnl (never `ip`).
 *
 * Bridges live in the host netns.  A container is attached with a veth pair
 * whose container end is created directly inside the container's netns
 * (IFLA_NET_NS_FD on the peer: ~0.6 ms, where moving a link afterwards costs
 * ~20 ms).  Teardown of a container's links is left to the kernel: when the
 * netns goes away, the veth pair goes with it.  ENODEV/ENOENT on delete
 * means the object is already gone and is success. */
#ifndef BERTH_NET_NETLINK_H
#define BERTH_NET_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ipam.h"

/* Create bridge `name` (or adopt an existing bridge of that name), set it up
 * and give it gateway/prefix.  mtu 0 = kernel default. */
int net_bridge_create(const char *name, uint32_t gateway, int prefix, int mtu, err_t *err);
/* Delete a link by name (bridge or host end of a veth).  Gone = success. */
int net_link_delete(const char *name, err_t *err);
/* Set a link down by name (a bridge port that is down is disabled: the
 * bridge forwards nothing to or from it): 1, or 0 when it is gone.  Unlike a
 * delete, which waits for an RCU barrier (11-40 ms measured for a veth whose
 * namespace was still dying), it waits for an expedited grace period only. */
int net_link_down(const char *name, err_t *err);
/* 1 if a link called name exists in the host netns, 0 if not, -1 on error. */
int net_link_exists(const char *name, err_t *err);

struct net_attach_req {
        int netns_fd;            /* the container's network namespace */
        const char *bridge;      /* host bridge to enslave the host end to */
        const char *host_ifname; /* host end, e.g. veth1a2b3c4d */
        const char *ifname;      /* container end, e.g. eth0 */
        uint32_t ip;             /* container address (host byte order) */
        int prefix;
        uint32_t gateway;
        bool default_route; /* first network only */
        uint8_t mac[6];
        int mtu; /* 0 = the bridge's default */
};

/* Create the veth pair (container end inside netns_fd, host end on the
 * bridge, both up), then inside the netns: lo up, address, default route. */
int net_attach(const struct net_attach_req *r, err_t *err);

/* Set lo up inside netns_fd (containers without a network). */
int net_loopback_up(int netns_fd, err_t *err);

/* All IPv4 routes of the host netns except default routes and the local
 * table, for IPAM's overlap check. */
int net_host_routes(struct ipv4_net **out, size_t *n, err_t *err);

/* Write value to /proc/sys/<key> (key like "net/ipv4/ip_forward"). */
int net_sysctl_set(const char *key, const char *value, err_t *err);
/* Read /proc/sys/<key> into buf (its first line, without the newline). */
int net_sysctl_get(const char *key, char *buf, size_t len, err_t *err);

/* Host end name for (container, network): "veth" + 8 hex of a hash. */
void net_host_ifname(const char *container_id, const char *network_id, char buf[16]);

#endif
