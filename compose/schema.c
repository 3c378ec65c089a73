/* schema.c - the compose specification as tables, and the generic decoder.
 *
 * Every table lists its keys in the order docker compose v2 prints them (the
 * field order of compose-go's structs), so the decoded JSON object needs no
 * reordering.  The reference for keys and types is
 * shared/spec/compose-spec.json. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "names.h"
#include "size.h"
#include "cleanup.h"
#include "schema.h"
#include "strbuf.h"
#include "xalloc.h"

#define FIELDS(name, ...)                                                                          \
        static const struct field name##_fields[] = {__VA_ARGS__};                                 \
        static const struct schema name = {#name, name##_fields, ARRAY_SIZE(name##_fields), false}
#define FIELDS_NULLOK(name, ...)                                                                   \
        static const struct field name##_fields[] = {__VA_ARGS__};                                 \
        static const struct schema name = {#name, name##_fields, ARRAY_SIZE(name##_fields), true}

#define S(k)                                                                                       \
        {                                                                                          \
                k, F_STR, NULL, NULL                                                               \
        }
#define I(k)                                                                                       \
        {                                                                                          \
                k, F_INT, NULL, NULL                                                               \
        }
#define INZ(k)                                                                                     \
        {                                                                                          \
                k, F_INTNZ, NULL, NULL                                                             \
        }
#define B(k)                                                                                       \
        {                                                                                          \
                k, F_BOOL, NULL, NULL                                                              \
        }
#define BP(k)                                                                                      \
        {                                                                                          \
                k, F_BOOLP, NULL, NULL                                                             \
        }
#define FL(k)                                                                                      \
        {                                                                                          \
                k, F_FLOAT, NULL, NULL                                                             \
        }
#define SL(k)                                                                                      \
        {                                                                                          \
                k, F_STRLIST, NULL, NULL                                                           \
        }
#define SOL(k)                                                                                     \
        {                                                                                          \
                k, F_STRORLIST, NULL, NULL                                                         \
        }
#define MS(k)                                                                                      \
        {                                                                                          \
                k, F_MAPSTR, NULL, NULL                                                            \
        }
#define ENV(k)                                                                                     \
        {                                                                                          \
                k, F_ENVMAP, NULL, NULL                                                            \
        }
#define LBL(k)                                                                                     \
        {                                                                                          \
                k, F_LABELS, NULL, NULL                                                            \
        }
#define DUR(k)                                                                                     \
        {                                                                                          \
                k, F_DURATION, NULL, NULL                                                          \
        }
#define BYT(k)                                                                                     \
        {                                                                                          \
                k, F_BYTES, NULL, NULL                                                             \
        }
#define OBJ(k, s)                                                                                  \
        {                                                                                          \
                k, F_OBJ, &s, NULL                                                                 \
        }
#define MAP(k, s)                                                                                  \
        {                                                                                          \
                k, F_MAPOF, &s, NULL                                                               \
        }
#define LST(k, s)                                                                                  \
        {                                                                                          \
                k, F_LISTOF, &s, NULL                                                              \
        }
#define FN(k, f)                                                                                   \
        {                                                                                          \
                k, F_FN, NULL, f                                                                   \
        }
#define ANY(k)                                                                                     \
        {                                                                                          \
                k, F_ANY, NULL, NULL                                                               \
        }
#define DROP(k)                                                                                    \
        {                                                                                          \
                k, F_DROP, NULL, NULL                                                              \
        }

/* --- service sub-objects ------------------------------------------------ */
FIELDS(schema_healthcheck, FN("test", dec_healthcheck_test), DUR("timeout"), DUR("interval"),
       I("retries"), DUR("start_period"), DUR("start_interval"), B("disable"));
FIELDS(schema_logging, S("driver"), MS("options"));
FIELDS(schema_blkio, INZ("weight"), ANY("weight_device"), ANY("device_read_bps"),
       ANY("device_read_iops"), ANY("device_write_bps"), ANY("device_write_iops"));
FIELDS(schema_credential_spec, S("config"), S("file"), S("registry"));
FIELDS(schema_provider, S("type"), ANY("options"));
FIELDS(schema_update_config, I("parallelism"), DUR("delay"), S("failure_action"), DUR("monitor"),
       FL("max_failure_ratio"), S("order"));
FIELDS(schema_device_request, SL("capabilities"), ANY("count"), SL("device_ids"), S("driver"),
       MS("options"));
FIELDS(schema_resource, FN("cpus", dec_cpus), BYT("memory"), INZ("pids"),
       LST("devices", schema_device_request), ANY("generic_resources"));
FIELDS(schema_resources, OBJ("limits", schema_resource), OBJ("reservations", schema_resource));
FIELDS(schema_restart_policy, S("condition"), DUR("delay"), I("max_attempts"), DUR("window"));
FIELDS(schema_placement, SL("constraints"), ANY("preferences"), INZ("max_replicas_per_node"));
FIELDS(schema_deploy, S("mode"), I("replicas"), LBL("labels"),
       OBJ("update_config", schema_update_config), OBJ("rollback_config", schema_update_config),
       OBJ("resources", schema_resources), OBJ("restart_policy", schema_restart_policy),
       OBJ("placement", schema_placement), S("endpoint_mode"));
FIELDS(schema_hook, FN("command", dec_command), S("user"), B("privileged"), S("working_dir"),
       ENV("environment"));

/* Entries of list/map-valued service keys (used by normalize.c). */
FIELDS_NULLOK(schema_svc_net_impl, SL("aliases"), MS("driver_opts"), INZ("gw_priority"),
              S("interface_name"), S("ipv4_address"), S("ipv6_address"), SL("link_local_ips"),
              S("mac_address"), INZ("priority"));
FIELDS(schema_port_impl, S("name"), S("mode"), S("host_ip"), I("target"),
       FN("published", dec_port_published), S("protocol"), S("app_protocol"));
FIELDS(schema_bind_impl, S("selinux"), S("propagation"), BP("create_host_path"), S("recursive"));
FIELDS_NULLOK(schema_volvol_impl, LBL("labels"), B("nocopy"), S("subpath"));
FIELDS(schema_tmpfs_impl, BYT("size"), FN("mode", dec_tmpfs_mode));
FIELDS_NULLOK(schema_volimage_impl, S("subpath"));
FIELDS(schema_mount_impl, S("type"), S("source"), S("target"), B("read_only"), S("consistency"),
       OBJ("bind", schema_bind_impl), OBJ("volume", schema_volvol_impl),
       OBJ("tmpfs", schema_tmpfs_impl), OBJ("image", schema_volimage_impl));
FIELDS_NULLOK(schema_dep_impl, S("condition"), B("restart"), BP("required"));
FIELDS(schema_file_ref_impl, S("source"), S("target"), S("uid"), S("gid"),
       FN("mode", dec_file_mode));
FIELDS(schema_env_file_impl, FN("path", dec_path), BP("required"), S("format"));
FIELDS(schema_ulimit_impl, I("soft"), I("hard"));
FIELDS(schema_build_impl, FN("context", dec_path), S("dockerfile"), S("dockerfile_inline"),
       SL("entitlements"), ENV("args"), ANY("provenance"), ANY("sbom"), ANY("ssh"), LBL("labels"),
       SL("cache_from"), SL("cache_to"), B("no_cache"), SOL("no_cache_filter"),
       LBL("additional_contexts"), B("pull"), FN("extra_hosts", dec_extra_hosts), S("isolation"),
       S("network"), S("target"), FN("secrets", dec_secret_refs), BYT("shm_size"), SL("tags"),
       FN("ulimits", dec_ulimits), SL("platforms"), B("privileged"));
FIELDS(schema_device_impl, S("source"), S("target"), S("permissions"));
FIELDS(schema_extends_impl, S("file"), S("service"));

const struct schema *const schema_svc_net = &schema_svc_net_impl;
const struct schema *const schema_port = &schema_port_impl;
const struct schema *const schema_mount = &schema_mount_impl;
const struct schema *const schema_dep = &schema_dep_impl;
const struct schema *const schema_file_ref = &schema_file_ref_impl;
const struct schema *const schema_env_file = &schema_env_file_impl;
const struct schema *const schema_ulimit = &schema_ulimit_impl;
const struct schema *const schema_build = &schema_build_impl;
const struct schema *const schema_device = &schema_device_impl;
const struct schema *const schema_extends = &schema_extends_impl;

/* --- the service ------------------------------------------------------- */
FIELDS(schema_service, SL("profiles"), LBL("annotations"), BP("attach"), FN("build", dec_build),
       ANY("develop"), OBJ("blkio_config", schema_blkio), SL("cap_add"), SL("cap_drop"),
       S("cgroup_parent"), S("cgroup"), INZ("cpu_count"), FL("cpu_percent"), INZ("cpu_period"),
       INZ("cpu_quota"), ANY("cpu_rt_period"), ANY("cpu_rt_runtime"), FN("cpus", dec_cpus),
       S("cpuset"), INZ("cpu_shares"), FN("command", dec_command), FN("configs", dec_config_refs),
       FN("container_name", dec_container_name), OBJ("credential_spec", schema_credential_spec),
       FN("depends_on", dec_depends_on), OBJ("deploy", schema_deploy), SL("device_cgroup_rules"),
       FN("devices", dec_devices), SOL("dns"), SL("dns_opt"), SOL("dns_search"), S("domainname"),
       FN("entrypoint", dec_command), OBJ("provider", schema_provider), ENV("environment"),
       FN("env_file", dec_env_file), FN("expose", dec_expose), FN("extends", dec_extends),
       SL("external_links"), FN("extra_hosts", dec_extra_hosts), SL("group_add"), ANY("gpus"),
       S("hostname"), OBJ("healthcheck", schema_healthcheck), S("image"), BP("init"),
       FN("ipc", dec_ns_mode), S("isolation"), LBL("labels"), SOL("label_file"),
       FN("links", dec_links), OBJ("logging", schema_logging), S("mac_address"), ANY("models"),
       BYT("mem_limit"), BYT("mem_reservation"), BYT("memswap_limit"), INZ("mem_swappiness"),
       FN("network_mode", dec_ns_mode), FN("networks", dec_service_networks), B("oom_kill_disable"),
       INZ("oom_score_adj"), FN("pid", dec_ns_mode), INZ("pids_limit"), S("platform"),
       FN("ports", dec_ports), B("privileged"), FN("pull_policy", dec_pull_policy),
       S("pull_refresh_after"), B("read_only"), FN("restart", dec_restart), S("runtime"),
       I("scale"), FN("secrets", dec_secret_refs), SL("security_opt"), BYT("shm_size"),
       B("stdin_open"), DUR("stop_grace_period"), S("stop_signal"), MS("storage_opt"),
       LBL("sysctls"), SOL("tmpfs"), B("tty"), FN("ulimits", dec_ulimits), B("use_api_socket"),
       S("user"), S("userns_mode"), FN("uts", dec_ns_mode), FN("volumes", dec_volumes),
       FN("volumes_from", dec_volumes_from), S("working_dir"), LST("post_start", schema_hook),
       LST("pre_stop", schema_hook));

const struct schema *const schema_service_ptr = &schema_service;

/* --- top-level objects -------------------------------------------------- */
FIELDS(schema_ipam_pool, S("subnet"), S("gateway"), S("ip_range"), MS("aux_addresses"));
FIELDS(schema_ipam, S("driver"), LST("config", schema_ipam_pool), MS("options"));
FIELDS_NULLOK(schema_network, S("name"), S("driver"), MS("driver_opts"), OBJ("ipam", schema_ipam),
              FN("external", dec_external), B("internal"), B("attachable"), LBL("labels"),
              BP("enable_ipv4"), BP("enable_ipv6"));
FIELDS_NULLOK(schema_volume, S("name"), S("driver"), MS("driver_opts"),
              FN("external", dec_external), LBL("labels"));
FIELDS_NULLOK(schema_secret, S("name"), FN("file", dec_path), S("environment"), S("content"),
              FN("external", dec_external), LBL("labels"), S("driver"), MS("driver_opts"),
              S("template_driver"));

static int dec_services(struct mctx *c, const struct cnode *n, const char *path, json_t **out);

static const struct field schema_project_fields[] = {DROP("version"),
                                                     S("name"),
                                                     DROP("include"),
                                                     FN("services", dec_services),
                                                     MAP("networks", schema_network),
                                                     MAP("volumes", schema_volume),
                                                     MAP("secrets", schema_secret),
                                                     MAP("configs", schema_secret),
                                                     ANY("models")};
const struct schema schema_project = {"project", schema_project_fields,
                                      ARRAY_SIZE(schema_project_fields), false};

/* --- the decoder ------------------------------------------------------- */

int mfail(struct mctx *c, const struct cnode *n, const char *path, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (n && n->pos.file && n->pos.line > 0)
                return err_set(c->err, 0, "%s:%d:%d: %s%s%s", n->pos.file, n->pos.line, n->pos.col,
                               path, *path ? ": " : "", msg);
        return err_set(c->err, 0, "%s%s%s", path, *path ? ": " : "", msg);
}

const char *scalar(const struct cnode *n)
{
        return n && n->kind == CN_SCALAR ? n->str : NULL;
}

void add_ref(struct mctx *c, enum ref_kind kind, const char *name, const char *path,
             const struct cnode *n, bool optional)
{
        if (c->nrefs == c->refcap) {
                c->refcap = c->refcap ? 2 * c->refcap : 16;
                c->refs = xrealloc(c->refs, c->refcap * sizeof(*c->refs));
        }
        struct ref *r = &c->refs[c->nrefs++];
        r->kind = kind;
        r->service = xstrdup(c->service ? c->service : "");
        r->name = xstrdup(name);
        r->path = xstrdup(path);
        r->pos = n->pos;
        r->optional = optional;
}

json_t *node_to_json(const struct cnode *n)
{
        if (!n || n->kind == CN_NULL)
                return json_null();
        if (n->kind == CN_SCALAR) {
                long long i;
                double d;
                bool b;
                if (n->quoted || (n->tag && !strcmp(n->tag, "!!str")))
                        return json_string(n->str);
                if (cnode_as_bool(n, &b) == 0)
                        return json_boolean(b);
                if (cnode_as_int(n, &i) == 0)
                        return json_integer(i);
                if (cnode_as_double(n, &d) == 0)
                        return json_real(d);
                return json_string(n->str);
        }
        if (n->kind == CN_SEQ) {
                json_t *a = json_array();
                for (size_t i = 0; i < n->n; i++)
                        json_array_append_new(a, node_to_json(n->vals[i]));
                return a;
        }
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++)
                json_object_set_new(o, n->keys[i]->str, node_to_json(n->vals[i]));
        return sort_keys(o);
}

/* Optimal string alignment distance (transpositions count as one edit). */
static size_t edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return (size_t)-1;
        size_t d[65][65];
        for (size_t i = 0; i <= la; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= la; i++) {
                for (size_t j = 1; j <= lb; j++) {
                        size_t cost = a[i - 1] != b[j - 1];
                        size_t v = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < v)
                                v = d[i][j - 1] + 1;
                        if (d[i - 1][j - 1] + cost < v)
                                v = d[i - 1][j - 1] + cost;
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                            d[i - 2][j - 2] + 1 < v)
                                v = d[i - 2][j - 2] + 1;
                        d[i][j] = v;
                }
        }
        return d[la][lb];
}

const char *closest_word(const char *word, const char *const *cands, size_t n)
{
        size_t len = strlen(word);
        size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
        size_t best = (size_t)-1;
        const char *pick = NULL;

        for (size_t i = 0; i < n; i++) {
                size_t d = edit_distance(word, cands[i]);
                if (d <= limit && d < best) {
                        best = d;
                        pick = cands[i];
                }
        }
        return pick;
}

const char *cnode_kind_word(const struct cnode *n)
{
        switch (n->kind) {
        case CN_NULL:
                return "null";
        case CN_SCALAR:
                return "a scalar";
        case CN_SEQ:
                return "a list";
        case CN_MAP:
                return "a mapping";
        }
        return "?";
}

static int want_scalar(struct mctx *c, const struct cnode *n, const char *path, const char *what)
{
        if (n->kind == CN_SCALAR)
                return 0;
        return mfail(c, n, path, "must be %s, not %s", what, cnode_kind_word(n));
}

static int dec_str(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (want_scalar(c, n, path, "a string") < 0)
                return -1;
        *out = json_string(n->str);
        return 0;
}

static int dec_int(struct mctx *c, const struct cnode *n, const char *path, bool omit_zero,
                   json_t **out)
{
        long long v;
        if (want_scalar(c, n, path, "an integer") < 0)
                return -1;
        if (cnode_as_int(n, &v) < 0)
                return mfail(c, n, path, "invalid integer \"%s\"", n->str);
        *out = omit_zero && v == 0 ? NULL : json_integer(v);
        return 0;
}

static int dec_bool(struct mctx *c, const struct cnode *n, const char *path, bool omit_false,
                    json_t **out)
{
        bool v;
        if (want_scalar(c, n, path, "a boolean") < 0)
                return -1;
        if (cnode_as_bool(n, &v) < 0)
                return mfail(c, n, path, "invalid boolean \"%s\": use true or false", n->str);
        *out = omit_false && !v ? NULL : json_boolean(v);
        return 0;
}

static int dec_float(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        double v;
        if (want_scalar(c, n, path, "a number") < 0)
                return -1;
        if (cnode_as_double(n, &v) < 0)
                return mfail(c, n, path, "invalid number \"%s\"", n->str);
        *out = v == 0 ? NULL : json_real(v);
        return 0;
}

static int dec_strlist(struct mctx *c, const struct cnode *n, const char *path, bool scalar_ok,
                       json_t **out)
{
        if (scalar_ok && n->kind == CN_SCALAR) {
                *out = json_pack("[s]", n->str);
                return 0;
        }
        if (n->kind != CN_SEQ)
                return mfail(c, n, path, "must be a list of strings, not %s", cnode_kind_word(n));
        return str_items(c, n, path, out);
}

static int dec_mapstr(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind != CN_MAP)
                return mfail(c, n, path, "must be a mapping, not %s", cnode_kind_word(n));
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++) {
                const struct cnode *v = n->vals[i];
                if (v->kind == CN_NULL) {
                        json_object_set_new(o, n->keys[i]->str, json_string(""));
                        continue;
                }
                if (v->kind != CN_SCALAR) {
                        _cleanup_free_ char *p = xasprintf("%s.%s", path, n->keys[i]->str);
                        json_decref(o);
                        return mfail(c, v, p, "must be a string or number, not %s",
                                     cnode_kind_word(v));
                }
                json_object_set_new(o, n->keys[i]->str, json_string(v->str));
        }
        *out = o;
        return 0;
}

/* environment / labels: "K=V" list or mapping. */
static int dec_kvmap(struct mctx *c, const struct cnode *n, const char *path, bool env,
                     json_t **out)
{
        json_t *o = json_object();

        if (n->kind == CN_SEQ) {
                for (size_t i = 0; i < n->n; i++) {
                        const struct cnode *it = n->vals[i];
                        if (it->kind != CN_SCALAR) {
                                _cleanup_free_ char *p = xasprintf("%s[%zu]", path, i);
                                json_decref(o);
                                return mfail(c, it, p, "must be a string, not %s",
                                             cnode_kind_word(it));
                        }
                        const char *eq = strchr(it->str, '=');
                        if (eq) {
                                _cleanup_free_ char *k = xstrndup(it->str, eq - it->str);
                                json_object_set_new(o, k, json_string(eq + 1));
                        } else {
                                json_object_set_new(o, it->str,
                                                    env ? json_null() : json_string(""));
                        }
                }
        } else if (n->kind == CN_MAP) {
                for (size_t i = 0; i < n->n; i++) {
                        const struct cnode *v = n->vals[i];
                        if (v->kind == CN_NULL) {
                                json_object_set_new(o, n->keys[i]->str,
                                                    env ? json_null() : json_string(""));
                        } else if (v->kind == CN_SCALAR) {
                                json_object_set_new(o, n->keys[i]->str, json_string(v->str));
                        } else {
                                _cleanup_free_ char *p = xasprintf("%s.%s", path, n->keys[i]->str);
                                json_decref(o);
                                return mfail(c, v, p,
                                             "must be a string, number, boolean or null, not %s",
                                             cnode_kind_word(v));
                        }
                }
        } else {
                json_decref(o);
                return mfail(c, n, path, "must be a mapping or a list of KEY=VALUE, not %s",
                             cnode_kind_word(n));
        }
        *out = o;
        return 0;
}

/* A scalar read by one of base's parsers (what: "a duration", ...). */
static int dec_parsed(struct mctx *c, const struct cnode *n, const char *path, const char *what,
                      int (*parse)(const char *s, int64_t *v, err_t *err), int64_t *v)
{
        err_t e;
        if (want_scalar(c, n, path, what) < 0)
                return -1;
        if (parse(n->str, v, &e) < 0)
                return mfail(c, n, path, "%s", e.msg);
        return 0;
}

static int dec_duration(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        int64_t ns;
        if (dec_parsed(c, n, path, "a duration", parse_duration, &ns) < 0)
                return -1;
        _cleanup_free_ char *s = compose_format_duration(ns);
        *out = json_string(s);
        return 0;
}

static int dec_bytes(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        int64_t b;
        if (dec_parsed(c, n, path, "a byte size", bytes_parse, &b) < 0)
                return -1;
        *out = b == 0 ? NULL : json_integer(b);
        return 0;
}

static int dec_mapof(struct mctx *c, const struct cnode *n, const char *path,
                     const struct schema *s, json_t **out)
{
        if (n->kind != CN_MAP)
                return mfail(c, n, path, "must be a mapping, not %s", cnode_kind_word(n));
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++) {
                _cleanup_free_ char *p = xasprintf("%s.%s", path, n->keys[i]->str);
                json_t *v = NULL;
                if (decode_object(c, n->vals[i], p, s, &v) < 0) {
                        json_decref(o);
                        return -1;
                }
                json_object_set_new(o, n->keys[i]->str, v);
        }
        *out = o;
        return 0;
}

int decode_list(struct mctx *c, const struct cnode *n, const char *path, item_fn fn,
                const void *arg, json_t **out)
{
        if (n->kind != CN_SEQ)
                return mfail(c, n, path, "must be a list, not %s", cnode_kind_word(n));
        json_t *a = json_array();
        for (size_t i = 0; i < n->n; i++) {
                _cleanup_free_ char *p = xasprintf("%s[%zu]", path, i);
                json_t *v = NULL;
                if (fn(c, n->vals[i], p, arg, &v) < 0) {
                        json_decref(a);
                        return -1;
                }
                /* an item that decodes to a list (a port range) adds its members */
                if (json_is_array(v)) {
                        json_array_extend(a, v);
                        json_decref(v);
                } else {
                        json_array_append_new(a, v);
                }
        }
        *out = a;
        return 0;
}

static int object_item(struct mctx *c, const struct cnode *it, const char *p, const void *s,
                       json_t **out)
{
        return decode_object(c, it, p, s, out);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *sort_keys(json_t *o)
{
        if (!json_is_object(o) || json_object_size(o) < 2)
                return o;
        size_t n = json_object_size(o), i = 0;
        const char **keys = xcalloc(n, sizeof(*keys));
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v) keys[i++] = key;
        qsort(keys, n, sizeof(*keys), cmp_str);
        json_t *r = json_object();
        for (i = 0; i < n; i++)
                json_object_set(r, keys[i], json_object_get(o, keys[i]));
        free(keys);
        json_decref(o);
        return r;
}

static int decode_field_raw(struct mctx *c, const struct field *f, const struct cnode *n,
                            const char *path, json_t **out);

json_t *schema_reorder(json_t *o, const struct schema *s)
{
        json_t *r = json_object();
        for (size_t i = 0; i < s->nfields; i++) {
                json_t *v = json_object_get(o, s->fields[i].key);
                if (v)
                        json_object_set(r, s->fields[i].key, v);
        }
        return schema_add_rest(r, o);
}

json_t *schema_keys_first(json_t *o, const char *const *order, size_t n)
{
        json_t *r = json_object();
        for (size_t k = 0; k < n; k++) {
                json_t *v = json_object_get(o, order[k]);
                if (v)
                        json_object_set(r, order[k], v);
        }
        return schema_add_rest(r, o);
}

json_t *schema_add_rest(json_t *r, json_t *o)
{
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v)
        {
                if (!json_object_get(r, key))
                        json_object_set(r, key, v);
        }
        json_decref(o);
        return r;
}

/* The value types decoded by one function of the node alone (fn), or of the
 * node and a flag (fn_flag); sorted: a Go map, printed with sorted keys. */
static const struct {
        decode_fn fn;
        int (*fn_flag)(struct mctx *c, const struct cnode *n, const char *path, bool flag,
                       json_t **out);
        bool flag, sorted;
} ftypes[] = {
    [F_STR] = {.fn = dec_str},
    [F_INT] = {.fn_flag = dec_int, .flag = false},
    [F_INTNZ] = {.fn_flag = dec_int, .flag = true},
    [F_BOOL] = {.fn_flag = dec_bool, .flag = true},
    [F_BOOLP] = {.fn_flag = dec_bool, .flag = false},
    [F_FLOAT] = {.fn = dec_float},
    [F_STRLIST] = {.fn_flag = dec_strlist, .flag = false},
    [F_STRORLIST] = {.fn_flag = dec_strlist, .flag = true},
    [F_MAPSTR] = {.fn = dec_mapstr, .sorted = true},
    [F_ENVMAP] = {.fn_flag = dec_kvmap, .flag = true, .sorted = true},
    [F_LABELS] = {.fn_flag = dec_kvmap, .flag = false, .sorted = true},
    [F_DURATION] = {.fn = dec_duration},
    [F_BYTES] = {.fn = dec_bytes},
    [F_MAPOF] = {.sorted = true},
};

int decode_field(struct mctx *c, const struct field *f, const struct cnode *n, const char *path,
                 json_t **out)
{
        if (decode_field_raw(c, f, n, path, out) < 0)
                return -1;
        if ((size_t)f->type < ARRAY_SIZE(ftypes) && ftypes[f->type].sorted)
                *out = sort_keys(*out);
        return 0;
}

static int decode_field_raw(struct mctx *c, const struct field *f, const struct cnode *n,
                            const char *path, json_t **out)
{
        *out = NULL;
        /* An explicit null leaves the key unset, as in compose-go. */
        if (n->kind == CN_NULL && f->type != F_OBJ && f->type != F_ANY && f->type != F_FN)
                return 0;
        if ((size_t)f->type < ARRAY_SIZE(ftypes) && ftypes[f->type].fn)
                return ftypes[f->type].fn(c, n, path, out);
        if ((size_t)f->type < ARRAY_SIZE(ftypes) && ftypes[f->type].fn_flag)
                return ftypes[f->type].fn_flag(c, n, path, ftypes[f->type].flag, out);
        switch (f->type) {
        case F_OBJ:
                if (n->kind == CN_NULL && !f->sub->null_ok)
                        return 0;
                return decode_object(c, n, path, f->sub, out);
        case F_MAPOF:
                return dec_mapof(c, n, path, f->sub, out);
        case F_LISTOF:
                return decode_list(c, n, path, object_item, f->sub, out);
        case F_FN:
                return f->fn(c, n, path, out);
        case F_ANY:
                *out = node_to_json(n);
                return 0;
        default: /* F_DROP */
                return 0;
        }
}

static const struct field *find_field(const struct schema *s, const char *key)
{
        for (size_t i = 0; i < s->nfields; i++)
                if (!strcmp(s->fields[i].key, key))
                        return &s->fields[i];
        return NULL;
}

static int unknown_key(struct mctx *c, const struct cnode *key, const char *path,
                       const struct schema *s)
{
        const char *cands[128];
        size_t n = 0;
        for (size_t i = 0; i < s->nfields && n < ARRAY_SIZE(cands); i++)
                if (s->fields[i].type != F_DROP)
                        cands[n++] = s->fields[i].key;
        const char *best = closest_word(key->str, cands, n);
        if (best)
                return mfail(c, key, path,
                             "additional property \"%s\" is not allowed (did you mean \"%s\"?)",
                             key->str, best);
        return mfail(c, key, path, "additional property \"%s\" is not allowed", key->str);
}

int decode_object(struct mctx *c, const struct cnode *n, const char *path, const struct schema *s,
                  json_t **out)
{
        if (n->kind == CN_NULL && s->null_ok) {
                *out = json_object();
                return 0;
        }
        if (n->kind != CN_MAP)
                return mfail(c, n, path, "must be a mapping, not %s", cnode_kind_word(n));

        /* Every key must be known before anything is decoded, so the first
         * error reported is the first bad key in file order. */
        for (size_t i = 0; i < n->n; i++) {
                const char *k = n->keys[i]->str;
                if (!strncmp(k, "x-", 2))
                        continue;
                if (!find_field(s, k))
                        return unknown_key(c, n->keys[i], path, s);
        }

        json_t *o = json_object();
        for (size_t fi = 0; fi < s->nfields; fi++) {
                const struct field *f = &s->fields[fi];
                const struct cnode *v = cnode_map_get(n, f->key);
                if (!v)
                        continue;
                _cleanup_free_ char *p = *path ? xasprintf("%s.%s", path, f->key) : xstrdup(f->key);
                json_t *val = NULL;
                if (decode_field(c, f, v, p, &val) < 0) {
                        json_decref(o);
                        return -1;
                }
                if (val)
                        json_object_set_new(o, f->key, val);
        }
        for (size_t i = 0; i < n->n; i++) {
                const char *k = n->keys[i]->str;
                if (!strncmp(k, "x-", 2))
                        json_object_set_new(o, k, node_to_json(n->vals[i]));
        }
        *out = o;
        return 0;
}

bool schema_name_ok(const char *s)
{
        return name_ok(s, false);
}

static int dec_services(struct mctx *c, const struct cnode *n, const char *path, json_t **out)
{
        if (n->kind == CN_NULL) {
                *out = json_object();
                return 0;
        }
        if (n->kind != CN_MAP)
                return mfail(c, n, path, "must be a mapping, not %s", cnode_kind_word(n));
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++) {
                const char *name = n->keys[i]->str;
                _cleanup_free_ char *p = xasprintf("%s.%s", path, name);
                json_t *v = NULL;
                if (!strncmp(name, "x-", 2)) {
                        json_decref(o);
                        return mfail(c, n->keys[i], p,
                                     "invalid service name \"%s\": names starting with x- are "
                                     "extensions, not services",
                                     name);
                }
                if (!schema_name_ok(name)) {
                        json_decref(o);
                        return mfail(c, n->keys[i], p,
                                     "invalid service name \"%s\": only [a-zA-Z0-9._-] are "
                                     "allowed",
                                     name);
                }
                c->service = name;
                int r = decode_object(c, n->vals[i], p, &schema_service, &v);
                c->service = NULL;
                if (r < 0) {
                        json_decref(o);
                        return -1;
                }
                json_object_set_new(o, name, v);
        }
        *out = o;
        return 0;
}
