/* df.c - disk usage and container counts (df.h). */
#include "df.h"

#include <string.h>

#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "prune.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"
#include "runtime/volume.h"
#include "start.h"

static bool state_active(const char *st)
{
        return st && (!strcmp(st, "running") || !strcmp(st, "paused") || !strcmp(st, "restarting"));
}

void ctr_counts(struct ctr_counts *c, bool sizes, strv_t *warnings)
{
        memset(c, 0, sizeof(*c));
        strv_t ids = STRV_INIT;
        err_t err = {0};
        if (rt_ctr_list(&ids, &err) < 0)
                strv_push(warnings, err.msg);
        for (size_t i = 0; i < ids.n; i++) {
                _cleanup_free_ char *id = NULL;
                _cleanup_json_ json_t *j = NULL;
                c->total++;
                if (ctr_get(ids.v[i], &id, &j, NULL, &err) < 0) {
                        c->stopped++; /* unreadable state: not running */
                        continue;
                }
                const char *st = rt_doc_status(j);
                bool active = state_active(st);
                if (st && !strcmp(st, "paused"))
                        c->paused++;
                else if (active)
                        c->running++;
                else
                        c->stopped++;
                if (sizes) {
                        unsigned long long sz = path_size(rt_doc_upper_dir(j));
                        c->size += sz;
                        if (active)
                                c->size_active += sz;
                }
        }
        strv_free(&ids);
}

/* images: every layer counted once, as on disk; what no container's image
 * uses is reclaimable */
static int images_usage(struct df_usage *u, err_t *err)
{
        struct rt_image *imgs = NULL;
        size_t nimg = 0;
        struct image_users users = {0};
        if (rt_image_list(&imgs, &nimg, err) < 0 || image_users_load(&users, err) < 0) {
                rt_image_list_free(imgs, nimg);
                return -1;
        }
        strv_t layers = STRV_INIT, used_layers = STRV_INIT;
        u->total = nimg;
        for (size_t i = 0; i < nimg; i++) {
                bool running;
                bool used = image_users_find(imgs[i].id, &running, &users) != NULL;
                u->active += used;
                for (size_t k = 0; k < imgs[i].layer_dirs.n; k++) {
                        const char *l = imgs[i].layer_dirs.v[k];
                        if (!strv_contains(&layers, l))
                                strv_push(&layers, l);
                        if (used && !strv_contains(&used_layers, l))
                                strv_push(&used_layers, l);
                }
        }
        for (size_t k = 0; k < layers.n; k++) {
                unsigned long long sz = path_size(layers.v[k]);
                u->size += sz;
                if (strv_contains(&used_layers, layers.v[k]))
                        u->used += sz;
        }
        strv_free(&layers);
        strv_free(&used_layers);
        image_users_free(&users);
        rt_image_list_free(imgs, nimg);
        return 0;
}

int disk_usage(struct disk_usage *du, strv_t *warnings, err_t *err)
{
        memset(du, 0, sizeof(*du));
        if (images_usage(&du->images, err) < 0)
                return -1;
        struct ctr_counts c;
        ctr_counts(&c, true, warnings);
        du->containers = (struct df_usage){.total = c.total,
                                           .active = c.running + c.paused,
                                           .size = c.size,
                                           .used = c.size_active};
        strv_t vols = STRV_INIT, vused = STRV_INIT;
        err_t e = {0};
        if (rt_volume_list(&vols, &e) < 0)
                strv_push(warnings, e.msg);
        volumes_in_use(&vused);
        du->volumes.total = vols.n;
        for (size_t i = 0; i < vols.n; i++) {
                unsigned long long sz = volume_size(vols.v[i]);
                du->volumes.size += sz;
                if (strv_contains(&vused, vols.v[i])) {
                        du->volumes.active++;
                        du->volumes.used += sz;
                }
        }
        strv_free(&vols);
        strv_free(&vused);
        return 0;
}
