/* dag.h - run a graph of operations with bounded parallelism.
 *
 * Compose turns desired state into operations (create network, create
 * container, start, wait healthy...) with dependencies; dag_run() executes
 * them as soon as their dependencies are done, at most `parallel` at once, on
 * worker threads.  An operation whose dependency failed (or was skipped) is
 * skipped, independent branches go on, and the first failure is returned.
 * With dry_run nothing is executed: operations are reported in an order that
 * respects the dependencies. */
#ifndef BERTH_DAG_H
#define BERTH_DAG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum dag_state { DAG_PENDING, DAG_RUNNING, DAG_DONE, DAG_FAILED, DAG_SKIPPED };

typedef int (*dag_fn)(void *arg, err_t *err);

struct dag_op {
        char *name; /* "Container hello-web-1  Started" style subject, owned */
        dag_fn fn;  /* NULL: a pure synchronisation point */
        void *arg;
        size_t *deps; /* indices of operations that must be DONE first */
        size_t ndeps, capdeps;
        enum dag_state state;
        err_t err;                /* filled when state == DAG_FAILED */
        double started, finished; /* monotonic seconds */
};

struct dag {
        struct dag_op *ops;
        size_t n, cap;
};

/* Event callback (called with an internal lock held, from any thread). */
typedef void (*dag_event_fn)(void *ctx, const struct dag_op *op);

size_t dag_add(struct dag *d, const char *name, dag_fn fn, void *arg);
void dag_depend(struct dag *d, size_t op, size_t on);
/* Returns 0 when every operation is DONE, else -1 with the first failure in
 * err (wrapped with the operation's name).  Dependency cycles are an error
 * before anything runs.  parallel <= 0 means unlimited. */
int dag_run(struct dag *d, int parallel, bool dry_run, dag_event_fn ev, void *ctx, err_t *err);
void dag_free(struct dag *d);

#endif
