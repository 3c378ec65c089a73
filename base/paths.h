/* paths.h - where berth keeps its state.
 *
 * Default: persistent state in /var/lib/berth, runtime state in /run/berth
 * (tmpfs, so a reboot is detectable).  BERTH_ROOT=DIR puts both under DIR
 * (DIR/lib and DIR/run); every test uses its own.  Names of host-global
 * objects (cgroup parent, nftables table) carry a short tag derived from
 * BERTH_ROOT so that parallel roots never collide. */
#ifndef BERTH_PATHS_H
#define BERTH_PATHS_H

#include "err.h"

/* Persistent state dir, e.g. /var/lib/berth.  Owned by a static buffer. */
const char *berth_lib_dir(void);
/* Runtime state dir, e.g. /run/berth. */
const char *berth_run_dir(void);
/* "berth" by default, "berth-<8 hex>" when BERTH_ROOT is set: the name used for
 * host-global objects (cgroup parent dir, nftables table). */
const char *berth_instance_name(void);
/* Create both dirs (0711) if missing. */
int berth_dirs_ensure(err_t *err);

#endif
