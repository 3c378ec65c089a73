/* model.c - compose_project_decode(): decode, validate, project defaults,
 * and the typed structs filled from the canonical document. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "cleanup.h"
#include "dotenv.h"
#include "jsonfile.h"
#include "schema.h"
#include "xalloc.h"

/* --- project-level defaults ------------------------------------------- */

static json_t *sorted_object(json_t *o)
{
        strv_t keys = STRV_INIT;
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v) strv_push(&keys, key);
        strv_sort(&keys);
        json_t *r = json_object();
        for (size_t i = 0; i < keys.n; i++)
                json_object_set(r, keys.v[i], json_object_get(o, keys.v[i]));
        strv_free(&keys);
        return r;
}

/* name: <project>_<key> unless set; external objects keep their key. */
static void default_names(struct mctx *c, json_t *section, bool ipam)
{
        static const char *const net_order[] = {"name",     "driver",   "driver_opts", "ipam",
                                                "external", "internal", "attachable"};
        const char *key;
        json_t *v;
        json_object_foreach(section, key, v)
        {
                if (!json_object_get(v, "name")) {
                        if (json_is_true(json_object_get(v, "external")))
                                json_object_set_new(v, "name", json_string(key));
                        else
                                json_object_set_new(v, "name",
                                                    json_sprintf("%s_%s", c->o->project_name, key));
                }
                if (ipam && !json_object_get(v, "ipam"))
                        json_object_set_new(v, "ipam", json_object());
                json_object_set_new(
                    section, key,
                    schema_keys_first(json_incref(v), net_order, ipam ? ARRAY_SIZE(net_order) : 1));
        }
}

/* docker compose v2 `config` shows the env_file contents merged under
 * `environment` (the service's own environment wins), and resolves keys
 * given without a value from the environment. */
static int merge_env(struct mctx *c, const struct cnode *root, const char *name, json_t *svc,
                     const strv_t *environ_)
{
        json_t *files = json_object_get(svc, "env_file");
        json_t *env = json_object_get(svc, "environment");
        strv_t vals = STRV_INIT;
        size_t i;
        json_t *f;
        int r = -1;

        if (!c->o->no_env_files && !c->o->no_normalize) {
                json_array_foreach(files, i, f)
                {
                        const char *path = json_string_value(json_object_get(f, "path"));
                        err_t e;
                        if (dotenv_read(path, interp_lookup_strv, (void *)environ_, &vals, &e) <
                            0) {
                                if (e.code == ENOENT &&
                                    !json_is_true(json_object_get(f, "required")))
                                        continue;
                                const struct cnode *at = cnode_map_get(
                                    cnode_map_get(cnode_map_get(root, "services"), name),
                                    "env_file");
                                _cleanup_free_ char *p = xasprintf("services.%s.env_file", name);
                                if (e.code == ENOENT)
                                        mfail(c, at, p, "env file %s not found", path);
                                else
                                        mfail(c, at, p, "%s", e.msg);
                                goto out;
                        }
                }
        }
        if (!vals.n && !env)
                return 0;
        json_t *merged = json_object();
        for (i = 0; i < vals.n; i++) {
                char *eq = strchr(vals.v[i], '=');
                if (!eq)
                        continue;
                *eq = '\0';
                json_object_set_new(merged, vals.v[i], json_string(eq + 1));
                *eq = '=';
        }
        const char *k;
        json_t *v;
        json_object_foreach(env, k, v)
        {
                const char *from_env = json_is_null(v) ? dotenv_get(environ_, k) : NULL;
                if (from_env)
                        json_object_set_new(merged, k, json_string(from_env));
                else
                        json_object_set(merged, k, v);
        }
        json_object_set_new(svc, "environment", sort_keys(merged));
        r = 0;
out:
        strv_free(&vals);
        return r;
}

static int normalize_services(struct mctx *c, const struct cnode *root, json_t *services,
                              bool *uses_default)
{
        const char *key;
        json_t *svc;
        strv_t environ_ = STRV_INIT;
        for (char *const *e = c->o->environment; e && *e; e++)
                strv_push(&environ_, *e);
        json_object_foreach(services, key, svc)
        {
                if (merge_env(c, root, key, svc, &environ_) < 0) {
                        strv_free(&environ_);
                        return -1;
                }
                if (!json_object_get(svc, "command"))
                        json_object_set_new(svc, "command", json_null());
                if (!json_object_get(svc, "entrypoint"))
                        json_object_set_new(svc, "entrypoint", json_null());
                json_t *nets = json_object_get(svc, "networks");
                if (!nets && !json_object_get(svc, "network_mode")) {
                        nets = json_pack("{s:n}", "default");
                        json_object_set_new(svc, "networks", nets);
                }
                if (json_object_get(nets, "default"))
                        *uses_default = true;
                json_object_set_new(services, key,
                                    schema_reorder(json_incref(svc), schema_service_ptr));
        }
        strv_free(&environ_);
        return 0;
}

int normalize_project(struct mctx *c, const struct cnode *root, json_t *doc)
{
        json_t *services = json_object_get(doc, "services");
        bool uses_default = false;

        if (normalize_services(c, root, services, &uses_default) < 0)
                return -1;
        json_object_set_new(doc, "services", sorted_object(services));

        json_t *nets = json_object_get(doc, "networks");
        if (uses_default && !json_object_get(nets, "default")) {
                if (!nets) {
                        nets = json_object();
                        json_object_set_new(doc, "networks", nets);
                }
                json_object_set_new(nets, "default", json_object());
        }
        default_names(c, nets, true);
        default_names(c, json_object_get(doc, "volumes"), false);
        default_names(c, json_object_get(doc, "secrets"), false);
        default_names(c, json_object_get(doc, "configs"), false);
        json_object_set_new(doc, "name", json_string(c->o->project_name));
        return 0;
}

/* --- typed structs ------------------------------------------------------ */

static char *jstr(json_t *o, const char *k)
{
        const char *s = json_string_value(json_object_get(o, k));
        return s ? xstrdup(s) : NULL;
}

static bool jbool(json_t *o, const char *k)
{
        return json_is_true(json_object_get(o, k));
}

static int64_t jint(json_t *o, const char *k, int64_t def)
{
        json_t *v = json_object_get(o, k);
        if (json_is_integer(v))
                return json_integer_value(v);
        if (json_is_real(v))
                return (int64_t)json_real_value(v);
        return def;
}

static int64_t jdur(json_t *o, const char *k)
{
        const char *s = json_string_value(json_object_get(o, k));
        int64_t ns;
        err_t e;
        if (!s || parse_duration(s, &ns, &e) < 0)
                return -1;
        return ns;
}

/* count zeroed elements of size bytes (NULL when count is 0); *n = count */
static void *calloc_n(size_t count, size_t size, size_t *n)
{
        *n = count;
        return count ? xcalloc(count, size) : NULL;
}

static void jkv(struct compose_kvlist *l, json_t *obj)
{
        const char *key;
        json_t *v;
        l->n = 0;
        l->v = json_object_size(obj) ? xcalloc(json_object_size(obj), sizeof(*l->v)) : NULL;
        json_object_foreach(obj, key, v)
        {
                l->v[l->n].key = xstrdup(key);
                l->v[l->n].value = json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
                l->n++;
        }
}

static void kv_free(struct compose_kvlist *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].key);
                free(l->v[i].value);
        }
        free(l->v);
}

static enum compose_mount_type mount_type(const char *t)
{
        static const char *const names[] = {"volume", "bind", "tmpfs", "npipe", "cluster", "image"};
        for (size_t i = 0; i < ARRAY_SIZE(names); i++)
                if (t && !strcmp(t, names[i]))
                        return (enum compose_mount_type)i;
        return COMPOSE_MOUNT_VOLUME;
}

static void fill_refs(struct compose_file_ref **out, size_t *n, json_t *arr)
{
        size_t i;
        json_t *v;
        *out = calloc_n(json_array_size(arr), sizeof(**out), n);
        json_array_foreach(arr, i, v)
        {
                struct compose_file_ref *r = &(*out)[i];
                r->source = jstr(v, "source");
                r->target = jstr(v, "target");
                r->uid = jstr(v, "uid");
                r->gid = jstr(v, "gid");
                const char *m = json_string_value(json_object_get(v, "mode"));
                r->mode = m ? strtoll(m, NULL, 8) : -1;
        }
}

static void fill_service(struct compose_service *s, const char *name, json_t *j)
{
        size_t i;
        json_t *v;
        const char *key;

        s->name = xstrdup(name);
        s->json = j;
        s->image = jstr(j, "image");
        json_t *b = json_object_get(j, "build");
        if (b) {
                s->build.present = true;
                s->build.context = jstr(b, "context");
                s->build.dockerfile = jstr(b, "dockerfile");
                s->build.dockerfile_inline = jstr(b, "dockerfile_inline");
                s->build.target = jstr(b, "target");
                jkv(&s->build.args, json_object_get(b, "args"));
        }
        s->has_command = json_is_array(json_object_get(j, "command"));
        strv_push_json(&s->command, json_object_get(j, "command"));
        s->has_entrypoint = json_is_array(json_object_get(j, "entrypoint"));
        strv_push_json(&s->entrypoint, json_object_get(j, "entrypoint"));
        jkv(&s->environment, json_object_get(j, "environment"));
        jkv(&s->labels, json_object_get(j, "labels"));
        jkv(&s->sysctls, json_object_get(j, "sysctls"));

        json_t *ports = json_object_get(j, "ports");
        s->ports = calloc_n(json_array_size(ports), sizeof(*s->ports), &s->nports);
        json_array_foreach(ports, i, v)
        {
                struct compose_port *p = &s->ports[i];
                p->name = jstr(v, "name");
                p->mode = jstr(v, "mode");
                p->host_ip = jstr(v, "host_ip");
                p->target = (uint32_t)jint(v, "target", 0);
                p->published = jstr(v, "published");
                p->protocol = jstr(v, "protocol");
                p->app_protocol = jstr(v, "app_protocol");
                err_t e;
                if (compose_port_spec(p, &p->spec, &e) < 0)
                        p->spec_error = xstrdup(e.msg);
        }
        strv_push_json(&s->expose, json_object_get(j, "expose"));

        json_t *vols = json_object_get(j, "volumes");
        s->volumes = calloc_n(json_array_size(vols), sizeof(*s->volumes), &s->nvolumes);
        json_array_foreach(vols, i, v)
        {
                struct compose_mount *m = &s->volumes[i];
                json_t *bind = json_object_get(v, "bind"), *vol = json_object_get(v, "volume");
                json_t *tmp = json_object_get(v, "tmpfs");
                m->type = mount_type(json_string_value(json_object_get(v, "type")));
                m->source = jstr(v, "source");
                m->target = jstr(v, "target");
                m->read_only = jbool(v, "read_only");
                m->create_host_path = jbool(bind, "create_host_path");
                m->propagation = jstr(bind, "propagation");
                m->selinux = jstr(bind, "selinux");
                m->nocopy = jbool(vol, "nocopy");
                m->subpath = jstr(vol, "subpath");
                m->tmpfs_size = jint(tmp, "size", 0);
                m->tmpfs_mode = (uint32_t)jint(tmp, "mode", 0);
        }

        json_t *nets = json_object_get(j, "networks");
        s->networks = calloc_n(json_object_size(nets), sizeof(*s->networks), &s->nnetworks);
        i = 0;
        json_object_foreach(nets, key, v)
        {
                struct compose_service_net *n = &s->networks[i++];
                n->name = xstrdup(key);
                strv_push_json(&n->aliases, json_object_get(v, "aliases"));
                n->ipv4_address = jstr(v, "ipv4_address");
                n->ipv6_address = jstr(v, "ipv6_address");
                n->mac_address = jstr(v, "mac_address");
                n->priority = (int)jint(v, "priority", 0);
        }
        s->network_mode = jstr(j, "network_mode");

        json_t *deps = json_object_get(j, "depends_on");
        s->depends_on = calloc_n(json_object_size(deps), sizeof(*s->depends_on), &s->ndepends_on);
        i = 0;
        json_object_foreach(deps, key, v)
        {
                struct compose_dep *d = &s->depends_on[i++];
                const char *cond = json_string_value(json_object_get(v, "condition"));
                d->service = xstrdup(key);
                d->condition = !strcmp(cond, "service_healthy") ? COMPOSE_DEP_HEALTHY
                               : !strcmp(cond, "service_completed_successfully")
                                   ? COMPOSE_DEP_COMPLETED
                                   : COMPOSE_DEP_STARTED;
                d->required = jbool(v, "required");
                d->restart = jbool(v, "restart");
        }
        /* links imply a dependency (started), as compose does */
        json_t *lk = json_object_get(j, "links");
        size_t li;
        json_array_foreach(lk, li, v)
        {
                const char *l = json_string_value(v);
                size_t n = l ? strcspn(l, ":") : 0, e;
                for (e = 0; e < s->ndepends_on; e++)
                        if (strlen(s->depends_on[e].service) == n &&
                            !strncmp(s->depends_on[e].service, l, n))
                                break;
                if (!n || e < s->ndepends_on)
                        continue;
                s->depends_on =
                    xrealloc(s->depends_on, (s->ndepends_on + 1) * sizeof(*s->depends_on));
                s->depends_on[s->ndepends_on++] = (struct compose_dep){
                    .service = xstrndup(l, n), .condition = COMPOSE_DEP_STARTED, .required = true};
        }

        json_t *hc = json_object_get(j, "healthcheck");
        s->healthcheck.present = hc != NULL;
        strv_push_json(&s->healthcheck.test, json_object_get(hc, "test"));
        s->healthcheck.interval_ns = jdur(hc, "interval");
        s->healthcheck.timeout_ns = jdur(hc, "timeout");
        s->healthcheck.start_period_ns = jdur(hc, "start_period");
        s->healthcheck.start_interval_ns = jdur(hc, "start_interval");
        s->healthcheck.retries = jint(hc, "retries", -1);
        s->healthcheck.disable = jbool(hc, "disable");

        json_t *ul = json_object_get(j, "ulimits");
        s->ulimits = calloc_n(json_object_size(ul), sizeof(*s->ulimits), &s->nulimits);
        i = 0;
        json_object_foreach(ul, key, v)
        {
                struct compose_ulimit *u = &s->ulimits[i++];
                u->name = xstrdup(key);
                if (json_is_integer(v)) {
                        u->soft = u->hard = json_integer_value(v);
                } else {
                        u->soft = jint(v, "soft", 0);
                        u->hard = jint(v, "hard", 0);
                }
        }
        fill_refs(&s->secrets, &s->nsecrets, json_object_get(j, "secrets"));
        fill_refs(&s->configs, &s->nconfigs, json_object_get(j, "configs"));

        s->restart = jstr(j, "restart");
        s->container_name = jstr(j, "container_name");
        s->hostname = jstr(j, "hostname");
        s->domainname = jstr(j, "domainname");
        s->user = jstr(j, "user");
        s->working_dir = jstr(j, "working_dir");
        s->stop_signal = jstr(j, "stop_signal");
        s->stop_grace_period_ns = jdur(j, "stop_grace_period");
        s->pull_policy = jstr(j, "pull_policy");
        s->platform = jstr(j, "platform");
        s->ipc = jstr(j, "ipc");
        s->pid = jstr(j, "pid");
        s->uts = jstr(j, "uts");
        s->cgroup = jstr(j, "cgroup");
        s->privileged = jbool(j, "privileged");
        s->read_only = jbool(j, "read_only");
        s->tty = jbool(j, "tty");
        s->stdin_open = jbool(j, "stdin_open");
        s->init = jbool(j, "init");
        strv_push_json(&s->cap_add, json_object_get(j, "cap_add"));
        strv_push_json(&s->cap_drop, json_object_get(j, "cap_drop"));
        strv_push_json(&s->dns, json_object_get(j, "dns"));
        strv_push_json(&s->dns_search, json_object_get(j, "dns_search"));
        strv_push_json(&s->dns_opt, json_object_get(j, "dns_opt"));
        strv_push_json(&s->extra_hosts, json_object_get(j, "extra_hosts"));
        strv_push_json(&s->tmpfs, json_object_get(j, "tmpfs"));
        strv_push_json(&s->security_opt, json_object_get(j, "security_opt"));
        strv_push_json(&s->profiles, json_object_get(j, "profiles"));
        strv_push_json(&s->group_add, json_object_get(j, "group_add"));
        s->shm_size = jint(j, "shm_size", 0);
        json_t *limits =
            json_object_get(json_object_get(json_object_get(j, "deploy"), "resources"), "limits");
        json_t *resv = json_object_get(json_object_get(json_object_get(j, "deploy"), "resources"),
                                       "reservations");
        s->mem_limit = jint(limits, "memory", jint(j, "mem_limit", 0));
        s->mem_reservation = jint(resv, "memory", jint(j, "mem_reservation", 0));
        json_t *cpus = json_object_get(limits, "cpus");
        if (!cpus)
                cpus = json_object_get(j, "cpus");
        s->cpus = json_is_number(cpus) ? json_number_value(cpus) : 0;
        s->pids_limit = jint(limits, "pids", jint(j, "pids_limit", 0));
        s->oom_score_adj = jint(j, "oom_score_adj", 0);
        json_t *scale = json_object_get(j, "scale");
        if (!scale)
                scale = json_object_get(json_object_get(j, "deploy"), "replicas");
        s->scale = scale ? (int)json_integer_value(scale) : 1;
        jkv(&s->annotations, json_object_get(j, "annotations"));
        json_t *log = json_object_get(j, "logging");
        s->logging_driver = jstr(log, "driver");
        jkv(&s->logging_options, json_object_get(log, "options"));
        json_t *devs = json_object_get(j, "devices");
        s->devices = calloc_n(json_array_size(devs), sizeof(*s->devices), &s->ndevices);
        json_array_foreach(devs, i, v)
        {
                s->devices[i].source = jstr(v, "source");
                s->devices[i].target = jstr(v, "target");
                s->devices[i].permissions = jstr(v, "permissions");
        }
        strv_push_json(&s->device_cgroup_rules, json_object_get(j, "device_cgroup_rules"));
        strv_push_json(&s->links, json_object_get(j, "links"));
        strv_push_json(&s->external_links, json_object_get(j, "external_links"));
        strv_push_json(&s->volumes_from, json_object_get(j, "volumes_from"));
        s->cpu_shares = jint(j, "cpu_shares", 0);
        s->cpu_quota = jint(j, "cpu_quota", 0);
        s->cpu_period = jint(j, "cpu_period", 0);
        s->cpuset = jstr(j, "cpuset");
        s->memswap_limit = jint(j, "memswap_limit", 0);
        s->mem_swappiness = jint(j, "mem_swappiness", 0);
        s->oom_kill_disable = jbool(j, "oom_kill_disable");
        s->userns_mode = jstr(j, "userns_mode");
        s->cgroup_parent = jstr(j, "cgroup_parent");
        s->runtime = jstr(j, "runtime");
        s->mac_address = jstr(j, "mac_address");
        jkv(&s->storage_opt, json_object_get(j, "storage_opt"));
        s->attach = !json_is_false(json_object_get(j, "attach"));
}

static void fill_resources(struct compose_resource **out, size_t *n, json_t *section)
{
        const char *key;
        json_t *v;
        size_t i = 0;
        *out = calloc_n(json_object_size(section), sizeof(**out), n);
        json_object_foreach(section, key, v)
        {
                struct compose_resource *r = &(*out)[i++];
                json_t *pool =
                    json_array_get(json_object_get(json_object_get(v, "ipam"), "config"), 0);
                r->key = xstrdup(key);
                r->name = jstr(v, "name");
                r->external = jbool(v, "external");
                r->driver = jstr(v, "driver");
                jkv(&r->driver_opts, json_object_get(v, "driver_opts"));
                jkv(&r->labels, json_object_get(v, "labels"));
                r->internal = jbool(v, "internal");
                r->attachable = jbool(v, "attachable");
                r->enable_ipv6 = jbool(v, "enable_ipv6");
                r->subnet = jstr(pool, "subnet");
                r->gateway = jstr(pool, "gateway");
                r->file = jstr(v, "file");
                r->environment = jstr(v, "environment");
                r->content = jstr(v, "content");
        }
}

static void free_resources(struct compose_resource *r, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(r[i].key);
                free(r[i].name);
                free(r[i].driver);
                kv_free(&r[i].driver_opts);
                kv_free(&r[i].labels);
                free(r[i].subnet);
                free(r[i].gateway);
                free(r[i].file);
                free(r[i].environment);
                free(r[i].content);
        }
        free(r);
}

static void free_strs(char *const *v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
}

static void free_service(struct compose_service *s)
{
        char *strs[] = {s->name,
                        s->image,
                        s->build.context,
                        s->build.dockerfile,
                        s->build.dockerfile_inline,
                        s->build.target,
                        s->network_mode,
                        s->restart,
                        s->container_name,
                        s->hostname,
                        s->domainname,
                        s->user,
                        s->working_dir,
                        s->stop_signal,
                        s->pull_policy,
                        s->platform,
                        s->ipc,
                        s->pid,
                        s->uts,
                        s->cgroup,
                        s->logging_driver,
                        s->cpuset,
                        s->userns_mode,
                        s->cgroup_parent,
                        s->runtime,
                        s->mac_address};
        free_strs(strs, ARRAY_SIZE(strs));
        strv_t *vs[] = {&s->command,
                        &s->entrypoint,
                        &s->expose,
                        &s->healthcheck.test,
                        &s->cap_add,
                        &s->cap_drop,
                        &s->dns,
                        &s->dns_search,
                        &s->dns_opt,
                        &s->extra_hosts,
                        &s->tmpfs,
                        &s->security_opt,
                        &s->profiles,
                        &s->group_add,
                        &s->device_cgroup_rules,
                        &s->links,
                        &s->external_links,
                        &s->volumes_from};
        for (size_t i = 0; i < ARRAY_SIZE(vs); i++)
                strv_free(vs[i]);
        struct compose_kvlist *kvs[] = {&s->build.args, &s->environment, &s->labels,
                                        &s->sysctls,    &s->annotations, &s->logging_options,
                                        &s->storage_opt};
        for (size_t i = 0; i < ARRAY_SIZE(kvs); i++)
                kv_free(kvs[i]);
        for (size_t i = 0; i < s->nports; i++) {
                const struct compose_port *p = &s->ports[i];
                char *ps[] = {p->name,     p->mode,         p->host_ip,   p->published,
                              p->protocol, p->app_protocol, p->spec_error};
                free_strs(ps, ARRAY_SIZE(ps));
        }
        free(s->ports);
        for (size_t i = 0; i < s->nvolumes; i++) {
                const struct compose_mount *v = &s->volumes[i];
                char *ms[] = {v->source, v->target, v->propagation, v->selinux, v->subpath};
                free_strs(ms, ARRAY_SIZE(ms));
        }
        free(s->volumes);
        for (size_t i = 0; i < s->nnetworks; i++) {
                const struct compose_service_net *n = &s->networks[i];
                char *ns[] = {n->name, n->ipv4_address, n->ipv6_address, n->mac_address};
                free_strs(ns, ARRAY_SIZE(ns));
                strv_free(&s->networks[i].aliases);
        }
        free(s->networks);
        for (size_t i = 0; i < s->ndepends_on; i++)
                free(s->depends_on[i].service);
        free(s->depends_on);
        for (size_t i = 0; i < s->nulimits; i++)
                free(s->ulimits[i].name);
        free(s->ulimits);
        struct compose_file_ref *lists[2] = {s->secrets, s->configs};
        size_t counts[2] = {s->nsecrets, s->nconfigs};
        for (size_t l = 0; l < 2; l++) {
                for (size_t i = 0; i < counts[l]; i++) {
                        const struct compose_file_ref *f = &lists[l][i];
                        char *fs[] = {f->source, f->target, f->uid, f->gid};
                        free_strs(fs, ARRAY_SIZE(fs));
                }
                free(lists[l]);
        }
        for (size_t i = 0; i < s->ndevices; i++) {
                const struct compose_device *d = &s->devices[i];
                char *ds[] = {d->source, d->target, d->permissions};
                free_strs(ds, ARRAY_SIZE(ds));
        }
        free(s->devices);
}

void compose_project_free(struct compose_project *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->nservices; i++)
                free_service(&p->services[i]);
        free(p->services);
        free_resources(p->networks, p->nnetworks);
        free_resources(p->volumes, p->nvolumes);
        free_resources(p->secrets, p->nsecrets);
        free_resources(p->configs, p->nconfigs);
        strv_free(&p->disabled_services);
        strv_free(&p->warnings);
        json_decref(p->json);
        free(p->name);
        free(p->working_dir);
        free(p);
}

const struct compose_service *compose_project_service(const struct compose_project *p,
                                                      const char *name)
{
        for (size_t i = 0; i < p->nservices; i++)
                if (!strcmp(p->services[i].name, name))
                        return &p->services[i];
        return NULL;
}

const struct compose_resource *compose_resource_find(const struct compose_resource *v, size_t n,
                                                     const char *key)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(v[i].key, key))
                        return &v[i];
        return NULL;
}

static void free_refs(struct mctx *c)
{
        for (size_t i = 0; i < c->nrefs; i++) {
                free(c->refs[i].service);
                free(c->refs[i].name);
                free(c->refs[i].path);
        }
        free(c->refs);
}

int compose_project_decode(const struct cnode *root, const struct compose_model_opts *o,
                           struct compose_project **out, err_t *err)
{
        struct compose_project *p = xcalloc(1, sizeof(*p));
        struct mctx c = {.o = o, .err = err, .warnings = &p->warnings};
        json_t *doc = NULL;
        struct cnode empty = {.kind = CN_MAP};

        if (!root || root->kind == CN_NULL)
                root = &empty;
        if (decode_object(&c, root, "", &schema_project, &doc) < 0)
                goto fail;
        if (!json_object_get(doc, "services"))
                json_object_set_new(doc, "services", json_object());
        if (validate_project(&c, root, doc, &p->disabled_services) < 0)
                goto fail;
        if (normalize_project(&c, root, doc) < 0)
                goto fail;

        /* top-level order as docker compose prints it, extensions last */
        static const char *const order[] = {"name",    "services", "networks", "volumes",
                                            "secrets", "configs",  "models"};
        p->json = schema_keys_first(doc, order, ARRAY_SIZE(order));
        doc = NULL;
        p->name = xstrdup(o->project_name);
        p->working_dir = xstrdup(o->working_dir);

        json_t *services = json_object_get(p->json, "services");
        const char *key;
        json_t *v;
        size_t i = 0;
        p->services = calloc_n(json_object_size(services), sizeof(*p->services), &p->nservices);
        json_object_foreach(services, key, v) fill_service(&p->services[i++], key, v);
        fill_resources(&p->networks, &p->nnetworks, json_object_get(p->json, "networks"));
        fill_resources(&p->volumes, &p->nvolumes, json_object_get(p->json, "volumes"));
        fill_resources(&p->secrets, &p->nsecrets, json_object_get(p->json, "secrets"));
        fill_resources(&p->configs, &p->nconfigs, json_object_get(p->json, "configs"));
        free_refs(&c);
        *out = p;
        return 0;
fail:
        free_refs(&c);
        json_decref(doc);
        compose_project_free(p);
        return -1;
}
