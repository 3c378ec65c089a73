/* yaml.c - YAML text to cnode tree with libyaml's event parser.
 *
 * Aliases are expanded by copying the anchored subtree; every node produced
 * (parsed, copied for an alias or for a merge key) counts against a budget so
 * a billion-laughs document fails early.  Nesting depth is bounded the same
 * way so later recursive passes cannot exhaust the stack. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cleanup.h"
#include "node.h"
#include "xalloc.h"

#define YAML_MAX_NODES 1000000
#define YAML_MAX_DEPTH 500

struct anchor {
        char *name;
        const struct cnode *node; /* owned by the tree or by the graveyard */
        size_t count;             /* nodes in the subtree */
        size_t height;            /* levels in the subtree (a scalar is 1) */
};

struct frame {
        struct cnode *node;
        struct cnode *key; /* CN_MAP: key waiting for its value */
        char *anchor;
        size_t count;
        size_t height;
        struct cnode **merges; /* CN_MAP: values of `<<` keys, in order */
        size_t nmerges;
};

struct builder {
        const char *file;
        struct frame *stack;
        size_t depth, cap;
        struct anchor *anchors;
        size_t nanchors, capanchors;
        struct cnode **grave; /* detached nodes an anchor may still point to */
        size_t ngrave, capgrave;
        size_t budget; /* nodes produced so far */
        struct cnode *root;
        int ndocs;
        struct cnode *docs; /* a stream's documents (CN_SEQ), NULL: one document only */
};

static int pos_err(err_t *err, const struct cnode_pos *p, const char *msg)
{
        return err_set(err, 0, "%s:%d:%d: %s", p->file, p->line, p->col, msg);
}

static void bury(struct builder *b, struct cnode *n)
{
        if (b->ngrave == b->capgrave) {
                b->capgrave = b->capgrave ? b->capgrave * 2 : 16;
                b->grave = xrealloc(b->grave, b->capgrave * sizeof(*b->grave));
        }
        b->grave[b->ngrave++] = n;
}

static const struct anchor *anchor_find(const struct builder *b, const char *name)
{
        /* The latest definition of a name wins. */
        for (size_t i = b->nanchors; i-- > 0;)
                if (strcmp(b->anchors[i].name, name) == 0)
                        return &b->anchors[i];
        return NULL;
}

static void anchor_add(struct builder *b, char *name, const struct cnode *n, size_t count,
                       size_t height)
{
        if (b->nanchors == b->capanchors) {
                b->capanchors = b->capanchors ? b->capanchors * 2 : 16;
                b->anchors = xrealloc(b->anchors, b->capanchors * sizeof(*b->anchors));
        }
        b->anchors[b->nanchors++] = (struct anchor){name, n, count, height};
}

static size_t subtree_count(const struct cnode *n)
{
        size_t c = 1;

        for (size_t i = 0; i < n->n; i++)
                c += subtree_count(n->vals[i]) + (n->kind == CN_MAP);
        return c;
}

static char *tag_name(const yaml_char_t *tag)
{
        static const char core[] = "tag:yaml.org,2002:";

        if (!tag)
                return NULL;
        if (strncmp((const char *)tag, core, sizeof(core) - 1) == 0)
                return xasprintf("!!%s", (const char *)tag + sizeof(core) - 1);
        return xstrdup((const char *)tag);
}

static bool is_null_text(const char *s)
{
        return !*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
               strcmp(s, "NULL") == 0;
}

static bool is_merge_key(const struct cnode *k)
{
        return k->kind == CN_SCALAR && !k->quoted && strcmp(k->str, "<<") == 0 &&
               (!k->tag || strcmp(k->tag, "!!merge") == 0);
}

/* Apply the `<<` values of a finished map: keys already present win, and
 * among several merged maps the first one wins. */
static int apply_merges(struct builder *b, struct frame *f, err_t *err)
{
        struct cnode *map = f->node;

        for (size_t m = 0; m < f->nmerges; m++) {
                struct cnode *src = f->merges[m];
                size_t nsrc = src->kind == CN_SEQ ? src->n : 1;

                if (src->kind != CN_MAP && src->kind != CN_SEQ)
                        return pos_err(err, &src->pos,
                                       "map merge requires map or sequence of maps as the value");
                for (size_t s = 0; s < nsrc; s++) {
                        const struct cnode *one = src->kind == CN_SEQ ? src->vals[s] : src;

                        if (one->kind != CN_MAP)
                                return pos_err(
                                    err, &one->pos,
                                    "map merge requires map or sequence of maps as the value");
                        for (size_t i = 0; i < one->n; i++) {
                                size_t c;

                                if (cnode_map_index(map, one->keys[i]->str) >= 0)
                                        continue;
                                c = subtree_count(one->vals[i]) + 1;
                                if (b->budget + c > YAML_MAX_NODES)
                                        return pos_err(err, &src->pos, "too many alias expansions");
                                b->budget += c;
                                f->count += c;
                                cnode_map_set(map, one->keys[i]->str, cnode_copy(one->vals[i]));
                                map->keys[map->n - 1]->pos = one->keys[i]->pos;
                        }
                }
        }
        return 0;
}

/* Hand a finished node to its parent (or make it the document root). */
static int deliver(struct builder *b, struct cnode *n, size_t count, size_t height, err_t *err)
{
        struct frame *f;

        if (b->depth == 0) {
                if (b->docs)
                        cnode_seq_push(b->docs, n);
                else
                        b->root = n;
                return 0;
        }
        f = &b->stack[b->depth - 1];
        f->count += count;
        if (height + 1 > f->height)
                f->height = height + 1;
        if (f->node->kind == CN_SEQ) {
                cnode_seq_push(f->node, n);
                return 0;
        }
        if (!f->key) {
                if (n->kind == CN_MAP || n->kind == CN_SEQ) {
                        pos_err(err, &n->pos, "mapping key must be a scalar");
                        cnode_free(n);
                        return -1;
                }
                if (n->kind == CN_NULL) {
                        /* `~: x` or `? ` : the key is its text. */
                        n->kind = CN_SCALAR;
                        if (!n->str)
                                n->str = xstrdup("");
                }
                f->key = n;
                return 0;
        }
        if (is_merge_key(f->key)) {
                f->merges = xrealloc(f->merges, (f->nmerges + 1) * sizeof(*f->merges));
                f->merges[f->nmerges++] = n;
                bury(b, n);
                bury(b, TAKE_PTR(f->key));
                return 0;
        }
        if (cnode_map_index(f->node, f->key->str) >= 0) {
                char msg[512];
                snprintf(msg, sizeof(msg), "duplicate key \"%.400s\"", f->key->str);
                pos_err(err, &f->key->pos, msg);
                cnode_free(n);
                return -1;
        }
        cnode_map_set(f->node, f->key->str, n);
        cnode_free(f->node->keys[f->node->n - 1]);
        f->node->keys[f->node->n - 1] = TAKE_PTR(f->key);
        return 0;
}

static int push_frame(struct builder *b, struct cnode *n, const yaml_char_t *anchor, err_t *err)
{
        if (b->depth >= YAML_MAX_DEPTH) {
                pos_err(err, &n->pos, "nesting too deep");
                cnode_free(n);
                return -1;
        }
        if (b->depth == b->cap) {
                b->cap = b->cap ? b->cap * 2 : 16;
                b->stack = xrealloc(b->stack, b->cap * sizeof(*b->stack));
        }
        b->stack[b->depth++] = (struct frame){
            .node = n,
            .anchor = anchor ? xstrdup((const char *)anchor) : NULL,
            .count = 1,
            .height = 1,
        };
        return 0;
}

static int pop_frame(struct builder *b, err_t *err)
{
        struct frame f = b->stack[--b->depth];
        int r = 0;

        if (f.node->kind == CN_MAP)
                r = apply_merges(b, &f, err);
        free(f.merges);
        cnode_free(f.key);
        if (r < 0) {
                cnode_free(f.node);
                free(f.anchor);
                return -1;
        }
        if (f.anchor)
                anchor_add(b, f.anchor, f.node, f.count, f.height);
        return deliver(b, f.node, f.count, f.height, err);
}

static int on_event(struct builder *b, const yaml_event_t *ev, err_t *err)
{
        struct cnode_pos pos = {b->file, (int)ev->start_mark.line + 1,
                                (int)ev->start_mark.column + 1};
        struct cnode *n;

        switch (ev->type) {
        case YAML_DOCUMENT_START_EVENT:
                if (++b->ndocs > 1 && !b->docs)
                        return pos_err(err, &pos,
                                       "multiple YAML documents in one file are not supported");
                return 0;
        case YAML_DOCUMENT_END_EVENT:
                /* an empty document still counts (indexes name documents) */
                if (b->docs && b->docs->n < (size_t)b->ndocs)
                        cnode_seq_push(b->docs, cnode_new(CN_NULL, &pos));
                return 0;
        case YAML_SCALAR_EVENT: {
                const char *v = (const char *)ev->data.scalar.value;
                char *tag = tag_name(ev->data.scalar.tag);
                bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

                if (++b->budget > YAML_MAX_NODES) {
                        free(tag);
                        return pos_err(err, &pos, "too many alias expansions");
                }
                /* "\0" in a double-quoted scalar: as a C string the text
                 * would end there ("privileged\0x" read as "privileged"),
                 * a parser differential with docker compose. */
                if (strlen(v) != ev->data.scalar.length) {
                        free(tag);
                        return pos_err(err, &pos,
                                       "a NUL character (\\0) in a scalar is not allowed");
                }
                if ((tag && strcmp(tag, "!!null") == 0) ||
                    (plain && is_null_text(v) && (!tag || tag[0] != '!' || tag[1] != '!'))) {
                        n = cnode_new(CN_NULL, &pos);
                        /* keep the text for use as a map key */
                        n->str = xstrdup(v);
                } else {
                        n = cnode_new_scalar(v, &pos);
                        n->quoted = !plain || (tag && strcmp(tag, "!!str") == 0);
                }
                n->tag = tag;
                if (ev->data.scalar.anchor)
                        anchor_add(b, xstrdup((const char *)ev->data.scalar.anchor), n, 1, 1);
                return deliver(b, n, 1, 1, err);
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
                bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
                const yaml_char_t *tag =
                    seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag;
                const yaml_char_t *anchor =
                    seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor;

                if (++b->budget > YAML_MAX_NODES)
                        return pos_err(err, &pos, "too many alias expansions");
                n = cnode_new(seq ? CN_SEQ : CN_MAP, &pos);
                n->tag = tag_name(tag);
                return push_frame(b, n, anchor, err);
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                return pop_frame(b, err);
        case YAML_ALIAS_EVENT: {
                const char *name = (const char *)ev->data.alias.anchor;
                const struct anchor *a = anchor_find(b, name);
                char msg[512];

                if (!a) {
                        snprintf(msg, sizeof(msg), "unknown anchor \"%.400s\" referenced", name);
                        return pos_err(err, &pos, msg);
                }
                if (b->budget + a->count > YAML_MAX_NODES)
                        return pos_err(err, &pos, "too many alias expansions");
                if (b->depth + a->height > YAML_MAX_DEPTH)
                        return pos_err(err, &pos, "nesting too deep");
                b->budget += a->count;
                n = cnode_copy(a->node);
                return deliver(b, n, a->count, a->height, err);
        }
        default:
                return 0;
        }
}

static void builder_free(struct builder *b)
{
        while (b->depth) {
                struct frame *f = &b->stack[--b->depth];
                cnode_free(f->node);
                cnode_free(f->key);
                free(f->merges);
                free(f->anchor);
        }
        free(b->stack);
        for (size_t i = 0; i < b->nanchors; i++)
                free(b->anchors[i].name);
        free(b->anchors);
        for (size_t i = 0; i < b->ngrave; i++)
                cnode_free(b->grave[i]);
        free(b->grave);
        cnode_free(b->root);
        cnode_free(b->docs);
}

static int parse(const char *text, size_t len, const char *file, bool stream, struct cnode **out,
                 err_t *err)
{
        struct builder b = {.file = cnode_intern(file ? file : "-")};
        yaml_parser_t parser;
        yaml_event_t ev;
        bool done = false;
        int r = 0;

        if (cnode_check_nul(text, len, b.file, err) < 0)
                return -1;
        if (!yaml_parser_initialize(&parser))
                return err_set(err, 0, "%s: cannot initialise the YAML parser", b.file);
        yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
        if (stream) {
                struct cnode_pos p = {b.file, 1, 1};
                b.docs = cnode_new(CN_SEQ, &p);
        }
        while (!done) {
                if (!yaml_parser_parse(&parser, &ev)) {
                        const yaml_mark_t *m = &parser.problem_mark;
                        r = err_set(err, 0, "%s:%zu:%zu: %s", b.file, m->line + 1, m->column + 1,
                                    parser.problem ? parser.problem : "invalid YAML");
                        break;
                }
                done = ev.type == YAML_STREAM_END_EVENT;
                r = on_event(&b, &ev, err);
                yaml_event_delete(&ev);
                if (r < 0)
                        break;
        }
        yaml_parser_delete(&parser);
        if (r == 0 && stream) {
                *out = TAKE_PTR(b.docs);
        } else if (r == 0) {
                if (!b.root) {
                        struct cnode_pos p = {b.file, 1, 1};
                        b.root = cnode_new(CN_NULL, &p);
                }
                *out = TAKE_PTR(b.root);
        }
        builder_free(&b);
        return r;
}

int cnode_parse_yaml(const char *text, size_t len, const char *file, struct cnode **out, err_t *err)
{
        return parse(text, len, file, false, out, err);
}

int cnode_parse_yaml_stream(const char *text, size_t len, const char *file, struct cnode **out,
                            err_t *err)
{
        return parse(text, len, file, true, out, err);
}
