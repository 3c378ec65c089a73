/* berth rm [-f] [-v] */
#include <stdio.h>

#include "cli.h"
#include "commands.h"
#include "engine/prune.h"

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
                strv_t warnings = STRV_INIT;
                int r = container_rm(argv[i], force, vols, &warnings, &err);
                warn_flush(&warnings);
                if (r < 0) {
                        error_msg("%s", err.msg);
                        rc = 1;
                        continue;
                }
                printf("%s\n", argv[i]);
        }
        return rc;
}
