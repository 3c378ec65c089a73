/* loader.c - compose project loading: environment, file discovery, project
 * name, and per file: parse, !reset/!override, interpolation, extends,
 * include, merge (see loader.h for the order and the rules). */
#include "loader.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "dotenv.h"
#include "fsutil.h"
#include "interp.h"
#include "merge.h"
#include "strbuf.h"
#include "xalloc.h"

extern char **environ;

#define MAX_INCLUDE_DEPTH 32
/* Files loaded by includes in one load, in total: a chain of files that
 * each include the next one twice would otherwise cost 2^depth loads. */
#define MAX_INCLUDE_LOADS 256
#define MAX_EXTENDS_DEPTH 64

struct loadctx {
        const struct compose_load_opts *o;
        const char *cwd;
        strv_t unset;     /* unset variable names, once each */
        strv_t *warnings; /* where obsolete-version warnings go */
        int include_depth;
        int include_loads;   /* MAX_INCLUDE_LOADS */
        size_t interp_total; /* bytes interpolated in all files (INTERP_MAX_TOTAL) */
};

/* One compose "project" being loaded: the main one or an included one. */
struct project {
        const char *workdir; /* absolute: base for extends.file and include paths */
        const strv_t *env;   /* interpolation environment */
        strv_t included;     /* chain of files including this project (cycle check) */
        bool resolve_paths;  /* included projects: make relative paths absolute */
};

/* --- paths ---------------------------------------------------------------- */

static char *path_abs(const char *base, const char *p)
{
        _cleanup_free_ char *j = NULL;

        if (p[0] == '/')
                return path_clean_abs(p);
        j = xasprintf("%s/%s", base, p);
        return path_clean_abs(j);
}

static char *path_dir(const char *abs)
{
        const char *slash = strrchr(abs, '/');

        if (!slash || slash == abs)
                return xstrdup("/");
        return xstrndup(abs, (size_t)(slash - abs));
}

static const char *path_base(const char *abs)
{
        const char *slash = strrchr(abs, '/');

        return slash ? slash + 1 : abs;
}

static bool is_regular(const char *p)
{
        struct stat st;

        return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool exists(const char *p)
{
        struct stat st;

        return stat(p, &st) == 0;
}

/* --- project name --------------------------------------------------------- */

char *compose_normalize_project_name(const char *name)
{
        strbuf_t sb = STRBUF_INIT;

        sb_append(&sb, "");
        for (const char *p = name; *p; p++) {
                char c = (char)tolower((unsigned char)*p);
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                        if (sb.len == 0 && (c == '_' || c == '-'))
                                continue;
                        sb_appendc(&sb, c);
                }
        }
        return sb_steal(&sb);
}

bool compose_project_name_valid(const char *name)
{
        _cleanup_free_ char *n = compose_normalize_project_name(name);

        return *name && strcmp(n, name) == 0;
}

static int invalid_name(err_t *err, const char *name)
{
        return err_set(err, 0,
                       "invalid project name \"%s\": must consist only of lowercase alphanumeric "
                       "characters, hyphens, and underscores as well as start with a letter or "
                       "number",
                       name);
}

/* --- path rebasing for extends from other files and includes ------------ */

static bool is_remote(const char *s)
{
        return strstr(s, "://") || strncmp(s, "git@", 4) == 0 ||
               strncmp(s, "github.com/", 11) == 0 || strncmp(s, "service:", 8) == 0;
}

static void rebase_scalar(struct cnode *n, const char *dir)
{
        char *abs;

        if (!n || n->kind != CN_SCALAR || !*n->str || n->str[0] == '/' || n->str[0] == '~' ||
            is_remote(n->str))
                return;
        abs = path_abs(dir, n->str);
        free(n->str);
        n->str = abs;
}

static void rebase_list_or_scalar(struct cnode *n, const char *dir, const char *mapkey)
{
        if (!n)
                return;
        if (n->kind == CN_SCALAR) {
                rebase_scalar(n, dir);
                return;
        }
        if (n->kind != CN_SEQ)
                return;
        for (size_t i = 0; i < n->n; i++) {
                if (n->vals[i]->kind == CN_MAP && mapkey)
                        rebase_scalar(cnode_map_get(n->vals[i], mapkey), dir);
                else
                        rebase_scalar(n->vals[i], dir);
        }
}

static void rebase_volume(struct cnode *v, const char *dir)
{
        if (v->kind == CN_SCALAR) {
                const char *colon = strchr(v->str, ':');
                _cleanup_free_ char *src = NULL, *abs = NULL;

                if (!colon || v->str[0] != '.')
                        return;
                src = xstrndup(v->str, (size_t)(colon - v->str));
                abs = path_abs(dir, src);
                char *s = xasprintf("%s%s", abs, colon);
                free(v->str);
                v->str = s;
        } else if (v->kind == CN_MAP) {
                const struct cnode *type = cnode_map_get(v, "type");
                if (type && type->kind == CN_SCALAR && strcmp(type->str, "bind") == 0)
                        rebase_scalar(cnode_map_get(v, "source"), dir);
        }
}

static void rebase_service(struct cnode *svc, const char *dir)
{
        struct cnode *b, *n;

        if (!svc || svc->kind != CN_MAP)
                return;
        b = cnode_map_get(svc, "build");
        if (b && b->kind == CN_SCALAR) {
                rebase_scalar(b, dir);
        } else if (b && b->kind == CN_MAP) {
                rebase_scalar(cnode_map_get(b, "context"), dir);
                n = cnode_map_get(b, "additional_contexts");
                if (n && n->kind == CN_MAP) {
                        for (size_t i = 0; i < n->n; i++)
                                if (n->vals[i]->kind == CN_SCALAR &&
                                    strncmp(n->vals[i]->str, "docker-image:", 13) != 0 &&
                                    strncmp(n->vals[i]->str, "oci-layout:", 11) != 0)
                                        rebase_scalar(n->vals[i], dir);
                }
        }
        rebase_list_or_scalar(cnode_map_get(svc, "env_file"), dir, "path");
        rebase_list_or_scalar(cnode_map_get(svc, "label_file"), dir, NULL);
        n = cnode_map_get(svc, "extends");
        if (n && n->kind == CN_MAP)
                rebase_scalar(cnode_map_get(n, "file"), dir);
        n = cnode_map_get(svc, "volumes");
        if (n && n->kind == CN_SEQ)
                for (size_t i = 0; i < n->n; i++)
                        rebase_volume(n->vals[i], dir);
        n = cnode_map_get(cnode_map_get(svc, "develop"), "watch");
        if (n && n->kind == CN_SEQ)
                for (size_t i = 0; i < n->n; i++)
                        if (n->vals[i]->kind == CN_MAP)
                                rebase_scalar(cnode_map_get(n->vals[i], "path"), dir);
}

static void rebase_model(struct cnode *root, const char *dir)
{
        static const char *const files[] = {"configs", "secrets"};
        struct cnode *s = cnode_map_get(root, "services");

        if (s && s->kind == CN_MAP)
                for (size_t i = 0; i < s->n; i++)
                        rebase_service(s->vals[i], dir);
        for (size_t k = 0; k < ARRAY_SIZE(files); k++) {
                s = cnode_map_get(root, files[k]);
                if (s && s->kind == CN_MAP)
                        for (size_t i = 0; i < s->n; i++)
                                if (s->vals[i]->kind == CN_MAP)
                                        rebase_scalar(cnode_map_get(s->vals[i], "file"), dir);
        }
}

/* --- per-file loading ----------------------------------------------------- */

static int load_project(struct loadctx *c, struct project *p, const strv_t *files,
                        struct cnode **out, err_t *err);

static int read_source(struct loadctx *c, const char *path, char **text, size_t *len, err_t *err)
{
        if (strcmp(path, "-") == 0) {
                if (c->o->stdin_text) {
                        *text = xstrdup(c->o->stdin_text);
                        *len = strlen(*text);
                        return 0;
                }
                return read_fd_all(0, 0, text, len, err);
        }
        if (read_file(path, text, len, err) < 0)
                return -1;
        return 0;
}

static int parse_file(struct loadctx *c, const char *path, struct cnode **out, err_t *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (read_source(c, path, &text, &len, err) < 0)
                return -1;
        if (cnode_parse_yaml(text, len, path, out, err) < 0)
                return -1;
        if ((*out)->kind != CN_NULL && (*out)->kind != CN_MAP) {
                cnode_free(*out);
                *out = NULL;
                return err_set(err, 0, "%s: Top-level object must be a mapping", path);
        }
        return 0;
}

static int __attribute__((format(printf, 3, 4)))
pos_err(err_t *err, const struct cnode *n, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return err_set(err, 0, "%s:%d:%d: %s", n->pos.file ? n->pos.file : "-", n->pos.line,
                       n->pos.col, msg);
}

/* --- extends -------------------------------------------------------------- */

struct chain {
        const char *file[MAX_EXTENDS_DEPTH];
        const char *svc[MAX_EXTENDS_DEPTH];
        size_t n;
};

static int chain_add(struct chain *ch, const char *file, const char *svc, err_t *err)
{
        for (size_t i = 0; i < ch->n; i++) {
                if (strcmp(ch->file[i], file) || strcmp(ch->svc[i], svc))
                        continue;
                strbuf_t sb = STRBUF_INIT;
                sb_appendf(&sb, "Circular reference:\n  %s in %s", ch->svc[0], ch->file[0]);
                for (size_t j = 1; j < ch->n; j++)
                        sb_appendf(&sb, "\n  extends %s in %s", ch->svc[j], ch->file[j]);
                sb_appendf(&sb, "\n  extends %s in %s", svc, file);
                err_set(err, 0, "%s", sb_str(&sb));
                sb_free(&sb);
                return -1;
        }
        if (ch->n == MAX_EXTENDS_DEPTH)
                return err_set(err, 0, "%s: extends chain too long at service \"%s\"", file, svc);
        ch->file[ch->n] = file;
        ch->svc[ch->n] = svc;
        ch->n++;
        return 0;
}

/* A file loaded as an extends base: its services, interpolated, paths rebased
 * to absolute against its directory, and its !reset paths. */
struct extfile {
        struct cnode *root;
        strv_t resets;
};

struct extctx {
        struct loadctx *c;
        struct project *p;
        strv_t *post; /* reset paths applied to every extends base, in order */
        struct extfile *files;
        size_t nfiles;
};

static int load_ext_file(struct extctx *x, const char *abs, struct cnode **services,
                         strv_t **resets, err_t *err)
{
        struct extfile *f;
        struct cnode *s;

        for (size_t i = 0; i < x->nfiles; i++)
                if (!strcmp(x->files[i].root->pos.file, abs)) {
                        *services = cnode_map_get(x->files[i].root, "services");
                        *resets = &x->files[i].resets;
                        return 0;
                }
        x->files = xrealloc(x->files, (x->nfiles + 1) * sizeof(*x->files));
        f = &x->files[x->nfiles];
        *f = (struct extfile){NULL, STRV_INIT};
        if (parse_file(x->c, abs, &f->root, err) < 0)
                return -1;
        x->nfiles++;
        if (f->root->kind == CN_NULL) {
                f->root->kind = CN_MAP;
                f->root->pos.file = cnode_intern(abs);
        }
        creset_collect(f->root, &f->resets);
        if (!x->c->o->no_interpolate &&
            interp_tree_total(f->root, interp_lookup_strv, (void *)x->p->env, &x->c->unset,
                              &x->c->interp_total, err) < 0)
                return -1;
        {
                _cleanup_free_ char *dir = path_dir(abs);
                rebase_model(f->root, dir);
        }
        s = cnode_map_get(f->root, "services");
        *services = s;
        *resets = &f->resets;
        return 0;
}

static int extend_service(struct extctx *x, const char *name, struct cnode *services,
                          const char *file, struct chain ch, size_t npost, err_t *err);

/* Resolve `extends` of services[name] (in place); file names the file that
 * holds `services`. */
static int extend_service(struct extctx *x, const char *name, struct cnode *services,
                          const char *file, struct chain ch, size_t npost, err_t *err)
{
        ssize_t at = cnode_map_index(services, name);
        struct cnode *svc, *ext, *ref_services = services, *base;
        const char *ref = NULL, *ref_file = file;
        _cleanup_free_ char *abs = NULL;

        if (at < 0)
                return 0;
        svc = services->vals[at];
        if (svc->kind == CN_NULL)
                return 0;
        if (svc->kind != CN_MAP)
                return pos_err(err, svc, "services.%s must be a mapping", name);
        ext = cnode_map_get(svc, "extends");
        if (!ext)
                return 0;
        if (ext->kind == CN_SCALAR) {
                ref = ext->str;
        } else if (ext->kind == CN_MAP) {
                const struct cnode *s = cnode_map_get(ext, "service");
                const struct cnode *f = cnode_map_get(ext, "file");
                if (!s || s->kind != CN_SCALAR)
                        return pos_err(err, ext, "services.%s.extends.service is required", name);
                ref = s->str;
                if (f && f->kind == CN_SCALAR) {
                        strv_t *resets;
                        abs = path_abs(x->p->workdir, f->str);
                        if (!is_regular(abs))
                                return pos_err(err, f, "cannot extend service \"%s\": %s not found",
                                               name, abs);
                        if (load_ext_file(x, abs, &ref_services, &resets, err) < 0)
                                return -1;
                        if (!ref_services || ref_services->kind != CN_MAP)
                                return pos_err(err, f,
                                               "cannot extend service \"%s\" in %s: no services "
                                               "section",
                                               name, abs);
                        ref_file = cnode_intern(abs);
                        for (size_t i = 0; i < resets->n; i++)
                                strv_push(x->post, resets->v[i]);
                        npost = x->post->n;
                }
        } else {
                return pos_err(err, ext, "services.%s.extends must be a mapping or a string", name);
        }
        if (cnode_map_index(ref_services, ref) < 0) {
                if (ref_file != file)
                        return pos_err(err, ext,
                                       "cannot extend service \"%s\" in %s: service \"%s\" not "
                                       "found in %s",
                                       name, file, ref, ref_file);
                return pos_err(err, ext,
                               "cannot extend service \"%s\" in %s: service \"%s\" not found", name,
                               file, ref);
        }
        if (chain_add(&ch, ref_file, name, err) < 0)
                return -1;
        if (extend_service(x, ref, ref_services, ref_file, ch, npost, err) < 0)
                return -1;
        /* services may have moved while the base was resolved */
        at = cnode_map_index(services, name);
        svc = services->vals[at];
        base = cnode_copy(cnode_map_get(ref_services, ref));
        if (!base || base->kind == CN_NULL) {
                cnode_free(base);
                cnode_map_del(svc, "extends");
                return 0;
        }
        {
                /* the post processors see the base as services.<name> */
                struct cnode *wrap = cnode_new(CN_MAP, &base->pos), *svcs;
                svcs = cnode_new(CN_MAP, &base->pos);
                cnode_map_set(svcs, name, base);
                cnode_map_set(wrap, "services", svcs);
                strv_t post = {.v = x->post->v, .n = npost, .cap = x->post->cap};
                creset_apply(wrap, &post);
                svcs = cnode_map_get(wrap, "services");
                base = svcs && svcs->n ? svcs->vals[0] : NULL;
                if (base)
                        svcs->vals[0] = NULL; /* detach before freeing the wrapper */
                cnode_free(wrap);
                if (!base)
                        base = cnode_new(CN_MAP, &svc->pos);
        }
        services->vals[at] = NULL;
        if (cmerge_service(&base, svc, err) < 0) {
                services->vals[at] = cnode_new(CN_NULL, NULL);
                return -1;
        }
        cnode_map_del(base, "extends");
        services->vals[at] = base;
        return 0;
}

static int apply_extends(struct loadctx *c, struct project *p, struct cnode *cfg, const char *file,
                         const strv_t *resets, err_t *err)
{
        struct cnode *services = cnode_map_get(cfg, "services");
        strv_t post = STRV_INIT;
        struct extctx x = {c, p, &post, NULL, 0};
        int r = 0;

        if (!services || services->kind == CN_NULL)
                return 0;
        if (services->kind != CN_MAP)
                return pos_err(err, services, "services must be a mapping");
        for (size_t i = 0; i < resets->n; i++)
                strv_push(&post, resets->v[i]);
        for (size_t i = 0; i < services->n && r == 0; i++) {
                struct chain ch = {.n = 0};
                _cleanup_free_ char *name = xstrdup(services->keys[i]->str);
                while (post.n > resets->n)
                        strv_remove(&post, post.n - 1);
                r = extend_service(&x, name, services, file, ch, resets->n, err);
        }
        for (size_t i = 0; i < x.nfiles; i++) {
                cnode_free(x.files[i].root);
                strv_free(&x.files[i].resets);
        }
        free(x.files);
        strv_free(&post);
        return r;
}

/* --- include -------------------------------------------------------------- */

static bool node_equal(const struct cnode *a, const struct cnode *b)
{
        if (a->kind != b->kind || a->n != b->n)
                return false;
        if (a->kind == CN_SCALAR && strcmp(a->str, b->str) != 0)
                return false;
        for (size_t i = 0; i < a->n; i++) {
                if (a->kind == CN_MAP && strcmp(a->keys[i]->str, b->keys[i]->str) != 0)
                        return false;
                if (!node_equal(a->vals[i], b->vals[i]))
                        return false;
        }
        return true;
}

static int import_resources(struct cnode *cfg, struct cnode *imported, err_t *err)
{
        static const char *const kinds[] = {"services", "volumes", "networks",
                                            "secrets",  "configs", "models"};

        for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
                struct cnode *from = cnode_map_get(imported, kinds[k]), *to;
                if (!from || from->kind != CN_MAP)
                        continue;
                to = cnode_map_get(cfg, kinds[k]);
                if (!to || to->kind != CN_MAP) {
                        if (to && to->kind != CN_NULL)
                                return pos_err(err, to, "%s must be a mapping", kinds[k]);
                        to = cnode_new(CN_MAP, &from->pos);
                        cnode_map_set(cfg, kinds[k], to);
                }
                for (size_t i = 0; i < from->n; i++) {
                        const char *name = from->keys[i]->str;
                        const struct cnode *have = cnode_map_get(to, name);
                        if (have) {
                                if (node_equal(have, from->vals[i]))
                                        continue;
                                return pos_err(err, to->keys[cnode_map_index(to, name)],
                                               "%s.%s conflicts with imported resource", kinds[k],
                                               name);
                        }
                        cnode_map_set(to, name, from->vals[i]);
                        to->keys[to->n - 1]->pos = from->keys[i]->pos;
                        from->vals[i] = cnode_new(CN_NULL, NULL);
                }
        }
        return 0;
}

static int strings_of(const struct cnode *n, strv_t *out, const char *what, err_t *err)
{
        if (!n || n->kind == CN_NULL)
                return 0;
        if (n->kind == CN_SCALAR) {
                strv_push(out, n->str);
                return 0;
        }
        if (n->kind == CN_SEQ) {
                for (size_t i = 0; i < n->n; i++) {
                        if (n->vals[i]->kind != CN_SCALAR)
                                return pos_err(err, n->vals[i], "include %s must be a string",
                                               what);
                        strv_push(out, n->vals[i]->str);
                }
                return 0;
        }
        return pos_err(err, n, "include %s must be a string or a list of strings", what);
}

/* lookup for include env files: the including environment, then the values
 * read so far from the env files. */
struct two_env {
        const strv_t *a, *b;
};

static const char *lookup_two(const char *name, void *ud)
{
        const struct two_env *t = ud;
        const char *v = dotenv_get(t->a, name);

        return v ? v : dotenv_get(t->b, name);
}

static int load_env_files(const strv_t *base, const strv_t *files, strv_t *out, err_t *err)
{
        strv_t acc = STRV_INIT;
        struct two_env t = {base, &acc};

        for (size_t i = 0; i < files->n; i++) {
                strv_t one = STRV_INIT;
                if (dotenv_read(files->v[i], lookup_two, &t, &one, err) < 0) {
                        strv_free(&one);
                        strv_free(&acc);
                        return -1;
                }
                for (size_t j = 0; j < one.n; j++) {
                        char *eq = strchr(one.v[j], '=');
                        *eq = '\0';
                        strv_kv_set(&acc, one.v[j], eq + 1);
                }
                strv_free(&one);
        }
        /* the including/process environment wins */
        for (size_t j = 0; j < acc.n; j++) {
                char *eq = strchr(acc.v[j], '=');
                *eq = '\0';
                if (!dotenv_get(out, acc.v[j]))
                        strv_kv_set(out, acc.v[j], eq + 1);
        }
        strv_free(&acc);
        return 0;
}

static int include_one(struct loadctx *c, struct project *p, struct cnode *cfg,
                       const struct cnode *item, const char *file, err_t *err)
{
        strv_t paths = STRV_INIT, envf = STRV_INIT, abspaths = STRV_INIT, incenv = STRV_INIT;
        _cleanup_free_ char *pd = NULL;
        struct project sub = {0};
        struct cnode *imported = NULL;
        const struct cnode *pdn = NULL;
        int r = -1;

        if (item->kind == CN_SCALAR) {
                strv_push(&paths, item->str);
        } else if (item->kind == CN_MAP) {
                if (strings_of(cnode_map_get(item, "path"), &paths, "path", err) < 0 ||
                    strings_of(cnode_map_get(item, "env_file"), &envf, "env_file", err) < 0)
                        goto out;
                pdn = cnode_map_get(item, "project_directory");
                if (pdn && pdn->kind != CN_SCALAR && pdn->kind != CN_NULL) {
                        pos_err(err, pdn, "include project_directory must be a string");
                        goto out;
                }
        } else {
                pos_err(err, item, "include entries must be a string or a mapping");
                goto out;
        }
        if (!paths.n) {
                pos_err(err, item, "include entry has no path");
                goto out;
        }
        for (size_t i = 0; i < paths.n; i++) {
                char *a = path_abs(p->workdir, paths.v[i]);
                strv_take(&abspaths, a);
                if (!exists(a)) {
                        err_sys(err, ENOENT, "%s:%d:%d: include %s", item->pos.file, item->pos.line,
                                item->pos.col, a);
                        goto out;
                }
        }
        if (pdn && pdn->kind == CN_SCALAR && *pdn->str)
                pd = path_abs(p->workdir, pdn->str);
        else
                pd = path_dir(abspaths.v[0]);
        if (strcmp(abspaths.v[0], file) == 0 || strv_contains(&p->included, abspaths.v[0])) {
                strbuf_t sb = STRBUF_INIT;
                sb_append(&sb, "include cycle detected:");
                for (size_t i = 0; i < p->included.n; i++)
                        sb_appendf(&sb, i ? "\n include %s" : "\n%s", p->included.v[i]);
                sb_appendf(&sb, p->included.n ? "\n include %s" : "\n%s", file);
                sb_appendf(&sb, "\n include %s", abspaths.v[0]);
                err_set(err, 0, "%s", sb_str(&sb));
                sb_free(&sb);
                goto out;
        }
        if (c->include_depth >= MAX_INCLUDE_DEPTH) {
                pos_err(err, item, "includes nested too deeply");
                goto out;
        }
        if (++c->include_loads > MAX_INCLUDE_LOADS) {
                pos_err(err, item,
                        "include %s: more than %d includes in total (a file included over and "
                        "over?)",
                        abspaths.v[0], MAX_INCLUDE_LOADS);
                goto out;
        }
        {
                strv_t files = STRV_INIT;
                if (!envf.n) {
                        char *dotenv = xasprintf("%s/.env", pd);
                        if (is_regular(dotenv))
                                strv_take(&files, dotenv);
                        else
                                free(dotenv);
                }
                for (size_t i = 0; i < envf.n; i++) {
                        if (strcmp(envf.v[i], "/dev/null") == 0)
                                continue;
                        char *a = path_abs(p->workdir, envf.v[i]);
                        if (!exists(a)) {
                                err_sys(err, ENOENT, "%s:%d:%d: include env_file %s",
                                        item->pos.file, item->pos.line, item->pos.col, a);
                                free(a);
                                strv_free(&files);
                                goto out;
                        }
                        strv_take(&files, a);
                }
                strv_copy(&incenv, p->env);
                r = load_env_files(p->env, &files, &incenv, err);
                strv_free(&files);
                if (r < 0)
                        goto out;
                r = -1;
        }
        sub.workdir = pd;
        sub.env = &incenv;
        strv_copy(&sub.included, &p->included);
        strv_push(&sub.included, file);
        sub.resolve_paths = true;
        c->include_depth++;
        if (load_project(c, &sub, &abspaths, &imported, err) < 0) {
                c->include_depth--;
                goto out;
        }
        c->include_depth--;
        rebase_model(imported, pd);
        r = import_resources(cfg, imported, err);
out:
        cnode_free(imported);
        strv_free(&sub.included);
        strv_free(&paths);
        strv_free(&envf);
        strv_free(&abspaths);
        strv_free(&incenv);
        return r;
}

static int apply_include(struct loadctx *c, struct project *p, struct cnode *cfg, const char *file,
                         err_t *err)
{
        const struct cnode *inc = cnode_map_get(cfg, "include");

        if (!inc)
                return 0;
        if (inc->kind == CN_SEQ) {
                for (size_t i = 0; i < inc->n; i++)
                        if (include_one(c, p, cfg, inc->vals[i], file, err) < 0)
                                return -1;
        } else if (inc->kind != CN_NULL) {
                return pos_err(err, inc, "include must be a list");
        }
        cnode_map_del(cfg, "include");
        return 0;
}

/* --- projects ------------------------------------------------------------- */

static int load_file_into(struct loadctx *c, struct project *p, const char *file,
                          struct cnode **dict, err_t *err)
{
        struct cnode *cfg = NULL;
        strv_t resets = STRV_INIT;
        int r = -1;

        if (parse_file(c, file, &cfg, err) < 0)
                return -1;
        if (cfg->kind == CN_NULL) {
                /* an empty document adds nothing */
                cnode_free(cfg);
                return 0;
        }
        creset_collect(cfg, &resets);
        if (!c->o->no_interpolate && interp_tree_total(cfg, interp_lookup_strv, (void *)p->env,
                                                       &c->unset, &c->interp_total, err) < 0)
                goto out;
        /* includes first, so services may extend included ones */
        if (apply_include(c, p, cfg, file, err) < 0)
                goto out;
        creset_apply(*dict, &resets);
        if (apply_extends(c, p, cfg, cnode_intern(file), &resets, err) < 0)
                goto out;
        if (!(*dict)->n && !(*dict)->pos.file)
                (*dict)->pos = cfg->pos;
        r = cmerge(dict, TAKE_PTR(cfg), err);
        if (r == 0)
                r = cmerge_unicity(*dict, err);
        if (r == 0 && cnode_map_del(*dict, "version"))
                strv_pushf(c->warnings,
                           "%s: the attribute `version` is obsolete, it will be ignored, please "
                           "remove it to avoid potential confusion",
                           file);
out:
        cnode_free(cfg);
        strv_free(&resets);
        return r;
}

static int load_project(struct loadctx *c, struct project *p, const strv_t *files,
                        struct cnode **out, err_t *err)
{
        struct cnode *dict = cnode_new(CN_MAP, NULL);

        for (size_t i = 0; i < files->n; i++)
                if (load_file_into(c, p, files->v[i], &dict, err) < 0) {
                        cnode_free(dict);
                        return -1;
                }
        *out = dict;
        return 0;
}

/* --- compose_load ----------------------------------------------------------- */

static const char *const default_files[] = {"compose.yaml", "compose.yml", "docker-compose.yml",
                                            "docker-compose.yaml"};
static const char *const override_files[] = {"compose.override.yml", "compose.override.yaml",
                                             "docker-compose.override.yml",
                                             "docker-compose.override.yaml"};

static void find_in(const char *dir, const char *const *names, size_t n, strv_t *found)
{
        for (size_t i = 0; i < n; i++) {
                char *p = xasprintf("%s/%s", dir, names[i]);
                if (exists(p))
                        strv_take(found, p);
                else
                        free(p);
        }
}

static void pick(strv_t *found, strv_t *files, strv_t *warnings)
{
        if (found->n > 1) {
                char *all = strv_join(found, ", ");
                strv_pushf(warnings, "Found multiple config files with supported names: %s", all);
                strv_pushf(warnings, "Using %s", found->v[0]);
                free(all);
        }
        strv_push(files, found->v[0]);
}

static int discover(const char *start, strv_t *files, strv_t *warnings, err_t *err)
{
        _cleanup_free_ char *dir = xstrdup(start);

        for (;;) {
                strv_t found = STRV_INIT;
                find_in(dir, default_files, ARRAY_SIZE(default_files), &found);
                if (found.n) {
                        pick(&found, files, warnings);
                        strv_free(&found);
                        find_in(dir, override_files, ARRAY_SIZE(override_files), &found);
                        if (found.n)
                                pick(&found, files, warnings);
                        strv_free(&found);
                        return 0;
                }
                if (strcmp(dir, "/") == 0)
                        return err_set(err, ENOENT, "no configuration file provided: not found");
                char *parent = path_dir(dir);
                free(dir);
                dir = parent;
        }
}

static void split_into(const char *s, const char *sep, strv_t *out)
{
        size_t seplen = strlen(sep);

        if (!seplen)
                sep = ":", seplen = 1;
        for (;;) {
                const char *e = strstr(s, sep);
                size_t n = e ? (size_t)(e - s) : strlen(s);
                _cleanup_free_ char *part = xstrndup(s, n);
                char *a = part, *z = part + n;
                while (*a == ' ' || *a == '\t')
                        a++;
                while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
                        *--z = '\0';
                if (*a)
                        strv_push(out, a);
                if (!e)
                        return;
                s = e + seplen;
        }
}

static const char *first_real_file(const strv_t *files)
{
        for (size_t i = 0; i < files->n; i++)
                if (strcmp(files->v[i], "-") != 0)
                        return files->v[i];
        return NULL;
}

/* The `name` of the last file that sets one, interpolated. */
static int name_from_files(struct loadctx *c, const strv_t *files, const strv_t *env, char **out,
                           err_t *err)
{
        *out = NULL;
        for (size_t i = 0; i < files->n; i++) {
                struct cnode *root = NULL;
                const struct cnode *n;
                if (parse_file(c, files->v[i], &root, err) < 0)
                        return -1;
                n = cnode_map_get(root, "name");
                if (n && n->kind == CN_SCALAR && *n->str) {
                        free(*out);
                        *out = xstrdup(n->str);
                }
                cnode_free(root);
        }
        if (*out && !c->o->no_interpolate) {
                char *s;
                if (interp_string(*out, interp_lookup_strv, (void *)env, NULL, &s, err) < 0) {
                        free(*out);
                        *out = NULL;
                        return err_wrap(err, "name");
                }
                free(*out);
                *out = s;
        }
        return 0;
}

static int project_name(struct loadctx *c, const strv_t *files, const strv_t *env, const char *wd,
                        char **out, err_t *err)
{
        const char *e = dotenv_get(env, "COMPOSE_PROJECT_NAME");
        _cleanup_free_ char *fromfile = NULL;

        if (c->o->project_name && *c->o->project_name) {
                if (!compose_project_name_valid(c->o->project_name))
                        return invalid_name(err, c->o->project_name);
                *out = xstrdup(c->o->project_name);
                return 0;
        }
        if (e && *e) {
                if (!compose_project_name_valid(e))
                        return invalid_name(err, e);
                *out = xstrdup(e);
                return 0;
        }
        if (name_from_files(c, files, env, &fromfile, err) < 0)
                return -1;
        if (fromfile) {
                *out = compose_normalize_project_name(fromfile);
                if (**out)
                        return 0;
                free(*out);
        }
        *out = compose_normalize_project_name(path_base(wd));
        if (!**out) {
                free(*out);
                *out = NULL;
                return err_set(err, 0, "project name must not be empty");
        }
        return 0;
}

int compose_load(const struct compose_load_opts *o, struct compose_source *out, err_t *err)
{
        struct loadctx c = {.o = o, .unset = STRV_INIT, .warnings = &out->warnings};
        char *const *penv = o->environ ? o->environ : environ;
        strv_t procenv = STRV_INIT, files = STRV_INIT, envfiles = STRV_INIT;
        _cleanup_free_ char *cwd = NULL, *wd0 = NULL, *stdin_copy = NULL;
        struct compose_load_opts local;
        struct project main = {0};
        const char *first;
        int r = -1;

        memset(out, 0, sizeof(*out));
        if (o->cwd) {
                cwd = path_abs("/", o->cwd);
        } else {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return err_sys(err, errno, "getcwd");
        }
        c.cwd = cwd;
        for (size_t i = 0; penv && penv[i]; i++)
                if (strchr(penv[i], '='))
                        strv_push(&procenv, penv[i]);

        /* stdin is read once: discovery and name lookup parse files twice */
        for (size_t i = 0; i < o->nfiles; i++)
                if (strcmp(o->files[i], "-") == 0 && !o->stdin_text) {
                        size_t len;
                        if (read_fd_all(0, 0, &stdin_copy, &len, err) < 0 ||
                            cnode_check_nul(stdin_copy, len, "-", err) < 0)
                                goto fail;
                        break;
                }
        local = *o;
        if (stdin_copy)
                local.stdin_text = stdin_copy;
        c.o = &local;

        for (size_t i = 0; i < o->nfiles; i++)
                if (strcmp(o->files[i], "-") == 0)
                        strv_push(&files, "-");
                else
                        strv_take(&files, path_abs(cwd, o->files[i]));

        /* 1. environment from the first working dir */
        if (o->project_dir)
                wd0 = path_abs(cwd, o->project_dir);
        else if ((first = first_real_file(&files)))
                wd0 = path_dir(first);
        else
                wd0 = xstrdup(cwd);
        strv_copy(&out->environment, &procenv);
        if (o->nenv_files) {
                for (size_t i = 0; i < o->nenv_files; i++) {
                        char *a = path_abs(cwd, o->env_files[i]);
                        if (!exists(a)) {
                                err_set(err, ENOENT, "Couldn't find env file: %s", a);
                                free(a);
                                goto fail;
                        }
                        strv_take(&envfiles, a);
                }
        } else {
                char *dotenv = xasprintf("%s/.env", wd0);
                if (is_regular(dotenv))
                        strv_take(&envfiles, dotenv);
                else
                        free(dotenv);
        }
        if (load_env_files(&procenv, &envfiles, &out->environment, err) < 0)
                goto fail;

        /* 2. files */
        if (!files.n) {
                const char *cf = dotenv_get(&out->environment, "COMPOSE_FILE");
                if (cf && *cf) {
                        strv_t parts = STRV_INIT;
                        const char *sep = dotenv_get(&out->environment, "COMPOSE_PATH_SEPARATOR");
                        split_into(cf, sep ? sep : ":", &parts);
                        for (size_t i = 0; i < parts.n; i++)
                                strv_take(&files, path_abs(cwd, parts.v[i]));
                        strv_free(&parts);
                }
        }
        if (!files.n && discover(o->project_dir ? wd0 : cwd, &files, &out->warnings, err) < 0)
                goto fail;
        for (size_t i = 0; i < files.n; i++)
                if (strcmp(files.v[i], "-") != 0 && !exists(files.v[i])) {
                        err_sys(err, ENOENT, "open %s", files.v[i]);
                        goto fail;
                }
        if (o->project_dir)
                out->working_dir = xstrdup(wd0);
        else if ((first = first_real_file(&files)))
                out->working_dir = path_dir(first);
        else
                out->working_dir = xstrdup(cwd);
        if (!o->nenv_files && strcmp(out->working_dir, wd0) != 0) {
                /* the project dir moved (discovery, COMPOSE_FILE): its .env too */
                strv_t more = STRV_INIT;
                char *dotenv = xasprintf("%s/.env", out->working_dir);
                if (is_regular(dotenv))
                        strv_take(&more, dotenv);
                else
                        free(dotenv);
                r = load_env_files(&out->environment, &more, &out->environment, err);
                strv_free(&more);
                if (r < 0)
                        goto fail;
                r = -1;
        }
        strv_copy(&out->config_files, &files);

        /* 3. profiles */
        if (o->nprofiles) {
                for (size_t i = 0; i < o->nprofiles; i++)
                        split_into(o->profiles[i], ",", &out->profiles);
        } else {
                const char *cp = dotenv_get(&out->environment, "COMPOSE_PROFILES");
                if (cp)
                        split_into(cp, ",", &out->profiles);
        }

        /* 4. project name, exposed to interpolation */
        if (project_name(&c, &files, &out->environment, out->working_dir, &out->name, err) < 0)
                goto fail;
        strv_kv_set(&out->environment, "COMPOSE_PROJECT_NAME", out->name);

        /* 5. the files themselves */
        main.workdir = out->working_dir;
        main.env = &out->environment;
        if (load_project(&c, &main, &files, &out->root, err) < 0)
                goto fail;
        if (!out->root->n) {
                err_set(err, 0, "empty compose file");
                goto fail;
        }
        {
                const struct cnode *old = cnode_map_get(out->root, "name");
                struct cnode *nn = cnode_new_scalar(out->name, old ? &old->pos : &out->root->pos);
                nn->quoted = true;
                cnode_map_set(out->root, "name", nn);
        }
        for (size_t i = 0; i < c.unset.n; i++)
                strv_take(&out->warnings, interp_unset_warning(c.unset.v[i]));
        r = 0;
        goto done;
fail:
        compose_source_free(out);
done:
        strv_free(&main.included);
        strv_free(&c.unset);
        strv_free(&procenv);
        strv_free(&files);
        strv_free(&envfiles);
        return r;
}

void compose_source_free(struct compose_source *s)
{
        if (!s)
                return;
        free(s->name);
        free(s->working_dir);
        strv_free(&s->config_files);
        strv_free(&s->environment);
        strv_free(&s->profiles);
        strv_free(&s->warnings);
        cnode_free(s->root);
        memset(s, 0, sizeof(*s));
}
