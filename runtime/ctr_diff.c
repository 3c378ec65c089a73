/* ctr_diff.c - a container's changes (diff) and its file system as a tar
 * (export); see ctr_copy.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_copy.h"
#include "jsonfile.h"
#include "layer.h"
#include "strv.h"
#include "xalloc.h"

/* Regular files berth itself puts in the upper dir as mount points. */
static const char *const mount_stubs[] = {"etc/hosts", "etc/hostname", "etc/resolv.conf"};

static bool is_stub(const char *rel, const struct stat *st)
{
        for (size_t i = 0; i < sizeof(mount_stubs) / sizeof(mount_stubs[0]); i++)
                if (S_ISREG(st->st_mode) && st->st_size == 0 && !strcmp(rel, mount_stubs[i]))
                        return true;
        return false;
}

void rt_ctr_mount_stubs(strv_t *out)
{
        for (size_t i = 0; i < sizeof(mount_stubs) / sizeof(mount_stubs[0]); i++)
                strv_push(out, mount_stubs[i]);
}

/* The container's layer dirs: the upper, then the image's (top first). */
static int layer_dirs(const json_t *j, strv_t *upper_first, err_t *err)
{
        const json_t *data = json_object_get(json_object_get(j, "GraphDriver"), "Data");
        const char *upper = jobj_str(data, "UpperDir"), *lower = jobj_str(data, "LowerDir");
        if (!upper || !lower)
                return err_set(err, EINVAL, "the container has no root filesystem recorded");
        strv_push(upper_first, upper);
        _cleanup_free_ char *ld = xstrdup(lower);
        for (char *sv = NULL, *t = strtok_r(ld, ":", &sv); t; t = strtok_r(NULL, ":", &sv))
                strv_push(upper_first, t);
        return 0;
}

struct diff {
        int *lower; /* fds of the image's layers */
        size_t nlower;
        strv_t changed; /* directories recorded (or whose change was reported) */
        strv_t *out;
};

/* lstat rel in the first lower layer that has it, never leaving the layer. */
static bool in_lower(const struct diff *d, const char *rel, struct stat *st)
{
        struct open_how how = {
            .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        for (size_t i = 0; i < d->nlower; i++) {
                int fd = (int)syscall(SYS_openat2, d->lower[i], rel, &how, sizeof(how));
                if (fd < 0)
                        continue;
                int r = fstat(fd, st);
                close(fd);
                if (r == 0)
                        return true;
        }
        return false;
}

static void record(struct diff *d, char kind, const char *rel, bool is_dir)
{
        if (is_dir)
                strv_push(&d->changed, rel);
        if (kind == 'A' || kind == 'D') { /* the parent shows as changed once */
                const char *sl = strrchr(rel, '/');
                if (sl) {
                        _cleanup_free_ char *parent = xstrndup(rel, (size_t)(sl - rel));
                        if (!strv_contains(&d->changed, parent)) {
                                strv_push(&d->changed, parent);
                                strv_pushf(d->out, "C /%s", parent);
                        }
                }
        }
        strv_pushf(d->out, "%c /%s", kind, rel);
}

static int diff_walk(struct diff *d, int dirfd, const char *prefix, int depth, err_t *err)
{
        if (depth > 256)
                return err_set(err, ELOOP, "diff: directories nested too deeply");
        strv_t names = STRV_INIT;
        if (rt_dir_names(dirfd, &names, err) < 0)
                return -1;
        int r = 0;
        for (size_t i = 0; i < names.n && r == 0; i++) {
                _cleanup_free_ char *rel =
                    *prefix ? xasprintf("%s/%s", prefix, names.v[i]) : xstrdup(names.v[i]);
                struct stat st, lst;
                if (fstatat(dirfd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        if (errno == ENOENT) /* removed meanwhile (a running container) */
                                continue;
                        r = err_sys(err, errno, "stat %s", rel);
                        break;
                }
                if (is_stub(rel, &st))
                        continue;
                bool dir_ = S_ISDIR(st.st_mode);
                if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
                        record(d, 'D', rel, false);
                        continue;
                }
                _cleanup_close_ int sub =
                    dir_
                        ? openat(dirfd, names.v[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                        : -1;
                if (dir_ && sub < 0) {
                        if (errno == ENOENT)
                                continue;
                        r = err_sys(err, errno, "open %s", rel);
                        break;
                }
                bool lower = in_lower(d, rel, &lst);
                char v[4];
                if (dir_ && lower && fgetxattr(sub, "trusted.overlay.opaque", v, sizeof(v)) == 1 &&
                    v[0] == 'y')
                        record(d, 'D', rel, true);
                else if (!lower)
                        record(d, 'A', rel, dir_);
                else if (!(dir_ && S_ISDIR(lst.st_mode) && st.st_size == lst.st_size &&
                           st.st_mode == lst.st_mode && st.st_mtim.tv_sec == lst.st_mtim.tv_sec &&
                           st.st_mtim.tv_nsec == lst.st_mtim.tv_nsec))
                        record(d, 'C', rel, dir_);
                if (dir_)
                        r = diff_walk(d, sub, rel, depth + 1, err);
        }
        strv_free(&names);
        return r;
}

int rt_ctr_changes(const json_t *j, strv_t *out, err_t *err)
{
        strv_t dirs = STRV_INIT;
        struct diff d = {.out = out};
        int ufd = -1;
        int r = -1;
        if (layer_dirs(j, &dirs, err) < 0)
                goto done;
        d.lower = xcalloc(dirs.n, sizeof(int));
        for (size_t i = 1; i < dirs.n; i++) {
                int fd = open(dirs.v[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0) {
                        err_sys(err, errno, "open layer %s", dirs.v[i]);
                        goto done;
                }
                d.lower[d.nlower++] = fd;
        }
        ufd = open(dirs.v[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ufd < 0) {
                err_sys(err, errno, "open %s", dirs.v[0]);
                goto done;
        }
        r = diff_walk(&d, ufd, "", 0, err);
        close(ufd);
done:
        for (size_t i = 0; i < d.nlower; i++)
                close(d.lower[i]);
        free(d.lower);
        strv_free(&d.changed);
        strv_free(&dirs);
        return r;
}

/* ---- export ----------------------------------------------------------------- */

static int export_fn(const char *root, const char *root2, void *ud, err_t *err)
{
        (void)root2;
        int fd = *(int *)ud;
        _cleanup_close_ int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rfd < 0)
                return err_sys(err, errno, "open %s", root);
        struct rt_layer_writer *w = rt_layer_writer_new(fd, err);
        if (!w)
                return -1;
        if (rt_layer_add_tree(w, rfd, "", "", NULL, NULL, NULL, err) < 0) {
                rt_layer_writer_abort(w);
                return -1;
        }
        char hex[65];
        return rt_layer_writer_close(w, hex, err);
}

int rt_ctr_export(const json_t *j, int fd, err_t *err)
{
        strv_t dirs = STRV_INIT;
        int r = layer_dirs(j, &dirs, err);
        if (r == 0) /* the upper dir as the top layer of a read-only overlay */
                r = rt_rootfs_run(&dirs, NULL, export_fn, &fd, err);
        strv_free(&dirs);
        return r;
}
