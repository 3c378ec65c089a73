/* spec.h - the typed container spec, and the one renderer of the stored
 * container document.
 *
 * `berth run` / `create` (src/cmd_run.c), a compose service
 * (src/compose_ctr.c) and a Dockerfile RUN step (src/build.c) each fill a
 * ctr_spec; ctr_spec_render turns it into the docker-inspect
 * shaped document that runtime/ stores and everything after reads, and
 * ctr_create stores it.
 *
 * Typed: identity, the process (argv, env, user, cwd, tty and stdio),
 * labels, stop signal and timeout, healthcheck, exposed ports, restart
 * policy, auto-remove, the root filesystem's layers, mounts (made by
 * ctr_spec_mounts), security and resources (struct ctr_host), networks and
 * published ports (struct ctr_net, recorded by engine/netglue.c
 * netwire_create) and files bound read-only (compose's secrets and
 * configs).  engine/create.h container_create_spec is the one create path
 * of all three. */
#ifndef BERTH_ENGINE_SPEC_H
#define BERTH_ENGINE_SPEC_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/mountspec.h"
#include "base/portspec.h"
#include "base/restart.h"
#include "base/strv.h"
#include "runtime/image.h"

/* The PATH a container gets when its image sets none (docker's). */
#define CTR_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct ctr_process {
        strv_t entrypoint, cmd;     /* what runs: entrypoint then cmd */
        strv_t env;                 /* "K=V", in order */
        const char *user, *workdir; /* NULL: "" */
        bool tty, open_stdin, stdin_once, attach_stdin, attach_stdout, attach_stderr;
};

/* A mount the front end asked for (base/mountspec.h parsed or checked it). */
struct ctr_mount {
        struct mountspec m;
        bool binds; /* a bind also listed in HostConfig.Binds (-v, compose; not --mount) */
};

/* A resource limit; -1 is unlimited. */
struct ctr_ulimit {
        char *name;
        long long soft, hard;
};

/* HostConfig's security and resources, checked by ctr_host_check with
 * Docker's rules before anything is made. */
struct ctr_host {
        bool privileged, readonly_rootfs, init;
        strv_t cap_add, cap_drop;
        strv_t security_opt;     /* a seccomp=FILE is read at check time */
        const char *seccomp_dir; /* a relative seccomp FILE is under it (NULL: the cwd) */
        strv_t sysctls;          /* "K=V" */
        bool host_network;       /* namespaced net.* sysctls are refused */
        int64_t shm_size;        /* bytes; 0: 64 MiB */
        long long oom_score_adj;
        int64_t memory, memory_swap, memory_reservation; /* bytes; memory_swap -1 unlimited */
        bool has_memory_swap;
        long long nano_cpus, cpu_shares;
        const char *cpuset; /* NULL: "" */
        long long pids_limit;
        bool has_pids_limit; /* else RT_PIDS_DEFAULT */
        struct ctr_ulimit *ulimits;
        size_t nulimits;
        /* The document compose has always written: MemoryReservation, and
         * MemorySwap, CpuShares, CpusetCpus only when set, Sysctls even when
         * empty (`run` writes the three always and Sysctls only when set). */
        bool compose_shape;
        json_t *seccomp; /* filled by ctr_host_check: the profile read, or NULL */
};

/* A further user-defined network a container is connected to at create. */
struct ctr_netattach {
        const char *name; /* as the network is stored */
        const char *ip;   /* static IPv4 address, NULL: allocated */
        strv_t aliases;
};

/* Networks, published ports, names and links: what netwire_create
 * validates with docker's rules and records.  Owned by the spec (the
 * strings the const pointers name are the front end's). */
struct ctr_net {
        const char *network;        /* --network: NULL/"default"/"bridge", "none", "host", NAME,
                                       "container:NAME|ID"; compose: the primary network */
        char *network_buf;          /* network, when the spec made the string (freed with it) */
        strv_t aliases;             /* of the primary network (--network-alias) */
        const char *ip;             /* on the primary network (--ip, ipv4_address) */
        struct ctr_netattach *more; /* compose: the service's other networks, in order */
        size_t nmore;
        struct portspec *ports; /* published ports, typed (compose's `ports`, `-p` parsed
                                   once when the command line is read); malloc'd */
        size_t nports;
        strv_t port_texts;   /* ports[i] as the user wrote it (errors name it); "" or
                                missing: portspec_format's text (ctr_net_add_port) */
        bool publish_all;    /* -P: every Config.ExposedPorts entry to a free host port */
        strv_t add_hosts;    /* --add-host NAME:IP, extra_hosts */
        strv_t dns;          /* --dns */
        strv_t links;        /* --link NAME[:ALIAS] (legacy links) */
        strv_t link_hosts;   /* compose links/external_links NAME[:ALIAS]: only the hosts
                                entry, resolved at each start (docker on user networks) */
        bool has_dns_search; /* record DnsSearch and DnsOptions (compose always does) */
        strv_t dns_search, dns_options;
};

/* A file bound read-only into the container (compose's secrets and configs),
 * recorded after the network and the image's VOLUMEs. */
struct ctr_file {
        char *source, *target;
        char *what; /* names it in errors: "service web: secrets db_pw" */
};

struct ctr_spec {
        const char *name;           /* without the leading '/' */
        const char *image_ref;      /* the image as asked for (Config.Image) */
        const struct rt_image *img; /* the image it resolved to */
        const char *hostname;       /* NULL: the id's first 12 hex digits */
        const char *domainname;     /* NULL: "" */
        struct ctr_process proc;
        strv_t labels;           /* "K=V" over the image's (a later key wins) */
        const char *stop_signal; /* NULL: none */
        int stop_timeout;        /* seconds, when has_stop_timeout */
        bool has_stop_timeout;
        bool has_health;              /* health is Config.Healthcheck */
        struct rt_healthcheck health; /* 0 fields are left out; test ["NONE"] disables */
        strv_t exposed;               /* "80/tcp" over the image's */
        struct restart_policy restart;
        bool auto_remove;
        bool start_now;           /* its creator starts it at once (`run`): with auto_remove,
                                   * its files need not outlive a crash (RT_CTR_VOLATILE) */
        struct ctr_mount *mounts; /* in order; the image's VOLUMEs are added when made */
        size_t nmounts;
        struct ctr_host host; /* checked (ctr_host_check) before rendering */
        struct ctr_net net;
        struct ctr_file *files;
        size_t nfiles;
};

/* A spec with the image's process defaults: its env (with CTR_DEFAULT_PATH
 * first when it sets no PATH), entrypoint and cmd, user and workdir. */
void ctr_spec_init(struct ctr_spec *s, const char *image_ref, const struct rt_image *img);
void ctr_spec_free(struct ctr_spec *s);
void ctr_net_free(struct ctr_net *n);
/* Append a published port; text: how it was written (NULL: none). */
void ctr_net_add_port(struct ctr_net *n, const struct portspec *ps, const char *text);
/* A file to bind read-only (struct ctr_file; the strings are copied). */
void ctr_spec_add_file(struct ctr_spec *s, const char *source, const char *target,
                       const char *what);

/* Docker's checks of the security and resource settings (capabilities,
 * security options, sysctls, OOM score, memory limits); reads a seccomp
 * profile into h->seccomp.  Run before anything is made. */
int ctr_host_check(struct ctr_host *h, err_t *err);
void ctr_host_free(struct ctr_host *h);
void ctr_host_add_ulimit(struct ctr_host *h, const char *name, long long soft, long long hard);

/* The image's HEALTHCHECK as the container's (nothing when it has none). */
void ctr_spec_health_from_image(struct ctr_spec *s);

/* What a front end gives of the healthcheck (run's --health-*, compose's
 * healthcheck:), over the image's HEALTHCHECK: a field not given (has[i]
 * false) is the image's, 0 when the image has none. */
enum {
        CTR_HEALTH_INTERVAL,
        CTR_HEALTH_TIMEOUT,
        CTR_HEALTH_START_PERIOD,
        CTR_HEALTH_START_INTERVAL,
        CTR_HEALTH_RETRIES,
        CTR_HEALTH_NFIELDS
};
struct ctr_health_over {
        const strv_t *test;              /* NULL or empty: the image's */
        long long v[CTR_HEALTH_NFIELDS]; /* durations in ns, then retries */
        bool has[CTR_HEALTH_NFIELDS];
        bool no_negative; /* compose: a negative value (an image's) is recorded as 0 */
};
/* The container's healthcheck from o over the image's (has_health set). */
void ctr_spec_health_over_image(struct ctr_spec *s, const struct ctr_health_over *o);

/* "no command specified" when the process has nothing to run. */
int ctr_process_check(const struct ctr_process *p, err_t *err);

/* The stored document of container id.  Fails ("no command specified") when
 * the process has nothing to run. */
int ctr_spec_render(const struct ctr_spec *s, const char *id, json_t **out, err_t *err);

/* Append a mount (its contents are taken; *m is left empty). */
void ctr_spec_add_mount(struct ctr_spec *s, struct mountspec *m, bool binds);

/* Make the spec's mounts and record them in doc (its "Mounts",
 * HostConfig.Binds and HostConfig.Tmpfs; one record shape for every front
 * end): a bind's missing source is made when create_source, else refused; a
 * volume is made (and, unless nocopy, filled from the image's files at its
 * target) on first use; a tmpfs's options are checked; then each image
 * VOLUME nothing else covers becomes an anonymous volume.  On failure the
 * anonymous volumes made so far are in doc (ctr_remove_anon_volumes). */
int ctr_spec_mounts(const struct ctr_spec *s, json_t *doc, err_t *err);
/* The spec's files (struct ctr_file) as read-only binds in Mounts and
 * HostConfig.Binds; each must exist. */
int ctr_spec_files(const struct ctr_spec *s, json_t *doc, err_t *err);

/* Store the document (rt_ctr_create, the state directories made first);
 * flags as rt_ctr_create's (RT_CTR_VOLATILE). */
int ctr_create(json_t *doc, unsigned flags, err_t *err);
/* The anonymous volumes doc's Mounts name (made for it and nothing else),
 * removed: what a create that failed leaves behind, or a removed container's
 * with -v.  A volume that cannot go: its error in warnings (NULL: none). */
void ctr_remove_anon_volumes(json_t *doc, strv_t *warnings);

#endif
