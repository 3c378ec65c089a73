/* berth build [-t NAME[:TAG]]... [-f FILE] [--build-arg K=V]... [--target STAGE]
 *             [--no-cache] [-q] [--label K=V]... [--network MODE] CONTEXT */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/xalloc.h"
#include "build_cli.h"
#include "cli.h"
#include "commands.h"

int cmd_build(int argc, char **argv)
{
        _cleanup_(build_opts_free) struct build_opts o = {.out = &build_out_cli};
        const struct cli_opt opts[] = {
            CLI_OPT("build-arg", 0, CLI_LIST, &o.build_args, "Set build-time variables"),
            CLI_OPT("file", 'f', CLI_STRING, &o.dockerfile,
                    "Name of the Dockerfile (default: PATH/Dockerfile)"),
            CLI_OPT("label", 0, CLI_LIST, &o.labels, "Set metadata for an image"),
            CLI_OPT("network", 0, CLI_STRING, &o.network,
                    "Network mode for RUN: default, none, host\n(default \"default\")"),
            CLI_OPT("no-cache", 0, CLI_FLAG, &o.no_cache,
                    "Do not use cache when building the image"),
            CLI_OPT("pull", 0, CLI_FLAG, &o.pull, NULL),
            CLI_OPT("quiet", 'q', CLI_FLAG, &o.quiet,
                    "Suppress the build output and print image ID on success"),
            CLI_OPT("rm", 0, CLI_FLAG, NULL, NULL), /* RUN containers are always removed */
            CLI_OPT("tag", 't', CLI_LIST, &o.tags,
                    "Name and optionally a tag in the name:tag format"),
            CLI_OPT("target", 0, CLI_STRING, &o.target, "Set the target build stage to build"),
            {0}};
        CLI_PARSE_OR_RETURN(
            first, argc, argv, "build", "[OPTIONS] PATH",
            "Build an image from a Dockerfile (FROM must name a local image or scratch)", opts,
            CLI_EXACTLY(1));
        if (o.network && strcmp(o.network, "none") && strcmp(o.network, "host") &&
            strcmp(o.network, "default") && strcmp(o.network, "bridge")) {
                error_msg("build: --network must be default, none or host");
                return EXIT_BERTH;
        }
        o.context = argv[first];
        if (!strcmp(o.context, "-") || (o.dockerfile && !strcmp(o.dockerfile, "-"))) {
                error_msg("build: reading the context or the Dockerfile from stdin is not "
                          "supported");
                return EXIT_BERTH;
        }
        _cleanup_free_ char *id = NULL;
        err_t err = {0};
        struct sigaction sa = {.sa_handler = build_interrupt}, old_int, old_term;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        int r = build_image(&o, &id, &err);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        if (r < 0) {
                error_msg("%s", err.msg);
                return 1;
        }
        if (o.quiet)
                printf("%s\n", id);
        return 0;
}
