/* compose_up.h - the compose commands' side of the lifecycle: opening a
 * project from the command line, stopping with progress lines,
 * following logs.  The lifecycle itself (observed containers, a service's
 * container created, removed and waited on, networks and volumes) is
 * engine/service.h's. */
#ifndef BERTH_COMPOSE_UP_H
#define BERTH_COMPOSE_UP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/strv.h"
#include "engine/dnsreg.h"
#include "engine/plan.h"
#include "engine/project_rm.h"
#include "engine/service.h"
#include "compose/loader.h"
#include "compose/model.h"
#include "compose_cmds.h"
#include "net/dns.h"

/* globals -> loaded, validated project; warnings printed.  services (may be
 * empty) activate their profiles.  Returns < 0 after printing the error. */
int cproject_open(struct compose_globals *g, char **services, int nservices, struct cproject *cp);
void cproject_close(struct cproject *cp);

/* A project opened and its containers observed: the frame of the commands
 * that act on the containers of the services named. */
struct cproject_ctrs {
        struct cproject cp;
        struct cctr_list l;
        bool *which; /* l's containers of the services named (all when none is) */
};
/* cproject_open with the services named, then their containers (oneoff: the
 * one-off ones of `run` too); < 0 after printing the error. */
int cproject_ctrs_open(struct compose_globals *g, char **svcs, int n, bool oneoff,
                       struct cproject_ctrs *c);
void cproject_ctrs_close(struct cproject_ctrs *c);

/* The project name only (for commands that work without a compose file, like
 * docker compose's ps/down with -p).  Caller frees. */
char *cproject_name(struct compose_globals *g);

/* Ensure the project's networks and volumes exist (engine/service.h),
 * progress lines reported through *pr when it is not NULL. */
struct progress;
int cproject_ensure_networks(const struct compose_project *p, struct progress *pr, err_t *err);
int cproject_ensure_volumes(const struct compose_project *p, struct progress *pr, err_t *err);

/* Remove the project's networks (by label), its volumes by label (down -v
 * without a compose file) or the volumes p declares (engine/project_rm.h),
 * a progress line each on pr; true when one failed (its error printed). */
bool cproject_remove_networks(const char *project, struct progress *pr);
bool cproject_remove_labelled_volumes(const char *project, struct progress *pr);
bool cproject_remove_volumes(const struct compose_project *p, struct progress *pr);
/* The same for `down --rmi` (all: "all", else "local"). */
bool cproject_remove_images(const struct compose_project *p, bool all, struct progress *pr);

/* Create the container for service s (engine/service.h service_ctr_create,
 * its warnings printed); *id_out gets its id. */
int cctr_create(const struct cproject *cp, const struct compose_service *s,
                const struct cctr_opts *o, char **id_out, err_t *err);

/* Stop (rm: and remove) the containers of l (which[i] true; NULL = all) in
 * reverse dependency order, each level in parallel (engine/service.h's stop
 * plan), with progress lines under title.  timeout < 0: each service's
 * stop_grace_period. */
int compose_stop_plan(struct compose_globals *g, const struct compose_project *p,
                      struct cctr_list *l, bool *which, int timeout, bool rm, bool volumes,
                      const char *title, err_t *err);

/* How log lines are printed (compose_follow.c). */
struct log_style {
        bool prefix;     /* "service-1  | " before each line */
        bool color;      /* the prefix in one color per container */
        bool timestamps; /* each line's RFC 3339 time after the prefix */
};
struct log_out;
/* engine/logs.h's output printing lines to stdout in style st (kept by
 * pointer). */
struct log_out log_style_out(const struct log_style *st);

/* Attached mode of up (engine/logs.h compose_follow): follow the services'
 * logs until every container exited, or one did (abort_on_exit) / failed
 * (abort_on_failure), or SIGINT/SIGTERM; then stop the project (timeout < 0:
 * each service's grace period).  Returns the exit status. */
int up_follow(const struct cproject *cp, const strv_t *services, const struct log_style *st,
              bool abort_on_exit, bool abort_on_failure, const char *exit_code_from, int timeout);

/* Parallelism from --parallel (default 2x cores). */
int compose_parallel(const struct compose_globals *g);

/* Exit code for a failure (compose v2 exits 1 on most failures). */
#define COMPOSE_EXIT_FAIL 1

#endif
