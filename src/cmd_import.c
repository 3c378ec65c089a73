/* berth image import / berth import: a rootfs tarball becomes a one-layer image. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/err.h"
#include "commands.h"
#include "runtime/image.h"

static void import_usage(FILE *f)
{
        fprintf(f, "Usage:  berth image import [OPTIONS] file|- [REPOSITORY[:TAG]]\n\n"
                   "Import the contents from a tarball to create a filesystem image\n\n"
                   "Options:\n"
                   "  -c, --change list        Apply Dockerfile instruction to the created image\n"
                   "  -m, --message string     Set commit message for imported image\n");
}

int cmd_import(int argc, char **argv)
{
        static const struct option opts[] = {
            {"change", required_argument, NULL, 'c'},
            {"message", required_argument, NULL, 'm'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        struct rt_image_config cfg = {0};
        const char *message = NULL;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *id = NULL;
        err_t err;
        int c, rc = EXIT_BERTH;

        optind = 0;
        while ((c = getopt_long(argc, argv, "c:m:h", opts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        if (rt_image_config_apply_change(&cfg, optarg, &err) < 0) {
                                error_msg("invalid --change \"%s\": %s", optarg, err.msg);
                                goto out;
                        }
                        break;
                case 'm':
                        message = optarg;
                        break;
                case 'h':
                        import_usage(stdout);
                        rc = 0;
                        goto out;
                default:
                        import_usage(stderr);
                        goto out;
                }
        }
        if (argc - optind < 1 || argc - optind > 2) {
                error_msg(
                    "\"import\" requires 1 or 2 arguments.\nSee 'berth image import --help'.");
                goto out;
        }
        const char *src = argv[optind];
        const char *name = argc - optind == 2 ? argv[optind + 1] : NULL;
        if (!strcmp(src, "-")) {
                fd = dup(STDIN_FILENO);
        } else {
                fd = open(src, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        error_msg("open %s: %s", src, strerror(errno));
                        goto out;
                }
        }
        if (rt_image_import(fd, name, &cfg, message, &id, &err) < 0) {
                error_msg("%s", err.msg);
                goto out;
        }
        printf("%s\n", id);
        rc = 0;
out:
        rt_image_config_free(&cfg);
        return rc;
}
