#include "tabwriter.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct cell {
        const char *s;
        size_t len, width;
};

struct line {
        struct cell *cells;
        size_t n; /* cells; the last one is not tab-terminated */
};

static size_t text_width(const char *s, size_t n)
{
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
                w += ((unsigned char)s[i] & 0xc0) != 0x80;
        return w;
}

void tabwriter_format(const char *text, size_t len, size_t minwidth, size_t padding, strbuf_t *out)
{
        size_t nlines = 0, cap = 0;
        struct line *lines = NULL;
        size_t maxcols = 0;
        const char *p = text, *end = text + len;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                const char *le = nl ? nl : end;
                struct line ln = {0};
                size_t ccap = 0;
                const char *c = p;
                for (;;) {
                        const char *tab = memchr(c, '\t', (size_t)(le - c));
                        const char *ce = tab ? tab : le;
                        if (ln.n == ccap) {
                                ccap = ccap ? ccap * 2 : 8;
                                ln.cells = xrealloc(ln.cells, ccap * sizeof(*ln.cells));
                        }
                        ln.cells[ln.n++] =
                            (struct cell){c, (size_t)(ce - c), text_width(c, (size_t)(ce - c))};
                        if (!tab)
                                break;
                        c = tab + 1;
                }
                if (nlines == cap) {
                        cap = cap ? cap * 2 : 16;
                        lines = xrealloc(lines, cap * sizeof(*lines));
                }
                if (ln.n > maxcols)
                        maxcols = ln.n;
                lines[nlines++] = ln;
                if (!nl)
                        break;
                p = nl + 1;
        }
        /* widths: for column c, each maximal run of lines with a terminated cell c */
        size_t **w = xcalloc(nlines ? nlines : 1, sizeof(*w));
        for (size_t l = 0; l < nlines; l++)
                w[l] = xcalloc(lines[l].n ? lines[l].n : 1, sizeof(**w));
        for (size_t c = 0; c + 1 < maxcols; c++) {
                size_t l = 0;
                while (l < nlines) {
                        if (lines[l].n <= c + 1) {
                                l++;
                                continue;
                        }
                        size_t b = l, width = minwidth;
                        for (; l < nlines && lines[l].n > c + 1; l++)
                                if (lines[l].cells[c].width + padding > width)
                                        width = lines[l].cells[c].width + padding;
                        for (size_t k = b; k < l; k++)
                                w[k][c] = width;
                }
        }
        for (size_t l = 0; l < nlines; l++) {
                for (size_t c = 0; c < lines[l].n; c++) {
                        const struct cell *ce = &lines[l].cells[c];
                        sb_appendn(out, ce->s, ce->len);
                        if (c + 1 < lines[l].n)
                                for (size_t k = ce->width; k < w[l][c]; k++)
                                        sb_appendc(out, ' ');
                }
                /* the input's last line has no newline unless the text ended in one */
                if (l + 1 < nlines || (len && text[len - 1] == '\n'))
                        sb_appendc(out, '\n');
                free(lines[l].cells);
                free(w[l]);
        }
        free(w);
        free(lines);
}
