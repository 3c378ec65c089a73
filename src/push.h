/* push.h - pushing images for the commands that need one (push, compose push). */
#ifndef BERTH_PUSH_H
#define BERTH_PUSH_H

#include <stdbool.h>

#include "base/err.h"

/* Push ref with Docker's output on stdout (quiet: only NAME:TAG at the end);
 * platform (may be NULL): push --platform. */
int push_image(const char *ref, bool quiet, const char *platform, err_t *err);

#endif
