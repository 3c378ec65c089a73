/* kube.c - compose project -> Kubernetes manifests (see kube.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonfile.h"
#include "size.h"
#include "fsutil.h"
#include "kube.h"
#include "strbuf.h"
#include "xalloc.h"

#define KUBE_LABEL_MAX   63
#define KUBE_DATA_MAX    (1024 * 1024) /* a Secret's or ConfigMap's size limit */
#define KUBE_WAIT_IMAGE  "busybox:1.36"
#define KUBE_CLAIM_SIZE  "1Gi" /* compose volumes have no size */
#define LABEL_NAME       "app.kubernetes.io/name"
#define LABEL_PART_OF    "app.kubernetes.io/part-of"
#define LABEL_NET_PREFIX "berth.io/network-"
#define NS_PER_S         1000000000LL

char *kube_dns_label(const char *name)
{
        strbuf_t sb = STRBUF_INIT;
        for (const char *c = name ? name : ""; *c && sb.len < KUBE_LABEL_MAX; c++) {
                char ch = (char)tolower((unsigned char)*c);
                if (!isalnum((unsigned char)ch) || (unsigned char)ch >= 0x80)
                        ch = '-';
                if (ch == '-' && (sb.len == 0 || sb_str(&sb)[sb.len - 1] == '-'))
                        continue; /* no leading '-', no runs of them */
                sb_appendc(&sb, ch);
        }
        char *s = sb_steal(&sb);
        size_t n = strlen(s);
        while (n && s[n - 1] == '-')
                s[--n] = '\0';
        if (!n) {
                free(s);
                return xstrdup("x");
        }
        return s;
}

/* ---- the generator's state ----------------------------------------------- */

struct svcinfo {
        char *name;             /* DNS label */
        bool selected;          /* in the output */
        bool published;         /* has published ports: a NodePort/LoadBalancer Service */
        json_t *svc_ports;      /* Service ports [{name, port, targetPort, protocol, nodePort}] */
        strv_t published_specs; /* the compose ports as written ("127.0.0.1:8080:80/tcp") */
        strv_t networks;        /* network keys it is on */
};

struct gen {
        const struct compose_project *p;
        const struct kube_opts *o;
        strv_t *warn;
        err_t *err;
        struct svcinfo *si;
        json_t *out_by_kind[8];                         /* arrays, printed in this order */
        json_t *used_names;                             /* {"Kind": {"name": true}} */
        json_t *secret_made, *config_made, *claim_made; /* keys already emitted */
        char *project;                                  /* DNS label of the project */
};

enum { K_CONFIGMAP, K_SECRET, K_PVC, K_SERVICE, K_WORKLOAD, K_POLICY, K_NKINDS };

static void warnf(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void kube_warn_add(strv_t *w, const char *fmt, va_list ap)
{
        char *s = xvasprintf(fmt, ap);
        if (!strv_contains(w, s))
                strv_push(w, s);
        free(s);
}

static void warnf(struct gen *g, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        kube_warn_add(g->warn, fmt, ap);
        va_end(ap);
}

/* base (a label), or base-2, base-3, ... cut to a label's length: the first
 * that is not in the set used yet; it is added to it. */
static char *unused_label(json_t *used, const char *base)
{
        char *n = xstrdup(base);
        for (int i = 2; json_object_get(used, n); i++) {
                free(n);
                char suffix[16];
                int sl = snprintf(suffix, sizeof(suffix), "-%d", i);
                n = xasprintf("%.*s%s", KUBE_LABEL_MAX - sl, base, suffix);
        }
        json_object_set_new(used, n, json_true());
        return n;
}

/* A name of kind not used yet, from base (already a label). */
static char *unique_name(struct gen *g, const char *kind, const char *base)
{
        json_t *set = json_object_get(g->used_names, kind);
        if (!set) {
                set = json_object();
                json_object_set_new(g->used_names, kind, set);
        }
        return unused_label(set, base);
}

static json_t *metadata(struct gen *g, const char *name, json_t *labels)
{
        json_t *m = json_pack("{s:s}", "name", name);
        if (g->o->namespace_)
                json_object_set_new(m, "namespace", json_string(g->o->namespace_));
        if (labels)
                json_object_set_new(m, "labels", labels);
        return m;
}

static json_t *selector(struct gen *g, size_t si)
{
        return json_pack("{s:s, s:s}", LABEL_NAME, g->si[si].name, LABEL_PART_OF, g->project);
}

static void emit(struct gen *g, int kind, json_t *doc)
{
        json_array_append_new(g->out_by_kind[kind], doc);
}

static int64_t secs_up(int64_t ns)
{
        int64_t s = (ns + NS_PER_S - 1) / NS_PER_S;
        return s < 1 ? 1 : s;
}

/* A JSON string of s, which it frees. */
static json_t *jtake(char *s)
{
        json_t *j = json_string(s);
        free(s);
        return j;
}

static const char *proto_upper(const char *p)
{
        if (p && !strcasecmp(p, "udp"))
                return "UDP";
        if (p && !strcasecmp(p, "sctp"))
                return "SCTP";
        return "TCP";
}

static char *quantity_bytes(int64_t b)
{
        static const struct {
                const char *suffix;
                int64_t unit;
        } u[] = {{"Gi", 1LL << 30}, {"Mi", 1LL << 20}, {"Ki", 1LL << 10}};
        for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
                if (b >= u[i].unit && b % u[i].unit == 0)
                        return xasprintf("%" PRId64 "%s", b / u[i].unit, u[i].suffix);
        return xasprintf("%" PRId64, b);
}

static char *quantity_cpus(double cpus)
{
        long long m = (long long)(cpus * 1000 + 0.5);
        if (m < 1)
                m = 1;
        if (m % 1000 == 0)
                return xasprintf("%lld", m / 1000);
        return xasprintf("%lldm", m);
}

static const char *env_lookup(char *const *env, const char *k)
{
        size_t n = strlen(k);
        for (; env && *env; env++)
                if (!strncmp(*env, k, n) && (*env)[n] == '=')
                        return *env + n + 1;
        return NULL;
}

static bool is_config_key(const char *k)
{
        if (!*k || strlen(k) > 253)
                return false;
        for (; *k; k++)
                if (!isalnum((unsigned char)*k) && !strchr("-._", *k))
                        return false;
        return true;
}

static bool valid_utf8_text(const char *s, size_t n)
{
        if (memchr(s, '\0', n))
                return false;
        json_t *j = json_stringn(s, n); /* jansson checks UTF-8 */
        bool ok = j != NULL;
        json_decref(j);
        return ok;
}

char *kube_b64encode(const void *data, size_t n)
{
        const unsigned char *s = data;
        static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char *r = xmalloc((n + 2) / 3 * 4 + 1), *w = r;
        size_t i = 0;
        for (; i + 2 < n; i += 3) {
                uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
                *w++ = t[v >> 18 & 63];
                *w++ = t[v >> 12 & 63];
                *w++ = t[v >> 6 & 63];
                *w++ = t[v & 63];
        }
        if (i < n) {
                uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
                *w++ = t[v >> 18 & 63];
                *w++ = t[v >> 12 & 63];
                *w++ = i + 1 < n ? t[v >> 6 & 63] : '=';
                *w++ = '=';
        }
        *w = '\0';
        return r;
}

/* ---- ports ----------------------------------------------------------------- */

/* A list of ports with an index by protocol and port, so a long range
 * ("1-65535") is mapped in linear time, not by a search per port. */
struct portlist {
        json_t *arr; /* [{name, port, targetPort, protocol, nodePort}] */
        json_t *idx; /* "TCP/80" -> its entry (borrowed) */
};

static struct portlist portlist_new(json_t *arr)
{
        return (struct portlist){.arr = arr, .idx = json_object()};
}

static void portlist_done(struct portlist *pl)
{
        json_decref(pl->idx);
        pl->idx = NULL;
}

static void add_svc_port(struct portlist *pl, uint32_t port, uint32_t target, const char *proto,
                         int64_t node_port, bool published_extra)
{
        char name[24], key[24];
        snprintf(name, sizeof(name), "%s-%u%s",
                 proto[0] == 'U'   ? "udp"
                 : proto[0] == 'S' ? "sctp"
                                   : "tcp",
                 port, published_extra ? "-pub" : "");
        snprintf(key, sizeof(key), "%.8s/%u", proto, port);
        json_t *e = json_object_get(pl->idx, key);
        if (e) {
                if (node_port > 0 && !json_object_get(e, "nodePort"))
                        json_object_set_new(e, "nodePort", json_integer(node_port));
                return;
        }
        json_t *p = json_pack("{s:s, s:I, s:I, s:s}", "name", name, "port", (json_int_t)port,
                              "targetPort", (json_int_t)target, "protocol", proto);
        if (node_port > 0)
                json_object_set_new(p, "nodePort", json_integer(node_port));
        json_object_set(pl->idx, key, p);
        json_array_append_new(pl->arr, p);
}

/* "3306", "3000-3005", "53/udp" -> ports of the service and the container */
static void expose_ports(struct gen *g, const struct compose_service *s, const char *e,
                         struct portlist *svc_ports, struct portlist *ctr_ports)
{
        unsigned lo, hi;
        char proto[8] = "tcp";
        int n = sscanf(e, "%u-%u/%7s", &lo, &hi, proto);
        if (n < 2) {
                hi = 0;
                n = sscanf(e, "%u/%7s", &lo, proto);
                if (n < 1) {
                        warnf(g, "services.%s.expose: %s is not a port; left out", s->name, e);
                        return;
                }
                hi = lo;
        }
        if (!lo || hi < lo || hi > 65535 || hi - lo > 100) {
                warnf(g, "services.%s.expose: %s: ranges over 100 ports are left out", s->name, e);
                return;
        }
        for (unsigned p = lo; p <= hi; p++) {
                add_svc_port(svc_ports, p, p, proto_upper(proto), 0, false);
                add_svc_port(ctr_ports, p, p, proto_upper(proto), 0, false);
        }
}

/* The Service ports of service si and its container's ports. */
static void map_ports(struct gen *g, size_t si, struct portlist *ctr_ports)
{
        const struct compose_service *s = &g->p->services[si];
        struct portlist spl = portlist_new(g->si[si].svc_ports = json_array()), *sp = &spl;
        for (size_t i = 0; i < s->nports; i++) {
                const struct compose_port *pt = &s->ports[i];
                const char *proto = proto_upper(pt->protocol);
                add_svc_port(ctr_ports, pt->target, pt->target, proto, 0, false);
                {
                        const char *hip = pt->host_ip && *pt->host_ip ? pt->host_ip : NULL;
                        bool v6 = hip && strchr(hip, ':');
                        strv_pushf(&g->si[si].published_specs, "%s%s%s%s%s%s%u/%s", v6 ? "[" : "",
                                   hip ? hip : "", v6 ? "]" : "", hip ? ":" : "",
                                   pt->published && *pt->published ? pt->published : "",
                                   pt->published && *pt->published ? ":" : "", pt->target,
                                   pt->protocol ? pt->protocol : "tcp");
                }
                if (!pt->published || !*pt->published) {
                        add_svc_port(sp, pt->target, pt->target, proto, 0, false);
                        g->si[si].published = true;
                        continue;
                }
                char *end;
                unsigned long pub = strtoul(pt->published, &end, 10);
                if (*end == '-')
                        warnf(g,
                              "services.%s.ports: the published range %s becomes its first "
                              "port, %lu",
                              s->name, pt->published, pub);
                if (pt->host_ip && *pt->host_ip && strcmp(pt->host_ip, "0.0.0.0") &&
                    strcmp(pt->host_ip, "::"))
                        warnf(g,
                              "services.%s.ports: the host address %s has no equivalent: the "
                              "port is open on every node",
                              s->name, pt->host_ip);
                g->si[si].published = true;
                if (g->o->service_type == KUBE_SVC_LOADBALANCER) {
                        /* the load balancer listens on the published port; the
                         * target port stays for the other services */
                        add_svc_port(sp, pt->target, pt->target, proto, 0, false);
                        if (pub != pt->target)
                                add_svc_port(sp, (uint32_t)pub, pt->target, proto, 0, true);
                } else if (pub >= 30000 && pub <= 32767) {
                        add_svc_port(sp, pt->target, pt->target, proto, (int64_t)pub, false);
                } else {
                        add_svc_port(sp, pt->target, pt->target, proto, 0, false);
                        warnf(g,
                              "services.%s.ports: %lu is outside the NodePort range "
                              "30000-32767: the cluster picks the node port (or use "
                              "--service-type LoadBalancer)",
                              s->name, pub);
                }
        }
        for (size_t i = 0; i < s->expose.n; i++)
                expose_ports(g, s, s->expose.v[i], sp, ctr_ports);
        portlist_done(sp);
}

/* ---- volumes, secrets, configs ----------------------------------------------- */

/* The selected services that mount named volume key. */
static void volume_users(struct gen *g, const char *key, strv_t *out)
{
        for (size_t i = 0; i < g->p->nservices; i++) {
                const struct compose_service *s = &g->p->services[i];
                if (!g->si[i].selected)
                        continue;
                for (size_t k = 0; k < s->nvolumes; k++)
                        if (s->volumes[k].type == COMPOSE_MOUNT_VOLUME && s->volumes[k].source &&
                            !strcmp(s->volumes[k].source, key) && !strv_contains(out, s->name))
                                strv_push(out, s->name);
        }
}

/* A pod volume name not used yet in this pod. */
static char *pod_vol_name(json_t *used, const char *base)
{
        _cleanup_free_ char *l = kube_dns_label(base);
        return unused_label(used, l);
}

static void make_claim(struct gen *g, const struct compose_resource *r, bool shared)
{
        _cleanup_free_ char *name = kube_dns_label(r->external ? r->name : r->key);
        if (json_object_get(g->claim_made, name) || r->external)
                return;
        json_object_set_new(g->claim_made, name, json_true());
        json_t *labels = json_pack("{s:s}", LABEL_PART_OF, g->project);
        if (r->labels.n)
                warnf(g, "volumes.%s.labels: volume labels are not carried over", r->key);
        if (r->driver && strcmp(r->driver, "local"))
                warnf(g,
                      "volumes.%s.driver: %s has no equivalent: the claim uses the cluster's "
                      "default storage class",
                      r->key, r->driver);
        if (r->driver_opts.n)
                warnf(g, "volumes.%s.driver_opts: no equivalent, left out", r->key);
        json_t *pvc =
            json_pack("{s:s, s:s, s:o, s:{s:[s], s:{s:{s:s}}}}", "apiVersion", "v1", "kind",
                      "PersistentVolumeClaim", "metadata", metadata(g, name, labels), "spec",
                      "accessModes", shared ? "ReadWriteMany" : "ReadWriteOnce", "resources",
                      "requests", "storage", KUBE_CLAIM_SIZE);
        emit(g, K_PVC, pvc);
}

static char *file_ref_target(const struct compose_file_ref *f, bool secret)
{
        const char *t = f->target && *f->target ? f->target : f->source;
        if (*t == '/')
                return xstrdup(t);
        return secret ? xasprintf("/run/secrets/%s", t) : xasprintf("/%s", t);
}

/* The Secret (secret) or ConfigMap of resource r, once; *data_key its key.
 * Returns < 0 on an unreadable or oversized file. */
static int make_data_object(struct gen *g, const struct compose_resource *r, bool secret,
                            char **obj_name, char **data_key)
{
        const char *what = secret ? "secrets" : "configs";
        const char *kind = secret ? "Secret" : "ConfigMap";
        *data_key = is_config_key(r->key) ? xstrdup(r->key) : kube_dns_label(r->key);
        json_t *made = secret ? g->secret_made : g->config_made;
        const char *have = json_string_value(json_object_get(made, r->key));
        if (have) {
                *obj_name = xstrdup(have);
                return 0;
        }
        _cleanup_free_ char *l = kube_dns_label(r->external ? r->name : r->key);
        *obj_name = r->external ? xstrdup(l) : unique_name(g, kind, l);
        json_object_set_new(made, r->key, json_string(*obj_name));
        if (r->external) {
                warnf(g, "%s.%s: external: a %s named %s must exist in the namespace", what, r->key,
                      kind, *obj_name);
                return 0;
        }
        char *buf = NULL;
        size_t len = 0;
        if (r->file) {
                if (g->o->no_read_files) {
                        buf = xstrdup("");
                } else {
                        int fd = open(r->file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                        if (fd < 0)
                                return err_sys(g->err, errno, "%s.%s: %s", what, r->key, r->file);
                        int rr = read_fd_all(fd, KUBE_DATA_MAX, &buf, &len, g->err);
                        close(fd);
                        if (rr < 0 && g->err->code == EFBIG)
                                return err_set(g->err, EFBIG,
                                               "%s.%s: %s is over 1 MiB, the size limit of a "
                                               "Kubernetes %s: mount it from a volume instead",
                                               what, r->key, r->file,
                                               secret ? "Secret" : "ConfigMap");
                        if (rr < 0)
                                return err_wrap(g->err, "%s.%s: %s", what, r->key, r->file);
                }
        } else if (r->content) {
                buf = xstrdup(r->content);
        } else if (r->environment) {
                const char *v = env_lookup(g->o->environment, r->environment);
                if (!v)
                        warnf(g, "%s.%s: the variable %s is not set: the value is empty", what,
                              r->key, r->environment);
                buf = xstrdup(v ? v : "");
        } else {
                buf = xstrdup("");
        }
        if (!len)
                len = strlen(buf);
        json_t *data = json_object();
        const char *field = "data";
        if (secret) {
                json_object_set_new(data, *data_key, jtake(kube_b64encode(buf, len)));
        } else if (valid_utf8_text(buf, len)) {
                json_object_set_new(data, *data_key, json_stringn(buf, len));
        } else {
                char *b = kube_b64encode(buf, len);
                json_object_set_new(data, *data_key, json_string(b));
                free(b);
                field = "binaryData";
        }
        free(buf);
        json_t *doc = json_pack(
            "{s:s, s:s, s:o}", "apiVersion", "v1", "kind", secret ? "Secret" : "ConfigMap",
            "metadata", metadata(g, *obj_name, json_pack("{s:s}", LABEL_PART_OF, g->project)));
        if (secret)
                json_object_set_new(doc, "type", json_string("Opaque"));
        json_object_set_new(doc, field, data);
        emit(g, secret ? K_SECRET : K_CONFIGMAP, doc);
        return 0;
}

static int map_file_refs(struct gen *g, const struct compose_service *s, bool secret, json_t *vols,
                         json_t *mounts, json_t *used)
{
        const struct compose_file_ref *refs = secret ? s->secrets : s->configs;
        size_t n = secret ? s->nsecrets : s->nconfigs;
        const char *what = secret ? "secrets" : "configs";
        for (size_t i = 0; i < n; i++) {
                const struct compose_file_ref *f = &refs[i];
                const struct compose_resource *r =
                    secret ? compose_resource_find(g->p->secrets, g->p->nsecrets, f->source)
                           : compose_resource_find(g->p->configs, g->p->nconfigs, f->source);
                if (!r)
                        continue; /* the model checked the reference */
                _cleanup_free_ char *obj = NULL;
                _cleanup_free_ char *key = NULL;
                if (make_data_object(g, r, secret, &obj, &key) < 0)
                        return -1;
                _cleanup_free_ char *vbase = xasprintf("%s-%s", secret ? "secret" : "config", obj);
                _cleanup_free_ char *vn = pod_vol_name(used, vbase);
                json_t *item = json_pack("{s:s, s:s}", "key", key, "path", key);
                if (f->mode >= 0)
                        json_object_set_new(item, "mode", json_integer(f->mode));
                json_t *src = secret ? json_pack("{s:s, s:[o]}", "secretName", obj, "items", item)
                                     : json_pack("{s:s, s:[o]}", "name", obj, "items", item);
                json_array_append_new(vols, json_pack("{s:s, s:o}", "name", vn,
                                                      secret ? "secret" : "configMap", src));
                _cleanup_free_ char *target = file_ref_target(f, secret);
                json_array_append_new(mounts,
                                      json_pack("{s:s, s:s, s:s, s:b}", "name", vn, "mountPath",
                                                target, "subPath", key, "readOnly", 1));
                if ((f->uid && *f->uid) || (f->gid && *f->gid))
                        warnf(g,
                              "services.%s.%s.%s: uid/gid have no equivalent (the file "
                              "belongs to root; use fsGroup)",
                              s->name, what, f->source);
        }
        return 0;
}

/* The pod's volumes and the container's mounts; *claims the StatefulSet's
 * volumeClaimTemplates (NULL when it is not one). */
static int map_volumes(struct gen *g, size_t si, bool stateful_ok, json_t *vols, json_t *mounts,
                       json_t **claims)
{
        const struct compose_service *s = &g->p->services[si];
        json_t *used = json_object();
        int rc = -1;
        for (size_t i = 0; i < s->nvolumes; i++) {
                const struct compose_mount *m = &s->volumes[i];
                _cleanup_free_ char *vn = NULL;
                json_t *mount = NULL;
                switch (m->type) {
                case COMPOSE_MOUNT_VOLUME: {
                        if (!m->source) {
                                vn = pod_vol_name(used, "anon");
                                json_array_append_new(
                                    vols, json_pack("{s:s, s:{}}", "name", vn, "emptyDir"));
                                break;
                        }
                        const struct compose_resource *r =
                            compose_resource_find(g->p->volumes, g->p->nvolumes, m->source);
                        _cleanup_free_ char *claim =
                            kube_dns_label(r && r->external ? r->name : m->source);
                        strv_t users = STRV_INIT;
                        volume_users(g, m->source, &users);
                        bool shared = users.n > 1;
                        if (shared) {
                                _cleanup_free_ char *who = strv_join(&users, ", ");
                                warnf(g,
                                      "volumes.%s: mounted by several services (%s): one claim "
                                      "with ReadWriteMany, which needs a storage class that "
                                      "offers it",
                                      m->source, who);
                        }
                        strv_free(&users);
                        if (r && r->external)
                                warnf(g,
                                      "volumes.%s: external: a PersistentVolumeClaim named %s "
                                      "must exist in the namespace",
                                      m->source, claim);
                        if (stateful_ok && !shared && !m->read_only && !(r && r->external)) {
                                if (!*claims)
                                        *claims = json_array();
                                /* a template per volume, once */
                                bool have = false;
                                size_t k;
                                json_t *c;
                                json_array_foreach(*claims, k, c) have |=
                                    !strcmp(json_string_value(json_object_get(
                                                json_object_get(c, "metadata"), "name")),
                                            claim);
                                if (!have)
                                        json_array_append_new(
                                            *claims,
                                            json_pack("{s:{s:s}, s:{s:[s], s:{s:{s:s}}}}",
                                                      "metadata", "name", claim, "spec",
                                                      "accessModes", "ReadWriteOnce", "resources",
                                                      "requests", "storage", KUBE_CLAIM_SIZE));
                                vn = xstrdup(claim);
                                json_object_set_new(used, vn, json_true());
                        } else {
                                if (r)
                                        make_claim(g, r, shared);
                                vn = pod_vol_name(used, claim);
                                json_array_append_new(vols, json_pack("{s:s, s:{s:s, s:b}}", "name",
                                                                      vn, "persistentVolumeClaim",
                                                                      "claimName", claim,
                                                                      "readOnly", m->read_only));
                        }
                        if (m->nocopy)
                                warnf(g,
                                      "services.%s.volumes: nocopy: a claim is never filled "
                                      "from the image",
                                      s->name);
                        break;
                }
                case COMPOSE_MOUNT_BIND:
                        warnf(g,
                              "services.%s.volumes: the bind mount %s is not portable: it "
                              "becomes a hostPath volume, which needs the path on the node "
                              "that runs the pod",
                              s->name, m->source);
                        vn = pod_vol_name(used, "host");
                        json_array_append_new(vols, json_pack("{s:s, s:{s:s}}", "name", vn,
                                                              "hostPath", "path", m->source));
                        break;
                case COMPOSE_MOUNT_TMPFS: {
                        vn = pod_vol_name(used, "tmpfs");
                        json_t *ed = json_pack("{s:s}", "medium", "Memory");
                        if (m->tmpfs_size > 0)
                                json_object_set_new(ed, "sizeLimit",
                                                    jtake(quantity_bytes(m->tmpfs_size)));
                        json_array_append_new(vols,
                                              json_pack("{s:s, s:o}", "name", vn, "emptyDir", ed));
                        break;
                }
                default:
                        warnf(g,
                              "services.%s.volumes: the %s mount of %s has no equivalent; left "
                              "out",
                              s->name,
                              m->type == COMPOSE_MOUNT_NPIPE     ? "npipe"
                              : m->type == COMPOSE_MOUNT_CLUSTER ? "cluster"
                                                                 : "image",
                              m->target);
                        continue;
                }
                mount = json_pack("{s:s, s:s}", "name", vn, "mountPath", m->target);
                if (m->read_only)
                        json_object_set_new(mount, "readOnly", json_true());
                if (m->subpath && *m->subpath)
                        json_object_set_new(mount, "subPath", json_string(m->subpath));
                if (m->propagation && *m->propagation)
                        warnf(g, "services.%s.volumes: bind propagation has no equivalent",
                              s->name);
                json_array_append_new(mounts, mount);
        }
        for (size_t i = 0; i < s->tmpfs.n; i++) {
                const char *t = s->tmpfs.v[i];
                const char *colon = strchr(t, ':');
                _cleanup_free_ char *path = colon ? xstrndup(t, (size_t)(colon - t)) : xstrdup(t);
                _cleanup_free_ char *vn = pod_vol_name(used, "tmpfs");
                json_t *ed = json_pack("{s:s}", "medium", "Memory");
                const char *sz = colon ? strstr(colon, "size=") : NULL;
                int64_t b;
                err_t e;
                if (sz) {
                        _cleanup_free_ char *v = xstrndup(sz + 5, strcspn(sz + 5, ","));
                        if (bytes_parse(v, &b, &e) == 0 && b > 0)
                                json_object_set_new(ed, "sizeLimit", jtake(quantity_bytes(b)));
                }
                json_array_append_new(vols, json_pack("{s:s, s:o}", "name", vn, "emptyDir", ed));
                json_array_append_new(mounts,
                                      json_pack("{s:s, s:s}", "name", vn, "mountPath", path));
        }
        if (s->shm_size > 0) {
                _cleanup_free_ char *vn = pod_vol_name(used, "dshm");
                json_array_append_new(vols, json_pack("{s:s, s:{s:s, s:o}}", "name", vn, "emptyDir",
                                                      "medium", "Memory", "sizeLimit",
                                                      jtake(quantity_bytes(s->shm_size))));
                json_array_append_new(mounts,
                                      json_pack("{s:s, s:s}", "name", vn, "mountPath", "/dev/shm"));
        }
        if (map_file_refs(g, s, true, vols, mounts, used) < 0 ||
            map_file_refs(g, s, false, vols, mounts, used) < 0)
                goto out;
        rc = 0;
out:
        json_decref(used);
        return rc;
}

/* ---- the container ----------------------------------------------------------- */

static json_t *strv_json(const strv_t *v, size_t from)
{
        json_t *a = json_array();
        for (size_t i = from; i < v->n; i++)
                json_array_append_new(a, json_string(v->v[i]));
        return a;
}

/* The process of a container: entrypoint and command as set, working dir. */
static void ctr_process(json_t *ctr, const struct compose_service *s)
{
        if (s->has_entrypoint)
                json_object_set_new(ctr, "command", json_strv(&s->entrypoint));
        if (s->has_command)
                json_object_set_new(ctr, "args", json_strv(&s->command));
        if (s->working_dir && *s->working_dir)
                json_object_set_new(ctr, "workingDir", json_string(s->working_dir));
}

static json_t *probe(const struct compose_healthcheck *h)
{
        json_t *cmd;
        if (!h->present || h->disable || !h->test.n || !strcmp(h->test.v[0], "NONE"))
                return NULL;
        if (!strcmp(h->test.v[0], "CMD-SHELL"))
                cmd = json_pack("[s, s, s]", "/bin/sh", "-c", h->test.n > 1 ? h->test.v[1] : "");
        else if (!strcmp(h->test.v[0], "CMD"))
                cmd = strv_json(&h->test, 1);
        else
                return NULL;
        int64_t interval = h->interval_ns > 0 ? h->interval_ns : 30 * NS_PER_S;
        int64_t timeout = h->timeout_ns > 0 ? h->timeout_ns : 30 * NS_PER_S;
        int64_t retries = h->retries > 0 ? h->retries : 3;
        return json_pack("{s:{s:o}, s:I, s:I, s:I}", "exec", "command", cmd, "periodSeconds",
                         (json_int_t)secs_up(interval), "timeoutSeconds",
                         (json_int_t)secs_up(timeout), "failureThreshold", (json_int_t)retries);
}

static void map_security(struct gen *g, const struct compose_service *s, json_t *ctr,
                         json_t *podsec)
{
        json_t *sc = json_object();
        if (s->user && *s->user) {
                char *end;
                unsigned long uid = strtoul(s->user, &end, 10);
                if (end != s->user && (*end == '\0' || *end == ':')) {
                        json_object_set_new(sc, "runAsUser", json_integer((json_int_t)uid));
                        if (*end == ':') {
                                char *e2;
                                unsigned long gid = strtoul(end + 1, &e2, 10);
                                if (e2 != end + 1 && !*e2)
                                        json_object_set_new(sc, "runAsGroup",
                                                            json_integer((json_int_t)gid));
                                else
                                        warnf(g,
                                              "services.%s.user: the group %s is not numeric: "
                                              "Kubernetes takes a numeric runAsGroup; left out",
                                              s->name, end + 1);
                        }
                } else {
                        warnf(g,
                              "services.%s.user: %s is not numeric: Kubernetes takes a numeric "
                              "runAsUser; left to the image",
                              s->name, s->user);
                }
        }
        if (s->privileged)
                json_object_set_new(sc, "privileged", json_true());
        if (s->read_only)
                json_object_set_new(sc, "readOnlyRootFilesystem", json_true());
        if (s->cap_add.n || s->cap_drop.n) {
                json_t *caps = json_object();
                const strv_t *lists[2] = {&s->cap_add, &s->cap_drop};
                const char *keys[2] = {"add", "drop"};
                for (int k = 0; k < 2; k++) {
                        if (!lists[k]->n)
                                continue;
                        json_t *a = json_array();
                        for (size_t i = 0; i < lists[k]->n; i++) {
                                const char *c = lists[k]->v[i];
                                if (!strncasecmp(c, "CAP_", 4))
                                        c += 4;
                                _cleanup_free_ char *u = xstrdup(c);
                                for (char *q = u; *q; q++)
                                        *q = (char)toupper((unsigned char)*q);
                                json_array_append_new(a, json_string(u));
                        }
                        json_object_set_new(caps, keys[k], a);
                }
                json_object_set_new(sc, "capabilities", caps);
        }
        for (size_t i = 0; i < s->security_opt.n; i++) {
                const char *o = s->security_opt.v[i];
                if (!strcmp(o, "no-new-privileges") || !strcmp(o, "no-new-privileges:true") ||
                    !strcmp(o, "no-new-privileges=true"))
                        json_object_set_new(sc, "allowPrivilegeEscalation", json_false());
                else if (!strcmp(o, "seccomp=unconfined") || !strcmp(o, "seccomp:unconfined"))
                        json_object_set_new(sc, "seccompProfile",
                                            json_pack("{s:s}", "type", "Unconfined"));
                else if (!strcmp(o, "apparmor=unconfined") || !strcmp(o, "apparmor:unconfined"))
                        json_object_set_new(sc, "appArmorProfile",
                                            json_pack("{s:s}", "type", "Unconfined"));
                else
                        warnf(g, "services.%s.security_opt: %s has no equivalent; left out",
                              s->name, o);
        }
        if (json_object_size(sc))
                json_object_set_new(ctr, "securityContext", sc);
        else
                json_decref(sc);
        if (s->sysctls.n) {
                json_t *a = json_array();
                for (size_t i = 0; i < s->sysctls.n; i++)
                        json_array_append_new(
                            a, json_pack("{s:s, s:s}", "name", s->sysctls.v[i].key, "value",
                                         s->sysctls.v[i].value ? s->sysctls.v[i].value : ""));
                json_object_set_new(podsec, "sysctls", a);
        }
        json_t *groups = json_array();
        for (size_t i = 0; i < s->group_add.n; i++) {
                char *end;
                unsigned long gid = strtoul(s->group_add.v[i], &end, 10);
                if (end != s->group_add.v[i] && !*end)
                        json_array_append_new(groups, json_integer((json_int_t)gid));
                else
                        warnf(g,
                              "services.%s.group_add: %s is not numeric: Kubernetes takes "
                              "numeric supplementalGroups; left out",
                              s->name, s->group_add.v[i]);
        }
        if (json_array_size(groups))
                json_object_set_new(podsec, "supplementalGroups", groups);
        else
                json_decref(groups);
}

static void map_resources(const struct compose_service *s, json_t *ctr)
{
        json_t *limits = json_object(), *requests = json_object();
        if (s->mem_limit > 0)
                json_object_set_new(limits, "memory", jtake(quantity_bytes(s->mem_limit)));
        if (s->cpus > 0)
                json_object_set_new(limits, "cpu", jtake(quantity_cpus(s->cpus)));
        if (s->mem_reservation > 0)
                json_object_set_new(requests, "memory", jtake(quantity_bytes(s->mem_reservation)));
        const json_t *res = json_object_get(
            json_object_get(json_object_get(s->json, "deploy"), "resources"), "reservations");
        const json_t *cpus = json_object_get(res, "cpus");
        double c = json_is_number(cpus)   ? json_number_value(cpus)
                   : json_is_string(cpus) ? strtod(json_string_value(cpus), NULL)
                                          : 0;
        if (c > 0)
                json_object_set_new(requests, "cpu", jtake(quantity_cpus(c)));
        json_t *r = json_object();
        jobj_set_nonempty(r, "limits", limits);
        jobj_set_nonempty(r, "requests", requests);
        jobj_set_nonempty(ctr, "resources", r);
}

static const char *pull_policy(struct gen *g, const struct compose_service *s)
{
        const char *pp = s->pull_policy;
        if (!pp)
                return NULL;
        if (!strcmp(pp, "always"))
                return "Always";
        if (!strcmp(pp, "never"))
                return "Never";
        if (!strcmp(pp, "missing") || !strcmp(pp, "if_not_present") || !strcmp(pp, "build"))
                return "IfNotPresent";
        warnf(g, "services.%s.pull_policy: %s has no equivalent: Always is used", s->name, pp);
        return "Always";
}

static void map_env(struct gen *g, size_t si, json_t *ctr)
{
        const struct compose_service *s = &g->p->services[si];
        if (!s->environment.n)
                return;
        bool from_files = json_array_size(json_object_get(s->json, "env_file")) > 0;
        json_t *env = json_array(), *data = json_object();
        for (size_t i = 0; i < s->environment.n; i++) {
                const struct compose_kv *kv = &s->environment.v[i];
                if (!kv->value)
                        continue; /* unset in compose too */
                if (from_files && is_config_key(kv->key))
                        json_object_set_new(data, kv->key, json_string(kv->value));
                else
                        json_array_append_new(
                            env, json_pack("{s:s, s:s}", "name", kv->key, "value", kv->value));
        }
        if (json_object_size(data)) {
                _cleanup_free_ char *base = xasprintf("%s-env", g->si[si].name);
                _cleanup_free_ char *l = kube_dns_label(base);
                _cleanup_free_ char *name = unique_name(g, "ConfigMap", l);
                emit(g, K_CONFIGMAP,
                     json_pack("{s:s, s:s, s:o, s:O}", "apiVersion", "v1", "kind", "ConfigMap",
                               "metadata", metadata(g, name, selector(g, si)), "data", data));
                json_object_set_new(ctr, "envFrom",
                                    json_pack("[{s:{s:s}}]", "configMapRef", "name", name));
        }
        json_decref(data);
        if (json_array_size(env))
                json_object_set_new(ctr, "env", env);
        else
                json_decref(env);
}

/* Init containers for depends_on. */
static json_t *map_depends(struct gen *g, const struct compose_service *s)
{
        json_t *inits = json_array();
        strv_t started = STRV_INIT;
        for (size_t i = 0; i < s->ndepends_on; i++) {
                const struct compose_dep *d = &s->depends_on[i];
                ssize_t di = -1;
                for (size_t k = 0; k < g->p->nservices; k++)
                        if (!strcmp(g->p->services[k].name, d->service))
                                di = (ssize_t)k;
                if (di < 0)
                        continue;
                const struct svcinfo *dep = &g->si[di];
                if (d->condition == COMPOSE_DEP_STARTED) {
                        strv_push(&started, d->service);
                        continue;
                }
                if (d->condition == COMPOSE_DEP_COMPLETED) {
                        /* a completion is not visible through a Service: the
                         * dependency itself runs to completion first, as an
                         * init container (the Kubernetes way of a migration) */
                        const struct compose_service *ds = &g->p->services[di];
                        _cleanup_free_ char *nm = xasprintf("run-%s", dep->name);
                        _cleanup_free_ char *l = kube_dns_label(nm);
                        json_t *ic =
                            json_pack("{s:s, s:s}", "name", l, "image", ds->image ? ds->image : "");
                        ctr_process(ic, ds);
                        json_t *env = json_array();
                        for (size_t k = 0; k < ds->environment.n; k++)
                                if (ds->environment.v[k].value)
                                        json_array_append_new(
                                            env, json_pack("{s:s, s:s}", "name",
                                                           ds->environment.v[k].key, "value",
                                                           ds->environment.v[k].value));
                        jobj_set_nonempty(ic, "env", env);
                        json_array_append_new(inits, ic);
                        warnf(g,
                              "services.%s.depends_on.%s: service_completed_successfully: %s "
                              "runs to completion as an init container of each %s pod (and "
                              "as its own workload)%s",
                              s->name, d->service, d->service, s->name,
                              ds->nvolumes ? "; its volumes are not mounted there" : "");
                        continue;
                }
                /* service_healthy: the dependency's readiness probe decides
                 * whether its Service answers: a headless Service resolves
                 * only ready pods, a ClusterIP one refuses connections
                 * until a pod is ready */
                _cleanup_free_ char *script = NULL;
                const json_t *p0 = json_array_get(dep->svc_ports, 0);
                if (dep->published && p0)
                        script = xasprintf(
                            "until nc -z -w 2 %s %" JSON_INTEGER_FORMAT
                            "; do echo waiting for %s; sleep 2; done",
                            dep->name, json_integer_value(json_object_get(p0, "port")), dep->name);
                else
                        script = xasprintf("until nslookup %s >/dev/null 2>&1; do echo waiting "
                                           "for %s; sleep 2; done",
                                           dep->name, dep->name);
                _cleanup_free_ char *nm = xasprintf("wait-for-%s", dep->name);
                _cleanup_free_ char *l = kube_dns_label(nm);
                json_array_append_new(
                    inits, json_pack("{s:s, s:s, s:[s, s, s]}", "name", l, "image",
                                     g->o->wait_image ? g->o->wait_image : KUBE_WAIT_IMAGE,
                                     "command", "sh", "-c", script));
        }
        if (started.n) {
                _cleanup_free_ char *who = strv_join(&started, ", ");
                warnf(g,
                      "services.%s.depends_on: service_started (%s) only orders the start; "
                      "Kubernetes starts pods in any order",
                      s->name, who);
        }
        strv_free(&started);
        if (!json_array_size(inits)) {
                json_decref(inits);
                return NULL;
        }
        return inits;
}

/* Keys with no faithful mapping, and why. */
static const struct {
        const char *key;
        const char *why;
} unmapped[] = {
    {"blkio_config", "no equivalent"},
    {"cgroup", "pods always get their own cgroup namespace"},
    {"cgroup_parent", "the kubelet places pods in cgroups itself"},
    {"container_name", "pods get generated names"},
    {"cpu_count", "no equivalent"},
    {"cpu_percent", "no equivalent"},
    {"cpu_period", "use deploy.resources (cpu limits)"},
    {"cpu_quota", "use deploy.resources (cpu limits)"},
    {"cpu_rt_period", "no equivalent"},
    {"cpu_rt_runtime", "no equivalent"},
    {"cpu_shares", "use deploy.resources (cpu requests)"},
    {"cpuset", "no equivalent (the CPU manager decides)"},
    {"credential_spec", "Windows only"},
    {"device_cgroup_rules", "no equivalent (device plugins provide devices)"},
    {"devices", "no equivalent (device plugins provide devices)"},
    {"develop", "a local-development setting"},
    {"domainname", "no equivalent (use a subdomain Service)"},
    {"external_links", "containers outside the project are not in the cluster"},
    {"gpus", "no equivalent (device plugins provide GPUs)"},
    {"init", "no equivalent (put an init into the image)"},
    {"isolation", "Windows only"},
    {"links", "Services are reached by their own names"},
    {"logging", "the cluster collects container output itself"},
    {"mac_address", "no equivalent"},
    {"mem_swappiness", "no equivalent"},
    {"memswap_limit", "no equivalent"},
    {"oom_kill_disable", "no equivalent"},
    {"oom_score_adj", "the kubelet sets it from the QoS class"},
    {"pids_limit", "set by the kubelet for every pod"},
    {"runtime", "use a RuntimeClass"},
    {"stop_signal", "Kubernetes always sends SIGTERM"},
    {"storage_opt", "no equivalent"},
    {"ulimits", "no equivalent"},
    {"userns_mode", "no equivalent (use hostUsers)"},
    {"uts", "no equivalent"},
    {"volumes_from", "pods do not share volumes with other pods' containers"},
};

/* Keys the mapping reads (or that the loader resolved away). */
static const char *const mapped[] = {
    "annotations",
    "attach",
    "build",
    "cap_add",
    "cap_drop",
    "command",
    "configs",
    "cpus",
    "depends_on",
    "deploy",
    "dns",
    "dns_opt",
    "dns_search",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "extra_hosts",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "ipc",
    "labels",
    "mem_limit",
    "mem_reservation",
    "network_mode",
    "networks",
    "pid",
    "platform",
    "ports",
    "privileged",
    "profiles",
    "pull_policy",
    "read_only",
    "restart",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "sysctls",
    "tmpfs",
    "tty",
    "user",
    "volumes",
    "working_dir",
};

static bool json_empty(const json_t *v)
{
        return !v || json_is_null(v) || json_is_false(v) ||
               (json_is_array(v) && !json_array_size(v)) ||
               (json_is_object(v) && !json_object_size(v)) ||
               (json_is_string(v) && !*json_string_value(v));
}

static void warn_unmapped(struct gen *g, const struct compose_service *s)
{
        const char *k;
        json_t *v;
        json_object_foreach(s->json, k, v)
        {
                if (!strncmp(k, "x-", 2) || json_empty(v))
                        continue;
                bool known = false;
                for (size_t i = 0; i < sizeof(mapped) / sizeof(mapped[0]) && !known; i++)
                        known = !strcmp(mapped[i], k);
                if (known)
                        continue;
                const char *why = "no equivalent";
                for (size_t i = 0; i < sizeof(unmapped) / sizeof(unmapped[0]); i++)
                        if (!strcmp(unmapped[i].key, k))
                                why = unmapped[i].why;
                warnf(g, "services.%s.%s: %s; left out", s->name, k, why);
        }
        const json_t *deploy = json_object_get(s->json, "deploy");
        json_object_foreach((json_t *)deploy, k, v)
        {
                if (json_empty(v) || !strcmp(k, "replicas") || !strcmp(k, "resources") ||
                    !strcmp(k, "restart_policy"))
                        continue;
                warnf(g, "services.%s.deploy.%s: no equivalent; left out", s->name, k);
        }
        const json_t *lim = json_object_get(
            json_object_get(json_object_get(deploy, "resources"), "limits"), "pids");
        if (!json_empty(lim))
                warnf(g,
                      "services.%s.deploy.resources.limits.pids: set by the kubelet for every "
                      "pod; left out",
                      s->name);
}

/* restartPolicy: "Always" for Deployments/StatefulSets, else a bare Pod's. */
static const char *restart_policy(struct gen *g, const struct compose_service *s)
{
        const char *r = s->restart;
        if (!r) {
                const char *c = json_string_value(json_object_get(
                    json_object_get(json_object_get(s->json, "deploy"), "restart_policy"),
                    "condition"));
                if (c && !strcmp(c, "none"))
                        return "Never";
                if (c && !strcmp(c, "on-failure"))
                        return "OnFailure";
                return "Always";
        }
        if (!strcmp(r, "no"))
                return "Never";
        if (!strncmp(r, "on-failure", 10)) {
                if (r[10] == ':')
                        warnf(g,
                              "services.%s.restart: the retry limit of %s has no equivalent; "
                              "the pod restarts on every failure",
                              s->name, r);
                return "OnFailure";
        }
        return "Always";
}

static json_t *extra_hosts(const struct compose_service *s)
{
        json_t *by_ip = json_object();
        for (size_t i = 0; i < s->extra_hosts.n; i++) {
                const char *h = s->extra_hosts.v[i];
                const char *eq = strchr(h, '=');
                if (!eq)
                        continue;
                _cleanup_free_ char *host = xstrndup(h, (size_t)(eq - h));
                const char *ip = eq + 1;
                if (!strcmp(ip, "host-gateway"))
                        continue;
                json_t *a = json_object_get(by_ip, ip);
                if (!a) {
                        a = json_array();
                        json_object_set_new(by_ip, ip, a);
                }
                json_array_append_new(a, json_string(host));
        }
        json_t *out = json_array();
        const char *ip;
        json_t *names;
        json_object_foreach(by_ip, ip, names)
            json_array_append_new(out, json_pack("{s:s, s:O}", "ip", ip, "hostnames", names));
        json_decref(by_ip);
        if (!json_array_size(out)) {
                json_decref(out);
                return NULL;
        }
        return out;
}

static int map_service(struct gen *g, size_t si)
{
        const struct compose_service *s = &g->p->services[si];
        struct svcinfo *me = &g->si[si];
        json_t *ctr = json_pack("{s:s, s:s}", "name", me->name, "image", s->image ? s->image : "");
        json_t *podspec = json_object(), *podsec = json_object();
        json_t *ctr_ports = json_array();
        json_t *vols = json_array(), *mounts = json_array();
        json_t *claims = NULL;
        int rc = -1;

        if (!s->image)
                warnf(g, "services.%s: no image: set image (and build it) first", s->name);
        if (s->build.present)
                warnf(g,
                      "services.%s.build: the image %s is built locally: push it to a registry "
                      "the cluster pulls from",
                      s->name, s->image ? s->image : "");
        const char *pp = pull_policy(g, s);
        if (pp)
                json_object_set_new(ctr, "imagePullPolicy", json_string(pp));
        ctr_process(ctr, s);
        map_env(g, si, ctr);
        size_t i;
        json_t *e;

        const char *rp = restart_policy(g, s);
        bool pod = strcmp(rp, "Always") != 0;
        if (pod && s->scale > 1)
                warnf(g,
                      "services.%s: %d replicas with restart %s: a bare Pod runs once (use "
                      "restart: always for a Deployment)",
                      s->name, s->scale, s->restart ? s->restart : "none");
        if (map_volumes(g, si, !pod, vols, mounts, &claims) < 0)
                goto out;

        /* the container's ports (again: map_ports filled the Service's) */
        {
                struct portlist cpl = portlist_new(ctr_ports);
                for (size_t k = 0; k < s->nports; k++)
                        add_svc_port(&cpl, s->ports[k].target, s->ports[k].target,
                                     proto_upper(s->ports[k].protocol), 0, false);
                struct portlist scratch = portlist_new(json_array());
                for (size_t k = 0; k < s->expose.n; k++)
                        expose_ports(g, s, s->expose.v[k], &scratch, &cpl);
                json_decref(scratch.arr);
                portlist_done(&scratch);
                portlist_done(&cpl);
        }
        if (json_array_size(ctr_ports)) {
                json_t *a = json_array();
                json_array_foreach(ctr_ports, i, e) json_array_append_new(
                    a, json_pack("{s:O, s:O}", "containerPort", json_object_get(e, "port"),
                                 "protocol", json_object_get(e, "protocol")));
                json_object_set_new(ctr, "ports", a);
        }
        if (s->tty)
                json_object_set_new(ctr, "tty", json_true());
        if (s->stdin_open)
                json_object_set_new(ctr, "stdin", json_true());
        map_resources(s, ctr);
        map_security(g, s, ctr, podsec);
        if (json_array_size(mounts))
                json_object_set(ctr, "volumeMounts", mounts);
        json_t *pr = probe(&s->healthcheck);
        if (pr) {
                json_object_set_new(ctr, "readinessProbe", json_deep_copy(pr));
                if (s->healthcheck.start_period_ns > 0) {
                        int64_t period =
                            s->healthcheck.start_interval_ns > 0
                                ? s->healthcheck.start_interval_ns
                                : (s->healthcheck.interval_ns > 0 ? s->healthcheck.interval_ns
                                                                  : 30 * NS_PER_S);
                        json_t *sp = json_deep_copy(pr);
                        int64_t n = (s->healthcheck.start_period_ns + period - 1) / period;
                        json_object_set_new(sp, "periodSeconds", json_integer(secs_up(period)));
                        json_object_set_new(sp, "failureThreshold",
                                            json_integer(n + json_integer_value(json_object_get(
                                                                 pr, "failureThreshold"))));
                        json_object_set_new(ctr, "startupProbe", sp);
                }
                json_object_set_new(ctr, "livenessProbe", pr);
        }

        /* the pod */
        if (s->hostname && *s->hostname) {
                _cleanup_free_ char *h = kube_dns_label(s->hostname);
                if (strcmp(h, s->hostname))
                        warnf(g, "services.%s.hostname: %s becomes %s (a DNS-1123 label)", s->name,
                              s->hostname, h);
                json_object_set_new(podspec, "hostname", json_string(h));
        }
        if (s->network_mode && *s->network_mode) {
                if (!strcmp(s->network_mode, "host"))
                        json_object_set_new(podspec, "hostNetwork", json_true());
                else if (strcmp(s->network_mode, "bridge") && strcmp(s->network_mode, "default"))
                        warnf(g,
                              "services.%s.network_mode: %s has no equivalent (containers of "
                              "one pod share a network namespace, separate services cannot); "
                              "the pod gets its own",
                              s->name, s->network_mode);
        }
        if (s->pid && !strcmp(s->pid, "host"))
                json_object_set_new(podspec, "hostPID", json_true());
        else if (s->pid && *s->pid)
                warnf(g, "services.%s.pid: %s has no equivalent; left out", s->name, s->pid);
        if (s->ipc && !strcmp(s->ipc, "host"))
                json_object_set_new(podspec, "hostIPC", json_true());
        else if (s->ipc && *s->ipc && strcmp(s->ipc, "private") && strcmp(s->ipc, "shareable"))
                warnf(g, "services.%s.ipc: %s has no equivalent; left out", s->name, s->ipc);
        if (pod)
                json_object_set_new(podspec, "restartPolicy", json_string(rp));
        if (s->stop_grace_period_ns >= 0)
                json_object_set_new(
                    podspec, "terminationGracePeriodSeconds",
                    json_integer((s->stop_grace_period_ns + NS_PER_S - 1) / NS_PER_S));
        if (json_object_size(podsec))
                json_object_set(podspec, "securityContext", podsec);
        json_t *ha = extra_hosts(s);
        if (ha)
                json_object_set_new(podspec, "hostAliases", ha);
        json_t *dc = json_object(), *dopts = json_array();
        for (size_t k = 0; k < s->dns_opt.n; k++) {
                const char *o = s->dns_opt.v[k];
                const char *c = strchr(o, ':');
                _cleanup_free_ char *n = c ? xstrndup(o, (size_t)(c - o)) : xstrdup(o);
                json_t *x = json_pack("{s:s}", "name", n);
                if (c)
                        json_object_set_new(x, "value", json_string(c + 1));
                json_array_append_new(dopts, x);
        }
        jobj_set_nonempty(dc, "nameservers", json_strv(&s->dns));
        jobj_set_nonempty(dc, "searches", json_strv(&s->dns_search));
        jobj_set_nonempty(dc, "options", dopts);
        jobj_set_nonempty(podspec, "dnsConfig", dc);
        if (s->platform && *s->platform) {
                _cleanup_free_ char *os = xstrndup(s->platform, strcspn(s->platform, "/"));
                const char *arch = strchr(s->platform, '/');
                json_t *ns = json_pack("{s:s}", "kubernetes.io/os", os);
                if (arch) {
                        _cleanup_free_ char *a = xstrndup(arch + 1, strcspn(arch + 1, "/"));
                        json_object_set_new(ns, "kubernetes.io/arch", json_string(a));
                }
                json_object_set_new(podspec, "nodeSelector", ns);
        }
        json_t *inits = map_depends(g, s);
        if (inits)
                json_object_set_new(podspec, "initContainers", inits);
        json_object_set_new(podspec, "containers", json_pack("[O]", ctr));
        if (json_array_size(vols))
                json_object_set(podspec, "volumes", vols);
        warn_unmapped(g, s);

        json_t *plabels = selector(g, si);
        for (size_t k = 0; k < me->networks.n; k++) {
                _cleanup_free_ char *nl = xasprintf("network-%s", me->networks.v[k]);
                _cleanup_free_ char *l = kube_dns_label(nl);
                _cleanup_free_ char *key = xasprintf("berth.io/%s", l);
                json_object_set_new(plabels, key, json_string("true"));
        }
        json_t *pmeta = json_pack("{s:o}", "labels", plabels);
        if (s->labels.n || s->annotations.n) {
                json_t *an = json_object();
                for (size_t k = 0; k < s->labels.n; k++)
                        json_object_set_new(
                            an, s->labels.v[k].key,
                            json_string(s->labels.v[k].value ? s->labels.v[k].value : ""));
                for (size_t k = 0; k < s->annotations.n; k++)
                        json_object_set_new(an, s->annotations.v[k].key,
                                            json_string(s->annotations.v[k].value
                                                            ? s->annotations.v[k].value
                                                            : ""));
                json_object_set_new(pmeta, "annotations", an);
        }

        json_t *doc;
        if (pod) {
                doc = json_pack("{s:s, s:s, s:o}", "apiVersion", "v1", "kind", "Pod", "metadata",
                                metadata(g, me->name, selector(g, si)));
                json_object_set(json_object_get(doc, "metadata"), "labels",
                                json_object_get(pmeta, "labels"));
                if (json_object_get(pmeta, "annotations"))
                        json_object_set(json_object_get(doc, "metadata"), "annotations",
                                        json_object_get(pmeta, "annotations"));
                json_object_set(doc, "spec", podspec);
                json_decref(pmeta);
        } else {
                json_t *spec = json_pack("{s:I, s:{s:o}}", "replicas",
                                         (json_int_t)(s->scale >= 0 ? s->scale : 1), "selector",
                                         "matchLabels", selector(g, si));
                if (claims)
                        json_object_set_new(spec, "serviceName", json_string(me->name));
                json_object_set_new(spec, "template",
                                    json_pack("{s:o, s:O}", "metadata", pmeta, "spec", podspec));
                if (claims)
                        json_object_set_new(spec, "volumeClaimTemplates", claims);
                claims = NULL;
                doc = json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "apps/v1", "kind",
                                json_object_get(spec, "volumeClaimTemplates") ? "StatefulSet"
                                                                              : "Deployment",
                                "metadata", metadata(g, me->name, selector(g, si)), "spec", spec);
        }
        emit(g, K_WORKLOAD, doc);
        rc = 0;
out:
        json_decref(ctr);
        json_decref(podspec);
        json_decref(podsec);
        json_decref(ctr_ports);
        json_decref(vols);
        json_decref(mounts);
        json_decref(claims);
        return rc;
}

/* The Service named after service si, plus one per network alias. */
static void map_service_objects(struct gen *g, size_t si)
{
        const struct compose_service *s = &g->p->services[si];
        struct svcinfo *me = &g->si[si];
        if (s->network_mode && !strcmp(s->network_mode, "host"))
                return; /* reached on the node's address */
        strv_t names = STRV_INIT;
        strv_push(&names, me->name);
        for (size_t n = 0; n < s->nnetworks; n++)
                for (size_t a = 0; a < s->networks[n].aliases.n; a++) {
                        _cleanup_free_ char *l = kube_dns_label(s->networks[n].aliases.v[a]);
                        if (strcmp(l, s->networks[n].aliases.v[a]))
                                warnf(g,
                                      "services.%s.networks.%s.aliases: %s becomes %s (a "
                                      "DNS-1123 label)",
                                      s->name, s->networks[n].name, s->networks[n].aliases.v[a], l);
                        if (!strv_contains(&names, l))
                                strv_push(&names, l);
                }
        for (size_t k = 0; k < names.n; k++) {
                json_t *set = json_object_get(g->used_names, "Service");
                if (k > 0 && json_object_get(set, names.v[k])) {
                        warnf(g,
                              "services.%s: the alias %s is already the name of a Service; left "
                              "out",
                              s->name, names.v[k]);
                        continue;
                }
                _cleanup_free_ char *name =
                    k == 0 ? xstrdup(names.v[k]) : unique_name(g, "Service", names.v[k]);
                json_t *spec = json_pack("{s:o}", "selector", selector(g, si));
                if (me->published)
                        json_object_set_new(spec, "type",
                                            json_string(g->o->service_type == KUBE_SVC_LOADBALANCER
                                                            ? "LoadBalancer"
                                                            : "NodePort"));
                else
                        json_object_set_new(spec, "clusterIP", json_string("None"));
                if (json_array_size(me->svc_ports)) {
                        json_t *ports = json_deep_copy(me->svc_ports);
                        if (!me->published) {
                                size_t i;
                                json_t *p;
                                json_array_foreach(ports, i, p) json_object_del(p, "nodePort");
                        }
                        json_object_set_new(spec, "ports", ports);
                }
                json_t *meta = metadata(g, name, selector(g, si));
                if (k == 0 && me->published_specs.n) {
                        /* for `kube play`: the host ports as the compose file had them */
                        _cleanup_free_ char *specs = strv_join(&me->published_specs, ",");
                        json_object_set_new(meta, "annotations",
                                            json_pack("{s:s}", "berth.io/published", specs));
                }
                emit(g, K_SERVICE,
                     json_pack("{s:s, s:s, s:o, s:o}", "apiVersion", "v1", "kind", "Service",
                               "metadata", meta, "spec", spec));
        }
        strv_free(&names);
}

static void map_networks(struct gen *g)
{
        strv_t nets = STRV_INIT;
        for (size_t i = 0; i < g->p->nservices; i++)
                for (size_t k = 0; g->si[i].selected && k < g->si[i].networks.n; k++)
                        if (!strv_contains(&nets, g->si[i].networks.v[k]))
                                strv_push(&nets, g->si[i].networks.v[k]);
        strv_sort(&nets);
        for (size_t k = 0; k < nets.n; k++) {
                const struct compose_resource *r =
                    compose_resource_find(g->p->networks, g->p->nnetworks, nets.v[k]);
                if (r && r->external)
                        warnf(g,
                              "networks.%s: external: the cluster has one pod network; it is "
                              "isolated like the others",
                              r->key);
                if (r && ((r->subnet && *r->subnet) || (r->gateway && *r->gateway)))
                        warnf(g, "networks.%s.ipam: the cluster assigns pod addresses itself",
                              r->key);
                if (r && r->driver && strcmp(r->driver, "bridge"))
                        warnf(g, "networks.%s.driver: %s has no equivalent", r->key, r->driver);
                if (r && r->internal)
                        warnf(g,
                              "networks.%s.internal: egress is not restricted (the policy "
                              "limits ingress only)",
                              r->key);
                if (r && r->enable_ipv6)
                        warnf(g, "networks.%s.enable_ipv6: the cluster decides its IP families",
                              r->key);
                _cleanup_free_ char *nl = xasprintf("network-%s", nets.v[k]);
                _cleanup_free_ char *l = kube_dns_label(nl);
                _cleanup_free_ char *key = xasprintf("berth.io/%s", l);
                _cleanup_free_ char *pname = kube_dns_label(nets.v[k]);
                _cleanup_free_ char *pn = xasprintf("%s-network", pname);
                _cleanup_free_ char *pl = kube_dns_label(pn);
                _cleanup_free_ char *name = unique_name(g, "NetworkPolicy", pl);
                emit(g, K_POLICY,
                     json_pack(
                         "{s:s, s:s, s:o, s:{s:{s:{s:s}}, s:[s], s:[{s:[{s:{s:{s:s}}}]}]}}",
                         "apiVersion", "networking.k8s.io/v1", "kind", "NetworkPolicy", "metadata",
                         metadata(g, name, json_pack("{s:s}", LABEL_PART_OF, g->project)), "spec",
                         "podSelector", "matchLabels", key, "true", "policyTypes", "Ingress",
                         "ingress", "from", "podSelector", "matchLabels", key, "true"));
        }
        /* published ports are open to everyone */
        for (size_t i = 0; nets.n && i < g->p->nservices; i++) {
                struct svcinfo *me = &g->si[i];
                if (!me->selected || !me->published || !me->networks.n)
                        continue;
                json_t *ports = json_array();
                size_t k;
                json_t *p;
                json_array_foreach(me->svc_ports, k, p) json_array_append_new(
                    ports, json_pack("{s:O, s:O}", "port", json_object_get(p, "targetPort"),
                                     "protocol", json_object_get(p, "protocol")));
                _cleanup_free_ char *pn = xasprintf("%s-published", me->name);
                _cleanup_free_ char *pl = kube_dns_label(pn);
                _cleanup_free_ char *name = unique_name(g, "NetworkPolicy", pl);
                emit(g, K_POLICY,
                     json_pack("{s:s, s:s, s:o, s:{s:{s:o}, s:[s], s:[{s:o}]}}", "apiVersion",
                               "networking.k8s.io/v1", "kind", "NetworkPolicy", "metadata",
                               metadata(g, name, json_pack("{s:s}", LABEL_PART_OF, g->project)),
                               "spec", "podSelector", "matchLabels", selector(g, i), "policyTypes",
                               "Ingress", "ingress", "ports", ports));
        }
        strv_free(&nets);
}

static int by_name(const void *a, const void *b)
{
        const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
        int c = strcmp(json_string_value(json_object_get(x, "kind")),
                       json_string_value(json_object_get(y, "kind")));
        if (c)
                return c;
        return strcmp(json_string_value(json_object_get(json_object_get(x, "metadata"), "name")),
                      json_string_value(json_object_get(json_object_get(y, "metadata"), "name")));
}

int compose_kube_generate(const struct compose_project *p, const struct kube_opts *o, json_t **out,
                          strv_t *warnings, err_t *err)
{
        struct gen g = {.p = p, .o = o, .warn = warnings, .err = err};
        int rc = -1;
        *out = NULL;
        g.si = xcalloc(p->nservices + 1, sizeof(*g.si));
        g.used_names = json_object();
        g.secret_made = json_object();
        g.config_made = json_object();
        g.claim_made = json_object();
        for (int k = 0; k < K_NKINDS; k++)
                g.out_by_kind[k] = json_array();
        g.project = kube_dns_label(p->name);
        if (o->namespace_) {
                _cleanup_free_ char *l = kube_dns_label(o->namespace_);
                if (strcmp(l, o->namespace_)) {
                        err_set(err, EINVAL,
                                "--namespace %s: not a DNS-1123 label (lowercase letters, "
                                "digits and '-', at most 63); try %s",
                                o->namespace_, l);
                        goto out;
                }
        }
        /* pass 1: names, selection, networks, ports */
        for (size_t i = 0; i < p->nservices; i++) {
                const struct compose_service *s = &p->services[i];
                struct svcinfo *me = &g.si[i];
                me->selected = o->nservices == 0;
                for (size_t k = 0; k < o->nservices; k++)
                        me->selected |= !strcmp(o->services[k], s->name);
                _cleanup_free_ char *l = kube_dns_label(s->name);
                me->name = unique_name(&g, "Service", l);
                json_object_set_new(json_object_get(g.used_names, "Service"), me->name,
                                    json_true());
                if (me->selected && strcmp(me->name, s->name))
                        warnf(&g,
                              "services.%s: named %s in Kubernetes (names must be DNS-1123 "
                              "labels: lowercase letters, digits and '-'); other services must "
                              "reach it by that name",
                              s->name, me->name);
                for (size_t k = 0; k < s->nnetworks; k++)
                        strv_push(&me->networks, s->networks[k].name);
                struct portlist scratch = portlist_new(json_array());
                map_ports(&g, i, &scratch);
                json_decref(scratch.arr);
                portlist_done(&scratch);
        }
        /* pass 2: the objects */
        for (size_t i = 0; i < p->nservices; i++) {
                if (!g.si[i].selected)
                        continue;
                map_service_objects(&g, i);
                if (map_service(&g, i) < 0)
                        goto out;
        }
        map_networks(&g);
        json_t *all = json_array();
        for (int k = 0; k < K_NKINDS; k++) {
                size_t n = json_array_size(g.out_by_kind[k]);
                json_t **v = xcalloc(n + 1, sizeof(*v));
                for (size_t i = 0; i < n; i++)
                        v[i] = json_array_get(g.out_by_kind[k], i);
                qsort(v, n, sizeof(*v), by_name);
                for (size_t i = 0; i < n; i++)
                        json_array_append(all, v[i]);
                free(v);
        }
        *out = all;
        rc = 0;
out:
        for (size_t i = 0; i < p->nservices; i++) {
                free(g.si[i].name);
                json_decref(g.si[i].svc_ports);
                strv_free(&g.si[i].published_specs);
                strv_free(&g.si[i].networks);
        }
        free(g.si);
        for (int k = 0; k < K_NKINDS; k++)
                json_decref(g.out_by_kind[k]);
        json_decref(g.used_names);
        json_decref(g.secret_made);
        json_decref(g.config_made);
        json_decref(g.claim_made);
        free(g.project);
        return rc;
}

char *kube_manifest_file_name(const json_t *m)
{
        const char *kind = json_string_value(json_object_get(m, "kind"));
        const char *name =
            json_string_value(json_object_get(json_object_get(m, "metadata"), "name"));
        _cleanup_free_ char *k = kube_dns_label(kind ? kind : "object");
        return xasprintf("%s-%s.yaml", name ? name : "unnamed", k);
}
