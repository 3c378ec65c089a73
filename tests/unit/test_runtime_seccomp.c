/* Unit tests: the default seccomp filter, loaded in a forked child (no root
 * needed: no_new_privs first).  personality(2) is allowed for Docker's five
 * values only; 32-bit syscalls (int 0x80) meet the same rules instead of a
 * kill. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/seccomp_profile.h"
#include "runtime/security.h"
#include "tap.h"

static bool allowed_persona(uint64_t v)
{
        return v == 0 || v == 8 || v == 0x20000 || v == 0x20008 || v == 0xffffffffULL;
}

/* Child: returns the number of personality values whose outcome is wrong. */
static int check_personality(void)
{
        int bad = 0;
        uint64_t vals[2200];
        size_t n = 0;
        vals[n++] = 0;
        vals[n++] = 0xffffffffULL;
        vals[n++] = 0x0040000; /* ADDR_NO_RANDOMIZE */
        vals[n++] = 0x0400000; /* READ_IMPLIES_EXEC */
        vals[n++] = 0x100000000ULL;
        vals[n++] = 0xfffffffeULL;
        vals[n++] = 0x7fffffffULL;
        for (unsigned a = 0; a < 32; a++)
                for (unsigned b = a; b < 32; b++) {
                        vals[n++] = (1ULL << a) | (1ULL << b);
                        vals[n++] = 0xffffffffULL & ~((1ULL << a) | (1ULL << b));
                }
        unsigned seed = 12345;
        while (n < sizeof(vals) / sizeof(vals[0])) {
                seed = seed * 1103515245u + 12345u;
                vals[n++] = seed & (seed >> 3);
        }
        for (size_t i = 0; i < n; i++) {
                long r = syscall(SYS_personality, (unsigned long)vals[i]);
                bool denied = r == -1 && errno == EPERM;
                if (denied == allowed_persona(vals[i])) {
                        bad++;
                        if (bad < 5)
                                printf("# personality(%#llx): %s\n", (unsigned long long)vals[i],
                                       denied ? "denied" : "allowed");
                }
                if (!denied)
                        syscall(SYS_personality, 0UL);
        }
        return bad;
}

#if defined(__x86_64__)
static long i386_syscall(long nr)
{
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(0L), "c"(0L), "d"(0L) : "memory");
        return r;
}
#endif

/* Run fn in a child under the default filter; its exit status or a signal. */
static int in_filtered_child(int (*fn)(void), int *sig)
{
        pid_t c = fork();
        if (c == 0) {
                err_t e = {0};
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rt_seccomp_load_default(&e) < 0)
                        _exit(200);
                int bad = fn();
                _exit(bad > 100 ? 100 : bad);
        }
        int st;
        waitpid(c, &st, 0);
        *sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#if defined(__x86_64__)
static int check_i386(void)
{
        /* getpid(20) works, mount(21) and unshare(310) fail with EPERM */
        if (i386_syscall(20) != getpid())
                return 1;
        if (i386_syscall(21) != -EPERM)
                return 2;
        if (i386_syscall(310) != -EPERM)
                return 3;
        return 0;
}
#endif

static const char custom[] =
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
    "{\"names\": [\"getppid\", \"no_such_syscall\"], \"action\": \"SCMP_ACT_ERRNO\", "
    "\"errnoRet\": 28},"
    "{\"names\": [\"umask\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
    "{\"index\": 0, \"value\": 511, \"op\": \"SCMP_CMP_EQ\"},"
    "{\"index\": 0, \"value\": 438, \"op\": \"SCMP_CMP_EQ\"}]},"
    "{\"names\": [\"getpgid\"], \"action\": \"SCMP_ACT_ERRNO\", "
    "\"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
    "{\"names\": [\"getsid\"], \"action\": \"SCMP_ACT_ERRNO\", "
    "\"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}]}";

static struct rt_seccomp_profile custom_p;

/* Child under the custom profile with Docker's default capabilities. */
static int check_custom(void)
{
        err_t e = {0};
        if (rt_seccomp_load(&custom_p, RT_CAPS_DEFAULT, &e) < 0)
                return 90;
        if (syscall(SYS_getppid) != -1 || errno != ENOSPC)
                return 1; /* errnoRet */
        if (syscall(SYS_umask, 0777) != -1 || errno != EPERM)
                return 2; /* two comparisons of one argument: either */
        if (syscall(SYS_umask, 0666) != -1 || errno != EPERM)
                return 3;
        if (syscall(SYS_umask, 022) < 0)
                return 4;
        if (syscall(SYS_getpgid, 0) < 0)
                return 5; /* includes.caps not held: no rule */
        if (syscall(SYS_getsid, 0) != -1 || errno != EPERM)
                return 6; /* excludes.caps not held: the rule applies */
        return 0;
}

static int in_child(int (*fn)(void), int *sig)
{
        pid_t c = fork();
        if (c == 0) {
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        _exit(200);
                _exit(fn());
        }
        int st;
        waitpid(c, &st, 0);
        *sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void refused(const char *json, const char *msg)
{
        struct rt_seccomp_profile p;
        err_t e = {0};
        int r = rt_seccomp_profile_parse(json, strlen(json), "p.json", &p, &e);
        ok(r < 0, "refused: %s", json);
        is_str(e.msg, msg, "message for %s", json);
}

static void profile_tests(void)
{
        err_t e = {0};
        int sig;
        ok(rt_seccomp_profile_parse(custom, strlen(custom), "custom.json", &custom_p, &e) == 0,
           "custom profile parses");
        is_int(custom_p.nrules, 4, "four rules");
        is_int(custom_p.rules[0].errno_ret, 28, "errnoRet");
        is_int(custom_p.rules[1].nargs, 2, "two args");
        /* the normalized document reads back to the same */
        json_t *j = rt_seccomp_profile_json(&custom_p);
        char *s = json_dumps(j, JSON_COMPACT);
        struct rt_seccomp_profile q;
        ok(rt_seccomp_profile_parse(s, strlen(s), "n.json", &q, &e) == 0, "normalized parses");
        json_t *k = rt_seccomp_profile_json(&q);
        ok(json_equal(j, k), "normalized is stable");
        json_decref(j);
        json_decref(k);
        free(s);
        rt_seccomp_profile_free(&q);
        int r = in_child(check_custom, &sig);
        is_int(sig, 0, "custom profile child not killed");
        is_int(r, 0, "errnoRet, same-index args, includes/excludes caps");
        rt_seccomp_profile_free(&custom_p);

        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\",",
                "seccomp profile p.json:1:35: string or '}' expected near end of file");
        refused("[]", "seccomp profile p.json: (top level): must be an object");
        refused("{}", "seccomp profile p.json: defaultAction: is required");
        refused("{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
                "seccomp profile p.json: defaultAction: unknown action \"SCMP_ACT_NOPE\"");
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}",
                "seccomp profile p.json: defaultErrnoRet: is only valid with SCMP_ACT_ERRNO or "
                "SCMP_ACT_TRACE, not SCMP_ACT_ALLOW");
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_Z80\"]}",
                "seccomp profile p.json: architectures[0]: unknown architecture "
                "\"SCMP_ARCH_Z80\"");
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
                "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"op\": "
                "\"SCMP_CMP_EQ\"}]}]}",
                "seccomp profile p.json: syscalls[0].args[0].index: 6 is out of range (at most 5)");
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"name\": \"a\", "
                "\"names\": [\"b\"], \"action\": \"SCMP_ACT_ERRNO\"}]}",
                "seccomp profile p.json: syscalls[0]: \"name\" and \"names\" are mutually "
                "exclusive");
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
                "\"action\": \"SCMP_ACT_ERRNO\", \"includes\": {\"minKernel\": \"4\"}}]}",
                "seccomp profile p.json: syscalls[0].includes.minKernel: \"4\" is not a kernel "
                "version MAJOR.MINOR");
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"X\"]}",
                "seccomp profile p.json: flags[0]: unknown flag \"X\"");
        refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultAction\": \"SCMP_ACT_ALLOW\"}",
                "seccomp profile p.json:1:51: duplicate object key near '\"defaultAction\"'");
}

static void secopt(const char *a, const char *b, const char *msg)
{
        strv_t v = STRV_INIT;
        strv_push(&v, a);
        if (b)
                strv_push(&v, b);
        json_t *prof = NULL;
        err_t e = {0};
        int r = rt_secopts_check(&v, NULL, RT_CAPS_DEFAULT, &prof, &e);
        if (msg) {
                ok(r < 0, "refused: %s %s", a, b ? b : "");
                is_str(e.msg, msg, "message for %s", a);
        } else {
                ok(r == 0 && !prof, "accepted: %s %s", a, b ? b : "");
        }
        strv_free(&v);
}

static void secopt_tests(void)
{
        secopt("no-new-privileges", NULL, NULL);
        secopt("no-new-privileges:false", "seccomp=unconfined", NULL);
        secopt("apparmor=unconfined", "label:disable", NULL);
        secopt("seccomp=builtin", "label=disable", NULL);
        secopt("apparmor=docker-default", NULL,
               "security option apparmor=docker-default: berth has no AppArmor support and "
               "cannot honour it (only apparmor=unconfined is accepted)");
        secopt("label=level:s0:c100,c200", NULL,
               "security option label=level:s0:c100,c200: berth has no SELinux support and "
               "cannot honour it (only label=disable is accepted)");
        secopt("systempaths=unconfined", NULL,
               "security option systempaths=unconfined: unknown option; berth cannot honour it");
        secopt("no-new-privileges=maybe", NULL, "invalid security option no-new-privileges=maybe");
        secopt("seccomp=", NULL, "invalid security option seccomp=");
        secopt("seccomp=unconfined", "seccomp=/x.json",
               "security options seccomp=unconfined and seccomp=/x.json: only one seccomp profile "
               "can be given");
        secopt("seccomp=/nonexistent/p.json", NULL,
               "seccomp profile /nonexistent/p.json: No such file or directory");
}

int main(void)
{
        secopt_tests();
        profile_tests();
        int sig;
        int bad = in_filtered_child(check_personality, &sig);
        is_int(sig, 0, "personality child not killed");
        is_int(bad, 0, "personality allowed exactly for 0, 8, 0x20000, 0x20008, 0xffffffff");
#if defined(__x86_64__)
        int r = in_filtered_child(check_i386, &sig);
        is_int(sig, 0, "i386 syscalls through int 0x80 are not killed");
        is_int(r, 0, "i386 getpid works, mount and unshare fail with EPERM");
#else
        tap_skip("int 0x80 is x86_64 only");
#endif
        return tap_done();
}
