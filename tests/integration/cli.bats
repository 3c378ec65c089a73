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

# compose_at NAME YAML: d, a new directory of this test whose compose.yaml
# holds YAML (printf's backslash escapes), and c, the `berth compose` of
# project NAME on it
compose_at() {
        d=$BATS_TEST_TMPDIR/$1
        mkdir -p "$d"
        printf '%b' "$2" >"$d/compose.yaml"
        c=("$BERTH" compose -p "$1" -f "$d/compose.yaml")
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
        for v in build history import inspect load ls prune pull push rm save tag; do
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

@test "argument counts as docker: volume rm needs one, volume create takes one at most, ls/prune/ps none" {
        run_fails 125 '"berth volume rm" requires at least 1 argument' "$BERTH" volume rm
        run_fails 125 '"berth volume create" requires at most 1 argument' \
                "$BERTH" volume create cl-va1 cl-va2
        run "$BERTH" volume ls -q
        [ "$status" -eq 0 ]
        [[ "$output" != *cl-va* ]]
        run_fails 125 '"berth volume ls" accepts no arguments' "$BERTH" volume ls cl-va1
        run_fails 125 '"berth volume prune" accepts no arguments' "$BERTH" volume prune -f cl-va1
        run_fails 125 '"berth image prune" accepts no arguments' "$BERTH" image prune -f busybox
        run_fails 125 '"berth ps" accepts no arguments' "$BERTH" ps cl-x
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
        # an image is not a container
        run "$BERTH" container inspect busybox
        [ "$status" -ne 0 ]
        [[ "$output" == *"Error: No such container: busybox"* ]]
        run "$BERTH" inspect --type volume busybox
        [ "$status" -eq 125 ]
        [[ "$output" == *'"volume" is not a valid value for --type'* ]]
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

@test "system prune keeps what is in use; removes stopped, unused, dangling; -a, --volumes" {
        mkdir -p "$BATS_TEST_TMPDIR/t"
        echo tiny >"$BATS_TEST_TMPDIR/t/f"
        tar -C "$BATS_TEST_TMPDIR/t" -cf "$BATS_TEST_TMPDIR/t.tar" .
        dangling=$("$BERTH" image import "$BATS_TEST_TMPDIR/t.tar")
        "$BERTH" image import --change 'CMD ["x"]' "$BATS_TEST_TMPDIR/t.tar" cl/unused:1
        "$BERTH" network create cl-net-used >/dev/null
        "$BERTH" network create cl-net-free >/dev/null
        "$BERTH" volume create cl-vol-used >/dev/null
        "$BERTH" volume create cl-vol-free >/dev/null
        "$BERTH" run -d --name cl-s-run --network cl-net-used -v cl-vol-used:/data busybox sleep 60
        "$BERTH" exec cl-s-run sh -c 'head -c 5000 /dev/zero > /data/f'
        "$BERTH" run --name cl-s-stopped busybox true
        stopped=$("$BERTH" inspect -f '{{.Id}}' cl-s-stopped)
        "$BERTH" create --name cl-s-anon -v /anon busybox true
        anon=$("$BERTH" inspect -f '{{json .Mounts}}' cl-s-anon | jq -r '.[0].Name')
        "$BERTH" rm cl-s-anon # without -v: its anonymous volume stays, unused

        run "$BERTH" info
        [ "$status" -eq 0 ]
        [[ "$output" == *$'\n'" Containers: 2"$'\n'"  Running: 1"$'\n'"  Paused: 0"$'\n'"  Stopped: 1"$'\n'* ]]
        [[ "$output" == *$'\n'" Images: 3"$'\n'* ]]
        [[ "$output" == *" Storage Driver: overlay2"* ]]
        [[ "$output" == *" Kernel Version: $(uname -r)"* ]]
        [[ "$output" == *" CPUs: $(nproc)"* ]]
        [[ "$output" == *" Berth Root Dir: $BERTH_ROOT"* ]]
        [ "$("$BERTH" system info)" = "$output" ]

        # declined: the prompt as docker's, nothing goes
        run "$BERTH" system prune --volumes <<<"n"
        [ "$status" -eq 0 ]
        lines_are "WARNING! This will remove:" "  - all stopped containers" \
                "  - all networks not used by at least one container" \
                "  - all anonymous volumes not used by at least one container" "  - all dangling images"
        [[ "${lines[5]}" == "Are you sure you want to continue? [y/N] "* ]]
        "$BERTH" inspect cl-s-stopped >/dev/null
        "$BERTH" network inspect cl-net-free >/dev/null

        run "$BERTH" system prune -f --volumes
        [ "$status" -eq 0 ]
        [[ "$output" == *"Deleted Containers:"$'\n'"$stopped"$'\n'* ]]
        [[ "$output" == *"Deleted Networks:"$'\n'"cl-net-free"$'\n'* ]]
        [[ "$output" == *"Deleted Volumes:"$'\n'"$anon"$'\n'* ]]
        [[ "$output" == *"Deleted Images:"*"${dangling#sha256:}"* ]]
        [[ "${lines[-1]}" =~ ^Total\ reclaimed\ space:\ [0-9.]+k?B$ ]]
        [[ "$output" != *cl-net-used* && "$output" != *cl-vol-* ]]
        run "$BERTH" inspect cl-s-stopped
        [ "$status" -ne 0 ]
        run "$BERTH" image inspect "$dangling"
        [ "$status" -ne 0 ]
        # in use, or named (docker 23+ prunes only anonymous volumes): kept
        [ "$("$BERTH" inspect -f '{{.State.Status}}' cl-s-run)" = running ]
        [ "$("$BERTH" exec cl-s-run wc -c /data/f)" = "5000 /data/f" ]
        "$BERTH" network inspect cl-net-used >/dev/null
        "$BERTH" volume inspect cl-vol-used cl-vol-free >/dev/null
        "$BERTH" image inspect cl/unused:1 busybox >/dev/null

        # -a: every image no container uses, never the running one's
        run "$BERTH" system prune -a -f
        [ "$status" -eq 0 ]
        [[ "$output" == *"Deleted Images:"$'\n'"untagged: cl/unused:1"* ]]
        run "$BERTH" image inspect cl/unused:1
        [ "$status" -ne 0 ]
        "$BERTH" image inspect busybox >/dev/null
        [ "$("$BERTH" inspect -f '{{.State.Status}}' cl-s-run)" = running ]
        "$BERTH" network inspect cl-net-used >/dev/null
}

@test "system df: images, containers, volumes with sizes and reclaimable" {
        # left by the previous test: busybox, cl-s-run (running, cl-vol-used with
        # 5000 bytes), cl-vol-free (empty, unused)
        "$BERTH" volume inspect cl-vol-free >/dev/null
        run "$BERTH" system df
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE" ]
        [[ "${lines[1]}" =~ ^Images\ +1\ +1\ +[0-9.]+[kM]B\ +0B\ \(0%\)$ ]]
        [[ "${lines[2]}" =~ ^Containers\ +1\ +1\ +[0-9.]+k?B\ +0B ]]
        [[ "${lines[3]}" =~ ^Local\ Volumes\ +2\ +1\ +5kB\ +0B\ \(0%\)$ ]]
        [[ "${lines[4]}" =~ ^Build\ Cache\ +0\ +0\ +0B\ +0B$ ]]
        # -v: a table per kind, as docker system df -v
        run "$BERTH" system df -v
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Images space usage:" ]
        [[ "${lines[1]}" == "REPOSITORY   TAG       IMAGE ID       CREATED "*" SIZE "*" SHARED SIZE   UNIQUE SIZE   CONTAINERS" ]]
        [[ "${lines[2]}" =~ ^busybox\ +latest\ +[0-9a-f]{12}\ +.*\ ago\ +([0-9.]+[kM]B)\ +0B\ +([0-9.]+[kM]B)\ +1$ ]]
        [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
        [ "${lines[3]}" = "Containers space usage:" ]
        [[ "${lines[4]}" == "CONTAINER ID   IMAGE "*" COMMAND "*" LOCAL VOLUMES   SIZE "*" CREATED "*" STATUS "*" NAMES" ]]
        [[ "${lines[5]}" =~ ^[0-9a-f]{12}\ +busybox\ +\".*\"\ +1\ +[0-9.]+k?B\ +.*\ ago\ +Up\ .*\ cl-s-run$ ]]
        [ "${lines[6]}" = "Local Volumes space usage:" ]
        [[ "${lines[7]}" =~ ^VOLUME\ NAME\ +LINKS\ +SIZE$ ]]
        [[ "$output" =~ $'\n'cl-vol-used\ +1\ +5kB$'\n' ]]
        [[ "$output" =~ $'\n'cl-vol-free\ +0\ +0B$'\n' ]]
        [[ "$output" == *$'\n'"Build cache usage: 0B"$'\n'* ]]
        run "$BERTH" system df -v --format json
        [ "$status" -eq 125 ]
        # a stopped container's writable layer becomes reclaimable
        "$BERTH" exec cl-s-run sh -c 'head -c 2000 /dev/zero > /w'
        "$BERTH" stop -t 0 cl-s-run
        run "$BERTH" system df
        [[ "${lines[1]}" =~ ^Images\ +1\ +1\  ]]
        [[ "${lines[2]}" =~ ^Containers\ +1\ +0\ +2kB\ +2kB\ \(100%\)$ ]]
        [[ "${lines[3]}" =~ ^Local\ Volumes\ +2\ +1\ +5kB\ +0B\ \(0%\)$ ]]
        "$BERTH" rm cl-s-run
        run "$BERTH" system df
        [[ "${lines[1]}" =~ ^Images\ +1\ +0\ +([0-9.]+[kM]B)\ +([0-9.]+[kM]B)\ \(100%\)$ ]]
        [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
        [[ "${lines[3]}" =~ ^Local\ Volumes\ +2\ +0\ +5kB\ +5kB\ \(100%\)$ ]]
}

@test "version: client and engine sections; --version one line; system boot still there" {
        run "$BERTH" version
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Client:" ]
        [[ "$output" == *$'\n'"Server: berth Engine"*$'\n'" Engine:"$'\n'"  Version: "* ]]
        v=$("$BERTH" --version)
        [[ "$v" =~ ^berth\ version\ (.+)$ ]]
        [[ "${lines[1]}" == " Version: "*"${BASH_REMATCH[1]}" ]]
        run "$BERTH" system --help
        for v in boot df info prune; do
                [[ "$output" == *$'\n'"  $(printf '%-11s' $v) "* ]]
        done
        run "$BERTH" system frob
        [ "$status" -eq 125 ]
        [[ "$output" == *"'system frob' is not a berth command."* ]]
        run "$BERTH" system boot extra
        [ "$status" -eq 125 ]
}

@test "image history: newest first, sizes of layers, <missing> below the top, --no-trunc, -q" {
        mkdir -p "$BATS_TEST_TMPDIR/ctx"
        printf '%s\n' 'FROM busybox' 'RUN head -c 3000 /dev/zero > /z' 'ENV A=1' \
                'LABEL x="a very long label value that goes on and on and on"' \
                >"$BATS_TEST_TMPDIR/ctx/Dockerfile"
        id=$("$BERTH" build -q -t cl/hist "$BATS_TEST_TMPDIR/ctx")
        run "$BERTH" image history cl/hist
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^IMAGE\ +CREATED\ +CREATED\ BY\ +SIZE\ +COMMENT$ ]]
        [[ "${lines[1]}" =~ ^${id:7:12}\ +.*ago\ +LABEL\ x=\"a\ very\ long\ label\ value\ that\ goes\ o…\ +0B ]]
        [[ "${lines[2]}" =~ ^\<missing\>\ +.*ENV\ A=1\ +0B ]]
        [[ "${lines[3]}" =~ ^\<missing\>\ +.*RUN\ .*head\ -c\ 3000.*\ +3kB ]]
        [[ "${lines[4]}" =~ ^\<missing\>\ +.*berth\ import\ +[0-9.]+MB ]]
        [ "${#lines[@]}" -eq 5 ]
        run "$BERTH" image history --no-trunc cl/hist
        [[ "${lines[1]}" == "$id "*'on and on and on"'* ]]
        run "$BERTH" image history -q cl/hist
        [ "$output" = "${id:7:12}"$'\n<missing>\n<missing>\n<missing>' ]
        run "$BERTH" image history cl/nope
        [ "$status" -eq 125 ]
        [[ "$output" == *"No such image"* ]]
        "$BERTH" image rm cl/hist >/dev/null
}

@test "flags after arguments as docker: rm NAME -f, save IMG -o, images IMG -q, logs NAME --tail 1" {
        "$BERTH" run --network none --name cw-late busybox sh -c 'echo one; echo two'
        [ "$("$BERTH" logs cw-late --tail 1)" = two ]
        [ "$("$BERTH" inspect cw-late -f '{{.Name}}')" = /cw-late ]
        [ "$("$BERTH" images busybox -q)" = "$("$BERTH" images -q busybox)" ]
        [ -n "$("$BERTH" images busybox -q)" ]
        "$BERTH" save busybox -o "$BATS_TEST_TMPDIR/bb.tar"
        [ -s "$BATS_TEST_TMPDIR/bb.tar" ]
        # run and exec keep everything after the image for the command
        [ "$("$BERTH" run --rm --network none busybox sh -c 'echo -n x')" = x ]
        "$BERTH" run -d --network none --name cw-late2 busybox sleep 60
        [ "$("$BERTH" exec cw-late2 echo -n y)" = y ]
        "$BERTH" stop cw-late2 -t 0
        # `--` still ends the options: "-f" is a name here
        run "$BERTH" rm -- cw-late -f
        [ "$status" -ne 0 ]
        [[ "$output" == *"-f"* ]]
        run "$BERTH" inspect cw-late
        [ "$status" -ne 0 ]
        run "$BERTH" rm cw-late2 -f
        [ "$status" -eq 0 ]
        [ "$output" = cw-late2 ]
        run "$BERTH" inspect cw-late2
        [ "$status" -ne 0 ]
}

@test "flags after arguments: compose up SERVICE -d, logs SERVICE --tail 1, down -t 0" {
        d=$BATS_TEST_TMPDIR/cwp
        mkdir -p "$d"
        cat >"$d/compose.yaml" <<'YML'
services:
  web:
    image: busybox
    network_mode: none
    command: sh -c 'echo w1; echo w2; exec sleep 60'
  db:
    image: busybox
    network_mode: none
    command: sleep 60
YML
        run "$BERTH" compose -p cwp -f "$d/compose.yaml" up web -d
        [ "$status" -eq 0 ]
        [ "$("$BERTH" compose -p cwp -f "$d/compose.yaml" ps --services)" = web ]
        for _ in $(seq 50); do
                [ "$("$BERTH" compose -p cwp -f "$d/compose.yaml" logs web --no-log-prefix --tail 1)" = w2 ] && break
                sleep 0.1
        done
        [ "$("$BERTH" compose -p cwp -f "$d/compose.yaml" logs web --no-log-prefix --tail 1)" = w2 ]
        "$BERTH" compose -p cwp -f "$d/compose.yaml" down -t 0
        [ -z "$("$BERTH" ps -aq --filter label=com.docker.compose.project=cwp)" ]
}

@test "logs --since/--until and compose logs --since/--until: durations, Unix and RFC 3339 times" {
        "$BERTH" run --network none --name cw-lt busybox echo old
        t=$("$BERTH" logs -t cw-lt | cut -d' ' -f1)
        later=$(($(date +%s) + 3600))
        [ "$("$BERTH" logs cw-lt --since 1h)" = old ]
        [ -z "$("$BERTH" logs cw-lt --until 1h)" ]
        [ "$("$BERTH" logs cw-lt --until "$t")" = old ]
        [ "$("$BERTH" logs cw-lt --until "$later")" = old ]
        [ -z "$("$BERTH" logs cw-lt --since "$later")" ]
        [ -z "$("$BERTH" logs cw-lt --until 2020-01-01T00:00:00Z)" ]
        run "$BERTH" logs cw-lt --until 10x
        [ "$status" -eq 125 ]
        [[ "$output" == *'invalid value for "until": 10x'* ]]
        "$BERTH" rm cw-lt

        compose_at cwl 'services:\n  hi:\n    image: busybox\n    network_mode: none\n    command: echo hello\n'
        "${c[@]}" up -d
        wait_output hello "${c[@]}" logs --no-log-prefix
        [ "$("${c[@]}" logs --no-log-prefix --since 10m)" = hello ]
        [ "$("${c[@]}" logs --no-log-prefix --until "$later")" = hello ]
        [ "$("${c[@]}" logs --no-log-prefix --since 2020-01-01T00:00:00Z --until=-1m)" = hello ]
        [ -z "$("${c[@]}" logs --no-log-prefix --until 10m)" ]
        [ -z "$("${c[@]}" logs --no-log-prefix --since "$later")" ]
        run "${c[@]}" logs --since yesterday
        [ "$status" -eq 125 ]
        [[ "$output" == *'invalid value for "since": yesterday'* ]]
        "${c[@]}" down
}

@test "compose ps --filter status=, --status, -q and --services together" {
        compose_at cwf 'services:\n  up:\n    image: busybox\n    network_mode: none\n    command: sleep 60\n  done:\n    image: busybox\n    network_mode: none\n    command: "true"\n'
        "${c[@]}" up -d
        wait_output done "${c[@]}" ps --status exited --services
        [ "$("${c[@]}" ps --filter status=running --services)" = up ]
        [ "$("${c[@]}" ps --filter status=exited --services)" = done ]
        [ "$("${c[@]}" ps --status exited --services)" = done ]
        [ "$("${c[@]}" ps --services | sort | tr '\n' ' ')" = "up " ]
        [ "$("${c[@]}" ps -a --services | sort | tr '\n' ' ')" = "done up " ]
        [ -z "$("${c[@]}" ps --filter status=paused -q)" ]
        # -q wins over --services, as in docker compose
        id=$("$BERTH" inspect -f '{{.Id}}' cwf-up-1)
        [ -n "$id" ]
        [ "$("${c[@]}" ps --filter status=running -q --services)" = "$id" ]
        [ "$("${c[@]}" ps up --filter status=running -q)" = "$id" ]
        run "${c[@]}" ps --filter name=up
        [ "$status" -eq 125 ]
        [[ "$output" == *"unknown filter name"* ]]
        run "${c[@]}" ps --filter running
        [ "$status" -eq 125 ]
        [[ "$output" == *"should be in form KEY=VAL"* ]]
        "${c[@]}" down -t 0
}

@test "system/container/network prune --filter label=/label!=: only what matches (cf-)" {
        "$BERTH" create --network none --name cf-lb1 --label tier=web busybox true
        "$BERTH" create --network none --name cf-lb2 --label tier=db busybox true
        "$BERTH" network create --subnet 10.174.1.0/24 --label tier=web cf-lb-web
        "$BERTH" network create --subnet 10.174.2.0/24 cf-lb-none
        run "$BERTH" system prune --filter label=tier=web --filter until=1h <<<"n"
        [[ "$output" == *"Items to be pruned will be filtered with:"*"- label=tier=web"*"- until=1h"* ]]
        run "$BERTH" system prune -f --filter label=tier=web
        [ "$status" -eq 0 ]
        [[ "$output" == *"Deleted Networks:"*cf-lb-web* ]]
        [[ "$output" != *cf-lb-none* ]]
        run "$BERTH" inspect cf-lb1
        [ "$status" -ne 0 ]
        "$BERTH" inspect cf-lb2 >/dev/null
        "$BERTH" network inspect cf-lb-none >/dev/null
        # label!=: what lacks the label goes
        run "$BERTH" network prune -f --filter 'label!=tier'
        [ "$status" -eq 0 ]
        [[ "$output" == *cf-lb-none* ]]
        run "$BERTH" container prune -f --filter 'label!=tier'
        [ "$status" -eq 0 ]
        "$BERTH" inspect cf-lb2 >/dev/null
        run "$BERTH" container prune -f --filter label=tier=db
        [ "$status" -eq 0 ]
        run "$BERTH" inspect cf-lb2
        [ "$status" -ne 0 ]
        # volume prune takes label=/label!= too, and refuses until= as Docker
        "$BERTH" volume create --label tier=web cf-lv1
        "$BERTH" volume create cf-lv2
        run "$BERTH" volume prune -a -f --filter label=tier=web
        [ "$status" -eq 0 ]
        [[ "$output" == *cf-lv1* && "$output" != *cf-lv2* ]]
        run "$BERTH" volume prune -f --filter until=1h
        [ "$status" -eq 125 ]
        [[ "$output" == *"invalid filter 'until'"* ]]
        "$BERTH" volume rm cf-lv2
}

@test "system/container/network prune --filter until=: only what was created before; not with --volumes" {
        "$BERTH" create --network none --name cw-pu busybox true
        img=$("$BERTH" commit cw-pu)
        [[ "$img" == sha256:* ]]
        "$BERTH" network create --subnet 10.222.1.0/24 cw-pu-net
        # container prune and network prune take the same filter
        run "$BERTH" container prune -f --filter until=1h
        [ "$status" -eq 0 ]
        run "$BERTH" network prune -f --filter until=1h
        [ "$status" -eq 0 ]
        [[ "$output" != *cw-pu-net* ]]
        run "$BERTH" network prune -f --filter label=x
        [ "$status" -eq 0 ]
        [[ "$output" != *cw-pu-net* ]]
        run "$BERTH" network prune -f --filter dangling=true
        [ "$status" -eq 125 ]
        [[ "$output" == *"invalid filter 'dangling'"* ]]
        run "$BERTH" system prune -f --filter until=1h
        [ "$status" -eq 0 ]
        [[ "$output" != *cw-pu-net* ]]
        "$BERTH" inspect cw-pu >/dev/null
        "$BERTH" image inspect "$img" >/dev/null
        "$BERTH" network inspect cw-pu-net >/dev/null
        run "$BERTH" system prune -f --volumes --filter until=1h
        [ "$status" -eq 125 ]
        [[ "$output" == *'The "until" filter is not supported with "--volumes"'* ]]
        run "$BERTH" system prune -f --filter dangling=false
        [ "$status" -eq 125 ]
        [[ "$output" == *"invalid filter 'dangling'"* ]]
        run "$BERTH" system prune -f --filter until=soon
        [ "$status" -eq 125 ]
        run "$BERTH" system prune -f --filter "until=$(($(date +%s) + 60))"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Deleted Containers:"*"Deleted Networks:"*cw-pu-net*"Deleted Images:"*"$img"* ]]
        run "$BERTH" inspect cw-pu
        [ "$status" -ne 0 ]
        run "$BERTH" network inspect cw-pu-net
        [ "$status" -ne 0 ]
        # busybox is tagged: not dangling, kept
        "$BERTH" image inspect busybox >/dev/null
}
