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
        # item 5's network lives in its router namespace
        if ip netns list | grep -qw sn5r; then
                ip netns exec sn5r "$BERTH" network rm sn5net >/dev/null 2>&1 || true
        fi
        for n in sn5a sn5b sn5r; do ip netns del "$n" 2>/dev/null || true; done
        rt_teardown_file
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

# sc_probe MODE: run the probe's MODE in a container; it exits 0
sc_probe() {
        sc_probe_image
        run "$BERTH" run --rm --network none sc-probe:1 /probe "$1"
        echo "$output"
        [ "$status" -eq 0 ]
}

@test "item 13: 32-bit syscalls (int 0x80) get the deny-list's errno, not SIGSYS" {
        sc_probe i386
        [[ "$output" == *"getpid=ok"* ]]
        [[ "$output" == *"mount=Operation not permitted"* ]]
        [[ "$output" == *"unshare=Operation not permitted"* ]]
}

@test "item 13: personality(ADDR_NO_RANDOMIZE) fails with EPERM, the query works" {
        sc_probe personality
        [[ "$output" == *"addr_no_randomize=Operation not permitted"* ]]
        [[ "$output" == *"query=ok"* ]]
}

# item 4
# CVE-2020-8558: bridges have route_localnet=1 (for publishing on
# 127.0.0.1), so a container that routes 127.0.0.1 to its gateway reaches
# the host's loopback-only services unless berth drops such packets.

# Wait (up to 10 s) for a line matching the extended regex in a file.
sn_wait_line() { # FILE REGEX
        for _ in $(seq 200); do
                grep -Eq "$2" "$1" 2>/dev/null && return 0
                sleep 0.05
        done
        return 1
}

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
        sn_wait_line "$log" '^port '
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
        sn_wait_line "$BERTH_ROOT/sn-udp.log" '^10.252.4.1 control$' || true
        cat "$BERTH_ROOT/sn-udp.log"
        grep -q '^10.252.4.1 control$' "$BERTH_ROOT/sn-udp.log"
        [ -z "$(grep attack "$BERTH_ROOT/sn-udp.log")" ]
        # the host's own use of its loopback service is untouched
        sn_udp_send 127.0.0.1 "$port" host
        sn_wait_line "$BERTH_ROOT/sn-udp.log" '^127.0.0.1 host$'
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

# The "host" is a namespace the test makes (sn5r), so the machine's own
# net.ipv4.ip_forward and nftables, which other tests and tools use, are
# never touched: berth runs in it and two more namespaces (sn5a, sn5b)
# hang off it by veth pairs:
#   sn5a 10.252.50.2 <-> 10.252.50.1 sn5r 10.252.51.1 <-> 10.252.51.2 sn5b
sn5_setup() {
        local n sub
        ip netns add sn5r
        ip -n sn5r link set lo up
        for n in a b; do
                sub=$([ $n = a ] && echo 50 || echo 51)
                ip netns add sn5$n
                ip -n sn5r link add sn5${n}h type veth peer name sn5${n}c netns sn5$n
                ip -n sn5r addr add 10.252.$sub.1/24 dev sn5${n}h
                ip -n sn5r link set sn5${n}h up
                ip -n sn5$n addr add 10.252.$sub.2/24 dev sn5${n}c
                ip -n sn5$n link set sn5${n}c up
                ip -n sn5$n route add default via 10.252.$sub.1
        done
}

sn5() { ip netns exec sn5r "$@"; }

@test "item 5: forwarding berth turned on does not route the host's other interfaces" {
        sn5_setup
        # the control: a routing host forwards between the two
        sn5 sysctl -qw net.ipv4.ip_forward=1
        ip netns exec sn5a busybox ping -c1 -W2 10.252.51.2
        # a host that does not route: berth turns forwarding on, records
        # that it did ...
        sn5 sysctl -qw net.ipv4.ip_forward=0
        sn5 "$BERTH" network create --subnet 10.252.5.0/24 sn5net >/dev/null
        [ "$(sn5 sysctl -n net.ipv4.ip_forward)" = 1 ]
        [ -f "$BERTH_ROOT/run/networks/ip_forward" ]
        # ... and forwards only what enters or leaves a bridge
        run ip netns exec sn5a busybox ping -c1 -W1 10.252.51.2
        [ "$status" -ne 0 ]
        run ip netns exec sn5b busybox ping -c1 -W1 10.252.50.2
        [ "$status" -ne 0 ]
        # a container's egress through the host still works
        run sn5 "$BERTH" run --rm --network sn5net busybox ping -c1 -W2 10.252.51.2
        echo "$output"
        [ "$status" -eq 0 ]
        # the last network takes the rule along and turns forwarding back
        # off, as berth found it
        sn5 "$BERTH" network rm sn5net >/dev/null
        [ "$(sn5 sysctl -n net.ipv4.ip_forward)" = 0 ]
        [ ! -e "$BERTH_ROOT/run/networks/ip_forward" ]
        [ -z "$(sn5 nft list tables)" ]
        # when forwarding was on already, routing is the host's business
        sn5 sysctl -qw net.ipv4.ip_forward=1
        sn5 "$BERTH" network create --subnet 10.252.5.0/24 sn5net >/dev/null
        [ ! -e "$BERTH_ROOT/run/networks/ip_forward" ]
        ip netns exec sn5a busybox ping -c1 -W2 10.252.51.2
        sn5 "$BERTH" network rm sn5net >/dev/null
        [ "$(sn5 sysctl -n net.ipv4.ip_forward)" = 1 ]
        for n in sn5a sn5b sn5r; do ip netns del $n; done
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

# item 3
# CVE-2019-5736: a container program that names /proc/self/exe while berth
# (or the monitor) execs it would run the berth binary itself inside the
# container, and could then reopen it for writing.  The image carries the
# host's dynamic loader and libraries (so a berth binary can run in it) and
# tests/data/reexec_probe.c as /etc/ld.so.preload; berth runs from copies of
# its binaries here, so a failing test cannot damage the build.

reexec_setup() {
        local bin=$BATS_FILE_TMPDIR/bin
        export BERTH=$bin/berth BERTH_MONITOR=$bin/berth-monitor BERTH_DNS_BIN=$bin/berth-dns
        "$BERTH" image inspect sr-reexec >/dev/null 2>&1 && return 0
        mkdir -p "$bin"
        cp "$BERTH_BUILD/berth" "$BERTH_BUILD/berth-monitor" "$BERTH_BUILD/berth-dns" "$bin/"
        (cd "$bin" && sha256sum berth berth-monitor berth-dns >"$BATS_FILE_TMPDIR/bin.sha256")
        gcc -shared -fPIC -O2 -o "$BATS_FILE_TMPDIR/probe.so" "$BERTH_SRC/tests/data/reexec_probe.c"
        local libs
        libs=$(ldd "$bin/berth" "$bin/berth-monitor" | awk '{for (i = 1; i <= NF; i++) if ($i ~ /^\// && $i !~ /:$/) print $i}' | sort -u)
        # a sanitizer build's runtime must be loaded before the probe
        local asan
        asan=$(ldd "$bin/berth" | awk '$1 ~ /^libasan/ {print $3}')
        hostile_image sr-reexec "for l in $(echo $libs); do mkdir -p .\$(dirname \$l); cp -L \$l .\$l; done
                cp $BATS_FILE_TMPDIR/probe.so probe.so; echo $asan /probe.so >etc/ld.so.preload
                rm bin/sh; ln -s /proc/self/exe bin/sh
                printf '#!/proc/self/exe\n' >x.sh; chmod 755 x.sh"
}

# Wait for n "late=" lines in the container's /probe.log, print the log.
probe_log() {
        local c=$1 n=$2 log
        for _ in $(seq 100); do
                log=$("$BERTH" exec "$c" cat /probe.log 2>/dev/null) || true
                [ "$(grep -c '^late=' <<<"$log")" -ge "$n" ] && break
                sleep 0.1
        done
        echo "$log"
}

# The probe ran (exe= lines), never from a host binary, never wrote.
probe_clean() {
        local log=$1 bin=$BATS_FILE_TMPDIR/bin
        echo "$log"
        [[ "$log" == *"exe="* ]]
        [[ "$log" != *"exe=$bin"* ]]
        [[ "$log" != *WROTE* ]]
        (cd "$bin" && sha256sum -c --quiet "$BATS_FILE_TMPDIR/bin.sha256")
}

@test "item 3: /bin/sh -> /proc/self/exe and #!/proc/self/exe via exec and exec -t never reach the host binary" {
        reexec_setup
        "$BERTH" run -d --name sr-reexec --network none sr-reexec sleep 60
        "$BERTH" exec sr-reexec sh -c true || true
        "$BERTH" exec -t sr-reexec sh </dev/null || true
        "$BERTH" exec sr-reexec /x.sh || true
        log=$(probe_log sr-reexec 3)
        "$BERTH" rm -f sr-reexec
        [ "$(grep -c '^exe=' <<<"$log")" -eq 3 ]
        probe_clean "$log"
}

@test "item 3: healthcheck CMD-SHELL, --init and Dockerfile RUN never reach the host binary" {
        reexec_setup
        "$BERTH" run -d --name sr-hc --network none --health-cmd 'true' --health-interval 1s \
                sr-reexec sleep 60
        for _ in $(seq 100); do
                "$BERTH" exec sr-hc cat /probe.log 2>/dev/null | grep -q '^now=' && break
                sleep 0.1
        done
        log=$("$BERTH" exec sr-hc cat /probe.log)
        "$BERTH" rm -f sr-hc
        probe_clean "$log"
        # --init: PID 1 is the monitor's clone; its child execs the command
        "$BERTH" create --name sr-init --init --network none sr-reexec sh
        "$BERTH" start -a sr-init || true
        upper=$("$BERTH" inspect -f '{{.GraphDriver.Data.UpperDir}}' sr-init)
        log=$(cat "$upper/probe.log")
        "$BERTH" rm -f sr-init
        probe_clean "$log"
        # Dockerfile RUN: the layer keeps the probe's log
        ctx=$(mktemp -d "$BATS_FILE_TMPDIR/ctx.XXXXXX")
        printf 'FROM sr-reexec\nRUN true\n' >"$ctx/Dockerfile"
        "$BERTH" build -q -t sr-reexec-run "$ctx"
        log=$("$BERTH" run --rm --network none sr-reexec-run cat /probe.log)
        probe_clean "$log"
}

@test "item 3: a container with CAP_SYS_PTRACE sees only a sealed copy as --init's PID 1 binary" {
        reexec_setup
        run "$BERTH" run --rm --init --cap-add SYS_PTRACE --network none busybox sh -c '
                readlink /proc/1/exe; exec 2>/dev/null; echo x >>/proc/1/exe && echo WROTE; true'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "/memfd:"* ]]
        [[ "$output" != *WROTE* ]]
        (cd "$BATS_FILE_TMPDIR/bin" && sha256sum -c --quiet "$BATS_FILE_TMPDIR/bin.sha256")
}

# item 9

@test "item 9: --init's PID 1 holds only the container's stdio, none of the monitor's fds" {
        run "$BERTH" run --rm --init -p 127.0.0.1::80 busybox sh -c 'ls /proc/1/fd | tr "\n" " "'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "0 1 2 " ]
}

# item 10

@test "item 10: exec -t gets a terminal of the container's own devpts" {
        "$BERTH" run -d --name sr-tty --network none busybox sleep 60
        run "$BERTH" exec -t sr-tty sh -c 't=$(tty); echo "$t"; [ -e "$t" ] && echo exists
                [ "$(stat -L -c %d /proc/self/fd/0)" = "$(stat -c %d /dev/pts/ptmx)" ] && echo same-devpts' </dev/null
        "$BERTH" rm -f sr-tty
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == /dev/pts/* ]]
        [[ "$output" == *exists* ]]
        [[ "$output" == *same-devpts* ]]
}

# item 13 dns
# berth-dns serves every network from one process with a bounded number of
# TCP connections and forwarded queries: one container must not be able to
# take them all.

@test "item 13: one container flooding berth-dns over TCP does not deny DNS to another" {
        cc -O2 -o "$BATS_FILE_TMPDIR/dnsq" "$BERTH_SRC/tests/tools/dnsq.c"
        "$BERTH" network create --subnet 10.252.13.0/24 sn13net >/dev/null
        "$BERTH" run -d --name sn13flood --network sn13net busybox sleep 600 >/dev/null
        "$BERTH" run -d --name sn13victim --network sn13net busybox sleep 600 >/dev/null
        fpid=$("$BERTH" inspect -f '{{.State.Pid}}' sn13flood)
        vpid=$("$BERTH" inspect -f '{{.State.Pid}}' sn13victim)
        # the victim resolves over TCP before the flood
        run nsenter -t "$vpid" -n "$BATS_FILE_TMPDIR/dnsq" -s 10.252.13.1 -t sn13flood
        [ "${lines[0]}" = "rcode NOERROR" ]
        # the flood, from the flooding container's network namespace: 100
        # TCP connections with one query each; it reports how many the
        # server answered (and so holds) and keeps them all open
        nsenter -t "$fpid" -n python3 -u - >"$BERTH_ROOT/sn-flood.out" 2>&1 3>&- <<'PY' &
import socket, struct, time
q = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + b"\x0asn13victim\x00" + struct.pack(">HH", 1, 1)
socks = []
for _ in range(100):
    s = socket.create_connection(("10.252.13.1", 53), timeout=5)
    socks.append(s)
held = 0
for s in socks:
    try:
        s.sendall(struct.pack(">H", len(q)) + q)
        held += len(s.recv(2)) == 2
    except OSError:
        pass
print("held", held)
time.sleep(60)
PY
        echo $! >"$BERTH_ROOT/sn-flood.pid"
        sn_wait_line "$BERTH_ROOT/sn-flood.out" '^held ' || true
        cat "$BERTH_ROOT/sn-flood.out"
        held=$(awk '$1 == "held" {print $2}' "$BERTH_ROOT/sn-flood.out")
        [ -n "$held" ]
        [ "$held" -ge 1 ]
        [ "$held" -le 8 ]
        # while the flood holds its connections, the victim still resolves
        run nsenter -t "$vpid" -n "$BATS_FILE_TMPDIR/dnsq" -s 10.252.13.1 -t sn13flood
        echo "$output"
        [ "${lines[0]}" = "rcode NOERROR" ]
        [[ "${lines[2]}" == "A 10.252.13."* ]]
        kill "$(cat "$BERTH_ROOT/sn-flood.pid")"
        rm -f "$BERTH_ROOT/sn-flood.pid"
        "$BERTH" rm -f sn13flood sn13victim >/dev/null
        "$BERTH" network rm sn13net >/dev/null
}

@test "item 13: one container flooding berth-dns with forwarded queries does not take every forwarding slot" {
        local T=$BATS_FILE_TMPDIR
        # the same sanitizers as the libraries it links
        local san=${SANITIZE:+-fsanitize=$SANITIZE}
        cc -O2 -o "$T/dnsq" "$BERTH_SRC/tests/tools/dnsq.c"
        cc -O2 $san -I"$BERTH_SRC/base" -I"$BERTH_SRC/net" -o "$T/dnsctl" \
                "$BERTH_SRC/tests/tools/dnsctl.c" "$BERTH_BUILD/libnet.a" "$BERTH_BUILD/libbase.a" -ljansson
        "$BERTH" network create --subnet 10.252.14.0/24 sn14net >/dev/null
        "$BERTH" run -d --name sn14flood --network sn14net busybox sleep 600 >/dev/null
        "$BERTH" run -d --name sn14victim --network sn14net busybox sleep 600 >/dev/null
        fpid=$("$BERTH" inspect -f '{{.State.Pid}}' sn14flood)
        vpid=$("$BERTH" inspect -f '{{.State.Pid}}' sn14victim)
        # a fake upstream on the host's loopback: it never answers names
        # starting with "flood" (they stay pending) and answers the rest
        python3 -u - >"$BERTH_ROOT/sn-upstream.out" 2>&1 3>&- <<'PY' &
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("port", s.getsockname()[1])
while True:
    d, a = s.recvfrom(512)
    if d[13:18] == b"flood":
        continue
    end = d.index(b"\0", 12) + 5
    s.sendto(d[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + d[12:end]
             + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x07", a)
PY
        echo $! >"$BERTH_ROOT/sn-upstream.pid"
        sn_wait_line "$BERTH_ROOT/sn-upstream.out" '^port '
        uport=$(awk '$1 == "port" {print $2}' "$BERTH_ROOT/sn-upstream.out")
        "$T/dnsctl" forward on 5000 127.0.0.1:"$uport"
        run nsenter -t "$vpid" -n "$T/dnsq" -s 10.252.14.1 -T 3000 before.example
        echo "$output"
        [ "${lines[2]}" = "A 192.0.2.7" ]
        # 300 forwarded queries that stay pending
        run nsenter -t "$fpid" -n python3 - <<'PY'
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
def q(i, name):
    lab = b"".join(bytes([len(p)]) + p for p in name.encode().split(b".")) + b"\0"
    s.sendto(struct.pack(">HHHHHH", i, 0x0100, 1, 0, 0, 0) + lab + struct.pack(">HH", 1, 1), ("10.252.14.1", 53))
servfail = 0
def drain(until):
    global servfail
    while True:
        d = s.recv(512)
        i = struct.unpack(">H", d[:2])[0]
        servfail += i < 1000 and (d[3] & 15) == 2
        if i == until:
            return
# in bursts of 50 that the server has taken in (a local name answered
# after them) before the next: no datagram is lost to a full buffer
for b in range(6):
    for i in range(50 * b, 50 * b + 50):
        q(i, "flood%d.example" % i)
    q(1000 + b, "sn14victim")
    drain(1000 + b)
print("servfail", servfail)
PY
        echo "$output"
        # the flood got SERVFAIL for what is over its share
        [[ "$output" == "servfail "* ]]
        [ "${output#servfail }" -ge 200 ]
        # and the victim's forwarded query still reaches the upstream
        run nsenter -t "$vpid" -n "$T/dnsq" -s 10.252.14.1 -T 3000 after.example
        echo "$output"
        [ "${lines[0]}" = "rcode NOERROR" ]
        [ "${lines[2]}" = "A 192.0.2.7" ]
        kill "$(cat "$BERTH_ROOT/sn-upstream.pid")"
        rm -f "$BERTH_ROOT/sn-upstream.pid"
        "$T/dnsctl" forward off 2000
        "$BERTH" rm -f sn14flood sn14victim >/dev/null
        "$BERTH" network rm sn14net >/dev/null
}

# ---- sec-state: items 2, 6, 7, 8 and 13 --------------------------------------

# A host directory with a secret file, for the tests that check that an image
# cannot reach host files.
ss_secret_dir() {
        SS_SECRET=$(mktemp -d "$BATS_TEST_TMPDIR/ss-secret.XXXXXX") # bats removes it
        mkdir "$SS_SECRET/sub" "$SS_SECRET/sub2"
        echo "ss-host-secret-$$" >"$SS_SECRET/sub/key"
        echo "ss-host-secret-$$" >"$SS_SECRET/sub2/key"
        echo "ss-host-secret-$$" >"$SS_SECRET/key"
}

# The busybox rootfs as a tar (made once per file), plus extra members:
# ss_rootfs_tar OUT [symlink NAME TARGET]...
ss_rootfs_tar() {
        local out=$1
        shift
        [ -s "$BATS_FILE_TMPDIR/busybox.tar" ] ||
                BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" --tar-only "$BATS_FILE_TMPDIR/busybox.tar" >/dev/null
        python3 - "$BATS_FILE_TMPDIR/busybox.tar" "$out" "$@" <<'PY'
import sys, tarfile
src, out, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
with tarfile.open(src) as i, tarfile.open(out, "w") as o:
    for m in i.getmembers():
        o.addfile(m, i.extractfile(m) if m.isfile() else None)
    while rest:
        kind, name, target, rest = rest[0], rest[1], rest[2], rest[3:]
        t = tarfile.TarInfo(name)
        t.type, t.linkname = tarfile.SYMTYPE, target
        o.addfile(t)
PY
}

# item 2
@test "item 2: import --change VOLUME with .. is refused, naming the path" {
        ss_secret_dir
        up=$(printf '/..%.0s' 1 2 3 4 5 6 7 8 9 10 11 12)
        mkdir "$BATS_TEST_TMPDIR/r"
        tar -C "$BATS_TEST_TMPDIR/r" -cf "$BATS_TEST_TMPDIR/r.tar" .
        run "$BERTH" import --change "VOLUME [\"$up$SS_SECRET\"]" "$BATS_TEST_TMPDIR/r.tar" ss-vol-dotdot
        rm -rf "$SS_SECRET"
        [ "$status" -ne 0 ]
        [[ "$output" == *"VOLUME \"$up$SS_SECRET\" must not contain \"..\""* ]]
        run "$BERTH" image inspect ss-vol-dotdot
        [ "$status" -ne 0 ]
        printf 'FROM busybox\nVOLUME /data/../../etc\n' >"$BATS_TEST_TMPDIR/Dockerfile"
        run "$BERTH" build -t ss-vol-dotdot-b "$BATS_TEST_TMPDIR"
        [ "$status" -ne 0 ]
        [[ "$output" == *'VOLUME "/data/../../etc" must not contain ".."'* ]]
}

@test "item 2: a stored image with a VOLUME .. path does not run and copies nothing" {
        ss_secret_dir
        ss_rootfs_tar "$BATS_TEST_TMPDIR/r.tar"
        id=$("$BERTH" import --change 'VOLUME ["/ssdata"]' "$BATS_TEST_TMPDIR/r.tar" ss-vol-stored)
        # as an image stored before VOLUME paths were checked: patch its config
        up=$(printf '/..%.0s' 1 2 3 4 5 6 7 8 9 10 11 12)
        blob="$BERTH_ROOT/lib/image/blobs/sha256/${id#sha256:}"
        python3 - "$blob" "$up$SS_SECRET" <<'PY'
import json, sys
p, v = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c["config"]["Volumes"] = {v: {}}
json.dump(c, open(p, "w"))
PY
        run "$BERTH" run --rm --network none ss-vol-stored sh -c "cat $SS_SECRET/key; find / -name key 2>/dev/null | xargs cat"
        rm -rf "$SS_SECRET"
        echo "$output"
        [ "$status" -eq 125 ]
        [[ "$output" == *"image ss-vol-stored: VOLUME \"$up$SS_SECRET\" must not contain \"..\""* ]]
        [[ "$output" != *ss-host-secret* ]]
        "$BERTH" rmi ss-vol-stored
}

@test "item 2: a VOLUME under an image symlink to a host dir copies nothing from the host" {
        ss_secret_dir
        ss_rootfs_tar "$BATS_TEST_TMPDIR/r.tar" symlink x "$SS_SECRET" symlink y "/../../../../../../../..$SS_SECRET/sub2"
        "$BERTH" import --change 'VOLUME /x/sub /y' "$BATS_TEST_TMPDIR/r.tar" ss-vol-link
        run "$BERTH" run --rm --network none ss-vol-link sh -c 'cat /x/sub/key /y/key; ls -R /x/sub/ /y/; echo done'
        echo "$output"
        [[ "$output" == *done* ]] || [ "$status" -eq 125 ]
        [[ "$output" != *ss-host-secret* ]]
        [[ "$output" != *$'\nkey'* ]]
        # nothing of the host dir in any volume either
        run grep -r ss-host-secret "$BERTH_ROOT/lib/volumes"
        rm -rf "$SS_SECRET"
        echo "$output"
        [ "$status" -eq 1 ]
        "$BERTH" rmi ss-vol-link
}

# item 7
# Crafted `load` archives: ss_load_archive MODE OUT
#   fifo-manifest  a docker-save archive whose manifest.json is a FIFO
#   fifo-layer     a docker-save archive whose layer is a FIFO
#   oci-fanout N   an OCI layout whose index lists a sub-index N times, which
#                  lists another N times, which lists one manifest N times
#   oci-wide N     an OCI layout whose index lists one manifest N times
ss_load_archive() {
        python3 - "$@" <<'PY'
import hashlib, io, json, sys, tarfile
mode, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
def tarbytes(members):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        for name, data in members:
            i = tarfile.TarInfo(name)
            if data is None:
                i.type = tarfile.FIFOTYPE
                t.addfile(i)
            else:
                i.size = len(data)
                t.addfile(i, io.BytesIO(data))
    return b.getvalue()
layer = tarbytes([("hello.txt", b"hello\n")])
lh = hashlib.sha256(layer).hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["true"]},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + lh]}}).encode()
ch = hashlib.sha256(config).hexdigest()
members = []
if mode.startswith("fifo"):
    manifest = json.dumps([{"Config": "config.json", "RepoTags": ["ss-load:1"],
                            "Layers": ["layer.tar"]}]).encode()
    members = [("config.json", config),
               ("manifest.json", None if mode == "fifo-manifest" else manifest),
               ("layer.tar", None if mode == "fifo-layer" else layer)]
else:
    blobs = {lh: layer, ch: config}
    def desc(mt, data):
        h = hashlib.sha256(data).hexdigest()
        blobs[h] = data
        return {"mediaType": mt, "digest": "sha256:" + h, "size": len(data)}
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": "sha256:" + ch, "size": len(config)},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                "digest": "sha256:" + lh, "size": len(layer)}]}).encode()
    top = desc("application/vnd.oci.image.manifest.v1+json", m)
    top["annotations"] = {"io.containerd.image.name": "docker.io/library/ss-load:oci"}
    levels = 2 if mode == "oci-fanout" else 0
    for _ in range(levels):
        idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                          "manifests": [top] * n}).encode()
        top = desc("application/vnd.oci.image.index.v1+json", idx)
    index = json.dumps({"schemaVersion": 2, "manifests": [top] * n}).encode()
    members = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)]
    members += [("blobs/sha256/" + h, d) for h, d in blobs.items()]
open(out, "wb").write(tarbytes(members))
PY
}

@test "item 7: load refuses a FIFO as manifest.json or as a layer, without blocking" {
        for mode in fifo-manifest fifo-layer; do
                ss_load_archive $mode "$BATS_TEST_TMPDIR/$mode.tar"
                run timeout 20 "$BERTH" load -i "$BATS_TEST_TMPDIR/$mode.tar"
                echo "$mode: $status $output"
                [ "$status" -ne 0 ]
                [ "$status" -ne 124 ]
                [[ "$output" == *"is not a regular file"* ]]
        done
        # the store lock was released: other image commands go on
        run timeout 20 "$BERTH" images
        [ "$status" -eq 0 ]
        run "$BERTH" image inspect ss-load:1
        [ "$status" -ne 0 ]
}

@test "item 7: an OCI index listing the same child over and over loads it once, in seconds" {
        ss_load_archive oci-fanout "$BATS_TEST_TMPDIR/fan.tar" 60
        run timeout 20 "$BERTH" load -i "$BATS_TEST_TMPDIR/fan.tar"
        echo "$status $output"
        [ "$status" -eq 0 ]
        [ "$output" = "Loaded image: ss-load:oci" ]
        "$BERTH" image inspect ss-load:oci >/dev/null
        # an index past the descriptor budget is refused, quickly
        ss_load_archive oci-wide "$BATS_TEST_TMPDIR/wide.tar" 5000
        run timeout 20 "$BERTH" load -i "$BATS_TEST_TMPDIR/wide.tar"
        echo "$status $output"
        [ "$status" -ne 0 ]
        [ "$status" -ne 124 ]
        [[ "$output" == *"more than 4096 manifests"* ]]
        "$BERTH" rmi ss-load:oci
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
        output_has "Operation not permitted" rc=1 $'Seccomp:\t2'
        # errnoRet; a rule whose includes.caps the container lacks does not
        # apply; args compare (chmod 0777 refused, 0755 not)
        run "$BERTH" run --rm --network none --security-opt seccomp:"$d/enospc.json" busybox \
                sh -c 'mkdir /x; echo rc=$?; rmdir /tmp && echo rmdir-ok; touch /f; chmod 777 /f; chmod 755 /f && echo chmod-ok'
        echo "$output"
        output_has "No space left on device" rc=1 rmdir-ok "Permission denied" chmod-ok
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
        # too big for the kernel (BPF_MAXINSNS): refused now, not at start
        local i sep=""
        { printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ['
          for i in $(seq 1 1600); do
                printf '%s{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": %d, "args": [{"index": 0, "value": %d, "op": "SCMP_CMP_EQ"}]}' "$sep" "$i" "$i"
                sep=,
          done
          printf ']}\n'; } >"$d/big.json"
        run "$BERTH" create --name sc-bad --network none --security-opt seccomp="$d/big.json" busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"big.json: seccomp profile: compiles to "*" BPF instructions; the kernel takes at most 4096"* ]]
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
        berth_project_gone sc12b
        run "$BERTH" compose -f "$d/compose.yaml" -p sc12b run --rm b true
        [ "$status" -ne 0 ]
        [[ "$output" == *"service b: security option apparmor=foo: berth has no AppArmor support"* ]]
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

@test "item 12: no-new-privileges=false is honoured under the default and a custom seccomp filter" {
        local d=$BATS_TEST_TMPDIR
        sc_profile "$d/p.json" '{"defaultAction": "SCMP_ACT_ALLOW"}'
        run "$BERTH" run --rm --network none --security-opt no-new-privileges=false busybox \
                grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
        [[ "$output" == *$'NoNewPrivs:\t0'* ]]
        [[ "$output" == *$'Seccomp:\t2'* ]]
        run "$BERTH" run --rm --network none --security-opt no-new-privileges=false \
                --security-opt seccomp="$d/p.json" busybox grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status
        [[ "$output" == *$'NoNewPrivs:\t0'* ]]
        [[ "$output" == *$'Seccomp:\t2'* ]]
}

@test "item 12: an allow-list profile (defaultAction ERRNO, defaultErrnoRet, archMap, includes/excludes)" {
        local d=$BATS_TEST_TMPDIR
        local names='"read","write","open","openat","close","stat","fstat","lstat","newfstatat","statx",
                "poll","lseek","mmap","mprotect","munmap","brk","rt_sigaction","rt_sigprocmask",
                "rt_sigreturn","ioctl","pread64","pwrite64","readv","writev","access","faccessat",
                "faccessat2","pipe","pipe2","select","pselect6","sched_yield","mremap","madvise","dup",
                "dup2","dup3","nanosleep","clock_nanosleep","getpid","getppid","getuid","geteuid",
                "getgid","getegid","gettid","clone","fork","vfork","execve","execveat","exit",
                "exit_group","wait4","kill","uname","fcntl","flock","fsync","getdents","getdents64",
                "getcwd","chdir","fchdir","rename","renameat","renameat2","rmdir","unlink","unlinkat",
                "readlink","readlinkat","umask","gettimeofday","clock_gettime","getrlimit","prlimit64",
                "getrusage","sysinfo","times","setpgid","getpgrp","getpgid","setsid","getsid",
                "arch_prctl","prctl","set_tid_address","set_robust_list","futex","tgkill",
                "rt_sigsuspend","sigaltstack","getrandom","rseq"'
        sc_profile "$d/allow.json" '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
                "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                            {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
                "syscalls": [{"names": ['"$names"'], "action": "SCMP_ACT_ALLOW"},
                             {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64", "arm64"]}},
                             {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}'
        run "$BERTH" run --rm --network none --security-opt seccomp="$d/allow.json" busybox \
                sh -c 'ls / >/dev/null && echo ls-ok; mkdir /x; nc -l -p 1; echo done'
        echo "$output"
        output_has ls-ok "mkdir: can't create directory '/x': Function not implemented" \
                "socket: Function not implemented" done
        run "$BERTH" run --rm --network none --cap-add SYS_ADMIN --security-opt seccomp="$d/allow.json" \
                busybox sh -c 'mkdir /x && echo mkdir-ok'
        [[ "$output" == *"mkdir-ok"* ]]
}

# item 13 tmpfs
# Docker's tmpfs: nosuid, nodev and noexec unless asked otherwise, and its
# option syntax for --tmpfs, --mount type=tmpfs and compose.

@test "item 13: tmpfs mounts are noexec,nosuid,nodev by default and take docker's options" {
        run "$BERTH" run --rm --network none --tmpfs /x:rw,noexec,nosuid,size=64m --tmpfs /y \
                --tmpfs /z:exec,mode=1777,uid=1000,gid=1000,nr_inodes=100 \
                --mount type=tmpfs,target=/m,tmpfs-size=1m,tmpfs-mode=0700 busybox sh -c '
                grep -E " /(x|y|z|m) " /proc/mounts | sort; stat -c "%a %u %g" /z /m
                cp /bin/busybox /y/sh; /y/sh -c "echo y-exec" 2>/dev/null
                cp /bin/busybox /z/sh; /z/sh -c "echo z-exec"'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "tmpfs /m tmpfs rw,nosuid,nodev,noexec,"*"size=1024k,mode=700 "* ]]
        [[ "${lines[1]}" == "tmpfs /x tmpfs rw,nosuid,nodev,noexec,"*"size=65536k "* ]]
        [[ "${lines[2]}" == "tmpfs /y tmpfs rw,nosuid,nodev,noexec,"* ]]
        [[ "${lines[3]}" == "tmpfs /z tmpfs rw,nosuid,nodev,relatime,nr_inodes=100,uid=1000,gid=1000 "* ]]
        [ "${lines[4]}" = "1777 1000 1000" ]
        [ "${lines[5]}" = "700 0 0" ]
        [[ "$output" != *y-exec* ]]
        [[ "$output" == *z-exec* ]]
        run "$BERTH" run --rm --network none --tmpfs /x:rw,bogus busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *'invalid tmpfs option "bogus"'* ]]
}

@test "item 13: compose tmpfs (short and long syntax) takes docker's options" {
        d=$(mktemp -d "$BATS_FILE_TMPDIR/srtmpfs.XXXXXX")
        cat >"$d/compose.yaml" <<'Y'
services:
  app:
    image: busybox
    network_mode: none
    tmpfs:
      - /s:size=1m,mode=1770
      - /e:exec
    volumes:
      - type: tmpfs
        target: /l
        tmpfs:
          size: 2m
          mode: 0750
Y
        run "$BERTH" compose -f "$d/compose.yaml" -p srtmpfs run --rm app sh -c 'grep -E " /(s|e|l) " /proc/mounts | sort'
        "$BERTH" compose -f "$d/compose.yaml" -p srtmpfs down >/dev/null 2>&1 || true
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "tmpfs /e tmpfs rw,nosuid,nodev,relatime "* ]]
        [[ "${lines[1]}" == "tmpfs /l tmpfs rw,nosuid,nodev,noexec,"*"size=2048k,mode=750 "* ]]
        [[ "${lines[2]}" == "tmpfs /s tmpfs rw,nosuid,nodev,noexec,"*"size=1024k,mode=1770 "* ]]
}

# item 6
@test "item 6: state dirs are 0700 on every start, even made 0755 before; volumes and records.json closed to others" {
        local root
        root=$(mktemp -d /tmp/ss-root6.XXXXXX)
        mkdir -p "$root"/lib/{containers,volumes,image,networks} "$root"/run/{containers,dns}
        chmod -R 0755 "$root"
        (
                export BERTH_ROOT=$root
                BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" >/dev/null
                "$BERTH" volume create ss-v6 >/dev/null
                "$BERTH" network create --subnet 10.251.6.0/24 ss-net6 >/dev/null
                "$BERTH" run -d --name ss-c6 --network ss-net6 -v ss-v6:/data busybox sh -c 'echo secret6 >/data/f; sleep 60' >/dev/null
                for d in lib run lib/containers lib/volumes lib/image lib/networks run/containers run/dns lib/volumes/ss-v6; do
                        echo "$d $(stat -c %a "$root/$d")"
                done
                echo "records $(stat -c %a "$root/run/dns/records.json")"
                id=$("$BERTH" inspect -f '{{.Id}}' ss-c6 2>/dev/null || "$BERTH" ps -aq --no-trunc)
                echo "config $(stat -c %a "$root/lib/containers/$id/config.json")"
                # a local user reaches neither the volume data nor the records
                setpriv --reuid=65534 --regid=65534 --clear-groups cat "$root/lib/volumes/ss-v6/_data/f" "$root/run/dns/records.json" 2>&1 | grep -c -e secret6 -e ss-c6
                "$BERTH" rm -f -v ss-c6 >/dev/null
                "$BERTH" volume rm ss-v6 >/dev/null
                "$BERTH" network rm ss-net6 >/dev/null
        ) >"$BATS_TEST_TMPDIR/out" 2>&1 || true
        rm -rf "$root"
        cat "$BATS_TEST_TMPDIR/out"
        for d in lib run lib/containers lib/volumes lib/image lib/networks run/containers run/dns lib/volumes/ss-v6; do
                grep -qx "$d 700" "$BATS_TEST_TMPDIR/out"
        done
        grep -qx "records 600" "$BATS_TEST_TMPDIR/out"
        grep -qx "config 600" "$BATS_TEST_TMPDIR/out"
        grep -qx "0" "$BATS_TEST_TMPDIR/out"
}

# item 8
ss_ctr_id() { "$BERTH" inspect "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["Id"])'; }

@test "item 8: a FIFO as /etc/passwd does not freeze the monitor at a healthcheck; stop completes" {
        "$BERTH" run -d --name ss-hc8 --network none --health-cmd true --health-interval 1s busybox \
                sh -c 'rm /etc/passwd /etc/group; mkfifo /etc/passwd /etc/group; touch /ready; exec sleep 600'
        health=""
        for _ in $(seq 100); do
                health=$("$BERTH" inspect ss-hc8 | python3 -c 'import json, sys; print(((json.load(sys.stdin)[0]["State"].get("Health") or {}).get("Status")))')
                [ "$health" = healthy ] && "$BERTH" exec ss-hc8 test -p /etc/passwd && break
                sleep 0.2
        done
        # a few more probes run against the FIFO
        sleep 2.5
        run timeout 20 "$BERTH" stop -t 2 ss-hc8
        echo "health=$health stop: $status $output"
        [ "$status" -eq 0 ]
        [ "$health" = healthy ]
        run timeout 10 "$BERTH" rm ss-hc8
        [ "$status" -eq 0 ]
}

@test "item 8: a container that stops every new process (kill -STOP -1) does not hold the monitor" {
        "$BERTH" run -d --name ss-stop8 --network none --health-cmd true --health-interval 1s busybox \
                sh -c 'while :; do kill -STOP -1 2>/dev/null; done'
        n=0
        for _ in $(seq 100); do
                n=$("$BERTH" inspect ss-stop8 | python3 -c 'import json, sys; print(len((json.load(sys.stdin)[0]["State"].get("Health") or {}).get("Log") or []))')
                [ "$n" -ge 2 ] && break
                sleep 0.2
        done
        run timeout 30 "$BERTH" stop -t 1 ss-stop8
        echo "probes=$n stop: $status $output"
        [ "$status" -eq 0 ]
        [ "$n" -ge 2 ]
        "$BERTH" rm ss-stop8
}

@test "item 8: a stalled attach client and a silent client do not freeze the monitor; logs and stop work" {
        "$BERTH" run -d --name ss-at8 --network none busybox \
                sh -c 'while [ ! -e /go ]; do sleep 0.1; done; yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c 20000000; echo; echo last-line; exec sleep 600'
        id=$(ss_ctr_id ss-at8)
        # one client asks to attach and never reads; one connects and never asks
        python3 - "$BERTH_ROOT/run/containers/$id" >/dev/null 2>&1 3>&- <<'PY' &
import os, socket, sys, time
d = os.open(sys.argv[1], os.O_PATH)
stalled = socket.socket(socket.AF_UNIX)
stalled.connect("/proc/self/fd/%d/ctl.sock" % d)
stalled.sendall(b"attach 0 0 0\n")
silent = socket.socket(socket.AF_UNIX)
silent.connect("/proc/self/fd/%d/ctl.sock" % d)
open(sys.argv[1] + "/ss-clients", "w").close()
time.sleep(120)
PY
        client=$!
        for _ in $(seq 100); do [ -e "$BERTH_ROOT/run/containers/$id/ss-clients" ] && break; sleep 0.1; done
        "$BERTH" exec ss-at8 touch /go
        for _ in $(seq 150); do
                timeout 10 "$BERTH" logs --tail 1 ss-at8 2>/dev/null | grep -q last-line && break
                sleep 0.2
        done
        run timeout 10 "$BERTH" logs --tail 1 ss-at8
        logs_status=$status logs_out=$output
        run timeout 20 "$BERTH" stop -t 1 ss-at8
        stop_status=$status
        kill "$client" 2>/dev/null || true
        wait "$client" 2>/dev/null || true
        echo "logs: $logs_status $logs_out; stop: $stop_status $output"
        [ "$logs_status" -eq 0 ]
        [ "$logs_out" = last-line ]
        [ "$stop_status" -eq 0 ]
        run timeout 10 "$BERTH" rm ss-at8
        [ "$status" -eq 0 ]
}

# item 13 (sec-state)
@test "item 13: container names and hostnames are validated; no newline reaches /etc/hosts" {
        run "$BERTH" run --rm --network none --name $'ss-a\nb' busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"Invalid container name (ss-a"*"), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"* ]]
        run "$BERTH" run --rm --network none -h $'ss\n6.6.6.6 evil' busybox cat /etc/hosts
        [ "$status" -eq 125 ]
        [[ "$output" == *'invalid hostname "ss\n6.6.6.6 evil"'* ]]
        [[ "$output" != *$'\n6.6.6.6'* ]]
        run "$BERTH" run --rm --network none -h "$(printf 'a%.0s' $(seq 65))" busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"longer than 64 characters"* ]]
        run "$BERTH" run --rm --network none -h ss-ok.example busybox hostname
        [ "$status" -eq 0 ]
        [ "$output" = ss-ok.example ]
        "$BERTH" create --name ss-ren --network none busybox true >/dev/null
        run "$BERTH" rename ss-ren $'ss-x\ny'
        [ "$status" -ne 0 ]
        [[ "$output" == *"Invalid container name"* ]]
        "$BERTH" rm ss-ren
        mkdir -p "$BATS_TEST_TMPDIR/c"
        printf 'services:\n  web:\n    image: busybox\n    network_mode: none\n    command: ["true"]\n    hostname: "ss\\n6.6.6.6 evil"\n' >"$BATS_TEST_TMPDIR/c/compose.yaml"
        run "$BERTH" compose -f "$BATS_TEST_TMPDIR/c/compose.yaml" -p ss13 up -d
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *'invalid hostname "ss\n6.6.6.6 evil"'* ]]
        printf 'services:\n  web:\n    image: busybox\n    network_mode: none\n    command: ["true"]\n    domainname: "ex ample"\n' >"$BATS_TEST_TMPDIR/c/compose.yaml"
        run "$BERTH" compose -f "$BATS_TEST_TMPDIR/c/compose.yaml" -p ss13 up -d
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *'invalid domainname "ex ample"'* ]]
        "$BERTH" compose -f "$BATS_TEST_TMPDIR/c/compose.yaml" -p ss13 down >/dev/null 2>&1
        run "$BERTH" ps -a --format '{{.Names}}'
        [[ "$output" != *ss13* ]]
}

@test "item 13: save -o writes through no planted symlink and leaves no temp file" {
        d=$BATS_TEST_TMPDIR/save
        mkdir -p "$d"
        echo precious >"$BATS_TEST_TMPDIR/victim"
        # the temp names an older berth used, planted in advance
        ln -s "$BATS_TEST_TMPDIR/victim" "$d/out.tar.berth-tmp"
        ln -s "$BATS_TEST_TMPDIR/victim" "$d/out.tar.tmp"
        run "$BERTH" save -o "$d/out.tar" busybox
        [ "$status" -eq 0 ]
        [ "$(cat "$BATS_TEST_TMPDIR/victim")" = precious ]
        tar -tf "$d/out.tar" | grep -qx manifest.json
        [ -z "$(find "$d" -name '.berth-save-*')" ]
        # an output that is a symlink is replaced, its target untouched
        ln -sf "$BATS_TEST_TMPDIR/victim" "$d/link.tar"
        "$BERTH" save -o "$d/link.tar" busybox
        [ "$(cat "$BATS_TEST_TMPDIR/victim")" = precious ]
        [ -f "$d/link.tar" ]
        [ ! -L "$d/link.tar" ]
}

# ss_build_refuses CTX TEXT: a build of CTX fails (not by the timeout),
# saying TEXT and nothing of the host's secret
ss_build_refuses() {
        run timeout 30 "$BERTH" build -t ss-df-link "$1"
        echo "$output"
        [ "$status" -ne 0 ]
        [ "$status" -ne 124 ]
        [[ "$output" == *"$2"* ]]
        [[ "$output" != *ss-host-secret* ]]
}

@test "item 13: build refuses a Dockerfile or .dockerignore symlinked out of the context, showing nothing of it" {
        ss_secret_dir
        c=$BATS_TEST_TMPDIR/ctx
        mkdir -p "$c"
        ln -s "$SS_SECRET/key" "$c/Dockerfile"
        ss_build_refuses "$c" "Dockerfile is a symlink that leads out of the build context"
        rm "$c/Dockerfile"
        printf 'FROM busybox\n' >"$c/Dockerfile"
        ln -s "$SS_SECRET/key" "$c/.dockerignore"
        ss_build_refuses "$c" ".dockerignore is a symlink that leads out of the build context"
        # a FIFO as the Dockerfile fails at once instead of hanging
        rm "$c/Dockerfile" "$c/.dockerignore"
        mkfifo "$c/Dockerfile"
        run timeout 30 "$BERTH" build -t ss-df-link "$c"
        rm -rf "$SS_SECRET"
        [ "$status" -ne 0 ]
        [ "$status" -ne 124 ]
        [[ "$output" == *"Dockerfile is not a regular file"* ]]
        # a symlink inside the context still works
        rm "$c/Dockerfile"
        printf 'FROM busybox\n' >"$c/real.df"
        ln -s real.df "$c/Dockerfile"
        run "$BERTH" build -q -t ss-df-link "$c"
        [ "$status" -eq 0 ]
        "$BERTH" rmi ss-df-link
}

@test "item 13: rm, volume rm and rmi remove trees deeper than the fd limit" {
        deep='for i in $(seq 200); do mkdir d; cd d; echo x >f; done'
        "$BERTH" run --rm --network none -v ss-deep:/data busybox sh -c "cd /data && $deep"
        "$BERTH" run --name ss-deepc --network none busybox sh -c "cd /tmp && $deep"
        id=$(ss_ctr_id ss-deepc)
        python3 - "$BATS_TEST_TMPDIR/deep.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    p = ""
    for i in range(200):
        p += "d/"
        d = tarfile.TarInfo(p.rstrip("/")); d.type = tarfile.DIRTYPE; d.mode = 0o755
        t.addfile(d)
        f = tarfile.TarInfo(p + "f"); f.size = 2
        t.addfile(f, io.BytesIO(b"x\n"))
PY
        "$BERTH" import "$BATS_TEST_TMPDIR/deep.tar" ss-deepimg >/dev/null
        run bash -c "ulimit -n 64; '$BERTH' rm ss-deepc && '$BERTH' volume rm ss-deep && '$BERTH' rmi ss-deepimg"
        echo "$output"
        [ "$status" -eq 0 ]
        [ ! -e "$BERTH_ROOT/lib/containers/$id" ]
        [ ! -e "$BERTH_ROOT/lib/volumes/ss-deep" ]
        run "$BERTH" image inspect ss-deepimg
        [ "$status" -ne 0 ]
}

@test "item 13: a container with a corrupt config.json shows in ps -a and rm -f removes it, running or not" {
        "$BERTH" create --name ss-corrupt --network none busybox true >/dev/null
        "$BERTH" run -d --name ss-corrupt2 --network none busybox sleep 600 >/dev/null
        id=$(ss_ctr_id ss-corrupt)
        id2=$(ss_ctr_id ss-corrupt2)
        pid=$("$BERTH" inspect ss-corrupt2 | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["State"]["Pid"])')
        printf '{"Id": "%s", garbage' "$id" >"$BERTH_ROOT/lib/containers/$id/config.json"
        printf 'not json at all' >"$BERTH_ROOT/lib/containers/$id2/config.json"
        run "$BERTH" ps -a
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"${id:0:12}"*"Corrupt (unreadable config.json; rm -f removes it)"* ]]
        [[ "$output" == *"${id2:0:12}"*Corrupt* ]]
        run "$BERTH" rm ss-corrupt
        [ "$status" -ne 0 ]
        [[ "$output" == *"corrupt config.json"*"berth rm -f"* ]]
        run "$BERTH" rm -f ss-corrupt
        [ "$status" -eq 0 ]
        run "$BERTH" rm -f "$id2"
        [ "$status" -eq 0 ]
        [ ! -e "$BERTH_ROOT/lib/containers/$id" ]
        [ ! -e "$BERTH_ROOT/lib/containers/$id2" ]
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        ! kill -0 "$pid" 2>/dev/null || false
        run "$BERTH" ps -aq
        [[ "$output" != *"${id:0:12}"* && "$output" != *"${id2:0:12}"* ]]
}
