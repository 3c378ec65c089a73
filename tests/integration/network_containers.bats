#!/usr/bin/env bats
# Containers on networks: run --network/-p/--ip/--network-alias/--add-host/
# --dns, port conflicts, berth port, connect/disconnect, stop/start, rm.
# Subnets 10.231.80.0/20 only (the default network too, via the pools).

load common

setup_file() {
        berth_setup_file bn 10.231.90.0/24:24
        "$BERTH" network create --subnet 10.231.80.0/24 bt1app >/dev/null
}

teardown_file() {
        berth_clean_root
}


wait_http() { # URL: wait until something answers (bounded)
        for _ in $(seq 50); do timeout 2 busybox wget -qO- "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
        return 1
}

@test "published port on 127.0.0.1, container files, berth port" {
        run "$BERTH" run -d --name web --network bt1app --ip 10.231.80.10 --network-alias www \
                -p 127.0.0.1:18961:8080 --add-host db.example:10.231.80.99 --hostname webhost \
                busybox httpd -f -p 8080 -h /etc
        [ "$status" -eq 0 ]
        wait_http http://127.0.0.1:18961/hostname
        run timeout 5 busybox wget -qO- http://127.0.0.1:18961/hostname
        [ "$output" = webhost ]
        run "$BERTH" port web
        [ "$output" = "8080/tcp -> 127.0.0.1:18961" ]
        run "$BERTH" port web 8080/tcp
        [ "$output" = "127.0.0.1:18961" ]
        run "$BERTH" ps --format json
        [ "$(echo "$output" | jq -r .Ports)" = "127.0.0.1:18961->8080/tcp" ]
        run "$BERTH" exec web cat /etc/resolv.conf
        [ "$output" = "nameserver 10.231.80.1" ]
        run "$BERTH" exec web cat /etc/hosts
        [[ "$output" == *$'10.231.80.10\twebhost'* ]]
        [[ "$output" == *$'10.231.80.99\tdb.example'* ]]
        run "$BERTH" exec web ip route
        [[ "$output" == *"default via 10.231.80.1 dev eth0"* ]]
        run "$BERTH" inspect web
        [ "$(echo "$output" | jq -r '.[0].NetworkSettings.Networks.bt1app.IPAddress')" = 10.231.80.10 ]
        [ "$(echo "$output" | jq -r '.[0].NetworkSettings.Networks.bt1app.MacAddress')" = 02:42:0a:e7:50:0a ]
        [ "$(echo "$output" | jq -r '.[0].NetworkSettings.Networks.bt1app.Aliases[0]')" = www ]
        [ "$(echo "$output" | jq -r '.[0].NetworkSettings.Ports["8080/tcp"][0].HostPort')" = 18961 ]
        run "$BERTH" network inspect bt1app
        [ "$(echo "$output" | jq -r '.[0].Containers[].Name')" = web ]
        # the monitor holds the reservation
        ss -ltnp | grep '127.0.0.1:18961' | grep -q berth-monitor
        nft list table ip "$(table)" | grep -q 'dport 18961 dnat to 10.231.80.10:8080'
}

@test "a second container reaches the first by address; --dns overrides resolv.conf" {
        run "$BERTH" run --rm --network bt1app --dns 10.231.80.53 busybox sh -c \
                'cat /etc/resolv.conf; timeout 5 wget -qO- http://10.231.80.10:8080/hostname'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "nameserver 10.231.80.53" ]
        [ "${lines[1]}" = webhost ]
}

@test "a host port in use fails before the container starts" {
        run "$BERTH" run -d --name web2 --network bt1app -p 127.0.0.1:18961:80 busybox sleep 30
        [ "$status" -eq 125 ]
        [[ "$output" == *"port 18961 is already in use (127.0.0.1:18961/tcp)"* ]]
        run "$BERTH" network inspect bt1app
        [ "$(echo "$output" | jq -r '.[0].Containers | length')" = 1 ]
        "$BERTH" rm -f web2
}

@test "a published port without a host port gets a free one" {
        run "$BERTH" run -d --name eph --network bt1app -p 127.0.0.1::8080 busybox httpd -f -p 8080 -h /etc
        [ "$status" -eq 0 ]
        run "$BERTH" port eph 8080
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^127\.0\.0\.1:([0-9]+)$ ]]
        hp=${BASH_REMATCH[1]}
        [ "$hp" -gt 0 ]
        wait_http "http://127.0.0.1:$hp/hostname"
        "$BERTH" rm -f eph
}

@test "-P publishes the image's EXPOSE ports on free host ports" {
        tar=$BERTH_ROOT/rootfs.tar
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" --tar-only "$tar" >/dev/null
        "$BERTH" image import --change 'EXPOSE 8080' --change 'CMD ["sh"]' "$tar" bt1exposed:latest >/dev/null
        run "$BERTH" run -d --name pall --network bt1app -P bt1exposed httpd -f -p 8080 -h /etc
        [ "$status" -eq 0 ]
        run "$BERTH" port pall
        [[ "$output" =~ ^8080/tcp\ -\>\ 0\.0\.0\.0:([0-9]+)$ ]]
        wait_http "http://127.0.0.1:${BASH_REMATCH[1]}/hostname"
        "$BERTH" rm -f pall
}

@test "network connect and disconnect a running container" {
        "$BERTH" network create --subnet 10.231.81.0/24 bt1side >/dev/null
        run "$BERTH" network connect --alias side bt1side web
        [ "$status" -eq 0 ]
        run "$BERTH" exec web ip -o -4 addr show eth1
        [[ "$output" == *"10.231.81.2/24"* ]]
        run "$BERTH" network connect bt1side web
        [ "$status" -ne 0 ]
        [[ "$output" == *"already exists in network bt1side"* ]]
        run "$BERTH" network rm bt1side
        [ "$status" -ne 0 ]
        "$BERTH" network disconnect bt1side web
        run "$BERTH" exec web ip link show eth1
        [ "$status" -ne 0 ]
        "$BERTH" network rm bt1side
}

@test "stop unpublishes, start publishes again, rm frees the address" {
        "$BERTH" stop -t 1 web
        run timeout 2 busybox wget -qO- http://127.0.0.1:18961/hostname
        [ "$status" -ne 0 ]
        [ -z "$("$BERTH" port web)" ]
        "$BERTH" start web
        wait_http http://127.0.0.1:18961/hostname
        run "$BERTH" exec web ip -o -4 addr show eth0
        [[ "$output" == *"10.231.80.10/24"* ]]
        "$BERTH" rm -f web
        run "$BERTH" network inspect bt1app
        [ "$(echo "$output" | jq -r '.[0].Containers | length')" = 0 ]
        run timeout 2 busybox wget -qO- http://127.0.0.1:18961/hostname
        [ "$status" -ne 0 ]
}

@test "default bridge network, --network none and host" {
        run "$BERTH" run --rm busybox ip -o -4 addr show eth0
        [ "$status" -eq 0 ]
        [[ "$output" == *"10.231.90."* ]]
        run "$BERTH" network inspect bridge
        [ "$(echo "$output" | jq -r '.[0].IPAM.Config[0].Subnet')" = 10.231.90.0/24 ]
        [ "$(echo "$output" | jq -r '.[0].Containers | length')" = 0 ]
        run "$BERTH" run --rm --network none busybox ip -o link
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 1 ]
        [[ "$output" == *"lo:"*"UP"* ]]
        run "$BERTH" run --rm --network bt1nosuch busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"network bt1nosuch not found"* ]]
        run "$BERTH" run --rm --network-alias x busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"user-defined networks"* ]]
        "$BERTH" network rm bridge bt1app
        ! nft list table ip "$(table)" 2>/dev/null || false
}

@test "containers resolve each other by name and alias; berth-dns exits with the last network" {
        "$BERTH" network create --subnet 10.231.81.0/24 bt1dns >/dev/null
        "$BERTH" run -d --name dnsa --network bt1dns --network-alias dnsalias busybox sleep 100
        run "$BERTH" run --rm --network bt1dns busybox sh -c 'nslookup dnsa && nslookup dnsalias'
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | grep -c 'Address: 10.231.81.2$')" -eq 2 ]
        # reachable by name and alias: ping and HTTP
        "$BERTH" run -d --name dnsweb --network bt1dns --network-alias webalias busybox \
                httpd -f -p 8080 -h /etc
        run "$BERTH" run --rm --network bt1dns busybox sh -c \
                'ping -c1 -W2 dnsa >/dev/null && for i in $(seq 50); do timeout 2 wget -qO- http://webalias:8080/hostname && exit 0; sleep 0.1; done; exit 1'
        [ "$status" -eq 0 ]
        # a container on another network can neither resolve nor reach them
        run "$BERTH" run --rm --network bt1app busybox nslookup dnsa
        [ "$status" -ne 0 ]
        run "$BERTH" run --rm --network bt1app busybox ping -c1 -W1 10.231.81.2
        [ "$status" -ne 0 ]
        "$BERTH" rm -f dnsweb
        # 10,000 queries from inside a container, all answered correctly
        cc -O2 -static -o "$BATS_FILE_TMPDIR/dnsq" "$BERTH_SRC/tests/tools/dnsq.c"
        run "$BERTH" run --rm --network bt1dns -v "$BATS_FILE_TMPDIR/dnsq:/dnsq:ro" busybox \
                /dnsq -s 10.231.81.1 -n 10000 -w 16 -a 10.231.81.2 dnsa
        [ "$status" -eq 0 ]
        [[ "$output" == "sent 10000 answered 10000 correct 10000 "* ]]
        pid=$(cat "$BERTH_ROOT/run/dns/pid")
        kill -0 "$pid"
        "$BERTH" rm -f dnsa
        # every network gone: the DNS server of this root exits by itself
        for c in $("$BERTH" ps -aq); do "$BERTH" rm -f "$c" >/dev/null; done
        for n in $("$BERTH" network ls -q); do "$BERTH" network rm "$n" >/dev/null; done
        for _ in $(seq 50); do [ -r "/proc/$pid/status" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" || break; sleep 0.1; done
        ! { [ -r "/proc/$pid/status" ] && ! grep -q '^State:.*Z' "/proc/$pid/status"; }
        "$BERTH" network create --subnet 10.231.80.0/24 bt1app >/dev/null # for the tests after this one
}

@test "UDP publish: a UDP server in a container answers on the host port" {
        cc -O2 -static -o "$BATS_FILE_TMPDIR/dnsq" "$BERTH_SRC/tests/tools/dnsq.c"
        # dnsq -S is a tiny UDP DNS server (busybox has no UDP server applet)
        "$BERTH" run -d --name udpsrv --network bt1app -p 127.0.0.1:18962:5353/udp \
                -v "$BATS_FILE_TMPDIR/dnsq:/dnsq:ro" busybox /dnsq -S 0.0.0.0 -p 5353 -A 192.0.2.9
        ok=""
        for _ in $(seq 30); do
                out=$("$BATS_FILE_TMPDIR/dnsq" -s 127.0.0.1 -p 18962 anything.test 2>/dev/null) && ok=1 && break
                sleep 0.1
        done
        [ -n "$ok" ]
        [[ "$out" == *"A 192.0.2.9"* ]]
        run "$BERTH" port udpsrv
        [ "$output" = "5353/udp -> 127.0.0.1:18962" ]
        "$BERTH" rm -f udpsrv
}
