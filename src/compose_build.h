/* compose_build.h - compose `build:`: `compose build`, and the builds of
 * `up`/`create` (missing images, or all with --build). */
#ifndef BERTH_COMPOSE_BUILD_H
#define BERTH_COMPOSE_BUILD_H

#include <stdbool.h>

#include "base/err.h"
#include "compose_cmds.h"
#include "compose_up.h"

/* Build the images of p's services that have `build:` (names: only those;
 * n == 0: all), when the planner's rule (plan_build_reason) says so for
 * mode.  Build output goes to stderr unless quiet. */
int compose_build_services(struct compose_project *p, char **names, int n,
                           enum plan_build_mode mode, bool quiet, err_t *err);

/* Build service s's image (a PLAN_BUILD operation of up's plan). */
int compose_build_service(struct compose_service *s, bool quiet, err_t *err);

int compose_cmd_build(struct compose_globals *g, int argc, char **argv);
/* `compose push` (compose_push.c): the images of built services that name one. */
int compose_cmd_push(struct compose_globals *g, int argc, char **argv);

#endif
