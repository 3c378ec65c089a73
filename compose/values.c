/* values.c - scalar value syntaxes: durations, byte sizes, shell words. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "strbuf.h"
#include "xalloc.h"

/* Print v / 10^prec with trailing zeros (and a bare '.') removed. */
static void frac(strbuf_t *sb, uint64_t v, int prec)
{
        uint64_t div = 1;
        for (int i = 0; i < prec; i++)
                div *= 10;
        sb_appendf(sb, "%llu", (unsigned long long)(v / div));
        uint64_t f = v % div;
        if (f) {
                char buf[32];
                snprintf(buf, sizeof(buf), "%0*llu", prec, (unsigned long long)f);
                size_t l = strlen(buf);
                while (l && buf[l - 1] == '0')
                        buf[--l] = '\0';
                sb_appendf(sb, ".%s", buf);
        }
}

char *compose_format_duration(int64_t ns)
{
        strbuf_t sb = STRBUF_INIT;
        uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

        if (ns < 0)
                sb_appendc(&sb, '-');
        if (u == 0) {
                sb_append(&sb, "0s");
        } else if (u < 1000) {
                sb_appendf(&sb, "%lluns", (unsigned long long)u);
        } else if (u < 1000000) {
                frac(&sb, u, 3);
                sb_append(&sb, "\xc2\xb5s");
        } else if (u < 1000000000) {
                frac(&sb, u, 6);
                sb_append(&sb, "ms");
        } else {
                uint64_t h = u / 3600000000000ULL;
                uint64_t rest = u % 3600000000000ULL;
                uint64_t m = rest / 60000000000ULL;
                uint64_t s = rest % 60000000000ULL;
                if (h)
                        sb_appendf(&sb, "%lluh", (unsigned long long)h);
                if (h || m)
                        sb_appendf(&sb, "%llum", (unsigned long long)m);
                frac(&sb, s, 9);
                sb_appendc(&sb, 's');
        }
        return sb_steal(&sb);
}

int compose_parse_bytes(const char *s, int64_t *bytes, err_t *err)
{
        const char *p = s;
        char *end;
        double v;
        double mult = 1;

        if (!isdigit((unsigned char)*p))
                goto bad;
        v = strtod(p, &end);
        p = end;
        if (*p == ' ')
                p++;
        switch (tolower((unsigned char)*p)) {
        case 'k':
                mult = 1024.0;
                p++;
                break;
        case 'm':
                mult = 1024.0 * 1024;
                p++;
                break;
        case 'g':
                mult = 1024.0 * 1024 * 1024;
                p++;
                break;
        case 't':
                mult = 1024.0 * 1024 * 1024 * 1024;
                p++;
                break;
        case 'p':
                mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
                p++;
                break;
        default:
                break;
        }
        if (mult > 1 && tolower((unsigned char)*p) == 'i')
                p++;
        if (tolower((unsigned char)*p) == 'b')
                p++;
        if (*p)
                goto bad;
        v *= mult;
        if (v > 9.2e18)
                return err_set(err, 0, "invalid size \"%s\": out of range", s);
        *bytes = (int64_t)v;
        return 0;
bad:
        return err_set(err, 0,
                       "invalid size \"%s\": use a number with an optional unit b, k, m or g "
                       "(e.g. \"64m\")",
                       s);
}

int compose_shell_split(const char *s, strv_t *out, err_t *err)
{
        strbuf_t w = STRBUF_INIT;
        bool in_word = false;
        const char *p = s;

        while (*p) {
                char ch = *p;
                if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                        if (in_word) {
                                strv_take(out, sb_steal(&w));
                                in_word = false;
                        }
                        p++;
                        continue;
                }
                in_word = true;
                if (ch == '\\') {
                        if (p[1]) {
                                sb_appendc(&w, p[1]);
                                p += 2;
                        } else {
                                p++;
                        }
                } else if (ch == '\'') {
                        const char *q = strchr(p + 1, '\'');
                        if (!q)
                                goto unterminated;
                        sb_appendn(&w, p + 1, q - p - 1);
                        if (q == p + 1)
                                sb_append(&w, "");
                        p = q + 1;
                } else if (ch == '"') {
                        p++;
                        sb_append(&w, "");
                        while (*p && *p != '"') {
                                if (*p == '\\' &&
                                    (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`')) {
                                        sb_appendc(&w, p[1]);
                                        p += 2;
                                } else {
                                        sb_appendc(&w, *p++);
                                }
                        }
                        if (*p != '"')
                                goto unterminated;
                        p++;
                } else {
                        sb_appendc(&w, ch);
                        p++;
                }
        }
        if (in_word)
                strv_take(out, sb_steal(&w));
        sb_free(&w);
        return 0;
unterminated:
        sb_free(&w);
        return err_set(err, 0, "invalid command line \"%s\": unterminated quote", s);
}
