/* exe_seal.h - never let a container reach the berth binary itself
 * (runc CVE-2019-5736 class).
 *
 * Every process that executes something inside a container (the init, exec,
 * healthchecks, --init's PID 1, the CLI's exec and compose probes) is a fork
 * of berth or berth-monitor.  While it calls execve, /proc/self/exe is the
 * binary it runs, and a container program can name it (`/bin/sh ->
 * /proc/self/exe`, `#!/proc/self/exe`) to run it inside the container and
 * then reopen it for writing.  rt_exe_seal() re-executes the running binary
 * from a sealed memfd copy (F_SEAL_WRITE|SHRINK|GROW|SEAL) first, so what a
 * container can reach is that copy: it cannot be written, and the host file
 * is never executed nor opened in the container. */
#ifndef BERTH_RT_EXE_SEAL_H
#define BERTH_RT_EXE_SEAL_H

#include <stdbool.h>

#include "err.h"

/* Is the running binary a sealed memfd copy? */
bool rt_exe_sealed(void);

/* Unless the running binary already is a sealed copy, make one and execveat
 * it with the same argv and environment (returns only on error).  Before
 * that, each env[i][0] that is unset is set to the sibling file env[i][1] in
 * the directory of the real binary (so the copy still finds berth-monitor
 * and berth-dns); env ends with {NULL, NULL}. */
int rt_exe_seal(char **argv, const char *const (*env)[2], err_t *err);

/* The file under berth_run_dir() naming a monitor whose sealed copy the
 * next monitor may share. */
#define RT_MONITOR_EXE_RECORD "monitor.exe"

/* One sealed copy for many processes (each monitor's own copy cost its
 * size in shared memory, ~0.5 MB).  Returns an O_CLOEXEC fd of a sealed memfd
 * with exactly the bytes of the file at path that execve maps (up to the end
 * of its last segment: debug info and section tables are left out), to execveat: the one the
 * process whose pid the file `record` holds runs from, when it is sealed and
 * has those bytes (checked: the pid may be anything by now), else a new copy
 * (*fresh set; the process started from it should call rt_exe_shared_record
 * so that the next one shares it). */
int rt_exe_shared_copy(const char *path, const char *record, bool *fresh, err_t *err);

/* Write our pid to `record` (see rt_exe_shared_copy); best effort. */
void rt_exe_shared_record(const char *record);

#endif
