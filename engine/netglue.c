#include "netglue.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "net/dns.h"
#include "net/ipam.h"
#include "net/netlink.h"
#include "net/network.h"
#include "net/ports.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

#define IFNAME_OPT "com.docker.network.endpoint.ifname"

static json_t *obj_child(json_t *parent, const char *key)
{
        json_t *o = json_object_get(parent, key);
        if (!json_is_object(o)) {
                o = json_object();
                json_object_set_new(parent, key, o);
        }
        return o;
}

static const char *mode_of(json_t *j)
{
        const char *m = rt_doc_network_mode(j);
        return m && *m ? m : "default";
}

static bool is_default_mode(const char *m)
{
        return !strcmp(m, "default") || !strcmp(m, "bridge");
}

/* "container:ID": the id whose network namespace the container joins, else NULL. */
static const char *joined_id(const char *m)
{
        return strncmp(m, "container:", 10) ? NULL : m + 10;
}

static const char *ctr_name(json_t *j)
{
        const char *n = jobj_str0(j, "Name");
        return n[0] == '/' ? n + 1 : n;
}

/* Set once this process leaves an endpoint "Releasing" (its address held
 * until the dying namespace lets its veth go) for a container whose monitor
 * is gone.  That monitor's watcher, which frees such addresses once their
 * veths are gone (netwire_gc_settle), may have run already, or will never
 * run: the process then hands the wait to a settler as it exits
 * (netwire_settle_needed).  A container whose monitor is still alive leaves
 * it to its watcher: the watcher's wait starts after the monitor is gone,
 * so after this endpoint was saved. */
static atomic_bool settle_needed;

bool netwire_settle_needed(void)
{
        return atomic_load(&settle_needed);
}

void netwire_settle_left_to_watcher(void)
{
        atomic_store(&settle_needed, false);
}

/* network_endpoint_down: 0 done, 1 left releasing (noted), < 0 error */
static int endpoint_down(const char *net, const char *id, bool netns_gone,
                         enum network_addr_fate fate, err_t *err)
{
        int r = network_endpoint_down(net, id, netns_gone, fate, err);
        if (r > 0 && !atomic_load(&settle_needed) && !rt_ctr_monitor_alive(id, NULL))
                atomic_store(&settle_needed, true);
        return r;
}

static json_t *new_endpoint_settings(const char *netid, const strv_t *aliases, const char *ip)
{
        json_t *a = json_array();
        for (size_t i = 0; i < (aliases ? aliases->n : 0); i++)
                json_array_append_new(a, json_string(aliases->v[i]));
        return json_pack(
            "{s:s, s:o, s:o, s:s, s:i, s:s, s:s, s:s, s:{}}", "NetworkID", netid, "Aliases", a,
            "IPAMConfig", ip ? json_pack("{s:s}", "IPv4Address", ip) : json_null(), "IPAddress", "",
            "IPPrefixLen", 0, "Gateway", "", "MacAddress", "", "EndpointID", "", "DriverOpts");
}

/* Check a static address against the network's subnet at create time. */
static int check_static_ip(json_t *net, const char *ip, err_t *err)
{
        json_t *cfg = json_array_get(json_object_get(json_object_get(net, "IPAM"), "Config"), 0);
        struct ipv4_net subnet;
        uint32_t gw, a;

        if (ipv4_net_parse(jobj_str0(cfg, "Subnet"), &subnet, err) < 0 ||
            ipv4_parse(jobj_str0(cfg, "Gateway"), &gw, err) < 0 || ipv4_parse(ip, &a, err) < 0 ||
            ipam_check_ip(&subnet, gw, NULL, 0, a, err) < 0)
                return err_wrap(err, "invalid --ip for network %s", jobj_str0(net, "Name"));
        return 0;
}

/* Every published port of o (typed; what berth cannot publish is refused
 * here, naming the port as it was written) into HostConfig.PortBindings and
 * Config.ExposedPorts. */
static int record_ports(json_t *j, const struct ctr_net *o, err_t *err)
{
        json_t *hc = obj_child(j, "HostConfig"), *cfg = obj_child(j, "Config");
        json_t *pb = obj_child(hc, "PortBindings"), *ex = obj_child(cfg, "ExposedPorts");

        for (size_t i = 0; i < o->nports; i++) {
                _cleanup_free_ struct port_map *m = NULL;
                size_t n = 0;
                const struct portspec *ps = &o->ports[i];
                char text[PORTSPEC_TEXT_MAX];
                const char *spec = text;
                if (i < o->port_texts.n && *o->port_texts.v[i])
                        spec = o->port_texts.v[i];
                else
                        portspec_format(ps, text);
                if (port_maps_from_spec(spec, ps, &m, &n, err) < 0)
                        return -1;
                for (size_t k = 0; k < n; k++) {
                        char key[32], ip[IPV4_STRLEN] = "", hp[16] = "";
                        snprintf(key, sizeof(key), "%u/%s", m[k].container_port,
                                 port_proto_name(m[k].proto));
                        if (m[k].host_ip)
                                ipv4_format(m[k].host_ip, ip);
                        if (m[k].host_port_last > m[k].host_port)
                                snprintf(hp, sizeof(hp), "%u-%u", m[k].host_port,
                                         m[k].host_port_last);
                        else if (m[k].host_port)
                                snprintf(hp, sizeof(hp), "%u", m[k].host_port);
                        json_t *arr = json_object_get(pb, key);
                        if (!json_is_array(arr)) {
                                arr = json_array();
                                json_object_set_new(pb, key, arr);
                        }
                        json_array_append_new(
                            arr, json_pack("{s:s, s:s}", "HostIp", ip, "HostPort", hp));
                        json_object_set_new(ex, key, json_object());
                }
        }
        return 0;
}

static int valid_ip_any(const char *s)
{
        unsigned char buf[16];
        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* --network container:REF, checked as docker does; the target must exist
 * (it must run only when this container starts). */
static int join_create(json_t *j, const struct ctr_net *o, bool hostname_set, const char *ref,
                       err_t *err)
{
        json_t *hc = obj_child(j, "HostConfig"), *cfg = obj_child(j, "Config");
        _cleanup_free_ char *tid = NULL;
        _cleanup_json_ json_t *t = NULL;

        if (!*ref)
                return err_set(err, EINVAL,
                               "Invalid network mode: invalid container format "
                               "container:<name|id>");
        if (hostname_set)
                return err_set(err, EINVAL, "conflicting options: hostname and the network mode");
        if (o->dns.n)
                return err_set(err, EINVAL, "conflicting options: dns and the network mode");
        if (o->add_hosts.n)
                return err_set(err, EINVAL,
                               "conflicting options: custom host-to-IP mapping and the network "
                               "mode");
        if (o->nports || o->publish_all)
                return err_set(err, EINVAL,
                               "conflicting options: port publishing and the container type "
                               "network mode");
        if (o->aliases.n)
                return err_set(err, EINVAL,
                               "network-scoped aliases are supported only for containers on "
                               "user-defined networks");
        if (o->ip)
                return err_set(err, EINVAL,
                               "user specified IP address is supported on user defined networks "
                               "only");
        if (rt_ctr_resolve(ref, &tid, err) < 0 || rt_ctr_load(tid, &t, err) < 0)
                return -1;
        json_object_set_new(cfg, "Hostname", json_string(rt_doc_hostname(t) ?: ""));
        json_object_set_new(cfg, "Domainname", json_string(rt_doc_domainname(t) ?: ""));
        json_object_set_new(hc, "NetworkMode", json_sprintf("container:%s", tid));
        json_object_set_new(hc, "PortBindings", json_object());
        json_object_set_new(hc, "PublishAllPorts", json_false());
        json_object_set_new(hc, "ExtraHosts", json_array());
        json_object_set_new(hc, "Dns", json_array());
        return 0;
}

/* The address of container t on its first network, "" if none. */
static const char *ctr_ip(json_t *t)
{
        const char *k;
        json_t *v;
        json_object_foreach(rt_doc_networks(t), k, v)
        {
                struct rt_doc_endpoint ep;
                rt_doc_endpoint(v, &ep);
                if (ep.ip && *ep.ip)
                        return ep.ip;
        }
        return "";
}

static void env_add(json_t *env, const char *name, const char *val)
{
        size_t i, n = strlen(name);
        json_t *v;
        json_array_foreach(env, i, v)
        {
                const char *e = json_string_value(v);
                if (e && !strncmp(e, name, n) && e[n] == '=')
                        return; /* the container's own -e wins */
        }
        json_array_append_new(env, json_sprintf("%s=%s", name, val));
}

int netwire_gc_settle(int timeout_ms, err_t *err)
{
        bool had = false;
        if (netwire_gc(err) < 0)
                return -1;
        int r = network_releasing_wait(timeout_ms, &had, err);
        if (r < 0)
                return -1;
        return had ? netwire_gc(err) : 0;
}

static int cmp_port_keys(const void *a, const void *b);

/* docker's variables of one exposed port KEY ("3306/tcp") of a link P at IP */
static void link_port_env(json_t *env, const char *p, const char *ip, const char *key, bool first)
{
        char proto[8] = "tcp", up[8];
        unsigned port = (unsigned)atoi(key);
        const char *sl = strchr(key, '/');
        if (sl)
                snprintf(proto, sizeof(proto), "%s", sl + 1);
        snprintf(up, sizeof(up), "%s", proto);
        for (char *c = up; *c; c++)
                *c = (char)toupper((unsigned char)*c);
        _cleanup_free_ char *url = xasprintf("%s://%s:%u", proto, ip, port);
        _cleanup_free_ char *b = xasprintf("%s_PORT_%u_%s", p, port, up);
        _cleanup_free_ char *ba = xasprintf("%s_ADDR", b), *bp = xasprintf("%s_PORT", b);
        _cleanup_free_ char *bpr = xasprintf("%s_PROTO", b), *pv = xasprintf("%u", port);
        if (first) {
                _cleanup_free_ char *f = xasprintf("%s_PORT", p);
                env_add(env, f, url);
        }
        env_add(env, b, url);
        env_add(env, ba, ip);
        env_add(env, bp, pv);
        env_add(env, bpr, proto);
}

/* --link NAME[:ALIAS], docker's legacy links: the target must run; the
 * container gets ALIAS_NAME, ALIAS_PORT*, ALIAS_ENV_* (docker's variables,
 * from the target's address, exposed ports and environment when it is
 * created) and, at each start, "IP ALIAS NAME" in /etc/hosts (write_etc). */
static int links_create(json_t *j, const strv_t *links, err_t *err)
{
        json_t *hc = obj_child(j, "HostConfig"), *cfg = obj_child(j, "Config");
        json_t *env = json_object_get(cfg, "Env"), *rec = json_array();
        if (!json_is_array(env)) {
                env = json_array();
                json_object_set_new(cfg, "Env", env);
        }
        json_object_set_new(hc, "Links", rec);
        for (size_t i = 0; i < links->n; i++) {
                _cleanup_free_ char *ref = xstrdup(links->v[i]), *tid = NULL;
                char *alias = strchr(ref, ':');
                if (alias)
                        *alias++ = '\0';
                if (!*ref || (alias && !*alias))
                        return err_set(err, EINVAL,
                                       "invalid argument \"%s\" for \"--link\" flag: expected "
                                       "NAME[:ALIAS]",
                                       links->v[i]);
                _cleanup_json_ json_t *t = NULL;
                if (rt_ctr_resolve(ref, &tid, err) < 0 || rt_ctr_load(tid, &t, err) < 0)
                        return err_wrap(err, "could not get container for %s", ref);
                const char *tname = ctr_name(t), *ip = ctr_ip(t);
                const char *al = alias ? alias : tname;
                const char *st = rt_doc_status(t) ?: "";
                if (strcmp(st, "running") || !*ip)
                        return err_set(err, EINVAL,
                                       "Cannot link to a non running container: /%s AS /%s/%s",
                                       tname, ctr_name(j), al);
                json_array_append_new(rec, json_sprintf("/%s:/%s/%s", tname, ctr_name(j), al));
                _cleanup_free_ char *p = xstrdup(al);
                for (char *c = p; *c; c++)
                        *c = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
                _cleanup_free_ char *nm = xasprintf("/%s/%s", ctr_name(j), al);
                _cleanup_free_ char *k = xasprintf("%s_NAME", p);
                env_add(env, k, nm);
                strv_t keys = STRV_INIT;
                const char *key;
                json_t *v;
                json_object_foreach(rt_doc_exposed_ports(t), key, v) strv_push(&keys, key);
                if (keys.n)
                        qsort(keys.v, keys.n, sizeof(char *), cmp_port_keys);
                for (size_t n = 0; n < keys.n; n++)
                        link_port_env(env, p, ip, keys.v[n], n == 0);
                strv_free(&keys);
                size_t x;
                json_array_foreach(rt_doc_env(t), x, v)
                {
                        const char *e = json_string_value(v), *eq = e ? strchr(e, '=') : NULL;
                        if (!eq ||
                            (eq - e == 4 && (!strncmp(e, "HOME", 4) || !strncmp(e, "PATH", 4))))
                                continue;
                        _cleanup_free_ char *en = xasprintf("%s_ENV_%.*s", p, (int)(eq - e), e);
                        env_add(env, en, eq + 1);
                }
        }
        return 0;
}

int netwire_create(json_t *j, const struct ctr_net *o, bool hostname_set, strv_t *warnings,
                   err_t *err)
{
        json_t *hc = obj_child(j, "HostConfig");
        if (o->has_dns_search) {
                json_object_set_new(hc, "DnsSearch", json_strv(&o->dns_search));
                json_object_set_new(hc, "DnsOptions", json_strv(&o->dns_options));
        }
        json_t *nets = obj_child(obj_child(j, "NetworkSettings"), "Networks");
        const char *mode = o->network ? o->network : "default";
        bool user = !is_default_mode(mode) && strcmp(mode, "none") && strcmp(mode, "host");

        if (joined_id(mode))
                return join_create(j, o, hostname_set, joined_id(mode), err);
        if (!user && o->aliases.n)
                return err_set(err, EINVAL,
                               "network-scoped aliases are supported only for containers on "
                               "user-defined networks");
        if (!user && o->ip)
                return err_set(err, EINVAL,
                               "user specified IP address is supported on user defined networks "
                               "only");
        if (o->links.n && (!strcmp(mode, "none") || !strcmp(mode, "host")))
                return err_set(err, EINVAL,
                               "conflicting options: %s type network can't be used with links",
                               mode);
        if (o->links.n && links_create(j, &o->links, err) < 0)
                return -1;
        for (size_t i = 0; i < o->link_hosts.n; i++) {
                json_t *hc2 = obj_child(j, "HostConfig"), *rec = json_object_get(hc2, "Links");
                if (!json_is_array(rec)) {
                        rec = json_array();
                        json_object_set_new(hc2, "Links", rec);
                }
                _cleanup_free_ char *ref = xstrdup(o->link_hosts.v[i]);
                char *al = strchr(ref, ':');
                if (al)
                        *al++ = '\0';
                if (!*ref || (al && !*al) || strchr(ref, '/') || (al && strchr(al, '/')))
                        return err_set(err, EINVAL, "invalid link \"%s\": expected NAME[:ALIAS]",
                                       o->link_hosts.v[i]);
                json_array_append_new(rec,
                                      json_sprintf("/%s:/%s/%s", ref, ctr_name(j), al ? al : ref));
        }
        for (size_t i = 0; i < o->add_hosts.n; i++) {
                const char *h = o->add_hosts.v[i];
                const char *sep = strpbrk(h, ":=");
                if (!sep || sep == h || (!valid_ip_any(sep + 1) && strcmp(sep + 1, "host-gateway")))
                        return err_set(err, EINVAL,
                                       "invalid argument \"%s\" for \"--add-host\" flag: expected "
                                       "HOST:IP",
                                       h);
        }
        for (size_t i = 0; i < o->dns.n; i++)
                if (!valid_ip_any(o->dns.v[i]))
                        return err_set(err, EINVAL, "%s is not an IP address (--dns)", o->dns.v[i]);
        if (strcmp(mode, "host") && record_ports(j, o, err) < 0)
                return -1;
        if (!strcmp(mode, "host") && (o->nports || o->publish_all))
                strv_push(warnings, "published ports are discarded when using host network mode");
        json_object_set_new(hc, "PublishAllPorts", json_boolean(o->publish_all));
        json_t *eh = json_array(), *dns = json_array();
        for (size_t i = 0; i < o->add_hosts.n; i++)
                json_array_append_new(eh, json_string(o->add_hosts.v[i]));
        for (size_t i = 0; i < o->dns.n; i++)
                json_array_append_new(dns, json_string(o->dns.v[i]));
        json_object_set_new(hc, "ExtraHosts", eh);
        json_object_set_new(hc, "Dns", dns);
        json_object_set_new(hc, "NetworkMode", json_string(mode));

        if (!strcmp(mode, "none") || !strcmp(mode, "host"))
                return 0;
        /* once per process: a compose up creates many containers, and the
         * gc reads every network's endpoints */
        static atomic_flag gc_done = ATOMIC_FLAG_INIT;
        if (!atomic_flag_test_and_set(&gc_done) && netwire_gc(err) < 0)
                return -1;
        const char *ref = user ? mode : NETWORK_DEFAULT_NAME;
        if (!user && network_ensure_default(err) < 0)
                return err_wrap(err, "default network");
        _cleanup_json_ json_t *net = NULL;
        if (network_load_config(ref, &net, err) < 0)
                return -1;
        if (o->ip && check_static_ip(net, o->ip, err) < 0)
                return -1;
        json_object_set_new(nets, jobj_str0(net, "Name"),
                            new_endpoint_settings(jobj_str0(net, "Id"), &o->aliases, o->ip));
        for (size_t i = 0; i < o->nmore; i++) {
                const struct ctr_netattach *m = &o->more[i];
                _cleanup_json_ json_t *mn = NULL;
                if (network_load_config(m->name, &mn, err) < 0 ||
                    (m->ip && check_static_ip(mn, m->ip, err) < 0))
                        return -1;
                json_object_set_new(nets, m->name,
                                    new_endpoint_settings(jobj_str0(mn, "Id"), &m->aliases, m->ip));
        }
        return 0;
}

/* ---- ports -------------------------------------------------------------- */

/* "80/tcp" -> port, proto. */
static int key_parse(const char *key, uint16_t *port, uint8_t *proto, err_t *err)
{
        return port_expose_parse(key, port, proto, err);
}

/* A stored binding (the key "80/tcp", its HostIp and HostPort, as
 * record_ports wrote them) -> port maps appended to *m: the typed port
 * read from the fields, not a -p text parsed again. */
static int binding_maps(const char *key, const char *ip, const char *hp, struct port_map **m,
                        size_t *n, err_t *err)
{
        struct portspec ps = {0};
        const char *slash = strchr(key, '/');
        size_t len = slash ? (size_t)(slash - key) : strlen(key);
        if (portspec_range_parse(key, len, &ps.ctr_lo, &ps.ctr_hi) < 0 ||
            (slash && portspec_proto_parse(slash + 1, &ps.proto) < 0) ||
            (hp && *hp && portspec_range_parse(hp, strlen(hp), &ps.host_lo, &ps.host_hi) < 0) ||
            (ip && strlen(ip) >= sizeof(ps.host_ip)))
                return err_set(err, EINVAL, "invalid port binding \"%s\" (%s:%s)", key,
                               ip ? ip : "", hp ? hp : "");
        if (ip && *ip) {
                strcpy(ps.host_ip, ip);
                ps.host_ipv6 = strchr(ip, ':') != NULL;
        }
        char text[PORTSPEC_TEXT_MAX];
        portspec_format(&ps, text);
        return port_maps_from_spec(text, &ps, m, n, err);
}

int netwire_reserve_ports(json_t *j, int **fds, size_t *nfds, err_t *err)
{
        json_t *pb = rt_doc_port_bindings(j);
        json_t *ex = rt_doc_exposed_ports(j);
        bool all = rt_doc_publish_all(j);
        const char *mode = mode_of(j);
        _cleanup_free_ struct port_map *m = NULL;
        size_t n = 0, i;
        const char *key;
        json_t *v, *b;

        *fds = NULL;
        *nfds = 0;
        if (!strcmp(mode, "host") || !strcmp(mode, "none") || joined_id(mode))
                return 0;
        json_object_foreach(pb, key, v) json_array_foreach(v, i, b)
        {
                if (binding_maps(key, rt_doc_binding_ip(b), rt_doc_binding_port(b), &m, &n, err) <
                    0)
                        return err_wrap(err, "HostConfig.PortBindings");
        }
        if (all)
                json_object_foreach(ex, key, v)
                {
                        if (json_object_get(pb, key))
                                continue;
                        if (binding_maps(key, NULL, NULL, &m, &n, err) < 0)
                                return err_wrap(err, "Config.ExposedPorts");
                }
        /* A stopped container's rules must not steal the ports asked for. */
        if (n && (netwire_gc(err) < 0 || ports_reserve(m, n, fds, err) < 0))
                return -1;
        *nfds = n;

        json_t *ports = json_object();
        json_object_foreach(ex, key, v) json_object_set_new(ports, key, json_null());
        for (i = 0; i < n; i++) {
                char k[32], ip[IPV4_STRLEN], hp[8];
                snprintf(k, sizeof(k), "%u/%s", m[i].container_port, port_proto_name(m[i].proto));
                ipv4_format(m[i].host_ip, ip);
                snprintf(hp, sizeof(hp), "%u", m[i].host_port);
                json_t *arr = json_object_get(ports, k);
                if (!json_is_array(arr)) {
                        arr = json_array();
                        json_object_set_new(ports, k, arr);
                }
                json_array_append_new(arr, json_pack("{s:s, s:s}", "HostIp", ip, "HostPort", hp));
        }
        json_object_set_new(obj_child(j, "NetworkSettings"), "Ports", ports);
        return 0;
}

/* NetworkSettings.Ports (ports already chosen) -> port maps. */
static int bound_ports(json_t *j, struct port_map **m, size_t *n, err_t *err)
{
        const char *key;
        json_t *v, *b;
        size_t i;

        json_object_foreach(rt_doc_ports(j), key, v) json_array_foreach(v, i, b)
        {
                uint16_t cport;
                uint8_t proto;
                uint32_t ip;
                if (key_parse(key, &cport, &proto, err) < 0 ||
                    ipv4_parse(rt_doc_binding_ip(b) ?: "", &ip, err) < 0)
                        return err_wrap(err, "NetworkSettings.Ports");
                *m = xrealloc(*m, (*n + 1) * sizeof(**m));
                struct port_map *p = &(*m)[(*n)++];
                p->host_ip = ip;
                p->host_port = p->host_port_last = (uint16_t)atoi(rt_doc_binding_port(b) ?: "");
                p->container_port = cport;
                p->proto = proto;
        }
        return 0;
}

/* ---- start -------------------------------------------------------------- */

/* Networks of j, primary (the NetworkMode one) first, then by name. */
static void network_order(json_t *j, strv_t *out)
{
        json_t *nets = rt_doc_networks(j);
        const char *mode = mode_of(j);
        const char *primary = is_default_mode(mode) ? NETWORK_DEFAULT_NAME : mode;
        strv_t rest = STRV_INIT;
        const char *k;
        json_t *v;

        json_object_foreach(nets, k, v)
        {
                if (!strcmp(k, primary))
                        strv_push(out, k);
                else
                        strv_push(&rest, k);
        }
        strv_sort(&rest);
        for (size_t i = 0; i < rest.n; i++)
                strv_push(out, rest.v[i]);
        strv_free(&rest);
}

static int write_in_place(const char *path, const char *text, err_t *err)
{
        /* The file is bind-mounted into the container already: replace the
         * contents of the same inode, never rename over it.  Written over,
         * then cut to its length, not emptied first: emptying frees its
         * block, which on a filesystem mounted with discard is a blocking
         * discard on the way to the container's start. */
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return err_sys(err, errno, "cannot open %s", path);
        err_t e;
        size_t n = strlen(text);
        if (write_all(fd, text, n, &e) < 0) /* ENOSPC: say which file */
                return err_sys(err, e.code, "write %s", path);
        if (ftruncate(fd, (off_t)n) < 0)
                return err_sys(err, errno, "truncate %s", path);
        return 0;
}

static int write_etc(json_t *j, const char *ip, const char *gw, err_t *err)
{
        const char *hostname = rt_doc_hostname(j) ?: "";
        strbuf_t hosts = STRBUF_INIT, resolv = STRBUF_INIT;
        size_t i;
        json_t *v;
        int r = 0;

        sb_append(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        if (ip && *hostname)
                sb_appendf(&hosts, "%s\t%s\n", ip, hostname);
        json_array_foreach(rt_doc_extra_hosts(j), i, v)
        {
                const char *h = json_string_value(v);
                const char *sep = h ? strpbrk(h, ":=") : NULL;
                if (!sep)
                        continue;
                const char *addr = sep + 1;
                if (!strcmp(addr, "host-gateway"))
                        addr = gw && *gw ? gw : "127.0.0.1";
                sb_appendf(&hosts, "%s\t%.*s\n", addr, (int)(sep - h), h);
        }
        json_array_foreach(rt_doc_links(j), i, v)
        {
                /* "/target:/me/alias": the target's address now */
                const char *l = json_string_value(v), *c = l ? strchr(l, ':') : NULL;
                const char *al = c ? strrchr(c, '/') : NULL;
                if (!c || !al || l[0] != '/')
                        continue;
                _cleanup_free_ char *tn = xstrndup(l + 1, (size_t)(c - l - 1)), *tid = NULL;
                _cleanup_json_ json_t *t = NULL;
                err_t e2;
                if (rt_ctr_resolve(tn, &tid, &e2) < 0 || rt_ctr_load(tid, &t, &e2) < 0 ||
                    !*ctr_ip(t))
                        continue;
                /* docker's line: address, alias, hostname, name */
                const char *thn = rt_doc_hostname(t) ?: "";
                sb_appendf(&hosts, "%s\t%s%s%s%s%s\n", ctr_ip(t), al + 1, *thn ? " " : "", thn,
                           strcmp(al + 1, tn) ? " " : "", strcmp(al + 1, tn) ? tn : "");
        }
        json_t *dns = rt_doc_dns(j);
        json_array_foreach(dns, i, v) sb_appendf(&resolv, "nameserver %s\n", json_string_value(v));
        if (json_array_size(dns) == 0 && gw && *gw)
                sb_appendf(&resolv, "nameserver %s\n", gw);
        const char *hp = rt_doc_hosts_path(j), *rp = rt_doc_resolv_conf_path(j);
        if (hp && *hp)
                r = write_in_place(hp, sb_str(&hosts), err);
        if (r == 0 && rp && *rp)
                r = write_in_place(rp, sb_str(&resolv), err);
        sb_free(&hosts);
        sb_free(&resolv);
        return r;
}

static void fill_settings(json_t *es, const struct network_endpoint *ep, const char *ifname)
{
        char ip[IPV4_STRLEN], gw[IPV4_STRLEN], mac[18];

        ipv4_format(ep->ip, ip);
        ipv4_format(ep->gateway, gw);
        ipam_mac_format(ep->mac, mac);
        json_object_set_new(es, "NetworkID", json_string(ep->network_id));
        json_object_set_new(es, "EndpointID", json_string(ep->host_ifname));
        json_object_set_new(es, "IPAddress", json_string(ip));
        json_object_set_new(es, "IPPrefixLen", json_integer(ep->prefix));
        json_object_set_new(es, "Gateway", json_string(gw));
        json_object_set_new(es, "MacAddress", json_string(mac));
        json_object_set_new(obj_child(es, "DriverOpts"), IFNAME_OPT, json_string(ifname));
}

static int open_netns(pid_t pid, err_t *err)
{
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
        int fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return err_sys(err, errno, "cannot open %s", p);
        return fd;
}

static int connect_one(const char *id, json_t *j, const char *name, int nsfd, const char *ifname,
                       bool primary, const struct port_map *m, size_t n, err_t *err)
{
        json_t *es = rt_doc_network(j, name);
        struct rt_doc_endpoint req;
        rt_doc_endpoint(es, &req);
        const char *ip = req.ipam_ip;
        json_t *al = req.aliases;
        size_t na = json_array_size(al), i;
        const char **aliases = xcalloc(na + 1, sizeof(char *));
        json_t *v;
        json_array_foreach(al, i, v) aliases[i] = json_string_value(v);

        struct network_endpoint_req r = {
            .container_id = id,
            .container_name = ctr_name(j),
            .ifname = ifname,
            .ip = ip,
            .aliases = aliases,
            .default_route = primary,
            .netns_fd = nsfd,
            .ports = primary ? m : NULL,
            .nports = primary ? n : 0,
        };
        struct network_endpoint ep;
        int rc = network_connect(name, &r, &ep, err);
        free(aliases);
        if (rc < 0)
                return -1;
        fill_settings(es, &ep, ifname);
        if (primary) {
                json_t *ns = json_object_get(j, "NetworkSettings");
                json_object_set(ns, "IPAddress", json_object_get(es, "IPAddress"));
                json_object_set(ns, "IPPrefixLen", json_object_get(es, "IPPrefixLen"));
                json_object_set(ns, "Gateway", json_object_get(es, "Gateway"));
                json_object_set(ns, "MacAddress", json_object_get(es, "MacAddress"));
        }
        return 0;
}

/* <run>/netjoin/<target id>/<joiner id>: who may hold a container's network
 * namespace beyond its life (see netwire_release). */
static char *join_mark_dir(const char *tid)
{
        return xasprintf("%s/netjoin/%s", berth_run_dir(), tid);
}

/* Does a running container share id's network namespace?  Stale marks go. */
static bool joined_by_others(const char *id)
{
        _cleanup_free_ char *dir = join_mark_dir(id);
        _cleanup_closedir_ DIR *d = opendir(dir);
        bool joined = false;
        struct dirent *de;

        if (!d)
                return false;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.') {
                        if (rt_ctr_monitor_alive(de->d_name, NULL))
                                joined = true;
                        else
                                unlinkat(dirfd(d), de->d_name, 0);
                }
        if (!joined)
                rmdir(dir);
        return joined;
}

/* A container in another's network namespace: copies of that container's
 * hosts and resolv.conf (its names and nameserver are the ones that work in
 * that namespace), and the mark that tells the target's stop it is joined. */
static int join_start(const char *id, json_t *j, const char *tid, err_t *err)
{
        static const char *const files[] = {"HostsPath", "ResolvConfPath"};
        _cleanup_json_ json_t *t = NULL;
        _cleanup_free_ char *dir = join_mark_dir(tid);
        _cleanup_free_ char *mark = xasprintf("%s/%s", dir, id);

        int mfd = -1;
        /* twice: a stop of the target may remove the empty dir in between */
        for (int tries = 0; mfd < 0 && tries < 2; tries++) {
                if (mkdir_p(dir, 0700, err) < 0)
                        return -1;
                mfd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        }
        if (mfd < 0)
                return err_sys(err, errno, "cannot create %s", mark);
        close(mfd);
        if (rt_ctr_load(tid, &t, err) < 0)
                return err_wrap(err, "network mode container:%.12s", tid);
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *text = NULL;
                if (!*jobj_str0(j, files[i]) || !*jobj_str0(t, files[i]))
                        continue;
                if (read_file(jobj_str0(t, files[i]), &text, NULL, err) < 0 ||
                    write_in_place(jobj_str0(j, files[i]), text, err) < 0)
                        return err_wrap(err, "network mode container:%.12s", tid);
        }
        return 0;
}

int netwire_start(const char *id, pid_t pid, json_t *j, err_t *err)
{
        const char *mode = mode_of(j);
        strv_t order = STRV_INIT;
        _cleanup_free_ struct port_map *m = NULL;
        _cleanup_close_ int nsfd = -1;
        size_t n = 0, done = 0;
        int rc = 0;

        if (!strcmp(mode, "host"))
                return 0;
        if (joined_id(mode))
                return join_start(id, j, joined_id(mode), err);
        nsfd = open_netns(pid, err);
        if (nsfd < 0)
                return -1;
        network_order(j, &order);
        if (order.n == 0) { /* none, or every network disconnected */
                strv_free(&order);
                if (net_loopback_up(nsfd, err) < 0)
                        return -1;
                return write_etc(j, NULL, NULL, err);
        }
        if (bound_ports(j, &m, &n, err) < 0) {
                strv_free(&order);
                return -1;
        }
        for (; done < order.n; done++) {
                char ifname[32];
                snprintf(ifname, sizeof(ifname), "eth%u", (unsigned)(done % 10000));
                if (connect_one(id, j, order.v[done], nsfd, ifname, done == 0, m, n, err) < 0) {
                        rc = -1;
                        break;
                }
        }
        if (rc == 0) {
                struct rt_doc_endpoint ep;
                rt_doc_endpoint(rt_doc_network(j, order.v[0]), &ep);
                rc = write_etc(j, ep.ip ?: "", ep.gateway ?: "", err);
        }
        if (rc < 0) {
                /* The caller aborts the container: its netns takes the veth
                 * pairs; unpublish what was published. */
                for (size_t i = 0; i < done; i++) {
                        err_t ignored;
                        endpoint_down(order.v[i], id, true, false, &ignored);
                }
        }
        strv_free(&order);
        return rc;
}

/* The container left network net_id (NULL: all its networks): its names
 * leave berth-dns.  No commit (nor berth-dns start) when it had none. */
static int dns_forget(const char *id, const char *net_id, err_t *err)
{
        net_dns_records_t *r;
        if (net_dns_records_open(&r, err) < 0)
                return -1;
        if (!(net_id ? net_dns_endpoint_remove(r, net_id, id) : net_dns_container_remove(r, id))) {
                net_dns_records_close(r);
                return 0;
        }
        if (net_dns_records_commit(r, err) < 0)
                return err_wrap(err, "DNS records of container %.12s", id);
        return 0;
}

/* The endpoints of container id (document j) down once its names are gone
 * (derr: they could not be dropped, and why: its addresses stay allocated,
 * for netwire_gc to free, and the release fails with derr). */
static int endpoints_down(const char *id, json_t *j, bool gone, bool remove, const err_t *derr,
                          err_t *err)
{
        const char *k;
        json_t *es;
        json_object_foreach(rt_doc_networks(j), k, es)
        {
                enum network_addr_fate fate = derr     ? NETWORK_ADDR_KEEP
                                              : remove ? NETWORK_ADDR_FREE
                                                       : NETWORK_ADDR_STOPPED;
                if (endpoint_down(k, id, gone, fate, err) < 0 && err->code != ENOENT)
                        return err_wrap(err, "container %.12s", id);
                rt_doc_clear_endpoint(es);
        }
        if (derr) {
                *err = *derr;
                return -1;
        }
        err_clear(err);
        return 0;
}

static int batched_release(const char *id, json_t *j, bool gone, bool remove, err_t *err);

int netwire_release(const char *id, json_t *j, bool remove, err_t *err)
{
        /* Its namespace dies with it, and its veth pairs with that, unless a
         * container joined it (--network container:): then its interfaces
         * are deleted now, as docker does, so its address is not in use
         * twice once it is freed. */
        bool gone = json_object_size(rt_doc_networks(j)) == 0 || !joined_by_others(id);

        /* A stopped container answers nothing: its names go, as docker's DNS
         * drops them (a client then fails at once instead of waiting on an
         * address nobody holds); the next start registers them again.  They
         * go first: its addresses are freed only once no name points at
         * them (when the names cannot be dropped, its port rules still go
         * and its addresses stay allocated, for netwire_gc to free). */
        int rc = batched_release(id, j, gone, remove, err);
        if (rc > 0) {
                err_t derr = {0};
                bool named = dns_forget(id, NULL, &derr) < 0;
                rc = endpoints_down(id, j, gone, remove, named ? &derr : NULL, err);
        }
        if (rc < 0)
                return -1;
        const char *tid = joined_id(mode_of(j));
        if (remove && tid) { /* its mark in the target's list */
                _cleanup_free_ char *dir = join_mark_dir(tid);
                _cleanup_free_ char *mark = xasprintf("%s/%s", dir, id);
                unlink(mark);
                rmdir(dir);
        }
        return 0;
}

int netwire_release_state(const char *id, err_t *err)
{
        _cleanup_json_ json_t *names = NULL;
        size_t i;
        json_t *v;
        if (network_of_container(id, &names, err) < 0)
                return err_wrap(err, "container %.12s", id);
        json_array_foreach(names, i, v)
        {
                if (endpoint_down(json_string_value(v), id, true, true, err) < 0 &&
                    err->code != ENOENT)
                        return err_wrap(err, "container %.12s", id);
        }
        err_clear(err);
        return dns_forget(id, NULL, err);
}

int netwire_connect(const char *id, pid_t pid, json_t *j, const char *net, const char *ip,
                    const strv_t *aliases, err_t *err)
{
        json_t *nets = obj_child(obj_child(j, "NetworkSettings"), "Networks");
        _cleanup_json_ json_t *n = NULL;
        const char *mode = mode_of(j);

        if (joined_id(mode))
                return err_set(err, EINVAL,
                               "container sharing network namespace with another container or "
                               "host cannot be connected to any other network");
        if (!strcmp(mode, "host") || !strcmp(mode, "none"))
                return err_set(err, EINVAL,
                               "container %s uses network mode %s and cannot be connected to "
                               "networks",
                               ctr_name(j), mode);
        if (network_load(net, &n, err) < 0)
                return -1;
        const char *name = jobj_str0(n, "Name");
        if (json_object_get(nets, name))
                return err_set(err, EEXIST, "endpoint with name %s already exists in network %s",
                               ctr_name(j), name);
        if (ip && check_static_ip(n, ip, err) < 0)
                return -1;
        json_object_set_new(nets, name, new_endpoint_settings(jobj_str0(n, "Id"), aliases, ip));
        if (pid <= 0)
                return 0;

        /* Running: the lowest ethN no other network of the container uses. */
        char ifname[32];
        for (int k = 0;; k++) {
                const char *key;
                json_t *es;
                bool used = false;
                snprintf(ifname, sizeof(ifname), "eth%d", k);
                json_object_foreach(nets, key, es) used |=
                    !strcmp(jobj_str0(json_object_get(es, "DriverOpts"), IFNAME_OPT), ifname);
                if (!used)
                        break;
        }
        _cleanup_close_ int nsfd = open_netns(pid, err);
        bool first = json_object_size(nets) == 1;
        if (nsfd < 0 || connect_one(id, j, name, nsfd, ifname, first, NULL, 0, err) < 0) {
                json_object_del(nets, name);
                return -1;
        }
        return 0;
}

int netwire_disconnect(const char *id, pid_t pid, json_t *j, const char *net, err_t *err)
{
        json_t *nets = rt_doc_networks(j);
        _cleanup_json_ json_t *n = NULL;
        const char *name = net;

        if (network_load(net, &n, err) == 0)
                name = jobj_str0(n, "Name");
        else if (!json_object_get(nets, net))
                return -1;
        if (!json_object_get(nets, name))
                return err_set(err, ENOENT, "container %s is not connected to network %s",
                               ctr_name(j), name);
        if (n && endpoint_down(name, id, pid <= 0, true, err) < 0 && err->code != ENOENT)
                return -1;
        if (n && dns_forget(id, jobj_str0(n, "Id"), err) < 0)
                return -1;
        json_object_del(nets, name);
        return 0;
}

int netwire_forget(const char *id, err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        size_t i;
        json_t *net;

        if (network_list(&all, err) < 0)
                return -1;
        json_array_foreach(all, i, net)
        {
                if (!json_object_get(json_object_get(net, "Containers"), id))
                        continue;
                if (endpoint_down(jobj_str0(net, "Id"), id, !joined_by_others(id),
                                  NETWORK_ADDR_RELEASE, err) < 0 &&
                    err->code != ENOENT)
                        return -1;
        }
        err_clear(err);
        return dns_forget(id, NULL, err);
}

/* The names of containers in ids leave berth-dns: one records write (and
 * one SIGHUP) for all of them, none when none of them had a name. */
static int dns_forget_all(const strv_t *ids, err_t *err)
{
        net_dns_records_t *r;
        bool changed = false;
        if (ids->n == 0)
                return 0;
        if (net_dns_records_open(&r, err) < 0)
                return -1;
        for (size_t i = 0; i < ids->n; i++)
                changed |= net_dns_container_remove(r, ids->v[i]);
        if (!changed) {
                net_dns_records_close(r);
                return 0;
        }
        if (net_dns_records_commit(r, err) < 0)
                return err_wrap(err, "DNS records of %zu stopped container(s)", ids->n);
        return 0;
}

/* ---- release batching ------------------------------------------------------
 * Between netwire_release_batch(true) and (false) the releases of this
 * process are group-committed: a release queues itself; whichever thread
 * finds no commit running takes the whole queue and drops all its names in
 * one records write (one SIGHUP), then takes the endpoints down one after
 * the other, while the others wait for their result.  The parallel stops of
 * a compose down no longer queue on the records lock and the network lock
 * one by one, each reading and writing the whole state (and berth-dns no
 * longer reloads once per container).  The order stays: no address is
 * freed before the names that point at it are gone. */
struct rel_req {
        const char *id;
        json_t *j;
        bool gone, remove, done;
        int rc;
        err_t err;
        struct rel_req *next;
};

static pthread_mutex_t rel_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rel_cv = PTHREAD_COND_INITIALIZER;
static int rel_depth; /* netwire_release_batch(true) calls not yet ended */
static bool rel_busy; /* a thread is releasing a taken queue */
static struct rel_req *rel_q, **rel_tail = &rel_q;

void netwire_release_batch(bool on)
{
        pthread_mutex_lock(&rel_mu);
        rel_depth += on ? 1 : rel_depth > 0 ? -1 : 0;
        pthread_mutex_unlock(&rel_mu);
}

static void release_queue(struct rel_req *q)
{
        strv_t ids = STRV_INIT;
        for (struct rel_req *r = q; r; r = r->next)
                strv_push(&ids, r->id);
        err_t derr = {0};
        bool named =
            (ids.n == 1 ? dns_forget(ids.v[0], NULL, &derr) : dns_forget_all(&ids, &derr)) < 0;
        strv_free(&ids);
        for (struct rel_req *r = q; r; r = r->next)
                r->rc =
                    endpoints_down(r->id, r->j, r->gone, r->remove, named ? &derr : NULL, &r->err);
}

/* 1: no batch (the caller releases); else the release's result. */
static int batched_release(const char *id, json_t *j, bool gone, bool remove, err_t *err)
{
        pthread_mutex_lock(&rel_mu);
        if (!rel_depth) {
                pthread_mutex_unlock(&rel_mu);
                return 1;
        }
        struct rel_req me = {.id = id, .j = j, .gone = gone, .remove = remove};
        *rel_tail = &me;
        rel_tail = &me.next;
        while (!me.done) {
                if (rel_busy) {
                        pthread_cond_wait(&rel_cv, &rel_mu);
                        continue;
                }
                rel_busy = true;
                struct rel_req *q = rel_q;
                rel_q = NULL;
                rel_tail = &rel_q;
                pthread_mutex_unlock(&rel_mu);
                release_queue(q);
                pthread_mutex_lock(&rel_mu);
                for (struct rel_req *r = q, *next; r; r = next) {
                        next = r->next; /* r may be gone once done */
                        r->done = true;
                }
                rel_busy = false;
                pthread_cond_broadcast(&rel_cv);
        }
        pthread_mutex_unlock(&rel_mu);
        if (me.rc < 0)
                *err = me.err;
        return me.rc;
}

int netwire_gc(err_t *err)
{
        _cleanup_json_ json_t *all = NULL;
        strv_t dead = STRV_INIT; /* containers whose names leave berth-dns */
        struct gc_down {
                const char *net, *cid; /* in all */
                bool gone, joined;
        } *down = NULL;
        size_t ndown = 0, i;
        json_t *net;
        int rc = 0;
        /* the locks of the stopped containers dealt with: no start of theirs
         * runs between the check that they are stopped and the release (one
         * that runs now, or holds its lock, is skipped: the next gc sees it) */
        strv_t busy = STRV_INIT;
        int locks[256];
        size_t nlocks = 0;
        bool releasing = false;

        if (network_list(&all, err) < 0)
                return -1;
        json_array_foreach(all, i, net)
        {
                const char *cid;
                json_t *ep;
                json_object_foreach(json_object_get(net, "Containers"), cid, ep)
                {
                        /* Only container endpoints (64 hex ids); the internal
                         * attach-netns command names its own. */
                        if (strlen(cid) != RT_ID_LEN ||
                            strspn(cid, "0123456789abcdef") != RT_ID_LEN)
                                continue;
                        /* An ended container's address held until its veth
                         * is gone (its names and rules are gone already):
                         * the sweep below frees it then. */
                        if (network_endpoint_releasing(ep) &&
                            json_array_size(json_object_get(ep, "Ports")) == 0) {
                                releasing = true;
                                continue;
                        }
                        /* gone = no config.json (a stat, not a parse: this runs for every
                         * endpoint at every container create and start) */
                        _cleanup_free_ char *dir = rt_ctr_dir(cid);
                        _cleanup_free_ char *cfg = xasprintf("%s/config.json", dir);
                        bool gone = access(cfg, F_OK) < 0 && errno == ENOENT;
                        if (!gone && rt_ctr_monitor_alive(cid, NULL))
                                continue;
                        if (strv_contains(&busy, cid))
                                continue;
                        if (!gone && !strv_contains(&dead, cid)) {
                                int fd = nlocks < ARRAY_SIZE(locks) ? rt_ctr_trylock(cid) : -1;
                                if (fd >= 0 && rt_ctr_monitor_alive(cid, NULL)) {
                                        close(fd);
                                        fd = -1;
                                }
                                if (fd < 0) {
                                        strv_push(&busy, cid);
                                        continue;
                                }
                                locks[nlocks++] = fd;
                        }
                        /* Stopped however it stopped (its own exit, an OOM
                         * kill, a killed monitor): its names go, and so do
                         * its port rules, its address (unless static: that
                         * one stays reserved for its next start) and, when
                         * a container joined its namespace, its interfaces
                         * (they would keep its address alive); a removed
                         * one frees its address in any case. */
                        if (!strv_contains(&dead, cid))
                                strv_push(&dead, cid);
                        bool published = json_array_size(json_object_get(ep, "Ports")) > 0;
                        bool joined = joined_by_others(cid);
                        if (!gone && !published && !joined && network_endpoint_static(ep) &&
                            network_endpoint_stopped(ep))
                                continue; /* already down */
                        down = xrealloc(down, (ndown + 1) * sizeof(*down));
                        down[ndown++] = (struct gc_down){jobj_str0(net, "Id"), cid, gone, joined};
                }
        }
        /* The names first: an address is freed only once none points at it
         * (when they cannot be dropped, the addresses wait for the next gc). */
        rc = dns_forget_all(&dead, err);
        for (size_t k = 0; k < ndown; k++) {
                err_t e2 = {0};
                enum network_addr_fate fate = rc < 0         ? NETWORK_ADDR_KEEP
                                              : down[k].gone ? NETWORK_ADDR_FREE
                                                             : NETWORK_ADDR_STOPPED;
                if (endpoint_down(down[k].net, down[k].cid, !down[k].joined, fate, &e2) < 0 &&
                    e2.code != ENOENT && rc == 0) {
                        *err = e2;
                        rc = -1;
                }
        }
        for (size_t k = 0; k < nlocks; k++)
                close(locks[k]);
        err_t e3 = {0};
        if (releasing && network_releasing_sweep(&e3) < 0 && rc == 0) {
                *err = e3;
                rc = -1;
        }
        free(down);
        strv_free(&dead);
        strv_free(&busy);
        return rc;
}

static int cmp_port_keys(const void *a, const void *b)
{
        const char *x = *(const char *const *)a, *y = *(const char *const *)b;
        int px = atoi(x), py = atoi(y);
        return px != py ? (px < py ? -1 : 1) : strcmp(x, y);
}

int netwire_port_lines(json_t *j, const char *filter, strv_t *out, err_t *err)
{
        json_t *ports = rt_doc_ports(j);
        _cleanup_free_ char *want = NULL;
        const char *key;
        json_t *v, *b;
        strv_t keys = STRV_INIT;
        size_t i;

        if (filter) {
                uint16_t p;
                uint8_t proto;
                if (port_expose_parse(filter, &p, &proto, err) < 0)
                        return -1;
                want = xasprintf("%u/%s", p, port_proto_name(proto));
        }
        json_object_foreach(ports, key, v) if (json_is_array(v)) strv_push(&keys, key);
        if (keys.n)
                qsort(keys.v, keys.n, sizeof(char *), cmp_port_keys);
        bool found = false;
        for (size_t k = 0; k < keys.n; k++) {
                if (want && strcmp(keys.v[k], want))
                        continue;
                json_array_foreach(json_object_get(ports, keys.v[k]), i, b)
                {
                        found = true;
                        if (want)
                                strv_pushf(out, "%s:%s", rt_doc_binding_ip(b) ?: "",
                                           rt_doc_binding_port(b) ?: "");
                        else
                                strv_pushf(out, "%s -> %s:%s", keys.v[k],
                                           rt_doc_binding_ip(b) ?: "",
                                           rt_doc_binding_port(b) ?: "");
                }
        }
        strv_free(&keys);
        if (want && !found)
                return err_set(err, ENOENT, "no public port '%s' published for %s", want,
                               ctr_name(j));
        return 0;
}

char *netwire_ports_summary(json_t *j)
{
        json_t *ports = rt_doc_ports(j);
        strbuf_t sb = STRBUF_INIT;
        strv_t keys = STRV_INIT;
        const char *key;
        json_t *v, *b;
        size_t i;

        json_object_foreach(ports, key, v) strv_push(&keys, key);
        if (keys.n)
                qsort(keys.v, keys.n, sizeof(char *), cmp_port_keys);
        for (size_t k = 0; k < keys.n; k++) {
                json_t *arr = json_object_get(ports, keys.v[k]);
                if (!json_is_array(arr)) {
                        sb_appendf(&sb, "%s%s", sb.len ? ", " : "", keys.v[k]);
                        continue;
                }
                json_array_foreach(arr, i, b)
                    sb_appendf(&sb, "%s%s:%s->%s", sb.len ? ", " : "", rt_doc_binding_ip(b) ?: "",
                               rt_doc_binding_port(b) ?: "", keys.v[k]);
        }
        strv_free(&keys);
        return sb_steal(&sb);
}
