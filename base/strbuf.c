#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static void sb_grow(strbuf_t *sb, size_t extra)
{
        size_t need = sb->len + extra + 1;
        if (need <= sb->cap)
                return;
        size_t cap = sb->cap ? sb->cap : 64;
        while (cap < need)
                cap *= 2;
        sb->s = xrealloc(sb->s, cap);
        sb->cap = cap;
}

void sb_appendn(strbuf_t *sb, const char *s, size_t n)
{
        sb_grow(sb, n);
        if (n)
                memcpy(sb->s + sb->len, s, n);
        sb->len += n;
        sb->s[sb->len] = '\0';
}

void sb_append(strbuf_t *sb, const char *s)
{
        sb_appendn(sb, s, strlen(s));
}

void sb_appendc(strbuf_t *sb, char c)
{
        sb_appendn(sb, &c, 1);
}

void sb_fill(strbuf_t *sb, char c, size_t n)
{
        sb_grow(sb, n);
        memset(sb->s + sb->len, c, n);
        sb->len += n;
        sb->s[sb->len] = '\0';
}

void sb_appendf(strbuf_t *sb, const char *fmt, ...)
{
        char small[256];
        va_list ap, ap2;
        int n;

        va_start(ap, fmt);
        va_copy(ap2, ap);
        n = vsnprintf(small, sizeof(small), fmt, ap);
        va_end(ap);
        if (n > 0 && (size_t)n < sizeof(small)) {
                sb_appendn(sb, small, (size_t)n);
        } else if (n > 0) {
                sb_grow(sb, (size_t)n);
                vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap2);
                sb->len += (size_t)n;
        }
        va_end(ap2);
}

void sb_reset(strbuf_t *sb)
{
        sb->len = 0;
        if (sb->s)
                sb->s[0] = '\0';
}

char *sb_steal(strbuf_t *sb)
{
        char *s = sb->s ? sb->s : xstrdup("");
        sb->s = NULL;
        sb->len = sb->cap = 0;
        return s;
}

const char *sb_str(const strbuf_t *sb)
{
        return sb->s ? sb->s : "";
}

void sb_free(strbuf_t *sb)
{
        free(sb->s);
        sb->s = NULL;
        sb->len = sb->cap = 0;
}
