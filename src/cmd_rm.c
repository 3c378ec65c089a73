/* berth rm [-f] [-v] */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "engine/netglue.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/volume.h"

int cmd_rm(int argc, char **argv)
{
        bool force = false, vols = false;
        const struct cli_opt opts[] = {
            CLI_OPT("force", 'f', CLI_FLAG, &force,
                    "Force the removal of a running container (uses SIGKILL)"),
            CLI_OPT("volumes", 'v', CLI_FLAG, &vols,
                    "Remove anonymous volumes associated with the container"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "rm", "[OPTIONS] CONTAINER [CONTAINER...]",
                            "Remove one or more containers", opts, CLI_AT_LEAST(1));
        int rc = 0;
        for (int i = first; i < argc; i++) {
                err_t err = {0};
                _cleanup_free_ char *id = NULL;
                json_t *j = NULL;
                if (ctr_get(argv[i], &id, &j, NULL, &err) < 0) {
                        if (err.code == EBADMSG && force && id) {
                                /* corrupt state: kill what runs, remove what is there */
                                _cleanup_close_ int lk = rt_ctr_lock(id, &err);
                                if (lk >= 0 && rt_ctr_destroy(id, &err) == 0 &&
                                    netwire_release_state(id, &err) == 0) {
                                        printf("%s\n", argv[i]);
                                        continue;
                                }
                        }
                        error_msg("%s", err.msg);
                        rc = 1;
                        continue;
                }
                const char *st = rt_doc_status(j);
                bool paused = st && !strcmp(st, "paused");
                bool running =
                    st && (!strcmp(st, "running") || !strcmp(st, "restarting") || paused);
                if (paused && !force) {
                        error_msg("cannot remove container \"%s\": "
                                  "container is paused and must be unpaused first",
                                  argv[i]);
                        json_decref(j);
                        rc = 1;
                        continue;
                }
                if (running && !force) {
                        error_msg("cannot remove container \"%s\": "
                                  "container is %s: stop "
                                  "the container before removing or force remove",
                                  argv[i], st);
                        json_decref(j);
                        rc = 1;
                        continue;
                }
                if (running && ctr_stop(id, 0, &err) < 0) {
                        error_msg("%s", err.msg);
                        json_decref(j);
                        rc = 1;
                        continue;
                }
                _cleanup_close_ int lk = rt_ctr_lock(id, &err);
                if (lk < 0 || container_remove_locked(id, j, &err) < 0) {
                        error_msg("%s", err.msg);
                        json_decref(j);
                        rc = 1;
                        continue;
                }
                if (vols) { /* anonymous volumes go with their container */
                        size_t k;
                        json_t *m;
                        json_array_foreach(rt_doc_mounts(j), k, m)
                        {
                                const char *vn = rt_doc_mount_name(m);
                                if (vn && rt_volume_is_anon(vn) && rt_volume_remove(vn, &err) < 0)
                                        warn_msg("%s", err.msg);
                        }
                }
                json_decref(j);
                printf("%s\n", argv[i]);
        }
        return rc;
}
