/* Safe tar extraction: malicious archives built on the fly must never write
 * outside the extraction root. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "runtime/tar.h"
#include "base/fsutil.h"
#include "dir_entries.h"
#include "tap.h"
#include "tar_mem.h"

enum { F, D, L, H, C, B, P }; /* file, dir, symlink, hardlink, chardev, blockdev, fifo */

struct ent {
        int type;
        const char *name;
        const char *arg; /* file data, symlink or hardlink target */
        int mode;
        unsigned rdev_major, rdev_minor;
};

static char base[256], outside[300], secret[320];
static char tarbuf[1 << 20];

static size_t build_tar(const struct ent *e, size_t n)
{
        size_t used = 0;
        struct archive *a = tar_mem_open(tarbuf, sizeof(tarbuf), &used);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *ae = archive_entry_new();
                archive_entry_set_pathname(ae, e[i].name);
                archive_entry_set_mtime(ae, 1600000000, 0);
                int mode = e[i].mode ? e[i].mode : 0644;
                switch (e[i].type) {
                case F:
                        archive_entry_set_filetype(ae, AE_IFREG);
                        archive_entry_set_size(ae, e[i].arg ? (la_int64_t)strlen(e[i].arg) : 0);
                        break;
                case D:
                        archive_entry_set_filetype(ae, AE_IFDIR);
                        mode = e[i].mode ? e[i].mode : 0755;
                        break;
                case L:
                        archive_entry_set_filetype(ae, AE_IFLNK);
                        archive_entry_set_symlink(ae, e[i].arg);
                        mode = 0777;
                        break;
                case H:
                        archive_entry_set_filetype(ae, AE_IFREG);
                        archive_entry_set_hardlink(ae, e[i].arg);
                        break;
                case C:
                case B:
                        archive_entry_set_filetype(ae, e[i].type == C ? AE_IFCHR : AE_IFBLK);
                        archive_entry_set_rdevmajor(ae, e[i].rdev_major);
                        archive_entry_set_rdevminor(ae, e[i].rdev_minor);
                        break;
                case P:
                        archive_entry_set_filetype(ae, AE_IFIFO);
                        break;
                }
                archive_entry_set_perm(ae, (mode_t)mode);
                archive_write_header(a, ae);
                if (e[i].type == F && e[i].arg)
                        archive_write_data(a, e[i].arg, strlen(e[i].arg));
                archive_entry_free(ae);
        }
        archive_write_close(a);
        archive_write_free(a);
        return used;
}

/* The directory outside the root holds exactly "secret" with "orig", once linked. */
static int outside_intact(void)
{
        struct stat st;
        char buf[64] = {0};
        int n = dir_entries(outside);
        int fd = open(secret, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t r = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (lstat(secret, &st) < 0)
                return 0;
        /* nothing else next to root/ and outside/ in base either */
        int nb = dir_entries(base);
        return n == 1 && r == 4 && !memcmp(buf, "orig", 4) && st.st_nlink == 1 && nb == 2;
}

/* A fresh, empty base/root, opened. */
static int fresh_root(void)
{
        char root[300];
        err_t err;
        snprintf(root, sizeof(root), "%s/root", base);
        rm_rf(root, &err);
        mkdir(root, 0755);
        return open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Extract into a fresh base/root; returns the extraction result. */
static int extract(const struct ent *e, size_t n, unsigned flags, int *rootfd, err_t *err)
{
        *rootfd = fresh_root();
        size_t len = build_tar(e, n);
        struct rt_tar_opts opts = {flags, 0};
        return rt_tar_extract_mem(tarbuf, len, *rootfd, &opts, NULL, err);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void hostile(const char *what, const struct ent *e, size_t n, int must_fail)
{
        int rootfd;
        err_t err = {0};
        int r = extract(e, n, RT_TAR_OVERLAY, &rootfd, &err);
        if (must_fail)
                ok(r < 0, "%s: rejected (%s)", what, err.msg);
        ok(outside_intact(), "%s: nothing written outside the root", what);
        close(rootfd);
}

int main(void)
{
        snprintf(base, sizeof(base), "/tmp/berth-tartest.XXXXXX");
        if (!mkdtemp(base))
                return 1;
        snprintf(outside, sizeof(outside), "%s/outside", base);
        snprintf(secret, sizeof(secret), "%s/secret", outside);
        mkdir(outside, 0755);
        int sfd = open(secret, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (write(sfd, "orig", 4) != 4)
                return 1;
        close(sfd);
        int is_root = geteuid() == 0;
        err_t err;

        /* path cleaning */
        char *p = rt_tar_clean_path("/./a//b/./c/", &err);
        is_str(p, "a/b/c", "clean path strips /, . and empty components");
        free(p);
        p = rt_tar_clean_path("a/../../etc", &err);
        ok(p == NULL, "clean path rejects ..");
        p = rt_tar_clean_path("./", &err);
        is_str(p, "", "clean path of the root is empty");
        free(p);

        /* 1. absolute symlink pointing outside, then a file through it */
        {
                const struct ent e[] = {{L, "evil", outside, 0, 0, 0},
                                        {F, "evil/pwned", "x", 0, 0, 0}};
                int rootfd;
                int r = extract(e, N(e), RT_TAR_OVERLAY, &rootfd, &err);
                ok(outside_intact(), "absolute symlink escape: outside untouched");
                char inroot[400];
                snprintf(inroot, sizeof(inroot), "%s/pwned", outside + 1);
                struct stat st;
                ok(r < 0 || fstatat(rootfd, inroot, &st, AT_SYMLINK_NOFOLLOW) == 0,
                   "absolute symlink escape: rejected or resolved inside the root");
                char tgt[300] = {0};
                ok(readlinkat(rootfd, "evil", tgt, sizeof(tgt) - 1) > 0 && !strcmp(tgt, outside),
                   "absolute symlink target stored as-is");
                close(rootfd);
        }
        /* 2. relative ../.. symlink */
        {
                const struct ent e[] = {{L, "evil", "../../../../outside", 0, 0, 0},
                                        {F, "evil/pwned", "x", 0, 0, 0},
                                        {L, "e2", "../outside", 0, 0, 0},
                                        {F, "e2/secret", "pwned", 0, 0, 0}};
                hostile("relative ../ symlink", e, N(e), 0);
        }
        /* 3. hard links to a file outside */
        {
                const struct ent e[] = {{H, "h", "../outside/secret", 0, 0, 0}};
                hostile("hardlink via ..", e, N(e), 1);
                const struct ent e2[] = {{H, "h", secret, 0, 0, 0}};
                hostile("hardlink to absolute path", e2, N(e2), 1);
                const struct ent e3[] = {{L, "s", outside, 0, 0, 0}, {H, "h", "s/secret", 0, 0, 0}};
                hostile("hardlink through a symlink", e3, N(e3), 1);
        }
        /* 4. ../ member names */
        {
                const struct ent e[] = {{F, "../outside/pwned", "x", 0, 0, 0}};
                hostile("../ member name", e, N(e), 1);
                const struct ent e2[] = {{F, "a/../../outside/secret", "pwned", 0, 0, 0}};
                hostile("a/../../ member name", e2, N(e2), 1);
                const struct ent e3[] = {{D, "..", NULL, 0, 0, 0}};
                hostile(".. directory member", e3, N(e3), 1);
        }
        /* 5. whiteouts of .. and the root */
        {
                const struct ent e[] = {{F, ".wh..", "", 0, 0, 0}};
                hostile("whiteout of ..", e, N(e), 1);
                const struct ent e2[] = {{F, "a/.wh..", "", 0, 0, 0}};
                hostile("whiteout of a/..", e2, N(e2), 1);
                const struct ent e3[] = {{F, ".wh..wh..opq", "", 0, 0, 0}};
                hostile("opaque whiteout of the root", e3, N(e3), 1);
                const struct ent e4[] = {{F, ".wh.", "", 0, 0, 0}};
                hostile("whiteout with an empty name", e4, N(e4), 1);
                const struct ent e5[] = {{F, "../.wh.outside", "", 0, 0, 0}};
                hostile("whiteout above the root", e5, N(e5), 1);
        }
        /* 6. symlink, then a file with the same name and one through it */
        {
                const struct ent e[] = {{L, "s", secret, 0, 0, 0}, {F, "s", "pwned", 0, 0, 0}};
                int rootfd;
                int r = extract(e, N(e), RT_TAR_OVERLAY, &rootfd, &err);
                struct stat st;
                ok(r == 0 && fstatat(rootfd, "s", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                       S_ISREG(st.st_mode),
                   "file over a symlink replaces the link");
                ok(outside_intact(), "file over a symlink: outside untouched");
                close(rootfd);
                const struct ent e2[] = {{L, "s", "/", 0, 0, 0},
                                         {F, "s/../outside/x", "x", 0, 0, 0}};
                hostile("symlink to / then .. through it", e2, N(e2), 1);
                const struct ent e3[] = {{L, "s", "..", 0, 0, 0},
                                         {F, "s/outside/pwned", "x", 0, 0, 0}};
                hostile("symlink to .. then a file through it", e3, N(e3), 0);
        }
        /* 7. directory replaced by a symlink, then written into */
        {
                const struct ent e[] = {{D, "d", NULL, 0, 0, 0},
                                        {F, "d/f", "x", 0, 0, 0},
                                        {L, "d", outside, 0, 0, 0},
                                        {F, "d/pwned", "x", 0, 0, 0},
                                        {F, "d/secret", "pwned", 0, 0, 0}};
                hostile("directory replaced by symlink", e, N(e), 0);
        }
        /* 8. device nodes are skipped; a block device never appears */
        {
                const struct ent e[] = {{B, "sda", NULL, 0660, 8, 0}, {C, "mem", NULL, 0640, 1, 1}};
                int rootfd;
                struct rt_tar_stats st = {0};
                size_t len = build_tar(e, N(e));
                rootfd = fresh_root();
                struct rt_tar_opts o = {RT_TAR_OVERLAY, 0};
                int r = rt_tar_extract_mem(tarbuf, len, rootfd, &o, &st, &err);
                struct stat sb;
                ok(r == 0 && st.skipped == 2 && fstatat(rootfd, "sda", &sb, 0) < 0 &&
                       fstatat(rootfd, "mem", &sb, 0) < 0,
                   "device nodes skipped");
                close(rootfd);
        }
        /* 9. size limit */
        {
                const struct ent e[] = {{F, "big", "0123456789", 0, 0, 0}};
                size_t len = build_tar(e, N(e));
                int rootfd = fresh_root();
                struct rt_tar_opts o = {0, 5};
                ok(rt_tar_extract_mem(tarbuf, len, rootfd, &o, NULL, &err) < 0 && err.code == EFBIG,
                   "max_bytes enforced");
                close(rootfd);
        }
        /* 10. a well-formed layer: contents, modes, times, links, whiteouts */
        {
                const struct ent e[] = {
                    {D, "etc", NULL, 0750, 0, 0},
                    {F, "etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0640, 0, 0},
                    {F, "bin/su", "ELF", 04755, 0, 0}, /* parent created implicitly */
                    {L, "bin/sh", "/bin/busybox", 0, 0, 0},
                    {H, "etc/passwd.hl", "etc/passwd", 0, 0, 0},
                    {F, ".wh.gone", "", 0, 0, 0},
                    {D, "opq", NULL, 0755, 0, 0},
                    {F, "opq/.wh..wh..opq", "", 0, 0, 0},
                    {P, "fifo", NULL, 0600, 0, 0},
                    {C, "old-whiteout", NULL, 0, 0, 0},
                };
                int rootfd;
                int r = extract(e, N(e), RT_TAR_OVERLAY, &rootfd, &err);
                ok(r == 0, "well-formed layer extracts (%s)", r ? err.msg : "ok");
                struct stat st, st2;
                ok(fstatat(rootfd, "etc", &st, 0) == 0 && S_ISDIR(st.st_mode) &&
                       (st.st_mode & 07777) == 0750 && st.st_mtime == 1600000000,
                   "directory mode and mtime preserved");
                ok(fstatat(rootfd, "etc/passwd", &st, 0) == 0 && (st.st_mode & 07777) == 0640 &&
                       st.st_size == 26 && st.st_mtime == 1600000000,
                   "file mode, size and mtime preserved");
                ok(fstatat(rootfd, "bin/su", &st, 0) == 0 && (st.st_mode & 07777) == 04755,
                   "setuid bit preserved");
                char tgt[64] = {0};
                ok(readlinkat(rootfd, "bin/sh", tgt, sizeof(tgt) - 1) > 0 &&
                       !strcmp(tgt, "/bin/busybox"),
                   "symlink target kept");
                ok(fstatat(rootfd, "etc/passwd", &st, 0) == 0 &&
                       fstatat(rootfd, "etc/passwd.hl", &st2, 0) == 0 && st.st_ino == st2.st_ino,
                   "hard link created inside the root");
                ok(fstatat(rootfd, "fifo", &st, 0) == 0 && S_ISFIFO(st.st_mode), "fifo created");
                if (is_root) {
                        ok(fstatat(rootfd, "gone", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                               S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0),
                           ".wh.gone became an overlay whiteout");
                        ok(fstatat(rootfd, ".wh.gone", &st, AT_SYMLINK_NOFOLLOW) < 0,
                           "no .wh. file left");
                        ok(fstatat(rootfd, "old-whiteout", &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                               S_ISCHR(st.st_mode),
                           "char 0:0 member kept as a whiteout");
                        char v[4] = {0};
                        int dfd = openat(rootfd, "opq", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        ok(fgetxattr(dfd, "trusted.overlay.opaque", v, sizeof(v)) == 1 &&
                               v[0] == 'y',
                           "opaque directory marked");
                        close(dfd);
                        ok(fstatat(rootfd, "opq/.wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW) < 0,
                           "no opaque marker file left");
                } else {
                        tap_skip("whiteouts need root (mknod, trusted xattrs)");
                }
                close(rootfd);
        }
        /* 10b. xattrs: user.* and file capabilities kept, overlay ones never */
        {
                size_t used = 0;
                struct archive *a = tar_mem_open(tarbuf, sizeof(tarbuf), &used);
                struct archive_entry *ae = archive_entry_new();
                tar_mem_entry(ae, "d", AE_IFDIR, 0755, 0);
                archive_entry_xattr_add_entry(ae, "trusted.overlay.opaque", "y", 1);
                archive_entry_xattr_add_entry(ae, "trusted.overlay.redirect", "/etc", 4);
                archive_write_header(a, ae);
                tar_mem_entry(ae, "d/f", AE_IFREG, 0644, 0);
                archive_entry_xattr_add_entry(ae, "user.note", "hi", 2);
                archive_write_header(a, ae);
                archive_entry_free(ae);
                archive_write_close(a);
                archive_write_free(a);
                int rootfd = fresh_root();
                struct rt_tar_opts o = {RT_TAR_OVERLAY, 0};
                ok(rt_tar_extract_mem(tarbuf, used, rootfd, &o, NULL, &err) == 0,
                   "xattr archive extracts");
                int dfd = openat(rootfd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                char v[16];
                ok(fgetxattr(dfd, "trusted.overlay.opaque", v, sizeof(v)) < 0 &&
                       fgetxattr(dfd, "trusted.overlay.redirect", v, sizeof(v)) < 0,
                   "trusted.overlay.* xattrs from the archive are dropped");
                int ffd = openat(dfd, "f", O_RDONLY | O_CLOEXEC);
                memset(v, 0, sizeof(v));
                ok(fgetxattr(ffd, "user.note", v, sizeof(v)) == 2 && !memcmp(v, "hi", 2),
                   "user.* xattr restored");
                close(ffd);
                close(dfd);
                close(rootfd);
        }
        /* 11. plain (non-overlay) mode keeps .wh. files as files */
        {
                const struct ent e[] = {{F, ".wh.x", "data", 0, 0, 0}};
                int rootfd;
                int r = extract(e, N(e), 0, &rootfd, &err);
                struct stat st;
                ok(r == 0 && fstatat(rootfd, ".wh.x", &st, 0) == 0 && S_ISREG(st.st_mode),
                   "plain mode: .wh. names are ordinary files");
                close(rootfd);
        }
        /* 12. garbage input fails cleanly */
        {
                int rootfd = fresh_root();
                static const char junk[1024] = "this is not a tar archive";
                ok(rt_tar_extract_mem(junk, sizeof(junk), rootfd, NULL, NULL, &err) < 0,
                   "garbage rejected (%s)", err.msg);
                close(rootfd);
        }

        rm_rf(base, &err);
        return tap_done();
}
