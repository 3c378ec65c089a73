/* registry.h - the registry client: pulling images over the OCI distribution
 * protocol (/v2/) into the image store (image.h).
 *
 * A pull resolves the reference (registry_ref.h), tries the configured
 * mirrors first for docker.io, fetches the manifest (Docker v2 schema 2, OCI
 * manifest, or a manifest list / OCI index from which the platform's entry is
 * chosen), then the config and the layers: 3 at a time, each verified
 * against its digest while it streams and stored only once it matches,
 * decompressed (gzip, zstd or none) and unpacked as it completes.  The image
 * becomes visible (record + name) only when everything is in place.
 *
 * Settings: /etc/berth/config.json (BERTH_CONFIG=FILE) with Docker's
 * daemon.json keys "registry-mirrors" and "insecure-registries"; TLS trust
 * from the system CAs plus /etc/docker/certs.d/HOST[:PORT]/ (BERTH_CERTS_D=DIR
 * overrides the directory). */
#ifndef BERTH_RT_REGISTRY_H
#define BERTH_RT_REGISTRY_H

#include <stdbool.h>

#include "err.h"
#include "strv.h"

enum reg_layer_state {
        REG_L_PULLING,     /* "Pulling fs layer" */
        REG_L_WAITING,     /* "Waiting" */
        REG_L_EXISTS,      /* "Already exists" */
        REG_L_DOWNLOADING, /* "Downloading", cur/total bytes */
        REG_L_VERIFYING,   /* "Verifying Checksum" */
        REG_L_DOWNLOADED,  /* "Download complete" */
        REG_L_EXTRACTING,  /* "Extracting", cur/total bytes */
        REG_L_COMPLETE,    /* "Pull complete" */
};

/* Progress of one layer (id: 12 hex digits of its digest).  Calls are
 * serialised (never two at a time), from any thread. */
typedef void (*reg_progress_fn)(void *ud, const char *id, enum reg_layer_state st,
                                unsigned long long cur, unsigned long long total);

struct reg_pull_opts {
        const char *platform; /* "os/arch[/variant]", NULL: linux/<host arch> */
        reg_progress_fn progress;
        void *ud;
        const char *user, *secret; /* credentials; NULL: the stored ones */
};

struct reg_pull_result {
        char *id;     /* image ID "sha256:<hex>" */
        char *digest; /* manifest digest "sha256:<hex>" */
        char *name;   /* familiar name as stored ("busybox:latest"); NULL for a digest pull */
        char *full;   /* "docker.io/library/busybox:latest" (or @digest) */
        bool updated; /* false: the image was already up to date */
};

/* Pull ref.  Errors use Docker's words (unauthorized, manifest unknown, no
 * matching manifest for the platform, verification failed, ...). */
int reg_pull(const char *ref, const struct reg_pull_opts *o, struct reg_pull_result *res,
             err_t *err);
void reg_pull_result_free(struct reg_pull_result *r);

/* The tags of ref's repository (`pull -a`), sorted. */
int reg_list_tags(const char *ref, const struct reg_pull_opts *o, strv_t *tags, err_t *err);

/* --- push (registry_push.c) ------------------------------------------------ */

enum reg_push_state {
        REG_P_PREPARING, /* "Preparing" */
        REG_P_WAITING,   /* "Waiting" */
        REG_P_PUSHING,   /* "Pushing", cur/total bytes */
        REG_P_PUSHED,    /* "Pushed" */
        REG_P_EXISTS,    /* "Layer already exists" */
        REG_P_MOUNTED,   /* "Mounted from <from>" */
        REG_P_SKIPPED,   /* "Skipped foreign layer": kept in the manifest with its URLs */
};

/* Progress of one layer (id: 12 hex digits of its diff ID). */
typedef void (*reg_push_progress_fn)(void *ud, const char *id, enum reg_push_state st,
                                     unsigned long long cur, unsigned long long total,
                                     const char *from);

struct reg_push_opts {
        reg_push_progress_fn progress;
        void *ud;
        const char *user, *secret; /* credentials; NULL: the stored ones */
        const char *platform;      /* "os/arch[/variant]": the image must be that platform's */
};

struct reg_push_result {
        char *name;   /* familiar repository name ("localhost:5000/app") */
        char *tag;    /* "latest" */
        char *digest; /* manifest digest "sha256:<hex>" */
        size_t size;  /* manifest bytes */
};

/* Push the local image ref (NAME[:TAG], default tag latest) to its
 * registry.  A pulled or pushed image keeps its manifest digest; the push
 * records NAME@digest in the image's RepoDigests. */
int reg_push(const char *ref, const struct reg_push_opts *o, struct reg_push_result *res,
             err_t *err);
void reg_push_result_free(struct reg_push_result *r);

/* docker login's check: the registry server (host[:port], "docker.io")
 * accepts user/secret at /v2/ (Basic, or a token from its realm).
 * Wrong credentials: EACCES "unauthorized: ...". */
int reg_login_check(const char *server, const char *user, const char *secret, err_t *err);

#endif
