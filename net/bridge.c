#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "netlink.h"
#include "netlink_priv.h"

int net_bridge_create(const char *name, uint32_t gateway, int prefix, int mtu, err_t *err)
{
        _cleanup_nl_sock_ struct nl_sock *sk = nl_route_open(-1, err);
        _cleanup_nl_link_ struct rtnl_link *l = rtnl_link_alloc();
        _cleanup_nl_link_ struct rtnl_link *cur = NULL;
        int r, ifindex;

        if (!sk)
                return -1;
        if (!l)
                abort();
        rtnl_link_set_name(l, name);
        rtnl_link_set_type(l, "bridge");
        rtnl_link_set_flags(l, IFF_UP);
        /* A fixed MAC: by default a bridge takes the lowest MAC of its ports,
         * so it changes as containers come and go and the containers' ARP
         * entries for the gateway go stale (their packets to it are lost). */
        uint8_t mac[6];
        if (getrandom(mac, sizeof(mac), 0) != sizeof(mac))
                return err_sys(err, errno, "bridge %s: random MAC address", name);
        mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
        _cleanup_nl_addr_ struct nl_addr *ll = nl_addr_build(AF_LLC, mac, sizeof(mac));
        if (!ll)
                abort();
        rtnl_link_set_addr(l, ll);
        if (mtu > 0)
                rtnl_link_set_mtu(l, (unsigned)mtu);
        r = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL);
        if (r < 0 && nl_errno(r) != EEXIST)
                return nl_err(err, r, "cannot create bridge %s", name);
        r = rtnl_link_get_kernel(sk, 0, name, &cur);
        if (r < 0)
                return nl_err(err, r, "bridge %s", name);
        const char *type = rtnl_link_get_type(cur);
        if (!type || strcmp(type, "bridge"))
                return err_set(err, EEXIST,
                               "cannot create bridge %s: a %s link of that name exists", name,
                               type ? type : "non-bridge");
        ifindex = rtnl_link_get_ifindex(cur);
        if (!(rtnl_link_get_flags(cur) & IFF_UP) && nl_link_up(sk, ifindex, err) < 0)
                return err_wrap(err, "bridge %s", name);
        if (nl_addr_add_ipv4(sk, ifindex, gateway, prefix, err) < 0)
                return err_wrap(err, "bridge %s", name);
        return 0;
}
