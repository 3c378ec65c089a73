#include "paths.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fsutil.h"

static char lib_dir[4096], run_dir[4096], inst[32];

static void paths_init(void)
{
        if (lib_dir[0])
                return;
        const char *root = getenv("BERTH_ROOT");
        if (root && *root) {
                /* FNV-1a of the root path: stable and cheap. */
                uint32_t h = 2166136261u;
                for (const char *p = root; *p; p++)
                        h = (h ^ (uint8_t)*p) * 16777619u;
                snprintf(lib_dir, sizeof(lib_dir), "%s/lib", root);
                snprintf(run_dir, sizeof(run_dir), "%s/run", root);
                snprintf(inst, sizeof(inst), "berth-%08x", h);
        } else {
                snprintf(lib_dir, sizeof(lib_dir), "/var/lib/berth");
                snprintf(run_dir, sizeof(run_dir), "/run/berth");
                snprintf(inst, sizeof(inst), "berth");
        }
}

const char *berth_lib_dir(void)
{
        paths_init();
        return lib_dir;
}

const char *berth_run_dir(void)
{
        paths_init();
        return run_dir;
}

const char *berth_instance_name(void)
{
        paths_init();
        return inst;
}

int berth_dirs_ensure(err_t *err)
{
        if (mkdir_p(berth_lib_dir(), 0711, err) < 0 || mkdir_p(berth_run_dir(), 0711, err) < 0)
                return -1;
        return 0;
}
