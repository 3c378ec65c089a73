#!/usr/bin/env bats
# berth update / container update: memory, cpus, pids and the restart policy
# of running and stopped containers, through the cgroup files (v1 or v2).
# Containers cu-*, subnets 10.217.0.0/16.
load rt_common

setup_file() {
        rt_setup_file
        export BERTH_ADDRESS_POOLS=10.217.0.0/16:24
}

teardown_file() {
        rt_teardown_file
}

# cg ID V1_CONTROLLER V1_FILE V2_FILE: the value of the container's cgroup file
cg() {
        local f
        for f in /sys/fs/cgroup/"$2"/*/"$1"/"$3" /sys/fs/cgroup/unified/*/"$1"/"$4" \
                /sys/fs/cgroup/*/"$1"/"$4"; do
                [ -f "$f" ] && { cat "$f"; return; }
        done
        echo none
}

@test "update changes memory, cpus and pids of a running container in its cgroups; inspect shows them" {
        "$BERTH" run -d --name cu-run --network none busybox sleep 600 >/dev/null
        id=$("$BERTH" inspect -f '{{.Id}}' cu-run)
        run "$BERTH" update -m 64m --cpus 0.5 --pids-limit 100 cu-run
        [ "$status" -eq 0 ]
        [ "$output" = cu-run ]
        [ "$(cg "$id" memory memory.limit_in_bytes memory.max)" = 67108864 ]
        [[ "$(cg "$id" cpu cpu.cfs_quota_us cpu.max)" == 50000* ]]
        [ "$(cg "$id" pids pids.max pids.max)" = 100 ]
        [ "$("$BERTH" inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}' cu-run)" = "67108864 500000000 100" ]
        # the limit holds: more processes than allowed fail
        run "$BERTH" container update --pids-limit 5 cu-run
        [ "$status" -eq 0 ]
        run "$BERTH" exec cu-run sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait'
        [[ "$output" == *"fork"* ]]
        # lifted again
        "$BERTH" update --pids-limit -1 --cpus 0 cu-run >/dev/null
        [ "$(cg "$id" pids pids.max pids.max)" = max ]
}

@test "update of a stopped container applies at its next start" {
        "$BERTH" create --name cu-stop --network none busybox sleep 600 >/dev/null
        "$BERTH" update --memory 48m cu-stop >/dev/null
        "$BERTH" start cu-stop >/dev/null
        id=$("$BERTH" inspect -f '{{.Id}}' cu-stop)
        [ "$(cg "$id" memory memory.limit_in_bytes memory.max)" = 50331648 ]
}

@test "update --restart on a running container: the monitor applies the new policy when it exits" {
        "$BERTH" run -d --name cu-rs --network none busybox sh -c \
                'while [ ! -e /stop ]; do sleep 0.1; done; exit 3' >/dev/null
        "$BERTH" update --restart on-failure:2 cu-rs >/dev/null
        [ "$("$BERTH" inspect -f '{{.HostConfig.RestartPolicy.Name}}' cu-rs)" = on-failure ]
        "$BERTH" exec cu-rs touch /stop
        local i
        for i in $(seq 100); do
                [ "$("$BERTH" inspect -f '{{.RestartCount}} {{.State.Status}}' cu-rs)" = "2 exited" ] && break
                sleep 0.1
        done
        [ "$("$BERTH" inspect -f '{{.RestartCount}} {{.State.Status}}' cu-rs)" = "2 exited" ]
}

@test "update refuses what Docker refuses" {
        "$BERTH" create --name cu-bad --rm --network none busybox true >/dev/null
        run "$BERTH" update cu-bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"You must provide one or more flags"* ]]
        run "$BERTH" update -m 1k cu-bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"Minimum memory limit allowed is 6MB"* ]]
        run "$BERTH" update --restart always cu-bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"AutoRemove is enabled"* ]]
        run "$BERTH" update --restart sometimes cu-bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"sometimes"* ]]
        run "$BERTH" update --memory-swap 1g cu-bad
        [ "$status" -ne 0 ]
        [[ "$output" == *"Memory limit when using Memoryswap"* ]]
        run "$BERTH" update -m 8m cu-nosuch
        [ "$status" -ne 0 ]
        [[ "$output" == *"No such container: cu-nosuch"* ]]
        "$BERTH" rm cu-bad >/dev/null
}
