#!/usr/bin/env bats
# events / system events: the events journal every berth process (and the
# monitor, for what happens while no CLI runs) appends to, printed as
# Docker's events: order, --since/--until, filters, --format json and
# templates, following new events.
# Containers ce-*, network ce-net, images ce-img*, subnets 10.172.0.0/16.
load rt_common

setup_file() {
        rt_setup_file
        export BERTH_ADDRESS_POOLS=10.172.0.0/16:24
}

teardown_file() {
        # before the root goes: a berth command after that would find nothing
        "$BERTH" network rm ce-net >/dev/null 2>&1 || true
        rt_teardown_file
}

now() { date +%s.%N; }

# the events between $1 and now, as "TYPE ACTION" lines, with more flags
past() {
        local since=$1
        shift
        timeout 10 "$BERTH" events --since "$since" --until "$(now)" "$@"
}

@test "run, stop, rm: Docker's events in Docker's order, with exitCode and signal" {
        t0=$(now)
        "$BERTH" network create --subnet 10.172.1.0/24 ce-net >/dev/null
        id=$("$BERTH" run -d --name ce-seq --network ce-net busybox sleep 600)
        "$BERTH" stop -t 0 ce-seq >/dev/null
        "$BERTH" rm ce-seq >/dev/null
        "$BERTH" network rm ce-net >/dev/null
        run past "$t0" --filter container=ce-seq --format '{{.Action}}'
        [ "$status" -eq 0 ]
        # PID 1 ignores TERM: stop -t 0 kills it
        [ "$(echo $output)" = "create start kill kill die stop destroy" ]
        run past "$t0" --filter type=network --filter network=ce-net --format '{{.Action}}'
        [ "$(echo $output)" = "create connect disconnect destroy" ]
        # the default text line: time, type, action, id, sorted attributes
        run past "$t0" --filter container=ce-seq --filter event=die
        [[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2})\ container\ die\ $id\ \(exitCode=137,\ image=busybox,\ name=ce-seq\)$ ]]
        run past "$t0" --filter container=ce-seq --filter event=kill --format '{{.Actor.Attributes.signal}}'
        [ "$(echo $output)" = "15 9" ]
        # system events is the same command
        run timeout 10 "$BERTH" system events --since "$t0" --until "$(now)" --filter container=ce-seq --format '{{.Action}}'
        [ "$(echo $output)" = "create start kill kill die stop destroy" ]
}

@test "--format json: Docker's fields in Docker's order; templates see Go's names" {
        t0=$(now)
        "$BERTH" create --name ce-json --label tier=front busybox true >/dev/null
        run past "$t0" --filter container=ce-json --format json
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r 'keys_unsorted | join(",")')" = "status,id,from,Type,Action,Actor,scope,time,timeNano" ]
        [ "$(echo "$output" | jq -r '[.status, .from, .Type, .Action, .scope, .Actor.Attributes.name, .Actor.Attributes.tier] | join(" ")')" = "create busybox container create local ce-json front" ]
        [ "$(echo "$output" | jq -r '(.timeNano / 1000000000 | floor) == .time and .id == .Actor.ID')" = true ]
        run past "$t0" --filter container=ce-json --format '{{json .}}'
        [ "$(echo "$output" | jq -r .Action)" = create ]
        run past "$t0" --filter container=ce-json --format '{{.Status}} {{.Type}} {{.Scope}} {{.From}}'
        [ "$output" = "create container local busybox" ]
        run past "$t0" --format '{{.Nope}}'
        [ "$status" -ne 0 ]
        [[ "$output" == *"can't evaluate field Nope"* ]]
        "$BERTH" rm ce-json >/dev/null
}

@test "--since and --until bound the events; a past --until returns at once" {
        "$BERTH" create --name ce-t1 busybox true >/dev/null
        t1=$(now)
        "$BERTH" create --name ce-t2 busybox true >/dev/null
        t2=$(now)
        "$BERTH" create --name ce-t3 busybox true >/dev/null
        run timeout 10 "$BERTH" events --since "$t1" --until "$t2" --filter event=create --format '{{.Actor.Attributes.name}}'
        [ "$status" -eq 0 ]
        [ "$output" = ce-t2 ]
        # until alone: everything kept up to then
        run timeout 10 "$BERTH" events --until "$t2" --filter event=create --filter container=ce-t1 --filter container=ce-t3 --format '{{.Actor.Attributes.name}}'
        [ "$status" -eq 0 ]
        [ "$output" = ce-t1 ]
        # a future --until: the command waits for it, then ends by itself
        start=$(date +%s%N)
        run timeout 10 "$BERTH" events --since "$t1" --until "$(( $(date +%s) + 1 ))" --filter container=ce-t3 --format '{{.Action}}'
        [ "$status" -eq 0 ]
        [ "$output" = create ]
        [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ]
        run "$BERTH" events --since 1h --until 2h
        [ "$status" -ne 0 ]
        [[ "$output" == *"cannot be after"* ]]
        run "$BERTH" events --since yesterday
        [ "$status" -ne 0 ]
        "$BERTH" rm ce-t1 ce-t2 ce-t3 >/dev/null
}

@test "filters: event, container, image, label, type, several values; bad filters refused" {
        t0=$(now)
        "$BERTH" run -d --name ce-f1 --label app=a busybox sleep 600 >/dev/null
        "$BERTH" exec ce-f1 true
        "$BERTH" tag busybox ce-img:1
        "$BERTH" rmi ce-img:1 >/dev/null
        "$BERTH" rm -f ce-f1 >/dev/null
        run past "$t0" --filter container=ce-f1 --filter event=exec_create --filter event=exec_die --format '{{.Action}}'
        [ "$(echo $output)" = "exec_create: true exec_die" ]
        run past "$t0" --filter label=app=a --filter event=start --format '{{.Actor.Attributes.name}}'
        [ "$output" = ce-f1 ]
        run past "$t0" --filter label=app=b --format '{{.Action}}'
        [ -z "$output" ]
        run past "$t0" --filter type=image --format '{{.Action}} {{.Actor.Attributes.name}}'
        [ "$(echo "$output" | head -1)" = "tag ce-img:1" ]
        [[ "$(echo "$output" | sed -n 2p)" == "untag sha256:"* ]]
        # image=: an image event's name, a container's image
        run past "$t0" --filter image=ce-img --format '{{.Type}} {{.Action}}'
        [ "$output" = "image tag" ]
        run past "$t0" --filter image=busybox --filter event=create --format '{{.Actor.Attributes.name}}'
        [ "$output" = ce-f1 ]
        run "$BERTH" events --filter nope=1
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid filter 'nope'"* ]]
        run "$BERTH" events --filter container
        [ "$status" -ne 0 ]
        [[ "$output" == *"name=value"* ]]
}

@test "following: a container dying on its own is reported by its monitor as it happens" {
        t0=$(now)
        out=$BERTH_ROOT/follow.out
        "$BERTH" events --since "$t0" --filter container=ce-die \
                --format '{{.Action}}{{with .Actor.Attributes.exitCode}} {{.}}{{end}}' >"$out" &
        pid=$!
        # the CLI is gone once run -d returns; the container exits 1 s later
        "$BERTH" run -d --name ce-die busybox sh -c 'sleep 1; exit 3' >/dev/null
        for _ in $(seq 100); do grep -q '^die 3$' "$out" && break; sleep 0.1; done
        kill "$pid"
        wait "$pid" || true
        [ "$(cat "$out" | tr '\n' ' ')" = "create start die 3 " ]
        "$BERTH" rm ce-die >/dev/null
}

@test "healthchecks: health_status events from the monitor" {
        t0=$(now)
        "$BERTH" run -d --name ce-hc --health-cmd true --health-interval 200ms busybox sleep 600 >/dev/null
        for _ in $(seq 50); do
                run past "$t0" --filter event=health_status --format '{{.Action}}'
                [ -n "$output" ] && break
                sleep 0.1
        done
        [ "$output" = "health_status: healthy" ]
        # as Docker, a probe is an exec: exec_create, exec_start, exec_die (its
        # exitCode), then the health_status it led to
        run past "$t0" --filter container=ce-hc --format '{{.Action}}|{{index .Actor.Attributes "exitCode"}}|{{len (index .Actor.Attributes "execID")}}'
        [[ "$(echo $output)" == "create||0 start||0 exec_create: /bin/sh -c true||64 exec_start: /bin/sh -c true||64 exec_die|0|64 health_status: healthy||0"* ]]
        "$BERTH" rm -f ce-hc >/dev/null
}

@test "restart and compose restart: kill, die, stop, start, then restart (cf-)" {
        "$BERTH" run -d --name cf-rs --network none busybox sleep 600 >/dev/null
        t0=$(now)
        "$BERTH" restart -t 0 cf-rs >/dev/null
        run past "$t0" --filter container=cf-rs --format '{{.Action}}'
        [ "$(echo $output)" = "kill kill die stop start restart" ]
        "$BERTH" rm -f cf-rs >/dev/null
        dir=$(mktemp -d)
        printf 'services:\n  web:\n    image: busybox\n    command: sleep 600\n    network_mode: none\n' >"$dir/compose.yaml"
        "$BERTH" compose -p cfrs -f "$dir/compose.yaml" up -d
        t1=$(now)
        "$BERTH" compose -p cfrs -f "$dir/compose.yaml" restart -t 0
        run past "$t1" --filter label=com.docker.compose.project=cfrs --format '{{.Action}}'
        "$BERTH" compose -p cfrs -f "$dir/compose.yaml" down -t 0
        rm -rf "$dir"
        [ "$(echo $output)" = "kill kill die stop start restart" ]
}

@test "rename, update, commit: Docker's container events with their attributes" {
        t0=$(now)
        id=$("$BERTH" create --name ce-r1 busybox true)
        "$BERTH" rename ce-r1 ce-r2
        "$BERTH" update --restart on-failure:2 ce-r2 >/dev/null
        img=$("$BERTH" commit -m note ce-r2 ce-img:c)
        run past "$t0" --filter "container=$id" --format '{{.Action}} {{.Actor.Attributes.name}}'
        [ "$(echo $output)" = "create ce-r1 rename ce-r2 update ce-r2 commit ce-r2" ]
        run past "$t0" --filter event=rename --format '{{.Actor.Attributes.oldName}}'
        [ "$output" = ce-r1 ]
        run past "$t0" --filter event=commit --format '{{.Actor.Attributes.comment}} {{.Actor.Attributes.imageID}} {{.Actor.Attributes.imageRef}}'
        [ "$output" = "note $img ce-img:c" ]
        "$BERTH" rm ce-r2 >/dev/null
        "$BERTH" rmi ce-img:c >/dev/null
}
