#!/usr/bin/env bats
# compose v2 behaviour beyond up/down: --dry-run, down/ps with -p and no
# compose file, events, ls columns, secrets/configs.  Projects cm*, subnets
# from 10.235.0.0/16 (BERTH_ADDRESS_POOLS).

load compose_common

setup_file() {
        compose_setup_file cm 10.235.0.0/16:24
}

teardown_file() {
        compose_teardown_file
}

two_services() {
        proj "$1" <<EOF2
name: $1
services:
  db:
    image: busybox
    command: ["sleep", "300"]
    stop_grace_period: 1s
  web:
    image: busybox
    command: ["sleep", "300"]
    stop_grace_period: 1s
    depends_on: [db]
volumes:
  data: {}
EOF2
}

# "ID State StartedAt" of the project's containers (cwd's project)
ids_states() {
        "$BERTH" compose ps -a -q | sort | while read -r id; do
                "$BERTH" inspect -f '{{.Id}} {{.State.Status}} {{.State.StartedAt}}' "$id"
        done
}

# the state dir without the project files
state() { find "$BERTH_ROOT" -path "$BERTH_ROOT/p" -prune -o -print | sort; }

@test "dry-run up -d reports the plan and creates nothing" {
        two_services cmdry
        cd "$BERTH_ROOT/p/cmdry"
        before=$(state)
        run "$BERTH" compose --dry-run up -d
        echo "$output"
        [ "$status" -eq 0 ]
        output_has " DRY-RUN MODE -  Network cmdry_default  Created" \
                " DRY-RUN MODE -  Volume cmdry_data  Created" \
                " DRY-RUN MODE -  Container cmdry-db-1  Created" \
                " DRY-RUN MODE -  Container cmdry-web-1  Started"
        # db is created and started before web (depends_on)
        db=$(grep -n 'cmdry-db-1  Starting' <<<"$output" | cut -d: -f1)
        web=$(grep -n 'cmdry-web-1  Starting' <<<"$output" | cut -d: -f1)
        [ "$db" -lt "$web" ]
        [ "$(state)" = "$before" ]
        [ -z "$("$BERTH" ps -aq)" ]
        [ -z "$("$BERTH" network ls -q)" ]
        [ -z "$("$BERTH" volume ls -q)" ]
        ! nft list table ip "$(table)" 2>/dev/null || false
}

@test "dry-run down/stop/rm on a running project change nothing" {
        two_services cmdry2
        cd "$BERTH_ROOT/p/cmdry2"
        "$BERTH" compose up -d
        before=$(ids_states)
        run "$BERTH" compose --dry-run up -d
        [ "$status" -eq 0 ]
        [[ "$output" == *"Container cmdry2-web-1  Running"* ]]
        [[ "$output" != *"Created"* ]]
        run "$BERTH" compose --dry-run down -v
        echo "$output"
        [ "$status" -eq 0 ]
        output_has " DRY-RUN MODE -  Container cmdry2-web-1  Removed" \
                " DRY-RUN MODE -  Network cmdry2_default  Removed" \
                " DRY-RUN MODE -  Volume cmdry2_data  Removed"
        # web (the dependent) goes first
        web=$(grep -n 'cmdry2-web-1  Stopping' <<<"$output" | cut -d: -f1)
        db=$(grep -n 'cmdry2-db-1  Stopping' <<<"$output" | cut -d: -f1)
        [ "$web" -lt "$db" ]
        run "$BERTH" compose --dry-run stop web
        [ "$status" -eq 0 ]
        [[ "$output" == *"Container cmdry2-web-1  Stopped"* ]]
        [[ "$output" != *"cmdry2-db-1"* ]]
        run "$BERTH" compose --dry-run rm -f
        [[ "$output" == *"No stopped containers"* ]]
        run "$BERTH" compose --dry-run kill
        [ "$status" -ne 0 ]
        [[ "$output" == *"does not support --dry-run"* ]]
        [ "$(ids_states)" = "$before" ]
        [ "$("$BERTH" compose ps -q | wc -l)" -eq 2 ]
        "$BERTH" volume inspect cmdry2_data >/dev/null
        "$BERTH" compose down -v -t 0
}

@test "ps, stop and down with -p work without a compose file" {
        two_services cmlbl
        "$BERTH" compose -f "$BERTH_ROOT/p/cmlbl/compose.yaml" up -d
        mkdir -p "$BERTH_ROOT/empty"
        cd "$BERTH_ROOT/empty"
        run "$BERTH" compose ps
        [ "$status" -ne 0 ]
        run "$BERTH" compose -p cmlbl ps
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"cmlbl-db-1"* ]]
        [[ "$output" == *"cmlbl-web-1"* ]]
        run "$BERTH" compose -p cmlbl ps --format json
        [[ "$output" == *'"Project":"cmlbl"'* ]]
        run "$BERTH" compose -p cmlbl stop web
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"cmlbl-web-1  Stopped"* ]]
        [ "$("$BERTH" inspect -f '{{.State.Status}}' cmlbl-web-1)" = exited ]
        [ "$("$BERTH" inspect -f '{{.State.Status}}' cmlbl-db-1)" = running ]
        [ "$("$BERTH" compose -p cmlbl ps -a -q | wc -l)" -eq 2 ]
        run "$BERTH" compose -p cmlbl --dry-run down -v
        [[ "$output" == *"DRY-RUN MODE -  Container cmlbl-web-1  Removed"* ]]
        [ "$("$BERTH" compose -p cmlbl ps -a -q | wc -l)" -eq 2 ]
        run "$BERTH" compose -p cmlbl down -v -t 1
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Network cmlbl_default  Removed"* ]]
        [[ "$output" == *"Volume cmlbl_data  Removed"* ]]
        [ -z "$("$BERTH" ps -aq)" ]
        ! "$BERTH" network inspect cmlbl_default >/dev/null 2>&1 || false
        ! "$BERTH" volume inspect cmlbl_data >/dev/null 2>&1 || false
}

@test "events --json reports start and die while restart runs" {
        two_services cmev
        cd "$BERTH_ROOT/p/cmev"
        "$BERTH" compose up -d
        "$BERTH" compose events --json >"$BERTH_ROOT/ev.json" 2>"$BERTH_ROOT/ev.err" &
        pid=$!
        sleep 1
        "$BERTH" compose restart -t 1 web
        sleep 2
        kill "$pid"
        wait "$pid" || true
        cat "$BERTH_ROOT/ev.json" "$BERTH_ROOT/ev.err"
        python3 - "$BERTH_ROOT/ev.json" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
acts = [(e["action"], e["service"]) for e in ev]
assert ("die", "web") in acts and ("start", "web") in acts, acts
assert acts.index(("die", "web")) < len(acts) - 1 - acts[::-1].index(("start", "web")), acts
assert all(e["service"] == "web" for e in ev), acts
for e in ev:
    assert e["type"] == "container" and e["attributes"]["name"] == "cmev-web-1"
    assert e["attributes"]["image"] == "busybox" and len(e["id"]) == 64 and e["time"]
PY
        "$BERTH" compose down -t 0
}

@test "events text lines and destroy on down" {
        two_services cmev2
        cd "$BERTH_ROOT/p/cmev2"
        "$BERTH" compose events db >"$BERTH_ROOT/ev2.txt" &
        pid=$!
        sleep 1
        "$BERTH" compose up -d
        "$BERTH" compose down -t 0
        sleep 2
        kill "$pid"
        wait "$pid" || true
        cat "$BERTH_ROOT/ev2.txt"
        grep -E '^[0-9-]{10} [0-9:.]{15} container create [0-9a-f]{64} \(image=busybox, name=cmev2-db-1\)$' "$BERTH_ROOT/ev2.txt"
        grep -q ' container start ' "$BERTH_ROOT/ev2.txt"
        grep -q ' container destroy ' "$BERTH_ROOT/ev2.txt"
        # read from the events journal: what no state change shows is there too
        grep -E ' container kill [0-9a-f]{64} \(image=busybox, name=cmev2-db-1, signal=15\)$' "$BERTH_ROOT/ev2.txt"
        grep -q ' container stop ' "$BERTH_ROOT/ev2.txt"
        ! grep -q cmev2-web-1 "$BERTH_ROOT/ev2.txt" || false
}

@test "ls shows NAME STATUS CONFIG FILES with running(N)" {
        two_services cmls
        "$BERTH" compose -f "$BERTH_ROOT/p/cmls/compose.yaml" up -d
        run "$BERTH" compose ls
        echo "$output"
        [[ "${lines[0]}" =~ ^NAME\ +STATUS\ +CONFIG\ FILES$ ]]
        [[ "$output" =~ cmls\ +running\(2\)\ +$BERTH_ROOT/p/cmls/compose.yaml ]]
        "$BERTH" compose -f "$BERTH_ROOT/p/cmls/compose.yaml" stop web
        run "$BERTH" compose ls --format json
        [[ "$output" == *'"Name":"cmls"'* ]]
        [[ "$output" == *'"Status":"exited(1), running(1)"'* ]]
        [[ "$output" == *"\"ConfigFiles\":\"$BERTH_ROOT/p/cmls/compose.yaml\""* ]]
        "$BERTH" compose -f "$BERTH_ROOT/p/cmls/compose.yaml" stop
        run "$BERTH" compose ls -q
        [[ "$output" != *cmls* ]]
        run "$BERTH" compose ls -a -q
        [[ "$output" == *cmls* ]]
        run "$BERTH" compose ls -a -q --filter 'name=^cml[s]$'
        [ "$output" = cmls ]
        run "$BERTH" compose ls -a -q --filter name=nomatch
        [ -z "$output" ]
        run "$BERTH" compose ls --filter status=running
        [ "$status" -ne 0 ]
        "$BERTH" compose -f "$BERTH_ROOT/p/cmls/compose.yaml" down -t 0
}

@test "file secrets and configs are read-only mounts; unsupported keys warn once" {
        proj cmsec <<'EOF2'
name: cmsec
services:
  app:
    image: busybox
    command: ["sh", "-c", "cat /run/secrets/pw /run/secrets/other /app.conf /etc/my.conf; echo x >/run/secrets/pw || echo RO; sleep 300"]
    stop_grace_period: 1s
    scale: 2
    network_mode: none
    secrets:
      - pw
      - source: pw
        target: other
    configs:
      - app.conf
      - source: app.conf
        target: /etc/my.conf
      - inline
    sysctls:
      net.core.somaxconn: 1024
    ipc: host
    cpu_shares: 512
secrets:
  pw:
    file: ./pw.txt
configs:
  app.conf:
    file: ./app.conf
  inline:
    content: hello
EOF2
        cd "$BERTH_ROOT/p/cmsec"
        echo s3cret >pw.txt
        echo key=v >app.conf
        run "$BERTH" compose --progress plain up -d
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(grep -c 'service app: `sysctls` is not supported' <<<"$output")" -eq 0 ]
        [ "$("$BERTH" exec cmsec-app-1 cat /proc/sys/net/core/somaxconn)" = 1024 ]
        [ "$(grep -c 'service app: `ipc` is not supported' <<<"$output")" -eq 1 ]
        [ "$(grep -c '`configs: inline` is not backed by a file' <<<"$output")" -eq 1 ]
        [[ "$output" != *"secrets\`/\`configs\` are ignored"* ]]
        for i in $(seq 50); do
                [ "$("$BERTH" logs cmsec-app-1 2>&1 | grep -c .)" -ge 5 ] && break
                sleep 0.1
        done
        run "$BERTH" logs cmsec-app-1
        echo "$output"
        [ "${lines[0]}" = s3cret ]
        [ "${lines[1]}" = s3cret ]
        [ "${lines[2]}" = key=v ]
        [ "${lines[3]}" = key=v ]
        [[ "$output" == *RO* ]]
        [ "$("$BERTH" inspect -f '{{.HostConfig.CpuShares}}' cmsec-app-2)" = 512 ]
        "$BERTH" compose down -t 0
}

@test "a secret that names no top-level secret fails up" {
        proj cmsec2 <<'EOF2'
name: cmsec2
services:
  app:
    image: busybox
    command: ["sleep", "1"]
    network_mode: none
    secrets: [nope]
EOF2
        cd "$BERTH_ROOT/p/cmsec2"
        run "$BERTH" compose up -d
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"nope"* ]]
        [ -z "$("$BERTH" compose ps -aq)" ]
}

@test "attached up shows only the log lines written since it began" {
        proj cmlog <<'EOF2'
name: cmlog
services:
  a:
    image: busybox
    init: true
    command: ["sh", "-c", "echo line-$$(cat /proc/sys/kernel/random/uuid | cut -c1-8); exit 3"]
EOF2
        cd "$BERTH_ROOT/p/cmlog"
        run "$BERTH" compose up --exit-code-from a
        [ "$status" -eq 3 ]
        first=$(echo "$output" | grep -o 'line-[0-9a-f]*')
        [ "$(echo "$first" | wc -l)" -eq 1 ]
        # the container is started again: its first run's line is old news
        run "$BERTH" compose up --exit-code-from a
        [ "$status" -eq 3 ]
        [ "$(echo "$output" | grep -c 'line-')" -eq 1 ]
        ! echo "$output" | grep -q "$first" || false
        # `logs` still has both runs
        run "$BERTH" compose logs a
        [ "$(echo "$output" | grep -c 'line-')" -eq 2 ]
        "$BERTH" compose down -t 0
}

@test "attached up --timestamps and --no-log-prefix; logs -t" {
        proj cmts <<'EOF2'
name: cmts
services:
  a:
    image: busybox
    init: true
    command: ["sh", "-c", "echo hello-ts; exit 0"]
EOF2
        cd "$BERTH_ROOT/p/cmts"
        run "$BERTH" compose up --timestamps --no-color --abort-on-container-exit
        [ "$status" -eq 0 ]
        echo "$output" | grep -Eq '^a-1 +\| [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z hello-ts$'
        run "$BERTH" compose up --no-log-prefix --abort-on-container-exit
        echo "$output" | grep -qx 'hello-ts'
        run "$BERTH" compose logs -t --no-color a
        echo "$output" | grep -Eq '^a-1 +\| [0-9]{4}-[0-9-]+T[0-9:.]+Z hello-ts$'
        "$BERTH" compose down -t 0
}

@test "--always-recreate-deps recreates the dependencies of the services named, not them" {
        proj cmdeps <<'EOF2'
name: cmdeps
services:
  db:
    image: busybox
    init: true
    command: ["sleep", "300"]
  web:
    image: busybox
    init: true
    command: ["sleep", "300"]
    depends_on: [db]
EOF2
        cd "$BERTH_ROOT/p/cmdeps"
        "$BERTH" compose up -d
        db1=$("$BERTH" compose ps -q db) web1=$("$BERTH" compose ps -q web)
        "$BERTH" compose up -d web
        [ "$("$BERTH" compose ps -q db)" = "$db1" ]
        "$BERTH" compose up -d --always-recreate-deps web
        db2=$("$BERTH" compose ps -q db)
        [ -n "$db2" ]
        [ "$db2" != "$db1" ]
        [ "$("$BERTH" compose ps -q web)" = "$web1" ]
        run "$BERTH" compose up -d --always-recreate-deps --no-recreate web
        [ "$status" -ne 0 ]
        [[ "$output" == *"incompatible"* ]]
        "$BERTH" compose down -t 0
}

@test "attached up follows only the services named, and their dependencies with --attach-dependencies" {
        proj cmatt <<'EOF2'
name: cmatt
services:
  db:
    image: busybox
    init: true
    command: ["sh", "-c", "echo db-line; exec sleep 300"]
  web:
    image: busybox
    init: true
    command: ["sh", "-c", "sleep 1; echo web-line"]
    depends_on: [db]
EOF2
        cd "$BERTH_ROOT/p/cmatt"
        run "$BERTH" compose up --abort-on-container-exit web
        [[ "$output" == *"web-line"* ]]
        [[ "$output" != *"db-line"* ]]
        run "$BERTH" compose up --attach-dependencies --abort-on-container-exit web
        [[ "$output" == *"web-line"* ]]
        [[ "$output" == *"db-line"* ]]
        "$BERTH" compose down -t 0
}
