/* json_cases.h - unit tests whose cases are data under tests/data (the unit
 * tests run from the repository root).
 *
 *   json_cases_each("tests/data/x.json", NULL, fn);
 *           one TAP check that the file loads as an array of cases, then
 *           fn(file, case) for each; with a member name, the file is an
 *           object and its member of that name is the array of cases (the
 *           file's other members are data the cases share)
 *   jcase_str(c, "key")   a case's string member, NULL when it has none */
#ifndef BERTH_TEST_JSON_CASES_H
#define BERTH_TEST_JSON_CASES_H

#include <jansson.h>
#include <string.h>

#include "tap.h"

static inline void json_cases_each(const char *path, const char *member,
                                   void (*fn)(const json_t *file, const json_t *c))
{
        json_error_t je = {0};
        json_t *f = json_load_file(path, 0, &je);
        json_t *cases = member ? json_object_get(f, member) : f;
        const char *base = strrchr(path, '/');
        if (ok(json_is_array(cases), "%s loads (%s)", base ? base + 1 : path, je.text)) {
                size_t i;
                json_t *c;
                json_array_foreach(cases, i, c) fn(f, c);
        }
        json_decref(f);
}

static inline const char *jcase_str(const json_t *c, const char *key)
{
        return json_string_value(json_object_get(c, key));
}

#endif
