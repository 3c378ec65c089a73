/* build.h - building images from a Dockerfile (`berth build`, compose build:).
 *
 * Each stage starts from its base image (a local image, another stage or
 * scratch).  RUN executes in a throw-away container (berth create/start with
 * --init, the stage's Env, WorkingDir, User, SHELL) whose overlay upper dir
 * becomes the next layer; COPY/ADD write a layer from the build context (or
 * another stage/image) made in a helper process that sees the image's rootfs;
 * other instructions only change the config.  Layer-making steps and the
 * stage's final config are committed as images (rt_image_commit); the steps'
 * images stay in the store untagged and serve as the build cache
 * (lib/build-cache.json: key -> image ID). */
#ifndef BERTH_BUILD_H
#define BERTH_BUILD_H

#include <stdbool.h>

#include "base/err.h"
#include "base/strv.h"

struct build_opts {
        const char *context;    /* directory */
        const char *dockerfile; /* path (relative to the cwd); NULL: <context>/Dockerfile */
        const char *inline_df;  /* Dockerfile text (compose dockerfile_inline), or NULL */
        strv_t tags;            /* names for the result */
        strv_t build_args;      /* "K=V", or "K" (value from our environment) */
        strv_t labels;          /* "K=V" for the final image */
        const char *target;     /* last stage to build, NULL: the last one */
        const char *network;    /* RUN's network: "none", "host", "default" (NULL) */
        bool no_cache;
        bool pull;  /* --pull: pull every FROM image even when present */
        bool quiet; /* no step output (only errors) */
};

/* Build; prints docker's classic builder output unless quiet.  *id_out is
 * the image ID ("sha256:<hex>", caller frees).  A failing RUN fills err with
 * "The command '...' returned a non-zero code: N". */
int build_image(const struct build_opts *o, char **id_out, err_t *err);

/* Set by SIGINT/SIGTERM handlers during a build: stop at the next step. */
void build_interrupt(int sig);

#endif
