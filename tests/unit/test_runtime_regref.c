/* Image references: Docker's normalisation and grammar, cases taken from the
 * behaviour of docker's reference package (normalize and parse tests), in
 * tests/data/image-references.json. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/registry_ref.h"
#include "json_cases.h"
#include "tap.h"

#define D64 "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

/* want: the full normalised string (tag as given, no default), familiar
 * string, or NULL when the input must be rejected (then msg is a substring
 * of the error). */
static void norm(const char *in, const char *full, const char *familiar, const char *msg)
{
        struct reg_ref r;
        err_t err;
        int rc = reg_ref_parse(in, &r, &err);
        if (!full) {
                ok(rc < 0 && err.code == EINVAL && strstr(err.msg, msg), "rejects '%s' (%s)", in,
                   rc < 0 ? err.msg : "accepted");
                return;
        }
        if (!ok(rc == 0, "parses '%s'%s%s", in, rc ? ": " : "", rc ? err.msg : ""))
                return;
        char *f = reg_ref_string(&r), *fam = reg_ref_familiar_string(&r);
        is_str(f, full, "%s -> %s", in, full);
        is_str(fam, familiar, "%s familiar -> %s", in, familiar);
        free(f);
        free(fam);
        reg_ref_free(&r);
}

/* tests/data/image-references.json: each entry's input with its full and
 * familiar strings, or a substring of the error that rejects it ("about"
 * entries name the group that follows). */
static void reference_case(const json_t *file, const json_t *c)
{
        (void)file;
        if (jcase_str(c, "in"))
                norm(jcase_str(c, "in"), jcase_str(c, "full"), jcase_str(c, "familiar"),
                     jcase_str(c, "error"));
}

int main(void)
{
        json_cases_each("tests/data/image-references.json", NULL, reference_case);
        {
                char buf[400];
                memset(buf, 'a', sizeof(buf) - 1);
                buf[sizeof(buf) - 1] = '\0';
                norm(buf, NULL, NULL, "not be more than 255 characters");
        }

        /* defaults, familiar names */
        struct reg_ref r;
        err_t err;
        ok(reg_ref_parse("busybox", &r, &err) == 0, "parse busybox");
        reg_ref_default_tag(&r);
        is_str(r.tag, "latest", "default tag latest");
        char *n = reg_ref_familiar_name(&r);
        is_str(n, "busybox", "familiar name");
        free(n);
        n = reg_ref_name(&r);
        is_str(n, "docker.io/library/busybox", "full name");
        free(n);
        reg_ref_free(&r);
        ok(reg_ref_parse("app:v1@" D64, &r, &err) == 0, "parse tag+digest");
        reg_ref_default_tag(&r);
        ok(r.tag == NULL && r.digest && !strcmp(r.digest, D64), "a digest drops the tag");
        reg_ref_free(&r);
        ok(reg_digest_valid(D64), "digest valid");
        ok(!reg_digest_valid("sha256:abc"), "short digest invalid");
        return tap_done();
}
