/* netglue.h - containers on networks: the glue between a container's state
 * document (docker-shaped JSON) and net/.
 *
 * Create time (netwire_create): validate the spec's struct ctr_net and record it the way
 * docker does: HostConfig.NetworkMode, PortBindings, PublishAllPorts,
 * ExtraHosts, Dns, Config.ExposedPorts, and NetworkSettings.Networks.<name>
 * with Aliases and IPAMConfig.IPv4Address.
 *
 * Start time, before the monitor exists (netwire_reserve_ports): bind the
 * published host ports so a conflict fails before anything starts; the fds
 * are inherited by the monitor, which keeps them for the container's life.
 *
 * Start time, init blocked in its new netns (netwire_start): connect every
 * network (eth0 = the first, with the default route and the published
 * ports), fill NetworkSettings, write /etc/hosts and /etc/resolv.conf
 * (nameserver = the first network's gateway, where berth's DNS server
 * listens, unless --dns was given).
 *
 * --network container:REF joins the network namespace of that running
 * container (the monitor opens it at each start): no endpoint and no ports of
 * its own; NetworkMode records "container:<full id>", the container takes the
 * target's hostname and, at start, copies of its hosts and resolv.conf.
 *
 * Stop/removal (netwire_release): drop the DNS names, unpublish ports; the
 * veth pairs die with the netns; then the addresses are freed (at a stop,
 * all but static ones), each only once its host veth is gone (until then it
 * stays taken: see network_addr_fate; nobody waits for that). */
#ifndef BERTH_ENGINE_NETGLUE_H
#define BERTH_ENGINE_NETGLUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/strv.h"
#include "spec.h"

/* Validate o (a spec's network part; hostname_set: the spec names a
 * hostname, which conflicts with container:) and record it in the container
 * document j (which must hold Config and HostConfig; Config.ExposedPorts
 * already holds the image's EXPOSE entries).  Creates the default `bridge`
 * network when it is used for the first time.  Warnings (docker's texts,
 * e.g. published ports with the host network) are appended to warnings for
 * the caller to print. */
int netwire_create(json_t *j, const struct ctr_net *o, bool hostname_set, strv_t *warnings,
                   err_t *err);

/* Bind the host ports of j's PortBindings / PublishAllPorts, record the
 * chosen ports in NetworkSettings.Ports, and return the bound fds
 * (O_CLOEXEC; *fds NULL when none). */
int netwire_reserve_ports(json_t *j, int **fds, size_t *nfds, err_t *err);

/* Connect the container (init pid, blocked in its netns) to its networks and
 * write its hosts and resolv.conf files.  On failure nothing stays
 * published and the caller aborts the container (its netns, and with it
 * the veth pairs, go away). */
int netwire_start(const char *id, pid_t pid, json_t *j, err_t *err);

/* The container stopped (remove = false: its DNS records go, as docker drops
 * a stopped container's names, then its addresses are freed as docker does,
 * but a static one (--ip) stays reserved for the next start) or is
 * being removed (remove = true: the addresses are freed too; its DNS records go;
 * so do they in netwire_disconnect, netwire_forget and netwire_gc).  Networks or endpoints
 * that are already gone are not an error. */
int netwire_release(const char *id, json_t *j, bool remove, err_t *err);

/* on: this process's netwire_release calls are group-committed from now on
 * (the parallel stops and removals of compose down, stop, rm): the names of
 * every container released meanwhile go in one DNS records write, then
 * their endpoints; each call still returns once its own release is done.
 * off: the end of one such stretch (they nest). */
void netwire_release_batch(bool on);

/* Removal of a container whose state file is lost or damaged: every
 * endpoint the networks' state gives it, its ports and its DNS records. */
int netwire_release_state(const char *id, err_t *err);

/* `network connect` on a container document: record the network (and, when
 * the container runs as pid > 0, attach it now as the next ethN). */
int netwire_connect(const char *id, pid_t pid, json_t *j, const char *net, const char *ip,
                    const strv_t *aliases, err_t *err);
/* `network disconnect`: detach (running) and forget the network. */
int netwire_disconnect(const char *id, pid_t pid, json_t *j, const char *net, err_t *err);

/* Free every endpoint of container id (it exited and is being removed):
 * its names and port rules go now, its addresses once its dying netns has
 * taken its veth pairs (NETWORK_ADDR_RELEASE: nobody waits for that, nor
 * for its host veths to go down). */
int netwire_forget(const char *id, err_t *err);

/* netwire_gc, and once more when the veths of ended containers whose
 * addresses wait for them are gone, waiting up to timeout_ms for that (for
 * the watcher of a container's monitor). */
int netwire_gc_settle(int timeout_ms, err_t *err);

/* True once this process left an address waiting for the veth of a
 * container whose monitor is gone (so no watcher of it will free it): the
 * command then leaves a settler behind (`berth __settle`:
 * netwire_gc_settle), or the address would stay taken until the next
 * command on its network. */
bool netwire_settle_needed(void);

/* The caller knows that the monitors of the containers this process
 * released were alive after those releases: their watchers free what was
 * left waiting (netwire_gc_settle), no settler is needed. */
void netwire_settle_left_to_watcher(void);

/* Endpoints whose container is gone (removed by its monitor after --rm, or
 * by a crash) are freed; endpoints of containers that no longer run lose
 * their names and port rules, then their addresses unless static (each
 * once its host veth is gone: network_releasing_sweep).  Cheap when there
 * is nothing to do. */
int netwire_gc(err_t *err);

/* "80/tcp -> 0.0.0.0:8080" lines of `berth port` (optionally only for
 * private port spec "80" or "80/tcp"), appended to out. */
int netwire_port_lines(json_t *j, const char *filter, strv_t *out, err_t *err);

/* docker ps's PORTS column: "127.0.0.1:8080->80/tcp, 443/tcp" (caller frees). */
char *netwire_ports_summary(json_t *j);

#endif
