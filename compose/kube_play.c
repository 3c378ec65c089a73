/* kube_play.c - Kubernetes YAML as a compose project (see kube_play.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jsonfile.h"
#include "kube.h"
#include "kube_play.h"
#include "loader.h"
#include "node.h"
#include "schema.h"
#include "strbuf.h"
#include "xalloc.h"

#define NET_LABEL_PREFIX "berth.io/network-"
#define PUBLISHED_ANNOT  "berth.io/published"

int kube_docs_parse(const char *text, size_t len, const char *file, json_t *docs, err_t *err)
{
        struct cnode *seq = NULL;
        if (cnode_parse_yaml_stream(text, len, file, &seq, err) < 0)
                return -1;
        for (size_t i = 0; i < seq->n; i++) {
                const struct cnode *d = seq->vals[i];
                if (d->kind == CN_NULL)
                        continue;
                json_array_append_new(
                    docs, json_pack("{s:s, s:I, s:I, s:o}", "file", file, "index", (json_int_t)i,
                                    "line", (json_int_t)d->pos.line, "doc", node_to_json(d)));
        }
        cnode_free(seq);
        return 0;
}

struct play {
        const json_t *docs;
        const struct kube_play_opts *o;
        strv_t *warn;
        err_t *err;
        json_t *services, *volumes, *networks, *files;
        json_t *configmaps, *secrets; /* name -> {key: base64} */
        json_t *workloads;            /* [{name, labels, spec, where, first}] */
};

static void warnf(struct play *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(struct play *g, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        kube_warn_add(g->warn, fmt, ap);
        va_end(ap);
}

/* "FILE: document N (line L)" of entry e */
static char *where(const json_t *e)
{
        return xasprintf("%s: document %" JSON_INTEGER_FORMAT " (line %" JSON_INTEGER_FORMAT ")",
                         jobj_str(e, "file"), json_integer_value(json_object_get(e, "index")),
                         json_integer_value(json_object_get(e, "line")));
}

/* ---- base64 ---------------------------------------------------------------- */

static int b64val(int c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+' || c == '-')
                return 62;
        if (c == '/' || c == '_')
                return 63;
        return -1;
}

char *kube_b64decode(const char *s, size_t *n)
{
        size_t cap = strlen(s) / 4 * 3 + 4, k = 0;
        char *out = xmalloc(cap + 1);
        uint32_t acc = 0;
        int bits = 0;
        for (; *s; s++) {
                if (isspace((unsigned char)*s))
                        continue;
                if (*s == '=')
                        break;
                int v = b64val((unsigned char)*s);
                if (v < 0) {
                        free(out);
                        return NULL;
                }
                acc = acc << 6 | (uint32_t)v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[k++] = (char)(acc >> bits & 0xff);
                }
        }
        out[k] = '\0';
        *n = k;
        return out;
}

/* ---- quantities ------------------------------------------------------------ */

/* A Kubernetes quantity ("256Mi", "500m", "1.5", "1e3", 2) as a number;
 * < 0 when it is not one. */
static double quantity(const json_t *v)
{
        if (json_is_number(v))
                return json_number_value(v);
        const char *s = json_string_value(v);
        if (!s || !*s)
                return -1;
        char *end;
        double x = strtod(s, &end);
        if (end == s || x < 0)
                return -1;
        static const struct {
                const char *suffix;
                double mul;
        } u[] = {{"Ki", 1024.0},
                 {"Mi", 1048576.0},
                 {"Gi", 1073741824.0},
                 {"Ti", 1099511627776.0},
                 {"Pi", 1125899906842624.0},
                 {"Ei", 1152921504606846976.0},
                 {"m", 1e-3},
                 {"k", 1e3},
                 {"M", 1e6},
                 {"G", 1e9},
                 {"T", 1e12},
                 {"P", 1e15},
                 {"E", 1e18},
                 {"", 1}};
        for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
                if (!strcmp(end, u[i].suffix))
                        return x * u[i].mul;
        return -1;
}

/* ---- config data ------------------------------------------------------------- */

static int load_data(struct play *g, const json_t *e, bool secret)
{
        const json_t *d = json_object_get(e, "doc");
        const char *name = jobj_str(json_object_get(d, "metadata"), "name");
        json_t *m = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(d, secret ? "data" : "binaryData"), k, v)
        {
                size_t n;
                char *raw = json_is_string(v) ? kube_b64decode(json_string_value(v), &n) : NULL;
                if (!raw) {
                        json_decref(m);
                        _cleanup_free_ char *w = where(e);
                        return err_set(g->err, EINVAL, "%s: %s %s: %s.%s is not base64", w,
                                       secret ? "Secret" : "ConfigMap", name,
                                       secret ? "data" : "binaryData", k);
                }
                free(raw);
                json_object_set(m, k, v);
        }
        json_object_foreach(json_object_get(d, secret ? "stringData" : "data"), k, v)
        {
                const char *s = json_is_string(v) ? json_string_value(v) : NULL;
                _cleanup_free_ char *text =
                    s ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
                const char *t = s ? s : text ? text : "";
                char *b = kube_b64encode(t, strlen(t));
                json_object_set_new(m, k, json_string(b));
                free(b);
        }
        json_object_set_new(secret ? g->secrets : g->configmaps, name, m);
        return 0;
}

/* The decoded value of key in ConfigMap/Secret name (NULL: missing). */
static char *data_value(struct play *g, bool secret, const char *name, const char *key, size_t *n)
{
        const json_t *m = json_object_get(secret ? g->secrets : g->configmaps, name);
        const char *b = jobj_str(m, key);
        return b ? kube_b64decode(b, n) : NULL;
}

/* ---- containers ---------------------------------------------------------------- */

struct pod {
        const char *name; /* the workload */
        const char *kind;
        const json_t *spec; /* the pod spec */
        const json_t *labels;
        const json_t *claims; /* StatefulSet volumeClaimTemplates */
        char *where;
        json_t *networks; /* [names] */
        int replicas;
        const char *restart;
};

static bool safe_rel_path(const char *p)
{
        if (!p || !*p || *p == '/')
                return false;
        for (const char *s = p; *s;) {
                size_t l = strcspn(s, "/");
                if ((l == 2 && !strncmp(s, "..", 2)) || l == 0)
                        return false;
                s += l;
                if (*s == '/')
                        s++;
        }
        return true;
}

/* The ConfigMap reference of o (cm_key), else its Secret reference
 * (secret_key, *secret set), else NULL. */
static const json_t *data_ref(const json_t *o, const char *cm_key, const char *secret_key,
                              bool *secret)
{
        const json_t *ref = json_object_get(o, cm_key);
        *secret = !ref;
        return ref ? ref : json_object_get(o, secret_key);
}

static int map_env(struct play *g, struct pod *pd, const json_t *c, json_t *svc)
{
        _cleanup_json_ json_t *env = json_object();
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(c, "envFrom"), i, e)
        {
                bool secret;
                const json_t *ref = data_ref(e, "configMapRef", "secretRef", &secret);
                const char *name = jobj_str(ref, "name");
                const json_t *m =
                    json_object_get(secret ? g->secrets : g->configmaps, name ? name : "");
                if (!m) {
                        if (json_is_true(json_object_get(ref, "optional")))
                                continue;
                        return err_set(g->err, ENOENT,
                                       "%s: %s %s: envFrom names %s %s, which is not in the files",
                                       pd->where, pd->kind, pd->name,
                                       secret ? "Secret" : "ConfigMap", name ? name : "(none)");
                }
                const char *prefix = jobj_str(e, "prefix");
                const char *k;
                json_t *v;
                json_object_foreach((json_t *)m, k, v)
                {
                        size_t n;
                        _cleanup_free_ char *val = kube_b64decode(json_string_value(v), &n);
                        _cleanup_free_ char *key = xasprintf("%s%s", prefix ? prefix : "", k);
                        json_object_set_new(env, key, json_stringn(val ? val : "", n));
                }
        }
        json_array_foreach(json_object_get(c, "env"), i, e)
        {
                const char *name = jobj_str(e, "name");
                if (!name)
                        continue;
                const json_t *vf = json_object_get(e, "valueFrom");
                if (!vf) {
                        const json_t *v = json_object_get(e, "value");
                        json_object_set_new(env, name,
                                            json_is_string(v) ? json_copy((json_t *)v)
                                                              : json_string(""));
                        continue;
                }
                bool secret;
                const json_t *ref = data_ref(vf, "configMapKeyRef", "secretKeyRef", &secret);
                if (!ref) {
                        warnf(g,
                              "%s: %s %s: env %s: only configMapKeyRef and secretKeyRef are "
                              "read (fieldRef and resourceFieldRef need a cluster); left out",
                              pd->where, pd->kind, pd->name, name);
                        continue;
                }
                size_t n;
                _cleanup_free_ char *val = data_value(g, secret, jobj_str(ref, "name") ?: "",
                                                      jobj_str(ref, "key") ?: "", &n);
                if (!val) {
                        if (json_is_true(json_object_get(ref, "optional")))
                                continue;
                        return err_set(g->err, ENOENT,
                                       "%s: %s %s: env %s: key %s of %s %s is not in the files",
                                       pd->where, pd->kind, pd->name, name,
                                       jobj_str(ref, "key") ?: "", secret ? "Secret" : "ConfigMap",
                                       jobj_str(ref, "name") ?: "");
                }
                json_object_set_new(env, name, json_stringn(val, n));
        }
        jobj_set_nonempty(svc, "environment", json_incref(env));
        return 0;
}

static void map_probe(struct play *g, struct pod *pd, const json_t *c, json_t *svc)
{
        const json_t *p = json_object_get(c, "readinessProbe");
        if (!p)
                p = json_object_get(c, "livenessProbe");
        if (!p)
                return;
        const json_t *cmd = json_object_get(json_object_get(p, "exec"), "command");
        if (!json_array_size(cmd)) {
                warnf(g, "%s: %s %s: container %s: only exec probes become healthchecks", pd->where,
                      pd->kind, pd->name, jobj_str(c, "name"));
                return;
        }
        json_t *test = json_pack("[s]", "CMD");
        size_t i;
        json_t *a;
        json_array_foreach(cmd, i, a) json_array_append(test, a);
        json_int_t period = json_integer_value(json_object_get(p, "periodSeconds"));
        json_int_t timeout = json_integer_value(json_object_get(p, "timeoutSeconds"));
        json_int_t fails = json_integer_value(json_object_get(p, "failureThreshold"));
        json_int_t delay = json_integer_value(json_object_get(p, "initialDelaySeconds"));
        const json_t *sp = json_object_get(c, "startupProbe");
        if (sp)
                delay += json_integer_value(json_object_get(sp, "failureThreshold")) *
                         (json_integer_value(json_object_get(sp, "periodSeconds")) ?: 10);
        char iv[32], to[32], st[32];
        snprintf(iv, sizeof(iv), "%llds", (long long)(period > 0 ? period : 10));
        snprintf(to, sizeof(to), "%llds", (long long)(timeout > 0 ? timeout : 1));
        json_t *hc = json_pack("{s:o, s:s, s:s, s:I}", "test", test, "interval", iv, "timeout", to,
                               "retries", fails > 0 ? fails : (json_int_t)3);
        if (delay > 0) {
                snprintf(st, sizeof(st), "%llds", (long long)delay);
                json_object_set_new(hc, "start_period", json_string(st));
        }
        json_object_set_new(svc, "healthcheck", hc);
}

static void map_security(struct play *g, struct pod *pd, const json_t *c, json_t *svc)
{
        const json_t *sc = json_object_get(c, "securityContext");
        const json_t *psc = json_object_get(pd->spec, "securityContext");
        const json_t *uid = json_object_get(sc, "runAsUser") ?: json_object_get(psc, "runAsUser");
        const json_t *gid = json_object_get(sc, "runAsGroup") ?: json_object_get(psc, "runAsGroup");
        if (json_is_integer(uid)) {
                char u[64];
                if (json_is_integer(gid))
                        snprintf(u, sizeof(u), "%" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT,
                                 json_integer_value(uid), json_integer_value(gid));
                else
                        snprintf(u, sizeof(u), "%" JSON_INTEGER_FORMAT, json_integer_value(uid));
                json_object_set_new(svc, "user", json_string(u));
        }
        const json_t *caps = json_object_get(sc, "capabilities");
        if (json_array_size(json_object_get(caps, "add")))
                json_object_set(svc, "cap_add", json_object_get(caps, "add"));
        if (json_array_size(json_object_get(caps, "drop")))
                json_object_set(svc, "cap_drop", json_object_get(caps, "drop"));
        if (json_is_true(json_object_get(sc, "privileged")))
                json_object_set_new(svc, "privileged", json_true());
        if (json_is_true(json_object_get(sc, "readOnlyRootFilesystem")))
                json_object_set_new(svc, "read_only", json_true());
        json_t *so = json_array();
        if (json_is_false(json_object_get(sc, "allowPrivilegeEscalation")))
                json_array_append_new(so, json_string("no-new-privileges:true"));
        const char *sp = jobj_str(json_object_get(sc, "seccompProfile"), "type");
        if (sp && !strcmp(sp, "Unconfined"))
                json_array_append_new(so, json_string("seccomp=unconfined"));
        if (json_array_size(so))
                json_object_set_new(svc, "security_opt", so);
        else
                json_decref(so);
        (void)g;
}

static void map_resources(const json_t *c, json_t *svc)
{
        const json_t *r = json_object_get(c, "resources");
        double mem = quantity(json_object_get(json_object_get(r, "limits"), "memory"));
        double cpu = quantity(json_object_get(json_object_get(r, "limits"), "cpu"));
        double req = quantity(json_object_get(json_object_get(r, "requests"), "memory"));
        if (mem > 0)
                json_object_set_new(svc, "mem_limit", json_integer((json_int_t)mem));
        if (cpu > 0)
                json_object_set_new(svc, "cpus", json_real(cpu));
        if (req > 0)
                json_object_set_new(svc, "mem_reservation", json_integer((json_int_t)req));
}

/* The pod volume called name. */
static const json_t *pod_volume(struct pod *pd, const char *name)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(pd->spec, "volumes"), i,
                           v) if (!strcmp(jobj_str(v, "name") ?: "", name)) return v;
        return NULL;
}

/* How many containers of the pod mount volume name. */
static int mounters(struct pod *pd, const char *name)
{
        int n = 0;
        size_t i, k;
        json_t *c, *m;
        json_array_foreach(json_object_get(pd->spec, "containers"), i, c)
            json_array_foreach(json_object_get(c, "volumeMounts"), k, m) n +=
            !strcmp(jobj_str(m, "name") ?: "", name);
        return n;
}

/* Write the files of a ConfigMap/Secret volume under data_dir; *dir its
 * directory there. */
static int data_volume(struct play *g, struct pod *pd, const json_t *v, bool secret, char **dir)
{
        const json_t *src = json_object_get(v, secret ? "secret" : "configMap");
        const char *obj = jobj_str(src, secret ? "secretName" : "name");
        const json_t *m = json_object_get(secret ? g->secrets : g->configmaps, obj ? obj : "");
        const char *vname = jobj_str(v, "name");
        if (!m) {
                if (json_is_true(json_object_get(src, "optional")))
                        m = json_object();
                else
                        return err_set(g->err, ENOENT,
                                       "%s: %s %s: volume %s names %s %s, which is not in the "
                                       "files",
                                       pd->where, pd->kind, pd->name, vname,
                                       secret ? "Secret" : "ConfigMap", obj ? obj : "(none)");
        } else {
                json_incref((json_t *)m);
        }
        json_int_t defmode = json_integer_value(json_object_get(src, "defaultMode")) ?: 0644;
        *dir = xasprintf("%s/%s", pd->name, vname);
        /* names from the file become a path under data_dir: never ".." or "x/y" */
        if (!vname || strchr(vname, '/') || !safe_rel_path(*dir) || !strcmp(vname, ".") ||
            !strcmp(pd->name, ".")) {
                json_decref((json_t *)m);
                return err_set(g->err, EINVAL,
                               "%s: %s %s: volume %s: the pod and volume names must be plain "
                               "names (no '/', '.' or '..'); rename it",
                               pd->where, pd->kind, pd->name, vname ? vname : "(unnamed)");
        }
        const json_t *items = json_object_get(src, "items");
        size_t i;
        json_t *it;
        const char *k;
        json_t *val;
        int rc = 0;
        if (json_array_size(items)) {
                json_array_foreach(items, i, it)
                {
                        const char *key = jobj_str(it, "key"), *path = jobj_str(it, "path");
                        const char *b = jobj_str(m, key ? key : "");
                        if (!safe_rel_path(path) || !b) {
                                rc = err_set(
                                    g->err, EINVAL, "%s: %s %s: volume %s: item %s -> %s: %s",
                                    pd->where, pd->kind, pd->name, vname, key ? key : "",
                                    path ? path : "",
                                    b ? "the path must be relative, without '..'" : "no such key");
                                break;
                        }
                        json_int_t mode =
                            json_integer_value(json_object_get(it, "mode")) ?: defmode;
                        _cleanup_free_ char *rel = xasprintf("%s/%s", *dir, path);
                        json_object_set_new(g->files, rel,
                                            json_pack("{s:s, s:I}", "data", b, "mode", mode));
                }
        } else {
                json_object_foreach((json_t *)m, k, val)
                {
                        if (!safe_rel_path(k) || strchr(k, '/')) {
                                rc = err_set(g->err, EINVAL,
                                             "%s: %s %s: volume %s: key %s is not a file name",
                                             pd->where, pd->kind, pd->name, vname, k);
                                break;
                        }
                        _cleanup_free_ char *rel = xasprintf("%s/%s", *dir, k);
                        json_object_set_new(g->files, rel,
                                            json_pack("{s:O, s:I}", "data", val, "mode", defmode));
                }
        }
        /* the volume is a directory even when it has no files */
        json_object_set_new(g->files, *dir, json_pack("{s:b}", "dir", 1));
        json_decref((json_t *)m);
        return rc;
}

static int map_mounts(struct play *g, struct pod *pd, const json_t *c, json_t *svc)
{
        json_t *vols = json_array();
        size_t i;
        json_t *m;
        int rc = -1;
        json_array_foreach(json_object_get(c, "volumeMounts"), i, m)
        {
                const char *name = jobj_str(m, "name"), *target = jobj_str(m, "mountPath");
                const char *sub = jobj_str(m, "subPath");
                bool ro = json_is_true(json_object_get(m, "readOnly"));
                if (!name || !target || *target != '/') {
                        err_set(g->err, EINVAL,
                                "%s: %s %s: container %s: a volumeMount needs a name and an "
                                "absolute mountPath",
                                pd->where, pd->kind, pd->name, jobj_str(c, "name"));
                        goto out;
                }
                if (sub && *sub && !safe_rel_path(sub)) {
                        err_set(g->err, EINVAL,
                                "%s: %s %s: volumeMount %s: subPath %s must be relative, without "
                                "'..'",
                                pd->where, pd->kind, pd->name, name, sub);
                        goto out;
                }
                const json_t *v = pod_volume(pd, name);
                json_t *cv = json_pack("{s:s}", "target", target);
                if (ro)
                        json_object_set_new(cv, "read_only", json_true());
                bool claim_tmpl = false;
                size_t k;
                json_t *t;
                json_array_foreach(pd->claims, k, t) claim_tmpl |=
                    !strcmp(jobj_str(json_object_get(t, "metadata"), "name") ?: "", name);
                if (claim_tmpl || json_object_get(v, "persistentVolumeClaim")) {
                        const char *claim =
                            claim_tmpl ? name
                                       : jobj_str(json_object_get(v, "persistentVolumeClaim"),
                                                  "claimName");
                        if (!claim) {
                                json_decref(cv);
                                err_set(g->err, EINVAL, "%s: %s %s: volume %s: no claimName",
                                        pd->where, pd->kind, pd->name, name);
                                goto out;
                        }
                        if (claim_tmpl && pd->replicas > 1)
                                warnf(g,
                                      "%s: %s %s: %d replicas share the volume %s (one host, one "
                                      "claim)",
                                      pd->where, pd->kind, pd->name, pd->replicas, name);
                        if (!json_object_get(g->volumes, claim))
                                json_object_set_new(g->volumes, claim, json_object());
                        json_object_set_new(cv, "type", json_string("volume"));
                        json_object_set_new(cv, "source", json_string(claim));
                        if (sub && *sub)
                                json_object_set_new(cv, "volume",
                                                    json_pack("{s:s}", "subpath", sub));
                } else if (json_object_get(v, "hostPath")) {
                        const json_t *hp = json_object_get(v, "hostPath");
                        const char *path = jobj_str(hp, "path");
                        if (!path || *path != '/') {
                                json_decref(cv);
                                err_set(g->err, EINVAL,
                                        "%s: %s %s: volume %s: hostPath.path must be absolute",
                                        pd->where, pd->kind, pd->name, name);
                                goto out;
                        }
                        _cleanup_free_ char *src =
                            sub && *sub ? xasprintf("%s/%s", path, sub) : xstrdup(path);
                        const char *type = jobj_str(hp, "type");
                        json_object_set_new(cv, "type", json_string("bind"));
                        json_object_set_new(cv, "source", json_string(src));
                        json_object_set_new(
                            cv, "bind",
                            json_pack("{s:b}", "create_host_path",
                                      type && (!strcmp(type, "DirectoryOrCreate"))));
                } else if (json_object_get(v, "emptyDir")) {
                        const json_t *ed = json_object_get(v, "emptyDir");
                        const char *medium = jobj_str(ed, "medium");
                        if (medium && !strcmp(medium, "Memory")) {
                                json_object_set_new(cv, "type", json_string("tmpfs"));
                                double sz = quantity(json_object_get(ed, "sizeLimit"));
                                if (sz > 0)
                                        json_object_set_new(
                                            cv, "tmpfs",
                                            json_pack("{s:I}", "size", (json_int_t)sz));
                                if (mounters(pd, name) > 1)
                                        warnf(g,
                                              "%s: %s %s: the memory volume %s is one tmpfs per "
                                              "container, not shared",
                                              pd->where, pd->kind, pd->name, name);
                        } else if (mounters(pd, name) > 1) {
                                _cleanup_free_ char *vn = xasprintf("%s-%s", pd->name, name);
                                if (!json_object_get(g->volumes, vn))
                                        json_object_set_new(g->volumes, vn, json_object());
                                json_object_set_new(cv, "type", json_string("volume"));
                                json_object_set_new(cv, "source", json_string(vn));
                        } else {
                                json_object_set_new(cv, "type", json_string("volume"));
                        }
                } else if (json_object_get(v, "configMap") || json_object_get(v, "secret")) {
                        bool secret = json_object_get(v, "secret") != NULL;
                        _cleanup_free_ char *dir = NULL;
                        if (data_volume(g, pd, v, secret, &dir) < 0) {
                                json_decref(cv);
                                goto out;
                        }
                        _cleanup_free_ char *src =
                            sub && *sub ? xasprintf("%s/%s/%s", g->o->data_dir, dir, sub)
                                        : xasprintf("%s/%s", g->o->data_dir, dir);
                        json_object_set_new(cv, "type", json_string("bind"));
                        json_object_set_new(cv, "source", json_string(src));
                        json_object_set_new(cv, "read_only", json_true());
                } else {
                        warnf(g, "%s: %s %s: volume %s: %s; the mount of %s is left out", pd->where,
                              pd->kind, pd->name, name,
                              v ? "only persistentVolumeClaim, hostPath, emptyDir, configMap and "
                                  "secret volumes are run"
                                : "no such volume in the pod",
                              target);
                        json_decref(cv);
                        continue;
                }
                json_array_append_new(vols, cv);
        }
        if (json_array_size(vols))
                json_object_set(svc, "volumes", vols);
        rc = 0;
out:
        json_decref(vols);
        return rc;
}

/* One compose service of container c of the pod. */
/* A port's protocol as compose spells it: "tcp" unless given. */
static char *port_protocol(const json_t *p)
{
        const char *proto = jobj_str(p, "protocol");
        char *lp = xstrdup(proto ? proto : "TCP");
        for (char *q = lp; *q; q++)
                *q = (char)tolower((unsigned char)*q);
        return lp;
}

static int map_container(struct play *g, struct pod *pd, const json_t *c, json_t **out)
{
        const char *image = jobj_str(c, "image");
        if (!image || !*image)
                return err_set(g->err, EINVAL, "%s: %s %s: container %s has no image", pd->where,
                               pd->kind, pd->name, jobj_str(c, "name") ?: "(unnamed)");
        json_t *svc = json_pack("{s:s}", "image", image);
        if (json_array_size(json_object_get(c, "command")))
                json_object_set(svc, "entrypoint", json_object_get(c, "command"));
        if (json_array_size(json_object_get(c, "args")))
                json_object_set(svc, "command", json_object_get(c, "args"));
        if (jobj_str(c, "workingDir"))
                json_object_set(svc, "working_dir", json_object_get(c, "workingDir"));
        if (json_is_true(json_object_get(c, "tty")))
                json_object_set_new(svc, "tty", json_true());
        if (json_is_true(json_object_get(c, "stdin")))
                json_object_set_new(svc, "stdin_open", json_true());
        const char *pp = jobj_str(c, "imagePullPolicy");
        if (pp)
                json_object_set_new(svc, "pull_policy",
                                    json_string(!strcmp(pp, "Always")  ? "always"
                                                : !strcmp(pp, "Never") ? "never"
                                                                       : "missing"));
        if (map_env(g, pd, c, svc) < 0 || map_mounts(g, pd, c, svc) < 0) {
                json_decref(svc);
                return -1;
        }
        map_probe(g, pd, c, svc);
        map_security(g, pd, c, svc);
        map_resources(c, svc);
        json_t *ports = json_array(), *expose = json_array();
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(c, "ports"), i, p)
        {
                json_int_t cp = json_integer_value(json_object_get(p, "containerPort"));
                json_int_t hp = json_integer_value(json_object_get(p, "hostPort"));
                _cleanup_free_ char *lp = port_protocol(p);
                if (cp <= 0 || cp > 65535)
                        continue;
                if (hp > 0) {
                        char pub[32];
                        snprintf(pub, sizeof(pub), "%" JSON_INTEGER_FORMAT, hp);
                        json_t *e = json_pack("{s:I, s:s, s:s}", "target", cp, "published", pub,
                                              "protocol", lp);
                        if (jobj_str(p, "hostIP"))
                                json_object_set(e, "host_ip", json_object_get(p, "hostIP"));
                        json_array_append_new(ports, e);
                } else {
                        char ex[32];
                        snprintf(ex, sizeof(ex), "%" JSON_INTEGER_FORMAT "/%s", cp, lp);
                        json_array_append_new(expose, json_string(ex));
                }
        }
        jobj_set_nonempty(svc, "ports", ports);
        jobj_set_nonempty(svc, "expose", expose);
        *out = svc;
        return 0;
}

/* Pod-level keys onto the first container's service. */
static void map_pod_level(struct play *g, struct pod *pd, json_t *svc)
{
        const json_t *s = pd->spec;
        if (json_is_true(json_object_get(s, "hostNetwork")))
                json_object_set_new(svc, "network_mode", json_string("host"));
        if (json_is_true(json_object_get(s, "hostPID")))
                json_object_set_new(svc, "pid", json_string("host"));
        if (json_is_true(json_object_get(s, "hostIPC")))
                json_object_set_new(svc, "ipc", json_string("host"));
        if (jobj_str(s, "hostname"))
                json_object_set(svc, "hostname", json_object_get(s, "hostname"));
        json_t *eh = json_array();
        size_t i, k;
        json_t *a, *h;
        json_array_foreach(json_object_get(s, "hostAliases"), i, a)
            json_array_foreach(json_object_get(a, "hostnames"), k, h)
        {
                _cleanup_free_ char *x =
                    xasprintf("%s=%s", json_string_value(h) ?: "", jobj_str(a, "ip") ?: "");
                json_array_append_new(eh, json_string(x));
        }
        jobj_set_nonempty(svc, "extra_hosts", eh);
        const json_t *dc = json_object_get(s, "dnsConfig");
        if (json_array_size(json_object_get(dc, "nameservers")))
                json_object_set(svc, "dns", json_object_get(dc, "nameservers"));
        if (json_array_size(json_object_get(dc, "searches")))
                json_object_set(svc, "dns_search", json_object_get(dc, "searches"));
        const json_t *psc = json_object_get(s, "securityContext");
        json_t *sys = json_object();
        json_array_foreach(json_object_get(psc, "sysctls"), i, a) if (jobj_str(a, "name"))
            json_object_set_new(sys, jobj_str(a, "name"), json_string(jobj_str(a, "value") ?: ""));
        jobj_set_nonempty(svc, "sysctls", sys);
        if (json_array_size(json_object_get(psc, "supplementalGroups"))) {
                json_t *gs = json_array();
                json_array_foreach(json_object_get(psc, "supplementalGroups"), i, a)
                {
                        char n[32];
                        snprintf(n, sizeof(n), "%" JSON_INTEGER_FORMAT, json_integer_value(a));
                        json_array_append_new(gs, json_string(n));
                }
                json_object_set_new(svc, "group_add", gs);
        }
        const json_t *tg = json_object_get(s, "terminationGracePeriodSeconds");
        if (json_is_integer(tg)) {
                char d[32];
                snprintf(d, sizeof(d), "%" JSON_INTEGER_FORMAT "s", json_integer_value(tg));
                json_object_set_new(svc, "stop_grace_period", json_string(d));
        }
        if (json_object_get(s, "nodeSelector") || json_object_get(s, "affinity") ||
            json_object_get(s, "tolerations"))
                warnf(g, "%s: %s %s: scheduling constraints are ignored (one host)", pd->where,
                      pd->kind, pd->name);
}

static void set_networks(struct pod *pd, json_t *svc)
{
        if (jobj_str(svc, "network_mode"))
                return;
        json_t *n = json_object();
        size_t i;
        json_t *v;
        json_array_foreach(pd->networks, i, v)
            json_object_set_new(n, json_string_value(v), json_object());
        json_object_set_new(svc, "networks", n);
}

static int map_workload(struct play *g, const json_t *e)
{
        const json_t *d = json_object_get(e, "doc");
        const char *kind = jobj_str(d, "kind");
        bool is_pod = !strcmp(kind, "Pod");
        const json_t *tmpl = is_pod ? d : json_object_get(json_object_get(d, "spec"), "template");
        struct pod pd = {
            .name = jobj_str(json_object_get(d, "metadata"), "name"),
            .kind = kind,
            .spec = json_object_get(tmpl, "spec"),
            .labels = json_object_get(json_object_get(tmpl, "metadata"), "labels"),
            .claims = json_object_get(json_object_get(d, "spec"), "volumeClaimTemplates"),
            .where = where(e),
            .networks = json_array(),
            .replicas = 1,
        };
        char *prev = NULL;
        int rc = -1;
        if (!json_array_size(json_object_get(pd.spec, "containers"))) {
                err_set(g->err, EINVAL, "%s: %s %s: no containers", pd.where, kind, pd.name);
                goto out;
        }
        if (!is_pod) {
                const json_t *r = json_object_get(json_object_get(d, "spec"), "replicas");
                pd.replicas = r ? (int)json_integer_value(r) : 1;
        }
        const char *rp = jobj_str(pd.spec, "restartPolicy");
        pd.restart = !is_pod || !rp || !strcmp(rp, "Always") ? "always"
                     : !strcmp(rp, "OnFailure")              ? "on-failure"
                                                             : "no";
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)pd.labels, k, v)
        {
                if (!strncmp(k, NET_LABEL_PREFIX, strlen(NET_LABEL_PREFIX)) &&
                    !strcmp(json_string_value(v) ?: "", "true")) {
                        const char *net = k + strlen(NET_LABEL_PREFIX);
                        json_array_append_new(pd.networks, json_string(net));
                        if (strcmp(net, "default") && !json_object_get(g->networks, net))
                                json_object_set_new(g->networks, net, json_object());
                }
        }
        if (!json_array_size(pd.networks))
                json_array_append_new(pd.networks, json_string("default"));
        if (json_object_get(g->services, pd.name)) {
                err_set(g->err, EEXIST,
                        "%s: %s %s: a workload of that name is already in the files", pd.where,
                        kind, pd.name);
                goto out;
        }
        /* init containers: one-shot services, in order */
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(pd.spec, "initContainers"), i, c)
        {
                json_t *svc;
                if (map_container(g, &pd, c, &svc) < 0)
                        goto out;
                char *nm = xasprintf("%s-init-%s", pd.name, jobj_str(c, "name") ?: "x");
                json_object_set_new(svc, "restart", json_string("no"));
                set_networks(&pd, svc);
                if (prev)
                        json_object_set_new(svc, "depends_on",
                                            json_pack("{s:{s:s}}", prev, "condition",
                                                      "service_completed_successfully"));
                json_object_set_new(g->services, nm, svc);
                free(prev);
                prev = nm;
        }
        json_array_foreach(json_object_get(pd.spec, "containers"), i, c)
        {
                json_t *svc;
                if (map_container(g, &pd, c, &svc) < 0)
                        goto out;
                _cleanup_free_ char *nm =
                    i == 0 ? xstrdup(pd.name)
                           : xasprintf("%s-%s", pd.name, jobj_str(c, "name") ?: "x");
                json_object_set_new(svc, "restart", json_string(pd.restart));
                if (pd.replicas != 1)
                        json_object_set_new(svc, "scale", json_integer(pd.replicas));
                if (i == 0) {
                        map_pod_level(g, &pd, svc);
                        set_networks(&pd, svc);
                        if (prev)
                                json_object_set_new(svc, "depends_on",
                                                    json_pack("{s:{s:s}}", prev, "condition",
                                                              "service_completed_successfully"));
                } else {
                        _cleanup_free_ char *nm0 = xasprintf("service:%s", pd.name);
                        json_object_set_new(svc, "network_mode", json_string(nm0));
                        json_object_set_new(svc, "depends_on", json_pack("[s]", pd.name));
                        if (pd.replicas > 1)
                                warnf(g,
                                      "%s: %s %s: container %s joins the network of the first "
                                      "replica only",
                                      pd.where, kind, pd.name, jobj_str(c, "name") ?: "");
                }
                if (json_object_get(g->services, nm)) {
                        json_decref(svc);
                        err_set(g->err, EEXIST, "%s: %s %s: the name %s is used twice", pd.where,
                                kind, pd.name, nm);
                        goto out;
                }
                json_object_set_new(g->services, nm, svc);
        }
        json_array_append_new(g->workloads,
                              json_pack("{s:s, s:O?}", "name", pd.name, "labels", pd.labels));
        rc = 0;
out:
        free(prev);
        free(pd.where);
        json_decref(pd.networks);
        return rc;
}

/* ---- Services ---------------------------------------------------------------- */

static bool selects(const json_t *selector, const json_t *labels)
{
        if (!json_object_size(selector))
                return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)selector, k, v)
        {
                const json_t *l = json_object_get(labels, k);
                if (!json_is_string(l) || !json_equal((json_t *)l, v))
                        return false;
        }
        return true;
}

static void add_alias(json_t *svc, const char *alias, const char *self)
{
        if (!strcmp(alias, self))
                return;
        json_t *nets = json_object_get(svc, "networks");
        const char *k;
        json_t *v;
        json_object_foreach(nets, k, v)
        {
                json_t *al = json_object_get(v, "aliases");
                if (!al) {
                        al = json_array();
                        json_object_set_new(v, "aliases", al);
                }
                bool have = false;
                size_t i;
                json_t *a;
                json_array_foreach(al, i, a) have |= !strcmp(json_string_value(a), alias);
                if (!have)
                        json_array_append_new(al, json_string(alias));
        }
}

static int map_k8s_service(struct play *g, const json_t *e, json_t *published)
{
        const json_t *d = json_object_get(e, "doc");
        const char *name = jobj_str(json_object_get(d, "metadata"), "name");
        const json_t *spec = json_object_get(d, "spec");
        const char *type = jobj_str(spec, "type") ?: "ClusterIP";
        _cleanup_free_ char *w = where(e);
        if (!strcmp(type, "ExternalName")) {
                warnf(g, "%s: Service %s: ExternalName is not run", w, name);
                return 0;
        }
        bool publish = !strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer");
        const char *annot = jobj_str(json_object_get(json_object_get(d, "metadata"), "annotations"),
                                     PUBLISHED_ANNOT);
        size_t i;
        json_t *wl;
        bool any = false, first = true;
        json_array_foreach(g->workloads, i, wl)
        {
                if (!selects(json_object_get(spec, "selector"), json_object_get(wl, "labels")))
                        continue;
                any = true;
                const char *wname = jobj_str(wl, "name");
                json_t *svc = json_object_get(g->services, wname);
                add_alias(svc, name, wname);
                if (!publish)
                        continue;
                if (!first) {
                        warnf(g,
                              "%s: Service %s: its ports are not published again for %s (one host)",
                              w, name, wname);
                        continue;
                }
                first = false;
                json_t *ports = json_object_get(svc, "ports");
                if (!ports) {
                        ports = json_array();
                        json_object_set_new(svc, "ports", ports);
                }
                if (annot && *annot) {
                        /* as the compose file had them (kube generate) */
                        _cleanup_free_ char *copy = xstrdup(annot);
                        char *save = NULL;
                        for (char *t = strtok_r(copy, ",", &save); t;
                             t = strtok_r(NULL, ",", &save))
                                if (*t)
                                        json_array_append_new(ports, json_string(t));
                        continue;
                }
                size_t k;
                json_t *p;
                json_array_foreach(json_object_get(spec, "ports"), k, p)
                {
                        json_int_t port = json_integer_value(json_object_get(p, "port"));
                        json_int_t node = json_integer_value(json_object_get(p, "nodePort"));
                        const json_t *tp = json_object_get(p, "targetPort");
                        json_int_t target = json_is_integer(tp) ? json_integer_value(tp) : port;
                        if (json_is_string(tp))
                                warnf(g,
                                      "%s: Service %s: the named targetPort %s is taken as "
                                      "%" JSON_INTEGER_FORMAT,
                                      w, name, json_string_value(tp), port);
                        json_int_t pub = node > 0 ? node : port;
                        if (port <= 0 || target <= 0 || pub > 65535 || target > 65535)
                                continue;
                        char key[32];
                        snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT, pub);
                        if (json_object_get(published, key)) {
                                warnf(g,
                                      "%s: Service %s: host port %s is already published; left out",
                                      w, name, key);
                                continue;
                        }
                        json_object_set_new(published, key, json_true());
                        _cleanup_free_ char *lp = port_protocol(p);
                        json_array_append_new(ports, json_pack("{s:I, s:s, s:s}", "target", target,
                                                               "published", key, "protocol", lp));
                }
        }
        if (!any)
                warnf(g, "%s: Service %s selects no workload of the files", w, name);
        if (!publish) {
                size_t k;
                json_t *p;
                json_array_foreach(json_object_get(spec, "ports"), k, p)
                {
                        const json_t *tp = json_object_get(p, "targetPort");
                        json_int_t port = json_integer_value(json_object_get(p, "port"));
                        if (json_is_integer(tp) && json_integer_value(tp) != port)
                                warnf(g,
                                      "%s: Service %s: port %" JSON_INTEGER_FORMAT
                                      " is not forwarded to %" JSON_INTEGER_FORMAT
                                      ": the name resolves to the pods; use the target port",
                                      w, name, port, json_integer_value(tp));
                }
        }
        return 0;
}

/* ---- the whole -------------------------------------------------------------------- */

int kube_play_project(const json_t *docs, const char *project, char **out, err_t *err)
{
        const char *part = NULL;
        bool same = true;
        size_t i;
        json_t *e;
        if (project) {
                *out = compose_normalize_project_name(project);
        } else {
                json_array_foreach(docs, i, e)
                {
                        const char *p = jobj_str(
                            json_object_get(json_object_get(json_object_get(e, "doc"), "metadata"),
                                            "labels"),
                            "app.kubernetes.io/part-of");
                        if (!p || (part && strcmp(part, p)))
                                same = false;
                        part = part ? part : p;
                }
                if (same && part) {
                        *out = compose_normalize_project_name(part);
                } else {
                        const char *f = jobj_str(json_array_get(docs, 0), "file");
                        const char *b = f ? strrchr(f, '/') : NULL;
                        _cleanup_free_ char *base = xstrdup(b ? b + 1 : f ? f : "kube");
                        char *dot = strrchr(base, '.');
                        if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") ||
                                    !strcmp(dot, ".json")))
                                *dot = '\0';
                        *out = compose_normalize_project_name(base);
                }
        }
        if (!**out) {
                free(*out);
                *out = NULL;
                return err_set(err, EINVAL, "no project name: give one with -p NAME");
        }
        return 0;
}

static const struct {
        const char *api, *kind;
} kinds[] = {
    {"v1", "Pod"},
    {"apps/v1", "Deployment"},
    {"apps/v1", "StatefulSet"},
    {"v1", "Service"},
    {"v1", "ConfigMap"},
    {"v1", "Secret"},
    {"v1", "PersistentVolumeClaim"},
    {"networking.k8s.io/v1", "NetworkPolicy"},
};

int kube_play_compose(const json_t *docs, const struct kube_play_opts *o, json_t **compose,
                      json_t **files, char **project, strv_t *warnings, err_t *err)
{
        struct play g = {.docs = docs, .o = o, .warn = warnings, .err = err};
        int rc = -1;
        *compose = NULL;
        *files = NULL;
        *project = NULL;
        g.services = json_object();
        g.volumes = json_object();
        g.networks = json_object();
        g.files = json_object();
        g.configmaps = json_object();
        g.secrets = json_object();
        g.workloads = json_array();
        size_t i;
        json_t *e;
        /* every document is one kube play knows, with a name */
        json_array_foreach(docs, i, e)
        {
                const json_t *d = json_object_get(e, "doc");
                const char *api = jobj_str(d, "apiVersion"), *kind = jobj_str(d, "kind");
                _cleanup_free_ char *w = where(e);
                if (!json_is_object(d) || !kind || !api) {
                        err_set(err, EINVAL, "%s: not a Kubernetes object (no apiVersion/kind)", w);
                        goto out;
                }
                bool known = false;
                for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
                        known |= !strcmp(kinds[k].api, api) && !strcmp(kinds[k].kind, kind);
                if (!known) {
                        err_set(err, EINVAL,
                                "%s: kind %s (apiVersion %s) is not one kube play runs: it runs "
                                "Pod, Deployment, StatefulSet, Service, ConfigMap, Secret and "
                                "PersistentVolumeClaim (and reads NetworkPolicy)",
                                w, kind, api);
                        goto out;
                }
                const char *name = jobj_str(json_object_get(d, "metadata"), "name");
                if (!name || !*name) {
                        err_set(err, EINVAL, "%s: %s without metadata.name", w, kind);
                        goto out;
                }
                for (const char *c = name; *c; c++)
                        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) &&
                            *c != '-' && *c != '.') {
                                err_set(err, EINVAL,
                                        "%s: %s %s: a name must be lowercase letters, digits, "
                                        "'-' and '.'",
                                        w, kind, name);
                                goto out;
                        }
                if ((!strcmp(kind, "ConfigMap") && load_data(&g, e, false) < 0) ||
                    (!strcmp(kind, "Secret") && load_data(&g, e, true) < 0))
                        goto out;
                if (!strcmp(kind, "PersistentVolumeClaim") && !json_object_get(g.volumes, name))
                        json_object_set_new(g.volumes, name, json_object());
        }
        if (kube_play_project(docs, o->project, project, err) < 0)
                goto out;
        json_array_foreach(docs, i, e)
        {
                const char *kind = jobj_str(json_object_get(e, "doc"), "kind");
                if ((!strcmp(kind, "Pod") || !strcmp(kind, "Deployment") ||
                     !strcmp(kind, "StatefulSet")) &&
                    map_workload(&g, e) < 0)
                        goto out;
        }
        json_t *published = json_object();
        json_array_foreach(docs, i, e)
        {
                const json_t *d = json_object_get(e, "doc");
                const char *kind = jobj_str(d, "kind");
                if (!strcmp(kind, "Service"))
                        map_k8s_service(&g, e, published);
                else if (!strcmp(kind, "NetworkPolicy")) {
                        /* kube generate's own policies are the networks */
                        const json_t *ml = json_object_get(
                            json_object_get(json_object_get(d, "spec"), "podSelector"),
                            "matchLabels");
                        const char *k = NULL;
                        json_t *v;
                        bool ours = json_object_size(ml) > 0;
                        json_object_foreach((json_t *)ml, k, v) ours &=
                            !strncmp(k, NET_LABEL_PREFIX, strlen(NET_LABEL_PREFIX)) ||
                            !strncmp(k, "app.kubernetes.io/", 18);
                        if (!ours) {
                                _cleanup_free_ char *w = where(e);
                                warnf(&g, "%s: NetworkPolicy %s is not enforced", w,
                                      jobj_str(json_object_get(d, "metadata"), "name"));
                        }
                }
        }
        json_decref(published);
        if (!json_object_size(g.services)) {
                err_set(err, EINVAL,
                        "no Pod, Deployment or StatefulSet in the files: nothing to run");
                goto out;
        }
        json_t *doc = json_pack("{s:s, s:O}", "name", *project, "services", g.services);
        if (json_object_size(g.networks))
                json_object_set(doc, "networks", g.networks);
        if (json_object_size(g.volumes))
                json_object_set(doc, "volumes", g.volumes);
        *compose = doc;
        *files = json_incref(g.files);
        rc = 0;
out:
        if (rc < 0) {
                free(*project);
                *project = NULL;
        }
        json_decref(g.services);
        json_decref(g.volumes);
        json_decref(g.networks);
        json_decref(g.files);
        json_decref(g.configmaps);
        json_decref(g.secrets);
        json_decref(g.workloads);
        return rc;
}
