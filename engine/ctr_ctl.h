/* ctr_ctl.h - a running container's monitor asked to signal it (`kill`) or
 * to say when it exits (`wait`), through its control socket. */
#ifndef BERTH_ENGINE_CTR_CTL_H
#define BERTH_ENGINE_CTR_CTL_H

#include "base/err.h"

/* Send signal sig to container id's process (ref: as the user named it,
 * for the error) and mark it stopped by the user.  ESRCH ("cannot kill
 * container: REF: container ID is not running") when it does not run. */
int ctr_kill(const char *id, const char *ref, int sig, err_t *err);

/* Block until container id exits; its exit code (the recorded one when it
 * is not running, 0 when it was removed on exit). */
int ctr_wait_code(const char *id);

#endif
