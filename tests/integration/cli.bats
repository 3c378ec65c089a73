#!/usr/bin/env bats
# Docker's management groups (`container VERB`, `image VERB`), container
# prune, and the `system` commands (df, prune, info) and `version`.
# Containers cl-*, networks cl-*, volumes cl-*, subnets from 10.245.128.0/21.
bats_require_minimum_version 1.5.0
load rt_common

setup_file() {
        rt_setup_file
        export BERTH_ADDRESS_POOLS=10.245.128.0/21:24
}
teardown_file() {
        "$BERTH" volume rm cl-vol-used cl-vol-free >/dev/null 2>&1 || true
        rt_teardown_file
}

@test "container and image --help list the verbs as docker; unknown verb" {
        run "$BERTH" container --help
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Usage:  berth container COMMAND" ]
        for v in attach create exec inspect kill logs ls pause port prune rename restart rm \
                run start stop top unpause wait; do
                [[ "$output" == *$'\n'"  $(printf '%-11s' $v) "* ]]
        done
        run "$BERTH" image --help
        [ "$status" -eq 0 ]
        for v in build import inspect load ls prune pull push rm save tag; do
                [[ "$output" == *$'\n'"  $(printf '%-11s' $v) "* ]]
        done
        # aliases work but are not listed
        [[ "$output" != *"  rmi "* ]]
        run "$BERTH" container frob
        [ "$status" -eq 125 ]
        [[ "$output" == *"'container frob' is not a berth command."* ]]
        run "$BERTH" image frob
        [ "$status" -eq 125 ]
        [[ "$output" == *"'image frob' is not a berth command."* ]]
        run "$BERTH" --help
        [[ "$output" == *"  container "*"Manage containers"* ]]
}

@test "the seeds' lines: container run/ls/inspect/exec/rm, image ls, network inspect" {
        run "$BERTH" container run -d --name cl-seed -p 127.0.0.1::8080 busybox sleep 60
        [ "$status" -eq 0 ]
        id=$output
        run "$BERTH" container ls
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "CONTAINER ID"*"NAMES" ]]
        [[ "$output" == *"Up "*"cl-seed"* ]]
        [ "$("$BERTH" container ps -q --no-trunc)" = "$id" ]
        [ "$("$BERTH" container list -q --no-trunc)" = "$id" ]
        [ "$("$BERTH" container inspect -f '{{.Id}}' cl-seed)" = "$id" ]
        run "$BERTH" container inspect cl-seed
        [ "$(echo "$output" | jq -r '.[0].State.Status')" = running ]
        [ "$("$BERTH" container exec cl-seed echo hi)" = hi ]
        [[ "$("$BERTH" container port cl-seed)" =~ ^8080/tcp\ -\>\ 127\.0\.0\.1:[0-9]+$ ]]
        run "$BERTH" container top cl-seed
        [[ "$output" == *"sleep 60"* ]]
        "$BERTH" container rename cl-seed cl-seed2
        "$BERTH" container pause cl-seed2
        [ "$("$BERTH" container inspect -f '{{.State.Status}}' cl-seed2)" = paused ]
        "$BERTH" container unpause cl-seed2
        "$BERTH" container kill cl-seed2
        [ "$("$BERTH" container wait cl-seed2)" = 137 ]
        "$BERTH" container start cl-seed2
        "$BERTH" container restart -t 0 cl-seed2
        "$BERTH" container stop -t 0 cl-seed2
        run "$BERTH" container rm cl-seed2
        [ "$status" -eq 0 ]
        [ "$output" = cl-seed2 ]
        run "$BERTH" container logs cl-seed2
        [ "$status" -ne 0 ]
        run "$BERTH" image ls
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "REPOSITORY"*"TAG"*"IMAGE ID"* ]]
        [[ "$output" == *busybox*latest* ]]
        "$BERTH" image inspect busybox >/dev/null
        "$BERTH" image tag busybox cl/bb:1
        [[ "$("$BERTH" image list)" == *cl/bb* ]]
        "$BERTH" image rm cl/bb:1
        [[ "$("$BERTH" images)" != *cl/bb* ]]
        run "$BERTH" network inspect bridge
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r '.[0].Name')" = bridge ]
}

@test "container create/start -a/logs through the group" {
        run "$BERTH" container create --name cl-cr busybox echo made
        [ "$status" -eq 0 ]
        [ "$("$BERTH" container inspect -f '{{.State.Status}}' cl-cr)" = created ]
        "$BERTH" container start -a cl-cr
        [ "$("$BERTH" container logs cl-cr)" = made ]
        "$BERTH" container rm cl-cr
}

@test "container prune removes stopped containers only, after the prompt" {
        "$BERTH" container run -d --name cl-p-run busybox sleep 60
        "$BERTH" container run --name cl-p-exited busybox sh -c 'head -c 3000 /dev/zero > /big'
        "$BERTH" container create --name cl-p-created busybox true
        exited=$("$BERTH" container inspect -f '{{.Id}}' cl-p-exited)
        created=$("$BERTH" container inspect -f '{{.Id}}' cl-p-created)
        # declined: nothing goes
        run "$BERTH" container prune <<<"n"
        [ "$status" -eq 0 ]
        [[ "$output" == "WARNING! This will remove all stopped containers."$'\n'"Are you sure you want to continue? [y/N] "* ]]
        "$BERTH" container inspect cl-p-exited >/dev/null
        run "$BERTH" container prune <<<"y"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Deleted Containers:"* ]]
        [[ "$output" == *"$exited"* ]]
        [[ "$output" == *"$created"* ]]
        # the 3000-byte file of the exited one's writable layer is counted
        [[ "${lines[-1]}" =~ ^Total\ reclaimed\ space:\ [0-9.]+kB$ ]]
        run "$BERTH" container inspect cl-p-exited
        [ "$status" -ne 0 ]
        [ "$("$BERTH" container inspect -f '{{.State.Status}}' cl-p-run)" = running ]
        run "$BERTH" container prune -f
        [ "$status" -eq 0 ]
        [ "$output" = "Total reclaimed space: 0B" ]
        "$BERTH" container rm -f cl-p-run
}
