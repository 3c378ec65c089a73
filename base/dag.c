#include "dag.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xalloc.h"

size_t dag_add(struct dag *d, const char *name, dag_fn fn, void *arg)
{
        if (d->n == d->cap) {
                d->cap = d->cap ? d->cap * 2 : 16;
                d->ops = xrealloc(d->ops, d->cap * sizeof(*d->ops));
        }
        struct dag_op *op = &d->ops[d->n];
        memset(op, 0, sizeof(*op));
        op->name = xstrdup(name);
        op->fn = fn;
        op->arg = arg;
        return d->n++;
}

void dag_depend(struct dag *d, size_t op, size_t on)
{
        struct dag_op *o = &d->ops[op];
        for (size_t i = 0; i < o->ndeps; i++)
                if (o->deps[i] == on)
                        return;
        if (o->ndeps == o->capdeps) {
                o->capdeps = o->capdeps ? o->capdeps * 2 : 4;
                o->deps = xrealloc(o->deps, o->capdeps * sizeof(size_t));
        }
        o->deps[o->ndeps++] = on;
}

void dag_free(struct dag *d)
{
        for (size_t i = 0; i < d->n; i++) {
                free(d->ops[i].name);
                free(d->ops[i].deps);
        }
        free(d->ops);
        memset(d, 0, sizeof(*d));
}

static double now_mono(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Kahn's algorithm: fills order (if non-NULL); returns -1 on a cycle. */
static int dag_topo(const struct dag *d, size_t *order, err_t *err)
{
        size_t *indeg = xcalloc(d->n, sizeof(size_t));
        size_t *queue = xcalloc(d->n, sizeof(size_t));
        size_t head = 0, tail = 0;

        for (size_t i = 0; i < d->n; i++)
                indeg[i] = d->ops[i].ndeps;
        for (size_t i = 0; i < d->n; i++)
                if (!indeg[i])
                        queue[tail++] = i;
        while (head < tail) {
                size_t cur = queue[head++];
                for (size_t i = 0; i < d->n; i++)
                        for (size_t k = 0; k < d->ops[i].ndeps; k++)
                                if (d->ops[i].deps[k] == cur && --indeg[i] == 0)
                                        queue[tail++] = i;
        }
        int r = 0;
        if (tail != d->n) {
                for (size_t i = 0; i < d->n; i++)
                        if (indeg[i]) {
                                r = err_set(err, ELOOP, "dependency cycle involving \"%s\"",
                                            d->ops[i].name);
                                break;
                        }
        } else if (order) {
                memcpy(order, queue, d->n * sizeof(size_t));
        }
        free(indeg);
        free(queue);
        return r;
}

struct dag_run_ctx {
        struct dag *d;
        pthread_mutex_t mu;
        pthread_cond_t cv;
        size_t running, finished;
        int parallel;
        dag_event_fn ev;
        void *evctx;
};

struct dag_job {
        struct dag_run_ctx *rc;
        size_t idx;
};

static void *dag_worker(void *p)
{
        struct dag_job *job = p;
        struct dag_run_ctx *rc = job->rc;
        struct dag_op *op = &rc->d->ops[job->idx];
        err_t e;
        int r;

        err_clear(&e);
        r = op->fn ? op->fn(op->arg, &e) : 0;
        pthread_mutex_lock(&rc->mu);
        op->finished = now_mono();
        if (r < 0) {
                op->state = DAG_FAILED;
                op->err = e;
        } else {
                op->state = DAG_DONE;
        }
        if (rc->ev)
                rc->ev(rc->evctx, op);
        rc->running--;
        rc->finished++;
        pthread_cond_broadcast(&rc->cv);
        pthread_mutex_unlock(&rc->mu);
        free(job);
        return NULL;
}

/* Called with the lock held: mark skips and start ready operations. */
static void dag_schedule(struct dag_run_ctx *rc)
{
        struct dag *d = rc->d;
        bool progress = true;

        while (progress) {
                progress = false;
                for (size_t i = 0; i < d->n; i++) {
                        struct dag_op *op = &d->ops[i];
                        if (op->state != DAG_PENDING)
                                continue;
                        bool ready = true, doomed = false;
                        for (size_t k = 0; k < op->ndeps; k++) {
                                enum dag_state s = d->ops[op->deps[k]].state;
                                if (s == DAG_FAILED || s == DAG_SKIPPED)
                                        doomed = true;
                                else if (s != DAG_DONE)
                                        ready = false;
                        }
                        if (doomed) {
                                op->state = DAG_SKIPPED;
                                rc->finished++;
                                if (rc->ev)
                                        rc->ev(rc->evctx, op);
                                progress = true;
                                continue;
                        }
                        if (!ready || (rc->parallel > 0 && rc->running >= (size_t)rc->parallel))
                                continue;
                        op->state = DAG_RUNNING;
                        op->started = now_mono();
                        if (rc->ev)
                                rc->ev(rc->evctx, op);
                        struct dag_job *job = xmalloc(sizeof(*job));
                        job->rc = rc;
                        job->idx = i;
                        pthread_t t;
                        pthread_attr_t attr;
                        pthread_attr_init(&attr);
                        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                        pthread_attr_setstacksize(&attr, 256 * 1024);
                        rc->running++;
                        if (pthread_create(&t, &attr, dag_worker, job) != 0) {
                                /* No thread: run it inline (slower, still correct). */
                                pthread_mutex_unlock(&rc->mu);
                                dag_worker(job);
                                pthread_mutex_lock(&rc->mu);
                        }
                        pthread_attr_destroy(&attr);
                        progress = true;
                }
        }
}

int dag_run(struct dag *d, int parallel, bool dry_run, dag_event_fn ev, void *ctx, err_t *err)
{
        if (d->n == 0)
                return 0;
        size_t *order = xcalloc(d->n, sizeof(size_t));
        if (dag_topo(d, order, err) < 0) {
                free(order);
                return -1;
        }
        if (dry_run) {
                for (size_t i = 0; i < d->n; i++) {
                        d->ops[order[i]].state = DAG_DONE;
                        if (ev)
                                ev(ctx, &d->ops[order[i]]);
                }
                free(order);
                return 0;
        }
        free(order);

        struct dag_run_ctx rc = {.d = d, .parallel = parallel, .ev = ev, .evctx = ctx};
        pthread_mutex_init(&rc.mu, NULL);
        pthread_cond_init(&rc.cv, NULL);
        pthread_mutex_lock(&rc.mu);
        dag_schedule(&rc);
        while (rc.finished < d->n) {
                pthread_cond_wait(&rc.cv, &rc.mu);
                dag_schedule(&rc);
        }
        pthread_mutex_unlock(&rc.mu);
        pthread_mutex_destroy(&rc.mu);
        pthread_cond_destroy(&rc.cv);

        for (size_t i = 0; i < d->n; i++) {
                if (d->ops[i].state == DAG_FAILED) {
                        if (err) {
                                *err = d->ops[i].err;
                                err_wrap(err, "%s", d->ops[i].name);
                        }
                        return -1;
                }
        }
        return 0;
}
