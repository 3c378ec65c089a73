/* layer.h - making image layers (the write side of tar.h).
 *
 * A layer is an ordinary OCI/docker layer tar (pax), uncompressed:
 *   - rt_layer_add_upper() turns an overlay upper dir into one: a whiteout
 *     (char device 0:0) becomes `.wh.<name>`, a directory marked
 *     trusted.overlay.opaque=y gets a `.wh..wh..opq` entry;
 *   - rt_layer_add_file()/rt_layer_add_tree() add files of a directory (a
 *     build context, another image's rootfs) under new names, e.g. for COPY;
 *   - rt_layer_add_archive() re-roots the members of a (compressed) tar
 *     archive below a directory, e.g. for ADD of a local archive.
 * Nothing is ever followed: symlinks are stored as symlinks; every read is
 * relative to a directory fd with O_NOFOLLOW.  Besides the tar, the writer
 * keeps a sha256 over every entry's name, type, mode, owner, link target and
 * content (not times), for build cache keys.
 *
 * rt_rootfs_run() runs a function in a child process that sees the merged,
 * read-only root file system of a set of image layers (an overlay mounted in a
 * private mount namespace, which disappears with the child). */
#ifndef BERTH_RT_LAYER_H
#define BERTH_RT_LAYER_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"
#include "strv.h"

struct rt_layer_writer;

/* Write a tar to fd (not closed). */
struct rt_layer_writer *rt_layer_writer_new(int fd, err_t *err);
/* Finish the tar; hex (65 bytes) receives the content digest.  Frees w. */
int rt_layer_writer_close(struct rt_layer_writer *w, char hex[65], err_t *err);
/* Abandon (on error).  Frees w. */
void rt_layer_writer_abort(struct rt_layer_writer *w);

/* Ownership and mode overrides for added files: uid/gid < 0 keep the
 * source's; mode < 0 keeps it (else replaces the permission bits). */
struct rt_layer_attr {
        long long uid, gid;
        int mode;
};

/* Add the overlay upper dir dirfd (whiteouts converted).  skip: relative
 * paths of regular files to leave out (mount point stubs), may be NULL. */
int rt_layer_add_upper(struct rt_layer_writer *w, int dirfd, const strv_t *skip, err_t *err);

/* Add a directory entry name (relative, no leading "/") owned by uid:gid. */
int rt_layer_add_dir(struct rt_layer_writer *w, const char *name, mode_t mode, long long uid,
                     long long gid, err_t *err);

/* Add dirfd/rel (not followed) as name. */
int rt_layer_add_file(struct rt_layer_writer *w, int dirfd, const char *rel, const char *name,
                      const struct rt_layer_attr *attr, err_t *err);

/* Filter for rt_layer_add_tree: true to leave rel (relative to the walk's
 * root, which is "" itself) out.  A left-out directory is still descended
 * (an exception may bring files below it back) but gets no entry unless
 * something below it is added. */
typedef bool (*rt_layer_filter_fn)(const char *rel, void *ud);

/* Add the contents of directory dirfd/rel below the name prefix (the
 * directory itself becomes prefix when prefix is not "").  filter may be
 * NULL; its paths are "<rel>/<sub>" relative to dirfd. */
int rt_layer_add_tree(struct rt_layer_writer *w, int dirfd, const char *rel, const char *prefix,
                      const struct rt_layer_attr *attr, rt_layer_filter_fn filter, void *ud,
                      err_t *err);

/* The entry names of the directory fd (not closed; "." and ".." left out),
 * sorted. */
int rt_dir_names(int fd, strv_t *names, err_t *err);

/* Is fd a tar archive (plain or compressed)?  Rewinds fd. */
bool rt_layer_is_archive(int fd);
/* Add the members of the archive read from fd below prefix; members named
 * `.wh.*` are skipped, ".." members reject the archive. */
int rt_layer_add_archive(struct rt_layer_writer *w, int fd, const char *prefix,
                         const struct rt_layer_attr *attr, err_t *err);

/* Run fn(root, root2, ud, err) in a child process that sees the layers
 * (unpacked dirs, top first; may be empty) merged read-only at root, and
 * layers2 at root2 (layers2 NULL: root2 is NULL).  fn's return value (< 0
 * failure, message from its err) becomes ours. */
typedef int (*rt_rootfs_fn)(const char *root, const char *root2, void *ud, err_t *err);
int rt_rootfs_run(const strv_t *layers, const strv_t *layers2, rt_rootfs_fn fn, void *ud,
                  err_t *err);

#endif
