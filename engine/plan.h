/* plan.h - the compose planner: what `up` / `create` does to a project's
 * containers, decided in one pure function.
 *
 * Input: the project, which services are selected, the containers observed
 * (as plain values: the caller reads them), and the options.  Output: the
 * list of operations, in order, with the reason of every recreate.  The
 * planner has no side effects and prints nothing; `up` executes the list on
 * its DAG (a service's operations wait for its dependencies' conditions,
 * compose_service.depends_on), and `--dry-run up` prints the same list. */
#ifndef BERTH_ENGINE_PLAN_H
#define BERTH_ENGINE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/strv.h"
#include "compose/model.h"

/* A container of the project as observed. */
struct plan_ctr {
        const char *id, *name, *service; /* service: its label */
        const char *hash;                /* its config-hash label */
        const char *status;              /* created running exited paused restarting dead */
        int number;                      /* its number label */
        bool oneoff;
        bool image_changed;   /* the service's image was rebuilt since it was made */
        const char *netns_id; /* NetworkMode "container:<id>": the id it joins, else NULL */
};

enum plan_kind {
        PLAN_CREATE,   /* a new container (number) */
        PLAN_RECREATE, /* remove the observed one, create it again */
        PLAN_START,    /* start the observed, stopped one */
        PLAN_KEEP,     /* leave it as it is (running, or not starting) */
        PLAN_REMOVE,   /* scale down, a duplicate number, or an orphan */
        PLAN_BUILD,    /* build the service's image (number 0, no container) */
};

enum plan_reason {
        PLAN_R_NONE,
        PLAN_R_FORCED,    /* --force-recreate */
        PLAN_R_CONFIG,    /* the service's config hash changed */
        PLAN_R_IMAGE,     /* the image was rebuilt */
        PLAN_R_DEPS,      /* --always-recreate-deps, a dependency of a named service */
        PLAN_R_NETNS,     /* network_mode service:x, and x's container is new */
        PLAN_R_SCALE,     /* (remove) numbered above the scale */
        PLAN_R_DUPLICATE, /* (remove) a second container with the same number */
        PLAN_R_ORPHAN,    /* (remove) its service is gone from the project */
        PLAN_R_MISSING,   /* (build) the image is not in the store */
        PLAN_R_BUILD,     /* (build) --build */
        PLAN_R_PULL_BUILD /* (build) pull_policy: build */
};

/* When `up` builds the images of services with `build:`. */
enum plan_build_mode {
        PLAN_BUILD_MISSING, /* the images not in the store (and pull_policy: build) */
        PLAN_BUILD_ALWAYS,  /* --build */
        PLAN_BUILD_NEVER,   /* --no-build */
};

struct plan_op {
        enum plan_kind kind;
        enum plan_reason reason;
        ssize_t service;  /* index in the project, -1 for an orphan */
        int number;       /* container number */
        ssize_t observed; /* index in the observed list, -1 for a create */
        bool start;       /* start it after (re)creating, or start it */
        ssize_t after;    /* the PLAN_BUILD op this one waits for, else -1 */
};

struct plan_opts {
        bool start; /* up (true) or create (false) */
        bool force_recreate, no_recreate, remove_orphans;
        bool recreate_deps;  /* --always-recreate-deps */
        const strv_t *named; /* services named on the command line (none: all) */
        const int *scale;    /* per service, from --scale; NULL or < 0: the service's own */
        enum plan_build_mode build;
        /* observed: per service, is its image in the store (NULL: none is) */
        const bool *image_present;
};

struct plan {
        struct plan_op *ops;
        size_t n;
        strv_t warnings; /* for the caller to print, "WARN[0000] " and all */
};

/* Orphans first (when removed), then the builds (an image once, by the first
 * selected service that has `build:` and names it), then per selected
 * service in project order: its observed containers by number, then the
 * creates up to its scale; then service: network namespace joiners whose
 * target is new are recreated.  The operations of a service whose image is
 * built wait for the build (after): the kept or started ones among them are
 * decided again by plan_rebuilt once it ran. */
int compose_plan(const struct compose_project *p, const bool *sel, const struct plan_ctr *obs,
                 size_t nobs, const struct plan_opts *o, struct plan *out, err_t *err);
void plan_free(struct plan *pl);

/* Why service s's image is built (PLAN_R_MISSING, PLAN_R_BUILD,
 * PLAN_R_PULL_BUILD), or PLAN_R_NONE: it has no `build:` or no image name,
 * mode is --no-build, or the image is present and nothing asks for a build. */
enum plan_reason plan_build_reason(const struct compose_service *s, enum plan_build_mode mode,
                                   bool image_present);

/* After the builds ran: obs as observed again (image_changed now tells
 * whether a build changed the image).  A kept or started container that
 * waited for a build and whose image changed is recreated (PLAN_R_IMAGE,
 * unless --no-recreate), and so are the joiners of its network namespace. */
void plan_rebuilt(const struct compose_project *p, const struct plan_ctr *obs, size_t nobs,
                  const struct plan_opts *o, struct plan *pl);

/* "create", "recreate", ... and the reason in words ("config changed"). */
const char *plan_kind_name(enum plan_kind k);
const char *plan_reason_text(enum plan_reason r);

/* A container observed that belongs to no service of p (one-offs never do). */
bool plan_is_orphan(const struct compose_project *p, const struct plan_ctr *c);

/* The service whose network namespace s joins (network_mode service:x). */
const struct compose_service *plan_netns_target(const struct compose_project *p,
                                                const struct compose_service *s);

#endif
