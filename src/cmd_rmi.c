/* berth rmi / berth image rm: remove images. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/strv.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/image.h"

int cmd_rmi(int argc, char **argv)
{
        static const struct option opts[] = {
            {"force", no_argument, NULL, 'f'},
            {"no-prune", no_argument, NULL, 'n'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        bool force = false;
        int c, rc = 0;

        optind = 0;
        while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'n':
                        break; /* images have no parent images here: nothing to keep */
                case 'h':
                        printf("Usage:  berth rmi [OPTIONS] IMAGE [IMAGE...]\n\n"
                               "Remove one or more images\n\n"
                               "Options:\n"
                               "  -f, --force      Force removal of the image\n");
                        return 0;
                default:
                        return EXIT_BERTH;
                }
        }
        if (optind >= argc) {
                error_msg("\"rmi\" requires at least 1 argument.\nSee 'berth rmi --help'.");
                return EXIT_BERTH;
        }
        struct image_users users;
        err_t lerr;
        if (image_users_load(&users, &lerr) < 0) {
                error_msg("%s", lerr.msg);
                return EXIT_BERTH;
        }
        for (int i = optind; i < argc; i++) {
                strv_t report = STRV_INIT;
                err_t err;
                int r = rt_image_remove(argv[i], force, image_users_find, &users, &report, &err);
                for (size_t k = 0; k < report.n; k++)
                        printf("%s\n", report.v[k]);
                strv_free(&report);
                if (r < 0) {
                        error_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                }
        }
        image_users_free(&users);
        return rc;
}
