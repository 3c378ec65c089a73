/* node.c - the compose node tree: construction, copies, map helpers, typing. */
#include "node.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

struct intern_ent {
        struct intern_ent *next;
        char s[];
};

static struct intern_ent *intern_head;

const char *cnode_intern(const char *s)
{
        struct intern_ent *e;
        size_t n;

        if (!s)
                return NULL;
        for (e = intern_head; e; e = e->next)
                if (strcmp(e->s, s) == 0)
                        return e->s;
        n = strlen(s);
        e = xmalloc(sizeof(*e) + n + 1);
        memcpy(e->s, s, n + 1);
        e->next = intern_head;
        intern_head = e;
        return e->s;
}

void cnode_intern_reset(void)
{
        while (intern_head) {
                struct intern_ent *e = intern_head;
                intern_head = e->next;
                free(e);
        }
}

struct cnode *cnode_new(enum cnode_kind kind, const struct cnode_pos *pos)
{
        struct cnode *n = xcalloc(1, sizeof(*n));

        n->kind = kind;
        if (pos)
                n->pos = *pos;
        return n;
}

struct cnode *cnode_new_scalar(const char *s, const struct cnode_pos *pos)
{
        struct cnode *n = cnode_new(CN_SCALAR, pos);

        n->str = xstrdup(s ? s : "");
        return n;
}

void cnode_free(struct cnode *n)
{
        if (!n)
                return;
        for (size_t i = 0; i < n->n; i++) {
                if (n->keys)
                        cnode_free(n->keys[i]);
                cnode_free(n->vals[i]);
        }
        free(n->keys);
        free(n->vals);
        free(n->str);
        free(n->tag);
        free(n);
}

struct cnode *cnode_copy(const struct cnode *n)
{
        struct cnode *c;

        if (!n)
                return NULL;
        c = cnode_new(n->kind, &n->pos);
        c->str = n->str ? xstrdup(n->str) : NULL;
        c->tag = n->tag ? xstrdup(n->tag) : NULL;
        c->quoted = n->quoted;
        if (n->n) {
                c->cap = c->n = n->n;
                c->vals = xcalloc(n->n, sizeof(*c->vals));
                if (n->kind == CN_MAP)
                        c->keys = xcalloc(n->n, sizeof(*c->keys));
                for (size_t i = 0; i < n->n; i++) {
                        if (n->kind == CN_MAP)
                                c->keys[i] = cnode_copy(n->keys[i]);
                        c->vals[i] = cnode_copy(n->vals[i]);
                }
        }
        return c;
}

ssize_t cnode_map_index(const struct cnode *map, const char *key)
{
        if (!map || map->kind != CN_MAP)
                return -1;
        for (size_t i = 0; i < map->n; i++)
                if (strcmp(map->keys[i]->str, key) == 0)
                        return (ssize_t)i;
        return -1;
}

struct cnode *cnode_map_get(const struct cnode *map, const char *key)
{
        ssize_t i = cnode_map_index(map, key);

        return i < 0 ? NULL : map->vals[i];
}

static void grow(struct cnode *n)
{
        if (n->n < n->cap)
                return;
        n->cap = n->cap ? n->cap * 2 : 4;
        n->vals = xrealloc(n->vals, n->cap * sizeof(*n->vals));
        if (n->kind == CN_MAP)
                n->keys = xrealloc(n->keys, n->cap * sizeof(*n->keys));
}

void cnode_map_set(struct cnode *map, const char *key, struct cnode *val)
{
        ssize_t i = cnode_map_index(map, key);

        if (i >= 0) {
                cnode_free(map->vals[i]);
                map->vals[i] = val;
                return;
        }
        grow(map);
        map->keys[map->n] = cnode_new_scalar(key, val ? &val->pos : &map->pos);
        map->vals[map->n] = val;
        map->n++;
}

bool cnode_map_del(struct cnode *map, const char *key)
{
        ssize_t i = cnode_map_index(map, key);

        if (i < 0)
                return false;
        cnode_free(map->keys[i]);
        cnode_free(map->vals[i]);
        memmove(map->keys + i, map->keys + i + 1, (map->n - (size_t)i - 1) * sizeof(*map->keys));
        memmove(map->vals + i, map->vals + i + 1, (map->n - (size_t)i - 1) * sizeof(*map->vals));
        map->n--;
        return true;
}

void cnode_seq_push(struct cnode *seq, struct cnode *item)
{
        grow(seq);
        seq->vals[seq->n++] = item;
}

bool cnode_is_null(const struct cnode *n)
{
        return !n || n->kind == CN_NULL;
}

int cnode_as_bool(const struct cnode *n, bool *out)
{
        if (!n || n->kind != CN_SCALAR)
                return -1;
        if (strcasecmp(n->str, "true") == 0)
                *out = true;
        else if (strcasecmp(n->str, "false") == 0)
                *out = false;
        else
                return -1;
        return 0;
}

int cnode_as_int(const struct cnode *n, long long *out)
{
        const char *s;
        int base = 10, neg = 0;
        unsigned long long v;
        char *end;

        if (!n || n->kind != CN_SCALAR)
                return -1;
        s = n->str;
        if (*s == '+' || *s == '-')
                neg = *s++ == '-';
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                base = 16;
                s += 2;
        } else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
                base = 8;
                s += 2;
        }
        /* strtoull accepts leading blanks and its own sign: reject both. */
        if (!(base == 16 ? isxdigit((unsigned char)*s) : (*s >= '0' && *s <= '9')))
                return -1;
        errno = 0;
        v = strtoull(s, &end, base);
        if (errno || *end)
                return -1;
        if (neg) {
                if (v > (unsigned long long)LLONG_MAX + 1)
                        return -1;
                *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
        } else {
                if (v > (unsigned long long)LLONG_MAX)
                        return -1;
                *out = (long long)v;
        }
        return 0;
}

int cnode_as_double(const struct cnode *n, double *out)
{
        const char *s;
        char *end;
        double d;

        if (!n || n->kind != CN_SCALAR)
                return -1;
        s = n->str;
        if (!*s || *s == ' ' || *s == '\t' || *s == '\n')
                return -1;
        if (strcasecmp(s, ".inf") == 0 || strcasecmp(s, "+.inf") == 0) {
                *out = __builtin_inf();
                return 0;
        }
        if (strcasecmp(s, "-.inf") == 0) {
                *out = -__builtin_inf();
                return 0;
        }
        if (strcasecmp(s, ".nan") == 0) {
                *out = __builtin_nan("");
                return 0;
        }
        /* strtod also takes hex floats, "inf" and "nan": YAML does not. */
        for (const char *p = s; *p; p++)
                if (!strchr("0123456789+-.eE", *p))
                        return -1;
        errno = 0;
        d = strtod(s, &end);
        if (errno == ERANGE || *end || end == s)
                return -1;
        *out = d;
        return 0;
}

int cnode_check_nul(const char *text, size_t len, const char *file, err_t *err)
{
        const char *nul = memchr(text, '\0', len);
        int line = 1, col = 1;

        if (!nul)
                return 0;
        for (const char *c = text; c < nul; c++) {
                col++;
                if (*c == '\n') {
                        line++;
                        col = 1;
                }
        }
        return err_set(err, EINVAL, "%s:%d:%d: a NUL byte is not allowed", file, line, col);
}
