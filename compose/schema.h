/* schema.h - internal: the table-driven decoder from node tree to the
 * canonical JSON document (docker compose v2 `config --format json`).
 *
 * Each object of the compose specification is a `struct schema`: a table of
 * its keys in the order docker compose prints them, each with a value type
 * and, for structured values, a nested schema or a decode function.  Adding a
 * key is one line.  Keys outside the table fail with a did-you-mean unless
 * they start with "x-" (kept as is). */
#ifndef BERTH_COMPOSE_SCHEMA_H
#define BERTH_COMPOSE_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

#include "model.h"
#include "node.h"
#include "strv.h"

/* A reference from a service to a top-level object or another service,
 * checked once the whole document is decoded. */
enum ref_kind {
        REF_NETWORK,
        REF_VOLUME,
        REF_SECRET,
        REF_CONFIG,
        REF_SERVICE, /* depends_on, links, network_mode/ipc/pid service:, volumes_from */
};

struct ref {
        enum ref_kind kind;
        char *service; /* the referencing service */
        char *name;    /* the referenced key */
        char *path;    /* key path of the reference, for messages */
        struct cnode_pos pos;
        bool optional; /* depends_on required: false */
};

struct mctx {
        const struct compose_model_opts *o;
        err_t *err;
        strv_t *warnings;
        const char *service; /* the service being decoded, or NULL */
        struct ref *refs;
        size_t nrefs, refcap;
};

typedef int (*decode_fn)(struct mctx *c, const struct cnode *n, const char *path, json_t **out);

enum ftype {
        F_STR,       /* any scalar, as a string */
        F_INT,       /* integer, kept when 0 */
        F_INTNZ,     /* integer, dropped when 0 (Go omitempty) */
        F_BOOL,      /* boolean, dropped when false (Go omitempty) */
        F_BOOLP,     /* boolean, kept when false (Go *bool) */
        F_FLOAT,     /* number, dropped when 0 */
        F_STRLIST,   /* sequence of scalars */
        F_STRORLIST, /* scalar or sequence of scalars -> list */
        F_MAPSTR,    /* map of scalars (numbers as strings) */
        F_ENVMAP,    /* list of K=V or map -> map; value-less keys -> null */
        F_LABELS,    /* list of K=V or map -> map; value-less keys -> "" */
        F_DURATION,  /* Go duration -> its canonical string */
        F_BYTES,     /* byte size -> integer */
        F_OBJ,       /* nested object: sub */
        F_MAPOF,     /* map of name -> nested object (sub; null allowed) */
        F_LISTOF,    /* sequence of nested objects (sub) */
        F_FN,        /* custom decoder: fn */
        F_ANY,       /* any value, copied */
        F_DROP,      /* accepted and not printed (obsolete `version`) */
};

struct schema;

struct field {
        const char *key;
        enum ftype type;
        const struct schema *sub;
        decode_fn fn;
};

struct schema {
        const char *what; /* for messages */
        const struct field *fields;
        size_t nfields;
        bool null_ok; /* a null value decodes to an empty object */
};

/* Fail at node n: "file:line:col: path: message". Returns -1. */
/* The items of sequence n, each a string, as a JSON array (normalize.c). */
int str_items(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
/* "null", "a scalar", "a list" or "a mapping", for error messages. */
const char *cnode_kind_word(const struct cnode *n);
int mfail(struct mctx *c, const struct cnode *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

int decode_object(struct mctx *c, const struct cnode *n, const char *path, const struct schema *s,
                  json_t **out);
/* Decodes one list item at path p to *out; arg is decode_list's. */
typedef int (*item_fn)(struct mctx *c, const struct cnode *it, const char *p, const void *arg,
                       json_t **out);
/* A list decoded item by item ("path[i]" paths); nothing is kept on failure. */
int decode_list(struct mctx *c, const struct cnode *n, const char *path, item_fn fn,
                const void *arg, json_t **out);
int decode_field(struct mctx *c, const struct field *f, const struct cnode *n, const char *path,
                 json_t **out);
/* Any node as a JSON value, scalars typed as YAML 1.2 core. */
json_t *node_to_json(const struct cnode *n);
/* Steals o; returns it with the members in the table's order (others last). */
json_t *schema_reorder(json_t *o, const struct schema *s);
/* Steals o; adds to r the members of o that r does not have yet, in o's
 * order, and returns r. */
json_t *schema_add_rest(json_t *r, json_t *o);
/* Steals o; returns its members with the keys of order first, in that
 * order, and the others after them in o's order. */
json_t *schema_keys_first(json_t *o, const char *const *order, size_t n);
/* A service, network or volume name as docker compose accepts it:
 * [A-Za-z0-9._-]+. */
bool schema_name_ok(const char *s);
extern const struct schema *const schema_service_ptr;
/* Steals o; returns an object with the same members in key order. */
json_t *sort_keys(json_t *o);
/* Scalar text of n (NULL when not a scalar). */
const char *scalar(const struct cnode *n);
void add_ref(struct mctx *c, enum ref_kind kind, const char *name, const char *path,
             const struct cnode *n, bool optional);

/* Did-you-mean: the candidate closest to word, or NULL if none is close. */
const char *closest_word(const char *word, const char *const *cands, size_t n);

/* The top-level schema (schema.c) and the custom decoders (normalize.c). */
extern const struct schema schema_project;
extern const struct schema *const schema_svc_net,
    *const schema_port, *const schema_mount, *const schema_dep,
                                                 *const schema_file_ref,
                                                     *const schema_env_file,
                                                         *const schema_ulimit,
                                                             *const schema_build,
                                                                 *const schema_device,
                                                                     *const schema_extends;

int dec_command(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_ports(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_expose(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_volumes(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_depends_on(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_env_file(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_extra_hosts(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_healthcheck_test(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_ulimits(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_service_networks(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_build(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_file_refs(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_secret_refs(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_config_refs(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_devices(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_port_published(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_external(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_file_mode(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_tmpfs_mode(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_cpus(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_extends(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_links(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_volumes_from(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_ns_mode(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_restart(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_pull_policy(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_container_name(struct mctx *c, const struct cnode *n, const char *path, json_t **out);
int dec_path(struct mctx *c, const struct cnode *n, const char *path, json_t **out);

/* Paths: resolve p against the project dir (and `~`).  Caller frees. */
char *resolve_path(const struct mctx *c, const char *p);

/* normalize.c: project-level defaults once everything is decoded
 * (network/volume names, the implicit default network, env_file contents). */
int normalize_project(struct mctx *c, const struct cnode *root, json_t *doc);
/* validate.c: profiles, references, cycles, scale vs container_name. */
int validate_project(struct mctx *c, const struct cnode *root, json_t *doc, strv_t *disabled);

#endif
