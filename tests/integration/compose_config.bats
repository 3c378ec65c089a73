#!/usr/bin/env bats
# `berth compose config`: canonical output, listing flags, hash, errors.

bats_require_minimum_version 1.5.0

setup() {
        export BERTH_ROOT=$(mktemp -d)
        WORK=$(mktemp -d)
        # the corpus sits beside the repository (../shared); without it those tests skip
        CORPUS=$BERTH_SRC/../shared/corpus/awesome-compose
}

teardown() {
        rm -rf "$BERTH_ROOT" "$WORK"
}

@test "wordpress-mysql renders as docker compose v2 JSON" {
        [ -d "$CORPUS" ] || skip "corpus not found at $CORPUS (../shared is not beside this clone)"
        run "$BERTH" compose -f "$CORPUS/wordpress-mysql/compose.yaml" config --format json
        [ "$status" -eq 0 ]
        echo "$output" | jq -e '.name == "wordpress-mysql"'
        echo "$output" | jq -e '.services.wordpress.ports == [{"mode":"ingress","target":80,"published":"80","protocol":"tcp"}]'
        echo "$output" | jq -e '.services.db.volumes[0] == {"type":"volume","source":"db_data","target":"/var/lib/mysql","volume":{}}'
        echo "$output" | jq -e '.services.db.expose == ["3306","33060"]'
        echo "$output" | jq -e '.services.db.command == ["--default-authentication-plugin=mysql_native_password"]'
        echo "$output" | jq -e '.services.wordpress.command == null and .services.wordpress.entrypoint == null'
        echo "$output" | jq -e '.services.db.networks == {"default": null}'
        echo "$output" | jq -e '.networks == {"default": {"name": "wordpress-mysql_default", "ipam": {}}}'
        echo "$output" | jq -e '.volumes == {"db_data": {"name": "wordpress-mysql_db_data"}}'
        echo "$output" | jq -e '.services.db.environment.MYSQL_USER == "wordpress"'
}

@test "every awesome-compose file loads" {
        [ -d "$CORPUS" ] || skip "corpus not found at $CORPUS (../shared is not beside this clone)"
        for d in "$CORPUS"/*/; do
                f=$(ls "$d"compose.y*ml "$d"docker-compose.y*ml 2>/dev/null | head -1)
                [ -n "$f" ] || continue
                "$BERTH" compose -f "$f" config --format json >/dev/null
        done
}

@test "the YAML output of every awesome-compose file loads back to the same model" {
        [ -d "$CORPUS" ] || skip "corpus not found at $CORPUS (../shared is not beside this clone)"
        for d in "$CORPUS"/*/; do
                f=$(ls "$d"compose.y*ml "$d"docker-compose.y*ml 2>/dev/null | head -1)
                [ -n "$f" ] || continue
                name=$(basename "$d" | tr 'A-Z' 'a-z')
                mkdir -p "$WORK/$name"
                "$BERTH" compose -f "$f" config -o "$WORK/$name/config.yaml" 2>/dev/null
                "$BERTH" compose -f "$f" config --format json >"$WORK/$name/a.json" 2>/dev/null
                "$BERTH" compose -p "$name" -f "$WORK/$name/config.yaml" config --format json \
                        >"$WORK/$name/b.json"
                cmp "$WORK/$name/a.json" "$WORK/$name/b.json"
        done
}

@test "short syntaxes become long forms; env_file merged into environment" {
        mkdir -p "$WORK/app"
        printf 'FROM_FILE=1\nOVERRIDDEN=file\n' > "$WORK/app/web.env"
        cat > "$WORK/app/compose.yaml" <<'YAML'
services:
  web:
    build: ./src
    env_file: web.env
    environment:
      OVERRIDDEN: compose
    ports: ["127.0.0.1:8000-8001:80-81/udp"]
    volumes: ["./data:/data:ro", "cache:/cache"]
    depends_on: [db]
    healthcheck:
      test: curl -f localhost
      interval: 90s
  db:
    image: postgres
    ulimits:
      nofile: 1024
volumes:
  cache:
YAML
        cd "$WORK/app"
        run "$BERTH" compose config --format json
        [ "$status" -eq 0 ]
        echo "$output" | jq -e --arg d "$WORK/app" '.services.web.build == {"context": ($d + "/src"), "dockerfile": "Dockerfile"}'
        echo "$output" | jq -e '.services.web.ports | length == 2'
        echo "$output" | jq -e '.services.web.ports[1] == {"mode":"ingress","host_ip":"127.0.0.1","target":81,"published":"8001","protocol":"udp"}'
        echo "$output" | jq -e --arg d "$WORK/app" '.services.web.volumes[0] == {"type":"bind","source":($d + "/data"),"target":"/data","read_only":true,"bind":{"create_host_path":true}}'
        echo "$output" | jq -e '.services.web.depends_on == {"db":{"condition":"service_started","required":true}}'
        echo "$output" | jq -e '.services.web.healthcheck == {"test":["CMD-SHELL","curl -f localhost"],"interval":"1m30s"}'
        echo "$output" | jq -e '.services.web.environment == {"FROM_FILE":"1","OVERRIDDEN":"compose"}'
        echo "$output" | jq -e --arg d "$WORK/app" '.services.web.env_file == [{"path": ($d + "/web.env"), "required": true}]'
        echo "$output" | jq -e '.services.db.ulimits == {"nofile": 1024}'
        echo "$output" | jq -e '.volumes.cache.name == "app_cache"'
}

@test "listing flags, hash, quiet and output file" {
        cat > "$WORK/compose.yaml" <<'YAML'
name: demo
services:
  web: {image: nginx, networks: [front], volumes: ["data:/d"]}
  worker: {build: ., profiles: [jobs]}
networks: {front: }
volumes: {data: }
YAML
        cd "$WORK"
        run "$BERTH" compose config --services
        [ "$status" -eq 0 ]
        [ "$output" = "web" ]
        run "$BERTH" compose --profile jobs config --services
        [ "$output" = "$(printf 'web\nworker')" ]
        run "$BERTH" compose config --profiles
        [ "$output" = "jobs" ]
        run "$BERTH" compose --profile jobs config --images
        [ "$output" = "$(printf 'nginx\ndemo-worker')" ]
        run "$BERTH" compose config --networks
        [ "$output" = "front" ]
        run "$BERTH" compose config --volumes
        [ "$output" = "data" ]
        run "$BERTH" compose config --hash web
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^web\ [0-9a-f]{64}$ ]]
        first=$output
        run "$BERTH" compose --profile jobs config --hash '*'
        [ "$(echo "$output" | head -1)" = "$first" ]
        [ "$(echo "$output" | wc -l)" -eq 2 ]
        run "$BERTH" compose config --hash nosuch
        [ "$status" -eq 1 ]
        [ "$output" = "no such service: nosuch" ]
        run "$BERTH" compose config -q
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run "$BERTH" compose config -o "$WORK/out.yaml"
        [ "$status" -eq 0 ]
        grep -q '^name: demo$' "$WORK/out.yaml"
}

@test "errors exit 1 with the message on stderr; warnings as WARN[0000]" {
        printf 'version: "3.8"\nservices:\n  web:\n    image: nginx\n' > "$WORK/compose.yaml"
        cd "$WORK"
        run --separate-stderr "$BERTH" compose config
        [ "$status" -eq 0 ]
        [[ "$stderr" == "WARN[0000] "*"version"*"obsolete"* ]]
        printf 'services:\n  web:\n    image: nginx\n    ports: ["99999:80"]\n' > "$WORK/compose.yaml"
        run --separate-stderr "$BERTH" compose config
        [ "$status" -eq 1 ]
        [ "$stderr" = "$WORK/compose.yaml:4:13: services.web.ports[0]: invalid port \"99999:80\": must be 1-65535" ]
}
