/* create.h - the one create path of a container from its typed spec. */
#ifndef BERTH_ENGINE_CREATE_H
#define BERTH_ENGINE_CREATE_H

#include "base/err.h"
#include "base/strv.h"
#include "netglue.h"
#include "spec.h"

/* The step of container_create_spec that failed (front ends that add
 * context to some errors tell them apart). */
enum ctr_create_step {
        CTR_STEP_SPEC,    /* the spec itself (stop signal), or rendering it */
        CTR_STEP_MOUNTS,  /* ctr_spec_mounts */
        CTR_STEP_NETWORK, /* netwire_create */
        CTR_STEP_FILES,   /* ctr_spec_files */
        CTR_STEP_STORE,   /* ctr_create */
};

/* Create a container from its spec (checked: its host part by
 * ctr_host_check), networks and ports included: the one create path of
 * `run`, `create`, a compose service and a Dockerfile RUN step.  *id_out is
 * the new id (caller frees); a failure leaves nothing behind, and *step
 * (when not NULL) says which step failed.  Warnings are appended to
 * warnings, also when it fails (the caller prints them before the error). */
int container_create_spec(const struct ctr_spec *sp, char **id_out, strv_t *warnings,
                          enum ctr_create_step *step, err_t *err);

#endif
