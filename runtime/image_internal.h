/* image_internal.h - store primitives shared by the image store, import and
 * load/save (runtime/ internal, not an API for other modules). */
#ifndef BERTH_RT_IMAGE_INTERNAL_H
#define BERTH_RT_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "strv.h"
#include "tar.h"
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
/* Write mode on a store that exists; 0, with nothing made, when there is none. */
int store_open_existing(struct store *s, err_t *err);
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
/* Record an image event (base/events.h) as docker logs it: the actor is
 * sha256:hex, name the reference (the id itself when NULL: untag, delete). */
void image_event(const char *hex, const char *name, const char *action);
int image_register(struct store *s, const char *config, size_t config_len, const strv_t *diff_hex,
                   const strv_t *names, char id_hex[HEX_LEN + 1], err_t *err);
/* The same, for an image built on parent_hex (NULL: none): the record names
 * the parent, in the same write. */
int image_register_child(struct store *s, const char *config, size_t config_len,
                         const strv_t *diff_hex, const strv_t *names, const char *parent_hex,
                         char id_hex[HEX_LEN + 1], err_t *err);

/* Point names (may be NULL) at image id_hex. */
int image_names_set(struct store *s, const strv_t *names, const char *id_hex, err_t *err);

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

/* --- layer tars (layer_stream.c) ---
 * A pull keeps a layer as the compressed blob it was pulled as (named in
 * layers/<chain>/layer.json, "blob" and "tar_size"), not as its uncompressed
 * tar; stores written before that, imports, loads and builds keep the tar
 * as blobs/sha256/<diff ID>.  Either way the tar is read through a stream
 * that verifies it against the diff ID: the end of the stream is reported
 * only when the digest matched. */

/* Next piece of a compressed stream: *buf and its length, 0 at the end,
 * < 0 with err filled.  A piece stays valid until the next call. */
typedef long long (*lstream_src_fn)(void *ud, const void **buf, err_t *err);

struct lstream {
        struct rt_tar_src in;    /* the compressed source */
        void (*abort)(void *ud); /* optional: make a waiting source (in.ud) fail */
        struct archive *a;       /* NULL: the source is the tar itself */
        void *md;                /* EVP_MD_CTX over the tar */
        char diff[HEX_LEN + 1], blob[HEX_LEN + 1];
        unsigned long long bytes; /* of tar so far */
        bool ended, verified;
};

/* A source that reads fd in pieces of LSTREAM_FD_BUF bytes into buf (what:
 * named in errors). */
#define LSTREAM_FD_BUF (256u << 10)
struct lstream_fd {
        int fd;
        char *buf;
        const char *what;
};
long long lstream_fd_read(void *ud, const void **buf, err_t *err);
/* The digest an EVP_MD_CTX (md) computed, as hex. */
void md_final_hex(void *md, char out[HEX_LEN + 1]);

/* compressed: gzip, zstd or plain, detected; else the source is the tar.
 * blob_hex (may be NULL) names the source in messages. */
int lstream_init(struct lstream *ls, lstream_src_fn src, void *ud, bool compressed,
                 const char *diff_hex, const char *blob_hex, err_t *err);
/* The next piece of tar; 0 at its end once its digest matched diff_hex
 * (EBADMSG otherwise). */
long long lstream_read(struct lstream *ls, const void **buf, err_t *err);
/* Bytes of the source consumed so far. */
unsigned long long lstream_compressed_pos(struct lstream *ls);
/* Unpack the tar into rootfd (overlay mode; rootfd < 0: only verify), then
 * read the stream to its verified end.  st may be NULL. */
struct rt_tar_stats;
int lstream_unpack(struct lstream *ls, int rootfd, struct rt_tar_stats *st, err_t *err);
void lstream_free(struct lstream *ls);

/* Where the tar of layer chain_hex (diff diff_hex; chain_hex may be NULL)
 * comes from: 0: blobs/sha256/<diff> itself; 1: the compressed blob
 * blob_hex; -1: nowhere.  tar_size: its length (0: unknown). */
int layer_source(struct store *s, const char *chain_hex, const char *diff_hex,
                 char blob_hex[HEX_LEN + 1], unsigned long long *tar_size);
/* The compressed blob (and diff ID, tar length) layers/<chain>/layer.json
 * names, whether present or not; -1 when it names none. */
int layer_blob(struct store *s, const char *chain_hex, char blob_hex[HEX_LEN + 1],
               char diff_hex[HEX_LEN + 1], unsigned long long *tar_size);
struct layer_tar;
int layer_tar_open(struct store *s, const char *chain_hex, const char *diff_hex,
                   struct layer_tar **out, err_t *err);
unsigned long long layer_tar_size(const struct layer_tar *t);
/* Up to n bytes; 0 at the verified end. */
long long layer_tar_read(struct layer_tar *t, void *buf, size_t n, err_t *err);
int layer_tar_unpack(struct layer_tar *t, int rootfd, struct rt_tar_stats *st, err_t *err);
void layer_tar_close(struct layer_tar *t);

/* Read the raw config blob of image hex. */
int image_config_bytes(struct store *s, const char *hex, char **out, size_t *len, err_t *err);

/* The host's architecture in Go/OCI terms (amd64, arm64, ...). */
const char *host_arch(void);

/* RFC 3339 time formatting/parsing (UTC). */

#endif
