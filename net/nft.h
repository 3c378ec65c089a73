/* nft.h - nftables rules for networks and published ports (libnftables).
 *
 * One table per berth instance (`ip <berth_instance_name()>`), created with
 * the first network and deleted with the last one, so the host's other rules
 * are never touched.  Base chains dispatch through verdict maps keyed by
 * bridge name (forward isolation, masquerade) and by protocol . port
 * (published ports), and every network and every container owns named
 * chains: adding or removing one is exact (delete its map elements, flush
 * and delete its chains) and never renumbers anybody else's rules.
 *
 *   prerouting/output (nat): fib daddr type local: l4proto . dport vmap @pub
 *                            -> chain c-<ctr>: [ip daddr H] dport P dnat to IP:CP
 *   postrouting (nat):       127.0.0.0/8 -> a bridge: masquerade (localhost
 *                            publishing; the bridge has route_localnet=1);
 *                            iifname vmap @masq -> n-<net>-masq: leaving the
 *                            bridge: masquerade (not for --internal)
 *   input (filter):          from a berth bridge to 127.0.0.0/8 and not
 *                            DNAT'ed: drop (CVE-2020-8558)
 *   forward (filter):        established/related and DNAT'ed: accept;
 *                            iifname vmap @fwd_in, oifname vmap @fwd_out ->
 *                            n-<net>-in/out: same bridge accept, another
 *                            berth bridge drop, --internal: anything else
 *                            drop; unsolicited traffic from outside: drop;
 *                            when berth turned ip_forward on: whatever
 *                            neither enters nor leaves a bridge: drop. */
#ifndef BERTH_NET_NFT_H
#define BERTH_NET_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ports.h"

struct nft_net {
        const char *id;     /* network id (the first 12 characters name the chains) */
        const char *bridge; /* bridge interface name */
        bool internal;      /* no egress, no masquerade */
        bool drop_foreign;  /* berth enabled ip_forward: drop forwarding between non-bridges */
};

/* Create the table if missing and add the network's chains and elements
 * (idempotent). */
int nft_network_add(const struct nft_net *n, err_t *err);
/* Remove the network's elements and chains (already gone = success). */
int nft_network_remove(const struct nft_net *n, err_t *err);
/* DNAT the container's published ports to ip (host byte order).  A host
 * port already published by another container fails with EADDRINUSE. */
int nft_ports_add(const char *container_id, uint32_t ip, const struct port_map *m, size_t n,
                  err_t *err);
int nft_ports_remove(const char *container_id, const struct port_map *m, size_t n, err_t *err);
/* *any = another berth instance's table exists on the host. */
int nft_other_instances(bool *any, err_t *err);
/* Delete the whole table (missing = success). */
int nft_table_delete(err_t *err);

/* libnftables is loaded with dlopen() when first needed (nft_lazy.c):
 * load it now, or < 0 with the loader's message. */
int nft_lib_load(err_t *err);

#endif
