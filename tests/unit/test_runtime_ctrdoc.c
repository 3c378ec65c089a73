/* Unit tests for the stored container document's accessors (runtime/ctr_doc):
 * every accessor against a document `berth inspect` printed for a running
 * container (made with a label, env, workdir, user, a published port, a
 * named volume, a network alias, a restart policy and a healthcheck), and
 * missing or mistyped members reading as NULL/0/false. */
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "runtime/ctr_doc.h"
#include "tap.h"

/* berth inspect of a running container, with paths shortened */
static const char FIXTURE[] =
    "{\"Args\":[\"100\"],\"Config\":{\"AttachStderr\":false,\"AttachStdin\":false,\"AttachStdout"
    "\":false,\"Cmd\":[\"sleep\",\"100\"],\"Domainname\":\"\",\"Entrypoint\":[],\"Env\":[\"PATH=/"
    "usr/"
    "local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"FOO=bar\"],\"ExposedPort"
    "s\":{\"80/tcp\":{}},\"Healthcheck\":{\"Interval\":1000000000,\"Test\":[\"CMD-SHELL\",\"true\""
    "]},\"Hostname\":\"ed387944905b\",\"Image\":\"busybox\",\"Labels\":{\"a.b\":\"c\"},"
    "\"OpenStdin\":"
    "false,\"StdinOnce\":false,\"Tty\":false,\"User\":\"0\",\"WorkingDir\":\"/"
    "tmp\"},\"Created\":\"2"
    "026-12-07T08:58:16.020826351Z\",\"Driver\":\"overlay\",\"GraphDriver\":{\"Data\":{\"UpperD"
    "ir\":\"/x/upper\"},\"Name\":\"overlay\"},\"HostConfig\":{\"AutoRemove\":false,\"Binds\":[],\"C"
    "apAdd\":[],\"CapDrop\":[],\"CpuShares\":0,\"CpusetCpus\":\"\",\"Dns\":[],\"ExtraHosts\":[],\"I"
    "nit\":false,\"Memory\":0,\"MemorySwap\":0,\"NanoCpus\":0,\"NetworkMode\":\"ednet\",\"OomScor"
    "eAdj\":0,\"PidsLimit\":4096,\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPo"
    "rt\":\"18080\"}]},\"Privileged\":false,\"PublishAllPorts\":false,\"ReadonlyRootfs\":false"
    ",\"RestartPolicy\":{\"MaximumRetryCount\":3,\"Name\":\"on-failure\"},\"SecurityOpt\":[],\"S"
    "hmSize\":67108864,\"Tmpfs\":{},\"Ulimits\":[]},\"HostnamePath\":\"/x/HostnamePath\",\"Host"
    "sPath\":\"/x/HostsPath\",\"Id\":\"ed387944905bcc500a4798b3109c79c58893477d4cb533157e94"
    "fadda260985f\",\"Image\":\"sha256:b820324f8481b9a9e9e304e06196504441ca08b8b082c0fa16"
    "e8ee787ac834ce\",\"LogPath\":\"/x/LogPath\",\"Mounts\":[{\"Destination\":\"/data\",\"Driver\""
    ":\"local\",\"Mode\":\"z\",\"Name\":\"edvol\",\"Propagation\":\"\",\"RW\":true,\"Source\":\"/x/"
    "volum"
    "es/edvol/_data\",\"Type\":\"volume\"}],\"Name\":\"/edfix\",\"NetworkSettings\":{\"Gateway\":\""
    "10.162.1.1\",\"IPAddress\":\"10.162.1.2\",\"IPPrefixLen\":24,\"MacAddress\":\"02:42:0a:a2:"
    "01:02\",\"Networks\":{\"ednet\":{\"Aliases\":[\"edalias\"],\"DriverOpts\":{\"com.docker.netw"
    "ork.endpoint.ifname\":\"eth0\"},\"EndpointID\":\"veth0a1c78ec\",\"Gateway\":\"10.162.1.1\","
    "\"IPAMConfig\":{\"IPv4Address\":\"10.162.1.2\"},\"IPAddress\":\"10.162.1.2\",\"IPPrefixLen\""
    ":24,\"MacAddress\":\"02:42:0a:a2:01:02\",\"NetworkID\":\"b54d35bcfa1e859134088e5967b301"
    "5f588bf255f8f9388672a44dce2c295b8e\"}},\"Ports\":{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\""
    "HostPort\":\"18080\"}]}},\"Path\":\"sleep\",\"Platform\":\"linux\",\"ResolvConfPath\":\"/x/Res"
    "olvConfPath\",\"RestartCount\":2,\"State\":{\"Dead\":false,\"Error\":\"\",\"ExitCode\":0,\"Fin"
    "ishedAt\":\"0001-01-01T00:00:00Z\",\"Health\":{\"FailingStreak\":0,\"Log\":[],\"Status\":\"h"
    "ealthy\"},\"OOMKilled\":false,\"Paused\":false,\"Pid\":9303,\"Restarting\":false,\"Running"
    "\":true,\"StartedAt\":\"2026-12-07T08:58:16.130424633Z\",\"Status\":\"running\"}}";

static void test_fixture(void)
{
        json_error_t je;
        _cleanup_json_ json_t *j = json_loads(FIXTURE, 0, &je);
        ok(j != NULL, "fixture parses: %s", j ? "" : je.text);
        is_str(rt_doc_id(j), "ed387944905bcc500a4798b3109c79c58893477d4cb533157e94fadda260985f",
               "id");
        is_str(rt_doc_name(j), "/edfix", "name keeps its slash");
        is_str(rt_doc_created(j), "2026-12-07T08:58:16.020826351Z", "created");
        is_str(rt_doc_image_id(j),
               "sha256:b820324f8481b9a9e9e304e06196504441ca08b8b082c0fa16e8ee787ac834ce",
               "image id");
        is_str(rt_doc_path(j), "sleep", "path");
        is_int(json_array_size(rt_doc_args(j)), 1, "args");
        is_str(rt_doc_log_path(j), "/x/LogPath", "log path");
        is_int(rt_doc_restart_count(j), 2, "restart count");
        is_str(rt_doc_upper_dir(j), "/x/upper", "upper dir");

        is_str(rt_doc_status(j), "running", "status");
        ok(rt_doc_running(j) && !rt_doc_paused(j) && !rt_doc_restarting(j), "running flags");
        ok(!rt_doc_oom_killed(j), "not OOM killed");
        is_int(rt_doc_pid(j), 9303, "pid");
        is_int(rt_doc_exit_code(j), 0, "exit code");
        is_str(rt_doc_error(j), "", "error");
        is_str(rt_doc_started_at(j), "2026-12-07T08:58:16.130424633Z", "started at");
        is_str(rt_doc_finished_at(j), "0001-01-01T00:00:00Z", "finished at");
        is_str(rt_doc_health(j), "healthy", "health");

        ok(json_is_object(rt_doc_config(j)), "config");
        is_str(rt_doc_image(j), "busybox", "image reference");
        is_str(rt_doc_label(j, "a.b"), "c", "label");
        ok(rt_doc_label(j, "nope") == NULL, "missing label is NULL");
        is_int(json_object_size(rt_doc_labels(j)), 1, "labels");
        is_str(json_string_value(json_array_get(rt_doc_env(j), 1)), "FOO=bar", "env");
        is_str(json_string_value(json_array_get(rt_doc_cmd(j), 0)), "sleep", "cmd");
        ok(json_is_array(rt_doc_entrypoint(j)) && json_array_size(rt_doc_entrypoint(j)) == 0,
           "entrypoint");
        is_str(rt_doc_workdir(j), "/tmp", "workdir");
        is_str(rt_doc_user(j), "0", "user");
        is_str(rt_doc_hostname(j), "ed387944905b", "hostname");
        ok(!rt_doc_tty(j) && !rt_doc_open_stdin(j), "no tty, no stdin");
        ok(rt_doc_stop_signal(j) == NULL, "no stop signal");
        is_int(rt_doc_stop_timeout(j, 10), 10, "no stop timeout: the default");
        _cleanup_json_ json_t *s =
            json_pack("{s:{s:s,s:i}}", "Config", "StopSignal", "SIGINT", "StopTimeout", 0);
        is_str(rt_doc_stop_signal(s), "SIGINT", "stop signal");
        is_int(rt_doc_stop_timeout(s, 10), 0, "stop timeout 0 is kept");
        ok(rt_doc_volumes(j) == NULL, "no image volumes");
        is_str(json_string_value(json_array_get(rt_doc_healthcheck_test(j), 1)), "true",
               "healthcheck");

        ok(json_is_object(rt_doc_host_config(j)), "host config");
        is_str(rt_doc_network_mode(j), "ednet", "network mode");
        long long max = -1;
        is_str(rt_doc_restart_policy(j, &max), "on-failure", "restart policy");
        is_int(max, 3, "restart retries");
        is_str(rt_doc_restart_policy(j, NULL), "on-failure", "restart policy without max");
        ok(!rt_doc_auto_remove(j) && !rt_doc_privileged(j), "no auto remove, not privileged");
        ok(json_is_array(rt_doc_binds(j)), "binds");
        json_t *pb = json_array_get(json_object_get(rt_doc_port_bindings(j), "80/tcp"), 0);
        is_str(rt_doc_binding_ip(pb), "127.0.0.1", "port binding ip");
        is_str(rt_doc_binding_port(pb), "18080", "port binding port");
        json_t *pp = json_array_get(json_object_get(rt_doc_ports(j), "80/tcp"), 0);
        is_str(rt_doc_binding_port(pp), "18080", "published port");

        json_t *nets = rt_doc_networks(j);
        is_int(json_object_size(nets), 1, "one network");
        struct rt_doc_endpoint ep;
        rt_doc_endpoint(json_object_get(nets, "ednet"), &ep);
        is_str(ep.network_id, "b54d35bcfa1e859134088e5967b3015f588bf255f8f9388672a44dce2c295b8e",
               "endpoint network id");
        is_str(ep.endpoint_id, "veth0a1c78ec", "endpoint id");
        is_str(ep.ip, "10.162.1.2", "endpoint ip");
        is_str(ep.ipam_ip, "10.162.1.2", "endpoint requested ip");
        is_str(ep.gateway, "10.162.1.1", "endpoint gateway");
        is_str(ep.mac, "02:42:0a:a2:01:02", "endpoint mac");
        is_int(ep.prefix_len, 24, "endpoint prefix");
        is_str(json_string_value(json_array_get(ep.aliases, 0)), "edalias", "endpoint alias");

        is_int(json_array_size(rt_doc_mounts(j)), 1, "one mount");
        struct rt_doc_mount m;
        rt_doc_mount(json_array_get(rt_doc_mounts(j), 0), &m);
        is_str(m.type, "volume", "mount type");
        is_str(m.name, "edvol", "mount name");
        is_str(rt_doc_mount_name(json_array_get(rt_doc_mounts(j), 0)), "edvol", "mount name alone");
        is_str(m.source, "/x/volumes/edvol/_data", "mount source");
        is_str(m.destination, "/data", "mount destination");
        is_str(m.mode, "z", "mount mode");
        is_str(m.propagation, "", "mount propagation");
        ok(!m.ro, "mount rw");
        _cleanup_json_ json_t *ro = json_pack("{s:b}", "RW", 0);
        rt_doc_mount(ro, &m);
        ok(m.ro, "RW false: read-only");

        /* an ended container names no address; the one it asked for stays */
        rt_doc_clear_addresses(j);
        rt_doc_endpoint(json_object_get(nets, "ednet"), &ep);
        ok(!*ep.ip && !*ep.gateway && !*ep.mac && !*ep.endpoint_id && ep.prefix_len == 0,
           "cleared endpoint: no address, gateway, mac, endpoint");
        is_str(ep.ipam_ip, "10.162.1.2", "cleared endpoint keeps the requested address");
        json_t *ns = json_object_get(j, "NetworkSettings");
        ok(!*json_string_value(json_object_get(ns, "IPAddress")) &&
               !*json_string_value(json_object_get(ns, "Gateway")),
           "cleared NetworkSettings address and gateway");
        rt_doc_clear_addresses(NULL); /* nothing to clear: no crash */
}

/* The cgroup limits: read as the monitor applies them, written by update. */
static void test_limits(void)
{
        _cleanup_json_ json_t *j = json_pack(
            "{s:{s:I,s:I,s:I,s:I,s:I,s:s,s:b}}", "HostConfig", "Memory", (json_int_t)1 << 30,
            "MemorySwap", (json_int_t)-1, "NanoCpus", (json_int_t)1500000000, "CpuShares",
            (json_int_t)512, "PidsLimit", (json_int_t)64, "CpusetCpus", "0-1", "Privileged", 1);
        struct rt_cgroup_limits l;
        rt_doc_limits(j, &l);
        ok(l.memory == 1 << 30 && l.memory_swap == -1 && l.nano_cpus == 1500000000 &&
               l.cpu_shares == 512 && l.pids_limit == 64,
           "limits read");
        is_str(l.cpuset_cpus, "0-1", "cpuset read");
        ok(l.devices_all && rt_doc_privileged(j), "privileged: every device");
        l.memory = 1 << 20;
        l.cpuset_cpus = NULL;
        rt_doc_set_limits(j, &l);
        struct rt_cgroup_limits l2;
        rt_doc_limits(j, &l2);
        ok(l2.memory == 1 << 20 && l2.pids_limit == 64, "limits written back");
        is_str(l2.cpuset_cpus, "", "no cpuset is written as \"\"");
        ok(l2.devices_all, "writing limits keeps Privileged");
        rt_doc_set_restart_policy(j, "on-failure", 5);
        long long max = 0;
        is_str(rt_doc_restart_policy(j, &max), "on-failure", "restart policy written");
        is_int(max, 5, "retries written");

        _cleanup_json_ json_t *e = json_object();
        rt_doc_limits(e, &l);
        ok(!l.memory && !l.pids_limit && !l.cpuset_cpus && !l.devices_all, "no HostConfig: none");
        rt_doc_set_limits(e, &l);
        rt_doc_set_restart_policy(e, "always", 0);
        ok(json_is_object(rt_doc_host_config(e)), "HostConfig made when missing");
        is_str(rt_doc_restart_policy(e, NULL), "always", "restart policy in the new HostConfig");
}

/* The status and the flags that follow from it, written as one. */
static void test_set_status(void)
{
        static const struct {
                const char *status;
                bool running, paused, restarting;
        } cases[] = {
            {"running", true, false, false},    {"paused", true, true, false},
            {"restarting", false, false, true}, {"exited", false, false, false},
            {"created", false, false, false},
        };
        _cleanup_json_ json_t *j = json_object();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                json_t *st = rt_doc_set_status(j, cases[i].status);
                ok(st == json_object_get(j, "State"), "%s: State returned", cases[i].status);
                is_str(rt_doc_status(j), cases[i].status, "%s: status", cases[i].status);
                ok(rt_doc_running(j) == cases[i].running && rt_doc_paused(j) == cases[i].paused &&
                       rt_doc_restarting(j) == cases[i].restarting,
                   "%s: flags", cases[i].status);
        }
}

/* An exited container that was OOM killed. */
static void test_exited(void)
{
        _cleanup_json_ json_t *j = json_pack(
            "{s:{s:s,s:b,s:i,s:i,s:b,s:s,s:s}}", "State", "Status", "exited", "Running", 0, "Pid",
            0, "ExitCode", 137, "OOMKilled", 1, "Error", "", "FinishedAt", "2026-12-07T09:00:00Z");
        is_str(rt_doc_status(j), "exited", "exited status");
        ok(!rt_doc_running(j), "not running");
        is_int(rt_doc_exit_code(j), 137, "exit code 137");
        ok(rt_doc_oom_killed(j), "OOM killed");
        ok(rt_doc_health(j) == NULL, "no healthcheck: health NULL");
        is_str(rt_doc_finished_at(j), "2026-12-07T09:00:00Z", "finished at");
}

/* Nothing there, or the wrong types: every accessor reads "absent", none
 * crashes. */
static void test_absent(void)
{
        const char *docs[] = {
            "{}",
            /* every member there, with the wrong type */
            ("{\"State\":\"running\",\"Config\":[],\"HostConfig\":1,\"NetworkSettings\":null,"
             "\"Mounts\":{},\"Name\":7,\"GraphDriver\":{\"Data\":\"x\"}}"),
            "[]",
        };
        for (size_t i = 0; i <= sizeof(docs) / sizeof(docs[0]); i++) {
                _cleanup_json_ json_t *j =
                    i < sizeof(docs) / sizeof(docs[0]) ? json_loads(docs[i], 0, NULL) : NULL;
                long long max = 5;
                bool none = !rt_doc_id(j) && !rt_doc_name(j) && !rt_doc_created(j) &&
                            !rt_doc_image_id(j) && !rt_doc_path(j) && !rt_doc_args(j) &&
                            !rt_doc_log_path(j) && !rt_doc_restart_count(j) &&
                            !rt_doc_upper_dir(j) && !rt_doc_status(j) && !rt_doc_running(j) &&
                            !rt_doc_paused(j) && !rt_doc_restarting(j) && !rt_doc_oom_killed(j) &&
                            !rt_doc_pid(j) && !rt_doc_exit_code(j) && !rt_doc_error(j) &&
                            !rt_doc_started_at(j) && !rt_doc_finished_at(j) && !rt_doc_health(j) &&
                            !rt_doc_image(j) && !rt_doc_labels(j) && !rt_doc_label(j, "a") &&
                            !rt_doc_env(j) && !rt_doc_cmd(j) && !rt_doc_entrypoint(j) &&
                            !rt_doc_workdir(j) && !rt_doc_user(j) && !rt_doc_hostname(j) &&
                            !rt_doc_tty(j) && !rt_doc_open_stdin(j) && !rt_doc_volumes(j) &&
                            !rt_doc_healthcheck_test(j) && !rt_doc_config(j) &&
                            !rt_doc_host_config(j) && !rt_doc_network_mode(j) &&
                            !rt_doc_restart_policy(j, &max) && max == 0 && !rt_doc_auto_remove(j) &&
                            !rt_doc_binds(j) && !rt_doc_port_bindings(j) && !rt_doc_networks(j) &&
                            !rt_doc_ports(j);
                ok(none, "document %zu: everything absent", i);
                struct rt_doc_mount m = {.type = "x", .ro = true};
                rt_doc_mount(json_array_get(rt_doc_mounts(j), 0), &m);
                ok(!m.type && !m.name && !m.source && !m.destination && !m.mode && !m.propagation &&
                       !m.ro,
                   "document %zu: absent mount", i);
                struct rt_doc_endpoint ep = {.ip = "x", .prefix_len = 3};
                rt_doc_endpoint(json_object_get(rt_doc_networks(j), "n"), &ep);
                ok(!ep.network_id && !ep.ip && !ep.ipam_ip && !ep.prefix_len && !ep.aliases,
                   "document %zu: absent endpoint", i);
        }
        ok(!rt_doc_binding_ip(NULL) && !rt_doc_binding_port(NULL) && !rt_doc_mount_name(NULL),
           "absent binding and mount");
}

/* What the spawn reads: security, resources, the overlay's directories. */
static void test_spawn_fields(void)
{
        json_error_t je;
        _cleanup_json_ json_t *j = json_loads(
            "{\"HostnamePath\":\"/h\",\"GraphDriver\":{\"Data\":{\"LowerDir\":\"/l1:/l2\","
            "\"UpperDir\":\"/u\",\"WorkDir\":\"/w\",\"MergedDir\":\"/m\"}},"
            "\"HostConfig\":{\"CapAdd\":[\"NET_ADMIN\"],\"CapDrop\":[\"ALL\"],"
            "\"SecurityOpt\":[\"no-new-privileges:false\",7,\"seccomp=unconfined\"],"
            "\"ReadonlyRootfs\":true,\"Init\":true,\"ShmSize\":1048576,\"OomScoreAdj\":-5,"
            "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":10,\"Hard\":20}],"
            "\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"Tmpfs\":{\"/t\":\"size=1m\"}}}",
            0, &je);
        if (!j) {
                ok(0, "fixture: %s", je.text);
                return;
        }
        is_str(rt_doc_hostname_path(j), "/h", "HostnamePath");
        is_str(rt_doc_lower_dirs(j), "/l1:/l2", "LowerDir");
        is_str(rt_doc_work_dir(j), "/w", "WorkDir");
        is_str(rt_doc_merged_dir(j), "/m", "MergedDir");
        is_str(json_string_value(json_array_get(rt_doc_cap_add(j), 0)), "NET_ADMIN", "CapAdd");
        is_str(json_string_value(json_array_get(rt_doc_cap_drop(j), 0)), "ALL", "CapDrop");
        ok(json_array_size(rt_doc_security_opt(j)) == 3, "SecurityOpt");
        ok(rt_doc_security_opt_has(j, "no-new-privileges=false", "no-new-privileges:false") &&
               rt_doc_security_opt_has(j, "seccomp=unconfined", NULL) &&
               !rt_doc_security_opt_has(j, "apparmor=unconfined", NULL),
           "a security option found by either spelling, a non-string skipped");
        ok(rt_doc_readonly_rootfs(j) && rt_doc_init(j), "ReadonlyRootfs, Init");
        ok(rt_doc_shm_size(j) == 1048576 && rt_doc_oom_score_adj(j) == -5, "ShmSize, OomScoreAdj");
        long long soft, hard;
        const char *n = rt_doc_ulimit(json_array_get(rt_doc_ulimits(j), 0), &soft, &hard);
        ok(n && !strcmp(n, "nofile") && soft == 10 && hard == 20, "a ulimit");
        is_str(json_string_value(json_object_get(rt_doc_sysctls(j), "net.ipv4.ip_forward")), "1",
               "Sysctls");
        is_str(json_string_value(json_object_get(rt_doc_tmpfs(j), "/t")), "size=1m", "Tmpfs");
        _cleanup_json_ json_t *bad =
            json_loads("{\"HostConfig\":{\"CapAdd\":\"x\",\"SecurityOpt\":{},\"Ulimits\":1,"
                       "\"Sysctls\":[],\"Tmpfs\":\"/t\"}}",
                       0, NULL);
        n = rt_doc_ulimit(NULL, &soft, &hard);
        ok(!rt_doc_cap_add(bad) && !rt_doc_security_opt(bad) && !rt_doc_ulimits(bad) &&
               !rt_doc_sysctls(bad) && !rt_doc_tmpfs(bad) && !rt_doc_cap_drop(NULL) &&
               !rt_doc_security_opt_has(bad, "seccomp=unconfined", NULL) && !rt_doc_init(NULL) &&
               !rt_doc_readonly_rootfs(bad) && !n && !soft && !hard,
           "mistyped or absent: NULL, false, 0");
}

int main(void)
{
        test_fixture();
        test_exited();
        test_limits();
        test_set_status();
        test_absent();
        test_spawn_fields();
        return tap_done();
}
