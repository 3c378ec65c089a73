/* compose_dns.c - service names in berth-dns: when a container's networks
 * are connected (container_network_setup, before its process runs), its endpoints (address per
 * network, with the container name, the service name, the aliases and the short id) go into the DNS
 * records.  They leave through netwire_release (container removal) and
 * network_remove (the network's entry), whatever command removes them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "compose_up.h"
#include "container_cli.h"
#include "net/dns.h"
#include "net/network.h"

/* Forward names berth does not know to the host's resolvers, as Docker's
 * embedded DNS does.  BERTH_DNS_FORWARD=1/0 turns it on/off; unset, it is on
 * for the real state root and off under BERTH_ROOT, which every test uses: no
 * test may depend on (or send traffic to) the host's resolver. */
static int dns_forward_from_host(net_dns_records_t *r, err_t *err)
{
        const char *env = getenv("BERTH_DNS_FORWARD");
        const char *root = getenv("BERTH_ROOT");
        bool on = env ? strcmp(env, "0") != 0 : !(root && *root);
        if (!on)
                return net_dns_forward_set(r, false, NULL, 2000, err);
        strv_t servers = STRV_INIT;
        _cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
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

int compose_dns_register(const char *cid, const json_t *j, err_t *err)
{
        json_t *nets = json_object_get(json_object_get(j, "NetworkSettings"), "Networks");
        if (!json_object_size(nets))
                return 0;
        net_dns_records_t *r;
        if (net_dns_records_open(&r, err) < 0)
                return -1;
        const char *name;
        json_t *es;
        bool any = false;
        json_object_foreach(nets, name, es)
        {
                const char *ip = json_string_value(json_object_get(es, "IPAddress"));
                const char *netid = json_string_value(json_object_get(es, "NetworkID"));
                const char *gw = json_string_value(json_object_get(es, "Gateway"));
                if (!ip || !*ip || !netid || !*netid)
                        continue;
                _cleanup_json_ json_t *net = NULL;
                bool internal = false;
                if (network_load(netid, &net, err) == 0)
                        internal = json_is_true(json_object_get(net, "Internal"));
                json_t *al = json_object_get(es, "Aliases");
                size_t n = json_array_size(al), i;
                const char **names = xcalloc(n + 4, sizeof(char *));
                json_t *v;
                size_t k = 0;
                /* the container name, as Docker resolves it on user networks */
                const char *cname = json_string_value(json_object_get(j, "Name"));
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
                int rc = net_dns_network_add(r, netid, name, gw ? gw : "", internal, err);
                if (rc == 0)
                        rc = net_dns_endpoint_add(r, netid, cid, ip, NULL, names, err);
                free(names);
                if (rc < 0) {
                        net_dns_records_close(r);
                        return err_wrap(err, "DNS records of %.12s", cid);
                }
                any = true;
        }
        if (!any) {
                net_dns_records_close(r);
                return 0;
        }
        if (dns_forward_from_host(r, err) < 0) {
                net_dns_records_close(r);
                return -1;
        }
        return net_dns_records_commit(r, err);
}
