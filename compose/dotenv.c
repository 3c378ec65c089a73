/* dotenv.c - .env parsing (see dotenv.h for the accepted syntax). */
#include "dotenv.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"
#include "strbuf.h"
#include "xalloc.h"

const char *dotenv_get(const strv_t *env, const char *key)
{
        return interp_lookup_strv(key, (void *)env);
}

struct dotenv_lookup {
        interp_lookup_fn outer;
        void *ud;
        const strv_t *local;
};

static const char *lookup_both(const char *name, void *ud)
{
        struct dotenv_lookup *l = ud;
        const char *v = l->outer ? l->outer(name, l->ud) : NULL;

        return v ? v : dotenv_get(l->local, name);
}

static bool key_char(unsigned char c)
{
        return isalnum(c) || c == '_' || c == '.' || c == '-' || c == '[' || c == ']' || c >= 0x80;
}

/* Double-quoted escapes: \a \b \f \n \r \t \v \" \\ and \0ooo (three octal
 * digits); `\$` becomes "$$" so interpolation keeps one literal `$`.  Any
 * other backslash is kept, as compose does. */
static char *unescape_double(const char *s, size_t n)
{
        static const char from[] = "abfnrtv\"\\", to[] = "\a\b\f\n\r\t\v\"\\";
        strbuf_t sb = STRBUF_INIT;

        sb_append(&sb, "");
        for (size_t i = 0; i < n; i++) {
                const char *hit;
                if (s[i] != '\\' || i + 1 == n) {
                        sb_appendc(&sb, s[i]);
                        continue;
                }
                if (s[i + 1] == '$') {
                        sb_append(&sb, "$$");
                        i++;
                } else if ((hit = strchr(from, s[i + 1])) && s[i + 1]) {
                        sb_appendc(&sb, to[hit - from]);
                        i++;
                } else if (s[i + 1] == '0' && i + 4 < n && s[i + 2] >= '0' && s[i + 2] <= '3' &&
                           s[i + 3] >= '0' && s[i + 3] <= '7' && s[i + 4] >= '0' &&
                           s[i + 4] <= '7' &&
                           (s[i + 2] != '0' || s[i + 3] != '0' || s[i + 4] != '0')) {
                        sb_appendc(&sb, (char)((s[i + 2] - '0') * 64 + (s[i + 3] - '0') * 8 +
                                               (s[i + 4] - '0')));
                        i += 4;
                } else {
                        sb_appendc(&sb, '\\');
                }
        }
        return sb_steal(&sb);
}

static char *unescape_single(const char *s, size_t n)
{
        strbuf_t sb = STRBUF_INIT;

        sb_append(&sb, "");
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 1 < n && s[i + 1] == '\'')
                        i++;
                sb_appendc(&sb, s[i]);
        }
        return sb_steal(&sb);
}

static int expand(const char *raw, struct dotenv_lookup *l, const char *file, int line, char **out,
                  err_t *err)
{
        if (interp_string(raw, lookup_both, l, NULL, out, err) < 0)
                return err_wrap(err, "%s:%d", file, line);
        return 0;
}

int dotenv_parse(const char *text, size_t len, const char *file, interp_lookup_fn lookup, void *ud,
                 strv_t *out, err_t *err)
{
        strv_t local = STRV_INIT;
        struct dotenv_lookup l = {lookup, ud, &local};
        const char *p = text, *end = text + len;
        int line = 1, r = 0;
        size_t total = 0; /* bytes of values (INTERP_MAX_TOTAL) */

        /* C strings would cut a value there: refuse, as for YAML */
        if (cnode_check_nul(text, len, file, err) < 0)
                return -1;
        while (p < end) {
                const char *ks, *ke;
                _cleanup_free_ char *key = NULL, *val = NULL;
                int kline;

                /* skip blanks, empty lines and comment lines */
                while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
                        if (*p == '\n')
                                line++;
                        p++;
                }
                if (p >= end)
                        break;
                if (*p == '#') {
                        while (p < end && *p != '\n')
                                p++;
                        continue;
                }
                if ((size_t)(end - p) > 7 && strncmp(p, "export", 6) == 0 &&
                    (p[6] == ' ' || p[6] == '\t')) {
                        p += 7;
                        while (p < end && (*p == ' ' || *p == '\t'))
                                p++;
                }
                kline = line;
                ks = p;
                while (p < end && key_char((unsigned char)*p))
                        p++;
                ke = p;
                while (p < end && (*p == ' ' || *p == '\t'))
                        p++;
                if (ke == ks) {
                        r = err_set(err, 0, "%s:%d: unexpected character \"%c\" in variable name",
                                    file, line, *p);
                        break;
                }
                key = xstrndup(ks, (size_t)(ke - ks));
                if (p >= end || *p == '\n' || *p == '\r' || *p == '#') {
                        /* bare KEY: inherit from the environment */
                        const char *v = lookup ? lookup(key, ud) : NULL;
                        while (p < end && *p != '\n')
                                p++;
                        if (v) {
                                strv_kv_set(&local, key, v);
                                strv_kv_set(out, key, v);
                        }
                        continue;
                }
                if (*p != '=' && *p != ':') {
                        r = err_set(err, 0,
                                    "%s:%d: unexpected character \"%c\" in variable name \"%s\"",
                                    file, line, *p, key);
                        break;
                }
                p++;
                while (p < end && (*p == ' ' || *p == '\t'))
                        p++;
                if (p < end && (*p == '"' || *p == '\'')) {
                        char q = *p++;
                        const char *vs = p;
                        bool esc = false;
                        while (p < end && (*p != q || esc)) {
                                esc = !esc && *p == '\\';
                                if (*p == '\n')
                                        line++;
                                p++;
                        }
                        if (p >= end) {
                                r = err_set(err, 0, "%s:%d: unterminated quoted value", file,
                                            kline);
                                break;
                        }
                        if (q == '\'') {
                                val = unescape_single(vs, (size_t)(p - vs));
                        } else {
                                _cleanup_free_ char *raw = unescape_double(vs, (size_t)(p - vs));
                                if ((r = expand(raw, &l, file, kline, &val, err)) < 0)
                                        break;
                        }
                        p++;
                        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
                                p++;
                        if (p < end && *p == '#')
                                while (p < end && *p != '\n')
                                        p++;
                        if (p < end && *p != '\n') {
                                r = err_set(err, 0,
                                            "%s:%d: unexpected character \"%c\" after quoted value",
                                            file, line, *p);
                                break;
                        }
                } else {
                        const char *vs = p, *ve;
                        _cleanup_free_ char *raw = NULL;
                        while (p < end && *p != '\n')
                                p++;
                        ve = p;
                        for (const char *c = vs; c + 1 < ve; c++)
                                if (c[0] == ' ' && c[1] == '#') {
                                        ve = c;
                                        break;
                                }
                        while (ve > vs && isspace((unsigned char)ve[-1]))
                                ve--;
                        raw = xstrndup(vs, (size_t)(ve - vs));
                        if ((r = expand(raw, &l, file, kline, &val, err)) < 0)
                                break;
                }
                total += strlen(val);
                if (total > INTERP_MAX_TOTAL) {
                        r = err_set(err, E2BIG, "%s:%d: the values exceed %u MiB in total", file,
                                    kline, INTERP_MAX_TOTAL >> 20);
                        break;
                }
                strv_kv_set(&local, key, val);
                strv_kv_set(out, key, val);
        }
        strv_free(&local);
        return r;
}

int dotenv_read(const char *path, interp_lookup_fn lookup, void *ud, strv_t *out, err_t *err)
{
        _cleanup_free_ char *text = NULL;
        size_t len;

        if (read_file(path, &text, &len, err) < 0)
                return -1;
        return dotenv_parse(text, len, path, lookup, ud, out, err);
}
