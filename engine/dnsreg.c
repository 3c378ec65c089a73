/* dnsreg.c - container names in berth-dns (dnsreg.h).
 *
 * compose up group-commits: between dnsreg_batch_begin and _end a
 * container's endpoints are queued and flushed at once, and a flush commits
 * everything queued so far in one records write and one SIGHUP, so the
 * containers that start at the same time share commits.  Each container is
 * still in the records before its process runs: berth-dns finds out who
 * asks by the source address and refuses askers it does not know, so a
 * container whose own endpoint is not committed cannot resolve anything. */
#include "dnsreg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "net/dns.h"
#include "net/network.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

/* Forward names berth does not know to the host's resolvers, as Docker's
 * embedded DNS does.  BERTH_DNS_FORWARD=1/0 turns it on/off; unset, it is on
 * for the real state root and off under BERTH_ROOT, which every test uses: no
 * test may depend on (or send traffic to) the host's resolver.
 * BERTH_RESOLV_CONF=FILE reads the upstream servers from FILE instead of
 * /etc/resolv.conf (tests give it resolvers they run themselves). */
static int dns_forward_from_host(net_dns_records_t *r, err_t *err)
{
        const char *env = getenv("BERTH_DNS_FORWARD");
        const char *root = getenv("BERTH_ROOT");
        bool on = env ? strcmp(env, "0") != 0 : !(root && *root);
        if (!on)
                return net_dns_forward_set(r, false, NULL, 2000, err);
        strv_t servers = STRV_INIT;
        const char *conf = getenv("BERTH_RESOLV_CONF");
        _cleanup_fclose_ FILE *f = fopen(conf && *conf ? conf : "/etc/resolv.conf", "re");
        char line[512];
        while (f && fgets(line, sizeof(line), f)) {
                char ns[256];
                struct in6_addr a;
                /* plain addresses only: a scoped IPv6 one cannot be an upstream here */
                if (sscanf(line, "nameserver %255s", ns) == 1 && servers.n < 3 &&
                    (inet_pton(AF_INET, ns, &a) == 1 || inet_pton(AF_INET6, ns, &a) == 1))
                        strv_push(&servers, ns);
        }
        int rc = net_dns_forward_set(r, servers.n > 0, (const char *const *)servers.v, 2000, err);
        strv_free(&servers);
        return rc;
}

/* The endpoints of container cid (document j) into r; *any when one was
 * added.  internal caches each network's Internal flag by id, and says the
 * network is in r already (net_dns_network_add validates the network with
 * all its endpoints: once per commit, not once per endpoint). */
static int add_endpoints(net_dns_records_t *r, const char *cid, const json_t *j, json_t *internal,
                         bool *any, err_t *err)
{
        json_t *nets = rt_doc_networks(j);
        const char *name;
        json_t *es;
        json_object_foreach(nets, name, es)
        {
                struct rt_doc_endpoint ep;
                rt_doc_endpoint(es, &ep);
                const char *ip = ep.ip, *netid = ep.network_id, *gw = ep.gateway;
                if (!ip || !*ip || !netid || !*netid)
                        continue;
                json_t *in = json_object_get(internal, netid);
                bool added = in != NULL;
                if (!in) {
                        _cleanup_json_ json_t *net = NULL;
                        err_t e2;
                        in = json_boolean(network_load_config(netid, &net, &e2) == 0 &&
                                          json_is_true(json_object_get(net, "Internal")));
                        json_object_set_new(internal, netid, in);
                        /* there already, unchanged: no new validation */
                        const json_t *have = json_object_get(
                            json_object_get(net_dns_records_json(r), "networks"), netid);
                        added =
                            have &&
                            !strcmp(json_string_value(json_object_get(have, "name")) ?: "", name) &&
                            !strcmp(json_string_value(json_object_get(have, "gateway")) ?: "",
                                    gw ? gw : "") &&
                            json_is_true(json_object_get(have, "internal")) == json_is_true(in);
                }
                json_t *al = ep.aliases;
                size_t n = json_array_size(al), i;
                const char **names = xcalloc(n + 4, sizeof(char *));
                json_t *v;
                size_t k = 0;
                /* the container name, as Docker resolves it on user networks */
                const char *cname = rt_doc_name(j);
                if (cname && *cname == '/')
                        cname++;
                bool named = false;
                json_array_foreach(al, i, v) named |=
                    cname && !strcmp(json_string_value(v) ?: "", cname);
                if (cname && *cname && !named)
                        names[k++] = cname;
                json_array_foreach(al, i, v) names[k++] = json_string_value(v);
                char shortid[13];
                snprintf(shortid, sizeof(shortid), "%.12s", cid);
                names[k++] = shortid;
                int rc = added ? 0
                               : net_dns_network_add(r, netid, name, gw ? gw : "", json_is_true(in),
                                                     err);
                if (rc < 0)
                        json_object_del(internal, netid);
                else
                        rc = net_dns_endpoint_add(r, netid, cid, ip, NULL, names, err);
                free(names);
                if (rc < 0)
                        return err_wrap(err, "DNS records of %.12s", cid);
                *any = true;
        }
        return 0;
}

/* net_dns_set_rebuild's hook: the records file was damaged; put back every
 * network and the endpoints of every running container (a stopped one has
 * no names, as ever). */
int dnsreg_rebuild(net_dns_records_t *r, err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        _cleanup_json_ json_t *internal = json_object();
        strv_t ids = STRV_INIT;
        bool any = false;
        size_t i;
        json_t *net;

        if (network_list(&all, err) < 0)
                return -1;
        json_array_foreach(all, i, net)
        {
                json_t *cfg =
                    json_array_get(json_object_get(json_object_get(net, "IPAM"), "Config"), 0);
                const char *id = json_string_value(json_object_get(net, "Id"));
                const char *name = json_string_value(json_object_get(net, "Name"));
                const char *gw = json_string_value(json_object_get(cfg, "Gateway"));
                if (!id || !name || !gw || !*gw)
                        continue;
                bool in = json_is_true(json_object_get(net, "Internal"));
                if (net_dns_network_add(r, id, name, gw, in, err) < 0)
                        return -1;
                json_object_set_new(internal, id, json_boolean(in));
                any = true;
        }
        if (rt_ctr_list(&ids, err) < 0)
                return -1;
        int rc = 0;
        for (i = 0; i < ids.n && rc == 0; i++) {
                _cleanup_json_ json_t *j = NULL;
                err_t e2;
                if (!rt_ctr_monitor_alive(ids.v[i], NULL) || rt_ctr_load(ids.v[i], &j, &e2) < 0)
                        continue;
                rc = add_endpoints(r, ids.v[i], j, internal, &any, err);
        }
        strv_free(&ids);
        if (rc == 0 && any)
                rc = dns_forward_from_host(r, err);
        return rc;
}

/* Commit the endpoints of q ([{"id", "doc"}]) in one records write. */
static int commit_endpoints(const json_t *q, err_t *err)
{
        net_dns_records_t *r;
        if (net_dns_records_open(&r, err) < 0)
                return -1;
        _cleanup_json_ json_t *internal = json_object();
        _cleanup_json_ json_t *before = json_deep_copy(net_dns_records_json(r));
        bool any = false;
        size_t i;
        json_t *e;
        json_array_foreach(q, i, e)
        {
                if (add_endpoints(r, json_string_value(json_object_get(e, "id")),
                                  json_object_get(e, "doc"), internal, &any, err) < 0) {
                        net_dns_records_close(r);
                        return -1;
                }
        }
        if (!any || dns_forward_from_host(r, err) < 0) {
                net_dns_records_close(r);
                return any ? -1 : 0;
        }
        /* nothing new (the names of running containers, refreshed by an up
         * that changes nothing) and berth-dns serves them: no write, no SIGHUP */
        if (json_equal(before, (json_t *)net_dns_records_json(r)) && net_dns_server_pid(err) > 0) {
                net_dns_records_close(r);
                return 0;
        }
        return net_dns_records_commit(r, err);
}

/* ---- batching ------------------------------------------------------------ */

static pthread_mutex_t batch_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t batch_cv = PTHREAD_COND_INITIALIZER;
static bool batch_on, batch_busy, batch_failed;
static json_t *batch_q;                      /* queued [{"id", "doc"}] */
static uint64_t batch_queued, batch_written; /* endpoints queued / committed, counted */
static err_t batch_err;                      /* the failure, once a commit failed */
static pthread_t prestart_thr;
static bool prestart_on;

/* Queue (batching: and flush when flush) or commit now. */
static int dns_register(const char *cid, const json_t *j, bool flush, err_t *err)
{
        json_t *nets = rt_doc_networks(j);
        if (!json_object_size(nets))
                return 0;
        pthread_mutex_lock(&batch_mu);
        if (batch_on) {
                /* the parts add_endpoints reads, copied: j changes after this */
                json_array_append_new(batch_q,
                                      json_pack("{s:s, s:{s:s?, s:{s:o}}}", "id", cid, "doc",
                                                "Name", rt_doc_name(j), "NetworkSettings",
                                                "Networks", json_deep_copy(nets)));
                batch_queued++;
                pthread_mutex_unlock(&batch_mu);
                return flush ? dnsreg_flush(err) : 0;
        }
        pthread_mutex_unlock(&batch_mu);
        _cleanup_json_ json_t *q = json_pack("[{s:s, s:O}]", "id", cid, "doc", j);
        return commit_endpoints(q, err);
}

int dnsreg_register(const char *cid, const json_t *j, err_t *err)
{
        return dns_register(cid, j, true, err);
}

int dnsreg_refresh(const char *cid, const json_t *j, err_t *err)
{
        return dns_register(cid, j, false, err);
}

/* Put the project's networks into the records, which starts berth-dns when
 * none runs (a fork, an exec and its socket setup), while the containers
 * are being created. */
static strv_t prestart_nets = STRV_INIT; /* the networks prestart puts in */

static void *prestart(void *arg)
{
        (void)arg;
        net_dns_records_t *r;
        err_t err;
        if (net_dns_records_open(&r, &err) < 0)
                return NULL;
        bool any = false;
        for (size_t i = 0; i < prestart_nets.n; i++) {
                _cleanup_json_ json_t *net = NULL;
                if (network_load_config(prestart_nets.v[i], &net, &err) < 0)
                        continue;
                json_t *cfg =
                    json_array_get(json_object_get(json_object_get(net, "IPAM"), "Config"), 0);
                const char *id = json_string_value(json_object_get(net, "Id"));
                const char *name = json_string_value(json_object_get(net, "Name"));
                const char *gw = json_string_value(json_object_get(cfg, "Gateway"));
                if (!id || !gw || !*gw)
                        continue;
                bool internal = json_is_true(json_object_get(net, "Internal"));
                if (json_object_get(json_object_get(net_dns_records_json(r), "networks"), id))
                        continue; /* there already, and berth-dns with it */
                if (net_dns_network_add(r, id, name, gw, internal, &err) == 0)
                        any = true;
        }
        /* errors are the first flush's to report: it commits again */
        if (any && dns_forward_from_host(r, &err) == 0)
                (void)net_dns_records_commit(r, &err);
        else
                net_dns_records_close(r);
        return NULL;
}

void dnsreg_batch_begin(const strv_t *networks)
{
        pthread_mutex_lock(&batch_mu);
        batch_on = true;
        batch_failed = false;
        if (!batch_q)
                batch_q = json_array();
        pthread_mutex_unlock(&batch_mu);
        if (prestart_on) { /* a batch begun twice: the first prestart is done first */
                pthread_join(prestart_thr, NULL);
                prestart_on = false;
        }
        strv_free(&prestart_nets);
        if (networks)
                strv_copy(&prestart_nets, networks);
        prestart_on = networks && pthread_create(&prestart_thr, NULL, prestart, NULL) == 0;
}

/* With batch_mu held: releases it, then waits for the prestart thread when
 * one runs (marked off first, so that only one caller joins it). */
static void unlock_join_prestart(void)
{
        bool join = prestart_on;
        prestart_on = false;
        pthread_mutex_unlock(&batch_mu);
        if (join)
                pthread_join(prestart_thr, NULL);
}

int dnsreg_flush(err_t *err)
{
        pthread_mutex_lock(&batch_mu);
        uint64_t want = batch_queued;
        while (batch_written < want && !batch_failed) {
                if (batch_busy) {
                        pthread_cond_wait(&batch_cv, &batch_mu);
                        continue;
                }
                batch_busy = true;
                json_t *q = batch_q;
                batch_q = json_array();
                uint64_t upto = batch_queued;
                unlock_join_prestart();
                err_t e;
                int rc = commit_endpoints(q, &e);
                json_decref(q);
                pthread_mutex_lock(&batch_mu);
                batch_busy = false;
                if (rc < 0) {
                        batch_failed = true;
                        batch_err = e;
                } else {
                        batch_written = upto;
                }
                pthread_cond_broadcast(&batch_cv);
        }
        int rc = batch_written < want ? -1 : 0;
        if (rc < 0)
                *err = batch_err;
        pthread_mutex_unlock(&batch_mu);
        return rc;
}

int dnsreg_batch_end(err_t *err)
{
        int rc = dnsreg_flush(err);
        pthread_mutex_lock(&batch_mu);
        batch_on = false;
        json_array_clear(batch_q); /* left only when a commit failed */
        unlock_join_prestart();
        return rc;
}
