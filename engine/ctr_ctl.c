/* ctr_ctl.c - kill and wait through a container's monitor (ctr_ctl.h). */
#include "ctr_ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/monitor.h"
#include "start.h"

int ctr_kill(const char *id, const char *ref, int sig, err_t *err)
{
        _cleanup_free_ char *cid = NULL;
        json_t *j = NULL;
        if (ctr_get(id, &cid, &j, NULL, err) < 0)
                return -1;
        json_decref(j);
        char req[32];
        snprintf(req, sizeof(req), "kill %d\n", sig);
        int fd = rt_ctl_connect(id, req, NULL);
        char reply[32] = "";
        ssize_t n = fd >= 0 ? read(fd, reply, sizeof(reply) - 1) : -1;
        if (fd >= 0)
                close(fd);
        if (n <= 0 || atoi(reply) != 0)
                return err_set(err, ESRCH,
                               "cannot kill container: %s: container %.12s is not running", ref,
                               id);
        ctr_mark_user_stop(id, true);
        return 0;
}

int ctr_wait_code(const char *id)
{
        int code = -1;
        int fd = rt_ctl_connect(id, "wait\n", NULL);
        if (fd >= 0) {
                int stream;
                char *data = NULL;
                size_t len;
                if (rt_frame_read(fd, &stream, &data, &len) == 1 && stream == RT_STREAM_EXIT)
                        code = atoi(data);
                free(data);
                close(fd);
        }
        if (code < 0) { /* not running (any more): the recorded status */
                json_t *j = NULL;
                _cleanup_free_ char *id2 = NULL;
                err_t err;
                if (ctr_get(id, &id2, &j, NULL, &err) < 0) {
                        code = 0; /* removed on exit (--rm) */
                } else {
                        code = rt_doc_exit_code(j);
                        json_decref(j);
                }
        }
        return code;
}
