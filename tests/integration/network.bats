#!/usr/bin/env bats
# berth network: create/ls/inspect/rm, attach netns to bridges, isolation,
# published ports, and host cleanup.  Subnets 10.231.0.0/16, netns bt1*.
load common

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-nettest.XXXXXX)
        export WWW=$BERTH_ROOT/www
        mkdir -p "$WWW"
        echo hello-from-bt1 >"$WWW/index.html"
}

teardown_file() {
        for p in "$BERTH_ROOT"/*.pid; do
                [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
        done
        for n in $(ip netns list | awk '$1 ~ /^bt1n/ {print $1}'); do ip netns del "$n"; done
        for n in $("$BERTH" network ls -q 2>/dev/null); do
                for c in $("$BERTH" network inspect "$n" | jq -r '.[0].Containers | keys[]'); do
                        "$BERTH" network detach-netns "$n" "$c"
                done
                "$BERTH" network rm "$n" >/dev/null 2>&1
        done
        rm -rf "$BERTH_ROOT"
}


@test "create, ls, inspect and rm a network" {
        run "$BERTH" network create --subnet 10.231.10.0/24 --label team=net bt1net
        [ "$status" -eq 0 ]
        id=$output
        [ ${#id} -eq 64 ]
        run "$BERTH" network ls
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^NETWORK\ ID\ +NAME\ +DRIVER\ +SCOPE$ ]]
        [[ "$output" =~ ${id:0:12}\ +bt1net\ +bridge\ +local ]]
        run "$BERTH" network ls -q
        [ "$output" = "${id:0:12}" ]
        run "$BERTH" network inspect bt1net
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r '.[0].Id')" = "$id" ]
        [ "$(echo "$output" | jq -r '.[0].IPAM.Config[0].Subnet')" = 10.231.10.0/24 ]
        [ "$(echo "$output" | jq -r '.[0].IPAM.Config[0].Gateway')" = 10.231.10.1 ]
        [ "$(echo "$output" | jq -r '.[0].Labels.team')" = net ]
        [ "$(echo "$output" | jq -r '.[0].Internal')" = false ]
        run "$BERTH" network ls --format json
        [ "$(echo "$output" | jq -r .Name)" = bt1net ]
        # the bridge exists with the gateway address
        ip -o addr show dev "br-${id:0:12}" | grep -q 'inet 10.231.10.1/24'
        nft list table ip "$(table)" >/dev/null
        run "$BERTH" network rm bt1net
        [ "$status" -eq 0 ]
        [ "$output" = bt1net ]
        ! ip link show "br-${id:0:12}" 2>/dev/null || false
        ! nft list table ip "$(table)" 2>/dev/null || false
}

@test "errors: duplicate name, overlap, bad subnet, unknown network" {
        "$BERTH" network create --subnet 10.231.11.0/24 bt1dup >/dev/null
        run "$BERTH" network create --subnet 10.231.12.0/24 bt1dup
        [ "$status" -eq 125 ]
        [[ "$output" == *"network with name bt1dup already exists"* ]]
        run "$BERTH" network create --subnet 10.231.11.128/25 bt1over
        [ "$status" -eq 125 ]
        [[ "$output" == *"subnet 10.231.11.128/25 overlaps with network bt1dup (10.231.11.0/24)"* ]]
        run "$BERTH" network create --subnet 10.231.13.1/24 bt1bad
        [[ "$output" == *"it should be 10.231.13.0/24"* ]]
        run "$BERTH" network create --subnet 10.231.13.0/24 --gateway 10.231.14.1 bt1bad
        [[ "$output" == *"not in subnet 10.231.13.0/24"* ]]
        run "$BERTH" network create --subnet 10.231.13.0/24 -o com.docker.network.bridge.name=lo bt1bad
        [[ "$output" == *"bridge lo already exists"* ]]
        run "$BERTH" network rm bt1nosuch
        [ "$status" -ne 0 ]
        [[ "$output" == *"network bt1nosuch not found"* ]]
        run "$BERTH" network inspect bt1nosuch
        [ "$status" -ne 0 ]
        "$BERTH" network rm bt1dup
}

@test "a state root that is gone stays gone: network rm, prune and disconnect, rmi, image and system prune make nothing" {
        # a command run on a deleted root (a test's teardown, a late watcher)
        # reports what is missing and must not make the root again
        gone=$BATS_TEST_TMPDIR/gone-root
        run env BERTH_ROOT="$gone" "$BERTH" network rm rtst-net
        [ "$status" -ne 0 ]
        [[ "$output" == *"network rtst-net not found"* ]]
        run env BERTH_ROOT="$gone" "$BERTH" network prune -f
        [ "$status" -eq 0 ]
        run env BERTH_ROOT="$gone" "$BERTH" network disconnect -f rtst-net rtst-ctr
        [ "$status" -ne 0 ]
        run env BERTH_ROOT="$gone" "$BERTH" rmi rtst-img
        [ "$status" -eq 125 ]
        [[ "$output" == *"No such image: rtst-img"* ]]
        run env BERTH_ROOT="$gone" "$BERTH" image prune -a -f
        [ "$status" -eq 0 ]
        run env BERTH_ROOT="$gone" "$BERTH" system prune -f
        [ "$status" -eq 0 ]
        [ ! -e "$gone" ]
}

@test "network rm: --help and a usage error answer before the clean-up of gone containers' endpoints" {
        # a root the clean-up cannot read: only the removal itself may need it
        bad=$BATS_TEST_TMPDIR/not-a-dir
        : >"$bad"
        run env BERTH_ROOT="$bad" "$BERTH" network rm --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"Usage:"*"network rm"* ]]
        run env BERTH_ROOT="$bad" "$BERTH" network rm
        [ "$status" -eq 125 ]
        [[ "$output" == *"requires at least 1 argument"* ]]
        run env BERTH_ROOT="$bad" "$BERTH" network rm rtst-net
        [ "$status" -eq 125 ]
        [[ "$output" == *"lib/networks"*"Not a directory"* ]]
}

@test "address pools: picks free subnets and reports exhaustion" {
        export BERTH_ADDRESS_POOLS=10.231.20.0/23:24
        run "$BERTH" network create bt1p1
        [ "$status" -eq 0 ]
        run "$BERTH" network create bt1p2
        [ "$status" -eq 0 ]
        [ "$("$BERTH" network inspect bt1p1 | jq -r '.[0].IPAM.Config[0].Subnet')" = 10.231.20.0/24 ]
        [ "$("$BERTH" network inspect bt1p2 | jq -r '.[0].IPAM.Config[0].Subnet')" = 10.231.21.0/24 ]
        run "$BERTH" network create bt1p3
        [ "$status" -eq 125 ]
        [[ "$output" == *"no available subnet in the address pool: all of 10.231.20.0/23 (/24 subnets) are in use; pass --subnet"* ]]
        "$BERTH" network rm bt1p1 bt1p2
}

@test "two namespaces on one network reach each other; another network is isolated" {
        "$BERTH" network create --subnet 10.231.30.0/24 bt1a >/dev/null
        "$BERTH" network create --subnet 10.231.31.0/24 -o com.docker.network.bridge.name=bt1brb bt1b >/dev/null
        ip netns add bt1n1; ip netns add bt1n2; ip netns add bt1n3
        run "$BERTH" network attach-netns bt1a /run/netns/bt1n1 ctr1
        [ "$status" -eq 0 ]
        [ "$output" = 10.231.30.2 ]
        run "$BERTH" network attach-netns --ip 10.231.30.50 bt1a /run/netns/bt1n2 ctr2
        [ "$output" = 10.231.30.50 ]
        run "$BERTH" network attach-netns --ip 10.231.30.50 bt1a /run/netns/bt1n3 ctr3
        [ "$status" -eq 125 ]
        [[ "$output" == *"address 10.231.30.50 is already in use"* ]]
        run "$BERTH" network attach-netns bt1b /run/netns/bt1n3 ctr3
        [ "$output" = 10.231.31.2 ]
        ip link show bt1brb >/dev/null
        # container side: eth0 with the docker-style MAC, lo up, default route
        ip netns exec bt1n1 ip -o link show eth0 | grep -q 'link/ether 02:42:0a:e7:1e:02'
        ip netns exec bt1n1 ip -o link show lo | grep -q 'UP'
        ip netns exec bt1n1 ip route | grep -q 'default via 10.231.30.1 dev eth0'
        ip netns exec bt1n1 busybox ping -c1 -W2 10.231.30.50
        ip netns exec bt1n2 busybox ping -c1 -W2 10.231.30.2
        # different bridges are isolated from each other
        ! ip netns exec bt1n1 busybox ping -c1 -W1 10.231.31.2 || false
        ! ip netns exec bt1n3 busybox ping -c1 -W1 10.231.30.2 || false
        run "$BERTH" network inspect bt1a
        [ "$(echo "$output" | jq -r '.[0].Containers.ctr2.IPv4Address')" = 10.231.30.50/24 ]
        [ "$(echo "$output" | jq -r '.[0].Containers.ctr2.MacAddress')" = 02:42:0a:e7:1e:32 ]
        run "$BERTH" network rm bt1a
        [ "$status" -ne 0 ]
        [[ "$output" == *"network bt1a has active endpoints (ctr1, ctr2)"* ]]
        "$BERTH" network detach-netns bt1a ctr1
        "$BERTH" network detach-netns bt1a ctr2
        "$BERTH" network detach-netns bt1b ctr3
        ! ip netns exec bt1n1 ip link show eth0 2>/dev/null || false
        ip netns del bt1n1; ip netns del bt1n2; ip netns del bt1n3
        "$BERTH" network rm bt1a bt1b
        ! ip link show bt1brb 2>/dev/null || false
        ! nft list table ip "$(table)" 2>/dev/null || false
}

@test "published port reaches the namespace from the host via 127.0.0.1 and is exact to remove" {
        "$BERTH" network create --subnet 10.231.40.0/24 bt1pub >/dev/null
        ip netns add bt1n4
        run "$BERTH" network attach-netns -p 127.0.0.1:18931:8080 -p 18933:8080 bt1pub /run/netns/bt1n4 web
        [ "$status" -eq 0 ]
        ip netns exec bt1n4 busybox httpd -f -p 8080 -h "$WWW" >/dev/null 2>&1 3>&- &
        echo $! >"$BERTH_ROOT/httpd.pid"
        for _ in $(seq 50); do ip netns exec bt1n4 busybox netstat -ltn | grep -q ':8080' && break; sleep 0.1; done
        run timeout 5 busybox wget -qO- http://127.0.0.1:18931/
        [ "$status" -eq 0 ]
        [ "$output" = hello-from-bt1 ]
        # another host address is not published
        run timeout 5 busybox wget -qO- http://127.0.0.2:18931/
        [ "$status" -ne 0 ]
        # a port published on every address: loopback and the bridge address
        run timeout 5 busybox wget -qO- http://127.0.0.1:18933/
        [ "$output" = hello-from-bt1 ]
        run timeout 5 busybox wget -qO- http://10.231.40.1:18933/
        [ "$output" = hello-from-bt1 ]
        # from a namespace on another network, through a host address
        "$BERTH" network create --subnet 10.231.41.0/24 bt1other >/dev/null
        ip netns add bt1n6
        "$BERTH" network attach-netns bt1other /run/netns/bt1n6 client
        run ip netns exec bt1n6 timeout 5 busybox wget -qO- http://10.231.41.1:18933/
        [ "$output" = hello-from-bt1 ]
        # but not directly
        run ip netns exec bt1n6 timeout 2 busybox wget -qO- http://10.231.40.2:8080/
        [ "$status" -ne 0 ]
        "$BERTH" network detach-netns bt1other client
        ip netns del bt1n6
        "$BERTH" network rm bt1other
        # a conflicting reservation fails before anything is created
        python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 18932)); s.listen(); time.sleep(30)' >/dev/null 2>&1 3>&- &
        ncpid=$!
        for _ in $(seq 50); do busybox netstat -ltn | grep -q '127.0.0.1:18932' && break; sleep 0.1; done
        ip netns add bt1n5
        run "$BERTH" network attach-netns -p 127.0.0.1:18932:80 bt1pub /run/netns/bt1n5 web2
        kill $ncpid
        [ "$status" -eq 125 ]
        [[ "$output" == *"port 18932 is already in use (127.0.0.1:18932/tcp)"* ]]
        ! ip netns exec bt1n5 ip link show eth0 2>/dev/null || false
        kill "$(cat "$BERTH_ROOT/httpd.pid")"
        rm "$BERTH_ROOT/httpd.pid"
        "$BERTH" network detach-netns bt1pub web
        ! nft list chain ip "$(table)" c-web 2>/dev/null || false
        [ -z "$(nft list map ip "$(table)" pub | grep '1893[13]')" ]
        ip netns del bt1n4; ip netns del bt1n5
        "$BERTH" network rm bt1pub
        ! nft list table ip "$(table)" 2>/dev/null || false
}

@test "internal network: no masquerade, traffic to other bridges dropped" {
        "$BERTH" network create --internal --subnet 10.231.50.0/24 bt1int >/dev/null
        "$BERTH" network create --subnet 10.231.51.0/24 bt1ext >/dev/null
        [ "$("$BERTH" network inspect bt1int | jq -r '.[0].Internal')" = true ]
        id=$("$BERTH" network inspect bt1int | jq -r '.[0].Id')
        ext=$("$BERTH" network inspect bt1ext | jq -r '.[0].Id')
        ! nft list chain ip "$(table)" "n-${id:0:12}-masq" 2>/dev/null || false
        nft list chain ip "$(table)" "n-${ext:0:12}-masq" | grep -q masquerade
        nft list chain ip "$(table)" "n-${id:0:12}-in" | tail -3 | grep -qx $'\t\tdrop'
        run "$BERTH" network prune -f
        [ "$status" -eq 0 ]
        [[ "$output" == *bt1int* && "$output" == *bt1ext* ]]
        [ -z "$("$BERTH" network ls -q)" ]
        ! nft list table ip "$(table)" 2>/dev/null || false
}
