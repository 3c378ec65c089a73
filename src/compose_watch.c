/* compose_watch.c - `berth compose watch` and `up --watch`: the Compose
 * Specification's develop.watch.
 *
 * Each rule of a selected service watches a host path (a directory, watched
 * recursively, or a file) with inotify.  A burst of changes is gathered until
 * the files are quiet for WATCH_QUIET_MS, then acted on:
 *   - sync: the changed files, relative to the rule's path, go into every
 *     running container of the service below target, as one tar stream
 *     extracted by the confined extractor (runtime/ctr_copy.h: every
 *     container path resolved inside the container's root); a file deleted
 *     on the host is removed below target, also resolved inside the root;
 *   - sync+restart: the same, then the service's containers restart;
 *   - sync+exec: the same, then the rule's exec hook runs in each container;
 *   - restart: the containers restart;
 *   - rebuild: the image is built again and the service recreated
 *     (`up -d --build --no-deps SERVICE`).
 * Paths matching the rule's ignore patterns, or the build context's
 * .dockerignore, or editor/VCS droppings (.git, *~, *.swp) are left out;
 * with include patterns only matching paths count.  initial_sync copies the
 * whole path once before watching. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose_cmds.h"
#include "compose_up.h"
#include "container_cli.h"
#include "runtime/ctr_copy.h"
#include "runtime/dockerfile.h"
#include "runtime/layer.h"

#define WATCH_QUIET_MS 25  /* a burst of writes ends after this much quiet */
#define WATCH_MAX_MS   250 /* ... or after this long, whatever comes */

enum waction { W_SYNC, W_REBUILD, W_RESTART, W_SYNC_RESTART, W_SYNC_EXEC };

struct wrule {
        const struct compose_service *s;
        char *path; /* absolute host path */
        bool is_dir;
        char *target; /* container path (sync actions) */
        enum waction action;
        strv_t ignore, include, dockerignore;
        char *context; /* absolute build context (for .dockerignore), or NULL */
        bool initial_sync;
        const json_t *exec; /* the sync+exec hook */
        strv_t changed;     /* relative paths ("" for the path itself) */
};

struct wdir {
        int wd;
        char *path;
};

struct watch {
        struct compose_globals *g;
        struct cproject *cp;
        struct wrule *r;
        size_t nr;
        struct wdir *d;
        size_t nd;
        int ifd;
        bool quiet;
};

static const char *const default_ignore[] = {".git",     "**/.git",   "*~",     "**/*~",   "*.swp",
                                             "**/*.swp", "**/.*.swp", ".*.swp", "**/4913", "4913"};

static void say(struct watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct watch *w, const char *fmt, ...)
{
        if (w->quiet)
                return;
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static void strings_of(const json_t *v, strv_t *out)
{
        if (json_is_string(v))
                strv_push(out, json_string_value(v));
        else
                strv_push_json(out, v);
}

/* rel of abs below base ("" for base itself), NULL when not below it. */
static const char *below(const char *base, const char *abs)
{
        size_t n = strlen(base);
        if (strncmp(abs, base, n))
                return NULL;
        if (!abs[n])
                return "";
        if (abs[n] != '/')
                return NULL;
        return abs + n + 1;
}

/* Is the host path abs (in rule r) left out? */
static bool ignored(const struct wrule *r, const char *abs)
{
        const char *rel = below(r->path, abs);
        if (!rel)
                return true;
        if (*rel) {
                strv_t def = {.v = (char **)default_ignore,
                              .n = sizeof(default_ignore) / sizeof(default_ignore[0])};
                if (rt_dockerignore_excluded(&def, rel) ||
                    rt_dockerignore_excluded(&r->ignore, rel))
                        return true;
                if (r->include.n && !rt_dockerignore_excluded(&r->include, rel))
                        return true;
        }
        const char *crel = r->context ? below(r->context, abs) : NULL;
        if (crel && *crel && r->dockerignore.n && rt_dockerignore_excluded(&r->dockerignore, crel))
                return true;
        return false;
}

static int add_watch(struct watch *w, const char *path)
{
        int wd =
            inotify_add_watch(w->ifd, path,
                              IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                  IN_ATTRIB | IN_MODIFY | IN_DONT_FOLLOW | IN_EXCL_UNLINK);
        if (wd < 0)
                return -1;
        for (size_t i = 0; i < w->nd; i++)
                if (w->d[i].wd == wd) {
                        free(w->d[i].path);
                        w->d[i].path = xstrdup(path);
                        return 0;
                }
        w->d = xrealloc(w->d, (w->nd + 1) * sizeof(*w->d));
        w->d[w->nd++] = (struct wdir){wd, xstrdup(path)};
        return 0;
}

/* Watch dir and every directory below it (not through symlinks). */
static void add_tree(struct watch *w, const char *dir)
{
        if (add_watch(w, dir) < 0)
                return;
        DIR *d = opendir(dir);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
                    !strcmp(de->d_name, ".git"))
                        continue;
                if (de->d_type == DT_DIR) {
                        _cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
                        add_tree(w, sub);
                }
        }
        closedir(d);
}

/* ---- actions ----------------------------------------------------------------- */

struct tar_filter {
        const struct wrule *r;
};

static bool tree_filter(const char *rel, void *ud)
{
        const struct tar_filter *f = ud;
        _cleanup_free_ char *abs = *rel ? xasprintf("%s/%s", f->r->path, rel) : xstrdup(f->r->path);
        return ignored(f->r, abs);
}

/* A tar (in a memfd, rewound) of the rule's changed paths that exist, named
 * relative to the rule's path; *dels gets the ones that are gone. */
static int changed_tar(const struct wrule *r, bool all, int *out, strv_t *dels, err_t *err)
{
        int fd = memfd_create("berth-watch", MFD_CLOEXEC);
        if (fd < 0)
                return err_sys(err, errno, "memfd");
        _cleanup_close_ int base = -1;
        struct rt_layer_writer *lw = NULL;
        if (r->is_dir) {
                base = open(r->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        } else {
                _cleanup_free_ char *parent = xstrdup(r->path);
                char *slash = strrchr(parent, '/');
                *slash = '\0';
                base = open(*parent ? parent : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        }
        if (base < 0) {
                close(fd);
                return err_sys(err, errno, "%s", r->path);
        }
        lw = rt_layer_writer_new(fd, err);
        if (!lw) {
                close(fd);
                return -1;
        }
        struct tar_filter tf = {r};
        struct rt_layer_attr attr = {.uid = 0, .gid = 0, .mode = -1}; /* root's, as cp does */
        int rc = 0;
        if (!r->is_dir) {
                const char *name = strrchr(r->path, '/') + 1;
                struct stat st;
                if (fstatat(base, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        strv_push(dels, "");
                else
                        rc = rt_layer_add_file(lw, base, name, name, &attr, err);
        } else if (all) {
                rc = rt_layer_add_tree(lw, base, ".", "", &attr, tree_filter, &tf, err);
        } else {
                for (size_t i = 0; rc == 0 && i < r->changed.n; i++) {
                        const char *rel = r->changed.v[i];
                        struct stat st;
                        if (!*rel)
                                continue;
                        if (fstatat(base, rel, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                                strv_push(dels, rel);
                                continue;
                        }
                        /* the parents first, so a new directory's file lands */
                        _cleanup_free_ char *p = xstrdup(rel);
                        for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
                                *s = '\0';
                                struct stat ps;
                                if (fstatat(base, p, &ps, AT_SYMLINK_NOFOLLOW) == 0 &&
                                    S_ISDIR(ps.st_mode))
                                        rc = rt_layer_add_dir(lw, p, ps.st_mode & 07777, 0, 0, err);
                                *s = '/';
                                if (rc < 0)
                                        break;
                        }
                        if (rc == 0)
                                rc = S_ISDIR(st.st_mode)
                                         ? rt_layer_add_tree(lw, base, rel, rel, &attr, tree_filter,
                                                             &tf, err)
                                         : rt_layer_add_file(lw, base, rel, rel, &attr, err);
                }
        }
        char hex[65];
        if (rc < 0) {
                rt_layer_writer_abort(lw);
                close(fd);
                return -1;
        }
        if (rt_layer_writer_close(lw, hex, err) < 0) {
                close(fd);
                return -1;
        }
        lseek(fd, 0, SEEK_SET);
        *out = fd;
        return 0;
}

struct rm_ctx {
        const char *dir; /* container directory (absolute) */
        const strv_t *rels;
};

static int rm_in_root(int rootfd, void *ud, err_t *err)
{
        const struct rm_ctx *c = ud;
        for (size_t i = 0; i < c->rels->n; i++) {
                _cleanup_free_ char *full = xasprintf("%s/%s", c->dir, c->rels->v[i]);
                char *slash = strrchr(full, '/');
                *slash = '\0';
                const char *name = slash + 1;
                struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                                       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
                int dfd = (int)syscall(SYS_openat2, rootfd, *full ? full : "/", &how, sizeof(how));
                if (dfd < 0) {
                        if (errno == ENOENT)
                                continue;
                        return err_sys(err, errno, "%s", full);
                }
                /* O_PATH cannot be used for unlinkat: reopen the directory */
                int real = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                close(dfd);
                if (real < 0)
                        return err_sys(err, errno, "%s", full);
                int r = rm_rf_at(real, name, err);
                close(real);
                if (r < 0)
                        return -1;
        }
        return 0;
}

static int do_sync(struct watch *w, struct wrule *r, bool all)
{
        err_t err;
        strv_t dels = STRV_INIT;
        int fd = -1;
        int rc = -1;
        struct cctr_list l = {0};
        _cleanup_free_ char *dir = NULL;
        if (changed_tar(r, all, &fd, &dels, &err) < 0 ||
            cctr_observe(w->cp->p->name, false, &l, &err) < 0) {
                fprintf(stderr, "watch: service %s: %s\n", r->s->name, err.msg);
                goto out;
        }
        /* a single-file rule syncs to target itself: extract into its parent */
        if (r->is_dir) {
                dir = xstrdup(r->target);
        } else {
                dir = xstrdup(r->target);
                char *slash = strrchr(dir, '/');
                if (slash && slash != dir)
                        *slash = '\0';
                else
                        strcpy(dir, "/");
        }
        rc = 0;
        for (size_t i = 0; i < l.n; i++) {
                const struct cctr *c = &l.v[i];
                if (strcmp(c->service, r->s->name) || c->oneoff || strcmp(c->status, "running"))
                        continue;
                struct rt_cp_opts o = {false, false};
                lseek(fd, 0, SEEK_SET);
                if (rt_cp_to_ctr(c->id, c->j, NULL, fd, dir, &o, &err) < 0) {
                        fprintf(stderr, "watch: sync to %s: %s\n", c->name, err.msg);
                        rc = -1;
                        continue;
                }
                if (dels.n) {
                        struct rm_ctx rc2 = {r->is_dir ? r->target : dir, &dels};
                        strv_t single = STRV_INIT;
                        if (!r->is_dir) {
                                strv_push(&single, strrchr(r->target, '/') + 1);
                                rc2.rels = &single;
                        }
                        if (rt_ctr_with_root(c->id, c->j, rm_in_root, &rc2, &err) < 0) {
                                fprintf(stderr, "watch: delete in %s: %s\n", c->name, err.msg);
                                rc = -1;
                        }
                        strv_free(&single);
                }
        }
out:
        if (fd >= 0)
                close(fd);
        strv_free(&dels);
        cctr_list_free(&l);
        return rc;
}

static int do_exec(struct watch *w, const struct wrule *r)
{
        strv_t a = STRV_INIT;
        strv_push(&a, "exec");
        strv_push(&a, "-T");
        const char *u = json_string_value(json_object_get(r->exec, "user"));
        const char *wd = json_string_value(json_object_get(r->exec, "working_dir"));
        if (u) {
                strv_push(&a, "-u");
                strv_push(&a, u);
        }
        if (wd) {
                strv_push(&a, "-w");
                strv_push(&a, wd);
        }
        if (json_is_true(json_object_get(r->exec, "privileged")))
                strv_push(&a, "--privileged");
        const json_t *env = json_object_get(r->exec, "environment");
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)env, k, v)
        {
                strv_push(&a, "-e");
                strv_pushf(&a, "%s=%s", k, json_string_value(v) ?: "");
        }
        strv_push(&a, r->s->name);
        strings_of(json_object_get(r->exec, "command"), &a);
        return compose_run_args(w->g, compose_cmd_exec, &a);
}

/* `compose restart SERVICE` */
static void restart_service(struct watch *w, const char *svc)
{
        strv_t a = STRV_INIT;
        strv_push(&a, "restart");
        strv_push(&a, svc);
        compose_run_args(w->g, compose_cmd_start_stop, &a);
}

static void act(struct watch *w, struct wrule *r)
{
        size_t n = r->changed.n;
        const char *svc = r->s->name;
        switch (r->action) {
        case W_SYNC:
        case W_SYNC_RESTART:
        case W_SYNC_EXEC:
                say(w, "Syncing service \"%s\" after %zu changes were detected", svc, n);
                if (do_sync(w, r, false) < 0)
                        break;
                if (r->action == W_SYNC_RESTART) {
                        say(w, "Restarting service \"%s\"", svc);
                        restart_service(w, svc);
                } else if (r->action == W_SYNC_EXEC && r->exec) {
                        do_exec(w, r);
                }
                break;
        case W_RESTART:
                say(w, "Restarting service \"%s\" after changes were detected", svc);
                restart_service(w, svc);
                break;
        case W_REBUILD: {
                say(w, "Rebuilding service(s) [\"%s\"] after changes were detected...", svc);
                strv_t a = STRV_INIT;
                strv_push(&a, "up");
                strv_push(&a, "-d");
                strv_push(&a, "--build");
                strv_push(&a, "--no-deps");
                strv_push(&a, svc);
                if (compose_run_args(w->g, compose_cmd_up, &a) == 0)
                        say(w, "service(s) [\"%s\"] successfully built", svc);
                break;
        }
        }
        strv_free(&r->changed);
}

/* ---- rules ----------------------------------------------------------------- */

static int load_rules(struct watch *w, char **svcs, int nsvcs)
{
        const struct compose_project *p = w->cp->p;
        for (size_t i = 0; i < p->nservices; i++) {
                const struct compose_service *s = &p->services[i];
                const json_t *rules = json_object_get(json_object_get(s->json, "develop"), "watch");
                if (!compose_selected(s->name, svcs, nsvcs) || !json_array_size(rules))
                        continue;
                size_t k;
                json_t *e;
                json_array_foreach(rules, k, e)
                {
                        const char *path = json_string_value(json_object_get(e, "path"));
                        const char *action = json_string_value(json_object_get(e, "action"));
                        const char *target = json_string_value(json_object_get(e, "target"));
                        if (!path || !action)
                                continue;
                        struct wrule r = {.s = s};
                        static const char *const names[] = {"sync", "rebuild", "restart",
                                                            "sync+restart", "sync+exec"};
                        bool found = false;
                        for (size_t a = 0; a < sizeof(names) / sizeof(names[0]); a++)
                                if (!strcmp(action, names[a])) {
                                        r.action = (enum waction)a;
                                        found = true;
                                }
                        if (!found) {
                                fprintf(stderr, "service %s: develop.watch: unknown action %s\n",
                                        s->name, action);
                                return -1;
                        }
                        bool sync = r.action == W_SYNC || r.action == W_SYNC_RESTART ||
                                    r.action == W_SYNC_EXEC;
                        if (sync && (!target || *target != '/')) {
                                fprintf(stderr,
                                        "service %s: develop.watch: %s of %s needs an absolute "
                                        "target\n",
                                        s->name, action, path);
                                return -1;
                        }
                        _cleanup_free_ char *abs =
                            *path == '/' ? xstrdup(path) : xasprintf("%s/%s", p->working_dir, path);
                        r.path = path_clean_abs(abs);
                        struct stat st;
                        if (stat(r.path, &st) < 0) {
                                fprintf(stderr,
                                        "service %s: develop.watch: %s: %s (the path must exist)\n",
                                        s->name, r.path, strerror(errno));
                                free(r.path);
                                return -1;
                        }
                        r.is_dir = S_ISDIR(st.st_mode);
                        r.target = target ? path_clean_abs(target) : NULL;
                        strings_of(json_object_get(e, "ignore"), &r.ignore);
                        strings_of(json_object_get(e, "include"), &r.include);
                        r.initial_sync = json_is_true(json_object_get(e, "initial_sync"));
                        r.exec = json_object_get(e, "exec");
                        if (s->build.present && s->build.context && *s->build.context == '/') {
                                r.context = xstrdup(s->build.context);
                                _cleanup_free_ char *di = xasprintf("%s/.dockerignore", r.context);
                                char *text = NULL;
                                size_t len = 0;
                                err_t err;
                                if (read_file(di, &text, &len, &err) == 0)
                                        rt_dockerignore_parse(text, len, &r.dockerignore);
                                free(text);
                        }
                        w->r = xrealloc(w->r, (w->nr + 1) * sizeof(*w->r));
                        w->r[w->nr++] = r;
                }
        }
        if (!w->nr) {
                fprintf(stderr, "none of the selected services is configured for watch, consider "
                                "setting a 'develop' section\n");
                return -1;
        }
        return 0;
}

static void free_rules(struct watch *w)
{
        for (size_t i = 0; i < w->nr; i++) {
                struct wrule *r = &w->r[i];
                free(r->path);
                free(r->target);
                free(r->context);
                strv_free(&r->ignore);
                strv_free(&r->include);
                strv_free(&r->dockerignore);
                strv_free(&r->changed);
        }
        free(w->r);
        for (size_t i = 0; i < w->nd; i++)
                free(w->d[i].path);
        free(w->d);
}

static long long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Note abs as changed in every rule that watches it. */
static void note(struct watch *w, const char *abs, bool is_new_dir)
{
        for (size_t i = 0; i < w->nr; i++) {
                struct wrule *r = &w->r[i];
                const char *rel = below(r->path, abs);
                if (!rel || ignored(r, abs))
                        continue;
                if (!strv_contains(&r->changed, rel))
                        strv_push(&r->changed, rel);
        }
        if (is_new_dir)
                add_tree(w, abs);
}

/* The watch loop: returns when SIGINT/SIGTERM arrives (0) or on an error. */
int compose_watch_run(struct compose_globals *g, struct cproject *cp, char **svcs, int nsvcs,
                      bool quiet)
{
        struct watch w = {.g = g, .cp = cp, .quiet = quiet};
        int rc = 1;
        w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        sigset_t set, old;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, &old);
        int sfd = signalfd(-1, &set, SFD_CLOEXEC);
        if (w.ifd < 0 || sfd < 0) {
                fprintf(stderr, "watch: %s\n", strerror(errno));
                goto out;
        }
        if (load_rules(&w, svcs, nsvcs) < 0)
                goto out;
        for (size_t i = 0; i < w.nr; i++) {
                struct wrule *r = &w.r[i];
                if (r->is_dir) {
                        add_tree(&w, r->path);
                } else {
                        _cleanup_free_ char *parent = xstrdup(r->path);
                        *strrchr(parent, '/') = '\0';
                        add_watch(&w, *parent ? parent : "/");
                }
        }
        for (size_t i = 0; i < w.nr; i++)
                if (w.r[i].initial_sync && w.r[i].action != W_REBUILD &&
                    w.r[i].action != W_RESTART) {
                        say(&w, "Syncing service \"%s\" (initial sync of %s)", w.r[i].s->name,
                            w.r[i].path);
                        do_sync(&w, &w.r[i], true);
                }
        say(&w, "Watch enabled");
        char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
        long long first = 0, last = 0;
        for (;;) {
                int timeout = -1;
                if (first) {
                        long long t = now_ms();
                        long long until = last + WATCH_QUIET_MS;
                        if (first + WATCH_MAX_MS < until)
                                until = first + WATCH_MAX_MS;
                        timeout = until > t ? (int)(until - t) : 0;
                }
                struct pollfd pf[2] = {{w.ifd, POLLIN, 0}, {sfd, POLLIN, 0}};
                int n = poll(pf, 2, timeout);
                if (n < 0 && errno != EINTR) {
                        fprintf(stderr, "watch: poll: %s\n", strerror(errno));
                        goto out;
                }
                if (pf[1].revents & POLLIN) {
                        rc = 0;
                        goto out;
                }
                if (pf[0].revents & POLLIN) {
                        ssize_t len;
                        while ((len = read(w.ifd, buf, sizeof(buf))) > 0) {
                                for (char *p = buf; p < buf + len;) {
                                        struct inotify_event *ev = (struct inotify_event *)p;
                                        p += sizeof(*ev) + ev->len;
                                        const char *dir = NULL;
                                        for (size_t i = 0; i < w.nd; i++)
                                                if (w.d[i].wd == ev->wd)
                                                        dir = w.d[i].path;
                                        if (!dir || !ev->len)
                                                continue;
                                        _cleanup_free_ char *abs =
                                            xasprintf("%s/%s", dir, ev->name);
                                        note(&w, abs,
                                             (ev->mask & IN_ISDIR) &&
                                                 (ev->mask & (IN_CREATE | IN_MOVED_TO)));
                                }
                        }
                        bool any = false;
                        for (size_t i = 0; i < w.nr; i++)
                                any |= w.r[i].changed.n > 0;
                        if (any) {
                                last = now_ms();
                                if (!first)
                                        first = last;
                        }
                        continue;
                }
                if (first && n == 0) {
                        first = last = 0;
                        for (size_t i = 0; i < w.nr; i++)
                                if (w.r[i].changed.n)
                                        act(&w, &w.r[i]);
                }
        }
out:
        free_rules(&w);
        if (w.ifd >= 0)
                close(w.ifd);
        if (sfd >= 0)
                close(sfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return rc;
}

int compose_cmd_watch(struct compose_globals *g, int argc, char **argv)
{
        bool no_up = false, quiet = false;
        const struct cli_opt opts[] = {
            CLI_OPT("no-up", 0, CLI_FLAG, &no_up, "Do not build & start services before watching"),
            /* images are not kept per rebuild: nothing to prune */
            CLI_OPT("prune", 0, CLI_FLAG, NULL, "Accepted for compatibility"),
            CLI_OPT("quiet", 0, CLI_FLAG, &quiet, "Hide build output"),
            {0}};
        int first = COMPOSE_PARSE(argc, argv, "watch", "[OPTIONS] [SERVICE...]",
                                  "Watch build context for service and rebuild/refresh containers "
                                  "when files are updated",
                                  opts, CLI_ANY_ARGS);
        if (first <= 0)
                return first < 0 ? 1 : 0;
        if (!no_up) {
                strv_t a = STRV_INIT;
                strv_push(&a, "up");
                strv_push(&a, "-d");
                for (int i = first; i < argc; i++)
                        strv_push(&a, argv[i]);
                int r = compose_run_args(g, compose_cmd_up, &a);
                if (r != 0)
                        return r;
        }
        struct cproject cp;
        if (cproject_open(g, argv + first, argc - first, &cp) < 0)
                return 1;
        int r = compose_watch_run(g, &cp, argv + first, argc - first, quiet);
        cproject_close(&cp);
        return r;
}
