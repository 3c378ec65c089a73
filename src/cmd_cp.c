/* berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-
 *          [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH
 * The copying itself, confined to the container's root, is runtime/ctr_copy.c. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/ctr_copy.h"

/* Docker's splitCpArg: an absolute path or one starting with "." is local
 * even with a colon; otherwise "CONTAINER:PATH" names a container. */
static void split_arg(const char *arg, char **ctr, const char **path)
{
        *ctr = NULL;
        *path = arg;
        if (arg[0] == '/' || arg[0] == '.')
                return;
        const char *colon = strchr(arg, ':');
        if (!colon)
                return;
        *ctr = xstrndup(arg, (size_t)(colon - arg));
        *path = colon + 1;
}

int cmd_cp(int argc, char **argv)
{
        struct rt_cp_opts o = {false, false};
        const struct cli_opt opts[] = {
            CLI_OPT("archive", 'a', CLI_FLAG, &o.archive,
                    "Archive mode (copy all uid/gid information)"),
            CLI_OPT("follow-link", 'L', CLI_FLAG, &o.follow,
                    "Always follow symbol link in SRC_PATH"),
            CLI_OPT("quiet", 'q', CLI_FLAG, NULL, "Suppress progress output during copy"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "cp",
                            "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                            " berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH",
                            "Copy files/folders between a container and the local filesystem\n\n"
                            "Use '-' as the source to read a tar archive from stdin\n"
                            "and extract it to a directory destination in a container.\n"
                            "Use '-' as the destination to stream a tar archive of a\n"
                            "container source to stdout.",
                            opts, CLI_EXACTLY(2),
                            .more = "Aliases:\n berth container cp, berth cp\n");
        _cleanup_free_ char *sctr = NULL, *dctr = NULL;
        const char *spath, *dpath;
        split_arg(argv[first], &sctr, &spath);
        split_arg(argv[first + 1], &dctr, &dpath);
        if (sctr && dctr) {
                error_msg("copying between containers is not supported");
                return EXIT_BERTH;
        }
        if (!sctr && !dctr) {
                error_msg("must specify at least one container source");
                return EXIT_BERTH;
        }
        if (!*spath) {
                error_msg("source can not be empty");
                return EXIT_BERTH;
        }
        if (!*dpath) {
                error_msg("destination can not be empty");
                return EXIT_BERTH;
        }
        err_t err = {0};
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        if (ctr_get(sctr ? sctr : dctr, &id, &j, NULL, &err) < 0) {
                error_msg("%s", err.msg);
                return 1;
        }
        int r;
        if (sctr) {
                bool to_stdout = !strcmp(dpath, "-");
                if (to_stdout && isatty(STDOUT_FILENO)) {
                        error_msg("cannot copy to a TTY: redirect the output to a file or a pipe");
                        return 1;
                }
                r = rt_cp_from_ctr(id, j, spath, to_stdout ? NULL : dpath, STDOUT_FILENO, &o, &err);
        } else {
                bool from_stdin = !strcmp(spath, "-");
                r = rt_cp_to_ctr(id, j, from_stdin ? NULL : spath, STDIN_FILENO, dpath, &o, &err);
        }
        if (r < 0) {
                error_msg("%s", err.msg);
                return 1;
        }
        return 0;
}
