/* dns_zone.h - berth-dns's in-memory view of the records file and the
 * responder that answers one query from it.
 *
 * dns_zone_build() turns the records JSON (format in dns.h) into hash tables
 * once per load; dns_zone_respond() then answers a query without allocating:
 * it parses into a stack dns_query_t, looks names up in open-addressing
 * tables and builds the answer into the caller's buffer.  No sockets here, so
 * the fuzz target and unit tests drive the same code the server runs. */
#ifndef BERTH_NET_DNS_ZONE_H
#define BERTH_NET_DNS_ZONE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "err.h"

/* Time to live of every local answer, in seconds.  Docker uses 600; berth
 * uses 60 so that a cache inside a container forgets the address of a
 * recreated container within a minute.  Lookups are local and cheap. */
#define DNS_ZONE_TTL 60

typedef struct dns_addr {
        int family; /* AF_INET (4 bytes used) or AF_INET6 */
        uint8_t a[16];
} dns_addr_t;

typedef struct dns_zone dns_zone_t;

int dns_zone_build(const json_t *records, dns_zone_t **out, err_t *err);
/* Read and build; a missing file is an empty zone (no network). */
int dns_zone_load(const char *path, dns_zone_t **out, err_t *err);
void dns_zone_free(dns_zone_t *z);

size_t dns_zone_network_count(const dns_zone_t *z);
/* Gateway address of network i (false when the network has none). */
bool dns_zone_gateway(const dns_zone_t *z, size_t i, dns_addr_t *out);

/* Upstream resolvers, only when forwarding is enabled (else count 0). */
size_t dns_zone_upstream_count(const dns_zone_t *z);
const struct sockaddr_storage *dns_zone_upstream(const dns_zone_t *z, size_t i, socklen_t *len);
unsigned dns_zone_forward_timeout_ms(const dns_zone_t *z);

typedef enum dns_action {
        DNS_ACT_DROP,    /* not a query (no header, or a response): send nothing */
        DNS_ACT_REPLY,   /* out holds the answer */
        DNS_ACT_FORWARD, /* not a local name and the asker may use upstream servers */
} dns_action_t;

/* Answer the query pkt from client.  out must hold at least DNS_UDP_MIN bytes;
 * the answer is limited to 512 bytes over UDP (or the EDNS0 size the client
 * offers, at most DNS_EDNS_MAX) and to outcap over TCP.  Never fails: a
 * malformed query gets FORMERR when its header is readable. */
dns_action_t dns_zone_respond(dns_zone_t *z, const dns_addr_t *client, const uint8_t *pkt,
                              size_t len, bool tcp, uint8_t *out, size_t outcap, size_t *outlen);

/* Build a SERVFAIL for pkt (used when every upstream timed out).  Returns the
 * length, 0 when pkt has no readable header. */
size_t dns_zone_servfail(const uint8_t *pkt, size_t len, bool tcp, uint8_t *out, size_t outcap);

/* Parse "1.2.3.4", "1.2.3.4:5353", "::1" or "[::1]:5353" (default port 53). */
int dns_parse_server(const char *s, struct sockaddr_storage *ss, socklen_t *len, err_t *err);

#endif
