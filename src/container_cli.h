/* container_cli.h - CLI helpers shared by the container commands. */
#ifndef BERTH_CONTAINER_CLI_H
#define BERTH_CONTAINER_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "base/err.h"

enum {
        ATTACH_NONE = 0,
        ATTACH_OUTPUT = 1, /* stream stdout/stderr until exit */
        ATTACH_STDIN = 2,  /* forward our stdin */
};

/* Start a created or exited container: launch its monitor, set up networking
 * between "created" and "started", let it exec.  With attach, stream it and
 * store its exit status in *status.  Returns < 0 with err filled on failure;
 * *status is then the docker exit status for the failure (125/126/127). */
int container_start(const char *id, int attach, int *status, err_t *err);

/* Stream an already running container (attach, start -a). */
int container_attach(const char *id, int attach, bool tty, int *status, err_t *err);

/* Networking between "created" and "started": the init of container id is
 * pid (blocked before exec) and j its state document.  Handles
 * NetworkMode none (own netns, loopback up) and host (no netns); the
 * networking module hooks user-defined networks in here. */
int container_network_setup(const char *id, pid_t pid, json_t *j, err_t *err);

/* Stop a running container: stop signal, timeout seconds (< 0: the
 * container's StopTimeout or 10), then SIGKILL.  Waits for it to exit. */
int container_stop(const char *id, int timeout, err_t *err);

/* Resolve ref, lock, load and reconcile.  *lockfd stays held when lockfd is
 * not NULL. */
int container_get(const char *ref, char **id, json_t **j, int *lockfd, err_t *err);

/* Signal number from "TERM", "SIGTERM" or "15". */
int signal_parse(const char *s);

/* docker-style durations: "Up 3 seconds", "About a minute" ... */
char *human_duration(long long secs);

#endif
