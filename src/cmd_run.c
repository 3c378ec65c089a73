/* berth run / create: options before IMAGE, then the command. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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
        bool detach, interactive, tty, rm, privileged, readonly, init, no_healthcheck;
        const char *name, *workdir, *user, *hostname, *entrypoint, *network, *stop_signal, *restart;
        const char *memory, *memory_swap, *cpus, *cpuset, *shm_size;
        long long cpu_shares, pids_limit, oom_score_adj;
        int stop_timeout;
        bool has_stop_timeout, has_entrypoint, has_pids;
        strv_t env, env_files, volumes, mounts, tmpfs, ulimits, cap_add, cap_drop, secopts, labels,
            sysctls;
        const char *health_cmd, *health_interval, *health_timeout, *health_start,
            *health_start_interval, *health_retries;
        struct ctr_net nw; /* moved into the spec at create */
        const char *pull, *platform;
        bool quiet;
};

static void run_opts_free(struct run_opts *o)
{
        strv_t *v[] = {&o->env,     &o->env_files, &o->volumes, &o->mounts, &o->tmpfs,  &o->ulimits,
                       &o->cap_add, &o->cap_drop,  &o->secopts, &o->labels, &o->sysctls};
        for (size_t i = 0; i < ARRAY_SIZE(v); i++)
                strv_free(v[i]);
        ctr_net_free(&o->nw);
}

enum {
        O_RM = 1000,
        O_NAME,
        O_ENVFILE,
        O_MOUNT,
        O_TMPFS,
        O_ENTRYPOINT,
        O_INIT,
        O_READONLY,
        O_MEMSWAP,
        O_CPUS,
        O_CPUSHARES,
        O_PIDS,
        O_ULIMIT,
        O_CAPADD,
        O_CAPDROP,
        O_PRIV,
        O_SECOPT,
        O_STOPSIG,
        O_STOPTIMEOUT,
        O_RESTART,
        O_LABEL,
        O_NETWORK,
        O_HCMD,
        O_HINT,
        O_HTIMEOUT,
        O_HRETRIES,
        O_HSTART,
        O_HSTARTIV,
        O_NOHC,
        O_CPUSET,
        O_HELP,
        O_NETALIAS,
        O_IP,
        O_ADDHOST,
        O_LINK,
        O_DNS,
        O_SYSCTL,
        O_SHMSIZE,
        O_OOMADJ,
        O_PULL,
        O_PLATFORM,
};

static const struct option run_longopts[] = {
    {"detach", no_argument, 0, 'd'},
    {"interactive", no_argument, 0, 'i'},
    {"tty", no_argument, 0, 't'},
    {"rm", no_argument, 0, O_RM},
    {"name", required_argument, 0, O_NAME},
    {"env", required_argument, 0, 'e'},
    {"env-file", required_argument, 0, O_ENVFILE},
    {"workdir", required_argument, 0, 'w'},
    {"user", required_argument, 0, 'u'},
    {"hostname", required_argument, 0, 'h'},
    {"volume", required_argument, 0, 'v'},
    {"mount", required_argument, 0, O_MOUNT},
    {"tmpfs", required_argument, 0, O_TMPFS},
    {"entrypoint", required_argument, 0, O_ENTRYPOINT},
    {"init", no_argument, 0, O_INIT},
    {"read-only", no_argument, 0, O_READONLY},
    {"memory", required_argument, 0, 'm'},
    {"memory-swap", required_argument, 0, O_MEMSWAP},
    {"cpus", required_argument, 0, O_CPUS},
    {"cpu-shares", required_argument, 0, 'c'},
    {"cpuset-cpus", required_argument, 0, O_CPUSET},
    {"pids-limit", required_argument, 0, O_PIDS},
    {"ulimit", required_argument, 0, O_ULIMIT},
    {"cap-add", required_argument, 0, O_CAPADD},
    {"cap-drop", required_argument, 0, O_CAPDROP},
    {"privileged", no_argument, 0, O_PRIV},
    {"security-opt", required_argument, 0, O_SECOPT},
    {"stop-signal", required_argument, 0, O_STOPSIG},
    {"stop-timeout", required_argument, 0, O_STOPTIMEOUT},
    {"restart", required_argument, 0, O_RESTART},
    {"label", required_argument, 0, 'l'},
    {"network", required_argument, 0, O_NETWORK},
    {"network-alias", required_argument, 0, O_NETALIAS},
    {"ip", required_argument, 0, O_IP},
    {"publish", required_argument, 0, 'p'},
    {"publish-all", no_argument, 0, 'P'},
    {"add-host", required_argument, 0, O_ADDHOST},
    {"link", required_argument, 0, O_LINK},
    {"dns", required_argument, 0, O_DNS},
    {"net", required_argument, 0, O_NETWORK},
    {"sysctl", required_argument, 0, O_SYSCTL},
    {"shm-size", required_argument, 0, O_SHMSIZE},
    {"oom-score-adj", required_argument, 0, O_OOMADJ},
    {"health-cmd", required_argument, 0, O_HCMD},
    {"health-interval", required_argument, 0, O_HINT},
    {"health-timeout", required_argument, 0, O_HTIMEOUT},
    {"health-retries", required_argument, 0, O_HRETRIES},
    {"health-start-period", required_argument, 0, O_HSTART},
    {"health-start-interval", required_argument, 0, O_HSTARTIV},
    {"no-healthcheck", no_argument, 0, O_NOHC},
    {"pull", required_argument, 0, O_PULL},
    {"platform", required_argument, 0, O_PLATFORM},
    {"quiet", no_argument, 0, 'q'},
    {"help", no_argument, 0, O_HELP},
    {0, 0, 0, 0},
};

static void run_usage(FILE *f, const char *cmd)
{
        fprintf(f,
                "Usage:  berth %s [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
                "Options:\n"
                "  -d, --detach               Run container in background and print container ID\n"
                "  -i, --interactive          Keep STDIN open even if not attached\n"
                "  -t, --tty                  Allocate a pseudo-TTY\n"
                "      --rm                   Automatically remove the container when it exits\n"
                "      --name string          Assign a name to the container\n"
                "  -e, --env list             Set environment variables\n"
                "      --env-file list        Read in a file of environment variables\n"
                "  -w, --workdir string       Working directory inside the container\n"
                "  -u, --user string          Username or UID (format: <name|uid>[:<group|gid>])\n"
                "  -h, --hostname string      Container host name\n"
                "  -v, --volume list          Bind mount a volume (SRC:DST[:ro])\n"
                "      --mount mount          type=bind|volume|tmpfs,source=,target=,readonly\n"
                "      --tmpfs list           Mount a tmpfs directory (PATH[:OPTIONS])\n"
                "      --entrypoint string    Overwrite the default ENTRYPOINT of the image\n"
                "      --init                 Run an init inside the container\n"
                "      --read-only            Mount the container's root filesystem as read only\n"
                "  -m, --memory bytes         Memory limit\n"
                "      --memory-swap bytes    Memory + swap limit (-1: unlimited swap)\n"
                "      --cpus decimal         Number of CPUs\n"
                "  -c, --cpu-shares int       CPU shares (relative weight)\n"
                "      --cpuset-cpus string   CPUs in which to allow execution\n"
                "      --pids-limit int       Tune container pids limit (-1 for unlimited; default "
                "%d)\n"
                "      --ulimit ulimit        Ulimit options (NAME=SOFT[:HARD])\n"
                "      --cap-add list         Add Linux capabilities\n"
                "      --cap-drop list        Drop Linux capabilities\n"
                "      --privileged           Give extended privileges to this container\n"
                "      --security-opt list    no-new-privileges[=false], seccomp=unconfined|FILE,\n"
                "                             apparmor=unconfined, label=disable\n"
                "      --shm-size bytes       Size of /dev/shm (default 64m)\n"
                "      --oom-score-adj int    Tune host's OOM preferences (-1000 to 1000)\n"
                "      --stop-signal string   Signal to stop the container\n"
                "      --stop-timeout int     Timeout (in seconds) to stop a container\n"
                "      --restart string       no, always, on-failure[:N], unless-stopped\n"
                "  -l, --label list           Set meta data on a container\n"
                "      --network string       Connect a container to a network (bridge, none, "
                "host, container:NAME, NAME)\n"
                "      --network-alias list   Add network-scoped alias for the container\n"
                "      --ip string            IPv4 address (e.g., 172.30.100.104)\n"
                "  -p, --publish list         Publish a container's port(s) to the host\n"
                "  -P, --publish-all          Publish all exposed ports to random ports\n"
                "      --add-host list        Add a custom host-to-IP mapping (host:ip)\n"
                "      --link list            Add link to another container (NAME[:ALIAS])\n"
                "      --dns list             Set custom DNS servers\n"
                "      --sysctl map           Sysctl options (namespaced ones: net.*, "
                "kernel.shm*, ...)\n"
                "      --health-cmd string    Command to run to check health\n"
                "      --health-interval d    Time between running the check\n"
                "      --health-timeout d     Maximum time to allow one check to run\n"
                "      --health-retries int   Consecutive failures needed to report unhealthy\n"
                "      --health-start-period d  Start period for the container to initialize\n"
                "      --health-start-interval d  Time between checks during the start period\n"
                "      --no-healthcheck       Disable any container-specified HEALTHCHECK\n",
                cmd, RT_PIDS_DEFAULT);
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
static int host_spec(const struct run_opts *o, struct ctr_host *h, err_t *err)
{
        h->host_network = o->network && !strcmp(o->network, "host");
        for (size_t i = 0; i < o->sysctls.n; i++) {
                const char *kv = o->sysctls.v[i], *eq = strchr(kv, '=');
                if (!eq || eq == kv)
                        return err_set(err, EINVAL,
                                       "invalid argument \"%s\" for \"--sysctl\" flag: expected "
                                       "KEY=VALUE",
                                       kv);
        }
        strv_copy(&h->sysctls, &o->sysctls);
        h->privileged = o->privileged;
        h->readonly_rootfs = o->readonly;
        h->init = o->init;
        strv_copy(&h->cap_add, &o->cap_add);
        strv_copy(&h->cap_drop, &o->cap_drop);
        strv_copy(&h->security_opt, &o->secopts);
        if (o->shm_size && (bytes_parse(o->shm_size, &h->shm_size, NULL) < 0 || h->shm_size <= 0))
                return err_set(err, EINVAL, "invalid --shm-size %s: a size greater than 0 (64m)",
                               o->shm_size);
        h->oom_score_adj = o->oom_score_adj;
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
        h->cpu_shares = o->cpu_shares;
        h->cpuset = o->cpuset;
        h->pids_limit = o->pids_limit;
        h->has_pids_limit = o->has_pids;
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
        struct ctr_host host = {0};
        if (host_spec(o, &host, err) < 0) {
                ctr_host_free(&host);
                return -1;
        }
        struct rt_image img;
        enum pull_policy pol = PULL_MISSING;
        if ((o->pull && pull_policy_parse(o->pull, &pol, err) < 0) ||
            pull_ensure(stderr, image, pol, o->platform, o->quiet, err) < 0 ||
            rt_image_lookup(image, &img, err) < 0) {
                if (err->code == ENOENT && pol == PULL_NEVER)
                        err_set(err, ENOENT, "No such image: %s", image);
                ctr_host_free(&host);
                return -1;
        }
        int ret = -1;
        _cleanup_free_ char *name = o->name ? xstrdup(o->name) : rt_ctr_gen_name();
        struct ctr_spec sp;
        ctr_spec_init(&sp, image, &img);
        sp.host = host; /* the spec owns it now */
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

static int parse_run(int argc, char **argv, const char *cmd, struct run_opts *o, int *first_arg)
{
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+dite:w:u:h:v:m:c:l:p:Pq", run_longopts, NULL)) !=
               -1) {
                switch (c) {
                case 'd':
                        o->detach = true;
                        break;
                case 'i':
                        o->interactive = true;
                        break;
                case 't':
                        o->tty = true;
                        break;
                case O_RM:
                        o->rm = true;
                        break;
                case O_PULL:
                        o->pull = optarg;
                        break;
                case O_PLATFORM:
                        o->platform = optarg;
                        break;
                case 'q':
                        o->quiet = true;
                        break;
                case O_NAME:
                        o->name = optarg;
                        break;
                case 'e':
                        strv_push(&o->env, optarg);
                        break;
                case O_ENVFILE:
                        strv_push(&o->env_files, optarg);
                        break;
                case 'w':
                        o->workdir = optarg;
                        break;
                case 'u':
                        o->user = optarg;
                        break;
                case 'h':
                        o->hostname = optarg;
                        break;
                case 'v':
                        strv_push(&o->volumes, optarg);
                        break;
                case O_MOUNT:
                        strv_push(&o->mounts, optarg);
                        break;
                case O_TMPFS:
                        strv_push(&o->tmpfs, optarg);
                        break;
                case O_ENTRYPOINT:
                        o->entrypoint = optarg;
                        o->has_entrypoint = true;
                        break;
                case O_INIT:
                        o->init = true;
                        break;
                case O_READONLY:
                        o->readonly = true;
                        break;
                case 'm':
                        o->memory = optarg;
                        break;
                case O_MEMSWAP:
                        o->memory_swap = optarg;
                        break;
                case O_CPUS:
                        o->cpus = optarg;
                        break;
                case 'c':
                        o->cpu_shares = atoll(optarg);
                        break;
                case O_CPUSET:
                        o->cpuset = optarg;
                        break;
                case O_PIDS:
                        o->pids_limit = atoll(optarg);
                        o->has_pids = true;
                        break;
                case O_ULIMIT:
                        strv_push(&o->ulimits, optarg);
                        break;
                case O_CAPADD:
                        strv_push(&o->cap_add, optarg);
                        break;
                case O_CAPDROP:
                        strv_push(&o->cap_drop, optarg);
                        break;
                case O_PRIV:
                        o->privileged = true;
                        break;
                case O_SECOPT:
                        strv_push(&o->secopts, optarg);
                        break;
                case O_STOPSIG:
                        o->stop_signal = optarg;
                        break;
                case O_STOPTIMEOUT:
                        o->stop_timeout = atoi(optarg);
                        o->has_stop_timeout = true;
                        break;
                case O_RESTART:
                        o->restart = optarg;
                        break;
                case 'l':
                        strv_push(&o->labels, optarg);
                        break;
                case O_NETWORK:
                        o->network = optarg;
                        break;
                case O_NETALIAS:
                        strv_push(&o->nw.aliases, optarg);
                        break;
                case O_IP:
                        o->nw.ip = optarg;
                        break;
                case 'p': {
                        struct portspec ps;
                        err_t e;
                        if (portspec_parse(optarg, &ps, &e) < 0) {
                                error_msg("%s", e.msg);
                                return -1;
                        }
                        ctr_net_add_port(&o->nw, &ps, optarg);
                        break;
                }
                case 'P':
                        o->nw.publish_all = true;
                        break;
                case O_ADDHOST:
                        strv_push(&o->nw.add_hosts, optarg);
                        break;
                case O_LINK:
                        strv_push(&o->nw.links, optarg);
                        break;
                case O_DNS:
                        strv_push(&o->nw.dns, optarg);
                        break;
                case O_SYSCTL:
                        strv_push(&o->sysctls, optarg);
                        break;
                case O_SHMSIZE:
                        o->shm_size = optarg;
                        break;
                case O_OOMADJ: {
                        char *end;
                        errno = 0;
                        o->oom_score_adj = strtoll(optarg, &end, 10);
                        if (end == optarg || *end || errno) {
                                error_msg("invalid argument \"%s\" for --oom-score-adj", optarg);
                                return -1;
                        }
                        break;
                }
                case O_HCMD:
                        o->health_cmd = optarg;
                        break;
                case O_HINT:
                        o->health_interval = optarg;
                        break;
                case O_HTIMEOUT:
                        o->health_timeout = optarg;
                        break;
                case O_HRETRIES:
                        o->health_retries = optarg;
                        break;
                case O_HSTART:
                        o->health_start = optarg;
                        break;
                case O_HSTARTIV:
                        o->health_start_interval = optarg;
                        break;
                case O_NOHC:
                        o->no_healthcheck = true;
                        break;
                case O_HELP:
                        run_usage(stdout, cmd);
                        return 1;
                default:
                        error_msg("%s: unknown or incomplete option '%s'\nSee 'berth %s --help'.",
                                  cmd, argv[optind - 1], cmd);
                        return -1;
                }
        }
        if (optind >= argc) {
                error_msg("\"berth %s\" requires at least 1 argument.\nSee 'berth %s --help'.", cmd,
                          cmd);
                return -1;
        }
        *first_arg = optind;
        return 0;
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

static int run_or_create(int argc, char **argv, bool run)
{
        const char *cmd = run ? "run" : "create";
        struct run_opts o = {0};
        int first;
        int pr = parse_run(argc, argv, cmd, &o, &first);
        if (pr != 0) {
                run_opts_free(&o);
                return pr > 0 ? 0 : EXIT_BERTH;
        }
        if (!run)
                o.detach = true;
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
        int r = container_start_then(id, attach, release ? rm_release : NULL, &status, &err);
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
