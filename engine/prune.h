/* prune.h - what the remove and prune commands remove, and what they must
 * leave: a stopped container removed under its lock, which containers use
 * which image and volume, the prune filters (until=, label=, label!=)
 * applied to containers, images, networks and volumes.  Nothing here prints
 * or reads argv: src/prune_cli.c parses the --filter values into a struct
 * prune_filter and prints the report. */
#ifndef BERTH_ENGINE_PRUNE_H
#define BERTH_ENGINE_PRUNE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/strv.h"

/* Which containers use which image ("Image" of each state document), for
 * rt_image_remove/rt_image_prune: pass image_users_find and the struct. */
struct image_users {
        struct {
                char *id, *image;
                bool running;
        } * v;
        size_t n;
};
int image_users_load(struct image_users *u, err_t *err);
/* A container using image_id (a running one first; *running says which),
 * or NULL (ud: the struct image_users). */
const char *image_users_find(const char *image_id, bool *running, void *ud);
void image_users_free(struct image_users *u);

/* The prune filters: Docker's until= and label= / label!=.  Images the
 * filters leave out are kept through rt_image_prune's in-use callback,
 * prune_filter_in_use (ud: the filter), beside those containers use (users,
 * loaded by the caller). */
struct prune_filter {
        struct image_users users;
        int64_t until_ns;     /* 0: none */
        strv_t label, nlabel; /* "k" or "k=v": all must match / not all may */
        strv_t keep;          /* image ids the filters leave out */
};
/* Do labels (an object, or NULL) pass the label=/label!= filters (pf NULL:
 * none)? */
bool prune_filter_labels(const struct prune_filter *pf, const json_t *labels);
/* The same as network_prune's match (ud: the filter). */
bool prune_net_match(const json_t *labels, void *ud);
/* After the users are loaded: which images the filters keep. */
int prune_filter_apply(struct prune_filter *pf, err_t *err);
const char *prune_filter_in_use(const char *image_id, bool *running, void *ud);
void prune_filter_free(struct prune_filter *pf);

/* Remove a stopped container whose lock the caller holds (j its state): its
 * network attachments, then its state and directories. */
int container_remove_locked(const char *id, json_t *j, err_t *err);
/* `rm [-f] [-v] ref`: a running, restarting or paused container is
 * refused ("cannot remove container ...") unless force, which stops it
 * first (SIGKILL); then container_remove_locked under its lock, and with
 * volumes its anonymous volumes (one that cannot go is a warning in
 * warnings).  With force, a container whose state cannot be read is removed
 * all the same: what runs killed, its directories, its network endpoints. */
int container_rm(const char *ref, bool force, bool volumes, strv_t *warnings, err_t *err);

/* Remove every stopped (created, exited, dead) container, each checked
 * again under its lock (one that starts meanwhile stays); pf (NULL: none):
 * only those created before its until, with its labels.  Their ids go to
 * removed, the sizes of their writable layers are added to *reclaimed. */
int container_prune(strv_t *removed, unsigned long long *reclaimed, const struct prune_filter *pf,
                    err_t *err);

/* Names of the volumes that containers (in any state) mount, added to used. */
void volumes_in_use(strv_t *used);
/* Bytes in a volume (0 when it cannot be read). */
unsigned long long volume_size(const char *name);
/* Remove the volumes no container mounts: anonymous ones, every one with
 * all; pf (NULL: none): only those with its labels.  Their names go to
 * removed, their sizes are added to *reclaimed. */
int volume_prune(bool all, const struct prune_filter *pf, strv_t *removed,
                 unsigned long long *reclaimed, err_t *err);

#endif
