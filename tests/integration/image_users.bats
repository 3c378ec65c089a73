#!/usr/bin/env bats
# rmi, image rm and image prune know which images containers use.
bats_require_minimum_version 1.5.0
load rt_common

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }

nlayers() {
        ls "$BERTH_ROOT/lib/image/layers" | wc -l
}

@test "rmi of an image a container uses: refused, -f only untags, layers stay" {
        id=$("$BERTH" image inspect busybox | jq -r '.[0].Id')
        "$BERTH" tag busybox iu/keep:1
        cid=$("$BERTH" create --name iu-stopped iu/keep:1 true)
        # a stopped container holds the image: its last name needs -f
        "$BERTH" rmi busybox # not the last name
        run "$BERTH" rmi iu/keep:1
        [ "$status" -eq 125 ]
        [ "$output" = "berth: conflict: unable to remove repository reference \"iu/keep:1\" (must force) - container ${cid:0:12} is using its referenced image ${id:7:12}" ]
        run "$BERTH" rmi "${id:7:12}"
        [ "$status" -eq 125 ]
        [[ $output == *"(must be forced) - image is being used by stopped container ${cid:0:12}" ]]
        run "$BERTH" rmi -f iu/keep:1
        [ "$status" -eq 0 ]
        [ "$output" = "Untagged: iu/keep:1" ]
        "$BERTH" image inspect "$id" >/dev/null
        [ "$(nlayers)" -eq 1 ]
        # the container still starts from its (now untagged) image
        run "$BERTH" start -a iu-stopped
        [ "$status" -eq 0 ]
        "$BERTH" tag "$id" busybox
        # a running one: -f by ID cannot delete it
        "$BERTH" run -d --name iu-running busybox sleep 60
        "$BERTH" rm iu-stopped
        run "$BERTH" rmi -f "${id:7:12}"
        [ "$status" -eq 125 ]
        [[ $output == *"(cannot be forced) - image is being used by running container"* ]]
        run "$BERTH" rmi busybox
        [ "$status" -eq 125 ]
        [[ $output == *"(must force) - container "*" is using its referenced image ${id:7:12}" ]]
        run "$BERTH" exec iu-running true
        [ "$status" -eq 0 ]
        "$BERTH" rm -f iu-running
        "$BERTH" image inspect busybox >/dev/null
}

@test "image prune -a removes only images no container uses" {
        "$BERTH_SRC/tests/images/make-busybox.sh" --tar-only "$BATS_TEST_TMPDIR/bb.tar"
        "$BERTH" image import --change 'CMD ["echo", "unused"]' "$BATS_TEST_TMPDIR/bb.tar" iu/unused:1
        dangling=$("$BERTH" image import --change 'CMD ["echo", "d"]' "$BATS_TEST_TMPDIR/bb.tar")
        used=$("$BERTH" image import --change 'CMD ["echo", "u"]' "$BATS_TEST_TMPDIR/bb.tar")
        bb=$("$BERTH" image inspect busybox | jq -r '.[0].Id')
        unused=$("$BERTH" image inspect iu/unused:1 | jq -r '.[0].Id')
        "$BERTH" create --name iu-dangling-user "$used" >/dev/null
        "$BERTH" create --name iu-bb busybox true >/dev/null
        # dangling only: the untagged image a container uses stays
        run "$BERTH" image prune -f
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = "deleted: $dangling" ]
        [ "${#lines[@]}" -eq 3 ]
        "$BERTH" image inspect "$used" >/dev/null
        run "$BERTH" image prune -a <<<"n"
        [ "$status" -eq 0 ]
        "$BERTH" image inspect iu/unused:1 >/dev/null
        run "$BERTH" image prune -a -f
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Deleted Images:" ]
        [[ $output == *"untagged: iu/unused:1"*"deleted: $unused"* ]]
        [[ $output != *"$used"* && $output != *"$bb"* ]]
        "$BERTH" image inspect busybox "$used" >/dev/null
        run "$BERTH" image inspect iu/unused:1
        [ "$status" -ne 0 ]
        run "$BERTH" start -a iu-dangling-user
        [ "$output" = "u" ]
        "$BERTH" rm iu-dangling-user iu-bb
        # nothing uses them now
        run "$BERTH" image prune -a -f
        [[ $output == *"deleted: $used"* && $output == *"deleted: $bb"* ]]
        [ "$(nlayers)" -eq 0 ]
}
