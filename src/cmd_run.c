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
#include "netwire.h"
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
        struct netwire_opts nw;
        const char *pull, *platform;
        bool quiet;
};

static void run_opts_free(struct run_opts *o)
{
        strv_t *v[] = {&o->env,     &o->env_files, &o->volumes, &o->mounts, &o->tmpfs,  &o->ulimits,
                       &o->cap_add, &o->cap_drop,  &o->secopts, &o->labels, &o->sysctls};
        for (size_t i = 0; i < ARRAY_SIZE(v); i++)
                strv_free(v[i]);
        netwire_opts_free(&o->nw);
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
                ctr_env_set(env, k, v);
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
static int healthcheck_spec(const struct run_opts *o, const struct rt_image *img,
                            struct ctr_spec *sp, err_t *err)
{
        struct rt_healthcheck *h = &sp->health;
        if (o->no_healthcheck) {
                sp->has_health = true;
                strv_push(&h->test, "NONE");
                return 0;
        }
        const struct rt_healthcheck *ih = img->config.healthcheck;
        if (o->health_cmd) {
                strv_push(&h->test, "CMD-SHELL");
                strv_push(&h->test, o->health_cmd);
        } else if (ih && ih->test.n) {
                strv_copy(&h->test, &ih->test);
        } else if (!o->health_interval && !o->health_timeout && !o->health_retries &&
                   !o->health_start && !o->health_start_interval) {
                return 0;
        }
        struct {
                const char *opt;
                long long *ns, img;
        } d[] = {{o->health_interval, &h->interval_ns, ih ? ih->interval_ns : 0},
                 {o->health_timeout, &h->timeout_ns, ih ? ih->timeout_ns : 0},
                 {o->health_start, &h->start_period_ns, ih ? ih->start_period_ns : 0},
                 {o->health_start_interval, &h->start_interval_ns, ih ? ih->start_interval_ns : 0}};
        for (size_t i = 0; i < ARRAY_SIZE(d); i++) {
                int64_t ns = d[i].img;
                if (d[i].opt && parse_duration(d[i].opt, &ns, NULL) < 0)
                        return err_set(err, EINVAL, "invalid duration \"%s\"", d[i].opt);
                *d[i].ns = ns;
        }
        h->retries = o->health_retries ? atoi(o->health_retries) : ih ? ih->retries : 0;
        sp->has_health = true;
        return 0;
}

/* Build the container document and create it.  Returns 0 and the id. */
/* --sysctl K=V, checked as docker does, before anything is created. */
static json_t *sysctls_json(const struct run_opts *o, err_t *err)
{
        bool host = o->network && !strcmp(o->network, "host");
        json_t *sc = json_object();
        for (size_t i = 0; i < o->sysctls.n; i++) {
                _cleanup_free_ char *k = xstrdup(o->sysctls.v[i]);
                char *eq = strchr(k, '=');
                if (!eq || eq == k) {
                        json_decref(sc);
                        err_set(err, EINVAL,
                                "invalid argument \"%s\" for \"--sysctl\" flag: expected "
                                "KEY=VALUE",
                                o->sysctls.v[i]);
                        return NULL;
                }
                *eq++ = '\0';
                if (rt_sysctl_check(k, host, err) < 0) {
                        json_decref(sc);
                        return NULL;
                }
                json_object_set_new(sc, k, json_string(eq));
        }
        return sc;
}

/* --security-opt (a seccomp profile file is read, relative to the current
 * directory, and kept with the container), --shm-size, --oom-score-adj:
 * checked before anything is made. */
static int security_json(const struct run_opts *o, json_t *hc, json_t **prof, err_t *err)
{
        uint64_t caps;
        if (rt_caps_compute(o->privileged, &o->cap_add, &o->cap_drop, &caps, err) < 0 ||
            rt_secopts_check(&o->secopts, NULL, caps, prof, err) < 0)
                return -1;
        json_object_set_new(hc, "SecurityOpt", json_strv(&o->secopts));
        int64_t shm = 0;
        if (o->shm_size && (bytes_parse(o->shm_size, &shm, NULL) < 0 || shm <= 0))
                return err_set(err, EINVAL, "invalid --shm-size %s: a size greater than 0 (64m)",
                               o->shm_size);
        json_object_set_new(hc, "ShmSize", json_integer(shm ? shm : 64LL << 20));
        if (rt_oom_score_adj_check(o->oom_score_adj, err) < 0)
                return -1;
        json_object_set_new(hc, "OomScoreAdj", json_integer(o->oom_score_adj));
        return 0;
}

static int create_container(struct run_opts *o, const char *image, char **args, int nargs,
                            char **id_out, err_t *err)
{
        json_t *sysctls = sysctls_json(o, err);
        if (!sysctls)
                return -1;
        json_t *sec = json_object(), *prof = NULL;
        if (security_json(o, sec, &prof, err) < 0) {
                json_decref(sec);
                json_decref(sysctls);
                return -1;
        }
        struct rt_image img;
        enum pull_policy pol = PULL_MISSING;
        if ((o->pull && pull_policy_parse(o->pull, &pol, err) < 0) ||
            pull_ensure(stderr, image, pol, o->platform, o->quiet, err) < 0 ||
            rt_image_lookup(image, &img, err) < 0) {
                if (err->code == ENOENT && pol == PULL_NEVER)
                        err_set(err, ENOENT, "No such image: %s", image);
                json_decref(sysctls);
                json_decref(sec);
                json_decref(prof);
                return -1;
        }
        int ret = -1;
        _cleanup_free_ char *id = rt_ctr_gen_id();
        _cleanup_free_ char *name = o->name ? xstrdup(o->name) : rt_ctr_gen_name();
        json_t *j = NULL;
        struct ctr_spec sp;
        ctr_spec_init(&sp, image, &img);
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
        if (sp.stop_signal && signal_parse(sp.stop_signal) <= 0) {
                err_set(err, EINVAL, "invalid signal: %s", sp.stop_signal);
                goto out;
        }
        sp.stop_timeout = o->stop_timeout;
        sp.has_stop_timeout = o->has_stop_timeout;
        if (healthcheck_spec(o, &img, &sp, err) < 0)
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
        if (ctr_spec_render(&sp, id, &j, err) < 0)
                goto out;
        json_t *hc = json_object_get(j, "HostConfig");
        if (json_object_size(sysctls))
                json_object_set(hc, "Sysctls", sysctls);
        json_object_update(hc, sec);
        if (prof)
                json_object_set(j, "SeccompProfile", prof);
        if (ctr_spec_mounts(&sp, j, err) < 0)
                goto out;
        o->nw.network = o->network;
        o->nw.hostname_set = o->hostname != NULL;
        if (netwire_create(j, &o->nw, err) < 0)
                goto out;
        json_object_set_new(hc, "CapAdd", json_strv(&o->cap_add));
        json_object_set_new(hc, "CapDrop", json_strv(&o->cap_drop));
        uint64_t caps;
        if (rt_caps_compute(o->privileged, &o->cap_add, &o->cap_drop, &caps, err) < 0)
                goto out;
        json_object_set_new(hc, "Privileged", json_boolean(o->privileged));
        json_object_set_new(hc, "ReadonlyRootfs", json_boolean(o->readonly));
        json_object_set_new(hc, "Init", json_boolean(o->init));
        int64_t mem = 0, swap = 0;
        if (o->memory && bytes_parse(o->memory, &mem, NULL) < 0) {
                err_set(err, EINVAL, "invalid memory size: %s", o->memory);
                goto out;
        }
        if (o->memory_swap) {
                if (!strcmp(o->memory_swap, "-1"))
                        swap = -1;
                else if (bytes_parse(o->memory_swap, &swap, NULL) < 0) {
                        err_set(err, EINVAL, "invalid memory-swap size: %s", o->memory_swap);
                        goto out;
                }
                if (!mem) {
                        err_set(err, EINVAL,
                                "you should always set the memory limit when using the memoryswap "
                                "limit");
                        goto out;
                }
                if (swap > 0 && swap < mem) {
                        err_set(err, EINVAL,
                                "minimum memoryswap limit should be larger than memory limit");
                        goto out;
                }
        }
        if (mem && mem < 6 * 1024 * 1024) {
                err_set(err, EINVAL, "minimum memory limit allowed is 6MB");
                goto out;
        }
        json_object_set_new(hc, "Memory", json_integer(mem));
        json_object_set_new(hc, "MemorySwap", json_integer(swap));
        long long nano = 0;
        if (o->cpus) {
                char *end;
                double c = strtod(o->cpus, &end);
                if (*end || c <= 0) {
                        err_set(err, EINVAL, "invalid value for --cpus: %s", o->cpus);
                        goto out;
                }
                nano = (long long)(c * 1e9);
        }
        json_object_set_new(hc, "NanoCpus", json_integer(nano));
        json_object_set_new(hc, "CpuShares", json_integer(o->cpu_shares));
        json_object_set_new(hc, "CpusetCpus", json_string(o->cpuset ? o->cpuset : ""));
        json_object_set_new(hc, "PidsLimit",
                            o->has_pids ? json_integer(o->pids_limit)
                                        : json_integer(RT_PIDS_DEFAULT));
        json_t *ul = json_array();
        json_object_set_new(hc, "Ulimits", ul);
        for (size_t i = 0; i < o->ulimits.n; i++) {
                struct rt_ulimit u;
                _cleanup_free_ char *un = NULL;
                if (rt_ulimit_parse(o->ulimits.v[i], &u, &un, err) < 0)
                        goto out;
                json_array_append_new(
                    ul,
                    json_pack("{s:s,s:I,s:I}", "Name", un, "Soft",
                              u.soft == RLIM_INFINITY ? (json_int_t)-1 : (json_int_t)u.soft, "Hard",
                              u.hard == RLIM_INFINITY ? (json_int_t)-1 : (json_int_t)u.hard));
        }
        if (ctr_create(j, err) < 0)
                goto out;
        *id_out = TAKE_PTR(id);
        ret = 0;
out:
        if (ret < 0)
                ctr_remove_anon_volumes(j); /* made for this container and nothing else */
        json_decref(sysctls);
        json_decref(sec);
        json_decref(prof);
        json_decref(j);
        ctr_spec_free(&sp);
        rt_image_free(&img);
        return ret;
}

static int parse_run(int argc, char **argv, const char *cmd, struct run_opts *o, int *first_arg)
{
        int c;
        optind = 1;
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
                case 'p':
                        strv_push(&o->nw.publish, optarg);
                        break;
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
                                die_msg("invalid argument \"%s\" for --oom-score-adj", optarg);
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
                        die_msg("%s: unknown or incomplete option '%s'\nSee 'berth %s --help'.",
                                cmd, argv[optind - 1], cmd);
                        return -1;
                }
        }
        if (optind >= argc) {
                die_msg("\"berth %s\" requires at least 1 argument.\nSee 'berth %s --help'.", cmd,
                        cmd);
                return -1;
        }
        *first_arg = optind;
        return 0;
}

int container_create_args(int argc, char **argv, char **id_out, err_t *err)
{
        struct run_opts o = {0};
        int first;
        int pr = parse_run(argc, argv, "create", &o, &first);
        if (pr != 0) {
                run_opts_free(&o);
                return err_set(err, EINVAL, "invalid container options");
        }
        o.detach = true;
        int r = create_container(&o, argv[first], argv + first + 1, argc - first - 1, id_out, err);
        run_opts_free(&o);
        return r;
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
                die_msg("%s", err.msg);
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
        int r = container_start(id, attach, &status, &err);
        if (r < 0) {
                die_msg("%s", err.msg);
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
        if (o.rm && attach) {
                /* It exited and its monitor removes it: free its addresses
                 * (detached, it still runs: netwire_gc frees them once it is
                 * gone). */
                err_t e2;
                netwire_forget(id, &e2);
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
