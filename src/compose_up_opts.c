/* compose_up_opts.c - the options of `compose up` / `create` (one table for
 * `up` and `--dry-run up`) and the planner's options they give. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compose_up_opts.h"

static void up_usage(FILE *f, const char *cmd)
{
        fprintf(
            f,
            "Usage:  berth compose %s [OPTIONS] [SERVICE...]\n\n"
            "Create and start containers\n\n"
            "Options:\n"
            "  -d, --detach                    Detached mode: run containers in the background\n"
            "      --wait                      Wait for services to be running|healthy\n"
            "      --wait-timeout SECONDS      Maximum duration to wait\n"
            "      --force-recreate            Recreate containers even if unchanged\n"
            "      --no-recreate               Never recreate existing containers\n"
            "      --always-recreate-deps      Recreate the dependencies of the services named\n"
            "      --no-deps                   Don't start linked services\n"
            "      --remove-orphans            Remove containers for undefined services\n"
            "  -V, --renew-anon-volumes        Recreate anonymous volumes\n"
            "      --scale SERVICE=NUM         Scale SERVICE to NUM instances\n"
            "  -t, --timeout SECONDS           Shutdown timeout\n"
            "      --no-start                  Don't start the services after creating them\n"
            "      --abort-on-container-exit   Stop all containers if any container stops\n"
            "      --abort-on-container-failure  Stop all if any container fails\n"
            "      --exit-code-from SERVICE    Return the exit code of SERVICE\n"
            "      --attach SERVICE, --no-attach SERVICE, --no-log-prefix, --no-color,\n"
            "      --watch                     Watch source code and rebuild/refresh containers\n"
            "      --timestamps, --attach-dependencies, --build, --no-build\n",
            cmd);
}

int up_opts_parse(int argc, char **argv, bool create, struct up_opts *o, int *rc)
{
        static const struct option opts[] = {
            {"detach", no_argument, NULL, 'd'},
            {"wait", no_argument, NULL, 'W'},
            {"wait-timeout", required_argument, NULL, 'T'},
            {"force-recreate", no_argument, NULL, 'F'},
            {"no-recreate", no_argument, NULL, 'N'},
            {"no-deps", no_argument, NULL, 'D'},
            {"remove-orphans", no_argument, NULL, 'O'},
            {"renew-anon-volumes", no_argument, NULL, 'V'},
            {"scale", required_argument, NULL, 'S'},
            {"timeout", required_argument, NULL, 't'},
            {"no-start", no_argument, NULL, 's'},
            {"abort-on-container-exit", no_argument, NULL, 'A'},
            {"abort-on-container-failure", no_argument, NULL, 'B'},
            {"exit-code-from", required_argument, NULL, 'X'},
            {"attach", required_argument, NULL, 'a'},
            {"no-attach", required_argument, NULL, 'n'},
            {"no-log-prefix", no_argument, NULL, 'P'},
            {"build", no_argument, NULL, 'u'},
            {"no-build", no_argument, NULL, 'U'},
            {"watch", no_argument, NULL, 'Z'},
            {"pull", required_argument, NULL, 'L'},
            {"quiet-pull", no_argument, NULL, 'b'},
            {"always-recreate-deps", no_argument, NULL, 'R'},
            {"attach-dependencies", no_argument, NULL, 'e'},
            {"no-color", no_argument, NULL, 'c'},
            {"timestamps", no_argument, NULL, 'm'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        *o = (struct up_opts){.create = create,
                              .timeout = -1,
                              .pull = COMPOSE_PULL_POLICY,
                              .scale = STRV_INIT,
                              .attach = STRV_INIT,
                              .no_attach = STRV_INIT};
        int c;
        *rc = EXIT_BERTH;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "dVt:h", opts, NULL)) != -1) {
                switch (c) {
                case 'd':
                        o->detach = true;
                        break;
                case 'W':
                        o->wait = true;
                        o->detach = true;
                        break;
                case 'T':
                        o->wait_timeout = atof(optarg);
                        break;
                case 'F':
                        o->force_recreate = true;
                        break;
                case 'N':
                        o->no_recreate = true;
                        break;
                case 'R':
                        o->recreate_deps = true;
                        break;
                case 'D':
                        o->no_deps = true;
                        break;
                case 'O':
                        o->remove_orphans = true;
                        break;
                case 'V':
                        o->renew_anon = true;
                        break;
                case 'S':
                        strv_push(&o->scale, optarg);
                        break;
                case 't':
                        o->timeout = atoi(optarg);
                        break;
                case 's':
                        o->no_start = true;
                        break;
                case 'A':
                        o->abort_on_exit = true;
                        break;
                case 'B':
                        o->abort_on_failure = true;
                        break;
                case 'X':
                        o->exit_code_from = optarg;
                        o->abort_on_exit = true;
                        break;
                case 'a':
                        strv_push(&o->attach, optarg);
                        break;
                case 'n':
                        strv_push(&o->no_attach, optarg);
                        break;
                case 'P':
                        o->no_log_prefix = true;
                        break;
                case 'c':
                        o->no_color = true;
                        break;
                case 'm':
                        o->timestamps = true;
                        break;
                case 'e':
                        o->attach_deps = true;
                        break;
                case 'L':
                        if (!strcmp(optarg, "always")) {
                                o->pull = COMPOSE_PULL_ALWAYS;
                        } else if (!strcmp(optarg, "missing")) {
                                o->pull = COMPOSE_PULL_MISSING;
                        } else if (!strcmp(optarg, "never")) {
                                o->pull = COMPOSE_PULL_NEVER;
                        } else if (!strcmp(optarg, "policy")) {
                                o->pull = COMPOSE_PULL_POLICY;
                        } else if (!strcmp(optarg, "build")) {
                                o->pull = COMPOSE_PULL_NEVER;
                                o->build = PLAN_BUILD_ALWAYS;
                        } else {
                                fprintf(stderr,
                                        "invalid --pull option \"%s\": use always, missing, "
                                        "never or build\n",
                                        optarg);
                                return -1;
                        }
                        break;
                case 'b':
                        o->quiet_pull = true;
                        break;
                case 'u':
                        o->build = PLAN_BUILD_ALWAYS;
                        break;
                case 'U':
                        o->build = PLAN_BUILD_NEVER;
                        break;
                case 'Z':
                        o->watch = true;
                        break;
                case 'h':
                        up_usage(stdout, argv[0]);
                        *rc = 0;
                        return -1;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose %s --help'.\n",
                                argv[optind - 1], argv[0]);
                        return -1;
                }
        }
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
        return optind;
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
