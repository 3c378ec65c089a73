/* berth save / berth image save: images into a tar archive (docker-save format,
 * also an OCI image layout). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"
#include "commands.h"
#include "runtime/image.h"

int cmd_save(int argc, char **argv)
{
        static const struct option opts[] = {
            {"output", required_argument, NULL, 'o'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        const char *output = NULL;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        printf("Usage:  berth save [OPTIONS] IMAGE [IMAGE...]\n\n"
                               "Save one or more images to a tar archive (streamed to STDOUT by "
                               "default)\n\n"
                               "Options:\n"
                               "  -o, --output string   Write to a file, instead of STDOUT\n");
                        return 0;
                default:
                        return EXIT_BERTH;
                }
        }
        if (optind >= argc) {
                error_msg("\"save\" requires at least 1 argument.\nSee 'berth save --help'.");
                return EXIT_BERTH;
        }
        int fd;
        char *tmp = NULL;
        if (output && strcmp(output, "-") != 0) {
                /* write next to the target and rename: no half-written archive on error.
                 * The temp name is random and created O_EXCL (mkostemp), so
                 * nobody can plant a symlink or a file there beforehand. */
                const char *slash = strrchr(output, '/');
                tmp = slash ? xasprintf("%.*s/.berth-save-XXXXXX", (int)(slash - output), output)
                            : xstrdup(".berth-save-XXXXXX");
                fd = mkostemp(tmp, O_CLOEXEC);
                if (fd < 0) {
                        error_msg("create a temporary file next to %s: %s", output,
                                  strerror(errno));
                        free(tmp);
                        return EXIT_BERTH;
                }
                mode_t um = umask(0);
                umask(um);
                (void)fchmod(fd, 0666 & ~um);
        } else {
                if (isatty(STDOUT_FILENO)) {
                        error_msg("cowardly refusing to save to a terminal. Use the -o flag or "
                                  "redirect");
                        return EXIT_BERTH;
                }
                fd = STDOUT_FILENO;
        }
        err_t err;
        int r =
            rt_image_save((const char *const *)argv + optind, (size_t)(argc - optind), fd, &err);
        if (tmp) {
                if (r == 0 && fsync(fd) < 0)
                        r = err_sys(&err, errno, "write %s", output);
                close(fd);
                if (r == 0 && rename(tmp, output) < 0)
                        r = err_sys(&err, errno, "rename %s", output);
                if (r < 0)
                        unlink(tmp);
                free(tmp);
        }
        if (r < 0) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        return 0;
}
