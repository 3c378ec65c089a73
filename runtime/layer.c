/* layer.c - writing layer tars (see layer.h). */
#include "layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "paths.h"
#include "strbuf.h"
#include "subproc.h"
#include "tar.h"
#include "xalloc.h"

struct hl {
        dev_t dev;
        ino_t ino;
        char *name;
};

struct rt_layer_writer {
        struct archive *a;
        EVP_MD_CTX *md;
        struct hl *links;
        size_t nlinks;
        strv_t dirs; /* directory entries written (no duplicates) */
};

struct rt_layer_writer *rt_layer_writer_new(int fd, err_t *err)
{
        struct rt_layer_writer *w = xcalloc(1, sizeof(*w));
        w->a = archive_write_new();
        w->md = EVP_MD_CTX_new();
        if (!w->a || !w->md || !EVP_DigestInit_ex(w->md, EVP_sha256(), NULL)) {
                rt_layer_writer_abort(w);
                err_set(err, ENOMEM, "layer: out of memory");
                return NULL;
        }
        archive_write_set_format_pax_restricted(w->a);
        archive_write_set_bytes_in_last_block(w->a, 1);
        if (archive_write_open_fd(w->a, fd) != ARCHIVE_OK) {
                err_set(err, EIO, "layer: %s", archive_error_string(w->a));
                rt_layer_writer_abort(w);
                return NULL;
        }
        return w;
}

/* A libarchive write failure: with its errno (ENOSPC names itself: "no
 * space left on device") when it has one. */
static int ar_fail(struct archive *a, const char *at, err_t *err)
{
        int e = archive_errno(a);
        if (e > 0)
                return at ? err_sys(err, e, "layer: write the layer tar (at %s)", at)
                          : err_sys(err, e, "layer: write the layer tar");
        return at ? err_set(err, EIO, "layer: %s: %s", at, archive_error_string(a))
                  : err_set(err, EIO, "layer: %s", archive_error_string(a));
}

static void writer_free(struct rt_layer_writer *w)
{
        for (size_t i = 0; i < w->nlinks; i++)
                free(w->links[i].name);
        free(w->links);
        strv_free(&w->dirs);
        EVP_MD_CTX_free(w->md);
        free(w);
}

void rt_layer_writer_abort(struct rt_layer_writer *w)
{
        if (!w)
                return;
        if (w->a)
                archive_write_free(w->a);
        writer_free(w);
}

int rt_layer_writer_close(struct rt_layer_writer *w, char hex[65], err_t *err)
{
        int r = 0;
        if (archive_write_close(w->a) != ARCHIVE_OK)
                r = ar_fail(w->a, NULL, err);
        archive_write_free(w->a);
        w->a = NULL;
        unsigned char md[32];
        unsigned int n = 0;
        EVP_DigestFinal_ex(w->md, md, &n);
        for (int i = 0; i < 32; i++)
                snprintf(hex + 2 * i, 3, "%02x", md[i]);
        writer_free(w);
        return r;
}

static void digest_str(struct rt_layer_writer *w, const char *s)
{
        EVP_DigestUpdate(w->md, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void digest_entry(struct rt_layer_writer *w, struct archive_entry *e)
{
        char meta[96];
        snprintf(meta, sizeof(meta), "%o %lld:%lld %lld", (unsigned)archive_entry_mode(e),
                 (long long)archive_entry_uid(e), (long long)archive_entry_gid(e),
                 (long long)archive_entry_size(e));
        digest_str(w, archive_entry_pathname(e));
        digest_str(w, meta);
        digest_str(w, archive_entry_symlink(e));
        digest_str(w, archive_entry_hardlink(e));
}

/* Write header e and, when fd >= 0, the file's data. */
static int put(struct rt_layer_writer *w, struct archive_entry *e, int fd, err_t *err)
{
        if (archive_entry_filetype(e) == AE_IFDIR) {
                const char *p = archive_entry_pathname(e);
                if (strv_contains(&w->dirs, p))
                        return 0;
                strv_push(&w->dirs, p);
        }
        digest_entry(w, e);
        if (archive_write_header(w->a, e) != ARCHIVE_OK)
                return ar_fail(w->a, archive_entry_pathname(e), err);
        if (fd < 0)
                return 0;
        char buf[65536];
        long long left = archive_entry_size(e);
        while (left > 0) {
                ssize_t n = read(fd, buf, sizeof(buf) < (size_t)left ? sizeof(buf) : (size_t)left);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return err_sys(err, errno, "read %s", archive_entry_pathname(e));
                if (n == 0) /* shrank while we read it: pad with zeros */
                        memset(buf, 0, sizeof(buf)), n = left < 65536 ? (ssize_t)left : 65536;
                EVP_DigestUpdate(w->md, buf, (size_t)n);
                if (archive_write_data(w->a, buf, (size_t)n) < 0)
                        return ar_fail(w->a, archive_entry_pathname(e), err);
                left -= n;
        }
        return 0;
}

static void apply_attr(struct archive_entry *e, const struct rt_layer_attr *attr)
{
        archive_entry_set_uname(e, NULL);
        archive_entry_set_gname(e, NULL);
        if (!attr)
                return;
        if (attr->uid >= 0)
                archive_entry_set_uid(e, attr->uid);
        if (attr->gid >= 0)
                archive_entry_set_gid(e, attr->gid);
        if (attr->mode >= 0 && archive_entry_filetype(e) != AE_IFLNK)
                archive_entry_set_perm(e, (mode_t)attr->mode & 07777);
}

int rt_layer_add_dir(struct rt_layer_writer *w, const char *name, mode_t mode, long long uid,
                     long long gid, err_t *err)
{
        struct archive_entry *e = rt_tar_entry(name, AE_IFDIR, mode & 07777, -1, time(NULL));
        archive_entry_set_uid(e, uid);
        archive_entry_set_gid(e, gid);
        int r = put(w, e, -1, err);
        archive_entry_free(e);
        return r;
}

/* Empty regular file entry (whiteouts). */
static int add_marker(struct rt_layer_writer *w, const char *name, err_t *err)
{
        struct archive_entry *e = rt_tar_entry(name, AE_IFREG, 0, 0, -1);
        int r = put(w, e, -1, err);
        archive_entry_free(e);
        return r;
}

/* dirfd/rel with stat st as name. */
static int add_node(struct rt_layer_writer *w, int dirfd, const char *rel, const char *name,
                    const struct stat *st, const struct rt_layer_attr *attr, err_t *err)
{
        if (S_ISSOCK(st->st_mode))
                return 0;
        struct archive_entry *e = archive_entry_new();
        int r = -1;
        _cleanup_close_ int fd = -1;
        archive_entry_copy_stat(e, st);
        archive_entry_set_pathname(e, name);
        apply_attr(e, attr);
        if (S_ISREG(st->st_mode)) {
                if (st->st_nlink > 1) {
                        for (size_t i = 0; i < w->nlinks; i++)
                                if (w->links[i].dev == st->st_dev &&
                                    w->links[i].ino == st->st_ino) {
                                        archive_entry_set_size(e, 0);
                                        archive_entry_set_hardlink(e, w->links[i].name);
                                        r = put(w, e, -1, err);
                                        goto out;
                                }
                        w->links = xrealloc(w->links, (w->nlinks + 1) * sizeof(*w->links));
                        w->links[w->nlinks++] = (struct hl){st->st_dev, st->st_ino, xstrdup(name)};
                }
                /* non-blocking: a FIFO swapped in after the stat must not
                 * hang the walk; then it must still be that regular file */
                fd = openat(dirfd, rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
                struct stat now;
                if (fd < 0 || fstat(fd, &now) < 0) {
                        err_sys(err, errno, "open %s", rel);
                        goto out;
                }
                if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino || now.st_dev != st->st_dev) {
                        err_set(err, EAGAIN, "%s changed while it was read", rel);
                        goto out;
                }
        } else if (S_ISLNK(st->st_mode)) {
                char target[4096];
                ssize_t n = readlinkat(dirfd, rel, target, sizeof(target) - 1);
                if (n < 0) {
                        err_sys(err, errno, "readlink %s", rel);
                        goto out;
                }
                target[n] = '\0';
                archive_entry_set_symlink(e, target);
                archive_entry_set_size(e, 0);
        } else {
                archive_entry_set_size(e, 0);
        }
        r = put(w, e, fd, err);
out:
        archive_entry_free(e);
        return r;
}

int rt_layer_add_file(struct rt_layer_writer *w, int dirfd, const char *rel, const char *name,
                      const struct rt_layer_attr *attr, err_t *err)
{
        struct stat st;
        if (fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return err_sys(err, errno, "stat %s", rel);
        return add_node(w, dirfd, rel, name, &st, attr, err);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int rt_dir_names(int fd, strv_t *names, err_t *err)
{
        int dfd = dup(fd);
        if (dfd < 0)
                return err_sys(err, errno, "dup");
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return err_sys(err, errno, "opendir");
        }
        rewinddir(d);
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        strv_push(names, de->d_name);
        closedir(d);
        if (names->n)
                qsort(names->v, names->n, sizeof(char *), cmp_str);
        return 0;
}

/* "prefix/n", or n at the top. */
static char *walk_join(const char *prefix, const char *n)
{
        return *prefix ? xasprintf("%s/%s", prefix, n) : xstrdup(n);
}

/* Called for each entry n of dirfd, path being "rel/n", st its lstat. */
typedef int (*walk_entry_fn)(void *ctx, int dirfd, const char *n, const char *path,
                             const struct stat *st, int depth, err_t *err);

/* Call fn for the entries of dirfd in name order; rel names the directory in
 * errors. A tree nested deeper than a layer may be is refused. */
static int walk_dir(int dirfd, const char *rel, int depth, walk_entry_fn fn, void *ctx, err_t *err)
{
        if (depth > 256)
                return err_set(err, ELOOP, "layer: directories nested too deeply");
        strv_t names = STRV_INIT;
        int r = -1;
        if (rt_dir_names(dirfd, &names, err) < 0)
                return -1;
        for (size_t i = 0; i < names.n; i++) {
                const char *n = names.v[i];
                _cleanup_free_ char *path = walk_join(rel, n);
                struct stat st;
                if (fstatat(dirfd, n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        err_sys(err, errno, "stat %s", path);
                        goto done;
                }
                if (fn(ctx, dirfd, n, path, &st, depth, err) < 0)
                        goto done;
        }
        r = 0;
done:
        strv_free(&names);
        return r;
}

/* The directory n below dirfd, never through a link; what names it in errors. */
static int walk_open_dir(int dirfd, const char *n, const char *what, err_t *err)
{
        int fd = openat(dirfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return err_sys(err, errno, "open %s", what);
        return fd;
}

struct upper_ctx {
        struct rt_layer_writer *w;
        const char *prefix;
        const strv_t *skip;
};

static int upper_entry(void *ctx, int dirfd, const char *n, const char *full, const struct stat *st,
                       int depth, err_t *err)
{
        const struct upper_ctx *c = ctx;
        if (S_ISREG(st->st_mode) && c->skip && strv_contains(c->skip, full))
                return 0;
        if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0)) {
                _cleanup_free_ char *wh =
                    *c->prefix ? xasprintf("%s/.wh.%s", c->prefix, n) : xasprintf(".wh.%s", n);
                return add_marker(c->w, wh, err);
        }
        if (add_node(c->w, dirfd, n, full, st, NULL, err) < 0)
                return -1;
        if (!S_ISDIR(st->st_mode))
                return 0;
        _cleanup_close_ int sub = walk_open_dir(dirfd, n, full, err);
        if (sub < 0)
                return -1;
        char v[4];
        ssize_t vl = fgetxattr(sub, "trusted.overlay.opaque", v, sizeof(v));
        if (vl == 1 && v[0] == 'y') {
                _cleanup_free_ char *opq = xasprintf("%s/.wh..wh..opq", full);
                if (add_marker(c->w, opq, err) < 0)
                        return -1;
        }
        struct upper_ctx below = {c->w, full, c->skip};
        return walk_dir(sub, full, depth + 1, upper_entry, &below, err);
}

int rt_layer_add_upper(struct rt_layer_writer *w, int dirfd, const strv_t *skip, err_t *err)
{
        struct upper_ctx top = {w, "", skip};
        return walk_dir(dirfd, "", 0, upper_entry, &top, err);
}

/* Directories left out by the filter whose entry is due once something
 * below them is added. */
struct pending {
        const struct pending *up;
        int dirfd; /* parent */
        const char *rel, *name;
        const struct stat *st;
        bool done;
};

static int flush_pending(struct rt_layer_writer *w, struct pending *p,
                         const struct rt_layer_attr *attr, err_t *err)
{
        if (!p || p->done)
                return 0;
        if (flush_pending(w, (struct pending *)p->up, attr, err) < 0)
                return -1;
        p->done = true;
        return add_node(w, p->dirfd, p->rel, p->name, p->st, attr, err);
}

struct tree_ctx {
        struct rt_layer_writer *w;
        const char *prefix;
        const struct rt_layer_attr *attr;
        rt_layer_filter_fn filter;
        void *ud;
        struct pending *pend;
};

static int tree_entry(void *ctx, int dirfd, const char *n, const char *sub, const struct stat *st,
                      int depth, err_t *err)
{
        const struct tree_ctx *c = ctx;
        _cleanup_free_ char *name = walk_join(c->prefix, n);
        bool out = c->filter && c->filter(sub, c->ud);
        if (!out) {
                if (flush_pending(c->w, c->pend, c->attr, err) < 0 ||
                    add_node(c->w, dirfd, n, name, st, c->attr, err) < 0)
                        return -1;
        }
        if (!S_ISDIR(st->st_mode))
                return 0;
        _cleanup_close_ int sfd = walk_open_dir(dirfd, n, sub, err);
        if (sfd < 0)
                return -1;
        struct pending me = {c->pend, dirfd, n, name, st, !out};
        struct tree_ctx below = *c;
        below.prefix = name;
        below.pend = &me;
        return walk_dir(sfd, sub, depth + 1, tree_entry, &below, err);
}

int rt_layer_add_tree(struct rt_layer_writer *w, int dirfd, const char *rel, const char *prefix,
                      const struct rt_layer_attr *attr, rt_layer_filter_fn filter, void *ud,
                      err_t *err)
{
        _cleanup_close_ int fd =
            openat(dirfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return err_sys(err, errno, "open %s", *rel ? rel : ".");
        if (*prefix) {
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return err_sys(err, errno, "stat %s", rel);
                if (add_node(w, dirfd, *rel ? rel : ".", prefix, &st, attr, err) < 0)
                        return -1;
        }
        struct tree_ctx top = {w, prefix, attr, filter, ud, NULL};
        return walk_dir(fd, rel, 0, tree_entry, &top, err);
}

static struct archive *archive_reader(int fd)
{
        struct archive *a = archive_read_new();
        if (!a)
                return NULL;
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
                archive_read_free(a);
                return NULL;
        }
        return a;
}

bool rt_layer_is_archive(int fd)
{
        if (lseek(fd, 0, SEEK_SET) < 0)
                return false;
        struct archive *a = archive_reader(fd);
        struct archive_entry *e;
        bool yes = a && archive_read_next_header(a, &e) == ARCHIVE_OK;
        if (a)
                archive_read_free(a);
        lseek(fd, 0, SEEK_SET);
        return yes;
}

static char *join_name(const char *prefix, const char *p)
{
        if (!*prefix)
                return xstrdup(p);
        if (!*p)
                return xstrdup(prefix);
        return xasprintf("%s/%s", prefix, p);
}

int rt_layer_add_archive(struct rt_layer_writer *w, int fd, const char *prefix,
                         const struct rt_layer_attr *attr, err_t *err)
{
        if (lseek(fd, 0, SEEK_SET) < 0)
                return err_sys(err, errno, "seek archive");
        struct archive *a = archive_reader(fd);
        if (!a)
                return err_set(err, EINVAL, "cannot read the archive");
        struct archive_entry *e;
        int hr, r = -1;
        while ((hr = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
                _cleanup_free_ char *clean = rt_tar_clean_path(archive_entry_pathname(e), err);
                if (!clean)
                        goto done;
                const char *base = strrchr(clean, '/');
                base = base ? base + 1 : clean;
                if (!strncmp(base, ".wh.", 4) || (!*clean && !*prefix))
                        continue;
                struct archive_entry *c = archive_entry_clone(e);
                _cleanup_free_ char *name = join_name(prefix, clean);
                archive_entry_set_pathname(c, name);
                const char *hl = archive_entry_hardlink(e);
                if (hl) {
                        _cleanup_free_ char *hc = rt_tar_clean_path(hl, err);
                        if (!hc) {
                                archive_entry_free(c);
                                goto done;
                        }
                        _cleanup_free_ char *hn = join_name(prefix, hc);
                        archive_entry_set_hardlink(c, hn);
                }
                apply_attr(c, attr);
                archive_entry_xattr_clear(c);
                int pr = put(w, c, -1, err);
                archive_entry_free(c);
                if (pr < 0)
                        goto done;
                const void *buf;
                size_t size;
                la_int64_t off;
                int dr;
                while ((dr = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
                        EVP_DigestUpdate(w->md, buf, size);
                        if (archive_write_data(w->a, buf, size) < 0) {
                                err_set(err, EIO, "layer: %s", archive_error_string(w->a));
                                goto done;
                        }
                }
                if (dr != ARCHIVE_EOF) {
                        err_set(err, EIO, "read archive: %s", archive_error_string(a));
                        goto done;
                }
        }
        if (hr != ARCHIVE_EOF) {
                err_set(err, EINVAL, "read archive: %s", archive_error_string(a));
                goto done;
        }
        r = 0;
done:
        archive_read_free(a);
        return r;
}

/* --- a merged read-only rootfs in a child ------------------------------------ */

static int child_mount(const strv_t *dirs, const char *root, err_t *err, bool first)
{
        if (first && unshare(CLONE_NEWNS) < 0)
                return err_sys(err, errno, "unshare mount namespace");
        if (first && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return err_sys(err, errno, "make mounts private");
        if (dirs->n == 0)
                return 0;
        if (dirs->n == 1) {
                if (mount(dirs->v[0], root, NULL, MS_BIND, NULL) < 0 ||
                    mount(NULL, root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
                        return err_sys(err, errno, "bind %s", dirs->v[0]);
                return 0;
        }
        _cleanup_free_ char *lower = strv_join(dirs, ":");
        _cleanup_free_ char *opts = xasprintf("lowerdir=%s", lower);
        if (strlen(opts) >= 4000)
                return err_set(err, E2BIG, "too many layers (%zu) to mount", dirs->n);
        if (mount("overlay", root, "overlay", MS_RDONLY, opts) < 0)
                return err_sys(err, errno, "mount the image's layers");
        return 0;
}

static char *mkroot(const char *base, err_t *err)
{
        char *root = xasprintf("%s/rootfs-XXXXXX", base);
        if (!mkdtemp(root)) {
                err_sys(err, errno, "mkdtemp %s", root);
                free(root);
                return NULL;
        }
        return root;
}

int rt_rootfs_run(const strv_t *layers, const strv_t *layers2, rt_rootfs_fn fn, void *ud,
                  err_t *err)
{
        _cleanup_free_ char *base = xasprintf("%s/build", berth_run_dir());
        if (mkdir_p(base, 0700, err) < 0)
                return -1;
        _cleanup_free_ char *root = mkroot(base, err);
        if (!root)
                return -1;
        _cleanup_free_ char *root2 = layers2 ? mkroot(base, err) : NULL;
        int pfd[2] = {-1, -1};
        pid_t pid = -1;
        if (layers2 && !root2)
                goto fail;
        if (pipe2(pfd, O_CLOEXEC) < 0) {
                err_sys(err, errno, "pipe");
                goto fail;
        }
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
                err_sys(err, errno, "fork");
                goto fail;
        }
        if (pid == 0) {
                close(pfd[0]);
                err_t ce = {0};
                int r = child_mount(layers, root, &ce, true);
                if (r == 0 && layers2)
                        r = child_mount(layers2, root2, &ce, false);
                if (r == 0)
                        r = fn(root, root2, ud, &ce);
                if (r < 0)
                        write_all(pfd[1], &ce, sizeof(ce), NULL);
                _exit(r < 0 ? 1 : 0);
        }
        close(pfd[1]);
        int r = subproc_helper_finish(pid, pfd[0], "layer", err);
        rmdir(root);
        if (root2)
                rmdir(root2);
        return r;
fail:
        if (pfd[0] >= 0)
                close(pfd[0]);
        if (pfd[1] >= 0)
                close(pfd[1]);
        rmdir(root);
        if (root2)
                rmdir(root2);
        return -1;
}
