#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "paths.h"
#include "strv.h"
#include "xalloc.h"

#define READ_MAX_DEFAULT (64u << 20)

int read_fd_all(int fd, size_t max, char **out, size_t *outlen, err_t *err)
{
        size_t cap = 4096, len = 0;
        char *buf = xmalloc(cap);

        if (max == 0)
                max = READ_MAX_DEFAULT;
        for (;;) {
                if (len + 1 >= cap) {
                        cap *= 2;
                        buf = xrealloc(buf, cap);
                }
                ssize_t r = read(fd, buf + len, cap - len - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        int e = errno;
                        free(buf);
                        return err_sys(err, e, "read");
                }
                if (r == 0)
                        break;
                len += (size_t)r;
                if (len > max) {
                        free(buf);
                        return err_set(err, EFBIG, "file larger than %zu bytes", max);
                }
        }
        buf[len] = '\0';
        *out = buf;
        if (outlen)
                *outlen = len;
        return 0;
}

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *outlen, err_t *err)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return err_sys(err, errno, "open %s", path);
        if (read_fd_all(fd, max, out, outlen, err) < 0)
                return err_wrap(err, "%s", path);
        return 0;
}

int open_regular_at(int dirfd, const char *path, unsigned long long resolve, err_t *err)
{
        struct open_how how = {
            .flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
            .resolve = resolve,
        };
        _cleanup_close_ int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return err_sys(err, errno, "open %s", path);
        if (!S_ISREG(st.st_mode))
                return err_set(err, EINVAL, "%s is not a regular file", path);
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
                return err_sys(err, errno, "open %s", path);
        return TAKE_FD(fd);
}

int read_regular_at(int dirfd, const char *path, unsigned long long resolve, size_t max, char **out,
                    size_t *outlen, err_t *err)
{
        _cleanup_close_ int fd = open_regular_at(dirfd, path, resolve, err);
        if (fd < 0)
                return -1;
        if (read_fd_all(fd, max, out, outlen, err) < 0)
                return err_wrap(err, "%s", path);
        return 0;
}

int read_file(const char *path, char **out, size_t *outlen, err_t *err)
{
        return read_file_at(AT_FDCWD, path, 0, out, outlen, err);
}

int write_all(int fd, const void *buf, size_t n, err_t *err)
{
        const char *p = buf;
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0) {
                        if (errno == EINTR)
                                continue;
                        return err_sys(err, errno, "write");
                }
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

/* name as the user knows it: relative to dirfd, its directory's path first */
static void shown_path(int dirfd, const char *name, char *out, size_t size)
{
        char fdp[64], dir[4096];
        ssize_t k = -1;
        if (dirfd != AT_FDCWD && name[0] != '/') {
                snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", dirfd);
                k = readlink(fdp, dir, sizeof(dir) - 1);
        }
        if (k > 0) {
                dir[k] = '\0';
                snprintf(out, size, "%s/%s", dir, name);
        } else {
                snprintf(out, size, "%s", name);
        }
}

static pthread_mutex_t held_lock = PTHREAD_MUTEX_INITIALIZER;
static bool holding;
static int held[16];
static size_t nheld;

void fs_hold_replaced(bool on)
{
        pthread_mutex_lock(&held_lock);
        holding = on;
        if (!on)
                while (nheld)
                        close(held[--nheld]);
        pthread_mutex_unlock(&held_lock);
}

/* The file a replacement is about to replace, opened when holding: -1 when
 * not, or there is none, or no room is left. */
static int hold_open(int dirfd, const char *name)
{
        pthread_mutex_lock(&held_lock);
        bool room = holding && nheld < sizeof(held) / sizeof(held[0]);
        pthread_mutex_unlock(&held_lock);
        return room ? openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
                    : -1;
}

static void hold_keep(int fd)
{
        if (fd < 0)
                return;
        pthread_mutex_lock(&held_lock);
        if (holding && nheld < sizeof(held) / sizeof(held[0]))
                held[nheld++] = fd, fd = -1;
        pthread_mutex_unlock(&held_lock);
        if (fd >= 0)
                close(fd);
}

int atomic_write_at(int dirfd, const char *name, const void *data, size_t n, mode_t mode,
                    err_t *err)
{
        return atomic_replace_at(dirfd, name, data, n, mode, true, err);
}

int atomic_replace_at(int dirfd, const char *name, const void *data, size_t n, mode_t mode,
                      bool durable, err_t *err)
{
        char tmp[4096], shown[8192];
        int r;

        r = snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int)getpid());
        if (r < 0 || (size_t)r >= sizeof(tmp))
                return err_set(err, ENAMETOOLONG, "file name too long: %s", name);
        /* name may contain directories: put the dot on the last component. */
        const char *slash = strrchr(name, '/');
        if (slash)
                snprintf(tmp, sizeof(tmp), "%.*s/.%s.tmp.%d", (int)(slash - name), name, slash + 1,
                         (int)getpid());

        /* errors name the file being written (not its temporary), in full */
        _cleanup_close_ int fd =
            openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0) {
                int e = errno;
                shown_path(dirfd, name, shown, sizeof(shown));
                return err_sys(err, e, "write %s", shown);
        }
        /* Runtime state under berth_run_dir() does not outlive a reboot, so a
         * crash makes it void anyway: the rename alone keeps readers from ever
         * seeing a torn file, and the fsyncs (milliseconds each on a disk-backed
         * run dir) are only paid for persistent data. */
        const char *run = berth_run_dir();
        size_t rl = strlen(run);
        if (dirfd == AT_FDCWD && !strncmp(name, run, rl) && name[rl] == '/')
                durable = false;
        if (write_all(fd, data, n, err) < 0 || (durable && fsync(fd) < 0)) {
                int e = errno;
                unlinkat(dirfd, tmp, 0);
                shown_path(dirfd, name, shown, sizeof(shown));
                if (e)
                        err_sys(err, e, "write %s", shown);
                return -1;
        }
        int old = hold_open(dirfd, name);
        if (renameat(dirfd, tmp, dirfd, name) < 0) {
                int e = errno;
                if (old >= 0)
                        close(old);
                unlinkat(dirfd, tmp, 0);
                shown_path(dirfd, name, shown, sizeof(shown));
                return err_sys(err, e, "rename into %s", shown);
        }
        hold_keep(old);
        if (!durable)
                return 0;
        /* fsync the directory so the rename itself is durable. */
        char dirpath[4096];
        if (slash)
                snprintf(dirpath, sizeof(dirpath), "%.*s", (int)(slash - name), name);
        else
                snprintf(dirpath, sizeof(dirpath), ".");
        _cleanup_close_ int dfd = openat(dirfd, dirpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void)fsync(dfd);
        return 0;
}

int atomic_write_file(const char *path, const void *data, size_t n, mode_t mode, err_t *err)
{
        return atomic_write_at(AT_FDCWD, path, data, n, mode, err);
}

int lock_file(const char *path, err_t *err)
{
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return err_sys(err, errno, "open lock %s", path);
        while (flock(fd, LOCK_EX) < 0) {
                if (errno != EINTR) {
                        int e = errno;
                        close(fd);
                        return err_sys(err, e, "lock %s", path);
                }
        }
        return fd;
}

int mkdir_p(const char *path, mode_t mode, err_t *err)
{
        struct stat st;
        /* the common case, every hot path asks again: it is there already */
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                return 0;
        _cleanup_free_ char *p = xstrdup(path);
        size_t len = strlen(p);

        for (size_t i = 1; i <= len; i++) {
                if (p[i] != '/' && p[i] != '\0')
                        continue;
                char c = p[i];
                p[i] = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return err_sys(err, errno, "mkdir %s", p);
                p[i] = c;
        }
        if (stat(path, &st) < 0)
                return err_sys(err, errno, "stat %s", path);
        if (!S_ISDIR(st.st_mode))
                return err_set(err, ENOTDIR, "%s exists and is not a directory", path);
        return 0;
}

static int open_dir_nofollow(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
        if (fd < 0 && errno == EPERM)
                fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd;
}

/* One directory being emptied: its name in the parent and the parent's
 * identity, to check the way back up. */
struct rm_level {
        char *name;
        dev_t pdev;
        ino_t pino;
};

/* rm -rf of dirfd/name holding at most three fds however deep the tree is
 * (a tree deeper than the fd limit, made in a volume by a container, must
 * not make rm fail with EMFILE): the walk goes down one directory at a time,
 * closing the parent, and comes back up through "..", checking that ".." is
 * still the directory it came from (a tree moved meanwhile stops the walk
 * instead of leading it elsewhere). */
int rm_rf_at(int dirfd, const char *name, err_t *err)
{
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : err_sys(err, errno, "stat %s", name);
        if (!S_ISDIR(st.st_mode)) {
                if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                        return err_sys(err, errno, "unlink %s", name);
                return 0;
        }
        int cur = open_dir_nofollow(dirfd, name);
        if (cur < 0)
                return err_sys(err, errno, "open %s", name);
        struct rm_level *stack = NULL;
        size_t depth = 0, cap = 0;
        int r = -1;
        for (;;) {
                int dup_fd = dup(cur);
                DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
                if (!d) {
                        if (dup_fd >= 0)
                                close(dup_fd);
                        err_sys(err, errno, "opendir %s", name);
                        goto out;
                }
                struct dirent *de;
                char *sub = NULL;
                while ((de = readdir(d))) {
                        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                continue;
                        if (fstatat(cur, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                                if (errno == ENOENT)
                                        continue;
                                err_sys(err, errno, "stat %s", de->d_name);
                                closedir(d);
                                goto out;
                        }
                        if (S_ISDIR(st.st_mode)) {
                                sub = xstrdup(de->d_name);
                                break;
                        }
                        if (unlinkat(cur, de->d_name, 0) < 0 && errno != ENOENT) {
                                err_sys(err, errno, "unlink %s", de->d_name);
                                closedir(d);
                                goto out;
                        }
                }
                closedir(d);
                if (sub) { /* down into it */
                        struct stat here;
                        int next = open_dir_nofollow(cur, sub);
                        if (next < 0 || fstat(cur, &here) < 0) {
                                err_sys(err, errno, "open %s", sub);
                                if (next >= 0)
                                        close(next);
                                free(sub);
                                goto out;
                        }
                        if (depth == cap) {
                                cap = cap ? cap * 2 : 16;
                                stack = xrealloc(stack, cap * sizeof(*stack));
                        }
                        stack[depth++] = (struct rm_level){sub, here.st_dev, here.st_ino};
                        close(cur);
                        cur = next;
                        continue;
                }
                if (depth == 0)
                        break; /* name itself is empty now */
                /* empty: back up and remove it */
                struct rm_level *lv = &stack[depth - 1];
                int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (up < 0 || fstat(up, &st) < 0) {
                        err_sys(err, errno, "open the parent of %s", lv->name);
                        if (up >= 0)
                                close(up);
                        goto out;
                }
                if (st.st_dev != lv->pdev || st.st_ino != lv->pino) {
                        close(up);
                        err_set(err, EXDEV, "%s was moved during its removal", lv->name);
                        goto out;
                }
                close(cur);
                cur = up;
                if (unlinkat(cur, lv->name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
                        err_sys(err, errno, "rmdir %s", lv->name);
                        goto out;
                }
                free(lv->name);
                depth--;
        }
        close(cur);
        cur = -1;
        if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
                err_sys(err, errno, "rmdir %s", name);
                goto out;
        }
        r = 0;
out:
        if (cur >= 0)
                close(cur);
        for (size_t i = 0; i < depth; i++)
                free(stack[i].name);
        free(stack);
        if (r < 0 && depth)
                err_wrap(err, "%s", name);
        return r;
}

int rm_rf(const char *path, err_t *err)
{
        return rm_rf_at(AT_FDCWD, path, err);
}

char *path_clean(const char *p, bool *above)
{
        strv_t parts = STRV_INIT;
        if (above)
                *above = false;
        for (const char *s = p; *s;) {
                const char *e = strchrnul(s, '/');
                size_t len = (size_t)(e - s);
                if (len == 2 && s[0] == '.' && s[1] == '.') {
                        if (parts.n)
                                strv_remove(&parts, parts.n - 1);
                        else if (above)
                                *above = true;
                } else if (len && !(len == 1 && s[0] == '.')) {
                        strv_take(&parts, xstrndup(s, len));
                }
                s = *e ? e + 1 : e;
        }
        char *r = strv_join(&parts, "/");
        strv_free(&parts);
        return r;
}

char *path_clean_abs(const char *p)
{
        _cleanup_free_ char *rel = path_clean(p, NULL);
        return xasprintf("/%s", rel);
}

int close_pair_fail(int fds[2], err_t *err, const char *what)
{
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return err_sys(err, e, "%s", what);
}

int fd_keep_if(int fd, int rc)
{
        if (rc >= 0)
                return fd;
        int e = errno;
        close(fd);
        errno = e;
        return -1;
}

static __thread unsigned long long walk_total;

static int walk_add(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        (void)path;
        (void)ftw;
        if (type == FTW_F || type == FTW_SL)
                walk_total += (unsigned long long)st->st_size;
        return 0;
}

unsigned long long path_size(const char *path)
{
        walk_total = 0;
        if (path && *path)
                nftw(path, walk_add, 16, FTW_PHYS | FTW_MOUNT);
        return walk_total;
}
