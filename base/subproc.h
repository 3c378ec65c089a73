/* subproc.h - run a program (no shell) with bytes on its stdin and collect
 * its stdout: for peers that speak over pipes (credential helpers). */
#ifndef BERTH_SUBPROC_H
#define BERTH_SUBPROC_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "strbuf.h"

/* posix_spawnp prog (looked up in PATH) with argv, the environment, stdin
 * fed from in[0..inlen), stdout appended to out (at most outmax bytes: more
 * is an EFBIG error), stderr inherited.  SIGPIPE from an early exit of the
 * child never reaches berth.  *status is waitpid's status.  A missing
 * program is ENOENT.  The read buffers are zeroed (the output may hold a
 * secret). */
int subproc_pipe(const char *prog, char *const argv[], const void *in, size_t inlen, size_t outmax,
                 strbuf_t *out, int *status, err_t *err);

/* Waits for a forked helper that writes an err_t to efd when it fails (and
 * exits non-zero): 0 when it exited 0, else its error, or EIO "the WHAT
 * helper process failed (status N)" when it sent none.  Closes efd. */
int subproc_helper_finish(pid_t pid, int efd, const char *what, err_t *err);

#endif
