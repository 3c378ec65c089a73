#!/usr/bin/env bats
# What the compose up fast paths must keep: names in berth-dns are group-
# committed, each container's before its process runs, a
# re-run of up registers the names of containers that already run, the
# container name check reads a name attribute (falling back to config.json),
# and --wait / depends_on conditions see state changes through inotify.
# Projects cpf*, subnets from 10.236.96.0/20 (BERTH_ADDRESS_POOLS).

load compose_common

setup_file() {
        compose_setup_file cpf 10.236.96.0/20:24
}

teardown_file() {
        compose_teardown_file
}

@test "a dependency resolves when its dependents start; every service when up -d returns" {
        {
                echo "name: cpf1"
                echo "services:"
                echo "  a: {image: busybox, init: true, command: [sleep, '1000']}"
                # b and c exit (3/4) when a name they depend on does not resolve at their start
                echo "  b:"
                echo "    image: busybox"
                echo "    depends_on: [a]"
                echo "    command: [sh, -c, 'nslookup a >/dev/null || exit 3; exec sleep 1000']"
                echo "  c:"
                echo "    image: busybox"
                echo "    depends_on: {b: {condition: service_started}}"
                echo "    command: [sh, -c, 'nslookup b >/dev/null || exit 3; nslookup cpf1-a-1 >/dev/null || exit 4; exec sleep 1000']"
                # every container is known to berth-dns (which refuses unknown askers)
                # before its process runs, dependency or not
                echo "  x1:"
                echo "    image: busybox"
                echo "    command: [sh, -c, 'nslookup cpf1-x1-1 >/dev/null || exit 5; exec sleep 1000']"
                for i in 2 3 4 5 6; do
                        echo "  x$i: {image: busybox, init: true, command: [sleep, '1000']}"
                done
        } | proj cpf1
        bc cpf1 up -d
        sleep 0.5 # b and c would have failed by now
        run bc cpf1 ps -a --format json
        echo "$output"
        [ "$(echo "$output" | grep -o '"State": *"running"' | wc -l)" -eq 9 ]
        # names of services nobody depends on: committed before up returned
        run "$BERTH" run --rm --network cpf1_default busybox sh -c \
                'for n in x1 x2 x3 x4 x5 x6 cpf1-x6-1 c; do nslookup $n >/dev/null || exit 1; done'
        [ "$status" -eq 0 ]
        bc cpf1 down -t 0
}

@test "an up that finds its containers running puts their names back into berth-dns" {
        {
                echo "name: cpf2"
                echo "services:"
                echo "  a: {image: busybox, init: true, command: [sleep, '1000']}"
                echo "  b: {image: busybox, init: true, command: [sleep, '1000']}"
        } | proj cpf2
        bc cpf2 up -d
        id=$("$BERTH" ps -q --no-trunc --filter name=cpf2-a-1)
        [ -n "$id" ]
        grep -q "$id" "$BERTH_ROOT/run/dns/records.json"
        # as if an interrupted up had started the containers without its commit
        "$BERTH" network inspect cpf2_default >/dev/null
        python3 - "$BERTH_ROOT/run/dns/records.json" <<'EOF'
import json, sys
p = sys.argv[1]
r = json.load(open(p))
for n in r["networks"].values():
    n["endpoints"] = []
json.dump(r, open(p, "w"))
EOF
        ! grep -q "$id" "$BERTH_ROOT/run/dns/records.json" || false
        run bc cpf2 up -d
        [ "$status" -eq 0 ]
        grep -q "$id" "$BERTH_ROOT/run/dns/records.json"
        run "$BERTH" run --rm --network cpf2_default busybox nslookup a
        [ "$status" -eq 0 ]
        bc cpf2 down -t 0
}

@test "container names stay unique through create, rename and containers without the name attribute" {
        "$BERTH" create --name cpf-n1 busybox true >/dev/null
        run "$BERTH" create --name cpf-n1 busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *'The container name "/cpf-n1" is already in use'* ]]
        "$BERTH" rename cpf-n1 cpf-n2
        "$BERTH" create --name cpf-n1 busybox true >/dev/null
        run "$BERTH" create --name cpf-n2 busybox true
        [ "$status" -ne 0 ]
        # a container made by a berth that kept no attribute: found through config.json
        id=$("$BERTH" inspect -f '{{.Id}}' cpf-n2)
        python3 -c 'import os, sys; os.removexattr(sys.argv[1], "user.berth.name")' \
                "$BERTH_ROOT/lib/containers/$id"
        run "$BERTH" create --name cpf-n2 busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *'The container name "/cpf-n2" is already in use'* ]]
        "$BERTH" rm cpf-n1 cpf-n2
        "$BERTH" create --name cpf-n2 busybox true >/dev/null
        "$BERTH" rm cpf-n2
}

@test "up --wait and depends_on service_healthy follow the health the monitor records" {
        {
                echo "name: cpf3"
                echo "services:"
                echo "  db:"
                echo "    image: busybox"
                echo "    init: true"
                echo "    command: [sleep, '1000']"
                echo "    healthcheck: {test: [CMD, 'true'], interval: 300ms}"
                echo "  app:"
                echo "    image: busybox"
                echo "    init: true"
                echo "    command: [sleep, '1000']"
                echo "    depends_on: {db: {condition: service_healthy}}"
                echo "    healthcheck: {test: [CMD, 'true'], interval: 300ms}"
        } | proj cpf3
        bc cpf3 up -d --wait --wait-timeout 20
        run bc cpf3 ps --format json
        echo "$output"
        [ "$(echo "$output" | grep -o '"Health": *"healthy"' | wc -l)" -eq 2 ]
        bc cpf3 down -t 0
}
