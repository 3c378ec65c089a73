/* The seccomp filter compiled ahead (rt_seccomp_compile, before a
 * container's "go") and loaded later (rt_seccomp_load_prog): the same rules
 * as rt_seccomp_load, and the profile's flags passed to seccomp(2).  Loaded
 * in forked children (no root needed: no_new_privs first). */
#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/seccomp_profile.h"
#include "runtime/security.h"
#include "tap.h"

static struct rt_seccomp_prog prog;

/* Load prog in a child and run fn there: its exit status. */
static int in_child(int (*fn)(void))
{
        pid_t c = fork();
        if (c == 0) {
                err_t e = {0};
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    rt_seccomp_load_prog(&prog, &e) < 0)
                        _exit(200);
                _exit(fn());
        }
        int st;
        waitpid(c, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static int check_default(void)
{
        if (syscall(SYS_getpid) != getpid())
                return 1;
        if (mount("none", "/", "tmpfs", 0, NULL) == 0 || errno != EPERM)
                return 2;
        if (unshare(CLONE_NEWNS) == 0 || errno != EPERM)
                return 3;
        if (syscall(SYS_pivot_root, ".", ".") == 0 || errno != EPERM)
                return 4;
        return 0;
}

static const char custom[] =
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", "
    "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"syscalls\": ["
    "{\"names\": [\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 28}]}";

static int check_custom(void)
{
        if (syscall(SYS_getppid) != -1 || errno != ENOSPC)
                return 1;
        if (syscall(SYS_getpid) != getpid())
                return 2;
        return 0;
}

int main(void)
{
        err_t e = {0};
        ok(rt_seccomp_compile(NULL, 0, &prog, &e) == 0, "the default filter compiles: %s", e.msg);
        ok(prog.insns && prog.len > 10 && prog.len <= 4096, "%u instructions", prog.len);
        is_int((int)prog.flags, 0, "no flags for the default filter");
        struct rt_seccomp_prog again = {0};
        ok(rt_seccomp_compile(NULL, 0, &again, &e) == 0 && again.len == prog.len &&
               !memcmp(again.insns, prog.insns, (size_t)prog.len * 8),
           "compiled twice, the same program");
        rt_seccomp_prog_free(&again);
        is_int(in_child(check_default), 0,
               "loaded: getpid works, mount, unshare and pivot_root fail with EPERM");
        rt_seccomp_prog_free(&prog);
        ok(prog.insns == NULL, "freed");

        struct rt_seccomp_profile p;
        ok(rt_seccomp_profile_parse(custom, strlen(custom), "custom.json", &p, &e) == 0,
           "custom profile parses: %s", e.msg);
        ok(rt_seccomp_compile(&p, RT_CAPS_DEFAULT, &prog, &e) == 0, "custom profile compiles");
        is_int((int)prog.flags, (int)(SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW),
               "the profile's flags go to seccomp(2)");
        is_int(in_child(check_custom), 0, "loaded: getppid fails with its errnoRet (ENOSPC)");
        rt_seccomp_prog_free(&prog);
        rt_seccomp_profile_free(&p);
        return tap_done();
}
