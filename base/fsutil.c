#include "fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
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

int atomic_write_at(int dirfd, const char *name, const void *data, size_t n, mode_t mode,
                    err_t *err)
{
        char tmp[4096];
        int r;

        r = snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int)getpid());
        if (r < 0 || (size_t)r >= sizeof(tmp))
                return err_set(err, ENAMETOOLONG, "file name too long: %s", name);
        /* name may contain directories: put the dot on the last component. */
        const char *slash = strrchr(name, '/');
        if (slash)
                snprintf(tmp, sizeof(tmp), "%.*s/.%s.tmp.%d", (int)(slash - name), name, slash + 1,
                         (int)getpid());

        _cleanup_close_ int fd =
            openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return err_sys(err, errno, "create %s", tmp);
        /* Runtime state under berth_run_dir() does not outlive a reboot, so a
         * crash makes it void anyway: the rename alone keeps readers from ever
         * seeing a torn file, and the fsyncs (milliseconds each on a disk-backed
         * run dir) are only paid for persistent data. */
        const char *run = berth_run_dir();
        size_t rl = strlen(run);
        bool durable = !(dirfd == AT_FDCWD && !strncmp(name, run, rl) && name[rl] == '/');
        if (write_all(fd, data, n, err) < 0 || (durable && fsync(fd) < 0)) {
                int e = errno;
                unlinkat(dirfd, tmp, 0);
                if (e)
                        err_sys(err, e, "write %s", tmp);
                return -1;
        }
        if (renameat(dirfd, tmp, dirfd, name) < 0) {
                int e = errno;
                unlinkat(dirfd, tmp, 0);
                return err_sys(err, e, "rename %s", name);
        }
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

static int rm_rf_children(int dfd, err_t *err)
{
        DIR *d = fdopendir(dfd);
        if (!d) {
                int e = errno;
                close(dfd);
                return err_sys(err, e, "opendir");
        }
        _cleanup_closedir_ DIR *dir = d;
        struct dirent *de;
        while ((de = readdir(dir))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                if (rm_rf_at(dirfd(dir), de->d_name, err) < 0)
                        return -1;
        }
        return 0;
}

int rm_rf_at(int dirfd, const char *name, err_t *err)
{
        struct stat st;

        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                if (errno == ENOENT)
                        return 0;
                return err_sys(err, errno, "stat %s", name);
        }
        if (S_ISDIR(st.st_mode)) {
                int fd = openat(dirfd, name,
                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
                if (fd < 0 && errno == EPERM)
                        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return err_sys(err, errno, "open %s", name);
                if (rm_rf_children(fd, err) < 0)
                        return err_wrap(err, "%s", name);
                if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                        return err_sys(err, errno, "rmdir %s", name);
                return 0;
        }
        if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                return err_sys(err, errno, "unlink %s", name);
        return 0;
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
