/* create.h - the one create path of a container from its typed spec. */
#ifndef BERTH_ENGINE_CREATE_H
#define BERTH_ENGINE_CREATE_H

#include "base/err.h"
#include "base/strv.h"
#include "netglue.h"
#include "spec.h"

/* Create a container from its spec (checked: its host part by
 * ctr_host_check) and network options: the one create path of `run`,
 * `create` and a Dockerfile RUN step.  *id_out is the new id (caller frees);
 * a failure leaves nothing behind.  Warnings are appended to warnings, also
 * when it fails (the caller prints them before the error). */
int container_create_spec(const struct ctr_spec *sp, const struct netwire_opts *nw, char **id_out,
                          strv_t *warnings, err_t *err);

#endif
