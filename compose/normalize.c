/* normalize.c - short syntaxes to the long forms docker compose v2 prints.
 *
 * Each dec_* function decodes one service key (see the tables in schema.c)
 * and returns its canonical JSON value. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "cleanup.h"
#include "names.h"
#include "fsutil.h"
#include "mountspec.h"
#include "portspec.h"
#include "restart.h"
#include "schema.h"
#include "strbuf.h"
#include "xalloc.h"

/* --- paths -------------------------------------------------------------- */

char *resolve_path(const struct mctx *c, const char *p)
{
        if (c->o->no_normalize)
                return xstrdup(p);
        if ((p[0] == '~' && (p[1] == '/' || !p[1])) && c->o->home) {
                _cleanup_free_ char *j = xasprintf("%s/%s", c->o->home, p + 1);
                return path_clean_abs(j);
        }
        if (p[0] == '/')
                return xstrdup(p); /* compose keeps absolute paths as written */
        _cleanup_free_ char *j = xasprintf("%s/%s", c->o->working_dir, p);
        return path_clean_abs(j);
}

int dec_path(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind != CN_SCALAR)
                return mfail(c, n, path, "must be a path string, not %s", cnode_kind_word(n));
        _cleanup_free_ char *r = resolve_path(c, n->str);
        *out = json_string(r);
        return 0;
}

/* --- command, entrypoint, healthcheck.test ------------------------------ */

int str_items(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        json_t *a = json_array();
        for (size_t i = 0; i < n->n; i++) {
                const struct cnode *it = n->vals[i];
                if (it->kind != CN_SCALAR) {
                        _cleanup_free_ char *p = xasprintf("%s[%zu]", path, i);
                        json_decref(a);
                        return mfail(c, it, p, "must be a string, not %s", cnode_kind_word(it));
                }
                json_array_append_new(a, json_string(it->str));
        }
        *out = a;
        return 0;
}

int dec_command(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind == CN_SEQ)
                return str_items(c, n, path, out);
        if (n->kind != CN_SCALAR)
                return mfail(c, n, path, "must be a string or a list of strings, not %s",
                             cnode_kind_word(n));
        strv_t words = STRV_INIT;
        err_t e;
        if (compose_shell_split(n->str, &words, &e) < 0) {
                strv_free(&words);
                return mfail(c, n, path, "%s", e.msg);
        }
        json_t *a = json_array();
        for (size_t i = 0; i < words.n; i++)
                json_array_append_new(a, json_string(words.v[i]));
        strv_free(&words);
        *out = a;
        return 0;
}

int dec_healthcheck_test(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind == CN_SCALAR) {
                *out = json_pack("[ss]", "CMD-SHELL", n->str);
                return 0;
        }
        if (n->kind != CN_SEQ)
                return mfail(c, n, path, "must be a string or a list of strings, not %s",
                             cnode_kind_word(n));
        if (n->n > 0 && n->vals[0]->kind == CN_SCALAR) {
                const char *t = n->vals[0]->str;
                if (strcmp(t, "CMD") && strcmp(t, "CMD-SHELL") && strcmp(t, "NONE")) {
                        _cleanup_free_ char *p = xasprintf("%s[0]", path);
                        return mfail(c, n->vals[0], p,
                                     "invalid healthcheck test \"%s\": the first item must be "
                                     "CMD, CMD-SHELL or NONE",
                                     t);
                }
        }
        return str_items(c, n, path, out);
}

/* --- ports ---------------------------------------------------------------- */

/* "P" or "P-Q", 1-65535 (base/portspec.h's rules). */
static int parse_port_range(const char *s, unsigned long *lo, unsigned long *hi)
{
        uint16_t l, h;
        if (portspec_range_parse(s, strlen(s), &l, &h) < 0)
                return -1;
        *lo = l;
        *hi = h;
        return 0;
}

static int cmp_port_key(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --- lists ---------------------------------------------------------------- */

static int short_port(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        struct portspec ps;
        err_t e;
        int r = portspec_parse(n->str, &ps, &e);
        if (r == -PORTSPEC_BAD_PORT || r == -PORTSPEC_REVERSED)
                return mfail(c, n, path, "invalid port \"%s\": must be 1-65535", n->str);
        if (r < 0)
                return mfail(c, n, path, "%s", e.msg);
        unsigned long clo = ps.ctr_lo, chi = ps.ctr_hi, hlo = ps.host_lo, hhi = ps.host_hi;
        size_t cnt = chi - clo + 1;
        char **keys = xcalloc(cnt, sizeof(char *));
        for (size_t i = 0; i < cnt; i++)
                keys[i] = xasprintf("%lu", clo + i);
        /* docker compose orders the expanded entries by their "port/proto" text. */
        qsort(keys, cnt, sizeof(char *), cmp_port_key);
        json_t *arr = json_array();
        for (size_t k = 0; k < cnt; k++) {
                unsigned long port = strtoul(keys[k], NULL, 10);
                size_t i = port - clo;
                json_t *o = json_object();
                json_object_set_new(o, "mode", json_string("ingress"));
                if (ps.host_ip[0])
                        json_object_set_new(o, "host_ip", json_string(ps.host_ip));
                json_object_set_new(o, "target", json_integer((json_int_t)port));
                if (hlo) {
                        char pub[32];
                        if (clo == chi && hlo != hhi)
                                snprintf(pub, sizeof(pub), "%lu-%lu", hlo, hhi);
                        else
                                snprintf(pub, sizeof(pub), "%lu", hlo + i);
                        json_object_set_new(o, "published", json_string(pub));
                }
                json_object_set_new(o, "protocol", json_string(portspec_proto_text(ps.proto)));
                json_array_append_new(arr, o);
                free(keys[k]);
        }
        free(keys);
        *out = arr;
        return 0;
}

int dec_port_published(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        unsigned long lo, hi;
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind != CN_SCALAR)
                return mfail(c, n, path, "must be a string or number, not %s", cnode_kind_word(n));
        if (*n->str && parse_port_range(n->str, &lo, &hi) < 0)
                return mfail(c, n, path, "invalid port \"%s\": must be 1-65535", n->str);
        if (*n->str)
                *out = json_string(n->str);
        return 0;
}

static int port_item(struct mctx *c, const struct cnode *it, const char *p, const void *unused,
                     json_t **out)
{
        (void)unused;
        if (it->kind == CN_SCALAR)
                return short_port(c, it, p, out);
        json_t *o = NULL;
        if (decode_object(c, it, p, schema_port, &o) < 0)
                return -1;
        json_t *t = json_object_get(o, "target");
        if (!t) {
                json_decref(o);
                return mfail(c, it, p, "missing required property \"target\"");
        }
        if (json_integer_value(t) < 1 || json_integer_value(t) > 65535) {
                mfail(c, cnode_map_get(it, "target"), p, "invalid port \"%lld\": must be 1-65535",
                      (long long)json_integer_value(t));
                json_decref(o);
                return -1;
        }
        /* defaults, in docker compose's field order */
        static const char *const order[] = {"name",      "mode",     "host_ip",     "target",
                                            "published", "protocol", "app_protocol"};
        if (!json_object_get(o, "mode"))
                json_object_set_new(o, "mode", json_string("ingress"));
        if (!json_object_get(o, "protocol"))
                json_object_set_new(o, "protocol", json_string("tcp"));
        *out = schema_keys_first(o, order, ARRAY_SIZE(order));
        return 0;
}

int dec_ports(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        return decode_list(c, n, path, port_item, NULL, out);
}

static int expose_item(struct mctx *c, const struct cnode *it, const char *p, const void *unused,
                       json_t **out)
{
        (void)unused;
        unsigned long lo, hi;
        if (it->kind != CN_SCALAR)
                return mfail(c, it, p, "must be a port number, not %s", cnode_kind_word(it));
        _cleanup_free_ char *s = xstrdup(it->str);
        char *slash = strchr(s, '/');
        if (slash)
                *slash = '\0';
        if (parse_port_range(s, &lo, &hi) < 0)
                return mfail(c, it, p, "invalid port \"%s\": must be 1-65535", it->str);
        *out = json_string(it->str);
        return 0;
}

int dec_expose(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        return decode_list(c, n, path, expose_item, NULL, out);
}

/* --- volumes ---------------------------------------------------------------- */

static int short_volume(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        struct mountspec m;
        err_t err;
        if (mountspec_parse_volume(n->str, MOUNTSPEC_COMPOSE, NULL, &m, &err) < 0)
                return mfail(c, n, path, "%s", err.msg);
        bool bind = m.type == MOUNT_BIND;
        json_t *v = json_object();
        json_object_set_new(v, "type", json_string(bind ? "bind" : "volume"));
        if (m.source) {
                if (bind) {
                        _cleanup_free_ char *r = resolve_path(c, m.source);
                        json_object_set_new(v, "source", json_string(r));
                } else {
                        json_object_set_new(v, "source", json_string(m.source));
                        add_ref(c, REF_VOLUME, m.source, path, n, false);
                }
        }
        char *cdst = path_clean_abs(m.target);
        json_object_set_new(v, "target", json_string(cdst));
        free(cdst);
        if (m.read_only)
                json_object_set_new(v, "read_only", json_true());
        if (bind) {
                json_t *b = json_object();
                if (m.selinux)
                        json_object_set_new(b, "selinux",
                                            json_string(m.selinux == 'z' ? "z" : "Z"));
                if (m.propagation)
                        json_object_set_new(b, "propagation", json_string(m.propagation));
                json_object_set_new(b, "create_host_path", json_true());
                json_object_set_new(v, "bind", b);
        } else {
                json_t *vv = json_object();
                if (m.nocopy)
                        json_object_set_new(vv, "nocopy", json_true());
                json_object_set_new(v, "volume", vv);
        }
        mountspec_free(&m);
        *out = v;
        return 0;
}

static int long_volume(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        json_t *v = NULL;
        if (decode_object(c, n, path, schema_mount, &v) < 0)
                return -1;
        const char *type = json_string_value(json_object_get(v, "type"));
        const char *src = json_string_value(json_object_get(v, "source"));
        const char *dst = json_string_value(json_object_get(v, "target"));
        static const char *const types[] = {"bind", "volume", "tmpfs", "npipe", "cluster", "image"};
        bool known = false;
        if (!type) {
                json_decref(v);
                return mfail(c, n, path, "missing required property \"type\"");
        }
        for (size_t i = 0; i < ARRAY_SIZE(types); i++)
                known |= !strcmp(type, types[i]);
        if (!known) {
                const struct cnode *tn = cnode_map_get(n, "type");
                const char *best = closest_word(type, types, ARRAY_SIZE(types));
                _cleanup_free_ char *p = xasprintf("%s.type", path);
                if (best)
                        mfail(c, tn, p, "invalid volume type \"%s\" (did you mean \"%s\"?)", type,
                              best);
                else
                        mfail(c, tn, p,
                              "invalid volume type \"%s\": use bind, volume, tmpfs, npipe, "
                              "cluster or image",
                              type);
                json_decref(v);
                return -1;
        }
        if (!dst) {
                json_decref(v);
                return mfail(c, n, path, "missing required property \"target\"");
        }
        if (dst[0] == '/') {
                _cleanup_free_ char *cdst = path_clean_abs(dst);
                json_object_set_new(v, "target", json_string(cdst));
        }
        if (!strcmp(type, "bind")) {
                if (!src) {
                        json_decref(v);
                        return mfail(c, n, path, "bind mount needs a \"source\"");
                }
                _cleanup_free_ char *r = resolve_path(c, src);
                json_object_set_new(v, "source", json_string(r));
                json_t *b = json_object_get(v, "bind");
                if (b && !json_object_get(b, "create_host_path"))
                        json_object_set_new(b, "create_host_path", json_true());
        } else if (!strcmp(type, "volume") && src) {
                add_ref(c, REF_VOLUME, src, path, cnode_map_get(n, "source"), false);
        }
        *out = v;
        return 0;
}

static int volume_item(struct mctx *c, const struct cnode *it, const char *p, const void *unused,
                       json_t **out)
{
        (void)unused;
        return it->kind == CN_SCALAR ? short_volume(c, it, p, out) : long_volume(c, it, p, out);
}

int dec_volumes(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        return decode_list(c, n, path, volume_item, NULL, out);
}

int dec_tmpfs_mode(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        long long v;
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind == CN_SCALAR && n->str[0] == '0' && n->str[1] &&
            strspn(n->str, "01234567") == strlen(n->str)) {
                v = strtoll(n->str, NULL, 8);
        } else if (cnode_as_int(n, &v) < 0) {
                return mfail(c, n, path, "invalid file mode \"%s\"", scalar(n) ? n->str : "");
        }
        *out = v ? json_integer(v) : NULL;
        return 0;
}

int dec_file_mode(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        json_t *v = NULL;
        if (dec_tmpfs_mode(c, n, path, &v) < 0)
                return -1;
        if (!v && n->kind == CN_NULL)
                return 0;
        char buf[32];
        snprintf(buf, sizeof(buf), "0%llo", (unsigned long long)(v ? json_integer_value(v) : 0));
        json_decref(v);
        *out = json_string(buf);
        return 0;
}

/* --- depends_on, links, volumes_from, namespaces --------------------------- */

static int check_condition(struct mctx *c, const struct cnode *n, const char *path,
                           const char *cond)
{
        static const char *const conds[] = {"service_started", "service_healthy",
                                            "service_completed_successfully"};
        for (size_t i = 0; i < ARRAY_SIZE(conds); i++)
                if (!strcmp(cond, conds[i]))
                        return 0;
        const char *best = closest_word(cond, conds, ARRAY_SIZE(conds));
        if (best)
                return mfail(c, n, path, "invalid condition \"%s\" (did you mean \"%s\"?)", cond,
                             best);
        return mfail(c, n, path,
                     "invalid condition \"%s\": use service_started, service_healthy or "
                     "service_completed_successfully",
                     cond);
}

/* The value of one named entry of a list-or-mapping: val is the mapping's value,
 * NULL for a list item (the name alone). *optional: the reference may dangle. */
typedef int (*named_fn)(struct mctx *c, const struct cnode *val, const char *p, json_t **out,
                        bool *optional);

/* A list of names or a mapping of name -> entry, as an object sorted by name;
 * each name is a reference of the given kind. */
static int decode_named(struct mctx *c, const struct cnode *n, const char *path, const char *what,
                        enum ref_kind kind, named_fn fn, json_t **out)
{
        json_t *o = json_object();
        if (n->kind != CN_SEQ && n->kind != CN_MAP) {
                json_decref(o);
                return mfail(c, n, path, "must be a list or a mapping, not %s", cnode_kind_word(n));
        }
        bool seq = n->kind == CN_SEQ;
        for (size_t i = 0; i < n->n; i++) {
                const struct cnode *at = seq ? n->vals[i] : n->keys[i];
                _cleanup_free_ char *p =
                    seq ? xasprintf("%s[%zu]", path, i) : xasprintf("%s.%s", path, at->str);
                if (at->kind != CN_SCALAR) {
                        json_decref(o);
                        return mfail(c, at, p, "must be a %s name, not %s", what,
                                     cnode_kind_word(at));
                }
                json_t *v = NULL;
                bool optional = false;
                if (fn(c, seq ? NULL : n->vals[i], p, &v, &optional) < 0) {
                        json_decref(o);
                        return -1;
                }
                json_object_set_new(o, at->str, v);
                add_ref(c, kind, at->str, p, at, optional);
        }
        *out = sort_keys(o);
        return 0;
}

static int dep_entry(struct mctx *c, const struct cnode *val, const char *p, json_t **out,
                     bool *optional)
{
        if (!val) {
                *out = json_pack("{s:s,s:b}", "condition", "service_started", "required", 1);
                return 0;
        }
        json_t *d = NULL;
        if (decode_object(c, val, p, schema_dep, &d) < 0)
                return -1;
        const char *cond = json_string_value(json_object_get(d, "condition"));
        if (cond) {
                _cleanup_free_ char *cp = xasprintf("%s.condition", p);
                if (check_condition(c, cnode_map_get(val, "condition"), cp, cond) < 0) {
                        json_decref(d);
                        return -1;
                }
        }
        json_t *req = json_object_get(d, "required");
        bool required = req ? json_is_true(req) : true;
        json_t *e = json_object();
        json_object_set_new(e, "condition", json_string(cond ? cond : "service_started"));
        if (json_is_true(json_object_get(d, "restart")))
                json_object_set_new(e, "restart", json_true());
        json_object_set_new(e, "required", json_boolean(required));
        json_decref(d);
        *out = e;
        *optional = !required;
        return 0;
}

int dec_depends_on(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        return decode_named(c, n, path, "service", REF_SERVICE, dep_entry, out);
}

/* links ("svc[:alias]") and volumes_from ("svc[:mode]", "container:x[:mode]")
 * refer to services. */
static int service_refs(struct mctx *c, const struct cnode *n, const char *path, bool container_ok,
                        json_t **out)
{
        if (n->kind != CN_SEQ)
                return mfail(c, n, path, "must be a list, not %s", cnode_kind_word(n));
        if (str_items(c, n, path, out) < 0)
                return -1;
        for (size_t i = 0; i < n->n; i++) {
                const char *s = n->vals[i]->str;
                if (container_ok && !strncmp(s, "container:", 10))
                        continue;
                _cleanup_free_ char *p = xasprintf("%s[%zu]", path, i);
                _cleanup_free_ char *svc = xstrdup(s);
                char *colon = strchr(svc, ':');
                if (colon)
                        *colon = '\0';
                add_ref(c, REF_SERVICE, svc, p, n->vals[i], false);
        }
        return 0;
}

int dec_links(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        return service_refs(c, n, path, NULL, out);
}

int dec_volumes_from(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        return service_refs(c, n, path, true, out);
}

int dec_ns_mode(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind != CN_SCALAR)
                return mfail(c, n, path, "must be a string, not %s", cnode_kind_word(n));
        if (!strncmp(n->str, "service:", 8))
                add_ref(c, REF_SERVICE, n->str + 8, path, n, false);
        *out = json_string(n->str);
        return 0;
}

int dec_restart(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind != CN_SCALAR)
                return mfail(c, n, path, "must be a string, not %s", cnode_kind_word(n));
        const char *s = n->str;
        struct restart_policy rp;
        if (restart_policy_parse(s, &rp, NULL) < 0) {
                static const char *const pols[] = {"no", "always", "unless-stopped", "on-failure"};
                const char *best = closest_word(s, pols, ARRAY_SIZE(pols));
                if (best)
                        return mfail(c, n, path,
                                     "invalid restart policy \"%s\" (did you mean \"%s\"?)", s,
                                     best);
                return mfail(c, n, path,
                             "invalid restart policy \"%s\": use no, always, on-failure[:N] or "
                             "unless-stopped",
                             s);
        }
        *out = json_string(s);
        return 0;
}

int dec_pull_policy(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        static const char *const pols[] = {"always", "never", "missing", "if_not_present",
                                           "build",  "daily", "weekly",  "refresh"};
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind != CN_SCALAR)
                return mfail(c, n, path, "must be a string, not %s", cnode_kind_word(n));
        const char *s = n->str;
        for (size_t i = 0; i < ARRAY_SIZE(pols); i++)
                if (!strcmp(s, pols[i]))
                        goto ok;
        if (!strncmp(s, "every_", 6)) {
                int64_t ns;
                err_t e;
                if (parse_duration(s + 6, &ns, &e) == 0)
                        goto ok;
        }
        return mfail(c, n, path,
                     "invalid pull policy \"%s\": use always, never, missing, build, daily, "
                     "weekly or every_<duration>",
                     s);
ok:
        *out = json_string(s);
        return 0;
}

/* --- environment files, hosts, ulimits, networks, build ----------------- */

int dec_env_file(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL)
                return 0;
        json_t *a = json_array();
        size_t cnt = n->kind == CN_SEQ ? n->n : 1;
        for (size_t i = 0; i < cnt; i++) {
                const struct cnode *it = n->kind == CN_SEQ ? n->vals[i] : n;
                _cleanup_free_ char *p =
                    n->kind == CN_SEQ ? xasprintf("%s[%zu]", path, i) : xstrdup(path);
                json_t *e = NULL;
                if (it->kind == CN_SCALAR) {
                        _cleanup_free_ char *r = resolve_path(c, it->str);
                        e = json_pack("{s:s,s:b}", "path", r, "required", 1);
                } else if (it->kind == CN_MAP) {
                        if (decode_object(c, it, p, schema_env_file, &e) < 0)
                                goto fail;
                        if (!json_object_get(e, "path")) {
                                json_decref(e);
                                mfail(c, it, p, "missing required property \"path\"");
                                goto fail;
                        }
                        json_t *req = json_object_get(e, "required");
                        json_t *r = json_pack("{s:O,s:b}", "path", json_object_get(e, "path"),
                                              "required", req ? json_is_true(req) : 1);
                        if (json_object_get(e, "format"))
                                json_object_set(r, "format", json_object_get(e, "format"));
                        json_decref(e);
                        e = r;
                } else {
                        mfail(c, it, p, "must be a path or a mapping, not %s", cnode_kind_word(it));
                        goto fail;
                }
                json_array_append_new(a, e);
        }
        *out = a;
        return 0;
fail:
        json_decref(a);
        return -1;
}

static int host_entry(struct mctx *c, const struct cnode *n, const char *path, const char *host,
                      const char *ips, strv_t *list)
{
        if (!*host || strpbrk(host, ":="))
                return mfail(c, n, path, "bad host name \"%s\"", host);
        _cleanup_free_ char *copy = xstrdup(ips);
        for (char *save = NULL, *ip = strtok_r(copy, ",", &save); ip;
             ip = strtok_r(NULL, ",", &save)) {
                size_t l = strlen(ip);
                if (l > 2 && ip[0] == '[' && ip[l - 1] == ']') {
                        ip[l - 1] = '\0';
                        ip++;
                }
                strv_pushf(list, "%s=%s", host, ip);
        }
        return 0;
}

int dec_extra_hosts(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        strv_t list = STRV_INIT;
        if (n->kind == CN_SEQ) {
                for (size_t i = 0; i < n->n; i++) {
                        const struct cnode *it = n->vals[i];
                        _cleanup_free_ char *p = xasprintf("%s[%zu]", path, i);
                        if (it->kind != CN_SCALAR) {
                                strv_free(&list);
                                return mfail(c, it, p, "must be a string, not %s",
                                             cnode_kind_word(it));
                        }
                        const char *sep = strchr(it->str, '=');
                        if (!sep)
                                sep = strchr(it->str, ':');
                        if (!sep) {
                                strv_free(&list);
                                return mfail(c, it, p,
                                             "invalid additional host \"%s\": missing IP (use "
                                             "host=ip)",
                                             it->str);
                        }
                        _cleanup_free_ char *host = xstrndup(it->str, sep - it->str);
                        if (host_entry(c, it, p, host, sep + 1, &list) < 0) {
                                strv_free(&list);
                                return -1;
                        }
                }
        } else if (n->kind == CN_MAP) {
                for (size_t i = 0; i < n->n; i++) {
                        const struct cnode *v = n->vals[i];
                        const char *host = n->keys[i]->str;
                        _cleanup_free_ char *p = xasprintf("%s.%s", path, host);
                        int r = 0;
                        if (v->kind == CN_SEQ) {
                                for (size_t j = 0; j < v->n && r == 0; j++)
                                        r = host_entry(c, v, p, host,
                                                       scalar(v->vals[j]) ? v->vals[j]->str : "",
                                                       &list);
                        } else {
                                r = host_entry(c, v, p, host, scalar(v) ? v->str : "", &list);
                        }
                        if (r < 0) {
                                strv_free(&list);
                                return -1;
                        }
                }
        } else {
                return mfail(c, n, path, "must be a list or a mapping, not %s", cnode_kind_word(n));
        }
        strv_sort(&list);
        json_t *a = json_array();
        for (size_t i = 0; i < list.n; i++)
                json_array_append_new(a, json_string(list.v[i]));
        strv_free(&list);
        *out = a;
        return 0;
}

int dec_ulimits(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind != CN_MAP)
                return mfail(c, n, path, "must be a mapping, not %s", cnode_kind_word(n));
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++) {
                const struct cnode *v = n->vals[i];
                _cleanup_free_ char *p = xasprintf("%s.%s", path, n->keys[i]->str);
                json_t *u = NULL;
                long long single;
                if (v->kind == CN_SCALAR) {
                        if (cnode_as_int(v, &single) < 0) {
                                json_decref(o);
                                return mfail(c, v, p, "invalid ulimit \"%s\": must be an integer",
                                             v->str);
                        }
                        u = json_integer(single);
                } else {
                        if (decode_object(c, v, p, schema_ulimit, &u) < 0) {
                                json_decref(o);
                                return -1;
                        }
                        json_t *soft = json_object_get(u, "soft"),
                               *hard = json_object_get(u, "hard");
                        if (!soft || !hard) {
                                json_decref(u);
                                json_decref(o);
                                return mfail(c, v, p, "missing required property \"%s\"",
                                             soft ? "hard" : "soft");
                        }
                        if (json_integer_value(soft) > json_integer_value(hard)) {
                                mfail(c, v, p, "soft limit %lld is greater than hard limit %lld",
                                      (long long)json_integer_value(soft),
                                      (long long)json_integer_value(hard));
                                json_decref(u);
                                json_decref(o);
                                return -1;
                        }
                }
                json_object_set_new(o, n->keys[i]->str, u);
        }
        *out = sort_keys(o);
        return 0;
}

static int svc_net_entry(struct mctx *c, const struct cnode *val, const char *p, json_t **out,
                         bool *optional)
{
        (void)optional;
        if (!val || val->kind == CN_NULL) {
                *out = json_null();
                return 0;
        }
        return decode_object(c, val, p, schema_svc_net, out);
}

int dec_service_networks(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        return decode_named(c, n, path, "network", REF_NETWORK, svc_net_entry, out);
}

static bool remote_context(const char *s)
{
        return strstr(s, "://") || !strncmp(s, "git@", 4) || !strncmp(s, "github.com/", 11);
}

int dec_build(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        json_t *b = NULL;
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind == CN_SCALAR) {
                b = json_pack("{s:s}", "context", n->str);
        } else if (decode_object(c, n, path, schema_build, &b) < 0) {
                return -1;
        }
        /* context (resolved unless remote) and dockerfile first, as compose prints them */
        json_t *r = json_object();
        const char *ctx = json_string_value(json_object_get(b, "context"));
        if (!ctx)
                ctx = ".";
        if (remote_context(ctx) || c->o->no_normalize) {
                json_object_set_new(r, "context", json_string(ctx));
        } else {
                _cleanup_free_ char *abs = resolve_path(c, ctx);
                json_object_set_new(r, "context", json_string(abs));
        }
        json_t *df = json_object_get(b, "dockerfile");
        if (df)
                json_object_set(r, "dockerfile", df);
        else if (!json_object_get(b, "dockerfile_inline"))
                json_object_set_new(r, "dockerfile", json_string("Dockerfile"));
        *out = schema_add_rest(r, b);
        return 0;
}

static int file_ref_item(struct mctx *c, const struct cnode *it, const char *p, const void *kind,
                         json_t **out)
{
        bool secret = *(const enum ref_kind *)kind == REF_SECRET;
        json_t *e = NULL;
        const struct cnode *at = it;
        if (it->kind == CN_SCALAR)
                e = json_pack("{s:s}", "source", it->str);
        else if (decode_object(c, it, p, schema_file_ref, &e) < 0)
                return -1;
        else
                at = cnode_map_get(it, "source");
        const char *src = json_string_value(json_object_get(e, "source"));
        if (!src) {
                json_decref(e);
                return mfail(c, it, p, "missing required property \"source\"");
        }
        add_ref(c, *(const enum ref_kind *)kind, src, p, at, false);
        if (secret && !json_object_get(e, "target")) {
                static const char *const order[] = {"source", "target"};
                json_object_set_new(e, "target", json_sprintf("/run/secrets/%s", src));
                /* keep source, target, uid, gid, mode order */
                e = schema_keys_first(e, order, ARRAY_SIZE(order));
        }
        *out = e;
        return 0;
}

int dec_secret_refs(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        static const enum ref_kind kind = REF_SECRET;
        return decode_list(c, n, path, file_ref_item, &kind, out);
}

int dec_config_refs(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        static const enum ref_kind kind = REF_CONFIG;
        return decode_list(c, n, path, file_ref_item, &kind, out);
}

static int device_item(struct mctx *c, const struct cnode *it, const char *p, const void *unused,
                       json_t **out)
{
        (void)unused;
        json_t *e = NULL;
        if (it->kind == CN_SCALAR) {
                strv_t parts = STRV_INIT;
                for (const char *s = it->str;;) {
                        const char *col = strchr(s, ':');
                        strv_take(&parts, col ? xstrndup(s, col - s) : xstrdup(s));
                        if (!col)
                                break;
                        s = col + 1;
                }
                if (parts.n > 3) {
                        strv_free(&parts);
                        return mfail(c, it, p,
                                     "invalid device \"%s\": use HOST[:CONTAINER[:PERMS]]",
                                     it->str);
                }
                e = json_pack("{s:s,s:s,s:s}", "source", parts.v[0], "target",
                              parts.n > 1 ? parts.v[1] : parts.v[0], "permissions",
                              parts.n > 2 ? parts.v[2] : "rwm");
                strv_free(&parts);
        } else if (decode_object(c, it, p, schema_device, &e) < 0) {
                return -1;
        }
        *out = e;
        return 0;
}

int dec_devices(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        return decode_list(c, n, path, device_item, NULL, out);
}

int dec_external(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        bool b;
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind == CN_MAP) { /* legacy `external: {name: x}` */
                *out = json_true();
                return 0;
        }
        if (n->kind != CN_SCALAR || cnode_as_bool(n, &b) < 0)
                return mfail(c, n, path, "must be a boolean");
        *out = b ? json_true() : NULL;
        return 0;
}

int dec_cpus(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        double d;
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind != CN_SCALAR || cnode_as_double(n, &d) < 0 || d < 0)
                return mfail(c, n, path, "invalid cpus \"%s\": must be a positive number",
                             scalar(n) ? n->str : "");
        if (d != 0)
                *out = json_real(d);
        return 0;
}

int dec_extends(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind == CN_SCALAR) {
                *out = json_pack("{s:s}", "service", n->str);
                return 0;
        }
        return decode_object(c, n, path, schema_extends, out);
}

/* Container names as the engine accepts them: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
int dec_container_name(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL)
                return 0;
        if (n->kind != CN_SCALAR)
                return mfail(c, n, path, "must be a string, not %s", cnode_kind_word(n));
        const char *s = n->str;
        if (strlen(s) < 2 || !name_ok(s, true))
                return mfail(c, n, path,
                             "invalid container name \"%s\": use [a-zA-Z0-9][a-zA-Z0-9_.-]+", s);
        *out = json_string(s);
        return 0;
}
