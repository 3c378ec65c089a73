#!/usr/bin/env bats
# cgroup limits: memory (OOM recorded), pids, cpus; cgroups removed afterwards.
load rt_common

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }

cg_dir() { # controller id
        local d
        for d in /sys/fs/cgroup/$1/*/$2 /sys/fs/cgroup/*/$2 /sys/fs/cgroup/unified/*/$2; do
                [ -d "$d" ] && { echo "$d"; return 0; }
        done
        return 1
}

# cgroups_of OUT: every hierarchy's line of a /proc/self/cgroup read inside
# a container names the same one /<instance>/<id> (v1 and cgroup2 alike)
cgroups_of() {
        local l path=
        while IFS= read -r l; do
                case $l in *:name=*:*) continue ;; esac
                [[ ${l#*:*:} =~ ^/[^/]+/[0-9a-f]{64}$ ]] || { echo "not in its cgroup: $l"; return 1; }
                [ -z "$path" ] || [ "$path" = "${l#*:*:}" ] || { echo "two cgroups: $l"; return 1; }
                path=${l#*:*:}
        done <<<"$1"
        [ -n "$path" ]
}

@test "the command starts in every cgroup of its container, also where clone3 is refused" {
        # the init joins them as it is born (clone3 into the cgroup2 one,
        # then itself into each v1 hierarchy's tasks)
        run "$BERTH" run --rm --network none --cpuset-cpus 0 busybox cat /proc/self/cgroup
        [ "$status" -eq 0 ]
        cgroups_of "$output"
        # without clone3 (ENOSYS from a seccomp filter around berth) the
        # monitor moves it, as before
        cc -O2 -o "$BATS_TEST_TMPDIR/enosys" "$BERTH_SRC/tests/tools/enosys.c" -lseccomp
        run "$BATS_TEST_TMPDIR/enosys" clone3 "$BERTH" run --rm --network none --cpuset-cpus 0 \
            busybox cat /proc/self/cgroup
        [ "$status" -eq 0 ]
        cgroups_of "$output"
}

@test "exec starts its command in every cgroup of its container, also where clone3 is refused" {
        # as the init: cloned into the cgroup2 one, its starter joins each
        # v1 hierarchy itself through tasks
        "$BERTH" run -d --name rt-exec-cg --network none --cpuset-cpus 0 busybox sleep 60
        id=$("$BERTH" inspect -f '{{.Id}}' rt-exec-cg)
        run "$BERTH" exec rt-exec-cg cat /proc/self/cgroup
        [ "$status" -eq 0 ]
        cgroups_of "$output"
        [[ "$output" == *"/$id"* ]]
        # without clone3, the old way: moved through cgroup.procs
        cc -O2 -o "$BATS_TEST_TMPDIR/enosys" "$BERTH_SRC/tests/tools/enosys.c" -lseccomp
        run "$BATS_TEST_TMPDIR/enosys" clone3 "$BERTH" exec rt-exec-cg cat /proc/self/cgroup
        [ "$status" -eq 0 ]
        cgroups_of "$output"
        [[ "$output" == *"/$id"* ]]
        "$BERTH" rm -f rt-exec-cg
}

@test "--memory 64m OOM-kills a 200 MB allocation and inspect shows OOMKilled" {
        run "$BERTH" run --name rt-oom --memory 64m busybox sh -c 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=200'
        [ "$status" -eq 137 ]
        run "$BERTH" inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' rt-oom
        [ "$output" = "true 137" ]
        "$BERTH" rm rt-oom
}

@test "--pids-limit 20 stops a fork bomb" {
        run "$BERTH" run --rm --pids-limit 20 busybox sh -c 'for i in $(seq 1 40); do sleep 5 & done; wait'
        [ "$status" -ne 0 ]
        [[ "$output" == *"can't fork"* ]]
}

@test "a default pids limit applies" {
        "$BERTH" run -d --name rt-pids busybox sleep 60
        id=$("$BERTH" inspect -f '{{.Id}}' rt-pids)
        d=$(cg_dir pids "$id")
        [ "$(cat "$d/pids.max")" = "4096" ]
        "$BERTH" rm -f rt-pids
}

@test "--cpus 0.5 sets quota/period, --cpu-shares sets shares" {
        "$BERTH" run -d --name rt-cpu --cpus 0.5 --cpu-shares 512 busybox sleep 60
        id=$("$BERTH" inspect -f '{{.Id}}' rt-cpu)
        d=$(cg_dir cpu "$id")
        if [ -f "$d/cpu.cfs_quota_us" ]; then
                [ "$(cat "$d/cpu.cfs_quota_us")" = "50000" ]
                [ "$(cat "$d/cpu.cfs_period_us")" = "100000" ]
                [ "$(cat "$d/cpu.shares")" = "512" ]
        else
                [ "$(cat "$d/cpu.max")" = "50000 100000" ]
        fi
        [ "$("$BERTH" inspect -f '{{.HostConfig.NanoCpus}}' rt-cpu)" = "500000000" ]
        "$BERTH" rm -f rt-cpu
        ! cg_dir cpu "$id" || false
}

@test "--memory and --memory-swap limits are written" {
        "$BERTH" run -d --name rt-mem --memory 32m --memory-swap 64m busybox sleep 60
        id=$("$BERTH" inspect -f '{{.Id}}' rt-mem)
        d=$(cg_dir memory "$id")
        if [ -f "$d/memory.limit_in_bytes" ]; then
                [ "$(cat "$d/memory.limit_in_bytes")" = "33554432" ]
                [ "$(cat "$d/memory.memsw.limit_in_bytes")" = "67108864" ]
        else
                [ "$(cat "$d/memory.max")" = "33554432" ]
        fi
        "$BERTH" rm -f rt-mem
        ! cg_dir memory "$id" || false
}

@test "device cgroup denies other devices" {
        run "$BERTH" run --rm --cap-add MKNOD busybox sh -c 'mknod /tmp/mem c 1 1 && head -c1 /tmp/mem'
        [ "$status" -ne 0 ]
        [[ "$output" == *"ermitted"* || "$output" == *"denied"* ]]
}
