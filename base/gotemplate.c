/* gotemplate.c - Go text/template, written from the language's documentation
 * (pkg.go.dev/text/template) and the docker CLI's documented functions.
 *
 * Three parts: a lexer that cuts the text into tokens (text, delimiters,
 * the words of actions), a recursive-descent parser to a tree, and an
 * evaluator over jansson values.  Values are json_t references throughout;
 * json null stands for Go's nil and for a missing map entry. */
#include "gotemplate.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "strv.h"
#include "xalloc.h"

enum {
        MAX_DEPTH = 100,               /* nesting of blocks and parentheses */
        MAX_STEPS = 2000000,           /* nodes, commands and loop turns per run */
        MAX_OUTPUT = 16 * 1024 * 1024, /* default output cap */
        MAX_TOKENS = 1000000,
};

/* --- lexer ----------------------------------------------------------------- */

enum tok {
        T_EOF,
        T_TEXT,
        T_LDELIM,
        T_RDELIM,
        T_SPACE,
        T_FIELD,   /* .name */
        T_DOT,     /* . */
        T_VAR,     /* $ or $name */
        T_IDENT,   /* function name */
        T_STRING,  /* "..." */
        T_RAW,     /* `...` */
        T_CHAR,    /* 'x' */
        T_NUMBER,  /* 12, 0x1f, 1.5e3 */
        T_BOOL,    /* true false */
        T_NIL,     /* nil */
        T_KEYWORD, /* if else end range with break continue define template block */
        T_PIPE,    /* | */
        T_LPAREN,  /* ( */
        T_RPAREN,  /* ) */
        T_DECLARE, /* := */
        T_ASSIGN,  /* = */
        T_COMMA,   /* , */
};

struct token {
        enum tok type;
        size_t pos, len; /* bytes of the source */
};

struct lexer {
        const char *src;
        size_t n, pos;
        struct token *toks;
        size_t ntoks, cap;
        err_t *err;
};

static int line_of(const char *src, size_t pos)
{
        int line = 1;
        for (size_t i = 0; i < pos && src[i]; i++)
                line += src[i] == '\n';
        return line;
}

static int lex_error(struct lexer *l, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int lex_error(struct lexer *l, size_t pos, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return err_set(l->err, EINVAL, "template: :%d: %s", line_of(l->src, pos), msg);
}

static int emit(struct lexer *l, enum tok type, size_t pos, size_t len)
{
        if (l->ntoks >= MAX_TOKENS)
                return lex_error(l, pos, "template too large");
        if (l->ntoks == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 64;
                l->toks = xrealloc(l->toks, l->cap * sizeof(*l->toks));
        }
        l->toks[l->ntoks++] = (struct token){type, pos, len};
        return 0;
}

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(char c)
{
        return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* A right delimiter at p: "}}" (len 2) or " -}}" (trim, len >= 4). */
static size_t right_delim_at(const struct lexer *l, size_t p, bool *trim)
{
        const char *s = l->src;
        if (p + 1 < l->n && s[p] == '}' && s[p + 1] == '}') {
                *trim = false;
                return 2;
        }
        if (is_space(s[p]) && p + 3 < l->n && s[p + 1] == '-' && s[p + 2] == '}' &&
            s[p + 3] == '}') {
                *trim = true;
                return 4;
        }
        return 0;
}

static const char *const keywords[] = {"if",    "else",     "end",    "range",    "with",
                                       "break", "continue", "define", "template", "block"};

static int lex_number(struct lexer *l)
{
        const char *s = l->src;
        size_t p = l->pos;
        if (s[p] == '+' || s[p] == '-')
                p++;
        bool hex = s[p] == '0' && (s[p + 1] == 'x' || s[p + 1] == 'X');
        if (s[p] == '0' && strchr("xXoObB", s[p + 1]) && s[p + 1])
                p += 2;
        while (p < l->n) {
                char c = s[p];
                if (isalnum((unsigned char)c) || c == '_' || c == '.')
                        p++;
                else if ((c == '+' || c == '-') && p > l->pos &&
                         (hex ? (s[p - 1] == 'p' || s[p - 1] == 'P')
                              : (s[p - 1] == 'e' || s[p - 1] == 'E')))
                        p++;
                else
                        break;
        }
        int rc = emit(l, T_NUMBER, l->pos, p - l->pos);
        l->pos = p;
        return rc;
}

static int lex_quote(struct lexer *l, char q, enum tok type)
{
        const char *s = l->src;
        size_t p = l->pos + 1;
        for (;;) {
                if (p >= l->n || (q != '`' && s[p] == '\n'))
                        return lex_error(l, l->pos,
                                         q == '"'   ? "unterminated quoted string"
                                         : q == '`' ? "unterminated raw quoted string"
                                                    : "unterminated character constant");
                if (s[p] == '\\' && q != '`') {
                        p += 2;
                        continue;
                }
                if (s[p] == q)
                        break;
                p++;
        }
        p++;
        int rc = emit(l, type, l->pos, p - l->pos);
        l->pos = p;
        return rc;
}

/* Inside an action, up to and including its right delimiter. */
static int lex_action(struct lexer *l, bool *trim_right)
{
        const char *s = l->src;
        int parens = 0;
        for (;;) {
                if (l->pos >= l->n)
                        return lex_error(l, l->pos, "unclosed action");
                size_t dl;
                if ((dl = right_delim_at(l, l->pos, trim_right))) {
                        if (parens)
                                return lex_error(l, l->pos, "unclosed left paren");
                        if (emit(l, T_RDELIM, l->pos, dl) < 0)
                                return -1;
                        l->pos += dl;
                        return 0;
                }
                char c = s[l->pos];
                size_t st = l->pos;
                if (is_space(c)) {
                        while (l->pos < l->n && is_space(s[l->pos]) &&
                               !right_delim_at(l, l->pos, trim_right))
                                l->pos++;
                        if (l->pos == st) /* " -}}" right here */
                                continue;
                        if (emit(l, T_SPACE, st, l->pos - st) < 0)
                                return -1;
                } else if (c == '|' || c == '(' || c == ')' || c == ',' || c == '=') {
                        if (c == '(')
                                parens++;
                        if (c == ')' && --parens < 0)
                                return lex_error(l, st, "unexpected right paren");
                        enum tok t = c == '|'   ? T_PIPE
                                     : c == '(' ? T_LPAREN
                                     : c == ')' ? T_RPAREN
                                     : c == ',' ? T_COMMA
                                                : T_ASSIGN;
                        if (emit(l, t, st, 1) < 0)
                                return -1;
                        l->pos++;
                } else if (c == ':') {
                        if (s[l->pos + 1] != '=')
                                return lex_error(l, st, "expected :=");
                        if (emit(l, T_DECLARE, st, 2) < 0)
                                return -1;
                        l->pos += 2;
                } else if (c == '"' || c == '`' || c == '\'') {
                        if (lex_quote(l, c, c == '"' ? T_STRING : c == '`' ? T_RAW : T_CHAR) < 0)
                                return -1;
                } else if (c == '$' || c == '.') {
                        if (c == '.' && isdigit((unsigned char)s[l->pos + 1])) {
                                if (lex_number(l) < 0)
                                        return -1;
                                continue;
                        }
                        l->pos++;
                        while (l->pos < l->n && is_alnum(s[l->pos]))
                                l->pos++;
                        enum tok t = c == '$' ? T_VAR : l->pos - st == 1 ? T_DOT : T_FIELD;
                        if (emit(l, t, st, l->pos - st) < 0)
                                return -1;
                } else if (isdigit((unsigned char)c) ||
                           ((c == '+' || c == '-') &&
                            (isdigit((unsigned char)s[l->pos + 1]) || s[l->pos + 1] == '.'))) {
                        if (lex_number(l) < 0)
                                return -1;
                } else if (is_alnum(c)) {
                        while (l->pos < l->n && is_alnum(s[l->pos]))
                                l->pos++;
                        size_t len = l->pos - st;
                        enum tok t = T_IDENT;
                        if ((len == 4 && !memcmp(s + st, "true", 4)) ||
                            (len == 5 && !memcmp(s + st, "false", 5)))
                                t = T_BOOL;
                        else if (len == 3 && !memcmp(s + st, "nil", 3))
                                t = T_NIL;
                        for (size_t k = 0; k < sizeof(keywords) / sizeof(*keywords); k++)
                                if (strlen(keywords[k]) == len && !memcmp(s + st, keywords[k], len))
                                        t = T_KEYWORD;
                        if (emit(l, t, st, len) < 0)
                                return -1;
                } else {
                        unsigned cp = (unsigned char)c;
                        return lex_error(l, st, "unrecognized character in action: U+%04X", cp);
                }
        }
}

static int lex(struct lexer *l)
{
        const char *s = l->src;
        bool trim_next = false;
        while (l->pos < l->n) {
                const char *o = strstr(s + l->pos, "{{");
                size_t end = o ? (size_t)(o - s) : l->n;
                size_t tstart = l->pos, tend = end;
                if (trim_next)
                        while (tstart < tend && is_space(s[tstart]))
                                tstart++;
                trim_next = false;
                bool trim_left = o && o[2] == '-' && is_space(o[3]);
                if (trim_left)
                        while (tend > tstart && is_space(s[tend - 1]))
                                tend--;
                if (tend > tstart && emit(l, T_TEXT, tstart, tend - tstart) < 0)
                        return -1;
                if (!o) {
                        l->pos = l->n;
                        break;
                }
                l->pos = end + (trim_left ? 4 : 2);
                /* a comment: slash-star ... star-slash */
                if (s[l->pos] == '/' && s[l->pos + 1] == '*') {
                        const char *ce = strstr(s + l->pos + 2, "*/");
                        if (!ce)
                                return lex_error(l, end, "unclosed comment");
                        l->pos = (size_t)(ce - s) + 2;
                        size_t dl = right_delim_at(l, l->pos, &trim_next);
                        if (!dl)
                                return lex_error(l, end, "comment ends before closing delimiter");
                        l->pos += dl;
                        continue;
                }
                if (emit(l, T_LDELIM, end, 2) < 0 || lex_action(l, &trim_next) < 0)
                        return -1;
        }
        return emit(l, T_EOF, l->n, 0);
}

/* --- tree ------------------------------------------------------------------ */

enum akind { A_FIELD, A_VAR, A_DOT, A_NIL, A_LIT, A_IDENT, A_PIPE };

struct pipe;

struct arg {
        enum akind kind;
        size_t pos, len; /* the source text, for error context */
        char *name;      /* A_VAR "$x", A_IDENT the function */
        char **fields;   /* A_FIELD .a.b, A_VAR $x.a, A_PIPE (p).a */
        size_t nfields;
        json_t *lit;      /* A_LIT */
        struct pipe *sub; /* A_PIPE */
};

struct cmd {
        struct arg **args;
        size_t n;
};

struct pipe {
        size_t pos;
        char *decl[2];
        size_t ndecl;
        bool assign; /* = rather than := */
        struct cmd **cmds;
        size_t ncmds;
};

enum nkind { N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_BREAK, N_CONTINUE };

struct list;

struct node {
        enum nkind kind;
        size_t pos;
        const char *text; /* N_TEXT: into the template's copy of the source */
        size_t textlen;
        struct pipe *pipe;
        struct list *list, *elselist;
};

struct list {
        struct node **v;
        size_t n;
};

struct gotmpl {
        char *src;
        struct list *root;
};

static void free_pipe(struct pipe *p);

static void free_arg(struct arg *a)
{
        if (!a)
                return;
        free(a->name);
        for (size_t i = 0; i < a->nfields; i++)
                free(a->fields[i]);
        free(a->fields);
        json_decref(a->lit);
        free_pipe(a->sub);
        free(a);
}

static void free_pipe(struct pipe *p)
{
        if (!p)
                return;
        free(p->decl[0]);
        free(p->decl[1]);
        for (size_t i = 0; i < p->ncmds; i++) {
                for (size_t k = 0; k < p->cmds[i]->n; k++)
                        free_arg(p->cmds[i]->args[k]);
                free(p->cmds[i]->args);
                free(p->cmds[i]);
        }
        free(p->cmds);
        free(p);
}

static void free_list(struct list *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++) {
                free_pipe(l->v[i]->pipe);
                free_list(l->v[i]->list);
                free_list(l->v[i]->elselist);
                free(l->v[i]);
        }
        free(l->v);
        free(l);
}

void gotmpl_free(gotmpl_t *t)
{
        if (!t)
                return;
        free_list(t->root);
        free(t->src);
        free(t);
}

/* --- parser ---------------------------------------------------------------- */

struct parser {
        const char *src;
        struct token *toks;
        size_t i;
        int depth, loops;
        strv_t vars; /* declared variables in scope, innermost last */
        err_t *err;
};

static int perr(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int perr(struct parser *p, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return err_set(p->err, EINVAL, "template: :%d: %s", line_of(p->src, p->toks[p->i].pos),
                       msg);
}

static struct token *peek(struct parser *p)
{
        return &p->toks[p->i];
}

static struct token *next(struct parser *p)
{
        struct token *t = &p->toks[p->i];
        if (t->type != T_EOF)
                p->i++;
        return t;
}

static void skip_space(struct parser *p)
{
        while (peek(p)->type == T_SPACE)
                p->i++;
}

/* The token after any spaces, without consuming. */
static struct token *peek_nonspace(struct parser *p)
{
        size_t i = p->i;
        while (p->toks[i].type == T_SPACE)
                i++;
        return &p->toks[i];
}

static bool tok_is(const struct parser *p, const struct token *t, const char *word)
{
        return t->len == strlen(word) && !memcmp(p->src + t->pos, word, t->len);
}

static char *tok_str(const struct parser *p, const struct token *t)
{
        return xstrndup(p->src + t->pos, t->len);
}

static const char *const funcs[] = {
    "and",  "or",   "not",  "len",   "index",  "slice",   "eq",    "ne",  "lt",
    "le",   "gt",   "ge",   "print", "printf", "println", "html",  "js",  "urlquery",
    "call", "json", "join", "split", "lower",  "upper",   "title", "pad", "truncate",
};

static bool func_known(const char *name)
{
        for (size_t i = 0; i < sizeof(funcs) / sizeof(*funcs); i++)
                if (!strcmp(funcs[i], name))
                        return true;
        return false;
}

static bool var_known(const struct parser *p, const char *name)
{
        for (size_t i = p->vars.n; i-- > 0;)
                if (!strcmp(p->vars.v[i], name))
                        return true;
        return false;
}

static void utf8_put(strbuf_t *sb, uint32_t cp)
{
        char b[4];
        size_t n;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                cp = 0xFFFD;
        if (cp < 0x80) {
                b[0] = (char)cp;
                n = 1;
        } else if (cp < 0x800) {
                b[0] = (char)(0xC0 | (cp >> 6));
                b[1] = (char)(0x80 | (cp & 0x3F));
                n = 2;
        } else if (cp < 0x10000) {
                b[0] = (char)(0xE0 | (cp >> 12));
                b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                b[2] = (char)(0x80 | (cp & 0x3F));
                n = 3;
        } else {
                b[0] = (char)(0xF0 | (cp >> 18));
                b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
                b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
                b[3] = (char)(0x80 | (cp & 0x3F));
                n = 4;
        }
        sb_appendn(sb, b, n);
}

/* Decode one UTF-8 sequence at s (n bytes left); invalid -> U+FFFD, size 1. */
static uint32_t utf8_get(const unsigned char *s, size_t n, size_t *size)
{
        uint32_t c = s[0];
        size_t need = c < 0x80 ? 0 : c >= 0xF0 && c < 0xF5 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 9;
        *size = 1;
        if (!need)
                return c;
        if (need == 9 || need >= n)
                return 0xFFFD;
        uint32_t cp = c & (0x3F >> need);
        for (size_t i = 1; i <= need; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0xFFFD;
                cp = (cp << 6) | (s[i] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
                return 0xFFFD;
        *size = need + 1;
        return cp;
}

static int hexval(char c)
{
        return isdigit((unsigned char)c) ? c - '0'
               : c >= 'a' && c <= 'f'    ? c - 'a' + 10
               : c >= 'A' && c <= 'F'    ? c - 'A' + 10
                                         : -1;
}

/* Go's escapes in "..." and '...': \a \b \f \n \r \t \v \\ \' \" \ooo \xhh
 * \uhhhh \Uhhhhhhhh. */
static int unquote(struct parser *p, const struct token *t, strbuf_t *out)
{
        const char *s = p->src + t->pos + 1;
        const char *e = p->src + t->pos + t->len - 1;
        if (t->type == T_RAW) {
                for (; s < e; s++)
                        if (*s != '\r')
                                sb_appendc(out, *s);
                return 0;
        }
        while (s < e) {
                if (*s != '\\') {
                        sb_appendc(out, *s++);
                        continue;
                }
                s++;
                char c = *s++;
                const char *simple = strchr("abfnrtv\\'\"", c);
                if (c && simple) {
                        static const char rep[] = "\a\b\f\n\r\t\v\\'\"";
                        if ((c == '\'' && t->type == T_STRING) || (c == '"' && t->type == T_CHAR))
                                return perr(p, "invalid syntax");
                        sb_appendc(out, rep[simple - "abfnrtv\\'\""]);
                } else if (c >= '0' && c <= '7') {
                        unsigned v = (unsigned)(c - '0');
                        for (int k = 0; k < 2; k++) {
                                if (s >= e || *s < '0' || *s > '7')
                                        return perr(p, "invalid syntax");
                                v = v * 8 + (unsigned)(*s++ - '0');
                        }
                        if (v > 255)
                                return perr(p, "invalid syntax");
                        sb_appendc(out, (char)v);
                } else if (c == 'x' || c == 'u' || c == 'U') {
                        int nd = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                        uint32_t v = 0;
                        for (int k = 0; k < nd; k++) {
                                int h = s < e ? hexval(*s) : -1;
                                if (h < 0)
                                        return perr(p, "invalid syntax");
                                v = v * 16 + (uint32_t)h;
                                s++;
                        }
                        if (c == 'x')
                                sb_appendc(out, (char)v);
                        else if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                                return perr(p, "invalid syntax");
                        else
                                utf8_put(out, v);
                } else {
                        return perr(p, "invalid syntax");
                }
        }
        return 0;
}

static json_t *parse_number(struct parser *p, const struct token *t)
{
        _cleanup_free_ char *raw = tok_str(p, t);
        char buf[128];
        size_t k = 0;
        for (const char *s = raw; *s && k + 1 < sizeof(buf); s++)
                if (*s != '_')
                        buf[k++] = *s;
        buf[k] = '\0';
        const char *d = buf + (*buf == '+' || *buf == '-');
        bool neg = *buf == '-';
        bool hex = d[0] == '0' && (d[1] == 'x' || d[1] == 'X');
        bool is_float = hex ? strpbrk(d, ".pP") != NULL : strpbrk(d, ".eE") != NULL;
        char *end = NULL;
        errno = 0;
        if (!is_float) {
                int base = 10;
                const char *digits = d;
                if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
                        base = 16, digits = d + 2;
                else if (d[0] == '0' && (d[1] == 'o' || d[1] == 'O'))
                        base = 8, digits = d + 2;
                else if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B'))
                        base = 2, digits = d + 2;
                else if (d[0] == '0' && d[1])
                        base = 8, digits = d + 1;
                if (!*digits || *digits == '-' || *digits == '+')
                        goto bad;
                unsigned long long v = strtoull(digits, &end, base);
                if (*end || errno || v > (unsigned long long)INT64_MAX + neg)
                        goto bad;
                return json_integer(neg ? (json_int_t)(0 - v) : (json_int_t)v);
        }
        double v = strtod(buf, &end);
        if (*end || errno || !isfinite(v))
                goto bad;
        return json_real(v);
bad:
        perr(p, "bad number syntax: \"%s\"", raw);
        return NULL;
}

static struct pipe *parse_pipe(struct parser *p, bool is_range, enum tok end);

static void push_field(struct arg *a, const char *name)
{
        a->fields = xrealloc(a->fields, (a->nfields + 1) * sizeof(*a->fields));
        a->fields[a->nfields++] = xstrdup(name);
}

/* One operand: a term and the field chain right after it. */
static struct arg *parse_operand(struct parser *p)
{
        struct token *t = peek(p);
        struct arg *a = xcalloc(1, sizeof(*a));
        a->pos = t->pos;
        switch (t->type) {
        case T_FIELD:
                a->kind = A_FIELD;
                break;
        case T_DOT:
                a->kind = A_DOT;
                next(p);
                break;
        case T_NIL:
                a->kind = A_NIL;
                next(p);
                break;
        case T_VAR: {
                a->kind = A_VAR;
                a->name = tok_str(p, t);
                if (!var_known(p, a->name)) {
                        perr(p, "undefined variable \"%s\"", a->name);
                        goto fail;
                }
                next(p);
                break;
        }
        case T_IDENT: {
                a->kind = A_IDENT;
                a->name = tok_str(p, t);
                if (!func_known(a->name)) {
                        perr(p, "function \"%s\" not defined", a->name);
                        goto fail;
                }
                next(p);
                break;
        }
        case T_BOOL:
                a->kind = A_LIT;
                a->lit = json_boolean(tok_is(p, t, "true"));
                next(p);
                break;
        case T_NUMBER:
                a->kind = A_LIT;
                if (!(a->lit = parse_number(p, t)))
                        goto fail;
                next(p);
                break;
        case T_STRING:
        case T_RAW:
        case T_CHAR: {
                strbuf_t sb = STRBUF_INIT;
                sb_append(&sb, "");
                if (unquote(p, t, &sb) < 0) {
                        sb_free(&sb);
                        goto fail;
                }
                a->kind = A_LIT;
                if (t->type == T_CHAR) {
                        size_t sz;
                        uint32_t cp = sb.len ? utf8_get((unsigned char *)sb.s, sb.len, &sz) : 0;
                        if (!sb.len || sz != sb.len) {
                                sb_free(&sb);
                                perr(p, "malformed character constant: %.*s", (int)t->len,
                                     p->src + t->pos);
                                goto fail;
                        }
                        a->lit = json_integer(cp);
                } else {
                        a->lit = json_stringn_nocheck(sb.s, sb.len);
                }
                sb_free(&sb);
                next(p);
                break;
        }
        case T_LPAREN:
                if (++p->depth > MAX_DEPTH) {
                        perr(p, "template nested too deeply");
                        goto fail;
                }
                next(p);
                a->kind = A_PIPE;
                if (!(a->sub = parse_pipe(p, false, T_RPAREN)))
                        goto fail;
                p->depth--;
                next(p); /* ) */
                break;
        default:
                perr(p, "unexpected \"%.*s\" in operand", (int)(t->len ? t->len : 3),
                     t->len ? p->src + t->pos : "EOF");
                goto fail;
        }
        /* the field chain */
        while (peek(p)->type == T_FIELD) {
                t = next(p);
                if (a->kind == A_LIT || a->kind == A_NIL || a->kind == A_IDENT ||
                    a->kind == A_DOT) {
                        if (a->kind != A_DOT || a->nfields) {
                                perr(p, "unexpected . after term \"%.*s\"", (int)(t->pos - a->pos),
                                     p->src + a->pos);
                                goto fail;
                        }
                        a->kind = A_FIELD; /* "." then ".a" cannot happen: lexed as ".a" */
                }
                _cleanup_free_ char *f = xstrndup(p->src + t->pos + 1, t->len - 1);
                push_field(a, f);
        }
        a->len = p->toks[p->i].pos - a->pos;
        if (a->kind == A_VAR && !strcmp(a->name, "$") && !a->nfields)
                a->len = 1;
        return a;
fail:
        free_arg(a);
        return NULL;
}

static struct cmd *parse_cmd(struct parser *p, enum tok end)
{
        struct cmd *c = xcalloc(1, sizeof(*c));
        for (;;) {
                skip_space(p);
                struct token *t = peek(p);
                if (t->type == end || t->type == T_PIPE)
                        break;
                if (t->type == T_RDELIM || t->type == T_RPAREN || t->type == T_EOF) {
                        perr(p, t->type == T_RPAREN ? "unexpected right paren"
                                                    : "unclosed left paren");
                        goto fail;
                }
                struct arg *a = parse_operand(p);
                if (!a)
                        goto fail;
                c->args = xrealloc(c->args, (c->n + 1) * sizeof(*c->args));
                c->args[c->n++] = a;
                t = peek(p);
                if (t->type != T_SPACE && t->type != end && t->type != T_PIPE) {
                        perr(p, "unexpected \"%.*s\" in operand", (int)t->len, p->src + t->pos);
                        goto fail;
                }
        }
        if (!c->n) {
                perr(p, "missing value for command");
                goto fail;
        }
        return c;
fail:
        for (size_t k = 0; k < c->n; k++)
                free_arg(c->args[k]);
        free(c->args);
        free(c);
        return NULL;
}

/* [decl :=] cmd | cmd ... up to (not past) `end` */
static struct pipe *parse_pipe(struct parser *p, bool is_range, enum tok end)
{
        struct pipe *pp = xcalloc(1, sizeof(*pp));
        skip_space(p);
        pp->pos = peek(p)->pos;
        /* declarations: $x := / $x = / $i, $v := (range only) */
        if (peek(p)->type == T_VAR) {
                size_t save = p->i;
                struct token *v1 = next(p);
                struct token *op = peek_nonspace(p);
                if (op->type == T_DECLARE || op->type == T_ASSIGN ||
                    (op->type == T_COMMA && is_range)) {
                        pp->decl[pp->ndecl++] = tok_str(p, v1);
                        skip_space(p);
                        if (op->type == T_COMMA) {
                                next(p);
                                skip_space(p);
                                if (peek(p)->type != T_VAR) {
                                        perr(p, "range can only initialize variables");
                                        goto fail;
                                }
                                pp->decl[pp->ndecl++] = tok_str(p, next(p));
                                skip_space(p);
                                op = peek(p);
                                if (op->type != T_DECLARE && op->type != T_ASSIGN) {
                                        perr(p, "missing := in range declaration");
                                        goto fail;
                                }
                        }
                        pp->assign = op->type == T_ASSIGN;
                        next(p);
                        for (size_t k = 0; k < pp->ndecl; k++) {
                                if (pp->assign && !var_known(p, pp->decl[k])) {
                                        perr(p, "undefined variable \"%s\"", pp->decl[k]);
                                        goto fail;
                                }
                        }
                } else {
                        p->i = save;
                }
        } else if (peek(p)->type == T_COMMA) {
                perr(p, "unexpected \",\" in command");
                goto fail;
        }
        for (;;) {
                struct cmd *c = parse_cmd(p, end);
                if (!c)
                        goto fail;
                pp->cmds = xrealloc(pp->cmds, (pp->ncmds + 1) * sizeof(*pp->cmds));
                pp->cmds[pp->ncmds++] = c;
                if (peek(p)->type == end)
                        break;
                next(p); /* | */
        }
        /* declared variables come into scope after the pipeline */
        if (!pp->assign)
                for (size_t k = 0; k < pp->ndecl; k++)
                        strv_push(&p->vars, pp->decl[k]);
        for (size_t k = 1; k < pp->ncmds; k++) {
                struct arg *a0 = pp->cmds[k]->args[0];
                if (a0->kind == A_LIT || a0->kind == A_NIL || a0->kind == A_DOT ||
                    (a0->kind == A_VAR && !a0->nfields) || (a0->kind == A_PIPE && !a0->nfields)) {
                        perr(p, "non executable command in pipeline stage %zu", k + 1);
                        goto fail;
                }
        }
        return pp;
fail:
        free_pipe(pp);
        return NULL;
}

enum term { TERM_EOF, TERM_END, TERM_ELSE };

static struct list *parse_list(struct parser *p, enum term *term);

static void vars_truncate(struct parser *p, size_t n)
{
        while (p->vars.n > n)
                free(p->vars.v[--p->vars.n]);
}

/* After {{if|range|with: pipeline }} list [{{else}} list | {{else if ...}}] {{end}} */
static struct node *parse_control(struct parser *p, enum nkind kind, size_t pos)
{
        if (++p->depth > MAX_DEPTH) {
                perr(p, "template nested too deeply");
                return NULL;
        }
        size_t nvars = p->vars.n;
        struct node *n = xcalloc(1, sizeof(*n));
        n->kind = kind;
        n->pos = pos;
        enum term term;
        if (!(n->pipe = parse_pipe(p, kind == N_RANGE, T_RDELIM)))
                goto fail;
        next(p); /* }} */
        if (kind == N_RANGE)
                p->loops++;
        n->list = parse_list(p, &term);
        if (kind == N_RANGE)
                p->loops--;
        if (!n->list)
                goto fail;
        if (term == TERM_EOF) {
                perr(p, "unexpected EOF");
                goto fail;
        }
        if (term == TERM_ELSE) {
                /* {{else if ...}} / {{else with ...}}: a nested control sharing our end */
                skip_space(p);
                struct token *t = peek(p);
                if (t->type == T_KEYWORD && (tok_is(p, t, "if") || tok_is(p, t, "with")) &&
                    kind != N_RANGE) {
                        enum nkind k2 = tok_is(p, t, "if") ? N_IF : N_WITH;
                        next(p);
                        struct node *inner = parse_control(p, k2, t->pos);
                        if (!inner)
                                goto fail;
                        n->elselist = xcalloc(1, sizeof(*n->elselist));
                        n->elselist->v = xmalloc(sizeof(struct node *));
                        n->elselist->v[0] = inner;
                        n->elselist->n = 1;
                        p->depth--;
                        vars_truncate(p, nvars);
                        return n;
                }
                if (peek(p)->type != T_RDELIM) {
                        perr(p, "unexpected \"%.*s\" in else", (int)t->len, p->src + t->pos);
                        goto fail;
                }
                next(p);
                if (!(n->elselist = parse_list(p, &term)))
                        goto fail;
                if (term != TERM_END) {
                        perr(p,
                             term == TERM_EOF ? "unexpected EOF" : "expected end; found {{else}}");
                        goto fail;
                }
        }
        p->depth--;
        vars_truncate(p, nvars);
        return n;
fail:
        vars_truncate(p, nvars);
        free_list(n->list);
        free_list(n->elselist);
        free_pipe(n->pipe);
        free(n);
        return NULL;
}

static void list_push(struct list *l, struct node *n)
{
        l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
        l->v[l->n++] = n;
}

static struct list *parse_list(struct parser *p, enum term *term)
{
        struct list *l = xcalloc(1, sizeof(*l));
        for (;;) {
                struct token *t = next(p);
                if (t->type == T_EOF) {
                        *term = TERM_EOF;
                        return l;
                }
                if (t->type == T_TEXT) {
                        struct node *n = xcalloc(1, sizeof(*n));
                        n->kind = N_TEXT;
                        n->pos = t->pos;
                        n->text = p->src + t->pos;
                        n->textlen = t->len;
                        list_push(l, n);
                        continue;
                }
                /* T_LDELIM */
                skip_space(p);
                struct token *k = peek(p);
                if (k->type == T_KEYWORD) {
                        next(p);
                        if (tok_is(p, k, "end") || tok_is(p, k, "else")) {
                                bool end = tok_is(p, k, "end");
                                if (end) {
                                        skip_space(p);
                                        if (peek(p)->type != T_RDELIM) {
                                                perr(p, "unexpected \"%.*s\" in end",
                                                     (int)peek(p)->len, p->src + peek(p)->pos);
                                                goto fail;
                                        }
                                        next(p);
                                }
                                *term = end ? TERM_END : TERM_ELSE;
                                return l;
                        }
                        if (tok_is(p, k, "break") || tok_is(p, k, "continue")) {
                                bool brk = tok_is(p, k, "break");
                                skip_space(p);
                                if (!p->loops) {
                                        perr(p, "{{%s}} outside {{range}}",
                                             brk ? "break" : "continue");
                                        goto fail;
                                }
                                if (peek(p)->type != T_RDELIM) {
                                        perr(p, "unexpected \"%.*s\" in %s", (int)peek(p)->len,
                                             p->src + peek(p)->pos, brk ? "break" : "continue");
                                        goto fail;
                                }
                                next(p);
                                struct node *n = xcalloc(1, sizeof(*n));
                                n->kind = brk ? N_BREAK : N_CONTINUE;
                                n->pos = k->pos;
                                list_push(l, n);
                                continue;
                        }
                        if (tok_is(p, k, "if") || tok_is(p, k, "range") || tok_is(p, k, "with")) {
                                enum nkind kind = tok_is(p, k, "if")      ? N_IF
                                                  : tok_is(p, k, "range") ? N_RANGE
                                                                          : N_WITH;
                                struct node *n = parse_control(p, kind, k->pos);
                                if (!n)
                                        goto fail;
                                list_push(l, n);
                                continue;
                        }
                        perr(p, "{{%.*s}} is not supported", (int)k->len, p->src + k->pos);
                        goto fail;
                }
                struct node *n = xcalloc(1, sizeof(*n));
                n->kind = N_ACTION;
                n->pos = k->pos;
                list_push(l, n);
                if (!(n->pipe = parse_pipe(p, false, T_RDELIM)))
                        goto fail;
                next(p); /* }} */
        }
fail:
        free_list(l);
        return NULL;
}

int gotmpl_parse(const char *text, gotmpl_t **out, err_t *err)
{
        struct lexer l = {.src = text, .n = strlen(text), .err = err};
        *out = NULL;
        if (lex(&l) < 0) {
                free(l.toks);
                return -1;
        }
        gotmpl_t *t = xcalloc(1, sizeof(*t));
        t->src = xstrdup(text);
        struct parser p = {.src = t->src, .toks = l.toks, .err = err, .vars = STRV_INIT};
        strv_push(&p.vars, "$");
        enum term term;
        t->root = parse_list(&p, &term);
        if (t->root && term != TERM_EOF) {
                p.i--;
                perr(&p, "unexpected {{%s}}", term == TERM_END ? "end" : "else");
                free_list(t->root);
                t->root = NULL;
        }
        strv_free(&p.vars);
        free(l.toks);
        if (!t->root) {
                gotmpl_free(t);
                return -1;
        }
        *out = t;
        return 0;
}

/* --- values ---------------------------------------------------------------- */

static const char *go_type(json_t *v)
{
        switch (v ? json_typeof(v) : JSON_NULL) {
        case JSON_STRING:
                return "string";
        case JSON_INTEGER:
                return "int";
        case JSON_REAL:
                return "float64";
        case JSON_TRUE:
        case JSON_FALSE:
                return "bool";
        case JSON_ARRAY:
                return "[]interface {}";
        case JSON_OBJECT:
                return "map[string]interface {}";
        default:
                return "<nil>";
        }
}

static bool truth(json_t *v)
{
        switch (v ? json_typeof(v) : JSON_NULL) {
        case JSON_STRING:
                return json_string_length(v) > 0;
        case JSON_INTEGER:
                return json_integer_value(v) != 0;
        case JSON_REAL:
                return json_real_value(v) != 0;
        case JSON_TRUE:
                return true;
        case JSON_ARRAY:
                return json_array_size(v) > 0;
        case JSON_OBJECT:
                return json_object_size(v) > 0;
        default:
                return false;
        }
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of o in Go's map order (sorted); caller frees the array. */
/* The keys of o, in its own order or sorted; caller frees the array. */
static const char **object_keys(json_t *o, size_t *n, bool sort)
{
        *n = json_object_size(o);
        const char **k = xcalloc(*n ? *n : 1, sizeof(*k));
        size_t i = 0;
        const char *key;
        json_t *v;
        json_object_foreach(o, key, v)
        {
                (void)v;
                k[i++] = key;
        }
        if (sort)
                qsort(k, *n, sizeof(*k), cmp_str);
        return k;
}

static const char **sorted_keys(json_t *o, size_t *n)
{
        return object_keys(o, n, true);
}

/* Shortest digits that read back as d: mantissa digits (no dot) and the
 * decimal exponent of the first digit. */
static void float_digits(double d, char *digits, size_t dlen, int *exp10)
{
        char buf[64];
        for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
                if (strtod(buf, NULL) == d)
                        break;
        }
        /* buf: [-]d[.ddd]e[+-]xx */
        size_t k = 0;
        const char *s = buf + (*buf == '-');
        for (; *s && *s != 'e'; s++)
                if (isdigit((unsigned char)*s) && k + 1 < dlen)
                        digits[k++] = *s;
        while (k > 1 && digits[k - 1] == '0')
                k--;
        digits[k] = '\0';
        *exp10 = *s == 'e' ? atoi(s + 1) : 0;
}

static void float_e(strbuf_t *sb, const char *dg, int x)
{
        sb_appendc(sb, dg[0]);
        if (dg[1]) {
                sb_appendc(sb, '.');
                sb_append(sb, dg + 1);
        }
        sb_appendf(sb, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
}

static void float_f(strbuf_t *sb, const char *dg, int x)
{
        int nd = (int)strlen(dg);
        if (x < 0) {
                sb_append(sb, "0.");
                for (int i = 0; i < -x - 1; i++)
                        sb_appendc(sb, '0');
                sb_append(sb, dg);
        } else if (x >= nd - 1) {
                sb_append(sb, dg);
                for (int i = 0; i < x - nd + 1; i++)
                        sb_appendc(sb, '0');
        } else {
                sb_appendn(sb, dg, (size_t)x + 1);
                sb_appendc(sb, '.');
                sb_append(sb, dg + x + 1);
        }
}

/* A float64 as Go's fmt %v prints it (json: as encoding/json does). */
static void go_float(strbuf_t *sb, double d, bool json)
{
        if (isnan(d)) {
                sb_append(sb, "NaN");
                return;
        }
        if (isinf(d)) {
                sb_append(sb, d > 0 ? "+Inf" : "-Inf");
                return;
        }
        if (signbit(d))
                sb_appendc(sb, '-');
        d = fabs(d);
        if (d == 0) {
                sb_appendc(sb, '0');
                return;
        }
        char dg[32];
        int x;
        float_digits(d, dg, sizeof(dg), &x);
        if (json) {
                if (d < 1e-6 || d >= 1e21) {
                        float_e(sb, dg, x);
                        /* Go's json writes e-7, not e-07 */
                        if (sb->len >= 4 && sb->s[sb->len - 4] == 'e' &&
                            sb->s[sb->len - 3] == '-' && sb->s[sb->len - 2] == '0') {
                                sb->s[sb->len - 2] = sb->s[sb->len - 1];
                                sb->s[--sb->len] = '\0';
                        }
                } else {
                        float_f(sb, dg, x);
                }
                return;
        }
        if (x < -4 || x >= 6) /* Go's shortest %v: 1e+06 */
                float_e(sb, dg, x);
        else
                float_f(sb, dg, x);
}

/* Go's fmt %v.  top: a nil prints "<no value>" (the template's own printing)
 * rather than "<nil>" (inside a composite or through print). */
/* Numbers and booleans, which print the same in %v and in JSON but for the
 * float form; false for any other value. */
static bool go_number_or_bool(strbuf_t *sb, const json_t *v, bool json)
{
        if (json_is_integer(v))
                sb_appendf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_real(v))
                go_float(sb, json_real_value(v), json);
        else if (json_is_boolean(v))
                sb_append(sb, json_is_true(v) ? "true" : "false");
        else
                return false;
        return true;
}

/* Go's %v of a slice, [a b], or of a map, map[k:v] with the keys sorted: each
 * element (and each key, as a string) printed by elem. */
static void go_composite(strbuf_t *sb, json_t *v, void (*elem)(strbuf_t *, json_t *, const void *),
                         const void *ctx)
{
        if (json_is_array(v)) {
                sb_appendc(sb, '[');
                for (size_t i = 0; i < json_array_size(v); i++) {
                        if (i)
                                sb_appendc(sb, ' ');
                        elem(sb, json_array_get(v, i), ctx);
                }
                sb_appendc(sb, ']');
                return;
        }
        size_t n;
        const char **k = sorted_keys(v, &n);
        sb_append(sb, "map[");
        for (size_t i = 0; i < n; i++) {
                if (i)
                        sb_appendc(sb, ' ');
                json_t *ks = json_string(k[i]);
                elem(sb, ks, ctx);
                json_decref(ks);
                sb_appendc(sb, ':');
                elem(sb, json_object_get(v, k[i]), ctx);
        }
        sb_appendc(sb, ']');
        free(k);
}

static void fmt_value(strbuf_t *sb, json_t *v, bool top);

static void fmt_elem(strbuf_t *sb, json_t *v, const void *unused)
{
        (void)unused;
        fmt_value(sb, v, false);
}

static void fmt_value(strbuf_t *sb, json_t *v, bool top)
{
        if (go_number_or_bool(sb, v, false))
                return;
        switch (v ? json_typeof(v) : JSON_NULL) {
        case JSON_STRING:
                sb_appendn(sb, json_string_value(v), json_string_length(v));
                break;
        case JSON_ARRAY:
        case JSON_OBJECT:
                go_composite(sb, v, fmt_elem, NULL);
                break;
        default:
                sb_append(sb, top ? "<no value>" : "<nil>");
        }
}

static void json_str(strbuf_t *sb, const char *s, size_t n, bool html)
{
        sb_appendc(sb, '"');
        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char)s[i];
                if (c >= 0x80) {
                        size_t sz;
                        uint32_t cp = utf8_get((const unsigned char *)s + i, n - i, &sz);
                        if (cp == 0x2028 || cp == 0x2029)
                                sb_appendf(sb, "\\u%04x", (unsigned)cp);
                        else if (cp == 0xFFFD && sz == 1)
                                sb_append(sb, "\\ufffd");
                        else
                                sb_appendn(sb, s + i, sz);
                        i += sz;
                        continue;
                }
                i++;
                if (c == '"' || c == '\\') {
                        sb_appendc(sb, '\\');
                        sb_appendc(sb, (char)c);
                } else if (html && (c == '<' || c == '>' || c == '&')) {
                        sb_appendf(sb, "\\u%04x", c);
                } else if (c == '\n') {
                        sb_append(sb, "\\n");
                } else if (c == '\r') {
                        sb_append(sb, "\\r");
                } else if (c == '\t') {
                        sb_append(sb, "\\t");
                } else if (c == '\b') {
                        sb_append(sb, "\\b");
                } else if (c == '\f') {
                        sb_append(sb, "\\f");
                } else if (c < 0x20) {
                        sb_appendf(sb, "\\u%04x", c);
                } else {
                        sb_appendc(sb, (char)c);
                }
        }
        sb_appendc(sb, '"');
}

/* A null at a string_maps path is a Go nil map: an empty object stands in
 * for it during the run (json prints it null), and is put back after. */
struct nilmap {
        json_t *parent;
        char *key;
        json_t *stand_in;
};
/* The running template's stand-ins, for gotmpl_json. */
static __thread const struct nilmap *cur_nils;
static __thread size_t cur_nnils;

void gotmpl_json(strbuf_t *sb, json_t *v, bool sort_keys, bool html)
{
        if (go_number_or_bool(sb, v, true))
                return;
        switch (v ? json_typeof(v) : JSON_NULL) {
        case JSON_STRING:
                json_str(sb, json_string_value(v), json_string_length(v), html);
                break;
        case JSON_ARRAY:
                sb_appendc(sb, '[');
                for (size_t i = 0; i < json_array_size(v); i++) {
                        if (i)
                                sb_appendc(sb, ',');
                        gotmpl_json(sb, json_array_get(v, i), sort_keys, html);
                }
                sb_appendc(sb, ']');
                break;
        case JSON_OBJECT: {
                for (size_t i = 0; i < cur_nnils; i++) {
                        if (cur_nils[i].stand_in == v) {
                                sb_append(sb, "null");
                                return;
                        }
                }
                sb_appendc(sb, '{');
                size_t n;
                const char **k = object_keys(v, &n, sort_keys);
                for (size_t i = 0; i < n; i++) {
                        if (i)
                                sb_appendc(sb, ',');
                        json_str(sb, k[i], strlen(k[i]), html);
                        sb_appendc(sb, ':');
                        gotmpl_json(sb, json_object_get(v, k[i]), sort_keys, html);
                }
                free(k);
                sb_appendc(sb, '}');
                break;
        }
        default:
                sb_append(sb, "null");
        }
}

static bool go_printable(uint32_t cp)
{
        return cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) && cp != 0xad &&
               cp != 0xFFFD && !(cp >= 0x2028 && cp <= 0x202e) && !(cp >= 0xfff9 && cp <= 0xfffb);
}

static void quote_n(strbuf_t *sb, const char *s, size_t n, char q)
{
        sb_appendc(sb, q);
        for (size_t i = 0; i < n;) {
                size_t sz;
                uint32_t cp = utf8_get((const unsigned char *)s + i, n - i, &sz);
                if (cp == 0xFFFD && sz == 1 && (unsigned char)s[i] >= 0x80) {
                        sb_appendf(sb, "\\x%02x", (unsigned char)s[i]);
                        i++;
                        continue;
                }
                i += sz;
                if (cp == (uint32_t)q || cp == '\\') {
                        sb_appendc(sb, '\\');
                        sb_appendc(sb, (char)cp);
                } else if (go_printable(cp)) {
                        utf8_put(sb, cp);
                } else {
                        static const char esc[] = "\a\b\f\n\r\t\v";
                        const char *e = cp && cp < 0x80 ? strchr(esc, (int)cp) : NULL;
                        if (e)
                                sb_appendf(sb, "\\%c", "abfnrtv"[e - esc]);
                        else if (cp < 0x80)
                                sb_appendf(sb, "\\x%02x", (unsigned)cp);
                        else if (cp < 0x10000)
                                sb_appendf(sb, "\\u%04x", (unsigned)cp);
                        else
                                sb_appendf(sb, "\\U%08x", (unsigned)cp);
                }
        }
        sb_appendc(sb, q);
}

void gotmpl_quote(strbuf_t *sb, const char *s)
{
        quote_n(sb, s, strlen(s), '"');
}

static size_t runes(const char *s, size_t n)
{
        size_t r = 0;
        for (size_t i = 0; i < n; i++)
                r += ((unsigned char)s[i] & 0xc0) != 0x80;
        return r;
}

/* --- printf ---------------------------------------------------------------- */

/* Go's fmt refuses a width or precision past this (tooLarge): a "*"
 * argument beyond it is BADWIDTH/BADPREC; digits that grow past it before
 * the next one make the rest of the format a missing verb. */
#define GO_FMT_MAX 1000000

struct spec {
        bool minus, plus, sharp, zero, space;
        int width, prec; /* -1: none */
};

static void pad_out(strbuf_t *sb, const char *s, size_t n, const struct spec *sp)
{
        size_t w = runes(s, n);
        size_t fill = sp->width > 0 && (size_t)sp->width > w ? (size_t)sp->width - w : 0;
        if (!sp->minus)
                sb_fill(sb, sp->zero ? '0' : ' ', fill);
        sb_appendn(sb, s, n);
        if (sp->minus)
                sb_fill(sb, ' ', fill);
}

static void bad_verb(strbuf_t *sb, uint32_t verb, json_t *v)
{
        sb_append(sb, "%!");
        utf8_put(sb, verb);
        if (!v || json_is_null(v)) {
                sb_append(sb, "(<nil>)");
                return;
        }
        sb_appendf(sb, "(%s=", go_type(v));
        fmt_value(sb, v, false);
        sb_appendc(sb, ')');
}

/* A C format for one integer or float conversion with sp's flags. */
static void cfmt(char *f, size_t len, const struct spec *sp, const char *conv)
{
        size_t k = 0;
        f[k++] = '%';
        if (sp->minus)
                f[k++] = '-';
        if (sp->plus)
                f[k++] = '+';
        if (sp->sharp)
                f[k++] = '#';
        if (sp->zero && !sp->minus)
                f[k++] = '0';
        if (sp->space)
                f[k++] = ' ';
        f[k] = '\0';
        if (sp->width > 0)
                k += (size_t)snprintf(f + k, len - k, "%d", sp->width);
        if (sp->prec >= 0)
                k += (size_t)snprintf(f + k, len - k, ".%d", sp->prec);
        snprintf(f + k, len - k, "%s", conv);
}

static void fmt_one(strbuf_t *sb, uint32_t verb, const struct spec *sp, json_t *v);

static void fmt_int(strbuf_t *sb, uint32_t verb, const struct spec *sp, long long x)
{
        char f[64], buf[128];
        strbuf_t t = STRBUF_INIT;
        switch (verb) {
        case 'd':
        case 'v':
                cfmt(f, sizeof(f), sp, "lld");
                break;
        case 'x':
        case 'X':
        case 'o':
                if (x < 0) { /* Go prints the sign, C would wrap */
                        struct spec s2 = *sp;
                        s2.width = -1;
                        s2.plus = s2.space = false;
                        sb_append(&t, "-");
                        fmt_int(&t, verb, &s2, x == LLONG_MIN ? x : -x);
                        pad_out(sb, t.s, t.len, sp);
                        sb_free(&t);
                        return;
                }
                cfmt(f, sizeof(f), sp, verb == 'x' ? "llx" : verb == 'X' ? "llX" : "llo");
                break;
        case 'b': {
                unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
                char bits[72];
                size_t k = sizeof(bits);
                bits[--k] = '\0';
                do {
                        bits[--k] = (char)('0' + (u & 1));
                        u >>= 1;
                } while (u);
                sb_appendf(&t, "%s%s", x < 0 ? "-" : sp->plus ? "+" : "", bits + k);
                pad_out(sb, t.s, t.len, sp);
                sb_free(&t);
                return;
        }
        case 'c':
                utf8_put(&t, x < 0 || x > 0x10FFFF ? 0xFFFD : (uint32_t)x);
                pad_out(sb, t.s, t.len, sp);
                sb_free(&t);
                return;
        case 'q': {
                sb_append(&t, "");
                char u[8];
                strbuf_t one = STRBUF_INIT;
                utf8_put(&one, x < 0 || x > 0x10FFFF ? 0xFFFD : (uint32_t)x);
                snprintf(u, sizeof(u), "%s", sb_str(&one));
                quote_n(&t, u, one.len, '\'');
                sb_free(&one);
                pad_out(sb, t.s, t.len, sp);
                sb_free(&t);
                return;
        }
        case 'U':
                snprintf(buf, sizeof(buf), "U+%04llX", (unsigned long long)x);
                pad_out(sb, buf, strlen(buf), sp);
                return;
        default: {
                json_t *j = json_integer(x);
                bad_verb(sb, verb, j);
                json_decref(j);
                return;
        }
        }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        sb_appendf(sb, f, x); /* f: cfmt's conversion for x */
#pragma GCC diagnostic pop
}

static void fmt_float(strbuf_t *sb, uint32_t verb, const struct spec *sp, double d)
{
        char f[64];
        if ((verb == 'v' || verb == 'g' || verb == 'G') && sp->prec < 0) {
                strbuf_t t = STRBUF_INIT;
                if (sp->plus && !signbit(d))
                        sb_appendc(&t, '+');
                else if (sp->space && !signbit(d))
                        sb_appendc(&t, ' ');
                go_float(&t, d, false);
                struct spec s2 = *sp;
                if (s2.zero && !s2.minus && t.len && (t.s[0] == '-' || t.s[0] == '+') &&
                    s2.width > 0) {
                        sb_appendc(sb, t.s[0]);
                        s2.width--;
                        pad_out(sb, t.s + 1, t.len - 1, &s2);
                } else {
                        pad_out(sb, t.s, t.len, &s2);
                }
                sb_free(&t);
                return;
        }
        if (!strchr("eEfFgG", (int)verb) || !verb) {
                json_t *j = json_real(d);
                bad_verb(sb, verb, j);
                json_decref(j);
                return;
        }
        char conv[2] = {(char)verb, 0};
        struct spec s2 = *sp;
        if (s2.prec > 100)
                s2.prec = 100;
        if (s2.width > 400)
                s2.width = 400;
        cfmt(f, sizeof(f), &s2, conv);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        sb_appendf(sb, f, d); /* f: cfmt's conversion for d */
#pragma GCC diagnostic pop
}

struct verb_spec {
        uint32_t verb;
        const struct spec *sp;
};

static void fmt_one_elem(strbuf_t *sb, json_t *v, const void *ctx)
{
        const struct verb_spec *vs = ctx;
        fmt_one(sb, vs->verb, vs->sp, v);
}

static void fmt_one(strbuf_t *sb, uint32_t verb, const struct spec *sp, json_t *v)
{
        switch (v ? json_typeof(v) : JSON_NULL) {
        case JSON_STRING: {
                const char *s = json_string_value(v);
                size_t n = json_string_length(v);
                if (verb == 's' || verb == 'v') {
                        if (sp->prec >= 0) { /* precision: at most prec runes */
                                size_t r = 0, i = 0;
                                for (; i < n; i++) {
                                        if (((unsigned char)s[i] & 0xc0) != 0x80 &&
                                            r++ == (size_t)sp->prec)
                                                break;
                                }
                                n = i;
                        }
                        pad_out(sb, s, n, sp);
                } else if (verb == 'q') {
                        strbuf_t t = STRBUF_INIT;
                        quote_n(&t, s, n, '"');
                        pad_out(sb, t.s, t.len, sp);
                        sb_free(&t);
                } else if (verb == 'x' || verb == 'X') {
                        strbuf_t t = STRBUF_INIT;
                        sb_append(&t, "");
                        for (size_t i = 0; i < n; i++)
                                sb_appendf(&t, verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
                        pad_out(sb, t.s, t.len, sp);
                        sb_free(&t);
                } else {
                        bad_verb(sb, verb, v);
                }
                break;
        }
        case JSON_INTEGER:
                fmt_int(sb, verb, sp, (long long)json_integer_value(v));
                break;
        case JSON_REAL:
                fmt_float(sb, verb, sp, json_real_value(v));
                break;
        case JSON_TRUE:
        case JSON_FALSE:
                if (verb == 't' || verb == 'v') {
                        const char *b = json_is_true(v) ? "true" : "false";
                        struct spec s2 = *sp;
                        s2.zero = false;
                        pad_out(sb, b, strlen(b), &s2);
                } else {
                        bad_verb(sb, verb, v);
                }
                break;
        case JSON_ARRAY:
        case JSON_OBJECT: {
                struct verb_spec vs = {verb, sp};
                go_composite(sb, v, fmt_one_elem, &vs);
                break;
        }
        default:
                if (verb == 'v') {
                        struct spec s2 = *sp;
                        s2.zero = false;
                        pad_out(sb, "<nil>", 5, &s2);
                } else {
                        bad_verb(sb, verb, v);
                }
        }
}

/* Go's fmt.Sprintf for the verbs templates use. */
static void go_sprintf(strbuf_t *sb, const char *f, size_t flen, json_t **args, size_t nargs)
{
        size_t ai = 0;
        for (size_t i = 0; i < flen;) {
                if (f[i] != '%') {
                        sb_appendc(sb, f[i++]);
                        continue;
                }
                i++;
                struct spec sp = {.width = -1, .prec = -1};
                for (; i < flen; i++) {
                        char c = f[i];
                        if (c == '-')
                                sp.minus = true;
                        else if (c == '+')
                                sp.plus = true;
                        else if (c == '#')
                                sp.sharp = true;
                        else if (c == '0')
                                sp.zero = true;
                        else if (c == ' ')
                                sp.space = true;
                        else
                                break;
                }
                if (i < flen && f[i] == '*') {
                        i++;
                        json_t *w = ai < nargs ? args[ai++] : NULL;
                        if (json_is_integer(w) &&
                            llabs((long long)json_integer_value(w)) <= GO_FMT_MAX) {
                                long long wv = (long long)json_integer_value(w);
                                sp.width = (int)llabs(wv);
                                sp.minus |= wv < 0;
                        } else {
                                sb_append(sb, "%!(BADWIDTH)");
                        }
                } else {
                        while (i < flen && isdigit((unsigned char)f[i])) {
                                if (sp.width > GO_FMT_MAX) {
                                        i = flen; /* Go: an overflow eats the rest */
                                        break;
                                }
                                sp.width = (sp.width < 0 ? 0 : sp.width) * 10 + (f[i++] - '0');
                        }
                }
                if (i < flen && f[i] == '.') {
                        i++;
                        sp.prec = 0;
                        if (i < flen && f[i] == '*') {
                                i++;
                                json_t *pv = ai < nargs ? args[ai++] : NULL;
                                if (json_is_integer(pv) && json_integer_value(pv) >= 0 &&
                                    json_integer_value(pv) <= GO_FMT_MAX)
                                        sp.prec = (int)json_integer_value(pv);
                                else
                                        sb_append(sb, "%!(BADPREC)");
                        } else {
                                while (i < flen && isdigit((unsigned char)f[i])) {
                                        if (sp.prec > GO_FMT_MAX) {
                                                i = flen;
                                                break;
                                        }
                                        sp.prec = sp.prec * 10 + (f[i++] - '0');
                                }
                        }
                }
                if (i >= flen) {
                        sb_append(sb, "%!(NOVERB)");
                        break;
                }
                size_t sz;
                uint32_t verb = utf8_get((const unsigned char *)f + i, flen - i, &sz);
                i += sz;
                if (verb == '%') {
                        sb_appendc(sb, '%');
                        continue;
                }
                if (ai >= nargs) {
                        sb_append(sb, "%!");
                        utf8_put(sb, verb);
                        sb_append(sb, "(MISSING)");
                        continue;
                }
                fmt_one(sb, verb, &sp, args[ai++]);
        }
        if (ai < nargs) {
                sb_append(sb, "%!(EXTRA ");
                for (size_t k = ai; k < nargs; k++) {
                        if (k > ai)
                                sb_append(sb, ", ");
                        if (json_is_null(args[k]) || !args[k]) {
                                sb_append(sb, "<nil>");
                                continue;
                        }
                        sb_appendf(sb, "%s=", go_type(args[k]));
                        fmt_value(sb, args[k], false);
                }
                sb_appendc(sb, ')');
        }
}

/* fmt.Sprint: a space between operands when neither is a string. */
static void go_sprint(strbuf_t *sb, json_t **args, size_t n, bool ln)
{
        for (size_t i = 0; i < n; i++) {
                if (i && (ln || (!json_is_string(args[i]) && !json_is_string(args[i - 1]))))
                        sb_appendc(sb, ' ');
                fmt_value(sb, args[i], false);
        }
        if (ln)
                sb_appendc(sb, '\n');
}

/* --- execution ------------------------------------------------------------- */

struct var {
        const char *name;
        json_t *v;
};

enum flow { FLOW_NONE, FLOW_BREAK, FLOW_CONTINUE };

struct state {
        const gotmpl_t *t;
        const struct gotmpl_opts *o;
        json_t *root;
        strbuf_t *out;
        size_t out0, max_out, steps;
        struct var *vars;
        size_t nvars, cap;
        enum flow flow;
        err_t *err;
        const json_t **smaps; /* the objects opts.string_maps names */
        size_t nsmaps, capsmaps;
        struct nilmap *nils;
        size_t nnils;
};

static int xerr(struct state *s, size_t pos, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int xerr(struct state *s, size_t pos, size_t len, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        const char *src = s->t->src;
        size_t ls = pos;
        while (ls > 0 && src[ls - 1] != '\n')
                ls--;
        int dots = len > 20;
        return err_set(s->err, EINVAL, "template: :%d:%zu: executing \"\" at <%.*s%s>: %s",
                       line_of(src, pos), pos - ls, (int)(dots ? 20 : len), src + pos,
                       dots ? "..." : "", msg);
}

static int aerr(struct state *s, const struct arg *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int aerr(struct state *s, const struct arg *a, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        return xerr(s, a->pos, a->len, "%s", msg);
}

static int step(struct state *s, size_t pos)
{
        if (++s->steps > MAX_STEPS)
                return xerr(s, pos, 0, "template evaluation exceeds %d steps", MAX_STEPS);
        return 0;
}

static int put(struct state *s, const char *p, size_t n, size_t pos)
{
        if (s->out->len - s->out0 + n > s->max_out)
                return xerr(s, pos, 0, "template output exceeds %zu bytes", s->max_out);
        sb_appendn(s->out, p, n);
        return 0;
}

static void var_push(struct state *s, const char *name, json_t *v)
{
        if (s->nvars == s->cap) {
                s->cap = s->cap ? s->cap * 2 : 16;
                s->vars = xrealloc(s->vars, s->cap * sizeof(*s->vars));
        }
        s->vars[s->nvars++] = (struct var){name, json_incref(v ? v : json_null())};
}

static void var_pop(struct state *s, size_t mark)
{
        while (s->nvars > mark)
                json_decref(s->vars[--s->nvars].v);
}

static struct var *var_find(struct state *s, const char *name)
{
        for (size_t i = s->nvars; i-- > 0;)
                if (!strcmp(s->vars[i].name, name))
                        return &s->vars[i];
        return NULL;
}

static void var_set(struct state *s, const char *name, json_t *v)
{
        struct var *x = var_find(s, name);
        if (x) {
                json_decref(x->v);
                x->v = json_incref(v ? v : json_null());
        }
}

static json_t *eval_pipe(struct state *s, json_t *dot, const struct pipe *p, bool decl);
static json_t *eval_arg(struct state *s, json_t *dot, const struct arg *a);

/* One field of recv, called with args (a method) when nargs or final. */
static json_t *eval_field(struct state *s, const struct arg *a, json_t *recv, const char *name,
                          json_t **args, size_t nargs)
{
        if (nargs) {
                json_t *m =
                    recv == s->root && s->o->methods ? json_object_get(s->o->methods, name) : NULL;
                if (!m) {
                        aerr(s, a, "%s is not a method but has arguments", name);
                        return NULL;
                }
                if (nargs != 1 || !json_is_string(args[0])) {
                        aerr(s, a, "wrong number of args for %s: want 1 got %zu", name, nargs);
                        return NULL;
                }
                json_t *v = json_object_get(m, json_string_value(args[0]));
                return v ? json_incref(v) : json_string("");
        }
        if (json_is_object(recv)) {
                json_t *v = json_object_get(recv, name);
                if (!v && recv == s->root && s->o->type_name) {
                        if (s->o->methods && json_object_get(s->o->methods, name))
                                aerr(s, a, "wrong number of args for %s: want 1 got 0", name);
                        else
                                aerr(s, a, "can't evaluate field %s in type %s", name,
                                     s->o->type_name);
                        return NULL;
                }
                return v ? json_incref(v) : json_null();
        }
        if (!recv || json_is_null(recv))
                return json_null();
        aerr(s, a, "can't evaluate field %s in type %s", name, go_type(recv));
        return NULL;
}

/* Walk a's field chain from v (a reference we own); the last field gets args. */
static json_t *eval_chain(struct state *s, const struct arg *a, json_t *v, json_t **args,
                          size_t nargs)
{
        for (size_t i = 0; v && i < a->nfields; i++) {
                bool last = i + 1 == a->nfields;
                json_t *n = eval_field(s, a, v, a->fields[i], args, last ? nargs : 0);
                json_decref(v);
                v = n;
        }
        return v;
}

static json_t *call_func(struct state *s, json_t *dot, const struct cmd *c, json_t *final);

/* A command: a function call, a method call, or one operand. */
static json_t *eval_cmd(struct state *s, json_t *dot, const struct cmd *c, json_t *final)
{
        const struct arg *a0 = c->args[0];
        if (step(s, a0->pos) < 0)
                return NULL;
        if (a0->kind == A_IDENT)
                return call_func(s, dot, c, final);
        size_t nargs = c->n - 1 + (final != NULL);
        if (nargs && (!a0->nfields || a0->kind == A_LIT)) {
                aerr(s, a0, "can't give argument to non-function %.*s", (int)a0->len,
                     s->t->src + a0->pos);
                return NULL;
        }
        if (a0->kind == A_NIL) {
                aerr(s, a0, "nil is not a command");
                return NULL;
        }
        if (!nargs)
                return eval_arg(s, dot, a0);
        json_t **args = xcalloc(nargs, sizeof(*args));
        json_t *res = NULL;
        size_t k = 0;
        for (; k < c->n - 1; k++)
                if (!(args[k] = eval_arg(s, dot, c->args[k + 1])))
                        goto out;
        if (final)
                args[k++] = json_incref(final);
        /* the receiver: everything but the last field */
        json_t *recv;
        if (a0->kind == A_FIELD)
                recv = json_incref(dot);
        else if (a0->kind == A_VAR)
                recv = json_incref(var_find(s, a0->name)->v);
        else if (!(recv = eval_pipe(s, dot, a0->sub, false)))
                goto out;
        for (size_t i = 0; recv && i + 1 < a0->nfields; i++) {
                json_t *n = eval_field(s, a0, recv, a0->fields[i], NULL, 0);
                json_decref(recv);
                recv = n;
        }
        if (recv) {
                res = eval_field(s, a0, recv, a0->fields[a0->nfields - 1], args, nargs);
                json_decref(recv);
        }
out:
        for (size_t i = 0; i < nargs; i++)
                json_decref(args[i]);
        free(args);
        return res;
}

static json_t *eval_arg(struct state *s, json_t *dot, const struct arg *a)
{
        switch (a->kind) {
        case A_DOT:
                return json_incref(dot ? dot : json_null());
        case A_NIL:
                return json_null();
        case A_LIT:
                return json_incref(a->lit);
        case A_FIELD:
                return eval_chain(s, a, json_incref(dot ? dot : json_null()), NULL, 0);
        case A_VAR: {
                struct var *v = var_find(s, a->name);
                if (!v) { /* parse checks this; a guard all the same */
                        aerr(s, a, "undefined variable: %s", a->name);
                        return NULL;
                }
                return eval_chain(s, a, json_incref(v->v), NULL, 0);
        }
        case A_IDENT: {
                struct cmd c = {.args = (struct arg **)&a, .n = 1};
                return call_func(s, dot, &c, NULL);
        }
        case A_PIPE: {
                json_t *v = eval_pipe(s, dot, a->sub, true);
                return v ? eval_chain(s, a, v, NULL, 0) : NULL;
        }
        }
        return NULL;
}

static json_t *eval_pipe(struct state *s, json_t *dot, const struct pipe *p, bool decl)
{
        json_t *v = NULL;
        for (size_t i = 0; i < p->ncmds; i++) {
                json_t *n = eval_cmd(s, dot, p->cmds[i], v);
                json_decref(v);
                if (!(v = n))
                        return NULL;
        }
        if (decl)
                for (size_t k = 0; k < p->ndecl; k++) {
                        if (p->assign)
                                var_set(s, p->decl[k], v);
                        else
                                var_push(s, p->decl[k], v);
                }
        return v;
}

/* --- functions ------------------------------------------------------------- */

static bool as_int(json_t *v, long long *out)
{
        if (json_is_integer(v)) {
                *out = (long long)json_integer_value(v);
                return true;
        }
        return false;
}

static bool num_of(json_t *v, double *d)
{
        if (json_is_integer(v))
                *d = (double)json_integer_value(v);
        else if (json_is_real(v))
                *d = json_real_value(v);
        else
                return false;
        return true;
}

/* eq/lt: 0 if equal, <0, >0; -2 incomparable kinds; sets *err_msg. */
static int compare(json_t *a, json_t *b, bool ordered, const char **why)
{
        double x, y;
        if (num_of(a, &x) && num_of(b, &y)) {
                if (json_is_integer(a) && json_is_integer(b)) {
                        json_int_t p = json_integer_value(a), q = json_integer_value(b);
                        return p < q ? -1 : p > q;
                }
                return x < y ? -1 : x > y;
        }
        if (json_is_string(a) && json_is_string(b))
                return strcmp(json_string_value(a), json_string_value(b)) < 0   ? -1
                       : strcmp(json_string_value(a), json_string_value(b)) > 0 ? 1
                                                                                : 0;
        if (json_is_boolean(a) && json_is_boolean(b) && !ordered)
                return json_is_true(a) != json_is_true(b);
        if (!ordered && json_is_null(a) && json_is_null(b))
                return 0;
        if (!ordered && (json_is_null(a) || json_is_null(b)) && !json_is_array(a) &&
            !json_is_object(a) && !json_is_array(b) && !json_is_object(b))
                return 1;
        if (json_is_array(a) || json_is_object(a) || json_is_array(b) || json_is_object(b) ||
            (ordered && (json_is_boolean(a) || json_is_null(a))))
                *why = ordered ? "invalid type for comparison" : "non-comparable type";
        else
                *why = "incompatible types for comparison";
        return -2;
}

static void lower_upper(strbuf_t *sb, const char *s, size_t n, int upper)
{
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (upper > 0)
                        c = (char)toupper((unsigned char)c);
                else if (upper == 0)
                        c = (char)tolower((unsigned char)c);
                sb_appendc(sb, (unsigned char)s[i] < 0x80 ? c : s[i]);
        }
}

static void title(strbuf_t *sb, const char *s, size_t n)
{
        bool sep = true;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                sb_appendc(sb, sep && c < 0x80 ? (char)toupper(c) : (char)c);
                if (c >= 0x80)
                        sep = false;
                else
                        sep = !(isalnum(c) || c == '_');
        }
}

static void escape_html(strbuf_t *sb, const char *s, size_t n)
{
        static const char *const repl[256] = {
            ['"'] = "&#34;", ['\''] = "&#39;", ['&'] = "&amp;",
            ['<'] = "&lt;",  ['>'] = "&gt;",   ['\0'] = "\xEF\xBF\xBD",
        };
        for (size_t i = 0; i < n; i++) {
                const char *r = repl[(unsigned char)s[i]];
                if (r)
                        sb_append(sb, r);
                else
                        sb_appendc(sb, s[i]);
        }
}

static void escape_js(strbuf_t *sb, const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '\\' || c == '\'' || c == '"') {
                        sb_appendc(sb, '\\');
                        sb_appendc(sb, (char)c);
                } else if (c == '<' || c == '>' || c == '&' || c == '=' || c < 0x20) {
                        sb_appendf(sb, "\\u%04X", c);
                } else {
                        sb_appendc(sb, (char)c);
                }
        }
}

static void escape_query(strbuf_t *sb, const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];
                if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
                        sb_appendc(sb, (char)c);
                else if (c == ' ')
                        sb_appendc(sb, '+');
                else
                        sb_appendf(sb, "%%%02X", c);
        }
}

/* Is m one of the typed map[string]string values listed in opts.string_maps? */
static bool is_string_map(const struct state *s, const json_t *m)
{
        for (size_t i = 0; i < s->nsmaps; i++)
                if (s->smaps[i] == m)
                        return true;
        return false;
}

/* index of one item by one key */
static json_t *index_one(const struct state *s, json_t *item, json_t *key, const char **why,
                         char *buf, size_t blen)
{
        long long i;
        if (json_is_array(item) || json_is_string(item)) {
                if (!as_int(key, &i)) {
                        snprintf(buf, blen, "cannot index slice/array with type %s", go_type(key));
                        *why = buf;
                        return NULL;
                }
                size_t len = json_is_array(item) ? json_array_size(item) : json_string_length(item);
                if (i < 0 || (size_t)i >= len) {
                        snprintf(buf, blen, "error calling index: index out of range: %lld", i);
                        *why = buf;
                        return NULL;
                }
                if (json_is_string(item))
                        return json_integer((unsigned char)json_string_value(item)[i]);
                return json_incref(json_array_get(item, (size_t)i));
        }
        if (json_is_object(item)) {
                if (!json_is_string(key)) {
                        snprintf(buf, blen, "value has type %s; should be string", go_type(key));
                        *why = buf;
                        return NULL;
                }
                json_t *v = json_object_get(item, json_string_value(key));
                if (v)
                        return json_incref(v);
                /* Go's index gives the element type's zero value for a missing
                 * key: "" for a typed map[string]string (labels, options, event
                 * attributes), a nil interface ("<no value>") otherwise */
                return is_string_map(s, item) ? json_string("") : json_null();
        }
        if (json_is_null(item)) {
                *why = "error calling index: index of untyped nil";
                return NULL;
        }
        snprintf(buf, blen, "error calling index: can't index item of type %s", go_type(item));
        *why = buf;
        return NULL;
}

static const struct fdef {
        const char *name;
        int min, max; /* argument counts; max -1: any */
} fdefs[] = {
    {"not", 1, 1},       {"len", 1, 1},     {"index", 1, -1},   {"slice", 1, 4}, {"eq", 1, -1},
    {"ne", 2, 2},        {"lt", 2, 2},      {"le", 2, 2},       {"gt", 2, 2},    {"ge", 2, 2},
    {"print", 0, -1},    {"printf", 1, -1}, {"println", 0, -1}, {"html", 0, -1}, {"js", 0, -1},
    {"urlquery", 0, -1}, {"call", 1, -1},   {"json", 1, 1},     {"join", 2, 2},  {"split", 2, 2},
    {"lower", 1, 1},     {"upper", 1, 1},   {"title", 1, 1},    {"pad", 3, 3},   {"truncate", 2, 2},
};

static json_t *call_func(struct state *s, json_t *dot, const struct cmd *c, json_t *final)
{
        const struct arg *fa = c->args[0];
        const char *name = fa->name;
        size_t nargs = c->n - 1 + (final != NULL);
        /* and / or evaluate their arguments lazily */
        if (!strcmp(name, "and") || !strcmp(name, "or")) {
                bool is_and = !strcmp(name, "and");
                if (!nargs) {
                        aerr(s, fa, "wrong number of args for %s: want at least 1 got 0", name);
                        return NULL;
                }
                json_t *v = NULL;
                for (size_t i = 0; i < nargs; i++) {
                        json_decref(v);
                        v = i < c->n - 1 ? eval_arg(s, dot, c->args[i + 1]) : json_incref(final);
                        if (!v)
                                return NULL;
                        if (truth(v) != is_and)
                                break;
                }
                return v;
        }
        const struct fdef *fd = NULL;
        for (size_t i = 0; i < sizeof(fdefs) / sizeof(*fdefs); i++)
                if (!strcmp(fdefs[i].name, name))
                        fd = &fdefs[i];
        if (!fd) {
                aerr(s, fa, "function \"%s\" not defined", name);
                return NULL;
        }
        if ((int)nargs < fd->min || (fd->max >= 0 && (int)nargs > fd->max)) {
                if (fd->max < 0)
                        aerr(s, fa, "wrong number of args for %s: want at least %d got %zu", name,
                             fd->min, nargs);
                else
                        aerr(s, fa, "wrong number of args for %s: want %d got %zu", name, fd->max,
                             nargs);
                return NULL;
        }
        json_t **a = xcalloc(nargs ? nargs : 1, sizeof(*a));
        json_t *res = NULL;
        char buf[256];
        const char *why = NULL;
        strbuf_t sb = STRBUF_INIT;
        sb_append(&sb, "");
        for (size_t i = 0; i < c->n - 1; i++)
                if (!(a[i] = eval_arg(s, dot, c->args[i + 1])))
                        goto out;
        if (final)
                a[nargs - 1] = json_incref(final);

        /* the string arguments docker's functions take */
        bool dockerfn = !strcmp(name, "json") || !strcmp(name, "join") || !strcmp(name, "split") ||
                        !strcmp(name, "lower") || !strcmp(name, "upper") ||
                        !strcmp(name, "title") || !strcmp(name, "pad") || !strcmp(name, "truncate");
        if (dockerfn && s->o->header) {
                if (!json_is_string(a[0])) {
                        snprintf(buf, sizeof(buf), "wrong type for value; expected string; got %s",
                                 go_type(a[0]));
                        why = buf;
                        goto out;
                }
                res = json_incref(a[0]);
                goto out;
        }
        if (!strcmp(name, "not")) {
                res = json_boolean(!truth(a[0]));
        } else if (!strcmp(name, "len")) {
                if (json_is_string(a[0]))
                        res = json_integer((json_int_t)json_string_length(a[0]));
                else if (json_is_array(a[0]))
                        res = json_integer((json_int_t)json_array_size(a[0]));
                else if (json_is_object(a[0]))
                        res = json_integer((json_int_t)json_object_size(a[0]));
                else {
                        snprintf(buf, sizeof(buf), "error calling len: len of %s%s",
                                 json_is_null(a[0]) ? "nil pointer" : "type ",
                                 json_is_null(a[0]) ? "" : go_type(a[0]));
                        why = buf;
                }
        } else if (!strcmp(name, "index")) {
                res = json_incref(a[0]);
                for (size_t i = 1; res && i < nargs; i++) {
                        json_t *n = index_one(s, res, a[i], &why, buf, sizeof(buf));
                        json_decref(res);
                        res = n;
                }
        } else if (!strcmp(name, "slice")) {
                json_t *x = a[0];
                size_t len = json_is_string(x)  ? json_string_length(x)
                             : json_is_array(x) ? json_array_size(x)
                                                : 0;
                long long idx[3] = {0, (long long)len, (long long)len};
                if (!json_is_string(x) && !json_is_array(x)) {
                        snprintf(buf, sizeof(buf),
                                 "error calling slice: can't slice item of type %s", go_type(x));
                        why = buf;
                        goto out;
                }
                if (nargs == 4 && json_is_string(x)) {
                        why = "error calling slice: cannot 3-index slice a string";
                        goto out;
                }
                for (size_t i = 1; i < nargs; i++) {
                        if (!as_int(a[i], &idx[i - 1])) {
                                snprintf(buf, sizeof(buf), "cannot index slice/array with type %s",
                                         go_type(a[i]));
                                why = buf;
                                goto out;
                        }
                }
                if (nargs < 3)
                        idx[1] = (long long)len;
                if (idx[0] < 0 || idx[1] < idx[0] || idx[1] > (long long)len ||
                    (nargs == 4 && (idx[2] < idx[1] || idx[2] > (long long)len))) {
                        snprintf(buf, sizeof(buf),
                                 "error calling slice: invalid slice index: %lld > %lld", idx[0],
                                 idx[1]);
                        why = buf;
                        goto out;
                }
                if (json_is_string(x)) {
                        res = json_stringn_nocheck(json_string_value(x) + idx[0],
                                                   (size_t)(idx[1] - idx[0]));
                } else {
                        res = json_array();
                        for (long long i = idx[0]; i < idx[1]; i++)
                                json_array_append(res, json_array_get(x, (size_t)i));
                }
        } else if (!strcmp(name, "eq") || !strcmp(name, "ne") || !strcmp(name, "lt") ||
                   !strcmp(name, "le") || !strcmp(name, "gt") || !strcmp(name, "ge")) {
                bool ordered = name[0] == 'l' || name[0] == 'g';
                if (!strcmp(name, "eq") && nargs < 2) {
                        why = "missing argument for comparison";
                        goto out;
                }
                bool r = false;
                for (size_t i = 1; i < nargs; i++) {
                        int cmp = compare(a[0], a[i], ordered, &why);
                        if (cmp == -2) {
                                snprintf(buf, sizeof(buf), "error calling %s: %s", name, why);
                                why = buf;
                                goto out;
                        }
                        if (!strcmp(name, "eq"))
                                r |= cmp == 0;
                        else if (!strcmp(name, "ne"))
                                r = cmp != 0;
                        else if (!strcmp(name, "lt"))
                                r = cmp < 0;
                        else if (!strcmp(name, "le"))
                                r = cmp <= 0;
                        else if (!strcmp(name, "gt"))
                                r = cmp > 0;
                        else
                                r = cmp >= 0;
                }
                res = json_boolean(r);
        } else if (!strcmp(name, "print") || !strcmp(name, "println")) {
                go_sprint(&sb, a, nargs, name[5] == 'l');
                res = json_stringn_nocheck(sb.s, sb.len);
        } else if (!strcmp(name, "printf")) {
                if (!json_is_string(a[0])) {
                        snprintf(buf, sizeof(buf), "wrong type for value; expected string; got %s",
                                 go_type(a[0]));
                        why = buf;
                        goto out;
                }
                go_sprintf(&sb, json_string_value(a[0]), json_string_length(a[0]), a + 1,
                           nargs - 1);
                res = json_stringn_nocheck(sb.s, sb.len);
        } else if (!strcmp(name, "html") || !strcmp(name, "js") || !strcmp(name, "urlquery")) {
                strbuf_t t = STRBUF_INIT;
                sb_append(&t, "");
                if (nargs == 1 && json_is_string(a[0]))
                        sb_appendn(&t, json_string_value(a[0]), json_string_length(a[0]));
                else
                        go_sprint(&t, a, nargs, false);
                if (name[0] == 'h')
                        escape_html(&sb, t.s, t.len);
                else if (name[0] == 'j')
                        escape_js(&sb, t.s, t.len);
                else
                        escape_query(&sb, t.s, t.len);
                sb_free(&t);
                res = json_stringn_nocheck(sb.s, sb.len);
        } else if (!strcmp(name, "call")) {
                snprintf(buf, sizeof(buf), "error calling call: non-function of type %s",
                         go_type(a[0]));
                why = buf;
        } else if (!strcmp(name, "json")) {
                /* docker's list contexts marshal themselves with encoding/json's
                 * defaults: keys sorted, <, > and & escaped */
                bool ctx = s->o->type_name && a[0] == s->root;
                gotmpl_json(&sb, a[0], ctx || s->o->json_sort_keys, ctx);
                res = json_stringn_nocheck(sb.s, sb.len);
        } else if (!strcmp(name, "join")) {
                json_t *arr = a[0], *e;
                size_t i;
                bool ok = json_is_array(arr) && json_is_string(a[1]);
                json_array_foreach(arr, i, e) ok &= json_is_string(e);
                if (!ok) {
                        snprintf(buf, sizeof(buf), "wrong type for value; expected %s; got %s",
                                 json_is_string(a[1]) ? "[]string" : "string",
                                 go_type(json_is_string(a[1]) ? arr : a[1]));
                        why = buf;
                        goto out;
                }
                json_array_foreach(arr, i, e)
                {
                        if (i)
                                sb_appendn(&sb, json_string_value(a[1]), json_string_length(a[1]));
                        sb_appendn(&sb, json_string_value(e), json_string_length(e));
                        if (sb.len > s->max_out) {
                                why = "template output too large";
                                goto out;
                        }
                }
                res = json_stringn_nocheck(sb.s, sb.len);
        } else {
                /* split lower upper title pad truncate: a string first */
                if (!json_is_string(a[0]) || (!strcmp(name, "split") && !json_is_string(a[1]))) {
                        json_t *bad = json_is_string(a[0]) ? a[1] : a[0];
                        snprintf(buf, sizeof(buf), "wrong type for value; expected string; got %s",
                                 go_type(bad));
                        why = buf;
                        goto out;
                }
                const char *str = json_string_value(a[0]);
                size_t n = json_string_length(a[0]);
                if (!strcmp(name, "lower") || !strcmp(name, "upper")) {
                        lower_upper(&sb, str, n, name[0] == 'u');
                        res = json_stringn_nocheck(sb.s, sb.len);
                } else if (!strcmp(name, "title")) {
                        title(&sb, str, n);
                        res = json_stringn_nocheck(sb.s, sb.len);
                } else if (!strcmp(name, "split")) {
                        const char *sep = json_string_value(a[1]);
                        size_t sl = json_string_length(a[1]);
                        res = json_array();
                        if (!sl) {
                                for (size_t i = 0; i < n;) {
                                        size_t sz;
                                        uint32_t cp =
                                            utf8_get((const unsigned char *)str + i, n - i, &sz);
                                        if (cp == 0xFFFD && sz == 1)
                                                json_array_append_new(res,
                                                                      json_string("\xEF\xBF\xBD"));
                                        else
                                                json_array_append_new(
                                                    res, json_stringn_nocheck(str + i, sz));
                                        i += sz;
                                }
                        } else {
                                const char *p = str, *e = str + n;
                                for (;;) {
                                        const char *hit = memmem(p, (size_t)(e - p), sep, sl);
                                        if (!hit) {
                                                json_array_append_new(
                                                    res, json_stringn_nocheck(p, (size_t)(e - p)));
                                                break;
                                        }
                                        json_array_append_new(
                                            res, json_stringn_nocheck(p, (size_t)(hit - p)));
                                        p = hit + sl;
                                }
                        }
                } else if (!strcmp(name, "pad")) {
                        long long pre, post;
                        if (!as_int(a[1], &pre) || !as_int(a[2], &post)) {
                                snprintf(buf, sizeof(buf),
                                         "wrong type for value; expected int; got %s",
                                         go_type(as_int(a[1], &pre) ? a[2] : a[1]));
                                why = buf;
                                goto out;
                        }
                        if (pre < 0 || post < 0) {
                                why = "error calling pad: strings: negative Repeat count";
                                goto out;
                        }
                        if ((unsigned long long)pre + (unsigned long long)post + n > s->max_out) {
                                why = "template output too large";
                                goto out;
                        }
                        for (long long i = 0; i < pre; i++)
                                sb_appendc(&sb, ' ');
                        sb_appendn(&sb, str, n);
                        for (long long i = 0; i < post; i++)
                                sb_appendc(&sb, ' ');
                        res = json_stringn_nocheck(sb.s, sb.len);
                } else { /* truncate */
                        long long len;
                        if (!as_int(a[1], &len)) {
                                snprintf(buf, sizeof(buf),
                                         "wrong type for value; expected int; got %s",
                                         go_type(a[1]));
                                why = buf;
                                goto out;
                        }
                        if ((long long)n < len) {
                                res = json_incref(a[0]);
                        } else if (len < 0) {
                                snprintf(buf, sizeof(buf),
                                         "error calling truncate: runtime error: slice bounds out "
                                         "of range [:%lld]",
                                         len);
                                why = buf;
                        } else {
                                res = json_stringn_nocheck(str, (size_t)len);
                        }
                }
        }
out:
        if (why && !res)
                aerr(s, fa, "%s", why);
        for (size_t i = 0; i < nargs; i++)
                json_decref(a[i]);
        free(a);
        sb_free(&sb);
        return res;
}

/* --- control structures ---------------------------------------------------- */

static int exec_list(struct state *s, json_t *dot, const struct list *l);

static int exec_range(struct state *s, json_t *dot, const struct node *n)
{
        size_t mark = s->nvars;
        json_t *v = eval_pipe(s, dot, n->pipe, false);
        if (!v)
                return -1;
        const struct pipe *p = n->pipe;
        if (!p->assign)
                for (size_t k = 0; k < p->ndecl; k++)
                        var_push(s, p->decl[k], NULL);
        int rc = 0;
        size_t count = 0;
        json_t *keys = NULL;
        long long nint = 0;
        if (json_is_array(v)) {
                count = json_array_size(v);
        } else if (json_is_object(v)) {
                size_t nk;
                const char **k = sorted_keys(v, &nk);
                keys = json_array();
                for (size_t i = 0; i < nk; i++)
                        json_array_append_new(keys, json_string(k[i]));
                free(k);
                count = nk;
        } else if (json_is_integer(v) && (nint = (long long)json_integer_value(v)) >= 0) {
                count = (size_t)nint;
        } else if (!json_is_null(v)) {
                xerr(s, n->pipe->pos, 0, "range can't iterate over %s", "value");
                strbuf_t sb = STRBUF_INIT;
                fmt_value(&sb, v, false);
                err_set(s->err, EINVAL, "template: :%d:%zu: range can't iterate over %s",
                        line_of(s->t->src, n->pos), (size_t)0, sb_str(&sb));
                sb_free(&sb);
                rc = -1;
        }
        if (json_is_integer(v) && p->ndecl == 2) {
                rc = xerr(s, n->pos, 0, "can't use %lld to iterate over more than one variable",
                          nint);
                count = 0;
        }
        for (size_t i = 0; rc == 0 && i < count; i++) {
                if ((rc = step(s, n->pos)) < 0)
                        break;
                json_t *key =
                    keys ? json_incref(json_array_get(keys, i)) : json_integer((json_int_t)i);
                json_t *elem = keys   ? json_incref(json_object_get(v, json_string_value(key)))
                               : nint ? json_incref(key)
                                      : json_incref(json_array_get(v, i));
                if (p->ndecl == 1) {
                        var_set(s, p->decl[0], elem);
                } else if (p->ndecl == 2) {
                        var_set(s, p->decl[0], key);
                        var_set(s, p->decl[1], elem);
                }
                size_t inner = s->nvars;
                rc = exec_list(s, elem, n->list);
                var_pop(s, inner);
                json_decref(key);
                json_decref(elem);
                if (s->flow == FLOW_BREAK) {
                        s->flow = FLOW_NONE;
                        break;
                }
                s->flow = FLOW_NONE;
        }
        if (rc == 0 && count == 0 && n->elselist)
                rc = exec_list(s, dot, n->elselist);
        json_decref(keys);
        json_decref(v);
        var_pop(s, mark);
        return rc;
}

static int exec_list(struct state *s, json_t *dot, const struct list *l)
{
        for (size_t i = 0; i < l->n && s->flow == FLOW_NONE; i++) {
                const struct node *n = l->v[i];
                if (step(s, n->pos) < 0)
                        return -1;
                switch (n->kind) {
                case N_TEXT:
                        if (put(s, n->text, n->textlen, n->pos) < 0)
                                return -1;
                        break;
                case N_ACTION: {
                        json_t *v = eval_pipe(s, dot, n->pipe, true);
                        if (!v)
                                return -1;
                        if (!n->pipe->ndecl) {
                                strbuf_t sb = STRBUF_INIT;
                                sb_append(&sb, "");
                                fmt_value(&sb, v, true);
                                int rc = put(s, sb.s, sb.len, n->pos);
                                sb_free(&sb);
                                if (rc < 0) {
                                        json_decref(v);
                                        return -1;
                                }
                        }
                        json_decref(v);
                        break;
                }
                case N_IF:
                case N_WITH: {
                        size_t mark = s->nvars;
                        json_t *v = eval_pipe(s, dot, n->pipe, true);
                        if (!v)
                                return -1;
                        int rc = 0;
                        if (truth(v))
                                rc = exec_list(s, n->kind == N_WITH ? v : dot, n->list);
                        else if (n->elselist)
                                rc = exec_list(s, dot, n->elselist);
                        json_decref(v);
                        var_pop(s, mark);
                        if (rc < 0)
                                return -1;
                        break;
                }
                case N_RANGE:
                        if (exec_range(s, dot, n) < 0)
                                return -1;
                        break;
                case N_BREAK:
                        s->flow = FLOW_BREAK;
                        break;
                case N_CONTINUE:
                        s->flow = FLOW_CONTINUE;
                        break;
                }
        }
        return 0;
}

/* Record the objects a string_maps path ("A.B", "*" for any key or
 * element) names under v; depth bounds a hostile path. */
static void smap_collect(struct state *s, json_t *v, const char *path, int depth);

/* parent's member key is named by a string_maps path: a null there is a Go
 * nil map[string]string, given an empty stand-in for the run. */
static void smap_member(struct state *s, json_t *parent, const char *key, size_t klen,
                        const char *rest, int depth)
{
        json_t *m = json_object_getn(parent, key, klen);
        if (!*rest && json_is_null(m) && s->nnils < 256) {
                m = json_object();
                json_object_setn_new(parent, key, klen, m);
                s->nils = xrealloc(s->nils, (s->nnils + 1) * sizeof(*s->nils));
                s->nils[s->nnils++] = (struct nilmap){parent, xstrndup(key, klen), m};
        }
        smap_collect(s, m, rest, depth + 1);
}

static void smap_collect(struct state *s, json_t *v, const char *path, int depth)
{
        if (depth > 32 || !v)
                return;
        if (!*path) {
                if (json_is_object(v)) {
                        if (s->nsmaps == s->capsmaps) {
                                s->capsmaps = s->capsmaps ? s->capsmaps * 2 : 8;
                                s->smaps = xrealloc(s->smaps, s->capsmaps * sizeof(*s->smaps));
                        }
                        s->smaps[s->nsmaps++] = v;
                }
                return;
        }
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        const char *rest = dot ? dot + 1 : path + n;
        if (n == 1 && path[0] == '*') {
                const char *k;
                json_t *m;
                size_t i;
                if (json_is_object(v)) {
                        json_object_foreach(v, k, m)
                        {
                                (void)m;
                                smap_member(s, v, k, strlen(k), rest, depth);
                        }
                } else if (json_is_array(v)) {
                        json_array_foreach(v, i, m) smap_collect(s, m, rest, depth + 1);
                }
                return;
        }
        if (json_is_object(v))
                smap_member(s, v, path, n, rest, depth);
}

int gotmpl_exec(const gotmpl_t *t, json_t *dot, const struct gotmpl_opts *opts, strbuf_t *out,
                err_t *err)
{
        static const struct gotmpl_opts none;
        struct state s = {.t = t,
                          .o = opts ? opts : &none,
                          .root = dot,
                          .out = out,
                          .out0 = out->len,
                          .err = err};
        s.max_out = s.o->max_output ? s.o->max_output : MAX_OUTPUT;
        sb_append(out, "");
        for (size_t i = 0; s.o->string_maps && s.o->string_maps[i]; i++)
                smap_collect(&s, dot, s.o->string_maps[i], 0);
        var_push(&s, "$", dot);
        const struct nilmap *outer = cur_nils;
        size_t nouter = cur_nnils;
        cur_nils = s.nils;
        cur_nnils = s.nnils;
        int rc = exec_list(&s, dot, t->root);
        cur_nils = outer;
        cur_nnils = nouter;
        var_pop(&s, 0);
        free(s.vars);
        free(s.smaps);
        for (size_t i = s.nnils; i-- > 0;) { /* the caller's document as it was */
                json_object_set_new(s.nils[i].parent, s.nils[i].key, json_null());
                free(s.nils[i].key);
        }
        free(s.nils);
        return rc;
}
