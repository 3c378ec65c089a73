/* compose_pull.c - `compose pull` and the pulls of `up` (compose_pull.h).
 *
 * pull_policy as compose v2: always / refresh pull every time, never and
 * build never pull, missing / if_not_present (the default) pull what is not
 * in the store, daily / weekly / every_<duration> pull what is missing or
 * was last pulled longer ago than that. */
#include <errno.h>
#include <getopt.h>
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

#define PULL_PARALLEL 4

struct pjob {
        const struct compose_service *s; /* the first service naming the image */
        strv_t services;                 /* every service naming it */
        size_t line;
        bool soft; /* failure is a warning (service can be built) */
        int rc;
        err_t err;
};

struct pctx {
        struct pjob *jobs;
        size_t n, next;
        struct progress *pr;
        pthread_mutex_t mu;
};

static void *pull_worker(void *arg)
{
        struct pctx *c = arg;
        for (;;) {
                pthread_mutex_lock(&c->mu);
                size_t i = c->next < c->n ? c->next++ : c->n;
                pthread_mutex_unlock(&c->mu);
                if (i >= c->n)
                        break;
                struct pjob *j = &c->jobs[i];
                if (c->pr)
                        progress_set(c->pr, j->line, PROGRESS_WORKING, "Pulling");
                struct reg_pull_opts o = {.platform = j->s->platform};
                struct reg_pull_result res;
                j->rc = reg_pull(j->s->image, &o, &res, &j->err);
                if (j->rc == 0)
                        reg_pull_result_free(&res);
                if (c->pr) {
                        if (j->rc == 0)
                                progress_set(c->pr, j->line, PROGRESS_DONE, "Pulled");
                        else
                                progress_set(c->pr, j->line,
                                             j->soft ? PROGRESS_DONE : PROGRESS_ERROR,
                                             j->soft ? "Skipped" : "Error");
                }
        }
        return NULL;
}

int compose_pull_services(struct compose_globals *g, struct compose_project *p, char **names, int n,
                          enum compose_pull_mode mode, bool quiet, bool ignore_failures, err_t *err)
{
        struct pctx c = {.jobs = xcalloc(p->nservices ? p->nservices : 1, sizeof(struct pjob))};
        pthread_mutex_init(&c.mu, NULL);
        strv_t images = STRV_INIT; /* normalised names, index = job */
        for (size_t i = 0; i < p->nservices; i++) {
                const struct compose_service *s = &p->services[i];
                if (!s->image || !compose_selected(s->name, names, n) ||
                    compose_build_local_image(s))
                        continue;
                _cleanup_free_ char *norm = NULL;
                err_t e2;
                if (rt_image_ref_normalize(s->image, &norm, &e2) < 0)
                        norm = xstrdup(s->image);
                ssize_t k = strv_index(&images, norm);
                if (k >= 0) { /* the same image: pulled once */
                        strv_push(&c.jobs[k].services, s->name);
                        continue;
                }
                if (!service_wants_pull(s, mode))
                        continue;
                struct pjob *j = &c.jobs[c.n++];
                j->s = s;
                j->soft = ignore_failures || s->build.present;
                strv_push(&j->services, s->name);
                strv_push(&images, norm);
        }
        int r = 0;
        if (c.n) {
                if (!quiet) {
                        c.pr = progress_new(stderr, g->progress, "Pulling");
                        for (size_t i = 0; i < c.n; i++)
                                c.jobs[i].line = progress_add(c.pr, c.jobs[i].s->name, "");
                }
                size_t nth = c.n < PULL_PARALLEL ? c.n : PULL_PARALLEL;
                if (g->parallel > 0 && (size_t)g->parallel < nth)
                        nth = (size_t)g->parallel;
                pthread_t th[PULL_PARALLEL];
                size_t started = 0;
                for (; started < nth; started++)
                        if (pthread_create(&th[started], NULL, pull_worker, &c) != 0)
                                break;
                if (!started)
                        pull_worker(&c);
                for (size_t i = 0; i < started; i++)
                        pthread_join(th[i], NULL);
                if (c.pr)
                        progress_end(c.pr);
                for (size_t i = 0; i < c.n; i++) {
                        struct pjob *j = &c.jobs[i];
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
        for (size_t i = 0; i < p->nservices; i++)
                strv_free(&c.jobs[i].services);
        free(c.jobs);
        strv_free(&images);
        pthread_mutex_destroy(&c.mu);
        return r;
}

int compose_cmd_pull(struct compose_globals *g, int argc, char **argv)
{
        static const struct option opts[] = {
            {"ignore-pull-failures", no_argument, NULL, 'i'},
            {"include-deps", no_argument, NULL, 'd'},
            {"quiet", no_argument, NULL, 'q'},
            {"policy", required_argument, NULL, 'P'},
            {"ignore-buildable", no_argument, NULL, 'b'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
        };
        bool ignore = false, deps = false, quiet = false;
        enum compose_pull_mode mode = COMPOSE_PULL_ALWAYS;
        int c, rc = 1;
        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
                switch (c) {
                case 'i':
                        ignore = true;
                        break;
                case 'd':
                        deps = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'b':
                        break;
                case 'P':
                        if (!strcmp(optarg, "always")) {
                                mode = COMPOSE_PULL_ALWAYS;
                        } else if (!strcmp(optarg, "missing")) {
                                mode = COMPOSE_PULL_MISSING;
                        } else {
                                fprintf(stderr,
                                        "invalid --policy option \"%s\": use always or "
                                        "missing\n",
                                        optarg);
                                return 1;
                        }
                        break;
                case 'h':
                        printf("Usage:  berth compose pull [OPTIONS] [SERVICE...]\n\n"
                               "Pull service images\n\n"
                               "Options:\n"
                               "      --ignore-pull-failures   Pull what it can and ignores "
                               "images with pull failures\n"
                               "      --include-deps           Also pull services declared as "
                               "dependencies\n"
                               "      --policy string          Apply pull policy (\"missing\"|"
                               "\"always\")\n"
                               "  -q, --quiet                  Pull without printing progress "
                               "information\n");
                        return 0;
                default:
                        fprintf(stderr, "unknown flag: %s\nSee 'berth compose pull --help'.\n",
                                argv[optind - 1]);
                        return 1;
                }
        }
        struct cproject cp;
        if (cproject_open(g, argv + optind, argc - optind, &cp) < 0)
                return 1;
        bool *sel = NULL;
        strv_t svc = STRV_INIT;
        err_t err = {0};
        int n = argc - optind;
        if (n > 0 && deps) {
                if (cproject_select(cp.p, argv + optind, n, true, &sel, &err) < 0) {
                        fprintf(stderr, "%s\n", err.msg);
                        goto done;
                }
                for (size_t i = 0; i < cp.p->nservices; i++)
                        if (sel[i])
                                strv_push(&svc, cp.p->services[i].name);
        } else { /* cproject_open refused the names that are no service */
                for (int i = 0; i < n; i++)
                        strv_push(&svc, argv[optind + i]);
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
