#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "cleanup.h"
#include "fsutil.h"
#include "monitor.h"
#include "security.h"
#include "strbuf.h"
#include "xalloc.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

enum { MSG_READY = 1, MSG_ERROR = 2, MSG_PID = 3 };

/* The sync socket's messages are the monitor's (monitor.h: struct
 * rt_mon_msg, rt_mon_send, rt_mon_recv); a failed send is seen by the
 * other side as EOF. */

/* Send the READY message carrying fd (the container's pty master). */
static void send_ready_fd(int sock, int fd)
{
        struct rt_mon_msg m = {.type = MSG_READY};
        struct iovec iov = {&m, sizeof(m)};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        memset(&u, 0, sizeof(u));
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = u.buf,
                            .msg_controllen = sizeof(u.buf)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR)
                ;
}

/* rt_mon_recv that also takes a passed fd (-1 when none). */
static int recv_msg_fd(int fd, struct rt_mon_msg *m, int *passed)
{
        struct iovec iov = {m, sizeof(*m)};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } u;
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = u.buf,
                            .msg_controllen = sizeof(u.buf)};
        ssize_t r;
        *passed = -1;
        do
                r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
        while (r < 0 && errno == EINTR);
        if (r <= 0)
                return r < 0 ? -1 : 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(passed, CMSG_DATA(c), sizeof(int));
        m->msg[sizeof(m->msg) - 1] = '\0';
        return 1;
}

static _Noreturn void child_fail(int sock, const err_t *e, int status)
{
        (void)rt_mon_send(sock, MSG_ERROR, e->code, status, e->msg); /* pid field: exit status */
        _exit(status);
}

int rt_exec_failure_status(int e)
{
        if (e == ENOENT || e == ENOTDIR)
                return 127;
        if (e == EACCES || e == ENOEXEC || e == EPERM || e == EISDIR || e == ETXTBSY)
                return 126;
        return 125;
}

/* ---- paths inside the root -------------------------------------------- */

static int openat2_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        while (*path == '/')
                path++;
        if (!*path)
                path = ".";
        return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

/* Open path below rootfd as O_PATH, creating missing directories and, when
 * file is set, the last component as an empty file.  Symlinks resolve inside
 * the root, never outside it; a dangling symlink gets its target created
 * inside the root (depth bounds symlink chains). */
static int mkpath_depth(int rootfd, const char *path, bool file, int depth, err_t *err)
{
        int fd = openat2_in_root(rootfd, path, O_PATH);
        if (fd >= 0)
                return fd;
        if (errno != ENOENT)
                return err_sys(err, errno, "resolve %s in container", path);
        if (depth > 40)
                return err_set(err, ELOOP, "resolve %s in container: too many symbolic links",
                               path);
        _cleanup_free_ char *dup = xstrdup(path);
        char *slash = strrchr(dup, '/');
        const char *name = slash ? slash + 1 : dup;
        if (slash)
                *slash = '\0';
        _cleanup_close_ int pfd = -1;
        if (slash && *dup) {
                pfd = mkpath_depth(rootfd, dup, false, depth + 1, err);
                if (pfd < 0)
                        return -1;
        } else {
                pfd = openat2_in_root(rootfd, "/", O_PATH);
        }
        if (!*name)
                return TAKE_FD(pfd);
        _cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return err_sys(err, errno, "open parent of %s in container", path);
        char target[4096];
        ssize_t tl = readlinkat(dfd, name, target, sizeof(target) - 1);
        if (tl > 0) { /* dangling symlink: create what it points to, in the root */
                target[tl] = '\0';
                _cleanup_free_ char *t = target[0] == '/'
                                             ? xstrdup(target)
                                             : xasprintf("%s/%s", slash ? dup : "", target);
                _cleanup_close_ int tfd = mkpath_depth(rootfd, t, file, depth + 1, err);
                if (tfd < 0)
                        return -1;
        } else if (file) {
                int nfd = openat(dfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (nfd < 0 && errno != EEXIST)
                        return err_sys(err, errno, "create %s in container", path);
                if (nfd >= 0)
                        close(nfd);
        } else if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST) {
                return err_sys(err, errno, "mkdir %s in container", path);
        }
        fd = openat2_in_root(rootfd, path, O_PATH);
        if (fd < 0)
                return err_sys(err, errno, "resolve %s in container", path);
        return fd;
}

static int mkpath_in_root(int rootfd, const char *path, bool file, err_t *err)
{
        return mkpath_depth(rootfd, path, file, 0, err);
}

/* ---- mounts through file descriptors ------------------------------------ */

static int open_beneath(int dirfd, const char *rel, int flags)
{
        struct open_how how = {
            .flags = (uint64_t)(flags | O_CLOEXEC),
            .resolve =
                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
        };
        return (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
}

/* A new, detached mount of fstype: its root fd (O_PATH).  opts is mount data
 * ("k=v,flag,..."), passed to fsconfig one parameter at a time. */
static int fs_new(const char *fstype, const char *source, const char *opts, unsigned attrs,
                  const char *what, err_t *err)
{
        _cleanup_close_ int fs = fsopen(fstype, FSOPEN_CLOEXEC);
        if (fs < 0)
                return err_sys(err, errno, "mount %s: fsopen %s", what, fstype);
        if (source && fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
                return err_sys(err, errno, "mount %s: source %s", what, source);
        _cleanup_free_ char *dup = xstrdup(opts ? opts : "");
        for (char *save = NULL, *o = strtok_r(dup, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(o, '=');
                if (eq)
                        *eq = '\0';
                int r = eq ? fsconfig(fs, FSCONFIG_SET_STRING, o, eq + 1, 0)
                           : fsconfig(fs, FSCONFIG_SET_FLAG, o, NULL, 0);
                if (r < 0)
                        return err_sys(err, errno, "mount %s: %s option %s%s%s", what, fstype, o,
                                       eq ? "=" : "", eq ? eq + 1 : "");
        }
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return err_sys(err, errno, "mount %s: create %s", what, fstype);
        int m = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
        if (m < 0)
                return err_sys(err, errno, "mount %s: fsmount %s", what, fstype);
        return m;
}

/* Attach the detached mount mfd on the object targetfd names. */
static int attach(int mfd, int targetfd, const char *what, err_t *err)
{
        if (move_mount(mfd, "", targetfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
            0)
                return err_sys(err, errno, "mount %s", what);
        return 0;
}

/* A detached copy of the mount tree at srcfd/path (a bind), optionally with
 * mount attributes set on every mount in it. */
static int bind_clone(int srcfd, const char *path, bool recursive, unsigned attrs, const char *what,
                      err_t *err)
{
        int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        if (!*path)
                flags |= AT_EMPTY_PATH;
        _cleanup_close_ int t = open_tree(srcfd, path, (unsigned)flags);
        if (t < 0)
                return err_sys(err, errno, "bind %s%s%s", *path ? path : "", *path ? " on " : "",
                               what);
        if (attrs) {
                struct mount_attr a = {.attr_set = attrs};
                if (mount_setattr(t, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a,
                                  sizeof(a)) < 0)
                        return err_sys(err, errno, "set mount flags of %s", what);
        }
        return TAKE_FD(t);
}

/* Is fd on a procfs mount?  No mount may land in /proc (as docker): that
 * could hide or replace the masks. */
static bool on_procfs(int fd)
{
        struct statfs sf;
        return fstatfs(fd, &sf) == 0 && sf.f_type == PROC_SUPER_MAGIC;
}

/* A user mount (bind, volume or tmpfs) on target, resolved inside the root. */
static int mount_at(int rootfd, const char *target, bool file, bool bind, const char *src,
                    unsigned attrs, const char *data, err_t *err)
{
        _cleanup_close_ int fd = mkpath_in_root(rootfd, target, file, err);
        if (fd < 0)
                return -1;
        if (on_procfs(fd))
                return err_set(err, EPERM,
                               "mount target %s resolves into /proc (a symbolic link in the "
                               "image?): mounts there are not allowed",
                               target);
        _cleanup_close_ int m = bind ? bind_clone(AT_FDCWD, src, true, attrs, target, err)
                                     : fs_new("tmpfs", "tmpfs", data, attrs, target, err);
        if (m < 0)
                return -1;
        return attach(m, fd, target, err);
}

int rt_bind_in_root(int rootfd, const char *target, const char *src, bool ro, err_t *err)
{
        struct stat st;
        if (stat(src, &st) < 0)
                return err_sys(err, errno, "bind source path %s", src);
        return mount_at(rootfd, target, !S_ISDIR(st.st_mode), true, src, ro ? MOUNT_ATTR_RDONLY : 0,
                        NULL, err);
}

int rt_tmpfs_opts(const char *opts, bool ro, unsigned *attrs, char **data, err_t *err)
{
        static const struct {
                const char *name;
                unsigned set, clear;
        } flags[] = {
            {"ro", MOUNT_ATTR_RDONLY, 0},
            {"rw", 0, MOUNT_ATTR_RDONLY},
            {"noexec", MOUNT_ATTR_NOEXEC, 0},
            {"exec", 0, MOUNT_ATTR_NOEXEC},
            {"nosuid", MOUNT_ATTR_NOSUID, 0},
            {"suid", 0, MOUNT_ATTR_NOSUID},
            {"nodev", MOUNT_ATTR_NODEV, 0},
            {"dev", 0, MOUNT_ATTR_NODEV},
            {"nodiratime", MOUNT_ATTR_NODIRATIME, 0},
            {"diratime", 0, MOUNT_ATTR_NODIRATIME},
            {"relatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
            {"atime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
            {"noatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
            {"strictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
        };
        static const char *const keys[] = {"size",      "mode",      "uid",  "gid",
                                           "nr_inodes", "nr_blocks", "mpol", "huge"};
        /* docker's defaults for a tmpfs */
        unsigned a =
            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | (ro ? MOUNT_ATTR_RDONLY : 0);
        strbuf_t d = STRBUF_INIT;
        _cleanup_free_ char *dup = xstrdup(opts ? opts : "");
        for (char *save = NULL, *o = strtok_r(dup, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(o, '=');
                bool ok = false;
                if (!eq) {
                        for (size_t i = 0; i < ARRAY_SIZE(flags) && !ok; i++)
                                if (!strcmp(o, flags[i].name)) {
                                        a = (a & ~flags[i].clear & ~flags[i].set) | flags[i].set;
                                        ok = true;
                                }
                } else {
                        *eq = '\0';
                        bool clean = eq[1] != '\0';
                        for (const char *c = eq + 1; *c; c++)
                                if (*c <= ' ' || *c > '~')
                                        clean = false;
                        for (size_t i = 0; i < ARRAY_SIZE(keys) && !ok; i++)
                                ok = clean && !strcmp(o, keys[i]);
                        if (ok)
                                sb_appendf(&d, "%s%s=%s", d.len ? "," : "", o, eq + 1);
                        else
                                *eq = '='; /* show it whole */
                }
                if (!ok) {
                        sb_free(&d);
                        return err_set(err, EINVAL,
                                       "invalid tmpfs option \"%s\" (use ro, rw, exec, noexec, "
                                       "suid, nosuid, dev, nodev, [no]atime, relatime, "
                                       "strictatime, [no]diratime, size=, mode=, uid=, gid=, "
                                       "nr_inodes=, nr_blocks=, mpol=, huge=)",
                                       o);
                }
        }
        *attrs = a;
        *data = sb_steal(&d);
        return 0;
}

/* A standard mount point: name must be a real directory directly below
 * parentfd (created when missing).  A symbolic link or a file there (e.g. an
 * image with proc -> /somewhere) is refused: procfs, sysfs and /dev are
 * mounted only where they belong. */
static int real_dir_at(int parentfd, const char *name, const char *shown, err_t *err)
{
        if (mkdirat(parentfd, name, 0755) < 0 && errno != EEXIST)
                return err_sys(err, errno, "mkdir %s in container", shown);
        int fd = open_beneath(parentfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
        if (fd >= 0)
                return fd;
        if (errno == ELOOP || errno == ENOTDIR)
                return err_set(err, ENOTDIR,
                               "%s in the image is not a directory (a symbolic link or a file): "
                               "refusing to mount over it",
                               shown);
        return err_sys(err, errno, "open %s in container", shown);
}

/* Mount a new fstype on the real directory parentfd/name; returns the
 * mount's own root fd (or 0 with want_fd false). */
static int std_mount(int parentfd, const char *name, const char *shown, const char *fstype,
                     const char *source, const char *opts, unsigned attrs, bool want_fd, err_t *err)
{
        _cleanup_close_ int dir = real_dir_at(parentfd, name, shown, err);
        if (dir < 0)
                return -1;
        _cleanup_close_ int m = fs_new(fstype, source, opts, attrs, shown, err);
        if (m < 0 || attach(m, dir, shown, err) < 0)
                return -1;
        return want_fd ? TAKE_FD(m) : 0;
}

/* ---- root filesystem ---------------------------------------------------- */

/* /dev: a fresh tmpfs.  Returns its root fd. */
static int setup_dev(int rootfd, int64_t shm_size, err_t *err)
{
        char shm_opts[64];
        snprintf(shm_opts, sizeof(shm_opts), "mode=1777,size=%lld",
                 (long long)(shm_size > 0 ? shm_size : 64LL << 20));
        _cleanup_close_ int devfd =
            std_mount(rootfd, "dev", "/dev", "tmpfs", "tmpfs", "mode=755,size=65536k",
                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME, true, err);
        if (devfd < 0)
                return -1;
        static const struct {
                const char *name;
                unsigned maj, min;
        } nodes[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
        for (size_t i = 0; i < ARRAY_SIZE(nodes); i++)
                if (mknodat(devfd, nodes[i].name, S_IFCHR | 0666,
                            makedev(nodes[i].maj, nodes[i].min)) < 0)
                        return err_sys(err, errno, "mknod /dev/%s", nodes[i].name);
        static const char *const links[][2] = {{"/proc/self/fd", "fd"},
                                               {"/proc/self/fd/0", "stdin"},
                                               {"/proc/self/fd/1", "stdout"},
                                               {"/proc/self/fd/2", "stderr"},
                                               {"pts/ptmx", "ptmx"}};
        for (size_t i = 0; i < ARRAY_SIZE(links); i++)
                if (symlinkat(links[i][0], devfd, links[i][1]) < 0)
                        return err_sys(err, errno, "symlink /dev/%s", links[i][1]);
        if (std_mount(devfd, "pts", "/dev/pts", "devpts", "devpts",
                      "newinstance,ptmxmode=0666,mode=0620,gid=5",
                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false, err) < 0 ||
            std_mount(devfd, "shm", "/dev/shm", "tmpfs", "shm", shm_opts,
                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, false, err) < 0 ||
            std_mount(devfd, "mqueue", "/dev/mqueue", "mqueue", "mqueue", NULL,
                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, false, err) < 0)
                return -1;
        return TAKE_FD(devfd);
}

/* /etc/hosts, /etc/hostname, /etc/resolv.conf: the bind target must end up a
 * regular file of the container's own root filesystem (created when absent;
 * a symlink is followed inside the root), never something in /proc, /sys or
 * /dev. */
static int mount_etc(int rootfd, const char *target, const char *src, err_t *err)
{
        _cleanup_close_ int fd = mkpath_in_root(rootfd, target, true, err);
        if (fd < 0)
                return -1;
        struct statx rx, tx;
        if (statx(rootfd, "", AT_EMPTY_PATH, STATX_MNT_ID, &rx) < 0 ||
            statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_MNT_ID, &tx) < 0)
                return err_sys(err, errno, "stat %s in container", target);
        if (!S_ISREG(tx.stx_mode) || rx.stx_mnt_id != tx.stx_mnt_id)
                return err_set(err, EPERM,
                               "%s in the image is not a regular file of the image (it resolves "
                               "to a %s%s): refusing to mount over it",
                               target, S_ISREG(tx.stx_mode) ? "file on another mount" : "non-file",
                               S_ISREG(tx.stx_mode) ? ", e.g. in /proc, /sys or /dev" : "");
        _cleanup_close_ int m = bind_clone(AT_FDCWD, src, false, 0, target, err);
        if (m < 0)
                return -1;
        return attach(m, fd, target, err);
}

/* Masked and read-only paths, applied through the procfs and sysfs mounts'
 * own root fds, after every other mount: each path is resolved beneath that
 * mount (no symlinks, no crossing into another mount).  Fail closed: a path
 * that exists and cannot be masked stops the container; only one absent on
 * this kernel (ENOENT) is skipped. */
static int mask_paths(int procfd, int sysfd, int devfd, err_t *err)
{
        static const struct {
                bool sys;
                const char *rel;
        } masked[] = {
            {false, "acpi"},        {false, "asound"},  {false, "interrupts"},
            {false, "kcore"},       {false, "keys"},    {false, "latency_stats"},
            {false, "sched_debug"}, {false, "scsi"},    {false, "timer_list"},
            {false, "timer_stats"}, {true, "firmware"}, {true, "devices/virtual/powercap"},
        };
        _cleanup_close_ int nul = open_beneath(devfd, "null", O_PATH | O_NOFOLLOW);
        if (nul < 0)
                return err_sys(err, errno, "open the container's /dev/null");
        for (size_t i = 0; i < ARRAY_SIZE(masked); i++) {
                const char *top = masked[i].sys ? "/sys" : "/proc";
                _cleanup_free_ char *shown = xasprintf("%s/%s", top, masked[i].rel);
                _cleanup_close_ int fd = open_beneath(masked[i].sys ? sysfd : procfd, masked[i].rel,
                                                      O_PATH | O_NOFOLLOW);
                if (fd < 0 && errno == ENOENT)
                        continue; /* absent on this kernel: nothing to mask */
                struct stat st;
                if (fd < 0 || fstat(fd, &st) < 0)
                        return err_sys(err, errno,
                                       "mask %s (a container never starts with it unmasked)",
                                       shown);
                _cleanup_close_ int m =
                    S_ISDIR(st.st_mode)
                        ? fs_new("tmpfs", "tmpfs", "size=0", MOUNT_ATTR_RDONLY, shown, err)
                        : bind_clone(nul, "", false, 0, shown, err);
                if (m < 0 || attach(m, fd, shown, err) < 0)
                        return err_wrap(err, "mask %s (a container never starts with it unmasked)",
                                        shown);
        }
        static const char *const ro[] = {"bus", "fs", "irq", "sys", "sysrq-trigger"};
        for (size_t i = 0; i < ARRAY_SIZE(ro); i++) {
                _cleanup_free_ char *shown = xasprintf("/proc/%s", ro[i]);
                _cleanup_close_ int fd = open_beneath(procfd, ro[i], O_PATH | O_NOFOLLOW);
                if (fd < 0 && errno == ENOENT)
                        continue;
                if (fd < 0)
                        return err_sys(err, errno, "make %s read-only", shown);
                _cleanup_close_ int m = bind_clone(fd, "", true,
                                                   MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                                       MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                                                   shown, err);
                if (m < 0 || attach(m, fd, shown, err) < 0)
                        return err_wrap(err, "make %s read-only", shown);
        }
        return 0;
}

/* Write the container's sysctls through sysfd, its own /proc/sys opened
 * before that is made read-only, from inside its namespaces (net.* in its
 * network namespace, kernel.shm*, msg*, sem and fs.mqueue.* in its IPC
 * namespace).  Runs after "go", so the interfaces networking added exist. */
static int apply_sysctls(const struct rt_spawn *s, int sysfd, err_t *err)
{
        for (size_t i = 0; i < s->nsysctls; i++) {
                const struct rt_sysctl *c = &s->sysctls[i];
                _cleanup_free_ char *path = xstrdup(c->key);
                for (char *p = path; *p; p++)
                        if (*p == '.')
                                *p = '/';
                _cleanup_close_ int fd =
                    openat(sysfd, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                if (fd < 0 || write_all(fd, c->value, strlen(c->value), NULL) < 0)
                        return err_sys(err, errno, "sysctl %s=%s", c->key, c->value);
        }
        return 0;
}

static int setup_root(const struct rt_spawn *s, int *sysfd, err_t *err)
{
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return err_sys(err, errno, "make mounts private");
        strbuf_t opts = STRBUF_INIT;
        sb_append(&opts, "lowerdir=");
        for (size_t i = 0; i < s->lower->n; i++)
                sb_appendf(&opts, "%s%s", i ? ":" : "", s->lower->v[i]);
        sb_appendf(&opts, ",upperdir=%s,workdir=%s", s->upper, s->work);
        /* An auto-removed container's root is never mounted again, and its
         * writes need not survive a crash: "volatile" spares the sync of
         * the whole upper filesystem when the overlay goes (every dirty
         * page of the host's disk, then a cache flush, as the monitor
         * ends).  Overlay refuses to mount a workdir that was mounted so:
         * that mark goes first. */
        bool vol = s->volatile_upper;
        rt_ovl_volatile_clear(s->work);
        if (vol)
                sb_append(&opts, ",volatile");
        /* After a restart the previous instance of this overlay may live on
         * for a moment in the dying namespace of the old init (ELOOP/EBUSY). */
        int r, e;
        for (int tries = 0;; tries++) {
                r = mount("overlay", s->merged, "overlay", 0, sb_str(&opts));
                e = errno;
                if (r < 0 && e == EINVAL && vol) { /* a kernel before 5.10 */
                        opts.len -= strlen(",volatile");
                        opts.s[opts.len] = '\0';
                        vol = false;
                        continue;
                }
                if (r == 0 || (e != ELOOP && e != EBUSY) || tries >= 200)
                        break;
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        sb_free(&opts);
        if (r < 0)
                return err_sys(err, e, "mount overlay rootfs on %s", s->merged);
        _cleanup_close_ int rootfd = open(s->merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return err_sys(err, errno, "open %s", s->merged);
        /* procfs and sysfs: the fds are the new mounts' own roots, so the
         * masks below land on them whatever the image's tree looks like */
        _cleanup_close_ int procfd =
            std_mount(rootfd, "proc", "/proc", "proc", "proc", NULL,
                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, true, err);
        if (procfd < 0)
                return -1;
        _cleanup_close_ int sysfs =
            std_mount(rootfd, "sys", "/sys", "sysfs", "sysfs", NULL,
                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                          (s->privileged ? 0 : MOUNT_ATTR_RDONLY),
                      true, err);
        if (sysfs < 0)
                return -1;
        _cleanup_close_ int devfd = setup_dev(rootfd, s->shm_size, err);
        if (devfd < 0)
                return -1;
        const char *etc[][2] = {{s->hosts_file, "/etc/hosts"},
                                {s->hostname_file, "/etc/hostname"},
                                {s->resolv_file, "/etc/resolv.conf"}};
        for (size_t i = 0; i < ARRAY_SIZE(etc); i++)
                if (etc[i][0] && mount_etc(rootfd, etc[i][1], etc[i][0], err) < 0)
                        return -1;
        for (size_t i = 0; i < s->nmounts; i++) {
                const struct rt_mount_spec *m = &s->mounts[i];
                if (!strcmp(m->type, "tmpfs")) {
                        unsigned attrs;
                        _cleanup_free_ char *data = NULL;
                        if (rt_tmpfs_opts(m->options, m->ro, &attrs, &data, err) < 0)
                                return err_wrap(err, "tmpfs %s", m->target);
                        if (mount_at(rootfd, m->target, false, false, NULL, attrs, data, err) < 0)
                                return -1;
                        continue;
                }
                struct stat st;
                if (stat(m->source, &st) < 0)
                        return err_sys(err, errno, "bind source path %s", m->source);
                if (mount_at(rootfd, m->target, !S_ISDIR(st.st_mode), true, m->source,
                             m->ro ? MOUNT_ATTR_RDONLY : 0, NULL, err) < 0)
                        return -1;
        }
        if (s->nsysctls) { /* the proc mount itself stays writable through this fd */
                *sysfd = open_beneath(procfd, "sys", O_RDONLY | O_DIRECTORY);
                if (*sysfd < 0)
                        return err_sys(err, errno, "open /proc/sys");
        }
        /* after every other mount, so none can hide or undo them */
        if (!s->privileged && mask_paths(procfd, sysfs, devfd, err) < 0)
                return -1;
        if (fchdir(rootfd) < 0)
                return err_sys(err, errno, "chdir rootfs");
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return err_sys(err, errno, "pivot_root");
        if (umount2(".", MNT_DETACH) < 0)
                return err_sys(err, errno, "detach old root");
        if (chdir("/") < 0)
                return err_sys(err, errno, "chdir /");
        if (s->readonly_rootfs &&
            mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
                return err_sys(err, errno, "remount rootfs read-only");
        return 0;
}

/* ---- user, working dir, executable ---------------------------------------- */

struct ids {
        uid_t uid;
        gid_t gid;
        gid_t groups[64];
        int ngroups;
        char home[256];
};

static bool all_digits(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* The container's /etc/passwd or /etc/group as a stream, or NULL when it is
 * missing or unusable.  The container owns these files: a FIFO, a device or
 * a file that never ends there must not block or exhaust the process that
 * looks a user up (the monitor waits on it for every healthcheck), so the
 * open never blocks, only a regular file is read, and at most 4 MiB. */
static FILE *open_user_db(const char *path, char **buf)
{
        *buf = NULL;
        size_t len = 0;
        if (read_regular_at(AT_FDCWD, path, 0, 4u << 20, buf, &len, NULL) < 0 || len == 0) {
                free(*buf);
                *buf = NULL;
                return NULL;
        }
        FILE *f = fmemopen(*buf, len, "r");
        if (!f) {
                free(*buf);
                *buf = NULL;
        }
        return f;
}

/* Look the user and groups up in the container's own /etc/passwd and /etc/group. */
static int resolve_user(const char *spec, struct ids *ids, err_t *err)
{
        memset(ids, 0, sizeof(*ids));
        snprintf(ids->home, sizeof(ids->home), "/");
        if (!spec || !*spec)
                spec = "0";
        _cleanup_free_ char *u = xstrdup(spec);
        char *g = strchr(u, ':');
        if (g)
                *g++ = '\0';
        bool found = false;
        char uname[256] = "";
        _cleanup_free_ char *pbuf = NULL, *gbuf = NULL;
        _cleanup_fclose_ FILE *pf = open_user_db("/etc/passwd", &pbuf);
        struct passwd *pw;
        while (pf && (pw = fgetpwent(pf))) {
                if (all_digits(u) ? pw->pw_uid == (uid_t)strtoul(u, NULL, 10)
                                  : !strcmp(pw->pw_name, u)) {
                        ids->uid = pw->pw_uid;
                        ids->gid = pw->pw_gid;
                        snprintf(ids->home, sizeof(ids->home), "%s", pw->pw_dir);
                        snprintf(uname, sizeof(uname), "%s", pw->pw_name);
                        found = true;
                        break;
                }
        }
        if (!found) {
                if (!all_digits(u))
                        return err_set(err, ENOENT,
                                       "unable to find user %s: no matching entries in passwd file",
                                       u);
                ids->uid = (uid_t)strtoul(u, NULL, 10);
        }
        _cleanup_fclose_ FILE *gf = open_user_db("/etc/group", &gbuf);
        bool gfound = !g || all_digits(g);
        if (g && all_digits(g))
                ids->gid = (gid_t)strtoul(g, NULL, 10);
        struct group *gr;
        while (gf && (gr = fgetgrent(gf))) {
                if (g && !all_digits(g) && !strcmp(gr->gr_name, g)) {
                        ids->gid = gr->gr_gid;
                        gfound = true;
                }
                /* supplementary groups only when no group was given explicitly (as docker) */
                if (!g && uname[0] && ids->ngroups < (int)ARRAY_SIZE(ids->groups))
                        for (char **m = gr->gr_mem; m && *m; m++)
                                if (!strcmp(*m, uname)) {
                                        ids->groups[ids->ngroups++] = gr->gr_gid;
                                        break;
                                }
        }
        if (!gfound)
                return err_set(err, ENOENT,
                               "unable to find group %s: no matching entries in group file", g);
        return 0;
}

static const char *env_get(const strv_t *env, const char *key)
{
        size_t n = strlen(key);
        for (size_t i = 0; i < env->n; i++)
                if (!strncmp(env->v[i], key, n) && env->v[i][n] == '=')
                        return env->v[i] + n + 1;
        return NULL;
}

/* Find argv0 along the container's PATH (not berth's). */
static int resolve_exe(const struct rt_proc *p, char **out, err_t *err)
{
        if (p->argv.n == 0)
                return err_set(err, EINVAL, "no command specified");
        const char *a0 = p->argv.v[0];
        if (strchr(a0, '/')) {
                *out = xstrdup(a0);
                return 0;
        }
        const char *path = env_get(&p->env, "PATH");
        if (!path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        _cleanup_free_ char *dup = xstrdup(path);
        int saw_eacces = 0;
        for (char *save = NULL, *d = strtok_r(dup, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                _cleanup_free_ char *c = xasprintf("%s/%s", *d ? d : ".", a0);
                struct stat st;
                if (stat(c, &st) == 0 && S_ISREG(st.st_mode)) {
                        if (access(c, X_OK) == 0) {
                                *out = TAKE_PTR(c);
                                return 0;
                        }
                        saw_eacces = 1;
                }
        }
        if (saw_eacces)
                return err_set(err, EACCES, "exec: \"%s\": permission denied", a0);
        return err_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", a0);
}

static int enter_cwd(const char *cwd, err_t *err)
{
        if (!cwd || !*cwd)
                return 0;
        if (cwd[0] != '/')
                return err_set(err, EINVAL, "working directory %s is not absolute", cwd);
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = mkpath_in_root(root, cwd, false, err);
        if (fd < 0)
                return err_wrap(err, "working directory");
        if (fchdir(fd) < 0)
                return err_sys(err, errno, "chdir to working directory %s", cwd);
        return 0;
}

static int apply_rlimits(const struct rt_proc *p, err_t *err)
{
        for (size_t i = 0; i < p->nulimits; i++) {
                struct rlimit cur, want = {p->ulimits[i].soft, p->ulimits[i].hard};
                if (getrlimit(p->ulimits[i].resource, &cur) < 0)
                        return err_sys(err, errno, "getrlimit");
                if (want.rlim_max > cur.rlim_max)
                        return err_set(
                            err, EPERM,
                            "ulimit: hard limit %llu is above the host's hard limit %llu "
                            "(raising it needs CAP_SYS_RESOURCE)",
                            (unsigned long long)want.rlim_max, (unsigned long long)cur.rlim_max);
                if (setrlimit(p->ulimits[i].resource, &want) < 0)
                        return err_sys(err, errno, "setrlimit");
        }
        return 0;
}

/* The init's seccomp filter, compiled while the CLI sets up the network
 * (between "ready" and "go"); .insns NULL: compiled at load time. */
static struct rt_seccomp_prog precompiled;

static int seccomp_now(const struct rt_proc *p, err_t *err)
{
        if (precompiled.insns)
                return rt_seccomp_load_prog(&precompiled, err);
        return rt_seccomp_load(p->seccomp_profile, p->caps, err);
}

/* Everything after "go": limits, privileges, exec.  Returns only on error. */
static int finish_and_exec(const struct rt_proc *p, const struct ids *ids, const char *exe,
                           err_t *err)
{
        if (apply_rlimits(p, err) < 0)
                return -1;
        if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return err_sys(err, errno, "set no_new_privs");
        /* Without no_new_privs loading a filter needs CAP_SYS_ADMIN: now.
         * With it, as late as possible (runc's order), so that a profile
         * need not allow what berth itself calls before execve. */
        if (p->seccomp && !p->no_new_privs && seccomp_now(p, err) < 0)
                return -1;
        if (rt_caps_bound(p->caps, err) < 0)
                return -1;
        if (setgroups((size_t)ids->ngroups, ids->groups) < 0)
                return err_sys(err, errno, "setgroups");
        if (setresgid(ids->gid, ids->gid, ids->gid) < 0)
                return err_sys(err, errno, "setgid %u", ids->gid);
        if (setresuid(ids->uid, ids->uid, ids->uid) < 0)
                return err_sys(err, errno, "setuid %u", ids->uid);
        if (rt_caps_apply(p->caps, err) < 0)
                return -1;
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return err_sys(err, errno, "close_range");
        umask(022);
        strv_t env = STRV_INIT;
        strv_copy(&env, &p->env);
        if (!env_get(&env, "HOME"))
                strv_pushf(&env, "HOME=%s", ids->home);
        if (p->seccomp && p->no_new_privs && seccomp_now(p, err) < 0) {
                strv_free(&env);
                return -1;
        }
        execve(exe, p->argv.v, env.v ? env.v : (char *[]){NULL});
        int e = errno;
        strv_free(&env);
        if (e == ENOENT)
                err_set(err, e, "exec: \"%s\": no such file or directory", exe);
        else
                err_sys(err, e, "exec: \"%s\"", exe);
        return rt_exec_failure_status(e);
}

static void setup_stdio(const int stdio[3], bool tty)
{
        int tmp[3];
        /* dup above 2 first so the sources never overlap the targets */
        for (int i = 0; i < 3; i++)
                tmp[i] = fcntl(stdio[i], F_DUPFD_CLOEXEC, 3);
        for (int i = 0; i < 3; i++)
                if (tmp[i] >= 0)
                        dup2(tmp[i], i);
        if (tty) {
                setsid();
                ioctl(0, TIOCSCTTY, 0);
        }
}

/* A container process starts with default dispositions and nothing blocked,
 * whatever its creator (the monitor blocks SIGTERM, SIGCHLD... for its
 * signalfd) had: otherwise a stop signal would never reach it. */
static void reset_signals(void)
{
        sigset_t none;
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

/* ---- minimal init (--init) ------------------------------------------------- */

static volatile sig_atomic_t init_child;

static void init_forward(int sig)
{
        if (init_child > 0)
                kill(init_child, sig);
}

/* PID 1 with --init: run the command as a child, forward signals to it, reap
 * everything, exit with the command's status.  It never execs, so no host
 * binary is visible in the container; it is not dumpable. */
static _Noreturn void run_init(const struct rt_proc *p, const struct ids *ids, const char *exe,
                               int sock)
{
        sigset_t all, old;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, &old);
        pid_t c = fork();
        if (c == 0) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                for (int s = 1; s < NSIG; s++)
                        signal(s, SIG_DFL);
                err_t e = {0};
                int st = finish_and_exec(p, ids, exe, &e);
                child_fail(sock, &e, st < 0 ? 125 : st);
        }
        /* PID 1 needs none of the monitor's fds (log, control and sync
         * sockets, published ports' sockets): only the container's stdio */
        syscall(SYS_close_range, 3U, ~0U, 0U);
        init_child = c;
        struct sigaction sa = {.sa_handler = init_forward};
        for (int s = 1; s < NSIG; s++)
                if (s != SIGCHLD && s != SIGKILL && s != SIGSTOP)
                        sigaction(s, &sa, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        int status = 0;
        for (;;) {
                int st;
                pid_t w = wait(&st);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        break;
                /* The container lives as long as its command: when it ends, so
                 * does PID 1, and the kernel kills whatever else is left in the
                 * pid namespace (orphans, an exec'd healthcheck). */
                if (w == c) {
                        status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                        break;
                }
        }
        _exit(status);
}

/* ---- the init child ------------------------------------------------------------ */

/* cj: the cgroups it joins itself, first of all (NULL: its starter moves
 * it, rt_spawn_start). */
static _Noreturn void child_main(const struct rt_spawn *s, struct rt_cg_join *cj, int sock)
{
        err_t e = {0};
        if (cj) {
                if (rt_cgroup_join_self(cj, &e) < 0)
                        child_fail(sock, &e, 125);
                rt_cgroup_join_close(cj);
        }
        reset_signals();
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        umask(0);
        if (!s->proc.tty)
                setup_stdio(s->stdio, false);
        if (s->join_netns_fd >= 0 && setns(s->join_netns_fd, CLONE_NEWNET) < 0) {
                err_sys(&e, errno, "join network namespace");
                child_fail(sock, &e, 125);
        }
        int sysfd = -1;
        if (setup_root(s, &sysfd, &e) < 0)
                child_fail(sock, &e, 125);
        if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) {
                err_sys(&e, errno, "sethostname");
                child_fail(sock, &e, 125);
        }
        struct ids ids;
        _cleanup_free_ char *exe = NULL;
        if (resolve_user(s->proc.user, &ids, &e) < 0 || enter_cwd(s->proc.cwd, &e) < 0)
                child_fail(sock, &e, 125);
        if (resolve_exe(&s->proc, &exe, &e) < 0)
                child_fail(sock, &e, rt_exec_failure_status(e.code));
        if (s->proc.tty) {
                /* the terminal comes from the container's own devpts, so
                 * ttyname() works inside; the monitor gets the master */
                int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
                int unlock = 0;
                int slave = master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0
                                ? -1
                                : ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
                if (slave < 0) {
                        err_sys(&e, errno, "allocate the container's terminal");
                        child_fail(sock, &e, 125);
                }
                int st[3] = {slave, slave, slave};
                setup_stdio(st, true);
                close(slave);
                send_ready_fd(sock, master);
                close(master);
        } else {
                (void)rt_mon_send(sock, MSG_READY, 0, 0, NULL);
        }
        /* while the CLI sets up the network: libseccomp's compilation, so
         * that only the load is left after "go" (failing, it is done again
         * then, and its error reported as always) */
        if (s->proc.seccomp) {
                err_t ce = {0};
                (void)rt_seccomp_compile(s->proc.seccomp_profile, s->proc.caps, &precompiled, &ce);
        }
        char go;
        ssize_t r;
        do
                r = read(sock, &go, 1);
        while (r < 0 && errno == EINTR);
        if (r != 1)
                _exit(125); /* the parent gave up */
        if (sysfd >= 0) {
                if (apply_sysctls(s, sysfd, &e) < 0)
                        child_fail(sock, &e, 125);
                close(sysfd);
        }
        if (s->init)
                run_init(&s->proc, &ids, exe, sock);
        int st = finish_and_exec(&s->proc, &ids, exe, &e);
        child_fail(sock, &e, st < 0 ? 125 : st);
}

/* The init's oom_score_adj, written from outside while it waits: only when
 * it differs from the one it inherited from us.  Lowering it below what we
 * have needs CAP_SYS_RESOURCE: the kernel's refusal is the error. */
static int set_oom_score_adj(pid_t pid, int v, err_t *err)
{
        char path[64], cur[32] = "";
        snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return err_sys(err, errno, "open %s", path);
        ssize_t n = read(fd, cur, sizeof(cur) - 1);
        if (n > 0 && atoi(cur) == v)
                return 0;
        char val[16];
        int len = snprintf(val, sizeof(val), "%d", v);
        if (pwrite(fd, val, (size_t)len, 0) != len)
                return err_sys(err, errno, "set oom_score_adj to %d (current %d%s)", v,
                               n > 0 ? atoi(cur) : 0,
                               errno == EACCES ? "; lowering it needs CAP_SYS_RESOURCE" : "");
        return 0;
}

/* What is left of the init's cgroups once it is cloned, done by a thread
 * while the init builds its root, the monitor sends its pid, the CLI wires
 * its network and the monitor records the running state; rt_spawn_go waits
 * for it before "go": the cgroup2 device program (its verification, ~0.3 ms
 * here; attached in one step, and its rules allow the mknods of the set-up,
 * as the v1 devices list written before does), and the init's move
 * where it cannot join its cgroups itself (no clone3 here, e.g. refused by a
 * seccomp filter around berth: see rt_cg_join).  Such a move waits for an
 * RCU grace period (cgroup_threadgroup_rwsem taken for writing: 6-19 ms
 * here), which then overlaps that work.  One init is started at a time. */
static struct {
        bool pending;
        pthread_t thread;
        const char *id;
        pid_t pid;
        bool devices, move;
        int rc;
        err_t err;
} cg_move;

static int cg_finish(void)
{
        if (cg_move.devices && rt_cgroup_device_program(cg_move.id, &cg_move.err) < 0)
                return -1;
        return cg_move.move ? rt_cgroup_attach(cg_move.id, cg_move.pid, &cg_move.err) : 0;
}

static void *attach_main(void *arg)
{
        (void)arg;
        cg_move.rc = cg_finish();
        return NULL;
}

/* Wait for the move; < 0 (err filled) when it failed. */
static int attach_wait(err_t *err)
{
        if (!cg_move.pending)
                return 0;
        pthread_join(cg_move.thread, NULL);
        cg_move.pending = false;
        if (cg_move.rc < 0) {
                *err = cg_move.err;
                return -1;
        }
        return 0;
}

static int attach_begin(const char *id, pid_t pid, bool devices, bool move, err_t *err)
{
        if (!devices && !move)
                return 0;
        cg_move.id = id;
        cg_move.pid = pid;
        cg_move.devices = devices;
        cg_move.move = move;
        cg_move.rc = 0;
        err_clear(&cg_move.err);
        int e = pthread_create(&cg_move.thread, NULL, attach_main, NULL);
        if (e == 0) {
                cg_move.pending = true;
                return 0;
        }
        if (cg_finish() < 0) { /* no thread: now */
                *err = cg_move.err;
                return -1;
        }
        return 0;
}

int rt_spawn_start(const struct rt_spawn *s, pid_t *pid, int *sync_fd, int *pty_master,
                   int *fail_status, err_t *err)
{
        err_t ignored;
        (void)attach_wait(&ignored); /* an earlier start's, abandoned */
        *pty_master = -1;
        *fail_status = 125;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return err_sys(err, errno, "socketpair");
        unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
        if (s->new_netns && s->join_netns_fd < 0)
                flags |= CLONE_NEWNET;
        /* Into its cgroups without a grace period (rt_cg_join): born in the
         * cgroup2 one, then it joins the v1 ones itself, before anything
         * else (the default device rules allow the mknods of the set-up). */
        struct rt_cg_join cj = {.v2dir = -1};
        if (s->cgroup && rt_cgroup_join_open(s->id, &cj, err) < 0) {
                close(sv[0]);
                close(sv[1]);
                return -1;
        }
        bool self = s->cgroup;
        pid_t c = -1;
        if (cj.v2dir >= 0) {
                struct clone_args ca = {.flags = flags | CLONE_INTO_CGROUP,
                                        .exit_signal = SIGCHLD,
                                        .cgroup = (uint64_t)cj.v2dir};
                c = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
                self = c >= 0; /* else as before: clone, and a thread moves it */
        }
        if (c < 0)
                c = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
        if (c < 0) {
                int e = errno;
                rt_cgroup_join_close(&cj);
                errno = e;
                return close_pair_fail(sv, err, "clone container init");
        }
        if (c == 0) {
                close(sv[0]);
                child_main(s, self ? &cj : NULL, sv[1]);
        }
        rt_cgroup_join_close(&cj);
        close(sv[1]);
        if (s->cgroup && attach_begin(s->id, c, s->cgroup_devices, !self, err) < 0) {
                kill(c, SIGKILL);
                waitpid(c, NULL, 0);
                close(sv[0]);
                return -1;
        }
        struct rt_mon_msg m;
        int passed;
        int r = recv_msg_fd(sv[0], &m, &passed);
        if (r == 1 && m.type == MSG_READY && set_oom_score_adj(c, s->oom_score_adj, err) < 0) {
                if (passed >= 0)
                        close(passed);
                rt_spawn_cancel(c);
                close(sv[0]);
                return -1;
        }
        if (r != 1 || m.type != MSG_READY)
                (void)attach_wait(&ignored); /* before it is reaped */
        if (r == 1 && m.type == MSG_READY) {
                *pid = c;
                *sync_fd = sv[0];
                *pty_master = passed;
                return 0;
        }
        if (passed >= 0)
                close(passed);
        int status;
        waitpid(c, &status, 0);
        close(sv[0]);
        if (r == 1 && m.type == MSG_ERROR) {
                *fail_status = m.pid;
                return err_set(err, m.code, "%s", m.msg);
        }
        return err_set(err, EIO, "container init exited during setup");
}

void rt_spawn_cancel(pid_t pid)
{
        err_t ignored;
        kill(pid, SIGKILL);
        (void)attach_wait(&ignored); /* before the pid can be reused */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
}

int rt_spawn_go(int sync_fd, int *fail_status, err_t *err)
{
        *fail_status = 125;
        pid_t init = cg_move.pid;
        if (attach_wait(err) < 0) {
                kill(init, SIGKILL); /* never runs outside its cgroups */
                return -1;
        }
        char go = 'g';
        if (write(sync_fd, &go, 1) != 1)
                return err_sys(err, errno, "start container init");
        struct rt_mon_msg m;
        int r = rt_mon_recv(sync_fd, &m);
        if (r == 0)
                return 0; /* the socket closed on execve */
        if (r < 0)
                return err_sys(err, errno, "read container start status");
        *fail_status = m.pid;
        return err_set(err, m.code, "%s", m.msg);
}

/* ---- exec into a running container ------------------------------------------ */

/* Pin the container's init: a pidfd of init_pid, checked to be the init
 * berth recorded for id (pid and start time) after it was opened, so a pid
 * reused meanwhile is never joined.  The caller's own child (the monitor's
 * init) cannot be reused while unreaped: no record check then. */
static int pin_init(pid_t init_pid, const char *id, err_t *err)
{
        int pfd = (int)syscall(SYS_pidfd_open, init_pid, 0);
        if (pfd < 0)
                return err_sys(err, errno, "container %s: open its init (pid %d)", id,
                               (int)init_pid);
        char p[64];
        snprintf(p, sizeof(p), "/proc/%d/stat", (int)init_pid);
        _cleanup_free_ char *stat = NULL;
        bool mine = false;
        if (read_file(p, &stat, NULL, NULL) == 0) {
                const char *rp = strrchr(stat, ')');
                mine = rp && atoi(rp + 4) == getpid(); /* field 4: ppid */
        }
        pid_t again = 0;
        if (!mine && (!rt_ctr_monitor_alive(id, &again) || again != init_pid)) {
                close(pfd);
                return err_set(err, ESRCH, "container %s is not running (its init is gone)", id);
        }
        return pfd;
}

/* Join every namespace of the pinned init. */
static int join_init(int pidfd, pid_t init_pid, err_t *err)
{
        static const struct {
                const char *name;
                int type;
        } nss[] = {{"ipc", CLONE_NEWIPC},
                   {"uts", CLONE_NEWUTS},
                   {"net", CLONE_NEWNET},
                   {"pid", CLONE_NEWPID},
                   {"mnt", CLONE_NEWNS}};
        int all = 0;
        for (size_t i = 0; i < ARRAY_SIZE(nss); i++)
                all |= nss[i].type;
        if (setns(pidfd, all) == 0)
                return 0;
        if (errno != EINVAL)
                return err_sys(err, errno, "join the container's namespaces");
        /* kernel before 5.8: by path, then check the pidfd still names a
         * live process, so the files were that process's */
        int fds[ARRAY_SIZE(nss)];
        for (size_t i = 0; i < ARRAY_SIZE(nss); i++) {
                char p[64];
                snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)init_pid, nss[i].name);
                fds[i] = open(p, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0)
                        return err_sys(err, errno, "open %s", p);
        }
        if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
                return err_set(err, ESRCH, "the container's init is gone");
        for (size_t i = 0; i < ARRAY_SIZE(nss); i++)
                if (setns(fds[i], nss[i].type) < 0)
                        return err_sys(err, errno, "join %s namespace", nss[i].name);
        return 0;
}

/* A terminal from the container's own devpts instance: its ptmx opened
 * without following anything the container may have put in /dev, checked to
 * be a devpts ptmx; the slave through TIOCGPTPEER.  Returns the master. */
static int container_pty(int *slave, err_t *err)
{
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct open_how how = {
            .flags = O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC,
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        _cleanup_close_ int m =
            root < 0 ? -1 : (int)syscall(SYS_openat2, root, "dev/pts/ptmx", &how, sizeof(how));
        struct statfs sf;
        struct stat st;
        if (m < 0 || fstatfs(m, &sf) < 0 || fstat(m, &st) < 0)
                return err_sys(err, errno, "open the container's /dev/pts/ptmx");
        if (sf.f_type != DEVPTS_SUPER_MAGIC || !S_ISCHR(st.st_mode))
                return err_set(err, EPERM, "the container's /dev/pts/ptmx is not its devpts ptmx");
        int unlock = 0;
        if (ioctl(m, TIOCSPTLCK, &unlock) < 0 ||
            (*slave = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
                return err_sys(err, errno, "allocate a terminal in the container");
        int fl = fcntl(m, F_GETFL);
        fcntl(m, F_SETFL, fl & ~O_NONBLOCK);
        return TAKE_FD(m);
}

int rt_exec(pid_t init_pid, const char *id, const struct rt_proc *proc, const int stdio[3],
            int *pty_master, pid_t *pid_out, int *fail_status, err_t *err)
{
        *fail_status = 125;
        if (pty_master)
                *pty_master = -1;
        _cleanup_close_ int pidfd = pin_init(init_pid, id, err);
        if (pidfd < 0)
                return -1;
        /* Into the container's cgroups as the init goes (rt_cg_join), without
         * the RCU grace period of a move through cgroup.procs (7-15 ms per
         * exec after a quiet spell): the intermediate, single-threaded, writes
         * "0" to each v1 tasks, and the process is cloned into the cgroup2
         * one.  Where the cgroups cannot be opened so, or clone3 is refused,
         * the intermediate moves itself through cgroup.procs, as before. */
        struct rt_cg_join cj = {.v2dir = -1};
        err_t ignored = {0};
        bool join = rt_cgroup_join_open(id, &cj, &ignored) == 0;
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                rt_cgroup_join_close(&cj);
                return err_sys(err, errno, "socketpair");
        }
        pid_t a = fork();
        if (a < 0) {
                rt_cgroup_join_close(&cj);
                return close_pair_fail(sv, err, "fork");
        }
        if (a == 0) {
                err_t e = {0};
                reset_signals();
                close(sv[0]);
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                int joined =
                    join ? rt_cgroup_join_self(&cj, &e) : rt_cgroup_attach(id, getpid(), &e);
                if (joined < 0 || join_init(pidfd, init_pid, &e) < 0)
                        child_fail(sv[1], &e, 125);
                /* The new process is a child of our caller, inside the pid ns
                 * (clone3: CLONE_PARENT takes our exit signal). */
                pid_t b = -1;
                if (join && cj.v2dir >= 0) {
                        struct clone_args ca = {.flags = CLONE_PARENT | CLONE_INTO_CGROUP,
                                                .cgroup = (uint64_t)cj.v2dir};
                        b = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
                        if (b < 0 && rt_cgroup_join_self_v2(&cj, &e) < 0)
                                child_fail(sv[1], &e, 125);
                }
                if (b < 0)
                        b = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
                if (b < 0) {
                        err_sys(&e, errno, "clone exec process");
                        child_fail(sv[1], &e, 125);
                }
                if (b > 0) {
                        (void)rt_mon_send(sv[1], MSG_PID, 0, b, NULL);
                        _exit(0);
                }
                rt_cgroup_join_close(&cj);
                prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
                if (pty_master && proc->tty) {
                        int slave = -1;
                        int m = container_pty(&slave, &e);
                        if (m < 0)
                                child_fail(sv[1], &e, 125);
                        int st[3] = {slave, slave, slave};
                        setup_stdio(st, true);
                        close(slave);
                        send_ready_fd(sv[1], m);
                        close(m);
                } else {
                        setup_stdio(stdio, proc->tty);
                }
                struct ids ids;
                _cleanup_free_ char *exe = NULL;
                if (resolve_user(proc->user, &ids, &e) < 0 || enter_cwd(proc->cwd, &e) < 0)
                        child_fail(sv[1], &e, 125);
                if (resolve_exe(proc, &exe, &e) < 0)
                        child_fail(sv[1], &e, rt_exec_failure_status(e.code));
                int fst = finish_and_exec(proc, &ids, exe, &e);
                child_fail(sv[1], &e, fst < 0 ? 125 : fst);
        }
        rt_cgroup_join_close(&cj);
        close(sv[1]);
        int st;
        while (waitpid(a, &st, 0) < 0 && errno == EINTR)
                ;
        /* The set-up runs inside the container, where its processes can stop
         * it (kill -STOP -1) before it execs: the wait is bounded, so no
         * container can hold the caller (the monitor, for a healthcheck). */
        struct timeval tv = {RT_EXEC_SETUP_TIMEOUT_S, 0};
        (void)setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        /* Until EOF (the intermediate exited, the process exec'd or failed):
         * its pid, the terminal's master, or an error, in any order. */
        pid_t b = 0;
        int master = -1, r;
        struct rt_mon_msg m, fail = {0};
        for (;;) {
                int passed;
                r = recv_msg_fd(sv[0], &m, &passed);
                if (r != 1)
                        break;
                if (m.type == MSG_PID)
                        b = m.pid;
                else if (m.type == MSG_READY && passed >= 0 && master < 0)
                        master = passed, passed = -1;
                else if (m.type == MSG_ERROR && !fail.type)
                        fail = m;
                if (passed >= 0)
                        close(passed);
        }
        int timed_out = r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        close(sv[0]);
        if (timed_out && !fail.type && b > 0) {
                kill(b, SIGKILL);
                while (waitpid(b, &st, 0) < 0 && errno == EINTR)
                        ;
                if (master >= 0)
                        close(master);
                return err_set(err, ETIMEDOUT,
                               "exec setup in container %.12s did not finish within %d s", id,
                               RT_EXEC_SETUP_TIMEOUT_S);
        }
        if (fail.type || b <= 0) {
                if (master >= 0)
                        close(master);
                if (b > 0)
                        while (waitpid(b, &st, 0) < 0 && errno == EINTR)
                                ;
                if (!fail.type)
                        return err_set(err, EIO, "exec setup process died");
                *fail_status = fail.pid;
                return err_set(err, fail.code, "%s", fail.msg);
        }
        if (pty_master)
                *pty_master = master;
        *pid_out = b;
        return 0;
}
