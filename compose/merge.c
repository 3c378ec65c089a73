/* merge.c - file/extends merging, uniqueness, !reset and !override. */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_PATH 64

struct path {
        const char *c[MAX_PATH];
        size_t n;
};

static bool path_match(const struct path *p, const char *pattern)
{
        size_t i = 0;
        const char *s = pattern;

        for (;;) {
                const char *dot = strchr(s, '.');
                size_t len = dot ? (size_t)(dot - s) : strlen(s);

                if (i >= p->n)
                        return false;
                if (!(len == 1 && s[0] == '*') &&
                    (strlen(p->c[i]) != len || strncmp(p->c[i], s, len) != 0))
                        return false;
                i++;
                if (!dot)
                        return i == p->n;
                s = dot + 1;
        }
}

static char *path_str(const struct path *p)
{
        strbuf_t sb = STRBUF_INIT;

        sb_append(&sb, "");
        for (size_t i = 0; i < p->n; i++) {
                if (i)
                        sb_appendc(&sb, '.');
                sb_append(&sb, p->c[i]);
        }
        return sb_steal(&sb);
}

static int path_err(err_t *err, const struct cnode *at, const struct path *p, const char *what)
{
        _cleanup_free_ char *s = path_str(p);

        if (at && at->pos.file)
                return err_set(err, 0, "%s:%d:%d: %s %s", at->pos.file, at->pos.line, at->pos.col,
                               what, s);
        return err_set(err, 0, "%s %s", what, s);
}

static struct cnode *merge_node(struct cnode *e, struct cnode *o, struct path *p, err_t *err);

/* --- conversions ---------------------------------------------------------- */

static int cmp_str_nodes(const void *a, const void *b)
{
        const struct cnode *x = *(struct cnode *const *)a, *y = *(struct cnode *const *)b;
        return strcmp(x->str, y->str);
}

static void push_kv(struct cnode *seq, const char *k, const char *v, const struct cnode_pos *pos)
{
        char *s = v ? xasprintf("%s=%s", k, v) : xstrdup(k);
        struct cnode *item = cnode_new_scalar(s, pos);

        free(s);
        item->quoted = true;
        cnode_seq_push(seq, item);
}

/* map -> ["k=v" | "k"] sorted; scalar -> [scalar]; null -> []; seq as is. */
static struct cnode *to_sequence(struct cnode *n)
{
        struct cnode *seq;

        if (n && n->kind == CN_SEQ)
                return n;
        seq = cnode_new(CN_SEQ, n ? &n->pos : NULL);
        if (!n)
                return seq;
        if (n->kind == CN_SCALAR) {
                n->tag = (free(n->tag), NULL);
                cnode_seq_push(seq, n);
                return seq;
        }
        if (n->kind == CN_MAP) {
                for (size_t i = 0; i < n->n; i++) {
                        const struct cnode *v = n->vals[i];
                        const char *k = n->keys[i]->str;
                        if (v->kind == CN_SEQ) {
                                /* a list value gives one K=item per item */
                                for (size_t j = 0; j < v->n; j++)
                                        if (v->vals[j]->kind == CN_SCALAR)
                                                push_kv(seq, k, v->vals[j]->str, &v->vals[j]->pos);
                        } else {
                                push_kv(seq, k, v->kind == CN_SCALAR ? v->str : NULL,
                                        v->kind == CN_SCALAR ? &v->pos : &n->keys[i]->pos);
                        }
                }
                if (seq->n > 1)
                        qsort(seq->vals, seq->n, sizeof(*seq->vals), cmp_str_nodes);
        }
        cnode_free(n);
        return seq;
}

/* map as is; seq of names -> {name: copy(def) or null}; null -> {}. */
static struct cnode *to_mapping(struct cnode *n, const struct cnode *def)
{
        struct cnode *map;

        if (n && n->kind == CN_MAP)
                return n;
        map = cnode_new(CN_MAP, n ? &n->pos : NULL);
        if (n && n->kind == CN_SEQ) {
                for (size_t i = 0; i < n->n; i++) {
                        const struct cnode *it = n->vals[i];
                        struct cnode *v;
                        if (it->kind != CN_SCALAR)
                                continue;
                        v = def ? cnode_copy(def) : cnode_new(CN_NULL, &it->pos);
                        cnode_map_set(map, it->str, v);
                        map->keys[map->n - 1]->pos = it->pos;
                }
        }
        cnode_free(n);
        return map;
}

/* --- mergers -------------------------------------------------------------- */

static bool is_null(const struct cnode *n)
{
        return !n || n->kind == CN_NULL;
}

static struct cnode *merge_mappings(struct cnode *m, struct cnode *o, struct path *p, err_t *err)
{
        for (size_t i = 0; i < o->n; i++) {
                const char *k = o->keys[i]->str;
                struct cnode *v = o->vals[i];
                ssize_t at = cnode_map_index(m, k);

                o->vals[i] = NULL;
                if (at < 0) {
                        cnode_map_set(m, k, v);
                        m->keys[m->n - 1]->pos = o->keys[i]->pos;
                        continue;
                }
                if (p->n >= MAX_PATH) {
                        path_err(err, v, p, "nesting too deep at");
                        cnode_free(v);
                        cnode_free(m);
                        cnode_free(o);
                        return NULL;
                }
                p->c[p->n++] = k;
                struct cnode *merged = merge_node(m->vals[at], v, p, err);
                p->n--;
                m->vals[at] = merged;
                if (!merged) {
                        cnode_free(m);
                        cnode_free(o);
                        return NULL;
                }
        }
        cnode_free(o);
        return m;
}

static struct cnode *m_override(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        (void)p;
        (void)err;
        cnode_free(e);
        if (!o)
                return cnode_new(CN_NULL, NULL);
        return o;
}

static struct cnode *m_sequence(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        struct cnode *a = to_sequence(e), *b = to_sequence(o);

        (void)p;
        (void)err;
        for (size_t i = 0; i < b->n; i++) {
                cnode_seq_push(a, b->vals[i]);
                b->vals[i] = NULL;
        }
        cnode_free(b);
        return a;
}

static struct cnode *m_extra_hosts(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        struct cnode *a = to_sequence(e), *b = to_sequence(o);
        size_t na = a->n;

        (void)p;
        (void)err;
        for (size_t i = 0; i < b->n; i++) {
                bool dup = false;
                for (size_t j = 0; j < na && !dup; j++)
                        dup = b->vals[i]->kind == CN_SCALAR && a->vals[j]->kind == CN_SCALAR &&
                              strcmp(a->vals[j]->str, b->vals[i]->str) == 0;
                if (dup)
                        continue;
                cnode_seq_push(a, b->vals[i]);
                b->vals[i] = NULL;
        }
        cnode_free(b);
        return a;
}

static struct cnode *build_map(struct cnode *n)
{
        struct cnode *m;

        if (n && n->kind == CN_SCALAR) {
                m = cnode_new(CN_MAP, &n->pos);
                n->tag = (free(n->tag), NULL);
                cnode_map_set(m, "context", n);
                return m;
        }
        return to_mapping(n, NULL);
}

static struct cnode *m_build(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        return merge_mappings(build_map(e), build_map(o), p, err);
}

static struct cnode *m_depends_on(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        struct cnode *def = cnode_new(CN_MAP, NULL), *r;

        cnode_map_set(def, "condition", cnode_new_scalar("service_started", NULL));
        cnode_map_set(def, "required", cnode_new_scalar("true", NULL));
        r = merge_mappings(to_mapping(e, def), to_mapping(o, def), p, err);
        cnode_free(def);
        return r;
}

static struct cnode *m_networks(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        return merge_mappings(to_mapping(e, NULL), to_mapping(o, NULL), p, err);
}

static struct cnode *m_logging(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        const struct cnode *d1, *d2;

        if (!e || e->kind != CN_MAP || !o || o->kind != CN_MAP)
                return m_override(e, o, p, err);
        d1 = cnode_map_get(e, "driver");
        d2 = cnode_map_get(o, "driver");
        if (!d1 || !d2 ||
            (d1->kind == d2->kind && (d1->kind != CN_SCALAR || strcmp(d1->str, d2->str) == 0)))
                return merge_mappings(e, o, p, err);
        cnode_free(e);
        return o;
}

static bool same_subnet(const struct cnode *a, const struct cnode *b)
{
        const struct cnode *x = cnode_map_get(a, "subnet"), *y = cnode_map_get(b, "subnet");

        if (!x || !y)
                return !x && !y;
        return x->kind == CN_SCALAR && y->kind == CN_SCALAR && strcmp(x->str, y->str) == 0;
}

static ssize_t find_subnet(const struct cnode *seq, const struct cnode *like)
{
        for (size_t i = 0; i < seq->n; i++)
                if (same_subnet(seq->vals[i], like))
                        return (ssize_t)i;
        return -1;
}

/* networks.*.ipam.config, the way compose-go pairs base and override entries. */
static struct cnode *m_ipam_config(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        struct cnode *out;

        if (!e || e->kind != CN_SEQ || !o || o->kind != CN_SEQ) {
                path_err(err, o, p, "unexpected type for");
                cnode_free(e);
                cnode_free(o);
                return NULL;
        }
        out = cnode_new(CN_SEQ, &o->pos);
        for (size_t i = 0; i < e->n; i++) {
                struct cnode *right = to_mapping(cnode_copy(e->vals[i]), NULL);
                for (size_t j = 0; j < o->n; j++) {
                        struct cnode *left = to_mapping(cnode_copy(o->vals[j]), NULL), *merged;
                        ssize_t at;
                        if (!same_subnet(left, right) && find_subnet(out, left) < 0) {
                                cnode_seq_push(out, left);
                                continue;
                        }
                        merged = merge_mappings(right, left, p, err);
                        if (!merged) {
                                cnode_free(out);
                                out = NULL;
                                goto done;
                        }
                        right = cnode_copy(merged);
                        at = find_subnet(out, merged);
                        if (at >= 0) {
                                cnode_free(out->vals[at]);
                                out->vals[at] = merged;
                        } else {
                                cnode_seq_push(out, merged);
                        }
                }
                cnode_free(right);
        }
done:
        cnode_free(e);
        cnode_free(o);
        return out;
}

typedef struct cnode *(*merger_fn)(struct cnode *, struct cnode *, struct path *, err_t *);

static const struct {
        const char *pattern;
        merger_fn fn;
} specials[] = {
    {"networks.*.ipam.config", m_ipam_config},
    {"networks.*.labels", m_sequence},
    {"volumes.*.labels", m_sequence},
    {"services.*.annotations", m_sequence},
    {"services.*.build", m_build},
    {"services.*.build.args", m_sequence},
    {"services.*.build.additional_contexts", m_sequence},
    {"services.*.build.extra_hosts", m_extra_hosts},
    {"services.*.build.labels", m_sequence},
    {"services.*.command", m_override},
    {"services.*.depends_on", m_depends_on},
    {"services.*.deploy.labels", m_sequence},
    {"services.*.dns", m_sequence},
    {"services.*.dns_opt", m_sequence},
    {"services.*.dns_search", m_sequence},
    {"services.*.entrypoint", m_override},
    {"services.*.env_file", m_sequence},
    {"services.*.label_file", m_sequence},
    {"services.*.environment", m_sequence},
    {"services.*.extra_hosts", m_extra_hosts},
    {"services.*.healthcheck.test", m_override},
    {"services.*.labels", m_sequence},
    {"services.*.logging", m_logging},
    {"services.*.models", m_networks},
    {"services.*.networks", m_networks},
    {"services.*.sysctls", m_sequence},
    {"services.*.tmpfs", m_sequence},
    {"services.*.ulimits.*", m_override},
};

static struct cnode *merge_node(struct cnode *e, struct cnode *o, struct path *p, err_t *err)
{
        for (size_t i = 0; i < ARRAY_SIZE(specials); i++)
                if (path_match(p, specials[i].pattern))
                        return specials[i].fn(e, o, p, err);
        if (is_null(o)) {
                cnode_free(o);
                return e;
        }
        if (e && (e->kind == CN_MAP || e->kind == CN_SEQ)) {
                /* a mapping or a list is merged only with its own kind */
                if (o->kind != e->kind) {
                        path_err(err, o, p, "cannot override");
                        cnode_free(e);
                        cnode_free(o);
                        return NULL;
                }
                return e->kind == CN_MAP ? merge_mappings(e, o, p, err) : m_sequence(e, o, p, err);
        }
        cnode_free(e);
        return o;
}

static int merge_at(struct path p, struct cnode **base, struct cnode *over, err_t *err)
{
        *base = merge_node(*base, over, &p, err);
        return *base ? 0 : -1;
}

int cmerge(struct cnode **base, struct cnode *over, err_t *err)
{
        return merge_at((struct path){.n = 0}, base, over, err);
}

int cmerge_service(struct cnode **base, struct cnode *over, err_t *err)
{
        return merge_at((struct path){.c = {"services", "x"}, .n = 2}, base, over, err);
}

/* --- uniqueness ----------------------------------------------------------- */

enum indexer { IX_KV, IX_VOLUME, IX_EXPOSE, IX_CONFIG, IX_SECRET, IX_PORT, IX_ENVFILE };

static const struct {
        const char *pattern;
        enum indexer ix;
} uniques[] = {
    {"networks.*.labels", IX_KV},
    {"networks.*.ipam.options", IX_KV},
    {"services.*.annotations", IX_KV},
    {"services.*.build.args", IX_KV},
    {"services.*.build.additional_contexts", IX_KV},
    {"services.*.build.platforms", IX_KV},
    {"services.*.build.tags", IX_KV},
    {"services.*.build.labels", IX_KV},
    {"services.*.cap_add", IX_KV},
    {"services.*.cap_drop", IX_KV},
    {"services.*.devices", IX_VOLUME},
    {"services.*.configs", IX_CONFIG},
    {"services.*.deploy.labels", IX_KV},
    {"services.*.dns", IX_KV},
    {"services.*.dns_opt", IX_KV},
    {"services.*.dns_search", IX_KV},
    {"services.*.environment", IX_KV},
    {"services.*.env_file", IX_ENVFILE},
    {"services.*.expose", IX_EXPOSE},
    {"services.*.labels", IX_KV},
    {"services.*.links", IX_KV},
    {"services.*.networks.*.aliases", IX_KV},
    {"services.*.networks.*.link_local_ips", IX_KV},
    {"services.*.ports", IX_PORT},
    {"services.*.profiles", IX_KV},
    {"services.*.secrets", IX_SECRET},
    {"services.*.sysctls", IX_KV},
    {"services.*.tmpfs", IX_KV},
    {"services.*.volumes", IX_VOLUME},
};

static const char *scalar_of(const struct cnode *m, const char *key, const char *def)
{
        const struct cnode *v = cnode_map_get(m, key);

        return v && v->kind == CN_SCALAR ? v->str : def;
}

/* The uniqueness key of a sequence item; NULL (with err set) when invalid. */
static char *index_key(enum indexer ix, const struct cnode *it, const struct path *p, err_t *err)
{
        const char *s;

        if (it->kind == CN_NULL)
                return xstrdup("");
        switch (ix) {
        case IX_KV:
                if (it->kind != CN_SCALAR)
                        break;
                return xstrndup(it->str, strcspn(it->str, "="));
        case IX_EXPOSE:
                if (it->kind != CN_SCALAR)
                        break;
                return xstrdup(it->str);
        case IX_VOLUME:
                if (it->kind == CN_SCALAR) {
                        const char *c = strchr(it->str, ':');
                        if (!c)
                                return xstrdup(it->str);
                        return xstrndup(c + 1, strcspn(c + 1, ":"));
                }
                if (it->kind != CN_MAP)
                        break;
                if (!(s = scalar_of(it, "target", NULL)))
                        return path_err(err, it, p, "missing mount target in"), NULL;
                return xstrdup(s);
        case IX_CONFIG:
        case IX_SECRET: {
                const char *def = ix == IX_SECRET ? "/run/secrets" : "";
                if (it->kind == CN_SCALAR)
                        return xasprintf("%s/%s", def, it->str);
                if (it->kind != CN_MAP)
                        break;
                if ((s = scalar_of(it, "target", NULL)))
                        return xstrdup(s);
                return xasprintf("%s/%s", def, scalar_of(it, "source", ""));
        }
        case IX_PORT:
                if (it->kind == CN_SCALAR)
                        return xstrdup(it->str);
                if (it->kind != CN_MAP)
                        break;
                if (!(s = scalar_of(it, "target", NULL)))
                        return path_err(err, it, p, "missing target port in"), NULL;
                return xasprintf("%s:%s:%s/%s", scalar_of(it, "host_ip", "0.0.0.0"),
                                 scalar_of(it, "published", ""), s,
                                 scalar_of(it, "protocol", "tcp"));
        case IX_ENVFILE:
                if (it->kind == CN_SCALAR)
                        return xstrdup(it->str);
                if (it->kind != CN_MAP)
                        break;
                if (!(s = scalar_of(it, "path", NULL)))
                        return path_err(err, it, p, "missing path in"), NULL;
                return xstrdup(s);
        }
        path_err(err, it, p, "unexpected type in");
        return NULL;
}

static int uniq_seq(struct cnode *seq, enum indexer ix, const struct path *p, err_t *err)
{
        size_t nkeys = seq->n, out = 0;
        char **keys = xcalloc(nkeys + 1, sizeof(*keys));
        int r = 0;

        for (size_t i = 0; i < seq->n; i++) {
                char *k = index_key(ix, seq->vals[i], p, err);
                size_t j;
                if (!k) {
                        /* keep the rest of the sequence owned by seq */
                        for (size_t m = i; m < seq->n; m++)
                                seq->vals[out++] = seq->vals[m];
                        r = -1;
                        break;
                }
                for (j = 0; j < out; j++)
                        if (strcmp(keys[j], k) == 0)
                                break;
                if (j < out) {
                        cnode_free(seq->vals[j]);
                        seq->vals[j] = seq->vals[i];
                        free(k);
                } else {
                        keys[out] = k;
                        seq->vals[out++] = seq->vals[i];
                }
        }
        seq->n = out;
        for (size_t i = 0; i < nkeys; i++)
                free(keys[i]);
        free(keys);
        return r;
}

static int unicity(struct cnode *n, struct path *p, err_t *err)
{
        if (n->kind == CN_MAP) {
                if (p->n >= MAX_PATH)
                        return 0;
                for (size_t i = 0; i < n->n; i++) {
                        p->c[p->n++] = n->keys[i]->str;
                        int r = unicity(n->vals[i], p, err);
                        p->n--;
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (n->kind != CN_SEQ)
                return 0;
        for (size_t i = 0; i < ARRAY_SIZE(uniques); i++)
                if (path_match(p, uniques[i].pattern))
                        return uniq_seq(n, uniques[i].ix, p, err);
        return 0;
}

int cmerge_unicity(struct cnode *root, err_t *err)
{
        struct path p = {.n = 0};

        return unicity(root, &p, err);
}

/* --- !reset / !override --------------------------------------------------- */

static bool has_tag(const struct cnode *n, const char *tag)
{
        return n->tag && strcmp(n->tag, tag) == 0;
}

static void collect(struct cnode *n, strbuf_t *path, strv_t *paths, int depth)
{
        size_t mark = path->len;

        if (depth > MAX_PATH)
                return;
        if (n->kind == CN_MAP) {
                for (size_t i = 0; i < n->n;) {
                        struct cnode *v = n->vals[i];
                        if (mark)
                                sb_appendc(path, '\x1f');
                        sb_append(path, n->keys[i]->str);
                        if (has_tag(v, "!reset") || has_tag(v, "!override"))
                                strv_push(paths, sb_str(path));
                        if (has_tag(v, "!reset")) {
                                path->len = mark;
                                path->s[mark] = '\0';
                                cnode_map_del(n, n->keys[i]->str);
                                continue;
                        }
                        if (has_tag(v, "!override"))
                                v->tag = (free(v->tag), NULL); /* done: replaces on merge */
                        else
                                collect(v, path, paths, depth + 1);
                        path->len = mark;
                        path->s[mark] = '\0';
                        i++;
                }
        } else if (n->kind == CN_SEQ) {
                /* compose records item paths too but they never match a
                 * mapping path; a !reset item is only dropped here. */
                size_t out = 0;
                for (size_t i = 0; i < n->n; i++) {
                        if (has_tag(n->vals[i], "!reset")) {
                                cnode_free(n->vals[i]);
                                continue;
                        }
                        if (!has_tag(n->vals[i], "!override"))
                                collect(n->vals[i], path, paths, depth + 1);
                        n->vals[out++] = n->vals[i];
                }
                n->n = out;
        }
}

void creset_collect(struct cnode *root, strv_t *paths)
{
        strbuf_t path = STRBUF_INIT;

        sb_append(&path, "");
        collect(root, &path, paths, 0);
        sb_free(&path);
}

void creset_apply(struct cnode *target, const strv_t *paths)
{
        for (size_t i = 0; i < paths->n; i++) {
                struct cnode *n = target;
                const char *s = paths->v[i];

                for (;;) {
                        const char *sep = strchr(s, '\x1f');
                        _cleanup_free_ char *k = sep ? xstrndup(s, (size_t)(sep - s)) : NULL;

                        if (!n || n->kind != CN_MAP)
                                break;
                        if (!sep) {
                                cnode_map_del(n, s);
                                break;
                        }
                        n = cnode_map_get(n, k);
                        s = sep + 1;
                }
        }
}
