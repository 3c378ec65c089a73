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

/* --- top level ------------------------------------------------------------ */
const char *rt_doc_id(const json_t *doc)
{
        return str(doc, "Id");
}

const char *rt_doc_name(const json_t *doc)
{
        return str(doc, "Name");
}

const char *rt_doc_created(const json_t *doc)
{
        return str(doc, "Created");
}

const char *rt_doc_image_id(const json_t *doc)
{
        return str(doc, "Image");
}

const char *rt_doc_path(const json_t *doc)
{
        return str(doc, "Path");
}

json_t *rt_doc_args(const json_t *doc)
{
        return arr(get(doc, "Args"));
}

const char *rt_doc_log_path(const json_t *doc)
{
        return str(doc, "LogPath");
}

const char *rt_doc_hosts_path(const json_t *doc)
{
        return str(doc, "HostsPath");
}

const char *rt_doc_hostname_path(const json_t *doc)
{
        return str(doc, "HostnamePath");
}

const char *rt_doc_resolv_conf_path(const json_t *doc)
{
        return str(doc, "ResolvConfPath");
}

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

const char *rt_doc_status(const json_t *doc)
{
        return str(state(doc), "Status");
}

bool rt_doc_running(const json_t *doc)
{
        return json_is_true(get(state(doc), "Running"));
}

bool rt_doc_paused(const json_t *doc)
{
        return json_is_true(get(state(doc), "Paused"));
}

bool rt_doc_restarting(const json_t *doc)
{
        return json_is_true(get(state(doc), "Restarting"));
}

bool rt_doc_oom_killed(const json_t *doc)
{
        return json_is_true(get(state(doc), "OOMKilled"));
}

pid_t rt_doc_pid(const json_t *doc)
{
        return (pid_t)json_integer_value(get(state(doc), "Pid"));
}

int rt_doc_exit_code(const json_t *doc)
{
        return (int)json_integer_value(get(state(doc), "ExitCode"));
}

const char *rt_doc_error(const json_t *doc)
{
        return str(state(doc), "Error");
}

const char *rt_doc_started_at(const json_t *doc)
{
        return str(state(doc), "StartedAt");
}

const char *rt_doc_finished_at(const json_t *doc)
{
        return str(state(doc), "FinishedAt");
}

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

const char *rt_doc_image(const json_t *doc)
{
        return str(config(doc), "Image");
}

json_t *rt_doc_labels(const json_t *doc)
{
        return obj(get(config(doc), "Labels"));
}

const char *rt_doc_label(const json_t *doc, const char *key)
{
        return str(rt_doc_labels(doc), key);
}

json_t *rt_doc_env(const json_t *doc)
{
        return arr(get(config(doc), "Env"));
}

json_t *rt_doc_cmd(const json_t *doc)
{
        return arr(get(config(doc), "Cmd"));
}

json_t *rt_doc_entrypoint(const json_t *doc)
{
        return arr(get(config(doc), "Entrypoint"));
}

const char *rt_doc_workdir(const json_t *doc)
{
        return str(config(doc), "WorkingDir");
}

const char *rt_doc_user(const json_t *doc)
{
        return str(config(doc), "User");
}

const char *rt_doc_hostname(const json_t *doc)
{
        return str(config(doc), "Hostname");
}

const char *rt_doc_domainname(const json_t *doc)
{
        return str(config(doc), "Domainname");
}

json_t *rt_doc_exposed_ports(const json_t *doc)
{
        return obj(get(config(doc), "ExposedPorts"));
}

bool rt_doc_tty(const json_t *doc)
{
        return json_is_true(get(config(doc), "Tty"));
}

const char *rt_doc_stop_signal(const json_t *doc)
{
        return str(config(doc), "StopSignal");
}

int rt_doc_stop_timeout(const json_t *doc, int dflt)
{
        const json_t *t = get(config(doc), "StopTimeout");
        return json_is_integer(t) ? (int)json_integer_value(t) : dflt;
}

bool rt_doc_open_stdin(const json_t *doc)
{
        return json_is_true(get(config(doc), "OpenStdin"));
}

json_t *rt_doc_volumes(const json_t *doc)
{
        return get(config(doc), "Volumes");
}

json_t *rt_doc_healthcheck_test(const json_t *doc)
{
        return arr(get2(config(doc), "Healthcheck", "Test"));
}

/* --- HostConfig ------------------------------------------------------------- */
json_t *rt_doc_host_config(const json_t *doc)
{
        return obj(get(doc, "HostConfig"));
}

const char *rt_doc_network_mode(const json_t *doc)
{
        return str(rt_doc_host_config(doc), "NetworkMode");
}

const char *rt_doc_restart_policy(const json_t *doc, long long *max)
{
        const json_t *rp = get(rt_doc_host_config(doc), "RestartPolicy");
        if (max)
                *max = json_integer_value(get(rp, "MaximumRetryCount"));
        return str(rp, "Name");
}

bool rt_doc_auto_remove(const json_t *doc)
{
        return json_is_true(get(rt_doc_host_config(doc), "AutoRemove"));
}

json_t *rt_doc_binds(const json_t *doc)
{
        return arr(get(rt_doc_host_config(doc), "Binds"));
}

json_t *rt_doc_port_bindings(const json_t *doc)
{
        return obj(get(rt_doc_host_config(doc), "PortBindings"));
}

bool rt_doc_publish_all(const json_t *doc)
{
        return json_is_true(get(rt_doc_host_config(doc), "PublishAllPorts"));
}

json_t *rt_doc_extra_hosts(const json_t *doc)
{
        return arr(get(rt_doc_host_config(doc), "ExtraHosts"));
}

json_t *rt_doc_links(const json_t *doc)
{
        return arr(get(rt_doc_host_config(doc), "Links"));
}

json_t *rt_doc_dns(const json_t *doc)
{
        return arr(get(rt_doc_host_config(doc), "Dns"));
}

bool rt_doc_privileged(const json_t *doc)
{
        return json_is_true(get(rt_doc_host_config(doc), "Privileged"));
}

json_t *rt_doc_cap_add(const json_t *doc)
{
        return arr(get(rt_doc_host_config(doc), "CapAdd"));
}

json_t *rt_doc_cap_drop(const json_t *doc)
{
        return arr(get(rt_doc_host_config(doc), "CapDrop"));
}

json_t *rt_doc_security_opt(const json_t *doc)
{
        return arr(get(rt_doc_host_config(doc), "SecurityOpt"));
}

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

bool rt_doc_readonly_rootfs(const json_t *doc)
{
        return json_is_true(get(rt_doc_host_config(doc), "ReadonlyRootfs"));
}

bool rt_doc_init(const json_t *doc)
{
        return json_is_true(get(rt_doc_host_config(doc), "Init"));
}

long long rt_doc_shm_size(const json_t *doc)
{
        return json_integer_value(get(rt_doc_host_config(doc), "ShmSize"));
}

int rt_doc_oom_score_adj(const json_t *doc)
{
        return (int)json_integer_value(get(rt_doc_host_config(doc), "OomScoreAdj"));
}

json_t *rt_doc_ulimits(const json_t *doc)
{
        return arr(get(rt_doc_host_config(doc), "Ulimits"));
}

const char *rt_doc_ulimit(const json_t *u, long long *soft, long long *hard)
{
        *soft = json_integer_value(get(u, "Soft"));
        *hard = json_integer_value(get(u, "Hard"));
        return str(u, "Name");
}

json_t *rt_doc_sysctls(const json_t *doc)
{
        return obj(get(rt_doc_host_config(doc), "Sysctls"));
}

json_t *rt_doc_tmpfs(const json_t *doc)
{
        return obj(get(rt_doc_host_config(doc), "Tmpfs"));
}

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
json_t *rt_doc_mounts(const json_t *doc)
{
        return arr(get(doc, "Mounts"));
}

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
