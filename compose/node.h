/* node.h - the YAML node tree every compose stage works on.
 *
 * The loader (yaml.c) turns a compose file into this tree keeping
 * file:line:column for every node; interpolation, merging, extends, include
 * and profiles rewrite trees; the model (model.c) decodes the final tree into
 * typed structs.  Nodes own their children; cnode_free() frees a subtree. */
#ifndef BERTH_COMPOSE_NODE_H
#define BERTH_COMPOSE_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum cnode_kind {
        CN_NULL,   /* explicit or implicit null (`key:` with no value, `~`, `null`) */
        CN_SCALAR, /* any scalar: typed on demand by the cnode_as_* helpers */
        CN_MAP,
        CN_SEQ,
};

struct cnode_pos {
        const char *file; /* interned by cnode_intern(); never freed by a node */
        int line;         /* 1-based; 0 when synthesised */
        int col;          /* 1-based */
};

struct cnode {
        enum cnode_kind kind;
        char *str;   /* CN_SCALAR: the value after YAML unescaping */
        char *tag;   /* explicit tag ("!reset", "!override", "!!str"...) or NULL */
        bool quoted; /* CN_SCALAR written quoted or block: always a string */
        struct cnode_pos pos;
        size_t n; /* CN_MAP: pairs; CN_SEQ: items */
        size_t cap;
        struct cnode **keys; /* CN_MAP: scalar key nodes (keep their positions) */
        struct cnode **vals; /* CN_MAP: values; CN_SEQ: items */
};

/* Intern a file name for cnode_pos.file.  The table lives until
 * cnode_intern_reset() (tests/fuzzers) or process exit. */
const char *cnode_intern(const char *s);
void cnode_intern_reset(void);

struct cnode *cnode_new(enum cnode_kind kind, const struct cnode_pos *pos);
struct cnode *cnode_new_scalar(const char *s, const struct cnode_pos *pos);
void cnode_free(struct cnode *n);
struct cnode *cnode_copy(const struct cnode *n);

/* CN_MAP helpers.  Keys compare as exact strings. */
struct cnode *cnode_map_get(const struct cnode *map, const char *key);
ssize_t cnode_map_index(const struct cnode *map, const char *key);
/* Set key to val (taking ownership of val; an old value is freed).  The key
 * node is created with val's position when the key is new. */
void cnode_map_set(struct cnode *map, const char *key, struct cnode *val);
/* Remove key; returns true when it was present. */
bool cnode_map_del(struct cnode *map, const char *key);
/* CN_SEQ: append, taking ownership. */
void cnode_seq_push(struct cnode *seq, struct cnode *item);

/* Scalar typing (YAML 1.2 core schema as compose-go reads it). */
bool cnode_is_null(const struct cnode *n);
int cnode_as_bool(const struct cnode *n, bool *out);     /* true/false (any case) */
int cnode_as_int(const struct cnode *n, long long *out); /* decimal, 0x, 0o */
int cnode_as_double(const struct cnode *n, double *out);

/* Parse YAML text into a tree.  file names the source in positions and
 * errors ("compose.yaml:3:5: ...").  Anchors/aliases are expanded, merge keys
 * (`<<`) applied; expansion is bounded (max_nodes total, 0 = default 1e6) so a
 * billion-laughs file fails with a clear error instead of eating memory.
 * An empty document gives a CN_NULL root.  A NUL byte in the text or a
 * "\0" escape in a scalar is an error (as a C string the text would end
 * there: "privileged\0x" would load as "privileged"). */
int cnode_parse_yaml(const char *text, size_t len, const char *file, struct cnode **out,
                     err_t *err);

/* The same for a stream of documents ("---"): *out is a CN_SEQ with one node
 * per document (an empty document is a CN_NULL), whose positions give each
 * document's first line.  The expansion budget covers the whole stream. */
int cnode_parse_yaml_stream(const char *text, size_t len, const char *file, struct cnode **out,
                            err_t *err);

/* A NUL byte in text fails with "file:line:col: a NUL byte is not allowed":
 * read as C strings, the text would silently end there. */
int cnode_check_nul(const char *text, size_t len, const char *file, err_t *err);

#endif
