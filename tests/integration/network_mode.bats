#!/usr/bin/env bats
# --network container:X (run/create) and compose's network_mode service:X /
# container:X: joining another container's network namespace, docker's
# conflict errors, recreate of the joiner with its target, down order.
# Projects nm*, subnets from 10.231.160.0/20 (BERTH_ADDRESS_POOLS).

load compose_common

setup_file() {
        compose_setup_file nm 10.231.160.0/20:24
}

teardown_file() {
        compose_teardown_file
}

# A web server on the container's 127.0.0.1:8080 only: reachable from its
# network namespace and nowhere else.
WEB='mkdir -p /www && echo "page $0" >/www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www'

wait_page() { # wait_page CONTAINER: until its own loopback server answers
        for _ in $(seq 50); do
                "$BERTH" exec "$1" wget -qO- http://127.0.0.1:8080/ >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        return 1
}

# app_side: a compose file whose service side (its lines end the file) is in
# the network namespace of service app
app_side() {
        cat <<'EOF'
services:
  app:
    image: busybox
    command: ["sleep", "300"]
  side:
    image: busybox
    network_mode: "service:app"
EOF
}

@test "run --network container:A shares A's loopback, address, hosts and resolv.conf" {
        "$BERTH" run -d --name nma busybox sh -c "$WEB" one
        wait_page nma
        aid=$("$BERTH" inspect nma | jq -r '.[0].Id')
        aip=$("$BERTH" inspect nma | jq -r '.[0].NetworkSettings.IPAddress')
        [ -n "$aip" ]
        run "$BERTH" run --rm --network container:nma busybox sh -c \
                'timeout 5 wget -qO- http://127.0.0.1:8080/; hostname -i; ip -4 addr show eth0'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "page one" ]
        [ "$(echo ${lines[1]})" = "$aip" ]
        [[ "$output" == *"inet $aip/"* ]]
        # a container on its own network has neither
        run "$BERTH" run --rm busybox sh -c 'timeout 5 wget -qO- http://127.0.0.1:8080/'
        [ "$status" -ne 0 ]
        "$BERTH" create --name nmb --network "container:${aid:0:12}" busybox sleep 300
        run "$BERTH" inspect nmb
        [ "$(echo "$output" | jq -r '.[0].HostConfig.NetworkMode')" = "container:$aid" ]
        [ "$(echo "$output" | jq -r '.[0].NetworkSettings.Networks | length')" = 0 ]
        [ "$(echo "$output" | jq -r '.[0].Config.Hostname')" = "${aid:0:12}" ]
        "$BERTH" start nmb
        [ "$("$BERTH" exec nmb cat /etc/hosts)" = "$("$BERTH" exec nma cat /etc/hosts)" ]
        [ "$("$BERTH" exec nmb cat /etc/resolv.conf)" = "$("$BERTH" exec nma cat /etc/resolv.conf)" ]
        [ "$("$BERTH" exec nmb readlink /proc/1/ns/net)" = "$("$BERTH" exec nma readlink /proc/1/ns/net)" ]
        run "$BERTH" network connect bridge nmb
        [ "$status" -ne 0 ]
        [[ "$output" == *"container sharing network namespace with another container or host cannot be connected to any other network"* ]]
}

@test "the joiner outlives its target's stop; start needs the target running" {
        aip=$("$BERTH" inspect nma | jq -r '.[0].NetworkSettings.IPAddress')
        "$BERTH" stop -t 1 nma
        run "$BERTH" inspect nmb
        [ "$(echo "$output" | jq -r '.[0].State.Status')" = running ]
        # as with docker, the stopped target's interfaces are gone
        run "$BERTH" exec nmb ip -4 addr
        [ "$status" -eq 0 ]
        [[ "$output" != *"$aip"* ]]
        [[ "$output" == *"127.0.0.1"* ]]
        "$BERTH" stop -t 1 nmb
        aid=$("$BERTH" inspect nma | jq -r '.[0].Id')
        run "$BERTH" start nmb
        [ "$status" -ne 0 ]
        [[ "$output" == *"cannot join network of a non running container: $aid"* ]]
        run "$BERTH" run --rm --network container:nma busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"cannot join network of a non running container: $aid"* ]]
        # start re-resolves the target: its new namespace
        "$BERTH" start nma
        wait_page nma
        "$BERTH" start nmb
        [ "$("$BERTH" exec nmb wget -qO- http://127.0.0.1:8080/)" = "page one" ]
        [ "$("$BERTH" exec nmb readlink /proc/1/ns/net)" = "$("$BERTH" exec nma readlink /proc/1/ns/net)" ]
        "$BERTH" rm -f nmb nma
}

@test "container: network mode conflicts are docker's, and nothing is created" {
        "$BERTH" run -d --name nmt busybox sleep 300
        run "$BERTH" run --rm -p 18231:80 --network container:nmt busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"conflicting options: port publishing and the container type network mode"* ]]
        run "$BERTH" run --rm -P --network container:nmt busybox true
        [[ "$output" == *"conflicting options: port publishing and the container type network mode"* ]]
        run "$BERTH" create --hostname h --network container:nmt busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"conflicting options: hostname and the network mode"* ]]
        run "$BERTH" create --dns 10.231.160.53 --network container:nmt busybox true
        [[ "$output" == *"conflicting options: dns and the network mode"* ]]
        run "$BERTH" create --add-host x:10.231.160.9 --network container:nmt busybox true
        [[ "$output" == *"conflicting options: custom host-to-IP mapping and the network mode"* ]]
        run "$BERTH" create --network container: busybox true
        [[ "$output" == *"invalid container format container:<name|id>"* ]]
        run "$BERTH" create --network container:nmnosuch busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"No such container: nmnosuch"* ]]
        [ "$("$BERTH" ps -aq | wc -l)" -eq 1 ]
        "$BERTH" rm -f nmt
}

@test "compose network_mode service:app: implicit dependency, shared loopback, dry-run, recreate with app, down" {
        proj nmsvc <<EOF
services:
  side:
    image: busybox
    network_mode: "service:app"
    command: ["sleep", "300"]
  app:
    image: busybox
    command: ["sh", "-c", '${WEB//\$0/\$\$0}', "v1"]
EOF
        run bc nmsvc config --format json
        [ "$(echo "$output" | jq -c .services.side.depends_on)" = '{"app":{"condition":"service_started","restart":true,"required":true}}' ]
        run bc nmsvc --dry-run up -d
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | grep -n 'Container nmsvc-app-1  Created' | cut -d: -f1)" -lt \
          "$(echo "$output" | grep -n 'Container nmsvc-side-1  Creating' | cut -d: -f1)" ]
        run bc nmsvc up -d
        echo "$output"
        [ "$status" -eq 0 ]
        wait_page nmsvc-app-1
        run bc nmsvc exec side wget -qO- http://127.0.0.1:8080/
        [ "$output" = "page v1" ]
        app1=$("$BERTH" inspect nmsvc-app-1 | jq -r '.[0].Id')
        side1=$("$BERTH" inspect nmsvc-side-1 | jq -r '.[0].Id')
        [ "$("$BERTH" inspect nmsvc-side-1 | jq -r '.[0].HostConfig.NetworkMode')" = "container:$app1" ]
        # unchanged: both kept
        run bc nmsvc up -d
        [[ "$output" == *"Container nmsvc-side-1  Running"* ]]
        [ "$("$BERTH" inspect nmsvc-side-1 | jq -r '.[0].Id')" = "$side1" ]
        # a changed app is recreated, and side with it (its namespace is gone)
        sed -i 's/"v1"/"v2"/' "$BERTH_ROOT/p/nmsvc/compose.yaml"
        run bc nmsvc --dry-run up -d
        [[ "$output" == *"DRY-RUN MODE -  Container nmsvc-side-1  Recreate"* ]]
        run bc nmsvc up -d
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Container nmsvc-side-1  Recreated"* ]]
        app2=$("$BERTH" inspect nmsvc-app-1 | jq -r '.[0].Id')
        [ "$app2" != "$app1" ]
        [ "$("$BERTH" inspect nmsvc-side-1 | jq -r '.[0].HostConfig.NetworkMode')" = "container:$app2" ]
        wait_page nmsvc-app-1
        run bc nmsvc exec side wget -qO- http://127.0.0.1:8080/
        [ "$output" = "page v2" ]
        # down: the joiner goes first
        run bc nmsvc down -t 1
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | grep -n 'nmsvc-side-1  Removed' | cut -d: -f1)" -lt \
          "$(echo "$output" | grep -n 'nmsvc-app-1  Removing' | cut -d: -f1)" ]
        [ -z "$("$BERTH" ps -aq)" ]
}

@test "compose network_mode container:NAME, and service: with ports or networks is refused" {
        "$BERTH" run -d --name nmext busybox sh -c "$WEB" ext
        wait_page nmext
        proj nmctr <<'EOF'
services:
  c:
    image: busybox
    network_mode: "container:nmext"
    command: ["sleep", "300"]
EOF
        run bc nmctr up -d
        [ "$status" -eq 0 ]
        run bc nmctr exec c wget -qO- http://127.0.0.1:8080/
        [ "$output" = "page ext" ]
        bc nmctr down -t 1
        "$BERTH" rm -f nmext
        { app_side; echo '    networks: [default]'; } | proj nmbad
        run bc nmbad config
        [ "$status" -ne 0 ]
        [[ "$output" == *'service side declares mutually exclusive `network_mode` and `networks`'* ]]
        { app_side; printf '    ports: ["127.0.0.1:18232:80"]\n    command: ["sleep", "300"]\n'; } | proj nmports
        run bc nmports up -d
        [ "$status" -ne 0 ]
        [[ "$output" == *"conflicting options: port publishing and the container type network mode"* ]]
        bc nmports down -t 0
        [ -z "$("$BERTH" ps -aq)" ]
}
