/* tar.h - hostile-input-safe tar extraction (libarchive reader).
 *
 * Every write happens relative to a directory fd (the extraction root):
 *   - member names are sanitised: leading "/" and "." components are dropped,
 *     any ".." component rejects the archive;
 *   - parent directories are resolved with openat2(RESOLVE_IN_ROOT |
 *     RESOLVE_NO_MAGICLINKS), so a symlink created by an earlier member (even
 *     one with an absolute or "../.." target) is interpreted inside the root
 *     and can never lead a write outside it;
 *   - the last component is created with *at() calls and O_NOFOLLOW/O_EXCL, an
 *     existing entry in the way is removed first (never followed);
 *   - symlink targets are stored as they are and never followed here;
 *   - hard link targets are resolved inside the root like member names;
 *   - device nodes are skipped (except overlay whiteouts, char 0:0, in
 *     RT_TAR_OVERLAY mode); FIFOs are created;
 *   - ownership (when running as root), modes and mtimes are preserved; of
 *     the extended attributes only security.capability and user.* (never
 *     trusted.overlay.*, which would let a layer forge overlay metadata).
 */
#ifndef BERTH_RT_TAR_H
#define BERTH_RT_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

enum {
        /* Image layer mode: `.wh.<name>` becomes an overlay whiteout (char 0:0
         * `<name>`), `.wh..wh..opq` marks its directory opaque
         * (trusted.overlay.opaque=y); other `.wh..wh.*` entries are ignored. */
        RT_TAR_OVERLAY = 1 << 0,
        /* Accept compressed input (gzip, xz, zstd, bzip2 ...). */
        RT_TAR_DECOMPRESS = 1 << 1,
};

struct rt_tar_opts {
        unsigned flags;
        /* Refuse archives whose regular-file data exceeds this many bytes
         * (0 = unlimited); guards against decompression bombs. */
        unsigned long long max_bytes;
};

struct rt_tar_stats {
        unsigned long long bytes; /* regular-file bytes written */
        unsigned long entries;    /* members processed */
        unsigned long skipped;    /* members ignored (device nodes, aufs metadata) */
};

/* Extract the tar stream read from fd into the directory rootfd.  stats may be
 * NULL.  On failure the root may hold a partial extraction (callers extract
 * into a fresh directory and remove it on error). */
int rt_tar_extract_fd(int fd, int rootfd, const struct rt_tar_opts *opts,
                      struct rt_tar_stats *stats, err_t *err);
/* Supplies the next piece of a tar stream: *buf and its length (0: the
 * end), or < 0 with err filled.  A piece stays valid until the next call. */
typedef long long (*rt_tar_read_fn)(void *ud, const void **buf, err_t *err);
/* A source read by libarchive: rt_tar_src_read is the archive_read_open
 * callback (client data: the struct), and failed/err keep the source's own
 * failure, the cause of the reader's. */
struct rt_tar_src {
        rt_tar_read_fn fn;
        void *ud;
        bool failed;
        err_t err;
};
struct archive;
ssize_t rt_tar_src_read(struct archive *a, void *src, const void **buf);
/* Same, from a callback.  A failure of the callback is the error returned.
 * The extraction stops at the tar's end-of-archive blocks: whatever follows
 * is left unread. */
int rt_tar_extract_cb(rt_tar_read_fn fn, void *ud, int rootfd, const struct rt_tar_opts *opts,
                      struct rt_tar_stats *stats, err_t *err);
/* Same, from memory. */
int rt_tar_extract_mem(const void *buf, size_t len, int rootfd, const struct rt_tar_opts *opts,
                       struct rt_tar_stats *stats, err_t *err);

/* Sanitise a member name into a relative path without "." or empty
 * components.  Returns NULL (err filled) when it has a ".." component; ""
 * for the root itself.  Caller frees. */
char *rt_tar_clean_path(const char *name, err_t *err);

/* A new member header for a tar being written: name, type (AE_IF*) and
 * permission bits; size and mtime (seconds) are left unset when < 0.  The
 * caller frees it with archive_entry_free. */
struct archive_entry;
struct archive_entry *rt_tar_entry(const char *name, unsigned type, unsigned perm, long long size,
                                   long long mtime);

#endif
