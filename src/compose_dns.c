/* compose_dns.c - service names in berth-dns: when a container's networks
 * are connected (container_network_setup, before its process runs), its endpoints (address per
 * network, with the container name, the service name, the aliases and the short id) go into the DNS
 * records; they leave with the container, and a network's entry with the network. */
#include <errno.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "compose_up.h"
#include "container_cli.h"
#include "net/dns.h"
#include "net/network.h"

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
                const char **names = xcalloc(n + 3, sizeof(char *));
                json_t *v;
                size_t k = 0;
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
        return net_dns_records_commit(r, err);
}

int compose_dns_unregister(const char *id, err_t *err)
{
        net_dns_records_t *r;
        if (net_dns_records_open(&r, err) < 0)
                return -1;
        net_dns_container_remove(r, id);
        return net_dns_records_commit(r, err);
}

int compose_dns_network_remove(const char *net_id, err_t *err)
{
        net_dns_records_t *r;
        if (net_dns_records_open(&r, err) < 0)
                return -1;
        net_dns_network_remove(r, net_id);
        return net_dns_records_commit(r, err);
}
