/* pull.h - pulling images for the commands that need one (pull, run/create
 * --pull, build FROM, compose pull/up). */
#ifndef BERTH_PULL_H
#define BERTH_PULL_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"

/* Pull ref with Docker's output on out (quiet: none; on stdout the full
 * reference ends it, as `docker pull` prints it).  platform may be NULL. */
int pull_image(FILE *out, const char *ref, const char *platform, bool quiet, err_t *err);

enum pull_policy { PULL_MISSING, PULL_ALWAYS, PULL_NEVER };
/* "missing" | "always" | "never" (Docker's --pull values). */
int pull_policy_parse(const char *s, enum pull_policy *out, err_t *err);
/* Make sure image is present per policy: pull it when missing (printing
 * "Unable to find image 'X' locally" first) or always; never: only look. */
int pull_ensure(FILE *out, const char *image, enum pull_policy pol, const char *platform,
                bool quiet, err_t *err);

#endif
