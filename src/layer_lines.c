/* layer_lines.c - per-layer progress lines (see layer_lines.h). */
#include "layer_lines.h"

#include <sys/types.h>

void layer_lines_show(struct layer_lines *l, const char *id, const char *text, bool transient)
{
        if (!l->tty) {
                if (!transient)
                        fprintf(l->out, "%s: %s\n", id, text);
                fflush(l->out);
                return;
        }
        ssize_t i = strv_index(&l->ids, id);
        if (i < 0) {
                strv_push(&l->ids, id);
                fprintf(l->out, "%s: %s\n", id, text);
        } else {
                size_t up = l->ids.n - (size_t)i;
                fprintf(l->out, "\033[%zuA\r\033[2K%s: %s\033[%zuB\r", up, id, text, up);
        }
        fflush(l->out);
}

void layer_lines_free(struct layer_lines *l)
{
        strv_free(&l->ids);
}
