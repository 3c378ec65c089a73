/* container.h - the container state store.
 *
 * One JSON document per container, lib/containers/<id>/config.json, laid out
 * like `docker inspect` (Id, Name, Created, State, Config, HostConfig, Mounts,
 * GraphDriver, RestartCount, ...) so `inspect` prints it as it is.  Runtime
 * bits (monitor pid and start time, the control socket) live in
 * run/containers/<id>/, which a reboot wipes.  Every read-modify-write holds the
 * per-container lock (rt_ctr_lock). */
#ifndef BERTH_RT_CONTAINER_H
#define BERTH_RT_CONTAINER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "spawn.h"
#include "strv.h"

/* A container id: 64 hex digits; the short form (names, hostnames) is its first 12. */
#define RT_ID_LEN       64
#define RT_SHORT_ID_LEN 12

char *rt_ctr_dir(const char *id);     /* caller frees */
char *rt_ctr_run_dir(const char *id); /* caller frees */
char *rt_ctr_sock_path(const char *id);

/* 64 random hex digits; a docker-like "adjective_noun" name. */
char *rt_ctr_gen_id(void);
char *rt_ctr_gen_name(void);

/* Exclusive lock on the container; returns the fd to close, or < 0. */
int rt_ctr_lock(const char *id, err_t *err);
/* rt_ctr_lock, then rt_ctr_load into *doc (NULL on failure): the lock fd to
 * close, or < 0 with nothing held. */
int rt_ctr_lock_load(const char *id, json_t **doc, err_t *err);
/* The same without waiting: -1 when another holder has it (even another fd
 * of this process) or the container is gone. */
int rt_ctr_trylock(const char *id);

/* Docker's container name rule, [a-zA-Z0-9][a-zA-Z0-9_.-]+ (a leading '/'
 * is allowed), with Docker's error text. */
int rt_ctr_name_check(const char *name, err_t *err);
/* A host or domain name for the UTS namespace and /etc/hosts: at most 64
 * characters (the kernel's limit), dot-separated RFC 1123 labels of 1-63
 * letters, digits and '-', not starting or ending with '-'.  what names the
 * field in the message ("hostname", "domainname"). */
int rt_hostname_check(const char *what, const char *h, err_t *err);
/* The seccomp profile of a container created with --security-opt
 * seccomp=FILE, normalized, in its dir: what every start and exec loads. */
#define RT_CTR_SECCOMP "seccomp.json"

/* Create the container: j must hold Id and Name ("/name").  Fails with
 * docker's conflict message when the name is taken.  Writes the state file,
 * makes the container dirs (overlay upper/work/merged, hosts, hostname,
 * resolv.conf) and fills the path fields of j.  A "SeccompProfile" member
 * (rt_secopts_check's profile) is moved out of j into RT_CTR_SECCOMP. */
/* flags: RT_CTR_VOLATILE (`run --rm`: a container its creator starts at
 * once and that is removed when it ends) fsyncs nothing and makes no exit
 * reserve: a crash before its end leaves at worst a damaged container that
 * `ps -a` lists and `rm -f` removes (rt_ctr_load). */
#define RT_CTR_VOLATILE 1u
int rt_ctr_create(json_t *j, unsigned flags, err_t *err);

/* Record a container event in the events journal (base/events.h): the
 * document's labels, image and name as attributes, then the NULL-terminated
 * key, value pairs given.  Never fails. */
void rt_ctr_event(const json_t *doc, const char *action, ...) __attribute__((sentinel));
/* Docker's volume mount / unmount events for the document's volumes. */
void rt_ctr_volume_events(const json_t *doc, bool mount);
/* Docker's network disconnect events of a container that stopped. */
void rt_ctr_network_disconnect_events(const json_t *doc);

int rt_ctr_load(const char *id, json_t **out, err_t *err);
int rt_ctr_save(const char *id, const json_t *j, err_t *err);
/* An fd of the container's config.json as it is now (-1 when it cannot be
 * opened).  rt_ctr_save replaces the file; the one replaced is freed when
 * its last fd is closed, which on ext4 mounted with discard and without a
 * journal is a synchronous discard of its blocks (0.3-4 ms measured here):
 * whoever holds this fd decides when that happens (the monitor: after the
 * start, not on the way to the container's exec). */
int rt_ctr_doc_hold(const char *id);

/* The exit reserve: a small file (RT_CTR_EXIT_RESERVE) written in full at
 * create, so its blocks are already the container's when its state cannot
 * be written (the disk is full, ENOSPC).  The monitor then keeps the exit
 * there (rt_ctr_exit_keep: an overwrite in place, which needs no new space),
 * and the next command's rt_ctr_reconcile records that exit - its code, not
 * 255 - instead of "monitor exited unexpectedly".  state holds StartedAt
 * (the run it ends), ExitCode, OOMKilled and FinishedAt. */
#define RT_CTR_EXIT_RESERVE "exit.reserve"
int rt_ctr_exit_keep(const char *id, const json_t *state, err_t *err);

/* Ids of every container, sorted by creation (newest first). */
int rt_ctr_list(strv_t *ids, err_t *err);

/* Full id from a full id, a unique id prefix or a name (with or without "/"). */
int rt_ctr_resolve(const char *ref, char **id, err_t *err);

/* Rename under the global name lock. */
int rt_ctr_rename(const char *id, const char *newname, err_t *err);

/* Make the state file tell the truth: a container recorded as running whose
 * monitor is gone (killed, crashed, host rebooted) becomes exited and its
 * leftovers (processes, cgroups, run dir) are removed.  Call with the lock
 * held; saves j when it changed. */
int rt_ctr_reconcile(const char *id, json_t *j, err_t *err);

/* Is the container's monitor alive?  Fills the init pid when it is (0 while
 * none runs: the monitor is being set up, restarting it or aborting).  A
 * monitor is alive from before it exists: the starter takes the monitor lock
 * (rt_ctr_monitor_claim) and the monitor keeps it for life; or, for a
 * monitor of an older berth that holds none, its pid and start time in
 * run/containers/ID/monitor.json match. */
bool rt_ctr_monitor_alive(const char *id, pid_t *init_pid);
/* Take the monitor lock of container id for a monitor about to be launched:
 * the fd (O_CLOEXEC) to hand to it.  Call with the container lock held, after
 * rt_ctr_monitor_alive said no: the lock itself does not exclude another. */
int rt_ctr_monitor_claim(const char *id, err_t *err);
/* A pidfd of the container's monitor (readable once it has exited), or -1
 * when no monitor of it runs. */
int rt_ctr_monitor_pidfd(const char *id);

/* Open the network namespace of running container id (O_CLOEXEC), for
 * --network container:id; fails with docker's "cannot join network of a
 * non running container" when it does not run. */
int rt_ctr_netns_open(const char *id, err_t *err);

/* Remove everything of a stopped container (cgroups, run dir, lib dir,
 * anonymous volumes are the caller's business). */
int rt_ctr_destroy(const char *id, err_t *err);

/* The mark overlay leaves in an upper's workdir mounted "volatile" (an
 * auto-removed container's: rt_spawn.volatile_upper), removed so that the
 * overlay can be mounted again (an --rm container whose removal failed). */
void rt_ovl_volatile_clear(const char *workdir);

/* rt_ctr_destroy in two steps: rt_ctr_retire removes the container as far as
 * anyone can see (its cgroups and run dir go, its dir is renamed away under
 * a lock, "destroy" is sent), rt_ctr_bury then empties that dir (a blocking
 * discard per freed block on a filesystem mounted with discard), e.g. after
 * the exit status has gone out.  A tomb whose burier dies is removed by the
 * next create.  tomb->fd < 0 after retire: nothing to bury. */
struct rt_tomb {
        int fd; /* the renamed dir, flock held */
        char *path;
};
#define RT_TOMB_INIT                                                                               \
        {                                                                                          \
                .fd = -1, .path = NULL                                                             \
        }
/* doc: the container's document, for the "destroy" event (NULL: read it;
 * its monitor has it already) */
int rt_ctr_retire(const char *id, json_t *doc, struct rt_tomb *tomb, err_t *err);
int rt_ctr_bury(struct rt_tomb *tomb, err_t *err);

/* Build the spawn description from a container document.  Strings point into
 * j; free the result with rt_spawn_free. */
int rt_ctr_spawn_spec(const json_t *j, struct rt_spawn *s, err_t *err);
void rt_spawn_free(struct rt_spawn *s);

/* The process description for `exec` (user, env, cwd from overrides, caps
 * and security options from the container). */
int rt_ctr_proc_spec(const json_t *j, struct rt_proc *p, err_t *err);
void rt_proc_free(struct rt_proc *p);

/* Parse "nofile=1024:2048" style --ulimit values. */
int rt_ulimit_parse(const char *s, struct rt_ulimit *out, char **name, err_t *err);

/* The Test array of doc's Config.Healthcheck when it holds a check the
 * monitor runs (CMD or CMD-SHELL with something to run), else NULL. */
json_t *rt_health_test(const json_t *doc);

/* What rt_ctr_watch reports. */
#define RT_WATCH_STATE 1 /* the state document was replaced, or the container removed */
#define RT_WATCH_LOG   2 /* the container's log was written, created or rotated */
/* An fd (O_NONBLOCK, O_CLOEXEC) that turns readable on those changes of
 * container id; -1 when the kernel offers no watch (callers then poll). */
int rt_ctr_watch(const char *id, int what);
/* Wait until wfd reports a change (then drain it; returns 1) or s seconds
 * pass (returns 0); with wfd < 0 just sleep s. */
int rt_watch_wait(int wfd, double s);

/* Start time of pid in clock ticks (field 22 of /proc/pid/stat), 0 if gone. */
/* Check every HostConfig.Tmpfs entry ({"/dest": "docker tmpfs options"}). */
int rt_ctr_tmpfs_check(const json_t *tmpfs, err_t *err);

uint64_t rt_pid_starttime(pid_t pid);

#endif
