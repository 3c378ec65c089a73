/* dnsreg.h - container names in berth-dns.
 *
 * When a container's networks are connected (ctr_network_setup, before its
 * process runs), its endpoints (its address on each network, with the
 * container name, the aliases and the short id) go into the DNS records.
 * They leave through netwire_release (container removal) and
 * network_remove (the network's entry), whatever command removes them. */
#ifndef BERTH_ENGINE_DNSREG_H
#define BERTH_ENGINE_DNSREG_H

#include <jansson.h>

#include "base/err.h"
#include "base/strv.h"
#include "net/dns.h"

/* Add the endpoints of container id (j: its document once netwire_start
 * filled NetworkSettings), so its names resolve before its process runs. */
int dnsreg_register(const char *id, const json_t *j, err_t *err);
/* Rebuild damaged records (for net_dns_set_rebuild's hook: the caller
 * prints why they were damaged): every network and the endpoints of every
 * running container. */
int dnsreg_rebuild(net_dns_records_t *r, err_t *err);
/* Group commit (compose up): from begin on, dnsreg_register queues
 * (thread-safe) and flushes; dnsreg_flush commits what is queued so far in
 * one records write + one SIGHUP, and flushes running at the same time
 * share a commit.  begin also puts the existing networks named in networks
 * (copied; NULL: none) into the records in the background, so berth-dns
 * starts while containers are created.  end flushes and stops queueing; a
 * failed commit fails every later flush of the batch. */
void dnsreg_batch_begin(const strv_t *networks);
/* The names of a container that already runs, again: batching, queued for
 * the next flush (batch_end at the latest), else committed now.  A commit
 * that changes nothing while berth-dns runs writes nothing. */
int dnsreg_refresh(const char *id, const json_t *j, err_t *err);
int dnsreg_flush(err_t *err);
int dnsreg_batch_end(err_t *err);

#endif
