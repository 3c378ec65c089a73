/* ctr_doc.c - the key names of the stored container document, for readers.
 * See ctr_doc.h. */
#include "ctr_doc.h"

#include <string.h>

static json_t *get(const json_t *o, const char *k)
{
        return json_object_get(o, k);
}

static json_t *get2(const json_t *o, const char *a, const char *b)
{
        return json_object_get(json_object_get(o, a), b);
}

/* Members the readers iterate are returned only with the type they iterate. */
static json_t *obj(json_t *v)
{
        return json_is_object(v) ? v : NULL;
}

static json_t *arr(json_t *v)
{
        return json_is_array(v) ? v : NULL;
}

static const char *str(const json_t *o, const char *k)
{
        return json_string_value(json_object_get(o, k));
}

static const char *str2(const json_t *o, const char *a, const char *b)
{
        return json_string_value(get2(o, a, b));
}

/* Accessors of one member of a section of the document (top: the document
 * itself): a string, a boolean (false unless true), or an array or object
 * (NULL when of another type). */
#define DOC_STR(name, section, key)                                                                \
        const char *name(const json_t *doc)                                                        \
        {                                                                                          \
                return str(section(doc), key);                                                     \
        }
#define DOC_BOOL(name, section, key)                                                               \
        bool name(const json_t *doc)                                                               \
        {                                                                                          \
                return json_is_true(get(section(doc), key));                                       \
        }
#define DOC_ARR(name, section, key)                                                                \
        json_t *name(const json_t *doc)                                                            \
        {                                                                                          \
                return arr(get(section(doc), key));                                                \
        }
#define DOC_OBJ(name, section, key)                                                                \
        json_t *name(const json_t *doc)                                                            \
        {                                                                                          \
                return obj(get(section(doc), key));                                                \
        }

/* --- top level ------------------------------------------------------------ */
static const json_t *top(const json_t *doc)
{
        return doc;
}

DOC_STR(rt_doc_id, top, "Id")
DOC_STR(rt_doc_name, top, "Name")
DOC_STR(rt_doc_created, top, "Created")
DOC_STR(rt_doc_image_id, top, "Image")
DOC_STR(rt_doc_path, top, "Path")
DOC_ARR(rt_doc_args, top, "Args")
DOC_STR(rt_doc_log_path, top, "LogPath")
DOC_STR(rt_doc_hosts_path, top, "HostsPath")
DOC_STR(rt_doc_hostname_path, top, "HostnamePath")
DOC_STR(rt_doc_resolv_conf_path, top, "ResolvConfPath")

long long rt_doc_restart_count(const json_t *doc)
{
        return json_integer_value(get(doc, "RestartCount"));
}

const char *rt_doc_upper_dir(const json_t *doc)
{
        return str(get2(doc, "GraphDriver", "Data"), "UpperDir");
}

const char *rt_doc_lower_dirs(const json_t *doc)
{
        return str(get2(doc, "GraphDriver", "Data"), "LowerDir");
}

const char *rt_doc_work_dir(const json_t *doc)
{
        return str(get2(doc, "GraphDriver", "Data"), "WorkDir");
}

const char *rt_doc_merged_dir(const json_t *doc)
{
        return str(get2(doc, "GraphDriver", "Data"), "MergedDir");
}

/* --- State ------------------------------------------------------------------ */
static json_t *state(const json_t *doc)
{
        return get(doc, "State");
}

DOC_STR(rt_doc_status, state, "Status")
DOC_BOOL(rt_doc_running, state, "Running")
DOC_BOOL(rt_doc_paused, state, "Paused")
DOC_BOOL(rt_doc_restarting, state, "Restarting")
DOC_BOOL(rt_doc_oom_killed, state, "OOMKilled")

pid_t rt_doc_pid(const json_t *doc)
{
        return (pid_t)json_integer_value(get(state(doc), "Pid"));
}

int rt_doc_exit_code(const json_t *doc)
{
        return (int)json_integer_value(get(state(doc), "ExitCode"));
}

DOC_STR(rt_doc_error, state, "Error")
DOC_STR(rt_doc_started_at, state, "StartedAt")
DOC_STR(rt_doc_finished_at, state, "FinishedAt")

const char *rt_doc_health(const json_t *doc)
{
        return str2(state(doc), "Health", "Status");
}

/* --- Config ----------------------------------------------------------------- */
static json_t *config(const json_t *doc)
{
        return get(doc, "Config");
}

json_t *rt_doc_config(const json_t *doc)
{
        return obj(config(doc));
}

DOC_STR(rt_doc_image, config, "Image")
DOC_OBJ(rt_doc_labels, config, "Labels")

const char *rt_doc_label(const json_t *doc, const char *key)
{
        return str(rt_doc_labels(doc), key);
}

DOC_ARR(rt_doc_env, config, "Env")
DOC_ARR(rt_doc_cmd, config, "Cmd")
DOC_ARR(rt_doc_entrypoint, config, "Entrypoint")
DOC_STR(rt_doc_workdir, config, "WorkingDir")
DOC_STR(rt_doc_user, config, "User")
DOC_STR(rt_doc_hostname, config, "Hostname")
DOC_STR(rt_doc_domainname, config, "Domainname")
DOC_OBJ(rt_doc_exposed_ports, config, "ExposedPorts")
DOC_BOOL(rt_doc_tty, config, "Tty")
DOC_STR(rt_doc_stop_signal, config, "StopSignal")

int rt_doc_stop_timeout(const json_t *doc, int dflt)
{
        const json_t *t = get(config(doc), "StopTimeout");
        return json_is_integer(t) ? (int)json_integer_value(t) : dflt;
}

DOC_BOOL(rt_doc_open_stdin, config, "OpenStdin")

json_t *rt_doc_volumes(const json_t *doc)
{
        return get(config(doc), "Volumes");
}

json_t *rt_doc_healthcheck_test(const json_t *doc)
{
        return arr(get2(config(doc), "Healthcheck", "Test"));
}

/* --- HostConfig ------------------------------------------------------------- */
DOC_OBJ(rt_doc_host_config, top, "HostConfig")
DOC_STR(rt_doc_network_mode, rt_doc_host_config, "NetworkMode")

const char *rt_doc_restart_policy(const json_t *doc, long long *max)
{
        const json_t *rp = get(rt_doc_host_config(doc), "RestartPolicy");
        if (max)
                *max = json_integer_value(get(rp, "MaximumRetryCount"));
        return str(rp, "Name");
}

DOC_BOOL(rt_doc_auto_remove, rt_doc_host_config, "AutoRemove")
DOC_ARR(rt_doc_binds, rt_doc_host_config, "Binds")
DOC_OBJ(rt_doc_port_bindings, rt_doc_host_config, "PortBindings")
DOC_BOOL(rt_doc_publish_all, rt_doc_host_config, "PublishAllPorts")
DOC_ARR(rt_doc_extra_hosts, rt_doc_host_config, "ExtraHosts")
DOC_ARR(rt_doc_links, rt_doc_host_config, "Links")
DOC_ARR(rt_doc_dns, rt_doc_host_config, "Dns")
DOC_BOOL(rt_doc_privileged, rt_doc_host_config, "Privileged")
DOC_ARR(rt_doc_cap_add, rt_doc_host_config, "CapAdd")
DOC_ARR(rt_doc_cap_drop, rt_doc_host_config, "CapDrop")
DOC_ARR(rt_doc_security_opt, rt_doc_host_config, "SecurityOpt")

bool rt_doc_security_opt_has(const json_t *doc, const char *opt, const char *alt)
{
        size_t i;
        json_t *v;
        json_array_foreach(rt_doc_security_opt(doc), i, v)
        {
                const char *s = json_string_value(v);
                if (s && (!strcmp(s, opt) || (alt && !strcmp(s, alt))))
                        return true;
        }
        return false;
}

DOC_BOOL(rt_doc_readonly_rootfs, rt_doc_host_config, "ReadonlyRootfs")
DOC_BOOL(rt_doc_init, rt_doc_host_config, "Init")

long long rt_doc_shm_size(const json_t *doc)
{
        return json_integer_value(get(rt_doc_host_config(doc), "ShmSize"));
}

int rt_doc_oom_score_adj(const json_t *doc)
{
        return (int)json_integer_value(get(rt_doc_host_config(doc), "OomScoreAdj"));
}

DOC_ARR(rt_doc_ulimits, rt_doc_host_config, "Ulimits")

const char *rt_doc_ulimit(const json_t *u, long long *soft, long long *hard)
{
        *soft = json_integer_value(get(u, "Soft"));
        *hard = json_integer_value(get(u, "Hard"));
        return str(u, "Name");
}

DOC_OBJ(rt_doc_sysctls, rt_doc_host_config, "Sysctls")
DOC_OBJ(rt_doc_tmpfs, rt_doc_host_config, "Tmpfs")

void rt_doc_limits(const json_t *doc, struct rt_cgroup_limits *out)
{
        const json_t *hc = rt_doc_host_config(doc);
        *out = (struct rt_cgroup_limits){
            .memory = json_integer_value(get(hc, "Memory")),
            .memory_swap = json_integer_value(get(hc, "MemorySwap")),
            .nano_cpus = json_integer_value(get(hc, "NanoCpus")),
            .cpu_shares = json_integer_value(get(hc, "CpuShares")),
            .pids_limit = json_integer_value(get(hc, "PidsLimit")),
            .cpuset_cpus = str(hc, "CpusetCpus"),
            .devices_all = json_is_true(get(hc, "Privileged")),
        };
}

static json_t *host_config_made(json_t *doc)
{
        json_t *hc = json_object_get(doc, "HostConfig");
        if (!hc) {
                hc = json_object();
                json_object_set_new(doc, "HostConfig", hc);
        }
        return hc;
}

void rt_doc_set_limits(json_t *doc, const struct rt_cgroup_limits *l)
{
        json_t *hc = host_config_made(doc);
        json_object_set_new(hc, "Memory", json_integer(l->memory));
        json_object_set_new(hc, "MemorySwap", json_integer(l->memory_swap));
        json_object_set_new(hc, "NanoCpus", json_integer(l->nano_cpus));
        json_object_set_new(hc, "CpuShares", json_integer(l->cpu_shares));
        json_object_set_new(hc, "PidsLimit", json_integer(l->pids_limit));
        json_object_set_new(hc, "CpusetCpus", json_string(l->cpuset_cpus ? l->cpuset_cpus : ""));
}

void rt_doc_set_restart_policy(json_t *doc, const char *name, int max_retries)
{
        json_object_set_new(host_config_made(doc), "RestartPolicy",
                            json_pack("{s:s,s:i}", "Name", name, "MaximumRetryCount", max_retries));
}

json_t *rt_doc_set_status(json_t *doc, const char *status)
{
        json_t *st = json_object_get(doc, "State");
        if (!st) {
                st = json_object();
                json_object_set_new(doc, "State", st);
        }
        bool paused = !strcmp(status, "paused");
        json_object_set_new(st, "Status", json_string(status));
        json_object_set_new(st, "Running", json_boolean(paused || !strcmp(status, "running")));
        json_object_set_new(st, "Paused", json_boolean(paused));
        json_object_set_new(st, "Restarting", json_boolean(!strcmp(status, "restarting")));
        return st;
}

/* the address fields an endpoint and NetworkSettings itself share */
static void clear_address(json_t *o)
{
        json_object_set_new(o, "IPAddress", json_string(""));
        json_object_set_new(o, "IPPrefixLen", json_integer(0));
        json_object_set_new(o, "Gateway", json_string(""));
        json_object_set_new(o, "MacAddress", json_string(""));
}

void rt_doc_clear_endpoint(json_t *ep)
{
        if (!json_is_object(ep))
                return;
        json_object_set_new(ep, "EndpointID", json_string(""));
        clear_address(ep);
}

void rt_doc_clear_addresses(json_t *doc)
{
        json_t *ns = json_object_get(doc, "NetworkSettings");
        const char *k;
        json_t *es;
        if (!json_is_object(ns))
                return;
        clear_address(ns);
        json_object_foreach(rt_doc_networks(doc), k, es) rt_doc_clear_endpoint(es);
}

/* --- NetworkSettings -------------------------------------------------------- */
json_t *rt_doc_networks(const json_t *doc)
{
        return obj(get2(doc, "NetworkSettings", "Networks"));
}

json_t *rt_doc_network(const json_t *doc, const char *name)
{
        return obj(get(rt_doc_networks(doc), name));
}

json_t *rt_doc_ports(const json_t *doc)
{
        return obj(get2(doc, "NetworkSettings", "Ports"));
}

void rt_doc_endpoint(const json_t *ep, struct rt_doc_endpoint *out)
{
        *out = (struct rt_doc_endpoint){
            .network_id = str(ep, "NetworkID"),
            .endpoint_id = str(ep, "EndpointID"),
            .ip = str(ep, "IPAddress"),
            .gateway = str(ep, "Gateway"),
            .mac = str(ep, "MacAddress"),
            .ipam_ip = str2(ep, "IPAMConfig", "IPv4Address"),
            .prefix_len = (int)json_integer_value(get(ep, "IPPrefixLen")),
            .aliases = get(ep, "Aliases"),
        };
}

const char *rt_doc_binding_ip(const json_t *b)
{
        return str(b, "HostIp");
}

const char *rt_doc_binding_port(const json_t *b)
{
        return str(b, "HostPort");
}

/* --- Mounts ----------------------------------------------------------------- */
DOC_ARR(rt_doc_mounts, top, "Mounts")

void rt_doc_mount(const json_t *m, struct rt_doc_mount *out)
{
        *out = (struct rt_doc_mount){
            .type = str(m, "Type"),
            .name = str(m, "Name"),
            .source = str(m, "Source"),
            .destination = str(m, "Destination"),
            .mode = str(m, "Mode"),
            .propagation = str(m, "Propagation"),
            .ro = json_is_false(get(m, "RW")),
        };
}

const char *rt_doc_mount_name(const json_t *m)
{
        return str(m, "Name");
}
