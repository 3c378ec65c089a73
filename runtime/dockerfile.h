/* dockerfile.h - Dockerfile parsing (pure: no I/O, no system changes).
 *
 * rt_dockerfile_parse() splits the text into instructions: parser directives
 * (`# escape=`, `# syntax=` ignored), comments, line continuations, keyword,
 * leading `--flag[=value]` words (FROM, RUN, COPY, ADD, HEALTHCHECK) and JSON
 * (exec) versus shell form.  Per-instruction argument checks happen here too,
 * so that a malformed file fails before anything is built; errors read
 * "<name>:<line>: <problem>".
 *
 * Variable substitution needs the build state (ARG/ENV), so it is a separate
 * step: rt_dockerfile_words() splits a shell-form argument string into words,
 * removing quotes and escapes and expanding $VAR, ${VAR}, ${VAR:-x},
 * ${VAR-x}, ${VAR:+x}, ${VAR+x}, ${VAR:?msg}, ${VAR?msg}.
 *
 * rt_dockerignore_* implement .dockerignore matching: patterns with `*`, `?`,
 * `[...]`, `**`, `!` exceptions, last match wins, a pattern matching a
 * directory also matches everything below it. */
#ifndef BERTH_RT_DOCKERFILE_H
#define BERTH_RT_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "strv.h"

enum rt_df_kind {
        RT_DF_FROM,
        RT_DF_RUN,
        RT_DF_CMD,
        RT_DF_ENTRYPOINT,
        RT_DF_ENV,
        RT_DF_ARG,
        RT_DF_LABEL,
        RT_DF_EXPOSE,
        RT_DF_WORKDIR,
        RT_DF_USER,
        RT_DF_VOLUME,
        RT_DF_COPY,
        RT_DF_ADD,
        RT_DF_SHELL,
        RT_DF_STOPSIGNAL,
        RT_DF_HEALTHCHECK,
        RT_DF_ONBUILD,
        RT_DF_MAINTAINER,
};

struct rt_df_instr {
        enum rt_df_kind kind;
        const char *keyword; /* "RUN", static */
        int line;            /* 1-based line of the keyword */
        char *text;          /* "RUN echo hi": keyword + flags + arguments as written
                                (continuations joined), for history and cache keys */
        strv_t flags;        /* "--from=build", "--chown=1:1" (as written) */
        bool json;           /* arguments given in JSON (exec) form */
        strv_t argv;         /* JSON form: the array */
        char *rest;          /* shell form: the argument string after the flags */
};

struct rt_dockerfile {
        struct rt_df_instr *v;
        size_t n;
        char escape; /* '\\' or '`' */
};

/* Parse text (len bytes, need not be NUL-terminated).  name is used in error
 * messages ("Dockerfile").  On success free out with rt_dockerfile_free. */
int rt_dockerfile_parse(const char *text, size_t len, const char *name, struct rt_dockerfile *out,
                        err_t *err);
void rt_dockerfile_free(struct rt_dockerfile *df);

/* Value of a flag "--name=value" of instr (NULL when absent; "" for a bare
 * "--name"). */
const char *rt_df_flag(const struct rt_df_instr *in, const char *name);

/* Look up a variable for substitution: its value, or NULL when unset. */
typedef const char *(*rt_df_lookup_fn)(const char *name, void *ud);

/* Split s into words (whitespace outside quotes separates them unless
 * split is false, then the whole string is one word), removing quotes and
 * escapes and substituting variables (never inside single quotes).  Words
 * are appended to out; an empty s gives no word.  Errors: unterminated
 * quotes or ${, a bad substitution, ${VAR:?msg} with VAR unset. */
int rt_dockerfile_words(const char *s, char escape, rt_df_lookup_fn lookup, void *ud, bool split,
                        strv_t *out, err_t *err);

/* .dockerignore: parse the file's text into patterns (comments and blank
 * lines dropped, paths cleaned, leading "/" removed, "!" kept in front). */
void rt_dockerignore_parse(const char *text, size_t len, strv_t *patterns);
/* Is the context-relative path (no leading "/") excluded? */
bool rt_dockerignore_excluded(const strv_t *patterns, const char *path);
/* Glob match with `*` and `?` not crossing "/", `[...]` classes, `**` any
 * number of path components, escape with backslash. */
bool rt_path_match(const char *pattern, const char *path);

#endif
