/* ctr_net.h - a container's networks changed after it was created
 * (`network connect` / `network disconnect`): its document under its lock,
 * a running container wired (or unwired) at once. */
#ifndef BERTH_ENGINE_CTR_NET_H
#define BERTH_ENGINE_CTR_NET_H

#include "base/err.h"
#include "base/strv.h"

/* Container ref joins network net (ip: its address, NULL: one from the
 * pool; aliases: its names there beside its own).  A running container is
 * attached now as its next ethN and its names registered; a stopped one is
 * attached when it starts.  The document is saved. */
int ctr_network_connect(const char *ref, const char *net, const char *ip, const strv_t *aliases,
                        err_t *err);
/* Container ref leaves network net (detached now when it runs); the
 * disconnect event is logged. */
int ctr_network_disconnect(const char *ref, const char *net, err_t *err);

#endif
