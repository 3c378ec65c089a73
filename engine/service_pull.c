/* service_pull.c - the pulls of `compose pull` and of `up`/`create`: which
 * images the services named need (each distinct image once), pulled by a
 * small pool of workers.  Progress goes to the caller's callback. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/workers.h"
#include "base/xalloc.h"
#include "runtime/image.h"
#include "runtime/registry.h"
#include "service.h"

bool compose_selected(const char *name, char **names, int n)
{
        if (n <= 0)
                return true;
        for (int i = 0; i < n; i++)
                if (!strcmp(names[i], name))
                        return true;
        return false;
}

void service_pulls_make(const struct compose_project *p, char **names, int n,
                        enum compose_pull_mode mode, bool ignore_failures,
                        struct service_pulls *out)
{
        memset(out, 0, sizeof(*out));
        out->v = xcalloc(p->nservices + 1, sizeof(*out->v));
        strv_t images = STRV_INIT; /* normalised names, index = pull */
        for (size_t i = 0; i < p->nservices; i++) {
                const struct compose_service *s = &p->services[i];
                if (!s->image || !compose_selected(s->name, names, n) ||
                    compose_build_local_image(s))
                        continue;
                _cleanup_free_ char *norm = NULL;
                err_t e2;
                if (rt_image_ref_normalize(s->image, &norm, &e2) < 0)
                        norm = xstrdup(s->image);
                ssize_t k = strv_index(&images, norm);
                if (k >= 0) { /* the same image: pulled once */
                        strv_push(&out->v[k].services, s->name);
                        continue;
                }
                if (!service_wants_pull(s, mode))
                        continue;
                struct service_pull *j = &out->v[out->n++];
                j->s = s;
                j->soft = ignore_failures || s->build.present;
                j->services = (strv_t)STRV_INIT;
                strv_push(&j->services, s->name);
                strv_push(&images, norm);
        }
        strv_free(&images);
}

void service_pulls_free(struct service_pulls *sp)
{
        for (size_t i = 0; i < sp->n; i++)
                strv_free(&sp->v[i].services);
        free(sp->v);
        memset(sp, 0, sizeof(*sp));
}

struct pull_pool {
        struct service_pulls *sp;
        const struct pull_report *rep;
        size_t next;
        pthread_mutex_t mu;
};

static void report(const struct pull_pool *c, size_t k, enum pull_step st)
{
        if (c->rep && c->rep->step)
                c->rep->step(c->rep->ud, k, st);
}

static void *pull_worker(void *arg)
{
        struct pull_pool *c = arg;
        for (;;) {
                pthread_mutex_lock(&c->mu);
                size_t i = c->next < c->sp->n ? c->next++ : c->sp->n;
                pthread_mutex_unlock(&c->mu);
                if (i >= c->sp->n)
                        break;
                struct service_pull *j = &c->sp->v[i];
                report(c, i, PULL_PULLING);
                struct reg_pull_opts o = {.platform = j->s->platform};
                struct reg_pull_result res;
                j->rc = reg_pull(j->s->image, &o, &res, &j->err);
                if (j->rc == 0)
                        reg_pull_result_free(&res);
                report(c, i, j->rc == 0 ? PULL_PULLED : PULL_FAILED);
        }
        return NULL;
}

void service_pulls_run(struct service_pulls *sp, int parallel, const struct pull_report *rep)
{
        if (!sp->n)
                return;
        struct pull_pool c = {.sp = sp, .rep = rep};
        pthread_mutex_init(&c.mu, NULL);
        size_t nth = sp->n < SERVICE_PULL_PARALLEL ? sp->n : SERVICE_PULL_PARALLEL;
        if (parallel > 0 && (size_t)parallel < nth)
                nth = (size_t)parallel;
        run_workers(nth, pull_worker, &c);
        pthread_mutex_destroy(&c.mu);
}
