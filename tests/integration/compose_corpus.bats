#!/usr/bin/env bats
# berth compose config over the docker/awesome-compose corpus, checked against
# hand-written expectations derived from the Compose specification
# (tests/data/corpus-expect/<dir>.json, see the README there).  The corpus is
# read in place from $BERTH_SRC/../shared/corpus/awesome-compose.
#
# One TAP test point per corpus directory for the JSON check and one for the
# YAML output, so failures are counted per directory.  No root or kernel
# objects are needed; this lives in integration because it runs the binary.

load common

setup_file() {
        export CORPUS_ROOT="$BERTH_SRC/../shared/corpus/awesome-compose"
        if [ -d "$CORPUS_ROOT" ]; then
                # cleaned absolute path, the same form compose prints
                CORPUS_ROOT=$(cd "$CORPUS_ROOT" && pwd)
        fi
        export EXPECT_DIR="$BERTH_SRC/tests/data/corpus-expect"
        export CHECKER="$BERTH_SRC/tests/corpus_check.py"
}

setup() {
        # The corpus sits beside the repository (../shared); a clone without it
        # skips these tests and says why.
        [ -d "$CORPUS_ROOT" ] || skip "corpus not found at $CORPUS_ROOT (../shared is not beside this clone)"
        export BERTH_ROOT=$(mktemp -d /tmp/berth-corpus.XXXXXX)
        WORK=$(mktemp -d /tmp/berth-corpus-cwd.XXXXXX)
}

teardown() {
        rm_dirs "${BERTH_ROOT:-}" "${WORK:-}"
}

# compose file of a corpus directory, by docker compose's file-name preference
compose_file() {
        local d=$CORPUS_ROOT/$1 f
        for f in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
                [ -f "$d/$f" ] && { echo "$d/$f"; return 0; }
        done
        echo "no compose file in $d" >&2
        return 1
}

# Run berth in a clean environment from an unrelated working directory, so
# .env and relative paths can only come from the compose file's directory.
# The project name is the directory name as compose normalizes it (lower case:
# docker compose rejects `-p` values with upper-case letters).
run_config() {
        local dir=$1; shift
        local file project
        file=$(compose_file "$dir")
        project=$(printf '%s' "$dir" | tr 'A-Z' 'a-z')
        (cd "$WORK" && env -i PATH="$PATH" HOME="$HOME" BERTH_ROOT="$BERTH_ROOT" \
                "$BERTH" compose -p "$project" -f "$file" config "$@" \
                >"$WORK/out" 2>"$WORK/err")
}

check_json() {
        local dir=$1 rc=0
        run_config "$dir" --format json || rc=$?
        if [ "$rc" -ne 0 ]; then
                echo "berth compose config --format json exited $rc for $dir:"
                cat "$WORK/err"
                return 1
        fi
        python3 "$CHECKER" "$EXPECT_DIR/$dir.json" "$WORK/out" "$CORPUS_ROOT"
}

check_yaml() {
        local dir=$1 rc=0 project
        project=$(printf '%s' "$dir" | tr 'A-Z' 'a-z')
        run_config "$dir" || rc=$?
        if [ "$rc" -ne 0 ]; then
                echo "berth compose config exited $rc for $dir:"
                cat "$WORK/err"
                return 1
        fi
        # docker compose's YAML starts with the top-level keys unindented
        grep -qx "name: $project" "$WORK/out" || { echo "no 'name: $project' line"; cat "$WORK/out"; return 1; }
        grep -qx "services:" "$WORK/out" || { echo "no 'services:' line"; cat "$WORK/out"; return 1; }
}

@test "every corpus directory has an expectation and vice versa" {
        local d missing=""
        for d in "$CORPUS_ROOT"/*/; do
                d=$(basename "$d")
                [ -f "$EXPECT_DIR/$d.json" ] || missing="$missing $d"
        done
        for d in "$EXPECT_DIR"/*.json; do
                d=$(basename "$d" .json)
                [ -d "$CORPUS_ROOT/$d" ] || missing="$missing expectation-only:$d"
        done
        [ -z "$missing" ] || { echo "unmatched:$missing"; return 1; }
        # and this file has one test per directory
        [ "$(grep -c '^@test "corpus json ' "$BATS_TEST_FILENAME")" -eq "$(ls -d "$CORPUS_ROOT"/*/ | wc -l)" ]
}

@test "corpus checker reports mismatches" {
        cat >"$WORK/exp.json" <<'JSON'
{"name": "p", "__absent__": ["version"],
 "services": {"s": {"ports": [{"target": 80, "published": "80"}],
                    "volumes": [{"source": "${CORPUS}/p/data"}], "networks": {"default": null}}}}
JSON
        echo '{"name":"p","x":1,"services":{"s":{"ports":[{"target":80,"published":"80","mode":"ingress"}],"volumes":[{"source":"/c/p/data"}],"networks":{"default":null}}}}' >"$WORK/good.json"
        python3 "$CHECKER" "$WORK/exp.json" "$WORK/good.json" /c
        local bad
        for bad in \
                '{"name":"p","services":{"s":{"ports":[{"target":"80","published":"80"}],"volumes":[{"source":"/c/p/data"}],"networks":{"default":null}}}}' \
                '{"name":"p","services":{"s":{"ports":[{"target":80,"published":80}],"volumes":[{"source":"/c/p/data"}],"networks":{"default":null}}}}' \
                '{"name":"p","services":{"s":{"ports":[{"target":80,"published":"80"},{"target":81,"published":"81"}],"volumes":[{"source":"/c/p/data"}],"networks":{"default":null}}}}' \
                '{"name":"p","services":{"s":{"ports":[{"target":80,"published":"80"}],"volumes":[{"source":"${CORPUS}/p/data"}],"networks":{"default":null}}}}' \
                '{"name":"p","services":{"s":{"ports":[{"target":80,"published":"80"}],"volumes":[{"source":"/c/p/data"}],"networks":{"default":{}}}}}' \
                '{"name":"p","services":{"s":{"ports":[{"target":80,"published":"80"}],"volumes":[{"source":"/c/p/data"}]}}}' \
                '{"name":"p","version":"3","services":{"s":{"ports":[{"target":80,"published":"80"}],"volumes":[{"source":"/c/p/data"}],"networks":{"default":null}}}}' \
                'not json'; do
                echo "$bad" >"$WORK/bad.json"
                run python3 "$CHECKER" "$WORK/exp.json" "$WORK/bad.json" /c
                echo "$output"
                [ "$status" -eq 1 ]
        done
}

@test "corpus json angular" {
        check_json angular
}

@test "corpus json apache-php" {
        check_json apache-php
}

@test "corpus json aspnet-mssql" {
        check_json aspnet-mssql
}

@test "corpus json django" {
        check_json django
}

@test "corpus json elasticsearch-logstash-kibana" {
        check_json elasticsearch-logstash-kibana
}

@test "corpus json fastapi" {
        check_json fastapi
}

@test "corpus json flask" {
        check_json flask
}

@test "corpus json flask-redis" {
        check_json flask-redis
}

@test "corpus json gitea-postgres" {
        check_json gitea-postgres
}

@test "corpus json minecraft" {
        check_json minecraft
}

@test "corpus json nextcloud-postgres" {
        check_json nextcloud-postgres
}

@test "corpus json nextcloud-redis-mariadb" {
        check_json nextcloud-redis-mariadb
}

@test "corpus json nginx-aspnet-mysql" {
        check_json nginx-aspnet-mysql
}

@test "corpus json nginx-flask-mongo" {
        check_json nginx-flask-mongo
}

@test "corpus json nginx-flask-mysql" {
        check_json nginx-flask-mysql
}

@test "corpus json nginx-golang" {
        check_json nginx-golang
}

@test "corpus json nginx-golang-mysql" {
        check_json nginx-golang-mysql
}

@test "corpus json nginx-golang-postgres" {
        check_json nginx-golang-postgres
}

@test "corpus json nginx-nodejs-redis" {
        check_json nginx-nodejs-redis
}

@test "corpus json nginx-wsgi-flask" {
        check_json nginx-wsgi-flask
}

@test "corpus json pihole-cloudflared-DoH" {
        check_json pihole-cloudflared-DoH
}

@test "corpus json plex" {
        check_json plex
}

@test "corpus json portainer" {
        check_json portainer
}

@test "corpus json postgresql-pgadmin" {
        check_json postgresql-pgadmin
}

@test "corpus json prometheus-grafana" {
        check_json prometheus-grafana
}

@test "corpus json react-express-mongodb" {
        check_json react-express-mongodb
}

@test "corpus json react-express-mysql" {
        check_json react-express-mysql
}

@test "corpus json react-java-mysql" {
        check_json react-java-mysql
}

@test "corpus json react-nginx" {
        check_json react-nginx
}

@test "corpus json react-rust-postgres" {
        check_json react-rust-postgres
}

@test "corpus json sparkjava" {
        check_json sparkjava
}

@test "corpus json sparkjava-mysql" {
        check_json sparkjava-mysql
}

@test "corpus json spring-postgres" {
        check_json spring-postgres
}

@test "corpus json traefik-golang" {
        check_json traefik-golang
}

@test "corpus json vuejs" {
        check_json vuejs
}

@test "corpus json wasmedge-kafka-mysql" {
        check_json wasmedge-kafka-mysql
}

@test "corpus json wasmedge-mysql-nginx" {
        check_json wasmedge-mysql-nginx
}

@test "corpus json wireguard" {
        check_json wireguard
}

@test "corpus json wordpress-mysql" {
        check_json wordpress-mysql
}

@test "corpus yaml angular" {
        check_yaml angular
}

@test "corpus yaml apache-php" {
        check_yaml apache-php
}

@test "corpus yaml aspnet-mssql" {
        check_yaml aspnet-mssql
}

@test "corpus yaml django" {
        check_yaml django
}

@test "corpus yaml elasticsearch-logstash-kibana" {
        check_yaml elasticsearch-logstash-kibana
}

@test "corpus yaml fastapi" {
        check_yaml fastapi
}

@test "corpus yaml flask" {
        check_yaml flask
}

@test "corpus yaml flask-redis" {
        check_yaml flask-redis
}

@test "corpus yaml gitea-postgres" {
        check_yaml gitea-postgres
}

@test "corpus yaml minecraft" {
        check_yaml minecraft
}

@test "corpus yaml nextcloud-postgres" {
        check_yaml nextcloud-postgres
}

@test "corpus yaml nextcloud-redis-mariadb" {
        check_yaml nextcloud-redis-mariadb
}

@test "corpus yaml nginx-aspnet-mysql" {
        check_yaml nginx-aspnet-mysql
}

@test "corpus yaml nginx-flask-mongo" {
        check_yaml nginx-flask-mongo
}

@test "corpus yaml nginx-flask-mysql" {
        check_yaml nginx-flask-mysql
}

@test "corpus yaml nginx-golang" {
        check_yaml nginx-golang
}

@test "corpus yaml nginx-golang-mysql" {
        check_yaml nginx-golang-mysql
}

@test "corpus yaml nginx-golang-postgres" {
        check_yaml nginx-golang-postgres
}

@test "corpus yaml nginx-nodejs-redis" {
        check_yaml nginx-nodejs-redis
}

@test "corpus yaml nginx-wsgi-flask" {
        check_yaml nginx-wsgi-flask
}

@test "corpus yaml pihole-cloudflared-DoH" {
        check_yaml pihole-cloudflared-DoH
}

@test "corpus yaml plex" {
        check_yaml plex
}

@test "corpus yaml portainer" {
        check_yaml portainer
}

@test "corpus yaml postgresql-pgadmin" {
        check_yaml postgresql-pgadmin
}

@test "corpus yaml prometheus-grafana" {
        check_yaml prometheus-grafana
}

@test "corpus yaml react-express-mongodb" {
        check_yaml react-express-mongodb
}

@test "corpus yaml react-express-mysql" {
        check_yaml react-express-mysql
}

@test "corpus yaml react-java-mysql" {
        check_yaml react-java-mysql
}

@test "corpus yaml react-nginx" {
        check_yaml react-nginx
}

@test "corpus yaml react-rust-postgres" {
        check_yaml react-rust-postgres
}

@test "corpus yaml sparkjava" {
        check_yaml sparkjava
}

@test "corpus yaml sparkjava-mysql" {
        check_yaml sparkjava-mysql
}

@test "corpus yaml spring-postgres" {
        check_yaml spring-postgres
}

@test "corpus yaml traefik-golang" {
        check_yaml traefik-golang
}

@test "corpus yaml vuejs" {
        check_yaml vuejs
}

@test "corpus yaml wasmedge-kafka-mysql" {
        check_yaml wasmedge-kafka-mysql
}

@test "corpus yaml wasmedge-mysql-nginx" {
        check_yaml wasmedge-mysql-nginx
}

@test "corpus yaml wireguard" {
        check_yaml wireguard
}

@test "corpus yaml wordpress-mysql" {
        check_yaml wordpress-mysql
}
