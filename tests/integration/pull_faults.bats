#!/usr/bin/env bats
# Faults of `pull` (issue 13): kill -9 at each named step, and a full disk
# while downloading and while unpacking.  Each leaves no image (not even a
# half one), nothing in the download area once the next pull ran, and the
# next pull converges to an image that runs.  Against a real registry
# (Debian's docker-registry on 127.0.0.1).  Names rs*, subnets
# 10.210.0.0/16 (none is used: containers run with --network none).
bats_require_minimum_version 1.5.0
load registry_common

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-rs.XXXXXX)
        export BERTH_ADDRESS_POOLS=10.210.0.0/20:24
        export BERTH_CONFIG=$BERTH_ROOT/no-config.json
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" >/dev/null
        reg_setup_file
        reg_start plain P
        # two layers (busybox, and one written by RUN); and a layer that
        # compresses to almost nothing but unpacks to 6 MB
        local ctx=$BERTH_ROOT/ctx
        mkdir -p "$ctx"
        printf 'FROM busybox\nRUN echo two > /two\n' >"$ctx/Dockerfile"
        "$BERTH" build -q --network none -t "$P_HOST/rs/two:v1" "$ctx" >/dev/null
        printf 'FROM busybox\nRUN dd if=/dev/zero of=/zero bs=1M count=6 2>/dev/null\n' >"$ctx/Dockerfile"
        "$BERTH" build -q --network none -t "$P_HOST/rs/zero:v1" "$ctx" >/dev/null
        "$BERTH" push -q "$P_HOST/rs/two:v1" >/dev/null
        "$BERTH" push -q "$P_HOST/rs/zero:v1" >/dev/null
        rm -rf "$ctx"
        # every pull of these tests goes to a store of its own
        export PR=$BERTH_ROOT/pr
}

nospc_cleanup() {
        local r=$BERTH_ROOT/nospc
        mountpoint -q "$r" || return 0
        umount "$r"
}

teardown_file() {
        local r ids
        nospc_cleanup
        for r in "$BERTH_ROOT" "$PR"; do
                ids=$(BERTH_ROOT=$r "$BERTH" ps -aq --no-trunc 2>/dev/null) || true
                [ -z "$ids" ] || BERTH_ROOT=$r "$BERTH" rm -f $ids >/dev/null 2>&1 || true
        done
        reg_teardown_file
        rm -rf "$BERTH_ROOT"
}

# the store of root $1 holds no image, layer, blob or download
store_empty() {
        local st=$1/lib/image d
        for d in images layers blobs/sha256 downloads; do
                [ -z "$(ls -A "$st/$d" 2>/dev/null)" ] || {
                        echo "left in $st/$d: $(ls -A "$st/$d")"
                        return 1
                }
        done
}

# after a pull that went well: one image, nothing in the download area
store_one_image() {
        local st=$1/lib/image
        [ "$(ls "$st/images" | wc -l)" -eq 1 ] || { echo "images: $(ls "$st/images")"; return 1; }
        [ -z "$(ls -A "$st/downloads")" ] || { echo "downloads: $(ls -A "$st/downloads")"; return 1; }
}

@test "kill -9 at every named step of pull: no half image, the next pull converges and runs, nothing is left" {
        local ref=$P_HOST/rs/two:v1 step
        local steps="pull.manifest pull.blob.downloading pull.blob.verified pull.layer.unpacked"
        steps+=" pull.blob.stored pull.layer.stored pull.record pull.tagged"
        for step in $steps; do
                run env BERTH_ROOT="$PR" BERTH_CRASH_AT=$step "$BERTH" pull -q "$ref"
                [ "$status" -eq 137 ] || { echo "pull at $step: $status $output"; false; }
                case $step in
                pull.record | pull.tagged) ;; # complete: the record was written
                *)
                        # no image at all, not even an unnamed one
                        [ -z "$(ls -A "$PR/lib/image/images" 2>/dev/null)" ] || {
                                echo "image after a kill at $step"
                                false
                        }
                        ;;
                esac
                run env BERTH_ROOT="$PR" "$BERTH" image inspect "$ref"
                if [ "$step" = pull.tagged ]; then
                        [ "$status" -eq 0 ]
                else
                        [ "$status" -ne 0 ]
                fi
                # the next pull converges: the image, named, and it runs
                run env BERTH_ROOT="$PR" "$BERTH" pull -q "$ref"
                [ "$status" -eq 0 ] || { echo "pull after $step: $output"; false; }
                [ "$(BERTH_ROOT=$PR "$BERTH" run --rm --network none "$ref" cat /two)" = two ]
                [ "$(BERTH_ROOT=$PR "$BERTH" images -q | wc -l)" -eq 1 ]
                store_one_image "$PR"
                # and its removal takes everything
                BERTH_ROOT=$PR "$BERTH" rmi "$ref" >/dev/null
                store_empty "$PR" || { echo "after $step"; false; }
        done
        rm -rf "$PR"
}

# nospc SIZE REF WHAT CMD...: a pull of REF into a root on a tmpfs of SIZE
# fails for want of space (the message naming the file system, WHAT naming
# the write), leaves no image; with room again the next pull converges, and
# CMD runs in the image (its output in NOSPC_OUT)
nospc() {
        local r=$BERTH_ROOT/nospc size=$1 ref=$2 what=$3
        shift 3
        mkdir -p "$r"
        mount -t tmpfs -o "size=$size" rs-nospc "$r"
        run env BERTH_ROOT="$r" "$BERTH" pull -q "$ref"
        [ "$status" -eq 125 ] || { echo "pull: $status $output"; return 1; }
        [[ "$output" == *"No space left on device"* ]]
        [[ "$output" == *"the file system of $r/lib/image is full"* ]]
        [[ "$output" == *"$what"* ]] || { echo "$output"; return 1; }
        [ -z "$(ls -A "$r/lib/image/images")" ]
        [ -z "$(find "$r/lib/image/downloads" -name 'tmp-*')" ]
        mount -o remount,size=64m "$r"
        run env BERTH_ROOT="$r" "$BERTH" pull -q "$ref"
        [ "$status" -eq 0 ] || { echo "pull with room: $output"; return 1; }
        NOSPC_OUT=$(BERTH_ROOT=$r "$BERTH" run --rm --network none "$ref" "$@")
        store_one_image "$r"
        BERTH_ROOT=$r "$BERTH" rmi "$ref" >/dev/null
        store_empty "$r"
        umount "$r"
}

@test "a full disk while downloading and while unpacking: a message naming it, no image, the next pull converges" {
        # downloading: the busybox layer (about 1 MB compressed) does not fit
        nospc 512k "$P_HOST/rs/two:v1" "write download sha256:" cat /two
        [ "$NOSPC_OUT" = two ]
        # unpacking: the zeros download in a few kB, and unpack to 6 MB
        nospc 5m "$P_HOST/rs/zero:v1" 'unpack layer sha256:' stat -c %s /zero
        [ "$NOSPC_OUT" = 6291456 ]
}
