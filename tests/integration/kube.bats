#!/usr/bin/env bats
# `berth kube generate`: compose projects as Kubernetes manifests, checked by
# an independent validator (tests/kube/validate.mjs: the Kubernetes API's
# JSON schemas from the kubernetes-models npm package, installed into a cache
# directory by tests/kube/install.sh).  No cluster and no containers: the
# command only reads compose files.
#
# Without node/npm (or the npm registry on a first run) the schema checks
# skip with the reason; the corpus test skips when ../shared is absent.

CORPUS=$BERTH_SRC/../shared/corpus/awesome-compose

setup_file() {
        export STATE=$BATS_FILE_TMPDIR
        export KUBE_SKIP=
        local why
        if why=$("$BERTH_SRC/tests/kube/install.sh" 2>"$STATE/npm.log"); then
                export BERTH_KUBE_MODELS=$why
        else
                KUBE_SKIP="schema validator: $why $(tail -3 "$STATE/npm.log")"
        fi
}

validate() { # validate FILE...: the independent schema check
        node "$BERTH_SRC/tests/kube/validate.mjs" "$@"
}

need_validator() {
        [ -z "$KUBE_SKIP" ] || skip "$KUBE_SKIP"
}

proj() { # proj NAME: a project dir with compose.yaml from stdin
        mkdir -p "$STATE/$1"
        cat >"$STATE/$1/compose.yaml"
}

@test "the validator itself refuses an invalid manifest (so the checks below can fail)" {
        need_validator
        cat >"$STATE/bad.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  selector: {}
  template:
    spec:
      containers: [{name: a, image: b, ports: [{containerPort: eighty}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: y}
spec: {}
EOF
        run validate "$STATE/bad.yaml"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"containerPort must be integer"* ]]
        [[ "$output" == *"must have required property containers"* ]]
}

@test "every awesome-compose file: the manifests validate against the Kubernetes API schemas" {
        [ -d "$CORPUS" ] || skip "no $CORPUS (the awesome-compose corpus)"
        need_validator
        local n=0 f d
        for f in "$CORPUS"/*/compose.yaml "$CORPUS"/*/docker-compose.yml "$CORPUS"/*/docker-compose.yaml; do
                [ -f "$f" ] || continue
                d=$STATE/corpus/$(basename "$(dirname "$f")")
                run "$BERTH" kube generate -f "$f" -o "$d"
                [ "$status" -eq 0 ] || { echo "$f: $output"; false; }
                ls "$d"/*.yaml >/dev/null
                n=$((n + 1))
        done
        [ "$n" -ge 30 ]
        run validate "$STATE"/corpus/*/*.yaml
        echo "$output" | tail -20
        [ "$status" -eq 0 ]
        [[ "$output" == *" 0 invalid"* ]]
}

@test "wordpress-mysql: a StatefulSet for the database, NodePort for the site, valid" {
        need_validator
        proj wp <<'EOF'
services:
  db:
    image: mariadb:10.6.4-focal
    command: '--default-authentication-plugin=mysql_native_password'
    volumes:
      - db_data:/var/lib/mysql
    restart: always
    environment:
      - MYSQL_ROOT_PASSWORD=somewordpress
    expose:
      - 3306
  wordpress:
    image: wordpress:latest
    ports:
      - 80:80
    restart: always
    environment:
      - WORDPRESS_DB_HOST=db
volumes:
  db_data:
EOF
        run "$BERTH" kube generate -f "$STATE/wp/compose.yaml"
        [ "$status" -eq 0 ]
        echo "$output" | grep -v '^berth: warning' >"$STATE/wp.yaml"
        grep -q '^kind: StatefulSet' "$STATE/wp.yaml"
        grep -q '^kind: Deployment' "$STATE/wp.yaml"
        grep -q 'type: NodePort' "$STATE/wp.yaml"
        grep -q 'clusterIP: None' "$STATE/wp.yaml"
        [[ "$output" == *"80 is outside the NodePort range"* ]]
        run validate "$STATE/wp.yaml"
        echo "$output"
        [ "$status" -eq 0 ]
}

@test "examples/hello: init containers wait for healthy dependencies; bind mounts are reported" {
        need_validator
        run "$BERTH" kube generate -f "$BERTH_SRC/examples/hello/compose.yaml" -o "$STATE/hello"
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"services.web.volumes: the bind mount"*"is not portable"* ]]
        [[ "$output" == *"services.web.init: no equivalent"* ]]
        [ -f "$STATE/hello/web-deployment.yaml" ]
        [ -f "$STATE/hello/api-service.yaml" ]
        [ -f "$STATE/hello/backend-network-networkpolicy.yaml" ]
        grep -q 'name: wait-for-api' "$STATE/hello/web-deployment.yaml"
        grep -q 'nslookup api' "$STATE/hello/worker-deployment.yaml"
        grep -q 'readinessProbe' "$STATE/hello/api-deployment.yaml"
        run validate "$STATE"/hello/*.yaml
        [ "$status" -eq 0 ]
}

@test "bad input: names that are not DNS-1123 labels are converted and said; unmapped keys are named" {
        need_validator
        proj names <<'EOF'
services:
  Web_App:
    image: nginx
    ulimits: {nofile: 1024}
    init: true
    networks:
      Front.Net: {aliases: [The_Site]}
  DB.Main:
    image: postgres
    devices: ["/dev/fuse:/dev/fuse"]
    networks: [Front.Net]
networks:
  Front.Net: {}
EOF
        run "$BERTH" kube generate -f "$STATE/names/compose.yaml"
        [ "$status" -eq 0 ]
        [[ "$output" == *"services.Web_App: named web-app in Kubernetes"* ]]
        [[ "$output" == *"services.DB.Main: named db-main in Kubernetes"* ]]
        [[ "$output" == *"The_Site becomes the-site"* ]]
        [[ "$output" == *"services.Web_App.ulimits: no equivalent; left out"* ]]
        [[ "$output" == *"services.DB.Main.devices: no equivalent (device plugins provide devices); left out"* ]]
        echo "$output" | grep -v '^berth: warning' >"$STATE/names.yaml"
        # every name the manifests give is a DNS-1123 label
        run bash -c "grep -E '^  name: ' '$STATE/names.yaml' | grep -vE '^  name: [a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\$'"
        [ -z "$output" ]
        grep -q '^  name: web-app$' "$STATE/names.yaml"
        run validate "$STATE/names.yaml"
        [ "$status" -eq 0 ]
}

@test "options: --namespace, --service-type, SERVICE selection; errors; stable output" {
        proj opts <<'EOF'
services:
  web:
    image: nginx
    ports: ["8080:80"]
  other:
    image: busybox
EOF
        local f=$STATE/opts/compose.yaml
        run "$BERTH" kube generate -f "$f" --namespace team-a --service-type LoadBalancer web
        [ "$status" -eq 0 ]
        [[ "$output" == *"namespace: team-a"* ]]
        [[ "$output" == *"type: LoadBalancer"* ]]
        [[ "$output" != *"name: other"* ]]
        run "$BERTH" kube generate -f "$f" --namespace Team_A
        [ "$status" -eq 1 ]
        [[ "$output" == *"--namespace Team_A: not a DNS-1123 label"*"try team-a"* ]]
        run "$BERTH" kube generate -f "$f" --service-type ClusterIP
        [ "$status" -eq 1 ]
        [[ "$output" == *'invalid --service-type "ClusterIP"'* ]]
        run "$BERTH" kube generate -f "$f" nosuch
        [ "$status" -eq 1 ]
        [[ "$output" == *"no such service: nosuch"* ]]
        run "$BERTH" kube frobnicate
        [ "$status" -eq 1 ]
        "$BERTH" kube generate -f "$f" >"$STATE/a.yaml" 2>/dev/null
        "$BERTH" kube generate -f "$f" >"$STATE/b.yaml" 2>/dev/null
        cmp "$STATE/a.yaml" "$STATE/b.yaml"
}
