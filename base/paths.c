#include "paths.h"

#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fsutil.h"
#include "xalloc.h"

/* On the heap, not in 8 kB of static buffers: a monitor, which lives as long
 * as its container, keeps every page it has written to. */
static char *lib_dir, *run_dir, inst[32];
static pthread_once_t paths_once = PTHREAD_ONCE_INIT;

static void paths_make(void)
{
        const char *root = getenv("BERTH_ROOT");
        if (root && *root) {
                /* FNV-1a of the root path: stable and cheap. */
                uint32_t h = 2166136261u;
                for (const char *p = root; *p; p++)
                        h = (h ^ (uint8_t)*p) * 16777619u;
                lib_dir = xasprintf("%s/lib", root);
                run_dir = xasprintf("%s/run", root);
                snprintf(inst, sizeof(inst), "berth-%08x", h);
        } else {
                lib_dir = xstrdup("/var/lib/berth");
                run_dir = xstrdup("/run/berth");
                snprintf(inst, sizeof(inst), "berth");
        }
}

static void paths_init(void)
{
        pthread_once(&paths_once, paths_make);
}

const char *berth_lib_dir(void)
{
        paths_init();
        return lib_dir;
}

const char *berth_run_dir(void)
{
        paths_init();
        return run_dir;
}

const char *berth_instance_name(void)
{
        paths_init();
        return inst;
}

/* The state dirs, relative to the lib and run dirs ("" is the dir itself).
 * Only root may enter them (CVE-2021-41091: a local user must not reach a
 * container's rootfs or a volume and run a setuid binary a container
 * planted, nor read config.json, logs or DNS records). */
static const char *const lib_subdirs[] = {"",         "containers", "volumes", "image",
                                          "networks", "compose",    "build"};
static const char *const run_subdirs[] = {"", "containers", "dns", "netjoin", "networks"};

/* The dirs with one directory per container: marked as tops of directory
 * hierarchies (FS_TOPDIR_FL), so that ext2/3/4 spread their subdirectories
 * over the block groups (Orlov) instead of putting each next to its parent.
 * Without a journal, ext4 does not reuse an inode freed in the last 5-300 s,
 * and each new inode walks past every such inode of its group: with every
 * container's files in one group, a compose up of 50 right after a down spent
 * over 40% of its CPU in that walk (docs/PERFORMANCE.md, session 7).  The
 * flag changes only where new directories go; a filesystem that does not
 * know it refuses or ignores it, which is fine. */
static void mark_topdir(int fd)
{
        int fl;
        if (ioctl(fd, FS_IOC_GETFLAGS, &fl) == 0 && !(fl & FS_TOPDIR_FL)) {
                fl |= FS_TOPDIR_FL;
                (void)ioctl(fd, FS_IOC_SETFLAGS, &fl);
        }
}

static void harden_dir(const char *base, const char *sub)
{
        char p[4200];
        snprintf(p, sizeof(p), "%s%s%s", base, *sub ? "/" : "", sub);
        /* the root itself may be a symlink an admin made; below it, never */
        int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (*sub ? O_NOFOLLOW : 0));
        if (fd < 0)
                return;
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && (st.st_mode & 07077))
                (void)fchmod(fd, 0700);
        if (!strcmp(sub, "containers"))
                mark_topdir(fd);
        close(fd);
}

void berth_dirs_harden(void)
{
        for (size_t i = 0; i < sizeof(lib_subdirs) / sizeof(lib_subdirs[0]); i++)
                harden_dir(berth_lib_dir(), lib_subdirs[i]);
        for (size_t i = 0; i < sizeof(run_subdirs) / sizeof(run_subdirs[0]); i++)
                harden_dir(berth_run_dir(), run_subdirs[i]);
}

int berth_dirs_ensure(err_t *err)
{
        _cleanup_free_ char *lc = xasprintf("%s/containers", berth_lib_dir());
        _cleanup_free_ char *rc = xasprintf("%s/containers", berth_run_dir());
        /* the containers dirs too, so the first container's is spread */
        if (mkdir_p(lc, 0700, err) < 0 || mkdir_p(rc, 0700, err) < 0)
                return -1;
        berth_dirs_harden();
        return 0;
}

char *berth_sibling_path(const char *env_var, const char *name, const char *fallback)
{
        const char *env = getenv(env_var);
        if (env && *env)
                return xstrdup(env);
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0)
                return fallback ? xstrdup(fallback) : NULL;
        self[n] = '\0';
        return xasprintf("%s/%s", dirname(self), name);
}
