/* table.h - column output as the docker CLI prints its tables (Go's
 * tabwriter with minimum width 10 and padding 3): every column as wide as
 * its widest cell plus 3 spaces, at least 10; the last column unpadded. */
#ifndef BERTH_TABLE_H
#define BERTH_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/strv.h"

struct table {
        size_t ncols;
        strv_t cells; /* row-major */
};

void table_init(struct table *t, size_t ncols);
/* Append a row of t->ncols cells (NULL prints as empty). */
void table_row(struct table *t, ...);
/* Print every row to stdout when print is set; free the table. */
void table_end(struct table *t, bool print);

#endif
