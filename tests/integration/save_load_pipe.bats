#!/usr/bin/env bats
# `berth save IMAGE | berth load` into the same BERTH_ROOT: save holds the
# image store's lock while it streams, so load reads its whole input before
# it takes the lock (it used to wait for the lock first: both hung).
# Images ce-pipe*.
load rt_common

setup_file() {
        rt_setup_file
        export BERTH_ADDRESS_POOLS=10.173.0.0/16:24
}

teardown_file() {
        rt_teardown_file
}

@test "save | load into the same root finishes and keeps the image usable" {
        "$BERTH" tag busybox ce-pipe:1
        run timeout 20 sh -c "'$BERTH' save busybox ce-pipe:1 | '$BERTH' load"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Loaded image: busybox:latest"* ]]
        [[ "$output" == *"Loaded image: ce-pipe:1"* ]]
        run "$BERTH" run --rm ce-pipe:1 echo ok
        [ "$output" = ok ]
        # through a pipe from elsewhere, and a bad stream: an error, nothing left behind
        run timeout 20 sh -c "cat /dev/null | '$BERTH' load"
        [ "$status" -ne 0 ]
        run timeout 20 sh -c "head -c 100000 /dev/urandom | '$BERTH' load"
        [ "$status" -ne 0 ]
        [ -z "$(find "$BERTH_ROOT/lib/image" -maxdepth 1 -name '.load-*')" ]
        [ -z "$(ls -A "$BERTH_ROOT/lib/image/tmp")" ]
        "$BERTH" rmi ce-pipe:1 >/dev/null
}
