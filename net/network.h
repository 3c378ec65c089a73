/* network.h - bridge networks: state, life cycle, endpoints.
 *
 * State: per network, the configuration in berth_lib_dir()/networks/<id>.json
 * and the endpoints (addresses handed out: running containers, and stopped
 * ones with a static address) in berth_run_dir()/networks/<id>.json, so a
 * reboot frees every address.  Both are written atomically;
 * loaded together they read like `docker network inspect` output (Name, Id,
 * Created, Scope, Driver, IPAM, Internal, Options, Labels, Containers) plus
 * a "Berth" object with what only berth needs (bridge name, the last address
 * handed out).  Every change holds an exclusive flock on
 * berth_lib_dir()/networks/.lock, so IPAM decisions see every network.
 *
 * Host effects: creating the first network enables net.ipv4.ip_forward (it
 * is left on: other software may rely on it once on) and creates the
 * nftables table; removing the last network deletes the table. */
#ifndef BERTH_NET_NETWORK_H
#define BERTH_NET_NETWORK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ports.h"

#define NETWORK_DEFAULT_NAME    "bridge"
#define NETWORK_BRIDGE_NAME_OPT "com.docker.network.bridge.name"

struct network_create_opts {
        const char *name;
        const char *driver;   /* NULL or "bridge" */
        const char *subnet;   /* NULL: from the address pools */
        const char *gateway;  /* NULL: first address of the subnet */
        const char *ip_range; /* NULL: the whole subnet */
        bool internal;
        json_t *labels;  /* object of strings, may be NULL (borrowed) */
        json_t *options; /* driver options (-o), may be NULL (borrowed) */
};

/* Create a network; *id_out (may be NULL) gets the new id.  A duplicate name
 * fails with EEXIST "network with name X already exists". */
int network_create(const struct network_create_opts *o, char **id_out, err_t *err);

/* The default `bridge` network: create it if missing (172.17.0.0/16 when
 * free and BERTH_ADDRESS_POOLS is unset, else the pools). */
int network_ensure_default(err_t *err);
/* Recreate the bridge, nftables chains and forwarding set-up of every stored
 * network whose bridge is missing (after a reboot); their names are appended
 * to restored (a JSON array) when it is not NULL. */
int network_restore_all(json_t *restored, err_t *err);

/* Load by exact name, full id or unique id prefix; ENOENT "network X not
 * found". */
int network_load(const char *ref, json_t **out, err_t *err);
/* The same without the endpoints (no Containers; no read of the endpoint
 * state, whose size grows with the network's containers). */
int network_load_config(const char *ref, json_t **out, err_t *err);

/* Every network, sorted by name (a JSON array of the state objects). */
int network_list(json_t **out, err_t *err);

/* Networks whose configuration file is damaged (left out of every other
 * call): a JSON array of {"Id", "Error" (naming the file)}.  network_remove
 * takes their full id or an id prefix. */
int network_corrupt(json_t **out, err_t *err);

/* Remove a network without endpoints (EBUSY naming them otherwise): nft
 * rules, bridge, state; the nft table too when it was the last one. */
int network_remove(const char *ref, err_t *err);

/* Remove every network without endpoints except the default one, and when
 * until_ns is not 0 only those created before it (ns since the epoch); the
 * names removed are appended to removed (a JSON array). */
/* match (NULL: all) is asked about each candidate's Labels object. */
int network_prune(json_t *removed, int64_t until_ns, bool (*match)(const json_t *labels, void *ud),
                  void *ud, err_t *err);

/* One container's endpoint request on one network. */
struct network_endpoint_req {
        const char *container_id;
        const char *container_name;
        const char *ifname;           /* "eth0", "eth1", ... */
        const char *ip;               /* static address or NULL */
        const char *const *aliases;   /* NULL-terminated, may be NULL */
        bool default_route;           /* the container's first network */
        int netns_fd;                 /* -1: only allocate (container not running) */
        const struct port_map *ports; /* published ports (first network only) */
        size_t nports;
};

/* What the container needs to know about its endpoint. */
struct network_endpoint {
        char network_id[65];
        char network_name[256];
        uint32_t ip;
        int prefix;
        uint32_t gateway;
        uint8_t mac[6];
        char host_ifname[16];
};

/* Connect a container: allocate (or reuse this container's existing
 * allocation), record the endpoint and, with a netns, create the veth pair,
 * configure the container side and publish ports.  On failure nothing new
 * stays allocated. */
int network_connect(const char *ref, const struct network_endpoint_req *r,
                    struct network_endpoint *out, err_t *err);

/* What network_endpoint_down does with the endpoint's address.  KEEP and
 * FREE are false and true (the old bool).  One rule for every way an address
 * is freed: only once nothing on the host points at it any more (its DNS
 * names, dropped by the caller first, its port rules, its host veth).  With
 * netns_gone the dying netns deletes the veth pair in the kernel's own time
 * and nobody waits for that (an RCU barrier per link deleted by hand): while
 * the link exists the address stays taken, its endpoint kept, hidden as a
 * stopped one ("Stopped", "Releasing").  The next address allocation on the
 * network (or network_releasing_sweep) frees it once the link is gone, and
 * deletes the link itself when it needs that address; the container's own
 * next start deletes it and allocates afresh. */
enum network_addr_fate {
        NETWORK_ADDR_KEEP = 0, /* stays allocated for the next start */
        NETWORK_ADDR_FREE = 1, /* freed (disconnect, container removal) */
        /* the container stopped: freed, as docker releases a stopped
         * container's address, unless it was asked for (--ip,
         * ipv4_address): that one stays reserved for the next start */
        NETWORK_ADDR_STOPPED = 2,
        /* as FREE, for a removed container whose netns is dying (run --rm):
         * its host end is not even set down (FREE and STOPPED set it down
         * first: the bridge forwards nothing to or from a namespace held
         * beyond its container), so no grace period is waited for */
        NETWORK_ADDR_RELEASE = 3,
};

/* Undo network_connect's host effects: published ports; the host veth
 * unless netns_gone (a dead netns takes its veth pairs with it, and
 * deleting links one by one is slow).  An address is freed last, after its
 * port rules, and after its host veth is gone even with netns_gone (a dying
 * netns may still hold it for a moment): nothing on the host then points at
 * it.  The caller has dropped its DNS names first.  Returns 1 when the
 * endpoint is left "Releasing" (its veth still there): something must sweep
 * it once the veth is gone (network_releasing_wait, then
 * network_releasing_sweep), 0 when it is done, < 0 on error. */
int network_endpoint_down(const char *ref, const char *container_id, bool netns_gone,
                          enum network_addr_fate addr, err_t *err);

/* Is this endpoint record (a value of a network's "Containers") an ended
 * container's address held until its host veth is gone (see
 * network_addr_fate)?  Its names and port rules are gone already. */
bool network_endpoint_releasing(const json_t *ep);

/* Free the addresses of every network's releasing endpoints whose host veth
 * is gone (under the networks lock). */
int network_releasing_sweep(err_t *err);

/* Wait, up to timeout_ms, for the host veths of the releasing endpoints
 * to be gone (no lock held: for a process with
 * time to spare, e.g. a container's watcher).  *had: there were such
 * endpoints.  Returns 1 when some of their links are still there. */
int network_releasing_wait(int timeout_ms, bool *had, err_t *err);

/* Was this endpoint record (a value of a network's "Containers") given a
 * static address, which stays reserved while its container is stopped? */
bool network_endpoint_static(const json_t *ep);

/* Is this endpoint record the static address of a stopped container, kept
 * for its next start (network_endpoint_down with NETWORK_ADDR_STOPPED)?  Such
 * an endpoint is not listed by network inspect and does not keep its network
 * from being removed; the container's next start makes it active again. */
bool network_endpoint_stopped(const json_t *ep);

/* The networks a container has an endpoint on (names, JSON array). */
int network_of_container(const char *container_id, json_t **names, err_t *err);

#endif
