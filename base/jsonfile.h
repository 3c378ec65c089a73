/* jsonfile.h - JSON state files (jansson): atomic write, bounded read. */
#ifndef BERTH_JSONFILE_H
#define BERTH_JSONFILE_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "strv.h"

/* Serialise j (sorted keys, 2-space indent) and atomically replace dirfd/name. */
int json_write_atomic_at(int dirfd, const char *name, const json_t *j, err_t *err);
int json_write_atomic(const char *path, const json_t *j, err_t *err);
/* The same, fsynced only when durable (fsutil.h atomic_replace_at). */
int json_write_replace_at(int dirfd, const char *name, const json_t *j, bool durable, err_t *err);

/* Read and parse dirfd/name; errors name the file and line:column. */
int json_read_at(int dirfd, const char *name, json_t **out, err_t *err);
int json_read(const char *path, json_t **out, err_t *err);

/* A JSON array of the strings of v. */
json_t *json_strv(const strv_t *v);
/* The reverse: the string items of the array a appended to out (other items
 * skipped; a NULL or not an array: none). */
void strv_push_json(strv_t *out, const json_t *a);
/* The string member k of o: NULL (jobj_str) or "" (jobj_str0) when it is
 * absent or not a string. */
const char *jobj_str(const json_t *o, const char *k);
const char *jobj_str0(const json_t *o, const char *k);
/* Steals v: o[k] = v when v is a non-empty array or object, else v is dropped. */
void jobj_set_nonempty(json_t *o, const char *k, json_t *v);

static inline void cleanup_json_decrefp(json_t **j)
{
        if (*j)
                json_decref(*j);
}
#define _cleanup_json_ __attribute__((cleanup(cleanup_json_decrefp)))

#endif
