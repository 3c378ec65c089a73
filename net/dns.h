/* dns.h - the CLI's side of container name resolution: the records file that
 * berth-dns serves, and starting/signalling berth-dns.
 *
 * Contract between the CLI and berth-dns
 * --------------------------------------
 * Records file: <berth_run_dir()>/dns/records.json, replaced atomically
 * (json_write_atomic) and only while holding the records lock
 * <run>/dns/records.lock (flock, exclusive).  Use net_dns_records_open() /
 * net_dns_records_commit(), which do both.  Format:
 *
 *   {"networks": {"<network id>": {
 *        "name": "proj_default", "gateway": "10.89.0.1", "internal": false,
 *        "endpoints": [{"container": "<id>", "ipv4": "10.89.0.2", "ipv6": null,
 *                       "names": ["proj-web-1", "web", "alias1", "<12 hex id>"]}]}},
 *    "forward": {"enabled": false, "servers": ["192.0.2.53", "[2001:db8::1]:53"],
 *                "timeout_ms": 2000},
 *    "search": ["corp.example"]}          (optional)
 *
 * What berth-dns answers (port 53 UDP and TCP on every network's gateway):
 * - A / AAAA / ANY for every name of an endpoint, and for "<name>.<network
 *   name>" (docker's form, scoped to that network).  Names match case-
 *   insensitively, with or without the trailing dot; a name ending in
 *   ".<search suffix>" is also tried without it.  A name that exists but has
 *   no address of the asked family gets an empty NOERROR answer.
 * - PTR for in-addr.arpa / ip6.arpa names of endpoint addresses: the
 *   endpoint's first name.
 * - Scoping: the asker is found by its source address among all endpoints;
 *   it sees names on every network its container (same "container" id) is
 *   attached to.  Askers that are no endpoint (e.g. the host) get REFUSED.
 * - Several visible endpoints with one name: all addresses, rotated by one
 *   position per query (round robin).
 * - TTL DNS_ZONE_TTL (60 s).  Other names: forwarded to "forward.servers"
 *   when forwarding is enabled and the asker is on at least one non-internal
 *   network, else NXDOMAIN.  Malformed queries: FORMERR, or dropped when not
 *   even the header is readable.
 * - Limits: gateways are IPv4 (no listener on an IPv6 gateway yet); a query
 *   that arrived over TCP is forwarded over UDP, so a truncated upstream
 *   answer reaches that client truncated.
 *
 * How the CLI uses it (each step: open, change, commit; batch freely):
 * - network create: net_dns_network_add(id, name, gateway, internal).  The
 *   first commit with a network starts berth-dns (it binds with IP_FREEBIND,
 *   so before or after the bridge gets its address both work).
 * - container attach, once IPAM gave it addresses and before its process
 *   starts: net_dns_endpoint_add() per network, names = container name,
 *   service name, aliases, 12-hex short id.  The commit signals berth-dns,
 *   which reloads before it answers any UDP query sent after the commit.
 * - container rm (or stop, as docker drops stopped containers from DNS):
 *   net_dns_container_remove(); network rm: net_dns_network_remove() (with
 *   the last network gone berth-dns exits).
 * - forwarding: net_dns_forward_set(true, host nameservers from
 *   /etc/resolv.conf, 2000).  berth-dns runs in the host network namespace,
 *   so loopback resolvers such as 127.0.0.53 work as upstreams.
 * - the container's /etc/resolv.conf: "nameserver <first network's
 *   gateway>", plus the user's search domains/options if any.
 *
 * Process: berth-dns holds an fcntl write lock on <run>/dns/pid (which holds
 * its pid; F_GETLK reports the holder, so the pid read is never stale), so
 * one runs per BERTH_ROOT.  SIGHUP makes it reload.  It exits by itself when
 * the records file names no network (deciding under the records lock, so it
 * never exits under a CLI that is adding one).  Its stderr goes to
 * <run>/dns/log. */
#ifndef BERTH_NET_DNS_H
#define BERTH_NET_DNS_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"

typedef struct net_dns_records net_dns_records_t;

/* Lock the records and read them (an absent file is empty).  Every
 * successful open must end in net_dns_records_commit or _close.
 * A damaged file (it does not parse: truncated, emptied, garbage) is moved
 * to records.json.bad and the records are rebuilt into empty ones by the
 * hook net_dns_set_rebuild() installed (the CLI: every network and the
 * endpoints of every running container), written and served at once; with
 * no hook installed the open fails, naming the file. */
int net_dns_records_open(net_dns_records_t **out, err_t *err);

/* why: "<file>:<line>:<col>: invalid JSON: ..." */
typedef int (*net_dns_rebuild_fn)(net_dns_records_t *r, const char *why, err_t *err);
void net_dns_set_rebuild(net_dns_rebuild_fn fn);

/* The records as JSON (borrowed; for inspection). */
const json_t *net_dns_records_json(const net_dns_records_t *r);

/* Add a network or update its name/gateway/internal (endpoints are kept). */
int net_dns_network_add(net_dns_records_t *r, const char *id, const char *name, const char *gateway,
                        bool internal, err_t *err);
/* Remove a network and its endpoints; absent is fine. */
bool net_dns_network_remove(net_dns_records_t *r, const char *id); /* true: was there */

/* Add an endpoint to a network (the network must exist), replacing the
 * container's previous endpoint there.  ipv4/ipv6 may be NULL; names is
 * NULL-terminated (container name, service name, aliases, short id). */
int net_dns_endpoint_add(net_dns_records_t *r, const char *net_id, const char *container,
                         const char *ipv4, const char *ipv6, const char *const *names, err_t *err);
/* Remove a container's endpoint from one network / from every network;
 * true when there was one. */
bool net_dns_endpoint_remove(net_dns_records_t *r, const char *net_id, const char *container);
bool net_dns_container_remove(net_dns_records_t *r, const char *container);

/* Forwarding to upstream resolvers ("IP", "IP:port", "[IPv6]:port"). */
int net_dns_forward_set(net_dns_records_t *r, bool enabled, const char *const *servers,
                        unsigned timeout_ms, err_t *err);

/* Write the records atomically, then make berth-dns serve them: start it
 * when a network exists and none runs, else SIGHUP it (with no network left
 * it exits).  Unlocks and frees r, also on failure. */
int net_dns_records_commit(net_dns_records_t *r, err_t *err);
/* Unlock and free without writing. */
void net_dns_records_close(net_dns_records_t *r);

/* Start berth-dns if it is not running, else make it reload.  Takes the
 * records lock.  The binary is $BERTH_DNS_BIN, or berth-dns next to the
 * running executable. */
int net_dns_ensure_running(err_t *err);

/* Pid of the running berth-dns, 0 if none. */
int net_dns_server_pid(err_t *err);

#endif
