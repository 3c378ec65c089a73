#!/usr/bin/env bats
# Issue 9: a hostile image, compose file or container must not reach the
# host.  Each test is named after the item of the issue it covers.
load rt_common

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-sh.XXXXXX)
        export BERTH_ADDRESS_POOLS=10.253.0.0/20:24
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh"
}

teardown_file() { rt_teardown_file; }

# item 13 seccomp

# The probe (tests/data/seccomp_probe.c) as the only file of image sc-probe.
sc_probe_image() {
        "$BERTH" image inspect sc-probe:1 >/dev/null 2>&1 && return 0
        local d=$BATS_FILE_TMPDIR/sc-probe
        mkdir -p "$d/rootfs"
        gcc -static -O2 -o "$d/rootfs/probe" "$BERTH_SRC/tests/data/seccomp_probe.c"
        tar -C "$d/rootfs" -cf "$d/probe.tar" .
        "$BERTH" import "$d/probe.tar" sc-probe:1 >/dev/null
}

@test "item 13: 32-bit syscalls (int 0x80) get the deny-list's errno, not SIGSYS" {
        sc_probe_image
        run "$BERTH" run --rm --network none sc-probe:1 /probe i386
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"getpid=ok"* ]]
        [[ "$output" == *"mount=Operation not permitted"* ]]
        [[ "$output" == *"unshare=Operation not permitted"* ]]
}

@test "item 13: personality(ADDR_NO_RANDOMIZE) fails with EPERM, the query works" {
        sc_probe_image
        run "$BERTH" run --rm --network none sc-probe:1 /probe personality
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"addr_no_randomize=Operation not permitted"* ]]
        [[ "$output" == *"query=ok"* ]]
}
