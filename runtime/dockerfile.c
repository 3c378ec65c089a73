/* dockerfile.c - Dockerfile parser, word expansion, .dockerignore matching. */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "dockerfile.h"
#include "strbuf.h"
#include "xalloc.h"

static const struct {
        const char *kw;
        enum rt_df_kind kind;
} keywords[] = {
    {"FROM", RT_DF_FROM},
    {"RUN", RT_DF_RUN},
    {"CMD", RT_DF_CMD},
    {"ENTRYPOINT", RT_DF_ENTRYPOINT},
    {"ENV", RT_DF_ENV},
    {"ARG", RT_DF_ARG},
    {"LABEL", RT_DF_LABEL},
    {"EXPOSE", RT_DF_EXPOSE},
    {"WORKDIR", RT_DF_WORKDIR},
    {"USER", RT_DF_USER},
    {"VOLUME", RT_DF_VOLUME},
    {"COPY", RT_DF_COPY},
    {"ADD", RT_DF_ADD},
    {"SHELL", RT_DF_SHELL},
    {"STOPSIGNAL", RT_DF_STOPSIGNAL},
    {"HEALTHCHECK", RT_DF_HEALTHCHECK},
    {"ONBUILD", RT_DF_ONBUILD},
    {"MAINTAINER", RT_DF_MAINTAINER},
};

/* Flags each instruction accepts (NULL-terminated); NULL: no flags parsed. */
static const char *const from_flags[] = {"platform", NULL};
static const char *const run_flags[] = {"network", NULL};
static const char *const copy_flags[] = {"from", "chown", "chmod", "link", NULL};
static const char *const add_flags[] = {"chown", "chmod", "link", NULL};
static const char *const hc_flags[] = {"interval", "timeout",        "start-period",
                                       "retries",  "start-interval", NULL};

static const char *const *flags_of(enum rt_df_kind k)
{
        switch (k) {
        case RT_DF_FROM:
                return from_flags;
        case RT_DF_RUN:
                return run_flags;
        case RT_DF_COPY:
                return copy_flags;
        case RT_DF_ADD:
                return add_flags;
        case RT_DF_HEALTHCHECK:
                return hc_flags;
        default:
                return NULL;
        }
}

static bool json_form_allowed(enum rt_df_kind k)
{
        return k == RT_DF_RUN || k == RT_DF_CMD || k == RT_DF_ENTRYPOINT || k == RT_DF_SHELL ||
               k == RT_DF_COPY || k == RT_DF_ADD || k == RT_DF_VOLUME;
}

static void instr_free(struct rt_df_instr *in)
{
        free(in->text);
        strv_free(&in->flags);
        strv_free(&in->argv);
        free(in->rest);
}

void rt_dockerfile_free(struct rt_dockerfile *df)
{
        for (size_t i = 0; i < df->n; i++)
                instr_free(&df->v[i]);
        free(df->v);
        df->v = NULL;
        df->n = 0;
}

const char *rt_df_flag(const struct rt_df_instr *in, const char *name)
{
        size_t n = strlen(name);
        for (size_t i = 0; i < in->flags.n; i++) {
                const char *f = in->flags.v[i] + 2;
                if (!strncmp(f, name, n) && (f[n] == '=' || f[n] == '\0'))
                        return f[n] ? f + n + 1 : f + n;
        }
        return NULL;
}

static char *trim(char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
                s[--n] = '\0';
        return s;
}

/* Count whitespace separated words of s. */
static size_t count_words(const char *s)
{
        size_t n = 0;
        while (*s) {
                while (isspace((unsigned char)*s))
                        s++;
                if (!*s)
                        break;
                n++;
                while (*s && !isspace((unsigned char)*s))
                        s++;
        }
        return n;
}

/* JSON array of strings -> argv; false when s is not one. */
static bool parse_json_array(const char *s, strv_t *out)
{
        json_error_t je;
        json_t *j = json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
        if (!json_is_array(j)) {
                json_decref(j);
                return false;
        }
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
                if (!json_is_string(v)) {
                        json_decref(j);
                        strv_free(out);
                        return false;
                }
                strv_push(out, json_string_value(v));
        }
        json_decref(j);
        return true;
}

static int check_args(struct rt_df_instr *in, const char *name, err_t *err)
{
        const char *kw = in->keyword;
        size_t nw = in->json ? in->argv.n : count_words(in->rest ? in->rest : "");
        bool empty = !in->json && (!in->rest || !*in->rest);
        switch (in->kind) {
        case RT_DF_FROM:
                if (nw != 1 && nw != 3)
                        return err_set(err, EINVAL,
                                       "%s:%d: FROM requires either one or three arguments", name,
                                       in->line);
                if (nw == 3) {
                        _cleanup_free_ char *dup = xstrdup(in->rest);
                        char *save = NULL, *w1 = strtok_r(dup, " \t", &save);
                        char *w2 = strtok_r(NULL, " \t", &save);
                        (void)w1;
                        if (!w2 || strcasecmp(w2, "AS"))
                                return err_set(err, EINVAL,
                                               "%s:%d: FROM requires either one or three "
                                               "arguments (the second one AS)",
                                               name, in->line);
                }
                return 0;
        case RT_DF_COPY:
        case RT_DF_ADD:
                if (nw < 2)
                        return err_set(err, EINVAL, "%s:%d: %s requires at least two arguments",
                                       name, in->line, kw);
                return 0;
        case RT_DF_SHELL:
                if (!in->json)
                        return err_set(err, EINVAL,
                                       "%s:%d: SHELL requires the arguments to be in JSON form",
                                       name, in->line);
                if (!in->argv.n)
                        return err_set(err, EINVAL, "%s:%d: SHELL requires at least one argument",
                                       name, in->line);
                return 0;
        case RT_DF_WORKDIR:
        case RT_DF_STOPSIGNAL:
        case RT_DF_MAINTAINER:
        case RT_DF_USER:
                /* USER is one word; the others take the rest of the line as one */
                if (in->kind == RT_DF_USER ? nw != 1 : empty)
                        return err_set(err, EINVAL, "%s:%d: %s requires exactly one argument", name,
                                       in->line, kw);
                return 0;
        case RT_DF_ENV:
        case RT_DF_ARG:
        case RT_DF_LABEL:
        case RT_DF_EXPOSE:
        case RT_DF_VOLUME:
        case RT_DF_ONBUILD:
                if (in->json ? !in->argv.n : empty)
                        return err_set(err, EINVAL, "%s:%d: %s requires at least one argument",
                                       name, in->line, kw);
                return 0;
        case RT_DF_RUN:
                if (!in->json && empty)
                        return err_set(err, EINVAL, "%s:%d: RUN requires at least one argument",
                                       name, in->line);
                return 0;
        case RT_DF_HEALTHCHECK: {
                if (empty)
                        return err_set(err, EINVAL,
                                       "%s:%d: HEALTHCHECK requires at least one argument", name,
                                       in->line);
                char *r = in->rest;
                size_t kl = strcspn(r, " \t");
                if (kl == 4 && !strncasecmp(r, "NONE", 4)) {
                        if (in->flags.n || r[kl])
                                return err_set(err, EINVAL,
                                               "%s:%d: HEALTHCHECK NONE takes no arguments", name,
                                               in->line);
                        strv_push(&in->argv, "NONE");
                        in->json = true;
                        return 0;
                }
                if (kl != 3 || strncasecmp(r, "CMD", 3))
                        return err_set(err, EINVAL,
                                       "%s:%d: Unknown type \"%.*s\" in HEALTHCHECK (try CMD)",
                                       name, in->line, (int)kl, r);
                char *args = trim(r + kl);
                if (!*args)
                        return err_set(err, EINVAL, "%s:%d: Missing command after HEALTHCHECK CMD",
                                       name, in->line);
                strv_t av = STRV_INIT;
                if (*args == '[' && parse_json_array(args, &av)) {
                        strv_push(&in->argv, "CMD");
                        for (size_t i = 0; i < av.n; i++)
                                strv_push(&in->argv, av.v[i]);
                        strv_free(&av);
                } else {
                        strv_push(&in->argv, "CMD-SHELL");
                        strv_push(&in->argv, args);
                }
                in->json = true;
                return 0;
        }
        case RT_DF_CMD:
        case RT_DF_ENTRYPOINT:
                return 0;
        }
        return 0;
}

/* One logical line -> instruction. */
static int parse_instr(char *logical, int line, const char *name, struct rt_df_instr *in,
                       err_t *err)
{
        char *s = trim(logical);
        size_t kl = strcspn(s, " \t");
        bool found = false;
        memset(in, 0, sizeof(*in));
        in->line = line;
        for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
                if (strlen(keywords[i].kw) == kl && !strncasecmp(s, keywords[i].kw, kl)) {
                        in->kind = keywords[i].kind;
                        in->keyword = keywords[i].kw;
                        found = true;
                }
        if (!found)
                return err_set(err, EINVAL, "%s:%d: unknown instruction: %.*s", name, line, (int)kl,
                               s);
        char *rest = trim(s + kl);
        in->text = *rest ? xasprintf("%s %s", in->keyword, rest) : xstrdup(in->keyword);
        const char *const *allowed = flags_of(in->kind);
        while (allowed && rest[0] == '-' && rest[1] == '-') {
                size_t fl = strcspn(rest, " \t");
                _cleanup_free_ char *flag = xstrndup(rest, fl);
                size_t nl = strcspn(flag + 2, "=");
                bool ok = false;
                for (size_t i = 0; allowed[i]; i++)
                        if (strlen(allowed[i]) == nl && !strncmp(flag + 2, allowed[i], nl))
                                ok = true;
                if (!ok) {
                        if (in->kind == RT_DF_RUN && nl == 5 && !strncmp(flag + 2, "mount", 5))
                                err_set(err, EINVAL, "%s:%d: RUN --mount is not supported by berth",
                                        name, line);
                        else
                                err_set(err, EINVAL, "%s:%d: %s: unknown flag: %.*s", name, line,
                                        in->keyword, (int)nl, flag + 2);
                        instr_free(in);
                        return -1;
                }
                strv_push(&in->flags, flag);
                rest = trim(rest + fl);
        }
        if (json_form_allowed(in->kind) && rest[0] == '[' && parse_json_array(rest, &in->argv))
                in->json = true;
        else
                in->rest = xstrdup(rest);
        if (check_args(in, name, err) < 0) {
                instr_free(in);
                return -1;
        }
        return 0;
}

/* Parser directive "# key=value" -> key and value (lower-case key). */
static bool directive(const char *line, char **key, char **val)
{
        const char *p = line;
        while (*p == ' ' || *p == '\t')
                p++;
        if (*p++ != '#')
                return false;
        while (*p == ' ' || *p == '\t')
                p++;
        const char *k = p;
        while (isalnum((unsigned char)*p))
                p++;
        size_t kn = (size_t)(p - k);
        while (*p == ' ' || *p == '\t')
                p++;
        if (!kn || *p++ != '=')
                return false;
        while (*p == ' ' || *p == '\t')
                p++;
        size_t vn = strlen(p);
        while (vn && isspace((unsigned char)p[vn - 1]))
                vn--;
        *key = xstrndup(k, kn);
        for (char *c = *key; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        *val = xstrndup(p, vn);
        return true;
}

static bool blank(const char *s)
{
        while (isspace((unsigned char)*s))
                s++;
        return !*s;
}

static bool comment(const char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        return *s == '#';
}

/* Does the line end with the escape char (before trailing whitespace)?  Then
 * cut it off. */
static bool continues(char *s, char esc)
{
        size_t n = strlen(s);
        while (n && isspace((unsigned char)s[n - 1]))
                n--;
        if (n && s[n - 1] == esc) {
                s[n - 1] = '\0';
                return true;
        }
        return false;
}

int rt_dockerfile_parse(const char *text, size_t len, const char *name, struct rt_dockerfile *out,
                        err_t *err)
{
        memset(out, 0, sizeof(*out));
        out->escape = '\\';
        _cleanup_free_ char *buf = xstrndup(text, len);
        if (strlen(buf) != len)
                return err_set(err, EINVAL, "%s: contains a NUL byte", name);
        strv_t lines = STRV_INIT;
        for (char *p = buf; *p;) {
                size_t n = strcspn(p, "\n");
                char *l = xstrndup(p, n);
                size_t ln = strlen(l);
                if (ln && l[ln - 1] == '\r')
                        l[ln - 1] = '\0';
                strv_take(&lines, l);
                p += n;
                if (*p)
                        p++;
        }
        size_t i = 0, cap = 0;
        int r = -1;
        /* parser directives: only before anything else */
        for (; i < lines.n; i++) {
                _cleanup_free_ char *k = NULL, *v = NULL;
                if (!directive(lines.v[i], &k, &v))
                        break;
                if (!strcmp(k, "escape")) {
                        if (strcmp(v, "\\") && strcmp(v, "`")) {
                                err_set(err, EINVAL,
                                        "%s:%zu: invalid escape token '%s' does not "
                                        "validate: must be ` or \\",
                                        name, i + 1, v);
                                goto done;
                        }
                        out->escape = v[0];
                } else if (strcmp(k, "syntax") && strcmp(k, "check")) {
                        break; /* an unknown directive is a comment and ends them */
                }
        }
        while (i < lines.n) {
                if (blank(lines.v[i]) || comment(lines.v[i])) {
                        i++;
                        continue;
                }
                int start = (int)i + 1;
                strbuf_t lg = STRBUF_INIT;
                for (;;) {
                        bool more = continues(lines.v[i], out->escape);
                        sb_append(&lg, lines.v[i]);
                        i++;
                        if (!more)
                                break;
                        /* comment and empty lines inside a continuation are dropped */
                        while (i < lines.n && (comment(lines.v[i]) || blank(lines.v[i])))
                                i++;
                        if (i >= lines.n)
                                break;
                }
                if (out->n == cap) {
                        cap = cap ? 2 * cap : 16;
                        out->v = xrealloc(out->v, cap * sizeof(*out->v));
                }
                char *logical = sb_steal(&lg);
                int pr = parse_instr(logical, start, name, &out->v[out->n], err);
                free(logical);
                if (pr < 0)
                        goto done;
                out->n++;
        }
        if (!out->n) {
                err_set(err, EINVAL, "%s: the Dockerfile cannot be empty", name);
                goto done;
        }
        for (size_t k = 0; k < out->n; k++) {
                if (out->v[k].kind == RT_DF_FROM)
                        break;
                if (out->v[k].kind != RT_DF_ARG) {
                        err_set(err, EINVAL,
                                "%s:%d: no build stage in current context: %s "
                                "before the first FROM",
                                name, out->v[k].line, out->v[k].keyword);
                        goto done;
                }
                if (k + 1 == out->n) {
                        err_set(err, EINVAL, "%s: no FROM instruction", name);
                        goto done;
                }
        }
        r = 0;
done:
        strv_free(&lines);
        if (r < 0)
                rt_dockerfile_free(out);
        return r;
}

/* --- words and substitution --------------------------------------------------- */

struct lex {
        const char *p;
        char esc;
        rt_df_lookup_fn lookup;
        void *ud;
        err_t *err;
        int depth;
};

static bool name_start(char c)
{
        return isalpha((unsigned char)c) || c == '_';
}

static bool name_char(char c)
{
        return isalnum((unsigned char)c) || c == '_';
}

static int expand(struct lex *lx, strbuf_t *out);

/* The word of ${VAR:-word}: up to the matching '}'. */
static int subst_word(struct lex *lx, strbuf_t *w)
{
        while (*lx->p && *lx->p != '}') {
                if (*lx->p == lx->esc && lx->p[1]) {
                        sb_appendc(w, lx->p[1]);
                        lx->p += 2;
                } else if (*lx->p == '$') {
                        if (expand(lx, w) < 0)
                                return -1;
                } else {
                        sb_appendc(w, *lx->p++);
                }
        }
        if (*lx->p != '}')
                return err_set(lx->err, EINVAL, "syntax error: missing '}'");
        lx->p++;
        return 0;
}

/* At '$': append the expansion to out. */
static int expand(struct lex *lx, strbuf_t *out)
{
        if (++lx->depth > 64) {
                lx->depth--;
                return err_set(lx->err, EINVAL, "substitution nested too deeply");
        }
        int r = 0;
        const char *p = lx->p + 1;
        if (name_start(*p)) {
                const char *s = p;
                while (name_char(*p))
                        p++;
                _cleanup_free_ char *n = xstrndup(s, (size_t)(p - s));
                const char *v = lx->lookup(n, lx->ud);
                if (v)
                        sb_append(out, v);
                lx->p = p;
        } else if (*p == '{') {
                p++;
                const char *s = p;
                while (name_char(*p))
                        p++;
                _cleanup_free_ char *n = xstrndup(s, (size_t)(p - s));
                if (!*n || (!name_start(*n))) {
                        lx->depth--;
                        return err_set(lx->err, EINVAL,
                                       "bad substitution: missing or invalid "
                                       "variable name in ${...}");
                }
                const char *v = lx->lookup(n, lx->ud);
                if (*p == '}') {
                        if (v)
                                sb_append(out, v);
                        lx->p = p + 1;
                } else {
                        bool colon = *p == ':';
                        if (colon)
                                p++;
                        char mod = *p;
                        if (!mod) {
                                lx->depth--;
                                return err_set(lx->err, EINVAL, "syntax error: missing '}'");
                        }
                        if (mod != '-' && mod != '+' && mod != '?') {
                                lx->depth--;
                                return err_set(lx->err, EINVAL,
                                               "unsupported modifier (%c) in substitution",
                                               mod ? mod : ' ');
                        }
                        lx->p = p + 1;
                        strbuf_t w = STRBUF_INIT;
                        if (subst_word(lx, &w) < 0) {
                                sb_free(&w);
                                lx->depth--;
                                return -1;
                        }
                        bool set = v && (!colon || *v);
                        if (mod == '-')
                                sb_append(out, set ? v : sb_str(&w));
                        else if (mod == '+')
                                sb_append(out, set ? sb_str(&w) : "");
                        else if (set)
                                sb_append(out, v);
                        else
                                r = err_set(lx->err, EINVAL, "%s: %s", n,
                                            w.len ? sb_str(&w) : "is not allowed to be empty");
                        sb_free(&w);
                }
        } else {
                sb_appendc(out, '$');
                lx->p = p;
        }
        lx->depth--;
        return r;
}

int rt_dockerfile_words(const char *s, char escape, rt_df_lookup_fn lookup, void *ud, bool split,
                        strv_t *out, err_t *err)
{
        struct lex lx = {s, escape, lookup, ud, err, 0};
        strbuf_t cur = STRBUF_INIT;
        bool have = false;
        int r = -1;
        while (*lx.p) {
                char c = *lx.p;
                if (split && isspace((unsigned char)c)) {
                        if (have)
                                strv_take(out, sb_steal(&cur));
                        have = false;
                        lx.p++;
                } else if (c == escape) {
                        lx.p++;
                        if (!*lx.p)
                                break;
                        sb_appendc(&cur, *lx.p++);
                        have = true;
                } else if (c == '\'' || c == '"') {
                        /* single quotes keep everything; double quotes expand
                         * $ and take the escape before " $ and itself */
                        lx.p++;
                        while (*lx.p && *lx.p != c) {
                                if (c == '"' && *lx.p == escape) {
                                        char nx = lx.p[1];
                                        if (nx == '"' || nx == '$' || nx == escape) {
                                                sb_appendc(&cur, nx);
                                                lx.p += 2;
                                        } else {
                                                sb_appendc(&cur, *lx.p++);
                                        }
                                } else if (c == '"' && *lx.p == '$') {
                                        if (expand(&lx, &cur) < 0)
                                                goto done;
                                } else {
                                        sb_appendc(&cur, *lx.p++);
                                }
                        }
                        if (!*lx.p) {
                                err_set(err, EINVAL,
                                        "unexpected end of statement while looking "
                                        "for matching %s-quote",
                                        c == '"' ? "double" : "single");
                                goto done;
                        }
                        lx.p++;
                        have = true;
                } else if (c == '$') {
                        if (expand(&lx, &cur) < 0)
                                goto done;
                        have = have || cur.len > 0;
                } else {
                        sb_appendc(&cur, c);
                        lx.p++;
                        have = true;
                }
        }
        if (have)
                strv_take(out, sb_steal(&cur));
        r = 0;
done:
        sb_free(&cur);
        return r;
}

/* --- .dockerignore ------------------------------------------------------------ */

void rt_dockerignore_parse(const char *text, size_t len, strv_t *patterns)
{
        _cleanup_free_ char *buf = xstrndup(text, len);
        char *save = NULL;
        for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                char *t = trim(l);
                if (!*t || *t == '#')
                        continue;
                bool neg = *t == '!';
                if (neg)
                        t = trim(t + 1);
                _cleanup_free_ char *c = path_clean(t, NULL);
                if (!*c)
                        continue;
                /* "./!x" cleans to "!x": a path, not an exception; escaped,
                 * its "!" is matched as itself */
                strv_pushf(patterns, "%s%s%s", neg ? "!" : "", !neg && *c == '!' ? "\\" : "", c);
        }
}

static bool class_match(const char **pp, char c)
{
        const char *p = *pp + 1;
        bool neg = *p == '!' || *p == '^';
        if (neg)
                p++;
        bool hit = false;
        const char *start = p;
        while (*p && (*p != ']' || p == start)) {
                char lo = *p, hi;
                if (lo == '\\' && p[1])
                        lo = *++p;
                p++;
                hi = lo;
                if (*p == '-' && p[1] && p[1] != ']') {
                        hi = p[1];
                        if (hi == '\\' && p[2])
                                hi = p[2], p++;
                        p += 2;
                }
                if (c >= lo && c <= hi)
                        hit = true;
        }
        if (*p != ']')
                return false; /* unterminated: no match */
        *pp = p + 1;
        return hit != neg && c != '/';
}

/* Glob matching as a table: ok[pi][si] says whether the pattern from pi
 * matches the path from si.  Each cell takes a constant number of steps
 * (a star either matches nothing or one more character), so a line of stars
 * costs plen * slen steps at most, never a backtracking explosion. */
bool rt_path_match(const char *pattern, const char *path)
{
        size_t plen = strlen(pattern), slen = strlen(path), w = slen + 1;
        if ((plen + 1) * w > (1u << 22))
                return false; /* absurdly long: never a match */
        const char *p = pattern, *s = path;
        _cleanup_free_ unsigned char *ok = xcalloc((plen + 1) * w, 1);
        _cleanup_free_ unsigned char *below = xcalloc(w + 1, 1);
        ok[plen * w + slen] = 1;
        for (size_t pi = plen; pi-- > 0;) {
                unsigned char *row = ok + pi * w;
                if (p[pi] == '*' && p[pi + 1] == '*' && p[pi + 2] == '/') {
                        /* "**" + "/": the rest here, or after any later '/' */
                        const unsigned char *rest = ok + (pi + 3) * w;
                        below[slen] = 0;
                        for (size_t si = slen; si-- > 0;)
                                below[si] = (s[si] == '/' && rest[si + 1]) || below[si + 1];
                        for (size_t si = 0; si <= slen; si++)
                                row[si] = rest[si] || below[si];
                        continue;
                }
                if (p[pi] == '*') {
                        /* "**" matches across '/', a single '*' does not */
                        bool two = p[pi + 1] == '*';
                        const unsigned char *rest = ok + (pi + (two ? 2 : 1)) * w;
                        row[slen] = rest[slen];
                        for (size_t si = slen; si-- > 0;)
                                row[si] = rest[si] || ((two || s[si] != '/') && row[si + 1]);
                        continue;
                }
                size_t next = pi + 1;
                for (size_t si = 0; si < slen; si++) {
                        bool hit;
                        if (p[pi] == '?') {
                                hit = s[si] != '/';
                        } else if (p[pi] == '[') {
                                const char *pp = p + pi;
                                hit = class_match(&pp, s[si]);
                                next = (size_t)(pp - p);
                        } else if (p[pi] == '\\' && p[pi + 1]) {
                                hit = p[pi + 1] == s[si];
                                next = pi + 2;
                        } else {
                                hit = p[pi] == s[si];
                        }
                        row[si] = hit && ok[next * w + si + 1];
                }
        }
        return ok[0] != 0;
}

bool rt_dockerignore_excluded(const strv_t *patterns, const char *path)
{
        bool excluded = false;
        _cleanup_free_ char *p = path_clean(path, NULL);
        for (size_t i = 0; i < patterns->n; i++) {
                const char *pat = patterns->v[i];
                bool neg = *pat == '!';
                if (neg)
                        pat++;
                bool m = rt_path_match(pat, p);
                /* a match of a parent directory matches everything below it */
                for (char *s = strchr(p, '/'); !m && s; s = strchr(s + 1, '/')) {
                        *s = '\0';
                        m = rt_path_match(pat, p);
                        *s = '/';
                }
                if (m)
                        excluded = !neg;
        }
        return excluded;
}
