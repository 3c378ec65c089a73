/* merge.h - merging compose trees (13-merge.md) as docker compose v2 does.
 *
 * Mappings merge key by key (x-* keys are replaced), sequences append,
 * scalars are replaced, a null override keeps the base.  Special cases by
 * path: command/entrypoint/healthcheck.test replaced; environment, labels,
 * annotations, build.args, sysctls, dns*, env_file, tmpfs... become sequences
 * ("K=V") and append; extra_hosts append without duplicates; build string =
 * {context: ...}; depends_on/networks lists become mappings; logging merges
 * only with the same driver; ulimits.* replaced; networks.*.ipam.config merge
 * by subnet.  After merging, cmerge_unicity() drops earlier entries that share
 * a unique key with a later one (volumes/devices by target, ports by
 * ip:published:target/protocol, secrets/configs by target, K=V lists by K...).
 *
 * `!reset` / `!override` (compose "reset processor"): creset_collect() removes
 * !reset values from a freshly parsed tree and records their paths together
 * with the paths of !override values; creset_apply() deletes those paths from
 * the tree the file is merged into, so !reset clears and !override replaces. */
#ifndef BERTH_COMPOSE_MERGE_H
#define BERTH_COMPOSE_MERGE_H

#include "err.h"
#include "node.h"
#include "strv.h"

/* Merge file tree `over` into `*base` (both consumed; *base replaced). */
int cmerge(struct cnode **base, struct cnode *over, err_t *err);
/* Merge a service definition over the one it extends (path services.<x>). */
int cmerge_service(struct cnode **base, struct cnode *over, err_t *err);
/* Enforce uniqueness in the sequences listed above, in place. */
int cmerge_unicity(struct cnode *root, err_t *err);

/* Paths are stored as key components joined by '\x1f'. */
void creset_collect(struct cnode *root, strv_t *paths);
void creset_apply(struct cnode *target, const strv_t *paths);

#endif
