/* registry_internal.h - pieces of the registry client (runtime/ internal). */
#ifndef BERTH_RT_REGISTRY_INTERNAL_H
#define BERTH_RT_REGISTRY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "strv.h"

#define REG_MANIFEST_MAX (4u << 20) /* bytes, as Docker */

/* --- WWW-Authenticate (registry_auth.c) ----------------------------------- */

struct reg_challenge {
        char *scheme;                          /* "bearer" or "basic" (lower case) */
        char *realm, *service, *scope, *error; /* NULL when absent */
};

/* Parse a WWW-Authenticate header value (RFC 7235: one or more challenges,
 * auth-params as token=token or token="quoted"); the first Bearer challenge
 * wins, else the first Basic one.  No usable challenge -> EINVAL. */
int reg_challenge_parse(const char *hdr, struct reg_challenge *out, err_t *err);
void reg_challenge_free(struct reg_challenge *c);

/* --- token server answers (registry_auth.c) ------------------------------- */

#define REG_TOKEN_DEFAULT_LIFETIME 60 /* seconds, when expires_in is absent */

/* Parse a token server's JSON answer, received at time now:
 * {"token" (or "access_token"), "expires_in", "issued_at"}.  The token lives
 * expires_in seconds (REG_TOKEN_DEFAULT_LIFETIME when absent or not
 * positive), counted from issued_at (RFC 3339) when that lies within
 * [now - lifetime, now], else from now (a server clock ahead or far behind);
 * *refresh_at is when to ask for a new one: min(5 s, lifetime / 10) before
 * it dies.  No usable token (absent, empty, with CR/LF) -> EPROTO. */
int reg_token_parse(const char *body, size_t len, time_t now, char **token, time_t *refresh_at,
                    err_t *err);

/* --- manifests (registry_manifest.c) -------------------------------------- */

#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"

#define REG_URLS_MAX    16   /* URLs kept per descriptor */
#define REG_URL_LEN_MAX 2048 /* longer ones are dropped */

struct reg_desc {
        char *media_type;
        char *digest; /* validated "sha256:<hex>" */
        long long size;
        bool foreign;              /* foreign / non-distributable layer */
        strv_t urls;               /* its "urls": http(s) only, at most REG_URLS_MAX */
        char *os, *arch, *variant; /* index entries */
};

enum reg_manifest_kind { REG_MF_IMAGE, REG_MF_INDEX };

struct reg_manifest {
        enum reg_manifest_kind kind;
        char *media_type;
        struct reg_desc config;  /* REG_MF_IMAGE */
        struct reg_desc *layers; /* REG_MF_IMAGE */
        size_t nlayers;
        struct reg_desc *manifests; /* REG_MF_INDEX */
        size_t nmanifests;
};

/* Parse manifest bytes; content_type (may be NULL) is the HTTP Content-Type.
 * Rejects schema 1, unknown layer types and malformed descriptors.  A layer's
 * "urls" keeps only http:// and https:// URLs without spaces or control
 * characters (others are ignored, as Docker skips them). */
int reg_manifest_parse(const char *body, size_t len, const char *content_type,
                       struct reg_manifest *m, err_t *err);
void reg_manifest_free(struct reg_manifest *m);
/* The index entry for os/arch[/variant] (variant NULL: any, preferring
 * the host's), or NULL. */
const struct reg_desc *reg_manifest_select(const struct reg_manifest *m, const char *os,
                                           const char *arch, const char *variant);

/* Parse "os/arch[/variant]" (lower-case letters, digits, '_'); EINVAL with
 * Docker's hint otherwise.  *variant is NULL when not given. */
int reg_platform_parse(const char *spec, char **os, char **arch, char **variant, err_t *err);

/* --- settings (registry_config.c) ----------------------------------------- */

struct reg_settings {
        strv_t mirrors;  /* URLs, as configured */
        strv_t insecure; /* host[:port] or CIDR */
};

int reg_settings_load(struct reg_settings *s, err_t *err);
void reg_settings_free(struct reg_settings *s);
/* May host[:port] be spoken to in plain HTTP (listed as insecure, localhost,
 * 127.0.0.0/8, ::1)? */
bool reg_settings_insecure(const struct reg_settings *s, const char *hostport);

/* --- HTTP (registry_http.c) ------------------------------------------------ */

struct reg_client;
struct reg_conn; /* one connection (curl handle) per thread */

/* A client for repository repo at registry domain (registry_ref's domain;
 * docker.io speaks to registry-1.docker.io), or at the mirror base URL
 * mirror (may be NULL). */
struct reg_client *reg_client_new(const char *domain, const char *mirror, const char *repo,
                                  const struct reg_settings *set, const char *user,
                                  const char *secret, err_t *err);
void reg_client_free(struct reg_client *c);
struct reg_conn *reg_conn_new(struct reg_client *c, err_t *err);
void reg_conn_free(struct reg_conn *k);

/* GET /v2/: decides the scheme (https, or http for insecure registries) and
 * learns the authentication challenge. */
int reg_client_ping(struct reg_client *c, struct reg_conn *k, err_t *err);

/* Fetch a manifest by tag or digest (at most REG_MANIFEST_MAX bytes).
 * *body is NUL-terminated; ctype may be NULL. */
int reg_fetch_manifest(struct reg_client *c, struct reg_conn *k, const char *ref, char **body,
                       size_t *len, char **ctype, err_t *err);

/* Stream a blob from byte offset to sink (returns < 0 to abort, err filled).
 * When the server ignores the range and sends the whole blob, the sink is
 * first called with (NULL, 0): start over; *from_start is then set. */
typedef int (*reg_sink_fn)(const void *buf, size_t n, void *ud, err_t *err);
int reg_fetch_blob(struct reg_client *c, struct reg_conn *k, const char *digest,
                   unsigned long long offset, reg_sink_fn sink, void *ud, bool *from_start,
                   err_t *err);

/* Stream a foreign layer from url (http or https) from byte offset, as
 * reg_fetch_blob: a plain GET with none of the client's credentials, tokens,
 * client certificate, extra CAs or insecure setting (system CAs, TLS
 * verified; redirects only to https from https). */
int reg_fetch_url(struct reg_client *c, struct reg_conn *k, const char *url,
                  unsigned long long offset, reg_sink_fn sink, void *ud, bool *from_start,
                  err_t *err);

/* GET /v2/<repo>/tags/list (JSON body, at most REG_MANIFEST_MAX). */
int reg_fetch_tags(struct reg_client *c, struct reg_conn *k, char **body, size_t *len, err_t *err);

/* "host" as spoken to (for messages). */
const char *reg_client_host(const struct reg_client *c);

/* --- push and login (registry_http.c) --------------------------------------- */

/* The token scopes to ask for, space separated ("repository:a:pull,push
 * repository:b:pull"; "" none); NULL: repository:<repo>:pull.  Set before
 * reg_client_ping. */
void reg_client_set_scopes(struct reg_client *c, const char *scopes);

/* Upload progress: bytes of this request's body sent so far. */
typedef void (*reg_upload_fn)(void *ud, unsigned long long sent);

/* HEAD the blob: *exists. */
int reg_blob_exists(struct reg_client *c, struct reg_conn *k, const char *digest, bool *exists,
                    err_t *err);
/* POST blobs/uploads/ (with from: try to mount digest from that repository
 * first).  Either *mounted, or *location is the upload URL (caller frees). */
int reg_upload_start(struct reg_client *c, struct reg_conn *k, const char *digest, const char *from,
                     bool *mounted, char **location, err_t *err);
/* PATCH bytes [off, off+len) of fd to the upload; *location follows the
 * registry's answer. */
int reg_upload_chunk(struct reg_client *c, struct reg_conn *k, char **location, int fd,
                     long long off, long long len, reg_upload_fn progress, void *ud, err_t *err);
/* PUT ?digest=: completes the upload, with bytes [off, off+len) of fd as the
 * last part (fd < 0: no body). */
int reg_upload_finish(struct reg_client *c, struct reg_conn *k, const char *location,
                      const char *digest, int fd, long long off, long long len,
                      reg_upload_fn progress, void *ud, err_t *err);
/* PUT the manifest bytes under ref (tag or digest). */
int reg_put_manifest(struct reg_client *c, struct reg_conn *k, const char *ref,
                     const char *media_type, const char *body, size_t len, err_t *err);
/* After reg_client_ping: GET /v2/ with the credentials must answer 200
 * (docker login's check); else EACCES "unauthorized". */
int reg_client_check_login(struct reg_client *c, struct reg_conn *k, err_t *err);

#endif
