/* berth pause / unpause: freeze and thaw a container's cgroup through its
 * monitor, which records State.Status "paused" / "running". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/monitor.h"

static int pause_main(int argc, char **argv, bool pause)
{
        const struct cli_cmd cmd =
            pause ? (struct cli_cmd)CLI_CMD("pause", "CONTAINER [CONTAINER...]",
                                            "Pause all processes within one or more containers",
                                            NULL, CLI_AT_LEAST(1))
                  : (struct cli_cmd)CLI_CMD("unpause", "CONTAINER [CONTAINER...]",
                                            "Unpause all processes within one or more containers",
                                            NULL, CLI_AT_LEAST(1));
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0)
                return cli_status(first);
        int rc = 0;
        for (int i = first; i < argc; i++) {
                err_t err = {0};
                _cleanup_free_ char *id = NULL;
                _cleanup_json_ json_t *j = NULL;
                if (ctr_get(argv[i], &id, &j, NULL, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = 1;
                        continue;
                }
                const char *st = rt_doc_status(j) ?: "";
                if (pause && !strcmp(st, "paused"))
                        err_set(&err, EALREADY, "container %s is already paused", id);
                else if (pause && strcmp(st, "running"))
                        err_set(&err, ESRCH, "container %s is not running", id);
                else if (!pause && strcmp(st, "paused"))
                        err_set(&err, EINVAL, "Container %s is not paused", id);
                else
                        ctr_set_paused(id, pause, &err);
                if (err.msg[0]) {
                        error_msg("%s", err.msg);
                        rc = 1;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return rc;
}

int cmd_pause(int argc, char **argv)
{
        return pause_main(argc, argv, true);
}

int cmd_unpause(int argc, char **argv)
{
        return pause_main(argc, argv, false);
}
