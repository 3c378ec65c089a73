#!/usr/bin/env bats
# Device restriction: the cgroup v1 `devices` controller and the cgroup v2 eBPF
# device program (docs/SECURITY.md).  A device node the cgroup refuses fails
# to open with EPERM before its driver is reached; one it allows reaches the
# driver, which answers ENXIO for an unassigned major (42) or a missing
# driver (1:1 /dev/mem on kernels without it).
load rt_common

setup_file() {
        rt_setup_file
        export T=$(mktemp -d /tmp/berth-dv.XXXXXX)
        cc -O2 -o "$T/bpfq" "$BERTH_SRC/tests/tools/bpfq.c"
}
teardown_file() {
        rt_teardown_file
        rm -rf "$T"
}

v2_root() { awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts; }

# Lift the v1 devices restriction of a running container, so only the
# cgroup v2 program can deny.
open_v1_devices() {
        local d
        for d in /sys/fs/cgroup/devices/*/"$1"; do
                [ -d "$d" ] || continue
                echo a > "$d/devices.allow"
                [ "$(cat "$d/devices.list")" = "a *:* rwm" ]
        done
}

@test "the cgroup v2 device program alone denies devices off the allow list" {
        [ -n "$(v2_root)" ] || skip "no cgroup2 mounted"
        "$BERTH" run -d --name dv-bpf --cap-add SYS_RAWIO busybox sleep 60
        id=$("$BERTH" inspect -f '{{.Id}}' dv-bpf)
        open_v1_devices "$id"
        run "$BERTH" exec dv-bpf sh -c 'mknod /tmp/mem c 1 1 && echo mknod-ok; cat /tmp/mem'
        [[ "$output" == *"mknod-ok"* ]]
        [[ "$output" == *"/tmp/mem': Operation not permitted"* ]]
        run "$BERTH" exec dv-bpf sh -c 'mknod /tmp/x c 42 0 && cat /tmp/x'
        [[ "$output" == *"/tmp/x': Operation not permitted"* ]]
        run "$BERTH" exec dv-bpf sh -c 'mknod /tmp/sda b 8 0 && head -c1 /tmp/sda'
        [[ "$output" == *"Operation not permitted"* ]]
        # the allowed devices still work
        run "$BERTH" exec dv-bpf sh -c '
                echo x > /dev/null && cat /dev/null && echo null-ok
                [ "$(head -c3 /dev/zero | wc -c)" = 3 ] && echo zero-ok
                [ "$(head -c3 /dev/urandom | wc -c)" = 3 ] && echo urandom-ok
                exec 3<>/dev/ptmx && echo ptmx-ok
                ls /dev/pts/ptmx >/dev/null && echo pts-ok
                cat /dev/tty 2>&1
                mknod /tmp/null c 1 3 && echo y > /tmp/null && echo mknod-null-ok'
        [[ "$output" == *"null-ok"* ]]
        [[ "$output" == *"zero-ok"* ]]
        [[ "$output" == *"urandom-ok"* ]]
        [[ "$output" == *"ptmx-ok"* ]]
        [[ "$output" == *"pts-ok"* ]]
        [[ "$output" == *"/dev/tty': No such device or address"* ]] # reached the driver
        [[ "$output" == *"mknod-null-ok"* ]]
        "$BERTH" rm -f dv-bpf
}

@test "a terminal container can use its tty under the device program" {
        [ -n "$(v2_root)" ] || skip "no cgroup2 mounted"
        run with_pty 'tty; echo ok > /dev/tty; exit
' "$BERTH" run --rm -it busybox sh
        [ "$status" -eq 0 ]
        [[ "$output" == *"/dev/pts/0"* ]]
        [[ "$output" == *"ok"* ]]
}

@test "--privileged containers have no device restriction" {
        run "$BERTH" run --rm --privileged busybox sh -c 'mknod /tmp/x c 42 0 && cat /tmp/x; mknod /tmp/mem c 1 1 && cat /tmp/mem'
        [[ "$output" != *"Operation not permitted"* ]]
        [[ "$output" == *"/tmp/x': No such device or address"* ]]
        [[ "$output" == *"/tmp/mem': No such device or address"* || "$status" -eq 0 ]]
}

@test "one device program is attached to each unprivileged container's cgroup2 dir, none when privileged" {
        root=$(v2_root)
        [ -n "$root" ] || skip "no cgroup2 mounted"
        "$BERTH" run -d --name dv-q1 busybox sleep 60
        "$BERTH" run -d --name dv-q2 --privileged busybox sleep 60
        id1=$("$BERTH" inspect -f '{{.Id}}' dv-q1)
        id2=$("$BERTH" inspect -f '{{.Id}}' dv-q2)
        run "$T/bpfq" "$(ls -d "$root"/berth*/"$id1")"
        [ "$output" = "attached 1 effective 1" ]
        run "$T/bpfq" "$(ls -d "$root"/berth*/"$id2")"
        [ "$output" = "attached 0 effective 0" ]
        # a restart keeps the one program (the cgroup outlives the init)
        "$BERTH" restart -t 0 dv-q1
        run "$T/bpfq" "$(ls -d "$root"/berth*/"$id1")"
        [ "$output" = "attached 1 effective 1" ]
        "$BERTH" rm -f dv-q1 dv-q2
}

@test "the container's cgroup2 directory holds its processes and goes with it" {
        root=$(v2_root)
        [ -n "$root" ] || skip "no cgroup2 mounted"
        "$BERTH" run -d --name dv-cg busybox sleep 60
        id=$("$BERTH" inspect -f '{{.Id}}' dv-cg)
        pid=$("$BERTH" inspect -f '{{.State.Pid}}' dv-cg)
        d=$(ls -d "$root"/berth*/"$id")
        grep -qx "$pid" "$d/cgroup.procs"
        run "$BERTH" exec dv-cg cat /proc/self/cgroup
        [[ "$output" == *"0::/berth"*"/$id"* ]]
        "$BERTH" rm -f dv-cg
        [ ! -e "$d" ]
        # a stopped container keeps no cgroup either
        "$BERTH" run --name dv-ex busybox true
        id=$("$BERTH" inspect -f '{{.Id}}' dv-ex)
        ! ls -d "$root"/berth*/"$id" 2>/dev/null || false
        "$BERTH" rm dv-ex
}
