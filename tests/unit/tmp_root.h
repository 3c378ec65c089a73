/* tmp_root.h - a temporary BERTH_ROOT for a unit test that reads or writes
 * state without root:
 *
 *   char root[] = "/tmp/x-XXXXXX";
 *   if (!tmp_berth_root(root))
 *           return tap_done();          skipped: no temporary directory
 *   ...
 *   rm_rf(root, &err); */
#ifndef BERTH_TEST_TMP_ROOT_H
#define BERTH_TEST_TMP_ROOT_H

#include <stdbool.h>
#include <stdlib.h>

#include "tap.h"

/* Make the directory tmpl names (mkdtemp) and export it as BERTH_ROOT;
 * false (a TAP skip) when it cannot be made. */
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
