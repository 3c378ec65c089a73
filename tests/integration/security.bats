#!/usr/bin/env bats
# Security defaults (docs/SECURITY.md names these tests).
load rt_common

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }

status_field() { "$BERTH" run --rm "$@" busybox sh -c 'cat /proc/self/status'; }

@test "default capabilities are docker's 14, none inheritable or ambient" {
        run status_field
        [ "$status" -eq 0 ]
        [[ "$output" == *$'CapEff:\t00000000a80425fb'* ]]
        [[ "$output" == *$'CapPrm:\t00000000a80425fb'* ]]
        [[ "$output" == *$'CapBnd:\t00000000a80425fb'* ]]
        [[ "$output" == *$'CapInh:\t0000000000000000'* ]]
        [[ "$output" == *$'CapAmb:\t0000000000000000'* ]]
}

@test "--cap-drop ALL --cap-add CHOWN" {
        run status_field --cap-drop ALL --cap-add CHOWN
        [[ "$output" == *$'CapEff:\t0000000000000001'* ]]
        [[ "$output" == *$'CapBnd:\t0000000000000001'* ]]
        run "$BERTH" run --rm --cap-add NO_SUCH_CAP busybox true
        [ "$status" -eq 125 ]
}

@test "non-root user has no effective capabilities" {
        run status_field -u app
        [[ "$output" == *$'CapEff:\t0000000000000000'* ]]
}

@test "no_new_privs and seccomp filter are on; opt-outs work" {
        run status_field
        [[ "$output" == *$'NoNewPrivs:\t1'* ]]
        [[ "$output" == *$'Seccomp:\t2'* ]]
        run status_field --security-opt seccomp=unconfined --security-opt no-new-privileges=false
        [[ "$output" == *$'NoNewPrivs:\t0'* ]]
        [[ "$output" == *$'Seccomp:\t0'* ]]
}

@test "seccomp denies mount, unshare and namespace clones with EPERM" {
        run "$BERTH" run --rm --cap-add SYS_ADMIN busybox sh -c 'mount -t tmpfs t /mnt; echo m=$?; unshare -n true; echo u=$?'
        [[ "$output" == *"m=1"* ]]
        [[ "$output" == *"u=1"* ]]
        [[ "$output" == *"ermission denied"* || "$output" == *"Operation not permitted"* ]]
}

@test "--privileged gets every capability and no seccomp" {
        run status_field --privileged
        [[ "$output" == *$'Seccomp:\t0'* ]]
        [[ "$output" != *$'CapEff:\t00000000a80425fb'* ]]
}

@test "masked and read-only /proc paths" {
        # the shell reports a failed redirection on its own stderr, which
        # reaches us on another stream, in no fixed order: silence it
        run "$BERTH" run --rm busybox sh -c 'exec 2>/dev/null
                [ ! -e /proc/kcore ] || [ ! -s /proc/kcore ] && echo kcore-ok
                [ -z "$(cat /proc/interrupts)" ] && echo interrupts-masked
                echo x > /proc/sys/kernel/hostname 2>/dev/null || echo sys-ro
                echo 1 > /proc/sysrq-trigger 2>/dev/null || echo sysrq-ro
                ls /sys/firmware 2>/dev/null | wc -l'
        [[ "$output" == *"kcore-ok"* ]]
        [[ "$output" == *"interrupts-masked"* ]]
        [[ "$output" == *"sys-ro"* ]]
        [[ "$output" == *"sysrq-ro"* ]]
        [ "${lines[-1]}" = "0" ]
}

@test "/sys is read-only and mount fails" {
        run "$BERTH" run --rm busybox sh -c 'touch /sys/x 2>&1; mount -t tmpfs x /mnt 2>&1; echo rc=$?'
        [[ "$output" == *"Read-only file system"* ]]
        [[ "$output" == *"rc=1"* ]]
}

@test "only fds 0, 1 and 2 are open in the container" {
        run "$BERTH" run --rm busybox sh -c 'ls /proc/$$/fd; :'
        [ "$status" -eq 0 ]
        [ "$(echo $output)" = "0 1 2" ]
}

@test "/dev holds only the standard devices" {
        run "$BERTH" run --rm busybox sh -c 'ls /dev | tr "\n" " "'
        [ "$output" = "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " ]
        run "$BERTH" run --rm busybox sh -c 'mknod /dev/sda b 8 0 && head -c1 /dev/sda'
        [ "$status" -ne 0 ]
}

@test "exec gets the same capabilities, no_new_privs and seccomp" {
        "$BERTH" run -d --name rt-sec busybox sleep 60
        run "$BERTH" exec rt-sec cat /proc/self/status
        [[ "$output" == *$'CapEff:\t00000000a80425fb'* ]]
        [[ "$output" == *$'NoNewPrivs:\t1'* ]]
        [[ "$output" == *$'Seccomp:\t2'* ]]
        run "$BERTH" exec rt-sec sh -c 'ls /proc/self/fd | wc -l'
        [ "$output" -le 4 ]
        "$BERTH" rm -f rt-sec
}

@test "the host's berth binaries are not visible in the container" {
        run "$BERTH" run --rm busybox sh -c 'readlink /proc/1/exe; ls -l /proc/1/exe >/dev/null 2>&1 && echo visible'
        [[ "$output" != *berth* ]]
}

@test "--ulimit cannot raise the hard limit" {
        run "$BERTH" run --rm --ulimit nofile=100:200 busybox sh -c 'ulimit -n; ulimit -Hn'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "100" ]
        [ "${lines[1]}" = "200" ]
        hard=$(ulimit -Hn)
        run "$BERTH" run --rm --ulimit nofile=$((hard + 1)):$((hard + 1)) busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"above the host's hard limit"* ]]
}
