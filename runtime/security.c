#include "security.h"

#include <ctype.h>
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "cleanup.h"

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

static uint64_t caps_all(void)
{
        int last = rt_cap_last();
        return last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
}

int rt_cap_parse(const char *name, uint64_t *mask, err_t *err)
{
        char buf[64];
        size_t n = strlen(name);
        if (n == 0 || n + 5 > sizeof(buf))
                return err_set(err, EINVAL, "invalid capability \"%s\"", name);
        const char *p = name;
        if (!strncasecmp(p, "CAP_", 4))
                p += 4;
        if (!strcasecmp(p, "ALL")) {
                *mask = caps_all();
                return 0;
        }
        snprintf(buf, sizeof(buf), "cap_%s", p);
        for (char *c = buf; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        cap_value_t v;
        if (cap_from_name(buf, &v) < 0 || v < 0 || v > rt_cap_last())
                return err_set(err, EINVAL, "unknown capability: \"%s\"", name);
        *mask = 1ULL << v;
        return 0;
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
        /* never ask for more than we hold (hosts may restrict berth itself) */
        cap_t cur = cap_get_proc();
        if (cur) {
                for (int v = 0; v <= rt_cap_last(); v++) {
                        cap_flag_value_t fv = CAP_CLEAR;
                        if (cap_get_flag(cur, (cap_value_t)v, CAP_PERMITTED, &fv) == 0 &&
                            fv == CAP_CLEAR)
                                keep &= ~(1ULL << v);
                }
                cap_free(cur);
        }
        cap_t c = cap_init(); /* all clear */
        if (!c)
                return err_sys(err, errno, "cap_init");
        int last = rt_cap_last();
        bool root = geteuid() == 0;
        for (int v = 0; v <= last && root; v++) {
                if (!(keep & (1ULL << v)))
                        continue;
                cap_value_t cv = v;
                if (cap_set_flag(c, CAP_EFFECTIVE, 1, &cv, CAP_SET) < 0 ||
                    cap_set_flag(c, CAP_PERMITTED, 1, &cv, CAP_SET) < 0) {
                        int e = errno;
                        cap_free(c);
                        return err_sys(err, e, "cap_set_flag");
                }
        }
        int r = cap_set_proc(c);
        int e = errno;
        cap_free(c);
        if (r < 0)
                return err_sys(err, e, "set capabilities");
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
                                 SCMP_A0(SCMP_CMP_GT, 0xffffffffULL));
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

int rt_seccomp_load_default(err_t *err)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return err_set(err, ENOMEM, "seccomp_init failed");
        const char *what = "architectures";
        /* an architecture the filter does not know gets ENOSYS, not a kill */
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
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
        if (r == 0) {
                what = "load";
                r = seccomp_load(ctx);
        }
        seccomp_release(ctx);
        if (r < 0)
                return err_sys(err, -r, "seccomp: %s", what);
        return 0;
}

int rt_sysctl_check(const char *key, bool host_network, err_t *err)
{
        static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                          "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced"};
        /* A key names a file under /proc/sys, dots for slashes: anything that
         * could step out of the allowed subtree ("net.x/../../kernel.y",
         * empty components) is refused before the allow list is consulted. */
        bool clean = *key && key[strlen(key) - 1] != '.' && !strstr(key, "..");
        for (const char *p = key; *p && clean; p++)
                clean = isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-';
        if (!clean)
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
