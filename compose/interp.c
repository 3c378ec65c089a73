/* interp.c - ${VAR} interpolation of strings and node trees. */
#include "interp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strbuf.h"
#include "xalloc.h"

/* Nested ${...} inside defaults recurse; bound it like the YAML depth. */
#define INTERP_MAX_DEPTH 64

const char *interp_lookup_strv(const char *name, void *ud)
{
        const strv_t *env = ud;
        size_t n = strlen(name);

        for (size_t i = env->n; i-- > 0;)
                if (strncmp(env->v[i], name, n) == 0 && env->v[i][n] == '=')
                        return env->v[i] + n + 1;
        return NULL;
}

char *interp_unset_warning(const char *name)
{
        return xasprintf("The \"%s\" variable is not set. Defaulting to a blank string.", name);
}

static bool name_start(char c)
{
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool name_char(char c)
{
        return name_start(c) || (c >= '0' && c <= '9');
}

/* Index of the `}` closing the `${` at s[0], counting nested `${`; -1 if none. */
static ssize_t closing_brace(const char *s, size_t len)
{
        int open = 0;

        for (size_t i = 0; i < len; i++) {
                if (s[i] == '}') {
                        if (--open == 0)
                                return (ssize_t)i;
                } else if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
                        open++;
                        i++;
                }
        }
        return -1;
}

struct run {
        interp_lookup_fn lookup;
        void *ud;
        strv_t *unset;
        int depth;
};

static int subst(struct run *r, const char *in, size_t len, strbuf_t *out, err_t *err);

static int invalid(err_t *err, const char *tmpl, size_t len)
{
        return err_set(err, 0, "invalid interpolation format: \"%.*s\"",
                       (int)(len > 200 ? 200 : len), tmpl);
}

/* Handle the inside of ${...}: body[0..len). */
static int braced(struct run *r, const char *body, size_t len, strbuf_t *out, err_t *err)
{
        size_t n = 0;
        bool colon = false;
        char op = 0;
        const char *word = NULL, *val;
        size_t wlen = 0;
        _cleanup_free_ char *name = NULL, *w = NULL;

        if (len == 0 || !name_start(body[0]))
                return -2;
        while (n < len && name_char(body[n]))
                n++;
        name = xstrndup(body, n);
        if (n < len) {
                size_t p = n;
                if (body[p] == ':') {
                        colon = true;
                        p++;
                }
                if (p >= len || !strchr("-?+", body[p]))
                        return -2;
                op = body[p++];
                word = body + p;
                wlen = len - p;
        }
        val = r->lookup(name, r->ud);
        if (!op) {
                if (!val) {
                        if (r->unset && !strv_contains(r->unset, name))
                                strv_push(r->unset, name);
                        return 0;
                }
                sb_append(out, val);
                return 0;
        }
        {
                /* The word is interpolated whether or not it is used, as compose does. */
                strbuf_t wb = STRBUF_INIT;
                if (subst(r, word, wlen, &wb, err) < 0) {
                        sb_free(&wb);
                        return -1;
                }
                w = sb_steal(&wb);
        }
        bool missing = !val || (colon && !*val);
        switch (op) {
        case '-':
                sb_append(out, missing ? w : val);
                return 0;
        case '+':
                if (!missing)
                        sb_append(out, w);
                return 0;
        default:
                if (missing) {
                        if (*w)
                                return err_set(
                                    err, 0, "required variable %s is missing a value: %s", name, w);
                        return err_set(err, 0, "required variable %s is missing a value", name);
                }
                sb_append(out, val);
                return 0;
        }
}

static int subst(struct run *r, const char *in, size_t len, strbuf_t *out, err_t *err)
{
        if (++r->depth > INTERP_MAX_DEPTH) {
                r->depth--;
                return err_set(err, 0, "interpolation nested too deeply");
        }
        for (size_t i = 0; i < len;) {
                /* Each step appends at most one variable's value: checked
                 * here, a result never grows far past the limit (values
                 * that double line by line in a .env would reach
                 * gigabytes). */
                if (out->len > INTERP_MAX_VALUE) {
                        r->depth--;
                        return err_set(err, E2BIG, "interpolated value exceeds %u MiB",
                                       INTERP_MAX_VALUE >> 20);
                }
                const char *dollar = memchr(in + i, '$', len - i);
                if (!dollar) {
                        sb_appendn(out, in + i, len - i);
                        break;
                }
                size_t d = (size_t)(dollar - in);
                sb_appendn(out, in + i, d - i);
                i = d;
                if (i + 1 < len && in[i + 1] == '$') {
                        sb_appendc(out, '$');
                        i += 2;
                } else if (i + 1 < len && in[i + 1] == '{') {
                        ssize_t c = closing_brace(in + i, len - i);
                        int rc;

                        if (c < 0) {
                                r->depth--;
                                return invalid(err, in + i, len - i);
                        }
                        rc = braced(r, in + i + 2, (size_t)c - 2, out, err);
                        if (rc == -2) {
                                r->depth--;
                                return invalid(err, in + i, (size_t)c + 1);
                        }
                        if (rc < 0) {
                                r->depth--;
                                return -1;
                        }
                        i += (size_t)c + 1;
                } else if (i + 1 < len && name_start(in[i + 1])) {
                        size_t n = i + 1;
                        while (n < len && name_char(in[n]))
                                n++;
                        _cleanup_free_ char *name = xstrndup(in + i + 1, n - i - 1);
                        const char *val = r->lookup(name, r->ud);
                        if (val)
                                sb_append(out, val);
                        else if (r->unset && !strv_contains(r->unset, name))
                                strv_push(r->unset, name);
                        i = n;
                } else {
                        sb_appendc(out, '$');
                        i++;
                }
        }
        r->depth--;
        if (out->len > INTERP_MAX_VALUE)
                return err_set(err, E2BIG, "interpolated value exceeds %u MiB",
                               INTERP_MAX_VALUE >> 20);
        return 0;
}

int interp_string(const char *in, interp_lookup_fn lookup, void *ud, strv_t *unset, char **out,
                  err_t *err)
{
        struct run r = {lookup, ud, unset, 0};
        strbuf_t sb = STRBUF_INIT;

        if (subst(&r, in, strlen(in), &sb, err) < 0) {
                sb_free(&sb);
                return -1;
        }
        *out = sb_steal(&sb);
        return 0;
}

struct walk {
        interp_lookup_fn lookup;
        void *ud;
        strv_t *unset;
        size_t total; /* bytes of interpolated values so far */
};

static int walk(struct cnode *n, strbuf_t *path, struct walk *w, err_t *err)
{
        size_t mark = path->len;

        switch (n->kind) {
        case CN_SCALAR: {
                char *s;
                if (!strchr(n->str, '$'))
                        return 0;
                if (interp_string(n->str, w->lookup, w->ud, w->unset, &s, err) < 0)
                        return err_wrap(err, "%s:%d:%d: %s", n->pos.file, n->pos.line, n->pos.col,
                                        path->len ? sb_str(path) : "(root)");
                free(n->str);
                n->str = s;
                w->total += strlen(s);
                if (w->total > INTERP_MAX_TOTAL)
                        return err_set(err, E2BIG,
                                       "%s:%d:%d: %s: interpolated values exceed %u MiB in total",
                                       n->pos.file, n->pos.line, n->pos.col,
                                       path->len ? sb_str(path) : "(root)", INTERP_MAX_TOTAL >> 20);
                return 0;
        }
        case CN_MAP:
        case CN_SEQ:
                for (size_t i = 0; i < n->n; i++) {
                        if (n->kind == CN_SEQ) {
                                sb_append(path, path->len ? ".[]" : "[]");
                        } else {
                                if (path->len)
                                        sb_appendc(path, '.');
                                sb_append(path, n->keys[i]->str);
                        }
                        int r = walk(n->vals[i], path, w, err);
                        path->len = mark;
                        path->s[mark] = '\0';
                        if (r < 0)
                                return r;
                }
                return 0;
        default:
                return 0;
        }
}

int interp_tree_total(struct cnode *root, interp_lookup_fn lookup, void *ud, strv_t *unset,
                      size_t *total, err_t *err)
{
        strbuf_t path = STRBUF_INIT;
        struct walk w = {lookup, ud, unset, *total};
        int r;

        sb_append(&path, "");
        r = walk(root, &path, &w, err);
        sb_free(&path);
        *total = w.total;
        return r;
}

int interp_tree(struct cnode *root, interp_lookup_fn lookup, void *ud, strv_t *unset, err_t *err)
{
        size_t total = 0;

        return interp_tree_total(root, lookup, ud, unset, &total, err);
}
