/* berth load / berth image load: images from a docker-save or OCI archive. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/strv.h"
#include "cli.h"
#include "commands.h"
#include "runtime/image.h"

int cmd_load(int argc, char **argv)
{
        const char *input = NULL;
        bool quiet = false;
        const struct cli_opt opts[] = {
            CLI_OPT("input", 'i', CLI_STRING, &input,
                    "Read from tar archive file, instead of STDIN"),
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Suppress the load output"),
            {0}};
        CLI_PARSE_OR_RETURN(first, argc, argv, "load", "[OPTIONS]",
                            "Load an image from a tar archive or STDIN", opts, CLI_NO_ARGS);
        _cleanup_close_ int fd = -1;
        if (input && strcmp(input, "-") != 0) {
                fd = open(input, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        error_msg("open %s: %s", input, strerror(errno));
                        return EXIT_BERTH;
                }
        } else {
                if (isatty(STDIN_FILENO)) {
                        error_msg("requested load from stdin, but stdin is empty");
                        return EXIT_BERTH;
                }
                fd = dup(STDIN_FILENO);
        }
        strv_t report = STRV_INIT;
        err_t err;
        int r = rt_image_load(fd, &report, &err);
        for (size_t i = 0; !quiet && i < report.n; i++)
                printf("%s\n", report.v[i]);
        strv_free(&report);
        if (r < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}
