/* Device rules: parsing, the C reference matcher, and the generated cgroup
 * device BPF program, run through a small interpreter of the instructions the
 * generator may emit (and through the kernel verifier when bpf() is usable). */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime/devices_bpf.h"
#include "tap.h"

/* Runs prog on one context; returns the verdict, or -1 on an instruction the
 * interpreter does not know, an out-of-range jump or a missing exit. */
static int run(const struct bpf_insn *p, size_t n, const struct bpf_cgroup_dev_ctx *ctx)
{
        uint64_t reg[11] = {0};
        for (size_t pc = 0, steps = 0; pc < n && steps < 10000; steps++) {
                const struct bpf_insn *i = &p[pc++];
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        if (i->src_reg != BPF_REG_1 || i->off < 0 ||
                            (size_t)i->off + 4 > sizeof(*ctx) || i->off % 4)
                                return -1;
                        reg[i->dst_reg] = ((const uint32_t *)ctx)[i->off / 4];
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        reg[i->dst_reg] = (uint32_t)reg[i->src_reg];
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] & (uint32_t)i->imm;
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm;
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        reg[i->dst_reg] = (uint64_t)(int64_t)i->imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (reg[i->dst_reg] != (uint64_t)(int64_t)i->imm) {
                                if (i->off < 0 || pc + (size_t)i->off > n)
                                        return -1;
                                pc += (size_t)i->off;
                        }
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int)reg[0];
                default:
                        return -1;
                }
        }
        return -1;
}

static int parse_all(const char *const *s, size_t n, struct rt_dev_rule *out)
{
        for (size_t i = 0; i < n; i++) {
                err_t e = {0};
                if (rt_dev_rule_parse(s[i], &out[i], &e) < 0) {
                        tap_diag("%s", e.msg);
                        return -1;
                }
        }
        return 0;
}

static int verdict(const struct bpf_insn *p, size_t n, char type, uint32_t maj, uint32_t min,
                   unsigned acc)
{
        struct bpf_cgroup_dev_ctx c = {
            .access_type = (acc << 16) | (type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
            .major = maj,
            .minor = min};
        return run(p, n, &c);
}

/* Every combination of a few interesting devices and all access masks. */
static void compare_exhaustive(const struct rt_dev_rule *r, size_t nr, const char *what)
{
        struct bpf_insn prog[RT_DEVBPF_MAX_INSNS(16)];
        size_t n = rt_devbpf_gen(r, nr, prog);
        ok(n <= RT_DEVBPF_MAX_INSNS(nr), "%s: %zu instructions within the bound", what, n);
        static const uint32_t majors[] = {0, 1, 4, 5, 8, 10, 136, 137, 254, 4095};
        static const uint32_t minors[] = {0, 1, 2, 3, 5, 7, 8, 9, 10, 199, 200, 201, 1048575};
        int mismatches = 0, bad = 0;
        for (int t = 0; t < 2; t++)
                for (size_t a = 0; a < sizeof(majors) / sizeof(*majors); a++)
                        for (size_t b = 0; b < sizeof(minors) / sizeof(*minors); b++)
                                for (unsigned acc = 1; acc <= RT_DEV_ALL; acc++) {
                                        char type = t ? 'b' : 'c';
                                        int v = verdict(prog, n, type, majors[a], minors[b], acc);
                                        bool want = rt_dev_rules_allow(r, nr, type, majors[a],
                                                                       minors[b], acc);
                                        if (v < 0)
                                                bad++;
                                        else if ((v == 1) != want && mismatches++ < 5)
                                                tap_diag("%c %u:%u acc %u: prog %d, rules %d", type,
                                                         majors[a], minors[b], acc, v, want);
                                }
        is_int(bad, 0, "%s: the program always runs to an exit", what);
        is_int(mismatches, 0, "%s: program agrees with the reference matcher", what);
}

int main(void)
{
        struct rt_dev_rule def[16];
        size_t nd = rt_dev_default_allow_n;
        ok(nd <= 16 && parse_all(rt_dev_default_allow, nd, def) == 0, "default rules parse");

        struct rt_dev_rule r;
        err_t e = {0};
        ok(rt_dev_rule_parse("c 136:* rwm", &r, &e) == 0 && r.type == 'c' && r.major == 136 &&
               r.minor == -1 && r.access == RT_DEV_ALL,
           "c 136:* rwm");
        ok(rt_dev_rule_parse("b *:* m", &r, &e) == 0 && r.type == 'b' && r.major == -1 &&
               r.minor == -1 && r.access == RT_DEV_MKNOD,
           "b *:* m");
        ok(rt_dev_rule_parse("a", &r, &e) == 0 && r.type == 'a' && r.access == RT_DEV_ALL, "a");
        static const char *const bad[] = {"",          "x 1:3 rwm", "c 1:3",   "c 1:3 ",  "c 1 rwm",
                                          "c 1:3 rwx", "c 1:3 rr",  "c a:3 r", "c 1:3rwm"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
                ok(rt_dev_rule_parse(bad[i], &r, &e) < 0 && e.code == EINVAL, "rejects \"%s\"",
                   bad[i]);

        rt_dev_rule_parse("c 1:3 rwx", &r, &e);
        ok(strstr(e.msg, "\"c 1:3 rwx\"") != NULL, "the error names the whole rule: %s", e.msg);

        /* reference semantics of the default list */
        ok(rt_dev_rules_allow(def, nd, 'c', 1, 3, RT_DEV_READ | RT_DEV_WRITE), "/dev/null rw");
        ok(rt_dev_rules_allow(def, nd, 'c', 136, 7, RT_DEV_READ), "pts rw");
        ok(!rt_dev_rules_allow(def, nd, 'c', 1, 1, RT_DEV_READ), "/dev/mem read denied");
        ok(rt_dev_rules_allow(def, nd, 'c', 1, 1, RT_DEV_MKNOD), "mknod of any char dev allowed");
        ok(!rt_dev_rules_allow(def, nd, 'b', 8, 0, RT_DEV_READ), "block read denied");
        ok(rt_dev_rules_allow(def, nd, 'c', 10, 200, RT_DEV_READ), "tun allowed");
        ok(rt_dev_rules_allow(def, nd, 'c', 5, 1, RT_DEV_READ | RT_DEV_MKNOD),
           "console rm allowed");
        ok(!rt_dev_rules_allow(def, nd, 'c', 1, 1, RT_DEV_READ | RT_DEV_MKNOD),
           "mknod+read of /dev/mem denied (all bits must be allowed)");
        ok(!rt_dev_rules_allow(def, 0, 'c', 1, 3, RT_DEV_READ), "empty list denies");

        /* generated program */
        struct bpf_insn prog[RT_DEVBPF_MAX_INSNS(16)];
        size_t n = rt_devbpf_gen(def, nd, prog);
        is_int(verdict(prog, n, 'c', 1, 3, RT_DEV_READ | RT_DEV_WRITE), 1, "prog: /dev/null");
        is_int(verdict(prog, n, 'c', 1, 1, RT_DEV_READ), 0, "prog: /dev/mem");
        is_int(verdict(prog, n, 'b', 8, 0, RT_DEV_MKNOD), 1, "prog: mknod block");
        is_int(verdict(prog, n, 'b', 8, 0, RT_DEV_WRITE), 0, "prog: write block");
        compare_exhaustive(def, nd, "default list");
        compare_exhaustive(def, 0, "empty list");
        static const char *const other[] = {"b 8:* r", "c *:5 w", "a *:* m", "c 4:2 rw"};
        struct rt_dev_rule ot[4];
        ok(parse_all(other, 4, ot) == 0, "other rules parse");
        compare_exhaustive(ot, 4, "mixed list");
        struct rt_dev_rule all;
        rt_dev_rule_parse("a", &all, &e);
        compare_exhaustive(&all, 1, "allow all");

        /* the kernel's verifier accepts the program */
        err_t le = {0};
        int fd = rt_devbpf_load(prog, n, &le);
        if (fd < 0 && (le.code == EPERM || le.code == ENOSYS)) {
                tap_skip("bpf() not usable here");
        } else {
                if (!ok(fd >= 0, "kernel loads the default program"))
                        tap_diag("%s", le.msg);
                if (fd >= 0)
                        close(fd);
        }
        return tap_done();
}
