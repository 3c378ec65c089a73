/* image_internal.h - store primitives shared by the image store, import and
 * load/save (runtime/ internal, not an API for other modules). */
#ifndef BERTH_RT_IMAGE_INTERNAL_H
#define BERTH_RT_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "strv.h"
#include "timefmt.h"

#define HEX_LEN 64

struct store {
        int dfd;    /* berth_lib_dir()/image */
        int lockfd; /* -1 unless opened for writing */
};

/* Open the store.  write: create it if needed and take the exclusive lock.
 * Read mode on a store that does not exist yet returns 0 (s->dfd == -1);
 * otherwise 1. */
int store_open(struct store *s, bool write, err_t *err);
void store_close(struct store *s);

/* sha256 of a buffer as 64 lowercase hex digits. */
void sha256_hex(const void *data, size_t n, char hex[HEX_LEN + 1]);
/* "sha256:<hex>" -> hex if valid, else NULL. */
const char *digest_hex(const char *digest);

/* Store the decompressed content of fd (any libarchive filter) as a blob;
 * its hex digest goes to hex. */
int blob_put_stream(struct store *s, int fd, char hex[HEX_LEN + 1], err_t *err);
/* Store bytes as a blob named by their digest. */
int blob_put_bytes(struct store *s, const void *data, size_t n, char hex[HEX_LEN + 1], err_t *err);
/* Open blob hex for reading. */
int blob_open(struct store *s, const char *hex, err_t *err);

/* Register an image from its config blob bytes and its layers' diff IDs (hex,
 * bottom first; their uncompressed tar blobs must already be in the store):
 * unpack missing layers, write the image record, point names (may be NULL) at it.
 * Returns the image ID hex in id_hex. */
int image_register(struct store *s, const char *config, size_t config_len, const strv_t *diff_hex,
                   const strv_t *names, char id_hex[HEX_LEN + 1], err_t *err);
/* The same, for an image built on parent_hex (NULL: none): the record names
 * the parent, in the same write. */
int image_register_child(struct store *s, const char *config, size_t config_len,
                         const strv_t *diff_hex, const strv_t *names, const char *parent_hex,
                         char id_hex[HEX_LEN + 1], err_t *err);

/* After a pull registered image id_hex: remember repo_digest
 * ("name@sha256:<hex>", replacing an older one for the same name) and the
 * registry blobs (compressed layers, manifests; hex) the image owns, so
 * removal deletes them with the image. */
int image_record_add_pull(struct store *s, const char *id_hex, const char *repo_digest,
                          const strv_t *blobs_hex, err_t *err);

/* Does blobs/sha256/<hex> exist?  Is the unpacked layer chain <hex> complete? */
bool blob_exists(struct store *s, const char *hex);
bool layer_exists(struct store *s, const char *chain_hex);
/* The chain IDs (hex) of diff IDs (hex), bottom first. */
void layer_chain_ids(const strv_t *diff_hex, strv_t *chains);

/* Remove those of the layer blobs diff_hex that no image record uses (after a
 * failed import or load). */
void blob_drop_unused(struct store *s, const strv_t *diff_hex);

/* Read the raw config blob of image hex. */
int image_config_bytes(struct store *s, const char *hex, char **out, size_t *len, err_t *err);

/* The host's architecture in Go/OCI terms (amd64, arm64, ...). */
const char *host_arch(void);

/* RFC 3339 time formatting/parsing (UTC). */

#endif
