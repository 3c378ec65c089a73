/* build.c - the Dockerfile executor (see build.h). */
#include "build.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/events.h"
#include "base/crash.h"
#include "base/duration.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "build_internal.h"
#include "create.h"
#include "netglue.h"
#include "start.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/ctr_copy.h"
#include "runtime/dockerfile.h"
#include "runtime/image.h"
#include "runtime/layer.h"

static volatile sig_atomic_t interrupted;

void build_interrupt(int sig)
{
        interrupted = sig;
}

static const char *const predefined_args[] = {
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
    "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

static bool predefined(const char *k)
{
        for (size_t i = 0; i < ARRAY_SIZE(predefined_args); i++)
                if (!strcmp(predefined_args[i], k))
                        return true;
        return false;
}

/* "K=V" list helpers */
static const char *kv_get(const strv_t *v, const char *k)
{
        size_t n = strlen(k);
        for (size_t i = v->n; i-- > 0;)
                if (!strncmp(v->v[i], k, n) && v->v[i][n] == '=')
                        return v->v[i] + n + 1;
        return NULL;
}

static void kv_set(strv_t *v, const char *k, const char *val)
{
        size_t n = strlen(k);
        for (size_t i = 0; i < v->n; i++)
                if (!strncmp(v->v[i], k, n) && (v->v[i][n] == '=' || v->v[i][n] == '\0')) {
                        free(v->v[i]);
                        v->v[i] = xasprintf("%s=%s", k, val);
                        return;
                }
        strv_pushf(v, "%s=%s", k, val);
}

static void stage_free(struct stage *s)
{
        free(s->name);
        free(s->image);
        rt_image_config_free(&s->cfg);
        strv_free(&s->shell);
        strv_free(&s->args);
        strv_free(&s->pending);
}

void bld_out(const struct build *b, const char *fmt, ...)
{
        if (b->o->quiet)
                return;
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *s = xvasprintf(fmt, ap);
        va_end(ap);
        b->o->out->text(b->o->out->ud, s);
}

/* A warning to the caller's sink. */
static void bld_warn(const struct build_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void bld_warn(const struct build_opts *o, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *s = xvasprintf(fmt, ap);
        va_end(ap);
        o->out->warn(o->out->ud, s);
}

/* --build-arg value of k: NULL when not given. */
static const char *build_arg(struct build *b, const char *k, bool *given)
{
        size_t n = strlen(k);
        *given = false;
        for (size_t i = b->o->build_args.n; i-- > 0;) {
                const char *a = b->o->build_args.v[i];
                if (!strncmp(a, k, n) && (a[n] == '=' || a[n] == '\0')) {
                        *given = true;
                        if (!strv_contains(&b->used_args, k))
                                strv_push(&b->used_args, k);
                        return a[n] == '=' ? a + n + 1 : getenv(k);
                }
        }
        return NULL;
}

/* --- variable lookup ------------------------------------------------------- */

struct scope {
        const strv_t *env;  /* may be NULL */
        const strv_t *args; /* may be NULL */
};

static const char *scope_lookup(const char *name, void *ud)
{
        const struct scope *s = ud;
        const char *v = s->env ? kv_get(s->env, name) : NULL;
        if (!v && s->args)
                v = kv_get(s->args, name);
        return v;
}

int bld_expand(const struct build *b, const struct stage *st, const char *s, bool split,
               strv_t *outv, err_t *err)
{
        struct scope sc = {st ? &st->cfg.env : NULL, st ? &st->args : &b->meta_args};
        return rt_dockerfile_words(s, b->df.escape, scope_lookup, &sc, split, outv, err);
}

char *bld_expand_one(const struct build *b, const struct stage *st, const char *s, err_t *err)
{
        strv_t w = STRV_INIT;
        if (bld_expand(b, st, s, false, &w, err) < 0) {
                strv_free(&w);
                return NULL;
        }
        char *r = xstrdup(w.n ? w.v[0] : "");
        strv_free(&w);
        return r;
}

/* --- the cache ------------------------------------------------------------ */

static char *cache_path(void)
{
        return xasprintf("%s/build-cache.json", berth_lib_dir());
}

static void cache_load(struct build *b)
{
        _cleanup_free_ char *p = cache_path();
        err_t e;
        if (access(p, F_OK) < 0 || json_read(p, &b->cache, &e) < 0 || !json_is_object(b->cache)) {
                json_decref(b->cache);
                b->cache = json_object();
        }
}

static void cache_save(struct build *b)
{
        if (!b->cache_dirty)
                return;
        _cleanup_free_ char *p = cache_path();
        err_t e;
        /* merge with what parallel builds wrote meanwhile */
        json_t *cur = NULL;
        if (access(p, F_OK) == 0 && json_read(p, &cur, &e) == 0 && json_is_object(cur))
                json_object_update_missing(b->cache, cur);
        json_decref(cur);
        if (berth_dirs_ensure(&e) == 0 && json_write_atomic(p, b->cache, &e) == 0)
                b->cache_dirty = false;
}

/* Cache key: the parent image, the stage's config and scope, the step. */
char *bld_cache_key(const struct stage *st, const char *what, const char *extra)
{
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        EVP_DigestInit_ex(md, EVP_sha256(), NULL);
        json_t *cj = rt_image_config_to_json(&st->cfg);
        char *cs = json_dumps(cj, JSON_SORT_KEYS | JSON_COMPACT);
        json_decref(cj);
        _cleanup_free_ char *sh = strv_join(&st->shell, "\x1f");
        _cleanup_free_ char *args = strv_join(&st->args, "\x1f");
        const char *parts[] = {
            st->image ? st->image : "scratch", cs, sh, args, what, extra ? extra : ""};
        for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
                EVP_DigestUpdate(md, parts[i], strlen(parts[i]) + 1);
        free(cs);
        unsigned char d[32];
        unsigned int n = 0;
        EVP_DigestFinal_ex(md, d, &n);
        EVP_MD_CTX_free(md);
        char *hex = xmalloc(65);
        for (int i = 0; i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", d[i]);
        return hex;
}

/* The cached image for key, if it is still in the store. */
char *bld_cache_get(struct build *b, const char *key)
{
        if (b->o->no_cache)
                return NULL;
        const char *id = json_string_value(json_object_get(b->cache, key));
        if (!id)
                return NULL;
        struct rt_image img;
        err_t e;
        if (rt_image_lookup(id, &img, &e) < 0)
                return NULL;
        rt_image_free(&img);
        return xstrdup(id);
}

static void cache_put(struct build *b, const char *key, const char *id)
{
        json_object_set_new(b->cache, key, json_string(id));
        b->cache_dirty = true;
}

struct registering {
        struct build *b;
        const char *key;
};

/* The step's image is about to be registered: its cache entry is written
 * first, so a build killed from here on leaves an image the next build finds
 * (and builds on) rather than a dangling one nothing uses. */
static void step_registering(const char *id, void *ud)
{
        struct registering *r = ud;
        cache_put(r->b, r->key, id);
        cache_save(r->b);
        crash_point("build.cached");
}

/* Commit the stage's state (+ layer from fd when >= 0) as its new image. */
int bld_stage_commit(struct build *b, struct stage *st, int layer_fd, const char *created_by,
                     const char *key, err_t *err)
{
        char *id = NULL;
        struct registering reg = {b, key};
        struct rt_image_commit c = {.parent = st->image,
                                    .layer_fd = layer_fd,
                                    .config = &st->cfg,
                                    .created_by = created_by,
                                    .empty_history = &st->pending,
                                    .registering = key ? step_registering : NULL,
                                    .ud = &reg};
        if (rt_image_commit(&c, &id, err) < 0)
                return -1;
        free(st->image);
        st->image = id;
        strv_free(&st->pending);
        st->dirty = false;
        return 0;
}

/* Use a cached image as the stage's new state. */
void bld_stage_take(struct stage *st, char *id)
{
        free(st->image);
        st->image = id;
        strv_free(&st->pending);
        st->dirty = false;
}

/* --- stages --------------------------------------------------------------- */

struct stage *bld_find_stage(struct build *b, const char *name)
{
        char *end;
        long idx = strtol(name, &end, 10);
        if (*name && !*end && idx >= 0 && (size_t)idx < b->nstages)
                return &b->stages[idx];
        for (size_t i = 0; i < b->nstages; i++)
                if (b->stages[i].name && !strcasecmp(b->stages[i].name, name))
                        return &b->stages[i];
        return NULL;
}

static int do_from(struct build *b, const struct rt_df_instr *in, struct stage *st, err_t *err)
{
        strv_t w = STRV_INIT;
        int r = -1;
        if (bld_expand(b, NULL, in->rest, true, &w, err) < 0)
                goto done;
        if (w.n != 1 && !(w.n == 3 && !strcasecmp(w.v[1], "AS"))) {
                err_set(err, EINVAL, "FROM requires either one or three arguments");
                goto done;
        }
        if (w.n == 3) {
                for (char *c = w.v[2]; *c; c++)
                        *c = (char)tolower((unsigned char)*c);
                if (bld_find_stage(b, w.v[2])) {
                        err_set(err, EINVAL, "duplicate stage name \"%s\"", w.v[2]);
                        goto done;
                }
                st->name = xstrdup(w.v[2]);
        }
        const char *base = w.v[0];
        if (!*base) {
                err_set(err, EINVAL, "base name (%s) should not be blank", in->rest);
                goto done;
        }
        struct stage *from = bld_find_stage(b, base);
        if (from && from != st) {
                st->image = from->image ? xstrdup(from->image) : NULL;
                struct rt_image img;
                if (st->image && rt_image_lookup(st->image, &img, err) == 0) {
                        rt_image_config_free(&st->cfg);
                        st->cfg = img.config;
                        memset(&img.config, 0, sizeof(img.config));
                        rt_image_free(&img);
                }
                strv_copy(&st->shell, &from->shell);
        } else if (strcasecmp(base, "scratch")) {
                struct rt_image img;
                /* a base image that is not here is pulled (--pull: always) */
                if (b->o->out->ensure_image(b->o->out->ud, base, b->o->pull, b->o->quiet, err) <
                        0 ||
                    rt_image_lookup(base, &img, err) < 0)
                        goto done;
                st->image = xstrdup(img.id);
                st->cfg = img.config;
                memset(&img.config, 0, sizeof(img.config));
                rt_image_free(&img);
        }
        if (!st->shell.n) {
                strv_push(&st->shell, "/bin/sh");
                strv_push(&st->shell, "-c");
        }
        r = 0;
done:
        strv_free(&w);
        return r;
}

/* --- config instructions ------------------------------------------------------ */

static int kv_words(struct build *b, struct stage *st, const struct rt_df_instr *in, strv_t *kv,
                    bool env, err_t *err)
{
        strv_t w = STRV_INIT;
        int r = -1;
        if (bld_expand(b, st, in->rest, true, &w, err) < 0)
                goto done;
        if (w.n && !strchr(w.v[0], '=')) { /* legacy "KEY value with spaces" */
                const char *rest = in->rest;
                while (isspace((unsigned char)*rest))
                        rest++;
                rest += strcspn(rest, " \t");
                strv_t v = STRV_INIT;
                if (bld_expand(b, st, rest, false, &v, err) < 0) {
                        strv_free(&v);
                        goto done;
                }
                _cleanup_free_ char *val = xstrdup(v.n ? v.v[0] : "");
                strv_free(&v);
                char *s = val;
                while (isspace((unsigned char)*s))
                        s++;
                if (env && !*s && w.n < 2) {
                        err_set(err, EINVAL, "ENV must have two arguments");
                        goto done;
                }
                strv_pushf(kv, "%s=%s", w.v[0], s);
                r = 0;
                goto done;
        }
        for (size_t i = 0; i < w.n; i++) {
                const char *eq = strchr(w.v[i], '=');
                if (!eq) {
                        err_set(err, EINVAL,
                                "Syntax error - can't find = in \"%s\". Must be of the form: "
                                "name=value",
                                w.v[i]);
                        goto done;
                }
                if (eq == w.v[i]) {
                        err_set(err, EINVAL, "%s names can not be blank", in->keyword);
                        goto done;
                }
                strv_push(kv, w.v[i]);
        }
        r = 0;
done:
        strv_free(&w);
        return r;
}

static void set_kv_list(strv_t *list, const char *kv)
{
        const char *eq = strchr(kv, '=');
        _cleanup_free_ char *k = xstrndup(kv, (size_t)(eq - kv));
        kv_set(list, k, eq + 1);
}

static int do_arg(struct build *b, struct stage *st, const struct rt_df_instr *in, err_t *err)
{
        strv_t w = STRV_INIT;
        int r = -1;
        if (bld_expand(b, st, in->rest, true, &w, err) < 0)
                goto done;
        for (size_t i = 0; i < w.n; i++) {
                const char *eq = strchr(w.v[i], '=');
                _cleanup_free_ char *k =
                    eq ? xstrndup(w.v[i], (size_t)(eq - w.v[i])) : xstrdup(w.v[i]);
                if (!*k) {
                        err_set(err, EINVAL, "ARG names can not be blank");
                        goto done;
                }
                bool given;
                const char *v = build_arg(b, k, &given);
                strv_t *scope = st ? &st->args : &b->meta_args;
                if (!given && eq)
                        v = eq + 1;
                if (!given && !eq && st)
                        v = kv_get(&b->meta_args, k); /* redeclared global ARG */
                if (v)
                        kv_set(scope, k, v);
        }
        r = 0;
done:
        strv_free(&w);
        return r;
}

static void shell_form(const struct stage *st, const char *cmd, strv_t *argv)
{
        for (size_t i = 0; i < st->shell.n; i++)
                strv_push(argv, st->shell.v[i]);
        strv_push(argv, cmd);
}

static int do_config(struct build *b, struct stage *st, const struct rt_df_instr *in, err_t *err)
{
        struct rt_image_config *c = &st->cfg;
        strv_t w = STRV_INIT;
        int r = -1;
        switch (in->kind) {
        case RT_DF_ENV:
        case RT_DF_LABEL: {
                strv_t kv = STRV_INIT;
                if (kv_words(b, st, in, &kv, in->kind == RT_DF_ENV, err) < 0) {
                        strv_free(&kv);
                        goto done;
                }
                for (size_t i = 0; i < kv.n; i++)
                        set_kv_list(in->kind == RT_DF_ENV ? &c->env : &c->labels, kv.v[i]);
                strv_free(&kv);
                break;
        }
        case RT_DF_CMD:
        case RT_DF_ENTRYPOINT: {
                strv_t *dst = in->kind == RT_DF_CMD ? &c->cmd : &c->entrypoint;
                strv_free(dst);
                if (in->json)
                        strv_copy(dst, &in->argv);
                else
                        shell_form(st, in->rest, dst);
                if (in->kind == RT_DF_CMD) {
                        c->has_cmd = true;
                        st->cmd_set = true;
                } else {
                        c->has_entrypoint = true;
                        if (!st->cmd_set) { /* an ENTRYPOINT resets an inherited CMD */
                                strv_free(&c->cmd);
                                c->has_cmd = false;
                        }
                }
                break;
        }
        case RT_DF_WORKDIR: {
                _cleanup_free_ char *d = bld_expand_one(b, st, in->rest, err);
                if (!d)
                        goto done;
                char *full = d[0] == '/'
                                 ? xstrdup(d)
                                 : xasprintf("%s/%s", c->working_dir ? c->working_dir : "", d);
                /* clean: no double slashes, no trailing slash */
                strv_t parts = STRV_INIT;
                char *save = NULL;
                for (char *p = strtok_r(full, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
                        if (!strcmp(p, "."))
                                continue;
                        if (!strcmp(p, "..")) {
                                if (parts.n)
                                        strv_remove(&parts, parts.n - 1);
                                continue;
                        }
                        strv_push(&parts, p);
                }
                free(full);
                _cleanup_free_ char *j = strv_join(&parts, "/");
                strv_free(&parts);
                free(c->working_dir);
                c->working_dir = xasprintf("/%s", j ? j : "");
                break;
        }
        case RT_DF_USER:
        case RT_DF_STOPSIGNAL: {
                char *v = bld_expand_one(b, st, in->rest, err);
                if (!v)
                        goto done;
                char **dst = in->kind == RT_DF_USER ? &c->user : &c->stop_signal;
                free(*dst);
                *dst = v;
                break;
        }
        case RT_DF_EXPOSE:
                if (bld_expand(b, st, in->rest, true, &w, err) < 0)
                        goto done;
                for (size_t i = 0; i < w.n; i++) {
                        /* PORT[-END][/PROTO]: each port of a range */
                        unsigned lo = 0, hi = 0;
                        int used = 0;
                        const char *slash = strchr(w.v[i], '/');
                        const char *proto = slash ? slash + 1 : "tcp";
                        int nf = sscanf(w.v[i], "%u%n-%u%n", &lo, &used, &hi, &used);
                        if (nf == 1)
                                hi = lo;
                        if (nf < 1 || lo < 1 || hi > 65535 || hi < lo || hi - lo >= 1024 ||
                            (w.v[i][used] && w.v[i][used] != '/') ||
                            (strcasecmp(proto, "tcp") && strcasecmp(proto, "udp") &&
                             strcasecmp(proto, "sctp"))) {
                                err_set(err, EINVAL, "invalid containerPort: %s", w.v[i]);
                                goto done;
                        }
                        for (unsigned port = lo; port <= hi; port++) {
                                char *p = xasprintf("%u/%s", port, proto);
                                for (char *q = p; *q; q++)
                                        *q = (char)tolower((unsigned char)*q);
                                if (strv_contains(&c->exposed_ports, p))
                                        free(p);
                                else
                                        strv_take(&c->exposed_ports, p);
                        }
                }
                break;
        case RT_DF_VOLUME:
                if (in->json)
                        strv_copy(&w, &in->argv);
                else if (bld_expand(b, st, in->rest, true, &w, err) < 0)
                        goto done;
                for (size_t i = 0; i < w.n; i++) {
                        if (!*w.v[i]) {
                                err_set(err, EINVAL, "VOLUME specified can not be an empty string");
                                goto done;
                        }
                        if (rt_image_volume_path_check(NULL, w.v[i], err) < 0)
                                goto done;
                        char *clean = path_clean_abs(w.v[i]);
                        if (!strv_contains(&c->volumes, clean))
                                strv_take(&c->volumes, clean);
                        else
                                free(clean);
                }
                break;
        case RT_DF_SHELL:
                strv_free(&st->shell);
                strv_copy(&st->shell, &in->argv);
                break;
        case RT_DF_HEALTHCHECK: {
                struct rt_healthcheck *h = xcalloc(1, sizeof(*h));
                strv_copy(&h->test, &in->argv);
                static const char *const durs[] = {"interval", "timeout", "start-period",
                                                   "start-interval"};
                long long *dst[] = {&h->interval_ns, &h->timeout_ns, &h->start_period_ns,
                                    &h->start_interval_ns};
                for (size_t i = 0; i < ARRAY_SIZE(durs); i++) {
                        const char *v = rt_df_flag(in, durs[i]);
                        int64_t ns = 0;
                        if (v && parse_duration(v, &ns, NULL) < 0) {
                                err_set(err, EINVAL, "invalid --%s duration: %s", durs[i], v);
                                strv_free(&h->test);
                                free(h);
                                goto done;
                        }
                        if (v)
                                *dst[i] = ns;
                }
                const char *rv = rt_df_flag(in, "retries");
                if (rv)
                        h->retries = atoi(rv);
                if (c->healthcheck) {
                        strv_free(&c->healthcheck->test);
                        free(c->healthcheck);
                }
                c->healthcheck = h;
                break;
        }
        default:
                break;
        }
        r = 0;
done:
        strv_free(&w);
        return r;
}

/* --- RUN ------------------------------------------------------------------- */

static int remove_container(const char *id, err_t *err)
{
        for (int i = 0; i < 500 && rt_ctr_monitor_alive(id, NULL); i++)
                usleep(10000);
        if (rt_ctr_monitor_alive(id, NULL) && ctr_stop(id, 0, err) < 0)
                return -1;
        _cleanup_json_ json_t *j = NULL;
        _cleanup_close_ int lk = rt_ctr_lock_load(id, &j, err);
        if (lk < 0)
                return -1;
        if (netwire_release(id, j, true, err) < 0)
                return -1;
        return rt_ctr_destroy(id, err);
}

/* RUN containers carry their build's process (pid and start time) in this
 * label: the next build removes those of builds that died (kill -9) instead
 * of leaving them in `ps -a` for good. */
#define BUILD_OWNER_LABEL "berth.build.owner"

static void sweep_orphan_containers(const struct build_opts *o)
{
        strv_t ids = STRV_INIT;
        err_t e = {0};
        if (rt_ctr_list(&ids, &e) < 0)
                return;
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_json_ json_t *j = NULL;
                if (rt_ctr_load(ids.v[i], &j, &e) < 0)
                        continue;
                const char *owner = rt_doc_label(j, BUILD_OWNER_LABEL);
                int pid;
                unsigned long long start;
                if (!owner || sscanf(owner, "%d:%llu", &pid, &start) != 2 || pid <= 0)
                        continue;
                if (rt_pid_starttime(pid) == start)
                        continue; /* its build still runs */
                if (remove_container(ids.v[i], &e) < 0)
                        bld_warn(o, "removing container %.12s of an interrupted build: %s",
                                 ids.v[i], e.msg);
        }
        strv_free(&ids);
}

int bld_layer_tmpfile(err_t *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/image/tmp", berth_lib_dir());
        if (mkdir_p(dir, 0700, err) < 0)
                return -1;
        int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0)
                return err_sys(err, errno, "create a temporary file in %s", dir);
        return fd;
}

int bld_upper_layer(const char *upper, err_t *err)
{
        _cleanup_close_ int ufd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ufd < 0)
                return err_sys(err, errno, "open %s", upper);
        int tfd = bld_layer_tmpfile(err);
        if (tfd < 0)
                return -1;
        /* the runtime's mount-point stubs are not part of the layer */
        strv_t skip = STRV_INIT;
        rt_ctr_mount_stubs(&skip);
        struct rt_layer_writer *w = rt_layer_writer_new(tfd, err);
        char hex[65];
        int r = !w ? -1 : rt_layer_add_upper(w, ufd, &skip, err);
        strv_free(&skip);
        if (w && r < 0)
                rt_layer_writer_abort(w);
        else if (w)
                r = rt_layer_writer_close(w, hex, err);
        if (r < 0) {
                close(tfd);
                return -1;
        }
        return tfd;
}

/* The container a RUN step runs in: the stage's image with its not yet
 * committed config (env over the build's ARGs, workdir, user, root when
 * none), argv as the entrypoint, an init, the step's network. */
static int run_container(struct build *b, const struct stage *st, const strv_t *argv,
                         const strv_t *env, const char *net, char **id, err_t *err)
{
        struct rt_image img;
        if (rt_image_lookup(st->image, &img, err) < 0)
                return -1;
        _cleanup_free_ char *name = rt_ctr_gen_name();
        struct ctr_spec sp;
        ctr_spec_init(&sp, st->image, &img);
        sp.name = name;
        sp.host.init = true;
        strv_pushf(&sp.labels, "%s=%d:%llu", BUILD_OWNER_LABEL, (int)getpid(),
                   (unsigned long long)rt_pid_starttime(getpid()));
        const strv_t *envs[] = {env, &st->cfg.env};
        for (size_t k = 0; k < ARRAY_SIZE(envs); k++)
                for (size_t i = 0; i < envs[k]->n; i++) {
                        const char *kv = envs[k]->v[i], *eq = strchr(kv, '=');
                        _cleanup_free_ char *key =
                            xstrndup(kv, eq ? (size_t)(eq - kv) : strlen(kv));
                        if (eq)
                                strv_kv_set(&sp.proc.env, key, eq + 1);
                }
        if (st->cfg.working_dir && *st->cfg.working_dir)
                sp.proc.workdir = st->cfg.working_dir;
        sp.proc.user = st->cfg.user && *st->cfg.user ? st->cfg.user : "0";
        strv_free(&sp.proc.entrypoint);
        strv_free(&sp.proc.cmd);
        strv_push(&sp.proc.entrypoint, argv->v[0]);
        for (size_t i = 1; i < argv->n; i++)
                strv_push(&sp.proc.cmd, argv->v[i]);
        ctr_spec_health_from_image(&sp);
        sp.net.network = net ? net : b->o->network ? b->o->network : "default";
        strv_t warnings = STRV_INIT;
        int r = ctr_host_check(&sp.host, err) < 0
                    ? -1
                    : container_create_spec(&sp, id, &warnings, NULL, err);
        for (size_t i = 0; i < warnings.n; i++)
                b->o->out->warn(b->o->out->ud, warnings.v[i]);
        strv_free(&warnings);
        ctr_spec_free(&sp);
        rt_image_free(&img);
        return r;
}

static int do_run(struct build *b, struct stage *st, const struct rt_df_instr *in, err_t *err)
{
        strv_t argv = STRV_INIT;
        _cleanup_free_ char *id = NULL, *cmdline = NULL, *key = NULL, *cached = NULL;
        _cleanup_free_ char *envs = NULL;
        strv_t env = STRV_INIT;
        int r = -1, status = 0;

        if (in->json)
                strv_copy(&argv, &in->argv);
        else
                shell_form(st, in->rest, &argv);
        if (!argv.n) {
                err_set(err, EINVAL, "RUN: no command");
                goto done;
        }
        cmdline = strv_join(&argv, " ");
        /* predefined args given on the command line reach RUN undeclared */
        strv_copy(&env, &st->args);
        for (size_t i = 0; i < ARRAY_SIZE(predefined_args); i++) {
                bool given;
                const char *v = build_arg(b, predefined_args[i], &given);
                if (given && v && !kv_get(&env, predefined_args[i]))
                        kv_set(&env, predefined_args[i], v);
        }
        envs = strv_join(&env, "\x1f");
        key = bld_cache_key(st, in->text, envs);
        if ((cached = bld_cache_get(b, key))) {
                bld_out(b, " ---> Using cache (CACHED)\n ---> %.12s\n", cached + 7);
                bld_stage_take(st, TAKE_PTR(cached));
                strv_free(&env);
                r = 0;
                goto done;
        }
        if (!st->image) {
                strv_free(&env);
                err_set(err, EINVAL, "cannot RUN in an empty image (FROM scratch without files)");
                goto done;
        }
        /* the command runs in a container of the current image with the
         * stage's (not yet committed) config */
        const char *net = rt_df_flag(in, "network");
        if (net && strcmp(net, "none") && strcmp(net, "host") && strcmp(net, "default")) {
                err_set(err, EINVAL, "RUN --network=%s: use none, host or default", net);
                goto done;
        }
        if (run_container(b, st, &argv, &env, net, &id, err) < 0)
                goto done;
        bld_out(b, " ---> Running in %.12s\n", id);
        crash_point("build.run.created");
        if (interrupted) {
                err_set(err, EINTR, "build interrupted");
                goto remove;
        }
        if (b->o->out->run(b->o->out->ud, id, b->o->quiet, &status, err) < 0)
                goto remove;
        if (interrupted) {
                err_set(err, EINTR, "build interrupted");
                goto remove;
        }
        if (status != 0) {
                err_set(err, 0, "The command '%s' returned a non-zero code: %d", cmdline, status);
                goto remove;
        }
        crash_point("build.run.exited");
        {
                _cleanup_free_ char *cdir = rt_ctr_dir(id);
                _cleanup_free_ char *upper = xasprintf("%s/upper", cdir);
                _cleanup_close_ int tfd = bld_upper_layer(upper, err);
                if (tfd < 0)
                        goto remove;
                _cleanup_free_ char *by = xasprintf("RUN %s", cmdline);
                crash_point("build.run.layer");
                if (bld_stage_commit(b, st, tfd, by, key, err) < 0)
                        goto remove;
                crash_point("build.run.committed");
                bld_out(b, " ---> %.12s\n", st->image + 7);
        }
        r = 0;
remove:;
        err_t e2 = {0};
        if (remove_container(id, &e2) < 0 && r == 0) {
                *err = e2;
                r = -1;
        }
done:
        strv_free(&env);
        strv_free(&argv);
        return r;
}

/* --- the build ------------------------------------------------------------ */

static int step(struct build *b, struct stage *st, const struct rt_df_instr *in, err_t *err)
{
        switch (in->kind) {
        case RT_DF_RUN:
                return do_run(b, st, in, err);
        case RT_DF_COPY:
        case RT_DF_ADD:
                return build_copy(b, st, in, err);
        case RT_DF_ARG:
                return do_arg(b, st, in, err);
        case RT_DF_ONBUILD:
                if (!b->o->quiet)
                        bld_warn(b->o, "ONBUILD is not supported by berth: the trigger is ignored");
                return 0;
        case RT_DF_MAINTAINER:
                return 0;
        default:
                if (do_config(b, st, in, err) < 0)
                        return -1;
                st->dirty = true;
                strv_push(&st->pending, in->text);
                return 0;
        }
}

/* Commit the stage's final config (cached like a step). */
static int stage_finish(struct build *b, struct stage *st, const strv_t *labels, err_t *err)
{
        for (size_t i = 0; labels && i < labels->n; i++) {
                if (!strchr(labels->v[i], '='))
                        return err_set(err, EINVAL, "invalid label %s: must be KEY=VALUE",
                                       labels->v[i]);
                set_kv_list(&st->cfg.labels, labels->v[i]);
                st->dirty = true;
        }
        if (!st->dirty && st->image)
                return 0;
        _cleanup_free_ char *hist = strv_join(&st->pending, "\n");
        _cleanup_free_ char *key = bld_cache_key(st, "#finish", hist);
        char *cached = bld_cache_get(b, key);
        if (cached) {
                bld_stage_take(st, cached);
                return 0;
        }
        return bld_stage_commit(b, st, -1, NULL, key, err);
}

/* A file of the build context, found inside it: a symlink that leads out of
 * the context (Dockerfile -> /etc/shadow) is refused, never read, so no host
 * content reaches an error message; and only a regular file is read. */
static int read_context_file(struct build *b, const char *name, char **text, size_t *len,
                             err_t *err)
{
        if (read_regular_at(b->ctxfd, name, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS, 0, text, len,
                            err) == 0)
                return 0;
        if (err->code == EXDEV || err->code == ELOOP)
                return err_set(err, EXDEV, "%s is a symlink that leads out of the build context %s",
                               name, b->o->context);
        return -1;
}

static int read_dockerfile(struct build *b, err_t *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        if (b->o->inline_df) {
                text = xstrdup(b->o->inline_df);
                len = strlen(text);
                b->dfname = "Dockerfile";
        } else if (b->o->dockerfile) {
                if (read_file(b->o->dockerfile, &text, &len, err) < 0)
                        return err_wrap(err, "failed to read the Dockerfile");
                const char *slash = strrchr(b->o->dockerfile, '/');
                b->dfname = slash ? slash + 1 : b->o->dockerfile;
        } else {
                if (read_context_file(b, "Dockerfile", &text, &len, err) < 0) {
                        if (err->code == ENOENT)
                                return err_set(err, ENOENT,
                                               "failed to read the Dockerfile: open %s/Dockerfile: "
                                               "no such file or directory",
                                               b->o->context);
                        return err_wrap(err, "failed to read the Dockerfile");
                }
                b->dfname = "Dockerfile";
        }
        return rt_dockerfile_parse(text, len, b->dfname, &b->df, err);
}

void build_opts_free(struct build_opts *o)
{
        strv_free(&o->tags);
        strv_free(&o->build_args);
        strv_free(&o->labels);
}

int build_image(const struct build_opts *o, char **id_out, err_t *err)
{
        struct build b = {.o = o, .ctxfd = -1};
        int r = -1;
        interrupted = 0;

        b.ctxfd = open(o->context, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (b.ctxfd < 0)
                return err_sys(err, errno, "unable to prepare context: path \"%s\" not found",
                               o->context);
        for (size_t i = 0; i < o->tags.n; i++) {
                _cleanup_free_ char *norm = NULL;
                if (rt_image_ref_normalize(o->tags.v[i], &norm, err) < 0) {
                        close(b.ctxfd);
                        return err_wrap(err, "invalid tag \"%s\"", o->tags.v[i]);
                }
        }
        if (read_dockerfile(&b, err) < 0) {
                close(b.ctxfd);
                return -1;
        }
        {
                _cleanup_free_ char *ign = NULL;
                size_t il = 0;
                if (read_context_file(&b, ".dockerignore", &ign, &il, err) == 0) {
                        rt_dockerignore_parse(ign, il, &b.ignore);
                } else if (err->code != ENOENT) {
                        err_wrap(err, "failed to read .dockerignore");
                        goto done;
                }
        }
        /* the stages to build: up to the target */
        size_t last = b.df.n;
        int nfrom = 0;
        bool target_found = !o->target;
        for (size_t i = 0; i < b.df.n; i++) {
                if (b.df.v[i].kind != RT_DF_FROM)
                        continue;
                if (target_found) {
                        if (o->target) {
                                last = i;
                                break;
                        }
                }
                nfrom++;
                if (o->target) {
                        strv_t w = STRV_INIT;
                        err_t e2;
                        if (rt_dockerfile_words(b.df.v[i].rest, b.df.escape, scope_lookup,
                                                &(struct scope){NULL, NULL}, true, &w, &e2) == 0 &&
                            w.n == 3 && !strcasecmp(w.v[2], o->target))
                                target_found = true;
                        strv_free(&w);
                }
        }
        if (!target_found) {
                err_set(err, EINVAL, "target stage \"%s\" could not be found", o->target);
                goto done;
        }
        b.nsteps = (int)last;
        b.stages = xcalloc((size_t)nfrom + 1, sizeof(*b.stages));
        sweep_orphan_containers(o);
        cache_load(&b);
        struct stage *st = NULL;
        for (size_t i = 0; i < last; i++) {
                const struct rt_df_instr *in = &b.df.v[i];
                if (interrupted) {
                        err_set(err, EINTR, "build interrupted");
                        goto done;
                }
                bld_out(&b, "Step %d/%d : %s\n", ++b.step, b.nsteps, in->text);
                int sr;
                if (in->kind == RT_DF_FROM) {
                        if (st && stage_finish(&b, st, NULL, err) < 0)
                                goto fail_line;
                        st = &b.stages[b.nstages++];
                        sr = do_from(&b, in, st, err);
                        if (sr == 0 && st->image)
                                bld_out(&b, " ---> %.12s\n", st->image + 7);
                } else if (!st) {
                        sr = do_arg(&b, NULL, in, err);
                } else {
                        sr = step(&b, st, in, err);
                }
                if (sr < 0) {
                fail_line:
                        if (in->kind != RT_DF_RUN || err->code)
                                err_wrap(err, "%s:%d: %s", b.dfname, in->line, in->keyword);
                        goto done;
                }
        }
        if (stage_finish(&b, st, &o->labels, err) < 0)
                goto done;
        for (size_t i = 0; i < o->build_args.n; i++) {
                const char *a = o->build_args.v[i];
                _cleanup_free_ char *k = xstrndup(a, strcspn(a, "="));
                if (!strv_contains(&b.used_args, k) && !predefined(k) && !o->quiet)
                        bld_warn(o, "[Warning] One or more build-args [%s] were not consumed", k);
        }
        crash_point("build.tag");
        for (size_t i = 0; i < o->tags.n; i++)
                if (rt_image_tag(st->image, o->tags.v[i], err) < 0)
                        goto done;
        crash_point("build.tagged");
        events_logv("image", "build", st->image, "name", o->tags.n ? o->tags.v[0] : st->image,
                    NULL);
        bld_out(&b, "Successfully built %.12s\n", st->image + 7);
        for (size_t i = 0; i < o->tags.n; i++) {
                _cleanup_free_ char *norm = NULL;
                if (rt_image_ref_normalize(o->tags.v[i], &norm, err) == 0)
                        bld_out(&b, "Successfully tagged %s\n", norm);
        }
        *id_out = xstrdup(st->image);
        r = 0;
done:
        if (b.cache)
                cache_save(&b);
        json_decref(b.cache);
        for (size_t i = 0; i < b.nstages; i++)
                stage_free(&b.stages[i]);
        free(b.stages);
        rt_dockerfile_free(&b.df);
        strv_free(&b.ignore);
        strv_free(&b.meta_args);
        strv_free(&b.used_args);
        close(b.ctxfd);
        return r;
}
