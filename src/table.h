/* table.h - column output as the docker CLI prints its tables (Go's
 * tabwriter with minimum width 10 and padding 3): every column as wide as
 * its widest cell plus 3 spaces, at least 10; the last column unpadded. */
#ifndef BERTH_TABLE_H
#define BERTH_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/cliformat.h"
#include "cli.h"
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

/* docker's stringutils.Ellipsis: at most max code points, the last one "…"
 * when cut.  Caller frees. */
char *text_ellipsis(const char *s, size_t max);

/* inspect's output: the documents as an indented JSON array (no format, or
 * "json"), or each through the Go template fmt, one line each.  Prints the
 * error and returns -1 on a bad template (nothing printed then). */
int inspect_print(json_t *docs, const char *fmt);
/* The listing commands' -a/--all and -q/--quiet (getopt's c 'a' or 'q'):
 * true when c was one of them. */
bool list_flag(int c, bool *all, bool *quiet);
/* The body of the inspect commands: each of names[0..n) as get gives its
 * document (an error printed for each that fails, the exit code is then
 * fail), all printed by inspect_print (EXIT_BERTH when that fails). */
int inspect_names(char **names, int n, int (*get)(const char *name, json_t **doc, err_t *err),
                  const char *fmt, int fail);
/* An inspect verb (image, volume, network inspect): -f/--format (its help:
 * format_help; -v accepted, as docker's network inspect) and one or more
 * names (usage: "[OPTIONS] WHAT [WHAT...]"), each got by get; fail as in
 * inspect_names. */
int inspect_cmd(int argc, char **argv, const char *name, const char *usage, const char *summary,
                const char *format_help, int (*get)(const char *name, json_t **doc, err_t *err),
                int fail);

/* The --format option of a listing command (short: 'f' or 0): "table
 * (default), json, a Go template (FIELDS) or 'table TEMPLATE'". */
#define FORMAT_OPT(short_, dest, fields)                                                           \
        CLI_OPT("format", short_, CLI_STRING, dest,                                                \
                "table (default), json, a Go template (" fields ")\nor 'table TEMPLATE'")

/* For commands whose only flag is -f/--format (help: its help text) and
 * that take no operand: argv parsed into *format, as cli_parse (> 0 to go
 * on, 0 after --help, < 0 after an error). */
int format_flag_only(int argc, char **argv, const char *name, const char *summary, const char *help,
                     const char **format);

/* version / info: one document through fmt ("json": {{json .}}). */
int doc_format_print(json_t *doc, const char *fmt);

/* docker's Labels field: "k=v,k2=v2" (caller frees); and the methods
 * object that makes {{.Label "k"}} work (caller decrefs). */
char *labels_text(json_t *labels);
json_t *label_methods(json_t *labels);
/* Go's time.Time.String() in local time: "2024-01-02 15:04:05.5 +0000 UTC". */
char *go_time_text(long long secs, long nsec);

/* --format for list commands (base/cliformat): a header object from
 * NULL-terminated field, header pairs ("ID", "CONTAINER ID", ...). */
json_t *format_headers(const char *const *pairs);
/* Open f for spec; prints the error and returns -1 on a bad template. */
int format_open(struct cliformat *f, const char *spec, const char *default_table,
                const char *const *header_pairs, const char *type_name);
/* One item; on error prints it and returns -1 (nothing has been printed). */
int format_row(struct cliformat *f, json_t *item, json_t *methods);
/* Print everything and free f. */
void format_print(struct cliformat *f);

#endif
