/* commit.h - `commit`: a new image of a container's image plus its writable
 * layer as one layer, with the container's configuration and Dockerfile
 * instructions applied (`--change`, as `import --change`). */
#ifndef BERTH_ENGINE_COMMIT_H
#define BERTH_ENGINE_COMMIT_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/strv.h"
#include "runtime/image.h"

struct ctr_commit_opts {
        const char *tag;              /* REPOSITORY[:TAG], or NULL */
        const strv_t *changes;        /* Dockerfile instructions */
        const char *message, *author; /* may be NULL */
        bool pause;                   /* pause a running container meanwhile */
};

/* Commit container ref; *image_id gets the new image's id.  A running
 * container is paused for it (o->pause) and unpaused after; a failure to
 * unpause is a warning.  The commit event is logged. */
int ctr_commit(const char *ref, const struct ctr_commit_opts *o, char **image_id, strv_t *warnings,
               err_t *err);

/* The image config of a commit of container document j over its image img:
 * the container's Config (command, environment, user, ports, labels ...),
 * what it lacks from the image (volumes, healthcheck, stop signal), then
 * changes (as in a Dockerfile, ENTRYPOINT resets only an inherited CMD). */
int ctr_commit_config(const json_t *j, const struct rt_image *img, const strv_t *changes,
                      struct rt_image_config *cfg, err_t *err);

#endif
