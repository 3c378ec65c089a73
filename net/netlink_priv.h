/* netlink_priv.h - libnl helpers shared by netlink.c, bridge.c, veth.c. */
#ifndef BERTH_NET_NETLINK_PRIV_H
#define BERTH_NET_NETLINK_PRIV_H

#include <net/if.h>
#include <stdlib.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "err.h"

/* errno for a (negative) libnl error code. */
int nl_errno(int nlerr);
/* Fill err from a libnl error: "<what>: <strerror>". */
int nl_err(err_t *err, int nlerr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A connected NETLINK_ROUTE socket in the caller's netns, or in netns_fd
 * (the calling thread enters the netns for the socket() call and returns;
 * the socket stays bound to the netns it was created in). */
struct nl_sock *nl_route_open(int netns_fd, err_t *err);

/* An AF_INET nl_addr for addr/prefix (host byte order). */
struct nl_addr *nl_addr_ipv4(uint32_t addr, int prefix);

/* Add addr/prefix to ifindex; EEXIST is success. */
int nl_addr_add_ipv4(struct nl_sock *sk, int ifindex, uint32_t addr, int prefix, err_t *err);
/* ifindex of name, or -1 with err (ENODEV when missing). */
int nl_ifindex(struct nl_sock *sk, const char *name, err_t *err);
/* Set IFF_UP on ifindex. */
int nl_link_up(struct nl_sock *sk, int ifindex, err_t *err);

static inline void cleanup_nl_sockp(struct nl_sock **s)
{
        if (*s)
                nl_socket_free(*s);
}
static inline void cleanup_rtnl_linkp(struct rtnl_link **l)
{
        if (*l)
                rtnl_link_put(*l);
}
static inline void cleanup_nl_addrp(struct nl_addr **a)
{
        if (*a)
                nl_addr_put(*a);
}
#define _cleanup_nl_sock_ __attribute__((cleanup(cleanup_nl_sockp)))
#define _cleanup_nl_link_ __attribute__((cleanup(cleanup_rtnl_linkp)))
#define _cleanup_nl_addr_ __attribute__((cleanup(cleanup_nl_addrp)))

#endif
