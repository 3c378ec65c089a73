/* layer_lines.h - Docker's per-layer progress lines for pull and push: on a
 * terminal one line per layer, redrawn in place; otherwise a line per state
 * change (byte counts are left out). */
#ifndef BERTH_LAYER_LINES_H
#define BERTH_LAYER_LINES_H

#include <stdbool.h>
#include <stdio.h>

#include "base/strv.h"

struct layer_lines {
        FILE *out;
        bool tty;
        strv_t ids; /* layer lines in order */
};

/* Show "ID: text" for layer id; transient texts (byte counts) only on a
 * terminal. */
void layer_lines_show(struct layer_lines *l, const char *id, const char *text, bool transient);
void layer_lines_free(struct layer_lines *l);

#endif
