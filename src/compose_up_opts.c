/* compose_up_opts.c - the options of `compose up` / `create` (one table for
 * `up` and `--dry-run up`) and the planner's options they give. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compose_up_opts.h"

/* --pull POLICY (build: no pull, a build) */
static int pull_opt(const struct cli_opt *opt, const char *arg, err_t *err)
{
        static const struct {
                const char *name;
                enum compose_pull_mode mode;
        } modes[] = {{"always", COMPOSE_PULL_ALWAYS},
                     {"missing", COMPOSE_PULL_MISSING},
                     {"never", COMPOSE_PULL_NEVER},
                     {"policy", COMPOSE_PULL_POLICY},
                     {"build", COMPOSE_PULL_NEVER}};
        struct up_opts *o = opt->dest;
        for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
                if (strcmp(arg, modes[i].name))
                        continue;
                o->pull = modes[i].mode;
                if (!strcmp(arg, "build"))
                        o->build = PLAN_BUILD_ALWAYS;
                return 0;
        }
        return err_set(err, EINVAL,
                       "invalid --pull option \"%s\": use always, missing, never or build", arg);
}

/* --build, --no-build */
static int build_opt(const struct cli_opt *opt, const char *arg, err_t *err)
{
        (void)arg;
        (void)err;
        ((struct up_opts *)opt->dest)->build =
            strcmp(opt->name, "build") ? PLAN_BUILD_NEVER : PLAN_BUILD_ALWAYS;
        return 0;
}

int up_opts_parse(int argc, char **argv, bool create, struct up_opts *o, int *rc)
{
        *o = (struct up_opts){.create = create,
                              .timeout = -1,
                              .pull = COMPOSE_PULL_POLICY,
                              .scale = STRV_INIT,
                              .attach = STRV_INIT,
                              .no_attach = STRV_INIT};
        const char *wait_timeout = NULL;
        const struct cli_opt opts[] = {
            CLI_OPT("abort-on-container-exit", 0, CLI_FLAG, &o->abort_on_exit,
                    "Stop all containers if any container stops"),
            CLI_OPT("abort-on-container-failure", 0, CLI_FLAG, &o->abort_on_failure,
                    "Stop all containers if any container fails"),
            CLI_OPT("always-recreate-deps", 0, CLI_FLAG, &o->recreate_deps,
                    "Recreate the dependencies of the services named"),
            CLI_OPT("attach", 0, CLI_LIST, &o->attach, "Restrict attaching to the services named",
                    .type = "SERVICE"),
            CLI_OPT("attach-dependencies", 0, CLI_FLAG, &o->attach_deps,
                    "Automatically attach to log output of dependent services"),
            CLI_OPT("build", 0, CLI_FUNC_FLAG, o, "Build images before starting containers",
                    .fn = build_opt),
            CLI_OPT("detach", 'd', CLI_FLAG, &o->detach,
                    "Detached mode: run containers in the background"),
            CLI_OPT("exit-code-from", 0, CLI_STRING, &o->exit_code_from,
                    "Return the exit code of SERVICE (implies --abort-on-container-exit)",
                    .type = "SERVICE"),
            CLI_OPT("force-recreate", 0, CLI_FLAG, &o->force_recreate,
                    "Recreate containers even if unchanged"),
            CLI_OPT("no-attach", 0, CLI_LIST, &o->no_attach, "Don't attach to the services named",
                    .type = "SERVICE"),
            CLI_OPT("no-build", 0, CLI_FUNC_FLAG, o, "Don't build an image, even if it's missing",
                    .fn = build_opt),
            CLI_OPT("no-color", 0, CLI_FLAG, &o->no_color, "Produce monochrome output"),
            CLI_OPT("no-deps", 0, CLI_FLAG, &o->no_deps, "Don't start linked services"),
            CLI_OPT("no-log-prefix", 0, CLI_FLAG, &o->no_log_prefix, "Don't print prefix in logs"),
            CLI_OPT("no-recreate", 0, CLI_FLAG, &o->no_recreate,
                    "Never recreate existing containers"),
            CLI_OPT("no-start", 0, CLI_FLAG, &o->no_start,
                    "Don't start the services after creating them"),
            CLI_OPT("pull", 0, CLI_FUNC, o,
                    "Pull image before running (\"always\"|\"missing\"|\"never\"|\"build\")",
                    .fn = pull_opt),
            CLI_OPT("quiet-pull", 0, CLI_FLAG, &o->quiet_pull,
                    "Pull without printing progress information"),
            CLI_OPT("remove-orphans", 0, CLI_FLAG, &o->remove_orphans,
                    "Remove containers for undefined services"),
            CLI_OPT("renew-anon-volumes", 'V', CLI_FLAG, &o->renew_anon,
                    "Recreate anonymous volumes"),
            CLI_OPT("scale", 0, CLI_LIST, &o->scale, "Scale SERVICE to NUM instances",
                    .type = "SERVICE=NUM"),
            CLI_OPT("timeout", 't', CLI_INT, &o->timeout, "Shutdown timeout", .type = "SECONDS"),
            CLI_OPT("timestamps", 0, CLI_FLAG, &o->timestamps, "Show timestamps"),
            CLI_OPT("wait", 0, CLI_FLAG, &o->wait, "Wait for services to be running|healthy"),
            CLI_OPT("wait-timeout", 0, CLI_STRING, &wait_timeout, "Maximum duration to wait",
                    .type = "SECONDS"),
            CLI_OPT("watch", 0, CLI_FLAG, &o->watch,
                    "Watch source code and rebuild/refresh containers"),
            {0}};
        int first = COMPOSE_PARSE(argc, argv, NULL, "[OPTIONS] [SERVICE...]",
                                  create ? "Creates containers for a service"
                                         : "Create and start containers",
                                  opts, CLI_ANY_ARGS);
        *rc = cli_status(first);
        if (first <= 0)
                return -1;
        *rc = EXIT_BERTH;
        if (o->wait)
                o->detach = true;
        if (o->exit_code_from)
                o->abort_on_exit = true;
        if (wait_timeout)
                o->wait_timeout = atof(wait_timeout);
        if (o->force_recreate && o->no_recreate) {
                fprintf(stderr, "--force-recreate and --no-recreate are incompatible\n");
                return -1;
        }
        if (o->recreate_deps && o->no_recreate) {
                fprintf(stderr, "--always-recreate-deps and --no-recreate are incompatible\n");
                return -1;
        }
        if (o->detach && (o->abort_on_exit || o->abort_on_failure)) {
                fprintf(stderr, "--abort-on-container-exit and --detach are incompatible\n");
                return -1;
        }
        return first;
}

void up_opts_free(struct up_opts *o)
{
        strv_free(&o->scale);
        strv_free(&o->attach);
        strv_free(&o->no_attach);
}

bool up_opts_start(const struct up_opts *o)
{
        return !o->create && !o->no_start;
}

struct plan_opts up_plan_opts(const struct up_opts *o)
{
        return (struct plan_opts){.start = up_opts_start(o),
                                  .force_recreate = o->force_recreate,
                                  .no_recreate = o->no_recreate,
                                  .remove_orphans = o->remove_orphans,
                                  .recreate_deps = o->recreate_deps,
                                  .build = o->build};
}
