/* service_plan.c - the compose lifecycle's two plans over the observed
 * containers: up's plan (the pure planner, engine/plan.c, fed with the
 * observed state and the images in the store) and the stop plan of
 * down / stop / rm / attached up's end (reverse dependency order), with its
 * executor on the DAG.  Progress goes to the caller's callback. */
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/dag.h"
#include "base/xalloc.h"
#include "netglue.h"
#include "runtime/image.h"
#include "service.h"
#include "start.h"

int compose_plan_make(const struct compose_project *p, const bool *sel, const struct cctr_list *obs,
                      const struct plan_opts *opts, const strv_t *scale_args, char **svcs,
                      int nsvcs, struct plan *out, struct plan_ctr **pobs, err_t *err)
{
        _cleanup_free_ int *scale = xcalloc(p->nservices + 1, sizeof(int));
        _cleanup_free_ bool *present = xcalloc(p->nservices + 1, sizeof(bool));
        strv_t named = STRV_INIT;
        *pobs = NULL;
        for (size_t si = 0; si < p->nservices; si++) {
                const struct compose_service *s = &p->services[si];
                scale[si] = -1;
                if (!sel[si])
                        continue;
                if ((scale[si] = compose_scale_of(scale_args, s, err)) < 0)
                        return -1;
                struct rt_image img;
                err_t e2;
                if (s->build.present && s->image && rt_image_lookup(s->image, &img, &e2) == 0) {
                        present[si] = true;
                        rt_image_free(&img);
                }
        }
        for (int i = 0; i < nsvcs; i++)
                strv_push(&named, svcs[i]);
        struct plan_opts po = *opts;
        po.named = &named;
        po.scale = scale;
        po.image_present = present;
        *pobs = compose_plan_observed(p, obs);
        int r = compose_plan(p, sel, *pobs, obs->n, &po, out, err);
        strv_free(&named);
        return r;
}

/* ---- the stop plan ---------------------------------------------------- */

int stop_plan_make(const struct compose_project *p, const struct cctr_list *l, const bool *which,
                   int timeout, struct stop_plan *out)
{
        memset(out, 0, sizeof(*out));
        out->ops = xcalloc(l->n + 1, sizeof(*out->ops));
        for (size_t i = 0; i < l->n; i++) {
                if (which && !which[i])
                        continue;
                const struct compose_service *s =
                    p ? compose_project_service(p, l->v[i].service) : NULL;
                out->ops[out->n++] =
                    (struct stop_op){.ctr = i,
                                     .timeout = timeout >= 0 ? timeout
                                                : s          ? cservice_stop_timeout(s)
                                                             : -1,
                                     .level = p ? cservice_level(p, l->v[i].service) : 0};
        }
        return 0;
}

void stop_plan_free(struct stop_plan *sp)
{
        free(sp->ops);
        memset(sp, 0, sizeof(*sp));
}

bool stop_plan_waits(const struct stop_plan *sp, size_t a, size_t b)
{
        return sp->ops[b].level > sp->ops[a].level;
}

struct stop_run {
        const struct stop_plan *sp;
        const struct cctr_list *l;
        const struct stop_report *rep;
        bool rm, volumes;
        size_t k;
};

static void report(const struct stop_run *r, enum stop_step st)
{
        if (r->rep && r->rep->step)
                r->rep->step(r->rep->ud, r->k, st);
}

static int stop_one(void *arg, err_t *err)
{
        struct stop_run *r = arg;
        const struct stop_op *op = &r->sp->ops[r->k];
        const char *id = r->l->v[op->ctr].id;
        if (r->rm) {
                report(r, STOP_REMOVING);
                if (cctr_remove(id, op->timeout, r->volumes, err) < 0) {
                        report(r, STOP_FAILED);
                        return -1;
                }
                report(r, STOP_REMOVED);
                return 0;
        }
        report(r, STOP_STOPPING);
        if (ctr_stop(id, op->timeout, err) < 0) {
                report(r, STOP_FAILED);
                return -1;
        }
        report(r, STOP_STOPPED);
        return 0;
}

int stop_plan_run(const struct stop_plan *sp, const struct cctr_list *l, bool rm, bool volumes,
                  int parallel, const struct stop_report *rep, err_t *err)
{
        struct dag d = {0};
        struct stop_run *runs = xcalloc(sp->n + 1, sizeof(*runs));
        size_t *opi = xcalloc(sp->n + 1, sizeof(size_t));
        for (size_t k = 0; k < sp->n; k++) {
                runs[k] = (struct stop_run){
                    .sp = sp, .l = l, .rep = rep, .rm = rm, .volumes = volumes, .k = k};
                opi[k] = dag_add(&d, "stop", stop_one, &runs[k]);
        }
        /* a container stops after every container of a higher level (its dependents) */
        for (size_t a = 0; a < sp->n; a++)
                for (size_t b = 0; b < sp->n; b++)
                        if (stop_plan_waits(sp, a, b))
                                dag_depend(&d, opi[a], opi[b]);
        /* the releases of the parallel stops share their DNS and network
         * state commits */
        netwire_release_batch(true);
        int r = dag_run(&d, parallel > 0 ? parallel : 0, false, NULL, NULL, err);
        netwire_release_batch(false);
        dag_free(&d);
        free(runs);
        free(opi);
        return r;
}
