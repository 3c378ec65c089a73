/* workers.h - a few threads working through one queue that the caller keeps
 * (registry pulls and pushes, compose pulls). */
#ifndef BERTH_BASE_WORKERS_H
#define BERTH_BASE_WORKERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Runs fn(arg) on n threads and waits for them all to return.  When a thread
 * cannot be made, the ones made do the work; when none can, fn runs once on
 * the calling thread.  n of 0 does nothing. */
void run_workers(size_t n, void *(*fn)(void *), void *arg);

/* A worker's failure: the pool's first one is kept (*failed set, *first = *e),
 * the later ones dropped.  Takes mu. */
void workers_fail(pthread_mutex_t *mu, bool *failed, err_t *first, const err_t *e);

#endif
