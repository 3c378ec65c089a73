/* project_rm.c - a compose project's networks and volumes removed
 * (project_rm.h). */
#include "project_rm.h"

#include <errno.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/strv.h"
#include "net/network.h"
#include "prune.h"
#include "runtime/image.h"
#include "runtime/volume.h"
#include "service.h"

static bool labelled(const json_t *obj, const char *project)
{
        const char *v =
            json_string_value(json_object_get(json_object_get(obj, "Labels"), LBL_PROJECT));
        return v && !strcmp(v, project);
}

/* Remove one (rm: network_remove or rt_volume_remove), reported; true when
 * it failed. */
static bool remove_one(const struct remove_report *rep, const char *kind, const char *name,
                       bool working, int (*rm)(const char *name, err_t *err))
{
        size_t h = rep ? rep->begin(rep->ud, kind, name, working) : 0;
        err_t e = {0};
        int r = rm(name, &e);
        if (rep)
                rep->end(rep->ud, h, r, &e);
        return r < 0;
}

int project_remove_networks(const char *project, const struct remove_report *rep, err_t *err)
{
        _cleanup_json_ json_t *nets = NULL;
        if (network_list(&nets, err) < 0)
                return -1;
        bool failed = false;
        size_t i;
        json_t *n;
        json_array_foreach(nets, i, n)
        {
                const char *nn = json_string_value(json_object_get(n, "Name"));
                if (nn && labelled(n, project))
                        failed |= remove_one(rep, "Network", nn, true, network_remove);
        }
        return failed ? 1 : 0;
}

int project_remove_labelled_volumes(const char *project, const struct remove_report *rep,
                                    err_t *err)
{
        strv_t vols = STRV_INIT;
        if (rt_volume_list(&vols, err) < 0) {
                strv_free(&vols);
                return -1;
        }
        bool failed = false;
        for (size_t i = 0; i < vols.n; i++) {
                json_t *v = NULL;
                if (rt_volume_inspect(vols.v[i], &v, NULL) < 0)
                        continue; /* removed meanwhile */
                bool mine = labelled(v, project);
                json_decref(v);
                if (mine)
                        failed |= remove_one(rep, "Volume", vols.v[i], false, rt_volume_remove);
        }
        strv_free(&vols);
        return failed ? 1 : 0;
}

int project_remove_volumes(const struct compose_project *p, const struct remove_report *rep)
{
        bool failed = false;
        for (size_t i = 0; i < p->nvolumes; i++) {
                const struct compose_resource *r = &p->volumes[i];
                json_t *v = NULL;
                if (r->external || rt_volume_inspect(r->name, &v, NULL) < 0)
                        continue;
                json_decref(v);
                failed |= remove_one(rep, "Volume", r->name, false, rt_volume_remove);
        }
        return failed ? 1 : 0;
}

int project_remove_images(const struct compose_project *p, bool all,
                          const struct remove_report *rep, err_t *err)
{
        struct image_users users = {0};
        if (image_users_load(&users, err) < 0)
                return -1;
        bool failed = false;
        for (size_t i = 0; i < p->nservices; i++) {
                /* containers of other projects may use the same images;
                 * without all only the images named after the project */
                const char *img = p->services[i].image;
                if (!img || (!all && !compose_build_local_image(&p->services[i])))
                        continue;
                size_t h = rep ? rep->begin(rep->ud, "Image", img, false) : 0;
                strv_t report = STRV_INIT;
                err_t e = {0};
                int r = rt_image_remove(img, false, image_users_find, &users, &report, &e);
                if (r < 0 && e.code == ENOENT)
                        r = 0; /* already gone */
                if (rep)
                        rep->end(rep->ud, h, r, &e);
                failed |= r < 0;
                strv_free(&report);
        }
        image_users_free(&users);
        return failed ? 1 : 0;
}
