/* boot.h - `system boot` after a reboot, without a daemon: the stored
 * networks restored, then the containers whose restart policy asks for it
 * (always; unless-stopped unless the user stopped it) in the order to start
 * them.  Starting them is the caller's (each start printed). */
#ifndef BERTH_ENGINE_BOOT_H
#define BERTH_ENGINE_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "base/strv.h"

struct boot_ctr {
        char *id, *name;         /* name without '/' */
        char *project, *service; /* compose labels, "" when none */
        strv_t deps;             /* services of the same project it depends on */
};
struct boot_list {
        struct boot_ctr *v; /* in the order to start them */
        size_t n;
};

/* Put c (n of them, oldest first) in the order to start them: containers
 * of no project first, then each project's along its dependencies (one
 * whose dependencies are all placed goes next, in c's order), what a cycle
 * or a missing dependency holds back last.  Pure. */
void boot_order(struct boot_ctr *c, size_t n);

/* Restore the networks, then list the containers to start, in order.
 * Returns -1 with err ("restoring networks: ...") when the networks or the
 * containers cannot be read; a container whose state cannot be read is left
 * out with its error in errors. */
int boot_plan(struct boot_list *out, strv_t *errors, err_t *err);
void boot_list_free(struct boot_list *l);

#endif
