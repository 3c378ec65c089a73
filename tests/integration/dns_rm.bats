#!/usr/bin/env bats
# Plain (non-compose) containers leave berth-dns when they are removed (rm,
# rm -f, run --rm) or disconnected.  Networks rtp*, subnets 10.247.0.0/16.
bats_require_minimum_version 1.5.0
load common

setup_file() {
        berth_setup_file dnsrm 10.247.200.0/24:24
        local san=${SANITIZE:+-fsanitize=$SANITIZE}
        cc -O2 $san -o "$BATS_FILE_TMPDIR/dnsq" "$BERTH_SRC/tests/tools/dnsq.c"
        "$BERTH" network create --subnet 10.247.10.0/24 rtpdns >/dev/null
        "$BERTH" network create --subnet 10.247.11.0/24 rtpdns2 >/dev/null
        "$BERTH" run -d --name rtp-asker --network rtpdns busybox sleep 300 >/dev/null
        "$BERTH" network connect rtpdns2 rtp-asker
}

teardown_file() {
        berth_clean_root
}

records() {
        jq -c '[.networks[].endpoints[].names[]]' "$BERTH_ROOT/run/dns/records.json"
}

# lookup NAME [GATEWAY]: one A query from the asker container's netns;
# prints "rcode X" and "A addr" lines, or "noreply".
lookup() {
        local pid
        pid=$("$BERTH" inspect -f '{{.State.Pid}}' rtp-asker)
        nsenter -t "$pid" -n "$BATS_FILE_TMPDIR/dnsq" -s "${2:-10.247.10.1}" -q A "$1"
}

@test "rm -f of a running container removes its DNS records" {
        "$BERTH" run -d --name rtp-a --network rtpdns busybox sleep 300 >/dev/null
        [[ $(records) == *'"rtp-a"'* ]]
        run lookup rtp-a
        [ "$status" -eq 0 ]
        [[ $output == *"A 10.247.10."* ]]
        "$BERTH" rm -f rtp-a
        [[ $(records) != *'"rtp-a"'* ]]
        run lookup rtp-a
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
}

@test "rm of a stopped container and run --rm remove their DNS records" {
        "$BERTH" run -d --name rtp-b --network rtpdns busybox sleep 300 >/dev/null
        "$BERTH" stop -t 0 rtp-b
        "$BERTH" rm rtp-b
        [[ $(records) != *'"rtp-b"'* ]]
        "$BERTH" run --rm --name rtp-c --network rtpdns busybox true
        [[ $(records) != *'"rtp-c"'* ]]
        run lookup rtp-c
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
        # a name reused by a new container resolves to the new address only
        "$BERTH" run -d --name rtp-b --network rtpdns --ip 10.247.10.77 busybox sleep 300 >/dev/null
        run lookup rtp-b
        [ "$status" -eq 0 ]
        [ "${lines[2]}" = "A 10.247.10.77" ]
        [ "${#lines[@]}" -eq 3 ]
        [ "$(records | jq '[.[] | select(. == "rtp-b")] | length')" -eq 1 ]
        "$BERTH" rm -f rtp-b
}

@test "network disconnect removes the container's records on that network only" {
        "$BERTH" run -d --name rtp-d --network rtpdns busybox sleep 300 >/dev/null
        "$BERTH" network connect rtpdns2 rtp-d
        run lookup rtp-d
        [[ $output == *"A 10.247.10."*"A 10.247.11."* || $output == *"A 10.247.11."*"A 10.247.10."* ]]
        "$BERTH" network disconnect rtpdns2 rtp-d
        run lookup rtp-d
        [ "$status" -eq 0 ]
        [[ $output == *"A 10.247.10."* && $output != *"A 10.247.11."* ]]
        n2=$("$BERTH" network inspect rtpdns2 | jq -r '.[0].Id')
        [ "$(jq --arg n "$n2" '[.networks[$n].endpoints[].names[]] | index("rtp-d")' "$BERTH_ROOT/run/dns/records.json")" = null ]
        "$BERTH" rm -f rtp-d
        [[ $(records) != *'"rtp-d"'* ]]
}

@test "network rm drops the network from berth-dns, which exits with the last one" {
        pid=$(cat "$BERTH_ROOT/run/dns/pid")
        kill -0 "$pid"
        "$BERTH" rm -f rtp-asker >/dev/null
        n2=$("$BERTH" network inspect rtpdns2 | jq -r '.[0].Id')
        "$BERTH" network rm rtpdns2
        [ "$(jq --arg n "$n2" '.networks | has($n)' "$BERTH_ROOT/run/dns/records.json")" = false ]
        "$BERTH" network rm rtpdns
        [ "$(jq '.networks | length' "$BERTH_ROOT/run/dns/records.json")" -eq 0 ]
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        ! kill -0 "$pid" 2>/dev/null || false
}
