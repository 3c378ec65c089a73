/* hash.h - per-service configuration hash for recreate decisions.
 *
 * sha256 (hex) of the canonical JSON (sorted keys, compact) of the service's
 * normalised configuration, leaving out what does not require recreating a
 * container, as docker compose does: `build`, `pull_policy`, `scale`,
 * `deploy.replicas`, `depends_on` and `profiles`.  Two configurations that
 * normalise to the same document (short vs long syntax, key order) hash the
 * same. */
#ifndef BERTH_COMPOSE_HASH_H
#define BERTH_COMPOSE_HASH_H

#include <jansson.h>

#include "err.h"

#define COMPOSE_HASH_LEN 64

/* out receives 64 lowercase hex digits and a NUL. */
int compose_service_hash(const json_t *service, char out[COMPOSE_HASH_LEN + 1], err_t *err);

#endif
