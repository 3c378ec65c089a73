#!/usr/bin/env bats
# `compose --dry-run up` prints the plan that `up` then executes: the same
# planner (engine/plan.h), checked here over the same scenarios by comparing
# what each says happened to every container and every build (its last word:
# Started, Running, Recreated, Removed, Built...).  Projects en* and epb, no
# networks (network_mode none), pool 10.249.0.0/16 unused but set.  The
# services stop on SIGKILL: a sleeping PID 1 ignores SIGTERM, and each
# recreate would wait out the 10 s grace period (75 s for the file).

load compose_common

setup_file() {
        compose_setup_file en 10.249.0.0/16:24
}

teardown_file() {
        compose_teardown_file
}

# last_words OUTPUT: "NAME WORD" per container and built service, the last
# word said of it, sorted.
last_words() {
        sed -n 's/^.*\(Container\|Service\) \([^ ]*\)  *\([A-Za-z]*\)$/\1:\2 \3/p' <<<"$1" |
                awk '{w[$1]=$2} END {for (n in w) print n, w[n]}' | sort
}

# same_plan ARGS...: dry-run of `up ARGS`, then `up ARGS` (project $P, else
# enp): the same words.
same_plan() {
        run bc "${P:-enp}" --dry-run up -d "$@"
        [ "$status" -eq 0 ] || { echo "dry-run: $output"; return 1; }
        local dry
        dry=$(last_words "$output")
        run bc "${P:-enp}" up -d "$@"
        [ "$status" -eq 0 ] || { echo "up: $output"; return 1; }
        local real
        real=$(last_words "$output")
        [ -n "$dry" ] || { echo "no plan"; return 1; }
        [ "$dry" = "$real" ] || { printf 'dry-run:\n%s\nup:\n%s\n' "$dry" "$real"; return 1; }
}

@test "dry-run and up give the same plan: create, scale up, keep, deps, config change, scale down, orphans" {
        proj enp <<'Y'
name: enp
services:
  db:
    image: busybox
    command: sleep 300
    network_mode: none
    stop_signal: SIGKILL
  web:
    image: busybox
    command: sleep 300
    network_mode: none
    stop_signal: SIGKILL
    depends_on: [db]
Y
        same_plan
        same_plan --scale web=2
        same_plan --scale web=2
        same_plan --scale web=2 --always-recreate-deps web
        same_plan --scale web=2 --force-recreate
        sed -i 's/command: sleep 300$/command: sleep 301/' "$BERTH_ROOT/p/enp/compose.yaml"
        same_plan --scale web=2
        same_plan --scale web=1
        bc enp stop -t 0 db >/dev/null 2>&1
        same_plan
        cat >>"$BERTH_ROOT/p/enp/compose.yaml" <<'Y'
  side:
    image: busybox
    command: sleep 300
    network_mode: service:db
    stop_signal: SIGKILL
Y
        same_plan
        sed -i '/^  web:/,/depends_on/d' "$BERTH_ROOT/p/enp/compose.yaml"
        same_plan --remove-orphans
}

@test "dry-run and up give the same plan: builds (image missing, present, --no-build, --build, pull_policy: build)" {
        mkdir -p "$BERTH_ROOT/p/epb/app"
        printf 'FROM busybox\nCOPY msg /msg\nCMD ["sleep", "300"]\n' >"$BERTH_ROOT/p/epb/app/Dockerfile"
        echo v1 >"$BERTH_ROOT/p/epb/app/msg"
        proj epb <<'Y'
name: epb
services:
  app:
    build: {context: ./app, network: none}
    network_mode: none
    stop_signal: SIGKILL
  tool:
    image: epb-tool:1
    build: {context: ./app, network: none}
    pull_policy: build
    network_mode: none
    stop_signal: SIGKILL
Y
        P=epb
        same_plan
        [[ $output == *"Service app  Built"* && $output == *"Service tool  Built"* ]]
        same_plan
        [[ $output != *"Service app  Built"* && $output == *"Service tool  Built"* ]]
        same_plan --no-build
        [[ $output != *Built* ]]
        same_plan --build
        [[ $output == *"Service app  Built"* && $output == *"epb-app-1  Running"* ]]
        # --no-build with the image gone: nothing is built, the create fails
        bc epb down -t 0 >/dev/null 2>&1
        "$BERTH" rmi epb-app >/dev/null
        run bc epb --dry-run up -d --no-build app
        [ "$status" -eq 0 ]
        [[ $output != *Built* && $output == *"epb-app-1  Created"* ]]
        run bc epb up -d --no-build app
        [ "$status" -ne 0 ]
        [[ $output != *Built* ]]
}

@test "dry-run up reads up's own options: the same refusals, the same flags" {
        proj epo <<'Y'
name: epo
services:
  one:
    image: busybox
    command: sleep 300
    network_mode: none
Y
        local args
        for args in "--force-recreate --no-recreate" "--always-recreate-deps --no-recreate" \
                "--pull sometimes" "--abort-on-container-exit -d"; do
                run bc epo up $args
                local real=$status want=$output
                run bc epo --dry-run up $args
                [ "$status" -eq "$real" ] && [ "$status" -ne 0 ] && [ "$output" = "$want" ] ||
                        { printf '%s: up %s "%s", dry-run %s "%s"\n' "$args" "$real" "$want" "$status" "$output"; false; }
        done
        # flags only `up` acted on before are read by the dry run too
        run bc epo --dry-run up -d --watch --no-build --quiet-pull one
        [ "$status" -eq 0 ]
        [[ $output == *"epo-one-1  Created"* ]]
        [ -z "$(bc epo ps -aq)" ]
}
