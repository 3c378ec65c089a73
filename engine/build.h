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

/* Where a build's output goes: the builder prints nothing itself.  src/
 * supplies it (src/build_cli.c: docker's classic builder output on stdout,
 * warnings as berth's warnings), so engine/ never writes to a terminal. */
struct build_out {
        void *ud;
        /* Progress text ("Step 1/5 : ...", " ---> ..."), whole lines, in order. */
        void (*text)(void *ud, const char *s);
        /* A warning (one line, no prefix, no newline). */
        void (*warn)(void *ud, const char *msg);
        /* Make sure FROM image ref is present: pull it when missing, or
         * always when always (showing the pull unless quiet). */
        int (*ensure_image)(void *ud, const char *ref, bool always, bool quiet, err_t *err);
        /* Start created RUN container id and stream its output until it
         * exits (quiet: the output goes nowhere); *status is its exit status. */
        int (*run)(void *ud, const char *id, bool quiet, int *status, err_t *err);
};

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
        bool pull;                   /* --pull: pull every FROM image even when present */
        bool quiet;                  /* no step output (only errors) */
        const struct build_out *out; /* required */
};

/* Build; docker's classic builder output goes to o->out unless quiet.  *id_out is
 * the image ID ("sha256:<hex>", caller frees).  A failing RUN fills err with
 * "The command '...' returned a non-zero code: N". */
int build_image(const struct build_opts *o, char **id_out, err_t *err);
/* Free o's lists (tags, build_args, labels); the strings it points to are
 * the caller's. */
void build_opts_free(struct build_opts *o);

/* The overlay upper dir as an uncompressed layer tar in a new temporary file
 * (the runtime's mount-point stubs left out); returns its fd
 * (also `berth commit`'s layer). */
int bld_upper_layer(const char *upper, err_t *err);

/* Set by SIGINT/SIGTERM handlers during a build: stop at the next step. */
void build_interrupt(int sig);

#endif
