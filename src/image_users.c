/* image_users.c - which containers use which image, for rmi and image prune. */
#include <string.h>

#include "base/xalloc.h"
#include "container_cli.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"

int image_users_load(struct image_users *u, err_t *err)
{
        strv_t ids = STRV_INIT;
        memset(u, 0, sizeof(*u));
        if (rt_ctr_list(&ids, err) < 0)
                return -1;
        u->n = ids.n;
        u->v = xcalloc(ids.n ? ids.n : 1, sizeof(*u->v));
        for (size_t i = 0; i < ids.n; i++) {
                json_t *j = NULL;
                err_t e2;
                u->v[i].id = xstrdup(ids.v[i]);
                if (rt_ctr_load(ids.v[i], &j, &e2) < 0)
                        continue; /* removed since the listing: it uses nothing */
                const char *img = rt_doc_image_id(j);
                const char *st = rt_doc_status(j);
                u->v[i].image = img ? xstrdup(img) : NULL;
                u->v[i].running = st && (!strcmp(st, "running") || !strcmp(st, "restarting") ||
                                         !strcmp(st, "paused"));
                json_decref(j);
        }
        strv_free(&ids);
        return 0;
}

const char *image_users_find(const char *image_id, bool *running, void *ud)
{
        const struct image_users *u = ud;
        const char *found = NULL;
        for (size_t i = 0; i < u->n; i++) {
                if (!u->v[i].image || strcmp(u->v[i].image, image_id))
                        continue;
                if (u->v[i].running) {
                        *running = true;
                        return u->v[i].id;
                }
                if (!found)
                        found = u->v[i].id;
        }
        *running = false;
        return found;
}

void image_users_free(struct image_users *u)
{
        for (size_t i = 0; i < u->n; i++) {
                free(u->v[i].id);
                free(u->v[i].image);
        }
        free(u->v);
        u->v = NULL;
        u->n = 0;
}
