#!/usr/bin/env bats
# Rules follow containers (issue 13): a published port goes away when its
# container ends on its own, with no berth command run after it.  Networks
# lst*, subnets 10.246.64.0/20, host ports 1867x on 127.0.0.1.
bats_require_minimum_version 1.5.0

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-stale.XXXXXX)
        export BERTH_ADDRESS_POOLS=10.246.72.0/24:24
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" >/dev/null
        "$BERTH" network create --subnet 10.246.64.0/24 lstnet >/dev/null
}

teardown_file() {
        for c in $("$BERTH" ps -aq 2>/dev/null); do "$BERTH" rm -f "$c" >/dev/null 2>&1; done
        "$BERTH" network rm lstnet >/dev/null 2>&1 || true
        rm -rf "$BERTH_ROOT"
}

table() { echo "berth-$(printf '%s' "$BERTH_ROOT" | python3 -c '
import sys
h = 2166136261
for b in sys.stdin.buffer.read():
    h = ((h ^ b) * 16777619) & 0xffffffff
print("%08x" % h)')"; }

has_rule() { nft list table ip "$(table)" 2>/dev/null | grep -q "dport $1 "; }

# wait up to 3 s for the rule of host port $1 to be gone
rule_gone() {
        for _ in $(seq 60); do has_rule "$1" || return 0; sleep 0.05; done
        return 1
}

# a container that exits by itself once the host creates /tmp/go in it
EXIT_ON_GO='while [ ! -e /tmp/go ]; do sleep 0.05; done'
go() { touch "/proc/$("$BERTH" inspect "$1" | jq -r '.[0].State.Pid')/root/tmp/go"; }

@test "a container that exits on its own loses its DNAT rule with no berth command" {
        "$BERTH" run -d --name lst-exit --network lstnet -p 127.0.0.1:18671:80 busybox sh -c "$EXIT_ON_GO" >/dev/null
        has_rule 18671
        # nothing but the container's own exit happens from here on
        go lst-exit
        rule_gone 18671
        # and the state agrees: stopped, no published port in use
        [ "$("$BERTH" inspect lst-exit | jq -r '.[0].State.Status')" = exited ]
}

@test "the port is free again for a new container at once" {
        "$BERTH" run -d --name lst-again --network lstnet -p 127.0.0.1:18672:80 busybox sh -c "$EXIT_ON_GO" >/dev/null
        go lst-again
        rule_gone 18672
        "$BERTH" run -d --name lst-next --network lstnet -p 127.0.0.1:18672:8080 busybox \
                httpd -f -p 8080 -h / >/dev/null
        nft list table ip "$(table)" | grep "dport 18672 " | grep -q ':8080'
        [ "$(nft list table ip "$(table)" | grep -c "dport 18672 ")" -ge 1 ]
        ! nft list table ip "$(table)" | grep "dport 18672 " | grep -qv ':8080'
        "$BERTH" rm -f lst-next >/dev/null
}

@test "a killed container (SIGKILL from the host) loses its rule too" {
        "$BERTH" run -d --name lst-kill --network lstnet -p 127.0.0.1:18673:80 busybox sleep 300 >/dev/null
        has_rule 18673
        pid=$("$BERTH" inspect lst-kill | jq -r '.[0].State.Pid')
        kill -9 "$pid"
        rule_gone 18673
}

@test "a restart policy keeps the rule while it restarts the container" {
        "$BERTH" run -d --name lst-rs --restart always --network lstnet -p 127.0.0.1:18674:80 busybox \
                sh -c 'sleep 0.3; exit 3' >/dev/null
        # let it exit and come back a few times: the rule stays throughout
        for _ in $(seq 20); do has_rule 18674; sleep 0.1; done
        [ "$("$BERTH" inspect lst-rs | jq -r '.[0].RestartCount')" -ge 1 ]
        "$BERTH" rm -f lst-rs >/dev/null
        rule_gone 18674
}
