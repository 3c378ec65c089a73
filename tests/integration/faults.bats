#!/usr/bin/env bats
# Faults: races between parallel commands, damaged state files.  Each case
# leaves no half-made container, no leak, and a clear message; the next
# command converges.  Names fl*, subnets 10.246.192.0/18 (default networks
# from 10.246.224.0/19) and 10.215.10.0/23.
bats_require_minimum_version 1.5.0
load common

setup_file() {
        # a pull of an image no test registry serves must not leave the host
        berth_no_internet
        berth_setup_file fl 10.246.224.0/19:24
}

# the ENOSPC test's root, a small tmpfs: its containers, networks, mount
nospc_cleanup() {
        local r=$BERTH_ROOT/nospc ids n
        mountpoint -q "$r" || return 0
        ids=$(BERTH_ROOT=$r "$BERTH" ps -aq --no-trunc 2>/dev/null) || true
        [ -z "$ids" ] || BERTH_ROOT=$r "$BERTH" rm -f $ids >/dev/null 2>&1 || true
        for n in $(BERTH_ROOT=$r "$BERTH" network ls -q 2>/dev/null); do
                BERTH_ROOT=$r "$BERTH" network rm "$n" >/dev/null 2>&1 || true
        done
        if [ -s "$r/run/dns/pid" ]; then
                kill "$(cat "$r/run/dns/pid")" 2>/dev/null || true
        fi
        # `run --rm` returns once its container is removed; its monitor and
        # the monitor's watcher may still be exiting (holding monitor.log)
        for _ in $(seq 50); do
                umount "$r" 2>/dev/null && return 0
                sleep 0.1
        done
        umount "$r"
}

teardown_file() {
        local d
        nospc_cleanup
        for d in "$BERTH_ROOT"/p/*/; do
                [ -f "$d/compose.yaml" ] &&
                        "$BERTH" compose -f "$d/compose.yaml" down -t 0 >/dev/null 2>&1
        done
        berth_clean_root
}

# held_until_rm_f NAME ID: the name of damaged container ID stays taken
# (create fails with docker's Conflict) until rm -f NAME, which says NAME and
# removes every trace of ID (its process, cgroup, run dir, endpoint, DNS records)
held_until_rm_f() {
        run "$BERTH" create --name "$1" busybox true
        [ "$status" -ne 0 ]
        [[ $output == *"Conflict. The container name \"/$1\" is already in use"* ]]
        run "$BERTH" rm -f "$1"
        [ "$status" -eq 0 ]
        [ "$output" = "$1" ]
        check_gone "$2"
}

# fl_project NAME: $BERTH_ROOT/p/NAME/compose.yaml, project NAME of two
# sleeping busybox services, b depending on a
fl_project() {
        mkdir -p "$BERTH_ROOT/p/$1"
        cat >"$BERTH_ROOT/p/$1/compose.yaml" <<EOF
name: $1
services:
  a:
    image: busybox
    command: ["sleep", "300"]
  b:
    image: busybox
    command: ["sleep", "300"]
    depends_on: [a]
EOF
}

# fl_parallel ARGS...: `berth compose ARGS` on the projects flc1..flc20 at
# once; each must succeed (the output of one that fails is printed)
fl_parallel() {
        local i out=$BERTH_ROOT/cup
        mkdir -p "$out"
        for i in $(seq 20); do
                (
                        rc=0
                        "$BERTH" compose -f "$BERTH_ROOT/p/flc$i/compose.yaml" "$@" >"$out/$i.out" 2>&1 || rc=$?
                        echo $rc >"$out/$i.rc"
                ) &
        done
        wait
        for i in $(seq 20); do
                [ "$(cat "$out/$i.rc")" = 0 ] || { cat "$out/$i.out"; false; }
        done
}

@test "100 parallel run --name same: one wins, 99 get docker's conflict error, nothing half made" {
        local i out=$BERTH_ROOT/race
        mkdir -p "$out"
        for i in $(seq 100); do
                (
                        rc=0
                        "$BERTH" run -d --name flsame busybox sleep 300 >"$out/$i.out" 2>"$out/$i.err" || rc=$?
                        echo $rc >"$out/$i.rc"
                ) &
        done
        wait
        [ "$(cat "$out"/*.rc | grep -c '^0$')" -eq 1 ]
        [ "$(cat "$out"/*.rc | grep -c '^125$')" -eq 99 ]
        local id
        id=$(cat "$out"/*.out)
        [[ $id =~ ^[0-9a-f]{64}$ ]]
        local want="berth: Conflict. The container name \"/flsame\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name."
        for i in $(seq 100); do
                [ "$(cat "$out/$i.rc")" = 0 ] && continue
                [ "$(cat "$out/$i.err")" = "$want" ]
        done
        # exactly one container dir, one run dir, one monitor, one endpoint
        [ "$(ls -A "$BERTH_ROOT/lib/containers" | grep -v '^names.lock$')" = "$id" ]
        [ "$(ls -A "$BERTH_ROOT/run/containers")" = "$id" ]
        [ "$("$BERTH" ps -aq --no-trunc)" = "$id" ]
        # one monitor (its berth-watch is a fork with the same arguments:
        # counted by the process name, not the command line)
        [ "$(ps -C berth-monitor -o args= | grep -c "$id" || true)" -le 1 ]
        [ "$("$BERTH" network inspect bridge | jq '.[0].Containers | length')" -eq 1 ]
        "$BERTH" rm -f flsame >/dev/null
        check_gone "$id"
        [ "$("$BERTH" network inspect bridge | jq '.[0].Containers | length')" -eq 0 ]
}

@test "20 parallel compose up -d of different projects on the same images, then 20 parallel down" {
        local i
        for i in $(seq 20); do
                fl_project "flc$i"
        done
        fl_parallel up -d
        [ "$("$BERTH" ps -q --filter status=running | wc -l)" -eq 40 ]
        # every project has its own network and subnet
        [ "$("$BERTH" network ls | awk '{print $2}' | grep -c '^flc[0-9]*_default$')" -eq 20 ]
        [ "$("$BERTH" network inspect $("$BERTH" network ls -q) | jq -r '.[].IPAM.Config[0].Subnet' | sort | uniq -d)" = "" ]
        local bridges
        bridges=$("$BERTH" network inspect $("$BERTH" network ls -q) | jq -r '.[].Options["com.docker.network.bridge.name"] // empty')
        fl_parallel down -t 0
        [ -z "$("$BERTH" ps -aq)" ]
        [ -z "$("$BERTH" network ls | awk '{print $2}' | grep '^flc')" ]
        [ -z "$(ls -A "$BERTH_ROOT/lib/containers" | grep -v '^names.lock$')" ]
        [ -z "$(ls -A "$BERTH_ROOT/run/containers")" ]
        [ -z "$(ls -A "$BERTH_ROOT/run/compose" 2>/dev/null)" ]
        local b
        for b in $bridges; do
                [ "$b" = "$("$BERTH" network inspect bridge -f '{{index .Options "com.docker.network.bridge.name"}}' 2>/dev/null)" ] && continue
                ! ip link show "$b" >/dev/null 2>&1 || false
        done
        ! grep -qs flc "$BERTH_ROOT/run/dns/records.json" || false
}

@test "a damaged config.json: ps -a lists it and the others, errors name the file, rm -f removes every trace" {
        local ok bad
        ok=$("$BERTH" run -d --name flok busybox sleep 300)
        bad=$("$BERTH" run -d --name flbad busybox sleep 300)
        local f=$BERTH_ROOT/lib/containers/$bad/config.json
        head -c 40 "$f" >"$f.t" && mv "$f.t" "$f"
        run "$BERTH" ps -a
        [ "$status" -eq 0 ]
        [[ $output == *" flok"* ]]
        [[ $output == *"${bad:0:12}"*"Corrupt"* ]]
        # by name, by id and by prefix: the file and what to run, never a crash
        run "$BERTH" inspect flbad
        [ "$status" -ne 0 ]
        [[ $output == *"$f"*"berth rm -f ${bad:0:12}"* ]]
        run "$BERTH" start "$bad"
        [ "$status" -ne 0 ]
        [[ $output == *"$f"* ]]
        run "$BERTH" rm "${bad:0:10}"
        [ "$status" -ne 0 ]
        [[ $output == *"berth rm -f ${bad:0:12}"* ]]
        held_until_rm_f flbad "$bad"
        [ "$("$BERTH" inspect -f '{{.State.Status}}' flok)" = running ]
        [ "$("$BERTH" network inspect bridge | jq '.[0].Containers | length')" -eq 1 ]
        # an empty file (a crash of a filesystem without ordered data) too, by prefix
        bad=$("$BERTH" run -d --name flbad busybox sleep 300)
        : >"$BERTH_ROOT/lib/containers/$bad/config.json"
        run "$BERTH" ps -a -q
        [ "$status" -eq 0 ]
        [[ $output == *"${ok:0:12}"* && $output == *"${bad:0:12}"* ]]
        "$BERTH" rm -f "${bad:0:8}" >/dev/null
        check_gone "$bad"
        "$BERTH" rm -f flok >/dev/null
        check_gone "$ok"
        [ "$("$BERTH" network inspect bridge | jq '.[0].Containers | length')" -eq 0 ]
}

@test "a container dir without its config.json (run --rm fsyncs nothing, a power cut may lose it): ps -a lists it, rm -f removes it and frees its name" {
        local id f
        id=$("$BERTH" create --rm --network none --name flvol busybox true)
        f=$BERTH_ROOT/lib/containers/$id/config.json
        rm "$f"
        run "$BERTH" ps -a
        [ "$status" -eq 0 ]
        [[ $output == *"${id:0:12}"*"Corrupt"* ]]
        run "$BERTH" inspect flvol
        [ "$status" -ne 0 ]
        [[ $output == *"$f is missing"*"berth rm -f ${id:0:12}"* ]]
        held_until_rm_f flvol "$id"
        id=$("$BERTH" create --network none --name flvol busybox true)
        "$BERTH" rm flvol >/dev/null
        check_gone "$id"
}

@test "a damaged network file: the other networks keep working, ls names the file, network rm removes it" {
        local a br f
        a=$("$BERTH" network create --subnet 10.246.193.0/24 flnA)
        "$BERTH" network create --subnet 10.246.194.0/24 flnB >/dev/null
        br=$("$BERTH" network inspect flnA | jq -r '.[0].Options["com.docker.network.bridge.name"]')
        ip link show "$br" >/dev/null
        f=$BERTH_ROOT/lib/networks/$a.json
        head -c 50 "$f" >"$f.t" && mv "$f.t" "$f"
        run "$BERTH" network ls
        [ "$status" -eq 0 ]
        [[ $output == *" flnB "* ]]
        [[ $output == *"$f"*"berth network rm ${a:0:12} removes it"* ]]
        # containers on the other networks are not affected
        run "$BERTH" run --rm --network flnB busybox true
        [ "$status" -eq 0 ]
        run "$BERTH" network rm "${a:0:12}"
        [ "$status" -eq 0 ]
        [ ! -e "$f" ]
        ! ip link show "$br" >/dev/null 2>&1 || false
        run "$BERTH" network ls
        [[ $output != *corrupt* ]]
        "$BERTH" network rm flnB >/dev/null
}

@test "ENOSPC: import, run and build on a full BERTH_ROOT say what they were writing, leave nothing, converge" {
        local r=$BERTH_ROOT/nospc out
        mkdir -p "$r"
        mount -t tmpfs -o size=3m tmpfs "$r"
        # import: the busybox layer does not fit
        run env BERTH_ROOT="$r" BERTH="$BERTH" "$BERTH_SRC/tests/images/make-busybox.sh"
        [ "$status" -ne 0 ]
        [[ $output == *'layer sha256:'*'write "bin/busybox": No space left on device'* ]]
        [ -z "$(find "$r/lib/image" -type f ! -name lock)" ]
        mount -o remount,size=5m "$r"
        BERTH_ROOT=$r BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" >/dev/null
        export BERTH_ROOT=$r
        # a container fills the disk; the next one cannot write its files
        "$BERTH" run --network none --name flfill busybox dd if=/dev/zero of=/big bs=64k count=1000 >/dev/null 2>&1 || true
        [ "$(df --output=avail "$r" | tail -1)" -lt 64 ]
        run "$BERTH" run --network none busybox true
        [ "$status" -eq 125 ]
        [[ $output == "berth: write $r/lib/containers/.new-"*": No space left on device" ]]
        [ -z "$(ls -A "$r/lib/containers" | grep -v '^names.lock$' | grep -v "^$("$BERTH" inspect -f '{{.Id}}' flfill)$")" ]
        [ "$("$BERTH" ps -aq | wc -l)" -eq 1 ]
        "$BERTH" rm -f flfill >/dev/null
        # build: the RUN step fits, its layer does not
        mkdir -p "$BERTH_ROOT/../ctx"
        printf 'FROM busybox\nRUN dd if=/dev/zero of=/big bs=1k count=700\n' >"$BERTH_ROOT/../ctx/Dockerfile"
        run "$BERTH" build --network none -t flbig "$BERTH_ROOT/../ctx"
        [ "$status" -ne 0 ]
        [[ $output == *"RUN: layer: write the layer tar (at big): No space left on device"* ]]
        ! "$BERTH" image inspect flbig >/dev/null 2>&1 || false
        [ -z "$(ls -A "$r/lib/image/tmp")" ]
        [ -z "$(ls -A "$r/lib/containers" | grep -v '^names.lock$')" ]
        # space again: the same commands converge
        "$BERTH" run --rm --network none busybox true
        mount -o remount,size=8m "$r"
        "$BERTH" build --network none -t flbig "$BERTH_ROOT/../ctx" >/dev/null
        [ "$("$BERTH" run --rm --network none flbig wc -c /big | awk '{print $1}')" -eq 716800 ]
        [ -z "$("$BERTH" ps -aq)" ]
        [ -z "$(ls -A "$r/lib/image/tmp")" ]
        export BERTH_ROOT=${r%/nospc}
        nospc_cleanup
}

@test "a damaged image tag index: the error names the file and what to run, and running it converges" {
        local f=$BERTH_ROOT/lib/image/repositories.json id
        id=$("$BERTH" image inspect busybox | jq -r '.[0].Id')
        cp "$f" "$BERTH_ROOT/repositories.good"
        head -c 20 "$BERTH_ROOT/repositories.good" >"$f"
        run "$BERTH" images
        [ "$status" -ne 0 ]
        [[ $output == *"$f:"*"invalid JSON"*"run: mv $f $f.bad"* ]]
        run "$BERTH" run --rm --network none busybox true
        [ "$status" -eq 125 ]
        [[ $output == *"run: mv $f $f.bad"* ]]
        # what it says to do: the images stay, untagged, and can be named again
        mv "$f" "$f.bad"
        [ "$("$BERTH" images -q --no-trunc)" = "$id" ]
        "$BERTH" tag "${id#sha256:}" busybox:latest
        "$BERTH" run --rm --network none busybox true
        rm -f "$f.bad" "$BERTH_ROOT/repositories.good"
}

# nothing of any container is left, and no network but the default one
check_empty() {
        [ -z "$("$BERTH" ps -aq)" ]
        [ -z "$(ls -A "$BERTH_ROOT/lib/containers" | grep -v '^names.lock$')" ]
        [ -z "$(ls -A "$BERTH_ROOT/run/containers" 2>/dev/null)" ]
        [ -z "$("$BERTH" network ls | awk 'NR > 1 && $2 != "bridge"')" ]
        [ "$("$BERTH" network inspect bridge | jq '.[0].Containers | length')" -eq 0 ]
        [ "$(jq '[.networks[].endpoints[]] | length' "$BERTH_ROOT/run/dns/records.json" 2>/dev/null || echo 0)" -eq 0 ]
        # one bridge (a gateway address of this file's pool) per network, none
        # that no network names (a creator killed after making it)
        [ "$(ip -o -4 addr show | awk '$4 ~ /^10\.246\.(22[4-9]|2[3-4][0-9]|25[0-5])\./' | wc -l)" -eq "$("$BERTH" network ls -q | wc -l)" ]
}

@test "kill -9 at every named step of run, rm, compose up and compose down: the next command converges" {
        local step id ids
        fl_project flk
        local yml=$BERTH_ROOT/p/flk/compose.yaml
        for step in create.files create.done start.launched start.monitor start.network; do
                run env BERTH_CRASH_AT=$step "$BERTH" run -d --name flk busybox sleep 300
                [ "$status" -eq 137 ] || { echo "run at $step: $status $output"; false; }
                ids=$("$BERTH" ps -aq --no-trunc)
                # the next run of the same name converges once the remains are removed
                [ -z "$ids" ] || "$BERTH" rm -f $ids >/dev/null
                id=$("$BERTH" run -d --name flk busybox sleep 300)
                [ "$("$BERTH" inspect -f '{{.State.Status}}' flk)" = running ]
                "$BERTH" rm -f flk >/dev/null
                for i in $ids $id; do check_gone "$i"; done
                check_empty
        done
        for step in rm.stopped rm.released; do
                id=$("$BERTH" run -d --name flk busybox sleep 300)
                run env BERTH_CRASH_AT=$step "$BERTH" rm -f flk
                [ "$status" -eq 137 ] || { echo "rm at $step: $status $output"; false; }
                "$BERTH" rm -f "$id" >/dev/null 2>&1 || true
                check_gone "$id"
                check_empty
        done
        for step in network.bridge up.networks create.done start.launched start.monitor start.network; do
                run env BERTH_CRASH_AT=$step "$BERTH" compose -f "$yml" up -d
                [ "$status" -eq 137 ] || { echo "up at $step: $status $output"; false; }
                "$BERTH" compose -f "$yml" up -d >/dev/null 2>&1
                [ "$("$BERTH" compose -f "$yml" ps -q | wc -l)" -eq 2 ]
                "$BERTH" compose -f "$yml" down -t 0 >/dev/null 2>&1
                check_empty
        done
        for step in down.stopped down.networks; do
                "$BERTH" compose -f "$yml" up -d >/dev/null 2>&1
                run env BERTH_CRASH_AT=$step "$BERTH" compose -f "$yml" down -t 0
                [ "$status" -eq 137 ] || { echo "down at $step: $status $output"; false; }
                "$BERTH" compose -f "$yml" down -t 0 >/dev/null 2>&1
                check_empty
        done
}

# blobs no image record names (layers by diff id, configs by image id, pulled blobs)
orphan_blobs() {
        local s=$BERTH_ROOT/lib/image
        comm -23 <(ls "$s/blobs/sha256" | sort) \
                <({
                        ls "$s/images" | sed 's/\.json$//'
                        cat "$s"/images/*.json | jq -r '(.diff_ids // [])[], (.blobs // [])[]' | sed 's/^sha256://'
                } | sort -u)
}

# image id (sha256:hex) and its parents, one hex per line
chain() {
        local h=${1#sha256:}
        while [ -n "$h" ] && [ "$h" != null ]; do
                echo "$h"
                h=$(jq -r '.parent // empty' "$BERTH_ROOT/lib/image/images/$h.json" | sed 's/^sha256://')
        done
}

@test "kill -9 at every named step of build: the next build converges, nothing is left behind" {
        local ctx=$BERTH_ROOT/ctxk step base n=0
        mkdir -p "$ctx"
        echo hello >"$ctx/f"
        printf 'FROM busybox\nCOPY f /f\nRUN cat /f >/g\nENV A=1\n' >"$ctx/Dockerfile"
        "$BERTH" build -q --network none -t flbk "$ctx" >/dev/null
        "$BERTH" image prune -f >/dev/null
        base=$(ls "$BERTH_ROOT/lib/image/images" | wc -l)
        for step in build.copy.layer build.blob build.cached build.registered build.run.created \
                build.run.exited build.run.layer build.run.committed build.tag build.tagged; do
                # a new mtime: the COPY layer is a blob no image has yet
                n=$((n + 1))
                touch -d "@$((1700000000 + n))" "$ctx/f"
                ls "$BERTH_ROOT/lib/image/images" >"$BATS_TEST_TMPDIR/before"
                run env BERTH_CRASH_AT=$step "$BERTH" build --no-cache -q --network none -t flbk "$ctx"
                [ "$status" -eq 137 ] || { echo "build at $step: $status $output"; false; }
                run "$BERTH" build -q --network none -t flbk "$ctx"
                [ "$status" -eq 0 ] || { echo "build after $step: $output"; false; }
                # every image the killed build made, the next one builds on
                for i in $(ls "$BERTH_ROOT/lib/image/images" | comm -13 "$BATS_TEST_TMPDIR/before" -); do
                        chain "$("$BERTH" image inspect flbk | jq -r '.[0].Id')" | grep -qx "${i%.json}" ||
                                { echo "image ${i%.json} of the build killed at $step is not used"; false; }
                done
                # no RUN container, no temporary file, no blob nothing uses
                [ -z "$("$BERTH" ps -aq)" ] || { echo "container left after $step"; false; }
                [ -z "$(ls -A "$BERTH_ROOT/lib/image/tmp")" ]
                [ ! -e "$BERTH_ROOT/lib/image/pending-blob" ]
                [ -z "$(orphan_blobs)" ] || { echo "orphan blobs after $step: $(orphan_blobs)"; false; }
                # no image but what a build without a crash leaves: the
                # replaced flbk, which prune removes with its steps
                "$BERTH" image prune -f >/dev/null
                [ "$(ls "$BERTH_ROOT/lib/image/images" | wc -l)" -eq "$base" ] ||
                        { echo "images after $step: $(ls "$BERTH_ROOT/lib/image/images" | wc -l), not $base"; false; }
        done
        [ "$("$BERTH" run --rm --network none flbk cat /g)" = hello ]
        "$BERTH" rmi flbk >/dev/null
        rm -rf "$ctx"
}

@test "ENOSPC while writing state and building: the error names the file, nothing is half made, the same commands converge" {
        local r=$BERTH_ROOT/nospc ctx=$BERTH_ROOT/ctxn
        mkdir -p "$r" "$ctx"
        mount -t tmpfs -o size=5m tmpfs "$r"
        BERTH_ROOT=$r BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" >/dev/null
        head -c 300000 /dev/urandom >"$ctx/big"
        printf 'FROM busybox\nCOPY big /big\n' >"$ctx/Dockerfile"
        export BERTH_ROOT=$r
        dd if=/dev/zero of="$r/fill" bs=4k >/dev/null 2>&1 || true
        # a network: its state file cannot be written; no bridge, route or file is left
        run "$BERTH" network create --subnet 10.215.10.0/24 flnsnet
        [ "$status" -eq 125 ]
        [[ $output == "berth: write $r/lib/networks/"*".json: No space left on device" ]]
        ! ip route | grep -q '^10.215.10.0/24 ' || false
        [ -z "$("$BERTH" network ls -q)" ]
        # a tag: the tag index cannot be written; the old one is intact
        run "$BERTH" tag busybox fltagged
        [ "$status" -eq 125 ]
        [ "$output" = "berth: write $r/lib/image/repositories.json: No space left on device" ]
        jq -e . "$r/lib/image/repositories.json" >/dev/null
        "$BERTH" image inspect busybox >/dev/null
        # a build: the COPY layer does not fit
        run "$BERTH" build --network none -t flnsbig "$ctx"
        [ "$status" -ne 0 ]
        [[ $output == *"COPY: layer: write the layer tar (at big): No space left on device"* ]]
        ! "$BERTH" image inspect flnsbig >/dev/null 2>&1 || false
        [ -z "$(find "$r" -name '.*.tmp.*')" ]
        [ -z "$(ls -A "$r/lib/image/tmp")" ]
        [ ! -e "$r/lib/image/pending-blob" ]
        [ -z "$(orphan_blobs)" ]
        [ -z "$("$BERTH" ps -aq)" ]
        # space again: the same commands converge
        rm -f "$r/fill"
        "$BERTH" network create --subnet 10.215.10.0/24 flnsnet >/dev/null
        "$BERTH" network rm flnsnet >/dev/null
        "$BERTH" tag busybox fltagged
        "$BERTH" build -q --network none -t flnsbig "$ctx" >/dev/null
        [ "$("$BERTH" run --rm --network none flnsbig md5sum /big | cut -d' ' -f1)" = "$(md5sum <"$ctx/big" | cut -d' ' -f1)" ]
        export BERTH_ROOT=${r%/nospc}
        nospc_cleanup
        rm -rf "$ctx"
}

@test "start right after the container ended (its monitor still finishing) starts it again, every time" {
        "$BERTH" run -d --network none --name flagain busybox true >/dev/null
        # each start races the previous run's monitor, which is still writing
        # the end of a container that exits at once (1 in 2 failed with
        # "already being started")
        for i in $(seq 12); do
                run "$BERTH" start flagain
                [ "$status" -eq 0 ] || { echo "start $i: $output"; false; }
        done
        for _ in $(seq 100); do
                [ "$("$BERTH" inspect flagain | jq -r '.[0].State.Status')" = exited ] && break
                sleep 0.05
        done
        "$BERTH" rm -f flagain >/dev/null
}

# fl_stopped PID: wait until process PID stopped itself (BERTH_PAUSE_AT),
# or ended; true if it stopped
fl_stopped() {
        local st
        for _ in $(seq 500); do
                st=$(awk '{print $3}' /proc/$1/stat 2>/dev/null) || st=
                case $st in T) return 0 ;; Z | "") return 1 ;; esac
                sleep 0.02
        done
        return 1
}

@test "kill -9 of start after it launched the monitor: the next start waits for that monitor, never runs a second beside it" {
        local id m s st
        id=$("$BERTH" create --network none --name flmon busybox sleep 300)
        # the CLI dies once the monitor is launched; the monitor holds itself
        # before it records its pid (the window a second start used to miss)
        run env BERTH_CRASH_AT=start.launched BERTH_PAUSE_AT=monitor.spawned "$BERTH" start flmon
        [ "$status" -eq 137 ]
        # the monitor (not its watcher or the init, forks of it) stopped itself
        for _ in $(seq 500); do
                m=$(pgrep -r T -f "^berth-monitor $id") && break
                sleep 0.02
        done
        [ -n "$m" ]
        # the next start finds that monitor at work and stops before it waits;
        # before the monitor lock it started a second monitor at once
        BERTH_PAUSE_AT=start.wait "$BERTH" start flmon >"$BERTH_ROOT/flmon.out" 2>&1 &
        s=$!
        fl_stopped "$s" || true
        kill -CONT "$m" "$s" 2>/dev/null || true
        st=0
        wait "$s" || st=$?
        [ "$st" -eq 0 ] || { cat "$BERTH_ROOT/flmon.out"; false; }
        # the first monitor gives up (its starter is gone) without touching
        # the container the second one runs
        for _ in $(seq 100); do
                kill -0 "$m" 2>/dev/null || break
                sleep 0.05
        done
        ! kill -0 "$m" 2>/dev/null
        [ "$("$BERTH" inspect -f '{{.State.Status}}' flmon)" = running ]
        "$BERTH" exec flmon true
        [ "$(pgrep -fc "^berth-monitor $id")" -le 2 ] # the monitor and its watcher
        "$BERTH" rm -f flmon >/dev/null
        check_gone "$id"
}

@test "run --rm whose monitor fails before the start (its --network container: target is not running) leaves no container, however late that monitor ends" {
        local tid m cli st
        tid=$("$BERTH" create --name fljt busybox sleep 300)
        # the monitor stops itself once it has told the CLI: the CLI then
        # sees it alive and leaves the removal to it
        BERTH_PAUSE_AT=monitor.failed "$BERTH" run --rm --name fljrm \
                --network container:fljt busybox true >"$BERTH_ROOT/fljrm.out" 2>&1 &
        cli=$!
        for _ in $(seq 500); do
                m=$(pgrep -r T -f "^berth-monitor ") && break
                sleep 0.02
        done
        [ -n "$m" ]
        st=0
        wait "$cli" || st=$?
        [ "$st" -eq 125 ]
        grep -q "cannot join network of a non running container: $tid" "$BERTH_ROOT/fljrm.out"
        kill -CONT $m
        for _ in $(seq 100); do
                kill -0 $m 2>/dev/null || break
                sleep 0.05
        done
        # before, the --rm container stayed, "Created"
        run "$BERTH" ps -a --format '{{.Names}}'
        [ "$output" = fljt ]
        "$BERTH" rm -f fljt >/dev/null
}

@test "a network removed while another command lists the networks (unlocked) is left out of the list, not an error" {
        local ls st
        "$BERTH" network create flgone >/dev/null
        # network ls has seen the files and stops before it reads them
        BERTH_PAUSE_AT=network.listed "$BERTH" network ls --format '{{.Name}}' \
                >"$BERTH_ROOT/flgone.out" 2>&1 &
        ls=$!
        fl_stopped "$ls"
        "$BERTH" network rm flgone >/dev/null
        # it reads on, one file at a time (each stops it again)
        while fl_stopped "$ls"; do kill -CONT "$ls"; done
        st=0
        wait "$ls" || st=$?
        # before: "lib/networks/open ID.json: No such file or directory"
        [ "$st" -eq 0 ] || { cat "$BERTH_ROOT/flgone.out"; false; }
        ! grep -q flgone "$BERTH_ROOT/flgone.out" || false
}

@test "ENOSPC when a container exits: its own exit code survives, its log says why, the next command converges" {
        local r=$BERTH_ROOT/nospc id pid log started
        mkdir -p "$r"
        mount -t tmpfs -o size=8m tmpfs "$r"
        # the image from the file's root (a load is quicker than a fresh import)
        "$BERTH" save -o "$BERTH_ROOT/bb.tar" busybox
        BERTH_ROOT=$r "$BERTH" load -q -i "$BERTH_ROOT/bb.tar" >/dev/null
        rm -f "$BERTH_ROOT/bb.tar"
        export BERTH_ROOT=$r
        "$BERTH" run -d --network none --name flexit busybox \
                sh -c 'while [ ! -e /tmp/go ]; do sleep 0.05; done; exit 3' >/dev/null
        id=$("$BERTH" inspect -f '{{.Id}}' flexit)
        pid=$("$BERTH" inspect flexit | jq -r '.[0].State.Pid')
        log=$r/lib/containers/$id/monitor.log
        # the disk is full when it exits: its monitor cannot write its state
        dd if=/dev/zero of="$r/fill" bs=4k >/dev/null 2>&1 || true
        [ "$(df --output=avail "$r" | tail -1)" -eq 0 ]
        touch "/proc/$pid/root/tmp/go"
        for _ in $(seq 100); do
                [ "$("$BERTH" inspect flexit | jq -r '.[0].State.Status')" = exited ] && break
                sleep 0.05
        done
        # the next command records the exit it had, not 255
        run "$BERTH" inspect flexit
        [ "$(echo "$output" | jq -r '.[0].State.Status')" = exited ]
        [ "$(echo "$output" | jq -r '.[0].State.ExitCode')" = 3 ]
        [ "$(echo "$output" | jq -r '.[0].State.Error')" = "" ]
        [[ $("$BERTH" ps -a --filter name=flexit) == *"Exited (3)"* ]]
        # and the monitor's log says what happened and where the exit went
        grep -q "container ${id:0:12} exited with code 3 but its state could not be written: write $r/lib/containers/$id/config.json: No space left on device (the disk holding BERTH_ROOT is full); the exit is kept in exit.reserve" "$log"
        # space again: it runs again and its exit is recorded as usual
        rm -f "$r/fill"
        started=$("$BERTH" inspect flexit | jq -r '.[0].State.StartedAt')
        "$BERTH" start flexit >/dev/null
        for _ in $(seq 100); do
                run "$BERTH" inspect flexit
                [ "$(echo "$output" | jq -r '.[0].State.StartedAt')" != "$started" ] &&
                        [ "$(echo "$output" | jq -r '.[0].State.Status')" = exited ] && break
                sleep 0.05
        done
        [ "$(echo "$output" | jq -r '.[0].State.Status')" = exited ]
        [ "$(echo "$output" | jq -r '.[0].State.ExitCode')" = 3 ]
        [ "$(echo "$output" | jq -r '.[0].State.Error')" = "" ]
        "$BERTH" rm flexit >/dev/null
        [ -z "$("$BERTH" ps -aq)" ]
        export BERTH_ROOT=${r%/nospc}
        nospc_cleanup
}

@test "ENOSPC when start writes the running state: the start fails naming the file, nothing ran, the next start runs it" {
        local r=$BERTH_ROOT/nospc out=$BERTH_ROOT/rm2out id
        mkdir -p "$r" "$out"
        mount -t tmpfs -o size=8m tmpfs "$r"
        "$BERTH" save -o "$BERTH_ROOT/bb.tar" busybox
        BERTH_ROOT=$r "$BERTH" load -q -i "$BERTH_ROOT/bb.tar" >/dev/null
        rm -f "$BERTH_ROOT/bb.tar"
        export BERTH_ROOT=$r
        # what the container runs leaves a mark outside the full disk
        id=$("$BERTH" create --network none --name rm2start -v "$out:/out" busybox \
                sh -c 'touch /out/ran; exec sleep 300')
        dd if=/dev/zero of="$r/fill" bs=4k >/dev/null 2>&1 || true
        [ "$(df --output=avail "$r" | tail -1)" -eq 0 ]
        # docker start's failure: the error, then "failed to start containers"
        run "$BERTH" start rm2start
        [ "$status" -eq 1 ]
        [[ $output == "berth: container ${id:0:12} not started: its state could not be written: write $r/lib/containers/$id/config.json: No space left on device (the disk holding BERTH_ROOT is full: free space there and start it again)"* ]]
        # its monitor ends; nothing of it runs and nothing ran
        for _ in $(seq 100); do
                [ -e "$r/run/containers/$id" ] || break
                sleep 0.05
        done
        [ ! -e "$r/run/containers/$id" ]
        [ ! -e "$out/ran" ]
        ! grep -q "$id" /proc/[0-9]*/cgroup 2>/dev/null || false
        [ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "*$id*" 2>/dev/null)" ]
        run "$BERTH" inspect rm2start
        [ "$(echo "$output" | jq -r '.[0].State.Status')" = created ]
        [ "$(echo "$output" | jq -r '.[0].State.Pid')" = 0 ]
        [ -z "$("$BERTH" ps -q)" ]
        # space again: the same start runs it, recorded as running
        rm -f "$r/fill"
        "$BERTH" start rm2start >/dev/null
        for _ in $(seq 100); do
                [ -e "$out/ran" ] && break
                sleep 0.05
        done
        [ -e "$out/ran" ]
        run "$BERTH" inspect rm2start
        [ "$(echo "$output" | jq -r '.[0].State.Status')" = running ]
        grep -q "$id" "/proc/$(echo "$output" | jq -r '.[0].State.Pid')/cgroup"
        "$BERTH" rm -f rm2start >/dev/null
        [ -z "$("$BERTH" ps -aq)" ]
        export BERTH_ROOT=${r%/nospc}
        nospc_cleanup
        rm -rf "$out"
}

@test "a damaged DNS records file (run/dns/records.json): berth says so, rebuilds it, names resolve again" {
        local f=$BERTH_ROOT/run/dns/records.json gw=10.215.11.1
        "$BERTH" network create --subnet 10.215.11.0/24 flrecnet >/dev/null
        "$BERTH" run -d --name flrec-a --network flrecnet --network-alias flrec-alias busybox sleep 300 >/dev/null
        "$BERTH" run -d --name flrec-ask --network flrecnet busybox sleep 300 >/dev/null
        head -c 40 "$f" >"$f.cut" && mv "$f.cut" "$f"
        # the next command that needs the records: a warning naming the file, and it works
        run "$BERTH" run -d --name flrec-b --network flrecnet busybox sleep 300
        [ "$status" -eq 0 ]
        [[ $output == *"warning: $f:"*"invalid JSON"*"rebuilt from the networks and the running containers"* ]]
        jq -e . "$f" >/dev/null
        [ -s "$f.bad" ]
        # every name is back: the running containers', an alias, the new one's
        for n in flrec-a flrec-alias flrec-b; do
                "$BERTH" exec flrec-ask nslookup "$n" "$gw" >/dev/null ||
                        { echo "$n does not resolve"; false; }
        done
        # an emptied file too, and rm works through it
        : >"$f"
        "$BERTH" rm -f flrec-b >/dev/null
        jq -e '[.networks[].endpoints[].names[]] | index("flrec-a")' "$f" >/dev/null
        ! jq -e '[.networks[].endpoints[].names[]] | index("flrec-b")' "$f" >/dev/null || false
        "$BERTH" rm -f flrec-a flrec-ask >/dev/null
        "$BERTH" network rm flrecnet >/dev/null
        rm -f "$f.bad"
}

@test "a damaged image record does not stop rmi of another image half way, and no layer it may use is lost" {
        local ctx=$BERTH_ROOT/ctx2 bb rec
        mkdir -p "$ctx"
        printf 'FROM busybox\nRUN echo hi >/x\n' >"$ctx/Dockerfile"
        "$BERTH" build --network none -t fltwo "$ctx" >/dev/null
        bb=$("$BERTH" image inspect busybox | jq -r '.[0].Id')
        rec=$BERTH_ROOT/lib/image/images/${bb#sha256:}.json
        cp "$rec" "$BERTH_ROOT/rec.good"
        echo junk >"$rec"
        run "$BERTH" rmi fltwo
        [ "$status" -eq 0 ]
        [ "$output" != "${output#Untagged: fltwo:latest}" ]
        run "$BERTH" image inspect fltwo
        [ "$status" -ne 0 ]
        # repaired, busybox still has every layer
        cp "$BERTH_ROOT/rec.good" "$rec"
        "$BERTH" run --rm --network none busybox true
        rm -rf "$ctx" "$BERTH_ROOT/rec.good"
}
