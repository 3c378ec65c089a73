#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include <netlink/route/link/veth.h>

#include "netlink.h"
#include "netlink_priv.h"

/* Inside the container's netns: lo up, address on the container end,
 * default route via the gateway. */
static int configure_inside(const struct net_attach_req *r, err_t *err)
{
        _cleanup_nl_sock_ struct nl_sock *sk = nl_route_open(r->netns_fd, err);
        int ifindex;

        if (!sk)
                return -1;
        /* The loopback device of a netns is always ifindex 1. */
        if (nl_link_up(sk, 1, err) < 0)
                return err_wrap(err, "lo");
        ifindex = nl_ifindex(sk, r->ifname, err);
        if (ifindex < 0)
                return -1;
        /* Up from inside: asking for IFF_UP on a peer created in another
         * netns fails with ENOTCONN on 6.x kernels. */
        if (nl_link_up(sk, ifindex, err) < 0 ||
            nl_addr_add_ipv4(sk, ifindex, r->ip, r->prefix, err) < 0)
                return err_wrap(err, "%s", r->ifname);
        if (!r->default_route)
                return 0;

        struct rtnl_route *rt = rtnl_route_alloc();
        struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
        _cleanup_nl_addr_ struct nl_addr *dst = nl_addr_ipv4(0, 0);
        _cleanup_nl_addr_ struct nl_addr *gw = nl_addr_ipv4(r->gateway, 32);
        if (!rt || !nh)
                abort();
        rtnl_route_set_family(rt, AF_INET);
        rtnl_route_set_table(rt, RT_TABLE_MAIN);
        rtnl_route_set_scope(rt, RT_SCOPE_UNIVERSE);
        rtnl_route_set_protocol(rt, RTPROT_BOOT);
        rtnl_route_set_type(rt, RTN_UNICAST);
        rtnl_route_set_dst(rt, dst);
        rtnl_route_nh_set_gateway(nh, gw);
        rtnl_route_nh_set_ifindex(nh, ifindex);
        rtnl_route_add_nexthop(rt, nh); /* rt owns nh now */
        int e = rtnl_route_add(sk, rt, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_route_put(rt);
        if (e < 0 && nl_errno(e) != EEXIST) {
                char buf[IPV4_STRLEN];
                ipv4_format(r->gateway, buf);
                return nl_err(err, e, "cannot add the default route via %s", buf);
        }
        return 0;
}

int net_attach(const struct net_attach_req *r, err_t *err)
{
        _cleanup_nl_sock_ struct nl_sock *sk = nl_route_open(-1, err);
        _cleanup_nl_link_ struct rtnl_link *veth = NULL;
        _cleanup_nl_link_ struct rtnl_link *peer = NULL;
        _cleanup_nl_addr_ struct nl_addr *mac = NULL;
        int br, e;

        if (!sk)
                return -1;
        br = nl_ifindex(sk, r->bridge, err);
        if (br < 0)
                return err_wrap(err, "cannot attach to network bridge");
        veth = rtnl_link_veth_alloc();
        if (!veth)
                abort();
        peer = rtnl_link_veth_get_peer(veth);
        mac = nl_addr_build(AF_LLC, r->mac, 6);
        if (!mac)
                abort();
        rtnl_link_set_name(veth, r->host_ifname);
        rtnl_link_set_master(veth, br);
        rtnl_link_set_flags(veth, IFF_UP);
        /* One queue each way, the number veth ends up using anyway: left
         * unsaid, the kernel allocates one per possible CPU, then shrinks
         * the used number to one, which waits for an (expedited) RCU grace
         * period per end under RTNL. */
        rtnl_link_set_num_tx_queues(veth, 1);
        rtnl_link_set_num_rx_queues(veth, 1);
        rtnl_link_set_num_tx_queues(peer, 1);
        rtnl_link_set_num_rx_queues(peer, 1);
        rtnl_link_set_name(peer, r->ifname);
        rtnl_link_set_addr(peer, mac);
        rtnl_link_set_ns_fd(peer, r->netns_fd);
        if (r->mtu > 0) {
                rtnl_link_set_mtu(veth, (unsigned)r->mtu);
                rtnl_link_set_mtu(peer, (unsigned)r->mtu);
        }
        e = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
        if (e < 0 && nl_errno(e) == EEXIST) {
                /* The host end's name is derived from (container, network):
                 * after a quick restart the previous netns may still be on
                 * its way out with the old pair.  Remove it, retry once. */
                err_t ignored;
                if (net_link_delete(r->host_ifname, &ignored) == 0)
                        e = rtnl_link_add(sk, veth, NLM_F_CREATE | NLM_F_EXCL);
        }
        if (e < 0)
                return nl_err(err, e, "cannot create veth pair %s/%s on %s", r->host_ifname,
                              r->ifname, r->bridge);
        if (configure_inside(r, err) < 0) {
                err_t ignored;
                /* The netns may outlive this failure: do not leave the pair. */
                net_link_delete(r->host_ifname, &ignored);
                return err_wrap(err, "container interface %s", r->ifname);
        }
        return 0;
}

int net_loopback_up(int netns_fd, err_t *err)
{
        _cleanup_nl_sock_ struct nl_sock *sk = nl_route_open(netns_fd, err);

        if (!sk)
                return -1;
        /* The loopback device of a netns is always ifindex 1. */
        if (nl_link_up(sk, 1, err) < 0)
                return err_wrap(err, "lo");
        return 0;
}
