/* netsetup - per-container network setup cost.
 *
 * For N fresh network namespaces (unshare(CLONE_NEWNET) in a short-lived
 * thread, kept alive by an fd) measure:
 *   attach   net_attach(): veth pair with the peer created inside the netns,
 *            lo up, address, default route (the kernel work)
 *   connect  network_connect(): the same plus the lock, IPAM, JSON state
 *            write and nft rules for one published port (what a container
 *            start pays)
 *   nsopen   opening a netlink socket inside a netns from a thread (what
 *            berth does) versus from a forked child passing the fd back
 * Teardown is closing the netns fd: the kernel takes the veth with it.
 *
 * Run through bench/netsetup.sh (needs root). */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipam.h"
#include "netlink.h"
#include "network.h"
#include "ports.h"

static double now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *new_netns_thread(void *p)
{
        int *fd = p;
        if (unshare(CLONE_NEWNET) < 0)
                return NULL;
        *fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        return NULL;
}

static int new_netns(void)
{
        pthread_t t;
        int fd = -1;
        pthread_create(&t, NULL, new_netns_thread, &fd);
        pthread_join(t, NULL);
        if (fd < 0) {
                perror("netns");
                exit(1);
        }
        return fd;
}

struct nsarg {
        int nsfd, sock;
};

static void *sock_thread(void *p)
{
        struct nsarg *a = p;
        if (setns(a->nsfd, CLONE_NEWNET) == 0)
                a->sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        return NULL;
}

static int sock_via_thread(int nsfd)
{
        struct nsarg a = {nsfd, -1};
        pthread_t t;
        pthread_create(&t, NULL, sock_thread, &a);
        pthread_join(t, NULL);
        return a.sock;
}

static int sock_in_place(int nsfd)
{
        int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), s = -1;
        if (self >= 0 && setns(nsfd, CLONE_NEWNET) == 0) {
                s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
                if (setns(self, CLONE_NEWNET) < 0)
                        abort();
        }
        close(self);
        return s;
}

static int sock_via_fork(int nsfd)
{
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
                return -1;
        pid_t pid = fork();
        if (pid == 0) {
                int s = -1;
                if (setns(nsfd, CLONE_NEWNET) == 0)
                        s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
                char c = 0, buf[CMSG_SPACE(sizeof(int))];
                struct iovec iov = {&c, 1};
                struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
                if (s >= 0) {
                        m.msg_control = buf;
                        m.msg_controllen = sizeof(buf);
                        struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
                        cm->cmsg_level = SOL_SOCKET;
                        cm->cmsg_type = SCM_RIGHTS;
                        cm->cmsg_len = CMSG_LEN(sizeof(int));
                        memcpy(CMSG_DATA(cm), &s, sizeof(int));
                }
                _exit(sendmsg(sp[1], &m, 0) == 1 ? 0 : 1);
        }
        close(sp[1]);
        char c, buf[CMSG_SPACE(sizeof(int))];
        struct iovec iov = {&c, 1};
        struct msghdr m = {
            .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)};
        int s = -1;
        if (recvmsg(sp[0], &m, MSG_CMSG_CLOEXEC) == 1 && CMSG_FIRSTHDR(&m))
                memcpy(&s, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
        close(sp[0]);
        waitpid(pid, NULL, 0);
        return s;
}

static int cmp(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return x < y ? -1 : x > y;
}

static void report(const char *name, double *v, int n)
{
        qsort(v, (size_t)n, sizeof(*v), cmp);
        printf("%-34s p50 %7.3f ms   p90 %7.3f ms   min %7.3f ms   (n=%d)\n", name, v[n / 2],
               v[n * 9 / 10], v[0], n);
}

int main(int argc, char **argv)
{
        int n = argc > 1 ? atoi(argv[1]) : 40;
        double *ta = calloc((size_t)n, sizeof(double)), *tc = calloc((size_t)n, sizeof(double));
        double *tt = calloc((size_t)n, sizeof(double)), *tf = calloc((size_t)n, sizeof(double));
        double *tp = calloc((size_t)n, sizeof(double)), *tn = calloc((size_t)n, sizeof(double));
        err_t err;

        if (n < 2 || n > 200) {
                fprintf(stderr, "usage: netsetup [N (2-200)]\n");
                return 2;
        }
        struct network_create_opts o = {.name = "bt1bench", .subnet = "10.231.250.0/24"};
        if (network_create(&o, NULL, &err) < 0) {
                fprintf(stderr, "netsetup: %s\n", err.msg);
                return 1;
        }
        json_t *net = NULL;
        if (network_load("bt1bench", &net, &err) < 0) {
                fprintf(stderr, "netsetup: %s\n", err.msg);
                return 1;
        }
        const char *bridge =
            json_string_value(json_object_get(json_object_get(net, "Berth"), "Bridge"));

        int rc = 0;
        int *ns = calloc((size_t)n, sizeof(int));
        struct port_map **pms = calloc((size_t)n, sizeof(*pms));
        size_t *nps = calloc((size_t)n, sizeof(size_t));

        /* Each phase on its own fresh namespaces, created before the clock
         * starts; the previous phase's namespaces are destroyed (in a kernel
         * worker that takes the RTNL lock) before it starts. */
        for (int i = 0; i < n; i++)
                ns[i] = new_netns();
        for (int i = 0; i < n; i++) {
                double t0 = now_ms();
                int s = sock_via_thread(ns[i]);
                tt[i] = now_ms() - t0;
                close(s);
                t0 = now_ms();
                s = sock_via_fork(ns[i]);
                tf[i] = now_ms() - t0;
                close(s);
                t0 = now_ms();
                s = sock_in_place(ns[i]);
                tp[i] = now_ms() - t0;
                close(s);
        }
        /* raw attach: addresses 10.231.250.100+ (away from IPAM's picks) */
        for (int i = 0; i < n && rc == 0; i++) {
                char host[16];
                snprintf(host, sizeof(host), "bt1b%d", i);
                struct net_attach_req a = {.netns_fd = ns[i],
                                           .bridge = bridge,
                                           .host_ifname = host,
                                           .ifname = "eth0",
                                           .ip = 0x0ae7fa64u + (uint32_t)i,
                                           .prefix = 24,
                                           .gateway = 0x0ae7fa01u,
                                           .default_route = true};
                ipam_mac_from_ip(a.ip, a.mac);
                double t0 = now_ms();
                if (net_attach(&a, &err) < 0) {
                        fprintf(stderr, "netsetup: attach: %s\n", err.msg);
                        rc = 1;
                }
                ta[i] = now_ms() - t0;
        }
        for (int phase = 0; phase < 2 && rc == 0; phase++) {
                for (int i = 0; i < n; i++)
                        close(ns[i]);
                sleep(1);
                for (int i = 0; i < n; i++)
                        ns[i] = new_netns();
                for (int i = 0; i < n && rc == 0; i++) {
                        char id[32], spec[32];
                        snprintf(id, sizeof(id), "c%d-%d", phase, i);
                        snprintf(spec, sizeof(spec), "127.0.0.1:%d:80", 19400 + i);
                        if (phase == 1)
                                port_spec_parse(spec, &pms[i], &nps[i], &err);
                        struct network_endpoint_req r = {.container_id = id,
                                                         .container_name = id,
                                                         .ifname = "eth0",
                                                         .default_route = true,
                                                         .netns_fd = ns[i],
                                                         .ports = pms[i],
                                                         .nports = nps[i]};
                        struct network_endpoint ep;
                        double t0 = now_ms();
                        if (network_connect("bt1bench", &r, &ep, &err) < 0) {
                                fprintf(stderr, "netsetup: connect: %s\n", err.msg);
                                rc = 1;
                        }
                        (phase ? tc : tn)[i] = now_ms() - t0;
                }
                for (int i = 0; i < n && rc == 0; i++) {
                        char id[32];
                        snprintf(id, sizeof(id), "c%d-%d", phase, i);
                        if (network_endpoint_down("bt1bench", id, true, true, &err) < 0) {
                                fprintf(stderr, "netsetup: down: %s\n", err.msg);
                                rc = 1;
                        }
                }
        }
        for (int i = 0; i < n; i++) {
                close(ns[i]);
                free(pms[i]);
        }
        free(ns);
        free(pms);
        free(nps);
        json_decref(net);
        if (rc == 0) {
                report("netlink socket in netns (thread)", tt, n);
                report("netlink socket in netns (fork)", tf, n);
                report("netlink socket in netns (setns+back)", tp, n);
                report("attach (veth+addr+route)", ta, n);
                report("connect, no ports (+IPAM+state)", tn, n);
                report("connect, 1 port (+nft rules)", tc, n);
        }
        /* The netns cleanup is asynchronous; the bridge can go regardless. */
        if (network_remove("bt1bench", &err) < 0) {
                fprintf(stderr, "netsetup: %s\n", err.msg);
                rc = 1;
        }
        return rc;
}
