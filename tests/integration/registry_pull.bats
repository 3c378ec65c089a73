#!/usr/bin/env bats
# berth pull against a real registry (Debian's docker-registry) with content
# pushed by skopeo, an independent client.  Name prefix rp, subnets
# 10.254.0.0/16.
load registry_common

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
        local ids
        ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
        [ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null 2>&1 || true
        "$BERTH" network rm bridge >/dev/null 2>&1 || true
        reg_teardown_file
        rm -rf "$BERTH_ROOT"
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
        run "$BERTH" pull --platform linux/s390x "$P_HOST/rp/multi:v1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"no matching manifest for linux/s390x in the manifest list entries"* ]]
        run "$BERTH" pull --platform nonsense "$P_HOST/rp/multi:v1"
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid platform"* ]]
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
        run "$BERTH" images --format '{{.Repository}}'
        [[ "$output" != *nothere* ]]
}
