/* spawn.h - create a container's init process and exec processes inside it.
 *
 * rt_spawn_start() clones the init into new namespaces, builds its root
 * (overlay, /proc, /sys, /dev, /etc files, mounts, pivot_root, masked paths),
 * resolves user and executable, then blocks on the sync socket.  The caller may
 * now configure the init from outside (cgroups, networking on
 * /proc/<pid>/ns/net) and then calls rt_spawn_go(), which lets the init drop
 * privileges and execve.  Errors of the child travel back over the socket as
 * errno + message. */
#ifndef BERTH_RT_SPAWN_H
#define BERTH_RT_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "err.h"
#include "strv.h"

struct rt_seccomp_profile;

struct rt_mount_spec {
        char *type; /* "bind" (also volumes) or "tmpfs" */
        char *source;
        char *target; /* absolute path inside the container */
        bool ro;
        char *options; /* tmpfs mount data, may be NULL */
};

struct rt_ulimit {
        int resource;
        rlim_t soft, hard;
};

/* What runs: shared by the init and by exec'd processes. */
struct rt_proc {
        strv_t argv;
        strv_t env;
        const char *cwd;  /* NULL = "/" */
        const char *user; /* "", "name", "uid", "name:group", "uid:gid" */
        uint64_t caps;
        bool no_new_privs;
        bool seccomp;                               /* load a filter */
        struct rt_seccomp_profile *seccomp_profile; /* it; NULL: the default */
        struct rt_ulimit *ulimits;
        size_t nulimits;
        bool tty; /* init: allocate a terminal in the container; exec: stdin is a
                     terminal to become the controlling tty */
};

/* One --sysctl, written inside the container's namespaces before its
 * command runs (key "net.ipv4.ip_forward" -> /proc/sys/net/ipv4/ip_forward). */
struct rt_sysctl {
        const char *key, *value;
};

struct rt_spawn {
        const char *id;
        const char *hostname;
        const strv_t *lower; /* overlay lower dirs, top first */
        const char *upper, *work, *merged;
        const char *hosts_file, *hostname_file, *resolv_file;
        const struct rt_mount_spec *mounts;
        size_t nmounts;
        bool readonly_rootfs;
        bool volatile_upper; /* --rm: its upper dir is never mounted again (overlay
                                "volatile": no syncs of the upper filesystem) */
        bool privileged;     /* no masked/read-only paths, /sys rw */
        bool new_netns;      /* false: host network, or join_netns_fd */
        int join_netns_fd;
        bool init;           /* run a minimal init as PID 1 that forwards signals and reaps */
        int64_t shm_size;    /* /dev/shm size in bytes, 0: Docker's 64 MiB */
        int oom_score_adj;   /* written for the init when it differs from ours */
        bool cgroup;         /* the init joins the cgroups of `id` as it is born */
        bool cgroup_devices; /* with cgroup: attach their device program
                                (rt_cgroup_device_program), by a thread beside
                                the set-up, before "go" */
        const struct rt_sysctl *sysctls; /* applied after networking, before exec */
        size_t nsysctls;
        int stdio[3];
        struct rt_proc proc;
};

/* Clone and set up the init.  On success *pid is its host pid and *sync_fd the
 * parent's end of the sync socket (O_CLOEXEC); the init waits for rt_spawn_go.
 * With proc.tty the init's stdio is a terminal of the container's own devpts
 * (stdio is ignored) and *pty_master its master; otherwise *pty_master = -1. */
int rt_spawn_start(const struct rt_spawn *s, pid_t *pid, int *sync_fd, int *pty_master,
                   int *fail_status, err_t *err);

/* Let the init exec, once it is in its cgroups (it joins them itself before
 * its set-up; where it cannot, rt_spawn_start moves it there meanwhile, and a
 * move that failed kills it: fails with that error).
 * Returns 0 once execve succeeded; otherwise fills err
 * with the child's errno and message and *fail_status with docker's exit
 * status for it (125 set-up error, 126 not executable, 127 not found).
 * rt_spawn_start and rt_exec report failures the same way. */
int rt_spawn_go(int sync_fd, int *fail_status, err_t *err);

/* Kill an init that rt_spawn_start set up and that is not let go, and reap
 * it (once its move into its cgroups is over). */
void rt_spawn_cancel(pid_t pid);

/* Docker's tmpfs options ("rw,noexec,nosuid,size=64m,mode=1777,uid=..."): the
 * mount attributes (MOUNT_ATTR_*; nosuid, nodev and noexec unless exec, suid,
 * dev say otherwise; read-only with ro) and the tmpfs data in *data
 * (size, mode, uid, gid, nr_inodes, nr_blocks, mpol, huge; malloc'd).  Any
 * other option is an error. */
int rt_tmpfs_opts(const char *opts, bool ro, unsigned *attrs, char **data, err_t *err);

/* Exit status docker uses for an exec failure with errno e. */
int rt_exec_failure_status(int e);

/* How long rt_exec waits for the new process to exec (or fail) before it
 * kills it: the set-up runs in the container, which may stop it. */
#define RT_EXEC_SETUP_TIMEOUT_S 5

/* Run proc inside the container whose init is init_pid, as the child of the
 * calling process: pins the init with a pidfd (checked against the record of
 * container id unless it is the caller's own child), joins its namespaces
 * through it and its cgroups, forks, execs.  Returns the pid of the new
 * process (a child of the caller) once it has exec'd, or < 0 with the exec
 * error in err.  stdio as in rt_spawn; with proc->tty and pty_master set, the
 * process gets a terminal of the container's own devpts instead and
 * *pty_master is its master (else -1). */
int rt_exec(pid_t init_pid, const char *id, const struct rt_proc *proc, const int stdio[3],
            int *pty_master, pid_t *pid_out, int *fail_status, err_t *err);

/* Bind the host path src at target inside rootfd, as a start mounts a volume
 * or a bind (the target made when missing, resolved inside the root, never
 * in /proc); ro: read-only.  In the caller's own mount namespace. */
int rt_bind_in_root(int rootfd, const char *target, const char *src, bool ro, err_t *err);

#endif
