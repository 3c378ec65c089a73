#!/usr/bin/env bats
# compose top as docker compose v2 prints it: one table, SERVICE and replica
# number before the engine's ps -ef columns (UID PID PPID C STIME TTY TIME
# CMD), containers by name, Go's tabwriter (minwidth 4, padding 2); nothing
# when nothing runs.  And berth top with docker's columns.
# Project cetp, subnets 10.173.0.0/16.
load compose_common

setup_file() {
        compose_setup_file ce-top 10.173.0.0/16:24
        mkdir -p "$BERTH_ROOT/p/cetp"
        cat >"$BERTH_ROOT/p/cetp/compose.yaml" <<'YAML'
name: cetp
services:
  web:
    image: busybox
    command: sleep 601
    scale: 2
  db:
    image: busybox
    command: sleep 602
YAML
}

teardown_file() {
        compose_teardown_file
}

@test "compose top: docker compose v2's table" {
        cd "$BERTH_ROOT/p/cetp"
        run "$BERTH" compose top
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        "$BERTH" compose up -d >/dev/null 2>&1
        run "$BERTH" compose top
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 4 ]
        [[ "${lines[0]}" =~ ^SERVICE\ \ #\ \ \ UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
        [[ "${lines[1]}" =~ ^db\ +1\ +root\ +[0-9]+\ +[0-9]+\ +0\ +[0-9]{2}:[0-9]{2}\ +\?\ +00:00:00\ +sleep\ 602$ ]]
        [[ "${lines[2]}" =~ ^web\ +1\ +root\ +[0-9]+\ +[0-9]+\ +.*sleep\ 601$ ]]
        [[ "${lines[3]}" =~ ^web\ +2\ +root\ +[0-9]+\ +[0-9]+\ +.*sleep\ 601$ ]]
        # the columns line up: CMD starts at the same place on every line
        col=$(awk '{ print index($0, "sleep") }' <<<"${lines[1]}")
        [ "$(awk '{ print index($0, "CMD") }' <<<"${lines[0]}")" = "$col" ]
        run "$BERTH" compose top web
        [ "${#lines[@]}" -eq 3 ]
        # berth top: docker's columns, minwidth 20
        run "$BERTH" top cetp-db-1
        [[ "${lines[0]}" == "UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD" ]]
        [[ "${lines[1]}" =~ ^root\ {16}[0-9]+\ +[0-9]+\ +0\ {19}.*sleep\ 602$ ]]
        "$BERTH" compose down -t 0 >/dev/null 2>&1
}
