/* tar.c - safe tar extraction; see tar.h for the rules it enforces. */
#include "tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "strv.h"
#include "xalloc.h"

#define WH_PREFIX ".wh."
#define WH_META   ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

struct dirtime {
        char *path;
        struct timespec ts[2];
};

struct extract {
        struct archive *a;
        int rootfd;
        const struct rt_tar_opts *opts;
        struct rt_tar_stats st;
        bool is_root;
        struct dirtime *dirs;
        size_t ndirs, capdirs;
};

char *rt_tar_clean_path(const char *name, err_t *err)
{
        strv_t parts = STRV_INIT;
        _cleanup_free_ char *copy = xstrdup(name);
        char *save = NULL;

        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (!strcmp(c, "."))
                        continue;
                if (!strcmp(c, "..")) {
                        strv_free(&parts);
                        err_set(err, EINVAL, "invalid member \"%s\": \"..\" leaves the root", name);
                        return NULL;
                }
                strv_push(&parts, c);
        }
        char *r = parts.n ? strv_join(&parts, "/") : xstrdup("");
        strv_free(&parts);
        return r;
}

/* openat2 confined to the root: absolute and ".." symlink targets resolve
 * inside rootfd, magic links are refused. */
static int open_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
}

/* Split "a/b/c" into the parent "a/b" ("" for the root) and base "c". */
static void split_path(const char *rel, char **dir, const char **base)
{
        const char *slash = strrchr(rel, '/');
        if (slash) {
                *dir = xstrndup(rel, (size_t)(slash - rel));
                *base = slash + 1;
        } else {
                *dir = xstrdup("");
                *base = rel;
        }
}

static int ensure_dir(struct extract *x, const char *rel, err_t *err);

/* Split rel into *dir and *base and open *dir (creating it as needed). */
static int open_parent(struct extract *x, const char *rel, char **dir, const char **base,
                       err_t *err)
{
        split_path(rel, dir, base);
        return ensure_dir(x, *dir, err);
}

/* Open (creating as needed, mode 0755) the directory rel inside the root. */
static int ensure_dir(struct extract *x, const char *rel, err_t *err)
{
        int fd = open_in_root(x->rootfd, rel, O_PATH | O_DIRECTORY);
        if (fd >= 0)
                return fd;
        if (errno != ENOENT || !*rel)
                return err_sys(err, errno, "open directory \"%s\"", rel);

        _cleanup_free_ char *dir = NULL;
        const char *base;
        _cleanup_close_ int pfd = open_parent(x, rel, &dir, &base, err);
        if (pfd < 0)
                return -1;
        if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST)
                return err_sys(err, errno, "mkdir \"%s\"", rel);
        fd = open_in_root(x->rootfd, rel, O_PATH | O_DIRECTORY);
        if (fd < 0)
                return err_sys(err, errno, "open directory \"%s\"", rel);
        return fd;
}

/* Remove whatever is at pfd/base, unless keep_dir and it is a directory. */
static int clear_slot(int pfd, const char *base, bool keep_dir, const char *rel, err_t *err)
{
        struct stat st;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return err_sys(err, errno, "stat \"%s\"", rel);
        }
        if (keep_dir && S_ISDIR(st.st_mode))
                return 0;
        if (rm_rf_at(pfd, base, err) < 0)
                return err_wrap(err, "replace \"%s\"", rel);
        return 0;
}

/* Extended attributes: only file capabilities and user.* are restored.  A
 * layer must never forge overlayfs (trusted.overlay.*) or other privileged
 * attributes. */
static int set_xattrs(struct extract *x, int fd, struct archive_entry *e, const char *rel,
                      err_t *err)
{
        const char *name;
        const void *value;
        size_t size;

        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                bool cap = !strcmp(name, "security.capability");
                if (!cap && strncmp(name, "user.", 5) != 0)
                        continue;
                if (cap && !x->is_root)
                        continue;
                if (fsetxattr(fd, name, value, size, 0) < 0 && errno != ENOTSUP)
                        return err_sys(err, errno, "set %s on \"%s\"", name, rel);
        }
        return 0;
}

static int set_owner_mode(struct extract *x, int fd, struct archive_entry *e, const char *rel,
                          err_t *err)
{
        if (x->is_root && fchown(fd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0)
                return err_sys(err, errno, "chown \"%s\"", rel);
        /* chmod after chown: chown clears the set-id bits. */
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return err_sys(err, errno, "chmod \"%s\"", rel);
        return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
        ts[1].tv_sec = archive_entry_mtime(e);
        ts[1].tv_nsec = archive_entry_mtime_nsec(e);
        if (archive_entry_atime_is_set(e)) {
                ts[0].tv_sec = archive_entry_atime(e);
                ts[0].tv_nsec = archive_entry_atime_nsec(e);
        } else {
                ts[0] = ts[1];
        }
}

static int write_data(struct extract *x, int fd, struct archive_entry *e, const char *rel,
                      err_t *err)
{
        const void *buf;
        size_t size;
        la_int64_t off;
        unsigned long long end = 0;
        int r;

        while ((r = archive_read_data_block(x->a, &buf, &size, &off)) == ARCHIVE_OK) {
                if (off < 0)
                        return err_set(err, EINVAL, "\"%s\": negative data offset", rel);
                x->st.bytes += size;
                if (x->opts->max_bytes && x->st.bytes > x->opts->max_bytes)
                        return err_set(err, EFBIG, "archive data larger than %llu bytes",
                                       x->opts->max_bytes);
                const char *p = buf;
                while (size > 0) {
                        ssize_t w = pwrite(fd, p, size, off);
                        if (w < 0) {
                                if (errno == EINTR)
                                        continue;
                                return err_sys(err, errno, "write \"%s\"", rel);
                        }
                        p += w;
                        size -= (size_t)w;
                        off += w;
                }
                if ((unsigned long long)off > end)
                        end = (unsigned long long)off;
        }
        if (r != ARCHIVE_EOF)
                return err_set(err, EIO, "read \"%s\": %s", rel, archive_error_string(x->a));
        /* Sparse files may end in a hole. */
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
            (unsigned long long)archive_entry_size(e) > end) {
                if (x->opts->max_bytes &&
                    (unsigned long long)archive_entry_size(e) > x->opts->max_bytes)
                        return err_set(err, EFBIG, "\"%s\": file larger than %llu bytes", rel,
                                       x->opts->max_bytes);
                if (ftruncate(fd, archive_entry_size(e)) < 0)
                        return err_sys(err, errno, "truncate \"%s\"", rel);
        }
        return 0;
}

static int do_file(struct extract *x, int pfd, const char *base, struct archive_entry *e,
                   const char *rel, err_t *err)
{
        _cleanup_close_ int fd =
            openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return err_sys(err, errno, "create \"%s\"", rel);
        /* capabilities after chown: chown drops security.capability */
        if (write_data(x, fd, e, rel, err) < 0 || set_owner_mode(x, fd, e, rel, err) < 0 ||
            set_xattrs(x, fd, e, rel, err) < 0)
                return -1;
        struct timespec ts[2];
        entry_times(e, ts);
        if (futimens(fd, ts) < 0)
                return err_sys(err, errno, "set times of \"%s\"", rel);
        return 0;
}

static int do_dir(struct extract *x, int pfd, const char *base, struct archive_entry *e,
                  const char *rel, err_t *err)
{
        if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST)
                return err_sys(err, errno, "mkdir \"%s\"", rel);
        _cleanup_close_ int fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return err_sys(err, errno, "open \"%s\"", rel);
        if (set_owner_mode(x, fd, e, rel, err) < 0 || set_xattrs(x, fd, e, rel, err) < 0)
                return -1;
        /* Directory times are set at the end: later members change them. */
        if (x->ndirs == x->capdirs) {
                x->capdirs = x->capdirs ? x->capdirs * 2 : 64;
                x->dirs = xrealloc(x->dirs, x->capdirs * sizeof(*x->dirs));
        }
        x->dirs[x->ndirs].path = xstrdup(rel);
        entry_times(e, x->dirs[x->ndirs].ts);
        x->ndirs++;
        return 0;
}

static int do_symlink(struct extract *x, int pfd, const char *base, struct archive_entry *e,
                      const char *rel, err_t *err)
{
        const char *target = archive_entry_symlink(e);
        if (!target || !*target)
                return err_set(err, EINVAL, "symlink \"%s\" has no target", rel);
        if (clear_slot(pfd, base, false, rel, err) < 0)
                return -1;
        if (symlinkat(target, pfd, base) < 0)
                return err_sys(err, errno, "symlink \"%s\"", rel);
        if (x->is_root && fchownat(pfd, base, (uid_t)archive_entry_uid(e),
                                   (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
                return err_sys(err, errno, "chown \"%s\"", rel);
        struct timespec ts[2];
        entry_times(e, ts);
        if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return err_sys(err, errno, "set times of \"%s\"", rel);
        return 0;
}

static int do_hardlink(struct extract *x, int pfd, const char *base, const char *target,
                       const char *rel, err_t *err)
{
        _cleanup_free_ char *trel = rt_tar_clean_path(target, err);
        if (!trel)
                return err_wrap(err, "hard link \"%s\"", rel);
        if (!*trel)
                return err_set(err, EINVAL, "hard link \"%s\" to the root", rel);
        if (!strcmp(trel, rel))
                return 0;
        _cleanup_free_ char *tdir = NULL;
        const char *tbase;
        split_path(trel, &tdir, &tbase);
        _cleanup_close_ int tpfd = open_in_root(x->rootfd, tdir, O_PATH | O_DIRECTORY);
        if (tpfd < 0)
                return err_sys(err, errno, "hard link \"%s\": target \"%s\"", rel, target);
        struct stat st;
        if (fstatat(tpfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return err_sys(err, errno, "hard link \"%s\": target \"%s\"", rel, target);
        if (S_ISDIR(st.st_mode))
                return err_set(err, EPERM, "hard link \"%s\": target \"%s\" is a directory", rel,
                               target);
        if (clear_slot(pfd, base, false, rel, err) < 0)
                return -1;
        /* flags 0: a symlink target is linked itself, never followed. */
        if (linkat(tpfd, tbase, pfd, base, 0) < 0)
                return err_sys(err, errno, "hard link \"%s\" -> \"%s\"", rel, target);
        return 0;
}

static int make_whiteout(int pfd, const char *victim, const char *rel, err_t *err)
{
        if (clear_slot(pfd, victim, false, rel, err) < 0)
                return -1;
        if (mknodat(pfd, victim, S_IFCHR | 0000, makedev(0, 0)) < 0)
                return err_sys(err, errno, "whiteout \"%s\"", rel);
        return 0;
}

/* Overlay whiteouts.  Returns 1 when the entry was a whiteout (handled). */
static int do_whiteout(struct extract *x, const char *dir, int pfd, const char *base,
                       const char *rel, err_t *err)
{
        if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) != 0)
                return 0;
        if (!strcmp(base, WH_OPAQUE)) {
                if (!*dir)
                        return err_set(err, EINVAL, "opaque whiteout of the layer root");
                _cleanup_close_ int fd = open_in_root(x->rootfd, dir, O_RDONLY | O_DIRECTORY);
                if (fd < 0)
                        return err_sys(err, errno, "open \"%s\"", dir);
                if (fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        return err_sys(err, errno, "mark \"%s\" opaque", dir);
                return 1;
        }
        if (!strncmp(base, WH_META, strlen(WH_META))) {
                x->st.skipped++;
                return 1;
        }
        const char *victim = base + strlen(WH_PREFIX);
        if (!*victim || !strcmp(victim, ".") || !strcmp(victim, ".."))
                return err_set(err, EINVAL, "invalid whiteout \"%s\"", rel);
        if (make_whiteout(pfd, victim, rel, err) < 0)
                return -1;
        return 1;
}

static int extract_entry(struct extract *x, struct archive_entry *e, err_t *err)
{
        const char *name = archive_entry_pathname(e);
        if (!name)
                return err_set(err, EINVAL, "member without a name");
        _cleanup_free_ char *rel = rt_tar_clean_path(name, err);
        if (!rel)
                return -1;
        if (!*rel) /* the root itself: keep the extraction root as it is */
                return 0;

        _cleanup_free_ char *dir = NULL;
        const char *base;
        _cleanup_close_ int pfd = open_parent(x, rel, &dir, &base, err);
        if (pfd < 0)
                return -1;

        if (x->opts->flags & RT_TAR_OVERLAY) {
                int r = do_whiteout(x, dir, pfd, base, rel, err);
                if (r != 0)
                        return r < 0 ? -1 : 0;
        }

        const char *hl = archive_entry_hardlink(e);
        if (hl)
                return do_hardlink(x, pfd, base, hl, rel, err);

        /* What stands in the way of a file, directory or fifo goes first (a
         * directory keeps one that is there). */
        mode_t type = archive_entry_filetype(e);
        if ((type == AE_IFREG || type == AE_IFDIR || type == AE_IFIFO) &&
            clear_slot(pfd, base, type == AE_IFDIR, rel, err) < 0)
                return -1;
        switch (type) {
        case AE_IFREG:
                return do_file(x, pfd, base, e, rel, err);
        case AE_IFDIR:
                return do_dir(x, pfd, base, e, rel, err);
        case AE_IFLNK:
                return do_symlink(x, pfd, base, e, rel, err);
        case AE_IFIFO:
                if (mknodat(pfd, base, S_IFIFO | (archive_entry_perm(e) & 0777), 0) < 0)
                        return err_sys(err, errno, "mkfifo \"%s\"", rel);
                return 0;
        case AE_IFCHR:
                if ((x->opts->flags & RT_TAR_OVERLAY) && archive_entry_rdev(e) == 0)
                        return make_whiteout(pfd, base, rel, err);
                x->st.skipped++;
                return 0;
        default: /* block devices, sockets */
                x->st.skipped++;
                return 0;
        }
}

static int finish_dirs(struct extract *x, err_t *err)
{
        /* Deepest first is not needed: setting a directory's times does not
         * change its parent's. */
        for (size_t i = 0; i < x->ndirs; i++) {
                _cleanup_close_ int fd =
                    open_in_root(x->rootfd, x->dirs[i].path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
                if (fd < 0) {
                        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
                                continue; /* replaced by a later member */
                        return err_sys(err, errno, "open \"%s\"", x->dirs[i].path);
                }
                if (futimens(fd, x->dirs[i].ts) < 0)
                        return err_sys(err, errno, "set times of \"%s\"", x->dirs[i].path);
        }
        return 0;
}

static int run_extract(struct archive *a, int rootfd, const struct rt_tar_opts *opts,
                       struct rt_tar_stats *stats, err_t *err)
{
        static const struct rt_tar_opts defaults = {0, 0};
        struct extract x = {
            .a = a,
            .rootfd = rootfd,
            .opts = opts ? opts : &defaults,
            .is_root = geteuid() == 0,
        };
        struct archive_entry *e;
        int r, ret = 0;

        while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
                x.st.entries++;
                if (extract_entry(&x, e, err) < 0) {
                        ret = -1;
                        break;
                }
        }
        if (ret == 0 && r != ARCHIVE_EOF)
                ret = err_set(err, EINVAL, "invalid tar archive: %s",
                              archive_error_string(a) ? archive_error_string(a) : "read error");
        if (ret == 0)
                ret = finish_dirs(&x, err);
        for (size_t i = 0; i < x.ndirs; i++)
                free(x.dirs[i].path);
        free(x.dirs);
        if (stats)
                *stats = x.st;
        return ret;
}

static struct archive *new_reader(const struct rt_tar_opts *opts)
{
        struct archive *a = archive_read_new();
        if (!a)
                return NULL;
        archive_read_support_format_tar(a);
        archive_read_support_format_empty(a);
        if (opts && (opts->flags & RT_TAR_DECOMPRESS))
                archive_read_support_filter_all(a);
        return a;
}

int rt_tar_extract_fd(int fd, int rootfd, const struct rt_tar_opts *opts,
                      struct rt_tar_stats *stats, err_t *err)
{
        struct archive *a = new_reader(opts);
        if (!a)
                return err_set(err, ENOMEM, "libarchive: out of memory");
        int r;
        if (archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK)
                r = err_set(err, EINVAL, "invalid tar archive: %s", archive_error_string(a));
        else
                r = run_extract(a, rootfd, opts, stats, err);
        archive_read_free(a);
        return r;
}

ssize_t rt_tar_src_read(struct archive *a, void *src, const void **buf)
{
        (void)a;
        struct rt_tar_src *c = src;
        long long n = c->fn(c->ud, buf, &c->err);
        if (n < 0) {
                c->failed = true;
                return ARCHIVE_FATAL;
        }
        return (la_ssize_t)n;
}

int rt_tar_extract_cb(rt_tar_read_fn fn, void *ud, int rootfd, const struct rt_tar_opts *opts,
                      struct rt_tar_stats *stats, err_t *err)
{
        struct archive *a = new_reader(opts);
        if (!a)
                return err_set(err, ENOMEM, "libarchive: out of memory");
        struct rt_tar_src c = {.fn = fn, .ud = ud};
        int r;
        if (archive_read_open(a, &c, NULL, rt_tar_src_read, NULL) != ARCHIVE_OK)
                r = err_set(err, EINVAL, "invalid tar archive: %s", archive_error_string(a));
        else
                r = run_extract(a, rootfd, opts, stats, err);
        if (r < 0 && c.failed)
                *err = c.err; /* the source's failure is the cause */
        archive_read_free(a);
        return r;
}

int rt_tar_extract_mem(const void *buf, size_t len, int rootfd, const struct rt_tar_opts *opts,
                       struct rt_tar_stats *stats, err_t *err)
{
        struct archive *a = new_reader(opts);
        if (!a)
                return err_set(err, ENOMEM, "libarchive: out of memory");
        int r;
        if (archive_read_open_memory(a, buf, len) != ARCHIVE_OK)
                r = err_set(err, EINVAL, "invalid tar archive: %s", archive_error_string(a));
        else
                r = run_extract(a, rootfd, opts, stats, err);
        archive_read_free(a);
        return r;
}

struct archive_entry *rt_tar_entry(const char *name, unsigned type, unsigned perm, long long size,
                                   long long mtime)
{
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, perm);
        if (size >= 0)
                archive_entry_set_size(e, size);
        if (mtime >= 0)
                archive_entry_set_mtime(e, mtime, 0);
        return e;
}
