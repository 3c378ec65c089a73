#include "plan.h"

#include <stdio.h>
#include <string.h>

#include "compose/hash.h"
#include "base/xalloc.h"

const char *plan_kind_name(enum plan_kind k)
{
        static const char *const names[] = {
            [PLAN_CREATE] = "create", [PLAN_RECREATE] = "recreate", [PLAN_START] = "start",
            [PLAN_KEEP] = "keep",     [PLAN_REMOVE] = "remove",     [PLAN_BUILD] = "build",
        };
        return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

const char *plan_reason_text(enum plan_reason r)
{
        static const char *const texts[] = {
            [PLAN_R_NONE] = "",
            [PLAN_R_FORCED] = "--force-recreate",
            [PLAN_R_CONFIG] = "configuration changed",
            [PLAN_R_IMAGE] = "image rebuilt",
            [PLAN_R_DEPS] = "--always-recreate-deps",
            [PLAN_R_NETNS] = "the container whose network it shares is new",
            [PLAN_R_SCALE] = "above the scale",
            [PLAN_R_DUPLICATE] = "a second container with that number",
            [PLAN_R_ORPHAN] = "orphan",
            [PLAN_R_MISSING] = "image missing",
            [PLAN_R_BUILD] = "--build",
            [PLAN_R_PULL_BUILD] = "pull_policy: build",
        };
        return (unsigned)r < sizeof(texts) / sizeof(texts[0]) ? texts[r] : "";
}

bool plan_is_orphan(const struct compose_project *p, const struct plan_ctr *c)
{
        return !c->oneoff && !compose_project_service(p, c->service) &&
               !strv_contains(&p->disabled_services, c->service);
}

const struct compose_service *plan_netns_target(const struct compose_project *p,
                                                const struct compose_service *s)
{
        if (!s->network_mode || strncmp(s->network_mode, "service:", 8))
                return NULL;
        for (size_t i = 0; i < p->nservices; i++)
                if (!strcmp(p->services[i].name, s->network_mode + 8))
                        return &p->services[i];
        return NULL;
}

static struct plan_op *add(struct plan *pl, enum plan_kind kind, ssize_t service, int number,
                           ssize_t observed, bool start)
{
        pl->ops = xrealloc(pl->ops, (pl->n + 1) * sizeof(*pl->ops));
        struct plan_op *op = &pl->ops[pl->n++];
        *op = (struct plan_op){.kind = kind,
                               .reason = PLAN_R_NONE,
                               .service = service,
                               .number = number,
                               .observed = observed,
                               .start = start,
                               .after = -1};
        return op;
}

enum plan_reason plan_build_reason(const struct compose_service *s, enum plan_build_mode mode,
                                   bool image_present)
{
        if (!s->build.present || !s->image || mode == PLAN_BUILD_NEVER)
                return PLAN_R_NONE;
        if (mode == PLAN_BUILD_ALWAYS)
                return PLAN_R_BUILD;
        if (s->pull_policy && !strcmp(s->pull_policy, "build"))
                return PLAN_R_PULL_BUILD;
        return image_present ? PLAN_R_NONE : PLAN_R_MISSING;
}

/* The builds of the selected services (an image once); build[si]: the op
 * that makes service si's image, else -1. */
static void build_pass(const struct compose_project *p, const bool *sel, const struct plan_opts *o,
                       struct plan *pl, ssize_t *build)
{
        for (size_t si = 0; si < p->nservices; si++) {
                const struct compose_service *s = &p->services[si];
                build[si] = -1;
                if (!sel[si] || !s->image)
                        continue;
                for (size_t k = 0; k < pl->n; k++)
                        if (pl->ops[k].kind == PLAN_BUILD &&
                            !strcmp(p->services[pl->ops[k].service].image, s->image))
                                build[si] = (ssize_t)k;
                if (build[si] >= 0)
                        continue;
                enum plan_reason why =
                    plan_build_reason(s, o->build, o->image_present && o->image_present[si]);
                if (why == PLAN_R_NONE)
                        continue;
                build[si] = (ssize_t)pl->n;
                add(pl, PLAN_BUILD, (ssize_t)si, 0, -1, false)->reason = why;
        }
}

static bool named(const strv_t *names, const char *service)
{
        return !names || !names->n || strv_contains(names, service);
}

/* network_mode service:x: a container kept must still share the network
 * namespace of x's first container; when that one is (re)created, or was
 * replaced since, the joiner is recreated too (until nothing changes, for
 * chains of such services). */
static void netns_pass(const struct compose_project *p, const struct plan_ctr *obs, size_t nobs,
                       const struct plan_opts *o, struct plan *pl)
{
        for (bool again = !o->no_recreate; again;) {
                again = false;
                for (size_t k = 0; k < pl->n; k++) {
                        struct plan_op *c = &pl->ops[k];
                        if (c->kind != PLAN_START && c->kind != PLAN_KEEP)
                                continue;
                        const struct compose_service *x =
                            plan_netns_target(p, &p->services[c->service]);
                        if (!x)
                                continue;
                        const char *target = NULL;
                        bool planned = false;
                        for (size_t t = 0; t < pl->n; t++) {
                                const struct plan_op *u = &pl->ops[t];
                                if (u->service >= 0 && &p->services[u->service] == x &&
                                    u->number == 1 && u->kind != PLAN_REMOVE) {
                                        planned = true;
                                        if (u->kind == PLAN_START || u->kind == PLAN_KEEP)
                                                target = obs[u->observed].id;
                                }
                        }
                        for (size_t i = 0; i < nobs && !planned; i++)
                                if (!strcmp(obs[i].service, x->name) && obs[i].number == 1)
                                        target = obs[i].id;
                        const char *joins = obs[c->observed].netns_id;
                        if (!target || !joins || strcmp(joins, target)) {
                                c->kind = PLAN_RECREATE;
                                c->reason = PLAN_R_NETNS;
                                c->start = o->start;
                                again = true;
                        }
                }
        }
}

int compose_plan(const struct compose_project *p, const bool *sel, const struct plan_ctr *obs,
                 size_t nobs, const struct plan_opts *o, struct plan *out, err_t *err)
{
        struct plan pl = {0};
        ssize_t *build = xcalloc(p->nservices + 1, sizeof(*build));

        for (size_t i = 0; o->remove_orphans && i < nobs; i++)
                if (plan_is_orphan(p, &obs[i]))
                        add(&pl, PLAN_REMOVE, -1, obs[i].number, (ssize_t)i, false)->reason =
                            PLAN_R_ORPHAN;
        build_pass(p, sel, o, &pl, build);
        for (size_t si = 0; si < p->nservices; si++) {
                const struct compose_service *s = &p->services[si];
                if (!sel[si])
                        continue;
                int want = o->scale && o->scale[si] >= 0 ? o->scale[si] : s->scale;
                if (s->container_name && want > 1) {
                        strv_pushf(&pl.warnings,
                                   "WARN[0000] service %s: container_name \"%s\" allows one "
                                   "container only; scale set to 1",
                                   s->name, s->container_name);
                        want = 1;
                }
                char hash[COMPOSE_HASH_LEN + 1];
                if (compose_service_hash(s->json, hash, err) < 0) {
                        free(build);
                        plan_free(&pl);
                        return -1;
                }
                size_t first = pl.n;
                for (size_t i = 0; i < nobs; i++) {
                        const struct plan_ctr *e = &obs[i];
                        if (strcmp(e->service, s->name))
                                continue;
                        bool dup = false;
                        for (size_t k = first; k < pl.n; k++)
                                dup |= pl.ops[k].number == e->number;
                        struct plan_op *c =
                            add(&pl, PLAN_KEEP, (ssize_t)si, e->number, (ssize_t)i, o->start);
                        enum plan_reason why = PLAN_R_NONE;
                        if (!o->no_recreate)
                                why = o->force_recreate       ? PLAN_R_FORCED
                                      : strcmp(e->hash, hash) ? PLAN_R_CONFIG
                                      : e->image_changed      ? PLAN_R_IMAGE
                                      : o->recreate_deps && !named(o->named, s->name) ? PLAN_R_DEPS
                                                                                      : PLAN_R_NONE;
                        if (e->number > want || e->number < 1 || dup) {
                                c->kind = PLAN_REMOVE;
                                c->reason = dup ? PLAN_R_DUPLICATE : PLAN_R_SCALE;
                                c->start = false;
                        } else if (why != PLAN_R_NONE) {
                                c->kind = PLAN_RECREATE;
                                c->reason = why;
                        } else if (o->start && strcmp(e->status, "running")) {
                                c->kind = PLAN_START;
                        } else {
                                c->kind = PLAN_KEEP;
                                c->start = false;
                        }
                }
                for (int n = 1; n <= want; n++) {
                        bool have = false;
                        for (size_t k = first; k < pl.n; k++)
                                have |= pl.ops[k].number == n && pl.ops[k].kind != PLAN_REMOVE;
                        if (!have)
                                add(&pl, PLAN_CREATE, (ssize_t)si, n, -1, o->start);
                }
                for (size_t k = first; k < pl.n; k++)
                        if (pl.ops[k].kind != PLAN_REMOVE)
                                pl.ops[k].after = build[si];
        }
        free(build);
        netns_pass(p, obs, nobs, o, &pl);
        *out = pl;
        return 0;
}

void plan_rebuilt(const struct compose_project *p, const struct plan_ctr *obs, size_t nobs,
                  const struct plan_opts *o, struct plan *pl)
{
        if (o->no_recreate)
                return;
        for (size_t k = 0; k < pl->n; k++) {
                struct plan_op *c = &pl->ops[k];
                if (c->after >= 0 && (c->kind == PLAN_KEEP || c->kind == PLAN_START) &&
                    obs[c->observed].image_changed) {
                        c->kind = PLAN_RECREATE;
                        c->reason = PLAN_R_IMAGE;
                        c->start = o->start;
                }
        }
        netns_pass(p, obs, nobs, o, pl);
}

void plan_free(struct plan *pl)
{
        free(pl->ops);
        strv_free(&pl->warnings);
        memset(pl, 0, sizeof(*pl));
}
