#!/usr/bin/env bats
# stats / container stats / compose stats: CPU %, memory usage / limit,
# network I/O and PIDs read from the container's cgroups (v1 or v2) and its
# netns, in Docker's table, templates and json.
# Containers cs-*, network cs-net, compose project csp, subnets 10.220.0.0/16.
load rt_common

setup_file() {
        rt_setup_file 10.220.0.0/16:24
}

teardown_file() {
        rt_compose_down "$BERTH_ROOT/csp"
        # before the root goes: a berth command after that would find nothing
        "$BERTH" network rm cs-net >/dev/null 2>&1 || true
        rt_teardown_file
}

@test "stats --no-stream: memory limit, CPU % of a busy loop, PIDs and network I/O; then exits" {
        "$BERTH" network create --subnet 10.220.1.0/24 cs-net >/dev/null
        "$BERTH" run -d --name cs-burn -m 64m --network cs-net busybox \
                sh -c 'sleep 600 & sleep 600 & while :; do :; done' >/dev/null
        "$BERTH" exec cs-burn ping -c 1 -W 2 10.220.1.1 >/dev/null
        run timeout 10 "$BERTH" stats --no-stream \
                --format '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.MemPerc}}|{{.NetIO}}|{{.PIDs}}' cs-burn
        [ "$status" -eq 0 ]
        IFS='|' read -r name cpu mem memp net pids <<<"$output"
        [ "$name" = cs-burn ]
        [[ "$mem" == *" / 64MiB" ]]
        [[ "$memp" =~ ^[0-9]+\.[0-9][0-9]%$ ]]
        [ "$pids" = 3 ]
        # a busy loop uses about one CPU: well above 10 % even on a loaded host
        [[ "$cpu" =~ ^[0-9]+\.[0-9][0-9]%$ ]]
        [ "${cpu%%.*}" -ge 10 ]
        [ "$net" != "0B / 0B" ]
        [[ "$net" =~ ^[0-9.]+[kM]?B\ /\ [0-9.]+[kM]?B$ ]]
        # the default table, with Docker's headers and the short id
        run "$BERTH" container stats --no-stream cs-burn
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
        id=$("$BERTH" inspect -f '{{.Id}}' cs-burn)
        [[ "${lines[1]}" == "${id:0:12}   cs-burn "*" / 64MiB "*" 3" ]]
        "$BERTH" rm -f cs-burn >/dev/null
}

@test "stats --format json and table templates; without -a only running containers" {
        "$BERTH" run -d --name cs-up --network none busybox sleep 600 >/dev/null
        "$BERTH" create --name cs-down --network none busybox true >/dev/null
        run "$BERTH" stats --no-stream --format json
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 1 ]
        [ "$(jq -r '[.Name, .PIDs, .NetIO, .BlockIO, (.CPUPerc|test("^[0-9.]+%$"))] | join(",")' <<<"$output")" = "cs-up,1,0B / 0B,0B / 0B,true" ]
        [ "$(jq -r 'keys|join(",")' <<<"$output")" = "BlockIO,CPUPerc,Container,ID,MemPerc,MemUsage,Name,NetIO,PIDs" ]
        run "$BERTH" stats --no-stream --no-trunc --format 'table {{.Container}}\t{{.Name}}\t{{.PIDs}}'
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 2 ]
        [[ "${lines[0]}" =~ ^CONTAINER\ +NAME\ +PIDS$ ]]
        [[ "${lines[1]}" =~ ^[0-9a-f]{64}\ +cs-up\ +1$ ]]
        # -a adds the stopped one, with nothing used
        run "$BERTH" stats --no-stream -a --format '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}'
        [[ "$output" == *"cs-up 0.00% "*" 1"* ]]
        [[ "$output" == *"cs-down 0.00% 0B / 0B 0"* ]]
        # named as given, stopped or not; an unknown one and a bad template fail
        run "$BERTH" stats --no-stream --format '{{.Container}}' cs-down
        [ "$status" -eq 0 ]
        [ "$output" = cs-down ]
        run "$BERTH" stats --no-stream cs-nosuch
        [ "$status" -eq 1 ]
        [[ "$output" == *"No such container: cs-nosuch"* ]]
        run "$BERTH" stats --no-stream --format '{{.Nope}}'
        [ "$status" -eq 125 ]
        [[ "$output" == *"can't evaluate field Nope"* ]]
}

@test "stats without --no-stream prints a table each second when stdout is not a tty" {
        run timeout 3.5 "$BERTH" stats --format '{{.Name}} {{.PIDs}}' cs-up
        [ "$status" -eq 124 ]
        [ "${#lines[@]}" -ge 2 ]
        [ "${lines[0]}" = "cs-up 1" ]
        [ "${lines[1]}" = "cs-up 1" ]
}

@test "stats on a tty redraws in place: each table after clear-screen and home (cf-)" {
        "$BERTH" run -d --name cf-tty --network none busybox sleep 600 >/dev/null
        # the first table comes after a one-second CPU sample: 2.5 s for two
        run timeout 2.5 script -qfc "$BERTH stats --format 'table {{.Name}}\t{{.PIDs}}' cf-tty" /dev/null
        "$BERTH" rm -f cf-tty >/dev/null
        [[ "$output" == $'\033[2J\033[H'* ]]
        [[ "$output" == *"NAME"*"cf-tty"*"1"* ]]
}

@test "compose stats lists the containers of the services asked for" {
        mkdir -p "$BERTH_ROOT/csp"
        cat >"$BERTH_ROOT/csp/compose.yaml" <<'EOF2'
name: csp
services:
  web:
    image: busybox
    command: ["sleep", "300"]
    mem_limit: 32m
  db:
    image: busybox
    command: ["sleep", "300"]
EOF2
        c="$BERTH compose -f $BERTH_ROOT/csp/compose.yaml --progress quiet"
        $c up -d
        run $c stats --no-stream --format '{{.Name}} {{.MemUsage}}'
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 2 ]
        [[ "$output" == *"csp-web-1 "*" / 32MiB"* ]]
        [[ "$output" == *"csp-db-1 "* ]]
        run $c stats --no-stream --format '{{.Name}}' web
        [ "$status" -eq 0 ]
        [ "$output" = csp-web-1 ]
        $c down -t 0
}
