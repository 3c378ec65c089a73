/* df.h - what `system df` and `info` count: images (every layer once, as on
 * disk), containers by state with their writable layers, volumes; what no
 * container uses is reclaimable.  Nothing prints: a listing that fails is a
 * warning handed back. */
#ifndef BERTH_ENGINE_DF_H
#define BERTH_ENGINE_DF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/strv.h"

struct ctr_counts {
        size_t total, running, paused, stopped; /* running: running or restarting */
        unsigned long long size, size_active;   /* writable layers (with sizes) */
};
/* Count the containers by reconciled state (one whose state cannot be read
 * counts as stopped); with sizes, the bytes of their writable layers
 * (size_active: of the running, restarting and paused ones).  A listing
 * that fails leaves the counts at 0 and adds its error to warnings. */
void ctr_counts(struct ctr_counts *c, bool sizes, strv_t *warnings);

/* One row of `system df`: how many, how many in use, bytes, bytes in use. */
struct df_usage {
        size_t total, active;
        unsigned long long size, used;
};
struct disk_usage {
        struct df_usage images;     /* active: used by a container; a layer once */
        struct df_usage containers; /* active: running or paused */
        struct df_usage volumes;    /* active: mounted by a container */
};
/* Fill du; -1 with err when the images or the containers' images cannot be
 * read, the failure of another listing is a warning. */
int disk_usage(struct disk_usage *du, strv_t *warnings, err_t *err);

#endif
