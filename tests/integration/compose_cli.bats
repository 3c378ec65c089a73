#!/usr/bin/env bats
# CLI-level behaviour of `berth compose ... config`, checked against what
# docker compose v2 does: compose file discovery (parent directories, override
# file, COMPOSE_FILE, stdin), project name precedence, .env / --env-file /
# interpolation, profiles, and the config listing flags (--services,
# --volumes, --networks, --images, --profiles, --hash, -q, -o).
#
# Every test works on files it writes into its own temp dir and runs berth
# with a clean environment (env -i), so only the variables a test sets reach
# berth.  No root or kernel objects are needed.

load common

bats_require_minimum_version 1.5.0

setup() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-cli.XXXXXX)
        T=$(mktemp -d /tmp/berth-cli-files.XXXXXX)
}

teardown() {
        rm_dirs "${BERTH_ROOT:-}" "${T:-}"
}

# brt [VAR=value...] -- berth args...: berth in a clean environment.
brt() {
        local envs=()
        while [ $# -gt 0 ] && [ "$1" != "--" ]; do
                envs+=("$1")
                shift
        done
        shift
        env -i PATH="$PATH" HOME="$HOME" BERTH_ROOT="$BERTH_ROOT" "${envs[@]}" "$BERTH" "$@"
}

# sorted lines of $output, as one space-separated string
sorted() { printf '%s\n' "$output" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; }

# fail with the command's stderr shown
expect_ok() {
        if [ "$status" -ne 0 ]; then
                echo "exit $status, stderr: ${stderr:-}"
                echo "stdout: $output"
                return 1
        fi
}

# brt_ok ARGS...: run brt ARGS... (stderr apart); it succeeds
brt_ok() {
        run --separate-stderr brt "$@"
        expect_ok
}

# ---------------------------------------------------------------------------
# compose file discovery

# files_in DIR NAME TEXT [NAME TEXT]...: $T/DIR with each file NAME holding
# TEXT (printf's backslash escapes)
files_in() {
        local d=$T/$1
        shift
        mkdir -p "$d"
        while [ $# -ge 2 ]; do
                printf '%b' "$2" >"$d/$1"
                shift 2
        done
}

@test "compose file is found in a parent directory, with its override" {
        mkdir -p "$T/myproj/sub/deeper"
        cat >"$T/myproj/compose.yaml" <<'EOF'
services:
  web:
    image: alpine:3.19
    volumes:
      - ./data:/data
EOF
        cat >"$T/myproj/compose.override.yaml" <<'EOF'
services:
  web:
    environment:
      FROM_OVERRIDE: "yes"
EOF
        cd "$T/myproj/sub/deeper"
        brt_ok -- compose config --services
        [ "$output" = "web" ]
        brt_ok -- compose config --format json
        # project directory and name come from the directory of the file found
        [ "$(jq -r .name <<<"$output")" = "myproj" ]
        [ "$(jq -r '.services.web.volumes[0].source' <<<"$output")" = "$T/myproj/data" ]
        [ "$(jq -r '.services.web.environment.FROM_OVERRIDE' <<<"$output")" = "yes" ]
}

@test "compose.yaml is preferred over docker-compose.yml in the same directory" {
        files_in pref compose.yaml 'services:\n  fromcompose:\n    image: alpine\n' \
                docker-compose.yml 'services:\n  fromlegacy:\n    image: alpine\n'
        cd "$T/pref"
        brt_ok -- compose config --services
        [ "$output" = "fromcompose" ]
}

@test "compose.override.yaml is merged: scalars overridden, maps merged, ports appended" {
        mkdir -p "$T/ovr"
        cat >"$T/ovr/compose.yaml" <<'EOF'
services:
  web:
    image: nginx:1.25
    ports:
      - "8080:80"
    environment:
      A: base
      B: base
EOF
        cat >"$T/ovr/compose.override.yaml" <<'EOF'
services:
  web:
    image: nginx:1.27
    ports:
      - "127.0.0.1:8443:443"
    environment:
      B: override
      C: override
  extra:
    image: busybox
EOF
        cd "$T/ovr"
        brt_ok -- compose config --format json
        cat >"$T/expect.json" <<'EOF'
{
  "name": "ovr",
  "services": {
    "web": {
      "image": "nginx:1.27",
      "ports": [
        {"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"},
        {"mode": "ingress", "host_ip": "127.0.0.1", "target": 443, "published": "8443", "protocol": "tcp"}
      ],
      "environment": {"A": "base", "B": "override", "C": "override"}
    },
    "extra": {"image": "busybox"}
  }
}
EOF
        python3 "$BERTH_SRC/tests/corpus_check.py" "$T/expect.json" - "$T" <<<"$output"
}

@test "an explicit -f does not load compose.override.yaml" {
        files_in noovr compose.yaml 'services:\n  web:\n    image: nginx:1.25\n' \
                compose.override.yaml 'services:\n  web:\n    image: nginx:1.27\n'
        cd "$T/noovr"
        brt_ok -- compose -f compose.yaml config --format json
        [ "$(jq -r .services.web.image <<<"$output")" = "nginx:1.25" ]
        # and several -f files merge in order
        brt_ok -- compose -f compose.yaml -f compose.override.yaml config --format json
        [ "$(jq -r .services.web.image <<<"$output")" = "nginx:1.27" ]
}

@test "COMPOSE_FILE selects and merges files, separated by ':'" {
        files_in cf base.yaml 'services:\n  web:\n    image: nginx:1.25\n' \
                extra.yaml 'services:\n  web:\n    image: nginx:1.27\n  db:\n    image: postgres:16\n'
        # a compose.yaml that must be ignored because COMPOSE_FILE is set
        printf 'services:\n  ignored:\n    image: alpine\n' >"$T/cf/compose.yaml"
        cd "$T/cf"
        brt_ok COMPOSE_FILE=base.yaml:extra.yaml -- compose config --services
        [ "$(sorted)" = "db web" ]
        brt_ok COMPOSE_FILE=base.yaml:extra.yaml -- compose config --format json
        [ "$(jq -r .services.web.image <<<"$output")" = "nginx:1.27" ]
        [ "$(jq -r .name <<<"$output")" = "cf" ]
}

@test "-f - reads the compose file from stdin, relative paths against the working directory" {
        mkdir -p "$T/stdinproj"
        cat >"$T/in.yaml" <<'EOF'
services:
  web:
    image: alpine
    volumes:
      - ./data:/data
EOF
        cd "$T/stdinproj"
        brt_ok -- compose -f - config --format json <"$T/in.yaml"
        [ "$(jq -r .name <<<"$output")" = "stdinproj" ]
        [ "$(jq -r '.services.web.volumes[0].source' <<<"$output")" = "$T/stdinproj/data" ]
        brt_ok -- compose -p fromstdin -f - config --services <"$T/in.yaml"
        [ "$output" = "web" ]
}

# ---------------------------------------------------------------------------
# project name

@test "project name: -p beats COMPOSE_PROJECT_NAME beats top-level name" {
        files_in named compose.yaml 'name: fromfile\nservices:\n  web:\n    image: alpine\n'
        cd "$T/named"
        brt_ok -- compose config --format json
        [ "$(jq -r .name <<<"$output")" = "fromfile" ]
        [ "$(jq -r .networks.default.name <<<"$output")" = "fromfile_default" ]

        brt_ok COMPOSE_PROJECT_NAME=fromenv -- compose config --format json
        [ "$(jq -r .name <<<"$output")" = "fromenv" ]
        [ "$(jq -r .networks.default.name <<<"$output")" = "fromenv_default" ]

        brt_ok COMPOSE_PROJECT_NAME=fromenv -- compose -p fromcli config --format json
        [ "$(jq -r .name <<<"$output")" = "fromcli" ]
        [ "$(jq -r .networks.default.name <<<"$output")" = "fromcli_default" ]
}

@test "project name: COMPOSE_PROJECT_NAME from .env, the process environment wins over .env" {
        files_in dotname compose.yaml 'name: fromfile\nservices:\n  web:\n    image: alpine\n' \
                .env 'COMPOSE_PROJECT_NAME=fromdotenv\n'
        cd "$T/dotname"
        brt_ok -- compose config --format json
        [ "$(jq -r .name <<<"$output")" = "fromdotenv" ]
        brt_ok COMPOSE_PROJECT_NAME=fromenv -- compose config --format json
        [ "$(jq -r .name <<<"$output")" = "fromenv" ]
}

@test "project name: default is the project directory's name, normalized" {
        files_in My.App_1 compose.yaml 'services:\n  web:\n    image: alpine\n'
        cd "$T"
        brt_ok -- compose -f My.App_1/compose.yaml config --format json
        [ "$(jq -r .name <<<"$output")" = "myapp_1" ]
        [ "$(jq -r .networks.default.name <<<"$output")" = "myapp_1_default" ]
}

@test "project name: -p with upper-case letters is rejected" {
        printf 'services:\n  web:\n    image: alpine\n' >"$T/compose.yaml"
        run --separate-stderr brt -- compose -p BadName -f "$T/compose.yaml" config
        [ "$status" -ne 0 ]
        [[ "$stderr" == *BadName* ]]
}

# ---------------------------------------------------------------------------
# environment files and interpolation

@test "--env-file replaces .env; the process environment wins over both" {
        files_in envf compose.yaml 'services:\n  web:\n    image: "alpine:${TAG}"\n' \
                .env 'TAG=fromdotenv\n'
        printf 'TAG=fromenvfile\n' >"$T/custom.env"
        cd "$T/envf"
        brt_ok -- compose config --images
        [ "$output" = "alpine:fromdotenv" ]
        brt_ok -- compose --env-file "$T/custom.env" config --images
        [ "$output" = "alpine:fromenvfile" ]
        brt_ok TAG=fromprocess -- compose --env-file "$T/custom.env" config --images
        [ "$output" = "alpine:fromprocess" ]
}

@test "interpolation: defaults, alternatives, empty versus unset, literal \$\$" {
        mkdir -p "$T/interp"
        cat >"$T/interp/compose.yaml" <<'EOF'
services:
  web:
    image: alpine
    environment:
      SET_DEF: "${SET:-d}"
      EMPTY_COLON_DEF: "${EMPTY:-d}"
      EMPTY_DEF: "${EMPTY-d}"
      UNSET_DEF: "${UNSET-d}"
      SET_ALT: "${SET:+alt}"
      UNSET_ALT: "${UNSET:+alt}"
      UNSET_PLAIN: "${UNSET}"
      BARE: "$SET/x"
      NESTED: "${UNSET:-${SET}}"
      LITERAL: "$$HOME"
EOF
        printf 'SET=val\nEMPTY=\n' >"$T/interp/.env"
        cd "$T/interp"
        brt_ok -- compose config --format json
        cat >"$T/expect.json" <<'EOF'
{"services": {"web": {"environment": {
  "SET_DEF": "val", "EMPTY_COLON_DEF": "d", "EMPTY_DEF": "", "UNSET_DEF": "d",
  "SET_ALT": "alt", "UNSET_ALT": "", "UNSET_PLAIN": "", "BARE": "val/x",
  "NESTED": "val", "LITERAL": "$$HOME"}}}}
EOF
        python3 "$BERTH_SRC/tests/corpus_check.py" "$T/expect.json" - "$T" <<<"$output"
}

@test "environment: a key without value takes the project environment's value, else null" {
        mkdir -p "$T/keyonly"
        cat >"$T/keyonly/compose.yaml" <<'EOF'
services:
  web:
    image: alpine
    environment:
      - FROM_DOTENV
      - FROM_PROCESS
      - NOWHERE
      - EMPTY=
  api:
    image: alpine
    environment:
      FROM_DOTENV:
      NOWHERE:
EOF
        printf 'FROM_DOTENV=dot\n' >"$T/keyonly/.env"
        cd "$T/keyonly"
        brt_ok FROM_PROCESS=proc -- compose config --format json
        cat >"$T/expect.json" <<'EOF'
{"services": {
  "web": {"environment": {"FROM_DOTENV": "dot", "FROM_PROCESS": "proc", "NOWHERE": null, "EMPTY": ""}},
  "api": {"environment": {"FROM_DOTENV": "dot", "NOWHERE": null}}}}
EOF
        python3 "$BERTH_SRC/tests/corpus_check.py" "$T/expect.json" - "$T" <<<"$output"
}

@test "interpolation: \${VAR:?message} fails with the message when VAR is unset" {
        printf 'services:\n  web:\n    image: "alpine:${NEEDED:?set NEEDED please}"\n' >"$T/compose.yaml"
        run --separate-stderr brt -- compose -f "$T/compose.yaml" config
        [ "$status" -ne 0 ]
        [[ "$stderr" == *"set NEEDED please"* ]]
        brt_ok NEEDED=3.19 -- compose -f "$T/compose.yaml" config --images
        [ "$output" = "alpine:3.19" ]
}

# ---------------------------------------------------------------------------
# profiles

write_profiles_file() {
        cat >"$T/compose.yaml" <<'EOF'
services:
  web:
    image: nginx
  dbg:
    image: busybox
    profiles: [debug]
  tst:
    image: busybox
    profiles: [test, debug]
EOF
}

@test "services with inactive profiles are absent from config output" {
        write_profiles_file
        brt_ok -- compose -f "$T/compose.yaml" config --services
        [ "$output" = "web" ]
        brt_ok -- compose -f "$T/compose.yaml" config --format json
        [ "$(jq -r '.services | keys | join(" ")' <<<"$output")" = "web" ]
}

@test "--profile and COMPOSE_PROFILES enable profiled services" {
        write_profiles_file
        brt_ok -- compose -f "$T/compose.yaml" --profile test config --services
        [ "$(sorted)" = "tst web" ]
        brt_ok -- compose -f "$T/compose.yaml" --profile debug config --format json
        [ "$(jq -r '.services | keys | join(" ")' <<<"$output")" = "dbg tst web" ]
        brt_ok COMPOSE_PROFILES=test -- compose -f "$T/compose.yaml" config --services
        [ "$(sorted)" = "tst web" ]
        brt_ok -- compose -f "$T/compose.yaml" --profile '*' config --services
        [ "$(sorted)" = "dbg tst web" ]
}

@test "config --profiles lists every profile in the file, sorted, active or not" {
        write_profiles_file
        brt_ok -- compose -f "$T/compose.yaml" config --profiles
        [ "$output" = "$(printf 'debug\ntest')" ]
}

# ---------------------------------------------------------------------------
# listing flags

write_list_file() {
        cat >"$T/compose.yaml" <<'EOF'
services:
  web:
    image: nginx:1.27
    depends_on: [db]
  db:
    image: postgres:16
    networks: [back]
    volumes:
      - data:/var/lib/postgresql/data
  builder:
    build: ./builder
    depends_on: [db]
volumes:
  data:
  cache:
networks:
  back:
EOF
}

# list_config ARGS...: `compose config ARGS...` of the listing file succeeds
list_config() {
        write_list_file
        brt_ok -- compose -p lst -f "$T/compose.yaml" config "$@"
}

@test "config --services lists services, dependencies before dependents" {
        list_config --services
        [ "$(sorted)" = "builder db web" ]
        # db is printed before each service that depends on it
        [ "$(printf '%s\n' "$output" | head -n1)" = "db" ]
}

@test "config --volumes lists the top-level volume keys" {
        list_config --volumes
        [ "$(sorted)" = "cache data" ]
}

@test "config --networks lists the networks, with the implicit default when used" {
        list_config --networks
        [ "$(sorted)" = "back default" ]
}

@test "config --images lists images, <project>-<service> for build-only services" {
        list_config --images
        [ "$(sorted)" = "lst-builder nginx:1.27 postgres:16" ]
}

@test "config --hash '*' prints '<service> <sha256 hex>' per service, sorted by name" {
        list_config --hash '*'
        echo "$output"
        [ "$(printf '%s\n' "$output" | wc -l)" -eq 3 ]
        [ "$(printf '%s\n' "$output" | cut -d' ' -f1 | tr '\n' ' ')" = "builder db web " ]
        printf '%s\n' "$output" | grep -Evq '^(builder|db|web) [0-9a-f]{64}$' && return 1
        local first=$output
        # stable across runs
        brt_ok -- compose -p lst -f "$T/compose.yaml" config --hash '*'
        [ "$output" = "$first" ]
        # one service by name
        brt_ok -- compose -p lst -f "$T/compose.yaml" config --hash web
        [ "$output" = "$(printf '%s\n' "$first" | grep '^web ')" ]
}

@test "config --hash changes for the edited service only" {
        list_config --hash '*'
        local before=$output
        sed -i 's|nginx:1.27|nginx:1.28|' "$T/compose.yaml"
        brt_ok -- compose -p lst -f "$T/compose.yaml" config --hash '*'
        [ "$(grep '^web ' <<<"$output")" != "$(grep '^web ' <<<"$before")" ]
        [ "$(grep '^db ' <<<"$output")" = "$(grep '^db ' <<<"$before")" ]
        [ "$(grep '^builder ' <<<"$output")" = "$(grep '^builder ' <<<"$before")" ]
}

@test "config -q validates without output; invalid files fail" {
        list_config -q
        [ -z "$output" ]
        printf 'services:\n  web:\n    image: alpine\nnot_a_top_level_key: 1\n' >"$T/bad.yaml"
        run --separate-stderr brt -- compose -p lst -f "$T/bad.yaml" config -q
        [ "$status" -ne 0 ]
        [ -z "$output" ]
        [[ "$stderr" == *not_a_top_level_key* ]]
}

@test "config -o FILE writes the output to FILE and nothing to stdout" {
        list_config -o "$T/out.yaml"
        [ -z "$output" ]
        grep -qx 'name: lst' "$T/out.yaml"
        grep -qx 'services:' "$T/out.yaml"
        brt_ok -- compose -p lst -f "$T/compose.yaml" config --format json -o "$T/out.json"
        [ -z "$output" ]
        [ "$(jq -r .name "$T/out.json")" = "lst" ]
        [ "$(jq -r '.volumes.data.name' "$T/out.json")" = "lst_data" ]
}

@test "compose subcommands read their options from one table: help, errors, exec -i, the dry run's down" {
        printf 'services:\n  web:\n    image: dcl2/none\n' >"$T/compose.yaml"
        c=(compose -p dcl2 -f "$T/compose.yaml")
        # exec -i is --interactive (it crashed as --index without a value)
        run --separate-stderr brt -- "${c[@]}" exec -i web true
        [ "$status" -eq 1 ]
        [ "$stderr" = 'service "web" is not running' ]
        run --separate-stderr brt -- "${c[@]}" ps --bogus
        [ "$status" -eq 125 ]
        [ "$stderr" = "unknown flag: --bogus
See 'berth compose ps --help'." ]
        run --separate-stderr brt -- "${c[@]}" logs --index x
        [ "$status" -eq 125 ]
        [[ "$stderr" == 'invalid argument "x" for "--index" flag'* ]]
        run --separate-stderr brt -- "${c[@]}" logs --since nonsense
        [ "$status" -eq 125 ]
        [[ "$stderr" == 'invalid value for "since": nonsense'* ]]
        # the help comes from the same table: every option the parser takes that is shown
        brt_ok -- "${c[@]}" pull --help
        [ "${lines[0]}" = "Usage:  berth compose pull [OPTIONS] [SERVICE...]" ]
        [[ "$output" == *'      --policy string          Apply pull policy ("missing"|"always")'* ]]
        run --separate-stderr brt -- "${c[@]}" pull --policy sometimes
        [ "$status" -eq 1 ]
        [[ "$stderr" == 'invalid --policy option "sometimes"'* ]]
        run --separate-stderr brt -- "${c[@]}" version --format yaml
        [ "$status" -eq 125 ]
        # the dry run of down reads down's own options, their checks included
        run --separate-stderr brt -- "${c[@]}" --dry-run down --rmi some
        [ "$status" -eq 125 ]
        [ "$stderr" = 'invalid --rmi option "some": use local or all' ]
        run --separate-stderr brt -- "${c[@]}" --dry-run rm -t 3
        [ "$status" -eq 125 ]
        [[ "$stderr" == "unknown shorthand flag: 't' in -t"* ]]
}
