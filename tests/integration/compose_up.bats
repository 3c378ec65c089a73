#!/usr/bin/env bats
# berth compose up/down and the lifecycle commands: the hello example end to
# end, reconcile (recreate on change, scale, orphans), depends_on health,
# abort-on-exit, parallel projects, an interrupted up, networks and volumes.
# Projects cu*, subnets from 10.233.0.0/16 (BERTH_ADDRESS_POOLS).

load compose_common

setup_file() {
        compose_setup_file cu 10.233.0.0/16:24
        export HELLO_PORT=18233
}

teardown_file() {
        "$BERTH" compose -f "$BERTH_SRC/examples/hello/compose.yaml" -p cuhello down -v -t 0 \
                >/dev/null 2>&1
        for p in cutwo1 cutwo2; do
                "$BERTH" compose -f "$BERTH_ROOT/p/cutwo/compose.yaml" -p $p down -t 0 >/dev/null 2>&1
        done
        compose_teardown_file
}

nothing_left() { # nothing_left PROJECT: no container, network or volume of it
        run "$BERTH" ps -a
        [[ "$output" != *" $1-"* ]]
        run "$BERTH" network ls
        [[ "$output" != *" $1_"* ]]
        run "$BERTH" volume ls
        [[ "$output" != *" $1_"* ]]
}

# sleepers SVC...: a compose file of busybox services that sleep (with an
# init), one a name, in order
sleepers() {
        local s
        echo services:
        for s in "$@"; do
                printf '  %s:\n    image: busybox:latest\n    init: true\n    command: ["sleep", "1000"]\n' "$s"
        done
}

@test "hello example: up -d --wait, curl through web -> api -> worker, ps/logs/exec/run/restart, down -v" {
        H=(compose -f "$BERTH_SRC/examples/hello/compose.yaml" -p cuhello)
        run "$BERTH" "${H[@]}" up -d --wait
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Network cuhello_backend"*"Created"* ]]
        run curl -s --max-time 5 "http://127.0.0.1:$HELLO_PORT/cgi-bin/hello"
        echo "$output"
        [[ "$output" == *"web: served by"* ]]
        [[ "$output" == *"api: hello from"* ]]
        [[ "$output" == *"worker: job done by"* ]]
        run "$BERTH" "${H[@]}" ps --format json
        [ "${#lines[@]}" -eq 3 ]
        [ "$(echo "${lines[2]}" | jq -r .Service)" = worker ]
        [ "$(echo "${lines[2]}" | jq -r .Name)" = cuhello-worker-1 ]
        [ "$(echo "${lines[2]}" | jq -r .State)" = running ]
        [ "$(echo "${lines[1]}" | jq -r '.Publishers[0].PublishedPort')" = "$HELLO_PORT" ]
        run "$BERTH" "${H[@]}" ps
        [[ "${lines[0]}" == NAME*IMAGE*COMMAND*SERVICE*CREATED*STATUS*PORTS ]]
        [[ "$output" == *"127.0.0.1:$HELLO_PORT->80/tcp"* ]]
        # --wait watched the health the monitor records: ps shows it
        [[ "$output" == *"cuhello-api-1"*"(healthy)"* ]]
        run "$BERTH" inspect cuhello-api-1
        [ "$(echo "$output" | jq -r '.[0].State.Health.Status')" = healthy ]
        run "$BERTH" "${H[@]}" ps --services
        [ "$output" = "$(printf 'api\nweb\nworker')" ]
        run "$BERTH" inspect cuhello-api-1
        [ "$(echo "$output" | jq -r '.[0].Config.Labels | [."com.docker.compose.project", ."com.docker.compose.service", ."com.docker.compose.container-number", ."com.docker.compose.oneoff"] | join("/")')" = "cuhello/api/1/False" ]
        run "$BERTH" "${H[@]}" exec -T api sh -c 'echo $GREETING'
        [ "$output" = hello ]
        run "$BERTH" "${H[@]}" run --rm -T worker wget -qO- http://api:8080/cgi-bin/answer
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"api: hello"* ]]
        run "$BERTH" "${H[@]}" run --rm -T worker sh -c 'exit 7'
        [ "$status" -eq 7 ]
        # one-off containers are gone with --rm
        run "$BERTH" ps -a --format '{{.Names}}'
        [[ "$output" != *"-run-"* ]]
        curl -s --max-time 5 "http://127.0.0.1:$HELLO_PORT/cgi-bin/hello" >/dev/null
        run "$BERTH" "${H[@]}" logs web
        [[ "$output" == "web-1  | "* ]] || [[ "$output" == "" ]]
        old=$("$BERTH" inspect -f '{{.State.StartedAt}}' cuhello-api-1)
        run "$BERTH" "${H[@]}" restart -t 1 api
        [ "$status" -eq 0 ]
        [ "$("$BERTH" inspect -f '{{.State.StartedAt}}' cuhello-api-1)" != "$old" ]
        run "$BERTH" "${H[@]}" down -v -t 1
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Network cuhello_backend"*"Removed"* ]]
        nothing_left cuhello
        ! curl -s --max-time 2 "http://127.0.0.1:$HELLO_PORT/cgi-bin/hello" || false
}

@test "up recreates only the service whose configuration changed" {
        { sleepers a b; printf '    environment:\n      FOO: ${FOO:-one}\n'; } | proj curec
        run bc curec up -d
        [ "$status" -eq 0 ]
        a1=$("$BERTH" inspect -f '{{.Id}}' curec-a-1)
        b1=$("$BERTH" inspect -f '{{.Id}}' curec-b-1)
        run bc curec up -d
        [ "$status" -eq 0 ]
        [[ "$output" == *"curec-a-1  Running"* ]]
        [[ "$output" == *"curec-b-1  Running"* ]]
        [ "$("$BERTH" inspect -f '{{.Id}}' curec-b-1)" = "$b1" ]
        FOO=two run bc curec up -d
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"curec-b-1  Recreate"* ]]
        [ "$("$BERTH" inspect -f '{{.Id}}' curec-a-1)" = "$a1" ]
        b2=$("$BERTH" inspect -f '{{.Id}}' curec-b-1)
        [ "$b2" != "$b1" ]
        run "$BERTH" exec curec-b-1 sh -c 'echo $FOO'
        [ "$output" = two ]
        FOO=two run bc curec up -d --force-recreate a
        [ "$("$BERTH" inspect -f '{{.Id}}' curec-a-1)" != "$a1" ]
        [ "$("$BERTH" inspect -f '{{.Id}}' curec-b-1)" = "$b2" ]
        run bc curec up -d --no-recreate
        [ "$("$BERTH" inspect -f '{{.Id}}' curec-b-1)" = "$b2" ]
        bc curec down -t 0
        nothing_left curec
}

@test "orphans are reported, and removed with --remove-orphans" {
        sleepers a b | proj cuorph
        bc cuorph up -d
        sed -i '/^  b:/,$d' "$BERTH_ROOT/p/cuorph/compose.yaml"
        run bc cuorph up -d
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Found orphan containers ([cuorph-b-1]) for this project"*"--remove-orphans"* ]]
        "$BERTH" inspect cuorph-b-1 >/dev/null
        run bc cuorph up -d --remove-orphans
        [ "$status" -eq 0 ]
        ! "$BERTH" inspect cuorph-b-1 >/dev/null 2>&1 || false
        "$BERTH" inspect cuorph-a-1 >/dev/null
        bc cuorph down -t 0
        nothing_left cuorph
}

@test "--scale adds replicas and removes the highest numbers first" {
        sleepers a | proj cuscale
        run bc cuscale up -d --scale a=3
        [ "$status" -eq 0 ]
        run bc cuscale ps --format json
        [ "${#lines[@]}" -eq 3 ]
        a1=$("$BERTH" inspect -f '{{.Id}}' cuscale-a-1)
        run bc cuscale up -d --scale a=1
        [ "$status" -eq 0 ]
        run bc cuscale ps -q
        [ "${#lines[@]}" -eq 1 ]
        [ "$("$BERTH" inspect -f '{{.Id}}' cuscale-a-1)" = "$a1" ]
        ! "$BERTH" inspect cuscale-a-3 >/dev/null 2>&1 || false
        bc cuscale down -t 0
        nothing_left cuscale
}

@test "depends_on service_healthy: an unhealthy dependency fails up; --wait times out" {
        proj cuhc <<'EOF'
services:
  db:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 200ms
      retries: 2
  app:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
    depends_on:
      db:
        condition: service_healthy
  slow:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
    profiles: [slow]
    healthcheck:
      test: ["CMD", "sh", "-c", "test -e /ready"]
      interval: 200ms
      retries: 1000
EOF
        run bc cuhc up -d
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"dependency failed to start: container cuhc-db-1 is unhealthy"* ]]
        ! "$BERTH" inspect cuhc-app-1 >/dev/null 2>&1 || false
        start=$(date +%s)
        run bc cuhc --profile slow up -d --wait --wait-timeout 1 slow
        echo "$output"
        [ "$status" -ne 0 ]
        [[ "$output" == *"cuhc-slow-1"* ]]
        [ $(($(date +%s) - start)) -lt 8 ]
        bc cuhc --profile slow down -t 0
        nothing_left cuhc
}

@test "service_completed_successfully waits for the dependency to exit 0" {
        proj cudone <<'EOF'
services:
  init:
    image: busybox:latest
    command: ["sh", "-c", "sleep 0.5; echo done > /v/flag"]
    volumes: [data:/v]
  app:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
    volumes: [data:/v]
    depends_on:
      init:
        condition: service_completed_successfully
volumes:
  data: {}
EOF
        run bc cudone up -d
        echo "$output"
        [ "$status" -eq 0 ]
        run "$BERTH" exec cudone-app-1 cat /v/flag
        [ "$output" = done ]
        bc cudone down -v -t 0
        nothing_left cudone
}

@test "--abort-on-container-exit with --exit-code-from returns that service's code" {
        proj cuabort <<'EOF'
services:
  job:
    image: busybox:latest
    command: ["sh", "-c", "echo working; sleep 0.3; exit 3"]
  srv:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
EOF
        run timeout 60 "$BERTH" compose -f "$BERTH_ROOT/p/cuabort/compose.yaml" up \
                --abort-on-container-exit --exit-code-from job -t 1
        echo "$output"
        [ "$status" -eq 3 ]
        [[ "$output" == *"job-1  | working"* ]]
        [[ "$output" == *"job-1 exited with code 3"* ]]
        run "$BERTH" inspect -f '{{.State.Status}}' cuabort-srv-1
        [ "$output" = exited ]
        bc cuabort down -t 0
        nothing_left cuabort
}

@test "two projects with the same service names run side by side" {
        proj cutwo <<'EOF'
services:
  web:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
EOF
        bc cutwo -p cutwo1 up -d
        bc cutwo -p cutwo2 up -d
        run bc cutwo -p cutwo1 ps --format json
        [ "${#lines[@]}" -eq 1 ]
        [ "$(echo "$output" | jq -r .Name)" = cutwo1-web-1 ]
        run "$BERTH" network ls
        [[ "$output" == *cutwo1_default* ]]
        [[ "$output" == *cutwo2_default* ]]
        run "$BERTH" compose ls --format json
        [[ "$output" == *'"Name":"cutwo1"'* ]]
        bc cutwo -p cutwo1 down -t 0
        run bc cutwo -p cutwo2 ps -q
        [ "${#lines[@]}" -eq 1 ]
        run "$BERTH" network ls
        [[ "$output" != *cutwo1_default* ]]
        [[ "$output" == *cutwo2_default* ]]
        bc cutwo -p cutwo2 down -t 0
        nothing_left cutwo1
        nothing_left cutwo2
}

@test "kill -9 of the CLI in the middle of up: the next up and down reconcile" {
        proj cukill <<'EOF'
services:
  a:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
    scale: 12
  b:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
    depends_on: [a]
EOF
        # berth itself in the background (a backgrounded shell function would
        # make $! the subshell, and kill -9 would leave the CLI running)
        "$BERTH" compose -f "$BERTH_ROOT/p/cukill/compose.yaml" up -d >/dev/null 2>&1 &
        pid=$!
        sleep 0.15
        kill -9 $pid || true
        wait $pid || true
        run bc cukill up -d
        echo "$output"
        [ "$status" -eq 0 ]
        run bc cukill ps -q
        [ "${#lines[@]}" -eq 13 ]
        run bc cukill down -t 0
        [ "$status" -eq 0 ]
        nothing_left cukill
}

@test "down -v removes named volumes; without -v their data survives down/up" {
        proj cuvol <<'EOF'
services:
  a:
    image: busybox:latest
    init: true
    command: ["sleep", "1000"]
    volumes:
      - data:/data
volumes:
  data: {}
EOF
        bc cuvol up -d
        "$BERTH" exec cuvol-a-1 sh -c 'echo kept > /data/f'
        bc cuvol down -t 0
        run "$BERTH" volume ls -q
        [[ "$output" == *cuvol_data* ]]
        bc cuvol up -d
        run "$BERTH" exec cuvol-a-1 cat /data/f
        [ "$output" = kept ]
        run "$BERTH" volume inspect cuvol_data
        [ "$(echo "$output" | jq -r '.[0].Labels["com.docker.compose.project"]')" = cuvol ]
        bc cuvol down -v -t 0
        nothing_left cuvol
}

@test "a published port in use fails up before anything is created" {
        { sleepers a b; echo '    ports: ["18236:80"]'; } | proj cuport
        python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 18236)); s.listen(1); time.sleep(60)' &
        local holder=$!
        for _ in $(seq 50); do
                ss -ltn | grep -q ':18236 ' && break
                sleep 0.1
        done
        run bc cuport up -d
        kill "$holder"
        wait "$holder" || true
        [ "$status" -ne 0 ]
        [[ "$output" == *"service b: port 18236 is already in use"* ]]
        nothing_left cuport
        run "$BERTH" ps -a --format '{{.Names}}'
        [[ "$output" != *cuport-* ]]
        # the port free again: up works and publishes it
        bc cuport up -d
        run bc cuport ps --format json
        [ "${#lines[@]}" -eq 2 ]
        # an up of the running project does not trip over its own ports
        bc cuport up -d
        bc cuport down -t 0
        nothing_left cuport
}

@test "two services publishing the same host port conflict before anything is created" {
        proj cudup <<'EOF2'
services:
  a:
    image: busybox:latest
    command: ["sleep", "1000"]
    ports: ["18237:80"]
  b:
    image: busybox:latest
    command: ["sleep", "1000"]
    ports: ["127.0.0.1:18237:81"]
EOF2
        run bc cudup up -d
        [ "$status" -ne 0 ]
        [[ "$output" == *"port 18237 is already in use"* ]]
        nothing_left cudup
        run "$BERTH" ps -a --format '{{.Names}}'
        [[ "$output" != *cudup-* ]]
}
