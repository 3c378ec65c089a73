/* berth compose push [--ignore-push-failures] [-q] [SERVICE...]: push the
 * images of the services that are built (build:) and name their image
 * (image:), as docker compose v2 does; the others are skipped. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "compose_build.h"
#include "compose_cmds.h"
#include "compose_more.h"
#include "compose_pull.h"
#include "compose_up.h"
#include "runtime/registry.h"

int compose_cmd_push(struct compose_globals *g, int argc, char **argv)
{
        bool ignore = false, quiet = false;
        const struct cli_opt opts[] = {
            COMPOSE_TRANSFER_OPTS("Push", "push", &ignore, &quiet),
            /* dependencies are pushed when they are built and named */
            CLI_OPT("include-deps", 0, CLI_FLAG, NULL,
                    "Also push images of services declared as dependencies"),
            {0}};
        int first = COMPOSE_PARSE(argc, argv, "push", "[OPTIONS] [SERVICE...]",
                                  "Push service images", opts, CLI_ANY_ARGS);
        if (first <= 0)
                return first < 0 ? 1 : 0;
        char **names = argv + first;
        int nnames = argc - first;
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
