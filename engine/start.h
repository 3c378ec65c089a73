/* start.h - a container's life after create: its monitor launched, its
 * networks wired between "created" and "started", stop, and the restart
 * marks.  Attaching a terminal to the stream is the caller's (src/).
 * Every function here is named ctr_*. */
#ifndef BERTH_ENGINE_START_H
#define BERTH_ENGINE_START_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

enum {
        ATTACH_NONE = 0,
        ATTACH_OUTPUT = 1, /* stream stdout/stderr until exit */
        ATTACH_STDIN = 2,  /* forward our stdin */
        ATTACH_ENDED = 4,  /* --rm: RT_STREAM_ENDED once it ended, before its removal */
};

/* The most descriptors a monitor keeps open for a container (ctr_start). */
#define MONITOR_KEEP_FDS_MAX 64

struct ctr_start_opts {
        int attach;                /* ATTACH_*: hand back the attach stream */
        unsigned short rows, cols; /* the caller's terminal, for a container with a tty */
        const int *keep_fds;       /* kept open by the monitor (see ctr_start) */
        size_t nkeep;
};

/* Start a created or exited container: launch its monitor (which keeps
 * o->keep_fds, fewer than MONITOR_KEEP_FDS_MAX, open for the container's
 * lifetime, e.g. listening sockets that reserve published host ports; they
 * never reach the container), set up networking between "created" and
 * "started", let it exec.  With o->attach, *sock is the container's attach
 * stream, connected before its process ran (*tty: the container has a
 * terminal), for the caller to stream; else -1.  Returns < 0 with err
 * filled on failure; *status is then the docker exit status for the failure
 * (125/126/127), else 0.  A container that runs already: 0, nothing done
 * (*sock -1). */
int ctr_start(const char *id, const struct ctr_start_opts *o, int *sock, bool *tty, int *status,
              err_t *err);

/* Connect to the attach stream of running container id (rows, cols: the
 * terminal's size for a container with a tty, else 0). */
int ctr_attach_connect(const char *id, int attach, unsigned short rows, unsigned short cols,
                       err_t *err);

/* Stop a running container: stop signal, timeout seconds (< 0: the
 * container's StopTimeout or 10), then SIGKILL.  Waits for it to exit. */
int ctr_stop(const char *id, int timeout, err_t *err);
/* ctr_stop without netwire_release: for a removal, whose one release
 * (netwire_release with remove) does all that the stop's would. */
int ctr_stop_process(const char *id, int timeout, err_t *err);

/* Docker's HasBeenManuallyStopped: set by stop and kill, cleared by start; an
 * unless-stopped container the user stopped is not started by `system boot`.
 * Kept as the file stopped-by-user in the container's directory. */
void ctr_mark_user_stop(const char *id, bool on);
bool ctr_stopped_by_user(const char *id);

/* Does container id's restart policy start it again after it ended without a
 * `stop` (always; unless-stopped unless the user stopped it; with failed,
 * on-failure while RestartCount is below its maximum)? */
bool ctr_policy_restarts(const char *id, json_t *j, bool failed);

/* Resolve ref, lock, load and reconcile.  *lockfd stays held when lockfd is
 * not NULL.  A container whose config.json cannot be read: EBADMSG, with *id
 * set all the same (ps -a shows it, rm -f removes it). */
int ctr_get(const char *ref, char **id, json_t **j, int *lockfd, err_t *err);

/* Pause (freeze) or unpause a running container through its monitor, which
 * records State.Status "paused" / "running".  ESRCH: it is not running. */
int ctr_set_paused(const char *id, bool pause, err_t *err);

/* Signal number from "TERM", "SIGTERM" or "15". */
int ctr_signal_parse(const char *s);

#endif
