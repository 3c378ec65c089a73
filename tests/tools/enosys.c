/* enosys SYSCALL COMMAND [ARG...]: run COMMAND with SYSCALL failing with
 * ENOSYS (as a seccomp filter around berth may make clone3 fail, e.g.
 * Docker's default profile). */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 3) {
                fprintf(stderr, "usage: enosys SYSCALL COMMAND [ARG...]\n");
                return 2;
        }
        int nr = seccomp_syscall_resolve_name(argv[1]);
        scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
        if (nr == __NR_SCMP_ERROR || !c || seccomp_rule_add(c, SCMP_ACT_ERRNO(ENOSYS), nr, 0) < 0 ||
            seccomp_load(c) < 0) {
                fprintf(stderr, "enosys: cannot filter %s\n", argv[1]);
                return 2;
        }
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        return 127;
}
