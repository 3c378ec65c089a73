#!/usr/bin/env bats
# berth-dns end to end: real bridges and network namespaces (subnet
# 10.232.0.0/16, names bt2*), records changed through the CLI API (net/dns.h,
# via tests/tools/dnsctl), queries from inside the namespaces with
# tests/tools/dnsq.  Forwarding is tested only against a fake upstream on
# 127.0.0.1.  Names, subnets and the upstream port are picked per run, so
# two runs of this file at once (e.g. two checkouts) do not collide.


# ns <n> <bridge> <addr/len>: a namespace with one veth on the bridge
mkns() {
        ip netns add "$1"
        ip link add "bt2v$1" type veth peer name eth0 netns "$1"
        ip link set "bt2v$1" master "$2" up
        ip -n "$1" addr add "$3" dev eth0
        ip -n "$1" link set eth0 up
        ip -n "$1" link set lo up
}

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-dns-it.XXXXXX)
        export BERTH_DNS_BIN="$BERTH_BUILD/berth-dns"
        export T="$BATS_FILE_TMPDIR"
        local tag
        tag=$(printf %04x $((RANDOM)))
        export NS1=bt2${tag}n1 NS2=bt2${tag}n2 NS3=bt2${tag}n3 NS4=bt2${tag}n4
        export BR1=bt2${tag}b1 BR2=bt2${tag}b2 BR3=bt2${tag}b3
        export OA=$((RANDOM % 45 * 4 + 8)) # 8-187; bench/dns.sh uses .200
        export OB=$((OA + 1))
        export A=10.232.$OA B=10.232.$OB C=10.232.$((OA + 2)) D=10.232.$((OA + 3))
        export GW1=$A.1 GW2=$B.1
        export UPORT=$((20000 + RANDOM % 20000))
        # same sanitizers as the build the archives come from
        local san=${SANITIZE:+-fsanitize=$SANITIZE}
        cc -O2 $san -o "$T/dnsq" "$BERTH_SRC/tests/tools/dnsq.c"
        cc -O2 $san -I"$BERTH_SRC/base" -I"$BERTH_SRC/net" -o "$T/dnsctl" \
                "$BERTH_SRC/tests/tools/dnsctl.c" "$BERTH_BUILD/libnet.a" "$BERTH_BUILD/libbase.a" -ljansson
        for br in $BR1 $BR2; do ip link add $br type bridge; done
        ip addr add $GW1/24 dev $BR1
        ip addr add $GW2/24 dev $BR2
        ip link set $BR1 up
        ip link set $BR2 up
        mkns $NS1 $BR1 $A.2/24
        mkns $NS2 $BR1 $A.3/24
        mkns $NS3 $BR2 $B.2/24
        # records through the CLI API; the first commit starts berth-dns
        "$T/dnsctl" forward off 2000
        "$T/dnsctl" net-add n1 proj_default $GW1
        "$T/dnsctl" net-add n2 proj_back $GW2
        "$T/dnsctl" ep-add n1 c1 $A.2 fd00:232::2 proj-web-1 web alias1 aaaaaaaaaaaa
        "$T/dnsctl" ep-add n1 c2 $A.3 - proj-web-2 web
        "$T/dnsctl" ep-add n2 c3 $B.2 - proj-secret-1 secret
}

teardown_file() {
        pid=$("$T/dnsctl" pid 2>/dev/null || echo 0)
        [ "$pid" != 0 ] && kill "$pid" 2>/dev/null
        # a failed test cannot clean up its fake upstream: do it here
        [ -s "$T/upstream.pid" ] && kill "$(cat "$T/upstream.pid")" 2>/dev/null
        for ns in $NS1 $NS2 $NS3 $NS4; do ip netns del $ns 2>/dev/null; done
        for br in $BR1 $BR2 $BR3; do ip link del $br 2>/dev/null; done
        rm -rf "$BERTH_ROOT"
        true
}

q() { # q <ns> <server> dnsq-args...
        local ns=$1 srv=$2
        shift 2
        ip netns exec "$ns" "$T/dnsq" -s "$srv" "$@"
}

@test "berth-dns runs once per root and was started by the first commit" {
        pid=$("$T/dnsctl" pid)
        [ "$pid" -gt 0 ]
        kill -0 "$pid"
        "$T/dnsctl" ensure
        [ "$("$T/dnsctl" pid)" = "$pid" ]
        [ "$(readlink /proc/$pid/exe)" = "$(readlink -f "$BERTH_DNS_BIN")" ]
        # double-forked into its own session, not our child
        [ "$(ps -o sid= -p $pid | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ]
        [ "$(ps -o ppid= -p $pid | tr -d ' ')" != "$$" ]
        # exactly one for this BERTH_ROOT
        n=0
        for p in $(pgrep -x berth-dns); do
                tr '\0' '\n' </proc/$p/environ | grep -qx "BERTH_ROOT=$BERTH_ROOT" && n=$((n + 1))
        done
        [ "$n" -eq 1 ]
        grep -q started "$BERTH_ROOT/run/dns/log"
}

@test "A by container name, by service name, by alias, case-insensitive" {
        run q $NS1 $GW1 proj-web-2
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "rcode NOERROR" ]
        [ "${lines[2]}" = "A $A.3" ]
        run q $NS2 $GW1 ALIAS1.
        [ "${lines[2]}" = "A $A.2" ]
        run q $NS2 $GW1 aaaaaaaaaaaa
        [ "${lines[2]}" = "A $A.2" ]
        run q $NS2 $GW1 web.proj_default
        [ "${#lines[@]}" -eq 4 ]
}

@test "AAAA: the address when there is one, empty NOERROR when not" {
        run q $NS2 $GW1 -q AAAA proj-web-1
        [ "${lines[0]}" = "rcode NOERROR" ]
        [ "${lines[2]}" = "AAAA fd00:232::2" ]
        run q $NS1 $GW1 -q AAAA proj-web-2
        [ "${lines[0]}" = "rcode NOERROR" ]
        [ "${#lines[@]}" -eq 2 ]
}

@test "PTR for endpoint addresses" {
        run q $NS1 $GW1 -q PTR 3.$OA.232.10.in-addr.arpa
        [ "${lines[0]}" = "rcode NOERROR" ]
        [ "${lines[2]}" = "PTR proj-web-2" ]
}

@test "scoping: a name on another network is NXDOMAIN; its own network sees it" {
        run q $NS1 $GW1 secret
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
        run q $NS1 $GW1 -q PTR 2.$OB.232.10.in-addr.arpa
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
        run q $NS3 $GW2 secret
        [ "${lines[2]}" = "A $B.2" ]
        run q $NS3 $GW2 web
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
        run q $NS1 $GW1 nothing-here.example
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
}

@test "round robin over the replicas of a service" {
        run q $NS1 $GW1 -n 100 -a $A.2 web
        [ "$status" -eq 0 ]
        echo "$output" | grep -q "^first $A.2 50$"
        echo "$output" | grep -q "^first $A.3 50$"
}

@test "10,000 queries all answered correctly" {
        run q $NS2 $GW1 -n 10000 -w 8 -a $A.2 proj-web-1
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "sent 10000 answered 10000 correct 10000 "* ]]
}

@test "TCP query with length prefix" {
        run q $NS1 $GW1 -t proj-web-2
        [ "${lines[0]}" = "rcode NOERROR" ]
        [ "${lines[2]}" = "A $A.3" ]
        run q $NS1 $GW1 -t -n 200 proj-web-2 # many queries on one connection
        [[ "$output" == "tcp 200 answered 200 "* ]]
        run q $NS1 $GW1 -t -n 150 -w 150 proj-web-2 # pipelined in one write
        [ "$output" = "pipelined 150 answered 150" ]
}

@test "EDNS0 query" {
        run q $NS1 $GW1 -e web
        [ "${lines[0]}" = "rcode NOERROR" ]
        [ "${#lines[@]}" -eq 4 ]
}

@test "busybox nslookup resolves a container name" {
        command -v busybox >/dev/null || skip "no busybox"
        run ip netns exec $NS1 timeout 5 busybox nslookup proj-web-2 $GW1
        echo "$output"
        [ "$status" -eq 0 ] || skip "busybox nslookup does not work here"
        echo "$output" | grep -q $A.3
}

@test "malformed packets: FORMERR or dropped, server keeps answering" {
        printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03we' >"$T/trunc"
        run q $NS1 $GW1 -R "$T/trunc"
        [ "$output" = "reply 12 rcode FORMERR" ]
        printf '\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\xc0\x0c\x00\x01\x00\x01' >"$T/loop"
        run q $NS1 $GW1 -R "$T/loop"
        [ "$output" = "reply 12 rcode FORMERR" ]
        printf '\x12\x34\x01' >"$T/short"
        run q $NS1 $GW1 -T 300 -R "$T/short"
        [ "$output" = "noreply" ]
        head -c 3000 /dev/urandom >"$T/junk"
        q $NS1 $GW1 -T 300 -R "$T/junk" || true
        run q $NS1 $GW1 -t -R "$T/loop"
        [ "$output" = "reply 12 rcode FORMERR" ]
        run q $NS1 $GW1 proj-web-2
        [ "${lines[2]}" = "A $A.3" ]
        kill -0 "$("$T/dnsctl" pid)"
}

@test "TCP: idle and excess connections do not stop the server" {
        # 70 idle connections (limit 64): the extra ones are closed at once
        ip netns exec $NS1 bash -c "for i in \$(seq 70); do exec {fd}<>/dev/tcp/$GW1/53; done; sleep 0.5"
        run q $NS1 $GW1 -t proj-web-2
        [ "${lines[2]}" = "A $A.3" ]
}

@test "reload: a new endpoint and a removed one are visible to the next query" {
        "$T/dnsctl" ep-add n1 c4 $A.4 - proj-new-1 newname
        run q $NS1 $GW1 newname
        [ "${lines[2]}" = "A $A.4" ]
        "$T/dnsctl" ep-rm n1 c4
        run q $NS1 $GW1 newname
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
}

@test "a broken records file on reload keeps the old records" {
        rec=$BERTH_ROOT/run/dns/records.json
        cp "$rec" "$T/records.good"
        echo '{"networks": ' >"$rec"
        kill -HUP "$("$T/dnsctl" pid)"
        run q $NS1 $GW1 proj-web-2
        cp "$T/records.good" "$rec"
        [ "${lines[2]}" = "A $A.3" ]
        grep -q "reload failed, keeping the old records" "$BERTH_ROOT/run/dns/log"
}

@test "forwarding to a (fake) upstream, never for internal networks, SERVFAIL on timeout" {
        "$T/dnsq" -S 127.0.0.1 -p $UPORT -A 192.0.2.7 >"$T/upstream.out" &
        UPSTREAM=$!
        echo $UPSTREAM >"$T/upstream.pid"
        for _ in $(seq 50); do grep -q serving "$T/upstream.out" && break; sleep 0.05; done
        "$T/dnsctl" forward on 300 127.0.0.1:$UPORT
        run q $NS1 $GW1 example.org
        echo "$output"
        [ "${lines[0]}" = "rcode NOERROR" ]
        [ "${lines[2]}" = "A 192.0.2.7" ]
        run q $NS1 $GW1 -t example.org
        [ "${lines[2]}" = "A 192.0.2.7" ]
        run q $NS1 $GW1 web # local names are still local
        [ "${#lines[@]}" -eq 4 ]
        "$T/dnsctl" net-add n2 proj_back $GW2 internal
        run q $NS3 $GW2 example.org
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
        kill $UPSTREAM
        wait $UPSTREAM || true
        rm -f "$T/upstream.pid"
        run q $NS1 $GW1 -T 2000 example.org
        [ "${lines[0]}" = "rcode SERVFAIL" ]
        "$T/dnsctl" forward off 2000
        run q $NS1 $GW1 example.org
        [ "${lines[0]}" = "rcode NXDOMAIN" ]
}

@test "upstreams that never answer: two timeouts, then SERVFAIL at once; a probe finds them back" {
        python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
print("serving", flush=True)
while True:
    s.recvfrom(4096)' $UPORT >"$T/silent.out" &
        SILENT=$!
        echo $SILENT >"$T/upstream.pid"
        for _ in $(seq 50); do grep -q serving "$T/silent.out" && break; sleep 0.05; done
        "$T/dnsctl" forward on 300 127.0.0.1:$UPORT
        for n in a b; do # each waits for the upstream's timeout
                run q $NS1 $GW1 -T 3000 $n.example.org
                [ "${lines[0]}" = "rcode SERVFAIL" ]
        done
        # the upstream counts as down now: no client waits for it any more
        start=$(date +%s%N)
        run q $NS1 $GW1 -T 3000 c.example.org
        ms=$((($(date +%s%N) - start) / 1000000))
        echo "answered in $ms ms"
        [ "${lines[0]}" = "rcode SERVFAIL" ]
        [ "$ms" -lt 200 ]
        # it comes back: a query probes it, and the ones after it are forwarded
        kill $SILENT
        wait $SILENT || true
        "$T/dnsq" -S 127.0.0.1 -p $UPORT -A 192.0.2.8 >"$T/upstream.out" &
        UPSTREAM=$!
        echo $UPSTREAM >"$T/upstream.pid"
        for _ in $(seq 50); do grep -q serving "$T/upstream.out" && break; sleep 0.05; done
        for _ in $(seq 30); do
                run q $NS1 $GW1 -T 3000 d.example.org
                [ "${lines[0]}" = "rcode NOERROR" ] && break
                sleep 0.1
        done
        [ "${lines[2]}" = "A 192.0.2.8" ]
        kill $UPSTREAM
        wait $UPSTREAM || true
        rm -f "$T/upstream.pid"
        "$T/dnsctl" forward off 2000
}

@test "a network added before its bridge has the address is served once it does" {
        "$T/dnsctl" net-add n3 proj_late $C.1
        "$T/dnsctl" ep-add n3 c9 $C.2 - proj-late-1
        ip link add $BR3 type bridge
        ip addr add $C.1/24 dev $BR3
        ip link set $BR3 up
        mkns $NS4 $BR3 $C.2/24
        run q $NS4 $C.1 proj-late-1
        ip netns del $NS4
        ip link del $BR3
        "$T/dnsctl" net-rm n3
        [ "${lines[2]}" = "A $C.2" ]
}

@test "unknown askers are refused" {
        ip -n $NS1 addr add $A.99/24 dev eth0
        run q $NS1 $GW1 -b $A.99 web
        ip -n $NS1 addr del $A.99/24 dev eth0
        echo "$output"
        [ "${lines[0]}" = "rcode REFUSED" ]
}

@test "berth-dns exits when the last network is removed" {
        pid=$("$T/dnsctl" pid)
        "$T/dnsctl" net-rm n2
        run q $NS1 $GW1 proj-web-2
        [ "${lines[2]}" = "A $A.3" ]
        kill -0 "$pid"
        "$T/dnsctl" net-rm n1
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        ! kill -0 "$pid" 2>/dev/null || false
        [ "$("$T/dnsctl" pid)" = 0 ]
        grep -q "no network left" "$BERTH_ROOT/run/dns/log"
        # and comes back on demand
        "$T/dnsctl" net-add n1 proj_default $GW1
        "$T/dnsctl" ep-add n1 c1 $A.2 - proj-web-1
        run q $NS1 $GW1 proj-web-1
        [ "${lines[2]}" = "A $A.2" ]
        pid=$("$T/dnsctl" pid)
        "$T/dnsctl" net-rm n1
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        ! kill -0 "$pid" 2>/dev/null || false
}

@test "concurrent commits start exactly one server" {
        for i in 1 2 3 4 5 6; do "$T/dnsctl" net-add "p$i" "proj$i" "$D.$i" & done
        wait
        n=0
        for p in $(pgrep -x berth-dns); do
                tr '\0' '\n' </proc/$p/environ | grep -qx "BERTH_ROOT=$BERTH_ROOT" && n=$((n + 1))
        done
        [ "$n" -eq 1 ]
        pid=$("$T/dnsctl" pid)
        for i in 1 2 3 4 5 6; do "$T/dnsctl" net-rm "p$i" & done
        wait
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        ! kill -0 "$pid" 2>/dev/null || false
}
