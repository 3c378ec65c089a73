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
