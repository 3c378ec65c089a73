/* libFuzzer: parse arbitrary bytes as a Docker seccomp profile; a profile
 * that parses must print (rt_seccomp_profile_json) to a document that parses
 * again to the same print (what the container dir keeps is what starts
 * load). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct rt_seccomp_profile p, q;
        err_t err;
        if (rt_seccomp_profile_parse((const char *)data, size, "fuzz.json", &p, &err) < 0)
                return 0;
        json_t *j = rt_seccomp_profile_json(&p);
        char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
        if (!s || rt_seccomp_profile_parse(s, strlen(s), "normalized.json", &q, &err) < 0)
                abort();
        json_t *k = rt_seccomp_profile_json(&q);
        if (!json_equal(j, k))
                abort();
        json_decref(k);
        json_decref(j);
        free(s);
        rt_seccomp_profile_free(&q);
        rt_seccomp_profile_free(&p);
        return 0;
}
