/* cliformat.h - the docker CLI's --format for list and inspect output, over
 * base/gotemplate and base/tabwriter.
 *
 * A format is one of:
 *   ""/NULL or "table"   the command's default table
 *   "json"               one JSON object per line ({{json .}})
 *   "table TEMPLATE"     a header row, then one row per item, aligned as
 *                        docker's tabwriter aligns them
 *   "TEMPLATE"           one line per item
 * The escapes \t and \n written as two characters mean a tab and a newline,
 * as in docker.  The header row is the template run over the header names
 * (field -> "CONTAINER ID", ...), with docker's functions returning their
 * argument; an error there cuts the header short and is not reported, as in
 * docker.  A row that fails fails the whole output: nothing is printed. */
#ifndef BERTH_BASE_CLIFORMAT_H
#define BERTH_BASE_CLIFORMAT_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "gotemplate.h"
#include "strbuf.h"

struct cliformat {
        bool table;
        gotmpl_t *tmpl;
        json_t *headers;
        struct gotmpl_opts opts;
        strbuf_t rows;
};

/* headers: field -> header name for a list command; NULL for inspect, whose
 * format is a plain template ("table" and "json" mean nothing there).
 * type_name: the Go type docker's context has (an unknown field errors with
 * it); NULL for inspect, where the document is a plain map. */
int cliformat_open(struct cliformat *f, const char *spec, const char *default_table,
                   json_t *headers, const char *type_name, err_t *err);
/* The Go map[string]string fields (gotmpl_opts.string_maps) of docker's
 * inspect documents (set by cliformat_open for inspect) and of an event. */
extern const char *const cliformat_inspect_maps[];
extern const char *const cliformat_event_maps[];
/* True when spec asks for JSON lines ("json" or "{{json .}}"). */
bool cliformat_is_json(const char *spec);
/* compose's --format: *json for the JSON forms; the template to use, or NULL
 * for JSON and "table" (the command's own table). */
const char *cliformat_compose_spec(const char *spec, bool *json);
/* One item; methods as in gotmpl_opts (e.g. {"Label": labels}). */
int cliformat_row(struct cliformat *f, json_t *item, json_t *methods, err_t *err);
/* The whole output (header and aligned rows for a table) appended to out. */
void cliformat_finish(struct cliformat *f, strbuf_t *out);
void cliformat_free(struct cliformat *f);

#endif
