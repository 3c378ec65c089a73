#!/usr/bin/env bats
# berth login / logout / push against a real registry (Debian's
# docker-registry): plain HTTP, TLS + htpasswd Basic, Bearer tokens from a
# token server; skopeo (an independent client) reads back what berth pushed.
# Name prefix rq, subnets 10.255.0.0/16.
load registry_common
bats_require_minimum_version 1.5.0

setup_file() {
        reg_setup_root rq 10.255.0.0/20:24
        export BERTH_CERTS_D=$BERTH_ROOT/certs.d
        reg_start plain P
        reg_start tls T
        reg_start token K
        # berth trusts the test CA for the TLS registry through certs.d
        mkdir -p "$BERTH_CERTS_D/$T_HOST"
        cp "$T_CA" "$BERTH_CERTS_D/$T_HOST/ca.crt"
}

teardown_file() {
        local ids
        ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
        [ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
        "$BERTH" network rm bridge >/dev/null 2>&1 || true
        reg_teardown_file
        rm -rf "$BERTH_ROOT"
}

# skopeo's view of a manifest: its digest
raw_digest() { # NAME REF
        reg_digest "$1" "$2"
}

@test "login/logout (TLS + Basic): wrong password is unauthorized with a hint, config.json 0600, logout removes it" {
        run "$BERTH" login -u "$T_USER" --password-stdin "$T_HOST" <<<"wrong-password"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* ]]
        [[ "$output" == *"check the user name and password"* ]]
        [[ "$output" != *"wrong-password"* ]]
        [ ! -e "$DOCKER_CONFIG/config.json" ]

        run "$BERTH" login -u "$T_USER" --password-stdin "$T_HOST" <<<"$T_PASS"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Login Succeeded"* ]]
        [[ "$output" == *"WARNING! Your password will be stored unencrypted in $DOCKER_CONFIG/config.json"* ]]
        [[ "$output" != *"$T_PASS"* ]]
        [ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ]
        [ "$(jq -r --arg h "$T_HOST" '.auths[$h].auth' "$DOCKER_CONFIG/config.json" | base64 -d)" = "$T_USER:$T_PASS" ]

        # stored credentials are used without asking
        run "$BERTH" login "$T_HOST" </dev/null
        [ "$status" -eq 0 ]
        [[ "$output" == *"Authenticating with existing credentials..."* ]]
        [[ "$output" == *"Login Succeeded"* ]]

        # keys berth does not know survive its writes
        jq '. + {"psFormat": "table {{.ID}}"}' "$DOCKER_CONFIG/config.json" >"$BATS_TEST_TMPDIR/c" &&
                cp "$BATS_TEST_TMPDIR/c" "$DOCKER_CONFIG/config.json"
        run "$BERTH" logout "$T_HOST"
        [ "$status" -eq 0 ]
        [ "$output" = "Removing login credentials for $T_HOST" ]
        [ "$(jq -r --arg h "$T_HOST" '.auths[$h]' "$DOCKER_CONFIG/config.json")" = null ]
        [ "$(jq -r .psFormat "$DOCKER_CONFIG/config.json")" = "table {{.ID}}" ]
        run "$BERTH" logout "$T_HOST"
        [ "$output" = "Not logged in to $T_HOST" ]

        run "$BERTH" login -u "$T_USER" -p x --password-stdin "$T_HOST" </dev/null
        [ "$status" -ne 0 ]
        [[ "$output" == *"--password and --password-stdin are mutually exclusive"* ]]
        run "$BERTH" login --password-stdin "$T_HOST" </dev/null
        [[ "$output" == *"Must provide --username with --password-stdin"* ]]
}

@test "login -p: Docker's warning, and the password leaves berth's command line and never reaches a helper's arguments" {
        # a credential helper that records berth's command line while berth
        # waits for it, and its own arguments
        h=$BATS_TEST_TMPDIR/bin
        mkdir -p "$h"
        cat >"$h/docker-credential-rqtest" <<EOF
#!/bin/sh
tr '\0' ' ' </proc/\$PPID/cmdline >"$h/berth-cmdline"
echo "\$*" >>"$h/args"
cat >"$h/stdin-\$1"
EOF
        chmod +x "$h/docker-credential-rqtest"
        mkdir -p "$DOCKER_CONFIG"
        echo '{"credsStore": "rqtest"}' >"$DOCKER_CONFIG/config.json"
        PATH=$h:$PATH run "$BERTH" login -u "$T_USER" -p "$T_PASS" "$T_HOST"
        [ "$status" -eq 0 ]
        [[ "$output" == *"WARNING! Using --password via the CLI is insecure. Use --password-stdin."* ]]
        [[ "$output" == *"Login Succeeded"* ]]
        [[ "$output" != *"stored unencrypted"* ]]
        grep -q "login -u $T_USER -p" "$h/berth-cmdline"
        run ! grep -q "$T_PASS" "$h/berth-cmdline"
        [ "$(cat "$h/args")" = store ]
        [ "$(jq -r .Secret "$h/stdin-store")" = "$T_PASS" ]
        [ "$(jq -r .ServerURL "$h/stdin-store")" = "$T_HOST" ]
        run ! grep -q "$T_PASS" "$DOCKER_CONFIG/config.json"
        rm -f "$DOCKER_CONFIG/config.json"
}

@test "login on a terminal: prompts for user and password, the password is not echoed" {
        rm -f "$DOCKER_CONFIG/config.json"
        # answer each prompt only once it is shown, as a person would
        run python3 - "$T_USER" "$T_PASS" "$BERTH" login "$T_HOST" <<'PY'
import os, pty, select, sys, time
user, pw, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out, sent, end = b"", 0, time.time() + 20
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if sent == 0 and b"Username: " in out:
        os.write(fd, user.encode() + b"\n"); sent = 1
    elif sent == 1 and b"Password: " in out:
        os.write(fd, pw.encode() + b"\n"); sent = 2
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))
PY
        [ "$status" -eq 0 ]
        [[ "$output" == *"Username: "* ]]
        [[ "$output" == *"Password: "* ]]
        [[ "$output" == *"Login Succeeded"* ]]
        [[ "$output" != *"$T_PASS"* ]]
        [ "$(jq -r --arg h "$T_HOST" '.auths[$h].auth' "$DOCKER_CONFIG/config.json" | base64 -d)" = "$T_USER:$T_PASS" ]
        "$BERTH" logout "$T_HOST" >/dev/null
}

@test "login/logout (Bearer token server): wrong password unauthorized, right one succeeds" {
        run "$BERTH" login -u "$K_USER" --password-stdin "$K_HOST" <<<"nope"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* ]]
        [[ "$output" == *"check the user name and password"* ]]
        run "$BERTH" login -u "$K_USER" --password-stdin "$K_HOST" <<<"$K_PASS"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Login Succeeded"* ]]
        tail -1 "$K_TOKEN_LOG" | jq -e '.user == "berthuser" and .status == 200'
        run ! grep -q "$K_PASS" "$K_TOKEN_LOG"
}

@test "push (plain HTTP): skopeo reads back the same digest; a second push skips the layer; another repo mounts it" {
        "$BERTH" tag busybox:latest "$P_HOST/rq/bb:1"
        run "$BERTH" push "$P_HOST/rq/bb:1"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "The push refers to repository [$P_HOST/rq/bb]" ]
        [[ "$output" == *": Pushed"* ]]
        d=$(raw_digest P rq/bb:1)
        [[ "${lines[-1]}" == "1: digest: $d size: "* ]]
        # the config is the image itself: same image ID on the other side
        id=$("$BERTH" image inspect busybox:latest | jq -r '.[0].Id')
        run skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/bb:1"
        [ "$(jq -r .config.digest <<<"$output")" = "$id" ]
        [ "$(jq -r .mediaType <<<"$output")" = application/vnd.docker.distribution.manifest.v2+json ]
        # skopeo copies it out and verifies every blob digest
        skopeo copy -q --src-tls-verify=false "docker://$P_HOST/rq/bb:1" "dir:$BATS_TEST_TMPDIR/out"
        [ "$(sha256sum <"$BATS_TEST_TMPDIR/out/manifest.json" | cut -d' ' -f1)" = "${d#sha256:}" ]
        run "$BERTH" image inspect "$P_HOST/rq/bb:1"
        [ "$(jq -r '.[0].RepoDigests[0]' <<<"$output")" = "$P_HOST/rq/bb@$d" ]

        run "$BERTH" push "$P_HOST/rq/bb:1"
        [ "$status" -eq 0 ]
        [[ "$output" == *": Layer already exists"* ]]
        [[ "${lines[-1]}" == "1: digest: $d size: "* ]]

        "$BERTH" tag busybox:latest "$P_HOST/rq/copy:2"
        run "$BERTH" push "$P_HOST/rq/copy:2"
        [ "$status" -eq 0 ]
        [[ "$output" == *": Mounted from rq/bb"* ]]
        [ "$(raw_digest P rq/copy:2)" = "$d" ]
        grep -q 'mount=sha256' "$P_DIR/registry.log"
}

@test "push -q, -a, chunked upload of a new layer, and errors" {
        # a fresh image with its own layer, uploaded in 64 KiB PATCH chunks
        head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/blob"
        tar -C "$BATS_TEST_TMPDIR" -cf "$BATS_TEST_TMPDIR/rootfs.tar" blob
        "$BERTH" import "$BATS_TEST_TMPDIR/rootfs.tar" "$P_HOST/rq/rand:a" >/dev/null
        "$BERTH" tag "$P_HOST/rq/rand:a" "$P_HOST/rq/rand:b"
        BERTH_PUSH_CHUNK_SIZE=65536 run "$BERTH" push -a "$P_HOST/rq/rand"
        [ "$status" -eq 0 ]
        [[ "$output" == *"a: digest: sha256:"* ]]
        [[ "$output" == *"b: digest: sha256:"* ]]
        [ "$(grep -c 'PATCH /v2/rq/rand/blobs/uploads/' "$P_DIR/registry.log")" -ge 4 ]
        skopeo copy -q --src-tls-verify=false "docker://$P_HOST/rq/rand:b" "dir:$BATS_TEST_TMPDIR/rand"
        run "$BERTH" push -q "$P_HOST/rq/rand:a"
        [ "$status" -eq 0 ]
        [ "$output" = "$P_HOST/rq/rand:a" ]
        run "$BERTH" image push -q "$P_HOST/rq/rand:b"
        [ "$status" -eq 0 ]
        [ "$output" = "$P_HOST/rq/rand:b" ]

        run "$BERTH" push "$P_HOST/rq/missing:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"An image does not exist locally with the tag: $P_HOST/rq/missing"* ]]
        run "$BERTH" push -a "$P_HOST/rq/rand:a"
        [ "$status" -ne 0 ]
        [[ "$output" == *"tag can't be used with --all-tags/-a"* ]]
}

@test "push (TLS + Basic, Bearer tokens): needs a login, then skopeo reads back identical digests" {
        "$BERTH" tag busybox:latest "$T_HOST/rq/bb:tls"
        rm -f "$DOCKER_CONFIG/config.json"
        run "$BERTH" push "$T_HOST/rq/bb:tls"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* ]]
        [[ "$output" == *"berth login $T_HOST"* ]]
        "$BERTH" login -u "$T_USER" --password-stdin "$T_HOST" <<<"$T_PASS" >/dev/null 2>&1
        run "$BERTH" push "$T_HOST/rq/bb:tls"
        [ "$status" -eq 0 ]
        d=$(raw_digest T rq/bb:tls)
        [[ "${lines[-1]}" == "tls: digest: $d size: "* ]]

        "$BERTH" tag busybox:latest "$K_HOST/rq/bb:tok"
        run "$BERTH" push "$K_HOST/rq/bb:tok"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* || "$output" == *"denied"* ]]
        "$BERTH" login -u "$K_USER" --password-stdin "$K_HOST" <<<"$K_PASS" >/dev/null 2>&1
        run "$BERTH" push "$K_HOST/rq/bb:tok"
        [ "$status" -eq 0 ]
        d=$(raw_digest K rq/bb:tok)
        [[ "${lines[-1]}" == "tok: digest: $d size: "* ]]
        # the token asked for covers pull and push of the repository
        grep '"user": "berthuser"' "$K_TOKEN_LOG" | grep -q '"repository:rq/bb:pull,push"'
        # another repository: the token also covers pulling from the mount source
        "$BERTH" tag busybox:latest "$K_HOST/rq/other:tok"
        run "$BERTH" push "$K_HOST/rq/other:tok"
        [ "$status" -eq 0 ]
        [[ "$output" == *": Mounted from rq/bb"* ]]
        tail -1 "$K_TOKEN_LOG" | jq -e '.scope == ["repository:rq/other:pull,push", "repository:rq/bb:pull"]'
}

@test "push of a pulled image keeps its manifest digest (OCI manifest, and the amd64 entry of an index)" {
        reg_push_busybox P rq/skopeo-oci:1 oci
        reg_push_index P rq/skopeo-multi:1 oci
        want=$(raw_digest P rq/skopeo-oci:1)
        "$BERTH" pull -q "$P_HOST/rq/skopeo-oci:1" >/dev/null
        "$BERTH" tag "$P_HOST/rq/skopeo-oci:1" "$P_HOST/rq/repushed:1"
        run "$BERTH" push "$P_HOST/rq/repushed:1"
        [ "$status" -eq 0 ]
        [[ "${lines[-1]}" == "1: digest: $want size: "* ]]
        [ "$(raw_digest P rq/repushed:1)" = "$want" ]
        run skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/repushed:1"
        [ "$(jq -r .mediaType <<<"$output")" = application/vnd.oci.image.manifest.v1+json ]

        "$BERTH" pull -q "$P_HOST/rq/skopeo-multi:1" >/dev/null
        amd64=$(skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/skopeo-multi:1" |
                jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest')
        "$BERTH" tag "$P_HOST/rq/skopeo-multi:1" "$P_HOST/rq/repushed:multi"
        run "$BERTH" push "$P_HOST/rq/repushed:multi"
        [ "$status" -eq 0 ]
        [[ "${lines[-1]}" == "multi: digest: $amd64 size: "* ]]
}

@test "private registry walk-through: run registry:2, tag localhost:PORT/NAME, push, rmi, pull, run" {
        reg_make_registry_image registry:2
        port=$(reg_free_port)
        run "$BERTH" run -d --name rq-registry -p "$port:5000" registry:2
        [ "$status" -eq 0 ]
        reg_wait_200 "http://127.0.0.1:$port/v2/"
        "$BERTH" tag busybox:latest "localhost:$port/rq-walk"
        run "$BERTH" push "localhost:$port/rq-walk"
        [ "$status" -eq 0 ]
        [[ "$output" == *"latest: digest: sha256:"* ]]
        d=$(skopeo inspect --tls-verify=false --raw "docker://localhost:$port/rq-walk" | sha256sum | cut -d' ' -f1)
        [[ "${lines[-1]}" == "latest: digest: sha256:$d size: "* ]]
        "$BERTH" rmi "localhost:$port/rq-walk" >/dev/null
        run "$BERTH" pull "localhost:$port/rq-walk"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Digest: sha256:$d"* ]]
        run "$BERTH" run --rm "localhost:$port/rq-walk" echo walk-through-ok
        [ "$status" -eq 0 ]
        [ "$output" = walk-through-ok ]
        "$BERTH" rm -f rq-registry >/dev/null
}

@test "compose push: built services that name an image are pushed, others skipped; --ignore-push-failures" {
        d=$BATS_TEST_TMPDIR/proj
        mkdir -p "$d/web"
        printf 'FROM busybox:latest\nRUN echo compose-push >/built\n' >"$d/web/Dockerfile"
        bad=127.0.0.1:$(reg_free_port)
        cat >"$d/compose.yaml" <<YAML
services:
  web:
    build: ./web
    image: $P_HOST/rq/compose-web:1
  plain:
    image: busybox:latest
  local:
    build: ./web
  broken:
    build: ./web
    image: $bad/rq/nowhere:1
YAML
        run "$BERTH" compose -f "$d/compose.yaml" -p rqpush build
        [ "$status" -eq 0 ]
        run "$BERTH" compose -f "$d/compose.yaml" -p rqpush push web plain local
        [ "$status" -eq 0 ]
        [[ "$output" == *"Service plain  Skipped"* ]]
        [[ "$output" == *"Service local  Skipped"* ]]
        [[ "$output" == *"Service web  Pushed $P_HOST/rq/compose-web:1@sha256:"* ]]
        id=$("$BERTH" image inspect "$P_HOST/rq/compose-web:1" | jq -r '.[0].Id')
        run skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/compose-web:1"
        [ "$(jq -r .config.digest <<<"$output")" = "$id" ]

        run "$BERTH" compose -f "$d/compose.yaml" -p rqpush push
        [ "$status" -ne 0 ]
        [[ "$output" == *"Service broken  Error"* ]]
        run "$BERTH" compose -f "$d/compose.yaml" -p rqpush push --ignore-push-failures
        [ "$status" -eq 0 ]
        [[ "$output" == *"Pushing broken: "* ]]
        [[ "$output" == *"Service web  Pushed"* ]]
}

@test "push of a multi-layer built image: every layer up (in parallel), skopeo copies it back" {
        d=$BATS_TEST_TMPDIR/ctx
        mkdir -p "$d"
        printf 'FROM busybox:latest\nRUN head -c 200000 /dev/urandom >/a\nRUN head -c 300000 /dev/urandom >/b\nRUN head -c 100000 /dev/urandom >/c\nRUN echo d >/d\n' >"$d/Dockerfile"
        "$BERTH" build -q -t "$P_HOST/rq/layers:1" "$d" >/dev/null
        run "$BERTH" push "$P_HOST/rq/layers:1"
        [ "$status" -eq 0 ]
        # four new layers; busybox's is uploaded, or mounted when an earlier
        # test pushed busybox to this registry
        [ "$(grep -c ': Pushed$' <<<"$output")" -ge 4 ]
        [ "$(grep -cE ': (Pushed|Mounted from .*)$' <<<"$output")" -eq 5 ]
        d1=$(raw_digest P rq/layers:1)
        [[ "${lines[-1]}" == "1: digest: $d1 size: "* ]]
        skopeo copy -q --src-tls-verify=false "docker://$P_HOST/rq/layers:1" "dir:$BATS_TEST_TMPDIR/layers"
        [ "$(jq '.layers | length' "$BATS_TEST_TMPDIR/layers/manifest.json")" -eq 5 ]
        # the layers berth compressed are kept: a push elsewhere sends the same bytes
        "$BERTH" tag "$P_HOST/rq/layers:1" "$T_HOST/rq/layers:1"
        "$BERTH" login -u "$T_USER" --password-stdin "$T_HOST" <<<"$T_PASS" >/dev/null 2>&1
        run "$BERTH" push "$T_HOST/rq/layers:1"
        [ "$status" -eq 0 ]
        [[ "${lines[-1]}" == "1: digest: $d1 size: "* ]]
}

@test "push of an image built FROM a pulled one: the base layers are mounted from the base's repository, not uploaded" {
        reg_push_busybox P rq/base:1 oci
        "$BERTH" pull -q "$P_HOST/rq/base:1" >/dev/null
        base=$(skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/base:1" | jq -r '.layers[0].digest')
        [ -n "$base" ]
        d=$BATS_TEST_TMPDIR/app
        mkdir -p "$d"
        printf 'FROM %s\nRUN echo app >/app\n' "$P_HOST/rq/base:1" >"$d/Dockerfile"
        "$BERTH" build -q -t "$P_HOST/rq/app:1" "$d" >/dev/null
        run "$BERTH" push "$P_HOST/rq/app:1"
        [ "$status" -eq 0 ]
        [ "$(grep -c ': Pushed$' <<<"$output")" -eq 1 ]
        [[ "$output" == *": Mounted from rq/"* ]]
        # the base layer is one of the blobs the registry already has
        run skopeo inspect --tls-verify=false --raw "docker://$P_HOST/rq/app:1"
        [ "$(jq -r '.layers | length' <<<"$output")" -eq 2 ]
        l0=$(jq -r '.layers[0].digest' <<<"$output")
        grep -q "\"$base\"\|$l0" "$P_DIR/registry.log"
        skopeo copy -q --src-tls-verify=false "docker://$P_HOST/rq/app:1" "dir:$BATS_TEST_TMPDIR/appout"
}

@test "push against a registry that fails: an HTTP 500 mid-upload and a wrong stored digest are clear errors" {
        # a fake registry: blob PUTs fail with 500 until the file "ok" exists,
        # then they succeed but claim another digest
        port=$(reg_free_port)
        python3 - "$port" "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/fake.log" 2>&1 3>&- <<'PY' &
import http.server, os, sys
port, d = int(sys.argv[1]), sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self, code, body=b"", hdrs=()):
        self.send_response(code)
        for k, v in hdrs: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def drain(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        while n > 0:
            n -= len(self.rfile.read(min(n, 65536)))
    def do_GET(self): self.answer(200, b"{}")
    def do_HEAD(self): self.answer(404)
    def do_POST(self):
        self.drain()
        self.answer(202, hdrs=[("Location", "/v2/upload/1")])
    def do_PUT(self):
        self.drain()
        if not os.path.exists(os.path.join(d, "ok")):
            self.answer(500, b'{"errors":[{"code":"UNKNOWN","message":"disk quota exceeded"}]}',
                        [("Content-Type", "application/json")])
        else:
            self.answer(201, hdrs=[("Docker-Content-Digest", "sha256:" + "0" * 64)])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
open(os.path.join(d, "ready"), "w").close()
srv.serve_forever()
PY
        fake=$!
        for i in $(seq 1 100); do [ -e "$BATS_TEST_TMPDIR/ready" ] && break; sleep 0.05; done
        "$BERTH" tag busybox:latest "127.0.0.1:$port/rq/fail:1"
        run "$BERTH" push "127.0.0.1:$port/rq/fail:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unknown: disk quota exceeded"* ]]
        [[ "$output" == *"HTTP 500 from 127.0.0.1:$port"* ]]
        touch "$BATS_TEST_TMPDIR/ok"
        run "$BERTH" push "127.0.0.1:$port/rq/fail:1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"stored blob sha256:"*" as sha256:0000"* ]]
        kill "$fake"
        wait "$fake" 2>/dev/null || true
}
