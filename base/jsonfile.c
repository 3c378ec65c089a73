#include "jsonfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fsutil.h"

int json_write_atomic_at(int dirfd, const char *name, const json_t *j, err_t *err)
{
        return json_write_replace_at(dirfd, name, j, true, err);
}

int json_write_replace_at(int dirfd, const char *name, const json_t *j, bool durable, err_t *err)
{
        _cleanup_free_ char *s = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2));
        if (!s)
                return err_set(err, ENOMEM, "%s: cannot serialise JSON", name);
        size_t n = strlen(s);
        s[n] = '\0';
        _cleanup_free_ char *withnl = NULL;
        if (asprintf(&withnl, "%s\n", s) < 0)
                return err_set(err, ENOMEM, "%s: out of memory", name);
        return atomic_replace_at(dirfd, name, withnl, n + 1, 0600, durable, err);
}

int json_write_atomic(const char *path, const json_t *j, err_t *err)
{
        return json_write_atomic_at(AT_FDCWD, path, j, err);
}

int json_read_at(int dirfd, const char *name, json_t **out, err_t *err)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        json_error_t je;

        if (read_file_at(dirfd, name, 0, &buf, &len, err) < 0)
                return -1;
        json_t *j = json_loadb(buf, len, 0, &je);
        if (!j)
                return err_set(err, EINVAL, "%s:%d:%d: invalid JSON: %s", name, je.line, je.column,
                               je.text);
        *out = j;
        return 0;
}

int json_read(const char *path, json_t **out, err_t *err)
{
        return json_read_at(AT_FDCWD, path, out, err);
}

json_t *json_strv(const strv_t *v)
{
        json_t *a = json_array();
        for (size_t i = 0; i < v->n; i++)
                json_array_append_new(a, json_string(v->v[i]));
        return a;
}

void strv_push_json(strv_t *out, const json_t *a)
{
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
        {
                if (json_is_string(v))
                        strv_push(out, json_string_value(v));
        }
}

const char *jobj_str(const json_t *o, const char *k)
{
        return json_string_value(json_object_get(o, k));
}

void jobj_set_nonempty(json_t *o, const char *k, json_t *v)
{
        if (json_array_size(v) || json_object_size(v))
                json_object_set_new(o, k, v);
        else
                json_decref(v);
}

const char *jobj_str0(const json_t *o, const char *k)
{
        const char *s = json_string_value(json_object_get(o, k));
        return s ? s : "";
}
