#include "security.h"

#include <ctype.h>
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "cleanup.h"
#include "names.h"
#include "seccomp_profile.h"
#include "xalloc.h"

int rt_cap_last(void)
{
        static int last = -1;
        if (last < 0) {
                last = CAP_LAST_CAP;
                /* Ask the kernel: it may know more than our headers. */
                FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
                if (f) {
                        int v;
                        if (fscanf(f, "%d", &v) == 1 && v > 0 && v < 64)
                                last = v;
                        fclose(f);
                }
        }
        return last;
}

/* The capabilities' names (without "CAP_", lower case), by number: the
 * names libcap's cap_from_name knows.  Capabilities are read and set with
 * capget/capset themselves: the monitor, which sets them for every (re)start,
 * then maps no libcap (its relocated data, for the container's life) and no
 * berth command loads it. */
static const char *const cap_names[] = {
    [CAP_CHOWN] = "chown",
    [CAP_DAC_OVERRIDE] = "dac_override",
    [CAP_DAC_READ_SEARCH] = "dac_read_search",
    [CAP_FOWNER] = "fowner",
    [CAP_FSETID] = "fsetid",
    [CAP_KILL] = "kill",
    [CAP_SETGID] = "setgid",
    [CAP_SETUID] = "setuid",
    [CAP_SETPCAP] = "setpcap",
    [CAP_LINUX_IMMUTABLE] = "linux_immutable",
    [CAP_NET_BIND_SERVICE] = "net_bind_service",
    [CAP_NET_BROADCAST] = "net_broadcast",
    [CAP_NET_ADMIN] = "net_admin",
    [CAP_NET_RAW] = "net_raw",
    [CAP_IPC_LOCK] = "ipc_lock",
    [CAP_IPC_OWNER] = "ipc_owner",
    [CAP_SYS_MODULE] = "sys_module",
    [CAP_SYS_RAWIO] = "sys_rawio",
    [CAP_SYS_CHROOT] = "sys_chroot",
    [CAP_SYS_PTRACE] = "sys_ptrace",
    [CAP_SYS_PACCT] = "sys_pacct",
    [CAP_SYS_ADMIN] = "sys_admin",
    [CAP_SYS_BOOT] = "sys_boot",
    [CAP_SYS_NICE] = "sys_nice",
    [CAP_SYS_RESOURCE] = "sys_resource",
    [CAP_SYS_TIME] = "sys_time",
    [CAP_SYS_TTY_CONFIG] = "sys_tty_config",
    [CAP_MKNOD] = "mknod",
    [CAP_LEASE] = "lease",
    [CAP_AUDIT_WRITE] = "audit_write",
    [CAP_AUDIT_CONTROL] = "audit_control",
    [CAP_SETFCAP] = "setfcap",
    [CAP_MAC_OVERRIDE] = "mac_override",
    [CAP_MAC_ADMIN] = "mac_admin",
    [CAP_SYSLOG] = "syslog",
    [CAP_WAKE_ALARM] = "wake_alarm",
    [CAP_BLOCK_SUSPEND] = "block_suspend",
    [CAP_AUDIT_READ] = "audit_read",
    [CAP_PERFMON] = "perfmon",
    [CAP_BPF] = "bpf",
    [CAP_CHECKPOINT_RESTORE] = "checkpoint_restore",
};

static uint64_t caps_all(void)
{
        int last = rt_cap_last();
        return last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
}

int rt_cap_parse(const char *name, uint64_t *mask, err_t *err)
{
        size_t n = strlen(name);
        if (n == 0 || n + 5 > 64)
                return err_set(err, EINVAL, "invalid capability \"%s\"", name);
        const char *p = name;
        if (!strncasecmp(p, "CAP_", 4))
                p += 4;
        if (!strcasecmp(p, "ALL")) {
                *mask = caps_all();
                return 0;
        }
        int last = rt_cap_last();
        for (int v = 0; v <= last && v < (int)ARRAY_SIZE(cap_names); v++)
                if (cap_names[v] && !strcasecmp(p, cap_names[v])) {
                        *mask = 1ULL << v;
                        return 0;
                }
        return err_set(err, EINVAL, "unknown capability: \"%s\"", name);
}

int rt_caps_compute(bool privileged, const strv_t *add, const strv_t *drop, uint64_t *out,
                    err_t *err)
{
        uint64_t caps = privileged ? caps_all() : RT_CAPS_DEFAULT, m;
        for (size_t i = 0; i < drop->n; i++) {
                if (rt_cap_parse(drop->v[i], &m, err) < 0)
                        return -1;
                caps &= ~m;
        }
        for (size_t i = 0; i < add->n; i++) {
                if (rt_cap_parse(add->v[i], &m, err) < 0)
                        return -1;
                caps |= m;
        }
        *out = caps;
        return 0;
}

int rt_caps_bound(uint64_t keep, err_t *err)
{
        int last = rt_cap_last();
        for (int c = 0; c <= last; c++) {
                if (keep & (1ULL << c))
                        continue;
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return err_sys(err, errno, "drop capability %d from bounding set", c);
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return err_sys(err, errno, "clear ambient capabilities");
        return 0;
}

int rt_caps_apply(uint64_t keep, err_t *err)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
        /* never ask for more than we hold (hosts may restrict berth itself) */
        if (syscall(SYS_capget, &h, d) == 0)
                keep &= (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
        keep &= caps_all();
        if (geteuid() != 0)
                keep = 0;
        memset(d, 0, sizeof(d)); /* inheritable: none */
        d[0].effective = d[0].permitted = (uint32_t)keep;
        d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
        h = (struct __user_cap_header_struct){.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        if (syscall(SYS_capset, &h, d) < 0)
                return err_sys(err, errno, "set capabilities");
        return 0;
}

/* Docker's default profile is an allow-list; this is the equivalent deny-list
 * of what it leaves out for a container without extra capabilities. */
static const char *const denied[] = {
    "mount",
    "umount",
    "umount2",
    "unshare",
    "setns",
    "pivot_root",
    "bpf",
    "perf_event_open",
    "add_key",
    "request_key",
    "keyctl",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "reboot",
    "swapon",
    "swapoff",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "stime",
    "open_by_handle_at",
    "acct",
    "lookup_dcookie",
    "quotactl",
    "quotactl_fd",
    "nfsservctl",
    "vm86",
    "vm86old",
    "iopl",
    "ioperm",
    "syslog",
    "uselib",
    "ustat",
    "sysfs",
    "_sysctl",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "open_tree",
    "move_mount",
    "mount_setattr",
    "kcmp",
    "process_vm_readv",
    "process_vm_writev",
    "get_kernel_syms",
    "query_module",
    "move_pages",
    "mbind",
    "set_mempolicy",
    "get_mempolicy",
    "name_to_handle_at",
    "fanotify_init",
    "vhangup",
    "pciconfig_read",
    "pciconfig_write",
    NULL,
};

/* Architectures whose syscalls a process of the native one can make (int 0x80
 * on x86_64 enters the i386 table; x32 is the x86_64 table with bit 30 set):
 * the filter covers them with the same rules, as Docker's profile does, so a
 * 32-bit syscall gets the same errno instead of reaching the bad-arch
 * action. */
static int add_compat_arches(scmp_filter_ctx ctx)
{
        uint32_t native = seccomp_arch_native();
        uint32_t compat[2] = {0, 0};
        if (native == SCMP_ARCH_X86_64) {
                compat[0] = SCMP_ARCH_X86;
                compat[1] = SCMP_ARCH_X32;
        } else if (native == SCMP_ARCH_AARCH64) {
                compat[0] = SCMP_ARCH_ARM;
        }
        for (size_t i = 0; i < ARRAY_SIZE(compat) && compat[i]; i++) {
                int r = seccomp_arch_add(ctx, compat[i]);
                if (r < 0 && r != -EEXIST)
                        return r;
        }
        return 0;
}

/* personality(2) is allowed for the values Docker's profile lets through
 * (PER_LINUX 0x0, PER_LINUX32 0x8, UNAME26 0x20000, UNAME26|PER_LINUX32
 * 0x20008 and the query 0xffffffff) and fails with EPERM for anything else
 * (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...).  A deny-list rule may compare
 * an argument only once, so "none of these five" is written as a union of
 * single comparisons:
 *  - anything above 32 bits;
 *  - for every bit b but 3 and 17: bit b set and bit b+1 (mod 32) clear.  A
 *    32-bit value other than the five has a set bit outside {3, 17} and a
 *    clear bit, so walking up from that set bit reaches a last set bit e
 *    followed by a clear one: the pair (e, e+1) matches;
 *  - e = 3 or 17 can only end such a run when the bit below is set too:
 *    bits 2,3 set and 4 clear; bits 16,17 set and 18 clear.
 * None of the five matches: 0, 8, 0x20000 and 0x20008 have no set bit
 * outside {3, 17}, 0xffffffff no clear bit. */
static int deny_personality(scmp_filter_ctx ctx)
{
        int nr = SCMP_SYS(personality);
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                                 SCMP_A0(SCMP_CMP_GT, 0xffffffffULL, 0));
        for (unsigned b = 0; b < 32 && r == 0; b++) {
                if (b == 3 || b == 17)
                        continue;
                uint64_t bit = 1ULL << b, next = 1ULL << ((b + 1) % 32);
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, bit | next, bit));
        }
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, 0x1cULL, 0xcULL));
        if (r == 0)
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, 0x70000ULL, 0x30000ULL));
        return r;
}

static int build_default(scmp_filter_ctx *out, err_t *err)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return err_set(err, ENOMEM, "seccomp_init failed");
        const char *what = "architectures";
        /* an architecture the filter does not know gets ENOSYS, not a kill;
         * no_new_privs is the caller's business (--security-opt
         * no-new-privileges=false must leave it off) */
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
        if (r == 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r == 0)
                r = add_compat_arches(ctx);
        for (size_t i = 0; denied[i] && r == 0; i++) {
                int nr = seccomp_syscall_resolve_name(denied[i]);
                if (nr == __NR_SCMP_ERROR)
                        continue;
                what = denied[i];
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
                if (r == -EFAULT || r == -EDOM) /* not on this architecture */
                        r = 0;
        }
        if (r == 0) {
                what = "personality";
                r = deny_personality(ctx);
        }
        /* clone3 passes flags in memory seccomp cannot read: make libc fall back
         * to clone, whose flags we can check. */
        int nr3 = seccomp_syscall_resolve_name("clone3");
        if (r == 0 && nr3 != __NR_SCMP_ERROR) {
                what = "clone3";
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr3, 0);
        }
        static const uint64_t nsflags[] = {CLONE_NEWNS,    CLONE_NEWUTS, CLONE_NEWIPC,
                                           CLONE_NEWUSER,  CLONE_NEWPID, CLONE_NEWNET,
                                           CLONE_NEWCGROUP};
        for (size_t i = 0; i < ARRAY_SIZE(nsflags) && r == 0; i++) {
                what = "clone";
                r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                     SCMP_A0(SCMP_CMP_MASKED_EQ, nsflags[i], nsflags[i]));
        }
        if (r < 0) {
                seccomp_release(ctx);
                return err_sys(err, -r, "seccomp: %s", what);
        }
        *out = ctx;
        return 0;
}

/* ---- profiles (--security-opt seccomp=FILE) ------------------------------------ */

/* Go's name of the native architecture: what Docker compares a rule's
 * includes/excludes "arches" with. */
static const char *native_go_arch(void)
{
        static const struct {
                uint32_t arch;
                const char *go;
        } m[] = {
            {SCMP_ARCH_X86_64, "amd64"},      {SCMP_ARCH_X86, "386"},
            {SCMP_ARCH_AARCH64, "arm64"},     {SCMP_ARCH_ARM, "arm"},
            {SCMP_ARCH_PPC64LE, "ppc64le"},   {SCMP_ARCH_PPC64, "ppc64"},
            {SCMP_ARCH_S390X, "s390x"},       {SCMP_ARCH_S390, "s390"},
            {SCMP_ARCH_RISCV64, "riscv64"},   {SCMP_ARCH_MIPS64, "mips64"},
            {SCMP_ARCH_MIPSEL64, "mips64le"},
        };
        uint32_t a = seccomp_arch_native();
        for (size_t i = 0; i < ARRAY_SIZE(m); i++)
                if (m[i].arch == a)
                        return m[i].go;
        return "";
}

static bool kernel_at_least(unsigned major, unsigned minor)
{
        struct utsname u;
        unsigned ma = 0, mi = 0;
        if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
                return false;
        return ma > major || (ma == major && mi >= minor);
}

static bool has_cap(uint64_t caps, const char *name)
{
        uint64_t m;
        return rt_cap_parse(name, &m, NULL) == 0 && (caps & m) == m;
}

/* Docker's includes/excludes: a rule applies when the container holds every
 * cap of includes.caps, the architecture is in includes.arches and the
 * kernel is at least includes.minKernel; and holds none of excludes.caps,
 * runs on none of excludes.arches and a kernel below excludes.minKernel. */
static bool rule_applies(const struct rt_scmp_rule *r, uint64_t caps)
{
        const char *arch = native_go_arch();
        if (strv_contains(&r->excludes.arches, arch))
                return false;
        for (size_t i = 0; i < r->excludes.caps.n; i++)
                if (has_cap(caps, r->excludes.caps.v[i]))
                        return false;
        if (r->excludes.has_min_kernel &&
            kernel_at_least(r->excludes.min_major, r->excludes.min_minor))
                return false;
        if (r->includes.arches.n && !strv_contains(&r->includes.arches, arch))
                return false;
        for (size_t i = 0; i < r->includes.caps.n; i++)
                if (!has_cap(caps, r->includes.caps.v[i]))
                        return false;
        if (r->includes.has_min_kernel &&
            !kernel_at_least(r->includes.min_major, r->includes.min_minor))
                return false;
        return true;
}

static uint32_t scmp_action(enum rt_scmp_action a, int errno_ret)
{
        int e = errno_ret >= 0 ? errno_ret : EPERM;
        switch (a) {
        case RT_SCMP_KILL_THREAD:
                return SCMP_ACT_KILL_THREAD;
        case RT_SCMP_KILL_PROCESS:
                return SCMP_ACT_KILL_PROCESS;
        case RT_SCMP_TRAP:
                return SCMP_ACT_TRAP;
        case RT_SCMP_ERRNO:
                return SCMP_ACT_ERRNO((uint32_t)e);
        case RT_SCMP_TRACE:
                return SCMP_ACT_TRACE((uint32_t)e);
        case RT_SCMP_LOG:
                return SCMP_ACT_LOG;
        case RT_SCMP_ALLOW:
        default:
                return SCMP_ACT_ALLOW;
        }
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token, 0 when this libseccomp lacks it */
static uint32_t arch_token(const char *name)
{
        char low[32];
        const char *n = !strncmp(name, "SCMP_ARCH_", 10) ? name + 10 : name;
        size_t i;
        for (i = 0; n[i] && i + 1 < sizeof(low); i++)
                low[i] = (char)tolower((unsigned char)n[i]);
        low[i] = '\0';
        return seccomp_arch_resolve_name(low);
}

static int add_arch(scmp_filter_ctx ctx, const char *name, err_t *err)
{
        uint32_t t = arch_token(name);
        if (!t)
                return err_set(err, EINVAL, "architecture %s is not known to libseccomp", name);
        int r = seccomp_arch_add(ctx, t);
        if (r < 0 && r != -EEXIST)
                return err_sys(err, -r, "add architecture %s", name);
        return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct rt_scmp_rule *r, size_t idx, uint32_t act,
                    err_t *err)
{
        static const enum scmp_compare ops[] = {
            [RT_SCMP_NE] = SCMP_CMP_NE,
            [RT_SCMP_LT] = SCMP_CMP_LT,
            [RT_SCMP_LE] = SCMP_CMP_LE,
            [RT_SCMP_EQ] = SCMP_CMP_EQ,
            [RT_SCMP_GE] = SCMP_CMP_GE,
            [RT_SCMP_GT] = SCMP_CMP_GT,
            [RT_SCMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
        };
        struct scmp_arg_cmp cmp[6];
        bool same_index = false;
        for (size_t i = 0; i < r->nargs; i++) {
                cmp[i] = (struct scmp_arg_cmp){r->args[i].index, ops[r->args[i].op],
                                               r->args[i].value, r->args[i].value_two};
                for (size_t k = 0; k < i; k++)
                        same_index |= r->args[k].index == r->args[i].index;
        }
        for (size_t n = 0; n < r->names.n; n++) {
                int nr = seccomp_syscall_resolve_name(r->names.v[n]);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* unknown here: ignored, as Docker does */
                int rc = 0;
                if (same_index) /* comparisons of one argument: any of them (runc) */
                        for (size_t i = 0; i < r->nargs && rc == 0; i++)
                                rc = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[i]);
                else
                        rc = seccomp_rule_add_array(ctx, act, nr, (unsigned)r->nargs, cmp);
                if (rc == -EFAULT || rc == -EDOM) /* not on these architectures */
                        rc = 0;
                if (rc < 0)
                        return err_sys(err, -rc, "syscalls[%zu] (%s)", idx, r->names.v[n]);
        }
        return 0;
}

static int build_profile(const struct rt_seccomp_profile *p, uint64_t caps, scmp_filter_ctx *out,
                         err_t *err)
{
        uint32_t def = scmp_action(p->default_action, p->default_errno);
        scmp_filter_ctx ctx = seccomp_init(def);
        if (!ctx)
                return err_set(err, EINVAL, "seccomp profile: invalid default action");
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r == 0 && (p->flags & RT_SCMP_FLAG_LOG))
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
        if (r == 0 && (p->flags & RT_SCMP_FLAG_SPEC_ALLOW))
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
        if (r == 0 && (p->flags & RT_SCMP_FLAG_TSYNC))
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
        if (r < 0) {
                seccomp_release(ctx);
                return err_sys(err, -r, "seccomp profile: flags");
        }
        int ret = 0;
        for (size_t i = 0; i < p->arches.n && ret == 0; i++)
                ret = add_arch(ctx, p->arches.v[i], err);
        for (size_t i = 0; i < p->narchmap && ret == 0; i++) {
                if (arch_token(p->archmap[i].arch) != seccomp_arch_native())
                        continue;
                ret = add_arch(ctx, p->archmap[i].arch, err);
                for (size_t k = 0; k < p->archmap[i].sub.n && ret == 0; k++)
                        ret = add_arch(ctx, p->archmap[i].sub.v[k], err);
                break;
        }
        for (size_t i = 0; i < p->nrules && ret == 0; i++) {
                const struct rt_scmp_rule *rl = &p->rules[i];
                uint32_t act = scmp_action(rl->action, rl->errno_ret);
                /* libseccomp refuses a rule that only repeats the default */
                if (act == def || !rule_applies(rl, caps))
                        continue;
                ret = add_rule(ctx, rl, i, act, err);
        }
        if (ret < 0) {
                seccomp_release(ctx);
                return err_wrap(err, "seccomp profile");
        }
        *out = ctx;
        return 0;
}

/* Compiles ctx (released) to BPF in a memfd: the fd (the caller closes it)
 * and the program's size in bytes, or -1 with "WHAT: why". */
static int export_bpf(scmp_filter_ctx ctx, const char *what, size_t *size, err_t *err)
{
        int fd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
        int r = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
        seccomp_release(ctx);
        struct stat st;
        if (r < 0 || fstat(fd, &st) < 0) {
                int e = r < 0 ? -r : errno;
                if (fd >= 0)
                        close(fd);
                return err_sys(err, e, "%s", what);
        }
        *size = (size_t)st.st_size;
        return fd;
}

int rt_seccomp_check(const struct rt_seccomp_profile *p, uint64_t caps, err_t *err)
{
        scmp_filter_ctx ctx;
        if (build_profile(p, caps, &ctx, err) < 0)
                return -1;
        /* the kernel takes at most BPF_MAXINSNS (4096) instructions: a
         * profile too big fails here, not at start */
        size_t size;
        _cleanup_close_ int fd = export_bpf(ctx, "seccomp profile: compile", &size, err);
        if (fd < 0)
                return -1;
        long long insns = (long long)size / 8; /* struct sock_filter */
        if (insns > 4096)
                return err_set(err, E2BIG,
                               "seccomp profile: compiles to %lld BPF instructions; the kernel "
                               "takes at most 4096",
                               insns);
        return 0;
}

int rt_seccomp_load(const struct rt_seccomp_profile *p, uint64_t caps, err_t *err)
{
        scmp_filter_ctx ctx;
        if ((p ? build_profile(p, caps, &ctx, err) : build_default(&ctx, err)) < 0)
                return -1;
        int r = seccomp_load(ctx);
        seccomp_release(ctx);
        if (r < 0)
                return err_sys(err, -r, "load the seccomp filter");
        return 0;
}

/* The flags libseccomp's seccomp_load gives seccomp(2) for ctx's attributes
 * (berth uses no notification: no NEW_LISTENER). */
static unsigned int load_flags(scmp_filter_ctx ctx)
{
        uint32_t v;
        unsigned int f = 0;
        if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_TSYNC, &v) == 0 && v)
                f |= SECCOMP_FILTER_FLAG_TSYNC;
        if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_LOG, &v) == 0 && v)
                f |= SECCOMP_FILTER_FLAG_LOG;
        if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_SSB, &v) == 0 && v)
                f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        return f;
}

int rt_seccomp_compile(const struct rt_seccomp_profile *p, uint64_t caps,
                       struct rt_seccomp_prog *out, err_t *err)
{
        *out = (struct rt_seccomp_prog){0};
        scmp_filter_ctx ctx;
        if ((p ? build_profile(p, caps, &ctx, err) : build_default(&ctx, err)) < 0)
                return -1;
        uint32_t nnp = 1;
        unsigned int flags = load_flags(ctx);
        /* seccomp_load would set no_new_privs itself with this attribute:
         * berth's filters never ask for it (the caller decides) */
        if (seccomp_attr_get(ctx, SCMP_FLTATR_CTL_NNP, &nnp) < 0 || nnp) {
                seccomp_release(ctx);
                return err_set(err, EINVAL, "seccomp filter: no_new_privs attribute set");
        }
        size_t n;
        _cleanup_close_ int fd = export_bpf(ctx, "compile the seccomp filter", &n, err);
        if (fd < 0)
                return -1;
        if (n == 0 || n % sizeof(struct sock_filter) || n / sizeof(struct sock_filter) > 4096)
                return err_set(err, E2BIG, "seccomp filter: %zu bytes of BPF", n);
        void *insns = xmalloc(n);
        if (pread(fd, insns, n, 0) != (ssize_t)n) {
                free(insns);
                return err_sys(err, errno, "read the compiled seccomp filter");
        }
        *out = (struct rt_seccomp_prog){insns, (unsigned short)(n / sizeof(struct sock_filter)),
                                        flags};
        return 0;
}

int rt_seccomp_load_prog(const struct rt_seccomp_prog *prog, err_t *err)
{
        struct sock_fprog fp = {.len = prog->len, .filter = prog->insns};
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, prog->flags, &fp);
        if (r < 0)
                return err_sys(err, errno, "load the seccomp filter");
        if (r > 0) /* TSYNC: a thread could not be synchronised */
                return err_set(err, ESRCH, "load the seccomp filter: thread %ld not synchronised",
                               r);
        return 0;
}

void rt_seccomp_prog_free(struct rt_seccomp_prog *prog)
{
        free(prog->insns);
        *prog = (struct rt_seccomp_prog){0};
}

int rt_seccomp_load_default(err_t *err)
{
        return rt_seccomp_load(NULL, 0, err);
}

/* ---- --security-opt -------------------------------------------------------------- */

/* Docker's split: KEY=VALUE, or the legacy KEY:VALUE. */
static char *opt_split(const char *opt, const char **val)
{
        const char *sep = strchr(opt, '=');
        if (!sep)
                sep = strchr(opt, ':');
        if (!sep) {
                *val = NULL;
                return xstrdup(opt);
        }
        *val = sep + 1;
        return xstrndup(opt, (size_t)(sep - opt));
}

const char *rt_secopt_seccomp_file(const char *opt)
{
        const char *v;
        _cleanup_free_ char *k = opt_split(opt, &v);
        if (strcmp(k, "seccomp") || !v || !*v || !strcmp(v, "unconfined") || !strcmp(v, "builtin"))
                return NULL;
        return v;
}

int rt_oom_score_adj_check(long long v, err_t *err)
{
        if (v < -1000 || v > 1000)
                return err_set(err, EINVAL,
                               "invalid oom_score_adj %lld: the range is [-1000, 1000]", v);
        return 0;
}

int rt_secopts_check(const strv_t *opts, const char *base_dir, uint64_t caps, json_t **profile,
                     err_t *err)
{
        *profile = NULL;
        const char *file = NULL, *seccomp = NULL;
        for (size_t i = 0; i < opts->n; i++) {
                const char *o = opts->v[i], *v;
                _cleanup_free_ char *k = opt_split(o, &v);
                bool ok;
                if (!strcmp(k, "no-new-privileges"))
                        ok = !v || !strcmp(v, "true") || !strcmp(v, "false");
                else if (!strcmp(k, "seccomp")) {
                        ok = v && *v;
                        if (ok && seccomp && strcmp(seccomp, v))
                                return err_set(err, EINVAL,
                                               "security options seccomp=%s and seccomp=%s: only "
                                               "one seccomp profile can be given",
                                               seccomp, v);
                        if (ok)
                                seccomp = v;
                        if (ok && rt_secopt_seccomp_file(o))
                                file = rt_secopt_seccomp_file(o);
                } else if (!strcmp(k, "apparmor") || !strcmp(k, "label")) {
                        /* the LSMs berth has no support for: only switched off */
                        bool aa = !strcmp(k, "apparmor");
                        const char *off = aa ? "unconfined" : "disable";
                        if (!v || strcmp(v, off))
                                return err_set(err, EINVAL,
                                               "security option %s: berth has no %s support and "
                                               "cannot honour it (only %s=%s is accepted)",
                                               o, aa ? "AppArmor" : "SELinux", k, off);
                        ok = true;
                } else
                        return err_set(err, EINVAL,
                                       "security option %s: unknown option; berth cannot honour "
                                       "it",
                                       o);
                if (!ok)
                        return err_set(err, EINVAL, "invalid security option %s", o);
        }
        if (!file)
                return 0;
        _cleanup_free_ char *path = file[0] == '/' || !base_dir || !*base_dir
                                        ? xstrdup(file)
                                        : xasprintf("%s/%s", base_dir, file);
        struct rt_seccomp_profile p;
        if (rt_seccomp_profile_read(path, &p, err) < 0)
                return -1;
        int r = rt_seccomp_check(&p, caps, err);
        if (r == 0)
                *profile = rt_seccomp_profile_json(&p);
        else
                err_wrap(err, "%s", path);
        rt_seccomp_profile_free(&p);
        return r;
}

int rt_sysctl_check(const char *key, bool host_network, err_t *err)
{
        static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                          "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced"};
        /* A key names a file under /proc/sys, dots for slashes: anything that
         * could step out of the allowed subtree ("net.x/../../kernel.y",
         * empty components) is refused before the allow list is consulted. */
        if (!*key || key[strlen(key) - 1] == '.' || strstr(key, "..") || !name_ok(key, false))
                return err_set(err, EINVAL, "sysctl '%s' is not allowed", key);
        bool net = !strncmp(key, "net.", 4) && key[4];
        bool ok = net || (!strncmp(key, "fs.mqueue.", 10) && key[10]);
        for (size_t i = 0; i < ARRAY_SIZE(ipc) && !ok; i++)
                ok = !strcmp(key, ipc[i]);
        if (!ok)
                return err_set(err, EINVAL, "sysctl '%s' is not allowed", key);
        if (net && host_network)
                return err_set(err, EINVAL, "sysctl '%s' not allowed in host network namespace",
                               key);
        return 0;
}
