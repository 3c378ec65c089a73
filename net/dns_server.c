#include "dns_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "dns_wire.h"
#include "dns_zone.h"
#include "xalloc.h"

enum { EV_SIG = 1, EV_UDP, EV_TCPL, EV_CONN, EV_UP };

#define EV(type, idx) (((uint64_t)(type) << 32) | (uint32_t)(idx))
#define UDP_BATCH     64
/* Consecutive unanswered forwards after which the upstreams count as down. */
#define UPSTREAM_DEAD_AFTER 2

typedef struct listener {
        bool used;
        dns_addr_t addr;
        int udp, tcp;
        unsigned gen;
} listener_t;

typedef struct conn {
        int fd;
        unsigned gen;
        dns_addr_t peer;
        size_t li; /* the listener (network) it came in on */
        uint8_t in[2 + DNS_SERVER_TCP_QMAX];
        size_t inlen;
        uint8_t *out; /* 2 + DNS_TCP_MAX, allocated per connection */
        size_t outlen, outoff;
        bool waiting; /* a forwarded query is outstanding */
        uint64_t deadline;
} conn_t;

typedef struct pending {
        bool used;
        int fd; /* connected to the current upstream, -1 between attempts */
        uint16_t client_id, up_id;
        size_t server;
        uint64_t deadline;
        uint8_t query[DNS_SERVER_TCP_QMAX];
        size_t qlen;
        uint8_t qwire[DNS_NAME_MAX];
        size_t qwire_len;
        uint16_t qtype, qclass;
        /* who asked, on which listener (network): the fairness limits */
        dns_addr_t peer;
        size_t li;
        /* where the answer goes */
        bool tcp;
        bool probe; /* sent only to learn whether the upstreams answer again: no client waits */
        size_t idx; /* listener or connection slot */
        unsigned gen;
        struct sockaddr_storage client;
        socklen_t clen;
} pending_t;

typedef struct server {
        const dns_server_opts_t *o;
        int ep, sig;
        dns_zone_t *zone;
        listener_t *ls;
        size_t nls;
        conn_t *conns[DNS_SERVER_MAX_CONNS];
        size_t nconns; /* so the timer scans cost nothing when idle */
        unsigned conn_gen;
        pending_t *pend; /* DNS_SERVER_MAX_PENDING */
        size_t npend;
        /* Forwarded queries in a row that no upstream answered (timeouts,
         * unreachable); from UPSTREAM_DEAD_AFTER on, clients get SERVFAIL at
         * once while one probe at a time finds out when an upstream is back. */
        unsigned up_failures;
        bool probing;
        uint64_t rng;
        uint8_t rbuf[DNS_SERVER_TCP_QMAX];
        uint8_t wbuf[DNS_TCP_MAX];
} server_t;

#define LOG(s, ...)                                                                                \
        do {                                                                                       \
                if ((s)->o->log)                                                                   \
                        (s)->o->log(__VA_ARGS__);                                                  \
        } while (0)

static uint64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint16_t rand16(server_t *s)
{
        /* xorshift64*, seeded from getrandom: IDs of forwarded queries. */
        s->rng ^= s->rng >> 12;
        s->rng ^= s->rng << 25;
        s->rng ^= s->rng >> 27;
        return (uint16_t)((s->rng * 2685821657736338717ull) >> 48);
}

static const char *addr_str(const dns_addr_t *a, char *buf, size_t n)
{
        return inet_ntop(a->family, a->a, buf, (socklen_t)n) ? buf : "?";
}

static void to_sockaddr(const dns_addr_t *a, uint16_t port, struct sockaddr_storage *ss,
                        socklen_t *len)
{
        memset(ss, 0, sizeof(*ss));
        if (a->family == AF_INET) {
                struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
                s4->sin_family = AF_INET;
                s4->sin_port = htons(port);
                memcpy(&s4->sin_addr, a->a, 4);
                *len = sizeof(*s4);
        } else {
                struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
                s6->sin6_family = AF_INET6;
                s6->sin6_port = htons(port);
                memcpy(&s6->sin6_addr, a->a, 16);
                *len = sizeof(*s6);
        }
}

static void from_sockaddr(const struct sockaddr_storage *ss, dns_addr_t *a)
{
        memset(a, 0, sizeof(*a));
        if (ss->ss_family == AF_INET) {
                a->family = AF_INET;
                memcpy(a->a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
        } else {
                const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
                /* v4-mapped askers are the v4 endpoint. */
                if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
                        a->family = AF_INET;
                        memcpy(a->a, s6->sin6_addr.s6_addr + 12, 4);
                } else {
                        a->family = AF_INET6;
                        memcpy(a->a, &s6->sin6_addr, 16);
                }
        }
}

static int ep_add(server_t *s, int fd, uint32_t events, uint64_t tag)
{
        struct epoll_event ev = {.events = events, .data.u64 = tag};
        return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* ---- listeners ------------------------------------------------------------ */

static int open_sock(server_t *s, const dns_addr_t *a, int type, err_t *err)
{
        struct sockaddr_storage ss;
        socklen_t sl;
        int one = 1;
        char buf[INET6_ADDRSTRLEN];

        _cleanup_close_ int fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return err_sys(err, errno, "socket");
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        /* Bind even while the bridge does not carry the address yet. */
        if (a->family == AF_INET)
                setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
        else
                setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
        to_sockaddr(a, s->o->port, &ss, &sl);
        if (bind(fd, (struct sockaddr *)&ss, sl) < 0)
                return err_sys(err, errno, "bind %s port %u/%s", addr_str(a, buf, sizeof(buf)),
                               s->o->port, type == SOCK_DGRAM ? "udp" : "tcp");
        if (type == SOCK_STREAM && listen(fd, 64) < 0)
                return err_sys(err, errno, "listen %s", addr_str(a, buf, sizeof(buf)));
        return TAKE_FD(fd);
}

static void listener_close(listener_t *l)
{
        if (l->udp >= 0)
                close(l->udp);
        if (l->tcp >= 0)
                close(l->tcp);
        l->udp = l->tcp = -1;
        l->used = false;
        l->gen++;
}

static void listener_open(server_t *s, const dns_addr_t *a)
{
        size_t i;
        err_t err;
        for (i = 0; i < s->nls && s->ls[i].used; i++)
                ;
        if (i == s->nls) {
                s->ls = xrealloc(s->ls, (s->nls + 1) * sizeof(*s->ls));
                memset(&s->ls[i], 0, sizeof(*s->ls));
                s->ls[i].udp = s->ls[i].tcp = -1;
                s->nls++;
        }
        listener_t *l = &s->ls[i];
        l->addr = *a;
        l->udp = open_sock(s, a, SOCK_DGRAM, &err);
        if (l->udp >= 0)
                l->tcp = open_sock(s, a, SOCK_STREAM, &err);
        if (l->udp < 0 || l->tcp < 0 || ep_add(s, l->udp, EPOLLIN, EV(EV_UDP, i)) < 0 ||
            ep_add(s, l->tcp, EPOLLIN, EV(EV_TCPL, i)) < 0) {
                if (l->udp >= 0 && l->tcp >= 0)
                        err_sys(&err, errno, "epoll");
                LOG(s, "berth-dns: %s (will retry on the next reload)", err.msg);
                listener_close(l);
                return;
        }
        l->used = true;
}

/* Make the set of listeners match the zone's gateways. */
static void rebind(server_t *s)
{
        size_t n = dns_zone_network_count(s->zone);
        for (size_t i = 0; i < s->nls; i++) {
                if (!s->ls[i].used)
                        continue;
                bool keep = false;
                for (size_t j = 0; j < n && !keep; j++) {
                        dns_addr_t g;
                        keep = dns_zone_gateway(s->zone, j, &g) &&
                               !memcmp(&g, &s->ls[i].addr, sizeof(g));
                }
                if (!keep)
                        listener_close(&s->ls[i]);
        }
        for (size_t j = 0; j < n; j++) {
                dns_addr_t g;
                bool have = false;
                if (!dns_zone_gateway(s->zone, j, &g))
                        continue;
                for (size_t i = 0; i < s->nls && !have; i++)
                        have = s->ls[i].used && !memcmp(&g, &s->ls[i].addr, sizeof(g));
                if (!have)
                        listener_open(s, &g);
        }
}

/* ---- TCP connections ------------------------------------------------------ */

static void conn_close(server_t *s, size_t i)
{
        conn_t *c = s->conns[i];
        if (!c)
                return;
        close(c->fd);
        free(c->out);
        free(c);
        s->conns[i] = NULL;
        s->nconns--;
}

static void conn_arm(server_t *s, size_t i)
{
        conn_t *c = s->conns[i];
        struct epoll_event ev = {.events = c->outlen > c->outoff ? EPOLLOUT : EPOLLIN,
                                 .data.u64 = EV(EV_CONN, i)};
        if (c->waiting)
                ev.events = 0;
        epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Send what is queued; true when all of it went and the connection lives. */
static bool conn_flush(server_t *s, size_t i)
{
        conn_t *c = s->conns[i];
        while (c->outoff < c->outlen) {
                ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                conn_arm(s, i); /* wait for EPOLLOUT */
                                return false;
                        }
                        conn_close(s, i);
                        return false;
                }
                c->outoff += (size_t)w;
        }
        c->outlen = c->outoff = 0;
        c->deadline = now_ms() + DNS_SERVER_TCP_IDLE_MS;
        return true;
}

static bool conn_reply(server_t *s, size_t i, const uint8_t *msg, size_t n)
{
        conn_t *c = s->conns[i];
        dns_put16(c->out, (uint16_t)n);
        memcpy(c->out + 2, msg, n);
        c->outlen = n + 2;
        c->outoff = 0;
        return conn_flush(s, i);
}

static void forward_start(server_t *s, const uint8_t *q, size_t n, bool tcp, size_t idx,
                          unsigned gen, const struct sockaddr_storage *client, socklen_t clen);

/* Answer every complete query in the input buffer, one at a time. */
static void conn_process(server_t *s, size_t i)
{
        conn_t *c = s->conns[i];
        while (c && !c->waiting && c->outlen == 0 && c->inlen >= 2) {
                size_t mlen = dns_get16(c->in);
                if (mlen > DNS_SERVER_TCP_QMAX || mlen == 0) {
                        conn_close(s, i);
                        return;
                }
                if (c->inlen < 2 + mlen)
                        break;
                memcpy(s->rbuf, c->in + 2, mlen);
                memmove(c->in, c->in + 2 + mlen, c->inlen - 2 - mlen);
                c->inlen -= 2 + mlen;
                size_t olen = 0;
                dns_action_t act = dns_zone_respond(s->zone, &c->peer, s->rbuf, mlen, true, s->wbuf,
                                                    sizeof(s->wbuf), &olen);
                if (act == DNS_ACT_DROP) {
                        conn_close(s, i);
                        return;
                }
                if (act == DNS_ACT_FORWARD) {
                        c->waiting = true;
                        conn_arm(s, i);
                        forward_start(s, s->rbuf, mlen, true, i, c->gen, NULL, 0);
                        return;
                }
                if (!conn_reply(s, i, s->wbuf, olen))
                        return;
        }
        conn_arm(s, i);
}

static void conn_readable(server_t *s, size_t i)
{
        conn_t *c = s->conns[i];
        ssize_t r = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (r <= 0) {
                conn_close(s, i);
                return;
        }
        c->inlen += (size_t)r;
        c->deadline = now_ms() + DNS_SERVER_TCP_IDLE_MS;
        conn_process(s, i);
}

static bool same_addr(const dns_addr_t *a, const dns_addr_t *b)
{
        return a->family == b->family && !memcmp(a->a, b->a, a->family == AF_INET ? 4 : 16);
}

static size_t conns_of(const server_t *s, const dns_addr_t *peer)
{
        size_t n = 0;
        for (size_t i = 0; i < DNS_SERVER_MAX_CONNS; i++)
                n += s->conns[i] && same_addr(&s->conns[i]->peer, peer);
        return n;
}

/* A slot for a new connection from peer on listener li, or
 * DNS_SERVER_MAX_CONNS when it is refused.  Fair shares: a client holds at
 * most DNS_SERVER_CONNS_PER_CLIENT, a network DNS_SERVER_CONNS_PER_NET; when
 * every slot is taken, the newcomer gets the oldest connection of the client
 * holding the most, if that one holds at least two more than the newcomer
 * does.  So one container cannot take the TCP service from the others. */
static size_t conn_slot(server_t *s, const dns_addr_t *peer, size_t li)
{
        size_t mine = 0, net = 0, free_i = DNS_SERVER_MAX_CONNS;
        for (size_t i = 0; i < DNS_SERVER_MAX_CONNS; i++) {
                const conn_t *c = s->conns[i];
                if (!c) {
                        if (free_i == DNS_SERVER_MAX_CONNS)
                                free_i = i;
                        continue;
                }
                mine += same_addr(&c->peer, peer);
                net += c->li == li;
        }
        if (mine >= DNS_SERVER_CONNS_PER_CLIENT || net >= DNS_SERVER_CONNS_PER_NET)
                return DNS_SERVER_MAX_CONNS;
        if (free_i < DNS_SERVER_MAX_CONNS)
                return free_i;
        size_t victim = DNS_SERVER_MAX_CONNS, most = 0;
        for (size_t i = 0; i < DNS_SERVER_MAX_CONNS; i++) {
                size_t n = conns_of(s, &s->conns[i]->peer);
                if (n > most || (n == most && victim < DNS_SERVER_MAX_CONNS &&
                                 s->conns[i]->gen < s->conns[victim]->gen)) {
                        most = n;
                        victim = i;
                }
        }
        if (victim == DNS_SERVER_MAX_CONNS || most < mine + 2)
                return DNS_SERVER_MAX_CONNS;
        conn_close(s, victim);
        return victim;
}

static void tcp_accept(server_t *s, size_t li)
{
        listener_t *l = &s->ls[li];
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        dns_addr_t peer;
        int fd = accept4(l->tcp, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
                return;
        from_sockaddr(&ss, &peer);
        size_t i = conn_slot(s, &peer, li);
        if (i == DNS_SERVER_MAX_CONNS) {
                close(fd); /* bounded: the client retries or falls back to UDP */
                return;
        }
        conn_t *c = xcalloc(1, sizeof(*c));
        c->fd = fd;
        c->gen = ++s->conn_gen;
        c->out = xmalloc(2 + DNS_TCP_MAX);
        c->deadline = now_ms() + DNS_SERVER_TCP_IDLE_MS;
        c->peer = peer;
        c->li = li;
        s->conns[i] = c;
        s->nconns++;
        if (ep_add(s, fd, EPOLLIN, EV(EV_CONN, i)) < 0)
                conn_close(s, i);
}

/* ---- UDP ------------------------------------------------------------------ */

static void udp_readable(server_t *s, size_t li)
{
        listener_t *l = &s->ls[li];
        for (int n = 0; n < UDP_BATCH; n++) {
                /* A signal that came in during this burst (a CLI's commit)
                 * is handled before the next query: back to the loop. */
                sigset_t pend;
                if (n > 0 && sigpending(&pend) == 0 &&
                    (sigismember(&pend, SIGHUP) || sigismember(&pend, SIGTERM) ||
                     sigismember(&pend, SIGINT)))
                        return;
                struct sockaddr_storage ss;
                socklen_t sl = sizeof(ss);
                ssize_t r = recvfrom(l->udp, s->rbuf, sizeof(s->rbuf), MSG_DONTWAIT,
                                     (struct sockaddr *)&ss, &sl);
                if (r < 0)
                        return;
                dns_addr_t peer;
                from_sockaddr(&ss, &peer);
                size_t olen = 0;
                dns_action_t act = dns_zone_respond(s->zone, &peer, s->rbuf, (size_t)r, false,
                                                    s->wbuf, sizeof(s->wbuf), &olen);
                if (act == DNS_ACT_REPLY)
                        sendto(l->udp, s->wbuf, olen, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
                else if (act == DNS_ACT_FORWARD)
                        forward_start(s, s->rbuf, (size_t)r, false, li, l->gen, &ss, sl);
        }
}

/* ---- forwarding ----------------------------------------------------------- */

static void deliver(server_t *s, pending_t *p, uint8_t *msg, size_t n)
{
        if (p->probe)
                return;
        dns_put16(msg, p->client_id);
        if (p->tcp) {
                conn_t *c = s->conns[p->idx];
                if (!c || c->gen != p->gen)
                        return;
                c->waiting = false;
                if (conn_reply(s, p->idx, msg, n))
                        conn_process(s, p->idx);
        } else {
                listener_t *l = &s->ls[p->idx];
                if (!l->used || l->gen != p->gen)
                        return;
                sendto(l->udp, msg, n, MSG_DONTWAIT, (struct sockaddr *)&p->client, p->clen);
        }
}

static void pending_free(server_t *s, pending_t *p)
{
        if (p->fd >= 0)
                close(p->fd);
        p->fd = -1;
        if (p->probe)
                s->probing = false;
        if (p->used) {
                p->used = false;
                s->npend--;
        }
}

/* Send p's query to upstream p->server (and onwards); false when none left. */
static bool forward_try(server_t *s, pending_t *p, size_t pi)
{
        while (p->server < dns_zone_upstream_count(s->zone)) {
                socklen_t sl;
                const struct sockaddr_storage *ss = dns_zone_upstream(s->zone, p->server, &sl);
                if (p->fd >= 0)
                        close(p->fd);
                p->fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                p->up_id = rand16(s);
                dns_put16(p->query, p->up_id);
                if (p->fd >= 0 && connect(p->fd, (const struct sockaddr *)ss, sl) == 0 &&
                    send(p->fd, p->query, p->qlen, MSG_DONTWAIT) == (ssize_t)p->qlen &&
                    ep_add(s, p->fd, EPOLLIN, EV(EV_UP, pi)) == 0) {
                        p->deadline = now_ms() + dns_zone_forward_timeout_ms(s->zone);
                        return true;
                }
                p->server++;
        }
        return false;
}

static void forward_fail(server_t *s, pending_t *p)
{
        bool probe = p->probe;
        size_t n = dns_zone_servfail(p->query, p->qlen, p->tcp, s->wbuf, sizeof(s->wbuf));
        pending_free(s, p);
        if (probe)
                return;
        if (n)
                deliver(s, p, s->wbuf, n);
        else if (p->tcp && s->conns[p->idx] && s->conns[p->idx]->gen == p->gen)
                conn_close(s, p->idx);
}

/* No upstream answered p: count it, then fail it. */
static void forward_unanswered(server_t *s, pending_t *p)
{
        if (s->up_failures < UINT32_MAX)
                s->up_failures++;
        forward_fail(s, p);
}

static bool upstreams_down(const server_t *s)
{
        return s->up_failures >= UPSTREAM_DEAD_AFTER;
}

/* Fair shares of the forwarding slots: a client may have
 * DNS_SERVER_PENDING_PER_CLIENT queries out, a network
 * DNS_SERVER_PENDING_PER_NET; beyond that it gets SERVFAIL at once and the
 * others keep theirs. */
static bool pending_allowed(const server_t *s, const dns_addr_t *peer, size_t li)
{
        size_t mine = 0, net = 0;
        for (size_t i = 0; s->npend && i < DNS_SERVER_MAX_PENDING; i++) {
                const pending_t *p = &s->pend[i];
                if (!p->used)
                        continue;
                mine += same_addr(&p->peer, peer);
                net += p->li == li;
        }
        return mine < DNS_SERVER_PENDING_PER_CLIENT && net < DNS_SERVER_PENDING_PER_NET;
}

static void forward_start(server_t *s, const uint8_t *q, size_t n, bool tcp, size_t idx,
                          unsigned gen, const struct sockaddr_storage *client, socklen_t clen)
{
        dns_addr_t peer;
        size_t li = idx;
        if (tcp) {
                peer = s->conns[idx]->peer;
                li = s->conns[idx]->li;
        } else {
                from_sockaddr(client, &peer);
        }
        size_t pi = DNS_SERVER_MAX_PENDING;
        if (pending_allowed(s, &peer, li))
                for (pi = 0; pi < DNS_SERVER_MAX_PENDING && s->pend[pi].used; pi++)
                        ;
        pending_t tmp = {0}, *p = pi < DNS_SERVER_MAX_PENDING ? &s->pend[pi] : &tmp;
        dns_query_t dq;
        p->fd = -1;
        if (p != &tmp) {
                p->used = true;
                s->npend++;
        }
        p->peer = peer;
        p->li = li;
        memcpy(p->query, q, n);
        p->qlen = n;
        p->tcp = tcp;
        p->idx = idx;
        p->gen = gen;
        if (client) {
                p->client = *client;
                p->clen = clen;
        }
        p->server = 0;
        p->probe = false;
        p->client_id = dns_get16(q);
        dns_query_parse(q, n, &dq); /* it parsed in the responder already */
        memcpy(p->qwire, dq.qwire, dq.qwire_len);
        p->qwire_len = dq.qwire_len;
        p->qtype = dq.qtype;
        p->qclass = dq.qclass;
        if (p != &tmp && upstreams_down(s)) {
                /* Answer at once: a resolver waiting on dead upstreams is what
                 * makes applications hang.  The query still goes out, as the
                 * probe, when none is outstanding. */
                bool probe = !s->probing;
                p->probe = false;
                forward_fail(s, p);
                if (!probe)
                        return;
                p->used = true;
                s->npend++;
                p->probe = s->probing = true;
        }
        if (p == &tmp)
                forward_fail(s, p);
        else if (!forward_try(s, p, pi))
                forward_unanswered(s, p);
}

static void upstream_readable(server_t *s, size_t pi)
{
        pending_t *p = &s->pend[pi];
        ssize_t r = recv(p->fd, s->wbuf, sizeof(s->wbuf), MSG_DONTWAIT);
        if (r < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return;
                p->server++; /* ICMP unreachable: next server */
                if (!forward_try(s, p, pi))
                        forward_unanswered(s, p);
                return;
        }
        /* Accept only an answer to our question with our ID. */
        if (r < DNS_HDR_LEN || dns_get16(s->wbuf) != p->up_id || !(s->wbuf[2] & 0x80) ||
            dns_get16(s->wbuf + 4) != 1)
                return;
        uint8_t name[DNS_NAME_MAX];
        size_t off = DNS_HDR_LEN;
        int wl = dns_name_read_wire(s->wbuf, (size_t)r, &off, name);
        if (wl < 0 || (size_t)wl != p->qwire_len || off + 4 > (size_t)r ||
            !dns_wire_name_eq(name, p->qwire, p->qwire_len) ||
            dns_get16(s->wbuf + off) != p->qtype || dns_get16(s->wbuf + off + 2) != p->qclass)
                return;
        s->up_failures = 0; /* an upstream answers */
        pending_free(s, p);
        deliver(s, p, s->wbuf, (size_t)r);
}

/* ---- timers, reload, loop ------------------------------------------------- */

static int next_timeout(server_t *s)
{
        if (!s->nconns && !s->npend)
                return -1;
        uint64_t now = now_ms(), next = UINT64_MAX;
        for (size_t i = 0; s->nconns && i < DNS_SERVER_MAX_CONNS; i++)
                if (s->conns[i] && s->conns[i]->deadline < next)
                        next = s->conns[i]->deadline;
        for (size_t i = 0; s->npend && i < DNS_SERVER_MAX_PENDING; i++)
                if (s->pend[i].used && s->pend[i].deadline < next)
                        next = s->pend[i].deadline;
        if (next == UINT64_MAX)
                return -1;
        return next <= now ? 0 : (int)(next - now);
}

static void expire(server_t *s)
{
        if (!s->nconns && !s->npend)
                return;
        uint64_t now = now_ms();
        for (size_t i = 0; s->nconns && i < DNS_SERVER_MAX_CONNS; i++)
                if (s->conns[i] && s->conns[i]->deadline <= now && !s->conns[i]->waiting)
                        conn_close(s, i);
        for (size_t i = 0; s->npend && i < DNS_SERVER_MAX_PENDING; i++) {
                pending_t *p = &s->pend[i];
                if (!p->used || p->deadline > now)
                        continue;
                p->server++;
                if (!forward_try(s, p, i))
                        forward_unanswered(s, p);
        }
}

static bool same_upstreams(const dns_zone_t *a, const dns_zone_t *b)
{
        size_t n = a ? dns_zone_upstream_count(a) : 0;
        if (!a || !b || n != dns_zone_upstream_count(b))
                return false;
        for (size_t i = 0; i < n; i++) {
                socklen_t la, lb;
                const struct sockaddr_storage *x = dns_zone_upstream(a, i, &la);
                const struct sockaddr_storage *y = dns_zone_upstream(b, i, &lb);
                if (la != lb || memcmp(x, y, la))
                        return false;
        }
        return true;
}

/* Load the records; true when the server should keep running. */
static bool reload(server_t *s)
{
        dns_zone_t *z = NULL;
        err_t err;
        if (dns_zone_load(s->o->records_path, &z, &err) < 0) {
                LOG(s, "berth-dns: reload failed, keeping the old records: %s", err.msg);
                return true;
        }
        if (dns_zone_network_count(z) == 0) {
                dns_zone_free(z);
                z = NULL;
                /* Decide under the records lock, so a CLI adding a network
                 * either sees us gone or is seen by the re-read. */
                int lfd = open(s->o->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
                if (lfd >= 0)
                        while (flock(lfd, LOCK_EX) < 0 && errno == EINTR)
                                ;
                if (dns_zone_load(s->o->records_path, &z, &err) < 0 ||
                    dns_zone_network_count(z) == 0) {
                        dns_zone_free(z);
                        return false; /* lfd stays open (locked) until exit */
                }
                if (lfd >= 0)
                        close(lfd);
        }
        /* Other upstreams (or forwarding switched) get a fresh chance. */
        if (!same_upstreams(s->zone, z))
                s->up_failures = 0;
        /* Pending forwards keep their own copies; just swap the zone. */
        dns_zone_free(s->zone);
        s->zone = z;
        rebind(s);
        return true;
}

/* Drain the signalfd; false when the server should stop. */
static bool handle_signals(server_t *s, bool *empty)
{
        struct signalfd_siginfo si;
        while (read(s->sig, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo != SIGHUP)
                        return false;
                if (!reload(s)) {
                        *empty = true;
                        return false;
                }
        }
        return true;
}

int dns_server_run(const dns_server_opts_t *o, err_t *err)
{
        server_t *s = xcalloc(1, sizeof(*s));
        sigset_t set;
        int ret = 0;
        bool run = true, empty = false;

        s->o = o;
        s->ep = s->sig = -1;
        if (getrandom(&s->rng, sizeof(s->rng), 0) != sizeof(s->rng) || !s->rng)
                s->rng = (uint64_t)now_ms() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
        s->pend = xcalloc(DNS_SERVER_MAX_PENDING, sizeof(*s->pend));
        for (size_t i = 0; i < DNS_SERVER_MAX_PENDING; i++)
                s->pend[i].fd = -1;
        /* Dispositions survive exec: a CLI run under nohup must not
         * leave us deaf to SIGHUP. */
        signal(SIGHUP, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGINT);
        sigprocmask(SIG_BLOCK, &set, NULL);
        signal(SIGPIPE, SIG_IGN);
        s->ep = epoll_create1(EPOLL_CLOEXEC);
        s->sig = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (s->ep < 0 || s->sig < 0 || ep_add(s, s->sig, EPOLLIN, EV(EV_SIG, 0)) < 0) {
                ret = err_sys(err, errno, "berth-dns: epoll/signalfd");
                goto out;
        }
        if (dns_zone_load(o->records_path, &s->zone, err) < 0) {
                ret = -1;
                goto out;
        }
        if (dns_zone_network_count(s->zone) == 0) {
                run = reload(s);
                empty = !run;
        } else
                rebind(s);
        if (o->ready_fd >= 0) {
                (void)!write(o->ready_fd, "1", 1);
                close(o->ready_fd);
        }
        while (run) {
                struct epoll_event evs[64];
                int n = epoll_wait(s->ep, evs, 64, next_timeout(s));
                if (n < 0 && errno != EINTR) {
                        ret = err_sys(err, errno, "berth-dns: epoll_wait");
                        break;
                }
                /* Signals first: a CLI that committed records and
                 * signalled us before its container asked must get the new
                 * records even when both arrive in one wakeup. */
                for (int k = 0; k < n && run; k++)
                        if ((uint32_t)(evs[k].data.u64 >> 32) == EV_SIG)
                                run = handle_signals(s, &empty);
                for (int k = 0; k < n && run; k++) {
                        uint32_t type = (uint32_t)(evs[k].data.u64 >> 32);
                        size_t i = (uint32_t)evs[k].data.u64;
                        switch (type) {
                        case EV_UDP:
                                if (i < s->nls && s->ls[i].used)
                                        udp_readable(s, i);
                                break;
                        case EV_TCPL:
                                if (i < s->nls && s->ls[i].used)
                                        tcp_accept(s, i);
                                break;
                        case EV_CONN:
                                if (i < DNS_SERVER_MAX_CONNS && s->conns[i]) {
                                        if (evs[k].events & EPOLLOUT) {
                                                if (conn_flush(s, i))
                                                        conn_process(s, i);
                                        } else
                                                conn_readable(s, i);
                                }
                                break;
                        case EV_UP:
                                if (i < DNS_SERVER_MAX_PENDING && s->pend[i].used &&
                                    s->pend[i].fd >= 0)
                                        upstream_readable(s, i);
                                break;
                        }
                }
                if (run)
                        expire(s);
        }
out:
        for (size_t i = 0; i < DNS_SERVER_MAX_CONNS; i++)
                conn_close(s, i);
        for (size_t i = 0; i < DNS_SERVER_MAX_PENDING; i++)
                pending_free(s, &s->pend[i]);
        for (size_t i = 0; i < s->nls; i++)
                if (s->ls[i].used)
                        listener_close(&s->ls[i]);
        free(s->ls);
        free(s->pend);
        dns_zone_free(s->zone);
        if (s->ep >= 0)
                close(s->ep);
        if (s->sig >= 0)
                close(s->sig);
        free(s);
        return ret < 0 ? ret : empty ? 1 : 0;
}
