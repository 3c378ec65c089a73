/* security.h - capabilities, no_new_privs and the default seccomp profile.
 *
 * The defaults match Docker's: 14 capabilities (mask 0xa80425fb), no ambient or
 * inheritable capabilities, no_new_privs, and a seccomp deny-list that returns
 * EPERM for syscalls that would let a container escape or affect the host. */
#ifndef BERTH_RT_SECURITY_H
#define BERTH_RT_SECURITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "strv.h"

/* Docker's default capability set as a bit mask over CAP_* numbers. */
#define RT_CAPS_DEFAULT 0x00000000a80425fbULL

/* Parse a capability name ("NET_ADMIN", "CAP_NET_ADMIN", "net_admin", "ALL") into a
 * mask.  Returns < 0 for unknown names. */
int rt_cap_parse(const char *name, uint64_t *mask, err_t *err);

/* Compute the final set: default (or all when privileged), minus drops, plus adds,
 * in Docker's order (ALL in drop clears first, then adds apply). */
int rt_caps_compute(bool privileged, const strv_t *add, const strv_t *drop, uint64_t *out,
                    err_t *err);

/* Highest capability number the running kernel knows. */
int rt_cap_last(void);

/* Drop every capability outside keep from the bounding set, and clear the
 * ambient set.  Needs CAP_SETPCAP: call before changing uid. */
int rt_caps_bound(uint64_t keep, err_t *err);

/* Set effective = permitted = keep, inheritable = 0 (for uid 0); for other
 * users permitted/effective end up empty, as Docker does. */
int rt_caps_apply(uint64_t keep, err_t *err);

/* Load Docker's default deny-list into the calling thread (inherited by
 * execve).  Needs no_new_privs or CAP_SYS_ADMIN. */
int rt_seccomp_load_default(err_t *err);

struct rt_seccomp_profile; /* seccomp_profile.h */

/* Load profile p (NULL: the default deny-list) for a process holding caps
 * (a rule's includes/excludes.caps are checked against them).  Like
 * Docker, syscall names this libseccomp does not know are skipped.  Does
 * not set no_new_privs: needs it or CAP_SYS_ADMIN. */
int rt_seccomp_load(const struct rt_seccomp_profile *p, uint64_t caps, err_t *err);

/* p's filter compiled to BPF, with the flags seccomp(2) is to load it with:
 * what rt_seccomp_load builds and loads in one step, in two, so that the
 * compilation (libseccomp's, ~1 ms) is done before a container's "go" and
 * only the load after it.  Loaded, it is the same filter with the same flags. */
struct rt_seccomp_prog {
        void *insns; /* struct sock_filter[len] */
        unsigned short len;
        unsigned int flags; /* SECCOMP_FILTER_FLAG_* */
};
int rt_seccomp_compile(const struct rt_seccomp_profile *p, uint64_t caps,
                       struct rt_seccomp_prog *out, err_t *err);
int rt_seccomp_load_prog(const struct rt_seccomp_prog *prog, err_t *err);
void rt_seccomp_prog_free(struct rt_seccomp_prog *prog);

/* Build p's filter without loading it: what rt_seccomp_load would refuse. */
int rt_seccomp_check(const struct rt_seccomp_profile *p, uint64_t caps, err_t *err);

/* Check --security-opt / compose security_opt values, Docker's KEY=VALUE or
 * KEY:VALUE: no-new-privileges[=true|false], seccomp=unconfined|builtin|FILE,
 * apparmor=unconfined, label=disable.  Anything else (another AppArmor
 * profile, SELinux labels, unknown keys) is an error naming the option:
 * berth cannot honour it.  A seccomp=FILE (relative to base_dir when not
 * absolute and base_dir is given) is read, parsed and built for a container
 * holding caps; *profile is then its normalized document, to keep with the
 * container (NULL without a profile file). */
int rt_secopts_check(const strv_t *opts, const char *base_dir, uint64_t caps, json_t **profile,
                     err_t *err);

/* The FILE of a "seccomp=FILE" option, NULL for any other option and for
 * seccomp=unconfined / seccomp=builtin. */
const char *rt_secopt_seccomp_file(const char *opt);

/* oom_score_adj must be within [-1000, 1000]. */
int rt_oom_score_adj_check(long long v, err_t *err);

/* Docker's rule for a --sysctl key: only the namespaced ones (kernel.msgmax,
 * msgmnb, msgmni, sem, shmall, shmmax, shmmni, shm_rmid_forced, fs.mqueue.*,
 * net.*), and net.* not when the container uses the host's network. */
int rt_sysctl_check(const char *key, bool host_network, err_t *err);

#endif
