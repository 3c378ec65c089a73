/* loader.h - load a compose project the way docker compose v2 does.
 *
 * Pipeline (compose_load):
 *   1. environment: the process environment (o->environ) overlaid on the
 *      .env file of the project dir, or on the --env-file files (paths
 *      relative to cwd); the process environment wins.  COMPOSE_FILE,
 *      COMPOSE_PATH_SEPARATOR, COMPOSE_PROJECT_NAME, COMPOSE_PROFILES may come
 *      from either.
 *   2. files: o->files (-f, "-" = stdin), else COMPOSE_FILE, else discovery:
 *      compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml in
 *      cwd and then its parents, plus the matching override file
 *      (compose.override.yaml, ...) from the same dir.
 *   3. each file: parsed (yaml.c), interpolated (interp.c) unless
 *      no_interpolate, `include` and `extends` resolved, obsolete `version`
 *      dropped with a warning; then the files are merged in order
 *      (13-merge.md: !reset, !override, per-key merge rules).
 *   4. project name: -p, COMPOSE_PROJECT_NAME, top-level `name`, basename of
 *      the project dir; normalised (lowercase, [a-z0-9_-], leading
 *      letter/digit).
 *
 * Like compose-go, environment/labels/annotations/build.args/sysctls... that
 * were merged from two sources come out as "K=V" (or "K") sequences, and
 * list-form depends_on/networks merged with a mapping come out as mappings;
 * the model must accept both forms anyway.  A file with several YAML
 * documents is an error.  CN_NULL nodes keep their source text in str.
 *
 * The returned tree keeps file:line:col positions; relative paths are left
 * relative to working_dir except where extends/include from another
 * directory rebased them.  Profiles are only collected here: service
 * filtering is the model's job.  Nothing is printed: warnings are returned. */
#ifndef BERTH_COMPOSE_LOADER_H
#define BERTH_COMPOSE_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "node.h"
#include "strv.h"

struct compose_load_opts {
        const char *const *files; /* -f, repeatable; "-" = stdin_text */
        size_t nfiles;
        const char *stdin_text;       /* content for "-" (NULL -> read fd 0) */
        const char *project_name;     /* -p */
        const char *project_dir;      /* --project-directory */
        const char *const *env_files; /* --env-file (relative to cwd) */
        size_t nenv_files;
        const char *const *profiles; /* --profile */
        size_t nprofiles;
        bool no_interpolate;
        char *const *environ; /* process environment (NULL = environ) */
        const char *cwd;      /* NULL = getcwd() */
};

struct compose_source {
        char *name;          /* project name, normalised */
        char *working_dir;   /* absolute project dir */
        strv_t config_files; /* absolute paths of the files loaded, in order ("-" for stdin) */
        strv_t environment;  /* "K=V": process env overlaid on .env/--env-file values */
        strv_t profiles;     /* active profiles (--profile, else COMPOSE_PROFILES) */
        strv_t warnings;     /* messages for the user (unset variables, obsolete version) */
        struct cnode *root;  /* merged, interpolated tree; extends and include resolved */
};

int compose_load(const struct compose_load_opts *o, struct compose_source *out, err_t *err);
void compose_source_free(struct compose_source *s);

/* Normalise a project name as docker compose does: lowercase, drop every
 * character outside [a-z0-9_-], strip leading '_'/'-'.  Returns a new string
 * (possibly empty). */
char *compose_normalize_project_name(const char *name);
/* True when name is already a valid project name (the rule -p must obey). */
bool compose_project_name_valid(const char *name);

#endif
