/* tabwriter.h - Go's text/tabwriter as the docker CLI configures it
 * (minwidth 10, tabwidth 1, padding 3, pad with spaces, align left).
 *
 * Cells end at a tab; a line's last cell (not tab-terminated) takes no part
 * in column widths.  A column block is a run of consecutive lines that all
 * have a tab-terminated cell in that column; each block's width is its
 * widest cell plus the padding, at least minwidth.  Width counts UTF-8 code
 * points. */
#ifndef BERTH_BASE_TABWRITER_H
#define BERTH_BASE_TABWRITER_H

#include <stddef.h>

#include "strbuf.h"

/* Align text (lines separated by '\n') into out. */
void tabwriter_format(const char *text, size_t len, size_t minwidth, size_t padding, strbuf_t *out);

#endif
