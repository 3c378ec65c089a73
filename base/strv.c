#include "strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

void strv_take(strv_t *sv, char *s)
{
        if (sv->n + 2 > sv->cap) {
                sv->cap = sv->cap ? sv->cap * 2 : 8;
                sv->v = xrealloc(sv->v, sv->cap * sizeof(char *));
        }
        sv->v[sv->n++] = s;
        sv->v[sv->n] = NULL;
}

void strv_push(strv_t *sv, const char *s)
{
        strv_take(sv, xstrdup(s));
}

void strv_pushf(strv_t *sv, const char *fmt, ...)
{
        va_list ap;
        char *p;

        /* out of memory aborts (xalloc.h): never a silent "" */
        va_start(ap, fmt);
        p = xvasprintf(fmt, ap);
        va_end(ap);
        strv_take(sv, p);
}

ssize_t strv_index(const strv_t *sv, const char *s)
{
        for (size_t i = 0; i < sv->n; i++)
                if (strcmp(sv->v[i], s) == 0)
                        return (ssize_t)i;
        return -1;
}

bool strv_contains(const strv_t *sv, const char *s)
{
        return strv_index(sv, s) >= 0;
}

void strv_remove(strv_t *sv, size_t i)
{
        if (i >= sv->n)
                return;
        free(sv->v[i]);
        memmove(sv->v + i, sv->v + i + 1, (sv->n - i) * sizeof(char *));
        sv->n--;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(strv_t *sv)
{
        if (sv->n > 1)
                qsort(sv->v, sv->n, sizeof(char *), cmp_str);
}

void strv_copy(strv_t *dst, const strv_t *src)
{
        for (size_t i = 0; i < src->n; i++)
                strv_push(dst, src->v[i]);
}

char *strv_join(const strv_t *sv, const char *sep)
{
        strbuf_t sb = STRBUF_INIT;
        for (size_t i = 0; i < sv->n; i++) {
                if (i)
                        sb_append(&sb, sep);
                sb_append(&sb, sv->v[i]);
        }
        return sb_steal(&sb);
}

void strv_free(strv_t *sv)
{
        for (size_t i = 0; i < sv->n; i++)
                free(sv->v[i]);
        free(sv->v);
        sv->v = NULL;
        sv->n = sv->cap = 0;
}

void strv_kv_set(strv_t *sv, const char *key, const char *val)
{
        size_t n = strlen(key);
        char *kv = xasprintf("%s=%s", key, val);
        for (size_t i = 0; i < sv->n; i++)
                if (!strncmp(sv->v[i], key, n) && sv->v[i][n] == '=') {
                        free(sv->v[i]);
                        sv->v[i] = kv;
                        return;
                }
        strv_take(sv, kv);
}
