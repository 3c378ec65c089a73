/* Unit tests for engine/ctr_ctl.h without a container: kill fails with the
 * lookup's error, wait answers 0 (as for a container removed on exit). */
#include <stdlib.h>
#include <string.h>

#include "base/fsutil.h"
#include "ctr_ctl.h"
#include "tap.h"
#include "tmp_root.h"

int main(void)
{
        char root[] = "/tmp/es2-ctl-XXXXXX";
        if (!tmp_berth_root(root))
                return tap_done();
        err_t err = {0};
        ok(ctr_kill("es2-none", "es2-none", 9, &err) < 0, "kill of no container fails");
        is_str(err.msg, "No such container: es2-none", "with the lookup's text");
        is_int(ctr_wait_code("es2-none"), 0, "wait of a container that is gone answers 0");
        rm_rf(root, &err);
        return tap_done();
}
