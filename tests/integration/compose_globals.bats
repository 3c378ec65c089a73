#!/usr/bin/env bats
# compose's project flags after the subcommand, as docker compose v2 treats
# them: -f, -p, --project-directory, --env-file and --profile are flags of
# `compose` itself (cobra local flags there), so `compose up -f x` is refused
# with cobra's error, while a subcommand's own flag of that name (logs -f,
# rm -f, run -p) keeps working; --dry-run is persistent and works after the
# subcommand.  Project cegp, subnets 10.173.0.0/16.
load compose_common

setup_file() {
        compose_setup_file ce-glob 10.173.0.0/16:24
        mkdir -p "$BERTH_ROOT/p/cegp"
        cat >"$BERTH_ROOT/p/cegp/compose.yaml" <<'YAML'
name: cegp
services:
  web:
    image: busybox
    command: sleep 600
YAML
}

teardown_file() {
        compose_teardown_file
}

@test "project flags after the subcommand: docker compose v2's errors, nothing done" {
        cd "$BERTH_ROOT/p/cegp"
        run "$BERTH" compose up -f compose.yaml -d
        [ "$status" -eq 125 ]
        [[ "${lines[0]}" == "unknown shorthand flag: 'f' in -f" ]]
        [[ "$output" == *"See 'berth compose up --help'."* ]]
        run "$BERTH" compose up -fcompose.yaml -d
        [[ "${lines[0]}" == "unknown shorthand flag: 'f' in -fcompose.yaml" ]]
        run "$BERTH" compose up web -p other -d
        [[ "${lines[0]}" == "unknown shorthand flag: 'p' in -p" ]]
        for f in --project-name --file --project-directory --env-file --profile; do
                run "$BERTH" compose ps "$f=x"
                [ "$status" -eq 125 ]
                [ "${lines[0]}" = "unknown flag: $f" ]
        done
        # nothing was made
        run "$BERTH" ps -aq
        [ -z "$output" ]
        # before the subcommand they work
        run "$BERTH" compose -p cegp -f compose.yaml --dry-run up -d
        [ "$status" -eq 0 ]
}

@test "--dry-run after the subcommand; a subcommand's own -f / -p still are its own" {
        cd "$BERTH_ROOT/p/cegp"
        run "$BERTH" compose up --dry-run -d
        [ "$status" -eq 0 ]
        [[ "$output" == *"DRY-RUN MODE -  Container cegp-web-1  Created"* ]]
        run "$BERTH" ps -aq
        [ -z "$output" ]
        # after run's service, flags are the command's
        run "$BERTH" compose run --rm web echo --dry-run -f -p
        [ "$status" -eq 0 ]
        [ "${lines[-1]}" = "--dry-run -f -p" ]
        "$BERTH" compose up -d
        run timeout 10 "$BERTH" compose logs -f --no-log-prefix --until 0s web
        [ "$status" -eq 0 ]
        "$BERTH" compose stop -t 0
        run "$BERTH" compose rm -f
        [ "$status" -eq 0 ]
        run "$BERTH" ps -aq
        [ -z "$output" ]
}
