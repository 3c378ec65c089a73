/* build_internal.h - state shared by the build executor's files. */
#ifndef BERTH_BUILD_INTERNAL_H
#define BERTH_BUILD_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "base/strv.h"
#include "build.h"
#include "runtime/dockerfile.h"
#include "runtime/image.h"

struct stage {
        char *name;  /* AS name (lower case) or NULL */
        char *image; /* last committed image ID; NULL: scratch, nothing yet */
        struct rt_image_config cfg;
        strv_t shell;
        strv_t args;    /* ARGs in scope "K=V" (declared without value: absent) */
        strv_t pending; /* history of config-only steps since the last commit */
        bool cmd_set;   /* CMD given in this stage */
        bool dirty;     /* config changed since the last commit */
};

struct build {
        const struct build_opts *o;
        struct rt_dockerfile df;
        const char *dfname;
        int ctxfd;
        strv_t ignore;    /* .dockerignore patterns */
        strv_t meta_args; /* ARGs before the first FROM "K=V" */
        strv_t used_args; /* --build-arg names consumed */
        struct stage *stages;
        size_t nstages;
        int step, nsteps;
        json_t *cache; /* key -> image ID */
        bool cache_dirty;
};

void bld_out(const struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Substitute variables of the stage's scope (st NULL: the ARGs before FROM). */
int bld_expand(const struct build *b, const struct stage *st, const char *s, bool split,
               strv_t *outv, err_t *err);
char *bld_expand_one(const struct build *b, const struct stage *st, const char *s, err_t *err);
char *bld_cache_key(const struct stage *st, const char *what, const char *extra);
char *bld_cache_get(struct build *b, const char *key);
int bld_stage_commit(struct build *b, struct stage *st, int layer_fd, const char *created_by,
                     const char *key, err_t *err);
void bld_stage_take(struct stage *st, char *id);
struct stage *bld_find_stage(struct build *b, const char *name);
/* An unnamed temporary file on the image store's file system. */
int bld_layer_tmpfile(err_t *err);

/* COPY and ADD (build_copy.c). */
int build_copy(struct build *b, struct stage *st, const struct rt_df_instr *in, err_t *err);

#endif
