/* berth load / berth image load: images from a docker-save or OCI archive. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "base/strv.h"
#include "commands.h"
#include "runtime/image.h"

int cmd_load(int argc, char **argv)
{
        static const struct option opts[] = {
            {"input", required_argument, NULL, 'i'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *input = NULL;
        bool quiet = false;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "i:qh", opts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        input = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        printf(
                            "Usage:  berth load [OPTIONS]\n\n"
                            "Load an image from a tar archive or STDIN\n\n"
                            "Options:\n"
                            "  -i, --input string   Read from tar archive file, instead of STDIN\n"
                            "  -q, --quiet          Suppress the load output\n");
                        return 0;
                default:
                        return EXIT_BERTH;
                }
        }
        if (optind != argc) {
                error_msg("\"load\" accepts no arguments.\nSee 'berth load --help'.");
                return EXIT_BERTH;
        }
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
