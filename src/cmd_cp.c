/* berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-
 *          [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH
 * The copying itself, confined to the container's root, is runtime/ctr_copy.c. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/ctr_copy.h"

static const char cp_usage[] = "Usage:  berth cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                               "        berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\n"
                               "Copy files/folders between a container and the local filesystem\n\n"
                               "Use '-' as the source to read a tar archive from stdin\n"
                               "and extract it to a directory destination in a container.\n"
                               "Use '-' as the destination to stream a tar archive of a\n"
                               "container source to stdout.\n\n"
                               "Aliases:\n"
                               "  berth container cp, berth cp\n\n"
                               "Options:\n"
                               "  -a, --archive       Archive mode (copy all uid/gid information)\n"
                               "  -L, --follow-link   Always follow symbol link in SRC_PATH\n"
                               "  -q, --quiet         Suppress progress output during copy\n";

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
        static const struct option lo[] = {
            {"archive", no_argument, NULL, 'a'},
            {"follow-link", no_argument, NULL, 'L'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        struct rt_cp_opts o = {false, false};
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "aLqh", lo, NULL)) != -1) {
                switch (c) {
                case 'a':
                        o.archive = true;
                        break;
                case 'L':
                        o.follow = true;
                        break;
                case 'q':
                        break; /* there is no progress output to suppress */
                case 'h':
                        printf("%s", cp_usage);
                        return 0;
                default:
                        error_msg("unknown flag: %s\nSee 'berth cp --help'.", argv[optind - 1]);
                        return EXIT_BERTH;
                }
        }
        if (argc - optind != 2) {
                error_msg(
                    "\"berth cp\" requires exactly 2 arguments.\nSee 'berth cp --help'.\n\n%s",
                    cp_usage);
                return EXIT_BERTH;
        }
        _cleanup_free_ char *sctr = NULL, *dctr = NULL;
        const char *spath, *dpath;
        split_arg(argv[optind], &sctr, &spath);
        split_arg(argv[optind + 1], &dctr, &dpath);
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
