/* service.h - the compose lifecycle below the commands: a loaded project's
 * observed containers (found by their com.docker.compose.* labels, nothing
 * else), a service's container made through the one create path
 * (container_create_spec), removed, and waited on; the project's networks
 * and volumes; the project lock.
 *
 * Observed state comes only from container labels, as in docker compose, so
 * an interrupted `up` is reconciled by the next `up` or `down`.  Nothing
 * here prints: warnings and progress go to the caller's callbacks. */
#ifndef BERTH_ENGINE_SERVICE_H
#define BERTH_ENGINE_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/strv.h"
#include "compose/loader.h"
#include "compose/model.h"
#include "build.h"
#include "plan.h"
#include "spec.h"

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
        const strv_t *env;              /* extra "K=V" */
        const char *user;               /* NULL: service's */
        const char *workdir;            /* NULL: service's */
        const struct portspec *publish; /* extra -p, parsed */
        const strv_t *publish_text;     /* each as written */
        size_t npublish;
        const strv_t *volumes; /* extra -v */
        bool no_ports;         /* run without --service-ports */
        bool auto_remove;
        bool tty, stdin_open;
};

/* Where the project's networks and volumes report what they do (src/ shows
 * it as progress lines); NULL: nowhere. */
struct cproject_report {
        void *ud;
        /* A network or volume ("Network", "Volume") is made (working: say
         * "Creating" now); returns the handle end takes. */
        size_t (*begin)(void *ud, const char *kind, const char *name, bool working);
        /* It was made (ok), or failed. */
        void (*end)(void *ud, size_t handle, bool ok);
};

/* Ensure the project's networks and volumes exist (created with compose
 * labels), each one made reported through rep (may be NULL). */
int project_ensure_networks(const struct compose_project *p, const struct cproject_report *rep,
                            err_t *err);
int project_ensure_volumes(const struct compose_project *p, const struct cproject_report *rep,
                           err_t *err);

/* security_opt (a seccomp profile file is read and checked) and
 * oom_score_adj of the selected services: an up refuses them before it
 * makes anything. */
int cproject_security_check(const struct compose_project *p, const bool *sel, err_t *err);

/* Before anything of an up is created: bind-test every host port published
 * by the selected services (sel, by service index) that have no container
 * yet in obs (a container that exists may hold its own ports), together, so
 * that two services asking for the same port conflict too.  Nothing stays
 * bound.  The error reads "service web: port 18080 is already in use (...)". */
int cproject_ports_check(const struct compose_project *p, const bool *sel,
                         const struct cctr_list *obs, err_t *err);

/* Does existing container e share the network namespace of container
 * target_id (NULL: a container this up is about to (re)create)? */
bool cctr_netns_joins(const struct cctr *e, const char *target_id);

/* Where the warnings of a service's create go (src/ prints them). */
struct service_warn {
        void *ud;
        /* A service key berth reads but cannot honour ("service S: `key`
         * why"): called once per process, service and key. */
        void (*key)(void *ud, const char *service, const char *key, const char *why);
        /* A warning of the create path (engine/create.h). */
        void (*create)(void *ud, const char *msg);
};

/* Create the container for service s; *id_out gets its id.  Warnings go to
 * w, also when it fails. */
int service_ctr_create(const struct cproject *cp, const struct compose_service *s,
                       const struct cctr_opts *o, const struct service_warn *w, char **id_out,
                       err_t *err);

/* Service keys translated outside service.c's main path: secrets and
 * configs as files bound read-only into the spec (undefined ones are an
 * error, ones not backed by a file are warned about), and a warning, once
 * per process, service and key, for keys berth cannot honour (to w). */
int cctr_extra_spec(const struct cproject *cp, const struct compose_service *s, struct ctr_spec *sp,
                    const struct service_warn *w, err_t *err);

/* Stop (grace period timeout s, < 0: the container's own) and remove a
 * container with its anonymous volumes when volumes. */
int cctr_remove(const char *id, int timeout, bool volumes, err_t *err);

/* Wait for a container to be healthy (the monitor records State.Health),
 * with a deadline (monotonic seconds, 0 = none).  Fills err with compose's
 * "container X is unhealthy" / "exited" text. */
int cctr_wait_healthy(const char *id, double deadline, err_t *err);
/* Wait for a container to exit; *code its exit code. */
int cctr_wait_exit(const char *id, double deadline, int *code, err_t *err);
/* The monotonic clock in seconds (the waits' deadlines). */
double mono_now(void);

/* The services of the project in the order given, with their dependencies
 * when with_deps (for up/create/start/run). */
int cproject_select(const struct compose_project *p, char **names, int n, bool with_deps,
                    bool **selected, err_t *err);

/* The observed containers as engine/plan.h's planner takes them (pointers
 * into obs; the caller frees the array). */
struct plan_ctr *compose_plan_observed(const struct compose_project *p,
                                       const struct cctr_list *obs);
/* A container of the project whose service is gone (plan_is_orphan). */
bool cctr_is_orphan(const struct compose_project *p, const struct cctr *c);
/* A service's scale: --scale SERVICE=N (scale: those arguments), else its own. */
int compose_scale_of(const strv_t *scale, const struct compose_service *s, err_t *err);
/* Depth of a service in the dependency graph: 0 = depends on nothing. */
int cservice_level(const struct compose_project *p, const char *name);

/* The plan of an up / create (plan.h) over the observed containers: opts
 * (named, scale and image_present are filled here) with scale_args
 * ("SERVICE=N", --scale) applied, svcs the services named, the images of
 * services with `build:` looked up in the store; *pobs the observed
 * containers as the planner saw them (caller frees; plan_free(out)).  The
 * plan's warnings are left in out for the caller to print. */
int compose_plan_make(const struct compose_project *p, const bool *sel, const struct cctr_list *obs,
                      const struct plan_opts *opts, const strv_t *scale_args, char **svcs,
                      int nsvcs, struct plan *out, struct plan_ctr **pobs, err_t *err);

/* The stop plan of down / stop / rm and of attached up's end: the
 * containers of a list stopped (or removed) in reverse dependency order,
 * every container of a level at once. */
struct stop_op {
        size_t ctr;  /* index in the observed list */
        int timeout; /* grace period (s); < 0: the container's own */
        int level;   /* its service's depth (cservice_level); 0 without a project */
};
struct stop_plan {
        struct stop_op *ops; /* in the list's order */
        size_t n;
};
/* The containers of l with which[i] (NULL: all); timeout < 0: each
 * service's stop_grace_period (p may be NULL: a project known by its labels
 * only, every container on one level with its own timeout). */
int stop_plan_make(const struct compose_project *p, const struct cctr_list *l, const bool *which,
                   int timeout, struct stop_plan *out);
void stop_plan_free(struct stop_plan *sp);
/* Must op a wait for op b to have stopped (b's service depends on a's)? */
bool stop_plan_waits(const struct stop_plan *sp, size_t a, size_t b);

enum stop_step { STOP_STOPPING, STOP_STOPPED, STOP_REMOVING, STOP_REMOVED, STOP_FAILED };
struct stop_report {
        void *ud;
        /* op k of the plan reached step (called from the executor's threads) */
        void (*step)(void *ud, size_t k, enum stop_step step);
};
/* Run the plan over l: stop (rm: remove, with anonymous volumes when
 * volumes) each container; parallel > 0 bounds the operations at once (0:
 * every container of a level at once).  Returns 0 or -1 with err. */
int stop_plan_run(const struct stop_plan *sp, const struct cctr_list *l, bool rm, bool volumes,
                  int parallel, const struct stop_report *rep, err_t *err);

/* Was the container made from another image than the one the service's
 * name points at now (rebuilt)? */
bool compose_build_image_changed(const struct cctr *c, const struct compose_service *s);

/* Services with `build:` and no `image:` get compose v2's image name
 * "<project>-<service>" (tag latest). */
void compose_build_names(struct compose_project *p);

/* Is the service's image one berth names itself (build without image:)?  Those
 * are what `down --rmi local` removes. */
bool compose_build_local_image(const struct compose_service *s);

/* The builder's options (engine/build.h) for service s's `build:`: context,
 * dockerfile or dockerfile_inline, target, network, no_cache (or no_cache),
 * the service's image and `tags` as tags, `args` then cli_args as build
 * args, `labels`.  A remote (URL, git) context is refused.  o->quiet and
 * o->out are the caller's; free with service_build_opts_free. */
int service_build_opts(const struct compose_service *s, bool no_cache, const strv_t *cli_args,
                       struct build_opts *o, err_t *err);
void service_build_opts_free(struct build_opts *o);

enum compose_pull_mode {
        COMPOSE_PULL_POLICY,  /* each service's pull_policy (default: missing) */
        COMPOSE_PULL_ALWAYS,  /* up --pull always, compose pull */
        COMPOSE_PULL_MISSING, /* up --pull missing, compose pull --policy missing */
        COMPOSE_PULL_NEVER,   /* up --pull never */
};

/* Is service s's image to be pulled now?  NEVER: no; ALWAYS: yes unless
 * its pull_policy is build; MISSING: when the image is not here; POLICY:
 * its pull_policy's answer (never, build: no; always, refresh: yes; daily,
 * weekly, every_<duration>: when it was tagged longer ago or is not here;
 * missing, the default: when it is not here). */
bool service_wants_pull(const struct compose_service *s, enum compose_pull_mode mode);

/* Is service name among names (n <= 0: every service is)? */
bool compose_selected(const char *name, char **names, int n);

/* One image to pull for a project's services. */
struct service_pull {
        const struct compose_service *s; /* the first service naming the image */
        strv_t services;                 /* every service naming it */
        bool soft;                       /* its failure is a warning (ignore_failures, build:) */
        int rc;                          /* after the run: 0, or -1 with err */
        err_t err;
};
struct service_pulls {
        struct service_pull *v;
        size_t n;
};
/* The images of p's services named (n <= 0: all) to pull per mode: each
 * distinct image once (by its normalised reference), none of an image berth
 * builds itself; soft when ignore_failures or the service can be built. */
void service_pulls_make(const struct compose_project *p, char **names, int n,
                        enum compose_pull_mode mode, bool ignore_failures,
                        struct service_pulls *out);
void service_pulls_free(struct service_pulls *sp);

#define SERVICE_PULL_PARALLEL 4 /* pulls at once, at most */
enum pull_step { PULL_PULLING, PULL_PULLED, PULL_FAILED };
struct pull_report {
        void *ud;
        /* pull k reached step (called from the workers' threads) */
        void (*step)(void *ud, size_t k, enum pull_step step);
};
/* Pull them, at most SERVICE_PULL_PARALLEL (and parallel, when > 0) at
 * once; each one's result in its rc / err. */
void service_pulls_run(struct service_pulls *sp, int parallel, const struct pull_report *rep);

#endif
