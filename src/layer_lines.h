/* layer_lines.h - Docker's per-layer progress lines for pull and push: on a
 * terminal one line per layer, redrawn in place; otherwise a line per state
 * change (byte counts are left out). */
#ifndef BERTH_LAYER_LINES_H
#define BERTH_LAYER_LINES_H

#include <stdbool.h>
#include <stdio.h>

#include "base/strv.h"

#include "base/err.h"

struct layer_lines {
        FILE *out;
        bool tty;
        bool quiet; /* show nothing */
        strv_t ids; /* layer lines in order */
};

/* Show "ID: text" for layer id; transient texts (byte counts) only on a
 * terminal. */
void layer_lines_show(struct layer_lines *l, const char *id, const char *text, bool transient);
/* Show "ID: text  1.2MB/3.4MB" (docker's sizes), a transient line. */
void layer_lines_bytes(struct layer_lines *l, const char *id, const char *text,
                       unsigned long long cur, unsigned long long total);
void layer_lines_free(struct layer_lines *l);

/* pull -a / push -a: ref must name a repository without a tag or digest;
 * its familiar name (caller frees), or NULL with err. */
char *all_tags_repo(const char *ref, err_t *err);

/* The options pull and push share: -a, -q, --platform, and
 * --disable-content-trust (accepted, ignored); -h prints usage. */
struct pull_push_args {
        bool all, quiet;
        const char *platform;
};
/* The command's argv (cmd "pull" or "push", usage its operand, summary and
 * the help of -a and --platform), as cli_parse: the index of the one NAME
 * argument, 0 after --help, -1 after an error. */
int pull_push_args_parse(int argc, char **argv, const char *cmd, const char *usage,
                         const char *summary, const char *all_help, const char *platform_help,
                         struct pull_push_args *a);

#endif
