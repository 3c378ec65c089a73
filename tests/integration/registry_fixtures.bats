#!/usr/bin/env bats
# The registry fixtures of registry_common.bash answer as a registry would:
# plain HTTP, TLS + htpasswd Basic, Bearer tokens (Docker Hub's flow), and
# skopeo can push the test images into them.

load registry_common
bats_require_minimum_version 1.5.0

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-rq.XXXXXX)
        export BERTH_ADDRESS_POOLS=10.255.0.0/20:24
        reg_setup_file
        reg_start plain P
        reg_start tls T
        reg_start token K
        reg_start token-tls KT --anonymous-pull
}

teardown_file() {
        "$BERTH" rm -f rq-reg2 >/dev/null 2>&1 || true
        "$BERTH" network rm bridge >/dev/null 2>&1 || true
        reg_teardown_file
        rm -rf "$BERTH_ROOT"
}

code_of() { # URL [curl args]: print the HTTP status and keep the headers in $BATS_TEST_TMPDIR/h
        curl -s -o /dev/null -D "$BATS_TEST_TMPDIR/h" -w '%{http_code}' "$@"
}

@test "plain registry: /v2/ answers 200 without credentials, and skopeo pushes both manifest kinds" {
        [ "$(code_of "$P_URL/v2/")" = 200 ]
        grep -qi '^Docker-Distribution-Api-Version: registry/2.0' "$BATS_TEST_TMPDIR/h"
        reg_push_busybox P rq/busybox:v2 v2s2
        reg_push_busybox P rq/busybox:oci oci
        run skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/busybox:v2"
        [ "$status" -eq 0 ]
        [ "$(jq -r .mediaType <<<"$output")" = application/vnd.docker.distribution.manifest.v2+json ]
        run skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/busybox:oci"
        [ "$(jq -r .mediaType <<<"$output")" = application/vnd.oci.image.manifest.v1+json ]
        # the digest helper is the sha256 of the manifest bytes the registry serves
        d=$(reg_digest P rq/busybox:v2)
        [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
                "$P_URL/v2/rq/busybox/manifests/$d")" = 200 ]
}

@test "plain registry: multi-arch OCI index and Docker manifest list" {
        reg_push_index P rq/multi:oci oci
        reg_push_index P rq/multi:v2 v2s2
        run skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/multi:oci"
        [ "$(jq -r .mediaType <<<"$output")" = application/vnd.oci.image.index.v1+json ]
        [ "$(jq -r '[.manifests[].platform.architecture]|join(",")' <<<"$output")" = amd64,arm64 ]
        run skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/multi:v2"
        [ "$(jq -r .mediaType <<<"$output")" = application/vnd.docker.distribution.manifest.list.v2+json ]
        run skopeo inspect --tls-verify=false --override-arch arm64 "docker://$P_HOST/rq/multi:v2"
        [ "$status" -eq 0 ]
        [ "$(jq -r .Architecture <<<"$output")" = arm64 ]
}

@test "TLS registry: the test CA verifies it, /v2/ asks for Basic and accepts the htpasswd account" {
        # without the CA the certificate is not trusted
        run curl -s -o /dev/null "$T_URL/v2/"
        [ "$status" -ne 0 ]
        [ "$(code_of --cacert "$T_CA" "$T_URL/v2/")" = 401 ]
        grep -qi '^WWW-Authenticate: Basic realm="berth-test-realm"' "$BATS_TEST_TMPDIR/h"
        [ "$(code_of --cacert "$T_CA" -u "$T_USER:wrong" "$T_URL/v2/")" = 401 ]
        [ "$(code_of --cacert "$T_CA" -u "$T_USER:$T_PASS" "$T_URL/v2/")" = 200 ]
        grep -q '^berthuser:\$2y\$' "$T_DIR/htpasswd"
        reg_push_busybox T rq/busybox:tls
        run skopeo inspect --cert-dir "$T_CERTS" --creds "$T_USER:$T_PASS" "docker://$T_HOST/rq/busybox:tls"
        [ "$status" -eq 0 ]
        run skopeo inspect --cert-dir "$T_CERTS" --creds "$T_USER:nope" "docker://$T_HOST/rq/busybox:tls"
        [ "$status" -ne 0 ]
}

@test "token registry: /v2/ sends a Bearer challenge, the token server issues tokens the registry accepts" {
        [ "$(code_of "$K_URL/v2/")" = 401 ]
        grep -qi "^WWW-Authenticate: Bearer realm=\"$K_TOKEN_URL\",service=\"berth-test-registry\"" "$BATS_TEST_TMPDIR/h"
        # anonymous: a token without access, which the registry refuses
        tok=$(curl -s "$K_TOKEN_URL?service=berth-test-registry" | jq -r .token)
        [ -n "$tok" ]
        [ "$tok" != null ]
        [ "$(code_of -H "Authorization: Bearer $tok" "$K_URL/v2/")" = 200 ]
        [ "$(code_of -H "Authorization: Bearer $tok" "$K_URL/v2/rq/x/tags/list")" = 401 ]
        grep -qi 'scope="repository:rq/x:pull"' "$BATS_TEST_TMPDIR/h"
        # wrong password: 401 from the token server
        [ "$(code_of -u "$K_USER:bad" "$K_TOKEN_URL?service=berth-test-registry")" = 401 ]
        # the account gets the scope it asks for
        tok=$(curl -s -u "$K_USER:$K_PASS" "$K_TOKEN_URL?service=berth-test-registry&scope=repository:rq/x:pull,push" | jq -r .token)
        [ "$(code_of -H "Authorization: Bearer $tok" "$K_URL/v2/rq/x/tags/list")" = 404 ] # authorized, repo unknown
        # a token signed by another key is refused
        forged=$(cut -d. -f1-2 <<<"$tok").$(printf 'AAAA')
        [ "$(code_of -H "Authorization: Bearer $forged" "$K_URL/v2/")" = 401 ]
        reg_push_busybox K rq/busybox:tok
        run skopeo inspect --tls-verify=false --creds "$K_USER:$K_PASS" "docker://$K_HOST/rq/busybox:tok"
        [ "$status" -eq 0 ]
        grep -q '"user": "berthuser".*"status": 200' "$K_TOKEN_LOG"
        run ! grep -q "$K_PASS" "$K_TOKEN_LOG"
}

@test "token-tls registry: realm on https, anonymous pull allowed with --anonymous-pull" {
        [ "$(code_of --cacert "$KT_CA" "$KT_URL/v2/")" = 401 ]
        grep -qi "^WWW-Authenticate: Bearer realm=\"https://127.0.0.1:" "$BATS_TEST_TMPDIR/h"
        reg_push_busybox KT rq/pub:1
        tok=$(curl -s --cacert "$KT_CA" "$KT_TOKEN_URL?service=berth-test-registry&scope=repository:rq/pub:pull,push" | jq -r .token)
        [ "$(code_of --cacert "$KT_CA" -H "Authorization: Bearer $tok" "$KT_URL/v2/rq/pub/tags/list")" = 200 ]
        # anonymous got pull only
        tail -1 "$KT_TOKEN_LOG" | jq -e '.user == null and .access == [{"type":"repository","name":"rq/pub","actions":["pull"]}]'
}

@test "registry:2 image from the docker-registry package runs under berth with -p 5000" {
        reg_make_registry_image rq-registry:2
        run "$BERTH" image inspect rq-registry:2
        [ "$status" -eq 0 ]
        [ "$(jq -c '.[0].Config|[.Entrypoint,.Cmd,(.ExposedPorts|keys),(.Volumes|keys)]' <<<"$output")" = \
                '[["/bin/registry","serve"],["/etc/docker/registry/config.yml"],["5000/tcp"],["/var/lib/registry"]]' ]
        port=$(reg_free_port)
        run "$BERTH" run -d --name rq-reg2 -p "127.0.0.1:$port:5000" rq-registry:2
        [ "$status" -eq 0 ]
        reg_wait_200 "http://127.0.0.1:$port/v2/"
        "$BERTH" rm -f rq-reg2
}
