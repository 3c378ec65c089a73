/* top_ps.h - Docker's default top table (ps -ef's columns) for a container. */
#ifndef BERTH_TOP_PS_H
#define BERTH_TOP_PS_H

#include "base/err.h"
#include "base/strv.h"

#define TOP_PS_TITLES "UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCMD"

/* One tab-separated row (TOP_PS_TITLES' columns) per process of the running
 * container id, in its cgroup's order. */
int top_ps(const char *id, strv_t *rows, err_t *err);

#endif
