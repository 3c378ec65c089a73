/* service_observe.c - a compose project's observed containers (by their
 * labels), the project lock, and the helpers the planner and the commands
 * share: selection with dependencies, levels, scale, orphans. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/paths.h"
#include "base/xalloc.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"
#include "service.h"
#include "start.h"

int cproject_lock(const char *project, err_t *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/compose", berth_run_dir());
        if (mkdir_p(dir, 0700, err) < 0)
                return -1;
        _cleanup_free_ char *path = xasprintf("%s/%s.lock", dir, project);
        for (;;) {
                int fd = lock_file(path, err);
                if (fd < 0)
                        return err_wrap(err, "project %s", project);
                /* down unlinks the file it holds (cproject_unlock_gone): a
                 * lock on the unlinked file would exclude no one, so take
                 * the one now under the name */
                struct stat a, b;
                if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
                    a.st_dev == b.st_dev)
                        return fd;
                close(fd);
        }
}

void cproject_unlock_gone(const char *project, int fd)
{
        if (fd < 0)
                return;
        _cleanup_free_ char *path = xasprintf("%s/compose/%s.lock", berth_run_dir(), project);
        unlink(path); /* still held: whoever waits on it sees it unlinked and retries */
        close(fd);
}

static const char *label(const json_t *j, const char *key)
{
        return rt_doc_label(j, key);
}

static int cctr_cmp(const void *a, const void *b)
{
        const struct cctr *x = a, *y = b;
        int c = strcmp(x->service, y->service);
        if (c)
                return c;
        if (x->oneoff != y->oneoff)
                return x->oneoff ? 1 : -1;
        return x->number - y->number;
}

int cctr_observe(const char *project, bool oneoff, struct cctr_list *out, err_t *err)
{
        strv_t ids = STRV_INIT;
        memset(out, 0, sizeof(*out));
        if (rt_ctr_list(&ids, err) < 0)
                return -1;
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_free_ char *id = NULL;
                json_t *j = NULL;
                err_t e2;
                /* a container removed meanwhile is simply not there */
                if (ctr_get(ids.v[i], &id, &j, NULL, &e2) < 0)
                        continue;
                const char *proj = label(j, LBL_PROJECT), *svc = label(j, LBL_SERVICE);
                const char *off = label(j, LBL_ONEOFF);
                bool is_oneoff = off && !strcasecmp(off, "true");
                if (!proj || strcmp(proj, project) || !svc || (is_oneoff && !oneoff)) {
                        json_decref(j);
                        continue;
                }
                out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
                struct cctr *c = &out->v[out->n++];
                const char *name = rt_doc_name(j) ?: "";
                const char *num = label(j, LBL_NUMBER);
                const char *h = rt_doc_health(j);
                *c = (struct cctr){
                    .id = TAKE_PTR(id),
                    .name = xstrdup(name[0] == '/' ? name + 1 : name),
                    .service = xstrdup(svc),
                    .number = num ? atoi(num) : 0,
                    .hash = xstrdup(label(j, LBL_HASH) ?: ""),
                    .oneoff = is_oneoff,
                    .status = xstrdup(rt_doc_status(j) ?: "created"),
                    .health = xstrdup(h ?: ""),
                    .exit_code = rt_doc_exit_code(j),
                    .j = j,
                };
        }
        strv_free(&ids);
        if (out->n)
                qsort(out->v, out->n, sizeof(*out->v), cctr_cmp);
        return 0;
}

void cctr_list_free(struct cctr_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                struct cctr *c = &l->v[i];
                free(c->id);
                free(c->name);
                free(c->service);
                free(c->hash);
                free(c->status);
                free(c->health);
                json_decref(c->j);
        }
        free(l->v);
        memset(l, 0, sizeof(*l));
}

int cservice_stop_timeout(const struct compose_service *s)
{
        if (s && s->stop_grace_period_ns >= 0)
                return (int)((s->stop_grace_period_ns + 999999999LL) / 1000000000LL);
        return 10;
}

char *cservice_container_name(const struct compose_project *p, const struct compose_service *s,
                              int n)
{
        if (s->container_name)
                return xstrdup(s->container_name);
        return xasprintf("%s-%s-%d", p->name, s->name, n);
}

static void select_with_deps(const struct compose_project *p, size_t i, bool *sel)
{
        if (sel[i])
                return;
        sel[i] = true;
        const struct compose_service *s = &p->services[i];
        for (size_t d = 0; d < s->ndepends_on; d++) {
                for (size_t k = 0; k < p->nservices; k++)
                        if (!strcmp(p->services[k].name, s->depends_on[d].service))
                                select_with_deps(p, k, sel);
        }
}

int cproject_select(const struct compose_project *p, char **names, int n, bool with_deps,
                    bool **selected, err_t *err)
{
        bool *sel = xcalloc(p->nservices ? p->nservices : 1, sizeof(bool));
        if (n <= 0) {
                for (size_t i = 0; i < p->nservices; i++)
                        sel[i] = true;
                *selected = sel;
                return 0;
        }
        for (int k = 0; k < n; k++) {
                size_t i;
                for (i = 0; i < p->nservices; i++)
                        if (!strcmp(p->services[i].name, names[k]))
                                break;
                if (i == p->nservices) {
                        free(sel);
                        return err_set(err, ENOENT, "no such service: %s", names[k]);
                }
                if (with_deps)
                        select_with_deps(p, i, sel);
                else
                        sel[i] = true;
        }
        *selected = sel;
        return 0;
}

double mono_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int level_of(const struct compose_project *p, const char *name, int depth)
{
        const struct compose_service *s = compose_project_service(p, name);
        if (!s || depth > 64)
                return 0;
        int l = 0;
        for (size_t i = 0; i < s->ndepends_on; i++) {
                int x = level_of(p, s->depends_on[i].service, depth + 1) + 1;
                if (x > l)
                        l = x;
        }
        return l;
}

int cservice_level(const struct compose_project *p, const char *name)
{
        return level_of(p, name, 0);
}

struct plan_ctr *compose_plan_observed(const struct compose_project *p, const struct cctr_list *obs)
{
        struct plan_ctr *v = xcalloc(obs->n + 1, sizeof(*v));
        for (size_t i = 0; i < obs->n; i++) {
                const struct cctr *e = &obs->v[i];
                const struct compose_service *s = compose_project_service(p, e->service);
                const char *nm = rt_doc_network_mode(e->j);
                v[i] = (struct plan_ctr){.id = e->id,
                                         .name = e->name,
                                         .service = e->service,
                                         .hash = e->hash,
                                         .status = e->status,
                                         .number = e->number,
                                         .oneoff = e->oneoff,
                                         .image_changed = s && compose_build_image_changed(e, s),
                                         .netns_id =
                                             nm && !strncmp(nm, "container:", 10) ? nm + 10 : NULL};
        }
        return v;
}

int compose_scale_of(const strv_t *scale, const struct compose_service *s, err_t *err)
{
        for (size_t i = 0; i < scale->n; i++) {
                const char *eq = strchr(scale->v[i], '=');
                if (!eq)
                        return err_set(err, EINVAL, "invalid --scale \"%s\": use SERVICE=NUM",
                                       scale->v[i]);
                if ((size_t)(eq - scale->v[i]) == strlen(s->name) &&
                    !strncmp(scale->v[i], s->name, strlen(s->name)))
                        return atoi(eq + 1);
        }
        return s->scale;
}

bool cctr_is_orphan(const struct compose_project *p, const struct cctr *c)
{
        struct plan_ctr pc = {.service = c->service, .oneoff = c->oneoff};
        return plan_is_orphan(p, &pc);
}

bool compose_build_image_changed(const struct cctr *c, const struct compose_service *s)
{
        if (!s->build.present || !s->image)
                return false;
        const char *cur = rt_doc_image_id(c->j);
        struct rt_image img;
        err_t e2;
        if (!cur || rt_image_lookup(s->image, &img, &e2) < 0)
                return false;
        bool changed = strcmp(cur, img.id) != 0;
        rt_image_free(&img);
        return changed;
}
