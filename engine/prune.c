/* prune.c - removing stopped containers and unused volumes, and the prune
 * filters (prune.h). */
#include "prune.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/crash.h"
#include "base/fsutil.h"
#include "base/jsonfile.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "netglue.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "runtime/image.h"
#include "runtime/volume.h"
#include "spec.h"
#include "start.h"

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

/* Docker's MatchKVList: every "k" or "k=v" of want is in labels ("k=v"). */
static bool labels_match(const strv_t *want, const strv_t *labels)
{
        for (size_t i = 0; i < want->n; i++) {
                const char *w = want->v[i];
                bool kv = strchr(w, '=') != NULL;
                size_t kn = strcspn(w, "=");
                bool found = false;
                for (size_t k = 0; k < labels->n && !found; k++) {
                        const char *l = labels->v[k];
                        found = kv ? !strcmp(l, w) : (!strncmp(l, w, kn) && l[kn] == '=');
                }
                if (!found)
                        return false;
        }
        return true;
}

bool prune_filter_labels(const struct prune_filter *pf, const json_t *labels)
{
        if (!pf || (!pf->label.n && !pf->nlabel.n))
                return true;
        strv_t l = STRV_INIT;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)labels, k, v)
        {
                char *kv = xasprintf("%s=%s", k, json_string_value(v) ?: "");
                strv_push(&l, kv);
                free(kv);
        }
        bool ok = labels_match(&pf->label, &l) && !(pf->nlabel.n && labels_match(&pf->nlabel, &l));
        strv_free(&l);
        return ok;
}

bool prune_net_match(const json_t *labels, void *ud)
{
        return prune_filter_labels(ud, labels);
}

int prune_filter_apply(struct prune_filter *pf, err_t *err)
{
        if (!pf->until_ns && !pf->label.n && !pf->nlabel.n)
                return 0;
        struct rt_image *imgs = NULL;
        size_t n = 0;
        if (rt_image_list(&imgs, &n, err) < 0)
                return -1;
        for (size_t i = 0; i < n; i++) {
                const strv_t *l = &imgs[i].config.labels;
                /* until: only images created before it (its second: created
                 * is kept in seconds) */
                bool keep = (pf->until_ns && imgs[i].created >= pf->until_ns / 1000000000LL) ||
                            !labels_match(&pf->label, l) ||
                            (pf->nlabel.n && labels_match(&pf->nlabel, l));
                if (keep)
                        strv_push(&pf->keep, imgs[i].id);
        }
        rt_image_list_free(imgs, n);
        return 0;
}

const char *prune_filter_in_use(const char *image_id, bool *running, void *ud)
{
        struct prune_filter *pf = ud;
        const char *user = image_users_find(image_id, running, &pf->users);
        if (user)
                return user;
        *running = false;
        return strv_contains(&pf->keep, image_id) ? image_id : NULL;
}

void prune_filter_free(struct prune_filter *pf)
{
        image_users_free(&pf->users);
        strv_free(&pf->label);
        strv_free(&pf->nlabel);
        strv_free(&pf->keep);
}

int container_remove_locked(const char *id, json_t *j, err_t *err)
{
        crash_point("rm.stopped");
        if (netwire_release(id, j, true, err) < 0)
                return -1;
        crash_point("rm.released");
        return rt_ctr_destroy(id, err);
}

int container_rm(const char *ref, bool force, bool volumes, strv_t *warnings, err_t *err)
{
        _cleanup_free_ char *id = NULL;
        _cleanup_json_ json_t *j = NULL;
        if (ctr_get(ref, &id, &j, NULL, err) < 0) {
                if (err->code == EBADMSG && force && id) {
                        /* corrupt state: kill what runs, remove what is there */
                        _cleanup_close_ int lk = rt_ctr_lock(id, err);
                        if (lk >= 0 && rt_ctr_destroy(id, err) == 0 &&
                            netwire_release_state(id, err) == 0)
                                return 0;
                }
                return -1;
        }
        const char *st = rt_doc_status(j);
        bool paused = st && !strcmp(st, "paused");
        bool running = st && (!strcmp(st, "running") || !strcmp(st, "restarting") || paused);
        if (paused && !force)
                return err_set(err, EBUSY,
                               "cannot remove container \"%s\": "
                               "container is paused and must be unpaused first",
                               ref);
        if (running && !force)
                return err_set(err, EBUSY,
                               "cannot remove container \"%s\": "
                               "container is %s: stop "
                               "the container before removing or force remove",
                               ref, st);
        if (running && ctr_stop(id, 0, err) < 0)
                return -1;
        _cleanup_close_ int lk = rt_ctr_lock(id, err);
        if (lk < 0 || container_remove_locked(id, j, err) < 0)
                return -1;
        if (volumes) /* anonymous volumes go with their container */
                ctr_remove_anon_volumes(j, warnings);
        return 0;
}

static bool status_stopped(const char *st)
{
        return st && (!strcmp(st, "created") || !strcmp(st, "exited") || !strcmp(st, "dead"));
}

int container_prune(strv_t *removed, unsigned long long *reclaimed, const struct prune_filter *pf,
                    err_t *err)
{
        int64_t until_ns = pf ? pf->until_ns : 0;
        strv_t ids = STRV_INIT;
        if (rt_ctr_list(&ids, err) < 0) {
                strv_free(&ids);
                return -1;
        }
        int rc = 0;
        for (size_t i = 0; i < ids.n; i++) {
                err_t e = {0};
                _cleanup_free_ char *id = NULL;
                _cleanup_json_ json_t *j = NULL;
                int lk = -1;
                if (ctr_get(ids.v[i], &id, &j, &lk, &e) < 0) {
                        if (lk >= 0)
                                close(lk);
                        continue; /* gone meanwhile, or unreadable: rm -f is for that */
                }
                const char *st = rt_doc_status(j);
                if (status_stopped(st) &&
                    (!until_ns || time_parse_rfc3339_ns(rt_doc_created(j)) <= until_ns) &&
                    prune_filter_labels(pf, rt_doc_labels(j))) {
                        unsigned long long sz = path_size(rt_doc_upper_dir(j));
                        if (container_remove_locked(id, j, &e) < 0) {
                                *err = e;
                                rc = -1;
                        } else {
                                strv_push(removed, id);
                                *reclaimed += sz;
                        }
                }
                close(lk);
        }
        strv_free(&ids);
        return rc;
}

void volumes_in_use(strv_t *used)
{
        strv_t ids = STRV_INIT;
        if (rt_ctr_list(&ids, NULL) < 0)
                return;
        for (size_t i = 0; i < ids.n; i++) {
                json_t *j = NULL;
                if (rt_ctr_load(ids.v[i], &j, NULL) < 0)
                        continue;
                size_t k;
                json_t *m;
                json_array_foreach(rt_doc_mounts(j), k, m)
                {
                        const char *n = rt_doc_mount_name(m);
                        if (n && !strv_contains(used, n))
                                strv_push(used, n);
                }
                json_decref(j);
        }
        strv_free(&ids);
}

unsigned long long volume_size(const char *name)
{
        _cleanup_json_ json_t *j = NULL;
        if (rt_volume_inspect(name, &j, NULL) < 0)
                return 0;
        return path_size(json_string_value(json_object_get(j, "Mountpoint")));
}

int volume_prune(bool all, const struct prune_filter *pf, strv_t *removed,
                 unsigned long long *reclaimed, err_t *err)
{
        strv_t used = STRV_INIT, names = STRV_INIT;
        volumes_in_use(&used);
        int rc = rt_volume_list(&names, err);
        for (size_t i = 0; rc == 0 && i < names.n; i++) {
                /* as docker 23+: without --all only anonymous volumes */
                if (strv_contains(&used, names.v[i]) || (!all && !rt_volume_is_anon(names.v[i])))
                        continue;
                if (pf && (pf->label.n || pf->nlabel.n)) {
                        _cleanup_json_ json_t *j = NULL;
                        if (rt_volume_inspect(names.v[i], &j, NULL) < 0 ||
                            !prune_filter_labels(pf, json_object_get(j, "Labels")))
                                continue;
                }
                unsigned long long sz = volume_size(names.v[i]);
                err_t e = {0};
                if (rt_volume_remove(names.v[i], &e) == 0) {
                        strv_push(removed, names.v[i]);
                        *reclaimed += sz;
                }
        }
        strv_free(&used);
        strv_free(&names);
        return rc;
}
