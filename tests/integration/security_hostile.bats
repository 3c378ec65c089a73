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

# hostile_image NAME SCRIPT [--change ...]: the busybox rootfs, changed by
# SCRIPT (run in the rootfs directory), imported as NAME.
hostile_image() {
        local name=$1 script=$2
        shift 2
        local bb=$BATS_FILE_TMPDIR/busybox.tar d
        [ -f "$bb" ] || "$BERTH_SRC/tests/images/make-busybox.sh" --tar-only "$bb"
        d=$(mktemp -d "$BATS_FILE_TMPDIR/img.XXXXXX")
        tar -C "$d" -xf "$bb"
        (cd "$d" && eval "$script")
        tar -C "$d" -cf "$d.tar" .
        "$BERTH" image import --change 'CMD ["sh"]' \
                --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
                "$@" - "$name" <"$d.tar" >/dev/null
        rm -rf "$d" "$d.tar"
}

# item 1

@test "item 1: the issue's exploit (proc -> /dev/x/proc, dev/x -> /opt/realproc) is refused" {
        hostile_image sr-exploit 'rm -rf proc dev; mkdir -p opt/realproc/proc dev;
                ln -s /dev/x/proc proc; ln -s /opt/realproc dev/x'
        dom=$(cat /proc/sys/kernel/domainname)
        run "$BERTH" run --rm --network none sr-exploit sh -c '
                echo pwned >/opt/realproc/proc/sys/kernel/domainname && echo wrote
                cat /opt/realproc/proc/keys >/dev/null 2>&1 && echo keys-readable; true'
        [ "$status" -eq 125 ]
        [[ "$output" == *"/proc in the image is not a directory"* ]]
        [[ "$output" != *wrote* && "$output" != *keys-readable* ]]
        [ "$(cat /proc/sys/kernel/domainname)" = "$dom" ]
}

@test "item 1: a symlinked /proc, /sys or /dev is refused" {
        for t in proc sys dev; do
                hostile_image sr-ln-$t "rm -rf $t; mkdir -p opt/$t; ln -s /opt/$t $t"
                run "$BERTH" run --rm --network none sr-ln-$t true
                [ "$status" -eq 125 ]
                [[ "$output" == *"/$t in the image is not a directory (a symbolic link or a file)"* ]]
        done
        # a plain file there is refused the same way
        hostile_image sr-file-proc 'rm -rf proc; : >proc'
        run "$BERTH" run --rm --network none sr-file-proc true
        [ "$status" -eq 125 ]
        [[ "$output" == *"/proc in the image is not a directory"* ]]
}

@test "item 1: symlinked /dev/pts, /dev/shm, /dev/mqueue in the image do not redirect the mounts" {
        hostile_image sr-ln-devsub 'mkdir -p opt/pts opt/shm opt/mq;
                ln -s /opt/pts dev/pts; ln -s /opt/shm dev/shm; ln -s /opt/mq dev/mqueue'
        run "$BERTH" run --rm --network none sr-ln-devsub sh -c '
                stat -f -c %T /dev/pts /dev/shm; grep -c "^mqueue /dev/mqueue mqueue" /proc/mounts
                ls -A /opt/pts /opt/shm /opt/mq; [ ! -L /dev/pts ] || echo link'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "devpts" ]
        [ "${lines[1]}" = "tmpfs" ]
        [ "${lines[2]}" = "1" ]
        [[ "$output" != *link* && "$output" != *ptmx* ]]
}

@test "item 1: /etc/hosts, /etc/resolv.conf, /etc/hostname symlinked into /proc, /sys or /dev are refused" {
        for ft in hosts:/proc/sys/kernel/domainname resolv.conf:/sys/kernel/profiling \
                hostname:/dev/null; do
                f=${ft%%:*} to=${ft#*:}
                hostile_image sr-etc "rm -f etc/$f; ln -s $to etc/$f"
                run "$BERTH" run --rm sr-etc true
                [ "$status" -eq 125 ]
                [[ "$output" == *"/etc/$f in the image is not a regular file of the image"* ]]
        done
        # a symlink that stays in the image's tree is followed (inside the root)
        hostile_image sr-etc 'rm -f etc/resolv.conf etc/hosts; ln -s ../run/resolv.conf etc/resolv.conf
                mkdir -p /tmp/sr-not-here; ln -s /tmp/sr-not-here/hosts etc/hosts'
        run "$BERTH" run --rm sr-etc sh -c 'grep -c nameserver /run/resolv.conf; grep -c localhost /tmp/sr-not-here/hosts'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" -ge 1 ]
        [ "${lines[1]}" -ge 1 ]
        [ ! -e /tmp/sr-not-here/hosts ]
        rmdir /tmp/sr-not-here
}

@test "item 1: a mount target that is a symlink to /proc/self/fd is refused (-v, --tmpfs, --mount, VOLUME)" {
        d=$(mktemp -d "$BATS_FILE_TMPDIR/bind.XXXXXX")
        hostile_image sr-fdlink 'ln -s /proc/self/fd data; ln -s /proc/self/fd/1 out'
        for m in "-v $d:/data" "--tmpfs /data" "--mount type=tmpfs,target=/data" "-v $d:/out/x" \
                "-v $d:/proc" "-v $d:/proc/sys" "--tmpfs /proc/sys/kernel"; do
                run "$BERTH" run --rm --network none $m sr-fdlink true
                [ "$status" -eq 125 ]
                [[ "$output" == *"resolves into /proc"* || "$output" == *"magic"* || "$output" == *"Too many levels of symbolic links"* ]]
        done
        hostile_image sr-fdvol 'ln -s /proc/self/fd data' --change 'VOLUME /data'
        run "$BERTH" run --rm --network none sr-fdvol true
        [ "$status" -eq 125 ]
        [[ "$output" == *"mount target /data resolves into /proc"* ]]
}

@test "item 1: masks hold, and a mount over a masked path fails closed" {
        run "$BERTH" run --rm --network none busybox sh -c 'exec 2>/dev/null
                echo x >/proc/sys/kernel/domainname || echo sys-ro
                [ -e /proc/keys ] && [ -z "$(cat /proc/keys)" ] && echo keys-masked
                [ -e /proc/timer_list ] && [ -z "$(cat /proc/timer_list)" ] && echo timer-masked
                ls /sys/firmware | wc -l'
        [[ "$output" == *sys-ro* ]]
        [ ! -e /proc/keys ] || [[ "$output" == *keys-masked* ]]
        [ ! -e /proc/timer_list ] || [[ "$output" == *timer-masked* ]]
        [ "${lines[-1]}" = "0" ]
        d=$(mktemp -d "$BATS_FILE_TMPDIR/bind.XXXXXX")
        run "$BERTH" run --rm --network none -v "$d:/sys/firmware" busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"mask /sys/firmware"*"never starts with it unmasked"* ]]
}

# item 12

sc_profile() { # FILE JSON
        printf '%s\n' "$2" >"$1"
}

@test "item 12: seccomp=FILE denying mkdir (EPERM, and errnoRet) makes mkdir fail; exec and restart keep it" {
        local d=$BATS_TEST_TMPDIR
        sc_profile "$d/eperm.json" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
        sc_profile "$d/enospc.json" '{"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": null,
                "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
                            {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
                "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28,
                              "includes": {"caps": ["CAP_CHOWN"], "minKernel": "3.0"}},
                             {"name": "rmdir", "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                             {"names": ["chmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
                              "args": [{"index": 1, "value": 511, "op": "SCMP_CMP_EQ"}]}]}'
        run "$BERTH" run --rm --network none --security-opt seccomp="$d/eperm.json" busybox \
                sh -c 'mkdir /x; echo rc=$?; grep Seccomp: /proc/self/status'
        echo "$output"
        [[ "$output" == *"Operation not permitted"* ]]
        [[ "$output" == *"rc=1"* ]]
        [[ "$output" == *$'Seccomp:\t2'* ]]
        # errnoRet; a rule whose includes.caps the container lacks does not
        # apply; args compare (chmod 0777 refused, 0755 not)
        run "$BERTH" run --rm --network none --security-opt seccomp:"$d/enospc.json" busybox \
                sh -c 'mkdir /x; echo rc=$?; rmdir /tmp && echo rmdir-ok; touch /f; chmod 777 /f; chmod 755 /f && echo chmod-ok'
        echo "$output"
        [[ "$output" == *"No space left on device"* ]]
        [[ "$output" == *"rc=1"* ]]
        [[ "$output" == *"rmdir-ok"* ]]
        [[ "$output" == *"Permission denied"* ]]
        [[ "$output" == *"chmod-ok"* ]]
        # kept with the container: exec and restart use it although the file changed
        cp "$d/eperm.json" "$d/p.json"
        "$BERTH" run -d --name sc-keep --network none --security-opt seccomp="$d/p.json" busybox sleep 300
        sc_profile "$d/p.json" '{"defaultAction": "SCMP_ACT_ALLOW"}'
        run "$BERTH" exec sc-keep mkdir /y
        [ "$status" -ne 0 ]
        [[ "$output" == *"Operation not permitted"* ]]
        "$BERTH" restart -t 0 sc-keep
        run "$BERTH" exec sc-keep sh -c 'mkdir /y; grep Seccomp: /proc/1/status'
        [[ "$output" == *"Operation not permitted"* ]]
        [[ "$output" == *$'Seccomp:\t2'* ]]
        "$BERTH" rm -f sc-keep
}

@test "item 12: compose security_opt seccomp file (relative to the project dir), shm_size, oom_score_adj" {
        local d=$BATS_TEST_TMPDIR/proj
        mkdir -p "$d"
        sc_profile "$d/deny.json" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
                {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
        cat >"$d/compose.yaml" <<'YAML'
services:
  a:
    image: busybox
    network_mode: none
    command: sh -c 'mkdir /x; echo rc=$$?; df -k /dev/shm; echo adj=$$(cat /proc/1/oom_score_adj)'
    security_opt: [seccomp=deny.json]
    shm_size: 1m
    oom_score_adj: 300
YAML
        cd /
        run "$BERTH" compose -f "$d/compose.yaml" -p sc12 run --rm a
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Operation not permitted"* ]]
        [[ "$output" == *"rc=1"* ]]
        [[ "$output" =~ shm\ +1024\  ]]
        [[ "$output" == *"adj=300"* ]]
}

@test "item 12: a malformed seccomp profile is refused with file and JSON path, nothing is created" {
        local d=$BATS_TEST_TMPDIR
        sc_profile "$d/syntax.json" '{"defaultAction": "SCMP_ACT_ALLOW",'
        sc_profile "$d/op.json" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"],
                "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_FOO"}]}]}'
        sc_profile "$d/key.json" '{"defaultAction": "SCMP_ACT_ALLOW", "syscals": []}'
        sc_profile "$d/errno.json" '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"],
                "action": "SCMP_ACT_KILL", "errnoRet": 1}]}'
        local before vols
        before=$("$BERTH" ps -aq)
        vols=$(ls "$BERTH_ROOT"/lib/volumes 2>/dev/null || true)
        run "$BERTH" create --name sc-bad --network none --security-opt seccomp="$d/syntax.json" busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"syntax.json:2:"* ]]
        run "$BERTH" create --name sc-bad --network none --security-opt seccomp="$d/op.json" busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"op.json: syscalls[0].args[0].op: unknown operator \"SCMP_CMP_FOO\""* ]]
        run "$BERTH" create --name sc-bad --network none --security-opt seccomp="$d/key.json" busybox true
        [[ "$output" == *"key.json: (top level): unknown key \"syscals\""* ]]
        run "$BERTH" create --name sc-bad --network none --security-opt seccomp="$d/errno.json" busybox true
        [[ "$output" == *"errno.json: syscalls[0].errnoRet: is only valid with SCMP_ACT_ERRNO"* ]]
        run "$BERTH" create --name sc-bad --network none --security-opt seccomp="$d/missing.json" busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"missing.json"*"No such file"* ]]
        mkfifo "$d/fifo.json"
        run timeout 10 "$BERTH" create --name sc-bad --network none --security-opt seccomp="$d/fifo.json" busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"not a regular file"* ]]
        # an anonymous volume of the image would be made before the profile
        # is read if the order were wrong: none is
        run "$BERTH" create --name sc-bad --network none -v /data \
                --security-opt seccomp="$d/key.json" busybox true
        [ "$status" -eq 125 ]
        run "$BERTH" ps -aq
        [ "$output" = "$before" ]
        [ "$(ls "$BERTH_ROOT"/lib/volumes 2>/dev/null || true)" = "$vols" ]
}

@test "item 12: apparmor=PROFILE, label=..., unknown security options are refused; the opt-outs are accepted" {
        run "$BERTH" run --rm --network none --security-opt apparmor=foo busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"apparmor=foo: berth has no AppArmor support and cannot honour it"* ]]
        run "$BERTH" run --rm --network none --security-opt label=type:svirt_t busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"label=type:svirt_t: berth has no SELinux support"* ]]
        run "$BERTH" run --rm --network none --security-opt systempaths=none busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"systempaths=none: unknown option"* ]]
        run "$BERTH" run --rm --network none --security-opt apparmor=unconfined \
                --security-opt label=disable --security-opt label:disable busybox true
        [ "$status" -eq 0 ]
        local d=$BATS_TEST_TMPDIR/proj
        mkdir -p "$d"
        # refused before the up makes anything: no network, no container
        printf 'services:\n  a:\n    image: busybox\n  b:\n    image: busybox\n    security_opt: ["apparmor=foo"]\n' >"$d/compose.yaml"
        run "$BERTH" compose -f "$d/compose.yaml" -p sc12b up -d
        [ "$status" -ne 0 ]
        [[ "$output" == *"service b: security option apparmor=foo: berth has no AppArmor support"* ]]
        run "$BERTH" ps -aq --filter label=com.docker.compose.project=sc12b
        [ -z "$output" ]
        run "$BERTH" network ls
        [[ "$output" != *sc12b* ]]
}

@test "item 12: --shm-size sizes /dev/shm, --oom-score-adj is the init's" {
        run "$BERTH" run --rm --network none --shm-size 1m busybox df -k /dev/shm
        echo "$output"
        [[ "$output" =~ shm\ +1024\  ]]
        run "$BERTH" run --rm --network none busybox df -k /dev/shm
        [[ "$output" =~ shm\ +65536\  ]]
        run "$BERTH" run --rm --network none --oom-score-adj 500 busybox cat /proc/1/oom_score_adj
        [ "$output" = 500 ]
        run "$BERTH" run --rm --network none --oom-score-adj 1001 busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"range is [-1000, 1000]"* ]]
        run "$BERTH" run --rm --network none --shm-size 0 busybox true
        [ "$status" -eq 125 ]
        # lowering needs CAP_SYS_RESOURCE: the kernel's answer, either way
        run "$BERTH" run --rm --network none --name sc-oom --oom-score-adj -500 busybox cat /proc/1/oom_score_adj
        if (( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) & (1 << 24) )); then
                [ "$output" = -500 ]
        else
                [ "$status" -eq 125 ]
                [[ "$output" == *"lowering it needs CAP_SYS_RESOURCE"* ]]
        fi
        "$BERTH" rm -f sc-oom >/dev/null 2>&1 || true
}
