/* dns_server.h - the berth-dns event loop: sockets on every network gateway,
 * the responder from dns_zone.h, forwarding, reloads.
 *
 * Single-threaded epoll.  UDP and TCP port 53 (opts.port) on each network's
 * gateway address; sockets use IP_FREEBIND so the server can bind before the
 * bridge carries the address (the CLI may start berth-dns before or after it
 * configures the bridge).  SIGHUP reloads the records file and re-binds
 * (closing sockets of removed networks, opening new ones); SIGTERM/SIGINT
 * stop.  When the records name no network, the loop takes the records lock
 * (so no CLI is half-way through adding one), reads the file again and, if it
 * is still empty, returns: the caller exits while holding that lock.
 *
 * TCP: 2-byte length prefix, queries up to DNS_SERVER_TCP_QMAX bytes, at most
 * DNS_SERVER_MAX_CONNS connections, DNS_SERVER_CONNS_PER_CLIENT per client
 * address and DNS_SERVER_CONNS_PER_NET per network (more are closed at once;
 * when all are taken, a newcomer takes the oldest connection of the client
 * holding the most), each closed after DNS_SERVER_TCP_IDLE_MS without
 * progress.  Forwarded queries use a fresh connected UDP socket and a random
 * ID each, at most DNS_SERVER_MAX_PENDING at a time,
 * DNS_SERVER_PENDING_PER_CLIENT per client and DNS_SERVER_PENDING_PER_NET
 * per network (beyond: SERVFAIL at once); every upstream server gets
 * timeout_ms, in order, then the client gets SERVFAIL.  After two forwarded
 * queries in a row that no upstream answered, clients get SERVFAIL at once
 * (an application must not hang on upstreams that are gone, e.g. a machine
 * without internet) while one query at a time still goes out as a probe; the
 * first answer from an upstream, or a reload with other upstreams, ends that. */
#ifndef BERTH_NET_DNS_SERVER_H
#define BERTH_NET_DNS_SERVER_H

#include <stdint.h>

#include "err.h"

#define DNS_SERVER_MAX_CONNS   64
#define DNS_SERVER_TCP_IDLE_MS 10000
#define DNS_SERVER_TCP_QMAX    4096
#define DNS_SERVER_MAX_PENDING 256
/* Fair shares, so one container cannot take the service from the others. */
#define DNS_SERVER_CONNS_PER_CLIENT   8
#define DNS_SERVER_CONNS_PER_NET      32
#define DNS_SERVER_PENDING_PER_CLIENT 32
#define DNS_SERVER_PENDING_PER_NET    128

typedef struct dns_server_opts {
        const char *records_path; /* the records file */
        const char *lock_path;    /* records lock, taken before exiting when empty */
        uint16_t port;            /* 53 unless testing */
        int ready_fd;             /* written ("1") and closed after the first bind; -1: none */
        void (*log)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
} dns_server_opts_t;

/* Run until there is no network left (returns 1) or SIGTERM/SIGINT (returns
 * 0).  Fails only when the first load does not work.  Blocks SIGHUP, SIGTERM
 * and SIGINT in the calling thread and reads them through a signalfd. */
int dns_server_run(const dns_server_opts_t *opts, err_t *err);

#endif
