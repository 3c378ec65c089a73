/* compose_up_opts.h - the options of `compose up` / `create`: one table,
 * parsed by one function for `up` and `--dry-run up`, and turned into the
 * planner's options (engine/plan.h) in one place, so that no option can mean
 * one thing to `up` and another to its dry run. */
#ifndef BERTH_COMPOSE_UP_OPTS_H
#define BERTH_COMPOSE_UP_OPTS_H

#include <stdbool.h>

#include "base/strv.h"
#include "compose_pull.h"
#include "engine/plan.h"

struct up_opts {
        bool create; /* `create`: nothing is started */
        bool detach, wait, force_recreate, no_recreate, no_deps, remove_orphans, renew_anon;
        bool recreate_deps; /* --always-recreate-deps: force for services pulled in as deps */
        bool no_start, abort_on_exit, abort_on_failure, no_log_prefix, no_color, timestamps;
        bool attach_deps; /* attached mode follows the named services' dependencies too */
        bool quiet_pull, watch;
        enum plan_build_mode build; /* --build, --no-build, --pull build */
        enum compose_pull_mode pull;
        double wait_timeout;
        int timeout; /* -t, < 0: each service's stop_grace_period */
        const char *exit_code_from;
        strv_t scale; /* "svc=N" */
        strv_t attach, no_attach;
};

/* Parse the options of `up` / `create` (argv[0]: the command).  Returns the
 * index of the first SERVICE argument, or -1 when the command ends here:
 * *rc is then its exit code (--help printed: 0; a bad option: the error
 * printed).  up_opts_free(o) either way. */
int up_opts_parse(int argc, char **argv, bool create, struct up_opts *o, int *rc);
void up_opts_free(struct up_opts *o);

/* Are the containers started (up without --no-start)? */
bool up_opts_start(const struct up_opts *o);

/* The planner's options of o (named, scale and image_present stay unset). */
struct plan_opts up_plan_opts(const struct up_opts *o);

#endif
