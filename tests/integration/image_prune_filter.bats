#!/usr/bin/env bats
# image prune --filter as Docker: until=, label=, label!= (all of the values
# must match), dangling=; refusals of bad filters.  Images ce-p*.
# `berth save IMAGE | berth load` into the same BERTH_ROOT: save holds the
# image store's lock while it streams, so load reads its whole input before
# it takes the lock (it used to wait for the lock first: both hung).
load rt_common

setup_file() {
        rt_setup_file
        export BERTH_ADDRESS_POOLS=10.173.0.0/16:24
}

teardown_file() {
        rt_teardown_file
}

build() { # TAG LABEL...: an image FROM busybox with these labels
        local tag=$1 d
        shift
        d=$(mktemp -d "$BERTH_ROOT/ctx.XXXXXX")
        { echo "FROM busybox"; for l in "$@"; do echo "LABEL $l"; done; } >"$d/Dockerfile"
        "$BERTH" build -q -t "$tag" "$d" >/dev/null
}

tags() { "$BERTH" images --format '{{.Repository}}' | grep '^ce-p' | sort | tr '\n' ' '; }

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

@test "image prune --filter: label, label!, until, dangling, and what is refused" {
        build ce-p1 keep=yes tier=a
        build ce-p2 keep=no
        build ce-p3 other=1
        sleep 1 # image creation times are in seconds
        t=$(date +%s.%N)
        build ce-p4 keep=yes
        [ "$(tags)" = "ce-p1 ce-p2 ce-p3 ce-p4 " ]
        # label=K=V: only those
        run "$BERTH" image prune -a -f --filter label=keep=no
        [ "$status" -eq 0 ]
        [[ "$output" == *"untagged: ce-p2:latest"* ]]
        [ "$(tags)" = "ce-p1 ce-p3 ce-p4 " ]
        # values of label: all of them
        run "$BERTH" image prune -a -f --filter label=keep --filter label=nope
        [ "$(tags)" = "ce-p1 ce-p3 ce-p4 " ]
        # until: only images created before it
        run "$BERTH" image prune -a -f --filter label=keep --filter "until=$t"
        [ "$status" -eq 0 ]
        [ "$(tags)" = "ce-p3 ce-p4 " ]
        # label!=: the images without it (busybox too, unused)
        run "$BERTH" image prune -f --filter dangling=false --filter 'label!=keep'
        [ "$status" -eq 0 ]
        [ "$(tags)" = "ce-p4 " ]
        run "$BERTH" images --format '{{.Repository}}'
        [ "$output" = ce-p4 ]
        # dangling=true (the default) leaves tagged images alone
        run "$BERTH" image prune -f --filter dangling=true
        [ "$(tags)" = "ce-p4 " ]
        run "$BERTH" image prune -f --filter dangling=maybe
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid filter 'dangling=maybe'"* ]]
        run "$BERTH" image prune -f --filter foo=bar
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid filter 'foo'"* ]]
        run "$BERTH" image prune -f --filter label
        [ "$status" -ne 0 ]
        [[ "$output" == *"expected name=value"* ]]
        run "$BERTH" image prune -f --filter until=never
        [ "$status" -ne 0 ]
        [ "$(tags)" = "ce-p4 " ]
}
