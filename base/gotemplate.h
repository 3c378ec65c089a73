/* gotemplate.h - the one template engine: the Go text/template language as
 * the docker CLI's --format uses it, evaluated against a jansson value.
 *
 * Supported: text and actions with {{- -}} trim markers and comments;
 * pipelines with '|'; fields .A.B, $var.A, (pipe).A; literals (strings,
 * raw strings, numbers, chars, true/false/nil); if / else if / else, range
 * (over arrays, objects in key order and integers; with $i, $v := and else,
 * break, continue), with / else; variables $x := and $x =.  Functions: Go's
 * and, or, not, len, index, slice, eq, ne, lt, le, gt, ge, print, printf,
 * println, html, js, urlquery; docker's json, join, split, lower, upper,
 * title, pad, truncate.  define/template/block are rejected at parse time.
 *
 * Values print as Go prints them: a missing value or null as "<no value>",
 * arrays as [a b], objects as map[k:v] in key order, floats the Go way.
 * Errors read as Go's: "template: :1: ..." (parse) and
 * "template: :1:2: executing \"\" at <.Foo>: ..." (execution).
 *
 * Bounded: nesting depth, evaluation steps and output size are capped, so
 * no template input can recurse without end, loop for ever or eat memory. */
#ifndef BERTH_BASE_GOTEMPLATE_H
#define BERTH_BASE_GOTEMPLATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "strbuf.h"

typedef struct gotmpl gotmpl_t;

struct gotmpl_opts {
        /* docker's header pass for `table`: json, join, split, lower, upper,
         * title, pad and truncate return their first argument unchanged */
        bool header;
        /* json sorts object keys everywhere (the root of a context with a
         * type_name always is: docker's list contexts marshal as sorted maps) */
        bool json_sort_keys;
        /* the root is a struct of this Go type: a field the root lacks is an
         * error naming this type, as docker's formatter contexts fail */
        const char *type_name;
        /* methods of the root taking one string: {"Label": {"k": "v"}} makes
         * {{.Label "k"}} print "v" ("" for a key it lacks) */
        json_t *methods;
        /* NULL-terminated paths from the root ("Config.Labels", "*" for any
         * key or element) of the values that are a Go map[string]string in
         * docker's type: index of a key they lack gives "" there, where a
         * map of interfaces gives a nil ("<no value>").  A field lookup of a
         * missing key gives "<no value>" in both, as Go's missingkey=default. */
        const char *const *string_maps;
        /* output cap in bytes, 0 for the default (16 MiB) */
        size_t max_output;
};

/* Parse text; on error fill err ("template: :LINE: ...") and return -1. */
int gotmpl_parse(const char *text, gotmpl_t **out, err_t *err);
/* Execute against dot, appending to out (partial output stays on error). */
int gotmpl_exec(const gotmpl_t *t, json_t *dot, const struct gotmpl_opts *opts, strbuf_t *out,
                err_t *err);
void gotmpl_free(gotmpl_t *t);

/* Go's strconv.Quote of s, appended to out. */
void gotmpl_quote(strbuf_t *out, const char *s);
/* Go's encoding/json of v; html: escape <, > and & as json.Marshal does
 * (docker's json function itself does not). */
void gotmpl_json(strbuf_t *out, json_t *v, bool sort_keys, bool html);

#endif
