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

int main(void)
{
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
