/* compose_pull.h - `compose pull` and the pulls of `up`/`create`: the
 * services' images, in parallel, each distinct image once. */
#ifndef BERTH_COMPOSE_PULL_H
#define BERTH_COMPOSE_PULL_H

#include <stdbool.h>

#include "base/err.h"
#include "compose_cmds.h"
#include "compose_up.h"

enum compose_pull_mode {
        COMPOSE_PULL_POLICY,  /* each service's pull_policy (default: missing) */
        COMPOSE_PULL_ALWAYS,  /* up --pull always, compose pull */
        COMPOSE_PULL_MISSING, /* up --pull missing, compose pull --policy missing */
        COMPOSE_PULL_NEVER,   /* up --pull never */
};

/* Pull the images of p's services named (n == 0: all) per mode.  Progress
 * lines on stderr ("<service> Pulling" / "Pulled") through g's progress mode
 * unless quiet.  ignore_failures: a failed pull is a warning; a service that
 * also has build: never fails the run (it can be built instead). */
int compose_pull_services(struct compose_globals *g, struct compose_project *p, char **names, int n,
                          enum compose_pull_mode mode, bool quiet, bool ignore_failures,
                          err_t *err);

#endif
