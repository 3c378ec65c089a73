/* service_build.c - a compose service's image: its `build:` as the
 * builder's options, the names of the images compose builds, and whether
 * its image is to be pulled. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/duration.h"
#include "base/jsonfile.h"
#include "base/xalloc.h"
#include "runtime/image.h"
#include "service.h"

void compose_build_names(struct compose_project *p)
{
        for (size_t i = 0; i < p->nservices; i++) {
                struct compose_service *s = &p->services[i];
                if (s->build.present && !s->image)
                        s->image = xasprintf("%s-%s", p->name, s->name);
        }
}

bool compose_build_local_image(const struct compose_service *s)
{
        return s->build.present && !json_object_get(s->json, "image");
}

/* Map or list form of build args/labels -> "K=V" (a null value: "K", taken
 * from the environment by the builder). */
static void kv_of(const json_t *v, strv_t *out)
{
        const char *k;
        json_t *x;
        if (json_is_object(v)) {
                json_object_foreach((json_t *)v, k, x)
                {
                        if (json_is_string(x))
                                strv_pushf(out, "%s=%s", k, json_string_value(x));
                        else if (json_is_number(x))
                                strv_pushf(out, "%s=%g", k, json_number_value(x));
                        else if (json_is_boolean(x))
                                strv_pushf(out, "%s=%s", k, json_is_true(x) ? "true" : "false");
                        else
                                strv_push(out, k);
                }
        } else {
                strv_push_json(out, v);
        }
}

int service_build_opts(const struct compose_service *s, bool no_cache, const strv_t *cli_args,
                       struct build_opts *o, err_t *err)
{
        const json_t *bj = json_object_get(s->json, "build");
        const char *ctx = s->build.context ? s->build.context : jobj_str(bj, "context");
        if (!ctx)
                return err_set(err, EINVAL, "service %s: build has no context", s->name);
        if (strstr(ctx, "://") || !strncmp(ctx, "git@", 4))
                return err_set(err, ENOTSUP,
                               "service %s: building from a remote context (%s) is not supported "
                               "by berth",
                               s->name, ctx);
        o->context = ctx;
        const char *inl = s->build.dockerfile_inline ? s->build.dockerfile_inline
                                                     : jobj_str(bj, "dockerfile_inline");
        const char *dfn = s->build.dockerfile ? s->build.dockerfile : jobj_str(bj, "dockerfile");
        if (inl)
                o->inline_df = inl;
        else if (dfn)
                o->dockerfile = dfn[0] == '/' ? xstrdup(dfn) : xasprintf("%s/%s", ctx, dfn);
        o->target = s->build.target ? s->build.target : jobj_str(bj, "target");
        o->network = jobj_str(bj, "network");
        if (o->network && !strcmp(o->network, "bridge"))
                o->network = "default";
        o->no_cache = no_cache || json_is_true(json_object_get(bj, "no_cache"));
        strv_push(&o->tags, s->image);
        strv_push_json(&o->tags, json_object_get(bj, "tags"));
        kv_of(json_object_get(bj, "args"), &o->build_args);
        for (size_t k = 0; cli_args && k < cli_args->n; k++)
                strv_push(&o->build_args, cli_args->v[k]);
        kv_of(json_object_get(bj, "labels"), &o->labels);
        return 0;
}

void service_build_opts_free(struct build_opts *o)
{
        free((char *)o->dockerfile);
        o->dockerfile = NULL;
        build_opts_free(o);
}

bool service_wants_pull(const struct compose_service *s, enum compose_pull_mode mode)
{
        const char *pp = s->pull_policy ? s->pull_policy : "missing";
        if (mode == COMPOSE_PULL_NEVER)
                return false;
        if (mode == COMPOSE_PULL_ALWAYS)
                return strcmp(pp, "build") != 0;
        if (mode == COMPOSE_PULL_POLICY) {
                if (!strcmp(pp, "never") || !strcmp(pp, "build"))
                        return false;
                if (!strcmp(pp, "always") || !strcmp(pp, "refresh"))
                        return true;
        }
        struct rt_image img;
        err_t e2;
        if (rt_image_lookup(s->image, &img, &e2) < 0)
                return true; /* missing */
        long long age = (long long)time(NULL) - img.last_tag_time;
        rt_image_free(&img);
        if (mode != COMPOSE_PULL_POLICY)
                return false;
        int64_t every = 0;
        if (!strcmp(pp, "daily"))
                every = 86400LL * 1000000000LL;
        else if (!strcmp(pp, "weekly"))
                every = 7 * 86400LL * 1000000000LL;
        else if (!strncmp(pp, "every_", 6)) {
                err_t e3;
                if (parse_duration(pp + 6, &every, &e3) < 0)
                        every = 0;
        }
        return every > 0 && age * 1000000000LL >= every;
}
