/* berth update [OPTIONS] CONTAINER...: change the resource limits and the
 * restart policy of containers (engine/update.c): the flags' values parsed
 * here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/restart.h"
#include "base/size.h"
#include "cli.h"
#include "commands.h"
#include "engine/update.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

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

/* The flags' values (the options given) into u. */
struct update_args {
        const char *shares, *cpus, *cpuset, *memory, *swap, *pids, *restart;
};

static int update_values(const struct update_args *a, struct ctr_update *u, err_t *err)
{
        if (a->shares && parse_int("--cpu-shares", a->shares, &u->shares, err) < 0)
                return -1;
        if (a->shares)
                u->what |= RT_CG_SHARES;
        if (a->cpus) {
                char *end;
                double v = strtod(a->cpus, &end);
                if (!*a->cpus || *end || v < 0 || v > 1e6)
                        return err_set(err, EINVAL, "invalid argument \"%s\" for \"--cpus\" flag",
                                       a->cpus);
                u->nano_cpus = (int64_t)(v * 1e9);
                u->what |= RT_CG_CPUS;
        }
        if (a->cpuset) {
                u->cpuset = a->cpuset;
                u->what |= RT_CG_CPUSET;
        }
        if (a->memory) {
                if (bytes_parse(a->memory, &u->memory, NULL) < 0)
                        return err_set(err, EINVAL,
                                       "invalid argument \"%s\" for \"-m, --memory\" flag",
                                       a->memory);
                if (u->memory > 0 && u->memory < 6 * 1024 * 1024)
                        return err_set(err, EINVAL, "Minimum memory limit allowed is 6MB");
                u->what |= RT_CG_MEMORY;
        }
        if (a->swap) {
                if (!strcmp(a->swap, "-1"))
                        u->swap = -1;
                else if (bytes_parse(a->swap, &u->swap, NULL) < 0)
                        return err_set(err, EINVAL,
                                       "invalid argument \"%s\" for \"--memory-swap\" flag",
                                       a->swap);
                u->what |= RT_CG_SWAP;
        }
        if (a->pids) {
                if (parse_int("--pids-limit", a->pids, &u->pids, err) < 0)
                        return -1;
                if (u->pids == 0) /* docker: 0 and -1 are unlimited */
                        u->pids = -1;
                u->what |= RT_CG_PIDS;
        }
        if (a->restart) {
                if (restart_policy_parse(a->restart, &u->restart, err) < 0)
                        return -1;
                u->has_restart = true;
        }
        return 0;
}

int cmd_update(int argc, char **argv)
{
        struct ctr_update u = {0};
        struct update_args a = {0};
        err_t err = {0};
        const struct cli_opt opts[] = {
            CLI_OPT("cpu-shares", 'c', CLI_STRING, &a.shares, "CPU shares (relative weight)",
                    .type = "int"),
            CLI_OPT("cpus", 0, CLI_STRING, &a.cpus, "Number of CPUs", .type = "decimal"),
            CLI_OPT("cpuset-cpus", 0, CLI_STRING, &a.cpuset,
                    "CPUs in which to allow execution (0-3, 0,1)"),
            CLI_OPT("memory", 'm', CLI_STRING, &a.memory, "Memory limit", .type = "bytes"),
            CLI_OPT("memory-swap", 0, CLI_STRING, &a.swap,
                    "Swap limit equal to memory plus swap: -1 to enable unlimited swap",
                    .type = "bytes"),
            CLI_OPT("pids-limit", 0, CLI_STRING, &a.pids,
                    "Tune container pids limit (set -1 for unlimited)", .type = "int"),
            CLI_OPT("restart", 0, CLI_STRING, &a.restart,
                    "Restart policy to apply when a container exits"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "update", "[OPTIONS] CONTAINER [CONTAINER...]",
                            "Update configuration of one or more containers", opts, CLI_AT_LEAST(1),
                            .more = "Aliases:\n berth container update, berth update\n");
        if (update_values(&a, &u, &err) < 0) {
                error_msg("%s\nSee 'berth update --help'.", err.msg);
                return EXIT_BERTH;
        }
        if (!u.what && !u.has_restart) {
                error_msg("You must provide one or more flags when using this command.");
                return 1;
        }
        int rc = 0;
        for (int i = first; i < argc; i++) {
                err_t e = {0};
                if (ctr_update(argv[i], &u, &e) < 0) {
                        error_msg("%s", e.msg);
                        rc = 1;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return rc;
}
