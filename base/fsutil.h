/* fsutil.h - file and directory helpers.  Every fd is O_CLOEXEC. */
#ifndef BERTH_FSUTIL_H
#define BERTH_FSUTIL_H

#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/* Read a whole file (at most max bytes, 0 = 64 MiB) into a NUL-terminated
 * buffer.  dirfd may be AT_FDCWD. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *outlen, err_t *err);
int read_file(const char *path, char **out, size_t *outlen, err_t *err);

/* Open dirfd/path for reading only if it is a regular file, never blocking
 * on a FIFO or a device on the way (O_NONBLOCK for the open, cleared after):
 * for files a container, an image or a build context controls.  resolve:
 * openat2's RESOLVE_* flags (0: an ordinary open).  Not regular: EINVAL
 * "PATH is not a regular file". */
int open_regular_at(int dirfd, const char *path, unsigned long long resolve, err_t *err);
/* The same, read whole (at most max bytes, 0 = 64 MiB) as read_file_at. */
int read_regular_at(int dirfd, const char *path, unsigned long long resolve, size_t max, char **out,
                    size_t *outlen, err_t *err);

/* Read all of fd until EOF (at most max bytes, 0 = 64 MiB). */
int read_fd_all(int fd, size_t max, char **out, size_t *outlen, err_t *err);

/* Write all n bytes, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t n, err_t *err);

/* Atomically replace dirfd/name with data: write a temp file in the same
 * directory, fsync it, rename over name, fsync the directory.  A reader sees
 * either the old or the new content, never a mix. */
int atomic_write_at(int dirfd, const char *name, const void *data, size_t n, mode_t mode,
                    err_t *err);
int atomic_write_file(const char *path, const void *data, size_t n, mode_t mode, err_t *err);
/* atomic_write_at, with the fsyncs only when durable: readers still never
 * see a mix, but after a crash the file may hold the old content, the new,
 * or nothing at all (state that a crash makes void anyway). */
int atomic_replace_at(int dirfd, const char *name, const void *data, size_t n, mode_t mode,
                      bool durable, err_t *err);
/* on: from now on, this process's atomic replacements keep the file each
 * replaced open (up to 16), so that its blocks are not freed by the rename:
 * on a filesystem mounted with discard (no journal), freeing is a
 * synchronous discard.  off: closes them (the frees happen now) and stops. */
void fs_hold_replaced(bool on);

/* Open (creating, mode 0600) the lock file path and take an exclusive flock,
 * retrying on EINTR.  Returns the fd that holds the lock (close it to unlock). */
int lock_file(const char *path, err_t *err);

/* fd when the step done with it open returned rc >= 0; else fd closed and -1
 * (errno kept). */
int fd_keep_if(int fd, int rc);

/* The failure of a step after a pipe or socket pair was made: closes both
 * ends and returns err_sys(err, errno as it was, "%s", what). */
int close_pair_fail(int fds[2], err_t *err, const char *what);

/* mkdir -p with mode for every created component. */
int mkdir_p(const char *path, mode_t mode, err_t *err);

/* rm -rf below dirfd/name without following symlinks and without leaving the
 * tree (uses openat with O_NOFOLLOW).  ENOENT is success. */
int rm_rf_at(int dirfd, const char *name, err_t *err);
int rm_rf(const char *path, err_t *err);

/* Bytes of the files under path (not following symlinks, not crossing
 * mounts), as docker sizes a layer or a volume; 0 when it cannot be read. */
unsigned long long path_size(const char *path);

/* Lexically clean a slash-separated path: empty and "." components dropped,
 * ".." removes the component before it.  The result is relative (no leading
 * '/'; "" for the root).  A ".." with nothing before it is dropped, as at "/",
 * and sets *above when above is not NULL.  Caller frees. */
char *path_clean(const char *p, bool *above);
/* The same as an absolute path: "/" + path_clean(p). */
char *path_clean_abs(const char *p);

#endif
