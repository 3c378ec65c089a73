/* berth rmi / berth image rm: remove images. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/strv.h"
#include "cli.h"
#include "commands.h"
#include "container_cli.h"
#include "runtime/image.h"

int cmd_rmi(int argc, char **argv)
{
        bool force = false;
        const struct cli_opt opts[] = {
            CLI_OPT("force", 'f', CLI_FLAG, &force, "Force removal of the image"),
            CLI_OPT("no-prune", 0, CLI_FLAG, NULL, NULL), /* images have no parent images here */
            {0}};
        const struct cli_cmd cmd = CLI_CMD("rmi", "[OPTIONS] IMAGE [IMAGE...]",
                                           "Remove one or more images", opts, CLI_AT_LEAST(1));
        int rc = 0, first = cli_parse(&cmd, argc, argv);
        if (first <= 0)
                return cli_status(first);
        struct image_users users;
        err_t lerr;
        if (image_users_load(&users, &lerr) < 0) {
                error_msg("%s", lerr.msg);
                return EXIT_BERTH;
        }
        for (int i = first; i < argc; i++) {
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
