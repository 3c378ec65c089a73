/* dotenv.h - .env files as docker compose v2 reads them.
 *
 *   KEY=VAL   export KEY=VAL   KEY: VAL      # comment lines, blank lines
 *   KEY=unquoted value # inline comment (" #" starts it), trailing blanks trimmed
 *   KEY='literal'       single quotes: no escapes (\' excepted), no interpolation
 *   KEY="a\nb ${X}"     double quotes: \a \b \f \n \r \t \v \" \\ \$ \0ooo escapes
 *                       (others keep their backslash), then interpolation;
 *                       quoted values may span lines
 *   KEY                 alone: the value of KEY from `lookup`, skipped when unset
 *
 * ${VAR} in unquoted and double-quoted values is resolved from `lookup` first
 * (the process environment and earlier env files, as compose does), then from
 * variables defined earlier in the same file.  Errors read "file:line: ...". */
#ifndef BERTH_COMPOSE_DOTENV_H
#define BERTH_COMPOSE_DOTENV_H

#include <stddef.h>

#include "err.h"
#include "interp.h"
#include "strv.h"

/* Parse text; append "K=V" entries to out (a key defined twice keeps its
 * first position and the last value).  lookup may be NULL. */
int dotenv_parse(const char *text, size_t len, const char *file, interp_lookup_fn lookup, void *ud,
                 strv_t *out, err_t *err);

/* Read and parse a file. */
int dotenv_read(const char *path, interp_lookup_fn lookup, void *ud, strv_t *out, err_t *err);

/* Value of key in a "K=V" vector, NULL when absent. */
const char *dotenv_get(const strv_t *env, const char *key);

#endif
