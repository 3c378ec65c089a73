#!/usr/bin/env bats
# run -d, logs, exec, stop, restart, kill, wait, rm, ps, inspect, rename,
# restart policies and crash recovery.
bats_require_minimum_version 1.5.0
load rt_common

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }

# health_becomes NAME STATUS TRIES STEP: NAME's health status is STATUS within
# TRIES checks STEP seconds apart (and one more after the last)
health_becomes() {
        local i
        for i in $(seq 1 "$3"); do
                [ "$("$BERTH" inspect -f '{{.State.Health.Status}}' "$1")" = "$2" ] && return 0
                sleep "$4"
        done
        [ "$("$BERTH" inspect -f '{{.State.Health.Status}}' "$1")" = "$2" ]
}

@test "run -d prints the id; ps shows it; logs have its output" {
        run "$BERTH" run -d --name rt-d --label rt-l=1 busybox sh -c 'echo out; echo err >&2; sleep 60'
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^[0-9a-f]{64}$ ]]
        run "$BERTH" ps
        [[ "${lines[0]}" == "CONTAINER ID"*"IMAGE"*"COMMAND"*"CREATED"*"STATUS"*"PORTS"*"NAMES" ]]
        [[ "$output" == *"Up "*"rt-d"* ]]
        run "$BERTH" ps -q --filter label=rt-l=1
        [ "${#lines[@]}" -eq 1 ]
        run "$BERTH" ps --format json --filter name=rt-d
        [ "$(echo "$output" | jq -r .Names)" = "rt-d" ]
        # as docker: a name filter without -a lists running containers only,
        # a status filter any state; one key's values are alternatives
        "$BERTH" create --name rt-dc busybox true >/dev/null
        [ "$("$BERTH" ps --format '{{.Names}}' --filter name=rt-d)" = "rt-d" ]
        [ "$("$BERTH" ps -a --format '{{.Names}}' --filter name=rt-d | sort | tr '\n' ' ')" = "rt-d rt-dc " ]
        [ "$("$BERTH" ps --format '{{.Names}}' --filter status=created)" = "rt-dc" ]
        [ "$("$BERTH" ps --format '{{.Names}}' --filter name=rt-d --filter status=created --filter status=running | sort | tr '\n' ' ')" = "rt-d rt-dc " ]
        [ -z "$("$BERTH" ps -a --format '{{.Names}}' --filter name=rt-dc --filter status=running)" ]
        "$BERTH" rm rt-dc >/dev/null
        sleep 0.3
        run "$BERTH" logs rt-d
        [[ "$output" == *"out"* ]]
        [[ "$output" == *"err"* ]]
        f=$("$BERTH" inspect -f '{{.LogPath}}' rt-d)
        jq -e 'select(.stream == "stderr") | .log == "err\n"' "$f"
        "$BERTH" rm -f rt-d
}

@test "logs -f follows until the container exits; --tail" {
        "$BERTH" run -d --name rt-f busybox sh -c 'for i in 1 2 3 4; do echo n$i; sleep 0.3; done'
        run timeout 20 "$BERTH" logs -f rt-f
        [ "$status" -eq 0 ]
        [ "${lines[*]}" = "n1 n2 n3 n4" ]
        run "$BERTH" logs --tail 2 rt-f
        [ "${lines[*]}" = "n3 n4" ]
        run "$BERTH" logs -t --tail 1 rt-f
        [[ "$output" =~ ^20[0-9-]+T[0-9:.]+Z\ n4$ ]]
        "$BERTH" rm rt-f
}

@test "exec runs in the container and returns the command's status" {
        "$BERTH" run -d --name rt-x busybox sleep 60
        run "$BERTH" exec rt-x hostname
        [ "$output" = "$("$BERTH" inspect -f '{{.Config.Hostname}}' rt-x)" ]
        run "$BERTH" exec -e RT=7 -w /tmp -u app rt-x sh -c 'echo $RT $(pwd) $(id -u); exit 9'
        [ "$status" -eq 9 ]
        [ "$output" = "7 /tmp 1000" ]
        run -127 "$BERTH" exec rt-x no-such-cmd
        run with_pty $'tty >/dev/null && echo on-tty; exit 2\n' "$BERTH" exec -it rt-x sh
        [ "$status" -eq 2 ]
        [[ "$output" == *"on-tty"* ]]
        "$BERTH" rm -f rt-x
}

@test "attach: ctrl-p ctrl-q detaches (status 1, 'read escape sequence'); --detach-keys; the container runs on" {
        "$BERTH" run -dit --name rt-at busybox sh
        run with_pty $'echo typed-in >/tmp/in\n\x10\x11' "$BERTH" attach rt-at
        [ "$status" -eq 1 ]
        [[ "$output" == *"read escape sequence"* ]]
        [ "$("$BERTH" inspect -f '{{.State.Running}}' rt-at)" = true ]
        # what was typed before the sequence reached the container
        for _ in $(seq 50); do
                "$BERTH" exec rt-at cat /tmp/in 2>/dev/null | grep -q typed-in && break
                sleep 0.1
        done
        [ "$("$BERTH" exec rt-at cat /tmp/in)" = typed-in ]
        # a first key alone is passed on: ctrl-p then x is not the sequence
        run with_pty $'\x10x\x01' "$BERTH" attach --detach-keys ctrl-a rt-at
        [ "$status" -eq 1 ]
        [ "$("$BERTH" inspect -f '{{.State.Running}}' rt-at)" = true ]
        run "$BERTH" attach --detach-keys ctrl-1 rt-at
        [ "$status" -eq 125 ]
        [[ "$output" == *"Invalid detach keys (ctrl-1) provided"* ]]
        "$BERTH" rm -f rt-at
}

@test "stop kills a PID 1 that ignores SIGTERM after -t 1" {
        "$BERTH" run -d --name rt-s busybox sh -c 'trap "" TERM; while :; do sleep 0.2; done'
        start=$(date +%s%N)
        run "$BERTH" stop -t 1 rt-s
        [ "$status" -eq 0 ]
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        [ "$ms" -ge 900 ]
        [ "$ms" -lt 5000 ]
        run "$BERTH" inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}' rt-s
        [ "$output" = "exited 137 false" ]
        "$BERTH" rm rt-s
}

@test "stop with the image's stop signal exits quickly" {
        "$BERTH" run -d --name rt-s2 --stop-signal USR1 busybox sh -c 'trap "exit 42" USR1; while :; do sleep 0.1; done'
        run "$BERTH" stop rt-s2
        [ "$("$BERTH" inspect -f '{{.State.ExitCode}}' rt-s2)" = "42" ]
        "$BERTH" rm rt-s2
}

@test "SIGTERM reaches the command: a TERM trap runs, --init forwards it" {
        # The monitor blocks SIGTERM for its signalfd; the container must not inherit that.
        "$BERTH" run -d --name rt-s3 busybox sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
        "$BERTH" run -d --name rt-s4 --init busybox sleep 100
        sleep 0.3
        run "$BERTH" stop -t 5 rt-s3 rt-s4
        [ "$status" -eq 0 ]
        [ "$("$BERTH" inspect -f '{{.State.ExitCode}}' rt-s3)" = "7" ]
        [ "$("$BERTH" inspect -f '{{.State.ExitCode}}' rt-s4)" = "143" ]
        "$BERTH" rm rt-s3 rt-s4
}

@test "--init ends with its command even while a healthcheck process is running" {
        "$BERTH" run -d --name rt-s5 --init --health-cmd 'sleep 1000' --health-interval 1s \
                --health-timeout 900s busybox sleep 100
        sleep 1.5 # a healthcheck process is now running inside the container
        run "$BERTH" stop -t 3 rt-s5
        [ "$status" -eq 0 ]
        [ "$("$BERTH" inspect -f '{{.State.ExitCode}}' rt-s5)" = "143" ]
        "$BERTH" rm rt-s5
}

@test "start, restart, kill, wait" {
        "$BERTH" create --name rt-c busybox sh -c 'sleep 60'
        [ "$("$BERTH" inspect -f '{{.State.Status}}' rt-c)" = "created" ]
        "$BERTH" start rt-c
        pid1=$("$BERTH" inspect -f '{{.State.Pid}}' rt-c)
        "$BERTH" restart -t 1 rt-c
        pid2=$("$BERTH" inspect -f '{{.State.Pid}}' rt-c)
        [ "$pid1" != "$pid2" ]
        [ "$("$BERTH" inspect -f '{{.State.Running}}' rt-c)" = "true" ]
        ( sleep 0.5; "$BERTH" kill -s KILL rt-c ) &
        run "$BERTH" wait rt-c
        [ "$output" = "137" ]
        wait
        run "$BERTH" kill rt-c
        [ "$status" -ne 0 ]
        "$BERTH" rm rt-c
}

@test "start -a streams and returns the exit code" {
        "$BERTH" create --name rt-sa busybox sh -c 'echo attached; exit 5'
        run "$BERTH" start -a rt-sa
        [ "$status" -eq 5 ]
        [ "$output" = "attached" ]
        "$BERTH" rm rt-sa
}

@test "start: a failed start says why, then which container, and the next one starts; -a stops at the container it attaches to" {
        "$BERTH" create --network none --name rt-sx busybox sh -c 'echo attached; exit 5'
        "$BERTH" create --network none --name rt-sy busybox true
        "$BERTH" create --network none --name rt-bad busybox /rt-nonexistent
        run "$BERTH" start -a rt-sx rt-sy
        [ "$status" -eq 5 ]
        [ "$output" = "attached" ]
        [ "$("$BERTH" inspect -f '{{.State.Status}}' rt-sy)" = created ]
        run "$BERTH" start rt-bad rt-sy
        [ "$status" -eq 1 ]
        [ "${lines[0]}" = 'berth: exec: "/rt-nonexistent": no such file or directory' ]
        [ "${lines[1]}" = "berth: failed to start containers: rt-bad" ]
        [ "${lines[2]}" = rt-sy ]
        [ "${#lines[@]}" -eq 3 ]
        "$BERTH" rm -f rt-sx rt-sy rt-bad >/dev/null
}

@test "rm refuses a running container without -f" {
        "$BERTH" run -d --name rt-r busybox sleep 60
        run "$BERTH" rm rt-r
        [ "$status" -ne 0 ]
        [[ "$output" == *"stop the container before removing or force remove"* ]]
        "$BERTH" rm -f rt-r
        run "$BERTH" inspect rt-r
        [ "$status" -ne 0 ]
}

@test "rename and inspect field names" {
        "$BERTH" create --name rt-old busybox true
        "$BERTH" rename rt-old rt-new
        run "$BERTH" inspect rt-new
        [ "$status" -eq 0 ]
        echo "$output" | jq -e '.[0] | .Name == "/rt-new" and (.Id | length) == 64 and .State.Status == "created"
                and (.Config | has("Hostname") and has("Env") and has("Cmd") and has("Image") and has("Labels"))
                and (.HostConfig | has("RestartPolicy")) and .RestartCount == 0 and (.Mounts | type) == "array"'
        run "$BERTH" inspect rt-old
        [ "$status" -ne 0 ]
        "$BERTH" rm rt-new
}

@test "restart policy on-failure:2 retries with backoff, then stops" {
        "$BERTH" run -d --name rt-rp --restart on-failure:2 busybox sh -c 'exit 3'
        for _ in $(seq 1 50); do
                [ "$("$BERTH" inspect -f '{{.State.Status}}' rt-rp)" = "exited" ] &&
                        [ "$("$BERTH" inspect -f '{{.RestartCount}}' rt-rp)" = "2" ] && break
                sleep 0.2
        done
        [ "$("$BERTH" inspect -f '{{.RestartCount}} {{.State.ExitCode}}' rt-rp)" = "2 3" ]
        "$BERTH" rm -f rt-rp
}

@test "restart policy always restarts until stopped" {
        "$BERTH" run -d --name rt-ra --restart always busybox sh -c 'sleep 0.2'
        for _ in $(seq 1 50); do
                [ "$("$BERTH" inspect -f '{{.RestartCount}}' rt-ra)" -ge 2 ] && break
                sleep 0.2
        done
        [ "$("$BERTH" inspect -f '{{.RestartCount}}' rt-ra)" -ge 2 ]
        "$BERTH" stop -t 1 rt-ra
        [ "$("$BERTH" inspect -f '{{.State.Status}}' rt-ra)" = "exited" ]
        "$BERTH" rm rt-ra
}

@test "monitor killed with -9: ps shows exited, rm -f cleans everything" {
        "$BERTH" run -d --name rt-k9 busybox sleep 100
        id=$("$BERTH" inspect -f '{{.Id}}' rt-k9)
        mon=$(jq -r .MonitorPid "$BERTH_ROOT/run/containers/$id/monitor.json")
        init=$("$BERTH" inspect -f '{{.State.Pid}}' rt-k9)
        kill -9 "$mon"
        for _ in $(seq 1 20); do kill -0 "$init" 2>/dev/null || break; sleep 0.1; done
        run "$BERTH" ps -a --filter name=rt-k9
        [[ "$output" == *"Exited (255)"* ]]
        run "$BERTH" start rt-k9
        [ "$status" -eq 0 ]
        [ "$("$BERTH" inspect -f '{{.State.Status}}' rt-k9)" = "running" ]
        "$BERTH" rm -f rt-k9
        [ ! -e "$BERTH_ROOT/run/containers/$id" ]
        [ ! -e "$BERTH_ROOT/lib/containers/$id" ]
        ! find /sys/fs/cgroup -maxdepth 3 -name "$id" | grep -q . || false
}

@test "top lists the container's processes" {
        "$BERTH" run -d --name rt-top busybox sleep 60
        run "$BERTH" top rt-top
        [[ "${lines[0]}" == "UID"*"PID"*"PPID"*"CMD" ]]
        [[ "$output" == *"sleep 60"* ]]
        "$BERTH" rm -f rt-top
}

@test "healthcheck: starting, then healthy; failing check becomes unhealthy" {
        "$BERTH" run -d --name rt-hc --health-cmd 'test -f /tmp/ok && echo fine' --health-interval 300ms \
                --health-retries 2 busybox sh -c 'sleep 1; touch /tmp/ok; sleep 60'
        [ "$("$BERTH" inspect -f '{{.State.Health.Status}}' rt-hc)" = "starting" ]
        health_becomes rt-hc healthy 40 0.2
        run "$BERTH" inspect -f '{{json .State.Health.Log}}' rt-hc
        [ "$(echo "$output" | jq -r '.[-1].Output')" = "fine" ]
        [ "$(echo "$output" | jq -r '.[-1].ExitCode')" = "0" ]
        [[ "$("$BERTH" ps --filter name=rt-hc)" == *"(healthy)"* ]]
        "$BERTH" rm -f rt-hc
        "$BERTH" run -d --name rt-hc2 --health-cmd 'exit 1' --health-interval 200ms --health-retries 2 busybox sleep 60
        health_becomes rt-hc2 unhealthy 40 0.2
        "$BERTH" rm -f rt-hc2
}

@test "healthcheck: --health-start-interval probes often during the start period only" {
        # interval 60 s: only the start interval can make it healthy this soon
        "$BERTH" run -d --name rt-hcsi --init --health-cmd 'true' --health-interval 60s \
                --health-start-period 2s --health-start-interval 100ms busybox sleep 60
        [ "$("$BERTH" inspect -f '{{.Config.Healthcheck.StartInterval}}' rt-hcsi)" = "100000000" ]
        health_becomes rt-hcsi healthy 20 0.1
        # after the start period the 60 s interval applies: no new probe
        sleep 2.5
        t1=$("$BERTH" inspect -f '{{json .State.Health.Log}}' rt-hcsi | jq -r '.[-1].Start')
        sleep 1
        t2=$("$BERTH" inspect -f '{{json .State.Health.Log}}' rt-hcsi | jq -r '.[-1].Start')
        [ -n "$t1" ]
        [ "$t1" = "$t2" ]
        "$BERTH" rm -f rt-hcsi
}

@test "--no-healthcheck has no Health state" {
        "$BERTH" run -d --name rt-nohc --no-healthcheck busybox sleep 60
        [ "$("$BERTH" inspect -f '{{json .State.Health}}' rt-nohc)" = "null" ]
        "$BERTH" rm -f rt-nohc
}
