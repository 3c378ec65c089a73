#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <netlink/errno.h>

#include "cleanup.h"
#include "fsutil.h"
#include "netlink_priv.h"
#include "xalloc.h"

int nl_errno(int nlerr)
{
        switch (nlerr < 0 ? -nlerr : nlerr) {
        case NLE_EXIST:
                return EEXIST;
        case NLE_OBJ_NOTFOUND:
                return ENOENT;
        case NLE_NODEV:
                return ENODEV;
        case NLE_PERM:
        case NLE_NOACCESS:
                return EPERM;
        case NLE_BUSY:
                return EBUSY;
        case NLE_NOMEM:
                return ENOMEM;
        case NLE_INVAL:
                return EINVAL;
        case NLE_RANGE:
                return ERANGE;
        case NLE_OPNOTSUPP:
                return EOPNOTSUPP;
        case NLE_AGAIN:
                return EAGAIN;
        case NLE_INTR:
        case NLE_DUMP_INTR:
                return EINTR;
        case NLE_NOADDR:
                return EADDRNOTAVAIL;
        default:
                return EIO;
        }
}

int nl_err(err_t *err, int nlerr, const char *fmt, ...)
{
        char what[ERR_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        return err_set(err, nl_errno(nlerr), "%s: %s", what, nl_geterror(nlerr));
}

struct nl_sock *nl_route_open(int netns_fd, err_t *err)
{
        struct nl_sock *sk = nl_socket_alloc();
        _cleanup_close_ int self = -1;
        int r;

        if (!sk) {
                err_set(err, ENOMEM, "cannot allocate a netlink socket");
                return NULL;
        }
        if (netns_fd < 0) {
                r = nl_connect(sk, NETLINK_ROUTE);
        } else {
                /* Enter the netns on this thread, create the socket (it
                 * stays bound to the netns it was created in), come back.
                 * Measured (bench/netsetup.sh): ~0.04 ms, against ~0.5 ms
                 * for a short-lived thread and ~4 ms for a forked child. */
                self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
                if (self < 0) {
                        nl_socket_free(sk);
                        err_sys(err, errno, "cannot open /proc/thread-self/ns/net");
                        return NULL;
                }
                if (setns(netns_fd, CLONE_NEWNET) < 0) {
                        int e = errno;
                        nl_socket_free(sk);
                        err_sys(err, e, "cannot enter the container's network namespace");
                        return NULL;
                }
                r = nl_connect(sk, NETLINK_ROUTE);
                /* Carrying on in the container's netns would create host
                 * objects inside it: there is no safe way to continue. */
                if (setns(self, CLONE_NEWNET) < 0)
                        abort();
        }
        if (r < 0) {
                nl_socket_free(sk);
                nl_err(err, r, "cannot open a netlink socket");
                return NULL;
        }
        return sk;
}

struct nl_addr *nl_addr_ipv4(uint32_t addr, int prefix)
{
        uint32_t be = htonl(addr);
        struct nl_addr *a = nl_addr_build(AF_INET, &be, sizeof(be));
        if (!a)
                abort(); /* out of memory, as xmalloc */
        nl_addr_set_prefixlen(a, prefix);
        return a;
}

int nl_addr_add_ipv4(struct nl_sock *sk, int ifindex, uint32_t addr, int prefix, err_t *err)
{
        struct rtnl_addr *ra = rtnl_addr_alloc();
        _cleanup_nl_addr_ struct nl_addr *local = nl_addr_ipv4(addr, prefix);
        _cleanup_nl_addr_ struct nl_addr *bcast =
            nl_addr_ipv4(prefix < 31 ? addr | ~ipv4_mask(prefix) : 0, 32);
        char buf[IPV4_STRLEN];
        int r;

        if (!ra)
                abort();
        rtnl_addr_set_ifindex(ra, ifindex);
        rtnl_addr_set_family(ra, AF_INET);
        rtnl_addr_set_local(ra, local);
        if (prefix < 31)
                rtnl_addr_set_broadcast(ra, bcast);
        r = rtnl_addr_add(sk, ra, NLM_F_CREATE | NLM_F_EXCL);
        rtnl_addr_put(ra);
        if (r < 0 && nl_errno(r) != EEXIST) {
                ipv4_format(addr, buf);
                return nl_err(err, r, "cannot add address %s/%d", buf, prefix);
        }
        return 0;
}

int nl_ifindex(struct nl_sock *sk, const char *name, err_t *err)
{
        _cleanup_nl_link_ struct rtnl_link *l = NULL;
        int r = rtnl_link_get_kernel(sk, 0, name, &l);

        if (r < 0)
                return nl_err(err, r, "link %s", name);
        return rtnl_link_get_ifindex(l);
}

int nl_link_up(struct nl_sock *sk, int ifindex, err_t *err)
{
        _cleanup_nl_link_ struct rtnl_link *old = rtnl_link_alloc();
        _cleanup_nl_link_ struct rtnl_link *chg = rtnl_link_alloc();
        int r;

        if (!old || !chg)
                abort();
        rtnl_link_set_ifindex(old, ifindex);
        rtnl_link_set_flags(chg, IFF_UP);
        r = rtnl_link_change(sk, old, chg, 0);
        if (r < 0)
                return nl_err(err, r, "cannot set link %d up", ifindex);
        return 0;
}

int net_link_exists(const char *name, err_t *err)
{
        _cleanup_nl_sock_ struct nl_sock *sk = nl_route_open(-1, err);
        _cleanup_nl_link_ struct rtnl_link *l = NULL;
        int r;

        if (!sk)
                return -1;
        r = rtnl_link_get_kernel(sk, 0, name, &l);
        if (r >= 0)
                return 1;
        if (nl_errno(r) == ENODEV || nl_errno(r) == ENOENT)
                return 0;
        return nl_err(err, r, "link %s", name);
}

int net_link_delete(const char *name, err_t *err)
{
        _cleanup_nl_sock_ struct nl_sock *sk = nl_route_open(-1, err);
        _cleanup_nl_link_ struct rtnl_link *l = rtnl_link_alloc();
        int r;

        if (!sk)
                return -1;
        if (!l)
                abort();
        rtnl_link_set_name(l, name);
        r = rtnl_link_delete(sk, l);
        if (r < 0 && nl_errno(r) != ENODEV && nl_errno(r) != ENOENT)
                return nl_err(err, r, "cannot delete link %s", name);
        return 0;
}

int net_link_down(const char *name, err_t *err)
{
        _cleanup_nl_sock_ struct nl_sock *sk = nl_route_open(-1, err);
        _cleanup_nl_link_ struct rtnl_link *l = NULL;
        _cleanup_nl_link_ struct rtnl_link *chg = rtnl_link_alloc();
        int r;

        if (!sk)
                return -1;
        if (!chg)
                abort();
        r = rtnl_link_get_kernel(sk, 0, name, &l);
        if (r >= 0) {
                rtnl_link_unset_flags(chg, IFF_UP);
                r = rtnl_link_change(sk, l, chg, 0);
                if (r >= 0)
                        return 1;
        }
        if (r < 0 && nl_errno(r) != ENODEV && nl_errno(r) != ENOENT)
                return nl_err(err, r, "cannot set link %s down", name);
        return 0;
}

struct route_walk {
        struct ipv4_net *v;
        size_t n;
};

static void route_cb(struct nl_object *obj, void *arg)
{
        struct rtnl_route *rt = (struct rtnl_route *)obj;
        struct route_walk *w = arg;
        struct nl_addr *dst = rtnl_route_get_dst(rt);
        uint32_t be;

        if (rtnl_route_get_family(rt) != AF_INET || rtnl_route_get_table(rt) == RT_TABLE_LOCAL ||
            !dst || nl_addr_get_prefixlen(dst) == 0 || nl_addr_get_len(dst) != 4)
                return;
        memcpy(&be, nl_addr_get_binary_addr(dst), 4);
        int p = (int)nl_addr_get_prefixlen(dst);
        w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
        w->v[w->n].prefix = p;
        w->v[w->n].addr = ntohl(be) & ipv4_mask(p);
        w->n++;
}

int net_host_routes(struct ipv4_net **out, size_t *n, err_t *err)
{
        _cleanup_nl_sock_ struct nl_sock *sk = nl_route_open(-1, err);
        struct nl_cache *cache = NULL;
        struct route_walk w = {NULL, 0};
        int r;

        if (!sk)
                return -1;
        r = rtnl_route_alloc_cache(sk, AF_INET, 0, &cache);
        if (r < 0)
                return nl_err(err, r, "cannot list the host's routes");
        nl_cache_foreach(cache, route_cb, &w);
        nl_cache_free(cache);
        *out = w.v;
        *n = w.n;
        return 0;
}

int net_sysctl_set(const char *key, const char *value, err_t *err)
{
        _cleanup_close_ int dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -1;

        if (dir < 0)
                return err_sys(err, errno, "cannot open /proc/sys");
        if (strstr(key, ".."))
                return err_set(err, EINVAL, "invalid sysctl key %s", key);
        fd = openat(dir, key, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return err_sys(err, errno, "cannot open /proc/sys/%s", key);
        if (write_all(fd, value, strlen(value), err) < 0)
                return err_wrap(err, "cannot write /proc/sys/%s", key);
        return 0;
}

int net_sysctl_get(const char *key, char *buf, size_t len, err_t *err)
{
        _cleanup_close_ int dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = -1;
        ssize_t n;

        if (dir < 0)
                return err_sys(err, errno, "cannot open /proc/sys");
        if (strstr(key, "..") || len == 0)
                return err_set(err, EINVAL, "invalid sysctl key %s", key);
        fd = openat(dir, key, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return err_sys(err, errno, "cannot open /proc/sys/%s", key);
        do
                n = read(fd, buf, len - 1);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return err_sys(err, errno, "cannot read /proc/sys/%s", key);
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

void net_host_ifname(const char *container_id, const char *network_id, char buf[16])
{
        uint32_t h = 2166136261u;

        for (const char *p = container_id; *p; p++)
                h = (h ^ (uint8_t)*p) * 16777619u;
        h = (h ^ '/') * 16777619u;
        for (const char *p = network_id; *p; p++)
                h = (h ^ (uint8_t)*p) * 16777619u;
        snprintf(buf, 16, "veth%08x", h);
}
