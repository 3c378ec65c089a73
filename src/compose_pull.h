/* compose_pull.h - `compose pull` and the pulls of `up`/`create`: the
 * services' images, in parallel, each distinct image once. */
#ifndef BERTH_COMPOSE_PULL_H
#define BERTH_COMPOSE_PULL_H

#include <stdbool.h>

#include "base/err.h"
#include "compose_cmds.h"
#include "compose_up.h"

/* Pull the images of p's services named (n == 0: all) per mode.  Progress
 * lines on stderr ("<service> Pulling" / "Pulled") through g's progress mode
 * unless quiet.  ignore_failures: a failed pull is a warning; a service that
 * also has build: never fails the run (it can be built instead). */
int compose_pull_services(struct compose_globals *g, struct compose_project *p, char **names, int n,
                          enum compose_pull_mode mode, bool quiet, bool ignore_failures,
                          err_t *err);

/* The options `compose pull` and `push` share (Verb: "Pull", verb: "pull"):
 * --ignore-pull-failures into *ignore, -q into *quiet. */
#define COMPOSE_TRANSFER_OPTS(Verb, verb, ignore, quiet)                                           \
        CLI_OPT("ignore-" verb "-failures", 0, CLI_FLAG, ignore,                                   \
                Verb " what it can and ignores images with " verb " failures"),                    \
            CLI_OPT("quiet", 'q', CLI_FLAG, quiet, Verb " without printing progress information")

#endif
