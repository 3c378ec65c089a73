/* crash.c - named crash points (crash.h). */
#include "crash.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

void crash_point(const char *name)
{
        /* read once; concurrent first calls read the same value */
        static const char *want, *stop;
        static int init;
        if (!__atomic_load_n(&init, __ATOMIC_ACQUIRE)) {
                __atomic_store_n(&want, getenv("BERTH_CRASH_AT"), __ATOMIC_RELAXED);
                __atomic_store_n(&stop, getenv("BERTH_PAUSE_AT"), __ATOMIC_RELAXED);
                __atomic_store_n(&init, 1, __ATOMIC_RELEASE);
        }
        const char *w = __atomic_load_n(&want, __ATOMIC_RELAXED);
        if (w && !strcmp(w, name))
                raise(SIGKILL);
        const char *p = __atomic_load_n(&stop, __ATOMIC_RELAXED);
        if (p && !strcmp(p, name))
                raise(SIGSTOP); /* until a SIGCONT */
}
