#!/usr/bin/env bats
# `compose --dry-run up` prints the plan that `up` then executes: the same
# planner (engine/plan.h), checked here over the same scenarios by comparing
# what each says happened to every container (its last word: Started,
# Running, Recreated, Removed...).  Projects en*, no networks (network_mode
# none), pool 10.249.0.0/16 unused but set.

load compose_common

setup_file() {
        compose_setup_file en 10.249.0.0/16:24
}

teardown_file() {
        compose_teardown_file
}

# last_words OUTPUT: "NAME WORD" per container, the last word said of it, sorted.
last_words() {
        sed -n 's/^.*Container \([^ ]*\)  *\([A-Za-z]*\)$/\1 \2/p' <<<"$1" |
                awk '{w[$1]=$2} END {for (n in w) print n, w[n]}' | sort
}

# same_plan ARGS...: dry-run of `up ARGS`, then `up ARGS`: the same words.
same_plan() {
        run bc enp --dry-run up -d "$@"
        [ "$status" -eq 0 ] || { echo "dry-run: $output"; return 1; }
        local dry
        dry=$(last_words "$output")
        run bc enp up -d "$@"
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
  web:
    image: busybox
    command: sleep 300
    network_mode: none
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
Y
        same_plan
        sed -i '/^  web:/,/depends_on/d' "$BERTH_ROOT/p/enp/compose.yaml"
        same_plan --remove-orphans
}
