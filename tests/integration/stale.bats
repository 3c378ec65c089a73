#!/usr/bin/env bats
# Rules follow containers (issue 13): a published port goes away when its
# container ends on its own, with no berth command run after it.  Networks
# lst*, subnets 10.246.64.0/20, host ports 1867x on 127.0.0.1; the address
# tests: networks ranet*, subnets 10.170.0.0/16, host port 17451; network
# rm2net, 10.179.3.0/24; one address rule for every way a container ends:
# containers and projects rla-*, networks rlanet*, subnets 10.185.0.0/16.
bats_require_minimum_version 1.5.0
load common

setup_file() {
        berth_setup_file stale 10.246.72.0/24:24
        "$BERTH" network create --subnet 10.246.64.0/24 lstnet >/dev/null
        "$BERTH" network create --subnet 10.170.1.0/30 ranet1 >/dev/null
        "$BERTH" network create --subnet 10.170.2.0/29 ranet2 >/dev/null
        "$BERTH" network create --subnet 10.185.1.0/30 rlanet1 >/dev/null
        "$BERTH" network create --subnet 10.185.2.0/29 --ip-range 10.185.2.0/30 rlanet2 >/dev/null
}

# the host processes a test made to hold a container's netns
teardown() {
        [ -z "${RLA_HOLD:-}" ] || kill $RLA_HOLD 2>/dev/null || true
}

teardown_file() {
        chattr -i "$BERTH_ROOT/run/dns/records.json" 2>/dev/null || true
        for c in $("$BERTH" ps -aq 2>/dev/null); do "$BERTH" rm -f "$c" >/dev/null 2>&1; done
        "$BERTH" compose -p rla-cd down -t 0 >/dev/null 2>&1 || true
        "$BERTH" network rm lstnet ranet1 ranet2 rm2net rlanet1 rlanet2 >/dev/null 2>&1 || true
        rm -rf "$BERTH_ROOT"
}

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
        ! nft list table ip "$(table)" | grep "dport 18672 " | grep -qv ':8080' || false
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

# --- DNS records and endpoints follow the container too ---------------------

# a container on lstnet that keeps asking berth-dns for $2 and records the
# answer in its /tmp/ans (ok/no), with no berth command run from the host
start_asker() {
        "$BERTH" run -d --name "$1" --network lstnet busybox sh -c "
                while :; do
                        if nslookup $2 >/dev/null 2>&1; then echo ok >/tmp/a; else echo no >/tmp/a; fi
                        mv /tmp/a /tmp/ans
                        sleep 0.1
                done" >/dev/null
}
# the asker's pid, looked up once (no berth command runs while the tests wait)
asker_pid() { "$BERTH" inspect "$1" | jq -r '.[0].State.Pid'; }
answer() { cat "/proc/$1/root/tmp/ans" 2>/dev/null; }
# wait up to 5 s for the asker (pid $1) to see answer $2 (two in a row)
answer_is() {
        local seen=0
        for _ in $(seq 100); do
                if [ "$(answer "$1")" = "$2" ]; then
                        seen=$((seen + 1))
                        [ $seen -ge 2 ] && return 0
                else
                        seen=0
                fi
                sleep 0.05
        done
        echo "asker $1 still answers '$(answer "$1")', not $2"
        return 1
}
# does address $1 answer a ping from the netns of pid $2?
addr_live() { nsenter --net="/proc/$2/ns/net" busybox ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
ctr_ip() { "$BERTH" inspect "$1" | jq -r '.[0].NetworkSettings.Networks.lstnet.IPAddress'; }

@test "a container that exits on its own leaves berth-dns, with no berth command" {
        "$BERTH" run -d --name lst-dx --network lstnet busybox sh -c "$EXIT_ON_GO" >/dev/null
        start_asker lst-ask1 lst-dx
        a=$(asker_pid lst-ask1)
        answer_is "$a" ok
        go lst-dx
        answer_is "$a" no
        [ "$("$BERTH" inspect lst-dx | jq -r '.[0].State.Status')" = exited ]
        "$BERTH" rm -f lst-ask1 lst-dx >/dev/null
}

@test "an OOM-killed container leaves berth-dns and unpublishes its port" {
        "$BERTH" run -d --name lst-oom --network lstnet --memory 16m --memory-swap 16m \
                -p 127.0.0.1:18675:80 busybox \
                sh -c "$EXIT_ON_GO; dd if=/dev/zero of=/dev/null bs=64M count=1" >/dev/null
        start_asker lst-ask2 lst-oom
        a=$(asker_pid lst-ask2)
        answer_is "$a" ok
        has_rule 18675
        go lst-oom
        answer_is "$a" no
        rule_gone 18675
        [ "$("$BERTH" inspect lst-oom | jq -r '.[0].State.OOMKilled')" = true ]
        "$BERTH" rm -f lst-ask2 lst-oom >/dev/null
}

@test "a container killed from the host (SIGKILL of its process) leaves berth-dns" {
        "$BERTH" run -d --name lst-dk --network lstnet busybox sleep 300 >/dev/null
        start_asker lst-ask3 lst-dk
        a=$(asker_pid lst-ask3)
        answer_is "$a" ok
        ip=$(ctr_ip lst-dk)
        addr_live "$ip" "$a"
        kill -9 "$("$BERTH" inspect lst-dk | jq -r '.[0].State.Pid')"
        answer_is "$a" no
        # its address left the kernel with it; freed, it is not the next one
        # handed out either (the allocator starts after the last one given)
        ! addr_live "$ip" "$a" || false
        "$BERTH" run -d --name lst-dk2 --network lstnet busybox sleep 300 >/dev/null
        [ "$(ctr_ip lst-dk2)" != "$ip" ]
        "$BERTH" rm -f lst-ask3 lst-dk lst-dk2 >/dev/null
}

@test "a restart policy brings the name back after each exit" {
        # the first run exits once told to; the restarted one stays
        "$BERTH" run -d --name lst-drs --restart always --network lstnet busybox \
                sh -c "[ -e /tmp/go ] && exec sleep 300; $EXIT_ON_GO" >/dev/null
        start_asker lst-ask4 lst-drs
        a=$(asker_pid lst-ask4)
        answer_is "$a" ok
        pid=$("$BERTH" inspect lst-drs | jq -r '.[0].State.Pid')
        go lst-drs
        # restarted (a new init), and the name resolves again
        for _ in $(seq 100); do
                p=$("$BERTH" inspect lst-drs | jq -r '.[0].State.Pid')
                [ "$p" != 0 ] && [ "$p" != "$pid" ] && break
                sleep 0.05
        done
        [ "$p" != "$pid" ]
        [ "$p" != 0 ]
        answer_is "$a" ok
        [ "$("$BERTH" inspect lst-drs | jq -r '.[0].RestartCount')" -ge 1 ]
        "$BERTH" rm -f lst-ask4 lst-drs >/dev/null
}

# --- addresses: a stopped container's address is freed (docker) -------------
# ranet1 is a /30: exactly one container address, 10.170.1.2.

ra_ip() { "$BERTH" inspect "$1" | jq -r ".[0].NetworkSettings.Networks.$2.IPAddress"; }
# the endpoints berth-dns serves for address $1
dns_has() { jq -e --arg ip "$1" '[.networks[].endpoints[] | select(.ipv4 == $ip)] | length > 0' \
        "$BERTH_ROOT/run/dns/records.json" >/dev/null; }
# wait up to 10 s (the watcher's own wait for a dying namespace's veth) for
# network $1 to have no endpoint, not even a stopped container's kept one
# (which network inspect does not list)
net_empty() {
        local f
        f=$BERTH_ROOT/run/networks/$("$BERTH" network inspect -f '{{.Id}}' "$1").json
        for _ in $(seq 200); do
                [ "$("$BERTH" network inspect "$1" | jq '.[0].Containers | length')" = 0 ] &&
                        { [ ! -e "$f" ] || [ "$(jq '.Containers | length' "$f")" = 0 ]; } && return 0
                sleep 0.05
        done
        "$BERTH" network inspect "$1" | jq -c '.[0].Containers'
        cat "$f"
        return 1
}

@test "a stopped container's address goes to the next container once its name and rule are gone" {
        "$BERTH" run -d --name ra-one --network ranet1 -p 127.0.0.1:17451:80 busybox sleep 300 >/dev/null
        [ "$(ra_ip ra-one ranet1)" = 10.170.1.2 ]
        dns_has 10.170.1.2
        has_rule 17451
        # while it runs, its address is nobody else's
        run "$BERTH" run -d --name ra-two --network ranet1 busybox sleep 300
        [ "$status" -ne 0 ]
        [[ "$output" == *"no available IPv4 address in 10.170.1.0/30"* ]]
        "$BERTH" stop -t 0 ra-one >/dev/null
        # stopped: no name, no rule, no interface, no endpoint points at it
        ! dns_has 10.170.1.2 || false
        ! has_rule 17451 || false
        [ -z "$(ip -o -4 addr show | grep -F 10.170.1.2/)" ]
        [ "$("$BERTH" network inspect ranet1 | jq '.[0].Containers | length')" = 0 ]
        [ -z "$(ra_ip ra-one ranet1)" ]
        # so the next container gets it
        "$BERTH" start ra-two >/dev/null
        [ "$(ra_ip ra-two ranet1)" = 10.170.1.2 ]
        # and the first cannot start while it is taken, with docker's reason
        run "$BERTH" start ra-one
        [ "$status" -ne 0 ]
        [[ "$output" == *"no available IPv4 address in 10.170.1.0/30"* ]]
        ! has_rule 17451 || false
        # it starts again, with its rule, once the address is free
        "$BERTH" rm -f ra-two >/dev/null
        "$BERTH" start ra-one >/dev/null
        [ "$(ra_ip ra-one ranet1)" = 10.170.1.2 ]
        has_rule 17451
        dns_has 10.170.1.2
        "$BERTH" rm -f ra-one >/dev/null
}

@test "an address whose DNS name cannot be dropped is not freed; the next command frees it" {
        local f=$BERTH_ROOT/run/dns/records.json
        "$BERTH" run -d --name ra-d --network ranet1 -p 127.0.0.1:17451:80 busybox sleep 300 >/dev/null
        # the records cannot be replaced (an immutable file: rename fails)
        chattr +i "$f" 2>/dev/null || skip "chattr +i does not work on $f"
        run "$BERTH" stop -t 0 ra-d
        [ "$status" -ne 0 ]
        [[ $output == *"DNS records of container "*": rename into $f: Operation not permitted"* ]]
        # its rule goes, but its name still points at its address, so the
        # address stays its own: no other container gets it
        ! has_rule 17451 || false
        dns_has 10.170.1.2
        [ "$("$BERTH" network inspect ranet1 | jq '.[0].Containers | length')" = 1 ]
        run "$BERTH" run -d --name ra-e --network ranet1 busybox sleep 300
        [ "$status" -ne 0 ]
        [[ $output == *"DNS records of 1 stopped container(s): rename into $f"* ]]
        dns_has 10.170.1.2
        # the records can be written again: the next command drops the
        # name, then frees the address, and the new container gets it
        chattr -i "$f"
        "$BERTH" run -d --name ra-e --network ranet1 busybox sleep 300 >/dev/null
        [ "$(ra_ip ra-e ranet1)" = 10.170.1.2 ]
        ! jq -e '[.networks[].endpoints[].names[]] | index("ra-d")' "$f" >/dev/null || false
        "$BERTH" rm -f ra-d ra-e >/dev/null
        net_empty ranet1
}

@test "a container that exits on its own frees its address with no berth command" {
        "$BERTH" run -d --name ra-x --network ranet1 busybox sh -c "$EXIT_ON_GO" >/dev/null
        [ "$(ra_ip ra-x ranet1)" = 10.170.1.2 ]
        go ra-x
        net_empty ranet1
        ! dns_has 10.170.1.2 || false
        # its state stops naming it (as docker's inspect of a stopped container)
        for _ in $(seq 60); do [ -z "$(ra_ip ra-x ranet1)" ] && break; sleep 0.05; done
        [ -z "$(ra_ip ra-x ranet1)" ]
        "$BERTH" run -d --name ra-y --network ranet1 busybox sleep 300 >/dev/null
        [ "$(ra_ip ra-y ranet1)" = 10.170.1.2 ]
        "$BERTH" rm -f ra-x ra-y >/dev/null
}

@test "a static address (--ip) stays reserved for its stopped container" {
        # it exits once told to; started again, it stays
        "$BERTH" run -d --name ra-s --network ranet1 --ip 10.170.1.2 busybox \
                sh -c "[ -e /tmp/go ] && exec sleep 300; $EXIT_ON_GO" >/dev/null
        go ra-s
        # wait for the exit to be handled, then stop it for good measure
        for _ in $(seq 60); do
                [ "$("$BERTH" inspect ra-s | jq -r '.[0].State.Status')" = exited ] && break
                sleep 0.05
        done
        "$BERTH" stop ra-s >/dev/null
        ! dns_has 10.170.1.2 || false
        run "$BERTH" run -d --name ra-t --network ranet1 busybox sleep 300
        [ "$status" -ne 0 ]
        [[ "$output" == *"no available IPv4 address in 10.170.1.0/30"* ]]
        "$BERTH" start ra-s >/dev/null
        [ "$(ra_ip ra-s ranet1)" = 10.170.1.2 ]
        "$BERTH" exec ra-s ip -o -4 addr show eth0 | grep -q ' 10.170.1.2/30 '
        "$BERTH" rm -f ra-s ra-t >/dev/null
        net_empty ranet1
}

# processes whose command line names container id $1 (its monitor, its
# watcher, the CLI the watcher runs)
procs_naming() { grep -ls -- "$1" /proc/[0-9]*/cmdline 2>/dev/null; }

@test "an address released once the container's watcher has gone (rm of a stopped static container whose namespace outlives it) is freed when its veth goes, with no berth command" {
        local f cid hif
        f=$(rla_file ranet1)
        cid=$("$BERTH" run -d --name ra-late --network ranet1 --ip 10.170.1.2 busybox sleep 300)
        hif=$(rla_hif "$f" "$cid")
        [ -n "$hif" ]
        rla_hold ra-late
        "$BERTH" stop -t 0 ra-late >/dev/null
        # its monitor and its watcher are gone, their work done: the address
        # stays reserved for the stopped container (static), nothing waits
        for _ in $(seq 200); do [ -z "$(procs_naming "$cid")" ] && break; sleep 0.05; done
        [ -z "$(procs_naming "$cid")" ]
        # removed while the held namespace keeps its veth: the address stays
        # taken ("Releasing") ...
        "$BERTH" rm ra-late >/dev/null
        rla_releasing "$f" "$cid"
        ip -o link show "$hif" >/dev/null
        # ... until the veth goes, then it is free with no berth command run
        kill $RLA_HOLD
        RLA_HOLD=
        net_empty ranet1
}

# network $1's endpoints as network inspect lists them (names, sorted)
rm2_eps() { "$BERTH" network inspect "$1" | jq -r '[.[0].Containers[].Name] | sort | join(" ")'; }

@test "stopped containers with a static address: network inspect omits them, network rm goes, their next start says the network is gone" {
        local br
        "$BERTH" network create --subnet 10.179.3.0/24 rm2net >/dev/null
        br=$("$BERTH" network inspect -f '{{.Id}}' rm2net | cut -c1-12)
        "$BERTH" run -d --name rm2-run --network rm2net busybox sleep 300 >/dev/null
        # one exits on its own (no berth command), one is stopped
        "$BERTH" run -d --name rm2-own --network rm2net --ip 10.179.3.9 busybox sh -c "$EXIT_ON_GO" >/dev/null
        "$BERTH" run -d --name rm2-stop --network rm2net --ip 10.179.3.10 busybox sleep 300 >/dev/null
        [ "$(rm2_eps rm2net)" = "rm2-own rm2-run rm2-stop" ]
        go rm2-own
        "$BERTH" stop -t 0 rm2-stop >/dev/null
        # docker's network inspect: only the running container
        for _ in $(seq 60); do [ "$(rm2_eps rm2net)" = rm2-run ] && break; sleep 0.05; done
        [ "$(rm2_eps rm2net)" = rm2-run ]
        # their addresses stay theirs
        run "$BERTH" run -d --name rm2-take --network rm2net --ip 10.179.3.9 busybox sleep 300
        [ "$status" -eq 125 ]
        [[ $output == *"address 10.179.3.9 is already in use on 10.179.3.0/24"* ]]
        # a running container keeps the network; stopped ones do not
        run "$BERTH" network rm rm2net
        [ "$status" -ne 0 ]
        [[ $output == *"network rm2net has active endpoints (rm2-run)"* ]]
        "$BERTH" rm -f rm2-run >/dev/null
        "$BERTH" network rm rm2net >/dev/null
        ! ip link show "br-$br" >/dev/null 2>&1 || false
        [ ! -e "$BERTH_ROOT/run/networks/$br"*.json ]
        # their next start: docker's error, nothing runs, and rm works
        for c in rm2-own rm2-stop; do
                run "$BERTH" start "$c"
                [ "$status" -eq 1 ]
                [[ $output == "berth: network rm2net not found"* ]]
                run "$BERTH" inspect "$c"
                [ "$(echo "$output" | jq -r '.[0].State.Status')" = exited ]
                [ "$(echo "$output" | jq -r '.[0].State.Pid')" = 0 ]
        done
        "$BERTH" rm rm2-own rm2-stop >/dev/null
}

@test "a restarted container gets a fresh address and its name follows it" {
        "$BERTH" run -d --name ra-n --network ranet2 busybox sh -c 'echo hi >/www; exec httpd -f -p 80 -h /' >/dev/null
        old=$(ra_ip ra-n ranet2)
        # an asker that keeps resolving ra-n and fetching /www from the answer
        "$BERTH" run -d --name ra-ask --network ranet2 busybox sh -c '
                while :; do
                        a=$(nslookup ra-n 2>/dev/null | awk "/^Name:/ {n=1} n && /^Address/ {print \$NF; exit}")
                        if [ -n "$a" ] && [ "$(printf "GET /www HTTP/1.0\r\n\r\n" | nc -w 1 $a 80 | tail -n 1)" = hi ]; then
                                echo "$a" >/tmp/a
                        else
                                echo "no $a" >/tmp/a
                        fi
                        mv /tmp/a /tmp/ans; sleep 0.1
                done' >/dev/null
        a=$(asker_pid ra-ask)
        answer_is "$a" "$old"
        "$BERTH" stop -t 0 ra-n >/dev/null
        answer_is "$a" "no "
        # someone else takes the old address meanwhile
        "$BERTH" run -d --name ra-m --network ranet2 --ip "$old" busybox sleep 300 >/dev/null
        "$BERTH" start ra-n >/dev/null
        new=$(ra_ip ra-n ranet2)
        [ -n "$new" ]
        [ "$new" != "$old" ]
        answer_is "$a" "$new"
        # its own hosts file names its new address
        "$BERTH" exec ra-n grep -q "^$new" /etc/hosts
        "$BERTH" rm -f ra-ask ra-n ra-m >/dev/null
        net_empty ranet2
}

@test "run --rm back to back on a /30: each gets its one address, freed once the last one's veth is gone" {
        local f
        f=$BERTH_ROOT/run/networks/$("$BERTH" network inspect -f '{{.Id}}' ranet1).json
        for _ in 1 2 3 4; do
                run "$BERTH" run --rm --network ranet1 busybox ip -o -4 addr show eth0
                [ "$status" -eq 0 ]
                [[ "$output" == *" 10.170.1.2/30 "* ]]
                # gone for everyone at once; its address is freed once its
                # veth is (no command needed: net_empty below)
                [ "$("$BERTH" network inspect ranet1 | jq '.[0].Containers | length')" = 0 ]
                ! dns_has 10.170.1.2
                # until then it is still taken, and only by its own veth
                jq -e '[.Containers[] | select(.Releasing)] | length <= 1' "$f" >/dev/null
        done
        net_empty ranet1
        [ -z "$(ip -o -4 addr show | grep -F 10.170.1.2/)" ]
}

# wait up to 5 s for host process $2 to be in the netns of process $1 (a
# loaded machine may run a background nsenter late)
netns_held() {
        local ns
        ns=$(readlink "/proc/$1/ns/net")
        for _ in $(seq 100); do
                [ "$(readlink "/proc/$2/ns/net" 2>/dev/null)" = "$ns" ] && return 0
                sleep 0.05
        done
        echo "process $2 is not in the netns of $1"
        return 1
}

@test "stop: the host veth is down or gone when stop returns, before its address is freed" {
        cid=$("$BERTH" run -d --init --name smon-veth --network lstnet busybox sleep 300)
        hif=$(jq -r --arg c "$cid" '.Containers[$c].HostIfname // empty' "$BERTH_ROOT"/run/networks/*.json)
        [ -n "$hif" ]
        ip -o link show "$hif" | grep -q '[<,]UP[,>]'
        # the namespace outlives the container for a while (here: held by a
        # host process, as a dying namespace holds it for a moment)
        pid=$("$BERTH" inspect smon-veth | jq -r '.[0].State.Pid')
        nsenter --net="/proc/$pid/ns/net" sleep 30 &
        holder=$!
        netns_held "$pid" "$holder"
        "$BERTH" stop smon-veth >/dev/null
        # never up on the bridge once its address is free
        run ip -o link show "$hif"
        kill "$holder"
        wait "$holder" 2>/dev/null || true
        "$BERTH" rm -f smon-veth >/dev/null
        ! echo "$output" | grep -q '[<,]UP[,>]' || false
}

@test "run --rm whose namespace outlives it: its address stays taken while its veth exists; a start that needs it deletes the veth" {
        local f hif pid holder
        f=$BERTH_ROOT/run/networks/$("$BERTH" network inspect -f '{{.Id}}' ranet1).json
        "$BERTH" run --rm --name srun-held --network ranet1 busybox sh -c "$EXIT_ON_GO" >/dev/null &
        local runner=$!
        for _ in $(seq 100); do
                pid=$("$BERTH" inspect srun-held 2>/dev/null | jq -r '.[0].State.Pid // 0')
                [ "${pid:-0}" != 0 ] && break
                sleep 0.05
        done
        [ "${pid:-0}" != 0 ]
        hif=$(jq -r '[.Containers[]][0].HostIfname' "$f")
        # the namespace outlives the container (held by a host process)
        nsenter --net="/proc/$pid/ns/net" sleep 30 &
        holder=$!
        netns_held "$pid" "$holder"
        go srun-held
        wait "$runner"
        # removed: no container, no name, hidden from inspect; but its veth
        # still exists, so its address is still its own
        [ "$("$BERTH" network inspect ranet1 | jq '.[0].Containers | length')" = 0 ]
        ! dns_has 10.170.1.2
        ip -o link show "$hif" >/dev/null
        jq -e '[.Containers[] | select(.Releasing and .IPv4Address == "10.170.1.2/30")] | length == 1' "$f" >/dev/null
        # the next container needs that very address: the veth goes first
        run "$BERTH" run --rm --network ranet1 busybox ip -o -4 addr show eth0
        kill "$holder"
        wait "$holder" 2>/dev/null || true
        [ "$status" -eq 0 ]
        [[ "$output" == *" 10.170.1.2/30 "* ]]
        ! ip -o link show "$hif" 2>/dev/null
        net_empty ranet1
}

# --- one rule for every way a container ends: an address is free for another
# container only once its names, rules and host veth are gone --------------
# rlanet1 is a /30 (one address, 10.185.1.2); rlanet2 a /29 whose --ip-range
# gives containers 10.185.2.2 and 10.185.2.3 only.

rla_file() { echo "$BERTH_ROOT/run/networks/$("$BERTH" network inspect -f '{{.Id}}' "$1").json"; }
rla_bridge() { echo "br-$("$BERTH" network inspect -f '{{.Id}}' "$1" | cut -c1-12)"; }
# the host end of container id $2's veth on network file $1
rla_hif() { jq -r --arg c "$2" '.Containers[$c].HostIfname // empty' "$1"; }
# hold the netns of container $1 with a host process (as a dying namespace
# holds its veth pair for a moment, only for longer): RLA_HOLD gets its pid,
# once it is in that netns (a loaded machine may run it late)
rla_hold() {
        local pid
        pid=$("$BERTH" inspect "$1" | jq -r '.[0].State.Pid')
        [ "$pid" -gt 0 ]
        nsenter --net="/proc/$pid/ns/net" sleep 60 3>&- &
        RLA_HOLD="${RLA_HOLD:-} $!"
        netns_held "$pid" "$!"
}
# wait up to 3 s for container id $2's endpoint in network file $1 to be an
# ended one's: not listed, its address still taken
rla_releasing() {
        for _ in $(seq 60); do
                jq -e --arg c "$2" '.Containers[$c].Releasing == true' "$1" >/dev/null && return 0
                sleep 0.05
        done
        echo "endpoint of $2 is not releasing:"
        cat "$1"
        return 1
}

@test "every way a container ends (stop, kill, own exit, OOM kill, rm -f, killed monitor, compose down): its address stays taken while its host veth exists; a start that needs it deletes the veth" {
        local f br way cid hif
        f=$(rla_file rlanet1)
        br=$(rla_bridge rlanet1)
        mkdir -p "$BERTH_ROOT/rla-cd"
        cat >"$BERTH_ROOT/rla-cd/compose.yaml" <<-EOF
	services:
	  s:
	    image: busybox
	    command: sleep 300
	    networks: [rlanet1]
	networks:
	  rlanet1:
	    external: true
	EOF
        for way in stop kill exit oom rm-f monitor compose-down; do
                RLA_HOLD=
                echo "way: $way"
                if [ $way = compose-down ]; then
                        "$BERTH" compose -p rla-cd -f "$BERTH_ROOT/rla-cd/compose.yaml" up -d >/dev/null 2>&1
                        cid=$("$BERTH" compose -p rla-cd -f "$BERTH_ROOT/rla-cd/compose.yaml" ps -q | head -1)
                        cid=$("$BERTH" inspect -f '{{.Id}}' "$cid")
                elif [ $way = oom ]; then
                        cid=$("$BERTH" run -d --name rla-oom --network rlanet1 --memory 16m \
                                --memory-swap 16m busybox \
                                sh -c "$EXIT_ON_GO; dd if=/dev/zero of=/dev/null bs=64M count=1")
                else
                        cid=$("$BERTH" run -d --name rla-$way --network rlanet1 busybox sh -c "$EXIT_ON_GO")
                fi
                [ "$(jq -r --arg c "$cid" '.Containers[$c].IPv4Address' "$f")" = 10.185.1.2/30 ]
                hif=$(rla_hif "$f" "$cid")
                [ -n "$hif" ]
                rla_hold "$cid"
                case $way in
                stop) "$BERTH" stop -t 0 "$cid" >/dev/null ;;
                kill) "$BERTH" kill "$cid" >/dev/null ;;
                exit | oom) go "$cid" ;;
                rm-f) "$BERTH" rm -f "$cid" >/dev/null ;;
                monitor) kill -9 "$(jq -r .MonitorPid "$BERTH_ROOT/run/containers/$cid/monitor.json")" ;;
                compose-down) "$BERTH" compose -p rla-cd -f "$BERTH_ROOT/rla-cd/compose.yaml" down -t 0 >/dev/null 2>&1 ;;
                esac
                # ended (a way with no berth command: its watcher did it):
                # no name, not listed; but its veth is still on the bridge,
                # so its address is still its own
                rla_releasing "$f" "$cid"
                [ $way != oom ] || [ "$("$BERTH" inspect rla-oom | jq -r '.[0].State.OOMKilled')" = true ]
                [ "$("$BERTH" network inspect rlanet1 | jq '.[0].Containers | length')" = 0 ]
                ! dns_has 10.185.1.2 || false
                ip -o link show master "$br" | grep -q ": $hif@"
                # the next container needs that very address: the veth goes first
                run "$BERTH" run --rm --network rlanet1 busybox ip -o -4 addr show eth0
                [ "$status" -eq 0 ]
                [[ "$output" == *" 10.185.1.2/30 "* ]]
                ! ip link show "$hif" >/dev/null 2>&1 || false
                kill -0 $RLA_HOLD
                kill $RLA_HOLD
                "$BERTH" rm -f "$cid" >/dev/null 2>&1 || true
        done
        net_empty rlanet1
}

@test "an ended container's address is not handed out while its veth exists, unless no other address is free" {
        local f br a b hifa hifb
        f=$(rla_file rlanet2)
        br=$(rla_bridge rlanet2)
        a=$("$BERTH" run -d --name rla-a --network rlanet2 busybox sleep 300)
        b=$("$BERTH" run -d --name rla-b --network rlanet2 busybox sleep 300)
        [ "$(ra_ip rla-a rlanet2)" = 10.185.2.2 ]
        [ "$(ra_ip rla-b rlanet2)" = 10.185.2.3 ]
        hifa=$(rla_hif "$f" "$a")
        hifb=$(rla_hif "$f" "$b")
        rla_hold rla-a
        "$BERTH" stop -t 0 rla-a >/dev/null
        "$BERTH" rm -f rla-b >/dev/null
        # b's veth goes with its namespace: wait for that
        for _ in $(seq 60); do ip link show "$hifb" >/dev/null 2>&1 || break; sleep 0.05; done
        ! ip link show "$hifb" >/dev/null 2>&1 || false
        # the allocator's next address is .2 (it starts after .3, the last
        # given), but a's veth is still on the bridge: the new one gets .3
        "$BERTH" run -d --name rla-c --network rlanet2 busybox sleep 300 >/dev/null
        [ "$(ra_ip rla-c rlanet2)" = 10.185.2.3 ]
        ip -o link show master "$br" | grep -q ": $hifa@"
        # the range is full but for .2: a's veth is deleted, then .2 is given
        "$BERTH" run -d --name rla-d --network rlanet2 busybox sleep 300 >/dev/null
        [ "$(ra_ip rla-d rlanet2)" = 10.185.2.2 ]
        ! ip link show "$hifa" >/dev/null 2>&1 || false
        kill -0 $RLA_HOLD
        # the stopped container starts again once an address is free, with a
        # fresh one
        "$BERTH" rm -f rla-c >/dev/null
        "$BERTH" start rla-a >/dev/null
        [ "$(ra_ip rla-a rlanet2)" = 10.185.2.3 ]
        "$BERTH" rm -f rla-a rla-d >/dev/null
        net_empty rlanet2
}

@test "a container started again while its old veth exists: the old pair goes, and it gets a fresh address" {
        local f cid hif ip1
        f=$(rla_file rlanet2)
        cid=$("$BERTH" run -d --name rla-r --network rlanet2 busybox sleep 300)
        ip1=$(ra_ip rla-r rlanet2)
        hif=$(rla_hif "$f" "$cid")
        rla_hold rla-r
        "$BERTH" stop -t 0 rla-r >/dev/null
        rla_releasing "$f" "$cid"
        "$BERTH" start rla-r >/dev/null
        [ "$("$BERTH" inspect rla-r | jq -r '.[0].State.Status')" = running ]
        [ "$(ra_ip rla-r rlanet2)" != "$ip1" ]
        [ "$(jq -r --arg c "$cid" '.Containers[$c].Releasing // false' "$f")" = false ]
        [ "$("$BERTH" network inspect rlanet2 | jq '.[0].Containers | length')" = 1 ]
        # its host end is the new pair's; the held namespace lost the old one
        ip -o link show "$hif" | grep -q '[<,]UP[,>]'
        ! nsenter --net="/proc/${RLA_HOLD# }/ns/net" ip link show eth0 >/dev/null 2>&1 || false
        "$BERTH" rm -f rla-r >/dev/null
        net_empty rlanet2
}
