/* ctr_doc.h - reading the stored container document.
 *
 * The state file of a container (container.h: lib/containers/<id>/config.json)
 * is laid out like `docker inspect`.  Commands read it only through these
 * accessors, so its key names are spelled in one file (ctr_doc.c).
 *
 * Every accessor takes the whole document (NULL is allowed) and never fails:
 * a missing or mistyped member reads as NULL, 0 or false, exactly as
 * json_string_value/json_integer_value/json_is_true of a missing member do.
 * An object or array accessor returns NULL when the member has another type.
 * Strings and json_t pointers are borrowed from the document: valid while it
 * lives and the member is not replaced. */
#ifndef BERTH_RT_CTR_DOC_H
#define BERTH_RT_CTR_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"

/* --- top level ------------------------------------------------------------ */
const char *rt_doc_id(const json_t *doc);
const char *rt_doc_name(const json_t *doc);     /* as stored: "/name" */
const char *rt_doc_created(const json_t *doc);  /* RFC 3339 */
const char *rt_doc_image_id(const json_t *doc); /* "Image": the image's id */
const char *rt_doc_path(const json_t *doc);     /* the process's argv[0] */
json_t *rt_doc_args(const json_t *doc);         /* the rest of its argv (array) */
const char *rt_doc_log_path(const json_t *doc);
const char *rt_doc_hosts_path(const json_t *doc);       /* its /etc/hosts */
const char *rt_doc_resolv_conf_path(const json_t *doc); /* its /etc/resolv.conf */
long long rt_doc_restart_count(const json_t *doc);
/* GraphDriver.Data.UpperDir: the container's writable layer. */
const char *rt_doc_upper_dir(const json_t *doc);
const char *rt_doc_hostname_path(const json_t *doc); /* its /etc/hostname */
/* GraphDriver.Data: the overlay's other directories (LowerDir: ":"-joined). */
const char *rt_doc_lower_dirs(const json_t *doc);
const char *rt_doc_work_dir(const json_t *doc);
const char *rt_doc_merged_dir(const json_t *doc);

/* --- State ------------------------------------------------------------------ */
/* "created", "running", "paused", "restarting", "exited", "dead", "removing" */
const char *rt_doc_status(const json_t *doc);
bool rt_doc_running(const json_t *doc);
bool rt_doc_paused(const json_t *doc);
bool rt_doc_restarting(const json_t *doc);
bool rt_doc_oom_killed(const json_t *doc);
pid_t rt_doc_pid(const json_t *doc);
int rt_doc_exit_code(const json_t *doc);
const char *rt_doc_error(const json_t *doc);
const char *rt_doc_started_at(const json_t *doc);
const char *rt_doc_finished_at(const json_t *doc);
/* State.Health.Status ("starting", "healthy", "unhealthy"); NULL without a
 * healthcheck. */
const char *rt_doc_health(const json_t *doc);

/* --- Config ----------------------------------------------------------------- */
/* The whole Config object (the image config's layout), or NULL. */
json_t *rt_doc_config(const json_t *doc);
const char *rt_doc_image(const json_t *doc); /* Config.Image: the reference given */
json_t *rt_doc_labels(const json_t *doc);    /* object */
const char *rt_doc_label(const json_t *doc, const char *key);
json_t *rt_doc_env(const json_t *doc);        /* array of "K=V" */
json_t *rt_doc_cmd(const json_t *doc);        /* array */
json_t *rt_doc_entrypoint(const json_t *doc); /* array */
const char *rt_doc_workdir(const json_t *doc);
const char *rt_doc_user(const json_t *doc);
const char *rt_doc_hostname(const json_t *doc);
const char *rt_doc_domainname(const json_t *doc);
json_t *rt_doc_exposed_ports(const json_t *doc); /* {"80/tcp": {}} */
bool rt_doc_tty(const json_t *doc);
const char *rt_doc_stop_signal(const json_t *doc);
/* Config.StopTimeout in seconds, or dflt when none is recorded. */
int rt_doc_stop_timeout(const json_t *doc, int dflt);
bool rt_doc_open_stdin(const json_t *doc);
/* Config.Volumes as stored (any type; NULL when absent). */
json_t *rt_doc_volumes(const json_t *doc);
/* Config.Healthcheck.Test (array: "NONE", "CMD" or "CMD-SHELL", then the
 * command), or NULL. */
json_t *rt_doc_healthcheck_test(const json_t *doc);

/* --- HostConfig ------------------------------------------------------------- */
json_t *rt_doc_host_config(const json_t *doc);
const char *rt_doc_network_mode(const json_t *doc);
/* RestartPolicy.Name ("no", "always", ...); its MaximumRetryCount in *max
 * when max is not NULL. */
const char *rt_doc_restart_policy(const json_t *doc, long long *max);
bool rt_doc_auto_remove(const json_t *doc);
json_t *rt_doc_binds(const json_t *doc);         /* array of "src:dst[:opts]" */
json_t *rt_doc_port_bindings(const json_t *doc); /* {"80/tcp": [{HostIp, HostPort}]} */
bool rt_doc_publish_all(const json_t *doc);
json_t *rt_doc_extra_hosts(const json_t *doc); /* array of "host:addr" */
json_t *rt_doc_links(const json_t *doc);       /* array of "/target:/me/alias" */
json_t *rt_doc_dns(const json_t *doc);         /* array of nameserver addresses */
bool rt_doc_privileged(const json_t *doc);
/* What the spawn applies (the security options and resources of the process
 * and its namespaces). */
json_t *rt_doc_cap_add(const json_t *doc);      /* array of capability names */
json_t *rt_doc_cap_drop(const json_t *doc);     /* array of capability names */
json_t *rt_doc_security_opt(const json_t *doc); /* array of "KEY=VALUE" / "KEY:VALUE" */
/* Is opt (or alt, when not NULL) one of SecurityOpt's strings? */
bool rt_doc_security_opt_has(const json_t *doc, const char *opt, const char *alt);
bool rt_doc_readonly_rootfs(const json_t *doc);
bool rt_doc_init(const json_t *doc);
long long rt_doc_shm_size(const json_t *doc);
int rt_doc_oom_score_adj(const json_t *doc);
json_t *rt_doc_ulimits(const json_t *doc); /* array of rt_doc_ulimit's elements */
/* One element of rt_doc_ulimits: its name (NULL when missing) and limits. */
const char *rt_doc_ulimit(const json_t *u, long long *soft, long long *hard);
json_t *rt_doc_sysctls(const json_t *doc); /* object: name -> value (string) */
json_t *rt_doc_tmpfs(const json_t *doc);   /* object: path -> options (string) */
/* The cgroup limits recorded (Memory, MemorySwap, NanoCpus, CpuShares,
 * PidsLimit, CpusetCpus; devices_all from Privileged). */
void rt_doc_limits(const json_t *doc, struct rt_cgroup_limits *out);

/* --- writers for `update` (the only change after create besides the
 * runtime's own state) ------------------------------------------------------ */
/* Record l's limits (not devices_all) in HostConfig, making it if missing. */
void rt_doc_set_limits(json_t *doc, const struct rt_cgroup_limits *l);
void rt_doc_set_restart_policy(json_t *doc, const char *name, int max_retries);
/* Record status in State (made if missing) with the flags that follow
 * from it: Running (running or paused), Paused, Restarting.  Returns State,
 * for the caller's other members. */
json_t *rt_doc_set_status(json_t *doc, const char *status);
/* A container that ended names no address any more (NetworkSettings and each
 * network's IPAddress, IPPrefixLen, Gateway, MacAddress, EndpointID), as
 * docker's inspect of a stopped container: the address may be another
 * container's by now.  IPAMConfig (an address asked for) stays. */
void rt_doc_clear_addresses(json_t *doc);
/* The same for one endpoint of rt_doc_networks. */
void rt_doc_clear_endpoint(json_t *ep);

/* --- NetworkSettings -------------------------------------------------------- */
json_t *rt_doc_networks(const json_t *doc); /* object: network name -> endpoint */
/* The endpoint on network name (an object to fill in), or NULL. */
json_t *rt_doc_network(const json_t *doc, const char *name);
/* {"80/tcp": [{"HostIp", "HostPort"}] or null}: what start published */
json_t *rt_doc_ports(const json_t *doc);
/* One endpoint of rt_doc_networks. */
struct rt_doc_endpoint {
        const char *network_id, *endpoint_id, *ip, *gateway, *mac;
        const char *ipam_ip; /* IPAMConfig.IPv4Address: the address asked for */
        int prefix_len;
        json_t *aliases; /* array, or NULL */
};
void rt_doc_endpoint(const json_t *ep, struct rt_doc_endpoint *out);
/* A published port binding ({"HostIp", "HostPort"}): its fields. */
const char *rt_doc_binding_ip(const json_t *b);
const char *rt_doc_binding_port(const json_t *b);

/* --- Mounts ----------------------------------------------------------------- */
json_t *rt_doc_mounts(const json_t *doc); /* array */
/* One element of rt_doc_mounts. */
struct rt_doc_mount {
        const char *type, *name, *source, *destination, *mode, *propagation;
        bool ro; /* RW recorded as false (a mount without RW is read-write) */
};
void rt_doc_mount(const json_t *m, struct rt_doc_mount *out);
/* Its volume's name alone (NULL for a bind or tmpfs). */
const char *rt_doc_mount_name(const json_t *m);

#endif
