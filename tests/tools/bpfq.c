/* bpfq CGROUP2_DIR: print how many cgroup device BPF programs are attached to
 * the directory itself and how many apply to it (its own plus inherited),
 * as "attached N effective M".  Test helper for devices.bats. */
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long query(int fd, unsigned flags, uint32_t *ids, uint32_t *cnt)
{
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.query.target_fd = (uint32_t)fd;
        a.query.attach_type = BPF_CGROUP_DEVICE;
        a.query.query_flags = flags;
        a.query.prog_ids = (uint64_t)(uintptr_t)ids;
        a.query.prog_cnt = *cnt;
        long r = syscall(SYS_bpf, BPF_PROG_QUERY, &a, sizeof(a));
        *cnt = a.query.prog_cnt;
        return r;
}

int main(int argc, char **argv)
{
        if (argc != 2) {
                fprintf(stderr, "usage: bpfq CGROUP2_DIR\n");
                return 2;
        }
        int fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                perror(argv[1]);
                return 1;
        }
        uint32_t ids[64], n = 64, e = 64;
        if (query(fd, 0, ids, &n) < 0 || query(fd, BPF_F_QUERY_EFFECTIVE, ids, &e) < 0) {
                perror("BPF_PROG_QUERY");
                return 1;
        }
        printf("attached %u effective %u\n", n, e);
        close(fd);
        return 0;
}
