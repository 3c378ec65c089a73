/* Manifests: foreign / non-distributable layers and the URLs kept for them,
 * platform specs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/registry_internal.h"
#include "tap.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char *const mf =
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
    "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1,"
    "\"digest\":\"" D1 "\"},\"layers\":["
    "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":2,"
    "\"digest\":\"" D2 "\",\"urls\":[\"http://a/ignored-but-kept\"]},"
    "{\"mediaType\":\"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip\",\"size\":3,"
    "\"digest\":\"" D3 "\",\"urls\":[\"ftp://x/y\",\"https://ok.example/b?x=1\",\"http://sp ace/\","
    "\"http://crlf/\\r\\nX: y\",\"file:///etc/passwd\",\"http:///nohost\",7,\"HTTP://UPPER/c\"]}]}";

int main(void)
{
        struct reg_manifest m;
        err_t err;
        int rc = reg_manifest_parse(mf, strlen(mf), NULL, &m, &err);
        if (!ok(rc == 0, "parses a manifest with a foreign layer%s%s", rc ? ": " : "",
                rc ? err.msg : ""))
                return tap_done();
        is_int(m.nlayers, 2, "two layers");
        ok(!m.layers[0].foreign, "a diff.tar.gzip layer is not foreign");
        ok(m.layers[1].foreign, "a foreign.diff.tar.gzip layer is foreign");
        is_int(m.layers[1].urls.n, 2, "only the usable http(s) URLs are kept");
        is_str(m.layers[1].urls.v[0], "https://ok.example/b?x=1", "https kept, in order");
        is_str(m.layers[1].urls.v[1], "HTTP://UPPER/c", "the scheme is case-insensitive");
        reg_manifest_free(&m);

        /* OCI non-distributable types */
        const char *oci[] = {"application/vnd.oci.image.layer.nondistributable.v1.tar",
                             "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                             "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"};
        for (size_t i = 0; i < 3; i++) {
                char *b = NULL;
                if (asprintf(&b,
                             "{\"schemaVersion\":2,\"config\":{\"size\":1,\"digest\":\"" D1
                             "\"},\"layers\":[{\"mediaType\":\"%s\",\"size\":1,\"digest\":\"" D2
                             "\",\"urls\":[\"http://h/x\"]}]}",
                             oci[i]) < 0)
                        return 1;
                rc = reg_manifest_parse(b, strlen(b), MT_OCI_MANIFEST, &m, &err);
                ok(rc == 0 && m.layers[0].foreign && m.layers[0].urls.n == 1, "%s is foreign",
                   oci[i]);
                if (rc == 0)
                        reg_manifest_free(&m);
                free(b);
        }

        /* platform specs */
        char *os, *arch, *var;
        ok(reg_platform_parse("linux/arm64/v8", &os, &arch, &var, &err) == 0 &&
               !strcmp(os, "linux") && !strcmp(arch, "arm64") && var && !strcmp(var, "v8"),
           "linux/arm64/v8");
        free(os);
        free(arch);
        free(var);
        ok(reg_platform_parse("linux/amd64", &os, &arch, &var, &err) == 0 && !var, "linux/amd64");
        free(os);
        free(arch);
        ok(reg_platform_parse("linux", &os, &arch, &var, &err) < 0 && err.code == EINVAL &&
               strstr(err.msg, "invalid platform"),
           "linux alone: invalid platform");
        ok(reg_platform_parse("linux/AMD64", &os, &arch, &var, &err) < 0, "upper case refused");
        ok(reg_platform_parse("linux//v7", &os, &arch, &var, &err) < 0, "empty part refused");
        return tap_done();
}
