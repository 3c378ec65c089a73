/* interp.h - compose variable interpolation (12-interpolation.md).
 *
 *   $V  ${V}  ${V:-d} ${V-d}  ${V:?e} ${V?e}  ${V:+r} ${V+r}  $$ -> $
 *
 * Names are [_a-zA-Z][_a-zA-Z0-9]*.  The word after a modifier is itself
 * interpolated (nested defaults).  A `$` not followed by `$`, `{` or a name is
 * kept as is; `${` without a valid name/modifier and closing brace is an
 * error.  An unset variable without modifier becomes "" and its name is added
 * (once) to `unset`.
 *
 * Budgets: one interpolated value may not exceed INTERP_MAX_VALUE bytes and
 * the values of one .env file, or of all the compose files of one load,
 * together INTERP_MAX_TOTAL, so variables that refer to each other cannot blow up
 * memory (E2BIG, naming the file and position). */
#ifndef BERTH_COMPOSE_INTERP_H
#define BERTH_COMPOSE_INTERP_H

#define INTERP_MAX_VALUE (1u << 20)
#define INTERP_MAX_TOTAL (16u << 20)

#include "err.h"
#include "node.h"
#include "strv.h"

/* Returns the value of name, or NULL when unset. */
typedef const char *(*interp_lookup_fn)(const char *name, void *ud);

/* Lookup in a "K=V" vector (later entries win). */
const char *interp_lookup_strv(const char *name, void *ud /* const strv_t * */);

/* Interpolate one string.  On error err holds a message without position:
 * "required variable V is missing a value: msg" or
 * "invalid interpolation format: \"${x\"".  unset may be NULL. */
int interp_string(const char *in, interp_lookup_fn lookup, void *ud, strv_t *unset, char **out,
                  err_t *err);

/* Interpolate every scalar value (not keys) of a tree in place.  path names
 * the tree's root for messages (NULL = top level).  Errors read
 * "file:line:col: services.web.image: required variable V is missing a value: msg".
 * Unset variable names are added to unset (once each). */
int interp_tree(struct cnode *root, interp_lookup_fn lookup, void *ud, strv_t *unset, err_t *err);
/* The same, counting the bytes of interpolated values in *total, which
 * must stay within INTERP_MAX_TOTAL (one budget for the files of a load). */
int interp_tree_total(struct cnode *root, interp_lookup_fn lookup, void *ud, strv_t *unset,
                      size_t *total, err_t *err);

/* The warning docker compose prints for an unset variable. */
char *interp_unset_warning(const char *name);

#endif
