#include "table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

enum { TABLE_MIN_WIDTH = 10, TABLE_PADDING = 3 };

void table_init(struct table *t, size_t ncols)
{
        t->ncols = ncols;
        t->cells = (strv_t)STRV_INIT;
}

void table_row(struct table *t, ...)
{
        va_list ap;
        va_start(ap, t);
        for (size_t i = 0; i < t->ncols; i++) {
                const char *s = va_arg(ap, const char *);
                strv_push(&t->cells, s ? s : "");
        }
        va_end(ap);
}

/* Display width: UTF-8 code points (the CLI's "…" is one column). */
static size_t text_width(const char *s)
{
        size_t n = 0;
        for (; *s; s++)
                n += ((unsigned char)*s & 0xc0) != 0x80;
        return n;
}

void table_end(struct table *t, bool print)
{
        if (!print) {
                strv_free(&t->cells);
                return;
        }
        size_t rows = t->ncols ? t->cells.n / t->ncols : 0;
        size_t *w = xcalloc(t->ncols ? t->ncols : 1, sizeof(*w));
        for (size_t r = 0; r < rows; r++)
                for (size_t c = 0; c < t->ncols; c++) {
                        size_t cw = text_width(t->cells.v[r * t->ncols + c]) + TABLE_PADDING;
                        if (cw > w[c])
                                w[c] = cw;
                }
        for (size_t c = 0; c < t->ncols; c++)
                if (w[c] < TABLE_MIN_WIDTH)
                        w[c] = TABLE_MIN_WIDTH;
        for (size_t r = 0; r < rows; r++) {
                for (size_t c = 0; c < t->ncols; c++) {
                        const char *s = t->cells.v[r * t->ncols + c];
                        fputs(s, stdout);
                        if (c + 1 < t->ncols)
                                printf("%*s", (int)(w[c] - text_width(s)), "");
                }
                fputc('\n', stdout);
        }
        free(w);
        strv_free(&t->cells);
}
