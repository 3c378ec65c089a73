/* ctr_copy.h - `cp` between a container's file system and the host.
 *
 * The container's root is an fd: for a running container /proc/<init>/root
 * (its mount namespace's view, volumes included; the init is pinned with a
 * pidfd and checked against the record), for a stopped one its overlay mounted
 * in a private mount namespace of a child process (under the container lock).
 * Every container path is resolved with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) relative to that fd, so absolute and "../.."
 * symlinks of the container stay inside it; below the resolved point the tree
 * is read with O_NOFOLLOW at every step (rt_layer_add_*) and written by the
 * confined extractor (rt_tar_extract_fd), so a directory swapped for a symlink
 * during the copy fails the copy instead of leading out.  The data travels as
 * a tar stream (libarchive) from a producer child to the consumer.
 *
 * Docker's rules: a trailing "/." on a directory source copies its contents;
 * an existing destination directory receives the source under its own name;
 * a missing destination is created under the destination's name (its parent
 * must exist); a destination symlink is followed (inside the container for a
 * container destination).  Ownership: root for files copied in, the caller
 * for files copied out, the source's with archive (-a).  A "-" source is a tar
 * stream extracted into an existing container directory; a "-" destination
 * is a tar stream of the source. */
#ifndef BERTH_RT_CTR_COPY_H
#define BERTH_RT_CTR_COPY_H

#include <jansson.h>
#include <stdbool.h>

#include "err.h"
#include "strv.h"

struct rt_cp_opts {
        bool archive; /* -a: keep uid/gid of the source */
        bool follow;  /* -L: follow a symlink source */
};

/* Copy src of container id (document j) to the host path dst, or as a tar
 * stream to out_fd when dst is NULL. */
int rt_cp_from_ctr(const char *id, const json_t *j, const char *src, const char *dst, int out_fd,
                   const struct rt_cp_opts *o, err_t *err);
/* Copy the host path src, or the tar stream read from in_fd when src is NULL,
 * to dst in container id. */
int rt_cp_to_ctr(const char *id, const json_t *j, const char *src, int in_fd, const char *dst,
                 const struct rt_cp_opts *o, err_t *err);

/* Run fn(rootfd, ud, err) with the container's root file system open as
 * rootfd (see above): in this process for a running container, in a child
 * with its own mount namespace for a stopped one.  Used by cp and export. */
typedef int (*rt_ctr_root_fn)(int rootfd, void *ud, err_t *err);
int rt_ctr_with_root(const char *id, const json_t *j, rt_ctr_root_fn fn, void *ud, err_t *err);

/* `diff`: the changes of the container's upper dir against its image, as
 * Docker prints them ("A /path", "C /path", "D /path"; a whiteout or an opaque
 * directory over an image directory is a D, the parent of an added or
 * deleted entry a C), in walk order.  Read from the upper dir (no mount);
 * the image's layers are only looked up beneath themselves, never through a
 * symlink.  berth's own mount-point stubs (/etc/hosts, ...) are left out. */
int rt_ctr_changes(const json_t *j, strv_t *out, err_t *err);
/* berth's mount-point stubs in an upper dir, relative ("etc/hosts", ...):
 * what commit leaves out. */
void rt_ctr_mount_stubs(strv_t *out);

/* `export`: the container's file system (image layers and upper dir merged
 * read-only in a child's private mount namespace; no volumes, no /proc) as a
 * tar written to fd. */
int rt_ctr_export(const json_t *j, int fd, err_t *err);

#endif
