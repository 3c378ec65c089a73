/* compose_project.c - globals -> loaded project, up's plan, and
 * engine/service.h's progress and warnings on this terminal. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "compose_build.h"
#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strbuf.h"
#include "base/fsutil.h"
#include "base/paths.h"
#include "base/xalloc.h"
#include "commands.h"
#include "compose_up.h"
#include "compose_up_opts.h"
#include "container_cli.h"
#include "progress.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"

int cproject_open(struct compose_globals *g, char **services, int nservices, struct cproject *cp)
{
        struct compose_load_opts lo;
        compose_globals_load_opts(g, &lo);
        err_t err;

        memset(cp, 0, sizeof(*cp));
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        cp->opened_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
        if (compose_load(&lo, &cp->src, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return -1;
        }
        compose_print_warnings(&cp->src.warnings);
        struct compose_model_opts mo = {
            .project_name = cp->src.name,
            .working_dir = cp->src.working_dir,
            .home = getenv("HOME"),
            .environment = cp->src.environment.v,
            .profiles = (const char *const *)cp->src.profiles.v,
            .nprofiles = cp->src.profiles.n,
            .services = (const char *const *)services,
            .nservices = (size_t)(nservices > 0 ? nservices : 0),
        };
        if (compose_project_decode(cp->src.root, &mo, &cp->p, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                compose_source_free(&cp->src);
                return -1;
        }
        compose_print_warnings(&cp->p->warnings);
        compose_build_names(cp->p);
        for (int i = 0; i < nservices; i++) {
                if (!compose_project_service(cp->p, services[i])) {
                        fprintf(stderr, "no such service: %s\n", services[i]);
                        cproject_close(cp);
                        return -1;
                }
        }
        return 0;
}

void cproject_close(struct cproject *cp)
{
        if (cp->p)
                compose_project_free(cp->p);
        cp->p = NULL;
        compose_source_free(&cp->src);
}

char *cproject_name(struct compose_globals *g)
{
        if (g->project_name)
                return compose_normalize_project_name(g->project_name);
        struct cproject cp;
        if (cproject_open(g, NULL, 0, &cp) < 0)
                return NULL;
        char *n = xstrdup(cp.p->name);
        cproject_close(&cp);
        return n;
}

int compose_parallel(const struct compose_globals *g)
{
        if (g->parallel == -1)
                return 0;
        if (g->parallel > 0)
                return g->parallel;
        const char *e = getenv("COMPOSE_PARALLEL_LIMIT");
        if (e && atoi(e) > 0)
                return atoi(e);
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? (int)(2 * n) : 4;
}

int compose_plan_make(const struct compose_project *p, const bool *sel, const struct cctr_list *obs,
                      const struct up_opts *o, char **svcs, int nsvcs, struct plan *out,
                      struct plan_ctr **pobs, err_t *err)
{
        _cleanup_free_ int *scale = xcalloc(p->nservices + 1, sizeof(int));
        _cleanup_free_ bool *present = xcalloc(p->nservices + 1, sizeof(bool));
        strv_t named = STRV_INIT;
        *pobs = NULL;
        for (size_t si = 0; si < p->nservices; si++) {
                const struct compose_service *s = &p->services[si];
                scale[si] = -1;
                if (!sel[si])
                        continue;
                if ((scale[si] = compose_scale_of(&o->scale, s, err)) < 0)
                        return -1;
                struct rt_image img;
                err_t e2;
                if (s->build.present && s->image && rt_image_lookup(s->image, &img, &e2) == 0) {
                        present[si] = true;
                        rt_image_free(&img);
                }
        }
        for (int i = 0; i < nsvcs; i++)
                strv_push(&named, svcs[i]);
        struct plan_opts po = up_plan_opts(o);
        po.named = &named;
        po.scale = scale;
        po.image_present = present;
        *pobs = compose_plan_observed(p, obs);
        int r = compose_plan(p, sel, *pobs, obs->n, &po, out, err);
        strv_free(&named);
        return r;
}

/* --- engine/service.h's output on this terminal ---------------------------- */

static size_t report_begin(void *ud, const char *kind, const char *name, bool working)
{
        size_t line = progress_add(ud, kind, name);
        if (working)
                progress_set(ud, line, PROGRESS_WORKING, "Creating");
        return line;
}

static void report_end(void *ud, size_t line, bool ok)
{
        progress_set(ud, line, ok ? PROGRESS_DONE : PROGRESS_ERROR, ok ? "Created" : "Error");
}

int cproject_ensure_networks(const struct compose_project *p, struct progress *pr, err_t *err)
{
        struct cproject_report rep = {.ud = pr, .begin = report_begin, .end = report_end};
        return project_ensure_networks(p, pr ? &rep : NULL, err);
}

int cproject_ensure_volumes(const struct compose_project *p, struct progress *pr, err_t *err)
{
        struct cproject_report rep = {.ud = pr, .begin = report_begin, .end = report_end};
        return project_ensure_volumes(p, pr ? &rep : NULL, err);
}

static void warn_key(void *ud, const char *service, const char *key, const char *why)
{
        (void)ud;
        fprintf(stderr, "WARN[0000] service %s: `%s` %s\n", service, key, why);
}

static void warn_create(void *ud, const char *msg)
{
        (void)ud;
        warn_msg("%s", msg);
}

int cctr_create(const struct cproject *cp, const struct compose_service *s,
                const struct cctr_opts *o, char **id_out, err_t *err)
{
        static const struct service_warn w = {.key = warn_key, .create = warn_create};
        return service_ctr_create(cp, s, o, &w, id_out, err);
}
