/* project_rm.h - removing what a compose project made besides its
 * containers (`compose down`): its networks and volumes.  Networks are found
 * by their com.docker.compose.project label (also ones the compose file no
 * longer has, and without a compose file); volumes by the file's `volumes:`
 * or, without a file, by the label; images by the file's services.  Each removal is reported
 * through a struct remove_report (src/ draws the progress lines); nothing prints. */
#ifndef BERTH_ENGINE_PROJECT_RM_H
#define BERTH_ENGINE_PROJECT_RM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "compose/model.h"

struct remove_report {
        void *ud;
        /* kind ("Network", "Volume") name is about to go (working: say
         * "Removing" now); returns the handle end takes. */
        size_t (*begin)(void *ud, const char *kind, const char *name, bool working);
        /* It went (rc 0), or not (rc < 0, err says why). */
        void (*end)(void *ud, size_t handle, int rc, const err_t *err);
};

/* Remove the networks labelled as project's (network_remove drops their
 * names from berth-dns too).  Returns 0 when every one went, 1 when one
 * failed (reported through rep, which may be NULL), -1 with err when the
 * networks could not be listed. */
int project_remove_networks(const char *project, const struct remove_report *rep, err_t *err);
/* The same for the volumes labelled as project's (down -v from labels). */
int project_remove_labelled_volumes(const char *project, const struct remove_report *rep,
                                    err_t *err);
/* Remove the volumes p declares (not external ones) that exist; returns 0,
 * or 1 when one failed (reported). */
int project_remove_volumes(const struct compose_project *p, const struct remove_report *rep);
/* `down --rmi`: remove the images of p's services (all: every service's;
 * else only those berth names itself, build without image:), none that a
 * container (of another project) still uses; one already gone counts as
 * removed.  Returns 0, 1 when one failed (reported), -1 with err when the
 * containers' images could not be read. */
int project_remove_images(const struct compose_project *p, bool all,
                          const struct remove_report *rep, err_t *err);

#endif
