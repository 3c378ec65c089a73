/* mountspec.h - the one parser of a mount as the command line and compose
 * write it, with Docker's rules and error texts:
 *
 *     -v / --volume, compose's short `volumes:`   [SOURCE:]TARGET[:MODE]
 *     --mount                                      type=..,source=..,target=..,..
 *     --tmpfs, compose's `tmpfs:`                  TARGET[:OPTIONS]
 *
 * MODE is a comma list of at most one each of ro|rw, z|Z, a propagation
 * (shared, rshared, slave, rslave, private, rprivate), nocopy and a
 * consistency (consistent, cached, delegated).  A SOURCE that is an absolute
 * path is a bind mount, any other a volume name; no SOURCE is an anonymous
 * volume.  Compose's short syntax differs from `-v` in three ways, which
 * MOUNTSPEC_COMPOSE selects: a source starting with '.', '/' or '~' is a host
 * path (the caller resolves it), an option may repeat (the last ro/rw wins)
 * and its errors keep compose's wording.
 *
 * Grammar and Docker's checks only: what the filesystem says (does a bind
 * source exist, is a tmpfs option one the kernel takes) is decided where the
 * mount is made (engine/spec.c, runtime/). */
#ifndef BERTH_BASE_MOUNTSPEC_H
#define BERTH_BASE_MOUNTSPEC_H

#include <stdbool.h>

#include "err.h"

enum mount_type { MOUNT_VOLUME, MOUNT_BIND, MOUNT_TMPFS };

struct mountspec {
        enum mount_type type;
        /* bind: the host path (absolute, except as compose's short syntax
         * writes it); volume: its name, NULL for an anonymous volume;
         * tmpfs: NULL */
        char *source;
        char *target; /* absolute, as written */
        bool read_only;
        bool nocopy;        /* volume: the image's files are not copied in */
        bool create_source; /* bind: a missing source is made (-v), not refused */
        char selinux;       /* 'z', 'Z' or 0 (berth has no SELinux labels to set) */
        char *propagation;  /* NULL or one of the six (accepted, not applied) */
        char *tmpfs_opts;   /* tmpfs: docker's options ("size=1m,mode=700"), "" none */
};

enum mountspec_syntax { MOUNTSPEC_DOCKER, MOUNTSPEC_COMPOSE };

/* What is wrong with a mount; the parsers return its negation. */
enum mountspec_fault {
        MOUNTSPEC_BAD_SPEC = 1, /* wrong number of ':' sections, an empty one */
        MOUNTSPEC_BAD_MODE,     /* an unknown or repeated MODE option */
        MOUNTSPEC_BAD_TARGET,   /* no target, not absolute, or "/" */
        MOUNTSPEC_BAD_SOURCE,   /* not a volume name, a bind without an absolute source,
                                   a tmpfs with one */
        MOUNTSPEC_BAD_FIELD,    /* --mount: not key=value, an unknown key, a bad value */
        MOUNTSPEC_BAD_TYPE,     /* --mount: an unknown type */
        MOUNTSPEC_MIXED,        /* an option of another mount type */
        MOUNTSPEC_UNSUPPORTED,  /* Docker's, but not something berth can do */
};

/* `-v` (MOUNTSPEC_DOCKER) or compose's short `volumes:` (MOUNTSPEC_COMPOSE).
 * For `-v`, cwd (may be NULL: refused as relative) makes a source "." or
 * "./..." absolute, as the docker CLI does.  Returns 0, or -fault with err
 * filled ("invalid volume specification: '/a:ro'", "invalid mode: rx"). */
int mountspec_parse_volume(const char *spec, enum mountspec_syntax syn, const char *cwd,
                           struct mountspec *out, err_t *err);

/* `--mount` (type defaults to volume; cwd as above for the source).
 * Returns 0 or -fault ("invalid argument \"..\" for \"--mount\" flag:
 * target is required", "invalid mount config for type \"bind\": ..."). */
int mountspec_parse_mount(const char *spec, const char *cwd, struct mountspec *out, err_t *err);

/* `--tmpfs` and compose's `tmpfs:` entries: TARGET[:OPTIONS], the options
 * kept as written.  Returns 0 or -MOUNTSPEC_BAD_TARGET. */
int mountspec_parse_tmpfs(const char *spec, struct mountspec *out, err_t *err);

/* Docker's checks of a typed mount (what the parsers end with; compose's
 * long syntax, which is not text, is checked here too): the target absolute
 * and not "/", a bind's source absolute, a volume's name valid, options of
 * the mount's own type only.  Returns 0 or -fault. */
int mountspec_check(const struct mountspec *m, err_t *err);

/* Docker's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+, at most 255. */
bool mountspec_volume_name_valid(const char *name);

/* "volume", "bind", "tmpfs". */
const char *mount_type_name(enum mount_type t);

void mountspec_free(struct mountspec *m);

#endif
