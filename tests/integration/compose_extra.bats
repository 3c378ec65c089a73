#!/usr/bin/env bats
# compose version / cp / scale / attach (compose v2's spellings of engine
# commands on a service's container).  Projects cx*, subnets 10.219.64.0/18.

load compose_common

setup_file() {
        compose_setup_file cx 10.219.64.0/18:24
}

teardown_file() {
        compose_teardown_file
}

@test "compose version: pretty, --short and --format json" {
        run "$BERTH" compose version
        [ "$status" -eq 0 ]
        [[ "$output" == "berth compose version v2."* ]]
        run "$BERTH" compose version --short
        [[ "$output" =~ ^2\.[0-9]+\.[0-9]+$ ]]
        run "$BERTH" compose version --format json
        [[ "$output" =~ ^\{\"version\":\"v2\.[0-9]+\.[0-9]+\"\}$ ]]
        run "$BERTH" compose version --format yaml
        [ "$status" -ne 0 ]
}

@test "compose scale SERVICE=N up and down; bad specifiers are refused" {
        proj cxscale <<'EOF2'
services:
  a:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
EOF2
        run bc cxscale scale a=3
        echo "$output"
        [ "$status" -eq 0 ]
        run bc cxscale ps -q a
        [ "${#lines[@]}" -eq 3 ]
        run bc cxscale scale a=1
        [ "$status" -eq 0 ]
        run bc cxscale ps -q a
        [ "${#lines[@]}" -eq 1 ]
        run bc cxscale scale a
        [ "$status" -ne 0 ]
        [[ "$output" == *'invalid scale specifier "a"'* ]]
        run bc cxscale scale a=-1
        [ "$status" -ne 0 ]
        bc cxscale down -t 0
}

@test "compose cp: to and from a service's container, --index, errors" {
        proj cxcp <<'EOF2'
services:
  a:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
    scale: 2
EOF2
        bc cxcp up -d
        echo "from the host" >"$BERTH_ROOT/p/cxcp/in.txt"
        run bc cxcp cp "$BERTH_ROOT/p/cxcp/in.txt" a:/tmp/in.txt
        [ "$status" -eq 0 ]
        run "$BERTH" exec cxcp-a-1 cat /tmp/in.txt
        [ "$output" = "from the host" ]
        run bc cxcp cp --index 2 "$BERTH_ROOT/p/cxcp/in.txt" a:/tmp/two.txt
        [ "$status" -eq 0 ]
        run "$BERTH" exec cxcp-a-2 cat /tmp/two.txt
        [ "$output" = "from the host" ]
        run "$BERTH" exec cxcp-a-1 test -e /tmp/two.txt
        [ "$status" -ne 0 ]
        run bc cxcp cp a:/tmp/in.txt "$BERTH_ROOT/p/cxcp/out.txt"
        [ "$status" -eq 0 ]
        [ "$(cat "$BERTH_ROOT/p/cxcp/out.txt")" = "from the host" ]
        run bc cxcp cp nosuch:/x "$BERTH_ROOT/p/cxcp/y"
        [ "$status" -ne 0 ]
        [[ "$output" == *'no container found for service "nosuch"'* ]]
        run bc cxcp cp "$BERTH_ROOT/p/cxcp/in.txt" "$BERTH_ROOT/p/cxcp/z"
        [ "$status" -ne 0 ]
        bc cxcp down -t 0
}

@test "compose attach: the service's output until it exits" {
        proj cxatt <<'EOF2'
services:
  a:
    image: busybox:latest
    command: ["sh", "-c", "sleep 1; echo attached-output; sleep 0.5"]
EOF2
        bc cxatt up -d
        # --sig-proxy and --detach-keys are passed on (berth attach refused them)
        run timeout 20 "$BERTH" compose -f "$BERTH_ROOT/p/cxatt/compose.yaml" attach --no-stdin \
                --sig-proxy=false --detach-keys ctrl-a a
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *attached-output* ]]
        bc cxatt down -t 0
}
