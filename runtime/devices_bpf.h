/* devices_bpf.h - device access rules and their cgroup v2 eBPF filter.
 *
 * cgroup v1 restricts devices with the `devices` controller; cgroup v2 has no
 * such file interface, only BPF_PROG_TYPE_CGROUP_DEVICE programs attached to a
 * cgroup.  This module keeps the allow list in one place, evaluates it in C
 * (the reference semantics) and compiles it into such a program:
 *
 *   deny everything, then allow a device access when some rule has the same
 *   type (or 'a'), the same major and minor (or -1 = any) and an access mask
 *   that contains every requested access bit. */
#ifndef BERTH_RT_DEVICES_BPF_H
#define BERTH_RT_DEVICES_BPF_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Access bits, the kernel's BPF_DEVCG_ACC_* values. */
#define RT_DEV_MKNOD 1u
#define RT_DEV_READ  2u
#define RT_DEV_WRITE 4u
#define RT_DEV_ALL   7u

struct rt_dev_rule {
        char type;     /* 'c', 'b' or 'a' (any) */
        int32_t major; /* -1 = any */
        int32_t minor; /* -1 = any */
        unsigned access;
};

/* The default allow list in devices.allow syntax ("c 1:3 rwm"), shared by the
 * v1 controller and the v2 program. */
extern const char *const rt_dev_default_allow[];
extern const size_t rt_dev_default_allow_n;

/* Parse one devices.allow line: "TYPE MAJOR:MINOR ACCESS" ("a" alone = all). */
int rt_dev_rule_parse(const char *s, struct rt_dev_rule *out, err_t *err);

/* Does the rule list allow the access?  type is 'c' or 'b'. */
bool rt_dev_rules_allow(const struct rt_dev_rule *r, size_t n, char type, uint32_t major,
                        uint32_t minor, unsigned access);

/* Upper bound of the instructions rt_devbpf_gen emits for n rules. */
#define RT_DEVBPF_MAX_INSNS(n) (8 + 8 * (n))
/* Compile the rules into a cgroup device program (returns 1 = allow, 0 =
 * deny).  out holds RT_DEVBPF_MAX_INSNS(n) instructions; returns how many were
 * written.  Pure. */
size_t rt_devbpf_gen(const struct rt_dev_rule *r, size_t n, struct bpf_insn *out);

/* Load a generated program; returns its fd (O_CLOEXEC) or < 0. */
int rt_devbpf_load(const struct bpf_insn *insns, size_t n, err_t *err);

/* Compile, load and attach the rules to the cgroup2 directory cgdir
 * (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI).  The program stays attached until
 * the cgroup is removed. */
int rt_devbpf_attach(const char *cgdir, const struct rt_dev_rule *r, size_t n, err_t *err);

#endif
