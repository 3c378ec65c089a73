/* berth commit [-a AUTHOR] [-c CHANGE]... [-m MESSAGE] [-p=false] CONTAINER
 * [REPOSITORY[:TAG]]: a new image of the container's image plus its upper dir
 * as one layer, with the container's configuration and the -c changes
 * (Dockerfile instructions, as `import --change`). */
#include <stdio.h>
#include <stdlib.h>

#include "base/strv.h"
#include "cli.h"
#include "commands.h"
#include "engine/commit.h"

int cmd_commit(int argc, char **argv)
{
        const char *author = NULL, *msg = NULL;
        bool pause = true;
        strv_t changes = STRV_INIT;
        const struct cli_opt opts[] = {
            CLI_OPT("author", 'a', CLI_STRING, &author,
                    "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"),
            CLI_OPT("change", 'c', CLI_LIST, &changes,
                    "Apply Dockerfile instruction to the created image"),
            CLI_OPT("message", 'm', CLI_STRING, &msg, "Commit message"),
            CLI_OPT("pause", 'p', CLI_FLAG, &pause, "Pause container during commit (default true)"),
            {0}};
        const struct cli_cmd cmd =
            CLI_CMD("commit", "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
                    "Create a new image from a container's changes", opts, CLI_RANGE(1, 2),
                    .more = "Aliases:\n  berth container commit, berth commit\n");
        int first = cli_parse(&cmd, argc, argv);
        if (first <= 0) {
                strv_free(&changes);
                return cli_status(first);
        }
        struct ctr_commit_opts o = {.tag = argc - first == 2 ? argv[first + 1] : NULL,
                                    .changes = &changes,
                                    .message = msg,
                                    .author = author,
                                    .pause = pause};
        char *image_id = NULL;
        strv_t warnings = STRV_INIT;
        err_t err = {0};
        int r = ctr_commit(argv[first], &o, &image_id, &warnings, &err);
        warn_flush(&warnings);
        strv_free(&changes);
        if (r == 0)
                printf("%s\n", image_id);
        else
                error_msg("%s", err.msg);
        free(image_id);
        return r < 0 ? 1 : 0;
}
