/* tmp_root.h - a fresh BERTH_ROOT under /tmp for one unit test.
 *
 *   char root[] = "/tmp/xx-name-XXXXXX";
 *   if (!tmp_berth_root(root))
 *           return tap_done();        the SKIP line is already printed */
#ifndef BERTH_TEST_TMP_ROOT_H
#define BERTH_TEST_TMP_ROOT_H

#include <stdbool.h>
#include <stdlib.h>

#include "tap.h"

/* mkdtemp(tmpl) and export it as BERTH_ROOT; false (a SKIP) if it cannot be made. */
static inline bool tmp_berth_root(char *tmpl)
{
        if (!mkdtemp(tmpl)) {
                tap_skip("no temporary directory");
                return false;
        }
        setenv("BERTH_ROOT", tmpl, 1);
        return true;
}

#endif
