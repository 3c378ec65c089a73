/* compose_build.c - compose `build:` (see compose_build.h). */
#include "compose_build.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "build_cli.h"
#include "compose/model.h"
#include "runtime/image.h"
#include "runtime/ctr_doc.h"

static int build_one(struct compose_service *s, bool quiet, bool no_cache, const strv_t *cli_args,
                     err_t *err)
{
        struct build_opts o = {.quiet = quiet, .out = &build_out_cli};
        if (service_build_opts(s, no_cache, cli_args, &o, err) < 0)
                return -1;
        if (!quiet)
                fprintf(stderr, "[+] Building %s (%s)\n", s->name, s->image);
        fflush(stderr);
        _cleanup_free_ char *id = NULL;
        /* the builder prints to stdout: compose progress goes to stderr */
        fflush(stdout);
        int saved = quiet ? -1 : dup(1);
        if (saved >= 0)
                dup2(2, 1);
        int r = build_image(&o, &id, err);
        fflush(stdout);
        if (saved >= 0) {
                dup2(saved, 1);
                close(saved);
        }
        service_build_opts_free(&o);
        if (r < 0)
                return err_wrap(err, "failed to build service %s", s->name);
        if (!quiet)
                fprintf(stderr, " \u2714 Service %s  Built\n", s->name);
        return 0;
}

static int build_services(struct compose_project *p, char **names, int n, enum plan_build_mode mode,
                          bool quiet, bool no_cache, const strv_t *cli_args, err_t *err)
{
        strv_t done = STRV_INIT;
        int r = 0;
        for (size_t i = 0; i < p->nservices && r == 0; i++) {
                struct compose_service *s = &p->services[i];
                if (!s->build.present || !s->image || !compose_selected(s->name, names, n) ||
                    strv_contains(&done, s->image))
                        continue;
                struct rt_image img;
                err_t e2;
                bool present =
                    mode == PLAN_BUILD_MISSING && rt_image_lookup(s->image, &img, &e2) == 0;
                if (present)
                        rt_image_free(&img);
                if (plan_build_reason(s, mode, present) == PLAN_R_NONE)
                        continue;
                r = build_one(s, quiet, no_cache, cli_args, err);
                strv_push(&done, s->image);
        }
        strv_free(&done);
        return r;
}

int compose_build_services(struct compose_project *p, char **names, int n,
                           enum plan_build_mode mode, bool quiet, err_t *err)
{
        return build_services(p, names, n, mode, quiet, false, NULL, err);
}

int compose_build_service(struct compose_service *s, bool quiet, err_t *err)
{
        return build_one(s, quiet, false, NULL, err);
}

int compose_cmd_build(struct compose_globals *g, int argc, char **argv)
{
        bool no_cache = false, quiet = false;
        strv_t args = STRV_INIT;
        int rc = 1;
        const struct cli_opt opts[] = {
            CLI_OPT("build-arg", 0, CLI_LIST, &args, "Set build-time variables",
                    .type = "stringArray"),
            CLI_OPT("no-cache", 0, CLI_FLAG, &no_cache, "Do not use cache when building"),
            CLI_OPT("pull", 0, CLI_FLAG, NULL, NULL), /* nothing to pull: images are local */
            CLI_OPT("quiet", 'q', CLI_FLAG, &quiet, "Don't print anything to STDOUT"),
            {0}};
        int first = COMPOSE_PARSE(argc, argv, "build", "[OPTIONS] [SERVICE...]",
                                  "Build or rebuild services", opts, CLI_ANY_ARGS);
        if (first <= 0) {
                rc = first < 0 ? 1 : 0;
                goto done;
        }
        struct cproject cp;
        if (cproject_open(g, argv + first, argc - first, &cp) < 0)
                goto done;
        struct sigaction sa = {.sa_handler = build_interrupt}, old_int, old_term;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
        err_t err = {0};
        if (build_services(cp.p, argv + first, argc - first, PLAN_BUILD_ALWAYS, quiet, no_cache,
                           &args, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
        } else {
                rc = 0;
        }
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        cproject_close(&cp);
done:
        strv_free(&args);
        return rc;
}
