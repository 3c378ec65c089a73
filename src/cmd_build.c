/* berth build [-t NAME[:TAG]]... [-f FILE] [--build-arg K=V]... [--target STAGE]
 *             [--no-cache] [-q] [--label K=V]... [--network MODE] CONTEXT */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "build_cli.h"
#include "commands.h"

static void build_usage(FILE *f)
{
        fprintf(f, "Usage:  berth build [OPTIONS] PATH\n\n"
                   "Build an image from a Dockerfile (FROM must name a local image or scratch)\n\n"
                   "Options:\n"
                   "      --build-arg list     Set build-time variables\n"
                   "  -f, --file string        Name of the Dockerfile (default: PATH/Dockerfile)\n"
                   "      --label list         Set metadata for an image\n"
                   "      --network string     Network mode for RUN: default, none, host\n"
                   "                           (default \"default\")\n"
                   "      --no-cache           Do not use cache when building the image\n"
                   "  -q, --quiet              Suppress the build output and print image ID on "
                   "success\n"
                   "  -t, --tag list           Name and optionally a tag in the name:tag format\n"
                   "      --target string      Set the target build stage to build\n");
}

int cmd_build(int argc, char **argv)
{
        enum { O_ARG = 256, O_LABEL, O_NET, O_NOCACHE, O_TARGET, O_HELP, O_PULL, O_RM };
        static const struct option lo[] = {
            {"tag", required_argument, 0, 't'},       {"file", required_argument, 0, 'f'},
            {"quiet", no_argument, 0, 'q'},           {"build-arg", required_argument, 0, O_ARG},
            {"label", required_argument, 0, O_LABEL}, {"network", required_argument, 0, O_NET},
            {"no-cache", no_argument, 0, O_NOCACHE},  {"target", required_argument, 0, O_TARGET},
            {"pull", no_argument, 0, O_PULL},         {"rm", no_argument, 0, O_RM},
            {"help", no_argument, 0, O_HELP},         {0, 0, 0, 0}};
        struct build_opts o = {.out = &build_out_cli};
        _cleanup_free_ char *id = NULL;
        err_t err = {0};
        int c, rc = EXIT_BERTH;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "t:f:q", lo, NULL)) != -1) {
                switch (c) {
                case 't':
                        strv_push(&o.tags, optarg);
                        break;
                case 'f':
                        o.dockerfile = optarg;
                        break;
                case 'q':
                        o.quiet = true;
                        break;
                case O_ARG:
                        strv_push(&o.build_args, optarg);
                        break;
                case O_LABEL:
                        strv_push(&o.labels, optarg);
                        break;
                case O_NET:
                        if (strcmp(optarg, "none") && strcmp(optarg, "host") &&
                            strcmp(optarg, "default") && strcmp(optarg, "bridge")) {
                                error_msg("build: --network must be default, none or host");
                                goto done;
                        }
                        o.network = optarg;
                        break;
                case O_NOCACHE:
                        o.no_cache = true;
                        break;
                case O_TARGET:
                        o.target = optarg;
                        break;
                case O_PULL:
                        o.pull = true;
                        break;
                case O_RM:
                        break; /* RUN containers are always removed */
                case O_HELP:
                        build_usage(stdout);
                        rc = 0;
                        goto done;
                default:
                        error_msg("build: unknown or incomplete option '%s'\nSee 'berth build "
                                  "--help'.",
                                  argv[optind - 1]);
                        goto done;
                }
        }
        if (optind != argc - 1) {
                error_msg(
                    "\"berth build\" requires exactly 1 argument.\nSee 'berth build --help'.");
                goto done;
        }
        o.context = argv[optind];
        if (!strcmp(o.context, "-") || (o.dockerfile && !strcmp(o.dockerfile, "-"))) {
                error_msg("build: reading the context or the Dockerfile from stdin is not "
                          "supported");
                goto done;
        }
        struct sigaction sa = {.sa_handler = build_interrupt}, old_int, old_term;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        int r = build_image(&o, &id, &err);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        if (r < 0) {
                error_msg("%s", err.msg);
                rc = 1;
                goto done;
        }
        if (o.quiet)
                printf("%s\n", id);
        rc = 0;
done:
        strv_free(&o.tags);
        strv_free(&o.build_args);
        strv_free(&o.labels);
        return rc;
}
