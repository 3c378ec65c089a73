/* workers.c - see workers.h. */
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>

#include "xalloc.h"

void run_workers(size_t n, void *(*fn)(void *), void *arg)
{
        if (!n)
                return;
        pthread_t *th = xcalloc(n, sizeof(*th));
        size_t started = 0;
        for (; started < n; started++)
                if (pthread_create(&th[started], NULL, fn, arg) != 0)
                        break;
        if (!started)
                fn(arg);
        for (size_t i = 0; i < started; i++)
                pthread_join(th[i], NULL);
        free(th);
}

void workers_fail(pthread_mutex_t *mu, bool *failed, err_t *first, const err_t *e)
{
        pthread_mutex_lock(mu);
        if (!*failed) {
                *failed = true;
                *first = *e;
        }
        pthread_mutex_unlock(mu);
}
