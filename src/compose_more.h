/* compose_more.h - compose v2 behaviour outside the up/down hot paths:
 * --dry-run plans, label-only down/ps (-p without a compose file), events,
 * and service keys translated or warned about outside compose_ctr.c. */
#ifndef BERTH_COMPOSE_MORE_H
#define BERTH_COMPOSE_MORE_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "compose_cmds.h"
#include "compose_up.h"
#include "engine/spec.h"

/* `berth compose --dry-run CMD ...`: for up, create, down, stop and rm print
 * the operations docker compose v2 would report (" DRY-RUN MODE -  Container
 * p-web-1  Created") without changing anything; read-only commands run as
 * usual (returns -2: run the command); any other command is refused.
 * Returns the exit status otherwise. */
#define COMPOSE_DRY_PASS (-2)
int compose_dry_run(struct compose_globals *g, int argc, char **argv);

/* True when no compose file is given or found but -p names the project: the
 * commands that work from labels alone (down, ps) then do so. */
bool compose_labels_only(const struct compose_globals *g);

/* `ls --filter name=RE`: true when patterns is empty or one of its regular
 * expressions (POSIX extended, unanchored, as docker's filters) matches. */
bool compose_name_match(const strv_t *patterns, const char *name);

/* `down` from labels only: remove the project's containers, its networks and
 * (volumes) its volumes.  Returns the exit status. */
int compose_down_labels(struct compose_globals *g, bool volumes, int timeout);

/* `stop [SERVICE...]` from labels only (services matched by the service
 * label; every container at once).  Returns the exit status. */
int compose_stop_labels(struct compose_globals *g, char **svcs, int nsvcs, int timeout);

#endif
