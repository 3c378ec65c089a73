/* berth compose push [--ignore-push-failures] [-q] [SERVICE...]: push the
 * images of the services that are built (build:) and name their image
 * (image:), as docker compose v2 does; the others are skipped. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "compose_build.h"
#include "compose_cmds.h"
#include "compose_more.h"
#include "compose_up.h"
#include "runtime/registry.h"

int compose_cmd_push(struct compose_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
            {"ignore-push-failures", no_argument, NULL, 'i'},
            {"include-deps", no_argument, NULL, 'd'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        bool ignore = false, quiet = false;
        int c;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        ignore = true;
                        break;
                case 'd':
                        break; /* dependencies are pushed when they are built and named */
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        printf("Usage:  berth compose push [OPTIONS] [SERVICE...]\n\n"
                               "Push service images\n\n"
                               "Options:\n"
                               "      --ignore-push-failures   Push what it can and ignores "
                               "images with push failures\n"
                               "      --include-deps           Also push images of services "
                               "declared as dependencies\n"
                               "  -q, --quiet                  Push without printing progress "
                               "information\n");
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose push --help'.\n",
                                argv[optind - 1]);
                        return 1;
                }
        }
        char **names = argv + optind;
        int nnames = argc - optind;
        struct cproject cp;
        if (cproject_open(g, names, nnames, &cp) < 0) /* refuses names that are no service */
                return 1;
        int rc = 0;
        for (size_t i = 0; i < cp.p->nservices && rc == 0; i++) {
                const struct compose_service *s = &cp.p->services[i];
                if (!compose_selected(s->name, names, nnames))
                        continue;
                if (!s->build.present || compose_build_local_image(s) || !s->image) {
                        if (!quiet)
                                fprintf(stderr, " \u2714 Service %s  Skipped\n", s->name);
                        continue;
                }
                if (!quiet)
                        fprintf(stderr, " - Service %s  Pushing %s\n", s->name, s->image);
                struct reg_push_result res;
                err_t err;
                if (reg_push(s->image, NULL, &res, &err) < 0) {
                        if (ignore) {
                                fprintf(stderr, "Pushing %s: %s\n", s->name, err.msg);
                                continue;
                        }
                        fprintf(stderr, " \u2718 Service %s  Error %s\n", s->name, err.msg);
                        rc = 1;
                        break;
                }
                if (!quiet)
                        fprintf(stderr, " \u2714 Service %s  Pushed %s@%s\n", s->name, s->image,
                                res.digest);
                reg_push_result_free(&res);
        }
        cproject_close(&cp);
        return rc;
}
