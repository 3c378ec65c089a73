/* Image references: Docker's normalisation and grammar, cases taken from the
 * behaviour of docker's reference package (normalize and parse tests). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/registry_ref.h"
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

int main(void)
{
        /* familiar names on docker hub */
        norm("busybox", "docker.io/library/busybox", "busybox", NULL);
        norm("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", NULL);
        norm("library/busybox", "docker.io/library/busybox", "busybox", NULL);
        norm("docker.io/busybox", "docker.io/library/busybox", "busybox", NULL);
        norm("docker.io/library/busybox:latest", "docker.io/library/busybox:latest",
             "busybox:latest", NULL);
        norm("index.docker.io/library/ubuntu", "docker.io/library/ubuntu", "ubuntu", NULL);
        norm("dmcgowan/myapp", "docker.io/dmcgowan/myapp", "dmcgowan/myapp", NULL);
        norm("dmcgowan/myapp/mysubapp", "docker.io/dmcgowan/myapp/mysubapp",
             "dmcgowan/myapp/mysubapp", NULL);
        norm("docker.io/library/foo/bar", "docker.io/library/foo/bar", "library/foo/bar", NULL);
        /* registry hosts: a '.', a ':', localhost or upper case */
        norm("localhost/app", "localhost/app", "localhost/app", NULL);
        norm("localhost:5000/app", "localhost:5000/app", "localhost:5000/app", NULL);
        norm("localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app:v1", NULL);
        norm("127.0.0.1:5000/a/b:t", "127.0.0.1:5000/a/b:t", "127.0.0.1:5000/a/b:t", NULL);
        norm("gcr.io/project/image", "gcr.io/project/image", "gcr.io/project/image", NULL);
        norm("Example.COM/app", "Example.COM/app", "Example.COM/app", NULL);
        norm("Foo/bar", "Foo/bar", "Foo/bar", NULL);
        norm("myhost:5000/x", "myhost:5000/x", "myhost:5000/x", NULL);
        norm("[::1]:5000/app", "[::1]:5000/app", "[::1]:5000/app", NULL);
        norm("[2001:db8::1]/app", "[2001:db8::1]/app", "[2001:db8::1]/app", NULL);
        norm("xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com/myimage:xn--n3h.com",
             "xn--n3h.com/myimage:xn--n3h.com", NULL);
        /* a bare "host:port" without a path is a name and a tag */
        norm("localhost:5000", "docker.io/library/localhost:5000", "localhost:5000", NULL);
        /* path grammar: separators */
        norm("a_b/c__d/e---f/g.h", "docker.io/a_b/c__d/e---f/g.h", "a_b/c__d/e---f/g.h", NULL);
        /* tags */
        norm("busybox:Latest_1.2-x", "docker.io/library/busybox:Latest_1.2-x",
             "busybox:Latest_1.2-x", NULL);
        norm("busybox:_x", "docker.io/library/busybox:_x", "busybox:_x", NULL);
        /* digests */
        norm("busybox@" D64, "docker.io/library/busybox@" D64, "busybox@" D64, NULL);
        norm("localhost:5000/app:v1@" D64, "localhost:5000/app:v1@" D64,
             "localhost:5000/app:v1@" D64, NULL);

        /* rejected */
        norm("", NULL, NULL, "at least one component");
        norm("BusyBox", NULL, NULL, "repository name (library/BusyBox) must be lowercase");
        norm("docker.io/Foo/bar", NULL, NULL, "must be lowercase");
        norm("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", NULL, NULL,
             "cannot specify 64-byte hexadecimal strings");
        norm("a b", NULL, NULL, "invalid reference format");
        norm("busybox:", NULL, NULL, "invalid reference format");
        norm("busybox:-x", NULL, NULL, "invalid reference format");
        norm("busybox:.x", NULL, NULL, "invalid reference format");
        norm("-busybox", NULL, NULL, "invalid reference format");
        norm("busybox-", NULL, NULL, "invalid reference format");
        norm("a/", NULL, NULL, "invalid reference format");
        norm("a//b", NULL, NULL, "invalid reference format");
        norm("a.._b", NULL, NULL, "invalid reference format");
        norm("a___b", NULL, NULL, "invalid reference format");
        norm("a._b", NULL, NULL, "invalid reference format");
        norm("localhost:abc/x", NULL, NULL, "invalid reference format");
        norm("localhost:/x", NULL, NULL, "invalid reference format");
        norm("-host.com/x", NULL, NULL, "invalid reference format");
        norm("my_host.com/x", NULL, NULL, "invalid reference format");
        norm("x@sha256:0000", NULL, NULL, "invalid reference format");
        norm("x@sha256:FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", NULL,
             NULL, "invalid checksum digest format");
        norm("x@md5:ffffffffffffffffffffffffffffffff", NULL, NULL, "invalid checksum digest");
        norm("x@sha256:fff", NULL, NULL, "invalid reference format");
        norm("x:"
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             NULL, NULL, "invalid reference format");
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
