/* pull.h - pulling images for the commands that need one (pull, run/create
 * --pull, build FROM, compose pull/up). */
#ifndef BERTH_PULL_H
#define BERTH_PULL_H

#include <stdbool.h>

#include "base/err.h"

/* Pull ref with Docker's output on stdout (quiet: only the reference).
 * platform may be NULL. */
int pull_image(const char *ref, const char *platform, bool quiet, err_t *err);

#endif
