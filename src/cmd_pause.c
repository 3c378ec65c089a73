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

/* ud: true to pause, false to unpause */
static int pause_one(const char *id, const char *arg, void *ud, err_t *err)
{
        bool pause = *(bool *)ud;
        _cleanup_free_ char *cid = NULL;
        _cleanup_json_ json_t *j = NULL;
        (void)arg;
        if (ctr_get(id, &cid, &j, NULL, err) < 0)
                return -1;
        const char *st = rt_doc_status(j) ?: "";
        if (pause && !strcmp(st, "paused"))
                return err_set(err, EALREADY, "container %s is already paused", id);
        if (pause && strcmp(st, "running"))
                return err_set(err, ESRCH, "container %s is not running", id);
        if (!pause && strcmp(st, "paused"))
                return err_set(err, EINVAL, "Container %s is not paused", id);
        ctr_set_paused(id, pause, err);
        return err->msg[0] ? -1 : 0;
}

static int pause_main(int argc, char **argv, bool pause)
{
        const struct cli_cmd cmd =
            pause ? (struct cli_cmd)CLI_CMD("pause", "CONTAINER [CONTAINER...]",
                                            "Pause all processes within one or more containers",
                                            NULL, CLI_AT_LEAST(1))
                  : (struct cli_cmd)CLI_CMD("unpause", "CONTAINER [CONTAINER...]",
                                            "Unpause all processes within one or more containers",
                                            NULL, CLI_AT_LEAST(1));
        return container_each(cli_parse(&cmd, argc, argv), argc, argv, pause_one, &pause);
}

int cmd_pause(int argc, char **argv)
{
        return pause_main(argc, argv, true);
}

int cmd_unpause(int argc, char **argv)
{
        return pause_main(argc, argv, false);
}
