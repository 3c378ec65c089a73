/* image.h - the image store: content-addressed blobs, OCI image configs, a
 * name:tag index and unpacked, shared layers.
 *
 * Layout under berth_lib_dir()/image:
 *   lock                     flock(2): held exclusively by every store writer
 *   blobs/sha256/<hex>       image config blobs (OCI image config JSON, the
 *                            image ID is their digest), the uncompressed
 *                            layer tars of imported, loaded and built layers
 *                            (named by diff ID, kept for `save`), and the
 *                            compressed blobs of pulled layers and manifests
 *                            (a pulled layer's tar is made from its blob)
 *   images/<hex>.json        one record per image: chain IDs and size
 *   layers/<chainhex>/diff   a layer unpacked once, overlay whiteout format;
 *                            shared by every image whose layer chain includes
 *                            it, removed with the last such image
 *   layers/<chainhex>/layer.json   {"diff_id", "size"}, and for a pulled
 *                            layer "blob" (its compressed blob) and
 *                            "tar_size" (bytes of its tar)
 *   repositories.json        {"refs": {"busybox:latest": "sha256:<hex>"}}
 *   tmp/                     scratch space (same filesystem, for renames)
 *   downloads/               pulls in progress (registry_pull.c): <hex>.partial,
 *                            <hex>.lock, tmp-<pid>-<n>/; no store lock needed
 *   images/<hex>.json also keeps a pull's "repo_digests" ("name@sha256:...") and
 *   "blobs" (compressed layers, manifests) that go with the image
 *
 * Every file is written atomically (temp + rename); writers serialise on the
 * lock, so readers need no lock: they see either the old or the new state.
 * Removal unlinks index entries before the data they point to.
 */
#ifndef BERTH_RT_IMAGE_H
#define BERTH_RT_IMAGE_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "strv.h"

struct rt_healthcheck {
        strv_t test; /* ["CMD-SHELL", "x"], ["CMD", ...] or ["NONE"] */
        long long interval_ns, timeout_ns, start_period_ns, start_interval_ns;
        int retries;
};

struct rt_image_config {             /* OCI image config "config" object */
        strv_t env, cmd, entrypoint; /* env "K=V" */
        bool has_cmd, has_entrypoint;
        char *working_dir, *user, *stop_signal; /* NULL when unset */
        strv_t exposed_ports;                   /* "80/tcp" */
        strv_t volumes;                         /* "/data" */
        strv_t labels;                          /* "k=v" */
        struct rt_healthcheck *healthcheck;     /* NULL when none */
};

struct rt_image {
        char *id;            /* "sha256:<64 hex>" of the config blob */
        strv_t repo_tags;    /* "busybox:latest", sorted */
        strv_t repo_digests; /* "busybox@sha256:<hex>" of pulls, sorted */
        struct rt_image_config config;
        strv_t layer_dirs; /* absolute paths of the unpacked layer dirs, TOP layer
                              first (overlay lowerdir order) */
        strv_t diff_ids;   /* "sha256:<hex>" per layer, BOTTOM layer first (as in
                              the config's rootfs.diff_ids) */
        char *architecture, *os;
        char *comment;           /* NULL when none */
        char *parent;            /* "sha256:<hex>" a build step was committed on, or NULL */
        long long created;       /* unix seconds */
        long long last_tag_time; /* unix seconds the record was last written (a pull,
                                    a tag of a build): Docker's Metadata.LastTagTime */
        unsigned long long size; /* bytes of file data in all layers */
        json_t *history;         /* the config's "history" array (oldest first) */
};

/* Find an image by name[:tag] (default tag "latest", "docker.io/library/" and
 * "docker.io/" prefixes tolerated), name@digest of a pull, full ID ("sha256:<hex>" or bare hex) or
 * a unique ID prefix.  Not found -> err->code ENOENT, message `No such image: <ref>`; an ambiguous
 * prefix -> EINVAL.  On success out must be released with rt_image_free(). */
int rt_image_lookup(const char *ref, struct rt_image *out, err_t *err);
void rt_image_free(struct rt_image *img);
void rt_image_config_free(struct rt_image_config *c);

/* Every image in the store, newest first.  Free with rt_image_list_free(). */
int rt_image_list(struct rt_image **out, size_t *n, err_t *err);
void rt_image_list_free(struct rt_image *v, size_t n);

/* Normalise a reference to "name:tag" (adds ":latest", drops "docker.io/"
 * and "docker.io/library/").  Invalid references (upper case, bad characters,
 * digests) -> EINVAL "invalid reference format".  Caller frees *out. */
int rt_image_ref_normalize(const char *ref, char **out, err_t *err);

/* Point the name dst at the image src resolves to. */
int rt_image_tag(const char *src, const char *dst, err_t *err);

/* Tells rt_image_remove/prune whether a container uses an image ("sha256:<hex>"):
 * returns the ID of such a container (a running one when there is one, with
 * *running set) or NULL.  A NULL callback: no container uses any image. */
typedef const char *(*rt_image_in_use_fn)(const char *image_id, bool *running, void *ud);

/* `rmi`: a name untags it (and deletes the image when it was its last name);
 * an ID deletes the image, which needs force when it has several names.  An
 * image in use by a container is never deleted: its last name goes only with
 * force, and force by ID untags it unless a running container uses it.
 * Appends "Untagged: <name>" / "Deleted: sha256:<hex>" lines to report. */
int rt_image_remove(const char *ref, bool force, rt_image_in_use_fn in_use, void *ud,
                    strv_t *report, err_t *err);

/* Delete dangling images (untagged, and no image was committed on them: build
 * steps stay while their child does), or with all every image no container
 * uses.  Appends "untagged: x" / "deleted: sha256:<hex>" lines to report and
 * adds the freed layer bytes to *reclaimed. */
int rt_image_prune(bool all, rt_image_in_use_fn in_use, void *ud, strv_t *report,
                   unsigned long long *reclaimed, err_t *err);

/* `import`: one layer from a rootfs tar stream (fd; gzip, xz, zstd, bzip2 or
 * plain), the given config (may be NULL), tagged name when not NULL.  Returns
 * the new image ID in *id_out (caller frees). */
int rt_image_import(int fd, const char *name, const struct rt_image_config *cfg,
                    const char *comment, char **id_out, err_t *err);

/* `commit` (used by build): a new image made of the parent's layers and
 * config (parent NULL: scratch, no layers) plus, when layer_fd >= 0, the
 * uncompressed layer tar read from it, with config as its "config" object and
 * history entries: one per empty_history string (may be NULL; config-only
 * steps, empty_layer), then created_by unless it is NULL (empty_layer when no
 * layer is added).
 * tags (may be NULL) are pointed at it.  Returns "sha256:<hex>" in *id_out.
 * registering (may be NULL) is told the new image's ID just before its
 * record is written (a build records it in its cache first, so that a build
 * killed at any point leaves no image it will not find again). */
struct rt_image_commit {
        const char *parent;
        int layer_fd;
        const struct rt_image_config *config;
        const char *created_by;
        const strv_t *empty_history;
        const strv_t *tags;
        /* `commit -m` / `-a`: the config's "comment" / "author" and the
         * history entry's (may be NULL) */
        const char *comment, *author;
        void (*registering)(const char *id, void *ud);
        void *ud;
};
int rt_image_commit(const struct rt_image_commit *c, char **id_out, err_t *err);

/* Apply one Dockerfile-style instruction of `import --change` (CMD,
 * ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, STOPSIGNAL, VOLUME; JSON or
 * shell form) to cfg. */
int rt_image_config_apply_change(struct rt_image_config *cfg, const char *change, err_t *err);

/* An image VOLUME path must be absolute, free of ".." components and control
 * characters, and not "/": the engine fills a new volume from the image
 * content under it.  image names the image in the message (NULL: one being
 * made).  EINVAL "image NAME: VOLUME "PATH" must ...". */
int rt_image_volume_path_check(const char *image, const char *path, err_t *err);
/* The same for every VOLUME of c. */
int rt_image_config_check_volumes(const struct rt_image_config *c, const char *image, err_t *err);

/* Convert between the OCI "config" JSON object and the struct. */
int rt_image_config_from_json(const json_t *j, struct rt_image_config *out, err_t *err);
json_t *rt_image_config_to_json(const struct rt_image_config *c);

/* `load`: a docker-save archive (manifest.json) or an OCI image layout archive
 * (index.json), compressed or not, from fd.  Appends "Loaded image: name:tag"
 * (or "Loaded image ID: sha256:<hex>" for untagged images) to report. */
int rt_image_load(int fd, strv_t *report, err_t *err);

/* `save`: write the images refs name into a tar on fd, in docker-save format
 * (manifest.json) that is also an OCI image layout (index.json,
 * oci-layout, blobs/sha256/). */
int rt_image_save(const char *const *refs, size_t n, int fd, err_t *err);

/* `image inspect` object with Docker's field names. */
json_t *rt_image_inspect_json(const struct rt_image *img);

/* Take the store lock (exclusive for writers, shared for readers that need a
 * stable view, e.g. while mounting layers).  Returns an fd to close. */
int rt_image_store_lock(bool exclusive, err_t *err);

#endif
