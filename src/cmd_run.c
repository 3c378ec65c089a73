/* berth run / create: options before IMAGE, then the command. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/duration.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/paths.h"
#include "base/strbuf.h"
#include "base/strv.h"
#include "base/restart.h"
#include "base/size.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "engine/spec.h"
#include "engine/netglue.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "pull.h"
#include "runtime/image.h"
#include "runtime/security.h"
#include "runtime/volume.h"

struct run_opts {
        bool detach, interactive, tty, rm, no_healthcheck;
        const char *name, *workdir, *user, *hostname, *entrypoint, *network, *stop_signal, *restart;
        const char *memory, *memory_swap, *cpus, *shm_size;
        int stop_timeout;
        bool has_stop_timeout, has_entrypoint;
        strv_t env, env_files, volumes, mounts, tmpfs, ulimits, labels;
        /* --privileged, --read-only, --init, --cap-*, --security-opt, --sysctl and
         * the CPU, pids and OOM settings go straight into the spec's host part;
         * the sizes are read from their text by host_spec; moved into the spec
         * at create */
        struct ctr_host host;
        const char *health_cmd, *health_interval, *health_timeout, *health_start,
            *health_start_interval, *health_retries;
        struct ctr_net nw; /* moved into the spec at create */
        const char *pull, *platform;
        bool quiet;
        bool create_only; /* `create`: nobody starts it now */
};

static void run_opts_free(struct run_opts *o)
{
        strv_t *v[] = {&o->env,   &o->env_files, &o->volumes, &o->mounts,
                       &o->tmpfs, &o->ulimits,   &o->labels};
        for (size_t i = 0; i < ARRAY_SIZE(v); i++)
                strv_free(v[i]);
        ctr_net_free(&o->nw);
        ctr_host_free(&o->host);
}

/* "-e KEY=VALUE", or "-e KEY" taken from our environment (skipped when unset). */
static void env_set(strv_t *env, const char *kv)
{
        const char *eq = strchr(kv, '=');
        _cleanup_free_ char *k = xstrndup(kv, eq ? (size_t)(eq - kv) : strlen(kv));
        const char *v = eq ? eq + 1 : getenv(k);
        if (v)
                strv_kv_set(env, k, v);
}

static int env_file(strv_t *env, const char *path, err_t *err)
{
        _cleanup_free_ char *buf = NULL;
        if (read_file(path, &buf, NULL, err) < 0)
                return -1;
        for (char *sv = NULL, *l = strtok_r(buf, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv)) {
                l[strcspn(l, "\r")] = '\0';
                while (*l == ' ' || *l == '\t')
                        l++;
                if (!*l || *l == '#')
                        continue;
                env_set(env, l);
        }
        return 0;
}

/* -v, --mount and --tmpfs, in that order, into the spec (a relative "./"
 * source is the current directory's, as the docker CLI reads it). */
static int mounts_spec(const struct run_opts *o, struct ctr_spec *sp, err_t *err)
{
        char cwd[PATH_MAX];
        const char *wd = getcwd(cwd, sizeof(cwd));
        struct mountspec m;
        for (size_t i = 0; i < o->volumes.n; i++) {
                if (mountspec_parse_volume(o->volumes.v[i], MOUNTSPEC_DOCKER, wd, &m, err) < 0)
                        return -1;
                ctr_spec_add_mount(sp, &m, true);
        }
        for (size_t i = 0; i < o->mounts.n; i++) {
                if (mountspec_parse_mount(o->mounts.v[i], wd, &m, err) < 0)
                        return -1;
                ctr_spec_add_mount(sp, &m, false);
        }
        for (size_t i = 0; i < o->tmpfs.n; i++) {
                if (mountspec_parse_tmpfs(o->tmpfs.v[i], &m, err) < 0)
                        return -1;
                ctr_spec_add_mount(sp, &m, false);
        }
        return 0;
}

/* --health-* and --no-healthcheck over the image's HEALTHCHECK. */
static int healthcheck_spec(const struct run_opts *o, struct ctr_spec *sp, err_t *err)
{
        struct rt_healthcheck *h = &sp->health;
        if (o->no_healthcheck) {
                sp->has_health = true;
                strv_push(&h->test, "NONE");
                return 0;
        }
        if (!o->health_cmd && !o->health_interval && !o->health_timeout && !o->health_retries &&
            !o->health_start && !o->health_start_interval) {
                ctr_spec_health_from_image(sp);
                return 0;
        }
        strv_t test = STRV_INIT;
        if (o->health_cmd) {
                strv_push(&test, "CMD-SHELL");
                strv_push(&test, o->health_cmd);
        }
        struct ctr_health_over ov = {.test = &test};
        const char *d[] = {[CTR_HEALTH_INTERVAL] = o->health_interval,
                           [CTR_HEALTH_TIMEOUT] = o->health_timeout,
                           [CTR_HEALTH_START_PERIOD] = o->health_start,
                           [CTR_HEALTH_START_INTERVAL] = o->health_start_interval};
        for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
                int64_t ns;
                if (!d[i])
                        continue;
                if (parse_duration(d[i], &ns, NULL) < 0) {
                        strv_free(&test);
                        return err_set(err, EINVAL, "invalid duration \"%s\"", d[i]);
                }
                ov.v[i] = ns;
                ov.has[i] = true;
        }
        if (o->health_retries) {
                ov.v[CTR_HEALTH_RETRIES] = atoi(o->health_retries);
                ov.has[CTR_HEALTH_RETRIES] = true;
        }
        ctr_spec_health_over_image(sp, &ov);
        strv_free(&test);
        return 0;
}

/* --sysctl, --security-opt, --cap-*, --shm-size, --oom-score-adj, the memory,
 * CPU and pids limits and --ulimit: read from their text here, checked
 * (engine's ctr_host_check, Docker's rules) before anything is made. */
static int host_spec(struct run_opts *o, err_t *err)
{
        struct ctr_host *h = &o->host;
        h->host_network = o->network && !strcmp(o->network, "host");
        for (size_t i = 0; i < h->sysctls.n; i++) {
                const char *kv = h->sysctls.v[i], *eq = strchr(kv, '=');
                if (!eq || eq == kv)
                        return err_set(err, EINVAL,
                                       "invalid argument \"%s\" for \"--sysctl\" flag: expected "
                                       "KEY=VALUE",
                                       kv);
        }
        if (o->shm_size && (bytes_parse(o->shm_size, &h->shm_size, NULL) < 0 || h->shm_size <= 0))
                return err_set(err, EINVAL, "invalid --shm-size %s: a size greater than 0 (64m)",
                               o->shm_size);
        if (o->memory && bytes_parse(o->memory, &h->memory, NULL) < 0)
                return err_set(err, EINVAL, "invalid memory size: %s", o->memory);
        if (o->memory_swap) {
                h->has_memory_swap = true;
                if (!strcmp(o->memory_swap, "-1"))
                        h->memory_swap = -1;
                else if (bytes_parse(o->memory_swap, &h->memory_swap, NULL) < 0)
                        return err_set(err, EINVAL, "invalid memory-swap size: %s", o->memory_swap);
        }
        if (o->cpus) {
                char *end;
                double c = strtod(o->cpus, &end);
                if (*end || c <= 0)
                        return err_set(err, EINVAL, "invalid value for --cpus: %s", o->cpus);
                h->nano_cpus = (long long)(c * 1e9);
        }
        for (size_t i = 0; i < o->ulimits.n; i++) {
                struct rt_ulimit u;
                _cleanup_free_ char *un = NULL;
                if (rt_ulimit_parse(o->ulimits.v[i], &u, &un, err) < 0)
                        return -1;
                ctr_host_add_ulimit(h, un, u.soft == RLIM_INFINITY ? -1 : (long long)u.soft,
                                    u.hard == RLIM_INFINITY ? -1 : (long long)u.hard);
        }
        return ctr_host_check(h, err);
}

static int create_container(struct run_opts *o, const char *image, char **args, int nargs,
                            char **id_out, err_t *err)
{
        if (host_spec(o, err) < 0)
                return -1;
        struct rt_image img;
        enum pull_policy pol = PULL_MISSING;
        /* a stored image is read once (pull_ensure would look it up too) */
        if ((o->pull && pull_policy_parse(o->pull, &pol, err) < 0) ||
            ((pol == PULL_ALWAYS || rt_image_lookup(image, &img, err) < 0) &&
             (pull_ensure(stderr, image, pol, o->platform, o->quiet, err) < 0 ||
              rt_image_lookup(image, &img, err) < 0))) {
                if (err->code == ENOENT && pol == PULL_NEVER)
                        err_set(err, ENOENT, "No such image: %s", image);
                return -1;
        }
        int ret = -1;
        _cleanup_free_ char *name = o->name ? xstrdup(o->name) : rt_ctr_gen_name();
        struct ctr_spec sp;
        ctr_spec_init(&sp, image, &img);
        sp.host = o->host; /* the spec owns it now */
        o->host = (struct ctr_host){0};
        sp.name = name;
        sp.hostname = o->hostname;
        if (o->user)
                sp.proc.user = o->user;
        if (o->workdir)
                sp.proc.workdir = o->workdir;
        sp.proc.tty = o->tty;
        sp.proc.open_stdin = o->interactive;
        sp.proc.stdin_once = sp.proc.attach_stdin = o->interactive && !o->detach;
        sp.proc.attach_stdout = sp.proc.attach_stderr = !o->detach;
        for (size_t i = 0; i < o->env_files.n; i++)
                if (env_file(&sp.proc.env, o->env_files.v[i], err) < 0)
                        goto out;
        for (size_t i = 0; i < o->env.n; i++)
                env_set(&sp.proc.env, o->env.v[i]);
        if (o->has_entrypoint) {
                strv_free(&sp.proc.entrypoint);
                strv_free(&sp.proc.cmd);
                if (*o->entrypoint)
                        strv_push(&sp.proc.entrypoint, o->entrypoint);
        }
        if (nargs > 0) {
                strv_free(&sp.proc.cmd);
                for (int i = 0; i < nargs; i++)
                        strv_push(&sp.proc.cmd, args[i]);
        }
        if (ctr_process_check(&sp.proc, err) < 0)
                goto out;
        strv_copy(&sp.labels, &o->labels);
        if (o->stop_signal)
                sp.stop_signal = o->stop_signal;
        sp.stop_timeout = o->stop_timeout;
        sp.has_stop_timeout = o->has_stop_timeout;
        if (healthcheck_spec(o, &sp, err) < 0)
                goto out;
        if (restart_policy_parse(o->restart, &sp.restart, err) < 0)
                goto out;
        if (o->rm && sp.restart.kind != RESTART_NO) {
                err_set(err, EINVAL, "conflicting options: --restart and --rm");
                goto out;
        }
        sp.auto_remove = o->rm;
        sp.start_now = !o->create_only;
        if (mounts_spec(o, &sp, err) < 0)
                goto out;
        o->nw.network = o->network;
        sp.net = o->nw;
        o->nw = (struct ctr_net){0};
        strv_t warnings = STRV_INIT;
        int r = container_create_spec(&sp, id_out, &warnings, NULL, err);
        warn_flush(&warnings);
        if (r < 0)
                goto out;
        ret = 0;
out:
        ctr_spec_free(&sp);
        rt_image_free(&img);
        return ret;
}

/* -p/--publish: parsed here, once, into the ctr_net at dest */
static int publish_opt(const struct cli_opt *opt, const char *arg, err_t *err)
{
        struct portspec ps;
        if (portspec_parse(arg, &ps, err) < 0)
                return -1;
        ctr_net_add_port(opt->dest, &ps, arg);
        return 0;
}

/* run's and create's options into o; as cli_parse: the index of IMAGE, 0
 * after --help, -1 after an error. */
static int parse_run(int argc, char **argv, bool run, struct run_opts *o)
{
        const char *shares = NULL, *pids = NULL, *stop_timeout = NULL, *oom = NULL;
        char pids_help[80];
        snprintf(pids_help, sizeof(pids_help),
                 "Tune container pids limit (-1 for unlimited; default %d)", RT_PIDS_DEFAULT);
        const struct cli_opt opts[] = {
            CLI_OPT("add-host", 0, CLI_LIST, &o->nw.add_hosts,
                    "Add a custom host-to-IP mapping (host:ip)"),
            CLI_OPT("cap-add", 0, CLI_LIST, &o->host.cap_add, "Add Linux capabilities"),
            CLI_OPT("cap-drop", 0, CLI_LIST, &o->host.cap_drop, "Drop Linux capabilities"),
            CLI_OPT("cpu-shares", 'c', CLI_STRING, &shares, "CPU shares (relative weight)",
                    .type = "int"),
            CLI_OPT("cpus", 0, CLI_STRING, &o->cpus, "Number of CPUs", .type = "decimal"),
            CLI_OPT("cpuset-cpus", 0, CLI_STRING, &o->host.cpuset,
                    "CPUs in which to allow execution"),
            CLI_OPT("detach", 'd', CLI_FLAG, &o->detach,
                    "Run container in background and print container ID"),
            CLI_OPT("dns", 0, CLI_LIST, &o->nw.dns, "Set custom DNS servers"),
            CLI_OPT("entrypoint", 0, CLI_STRING, &o->entrypoint,
                    "Overwrite the default ENTRYPOINT of the image"),
            CLI_OPT("env", 'e', CLI_LIST, &o->env, "Set environment variables"),
            CLI_OPT("env-file", 0, CLI_LIST, &o->env_files,
                    "Read in a file of environment variables"),
            CLI_OPT("health-cmd", 0, CLI_STRING, &o->health_cmd, "Command to run to check health"),
            CLI_OPT("health-interval", 0, CLI_STRING, &o->health_interval,
                    "Time between running the check", .type = "duration"),
            CLI_OPT("health-retries", 0, CLI_STRING, &o->health_retries,
                    "Consecutive failures needed to report unhealthy", .type = "int"),
            CLI_OPT("health-start-interval", 0, CLI_STRING, &o->health_start_interval,
                    "Time between checks during the start period", .type = "duration"),
            CLI_OPT("health-start-period", 0, CLI_STRING, &o->health_start,
                    "Start period for the container to initialize", .type = "duration"),
            CLI_OPT("health-timeout", 0, CLI_STRING, &o->health_timeout,
                    "Maximum time to allow one check to run", .type = "duration"),
            CLI_OPT("hostname", 'h', CLI_STRING, &o->hostname, "Container host name"),
            CLI_OPT("init", 0, CLI_FLAG, &o->host.init, "Run an init inside the container"),
            CLI_OPT("interactive", 'i', CLI_FLAG, &o->interactive,
                    "Keep STDIN open even if not attached"),
            CLI_OPT("ip", 0, CLI_STRING, &o->nw.ip, "IPv4 address (e.g., 172.30.100.104)"),
            CLI_OPT("label", 'l', CLI_LIST, &o->labels, "Set meta data on a container"),
            CLI_OPT("link", 0, CLI_LIST, &o->nw.links,
                    "Add link to another container (NAME[:ALIAS])"),
            CLI_OPT("memory", 'm', CLI_STRING, &o->memory, "Memory limit", .type = "bytes"),
            CLI_OPT("memory-swap", 0, CLI_STRING, &o->memory_swap,
                    "Memory + swap limit (-1: unlimited swap)", .type = "bytes"),
            CLI_OPT("mount", 0, CLI_LIST, &o->mounts,
                    "type=bind|volume|tmpfs,source=,target=,readonly", .type = "mount"),
            CLI_OPT("name", 0, CLI_STRING, &o->name, "Assign a name to the container"),
            CLI_OPT("net", 0, CLI_STRING, &o->network, NULL),
            CLI_OPT("network", 0, CLI_STRING, &o->network,
                    "Connect a container to a network (bridge, none, host, container:NAME, NAME)"),
            CLI_OPT("network-alias", 0, CLI_LIST, &o->nw.aliases,
                    "Add network-scoped alias for the container"),
            CLI_OPT("no-healthcheck", 0, CLI_FLAG, &o->no_healthcheck,
                    "Disable any container-specified HEALTHCHECK"),
            CLI_OPT("oom-score-adj", 0, CLI_STRING, &oom,
                    "Tune host's OOM preferences (-1000 to 1000)", .type = "int"),
            CLI_OPT("pids-limit", 0, CLI_STRING, &pids, pids_help, .type = "int"),
            CLI_OPT("platform", 0, CLI_STRING, &o->platform,
                    "Set platform if server is multi-platform capable"),
            CLI_OPT("privileged", 0, CLI_FLAG, &o->host.privileged,
                    "Give extended privileges to this container"),
            CLI_OPT("publish", 'p', CLI_FUNC, &o->nw, "Publish a container's port(s) to the host",
                    .type = "list", .fn = publish_opt),
            CLI_OPT("publish-all", 'P', CLI_FLAG, &o->nw.publish_all,
                    "Publish all exposed ports to random ports"),
            CLI_OPT("pull", 0, CLI_STRING, &o->pull,
                    "Pull image before running (\"always\", \"missing\", \"never\")"),
            CLI_OPT("quiet", 'q', CLI_FLAG, &o->quiet, "Suppress the pull output"),
            CLI_OPT("read-only", 0, CLI_FLAG, &o->host.readonly_rootfs,
                    "Mount the container's root filesystem as read only"),
            CLI_OPT("restart", 0, CLI_STRING, &o->restart,
                    "no, always, on-failure[:N], unless-stopped"),
            CLI_OPT("rm", 0, CLI_FLAG, &o->rm, "Automatically remove the container when it exits"),
            CLI_OPT("security-opt", 0, CLI_LIST, &o->host.security_opt,
                    "no-new-privileges[=false], seccomp=unconfined|FILE,\n"
                    "apparmor=unconfined, label=disable"),
            CLI_OPT("shm-size", 0, CLI_STRING, &o->shm_size, "Size of /dev/shm (default 64m)",
                    .type = "bytes"),
            CLI_OPT("stop-signal", 0, CLI_STRING, &o->stop_signal, "Signal to stop the container"),
            CLI_OPT("stop-timeout", 0, CLI_STRING, &stop_timeout,
                    "Timeout (in seconds) to stop a container", .type = "int"),
            CLI_OPT("sysctl", 0, CLI_LIST, &o->host.sysctls,
                    "Sysctl options (namespaced ones: net.*, kernel.shm*, ...)", .type = "map"),
            CLI_OPT("tmpfs", 0, CLI_LIST, &o->tmpfs, "Mount a tmpfs directory (PATH[:OPTIONS])"),
            CLI_OPT("tty", 't', CLI_FLAG, &o->tty, "Allocate a pseudo-TTY"),
            CLI_OPT("ulimit", 0, CLI_LIST, &o->ulimits, "Ulimit options (NAME=SOFT[:HARD])",
                    .type = "ulimit"),
            CLI_OPT("user", 'u', CLI_STRING, &o->user,
                    "Username or UID (format: <name|uid>[:<group|gid>])"),
            CLI_OPT("volume", 'v', CLI_LIST, &o->volumes, "Bind mount a volume (SRC:DST[:ro])"),
            CLI_OPT("workdir", 'w', CLI_STRING, &o->workdir,
                    "Working directory inside the container"),
            {0}};
        const struct cli_cmd cmd =
            CLI_CMD(run ? "run" : "create", "[OPTIONS] IMAGE [COMMAND] [ARG...]",
                    run ? "Create and run a new container from an image" : "Create a new container",
                    opts, CLI_AT_LEAST(1), .flags = CLI_POSIX);
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0)
                return first;
        o->has_entrypoint = o->entrypoint != NULL;
        o->host.cpu_shares = shares ? atoll(shares) : 0;
        o->host.has_pids_limit = pids != NULL;
        o->host.pids_limit = pids ? atoll(pids) : 0;
        o->has_stop_timeout = stop_timeout != NULL;
        o->stop_timeout = stop_timeout ? atoi(stop_timeout) : 0;
        if (oom) {
                char *end;
                errno = 0;
                o->host.oom_score_adj = strtoll(oom, &end, 10);
                if (end == oom || *end || errno) {
                        error_msg("invalid argument \"%s\" for --oom-score-adj", oom);
                        return -1;
                }
        }
        return first;
}

/* An attached --rm container on a network: its addresses are freed
 * (netwire_forget) as soon as it has ended, while its monitor removes it
 * (the veth's deletion, an RCU grace period in the kernel, and the removal
 * of its root wait side by side), or after the exit status when its monitor
 * did not say it ended. */
static bool rm_released;
static void rm_release(const char *id)
{
        err_t e2;
        netwire_forget(id, &e2);
        rm_released = true;
}

/* The same when the monitor said the container ended: when it still holds
 * its end of the connection after the release, it had not exited then, so
 * its watcher (which waits for its exit, then frees the addresses whose
 * veths are gone) sees what the release left waiting: no settler (an exec
 * of berth, 1-8 ms of the command's exit here) for a monitor.json that the
 * removal took away first. */
static void rm_release_ended(const char *id, int monitor_sock)
{
        rm_release(id);
        struct pollfd p = {.fd = monitor_sock, .events = POLLRDHUP};
        if (poll(&p, 1, 0) == 0)
                netwire_settle_left_to_watcher();
}

static int run_or_create(int argc, char **argv, bool run)
{
        struct run_opts o = {0};
        int first = parse_run(argc, argv, run, &o);
        if (first <= 0) {
                run_opts_free(&o);
                return cli_status(first);
        }
        if (!run)
                o.detach = o.create_only = true;
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        if (create_container(&o, argv[first], argv + first + 1, argc - first - 1, &id, &err) < 0) {
                error_msg("%s", err.msg);
                run_opts_free(&o);
                return EXIT_BERTH;
        }
        if (!run) {
                printf("%s\n", id);
                run_opts_free(&o);
                return 0;
        }
        int attach = o.detach ? ATTACH_NONE : ATTACH_OUTPUT | (o.interactive ? ATTACH_STDIN : 0);
        int status;
        bool release = o.rm && attach && !(o.network && !strcmp(o.network, "none"));
        int r = container_start_then(id, attach, release ? rm_release_ended : NULL, &status, &err);
        if (r < 0) {
                error_msg("%s", err.msg);
                err_t e2 = {0};
                json_t *left = NULL;
                if (o.rm && rt_ctr_load(id, &left, NULL) == 0 && !rt_ctr_monitor_alive(id, NULL)) {
                        netwire_forget(id, &e2);
                        rt_ctr_destroy(id, &e2);
                }
                json_decref(left);
                run_opts_free(&o);
                return status ? status : EXIT_BERTH;
        }
        if (release && !rm_released) {
                /* It exited and its monitor removed it: free its addresses
                 * (detached, it still runs: netwire_gc frees them once it is
                 * gone).  A --network none container has none, and cannot
                 * be connected to a network. */
                rm_release(id);
        }
        run_opts_free(&o);
        if (!attach) {
                printf("%s\n", id);
                return 0;
        }
        return status;
}

int cmd_run(int argc, char **argv)
{
        return run_or_create(argc, argv, true);
}

int cmd_create(int argc, char **argv)
{
        return run_or_create(argc, argv, false);
}
