/* Unit tests for engine/df.h: `system df`'s counts in a temporary
 * BERTH_ROOT holding volumes only (no containers, no images, no root). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "df.h"
#include "runtime/volume.h"
#include "tap.h"
#include "tmp_root.h"

int main(void)
{
        char root[] = "/tmp/es2-df-XXXXXX";
        if (!tmp_berth_root(root))
                return tap_done();
        err_t err = {0};
        strv_t warnings = STRV_INIT;
        struct disk_usage du;
        ok(disk_usage(&du, &warnings, &err) == 0, "an empty store is counted");
        ok(du.images.total == 0 && du.containers.total == 0 && du.volumes.total == 0,
           "nothing in it");
        is_int((int)warnings.n, 0, "without a warning");

        ok(rt_volume_create("es2-a", NULL, false, &err) == 0 &&
               rt_volume_create("es2-b", NULL, false, &err) == 0,
           "two volumes are made");
        json_t *j = NULL;
        if (rt_volume_inspect("es2-a", &j, &err) == 0) {
                char *p = xasprintf("%s/f", json_string_value(json_object_get(j, "Mountpoint")));
                int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                ok(fd >= 0 && write(fd, "0123456789", 10) == 10, "es2-a holds 10 bytes");
                if (fd >= 0)
                        close(fd);
                free(p);
                json_decref(j);
        }
        ok(disk_usage(&du, &warnings, &err) == 0, "counted again");
        is_int((int)du.volumes.total, 2, "two volumes");
        is_int((int)du.volumes.active, 0, "none mounted by a container");
        is_int((int)du.volumes.size, 10, "their bytes");
        is_int((int)du.volumes.used, 0, "all of them reclaimable");
        struct ctr_counts c;
        ctr_counts(&c, true, &warnings);
        ok(c.total == 0 && c.running == 0 && c.size == 0, "no container");
        is_int((int)warnings.n, 0, "still no warning");
        strv_free(&warnings);
        rm_rf(root, &err);
        return tap_done();
}
