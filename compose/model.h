/* model.h - the typed compose project model.
 *
 * compose_project_decode() turns the loader's merged tree (node.h) into a
 * project: every key of the compose specification is checked against the
 * schema tables (schema.c; unknown keys fail with a did-you-mean), short
 * syntaxes are rewritten to their long forms (normalize.c), profiles are
 * applied and references checked (validate.c).
 *
 * The result is kept twice, consistently:
 *   - project->json: the canonical document, exactly what
 *     `docker compose config --format json` prints (field names, value types
 *     and defaults of docker compose v2).  emit.c renders it, hash.c hashes a
 *     service of it.  Every key of the spec is there, including keys berth
 *     does not act on at runtime and x-* extensions.
 *   - the typed structs below, filled from that document, for the keys the
 *     engine acts on.  They point into nothing: all strings are owned.
 *
 * The model is pure: it reads env_file files but changes nothing on the
 * system.
 *
 * Typical use (src/, after the loader):
 *
 *     struct compose_model_opts mo = {
 *         .project_name = src.name, .working_dir = src.working_dir,
 *         .home = getenv("HOME"), .environment = src.environment.v,
 *         .profiles = (const char *const *)src.profiles.v, .nprofiles = src.profiles.n,
 *         .services = <services named on the command line>, .nservices = n,
 *     };
 *     if (compose_project_decode(src.root, &mo, &project, &err) < 0) ...
 *
 * and compose_service_hash(service->json, ...) (hash.h) for the config-hash
 * label, compose_emit_yaml/json (emit.h) to print. */
#ifndef BERTH_COMPOSE_MODEL_H
#define BERTH_COMPOSE_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "portspec.h"
#include "node.h"
#include "strv.h"

/* "K=V" pairs kept in a strv; value NULL (a key without value) is stored as
 * "K" with no '='. */
struct compose_kv {
        char *key;
        char *value; /* may be NULL */
};

struct compose_kvlist {
        struct compose_kv *v;
        size_t n;
};

struct compose_port {
        char *name;
        char *mode; /* "ingress" | "host" */
        char *host_ip;
        uint32_t target;
        char *published; /* "8080", "8000-8010" or NULL */
        char *protocol;  /* "tcp" | "udp" | "sctp" */
        char *app_protocol;
        struct portspec spec; /* the port typed, once when the model is decoded */
        char *spec_error;     /* NULL, or why it cannot be typed (reported at up) */
};

enum compose_mount_type {
        COMPOSE_MOUNT_VOLUME,
        COMPOSE_MOUNT_BIND,
        COMPOSE_MOUNT_TMPFS,
        COMPOSE_MOUNT_NPIPE,
        COMPOSE_MOUNT_CLUSTER,
        COMPOSE_MOUNT_IMAGE,
};

struct compose_mount {
        enum compose_mount_type type;
        char *source; /* absolute for bind, volume key for volume, NULL for anonymous/tmpfs */
        char *target;
        bool read_only;
        bool create_host_path; /* bind */
        char *propagation;     /* bind */
        char *selinux;         /* bind: "z" | "Z" */
        bool nocopy;           /* volume */
        char *subpath;         /* volume */
        int64_t tmpfs_size;    /* tmpfs, bytes (0 = unset) */
        uint32_t tmpfs_mode;   /* tmpfs (0 = unset) */
};

enum compose_dep_condition {
        COMPOSE_DEP_STARTED,
        COMPOSE_DEP_HEALTHY,
        COMPOSE_DEP_COMPLETED,
};

struct compose_dep {
        char *service;
        enum compose_dep_condition condition;
        bool required;
        bool restart;
};

struct compose_service_net {
        char *name; /* key in project networks */
        strv_t aliases;
        char *ipv4_address;
        char *ipv6_address;
        char *mac_address;
        int priority;
};

struct compose_healthcheck {
        bool present;
        strv_t test; /* ["CMD", ...] | ["CMD-SHELL", cmd] | ["NONE"] */
        int64_t interval_ns, timeout_ns, start_period_ns, start_interval_ns; /* -1 = unset */
        int64_t retries;                                                     /* -1 = unset */
        bool disable;
};

struct compose_ulimit {
        char *name;
        int64_t soft, hard;
};

struct compose_file_ref { /* a service's secrets: / configs: entry */
        char *source;
        char *target;
        char *uid, *gid;
        int64_t mode; /* -1 = unset */
};

struct compose_device {
        char *source;
        char *target;
        char *permissions; /* "rwm" by default */
};

struct compose_build {
        bool present;
        char *context; /* absolute unless a URL */
        char *dockerfile;
        char *dockerfile_inline;
        char *target;
        struct compose_kvlist args;
};

struct compose_service {
        char *name;
        json_t *json; /* canonical form, borrowed from the project document */
        char *image;
        struct compose_build build;
        strv_t command;    /* valid when has_command */
        bool has_command;  /* false: use the image's CMD */
        strv_t entrypoint; /* valid when has_entrypoint */
        bool has_entrypoint;
        struct compose_kvlist environment; /* env_file contents merged in */
        struct compose_kvlist labels;
        struct compose_port *ports;
        size_t nports;
        strv_t expose;
        struct compose_mount *volumes;
        size_t nvolumes;
        struct compose_service_net *networks;
        size_t nnetworks;
        char *network_mode;
        struct compose_dep *depends_on;
        size_t ndepends_on;
        struct compose_healthcheck healthcheck;
        struct compose_ulimit *ulimits;
        size_t nulimits;
        struct compose_file_ref *secrets;
        size_t nsecrets;
        struct compose_file_ref *configs;
        size_t nconfigs;
        char *restart; /* "no" | "always" | "on-failure[:N]" | "unless-stopped" | NULL */
        char *container_name;
        char *hostname;
        char *domainname;
        char *user;
        char *working_dir;
        char *stop_signal;
        int64_t stop_grace_period_ns; /* -1 = unset */
        char *pull_policy;
        char *platform;
        char *ipc, *pid, *uts, *cgroup;
        bool privileged, read_only, tty, stdin_open, init;
        strv_t cap_add, cap_drop;
        strv_t dns, dns_search, dns_opt;
        strv_t extra_hosts; /* "host=ip" */
        strv_t tmpfs;
        strv_t security_opt;
        strv_t profiles;
        strv_t group_add;
        struct compose_kvlist sysctls;
        int64_t shm_size;  /* bytes, 0 = unset */
        int64_t mem_limit; /* bytes, 0 = unset (deploy.resources.limits.memory wins) */
        int64_t mem_reservation;
        double cpus;        /* 0 = unset (deploy.resources.limits.cpus wins) */
        int64_t pids_limit; /* 0 = unset */
        int64_t oom_score_adj;
        int scale; /* scale, else deploy.replicas, else 1 */
        struct compose_kvlist annotations;
        char *logging_driver;
        struct compose_kvlist logging_options;
        struct compose_device *devices;
        size_t ndevices;
        strv_t device_cgroup_rules;
        strv_t links, external_links, volumes_from;
        int64_t cpu_shares, cpu_quota, cpu_period; /* 0 = unset */
        char *cpuset;
        int64_t memswap_limit;  /* bytes, 0 = unset, -1 = unlimited */
        int64_t mem_swappiness; /* 0 = unset */
        bool oom_kill_disable;
        char *userns_mode, *cgroup_parent, *runtime, *mac_address;
        struct compose_kvlist storage_opt;
        bool attach; /* default true */
};

/* A top-level network, volume, secret or config. */
struct compose_resource {
        char *key;  /* the key in the compose file */
        char *name; /* the engine-level name: <project>_<key> unless name:/external */
        bool external;
        char *driver;
        struct compose_kvlist driver_opts;
        struct compose_kvlist labels;
        bool internal;   /* network */
        bool attachable; /* network */
        bool enable_ipv6;
        char *subnet;      /* network: first ipam config */
        char *gateway;     /* network: first ipam config */
        char *file;        /* secret/config: absolute path */
        char *environment; /* secret/config */
        char *content;     /* config */
};

struct compose_project {
        char *name;
        char *working_dir;
        json_t *json;                     /* the canonical document (owned) */
        struct compose_service *services; /* sorted by name; disabled profiles removed */
        size_t nservices;
        struct compose_resource *networks;
        size_t nnetworks;
        struct compose_resource *volumes;
        size_t nvolumes;
        struct compose_resource *secrets;
        size_t nsecrets;
        struct compose_resource *configs;
        size_t nconfigs;
        strv_t disabled_services; /* removed by profiles */
        strv_t warnings;
};

struct compose_model_opts {
        const char *project_name;    /* required: already normalised by the loader */
        const char *working_dir;     /* required: absolute project directory */
        const char *home;            /* for `~` in paths; NULL = no expansion */
        char *const *environment;    /* "K=V": resolves env_file keys without a value */
        const char *const *profiles; /* active profiles ("*" = all) */
        size_t nprofiles;
        const char *const *services; /* services named on the command line: their
                                        profiles become active */
        size_t nservices;
        bool no_normalize; /* skip path resolution and env_file merging */
        bool no_env_files; /* do not read env_file files (fuzzing) */
};

/* Decode, normalise and validate root.  On error nothing is returned and err
 * names file:line:column and the key path. */
int compose_project_decode(const struct cnode *root, const struct compose_model_opts *o,
                           struct compose_project **out, err_t *err);
void compose_project_free(struct compose_project *p);

const struct compose_service *compose_project_service(const struct compose_project *p,
                                                      const char *name);
/* The resource (network, volume, secret, config) of v[0..n) whose key in the
 * compose file is key, or NULL. */
const struct compose_resource *compose_resource_find(const struct compose_resource *v, size_t n,
                                                     const char *key);

/* Value formatters and parsers shared with the CLI (durations are parsed by
 * base/duration.h). */
/* Go's time.Duration.String(): "1m30s", "500ms", "0s".  Caller frees. */
char *compose_format_duration(int64_t ns);
/* A service's port as the one published-port type (base/portspec.h), no text
 * in between; fails on a protocol or published range the grammar refuses. */
int compose_port_spec(const struct compose_port *pt, struct portspec *out, err_t *err);
/* Split a command line as a POSIX shell would (quotes, backslashes; no
 * expansion).  Fails on an unterminated quote. */
int compose_shell_split(const char *s, strv_t *out, err_t *err);

#endif
