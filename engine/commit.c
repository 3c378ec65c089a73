/* commit.c - a container committed to an image (commit.h). */
#include "commit.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "base/cleanup.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "build.h"
#include "runtime/container.h"
#include "runtime/ctr_doc.h"
#include "start.h"

int ctr_commit_config(const json_t *j, const struct rt_image *img, const strv_t *changes,
                      struct rt_image_config *cfg, err_t *err)
{
        if (rt_image_config_from_json(rt_doc_config(j), cfg, err) < 0)
                return err_wrap(err, "the container's configuration");
        if (!rt_doc_volumes(j))
                for (size_t i = 0; i < img->config.volumes.n; i++)
                        strv_push(&cfg->volumes, img->config.volumes.v[i]);
        if (!cfg->healthcheck && img->config.healthcheck) {
                cfg->healthcheck = xcalloc(1, sizeof(*cfg->healthcheck));
                *cfg->healthcheck = *img->config.healthcheck;
                cfg->healthcheck->test = (strv_t)STRV_INIT;
                for (size_t i = 0; i < img->config.healthcheck->test.n; i++)
                        strv_push(&cfg->healthcheck->test, img->config.healthcheck->test.v[i]);
        }
        if (!cfg->stop_signal && img->config.stop_signal)
                cfg->stop_signal = xstrdup(img->config.stop_signal);
        const char *last_cmd = NULL;
        bool reset = false;
        for (size_t i = 0; i < changes->n; i++) {
                const char *ch = changes->v[i] + strspn(changes->v[i], " \t");
                if (!strncasecmp(ch, "CMD", 3) && (!ch[3] || isspace((unsigned char)ch[3])))
                        last_cmd = changes->v[i], reset = false;
                else if (!strncasecmp(ch, "ENTRYPOINT", 10) && last_cmd)
                        reset = true;
                if (rt_image_config_apply_change(cfg, changes->v[i], err) < 0)
                        return -1;
        }
        /* as in a Dockerfile: ENTRYPOINT resets only an inherited CMD, not
         * one these changes set before it */
        if (reset && rt_image_config_apply_change(cfg, last_cmd, err) < 0)
                return -1;
        return rt_image_config_check_volumes(cfg, NULL, err);
}

/* The upper dir as a layer tar in a temporary file; returns its fd. */
static int upper_layer(const json_t *j, err_t *err)
{
        const char *upper = rt_doc_upper_dir(j);
        if (!upper)
                return err_set(err, EINVAL, "the container has no root filesystem recorded");
        return bld_upper_layer(upper, err);
}

static int do_commit(const char *id, const json_t *j, const strv_t *changes, const char *msg,
                     const char *author, const char *tag, char **image_id, err_t *err)
{
        const char *parent = jobj_str(j, "Image");
        if (!parent)
                return err_set(err, EINVAL, "container %.12s records no image", id);
        struct rt_image img = {0};
        if (rt_image_lookup(parent, &img, err) < 0)
                return err_wrap(err, "the container's image");
        struct rt_image_config cfg = {0};
        int r = ctr_commit_config(j, &img, changes, &cfg, err);
        _cleanup_close_ int tfd = r < 0 ? -1 : upper_layer(j, err);
        if (r == 0 && tfd < 0)
                r = -1;
        if (r == 0) {
                strv_t by = STRV_INIT, tags = STRV_INIT;
                size_t k;
                json_t *v;
                json_array_foreach(rt_doc_cmd(j), k, v) strv_push(&by, json_string_value(v) ?: "");
                _cleanup_free_ char *created_by = strv_join(&by, " ");
                if (tag)
                        strv_push(&tags, tag);
                struct rt_image_commit c = {.parent = parent,
                                            .layer_fd = tfd,
                                            .config = &cfg,
                                            .created_by = created_by,
                                            .tags = &tags,
                                            .comment = msg ? msg : "",
                                            .author = author ? author : ""};
                r = rt_image_commit(&c, image_id, err);
                strv_free(&by);
                strv_free(&tags);
        }
        rt_image_config_free(&cfg);
        rt_image_free(&img);
        return r;
}

int ctr_commit(const char *ref, const struct ctr_commit_opts *o, char **image_id, strv_t *warnings,
               err_t *err)
{
        _cleanup_free_ char *id = NULL, *norm = NULL;
        _cleanup_json_ json_t *j = NULL;
        *image_id = NULL;
        if ((o->tag && rt_image_ref_normalize(o->tag, &norm, err) < 0) ||
            ctr_get(ref, &id, &j, NULL, err) < 0)
                return -1;
        /* pause a running container so the layer is consistent, as docker */
        const char *st = rt_doc_status(j) ?: "";
        bool paused_here = false;
        if (o->pause && !strcmp(st, "running") && rt_ctr_monitor_alive(id, NULL)) {
                if (ctr_set_paused(id, true, err) < 0)
                        return -1;
                paused_here = true;
        }
        int r = do_commit(id, j, o->changes, o->message, o->author, o->tag, image_id, err);
        if (paused_here) {
                err_t e2 = {0};
                if (ctr_set_paused(id, false, &e2) < 0)
                        strv_pushf(warnings, "unpause %.12s after the commit: %s", id, e2.msg);
        }
        if (r < 0)
                return -1;
        /* docker's container commit event */
        rt_ctr_event(j, "commit", "comment", o->message ? o->message : "", "imageID", *image_id,
                     "imageRef", norm ? norm : "", NULL);
        return 0;
}
