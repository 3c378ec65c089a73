/* validate.c - whole-project checks once every key is decoded: profiles,
 * references to networks/volumes/secrets/configs/services, depends_on
 * cycles, container_name with several replicas, object names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "schema.h"
#include "strbuf.h"
#include "xalloc.h"

static const struct cnode *tree_get(const struct cnode *root, const char *a, const char *b,
                                    const char *c)
{
        const struct cnode *n = root;
        if (n && a)
                n = cnode_map_get(n, a);
        if (n && b)
                n = cnode_map_get(n, b);
        if (n && c)
                n = cnode_map_get(n, c);
        return n;
}

/* The key node of root.a.b (for positions of names). */
static const struct cnode *tree_key(const struct cnode *root, const char *a, const char *b)
{
        const struct cnode *m = root ? cnode_map_get(root, a) : NULL;
        ssize_t i = m && m->kind == CN_MAP ? cnode_map_index(m, b) : -1;
        return i >= 0 ? m->keys[i] : NULL;
}

static bool profile_active(const struct mctx *c, const strv_t *extra, json_t *profiles)
{
        size_t i;
        json_t *p;

        if (!json_array_size(profiles))
                return true;
        json_array_foreach(profiles, i, p)
        {
                const char *name = json_string_value(p);
                for (size_t k = 0; k < c->o->nprofiles; k++)
                        if (!strcmp(c->o->profiles[k], "*") || !strcmp(c->o->profiles[k], name))
                                return true;
                if (strv_contains(extra, name))
                        return true;
        }
        return false;
}

static int check_names(struct mctx *c, const struct cnode *root, json_t *doc, const char *section)
{
        json_t *o = json_object_get(doc, section);
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v)
        {
                if (!schema_name_ok(key)) {
                        _cleanup_free_ char *p = xasprintf("%s.%s", section, key);
                        return mfail(c, tree_key(root, section, key), p,
                                     "invalid name \"%s\": only [a-zA-Z0-9._-] are allowed", key);
                }
        }
        return 0;
}

/* What a reference names, and the top-level section that defines it. */
static const struct {
        const char *word, *section;
} ref_kinds[] = {
    [REF_NETWORK] = {"network", "networks"}, [REF_VOLUME] = {"volume", "volumes"},
    [REF_SECRET] = {"secret", "secrets"},    [REF_CONFIG] = {"config", "configs"},
    [REF_SERVICE] = {"service", "services"},
};

static const char *ref_word(enum ref_kind k)
{
        return (size_t)k < ARRAY_SIZE(ref_kinds) ? ref_kinds[k].word : "?";
}

static const char *ref_section(enum ref_kind k)
{
        return (size_t)k < ARRAY_SIZE(ref_kinds) ? ref_kinds[k].section : "?";
}

static int undefined_ref(struct mctx *c, const struct ref *r, json_t *defined, bool disabled)
{
        const char *cands[256];
        size_t n = 0;
        const char *key;
        json_t *v;
        json_object_foreach(defined, key, v)
        {
                if (n < ARRAY_SIZE(cands) && strcmp(key, r->service))
                        cands[n++] = key;
        }
        struct cnode at = {.pos = r->pos};
        if (disabled)
                return mfail(c, &at, r->path,
                             "service \"%s\" depends on service \"%s\", which is disabled by "
                             "its profiles (enable one with --profile)",
                             r->service, r->name);
        const char *best = closest_word(r->name, cands, n);
        if (best)
                return mfail(c, &at, r->path,
                             "service \"%s\" refers to undefined %s \"%s\" (did you mean \"%s\"?)",
                             r->service, ref_word(r->kind), r->name, best);
        return mfail(c, &at, r->path, "service \"%s\" refers to undefined %s \"%s\"", r->service,
                     ref_word(r->kind), r->name);
}

static const struct ref *find_dep_ref(const struct mctx *c, const char *from, const char *to)
{
        for (size_t i = 0; i < c->nrefs; i++) {
                const struct ref *r = &c->refs[i];
                if (r->kind == REF_SERVICE && !strcmp(r->service, from) && !strcmp(r->name, to) &&
                    strstr(r->path, ".depends_on"))
                        return r;
        }
        return NULL;
}

/* DFS colouring: 0 white, 1 on the stack, 2 done. */
static int dfs(struct mctx *c, json_t *services, const char *name, json_t *colour, strv_t *stack)
{
        json_t *col = json_object_get(colour, name);
        if (col && json_integer_value(col) == 2)
                return 0;
        if (col && json_integer_value(col) == 1) {
                strbuf_t sb = STRBUF_INIT;
                ssize_t start = strv_index(stack, name);
                for (size_t i = (size_t)start; i < stack->n; i++) {
                        sb_append(&sb, stack->v[i]);
                        sb_append(&sb, " -> ");
                }
                sb_append(&sb, name);
                const char *last = stack->v[stack->n - 1];
                const struct ref *r = find_dep_ref(
                    c, stack->v[start], (size_t)start + 1 < stack->n ? stack->v[start + 1] : name);
                if (!r)
                        r = find_dep_ref(c, last, name);
                struct cnode at = {.pos = r ? r->pos : (struct cnode_pos){0}};
                mfail(c, &at, r ? r->path : "services", "dependency cycle: %s", sb_str(&sb));
                sb_free(&sb);
                return -1;
        }
        json_object_set_new(colour, name, json_integer(1));
        strv_push(stack, name);
        json_t *deps = json_object_get(json_object_get(services, name), "depends_on");
        strv_t names = STRV_INIT;
        const char *key;
        json_t *v;
        json_object_foreach(deps, key, v)
        {
                if (json_object_get(services, key))
                        strv_push(&names, key);
        }
        strv_sort(&names);
        for (size_t i = 0; i < names.n; i++) {
                if (dfs(c, services, names.v[i], colour, stack) < 0) {
                        strv_free(&names);
                        return -1;
                }
        }
        strv_free(&names);
        strv_remove(stack, stack->n - 1);
        json_object_set_new(colour, name, json_integer(2));
        return 0;
}

static int check_cycles(struct mctx *c, json_t *services)
{
        strv_t names = STRV_INIT, stack = STRV_INIT;
        json_t *colour = json_object();
        const char *key;
        json_t *v;
        int r = 0;
        json_object_foreach(services, key, v) strv_push(&names, key);
        strv_sort(&names);
        for (size_t i = 0; i < names.n && r == 0; i++)
                r = dfs(c, services, names.v[i], colour, &stack);
        strv_free(&names);
        strv_free(&stack);
        json_decref(colour);
        return r;
}

static int check_scale(struct mctx *c, const struct cnode *root, const char *name, json_t *svc)
{
        json_t *scale = json_object_get(svc, "scale");
        json_t *replicas = json_object_get(json_object_get(svc, "deploy"), "replicas");
        _cleanup_free_ char *p = xasprintf("services.%s", name);
        if (scale && replicas && json_integer_value(scale) != json_integer_value(replicas))
                return mfail(c, tree_get(root, "services", name, "scale"), p,
                             "scale (%lld) and deploy.replicas (%lld) differ: set only one",
                             (long long)json_integer_value(scale),
                             (long long)json_integer_value(replicas));
        json_t *n = scale ? scale : replicas;
        if (n && json_integer_value(n) < 0)
                return mfail(c, tree_get(root, "services", name, scale ? "scale" : "deploy"), p,
                             "scale must not be negative");
        const char *cname = json_string_value(json_object_get(svc, "container_name"));
        if (cname && n && json_integer_value(n) > 1) {
                _cleanup_free_ char *cp = xasprintf("services.%s.container_name", name);
                return mfail(c, tree_get(root, "services", name, "container_name"), cp,
                             "container_name \"%s\" cannot be used with %lld replicas: container "
                             "names must be unique",
                             cname, (long long)json_integer_value(n));
        }
        return 0;
}

/* network_mode service:x makes the service depend on x as compose does
 * (x started first, and restarted with it), unless depends_on names x. */
static void implicit_netns_dep(json_t *svc)
{
        const char *nm = json_string_value(json_object_get(svc, "network_mode"));
        if (!nm || strncmp(nm, "service:", 8))
                return;
        json_t *deps = json_object_get(svc, "depends_on");
        if (!json_is_object(deps)) {
                deps = json_object();
                json_object_set_new(svc, "depends_on", deps);
        }
        if (json_object_get(deps, nm + 8))
                return;
        json_object_set_new(deps, nm + 8,
                            json_pack("{s:s,s:b,s:b}", "condition", "service_started", "restart", 1,
                                      "required", 1));
        json_object_set_new(svc, "depends_on", sort_keys(json_incref(deps)));
}

int validate_project(struct mctx *c, const struct cnode *root, json_t *doc, strv_t *disabled)
{
        json_t *services = json_object_get(doc, "services");
        strv_t extra = STRV_INIT;
        const char *key;
        json_t *svc;
        void *tmp;
        int r = -1;

        static const char *const sections[] = {"networks", "volumes", "secrets", "configs"};
        for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
                if (check_names(c, root, doc, sections[i]) < 0)
                        return -1;

        /* Services named on the command line enable their profiles. */
        for (size_t i = 0; i < c->o->nservices; i++) {
                json_t *p =
                    json_object_get(json_object_get(services, c->o->services[i]), "profiles");
                size_t k;
                json_t *e;
                json_array_foreach(p, k, e) strv_push(&extra, json_string_value(e));
        }
        json_object_foreach_safe(services, tmp, key, svc)
        {
                if (!profile_active(c, &extra, json_object_get(svc, "profiles"))) {
                        strv_push(disabled, key);
                        json_object_del(services, key);
                }
        }

        for (size_t i = 0; i < c->nrefs; i++) {
                const struct ref *ref = &c->refs[i];
                if (strv_contains(disabled, ref->service))
                        continue;
                json_t *defined = json_object_get(doc, ref_section(ref->kind));
                if (json_object_get(defined, ref->name))
                        continue;
                if (ref->kind == REF_NETWORK && !strcmp(ref->name, "default"))
                        continue;
                if (ref->kind == REF_SERVICE && ref->optional) {
                        /* drop the edge so the model only names existing services */
                        json_object_del(
                            json_object_get(json_object_get(services, ref->service), "depends_on"),
                            ref->name);
                        strv_pushf(c->warnings,
                                   "service \"%s\" depends on undefined service \"%s\" "
                                   "(required: false): ignored",
                                   ref->service, ref->name);
                        continue;
                }
                undefined_ref(c, ref, defined,
                              ref->kind == REF_SERVICE && strv_contains(disabled, ref->name));
                goto out;
        }

        json_object_foreach(services, key, svc)
        {
                if (check_scale(c, root, key, svc) < 0)
                        goto out;
                if (json_object_get(svc, "network_mode") && json_object_get(svc, "networks")) {
                        _cleanup_free_ char *p = xasprintf("services.%s.networks", key);
                        mfail(c, tree_get(root, "services", key, "networks"), p,
                              "service %s declares mutually exclusive `network_mode` and "
                              "`networks`",
                              key);
                        goto out;
                }
                implicit_netns_dep(svc);
                if (!json_object_get(svc, "image") && !json_object_get(svc, "build")) {
                        _cleanup_free_ char *p = xasprintf("services.%s", key);
                        mfail(c, tree_key(root, "services", key), p,
                              "service has neither an image nor a build context specified");
                        goto out;
                }
        }
        if (check_cycles(c, services) < 0)
                goto out;
        r = 0;
out:
        strv_free(&extra);
        return r;
}
