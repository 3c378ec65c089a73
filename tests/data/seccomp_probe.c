/* seccomp_probe - a static test program for security_hostile.bats, copied
 * into an image by the test.  Prints one line per probe:
 *   i386         getpid, mount and unshare through int 0x80 (the i386 table)
 *   personality  personality(ADDR_NO_RANDOMIZE) and personality(0xffffffff)
 * A probe killed by the filter prints nothing after its name. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long i386_syscall(long nr)
{
        long r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(0L), "c"(0L), "d"(0L) : "memory");
        return r;
}

static void show(const char *what, long r)
{
        if (r < 0 && r > -4096)
                printf("%s=%s\n", what, strerror((int)-r));
        else
                printf("%s=ok\n", what);
        fflush(stdout);
}

int main(int argc, char **argv)
{
        if (argc > 1 && !strcmp(argv[1], "i386")) {
                printf("i386:\n");
                fflush(stdout);
                long pid = i386_syscall(20);
                show("getpid", pid == getpid() ? 0 : (pid < 0 ? pid : -EINVAL));
                show("mount", i386_syscall(21));
                show("unshare", i386_syscall(310));
                return 0;
        }
        if (argc > 1 && !strcmp(argv[1], "personality")) {
                printf("personality:\n");
                fflush(stdout);
                long r = syscall(SYS_personality, 0x0040000UL);
                show("addr_no_randomize", r < 0 ? -errno : 0);
                r = syscall(SYS_personality, 0xffffffffUL);
                show("query", r < 0 ? -errno : 0);
                return 0;
        }
        fprintf(stderr, "usage: seccomp_probe i386|personality\n");
        return 2;
}
