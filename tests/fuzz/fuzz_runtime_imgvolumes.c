/* libFuzzer: parse arbitrary bytes as an image config JSON document, convert
 * its "config" object (Volumes and the rest) to the struct, check every VOLUME
 * path, and round-trip it to JSON; the same bytes as a `--change VOLUME`. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        err_t err;
        json_error_t je;
        json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY, &je);
        if (j) {
                const json_t *cfg = json_is_object(j) && json_object_get(j, "config")
                                        ? json_object_get(j, "config")
                                        : j;
                struct rt_image_config c;
                if (rt_image_config_from_json(cfg, &c, &err) == 0) {
                        if (rt_image_config_check_volumes(&c, "fuzz", &err) == 0)
                                for (size_t i = 0; i < c.volumes.n; i++)
                                        if (c.volumes.v[i][0] != '/' ||
                                            strstr(c.volumes.v[i], "/../"))
                                                abort(); /* the check let a bad path through */
                        json_t *back = rt_image_config_to_json(&c);
                        json_decref(back);
                        rt_image_config_free(&c);
                }
                json_decref(j);
        }
        char *s = xstrndup((const char *)data, size);
        char *change = xasprintf("VOLUME %s", s);
        struct rt_image_config c2 = {0};
        if (rt_image_config_apply_change(&c2, change, &err) == 0)
                for (size_t i = 0; i < c2.volumes.n; i++)
                        if (rt_image_volume_path_check(NULL, c2.volumes.v[i], &err) < 0)
                                abort(); /* --change stored a path the check refuses */
        rt_image_config_free(&c2);
        free(change);
        free(s);
        return 0;
}
