/* libFuzzer: `commit -c` / `import --change` instructions.  Each input line
 * is applied in turn to one config (as commit applies its -c list), which
 * must then survive the JSON round trip; any VOLUME it accepted must pass the
 * volume path check. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 65536)
                return 0;
        char *s = xstrndup((const char *)data, size);
        struct rt_image_config c = {0};
        err_t err;
        for (char *sv = NULL, *line = strtok_r(s, "\n", &sv); line;
             line = strtok_r(NULL, "\n", &sv))
                (void)rt_image_config_apply_change(&c, line, &err);
        for (size_t i = 0; i < c.volumes.n; i++)
                if (rt_image_volume_path_check(NULL, c.volumes.v[i], &err) < 0)
                        abort(); /* a change stored a VOLUME the check refuses */
        json_t *j = rt_image_config_to_json(&c);
        struct rt_image_config back;
        if (j && rt_image_config_from_json(j, &back, &err) == 0)
                rt_image_config_free(&back);
        json_decref(j);
        rt_image_config_free(&c);
        free(s);
        return 0;
}
