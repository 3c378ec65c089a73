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
/* Create both dirs (0700) if missing, then berth_dirs_harden(). */
int berth_dirs_ensure(err_t *err);
/* Make the state dirs that exist (the lib and run dirs and their containers,
 * volumes, image, networks, dns, ... dirs) 0700 when they are looser: run at
 * every start of the CLI, so a root made by an older berth, or by hand with
 * 0755, is fixed too.  Best effort: never fails. */
void berth_dirs_harden(void);

/* Where berth's program name is: $env_var when it is set and not empty,
 * else name beside this process's own binary (/proc/self/exe), else
 * fallback (copied; may be NULL).  Caller frees. */
char *berth_sibling_path(const char *env_var, const char *name, const char *fallback);

#endif
