/* registry_ref.h - image references, parsed and normalised as Docker does
 * (the distribution project's reference grammar):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path
 *   domain    := host [ ":" port ]     host: DNS name, IPv4 or [IPv6]
 *   path      := component ( "/" component )*
 *   component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest    := "sha256:" 64 lowercase hex (sha384/sha512 likewise)
 *
 * The first path element is a registry host when it contains "." or ":", is
 * "localhost", or has upper case; otherwise the registry is docker.io, and a
 * single-element docker.io path gets "library/" ("busybox" ->
 * docker.io/library/busybox).  index.docker.io is docker.io.  The full name
 * (domain "/" path) is at most 255 characters. */
#ifndef BERTH_RT_REGISTRY_REF_H
#define BERTH_RT_REGISTRY_REF_H

#include "err.h"

#define REG_DEFAULT_DOMAIN "docker.io"

struct reg_ref {
        char *domain; /* "docker.io", "localhost:5000", "[::1]:5000" */
        char *path;   /* "library/busybox" */
        char *tag;    /* NULL when the reference has none */
        char *digest; /* "sha256:<hex>", NULL when none */
};

/* Parse and normalise s.  Errors (EINVAL) use Docker's words: "invalid
 * reference format", "... repository name (x) must be lowercase", ... */
int reg_ref_parse(const char *s, struct reg_ref *out, err_t *err);
void reg_ref_free(struct reg_ref *r);

/* Docker's ParseDockerRef: a reference with neither tag nor digest gets tag
 * "latest"; one with a digest loses its tag. */
void reg_ref_default_tag(struct reg_ref *r);

/* "docker.io/library/busybox" (caller frees). */
char *reg_ref_name(const struct reg_ref *r);
/* The name as Docker displays it: "busybox", "foo/bar",
 * "localhost:5000/app" (caller frees). */
char *reg_ref_familiar_name(const struct reg_ref *r);
/* Familiar name plus ":tag" and "@digest" when set (caller frees). */
char *reg_ref_familiar_string(const struct reg_ref *r);
/* Full name plus ":tag" and "@digest" when set (caller frees). */
char *reg_ref_string(const struct reg_ref *r);

/* Is s a valid digest ("sha256:<64 lowercase hex>", sha384, sha512)? */
int reg_digest_valid(const char *s);

#endif
