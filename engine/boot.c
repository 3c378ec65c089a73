/* boot.c - what `system boot` starts, and in which order (boot.h). */
#include "boot.h"

#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "net/network.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "service.h"
#include "start.h"

static const char *label(json_t *j, const char *key)
{
        const char *v = rt_doc_label(j, key);
        return v ? v : "";
}

/* "db:service_started:false,cache:service_healthy:true" -> db, cache */
static void parse_deps(const char *s, strv_t *out)
{
        while (*s) {
                size_t n = strcspn(s, ",");
                size_t svc = strcspn(s, ":,");
                if (svc > 0)
                        strv_take(out, xstrndup(s, svc < n ? svc : n));
                s += n;
                if (*s == ',')
                        s++;
        }
}

/* Is every dependency of c among those not placed yet (placed[k] false)
 * placed? */
static bool deps_ready(const struct boot_ctr *c, const struct boot_ctr *all, const bool *placed,
                       size_t n)
{
        for (size_t d = 0; d < c->deps.n; d++)
                for (size_t k = 0; k < n; k++)
                        if (!placed[k] && *c->project && !strcmp(all[k].project, c->project) &&
                            !strcmp(all[k].service, c->deps.v[d]))
                                return false;
        return true;
}

void boot_order(struct boot_ctr *c, size_t n)
{
        bool *placed = xcalloc(n + 1, sizeof(*placed));
        struct boot_ctr *out = xcalloc(n + 1, sizeof(*out));
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
                if (!*c[i].project) {
                        placed[i] = true;
                        out[m++] = c[i];
                }
        for (bool progress = true; progress;) {
                progress = false;
                for (size_t i = 0; i < n; i++)
                        if (!placed[i] && deps_ready(&c[i], c, placed, n)) {
                                progress = true;
                                placed[i] = true;
                                out[m++] = c[i];
                        }
        }
        for (size_t i = 0; i < n; i++)
                if (!placed[i])
                        out[m++] = c[i];
        memcpy(c, out, n * sizeof(*c));
        free(out);
        free(placed);
}

int boot_plan(struct boot_list *out, strv_t *errors, err_t *err)
{
        *out = (struct boot_list){0};
        _cleanup_json_ json_t *nets = json_array();
        if (network_restore_all(nets, err) < 0)
                return err_wrap(err, "restoring networks");
        strv_t ids = STRV_INIT;
        if (rt_ctr_list(&ids, err) < 0) {
                strv_free(&ids);
                return -1;
        }
        struct boot_ctr *c = xcalloc(ids.n + 1, sizeof(*c));
        size_t n = 0;
        /* oldest first, as they were created */
        for (size_t i = ids.n; i-- > 0;) {
                _cleanup_json_ json_t *j = NULL;
                err_t e = {0};
                if (rt_ctr_load(ids.v[i], &j, &e) < 0) {
                        strv_push(errors, e.msg);
                        continue;
                }
                if (!ctr_policy_restarts(ids.v[i], j, false))
                        continue;
                const char *name = rt_doc_name(j);
                c[n].id = xstrdup(ids.v[i]);
                c[n].name = xstrdup(name && *name == '/' ? name + 1 : name ? name : ids.v[i]);
                c[n].project = xstrdup(label(j, LBL_PROJECT));
                c[n].service = xstrdup(label(j, LBL_SERVICE));
                c[n].deps = (strv_t)STRV_INIT;
                parse_deps(label(j, LBL_DEPENDS), &c[n].deps);
                n++;
        }
        strv_free(&ids);
        boot_order(c, n);
        out->v = c;
        out->n = n;
        return 0;
}

void boot_list_free(struct boot_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].id);
                free(l->v[i].name);
                free(l->v[i].project);
                free(l->v[i].service);
                strv_free(&l->v[i].deps);
        }
        free(l->v);
        *l = (struct boot_list){0};
}
