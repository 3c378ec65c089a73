#!/usr/bin/env bats
# pause / unpause (cgroup freezer): the engine commands, state, what a paused
# container refuses or still allows, and compose pause / unpause.
# Containers pz-*, compose project pzp, subnets from 10.231.224.0/21.
load rt_common

setup_file() {
        rt_setup_file 10.231.224.0/21:24
}

teardown_file() {
        rt_compose_down "$BERTH_ROOT/pzp"
        rt_teardown_file
}

counter() { # name: a container appending a counter to /tmp/c every 0.1 s
        "$BERTH" run -d --name "$1" busybox sh -c \
                'trap "exit 0" TERM; i=0; while true; do i=$((i+1)); echo $i >> /tmp/c; sleep 0.1; done'
        sleep 0.5
}

paused_counter() { # name: a counter, paused; sets id to its full id
        counter "$1"
        id=$("$BERTH" inspect -f '{{.Id}}' "$1")
        "$BERTH" pause "$1"
}

count() { "$BERTH" exec "$1" sh -c 'wc -l < /tmp/c'; }

freezer_state() { # id: the container's freezer (v1 freezer.state or v2 cgroup.freeze)
        local d
        for d in /sys/fs/cgroup/freezer/*/"$1"; do
                [ -f "$d/freezer.state" ] && { cat "$d/freezer.state"; return; }
        done
        for d in /sys/fs/cgroup/unified/*/"$1" /sys/fs/cgroup/*/"$1"; do
                [ -f "$d/cgroup.freeze" ] && { cat "$d/cgroup.freeze"; return; }
        done
        echo none
}

@test "pause stops the processes, unpause resumes them; inspect and ps show it" {
        counter pz-a
        id=$("$BERTH" inspect -f '{{.Id}}' pz-a)
        run "$BERTH" pause pz-a
        [ "$status" -eq 0 ]
        [ "$output" = "pz-a" ]
        [[ "$(freezer_state "$id")" == FROZEN || "$(freezer_state "$id")" == 1 ]]
        run "$BERTH" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' pz-a
        [ "$output" = "paused true true" ]
        run "$BERTH" ps --format '{{json .}}'
        [[ "$(echo "$output" | jq -r 'select(.Names == "pz-a") | .State + " " + .Status')" == "paused Up "*" (Paused)" ]]
        run "$BERTH" ps
        [[ "$output" == *" Up "*" (Paused) "*" pz-a"* ]]
        run "$BERTH" ps -q --filter status=paused
        [ "$output" = "${id:0:12}" ]
        # nothing is appended while frozen (read from the host through /proc)
        pid=$("$BERTH" inspect -f '{{.State.Pid}}' pz-a)
        a=$(wc -l < /proc/$pid/root/tmp/c)
        sleep 1
        b=$(wc -l < /proc/$pid/root/tmp/c)
        [ "$a" -eq "$b" ]
        run "$BERTH" unpause pz-a
        [ "$status" -eq 0 ]
        [ "$output" = "pz-a" ]
        sleep 1
        c=$(count pz-a)
        [ "$c" -gt $((b + 3)) ]
        run "$BERTH" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' pz-a
        [ "$output" = "running false true" ]
        [[ "$(freezer_state "$id")" == THAWED || "$(freezer_state "$id")" == 0 ]]
        "$BERTH" rm -f pz-a
}

@test "a paused container refuses exec, start, rm and a second pause" {
        paused_counter pz-b
        run "$BERTH" exec pz-b true
        [ "$status" -ne 0 ]
        [[ "$output" == *"Container $id is paused, unpause the container before exec"* ]]
        run "$BERTH" start pz-b
        [ "$status" -eq 1 ]
        [[ "$output" == *"cannot start a paused container, try unpause instead"* ]]
        run "$BERTH" pause pz-b
        [ "$status" -eq 1 ]
        [[ "$output" == *"container $id is already paused"* ]]
        run "$BERTH" rm pz-b
        [ "$status" -eq 1 ]
        [[ "$output" == *"container is paused and must be unpaused first"* ]]
        "$BERTH" unpause pz-b
        run "$BERTH" unpause pz-b
        [ "$status" -eq 1 ]
        [[ "$output" == *"Container $id is not paused"* ]]
        "$BERTH" stop -t 0 pz-b
        run "$BERTH" pause pz-b
        [ "$status" -eq 1 ]
        [[ "$output" == *"container $id is not running"* ]]
        run "$BERTH" pause pz-nosuch
        [ "$status" -eq 1 ]
        "$BERTH" rm pz-b
}

@test "stop, kill and rm -f of a paused container work and leave nothing behind" {
        paused_counter pz-s
        # the stop signal (TERM, trapped: exit 0) reaches it once thawed, well before the timeout
        start=$(date +%s)
        run "$BERTH" stop -t 20 pz-s
        [ "$status" -eq 0 ]
        [ $(($(date +%s) - start)) -lt 10 ]
        run "$BERTH" inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.ExitCode}}' pz-s
        [ "$output" = "exited false 0" ]
        ! ls -d /sys/fs/cgroup/*/berth*/"$id" 2>/dev/null || false

        paused_counter pz-k
        run "$BERTH" kill pz-k
        [ "$status" -eq 0 ]
        run "$BERTH" wait pz-k
        [ "$output" = "137" ]
        run "$BERTH" inspect -f '{{.State.Status}} {{.State.Paused}}' pz-k
        [ "$output" = "exited false" ]
        ! ls -d /sys/fs/cgroup/*/berth*/"$id" 2>/dev/null || false

        paused_counter pz-f
        run "$BERTH" rm -f pz-f
        [ "$status" -eq 0 ]
        ! ls -d /sys/fs/cgroup/*/berth*/"$id" 2>/dev/null || false
        run "$BERTH" inspect pz-f
        [ "$status" -ne 0 ]
        "$BERTH" rm pz-s pz-k
}

@test "restart of a paused container runs it again" {
        counter pz-r
        "$BERTH" pause pz-r
        run "$BERTH" restart -t 5 pz-r
        [ "$status" -eq 0 ]
        run "$BERTH" inspect -f '{{.State.Status}} {{.State.Paused}}' pz-r
        [ "$output" = "running false" ]
        a=$(count pz-r)
        sleep 0.6
        [ "$(count pz-r)" -gt "$a" ]
        "$BERTH" rm -f pz-r
}

@test "no healthcheck probes run while paused" {
        "$BERTH" run -d --name pz-h --health-cmd 'echo x >> /tmp/probes' --health-interval 1s busybox sleep 300
        sleep 2.5
        "$BERTH" pause pz-h
        pid=$("$BERTH" inspect -f '{{.State.Pid}}' pz-h)
        a=$(wc -l < /proc/$pid/root/tmp/probes)
        sleep 3
        b=$(wc -l < /proc/$pid/root/tmp/probes)
        [ "$a" -eq "$b" ]
        run "$BERTH" ps --format '{{json .}}' --filter name=pz-h
        [[ "$output" == *'"Status":"Up '*' (Paused)"'* ]]
        "$BERTH" unpause pz-h
        sleep 2.5
        [ "$(wc -l < /proc/$pid/root/tmp/probes)" -gt "$b" ]
        "$BERTH" rm -f pz-h
}

@test "compose pause / unpause one service" {
        mkdir -p "$BERTH_ROOT/pzp"
        cat >"$BERTH_ROOT/pzp/compose.yaml" <<'EOF'
name: pzp
services:
  web:
    image: busybox
    command: ["sleep", "300"]
    stop_grace_period: 1s
  db:
    image: busybox
    command: ["sleep", "300"]
    stop_grace_period: 1s
EOF
        c="$BERTH compose -f $BERTH_ROOT/pzp/compose.yaml --progress plain"
        $c up -d
        run $c pause web
        [ "$status" -eq 0 ]
        [[ "$output" == *"Container pzp-web-1  Paused"* ]]
        [[ "$output" != *"pzp-db-1"* ]]
        run "$BERTH" inspect -f '{{.State.Status}}' pzp-web-1 pzp-db-1
        [ "$output" = $'paused\nrunning' ]
        run $c ps
        [[ "$output" == *"pzp-web-1 "*" Up "*" (Paused)"* ]]
        [[ "$output" == *"pzp-db-1 "*" Up "* ]]
        run $c ps --status paused -q
        [ "$output" = "$("$BERTH" inspect -f '{{.Id}}' pzp-web-1)" ]
        run $c exec -T web true
        [ "$status" -ne 0 ]
        [[ "$output" == *"is paused, unpause the container before exec"* ]]
        run $c unpause
        [ "$status" -eq 0 ]
        [[ "$output" == *"Container pzp-web-1  Unpaused"* ]]
        [[ "$output" != *"pzp-db-1"* ]]
        run "$BERTH" inspect -f '{{.State.Status}}' pzp-web-1
        [ "$output" = "running" ]
        # down works with a paused service
        $c pause
        run $c down -t 0
        [ "$status" -eq 0 ]
        [ -z "$("$BERTH" ps -aq --filter name=pzp)" ]
}
