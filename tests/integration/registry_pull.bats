#!/usr/bin/env bats
# berth pull against a real registry (Debian's docker-registry) with content
# pushed by skopeo, an independent client.  Name prefix rp, subnets
# 10.254.0.0/16.
load registry_common
load common

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-rp.XXXXXX)
        export BERTH_ADDRESS_POOLS=10.254.0.0/20:24
        export BERTH_CONFIG=$BERTH_ROOT/no-config.json
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh"
        reg_setup_file
        reg_start plain P
        reg_push_busybox P rp/busybox:v1 v2s2
        reg_push_busybox P rp/oci:v1 oci
        reg_push_index P rp/multi:v1 oci
        reg_push_index P rp/list:v1 v2s2
        # the test's own image store starts without busybox: every image is pulled
        "$BERTH" rmi busybox:latest >/dev/null
}

teardown_file() {
        local d
        for d in "$BERTH_ROOT/proj" "$BERTH_ROOT/mproj"; do
                [ ! -f "$d/compose.yaml" ] ||
                        "$BERTH" compose -f "$d/compose.yaml" down -v -t 0 --remove-orphans >/dev/null 2>&1
        done
        berth_clean_root
        # the python registries of a test that failed half way
        local f
        for f in "$REG_BASE/bad.pid" "$REG_BASE/slow.pid"; do
                [ ! -f "$f" ] || kill "$(cat "$f")" 2>/dev/null || true
        done
        reg_teardown_file
}

@test "pull: a Docker v2 schema 2 image pushed by skopeo is pulled and runs" {
        run "$BERTH" pull "$P_HOST/rp/busybox:v1"
        [ "$status" -eq 0 ]
        [[ "$output" == *"v1: Pulling from rp/busybox"* ]]
        [[ "$output" == *": Pull complete"* ]]
        want=$(reg_digest P rp/busybox:v1)
        [[ "$output" == *"Digest: $want"* ]]
        [[ "$output" == *"Status: Downloaded newer image for $P_HOST/rp/busybox:v1"* ]]
        [ "${lines[-1]}" = "$P_HOST/rp/busybox:v1" ]
        run "$BERTH" run --rm "$P_HOST/rp/busybox:v1" echo pulled-and-ran
        [ "$status" -eq 0 ]
        [ "$output" = "pulled-and-ran" ]
        # RepoDigests recorded, and the name@digest form finds the image
        run "$BERTH" image inspect "$P_HOST/rp/busybox:v1"
        [ "$(echo "$output" | jq -r '.[0].RepoDigests[0]')" = "$P_HOST/rp/busybox@$want" ]
        run "$BERTH" run --rm "$P_HOST/rp/busybox@$want" true
        [ "$status" -eq 0 ]
        # a second pull downloads nothing
        run "$BERTH" pull "$P_HOST/rp/busybox:v1"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Status: Image is up to date for $P_HOST/rp/busybox:v1"* ]]
        [[ "$output" != *"Pull complete"* ]]
}

@test "pull: OCI manifest; layers already present are not fetched again; -q" {
        run "$BERTH" pull -q "$P_HOST/rp/oci:v1"
        [ "$status" -eq 0 ]
        [ "$output" = "$P_HOST/rp/oci:v1" ]
        # same layer as rp/busybox: Already exists, no blob GET for it
        "$BERTH" rmi "$P_HOST/rp/oci:v1" >/dev/null
        before=$(grep -c 'GET /v2/rp/oci/blobs/' "$P_DIR/registry.log" || true)
        run "$BERTH" pull "$P_HOST/rp/oci:v1"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Already exists"* ]]
        after=$(grep -c 'GET /v2/rp/oci/blobs/' "$P_DIR/registry.log" || true)
        # only the config blob was fetched
        [ $((after - before)) -eq 1 ]
}

@test "pull -a: every tag of the repository" {
        reg_push_busybox P rp/alltags:one
        reg_push_busybox P rp/alltags:two oci
        run "$BERTH" pull -a "$P_HOST/rp/alltags:one"
        [ "$status" -ne 0 ]
        [[ "$output" == *"tag can't be used with --all-tags/-a"* ]]
        run "$BERTH" pull -a -q "$P_HOST/rp/alltags"
        [ "$status" -eq 0 ]
        "$BERTH" image inspect "$P_HOST/rp/alltags:one" "$P_HOST/rp/alltags:two" >/dev/null
}

@test "pull: a multi-arch index picks linux/amd64, or --platform's entry" {
        run "$BERTH" pull "$P_HOST/rp/multi:v1"
        [ "$status" -eq 0 ]
        run "$BERTH" image inspect "$P_HOST/rp/multi:v1"
        [ "$(echo "$output" | jq -r '.[0].Architecture')" = amd64 ]
        run "$BERTH" pull --platform linux/arm64/v8 "$P_HOST/rp/list:v1"
        [ "$status" -eq 0 ]
        run "$BERTH" image inspect "$P_HOST/rp/list:v1"
        [ "$(echo "$output" | jq -r '.[0].Architecture')" = arm64 ]
        # the RepoDigest is the index's digest, as Docker records it
        [ "$(echo "$output" | jq -r '.[0].RepoDigests[0]')" = "$P_HOST/rp/list@$(reg_digest P rp/list:v1)" ]
        run_fails any "no matching manifest for linux/s390x in the manifest list entries" \
                "$BERTH" pull --platform linux/s390x "$P_HOST/rp/multi:v1"
        run_fails any "invalid platform" "$BERTH" pull --platform nonsense "$P_HOST/rp/multi:v1"
}

@test "pull: errors in Docker's words, no image left behind" {
        run "$BERTH" pull "$P_HOST/rp/nothere:v9"
        [ "$status" -ne 0 ]
        [[ "$output" == *"manifest for $P_HOST/rp/nothere:v9 not found: manifest unknown"* ]]
        port=$(reg_free_port)
        run "$BERTH" pull "127.0.0.1:$port/rp/x"
        [ "$status" -ne 0 ]
        [[ "$output" == *"127.0.0.1:$port"* ]]
        [[ "$output" == *"onnect"* ]]
        run "$BERTH" pull "RP/Upper"
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid reference format"* ]]
        run "$BERTH" images
        [ "$status" -eq 0 ]
        [[ "$output" == *REPOSITORY* && "$output" != *nothere* ]]
}

# config.json with credentials for HOST (Docker's format, as docker login writes it)
rp_docker_config() {
        local dir=$1 host=$2 user=$3 pass=$4
        mkdir -p "$dir"
        printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$host" \
                "$(printf '%s:%s' "$user" "$pass" | base64 -w0)" >"$dir/config.json"
        chmod 600 "$dir/config.json"
}

@test "pull: TLS with a certs.d CA and htpasswd Basic auth" {
        reg_start tls T
        reg_push_busybox T rp/private:v1
        export DOCKER_CONFIG=$BERTH_ROOT/dc-empty
        mkdir -p "$DOCKER_CONFIG"
        # loopback without its usual plain-HTTP exception: TLS is verified
        export BERTH_REGISTRY_LOOPBACK_SECURE=1
        export BERTH_CERTS_D=$BERTH_ROOT/certs.d
        run "$BERTH" pull "$T_HOST/rp/private:v1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"$T_HOST"* ]]
        [[ "$output" == *"certificate"* ]]
        mkdir -p "$BERTH_CERTS_D/$T_HOST"
        cp "$T_CA" "$BERTH_CERTS_D/$T_HOST/ca.crt"
        # trusted now, but no credentials: unauthorized, with the hint
        run "$BERTH" pull "$T_HOST/rp/private:v1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* ]]
        [[ "$output" == *"berth login $T_HOST"* ]]
        # wrong password
        rp_docker_config "$BERTH_ROOT/dc-bad" "$T_HOST" "$T_USER" wrong-password
        DOCKER_CONFIG=$BERTH_ROOT/dc-bad run "$BERTH" pull "$T_HOST/rp/private:v1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* ]]
        [[ "$output" != *wrong-password* ]]
        rp_docker_config "$BERTH_ROOT/dc-good" "$T_HOST" "$T_USER" "$T_PASS"
        DOCKER_CONFIG=$BERTH_ROOT/dc-good run "$BERTH" pull "$T_HOST/rp/private:v1"
        [ "$status" -eq 0 ]
        [[ "$output" != *"$T_PASS"* ]]
        run "$BERTH" run --rm "$T_HOST/rp/private:v1" echo tls-ok
        [ "$output" = tls-ok ]
        reg_stop T
}

@test "pull: Bearer tokens from a token server (Docker Hub's flow)" {
        reg_start token K
        reg_push_busybox K rp/tok:v1
        export DOCKER_CONFIG=$BERTH_ROOT/dc-none
        mkdir -p "$DOCKER_CONFIG"
        run "$BERTH" pull "$K_HOST/rp/tok:v1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"unauthorized"* ]]
        [[ "$output" == *"berth login"* ]]
        rp_docker_config "$BERTH_ROOT/dc-k" "$K_HOST" "$K_USER" "$K_PASS"
        DOCKER_CONFIG=$BERTH_ROOT/dc-k run "$BERTH" pull "$K_HOST/rp/tok:v1"
        [ "$status" -eq 0 ]
        # the token was asked for this repository's pull scope, as that user
        grep '"scope"' "$K_TOKEN_LOG" | grep -q 'repository:rp/tok:pull'
        grep -q "\"user\": *\"$K_USER\"" "$K_TOKEN_LOG"
        ! grep -q "$K_PASS" "$K_TOKEN_LOG" || false
        reg_stop K
        # anonymous pull where the token server allows it
        reg_start token A --anonymous-pull
        reg_push_busybox A rp/anon:v1
        run "$BERTH" pull -q "$A_HOST/rp/anon:v1"
        [ "$status" -eq 0 ]
        reg_stop A
}

# bad_registry NAME: tests/tools/bad_registry.py on a free loopback port, its
# log $REG_BASE/NAME.log, its pid in $REG_BASE/NAME.pid; sets the caller's
# port and log, and returns once it answers
bad_registry() {
        port=$(reg_free_port)
        log=$REG_BASE/$1.log
        python3 "$BERTH_SRC/tests/tools/bad_registry.py" --port "$port" --log "$log" 3>&- &
        echo $! >"$REG_BASE/$1.pid"
        reg_wait_http "http://127.0.0.1:$port/v2/" "$(cat "$REG_BASE/$1.pid")"
}

# pull_fails REF TEXT: berth pull REF exits 125 (an error, not a signal) and
# its output holds TEXT
pull_fails() {
        run "$BERTH" pull "$1"
        [ "$status" -eq 125 ]
        [[ "$output" == *"$2"* ]]
}

@test "pull: a misbehaving registry gets clear errors, no partial image, no crash" {
        local port log d
        bad_registry bad
        local B=127.0.0.1:$port
        export BERTH_REGISTRY_TIMEOUT=10
        run "$BERTH" pull "$B/good:v1"
        [ "$status" -eq 0 ]
        # each failure: an error naming the problem, exit 125 (not a signal)
        pull_fails "$B/wrongdigest:v1" "filesystem layer verification failed for digest sha256:"
        pull_fails "$B/truncated:v1" "$B/v2/truncated/blobs/sha256:"
        pull_fails "$B/midstream:v1" "$B/v2/midstream/blobs/sha256:"
        pull_fails "$B/badconfig:v1" "image config verification failed for digest"
        pull_fails "$B/baddiff:v1" "verification failed"
        pull_fails "$B/huge:v1" "larger than the 4194304 bytes allowed"
        pull_fails "$B/hugechunked:v1" "larger than the 4194304 bytes allowed"
        pull_fails "$B/loop:v1" "edirect"
        pull_fails "$B/error500:v1" "the storage backend exploded"
        [[ "$output" == *"HTTP 500"* ]]
        # none of them left an image or an unverified blob
        run "$BERTH" images
        [ "$status" -eq 0 ]
        [[ "$output" == *"$B/good"* ]]
        [[ "$output" != *wrongdigest* && "$output" != *truncated* && "$output" != *midstream* ]]
        [[ "$output" != *badconfig* && "$output" != *baddiff* && "$output" != *huge* ]]
        d=$(find "$BERTH_ROOT" -type d -name downloads | head -1)
        [ -z "$(find "$d" -name 'tmp-*')" ]
        for f in "$BERTH_ROOT"/*/image/blobs/sha256/* "$BERTH_ROOT"/image/blobs/sha256/*; do
                [ -f "$f" ] || continue
                [ "$(sha256sum <"$f" | cut -c1-64)" = "$(basename "$f")" ]
        done
        # an interrupted download resumes with a Range request
        run "$BERTH" pull "$B/resume:v1"
        [ "$status" -eq 0 ]
        grep -q '^GET /v2/resume/blobs/sha256:[0-9a-f]* bytes=[1-9]' "$log"
        f=$(find "$BERTH_ROOT" -path '*/layers/*/diff/resume.txt' | head -1)
        [ "$(head -1 "$f")" = "resume payload line" ]
        [ "$(wc -l <"$f")" -eq 20000 ]
        kill "$(cat "$REG_BASE/bad.pid")"
}

@test "run/create pull a missing image; --pull always|never" {
        "$BERTH" rmi -f "$P_HOST/rp/busybox:v1" >/dev/null 2>&1 || true
        run "$BERTH" run --rm --pull never "$P_HOST/rp/busybox:v1" true
        [ "$status" -eq 125 ]
        [[ "$output" == *"No such image: $P_HOST/rp/busybox:v1"* ]]
        run "$BERTH" run --rm "$P_HOST/rp/busybox:v1" echo ran-after-pull
        [ "$status" -eq 0 ]
        [[ "$output" == *"Unable to find image '$P_HOST/rp/busybox:v1' locally"* ]]
        [[ "$output" == *"v1: Pulling from rp/busybox"* ]]
        [[ "$output" == *"Status: Downloaded newer image for $P_HOST/rp/busybox:v1"* ]]
        [ "${lines[-1]}" = ran-after-pull ]
        # present: no pull by default, a registry round trip with always
        run "$BERTH" create --name rp-created "$P_HOST/rp/busybox:v1" true
        [ "$status" -eq 0 ]
        [[ "$output" != *"Pulling"* ]]
        "$BERTH" rm rp-created >/dev/null
        run "$BERTH" run --rm --pull always "$P_HOST/rp/busybox:v1" echo again
        [ "$status" -eq 0 ]
        [[ "$output" == *"Status: Image is up to date for $P_HOST/rp/busybox:v1"* ]]
        run "$BERTH" run --rm --pull sometimes "$P_HOST/rp/busybox:v1" true
        [ "$status" -eq 125 ]
        [[ "$output" == *"invalid pull option"* ]]
}

@test "pull: docker.io names go to the registry-mirrors of BERTH_CONFIG first" {
        reg_push_busybox P library/rpmirrored:v1
        dead=$(reg_free_port)
        printf '{"registry-mirrors": ["http://127.0.0.1:%s", "%s"]}\n' "$dead" "$P_URL" \
                >"$BERTH_ROOT/mirrors.json"
        BERTH_CONFIG=$BERTH_ROOT/mirrors.json run "$BERTH" pull rpmirrored:v1
        [ "$status" -eq 0 ]
        [[ "$output" == *"v1: Pulling from library/rpmirrored"* ]]
        [[ "$output" == *"Status: Downloaded newer image for rpmirrored:v1"* ]]
        [ "${lines[-1]}" = "docker.io/library/rpmirrored:v1" ]
        # stored and shown under Docker's familiar name
        run "$BERTH" images
        [ "$status" -eq 0 ]
        echo "$output" | grep -Eq '^rpmirrored +v1 '
        ! echo "$output" | grep -q 'docker.io/' || false
        ! echo "$output" | grep -q 'library/' || false
        run "$BERTH" image inspect docker.io/library/rpmirrored:v1
        [ "$status" -eq 0 ]
        grep -q 'GET /v2/library/rpmirrored/manifests/v1' "$P_DIR/registry.log"
        # a compose file naming a docker.io image comes up with `up` alone,
        # through the mirror
        "$BERTH" rmi rpmirrored:v1 >/dev/null
        mkdir -p "$BERTH_ROOT/mproj"
        printf 'name: rpmirror\nservices:\n  m:\n    image: rpmirrored:v1\n    command: ["sleep", "300"]\n' \
                >"$BERTH_ROOT/mproj/compose.yaml"
        BERTH_CONFIG=$BERTH_ROOT/mirrors.json run "$BERTH" compose --project-directory "$BERTH_ROOT/mproj" up -d
        [ "$status" -eq 0 ]
        [ "$("$BERTH" compose --project-directory "$BERTH_ROOT/mproj" ps -q | wc -l)" -eq 1 ]
        "$BERTH" compose --project-directory "$BERTH_ROOT/mproj" down -t 0 >/dev/null 2>&1
        # a bad config file is an error naming it
        printf '{"registry-mirrors": "not-a-list"}' >"$BERTH_ROOT/bad.json"
        BERTH_CONFIG=$BERTH_ROOT/bad.json run "$BERTH" pull rpmirrored:v1
        [ "$status" -ne 0 ]
        [[ "$output" == *"bad.json"* ]]
}

@test "compose pull / up pull the services' images in parallel, each image once" {
        reg_push_busybox P rp/cmp:v1
        reg_push_busybox P rp/cmp2:v1 oci
        local d=$BERTH_ROOT/proj
        mkdir -p "$d"
        cat >"$d/compose.yaml" <<EOF2
name: rpcmp
services:
  a:
    image: $P_HOST/rp/cmp:v1
    command: ["sleep", "300"]
  b:
    image: $P_HOST/rp/cmp:v1
    command: ["sleep", "300"]
  c:
    image: $P_HOST/rp/cmp2:v1
    command: ["sleep", "300"]
    pull_policy: always
EOF2
        cd "$d"
        before=$(grep -c 'GET /v2/rp/cmp/manifests/v1' "$P_DIR/registry.log" || true)
        run "$BERTH" compose pull
        [ "$status" -eq 0 ]
        [[ "$output" == *"Pulled"* ]]
        after=$(grep -c 'GET /v2/rp/cmp/manifests/v1' "$P_DIR/registry.log" || true)
        [ $((after - before)) -eq 1 ]
        "$BERTH" image inspect "$P_HOST/rp/cmp:v1" "$P_HOST/rp/cmp2:v1" >/dev/null
        run "$BERTH" compose pull --policy sometimes
        [ "$status" -ne 0 ]
        # up with the images gone: they are pulled, then the services run
        "$BERTH" rmi "$P_HOST/rp/cmp:v1" "$P_HOST/rp/cmp2:v1" >/dev/null
        run "$BERTH" compose up -d
        [ "$status" -eq 0 ]
        [ "$("$BERTH" compose ps -q | wc -l)" -eq 3 ]
        # a second up --pull always with an unchanged registry downloads no blob
        blobs=$(grep -c 'GET /v2/rp/cmp[2]*/blobs/' "$P_DIR/registry.log" || true)
        run "$BERTH" compose up -d --pull always
        [ "$status" -eq 0 ]
        [ "$(grep -c 'GET /v2/rp/cmp[2]*/blobs/' "$P_DIR/registry.log" || true)" -eq "$blobs" ]
        # pull_policy never with a missing image: no registry request, an error
        cat >"$d/never.yaml" <<EOF2
name: rpnever
services:
  n:
    image: $P_HOST/rp/cmpnever:v1
    pull_policy: never
EOF2
        run "$BERTH" compose -f never.yaml up -d
        [ "$status" -ne 0 ]
        ! grep -q 'rp/cmpnever' "$P_DIR/registry.log" || false
        "$BERTH" compose down -t 0 >/dev/null 2>&1
}

@test "build: FROM of a missing image pulls it; --pull refreshes it" {
        reg_push_busybox P rp/base:v1
        local ctx=$BERTH_ROOT/ctx
        mkdir -p "$ctx"
        printf 'FROM %s/rp/base:v1\nRUN echo built > /built\n' "$P_HOST" >"$ctx/Dockerfile"
        run "$BERTH" build --network none -t rp-built "$ctx"
        [ "$status" -eq 0 ]
        [[ "$output" == *"v1: Pulling from rp/base"* ]]
        run "$BERTH" run --rm rp-built cat /built
        [ "$output" = built ]
        run "$BERTH" build --network none --pull -t rp-built "$ctx"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Status: Image is up to date for $P_HOST/rp/base:v1"* ]]
}

@test "pull: concurrent pulls share one download; kill -9 leaves no image, and a retry resumes" {
        local port log B
        bad_registry slow
        B=127.0.0.1:$port
        # two pulls of the same image at once: the layer is fetched once
        "$BERTH" pull -q "$B/slow:v1" >"$REG_BASE/p1.out" 2>&1 3>&- &
        local p1=$!
        "$BERTH" pull -q "$B/slow:v1" >"$REG_BASE/p2.out" 2>&1 3>&- &
        local p2=$!
        wait $p1
        wait $p2
        local layer
        layer=$(curl -s "http://$B/v2/slow/manifests/v1" | jq -r '.layers[0].digest')
        [ "$(grep -c "^GET /v2/slow/blobs/$layer " "$log")" -eq 1 ]
        "$BERTH" image inspect "$B/slow:v1" >/dev/null
        # kill -9 in the middle of a layer download
        "$BERTH" pull -q "$B/slow2:v1" >/dev/null 2>&1 3>&- &
        local pk=$!
        local part="" i
        for i in $(seq 1 100); do
                part=$(find "$BERTH_ROOT" -path '*/downloads/*.partial' -size +64k 2>/dev/null | head -1)
                [ -z "$part" ] || break
                sleep 0.05
        done
        [ -n "$part" ]
        kill -9 $pk
        wait $pk || true
        run "$BERTH" image inspect "$B/slow2:v1"
        [ "$status" -ne 0 ]
        run "$BERTH" images
        [[ "$output" != *slow2* ]]
        # the retry picks up where the killed one stopped
        run "$BERTH" pull -q "$B/slow2:v1"
        [ "$status" -eq 0 ]
        grep -q '^GET /v2/slow2/blobs/sha256:[0-9a-f]* bytes=[1-9][0-9]*-' "$log"
        # the resumed download became the verified blob
        [ ! -e "$part" ]
        [ -f "$(dirname "$part")/../blobs/sha256/$(basename "$part" .partial)" ]
        # disk full: the error says so, and no image is left
        local small=$REG_BASE/small
        mkdir -p "$small"
        mount -t tmpfs -o size=2m rp-small "$small"
        BERTH_ROOT=$small run "$BERTH" pull "$B/slow:v1"
        local st=$status out=$output
        BERTH_ROOT=$small run "$BERTH" images
        local imgs=$output
        umount "$small"
        [ "$st" -eq 125 ]
        [[ "$out" == *"No space left on device"* ]]
        [[ "$imgs" != *slow* ]]
        kill "$(cat "$REG_BASE/slow.pid")"
}

@test "pull keeps a layer as the compressed blob it came as: save, build FROM, rmi, push and an older store work" {
        local R=$BERTH_ROOT/cz S=$BERTH_ROOT/cz-load ctx=$BERTH_ROOT/cz-ctx ref=$P_HOST/rp/busybox:v1
        local st layer diff lj d f
        mkdir -p "$ctx" "$R/out"
        BERTH_ROOT=$R "$BERTH" pull -q "$ref" >/dev/null
        st=$R/lib/image
        layer=$(curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
                "$P_URL/v2/rp/busybox/manifests/v1" | jq -r '.layers[0].digest')
        diff=$(BERTH_ROOT=$R "$BERTH" image inspect "$ref" | jq -r '.[0].RootFS.Layers[0]')
        # the compressed blob is kept, verified; no uncompressed tar beside it
        [ "$(sha256sum <"$st/blobs/sha256/${layer#sha256:}" | cut -c1-64)" = "${layer#sha256:}" ]
        [ ! -e "$st/blobs/sha256/${diff#sha256:}" ]
        lj=$(echo "$st"/layers/*/layer.json)
        [ "$(jq -r .blob "$lj")" = "${layer#sha256:}" ]
        # save makes the tar from it: load elsewhere, same diff ID, runs
        BERTH_ROOT=$R "$BERTH" save -o "$R/out/s.tar" "$ref"
        tar -xf "$R/out/s.tar" -C "$R/out"
        [ "sha256:$(sha256sum <"$R/out/blobs/sha256/${diff#sha256:}" | cut -c1-64)" = "$diff" ]
        BERTH_ROOT=$S "$BERTH" load -i "$R/out/s.tar" >/dev/null
        [ "$(BERTH_ROOT=$S "$BERTH" run --rm --network none "$ref" echo loaded)" = loaded ]
        BERTH_ROOT=$S "$BERTH" rmi "$ref" >/dev/null
        # build FROM it, then the base goes: the built image keeps the layer's blob
        printf 'FROM %s\nRUN echo built > /built\n' "$ref" >"$ctx/Dockerfile"
        BERTH_ROOT=$R "$BERTH" build -q --network none -t rp-czbuilt "$ctx" >/dev/null
        BERTH_ROOT=$R "$BERTH" image history rp-czbuilt >/dev/null
        BERTH_ROOT=$R "$BERTH" rmi "$ref" >/dev/null
        [ -f "$st/blobs/sha256/${layer#sha256:}" ]
        BERTH_ROOT=$R "$BERTH" save -o "$R/out/b.tar" rp-czbuilt
        [ "$(tar -xOf "$R/out/b.tar" "blobs/sha256/${diff#sha256:}" | sha256sum | cut -c1-64)" = "${diff#sha256:}" ]
        # push with no pulled manifest to reuse: the layer is gzipped from it
        BERTH_ROOT=$R "$BERTH" tag rp-czbuilt "$P_HOST/rp/czbuilt:v1"
        BERTH_ROOT=$R "$BERTH" push -q "$P_HOST/rp/czbuilt:v1" >/dev/null
        d=$(skopeo inspect --tls-verify=false "docker://$P_HOST/rp/czbuilt:v1" | jq -r '.Layers | length')
        [ "$d" -eq 2 ]
        # and it leaves with the last image that uses it
        BERTH_ROOT=$R "$BERTH" rmi "$P_HOST/rp/czbuilt:v1" >/dev/null
        BERTH_ROOT=$R "$BERTH" rmi rp-czbuilt >/dev/null
        [ ! -e "$st/blobs/sha256/${layer#sha256:}" ]
        [ -z "$(ls -A "$st/layers")" ]
        # a store of the older layout (the tar as blobs/sha256/<diff ID>, no
        # blob in layer.json): run, save, a pull that finds it up to date, rmi
        BERTH_ROOT=$R "$BERTH" pull -q "$ref" >/dev/null
        lj=$(echo "$st"/layers/*/layer.json)
        jq 'del(.blob, .tar_size)' "$lj" >"$lj.new" && mv "$lj.new" "$lj"
        cp "$R/out/blobs/sha256/${diff#sha256:}" "$st/blobs/sha256/${diff#sha256:}"
        rm "$st/blobs/sha256/${layer#sha256:}"
        [ "$(BERTH_ROOT=$R "$BERTH" run --rm --network none "$ref" echo old)" = old ]
        BERTH_ROOT=$R "$BERTH" save -o "$R/out/o.tar" "$ref"
        [ "$(tar -xOf "$R/out/o.tar" "blobs/sha256/${diff#sha256:}" | sha256sum | cut -c1-64)" = "${diff#sha256:}" ]
        run env BERTH_ROOT=$R "$BERTH" pull "$ref"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Image is up to date"* ]]
        # a layer whose tar is nowhere (neither kind): the pull fetches the blob again
        rm "$st/blobs/sha256/${diff#sha256:}"
        run env BERTH_ROOT=$R "$BERTH" pull "$ref"
        [ "$status" -eq 0 ]
        [ "$(jq -r .blob "$lj")" = "${layer#sha256:}" ]
        BERTH_ROOT=$R "$BERTH" save -o "$R/out/r.tar" "$ref"
        BERTH_ROOT=$R "$BERTH" rmi "$ref" >/dev/null
        [ -z "$(ls -A "$st/layers")" ]
        for f in "$st"/blobs/sha256/*; do
                [ -e "$f" ] || continue
                echo "left: $f"
                false
        done
        rm -rf "$R" "$S" "$ctx"
}

@test "pull on a terminal: one line per layer, redrawn in place" {
        reg_push_busybox P rp/tty:v1
        "$BERTH" rmi -f "$P_HOST/rp/tty:v1" >/dev/null 2>&1 || true
        # a fresh store so the layer is downloaded, not "Already exists"
        BERTH_ROOT=$BERTH_ROOT/tty-root run python3 - "$BERTH" pull "$P_HOST/rp/tty:v1" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        b = os.read(fd, 4096)
    except OSError:
        break
    if not b:
        break
    out += b
_, st = os.waitpid(pid, 0)
sys.stdout.write(repr(out.decode()))
sys.exit(os.waitstatus_to_exitcode(st))
PY
        [ "$status" -eq 0 ]
        [[ "$output" == *"Pulling fs layer"* ]]
        [[ "$output" == *"Downloading "*"/"* ]]
        [[ "$output" == *'\x1b['*'A'*"Pull complete"* ]]
        [[ "$output" == *"Digest: sha256:"* ]]
        rm -rf "$BERTH_ROOT/tty-root"
}
