#!/usr/bin/env bats
# Issue 9: a hostile image, compose file or container must not reach the
# host.  Each test is named after the item of the issue it covers.
load rt_common

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-sh.XXXXXX)
        export BERTH_ADDRESS_POOLS=10.253.0.0/20:24
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh"
}

teardown_file() {
        # the network items' host-side objects (netns, background servers)
        for p in "$BERTH_ROOT"/sn-*.pid; do
                [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
        done
        for n in sn5a sn5b; do ip netns del "$n" 2>/dev/null || true; done
        local fwd
        fwd=$(cat "$BERTH_ROOT/sn-ip_forward" 2>/dev/null) || true
        rt_teardown_file
        # after the networks went (the last one may turn forwarding off)
        [ -z "$fwd" ] || echo "$fwd" >/proc/sys/net/ipv4/ip_forward
}

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

# item 4
# CVE-2020-8558: bridges have route_localnet=1 (for publishing on
# 127.0.0.1), so a container that routes 127.0.0.1 to its gateway reaches
# the host's loopback-only services unless berth drops such packets.

# Start a python3 UDP server with a socket on each address given ("ip"...),
# all on one free port; it logs "ADDR PAYLOAD" per datagram.  Prints the port.
sn_udp_server() {
        local log=$BERTH_ROOT/sn-udp.log
        python3 -u - "$@" >"$log" 2>&1 3>&- <<'PY' &
import select, socket, sys
socks, port = [], 0
for a in sys.argv[1:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a, port))
    port = s.getsockname()[1]
    socks.append(s)
print("port", port)
while True:
    for s in select.select(socks, [], [])[0]:
        d, _ = s.recvfrom(512)
        print(s.getsockname()[0], d.decode())
PY
        echo $! >"$BERTH_ROOT/sn-udp.pid"
        for _ in $(seq 100); do
                grep -q '^port ' "$log" 2>/dev/null && break
                sleep 0.05
        done
        awk '$1 == "port" {print $2}' "$log"
}

sn_udp_send() { # ADDR PORT PAYLOAD
        python3 -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))' "$@"
}

@test "item 4: a container cannot reach the host's 127.0.0.1 through its gateway; publishing on 127.0.0.1 still works" {
        "$BERTH" network create --subnet 10.252.4.0/24 sn4net >/dev/null
        [ "$(cat /proc/sys/net/ipv4/conf/"$("$BERTH" network inspect sn4net | jq -r '.[0].Options["com.docker.network.bridge.name"]')"/route_localnet)" = 1 ]
        port=$(sn_udp_server 127.0.0.1 10.252.4.1)
        [ -n "$port" ]
        "$BERTH" run -d --name sn4c --network sn4net -p 127.0.0.1:18452:8080 busybox \
                sh -c 'mkdir /w && echo sn4-published >/w/index.html && exec httpd -f -p 8080 -h /w' >/dev/null
        pid=$("$BERTH" inspect -f '{{.State.Pid}}' sn4c)
        # the attack, from the container's network namespace: 127.0.0.1 is
        # routed to the gateway instead of lo, then a datagram to the host's
        # loopback-only service; a second one to the gateway's address on
        # the same port follows it on the same path (the positive control:
        # once it arrived, the first one would have too)
        nsenter -t "$pid" -n sh -c '
                echo 1 >/proc/sys/net/ipv4/conf/eth0/route_localnet &&
                ip route replace 127.0.0.1/32 via 10.252.4.1 dev eth0 table local' 
        nsenter -t "$pid" -n ip route get 127.0.0.1 | grep -q 'via 10.252.4.1 dev eth0'
        nsenter -t "$pid" -n python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"attack", ("127.0.0.1", int(sys.argv[1])))
s.sendto(b"control", ("10.252.4.1", int(sys.argv[1])))' "$port"
        for _ in $(seq 100); do
                grep -q '^10.252.4.1 control$' "$BERTH_ROOT/sn-udp.log" && break
                sleep 0.05
        done
        cat "$BERTH_ROOT/sn-udp.log"
        grep -q '^10.252.4.1 control$' "$BERTH_ROOT/sn-udp.log"
        [ -z "$(grep attack "$BERTH_ROOT/sn-udp.log")" ]
        # the host's own use of its loopback service is untouched
        sn_udp_send 127.0.0.1 "$port" host
        for _ in $(seq 100); do
                grep -q '^127.0.0.1 host$' "$BERTH_ROOT/sn-udp.log" && break
                sleep 0.05
        done
        grep -q '^127.0.0.1 host$' "$BERTH_ROOT/sn-udp.log"
        # DNAT from the host's 127.0.0.1 to the container still works (its
        # replies come back from the bridge to 127.0.0.1)
        for _ in $(seq 50); do
                out=$(timeout 5 busybox wget -qO- http://127.0.0.1:18452/ 2>/dev/null) && break
                sleep 0.1
        done
        [ "$out" = sn4-published ]
        kill "$(cat "$BERTH_ROOT/sn-udp.pid")"
        rm -f "$BERTH_ROOT/sn-udp.pid"
        "$BERTH" rm -f sn4c >/dev/null
        "$BERTH" network rm sn4net >/dev/null
}

# item 5
# A network turns net.ipv4.ip_forward on; when berth is the one that turned
# it on, the host must not start routing between its other interfaces
# (Docker's FORWARD policy drop): berth's forward chain then drops what
# neither enters nor leaves a bridge.

# Two namespaces made by the test, each behind a veth pair, routed through
# the host: sn5a 10.252.50.2 <-> host 10.252.50.1 | 10.252.51.1 <-> sn5b 10.252.51.2
sn5_setup() {
        local n
        for n in a b; do
                local sub=$([ $n = a ] && echo 50 || echo 51)
                ip netns add sn5$n
                ip link add sn5${n}h type veth peer name sn5${n}c
                ip link set sn5${n}c netns sn5$n
                ip addr add 10.252.$sub.1/24 dev sn5${n}h
                ip link set sn5${n}h up
                ip -n sn5$n addr add 10.252.$sub.2/24 dev sn5${n}c
                ip -n sn5$n link set sn5${n}c up
                ip -n sn5$n route add default via 10.252.$sub.1
        done
}

@test "item 5: forwarding berth turned on does not route the host's other interfaces" {
        cat /proc/sys/net/ipv4/ip_forward >"$BERTH_ROOT/sn-ip_forward"
        sn5_setup
        # the control: a routing host forwards between the two
        echo 1 >/proc/sys/net/ipv4/ip_forward
        ip netns exec sn5a busybox ping -c1 -W2 10.252.51.2
        # berth turns forwarding on: it records that it did ...
        echo 0 >/proc/sys/net/ipv4/ip_forward
        "$BERTH" network create --subnet 10.252.5.0/24 sn5net >/dev/null
        [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
        [ -f "$BERTH_ROOT/run/networks/ip_forward" ]
        # ... and forwards only what enters or leaves a bridge
        run ip netns exec sn5a busybox ping -c1 -W1 10.252.51.2
        [ "$status" -ne 0 ]
        run ip netns exec sn5b busybox ping -c1 -W1 10.252.50.2
        [ "$status" -ne 0 ]
        # a container's egress through the host still works
        run "$BERTH" run --rm --network sn5net busybox ping -c1 -W2 10.252.51.2
        [ "$status" -eq 0 ]
        # the last network takes the rule along
        "$BERTH" network rm sn5net >/dev/null
        echo 1 >/proc/sys/net/ipv4/ip_forward
        ip netns exec sn5a busybox ping -c1 -W2 10.252.51.2
        cat "$BERTH_ROOT/sn-ip_forward" >/proc/sys/net/ipv4/ip_forward
        rm "$BERTH_ROOT/sn-ip_forward"
        ip netns del sn5a
        ip netns del sn5b
}
