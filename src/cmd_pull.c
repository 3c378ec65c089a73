/* berth pull / berth image pull [-a] [-q] [--platform os/arch[/variant]]
 * NAME[:TAG|@DIGEST]: one image, or every tag of a repository with -a, pulled
 * by pull_cli.c's pull_image. */
#include <stdlib.h>

#include "base/err.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "cli.h"
#include "commands.h"
#include "layer_lines.h"
#include "pull.h"
#include "runtime/registry.h"

int cmd_pull(int argc, char **argv)
{
        struct pull_push_args a = {.platform = getenv("DOCKER_DEFAULT_PLATFORM")};
        int rc;
        int first = pull_push_args_parse(argc, argv, "pull", "[OPTIONS] NAME[:TAG|@DIGEST]",
                                         "Download an image from a registry",
                                         "Download all tagged images in the repository",
                                         "Set platform if server is multi-platform capable", &a);
        if (first <= 0)
                return cli_status(first);
        const char *ref = argv[first];
        err_t err;
        if (!a.all) {
                if (pull_image(stdout, ref, a.platform, a.quiet, &err) < 0) {
                        error_msg("%s", err.msg);
                        return EXIT_BERTH;
                }
                return 0;
        }
        char *name = all_tags_repo(ref, &err);
        if (!name) {
                error_msg("%s", err.msg);
                return EXIT_BERTH;
        }
        strv_t tags = STRV_INIT;
        struct reg_pull_opts o = {.platform = a.platform};
        rc = 0;
        if (reg_list_tags(name, &o, &tags, &err) < 0) {
                error_msg("%s", err.msg);
                rc = EXIT_BERTH;
        }
        for (size_t i = 0; rc == 0 && i < tags.n; i++) {
                char *one = xasprintf("%s:%s", name, tags.v[i]);
                if (pull_image(stdout, one, a.platform, a.quiet, &err) < 0) {
                        error_msg("%s", err.msg);
                        rc = EXIT_BERTH;
                }
                free(one);
        }
        strv_free(&tags);
        free(name);
        return rc;
}
