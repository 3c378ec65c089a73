/* compose_up.h - the compose lifecycle: a loaded project, its observed state
 * (containers found by their com.docker.compose.* labels, nothing else) and
 * the operations up/down and friends are made of.
 *
 * Observed state comes only from container labels, as in docker compose, so
 * an interrupted `up` is reconciled by the next `up` or `down`. */
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
#include "compose/loader.h"
#include "compose/model.h"
#include "compose_cmds.h"
#include "net/dns.h"

#define LBL_PROJECT     "com.docker.compose.project"
#define LBL_SERVICE     "com.docker.compose.service"
#define LBL_NUMBER      "com.docker.compose.container-number"
#define LBL_HASH        "com.docker.compose.config-hash"
#define LBL_ONEOFF      "com.docker.compose.oneoff"
#define LBL_WORKDIR     "com.docker.compose.project.working_dir"
#define LBL_FILES       "com.docker.compose.project.config_files"
#define LBL_DEPENDS     "com.docker.compose.depends_on"
#define LBL_IMAGE       "com.docker.compose.image"
#define LBL_VERSION     "com.docker.compose.version"
#define LBL_NETWORK     "com.docker.compose.network"
#define LBL_VOLUME      "com.docker.compose.volume"
#define COMPOSE_VERSION "2.29.0"

/* A loaded project. */
struct cproject {
        struct compose_source src;
        struct compose_project *p;
        int64_t opened_ns; /* wall clock when opened: attached `up` shows the log
                              lines written from then on, as compose v2 does */
};

/* globals -> loaded, validated project; warnings printed.  services (may be
 * empty) activate their profiles.  Returns < 0 after printing the error. */
int cproject_open(struct compose_globals *g, char **services, int nservices, struct cproject *cp);
void cproject_close(struct cproject *cp);

/* The project name only (for commands that work without a compose file, like
 * docker compose's ps/down with -p).  Caller frees. */
char *cproject_name(struct compose_globals *g);

/* Per-project lock (flock on <run>/compose/<project>.lock); fd to close. */
int cproject_lock(const char *project, err_t *err);

/* Release the project lock fd and remove its file (compose down: a project
 * that is gone leaves no file under the run dir). */
void cproject_unlock_gone(const char *project, int fd);

/* One container of the project as its labels and state tell. */
struct cctr {
        char *id;
        char *name;    /* without '/' */
        char *service; /* label */
        int number;    /* label */
        char *hash;    /* config-hash label */
        bool oneoff;
        char *status; /* created running exited paused restarting dead */
        char *health; /* "" | starting | healthy | unhealthy */
        int exit_code;
        json_t *j; /* the whole document */
};

struct cctr_list {
        struct cctr *v;
        size_t n;
};

/* Every container labelled with the project (one-off ones when oneoff),
 * sorted by service then number. */
int cctr_observe(const char *project, bool oneoff, struct cctr_list *out, err_t *err);
void cctr_list_free(struct cctr_list *l);

/* The grace period for stopping a service's container (seconds). */
int cservice_stop_timeout(const struct compose_service *s);

/* Container name for replica number n. Caller frees. */
char *cservice_container_name(const struct compose_project *p, const struct compose_service *s,
                              int n);

/* Options that change the container document made for a service. */
struct cctr_opts {
        const char *name; /* NULL: the replica name */
        int number;
        bool oneoff;
        const strv_t *cmd; /* NULL: the service's command */
        const char *entrypoint;
        bool has_entrypoint;
        const strv_t *env;   /* extra "K=V" */
        const char *user;    /* NULL: service's */
        const char *workdir; /* NULL: service's */
        const strv_t *publish;
        const strv_t *volumes; /* extra -v */
        bool no_ports;         /* run without --service-ports */
        bool auto_remove;
        bool tty, stdin_open;
};

/* Ensure the project's networks and volumes exist (created with compose
 * labels).  progress lines are reported through *p when it is not NULL. */
struct progress;
int cproject_ensure_networks(const struct compose_project *p, struct progress *pr, err_t *err);
int cproject_ensure_volumes(const struct compose_project *p, struct progress *pr, err_t *err);

/* Before anything of an up is created: bind-test every host port published
 * by the selected services (sel, by service index) that have no container
 * yet in obs (a container that exists may hold its own ports), together, so
 * that two services asking for the same port conflict too.  Nothing stays
 * bound.  The error reads "service web: port 18080 is already in use (...)". */
/* security_opt (a seccomp profile file is read and checked) and
 * oom_score_adj of the selected services: an up refuses them before it
 * makes anything. */
int cproject_security_check(const struct compose_project *p, const bool *sel, err_t *err);

int cproject_ports_check(const struct compose_project *p, const bool *sel,
                         const struct cctr_list *obs, err_t *err);

/* Does existing container e share the network namespace of container
 * target_id (NULL: a container this up is about to (re)create)? */
bool cctr_netns_joins(const struct cctr *e, const char *target_id);

/* Create the container for service s; *id_out gets its id. */
int cctr_create(const struct cproject *cp, const struct compose_service *s,
                const struct cctr_opts *o, char **id_out, err_t *err);

/* Stop (grace period timeout s, < 0: the container's own) and remove a
 * container with its anonymous volumes when volumes. */
int cctr_remove(const char *id, int timeout, bool volumes, err_t *err);

/* Wait for a container to be healthy (probing its healthcheck from here when
 * the monitor keeps no health state), with a deadline (monotonic seconds, 0 =
 * none).  Fills err with compose's "container X is unhealthy" / "exited" text. */
int cctr_wait_healthy(const char *id, double deadline, err_t *err);
/* Wait for a container to exit; *code its exit code. */
int cctr_wait_exit(const char *id, double deadline, int *code, err_t *err);
/* Wait until a container runs (or has exited, *exited set). */
double mono_now(void);

/* The services of the project in the order given, with their dependencies
 * when with_deps (for up/create/start/run). */
int cproject_select(const struct compose_project *p, char **names, int n, bool with_deps,
                    bool **selected, err_t *err);

/* Depth of a service in the dependency graph: 0 = depends on nothing. */
/* The observed containers as engine/plan.h's planner takes them (pointers
 * into obs; the caller frees the array). */
struct plan_ctr *compose_plan_observed(const struct compose_project *p,
                                       const struct cctr_list *obs);
/* The plan of an up / create (engine/plan.h) over the observed containers,
 * with up's options o (compose_up_opts.h): --scale arguments applied, the
 * services named, the images of services with `build:` looked up; *pobs the
 * observed containers as the planner saw them (caller frees; plan_free(out)).
 * The plan's warnings are left in out for the caller to print. */
struct up_opts;
int compose_plan_make(const struct compose_project *p, const bool *sel, const struct cctr_list *obs,
                      const struct up_opts *o, char **svcs, int nsvcs, struct plan *out,
                      struct plan_ctr **pobs, err_t *err);
/* A container of the project whose service is gone (plan_is_orphan). */
bool cctr_is_orphan(const struct compose_project *p, const struct cctr *c);
/* A service's scale: --scale SERVICE=N (scale: those arguments), else its own. */
int compose_scale_of(const strv_t *scale, const struct compose_service *s, err_t *err);
int cservice_level(const struct compose_project *p, const char *name);

/* Stop (rm: and remove) the containers of l (which[i] true; NULL = all) in
 * reverse dependency order, each level in parallel.  timeout < 0: each
 * service's stop_grace_period. */
int compose_stop_plan(struct compose_globals *g, const struct compose_project *p,
                      struct cctr_list *l, bool *which, int timeout, bool rm, bool volumes,
                      const char *title, err_t *err);

/* Attached mode of up: follow the services' logs until every container
 * exited, or one did (abort_on_exit) / failed (abort_on_failure), or
 * SIGINT/SIGTERM; then stop the project.  Returns the exit status. */
struct log_style {
        bool prefix;     /* "service-1  | " before each line */
        bool color;      /* the prefix in one color per container */
        bool timestamps; /* each line's RFC 3339 time after the prefix */
};
int compose_follow(struct cproject *cp, const strv_t *services, const struct log_style *st,
                   bool abort_on_exit, bool abort_on_failure, const char *exit_code_from,
                   int timeout);

/* Parallelism from --parallel (default 2x cores). */
int compose_parallel(const struct compose_globals *g);

/* Exit code for a failure (compose v2 exits 1 on most failures). */
#define COMPOSE_EXIT_FAIL 1

#endif
