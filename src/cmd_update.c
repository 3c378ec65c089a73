/* berth update [OPTIONS] CONTAINER...: change the resource limits and the
 * restart policy of containers.  The container document is changed under its
 * lock; a running container's cgroup files are written first
 * (rt_cgroup_update), a stopped one gets them at its next start, and the
 * monitor reads the restart policy when the container exits. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/restart.h"
#include "base/size.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

static const char update_usage[] =
    "Usage:  berth update [OPTIONS] CONTAINER [CONTAINER...]\n\n"
    "Update configuration of one or more containers\n\n"
    "Aliases:\n  berth container update, berth update\n\n"
    "Options:\n"
    "  -c, --cpu-shares int       CPU shares (relative weight)\n"
    "      --cpus decimal         Number of CPUs\n"
    "      --cpuset-cpus string   CPUs in which to allow execution (0-3, 0,1)\n"
    "  -m, --memory bytes         Memory limit\n"
    "      --memory-swap bytes    Swap limit equal to memory plus swap: -1 to enable "
    "unlimited swap\n"
    "      --pids-limit int       Tune container pids limit (set -1 for unlimited)\n"
    "      --restart string       Restart policy to apply when a container exits\n";

struct update {
        unsigned what;
        int64_t memory, swap, nano_cpus, shares, pids;
        const char *cpuset;
        bool has_restart;
        struct restart_policy restart;
};

static int update_one(const char *ref, const struct update *u, err_t *err)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        int lk = -1;
        if (ctr_get(ref, &id, &j, &lk, err) < 0) {
                if (lk >= 0)
                        close(lk);
                return -1;
        }
        _cleanup_close_ int lock = lk; /* held until return */
        (void)lock;
        if (u->has_restart && rt_doc_auto_remove(j) && u->restart.kind != RESTART_NO)
                return err_set(err, EINVAL,
                               "Restart policy cannot be updated because AutoRemove is enabled "
                               "for the container");
        struct rt_cgroup_limits l;
        rt_doc_limits(j, &l);
        if (u->what & RT_CG_MEMORY) {
                /* docker: a larger memory needs the swap limit raised with it */
                if (!(u->what & RT_CG_SWAP) && l.memory_swap > 0 && u->memory > l.memory_swap)
                        return err_set(err, EINVAL,
                                       "Memory limit should be smaller than already set "
                                       "memoryswap limit, update the memoryswap at the same time");
                l.memory = u->memory;
        }
        if (u->what & RT_CG_SWAP) {
                if (l.memory <= 0)
                        return err_set(err, EINVAL,
                                       "You should always set the Memory limit when using "
                                       "Memoryswap limit");
                if (u->swap > 0 && u->swap < l.memory)
                        return err_set(err, EINVAL,
                                       "Minimum memoryswap limit should be larger than memory "
                                       "limit, see usage");
                l.memory_swap = u->swap;
        }
        if (u->what & RT_CG_CPUS)
                l.nano_cpus = u->nano_cpus;
        if (u->what & RT_CG_SHARES)
                l.cpu_shares = u->shares;
        if (u->what & RT_CG_PIDS)
                l.pids_limit = u->pids;
        if (u->what & RT_CG_CPUSET)
                l.cpuset_cpus = u->cpuset;
        if (u->what && rt_ctr_monitor_alive(id, NULL) && rt_cgroup_update(id, &l, u->what, err) < 0)
                return err_wrap(err, "Cannot update container %s", id);
        rt_doc_set_limits(j, &l);
        if (u->has_restart)
                rt_doc_set_restart_policy(j, restart_kind_name(u->restart.kind),
                                          u->restart.max_retries);
        if (rt_ctr_save(id, j, err) < 0)
                return -1;
        rt_ctr_event(j, "update", NULL);
        return 0;
}

static int parse_int(const char *flag, const char *s, int64_t *out, err_t *err)
{
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (!*s || *end || errno)
                return err_set(err, EINVAL, "invalid argument \"%s\" for \"%s\" flag", s, flag);
        *out = v;
        return 0;
}

enum { O_CPUS = 256, O_CPUSET, O_SWAP, O_PIDS, O_RESTART };

int cmd_update(int argc, char **argv)
{
        static const struct option lo[] = {
            {"cpu-shares", required_argument, NULL, 'c'},
            {"cpus", required_argument, NULL, O_CPUS},
            {"cpuset-cpus", required_argument, NULL, O_CPUSET},
            {"memory", required_argument, NULL, 'm'},
            {"memory-swap", required_argument, NULL, O_SWAP},
            {"pids-limit", required_argument, NULL, O_PIDS},
            {"restart", required_argument, NULL, O_RESTART},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        struct update u = {0};
        err_t err = {0};
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "c:m:h", lo, NULL)) != -1) {
                int r = 0;
                switch (c) {
                case 'c':
                        r = parse_int("--cpu-shares", optarg, &u.shares, &err);
                        u.what |= RT_CG_SHARES;
                        break;
                case O_CPUS: {
                        char *end;
                        double v = strtod(optarg, &end);
                        if (!*optarg || *end || v < 0 || v > 1e6)
                                r = err_set(&err, EINVAL,
                                            "invalid argument \"%s\" for \"--cpus\" flag", optarg);
                        u.nano_cpus = (int64_t)(v * 1e9);
                        u.what |= RT_CG_CPUS;
                        break;
                }
                case O_CPUSET:
                        u.cpuset = optarg;
                        u.what |= RT_CG_CPUSET;
                        break;
                case 'm':
                        if (bytes_parse(optarg, &u.memory, NULL) < 0)
                                r = err_set(&err, EINVAL,
                                            "invalid argument \"%s\" for \"-m, --memory\" flag",
                                            optarg);
                        else if (u.memory > 0 && u.memory < 6 * 1024 * 1024)
                                r = err_set(&err, EINVAL, "Minimum memory limit allowed is 6MB");
                        u.what |= RT_CG_MEMORY;
                        break;
                case O_SWAP:
                        if (!strcmp(optarg, "-1"))
                                u.swap = -1;
                        else if (bytes_parse(optarg, &u.swap, NULL) < 0)
                                r = err_set(&err, EINVAL,
                                            "invalid argument \"%s\" for \"--memory-swap\" flag",
                                            optarg);
                        u.what |= RT_CG_SWAP;
                        break;
                case O_PIDS:
                        r = parse_int("--pids-limit", optarg, &u.pids, &err);
                        if (u.pids == 0) /* docker: 0 and -1 are unlimited */
                                u.pids = -1;
                        u.what |= RT_CG_PIDS;
                        break;
                case O_RESTART:
                        r = restart_policy_parse(optarg, &u.restart, &err);
                        u.has_restart = true;
                        break;
                case 'h':
                        printf("%s", update_usage);
                        return 0;
                default:
                        error_msg("unknown flag: %s\nSee 'berth update --help'.", argv[optind - 1]);
                        return EXIT_BERTH;
                }
                if (r < 0) {
                        error_msg("%s\nSee 'berth update --help'.", err.msg);
                        return EXIT_BERTH;
                }
        }
        if (optind >= argc) {
                error_msg("\"berth update\" requires at least 1 argument.\n"
                          "See 'berth update --help'.\n\n%s",
                          update_usage);
                return EXIT_BERTH;
        }
        if (!u.what && !u.has_restart) {
                error_msg("You must provide one or more flags when using this command.");
                return 1;
        }
        int rc = 0;
        for (int i = optind; i < argc; i++) {
                err_t e = {0};
                if (update_one(argv[i], &u, &e) < 0) {
                        error_msg("%s", e.msg);
                        rc = 1;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return rc;
}
