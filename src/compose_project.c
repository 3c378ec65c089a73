/* compose_project.c - globals -> loaded project, and engine/service.h's
 * progress and warnings on this terminal (the stop plan's progress lines). */
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
#include "container_cli.h"
#include "progress.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"

void compose_globals_load_opts(const struct compose_globals *g, struct compose_load_opts *lo)
{
        *lo = (struct compose_load_opts){
            .files = (const char *const *)g->files.v,
            .nfiles = g->files.n,
            .project_name = g->project_name,
            .project_dir = g->project_dir,
            .env_files = (const char *const *)g->env_files.v,
            .nenv_files = g->env_files.n,
            .profiles = (const char *const *)g->profiles.v,
            .nprofiles = g->profiles.n,
            .environ = environ,
        };
}

void compose_print_warnings(const strv_t *w)
{
        for (size_t i = 0; i < w->n; i++)
                fprintf(stderr, "WARN[0000] %s\n", w->v[i]);
}

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

int cproject_ctrs_open(struct compose_globals *g, char **svcs, int n, bool oneoff,
                       struct cproject_ctrs *c)
{
        err_t err;
        memset(c, 0, sizeof(*c));
        if (cproject_open(g, svcs, n, &c->cp) < 0)
                return -1;
        if (cctr_observe(c->cp.p->name, oneoff, &c->l, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                cproject_close(&c->cp);
                return -1;
        }
        c->which = xcalloc(c->l.n + 1, sizeof(bool));
        for (size_t i = 0; i < c->l.n; i++)
                c->which[i] = compose_selected(c->l.v[i].service, svcs, n);
        return 0;
}

void cproject_ctrs_close(struct cproject_ctrs *c)
{
        free(c->which);
        cctr_list_free(&c->l);
        cproject_close(&c->cp);
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

static size_t remove_begin(void *ud, const char *kind, const char *name, bool working)
{
        size_t line = progress_add(ud, kind, name);
        if (working)
                progress_set(ud, line, PROGRESS_WORKING, "Removing");
        return line;
}

static void remove_end(void *ud, size_t line, int rc, const err_t *err)
{
        progress_finish(ud, line, rc, err->msg, "Removed");
}

/* A removal's result as the commands take it: true when something failed,
 * a listing's error (r < 0) printed. */
static bool removed_said(int r, const err_t *err)
{
        if (r < 0)
                fprintf(stderr, "%s\n", err->msg);
        return r != 0;
}

bool cproject_remove_networks(const char *project, struct progress *pr)
{
        struct remove_report rep = {.ud = pr, .begin = remove_begin, .end = remove_end};
        err_t err;
        return removed_said(project_remove_networks(project, &rep, &err), &err);
}

bool cproject_remove_labelled_volumes(const char *project, struct progress *pr)
{
        struct remove_report rep = {.ud = pr, .begin = remove_begin, .end = remove_end};
        err_t err;
        return removed_said(project_remove_labelled_volumes(project, &rep, &err), &err);
}

bool cproject_remove_volumes(const struct compose_project *p, struct progress *pr)
{
        struct remove_report rep = {.ud = pr, .begin = remove_begin, .end = remove_end};
        return project_remove_volumes(p, &rep) != 0;
}

bool cproject_remove_images(const struct compose_project *p, bool all, struct progress *pr)
{
        struct remove_report rep = {.ud = pr, .begin = remove_begin, .end = remove_end};
        err_t err;
        return removed_said(project_remove_images(p, all, &rep, &err), &err);
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

/* engine/service.h's stop plan with its progress lines */
struct stop_lines {
        struct progress *pr;
        size_t *line;
};

static void stop_step(void *ud, size_t k, enum stop_step st)
{
        static const struct {
                enum progress_state state;
                const char *text;
        } show[] = {
            [STOP_STOPPING] = {PROGRESS_WORKING, "Stopping"},
            [STOP_STOPPED] = {PROGRESS_WORKING, "Stopped"},
            [STOP_REMOVING] = {PROGRESS_WORKING, "Removing"},
            [STOP_REMOVED] = {PROGRESS_DONE, "Removed"},
            [STOP_FAILED] = {PROGRESS_ERROR, "Error"},
        };
        struct stop_lines *sl = ud;
        progress_set(sl->pr, sl->line[k], show[st].state, show[st].text);
}

int compose_stop_plan(struct compose_globals *g, const struct compose_project *p,
                      struct cctr_list *l, bool *which, int timeout, bool rm, bool volumes,
                      const char *title, err_t *err)
{
        struct stop_plan sp;
        stop_plan_make(p, l, which, timeout, &sp);
        struct stop_lines sl = {.pr = progress_new(stderr, g->progress, title),
                                .line = xcalloc(sp.n + 1, sizeof(size_t))};
        for (size_t k = 0; k < sp.n; k++)
                sl.line[k] = progress_add(sl.pr, "Container", l->v[sp.ops[k].ctr].name);
        struct stop_report rep = {.ud = &sl, .step = stop_step};
        /* stopping is waiting: every container of a level at once unless
         * --parallel says otherwise, so down costs about one grace period */
        int r = stop_plan_run(&sp, l, rm, volumes, g->parallel, &rep, err);
        progress_end(sl.pr);
        free(sl.line);
        stop_plan_free(&sp);
        return r;
}
