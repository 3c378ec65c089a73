/* ctr_copy.c - cp between a container and the host (see ctr_copy.h). */
#include "ctr_copy.h"
#include "ctr_doc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "container.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "layer.h"
#include "spawn.h"
#include "strbuf.h"
#include "strv.h"
#include "subproc.h"
#include "tar.h"
#include "xalloc.h"

/* ---- children that report an err_t back ------------------------------------ */

typedef int (*child_fn)(void *ud, err_t *err);

/* Fork a child running fn(ud); *efd receives the read end of its error pipe. */
static pid_t child_start(child_fn fn, void *ud, int close_in_child, int *efd, err_t *err)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return err_sys(err, errno, "pipe");
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return err_sys(err, errno, "fork");
        }
        if (pid == 0) {
                close(p[0]);
                if (close_in_child >= 0)
                        close(close_in_child);
                signal(SIGPIPE, SIG_IGN);
                err_t ce = {0};
                int r = fn(ud, &ce);
                if (r < 0)
                        write_all(p[1], &ce, sizeof(ce), NULL);
                _exit(r < 0 ? 1 : 0);
        }
        close(p[1]);
        *efd = p[0];
        return pid;
}

/* ---- the container's root ------------------------------------------------- */

struct stopped_root {
        const json_t *j;
        rt_ctr_root_fn fn;
        void *ud;
};

/* In a child: mount the overlay privately and run fn on it. */
static int stopped_child(void *ud, err_t *err)
{
        struct stopped_root *s = ud;
        const json_t *data = json_object_get(json_object_get(s->j, "GraphDriver"), "Data");
        const char *lower = jobj_str(data, "LowerDir"), *upper = jobj_str(data, "UpperDir"),
                   *work = jobj_str(data, "WorkDir"), *merged = jobj_str(data, "MergedDir");
        if (!lower || !upper || !work || !merged)
                return err_set(err, EINVAL, "the container has no root filesystem recorded");
        if (unshare(CLONE_NEWNS) < 0)
                return err_sys(err, errno, "unshare mount namespace");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return err_sys(err, errno, "make mounts private");
        rt_ovl_volatile_clear(work);
        _cleanup_free_ char *opts =
            xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
        if (mount("overlay", merged, "overlay", 0, opts) < 0)
                return err_sys(err, errno, "mount the container's root filesystem on %s", merged);
        _cleanup_close_ int rootfd = open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return err_sys(err, errno, "open %s", merged);
        /* its volumes and binds, as docker shows them to cp (tmpfs is gone) */
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(s->j, "Mounts"), i, m)
        {
                const char *type = jobj_str(m, "Type"), *src = jobj_str(m, "Source"),
                           *dst = jobj_str(m, "Destination");
                if (!type || !src || !dst || (strcmp(type, "volume") && strcmp(type, "bind")))
                        continue;
                if (rt_bind_in_root(rootfd, dst, src, !json_is_true(json_object_get(m, "RW")),
                                    err) < 0)
                        return err_wrap(err, "mount %s of the stopped container", dst);
        }
        return s->fn(rootfd, s->ud, err);
}

/* The root of running container id's init, pinned: the pidfd is opened
 * before the root and the record is checked after it, so a reused pid is
 * never followed. */
static int running_root(const char *id, pid_t pid, err_t *err)
{
        _cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pfd < 0)
                return err_sys(err, errno, "container %.12s: open its init (pid %d)", id, (int)pid);
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/root", (int)pid);
        int rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return err_sys(err, errno, "container %.12s: open its root", id);
        pid_t again = 0;
        if (syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0) < 0 ||
            !rt_ctr_monitor_alive(id, &again) || again != pid) {
                close(rootfd);
                return err_set(err, ESRCH, "container %.12s stopped during the copy", id);
        }
        return rootfd;
}

int rt_ctr_with_root(const char *id, const json_t *j, rt_ctr_root_fn fn, void *ud, err_t *err)
{
        pid_t pid = 0;
        if (rt_ctr_monitor_alive(id, &pid) && pid > 0) {
                _cleanup_close_ int rootfd = running_root(id, pid, err);
                if (rootfd < 0)
                        return -1;
                return fn(rootfd, ud, err);
        }
        /* stopped: hold the lock so it does not start on the same upper dir */
        _cleanup_close_ int lk = rt_ctr_lock(id, err);
        if (lk < 0)
                return -1;
        if (rt_ctr_monitor_alive(id, &pid)) /* started meanwhile: the caller may retry */
                return err_set(err, EAGAIN, "container %.12s started during the copy; try again",
                               id);
        struct stopped_root s = {j, fn, ud};
        int efd = -1;
        pid_t c = child_start(stopped_child, &s, -1, &efd, err);
        if (c < 0)
                return -1;
        return subproc_helper_finish(c, efd, "copy", err);
}

/* ---- paths inside the root ------------------------------------------------ */

static int open_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
}

/* A path resolved inside the root: the parent directory (O_PATH) and the last
 * component ("." for a directory opened as itself). */
struct rpath {
        int parent;
        char *base;
        bool exists;
        struct stat st;
};

static void rpath_free(struct rpath *r)
{
        if (r->parent >= 0)
                close(r->parent);
        r->parent = -1;
        free(r->base);
        r->base = NULL;
}

/* Does the user's path ask for a directory ("x/", "x/.")? */
static bool asserts_dir(const char *p)
{
        size_t n = strlen(p);
        return (n && p[n - 1] == '/') || (n >= 2 && !strcmp(p + n - 2, "/.")) || !strcmp(p, ".");
}

static bool wants_contents(const char *p)
{
        size_t n = strlen(p);
        return (n >= 2 && !strcmp(p + n - 2, "/.")) || !strcmp(p, ".");
}

/* Resolve path inside rootfd.  follow: symlinks as the last component are
 * followed (inside the root), at most 40 of them.  A path asserting a
 * directory is opened as that directory. */
static int resolve_in(int rootfd, const char *path, bool follow, struct rpath *r, err_t *err)
{
        memset(r, 0, sizeof(*r));
        r->parent = -1;
        if (asserts_dir(path)) {
                r->parent = open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
                if (r->parent >= 0) {
                        r->base = xstrdup(".");
                        r->exists = true;
                        if (fstat(r->parent, &r->st) < 0)
                                return err_sys(err, errno, "stat %s", path);
                        return 0;
                }
                if (errno != ENOENT)
                        return err_sys(err, errno, "%s", path);
                /* missing: its parent and name, as for any other path */
        }
        _cleanup_free_ char *cur = path_clean_abs(path);
        for (int hops = 0;; hops++) {
                rpath_free(r);
                if (!strcmp(cur, "/")) {
                        r->parent = open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
                        r->base = xstrdup(".");
                } else {
                        char *slash = strrchr(cur, '/');
                        r->base = xstrdup(slash + 1);
                        *slash = '\0';
                        r->parent = open_in_root(rootfd, *cur ? cur : "/", O_PATH | O_DIRECTORY);
                        *slash = '/';
                }
                if (r->parent < 0) {
                        if (errno == ENOENT)
                                return 0;
                        return err_sys(err, errno, "%s", path);
                }
                if (fstatat(r->parent, r->base, &r->st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT)
                                return 0;
                        return err_sys(err, errno, "stat %s", path);
                }
                r->exists = true;
                if (!follow || !S_ISLNK(r->st.st_mode))
                        return 0;
                if (hops >= 40)
                        return err_set(err, ELOOP, "%s: too many levels of symbolic links", path);
                char target[4096];
                ssize_t n = readlinkat(r->parent, r->base, target, sizeof(target) - 1);
                if (n < 0)
                        return err_sys(err, errno, "readlink %s", path);
                target[n] = '\0';
                char *slash = strrchr(cur, '/');
                *slash = '\0';
                char *next =
                    target[0] == '/' ? path_clean_abs(target) : xasprintf("%s/%s", cur, target);
                free(cur);
                cur = path_clean_abs(next);
                free(next);
                r->exists = false;
        }
}

/* ---- the tar producer -------------------------------------------------- */

/* What goes into the stream: dirfd/rel (not followed) under the name
 * prefix, or only its contents (prefix "" then, for "dir/."). */
struct source {
        int dirfd;
        const char *rel;
        const char *prefix;
        bool contents;
        bool is_dir;
        struct rt_layer_attr attr;
        int in_fd; /* a tar stream to pass on instead (-1: none) */
};

static int write_source(const struct source *s, int fd, err_t *err)
{
        struct rt_layer_writer *w = rt_layer_writer_new(fd, err);
        if (!w)
                return -1;
        int r;
        if (s->is_dir)
                r = rt_layer_add_tree(w, s->dirfd, s->rel, s->contents ? "" : s->prefix, &s->attr,
                                      NULL, NULL, err);
        else
                r = rt_layer_add_file(w, s->dirfd, s->rel, s->prefix, &s->attr, err);
        if (r < 0) {
                rt_layer_writer_abort(w);
                return -1;
        }
        char hex[65];
        return rt_layer_writer_close(w, hex, err);
}

struct producer {
        const struct source *s;
        int wfd;
};

static int producer_child(void *ud, err_t *err)
{
        struct producer *p = ud;
        return write_source(p->s, p->wfd, err);
}

/* Stream s through a pipe into the directory dstfd (confined extraction). */
static int stream_into(const struct source *s, int dstfd, err_t *err)
{
        int pp[2];
        if (pipe2(pp, O_CLOEXEC) < 0)
                return err_sys(err, errno, "pipe");
        struct producer p = {s, pp[1]};
        int efd = -1;
        pid_t c = child_start(producer_child, &p, pp[0], &efd, err);
        close(pp[1]);
        if (c < 0) {
                close(pp[0]);
                return -1;
        }
        err_t xe = {0};
        int xr = rt_tar_extract_fd(pp[0], dstfd, NULL, NULL, &xe);
        close(pp[0]);
        int cr = subproc_helper_finish(c, efd, "copy", err);
        if (cr < 0) /* the producer's error explains a short stream best */
                return -1;
        if (xr < 0) {
                *err = xe;
                return -1;
        }
        return 0;
}

/* ---- destination rules ------------------------------------------------------ */

/* Where the source goes, given the destination's state: the directory to
 * extract into (opened by the caller from parent/base) and the name. */
struct placement {
        bool into_dst; /* extract into the destination itself (else its parent) */
        const char *name;
        bool contents;
};

static int place(const char *src_path, bool src_dir, const char *src_name, const char *dst_path,
                 bool dst_exists, bool dst_dir, const char *dst_base, struct placement *pl,
                 err_t *err)
{
        memset(pl, 0, sizeof(*pl));
        if (dst_exists && dst_dir) {
                pl->into_dst = true;
                pl->contents = src_dir && wants_contents(src_path);
                pl->name = src_name;
                return 0;
        }
        if (dst_exists) {
                if (src_dir)
                        return err_set(err, ENOTDIR, "cannot copy a directory to a file: %s",
                                       dst_path);
                pl->name = dst_base;
                return 0;
        }
        if (asserts_dir(dst_path) && !src_dir)
                return err_set(err, ENOENT, "destination directory %s must exist", dst_path);
        pl->name = dst_base;
        return 0;
}

/* The last component of a user's path, "" for the root. */
static char *path_base(const char *p)
{
        _cleanup_free_ char *c = path_clean(p, NULL);
        const char *s = strrchr(c, '/');
        return xstrdup(s ? s + 1 : c);
}

/* ---- container -> host ---------------------------------------------------- */

struct from_ctx {
        const char *id, *name, *src, *dst;
        int out_fd;
        const struct rt_cp_opts *o;
};

static int from_root(int rootfd, void *ud, err_t *err)
{
        struct from_ctx *c = ud;
        struct rpath sr;
        int r = resolve_in(rootfd, c->src, c->o->follow, &sr, err);
        if (r < 0 || !sr.exists) {
                rpath_free(&sr);
                if (r < 0)
                        return err_wrap(err, "container %s", c->name);
                return err_set(err, ENOENT, "Could not find the file %s in container %s", c->src,
                               c->name);
        }
        _cleanup_free_ char *sname = path_base(c->src);
        bool sdir = S_ISDIR(sr.st.st_mode);
        if (asserts_dir(c->src) && !sdir) {
                rpath_free(&sr);
                return err_set(err, ENOTDIR, "%s: not a directory", c->src);
        }
        struct source s = {
            .dirfd = sr.parent,
            .rel = sr.base,
            .prefix = *sname ? sname : ".",
            .is_dir = sdir,
            .attr = {c->o->archive ? -1 : (long long)getuid(),
                     c->o->archive ? -1 : (long long)getgid(), -1},
            .in_fd = -1,
        };
        if (!c->dst) { /* a tar stream on out_fd */
                s.contents = sdir && (wants_contents(c->src) || !*sname);
                r = write_source(&s, c->out_fd, err);
                rpath_free(&sr);
                return r;
        }
        /* the host side is the caller's own: a destination symlink is followed */
        struct stat dst;
        bool dexists = stat(c->dst, &dst) == 0;
        if (!dexists && errno != ENOENT) {
                rpath_free(&sr);
                return err_sys(err, errno, "stat %s", c->dst);
        }
        _cleanup_free_ char *dbase = path_base(c->dst);
        struct placement pl;
        if (place(c->src, sdir, s.prefix, c->dst, dexists, dexists && S_ISDIR(dst.st_mode), dbase,
                  &pl, err) < 0) {
                rpath_free(&sr);
                return -1;
        }
        _cleanup_free_ char *dparent = NULL;
        if (pl.into_dst) {
                dparent = xstrdup(c->dst);
        } else {
                /* a symlink as destination file: its target is replaced */
                char real[4096];
                ssize_t n = dexists ? readlink(c->dst, real, sizeof(real) - 1) : -1;
                _cleanup_free_ char *d = NULL;
                if (n > 0) {
                        real[n] = '\0';
                        _cleanup_free_ char *dir = xstrdup(c->dst);
                        char *sl = strrchr(dir, '/');
                        if (sl)
                                *sl = '\0';
                        d = real[0] == '/' ? xstrdup(real)
                                           : xasprintf("%s/%s", sl ? dir : ".", real);
                } else {
                        d = xstrdup(c->dst);
                }
                char *sl = strrchr(d, '/');
                free(dbase);
                dbase = xstrdup(sl ? sl + 1 : d);
                pl.name = dbase;
                dparent = sl ? xstrndup(d, (size_t)(sl - d)) : xstrdup(".");
                if (!*dparent) {
                        free(dparent);
                        dparent = xstrdup("/");
                }
        }
        _cleanup_close_ int dfd = open(dparent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
                rpath_free(&sr);
                return err_sys(err, errno, "destination directory %s", dparent);
        }
        s.prefix = pl.name;
        s.contents = pl.contents;
        r = stream_into(&s, dfd, err);
        rpath_free(&sr);
        return r;
}

static const char *ctr_name(const json_t *j, const char *id)
{
        const char *n = jobj_str(j, "Name");
        return n ? (n[0] == '/' ? n + 1 : n) : id;
}

int rt_cp_from_ctr(const char *id, const json_t *j, const char *src, const char *dst, int out_fd,
                   const struct rt_cp_opts *o, err_t *err)
{
        struct from_ctx c = {id, ctr_name(j, id), src, dst, out_fd, o};
        return rt_ctr_with_root(id, j, from_root, &c, err);
}

/* ---- host -> container ---------------------------------------------------- */

struct to_ctx {
        const char *id, *name, *src, *dst;
        int in_fd;
        const struct rt_cp_opts *o;
        /* the host source, looked at before the container is touched */
        bool sdir;
        const char *spath; /* what to read (the target with -L) */
};

/* A tar stream into the existing container directory dr. */
static int to_root_stream(struct to_ctx *c, const struct rpath *dr, err_t *err)
{
        if (!dr->exists)
                return err_set(err, ENOENT, "Could not find the file %s in container %s", c->dst,
                               c->name);
        if (!S_ISDIR(dr->st.st_mode))
                return err_set(err, ENOTDIR, "extraction point is not a directory: %s", c->dst);
        _cleanup_close_ int dfd =
            openat(dr->parent, dr->base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return err_sys(err, errno, "open %s in container %s", c->dst, c->name);
        return rt_tar_extract_fd(c->in_fd, dfd, NULL, NULL, err);
}

static int to_root_path(struct to_ctx *c, const struct rpath *dr, err_t *err)
{
        _cleanup_free_ char *sname = path_base(c->src);
        bool ddir = dr->exists && S_ISDIR(dr->st.st_mode);
        struct placement pl;
        if (place(c->src, c->sdir, sname, c->dst, dr->exists, ddir, dr->base, &pl, err) < 0)
                return -1;
        _cleanup_close_ int dfd =
            pl.into_dst
                ? openat(dr->parent, dr->base, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                : fcntl(dr->parent, F_DUPFD_CLOEXEC, 0);
        if (dfd < 0)
                return err_sys(err, errno, "open %s in container %s", c->dst, c->name);
        struct source s = {
            .dirfd = AT_FDCWD,
            .rel = c->spath,
            .prefix = pl.name,
            .contents = pl.contents,
            .is_dir = c->sdir,
            .attr = {c->o->archive ? -1 : 0, c->o->archive ? -1 : 0, -1},
            .in_fd = -1,
        };
        return stream_into(&s, dfd, err);
}

static int to_root(int rootfd, void *ud, err_t *err)
{
        struct to_ctx *c = ud;
        struct rpath dr;
        /* a destination symlink is followed, inside the container */
        int r = resolve_in(rootfd, c->dst, true, &dr, err);
        if (r < 0)
                err_wrap(err, "container %s", c->name);
        else if (dr.parent < 0)
                r = err_set(err, ENOENT, "Could not find the file %s in container %s", c->dst,
                            c->name);
        else
                r = c->src ? to_root_path(c, &dr, err) : to_root_stream(c, &dr, err);
        rpath_free(&dr);
        return r;
}

int rt_cp_to_ctr(const char *id, const json_t *j, const char *src, int in_fd, const char *dst,
                 const struct rt_cp_opts *o, err_t *err)
{
        struct to_ctx c = {id, ctr_name(j, id), src, dst, in_fd, o, false, NULL};
        if (rt_doc_readonly_rootfs(j))
                return err_set(err, EROFS, "container rootfs is marked read-only");
        _cleanup_free_ char *real = NULL;
        if (src) {
                struct stat st;
                bool follow = o->follow || asserts_dir(src);
                if ((follow ? stat(src, &st) : lstat(src, &st)) < 0)
                        return err_sys(err, errno, "%s %s", follow ? "stat" : "lstat", src);
                c.sdir = S_ISDIR(st.st_mode);
                if (follow) {
                        real = realpath(src, NULL);
                        if (!real)
                                return err_sys(err, errno, "realpath %s", src);
                }
                c.spath = real ? real : src;
        }
        return rt_ctr_with_root(id, j, to_root, &c, err);
}
