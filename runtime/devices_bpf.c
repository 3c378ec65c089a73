#include "devices_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "xalloc.h"

const char *const rt_dev_default_allow[] = {
    "c *:* m",   "b *:* m",   "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",   "c 1:8 rwm",
    "c 1:9 rwm", "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
};
const size_t rt_dev_default_allow_n = ARRAY_SIZE(rt_dev_default_allow);

static int parse_num(const char *s, size_t len, int32_t *out)
{
        if (len == 1 && *s == '*') {
                *out = -1;
                return 0;
        }
        if (len == 0 || len > 9)
                return -1;
        int32_t v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                v = v * 10 + (s[i] - '0');
        }
        *out = v;
        return 0;
}

int rt_dev_rule_parse(const char *rule, struct rt_dev_rule *out, err_t *err)
{
        const char *s = rule;
        struct rt_dev_rule r = {.major = -1, .minor = -1, .access = RT_DEV_ALL};
        if (*s != 'a' && *s != 'c' && *s != 'b')
                goto bad;
        r.type = *s++;
        if (*s == '\0' && r.type == 'a') {
                *out = r;
                return 0;
        }
        if (*s++ != ' ')
                goto bad;
        const char *colon = strchr(s, ':');
        const char *sp = colon ? strchr(colon, ' ') : NULL;
        if (!sp || parse_num(s, (size_t)(colon - s), &r.major) < 0 ||
            parse_num(colon + 1, (size_t)(sp - colon - 1), &r.minor) < 0)
                goto bad;
        r.access = 0;
        for (const char *p = sp + 1; *p; p++) {
                unsigned bit = *p == 'r'   ? RT_DEV_READ
                               : *p == 'w' ? RT_DEV_WRITE
                               : *p == 'm' ? RT_DEV_MKNOD
                                           : 0;
                if (!bit || (r.access & bit))
                        goto bad;
                r.access |= bit;
        }
        if (!r.access)
                goto bad;
        *out = r;
        return 0;
bad:
        return err_set(err, EINVAL, "invalid device rule \"%s\"", rule);
}

bool rt_dev_rules_allow(const struct rt_dev_rule *r, size_t n, char type, uint32_t major,
                        uint32_t minor, unsigned access)
{
        for (size_t i = 0; i < n; i++) {
                if (r[i].type != 'a' && r[i].type != type)
                        continue;
                if (access & ~r[i].access)
                        continue;
                if (r[i].major >= 0 && (uint32_t)r[i].major != major)
                        continue;
                if (r[i].minor >= 0 && (uint32_t)r[i].minor != minor)
                        continue;
                return true;
        }
        return false;
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
        struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
        return i;
}

/* Registers: r1 = context, r2 = requested access bits, r3 = device type,
 * r4 = major, r5 = minor, r6 = scratch, r0 = verdict. */
#define LDX_W(dst, field)                                                                          \
        insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1,                                            \
             offsetof(struct bpf_cgroup_dev_ctx, field), 0)

size_t rt_devbpf_gen(const struct rt_dev_rule *r, size_t n, struct bpf_insn *out)
{
        size_t pc = 0;
        out[pc++] = LDX_W(BPF_REG_2, access_type);
        out[pc++] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
        out[pc++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
        out[pc++] = insn(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
        out[pc++] = LDX_W(BPF_REG_4, major);
        out[pc++] = LDX_W(BPF_REG_5, minor);
        for (size_t i = 0; i < n; i++) {
                bool check_type = r[i].type != 'a';
                bool check_access = (r[i].access & RT_DEV_ALL) != RT_DEV_ALL;
                bool check_major = r[i].major >= 0, check_minor = r[i].minor >= 0;
                size_t len = 2 + check_type + 3 * check_access + check_major + check_minor;
                size_t next = pc + len; /* first instruction of the next rule */
#define SKIP_OFF() ((int16_t)(next - (pc + 1)))
                if (check_type) {
                        int32_t t = r[i].type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
                        out[pc] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, SKIP_OFF(), t);
                        pc++;
                }
                if (check_access) {
                        /* any requested bit outside the rule's mask: next rule */
                        out[pc++] = insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_2, 0, 0);
                        out[pc++] = insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_6, 0, 0,
                                         (int32_t)(~r[i].access & RT_DEV_ALL));
                        out[pc] = insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_6, 0, SKIP_OFF(), 0);
                        pc++;
                }
                if (check_major) {
                        out[pc] =
                            insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, SKIP_OFF(), r[i].major);
                        pc++;
                }
                if (check_minor) {
                        out[pc] =
                            insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, SKIP_OFF(), r[i].minor);
                        pc++;
                }
#undef SKIP_OFF
                out[pc++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
                out[pc++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        }
        out[pc++] = insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
        out[pc++] = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        return pc;
}

static int sys_bpf(int cmd, union bpf_attr *a)
{
        return (int)syscall(SYS_bpf, cmd, a, sizeof(*a));
}

int rt_devbpf_load(const struct bpf_insn *insns, size_t n, err_t *err)
{
        /* The program calls no helper, so its license string does not matter
         * to the kernel (it gates only GPL-only helpers). */
        static const char license[] = "GPL";
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        a.insns = (uint64_t)(uintptr_t)insns;
        a.insn_cnt = (uint32_t)n;
        a.license = (uint64_t)(uintptr_t)license;
        int fd = sys_bpf(BPF_PROG_LOAD, &a);
        if (fd >= 0)
                return fd;
        int e = errno;
        if (e != EINVAL && e != EACCES)
                return err_sys(err, e, "load the device cgroup BPF program");
        /* rejected by the verifier: load again to get its reason */
        _cleanup_free_ char *log = xmalloc(16384);
        log[0] = '\0';
        a.log_level = 1;
        a.log_buf = (uint64_t)(uintptr_t)log;
        a.log_size = 16384;
        fd = sys_bpf(BPF_PROG_LOAD, &a);
        if (fd >= 0)
                return fd;
        size_t len = strlen(log);
        while (len && log[len - 1] == '\n')
                log[--len] = '\0';
        char *last = strrchr(log, '\n');
        return err_sys(err, e, "load the device cgroup BPF program (verifier: %s)",
                       last ? last + 1 : log);
}

int rt_devbpf_attach(const char *cgdir, const struct rt_dev_rule *r, size_t n, err_t *err)
{
        _cleanup_free_ struct bpf_insn *prog = xmalloc(sizeof(*prog) * RT_DEVBPF_MAX_INSNS(n));
        size_t len = rt_devbpf_gen(r, n, prog);
        _cleanup_close_ int pfd = rt_devbpf_load(prog, len, err);
        if (pfd < 0)
                return -1;
        _cleanup_close_ int cfd = open(cgdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cfd < 0)
                return err_sys(err, errno, "cgroup: open %s", cgdir);
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t)cfd;
        a.attach_bpf_fd = (uint32_t)pfd;
        a.attach_type = BPF_CGROUP_DEVICE;
        a.attach_flags = BPF_F_ALLOW_MULTI;
        if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
                return err_sys(err, errno, "attach the device BPF program to %s", cgdir);
        return 0;
}
