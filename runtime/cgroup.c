#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "ctr_stats.h"
#include "devices_bpf.h"
#include "fsutil.h"
#include "paths.h"
#include "strbuf.h"
#include "strv.h"
#include "xalloc.h"

/* cpuacct and blkio (v1) and io (v2) only account, for `stats`. */
static const char *const controllers[] = {"memory",  "cpu",     "pids",  "cpuset", "devices",
                                          "freezer", "cpuacct", "blkio", "io"};
#define NCTL ARRAY_SIZE(controllers)

struct cg_layout {
        char *v1[NCTL]; /* v1 mount point per controller, NULL if not v1 */
        char *v2;       /* cgroup2 mount point, NULL if none */
        bool in_v2[NCTL];
};

static struct cg_layout layout;

static bool opt_has(const char *opts, const char *name)
{
        size_t n = strlen(name);
        for (const char *p = opts; p && *p;) {
                const char *c = strchr(p, ',');
                size_t len = c ? (size_t)(c - p) : strlen(p);
                if (len == n && !strncmp(p, name, n))
                        return true;
                p = c ? c + 1 : NULL;
        }
        return false;
}

static void layout_read(void)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return;
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) > 0) {
                /* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
                char *sep = strstr(line, " - ");
                if (!sep)
                        continue;
                char mnt[4096], fstype[64], src[256], sopts[1024];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
                    sscanf(sep + 3, "%63s %255s %1023s", fstype, src, sopts) != 3)
                        continue;
                if (!strcmp(fstype, "cgroup2")) {
                        if (!layout.v2)
                                layout.v2 = xstrdup(mnt);
                } else if (!strcmp(fstype, "cgroup")) {
                        for (size_t i = 0; i < NCTL; i++)
                                if (!layout.v1[i] && opt_has(sopts, controllers[i]))
                                        layout.v1[i] = xstrdup(mnt);
                }
        }
        free(line);
        fclose(f);
        if (layout.v2) {
                _cleanup_free_ char *p = xasprintf("%s/cgroup.controllers", layout.v2);
                _cleanup_free_ char *buf = NULL;
                if (read_file(p, &buf, NULL, NULL) == 0) {
                        for (char *tok = strtok(buf, " \n"); tok; tok = strtok(NULL, " \n"))
                                for (size_t i = 0; i < NCTL; i++)
                                        if (!layout.v1[i] && !strcmp(tok, controllers[i]))
                                                layout.in_v2[i] = true;
                }
        }
}

/* Once per process, also when threads ask at once (compose's starts and
 * removals): none sees a layout half read. */
static void layout_detect(void)
{
        static pthread_once_t once = PTHREAD_ONCE_INIT;
        (void)pthread_once(&once, layout_read);
}

static int ctl_index(const char *name)
{
        for (size_t i = 0; i < NCTL; i++)
                if (!strcmp(controllers[i], name))
                        return (int)i;
        return -1;
}

char *rt_cgroup_path(const char *id, const char *controller)
{
        layout_detect();
        int i = ctl_index(controller);
        if (i < 0)
                return NULL;
        if (layout.v1[i])
                return xasprintf("%s/%s/%s", layout.v1[i], berth_instance_name(), id);
        if (layout.in_v2[i])
                return xasprintf("%s/%s/%s", layout.v2, berth_instance_name(), id);
        return NULL;
}

/* Every distinct directory the container uses (v1 mounts may be shared by
 * several controllers). */
static void cg_dirs(const char *id, strv_t *out)
{
        layout_detect();
        for (size_t i = 0; i < NCTL; i++) {
                if (!layout.v1[i])
                        continue;
                char *d = xasprintf("%s/%s/%s", layout.v1[i], berth_instance_name(), id);
                if (strv_contains(out, d))
                        free(d);
                else
                        strv_take(out, d);
        }
        /* always one in cgroup2 (controllers there, the device filter, the
         * freezer), also on hybrid hosts where it holds no controller */
        if (layout.v2)
                strv_pushf(out, "%s/%s/%s", layout.v2, berth_instance_name(), id);
}

static int write_str(const char *dir, const char *file, const char *val, err_t *err)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return err_sys(err, errno, "cgroup: open %s", p);
        if (write(fd, val, strlen(val)) < 0)
                return err_sys(err, errno, "cgroup: write \"%s\" to %s", val, p);
        return 0;
}

static int writef(const char *dir, const char *file, err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int writef(const char *dir, const char *file, err_t *err, const char *fmt, ...)
{
        va_list ap;
        char buf[256];
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        return write_str(dir, file, buf, err);
}

static int v1_cpuset_copy(const char *parent, const char *child, err_t *err)
{
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", parent, files[i]);
                _cleanup_free_ char *v = NULL;
                if (read_file(p, &v, NULL, err) < 0)
                        return -1;
                v[strcspn(v, "\n")] = '\0';
                if (write_str(child, files[i], v, err) < 0)
                        return -1;
        }
        return 0;
}

/* The default allow list into a v1 devices cgroup: one rule per write, all
 * through one open file. */
static int v1_devices_allow(const char *dir, err_t *err)
{
        _cleanup_free_ char *p = xasprintf("%s/devices.allow", dir);
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return err_sys(err, errno, "cgroup: open %s", p);
        for (size_t k = 0; k < rt_dev_default_allow_n; k++) {
                const char *r = rt_dev_default_allow[k];
                if (write(fd, r, strlen(r)) < 0)
                        return err_sys(err, errno, "cgroup: write \"%s\" to %s", r, p);
        }
        return 0;
}

static int mkdir_cg(const char *path, err_t *err)
{
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return err_sys(err, errno, "cgroup: mkdir %s", path);
        return 0;
}

/* cgroup v2 restricts devices only through an eBPF program.  On a hybrid host
 * the v1 devices controller checks too (after the program); there the program
 * is defence in depth and a kernel refusing bpf() is no reason to fail. */
static int attach_device_filter(const char *dir, err_t *err)
{
        size_t n = rt_dev_default_allow_n;
        _cleanup_free_ struct rt_dev_rule *rules = xmalloc(sizeof(*rules) * n);
        for (size_t i = 0; i < n; i++)
                if (rt_dev_rule_parse(rt_dev_default_allow[i], &rules[i], err) < 0)
                        return -1;
        err_t e = {0};
        if (rt_devbpf_attach(dir, rules, n, &e) == 0)
                return 0;
        if (layout.v1[ctl_index("devices")])
                return 0;
        if (err)
                *err = e;
        return err_wrap(err, "cgroup v2 device filter");
}

int rt_cgroup_create(const char *id, const struct rt_cgroup_limits *l, err_t *err)
{
        layout_detect();
        const char *inst = berth_instance_name();
        /* v1 */
        for (size_t i = 0; i < NCTL; i++) {
                const char *root = layout.v1[i];
                if (!root)
                        continue;
                const char *c = controllers[i];
                bool cpuset = !strcmp(c, "cpuset");
                if (cpuset && !(l->cpuset_cpus && *l->cpuset_cpus))
                        continue;
                _cleanup_free_ char *parent = xasprintf("%s/%s", root, inst);
                _cleanup_free_ char *dir = xasprintf("%s/%s", parent, id);
                if (mkdir_cg(parent, err) < 0 || mkdir_cg(dir, err) < 0)
                        return -1;
                if (cpuset) {
                        if (v1_cpuset_copy(root, parent, err) < 0 ||
                            v1_cpuset_copy(parent, dir, err) < 0 ||
                            write_str(dir, "cpuset.cpus", l->cpuset_cpus, err) < 0)
                                return -1;
                } else if (!strcmp(c, "memory")) {
                        if (l->memory > 0 &&
                            writef(dir, "memory.limit_in_bytes", err, "%" PRId64, l->memory) < 0)
                                return -1;
                        if (l->memory > 0 && l->memory_swap != 0) {
                                _cleanup_free_ char *sw =
                                    xasprintf("%s/memory.memsw.limit_in_bytes", dir);
                                if (access(sw, F_OK) < 0)
                                        return err_set(
                                            err, ENOTSUP,
                                            "--memory-swap: this kernel has no swap accounting");
                                if (writef(dir, "memory.memsw.limit_in_bytes", err, "%" PRId64,
                                           l->memory_swap < 0 ? (int64_t)-1 : l->memory_swap) < 0)
                                        return -1;
                        } else if (l->memory > 0) {
                                /* Docker: swap defaults to the same amount again. */
                                _cleanup_free_ char *sw =
                                    xasprintf("%s/memory.memsw.limit_in_bytes", dir);
                                if (access(sw, F_OK) == 0 &&
                                    writef(dir, "memory.memsw.limit_in_bytes", err, "%" PRId64,
                                           l->memory * 2) < 0)
                                        return -1;
                        }
                } else if (!strcmp(c, "devices") && !l->devices_all) {
                        if (write_str(dir, "devices.deny", "a", err) < 0 ||
                            v1_devices_allow(dir, err) < 0)
                                return -1;
                } else if (!strcmp(c, "cpu")) {
                        if (l->nano_cpus > 0 &&
                            (writef(dir, "cpu.cfs_period_us", err, "100000") < 0 ||
                             writef(dir, "cpu.cfs_quota_us", err, "%" PRId64,
                                    l->nano_cpus / 10000) < 0))
                                return -1;
                        if (l->cpu_shares > 0 &&
                            writef(dir, "cpu.shares", err, "%" PRId64, l->cpu_shares) < 0)
                                return -1;
                } else if (!strcmp(c, "pids")) {
                        int64_t p = l->pids_limit == 0 ? RT_PIDS_DEFAULT : l->pids_limit;
                        if (p > 0 ? writef(dir, "pids.max", err, "%" PRId64, p) < 0
                                  : write_str(dir, "pids.max", "max", err) < 0)
                                return -1;
                }
        }
        /* v2: one directory for the controllers that live there and the device filter */
        if (!layout.v2)
                return 0;
        _cleanup_free_ char *parent = xasprintf("%s/%s", layout.v2, inst);
        _cleanup_free_ char *dir = xasprintf("%s/%s", parent, id);
        if (mkdir_cg(parent, err) < 0)
                return -1;
        strbuf_t en = STRBUF_INIT;
        for (size_t i = 0; i < NCTL; i++)
                if (layout.in_v2[i] && strcmp(controllers[i], "devices"))
                        sb_appendf(&en, "%s+%s", en.len ? " " : "", controllers[i]);
        int r = 0;
        if (en.len) {
                /* best effort on the host root (may already be enabled), required below */
                (void)write_str(layout.v2, "cgroup.subtree_control", sb_str(&en), NULL);
                r = write_str(parent, "cgroup.subtree_control", sb_str(&en), err);
        }
        sb_free(&en);
        if (r < 0 || mkdir_cg(dir, err) < 0)
                return -1;
        if (layout.in_v2[ctl_index("memory")]) {
                if (l->memory > 0 && writef(dir, "memory.max", err, "%" PRId64, l->memory) < 0)
                        return -1;
                if (l->memory > 0 && l->memory_swap != 0) {
                        if (l->memory_swap < 0 ? write_str(dir, "memory.swap.max", "max", err) < 0
                                               : writef(dir, "memory.swap.max", err, "%" PRId64,
                                                        l->memory_swap - l->memory) < 0)
                                return -1;
                }
        }
        if (layout.in_v2[ctl_index("cpu")]) {
                if (l->nano_cpus > 0 &&
                    writef(dir, "cpu.max", err, "%" PRId64 " 100000", l->nano_cpus / 10000) < 0)
                        return -1;
                if (l->cpu_shares > 0 && writef(dir, "cpu.weight", err, "%" PRId64,
                                                1 + ((l->cpu_shares - 2) * 9999) / 262142) < 0)
                        return -1;
        }
        if (layout.in_v2[ctl_index("pids")]) {
                int64_t p = l->pids_limit == 0 ? RT_PIDS_DEFAULT : l->pids_limit;
                if (p > 0 ? writef(dir, "pids.max", err, "%" PRId64, p) < 0
                          : write_str(dir, "pids.max", "max", err) < 0)
                        return -1;
        }
        if (layout.in_v2[ctl_index("cpuset")] && l->cpuset_cpus && *l->cpuset_cpus &&
            write_str(dir, "cpuset.cpus", l->cpuset_cpus, err) < 0)
                return -1;
        return 0;
}

int rt_cgroup_device_program(const char *id, err_t *err)
{
        layout_detect();
        if (!layout.v2)
                return 0;
        _cleanup_free_ char *dir = xasprintf("%s/%s/%s", layout.v2, berth_instance_name(), id);
        return attach_device_filter(dir, err);
}

static int64_t read_int(const char *dir, const char *file)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, file), *buf = NULL;
        if (read_file(p, &buf, NULL, NULL) < 0)
                return -1;
        return strtoll(buf, NULL, 10);
}

/* v1 memory and memory+swap, in the order the kernel accepts (memory never
 * above memsw): memsw first when memory grows past it. */
static int v1_memory_update(const char *dir, const struct rt_cgroup_limits *l, unsigned what,
                            err_t *err)
{
        int64_t mem = l->memory > 0 ? l->memory : -1;
        _cleanup_free_ char *swp = xasprintf("%s/memory.memsw.limit_in_bytes", dir);
        bool memsw = access(swp, F_OK) == 0;
        if ((what & RT_CG_SWAP) && l->memory_swap != 0 && !memsw)
                return err_set(err, ENOTSUP, "--memory-swap: this kernel has no swap accounting");
        if (!memsw)
                return writef(dir, "memory.limit_in_bytes", err, "%" PRId64, mem);
        int64_t sw = l->memory_swap < 0   ? -1
                     : l->memory_swap > 0 ? l->memory_swap
                     : mem > 0            ? mem * 2
                                          : -1;
        int64_t cur = read_int(dir, "memory.memsw.limit_in_bytes");
        if (mem < 0 || (cur >= 0 && mem > cur))
                return writef(dir, "memory.memsw.limit_in_bytes", err, "%" PRId64, sw) < 0 ||
                               writef(dir, "memory.limit_in_bytes", err, "%" PRId64, mem) < 0
                           ? -1
                           : 0;
        return writef(dir, "memory.limit_in_bytes", err, "%" PRId64, mem) < 0 ||
                       writef(dir, "memory.memsw.limit_in_bytes", err, "%" PRId64, sw) < 0
                   ? -1
                   : 0;
}

static int pids_write(const char *dir, int64_t pids, err_t *err)
{
        int64_t p = pids == 0 ? RT_PIDS_DEFAULT : pids;
        return p > 0 ? writef(dir, "pids.max", err, "%" PRId64, p)
                     : write_str(dir, "pids.max", "max", err);
}

int rt_cgroup_update(const char *id, const struct rt_cgroup_limits *l, unsigned what, err_t *err)
{
        layout_detect();
        const char *inst = berth_instance_name();
        for (size_t i = 0; i < NCTL; i++) {
                const char *root = layout.v1[i], *c = controllers[i];
                if (!root)
                        continue;
                _cleanup_free_ char *dir = xasprintf("%s/%s/%s", root, inst, id);
                bool here = access(dir, F_OK) == 0;
                if (!strcmp(c, "memory") && (what & (RT_CG_MEMORY | RT_CG_SWAP))) {
                        if (!here || v1_memory_update(dir, l, what, err) < 0)
                                return here ? -1 : err_set(err, ENOENT, "cgroup %s missing", dir);
                } else if (!strcmp(c, "cpu") && (what & (RT_CG_CPUS | RT_CG_SHARES))) {
                        if (!here)
                                return err_set(err, ENOENT, "cgroup %s missing", dir);
                        if ((what & RT_CG_CPUS) &&
                            (writef(dir, "cpu.cfs_period_us", err, "100000") < 0 ||
                             writef(dir, "cpu.cfs_quota_us", err, "%" PRId64,
                                    l->nano_cpus > 0 ? l->nano_cpus / 10000 : -1) < 0))
                                return -1;
                        if ((what & RT_CG_SHARES) &&
                            writef(dir, "cpu.shares", err, "%" PRId64,
                                   l->cpu_shares > 0 ? l->cpu_shares : 1024) < 0)
                                return -1;
                } else if (!strcmp(c, "pids") && (what & RT_CG_PIDS)) {
                        if (!here || pids_write(dir, l->pids_limit, err) < 0)
                                return here ? -1 : err_set(err, ENOENT, "cgroup %s missing", dir);
                } else if (!strcmp(c, "cpuset") && (what & RT_CG_CPUSET)) {
                        if (!here)
                                return err_set(err, ENOTSUP,
                                               "--cpuset-cpus: the container was started without "
                                               "a cpuset; restart it to apply one");
                        if (write_str(dir, "cpuset.cpus", l->cpuset_cpus ? l->cpuset_cpus : "",
                                      err) < 0)
                                return -1;
                }
        }
        if (!layout.v2)
                return 0;
        _cleanup_free_ char *dir = xasprintf("%s/%s/%s", layout.v2, inst, id);
        if (layout.in_v2[ctl_index("memory")] && (what & (RT_CG_MEMORY | RT_CG_SWAP))) {
                if (l->memory > 0 ? writef(dir, "memory.max", err, "%" PRId64, l->memory) < 0
                                  : write_str(dir, "memory.max", "max", err) < 0)
                        return -1;
                if ((what & RT_CG_SWAP) && l->memory_swap != 0 &&
                    (l->memory_swap < 0 || l->memory <= 0
                         ? write_str(dir, "memory.swap.max", "max", err) < 0
                         : writef(dir, "memory.swap.max", err, "%" PRId64,
                                  l->memory_swap - l->memory) < 0))
                        return -1;
        }
        if (layout.in_v2[ctl_index("cpu")]) {
                if ((what & RT_CG_CPUS) &&
                    (l->nano_cpus > 0 ? writef(dir, "cpu.max", err, "%" PRId64 " 100000",
                                               l->nano_cpus / 10000) < 0
                                      : write_str(dir, "cpu.max", "max 100000", err) < 0))
                        return -1;
                if ((what & RT_CG_SHARES) &&
                    writef(dir, "cpu.weight", err, "%" PRId64,
                           l->cpu_shares > 0 ? 1 + ((l->cpu_shares - 2) * 9999) / 262142 : 100) < 0)
                        return -1;
        }
        if (layout.in_v2[ctl_index("pids")] && (what & RT_CG_PIDS) &&
            pids_write(dir, l->pids_limit, err) < 0)
                return -1;
        if (layout.in_v2[ctl_index("cpuset")] && (what & RT_CG_CPUSET) &&
            write_str(dir, "cpuset.cpus", l->cpuset_cpus ? l->cpuset_cpus : "", err) < 0)
                return -1;
        return 0;
}

int rt_cgroup_attach(const char *id, pid_t pid, err_t *err)
{
        strv_t dirs = STRV_INIT;
        cg_dirs(id, &dirs);
        int r = 0;
        for (size_t i = 0; i < dirs.n && r == 0; i++) {
                if (access(dirs.v[i], F_OK) < 0)
                        continue; /* e.g. cpuset not asked for */
                r = writef(dirs.v[i], "cgroup.procs", err, "%d", (int)pid);
        }
        strv_free(&dirs);
        return r;
}

int rt_cgroup_join_open(const char *id, struct rt_cg_join *j, err_t *err)
{
        _Static_assert(NCTL <= RT_CG_JOIN_MAX, "one tasks file per v1 controller at most");
        *j = (struct rt_cg_join){.v2dir = -1};
        strv_t dirs = STRV_INIT;
        cg_dirs(id, &dirs); /* the v1 ones, then the cgroup2 one */
        size_t nv1 = dirs.n - (layout.v2 ? 1 : 0);
        int r = 0;
        for (size_t i = 0; i < dirs.n && r == 0; i++) {
                const char *d = dirs.v[i];
                if (i == nv1) {
                        j->v2dir = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (j->v2dir < 0)
                                r = err_sys(err, errno, "cgroup: open %s", d);
                        continue;
                }
                _cleanup_free_ char *p = xasprintf("%s/tasks", d);
                int fd = open(p, O_WRONLY | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT && access(d, F_OK) < 0)
                        continue; /* e.g. cpuset not asked for */
                if (fd < 0)
                        r = err_sys(err, errno, "cgroup: open %s", p);
                else
                        j->tasks[j->ntasks++] = fd;
        }
        strv_free(&dirs);
        if (r < 0)
                rt_cgroup_join_close(j);
        return r;
}

/* A failed join (errno e) named by the file fd has open */
static int join_failed(int fd, int e, const char *unnamed, err_t *err)
{
        char fdp[64], p[4096];
        snprintf(fdp, sizeof(fdp), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(fdp, p, sizeof(p) - 1);
        p[n > 0 ? n : 0] = '\0';
        return err_sys(err, e, "cgroup: join %s", n > 0 ? p : unnamed);
}

int rt_cgroup_join_self(const struct rt_cg_join *j, err_t *err)
{
        for (size_t i = 0; i < j->ntasks; i++)
                if (write(j->tasks[i], "0", 1) != 1)
                        return join_failed(j->tasks[i], errno, "a v1 hierarchy", err);
        return 0;
}

int rt_cgroup_join_self_v2(const struct rt_cg_join *j, err_t *err)
{
        if (j->v2dir < 0)
                return 0;
        _cleanup_close_ int fd = openat(j->v2dir, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (fd >= 0 && write(fd, "0", 1) == 1)
                return 0;
        return join_failed(j->v2dir, errno, "the cgroup2 one", err);
}

void rt_cgroup_join_close(struct rt_cg_join *j)
{
        for (size_t i = 0; i < j->ntasks; i++)
                close(j->tasks[i]);
        j->ntasks = 0;
        if (j->v2dir >= 0)
                close(j->v2dir);
        j->v2dir = -1;
}

static int64_t read_key(const char *path, const char *key)
{
        _cleanup_free_ char *buf = NULL;
        if (read_file(path, &buf, NULL, NULL) < 0)
                return -1;
        size_t n = strlen(key);
        for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (!strncmp(l, key, n) && l[n] == ' ')
                        return strtoll(l + n + 1, NULL, 10);
        return -1;
}

bool rt_cgroup_oom_killed(const char *id)
{
        _cleanup_free_ char *dir = rt_cgroup_path(id, "memory");
        if (!dir)
                return false;
        layout_detect();
        bool v1 = layout.v1[ctl_index("memory")] != NULL;
        _cleanup_free_ char *p =
            xasprintf("%s/%s", dir, v1 ? "memory.oom_control" : "memory.events");
        return read_key(p, "oom_kill") > 0;
}

/* Where the container's freezer lives: the v1 freezer controller, else the
 * core cgroup v2 freezer (cgroup.freeze). */
static char *freezer_dir(const char *id, bool *v1)
{
        layout_detect();
        *v1 = layout.v1[ctl_index("freezer")] != NULL;
        if (*v1)
                return rt_cgroup_path(id, "freezer");
        if (layout.v2)
                return xasprintf("%s/%s/%s", layout.v2, berth_instance_name(), id);
        return NULL;
}

static bool freezer_reached(const char *dir, bool v1, bool freeze)
{
        if (!v1) {
                _cleanup_free_ char *p = xasprintf("%s/cgroup.events", dir);
                return read_key(p, "frozen") == (freeze ? 1 : 0);
        }
        _cleanup_free_ char *p = xasprintf("%s/freezer.state", dir);
        _cleanup_free_ char *v = NULL;
        if (read_file(p, &v, NULL, NULL) < 0)
                return false;
        v[strcspn(v, "\n")] = '\0';
        return !strcmp(v, freeze ? "FROZEN" : "THAWED");
}

int rt_cgroup_freeze(const char *id, bool freeze, err_t *err)
{
        bool v1;
        _cleanup_free_ char *dir = freezer_dir(id, &v1);
        if (!dir)
                return err_set(err, ENOTSUP, "no freezer cgroup on this host");
        if (access(dir, F_OK) < 0)
                return err_sys(err, errno, "cgroup: %s", dir);
        const char *file = v1 ? "freezer.state" : "cgroup.freeze";
        const char *val = v1 ? (freeze ? "FROZEN" : "THAWED") : (freeze ? "1" : "0");
        /* A task busy in the kernel can delay freezing: wait up to ~5 s
         * (v1 needs FROZEN written again until it sticks). */
        for (int tries = 0;; tries++) {
                if ((tries == 0 || v1) && write_str(dir, file, val, err) < 0)
                        return -1;
                if (freezer_reached(dir, v1, freeze))
                        return 0;
                if (tries >= 500)
                        break;
                struct timespec ts = {0, 10 * 1000 * 1000};
                nanosleep(&ts, NULL);
        }
        if (freeze) /* do not leave it half frozen */
                (void)write_str(dir, file, v1 ? "THAWED" : "0", NULL);
        return err_set(err, EBUSY, "cgroup: %s did not become %s", dir,
                       freeze ? "frozen" : "thawed");
}

bool rt_cgroup_frozen(const char *id)
{
        bool v1;
        _cleanup_free_ char *dir = freezer_dir(id, &v1);
        if (!dir || access(dir, F_OK) < 0)
                return false;
        if (v1) {
                _cleanup_free_ char *p = xasprintf("%s/freezer.state", dir);
                _cleanup_free_ char *v = NULL;
                return read_file(p, &v, NULL, NULL) == 0 && strncmp(v, "THAWED", 6) != 0;
        }
        _cleanup_free_ char *p = xasprintf("%s/cgroup.freeze", dir);
        _cleanup_free_ char *v = NULL;
        return read_file(p, &v, NULL, NULL) == 0 && v[0] == '1';
}

static void kill_procs(const char *dir)
{
        _cleanup_free_ char *p = xasprintf("%s/cgroup.procs", dir);
        _cleanup_free_ char *buf = NULL;
        if (read_file(p, &buf, NULL, NULL) < 0)
                return;
        for (char *tok = strtok(buf, "\n"); tok; tok = strtok(NULL, "\n")) {
                pid_t pid = (pid_t)atoi(tok);
                if (pid > 1)
                        kill(pid, SIGKILL);
        }
}

int rt_cgroup_remove(const char *id, err_t *err)
{
        strv_t dirs = STRV_INIT;
        cg_dirs(id, &dirs);
        int r = 0;
        if (rt_cgroup_frozen(id)) {
                /* frozen tasks die only once thawed: queue the SIGKILL first */
                bool v1;
                _cleanup_free_ char *fz = freezer_dir(id, &v1);
                kill_procs(fz);
                (void)rt_cgroup_freeze(id, false, NULL);
        }
        for (size_t i = 0; i < dirs.n; i++) {
                const char *d = dirs.v[i];
                /* Processes die asynchronously after SIGKILL: retry for up to ~2 s. */
                for (int tries = 0;; tries++) {
                        if (rmdir(d) == 0 || errno == ENOENT)
                                break;
                        if (errno != EBUSY || tries >= 200) {
                                r = err_sys(err, errno, "cgroup: remove %s", d);
                                break;
                        }
                        kill_procs(d);
                        struct timespec ts = {0, 10 * 1000 * 1000};
                        nanosleep(&ts, NULL);
                }
                /* The instance dir goes when its last container goes. */
                char *slash = strrchr(d, '/');
                *slash = '\0';
                if (rmdir(d) < 0 && errno != ENOTEMPTY && errno != EBUSY && errno != ENOENT &&
                    r == 0)
                        r = err_sys(err, errno, "cgroup: remove %s", d);
        }
        strv_free(&dirs);
        return r;
}

/* A file of the container's cgroup for controller, read whole; NULL when
 * missing. */
static char *cg_read(const char *id, const char *controller, const char *file)
{
        _cleanup_free_ char *dir = rt_cgroup_path(id, controller);
        if (!dir)
                return NULL;
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, file);
        char *buf = NULL;
        if (read_file(p, &buf, NULL, NULL) < 0)
                return NULL;
        return buf;
}

void rt_cgroup_stats(const char *id, struct rt_stats *s)
{
        layout_detect();
        bool v1mem = layout.v1[ctl_index("memory")] != NULL;
        _cleanup_free_ char *usage = NULL, *limit = NULL, *mstat = NULL, *pids = NULL;
        _cleanup_free_ char *cpu = NULL, *blk = NULL;
        /* memory: usage less the inactive file cache, as the docker CLI shows it */
        usage = cg_read(id, "memory", v1mem ? "memory.usage_in_bytes" : "memory.current");
        limit = cg_read(id, "memory", v1mem ? "memory.limit_in_bytes" : "memory.max");
        mstat = cg_read(id, "memory", "memory.stat");
        uint64_t inactive = 0;
        if (usage) {
                s->mem_usage = strtoull(usage, NULL, 10);
                if (mstat &&
                    rt_stat_key(mstat, v1mem ? "total_inactive_file" : "inactive_file",
                                &inactive) &&
                    inactive < s->mem_usage)
                        s->mem_usage -= inactive;
        }
        if (limit && limit[0] >= '0' && limit[0] <= '9') /* "max": none */
                s->mem_limit = strtoull(limit, NULL, 10);
        pids = cg_read(id, "pids", "pids.current");
        if (pids)
                s->pids = strtoull(pids, NULL, 10);
        /* CPU: cpuacct (v1), else cpu.stat of the container's cgroup2 directory */
        if (layout.v1[ctl_index("cpuacct")]) {
                cpu = cg_read(id, "cpuacct", "cpuacct.usage");
                if (cpu)
                        s->cpu_ns = strtoull(cpu, NULL, 10);
        } else if (layout.v2) {
                _cleanup_free_ char *p =
                    xasprintf("%s/%s/%s/cpu.stat", layout.v2, berth_instance_name(), id);
                uint64_t us;
                if (read_file(p, &cpu, NULL, NULL) == 0 && rt_stat_key(cpu, "usage_usec", &us))
                        s->cpu_ns = us * 1000;
        }
        /* block I/O: the CFQ/BFQ counters, else the throttle ones (v1); io.stat (v2) */
        if (layout.v1[ctl_index("blkio")]) {
                blk = cg_read(id, "blkio", "blkio.io_service_bytes_recursive");
                if (blk)
                        rt_stat_blkio(blk, &s->blk_read, &s->blk_write);
                if (!s->blk_read && !s->blk_write) {
                        free(blk);
                        blk = cg_read(id, "blkio", "blkio.throttle.io_service_bytes_recursive");
                        if (blk)
                                rt_stat_blkio(blk, &s->blk_read, &s->blk_write);
                }
        } else {
                blk = cg_read(id, "io", "io.stat");
                if (blk)
                        rt_stat_iostat(blk, &s->blk_read, &s->blk_write);
        }
}
