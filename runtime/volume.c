#include "volume.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "events.h"
#include "container.h"
#include "fsutil.h"
#include "jsonfile.h"
#include "mountspec.h"
#include "paths.h"
#include "timefmt.h"
#include "xalloc.h"

#define ANON_LABEL "com.docker.volume.anonymous"

int rt_volume_name_valid(const char *name)
{
        return mountspec_volume_name_valid(name) ? 0 : -1;
}

const char *rt_volume_anon_name(void)
{
        static char buf[65];
        char *id = rt_ctr_gen_id();
        snprintf(buf, sizeof(buf), "%s", id);
        free(id);
        return buf;
}

static char *vol_dir(const char *name)
{
        return xasprintf("%s/volumes/%s", berth_lib_dir(), name);
}

bool rt_volume_is_anon(const char *name)
{
        json_t *j = NULL;
        if (rt_volume_inspect(name, &j, NULL) < 0)
                return false;
        bool anon = json_object_get(json_object_get(j, "Labels"), ANON_LABEL) != NULL;
        json_decref(j);
        return anon;
}

int rt_volume_create(const char *name, json_t *labels, bool anon, err_t *err)
{
        if (rt_volume_name_valid(name) < 0)
                return err_set(err, EINVAL,
                               "\"%s\" includes invalid characters for a local volume name, only "
                               "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed",
                               name);
        _cleanup_free_ char *d = vol_dir(name);
        _cleanup_free_ char *meta = xasprintf("%s/volume.json", d);
        if (access(meta, F_OK) == 0)
                return err_set(err, EEXIST, "volume %s already exists", name);
        _cleanup_free_ char *data = xasprintf("%s/_data", d);
        /* volumes/ and volumes/NAME are root's alone: local users must not
         * reach the data (a setuid binary a container planted, secrets) */
        if (mkdir_p(d, 0700, err) < 0)
                return -1;
        if (mkdir(data, 0755) < 0 && errno != EEXIST)
                return err_sys(err, errno, "mkdir %s", data);
        _cleanup_free_ char *now = time_now_rfc3339();
        json_t *l = labels ? json_copy(labels) : json_object();
        if (anon)
                json_object_set_new(l, ANON_LABEL, json_string(""));
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:o}", "Name", name, "Driver", "local",
                              "Mountpoint", data, "CreatedAt", now, "Labels", l, "Scope", "local",
                              "Options", json_object());
        int r = json_write_atomic(meta, j, err);
        json_decref(j);
        if (r == 0)
                events_logv("volume", "create", name, "driver", "local", NULL);
        return r;
}

int rt_volume_ensure(const char *name, bool anon, char **path, err_t *err)
{
        _cleanup_free_ char *d = vol_dir(name);
        _cleanup_free_ char *meta = xasprintf("%s/volume.json", d);
        if (access(meta, F_OK) < 0 && rt_volume_create(name, NULL, anon, err) < 0 &&
            err->code != EEXIST)
                return -1;
        *path = xasprintf("%s/_data", d);
        return 0;
}

/* Copy one non-directory entry n of sfd into dfd (whiteouts never get here). */
static int copy_leaf(int sfd, int dfd, const char *n, const struct stat *st, err_t *err)
{
        if (S_ISLNK(st->st_mode)) {
                char target[4096];
                ssize_t l = readlinkat(sfd, n, target, sizeof(target) - 1);
                if (l < 0)
                        return err_sys(err, errno, "readlink %s", n);
                target[l] = '\0';
                if (symlinkat(target, dfd, n) < 0)
                        return err_sys(err, errno, "symlink %s", n);
                fchownat(dfd, n, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW);
                return 0;
        }
        if (!S_ISREG(st->st_mode))
                return 0; /* devices, fifos, sockets: not copied */
        _cleanup_close_ int in = openat(sfd, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int out =
            openat(dfd, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (in < 0 || out < 0)
                return err_sys(err, errno, "copy %s", n);
        char buf[65536];
        ssize_t r;
        while ((r = read(in, buf, sizeof(buf))) > 0)
                if (write_all(out, buf, (size_t)r, err) < 0)
                        return -1;
        if (r < 0)
                return err_sys(err, errno, "read %s", n);
        fchown(out, st->st_uid, st->st_gid);
        fchmod(out, st->st_mode & 07777);
        return 0;
}

static bool is_opaque(int fd)
{
        char v[4];
        return fgetxattr(fd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';
}

/* Merge the same directory of several layers (src[0] the top one, each an
 * open directory fd) into dfd the way overlayfs shows it: the topmost entry
 * of a name wins, a whiteout hides the name below, an opaque directory hides
 * everything below it.  seen collects the names handled at this level. */
static int merge_dirs(const int *src, size_t nsrc, int dfd, int depth, err_t *err)
{
        if (depth > 256)
                return err_set(err, ELOOP, "directories nested too deeply");
        strv_t seen = STRV_INIT;
        int r = 0;
        for (size_t i = 0; i < nsrc && r == 0; i++) {
                int dup_fd = dup(src[i]);
                DIR *d = dup_fd < 0 ? NULL : fdopendir(dup_fd);
                if (!d) {
                        if (dup_fd >= 0)
                                close(dup_fd);
                        r = err_sys(err, errno, "opendir");
                        break;
                }
                struct dirent *de;
                while (r == 0 && (de = readdir(d))) {
                        const char *n = de->d_name;
                        if (!strcmp(n, ".") || !strcmp(n, "..") || strv_contains(&seen, n))
                                continue;
                        strv_push(&seen, n);
                        struct stat st;
                        if (fstatat(src[i], n, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                                r = err_sys(err, errno, "stat %s", n);
                                break;
                        }
                        if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
                                continue; /* overlay whiteout: hidden */
                        if (!S_ISDIR(st.st_mode)) {
                                r = copy_leaf(src[i], dfd, n, &st, err);
                                continue;
                        }
                        /* this directory and the same one in the layers below,
                         * down to an opaque one or a non-directory */
                        int *sub = xcalloc(nsrc - i, sizeof(int));
                        size_t ns = 0;
                        for (size_t k = i; k < nsrc; k++) {
                                int fd = openat(src[k], n,
                                                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (fd < 0)
                                        break;
                                sub[ns++] = fd;
                                if (is_opaque(fd))
                                        break;
                        }
                        if (mkdirat(dfd, n, 0700) < 0 && errno != EEXIST) {
                                r = err_sys(err, errno, "mkdir %s", n);
                        } else {
                                int d2 =
                                    openat(dfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (d2 < 0)
                                        r = err_sys(err, errno, "open %s", n);
                                else {
                                        r = merge_dirs(sub, ns, d2, depth + 1, err);
                                        fchown(d2, st.st_uid, st.st_gid);
                                        fchmod(d2, st.st_mode & 07777);
                                        close(d2);
                                }
                        }
                        for (size_t k = 0; k < ns; k++)
                                close(sub[k]);
                        free(sub);
                }
                closedir(d);
                if (is_opaque(src[i]))
                        break; /* nothing below shows through */
        }
        strv_free(&seen);
        return r;
}

static bool dir_empty(int fd)
{
        int d2 = dup(fd);
        if (d2 < 0)
                return false;
        DIR *d = fdopendir(d2);
        if (!d) {
                close(d2);
                return false;
        }
        struct dirent *de;
        bool empty = true;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        empty = false;
        closedir(d);
        return empty;
}

/* The image's directory dest, as the container sees it (layer_dirs[0] is the
 * top layer), copied into the empty volume with its owner and mode. */
/* One component of an image path, beneath dir: the layer is on the host, so
 * neither ".." nor a symlink (x -> /root) may take the walk out of it. */
static int open_beneath(int dir, const char *name)
{
        struct open_how how = {
            .flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
            .resolve =
                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        return (int)syscall(SYS_openat2, dir, name, &how, sizeof(how));
}

int rt_volume_populate(const char *path, const strv_t *layer_dirs, const char *dest, err_t *err)
{
        _cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return err_sys(err, errno, "open volume %s", path);
        if (!dir_empty(dfd))
                return 0;
        while (*dest == '/')
                dest++;
        if (!*dest)
                return 0;
        /* dest in each layer, top first, down to the first layer where dest
         * (or a directory above it) is a whiteout, an opaque directory or not
         * a directory */
        int *src = xcalloc(layer_dirs->n + 1, sizeof(int));
        size_t ns = 0;
        for (size_t i = 0; i < layer_dirs->n; i++) {
                _cleanup_close_ int lfd = open(layer_dirs->v[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (lfd < 0)
                        continue;
                _cleanup_free_ char *walk = xstrdup(dest);
                int cur = dup(lfd), hidden = 0;
                for (char *save = NULL, *c = strtok_r(walk, "/", &save); c && cur >= 0;
                     c = strtok_r(NULL, "/", &save)) {
                        struct stat st;
                        int next = -1;
                        if (fstatat(cur, c, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                                if (S_ISDIR(st.st_mode))
                                        next = open_beneath(cur, c);
                                else
                                        hidden = 1; /* whiteout or not a directory */
                        }
                        close(cur);
                        cur = next;
                        if (cur >= 0 && is_opaque(cur))
                                hidden = 1; /* shows, but nothing below does */
                }
                if (cur >= 0)
                        src[ns++] = cur;
                if (hidden)
                        break;
        }
        struct stat st;
        int r = ns ? merge_dirs(src, ns, dfd, 0, err) : 0;
        if (r == 0 && ns && fstat(src[0], &st) == 0) {
                fchown(dfd, st.st_uid, st.st_gid);
                fchmod(dfd, st.st_mode & 07777);
        }
        for (size_t i = 0; i < ns; i++)
                close(src[i]);
        free(src);
        return r < 0 ? err_wrap(err, "copy image content of /%s into volume", dest) : 0;
}

int rt_volume_inspect(const char *name, json_t **out, err_t *err)
{
        if (rt_volume_name_valid(name) < 0)
                return err_set(err, ENOENT, "get %s: no such volume", name);
        _cleanup_free_ char *d = vol_dir(name);
        _cleanup_free_ char *meta = xasprintf("%s/volume.json", d);
        if (access(meta, F_OK) < 0)
                return err_set(err, ENOENT, "get %s: no such volume", name);
        return json_read(meta, out, err);
}

int rt_volume_list(strv_t *names, err_t *err)
{
        _cleanup_free_ char *d = xasprintf("%s/volumes", berth_lib_dir());
        _cleanup_closedir_ DIR *dir = opendir(d);
        if (!dir)
                return errno == ENOENT ? 0 : err_sys(err, errno, "open %s", d);
        struct dirent *de;
        while ((de = readdir(dir))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *meta = xasprintf("%s/%s/volume.json", d, de->d_name);
                if (access(meta, F_OK) == 0)
                        strv_push(names, de->d_name);
        }
        strv_sort(names);
        return 0;
}

int rt_volume_remove(const char *name, err_t *err)
{
        json_t *j = NULL;
        if (rt_volume_inspect(name, &j, err) < 0)
                return -1;
        json_decref(j);
        _cleanup_free_ char *d = vol_dir(name);
        _cleanup_free_ char *meta = xasprintf("%s/volume.json", d);
        if (unlink(meta) < 0) /* gone from listings first, then the data */
                return err_sys(err, errno, "remove volume %s", name);
        events_logv("volume", "destroy", name, "driver", "local", NULL);
        return rm_rf(d, err);
}
