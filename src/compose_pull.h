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

#endif
