/* compose_pull.c - `compose pull` and the pulls of `up` (compose_pull.h).
 *
 * pull_policy as compose v2: always / refresh pull every time, never and
 * build never pull, missing / if_not_present (the default) pull what is not
 * in the store, daily / weekly / every_<duration> pull what is missing or
 * was last pulled longer ago than that. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/duration.h"
#include "base/strv.h"
#include "base/xalloc.h"
#include "compose/model.h"
#include "compose_build.h"
#include "compose_pull.h"
#include "progress.h"
#include "runtime/image.h"
#include "runtime/registry.h"

/* engine/service.h's pulls with their progress lines */
struct pull_lines {
        struct progress *pr;
        const struct service_pulls *sp;
        size_t *line;
};

static void pull_step(void *ud, size_t k, enum pull_step st)
{
        struct pull_lines *pl = ud;
        bool soft = pl->sp->v[k].soft;
        if (st == PULL_PULLING)
                progress_set(pl->pr, pl->line[k], PROGRESS_WORKING, "Pulling");
        else if (st == PULL_PULLED)
                progress_set(pl->pr, pl->line[k], PROGRESS_DONE, "Pulled");
        else
                progress_set(pl->pr, pl->line[k], soft ? PROGRESS_DONE : PROGRESS_ERROR,
                             soft ? "Skipped" : "Error");
}

int compose_pull_services(struct compose_globals *g, struct compose_project *p, char **names, int n,
                          enum compose_pull_mode mode, bool quiet, bool ignore_failures, err_t *err)
{
        struct service_pulls sp;
        service_pulls_make(p, names, n, mode, ignore_failures, &sp);
        int r = 0;
        if (sp.n) {
                struct pull_lines pl = {.sp = &sp};
                struct pull_report rep = {.ud = &pl, .step = pull_step};
                if (!quiet) {
                        pl.pr = progress_new(stderr, g->progress, "Pulling");
                        pl.line = xcalloc(sp.n, sizeof(size_t));
                        for (size_t i = 0; i < sp.n; i++)
                                pl.line[i] = progress_add(pl.pr, sp.v[i].s->name, "");
                }
                service_pulls_run(&sp, g->parallel, quiet ? NULL : &rep);
                if (pl.pr)
                        progress_end(pl.pr);
                free(pl.line);
                for (size_t i = 0; i < sp.n; i++) {
                        struct service_pull *j = &sp.v[i];
                        if (j->rc == 0)
                                continue;
                        if (j->soft) {
                                fprintf(stderr, "WARN[0000] %s: %s\n", j->s->name, j->err.msg);
                                continue;
                        }
                        if (r == 0) {
                                *err = j->err;
                                err_wrap(err, "%s", j->s->name);
                        }
                        r = -1;
                }
        }
        service_pulls_free(&sp);
        return r;
}

int compose_cmd_pull(struct compose_globals *g, int argc, char **argv)
{
        bool ignore = false, deps = false, quiet = false;
        const char *policy = "always";
        int rc = 1;
        const struct cli_opt opts[] = {
            CLI_OPT("ignore-buildable", 0, CLI_FLAG, NULL, NULL),
            COMPOSE_TRANSFER_OPTS("Pull", "pull", &ignore, &quiet),
            CLI_OPT("include-deps", 0, CLI_FLAG, &deps,
                    "Also pull services declared as dependencies"),
            CLI_OPT("policy", 0, CLI_STRING, &policy, "Apply pull policy (\"missing\"|\"always\")"),
            {0}};
        int first = COMPOSE_PARSE(argc, argv, "pull", "[OPTIONS] [SERVICE...]",
                                  "Pull service images", opts, CLI_ANY_ARGS);
        if (first <= 0)
                return first < 0 ? 1 : 0;
        enum compose_pull_mode mode = COMPOSE_PULL_ALWAYS;
        if (!strcmp(policy, "missing")) {
                mode = COMPOSE_PULL_MISSING;
        } else if (strcmp(policy, "always")) {
                fprintf(stderr, "invalid --policy option \"%s\": use always or missing\n", policy);
                return 1;
        }
        struct cproject cp;
        if (cproject_open(g, argv + first, argc - first, &cp) < 0)
                return 1;
        bool *sel = NULL;
        strv_t svc = STRV_INIT;
        err_t err = {0};
        int n = argc - first;
        if (n > 0 && deps) {
                if (cproject_select(cp.p, argv + first, n, true, &sel, &err) < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        goto done;
                }
                for (size_t i = 0; i < cp.p->nservices; i++)
                        if (sel[i])
                                strv_push(&svc, cp.p->services[i].name);
        } else { /* cproject_open refused the names that are no service */
                for (int i = 0; i < n; i++)
                        strv_push(&svc, argv[first + i]);
        }
        if (compose_pull_services(g, cp.p, svc.v, (int)svc.n, mode, quiet, ignore, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                goto done;
        }
        rc = 0;
done:
        free(sel);
        strv_free(&svc);
        cproject_close(&cp);
        return rc;
}
