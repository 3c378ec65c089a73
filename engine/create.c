/* create.c - the one create path of a container from its typed spec:
 * `berth run` / `create` (src/cmd_run.c) and a Dockerfile RUN step
 * (src/build.c) fill a struct ctr_spec and the network options; this
 * renders the stored document, makes the mounts, wires the network and
 * stores it. */
#include "create.h"

#include <errno.h>

#include "base/cleanup.h"
#include "runtime/container.h"
#include "start.h"

int container_create_spec(const struct ctr_spec *sp, char **id_out, strv_t *warnings,
                          enum ctr_create_step *step, err_t *err)
{
        enum ctr_create_step at = CTR_STEP_SPEC;
        if (!step)
                step = &at;
        *step = CTR_STEP_SPEC;
        if (sp->stop_signal && ctr_signal_parse(sp->stop_signal) <= 0)
                return err_set(err, EINVAL, "invalid signal: %s", sp->stop_signal);
        _cleanup_free_ char *id = rt_ctr_gen_id();
        json_t *j = NULL;
        int ret = -1;
        if (ctr_spec_render(sp, id, &j, err) < 0)
                goto out;
        *step = CTR_STEP_MOUNTS;
        if (ctr_spec_mounts(sp, j, err) < 0)
                goto out;
        *step = CTR_STEP_NETWORK;
        if (netwire_create(j, &sp->net, sp->hostname != NULL, warnings, err) < 0)
                goto out;
        *step = CTR_STEP_FILES;
        if (ctr_spec_files(sp, j, err) < 0)
                goto out;
        *step = CTR_STEP_STORE;
        if (ctr_create(j, sp->auto_remove && sp->start_now ? RT_CTR_VOLATILE : 0, err) < 0)
                goto out;
        *id_out = TAKE_PTR(id);
        ret = 0;
out:
        if (ret < 0)
                ctr_remove_anon_volumes(j, NULL); /* made for this container and nothing else */
        json_decref(j);
        return ret;
}
