/* Unit tests for the compose planner (engine/plan.h) on synthetic observed
 * state: no containers, no root. */
#include <stdlib.h>
#include <string.h>

#include "compose/hash.h"
#include "compose/model.h"
#include "compose_text.h"
#include "plan.h"
#include "service.h"

static char *no_env[] = {NULL};

static struct compose_project *load(const char *yaml)
{
        struct compose_model_opts o = {
            .project_name = "pl", .working_dir = "/wd", .home = "/root", .environment = no_env};
        return tap_project(yaml, &o);
}

static ssize_t svc(const struct compose_project *p, const char *name)
{
        for (size_t i = 0; i < p->nservices; i++)
                if (!strcmp(p->services[i].name, name))
                        return (ssize_t)i;
        return -1;
}

static char hashes[8][COMPOSE_HASH_LEN + 1];

/* The observed container of service name, number n, with its current hash. */
static struct plan_ctr ctr(const struct compose_project *p, const char *name, int n,
                           const char *status, const char *id)
{
        static int slot;
        ssize_t si = svc(p, name);
        char *h = hashes[slot++ % 8];
        err_t err;
        if (si < 0 || compose_service_hash(p->services[si].json, h, &err) < 0)
                strcpy(h, "none");
        return (struct plan_ctr){
            .id = id, .name = id, .service = name, .hash = h, .status = status, .number = n};
}

/* The plan as text: "kind service#n(reason)" joined by spaces. */
static char *text(const struct compose_project *p, const struct plan *pl)
{
        static char buf[1024];
        buf[0] = '\0';
        for (size_t i = 0; i < pl->n; i++) {
                const struct plan_op *op = &pl->ops[i];
                char one[128];
                snprintf(one, sizeof(one), "%s%s %s#%d%s%s%s%s", i ? " " : "",
                         plan_kind_name(op->kind),
                         op->service < 0 ? "-" : p->services[op->service].name, op->number,
                         op->reason ? "(" : "", plan_reason_text(op->reason), op->reason ? ")" : "",
                         op->start ? "+" : "");
                strncat(buf, one, sizeof(buf) - strlen(buf) - 1);
        }
        return buf;
}

static const char *plan_text(const struct compose_project *p, const struct plan_ctr *obs,
                             size_t nobs, struct plan_opts o)
{
        bool sel[16];
        for (size_t i = 0; i < p->nservices; i++)
                sel[i] = true;
        struct plan pl;
        static err_t err;
        if (compose_plan(p, sel, obs, nobs, &o, &pl, &err) < 0)
                return err.msg;
        const char *t = text(p, &pl);
        plan_free(&pl);
        return t;
}

static const char *yaml = "services:\n"
                          "  db:\n    image: busybox\n"
                          "  web:\n    image: busybox\n    depends_on: [db]\n";

static void test_fresh_and_steady(void)
{
        struct compose_project *p = load(yaml);
        if (!p)
                return;
        is_str(plan_text(p, NULL, 0, (struct plan_opts){.start = true}),
               "create db#1+ create web#1+", "nothing observed: create and start all");
        is_str(plan_text(p, NULL, 0, (struct plan_opts){.start = false}),
               "create db#1 create web#1", "create only: nothing starts");
        struct plan_ctr obs[] = {ctr(p, "db", 1, "running", "d1"),
                                 ctr(p, "web", 1, "exited", "w1")};
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true}), "keep db#1 start web#1+",
               "unchanged: keep the running one, start the stopped one");
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true, .force_recreate = true}),
               "recreate db#1(--force-recreate)+ recreate web#1(--force-recreate)+",
               "--force-recreate");
        obs[0].hash = "changed";
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true}),
               "recreate db#1(configuration changed)+ start web#1+", "a hash change recreates");
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true, .no_recreate = true}),
               "keep db#1 start web#1+", "--no-recreate keeps it");
        obs[0] = ctr(p, "db", 1, "running", "d1");
        obs[1].image_changed = true;
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true}),
               "keep db#1 recreate web#1(image rebuilt)+", "a rebuilt image recreates");
        compose_project_free(p);
}

static void test_scale_and_orphans(void)
{
        struct compose_project *p = load(yaml);
        if (!p)
                return;
        int scale[2];
        scale[svc(p, "db")] = -1;
        scale[svc(p, "web")] = 3;
        struct plan_ctr obs[] = {ctr(p, "db", 1, "running", "d1"),
                                 ctr(p, "web", 1, "running", "w1"),
                                 ctr(p, "gone", 1, "running", "g1")};
        is_str(plan_text(p, obs, 3, (struct plan_opts){.start = true, .scale = scale}),
               "keep db#1 keep web#1 create web#2+ create web#3+", "scale up adds numbers 2 and 3");
        is_str(plan_text(p, obs, 3,
                         (struct plan_opts){.start = true, .scale = scale, .remove_orphans = true}),
               "remove -#1(orphan) keep db#1 keep web#1 create web#2+ create web#3+",
               "--remove-orphans removes first");
        struct plan_ctr many[] = {
            ctr(p, "db", 1, "running", "d1"), ctr(p, "web", 1, "running", "w1"),
            ctr(p, "web", 2, "running", "w2"), ctr(p, "web", 2, "running", "w2b")};
        scale[svc(p, "web")] = 1;
        is_str(plan_text(p, many, 4, (struct plan_opts){.start = true, .scale = scale}),
               "keep db#1 keep web#1 remove web#2(above the scale) remove web#2(a second container "
               "with that number)",
               "scale down, and a duplicate number");
        struct plan_ctr oneoff = ctr(p, "gone", 1, "running", "r1");
        oneoff.oneoff = true;
        ok(!plan_is_orphan(p, &oneoff) && plan_is_orphan(p, &obs[2]),
           "a one-off container is never an orphan");
        compose_project_free(p);
}

static void test_deps(void)
{
        struct compose_project *p = load(yaml);
        if (!p)
                return;
        struct plan_ctr obs[] = {ctr(p, "db", 1, "running", "d1"),
                                 ctr(p, "web", 1, "running", "w1")};
        strv_t named = STRV_INIT;
        strv_push(&named, "web");
        is_str(plan_text(p, obs, 2,
                         (struct plan_opts){.start = true, .recreate_deps = true, .named = &named}),
               "recreate db#1(--always-recreate-deps)+ keep web#1",
               "--always-recreate-deps recreates the dependencies of the services named only");
        strv_free(&named);
        compose_project_free(p);
}

static void test_netns(void)
{
        struct compose_project *p = load("services:\n"
                                         "  app:\n    image: busybox\n"
                                         "  side:\n    image: busybox\n"
                                         "    network_mode: service:app\n");
        if (!p)
                return;
        struct plan_ctr obs[] = {ctr(p, "app", 1, "running", "a1"),
                                 ctr(p, "side", 1, "running", "s1")};
        obs[1].netns_id = "a1";
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true}), "keep app#1 keep side#1",
               "a joiner of the running target is kept");
        obs[0].hash = "changed";
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true}),
               "recreate app#1(configuration changed)+ recreate side#1(the container whose network "
               "it shares is new)+",
               "a recreated target recreates its joiner");
        obs[0] = ctr(p, "app", 1, "running", "a2");
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true}),
               "keep app#1 recreate side#1(the container whose network it shares is new)+",
               "a target replaced since recreates its joiner");
        is_str(plan_text(p, obs, 2, (struct plan_opts){.start = true, .no_recreate = true}),
               "keep app#1 keep side#1", "--no-recreate: no joiner recreated either");
        compose_project_free(p);
}

static void test_container_name(void)
{
        struct compose_project *p = load("services:\n  one:\n    image: busybox\n"
                                         "    container_name: solo\n");
        if (!p)
                return;
        int scale[1] = {3};
        bool sel[1] = {true};
        struct plan pl;
        err_t err;
        struct plan_opts o = {.start = true, .scale = scale};
        ok(compose_plan(p, sel, NULL, 0, &o, &pl, &err) == 0 && pl.n == 1 && pl.warnings.n == 1 &&
               strstr(pl.warnings.v[0], "allows one container only"),
           "container_name caps the scale at 1, with a warning returned (not printed)");
        plan_free(&pl);
        compose_project_free(p);
}

/* The builds: which images up builds (image present or not, --build,
 * --no-build, pull_policy: build), an image once, and the containers of a
 * built service waiting for its build. */
static void test_build(void)
{
        struct compose_project *p = load("services:\n"
                                         "  db:\n    image: busybox\n"
                                         "  app:\n    image: pl-app\n    build: ./app\n"
                                         "  worker:\n    image: pl-app\n    build: ./app\n"
                                         "  tool:\n    image: pl-tool\n    build: ./tool\n"
                                         "    pull_policy: build\n");
        if (!p)
                return;
        bool none[4] = {false, false, false, false}, all[4] = {true, true, true, true};
        is_str(plan_text(p, NULL, 0, (struct plan_opts){.start = true, .image_present = none}),
               "build app#0(image missing) build tool#0(pull_policy: build) create app#1+ create "
               "db#1+ create tool#1+ create worker#1+",
               "images missing: built, the one worker shares with app once");
        is_str(plan_text(p, NULL, 0, (struct plan_opts){.start = true, .image_present = all}),
               "build tool#0(pull_policy: build) create app#1+ create db#1+ create tool#1+ "
               "create worker#1+",
               "images present: only pull_policy: build builds");
        is_str(plan_text(p, NULL, 0,
                         (struct plan_opts){
                             .start = true, .image_present = all, .build = PLAN_BUILD_ALWAYS}),
               "build app#0(--build) build tool#0(--build) create app#1+ create db#1+ create "
               "tool#1+ create worker#1+",
               "--build builds every image");
        is_str(plan_text(p, NULL, 0,
                         (struct plan_opts){
                             .start = true, .image_present = none, .build = PLAN_BUILD_NEVER}),
               "create app#1+ create db#1+ create tool#1+ create worker#1+",
               "--no-build builds nothing, even a missing image");

        /* the edges: a service's operations wait for the build of its image */
        bool sel[4] = {true, true, true, true};
        struct plan_ctr obs[] = {ctr(p, "db", 1, "running", "d1"),
                                 ctr(p, "app", 1, "running", "a1"),
                                 ctr(p, "worker", 1, "exited", "w1")};
        struct plan_opts o = {.start = true, .image_present = all, .build = PLAN_BUILD_ALWAYS};
        struct plan pl;
        err_t err;
        if (compose_plan(p, sel, obs, 3, &o, &pl, &err) < 0) {
                ok(false, "plan: %s", err.msg);
                compose_project_free(p);
                return;
        }
        is_str(text(p, &pl),
               "build app#0(--build) build tool#0(--build) keep app#1 keep db#1 create tool#1+ "
               "start worker#1+",
               "--build with containers: decided as without, until the build ran");
        ok(pl.ops[2].after == 0 && pl.ops[3].after == -1 && pl.ops[4].after == 1 &&
               pl.ops[5].after == 0,
           "each waits for the build of its image; db, built by nobody, for none");
        /* the build gave app's image a new id: its containers are recreated */
        obs[0].image_changed = true; /* waited for no build: up leaves it */
        obs[1].image_changed = obs[2].image_changed = true;
        struct plan_opts keep = o;
        keep.no_recreate = true;
        plan_rebuilt(p, obs, 3, &keep, &pl);
        is_str(text(p, &pl),
               "build app#0(--build) build tool#0(--build) keep app#1 keep db#1 create tool#1+ "
               "start worker#1+",
               "--no-recreate: a rebuilt image recreates nothing");
        plan_rebuilt(p, obs, 3, &o, &pl);
        is_str(text(p, &pl),
               "build app#0(--build) build tool#0(--build) recreate app#1(image rebuilt)+ keep "
               "db#1 create tool#1+ recreate worker#1(image rebuilt)+",
               "after the build: a changed image recreates the containers that waited for it");
        plan_free(&pl);
        compose_project_free(p);
}

/* The stop plan as text: "name:timeout@level" per op, then the waits as
 * "a<b" (a waits for b) in op order. */
static const char *stop_text(const struct compose_project *p, const struct cctr_list *l,
                             const bool *which, int timeout)
{
        static char buf[512];
        struct stop_plan sp;
        buf[0] = '\0';
        stop_plan_make(p, l, which, timeout, &sp);
        for (size_t k = 0; k < sp.n; k++) {
                char one[64];
                snprintf(one, sizeof(one), "%s%s:%d@%d", k ? " " : "", l->v[sp.ops[k].ctr].name,
                         sp.ops[k].timeout, sp.ops[k].level);
                strncat(buf, one, sizeof(buf) - strlen(buf) - 1);
        }
        for (size_t a = 0; a < sp.n; a++)
                for (size_t b = 0; b < sp.n; b++)
                        if (stop_plan_waits(&sp, a, b)) {
                                char one[64];
                                snprintf(one, sizeof(one), " %s<%s", l->v[sp.ops[a].ctr].name,
                                         l->v[sp.ops[b].ctr].name);
                                strncat(buf, one, sizeof(buf) - strlen(buf) - 1);
                        }
        stop_plan_free(&sp);
        return buf;
}

static void test_stop_plan(void)
{
        struct compose_project *p = load("services:\n"
                                         "  db:\n    image: busybox\n    stop_grace_period: 3s\n"
                                         "  web:\n    image: busybox\n    depends_on: [db]\n"
                                         "  lb:\n    image: busybox\n    depends_on: [web]\n");
        if (!p)
                return;
        struct cctr v[] = {{.name = "db-1", .service = "db"},
                           {.name = "web-1", .service = "web"},
                           {.name = "web-2", .service = "web"},
                           {.name = "lb-1", .service = "lb"},
                           {.name = "gone-1", .service = "gone"}};
        struct cctr_list l = {.v = v, .n = 5};
        is_str(stop_text(p, &l, NULL, -1),
               "db-1:3@0 web-1:10@1 web-2:10@1 lb-1:10@2 gone-1:-1@0 db-1<web-1 db-1<web-2 "
               "db-1<lb-1 web-1<lb-1 web-2<lb-1 gone-1<web-1 gone-1<web-2 gone-1<lb-1",
               "reverse dependency order; each service's grace period, an orphan's own");
        is_str(stop_text(p, &l, NULL, 5),
               "db-1:5@0 web-1:5@1 web-2:5@1 lb-1:5@2 gone-1:5@0 db-1<web-1 db-1<web-2 "
               "db-1<lb-1 web-1<lb-1 web-2<lb-1 gone-1<web-1 gone-1<web-2 gone-1<lb-1",
               "-t overrides every grace period");
        bool which[] = {true, false, true, false, false};
        is_str(stop_text(p, &l, which, -1), "db-1:3@0 web-2:10@1 db-1<web-2",
               "only the containers chosen");
        is_str(stop_text(NULL, &l, NULL, -1),
               "db-1:-1@0 web-1:-1@0 web-2:-1@0 lb-1:-1@0 gone-1:-1@0",
               "no project (labels only): one level, each container's own timeout");
        struct cctr_list none = {0};
        is_str(stop_text(p, &none, NULL, -1), "", "nothing observed: an empty plan");
        compose_project_free(p);
}

/* up's plan over observed containers (engine/service.h compose_plan_make):
 * --scale arguments and the services named reach the planner.  No service
 * has `build:`, so no image store is read. */
static void test_plan_make(void)
{
        struct compose_project *p = load(yaml);
        if (!p)
                return;
        bool sel[2] = {true, true};
        struct cctr_list none = {0};
        strv_t scale = STRV_INIT;
        strv_push(&scale, "web=3");
        char *named[] = {"web"};
        struct plan_opts po = {.start = true};
        struct plan pl;
        struct plan_ctr *pobs = NULL;
        err_t err;
        ok(compose_plan_make(p, sel, &none, &po, &scale, named, 1, &pl, &pobs, &err) == 0,
           "plan made");
        is_str(text(p, &pl), "create db#1+ create web#1+ create web#2+ create web#3+",
               "--scale web=3 applied");
        plan_free(&pl);
        free(pobs);
        strv_free(&scale);
        strv_push(&scale, "web");
        ok(compose_plan_make(p, sel, &none, &po, &scale, NULL, 0, &pl, &pobs, &err) < 0 &&
               strstr(err.msg, "invalid --scale \"web\"") && !pobs,
           "a --scale without =N is refused: %s", err.msg);
        strv_free(&scale);
        compose_project_free(p);
}

int main(void)
{
        test_fresh_and_steady();
        test_scale_and_orphans();
        test_deps();
        test_netns();
        test_container_name();
        test_build();
        test_stop_plan();
        test_plan_make();
        return tap_done();
}
