#!/usr/bin/env bats
# `berth kube play` / `kube down`: Kubernetes YAML run on one host through
# compose's engine, and the round trip `kube generate` -> `kube play`.
# Project names kp*, subnets from 10.218.0.0/16.  The WordPress test skips
# with the reason when its stand-in images cannot be had or port 80 is taken.

load compose_common

CORPUS_WP=$BERTH_SRC/../shared/corpus/awesome-compose/wordpress-mysql/compose.yaml

setup_file() {
        compose_setup_file kube 10.218.0.0/16:24
}

teardown_file() {
        local d
        for d in "$BERTH_ROOT"/k8s-*/; do
                [ -d "$d" ] && "$BERTH" kube down -v "$d"/*.yaml >/dev/null 2>&1
        done
        "$BERTH" rmi -f mariadb:10.6.4-focal mysql:5.7 wordpress:latest >/dev/null 2>&1 || true
        compose_teardown_file
}

@test "round trip: examples/hello generated, then played, serves its page; kube down removes it" {
        cp -r "$BERTH_SRC/examples/hello" "$BERTH_ROOT/hello"
        HELLO_PORT=18721 run "$BERTH" kube generate -f "$BERTH_ROOT/hello/compose.yaml" \
                --wait-image busybox:latest -o "$BERTH_ROOT/k8s-hello"
        [ "$status" -eq 0 ]
        run "$BERTH" kube play --wait "$BERTH_ROOT"/k8s-hello/*.yaml
        echo "$output"
        [ "$status" -eq 0 ]
        # the project is the files' app.kubernetes.io/part-of label
        [[ "$output" == *"Container hello-web-1"* ]]
        run curl -s -m 10 http://127.0.0.1:18721/cgi-bin/hello
        echo "$output"
        [ "$status" -eq 0 ]
        # web asks api by name, api asks worker: the three services answer
        [[ "$output" == *"web: served by"* ]]
        [[ "$output" == *"api: hello from"* ]]
        [[ "$output" == *"worker: job done by"* ]]
        # the init containers (depends_on: service_healthy) ran and succeeded
        run "$BERTH" inspect -f '{{.State.Status}} {{.State.ExitCode}}' hello-web-init-wait-for-api-1
        [ "$output" = "exited 0" ]
        run "$BERTH" kube down "$BERTH_ROOT"/k8s-hello/*.yaml
        echo "$output"
        [ "$status" -eq 0 ]
        run "$BERTH" ps -aq --filter label=com.docker.compose.project=hello
        [ -z "$output" ]
        [ ! -e "$BERTH_ROOT/lib/kube/hello" ]
        run curl -s -m 2 http://127.0.0.1:18721/cgi-bin/hello
        [ "$status" -ne 0 ]
}

@test "a Pod: ConfigMap and Secret env and volumes, containers sharing one network, a Service name" {
        mkdir -p "$BERTH_ROOT/k8s-pod"
        cat >"$BERTH_ROOT/k8s-pod/pod.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data:
  greeting: hello-from-cm
  app.conf: "a=1"
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
data: {token: czNjcmV0}
stringData: {plain: visible}
---
apiVersion: v1
kind: Pod
metadata:
  name: kpod
  labels: {app: kpod}
spec:
  containers:
    - name: main
      image: busybox:latest
      command: [httpd, -f, -p, "8080", -h, /www]
      env:
        - name: GREETING
          valueFrom: {configMapKeyRef: {name: cfg, key: greeting}}
        - name: TOKEN
          valueFrom: {secretKeyRef: {name: sec, key: token}}
        - name: PRICE
          value: "$5"
      envFrom:
        - secretRef: {name: sec}
          prefix: S_
      volumeMounts:
        - {name: conf, mountPath: /etc/app}
        - {name: www, mountPath: /www}
    - name: side
      image: busybox:latest
      command: [sleep, "1000"]
  volumes:
    - name: conf
      configMap:
        name: cfg
        items: [{key: app.conf, path: sub/app.conf}]
    - name: www
      emptyDir: {}
---
apiVersion: v1
kind: Service
metadata: {name: kweb}
spec:
  selector: {app: kpod}
  ports: [{port: 8080}]
EOF
        run "$BERTH" kube play -p kpod "$BERTH_ROOT/k8s-pod/pod.yaml"
        echo "$output"
        [ "$status" -eq 0 ]
        run "$BERTH" exec kpod-kpod-1 sh -c 'echo "$GREETING $TOKEN $S_plain $S_token $PRICE"; cat /etc/app/sub/app.conf'
        echo "$output"
        [ "${lines[0]}" = 'hello-from-cm s3cret visible s3cret $5' ]
        [ "${lines[1]}" = "a=1" ]
        # the ConfigMap volume is read-only
        run "$BERTH" exec kpod-kpod-1 sh -c 'echo x >/etc/app/sub/app.conf'
        [ "$status" -ne 0 ]
        "$BERTH" exec kpod-kpod-1 sh -c 'echo shared-netns >/www/index.html'
        # the second container reaches the first on 127.0.0.1: one network namespace
        run "$BERTH" exec kpod-kpod-side-1 wget -qO- http://127.0.0.1:8080/index.html
        echo "$output"
        [ "$output" = "shared-netns" ]
        # the Service's name resolves to the pod through berth-dns
        run "$BERTH" exec kpod-kpod-side-1 wget -qO- http://kweb:8080/index.html
        echo "$output"
        [ "$output" = "shared-netns" ]
        run "$BERTH" kube down -p kpod "$BERTH_ROOT/k8s-pod/pod.yaml"
        [ "$status" -eq 0 ]
        run "$BERTH" ps -aq --filter label=com.docker.compose.project=kpod
        [ -z "$output" ]
}

@test "bad input: an unknown kind, a path out of the volume, a missing ConfigMap: clear errors, nothing made" {
        mkdir -p "$BERTH_ROOT/k8s-bad"
        cat >"$BERTH_ROOT/k8s-bad/kind.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec: {containers: [{name: a, image: busybox:latest}]}
---
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
EOF
        run "$BERTH" kube play -p kpbad "$BERTH_ROOT/k8s-bad/kind.yaml"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"kind.yaml: document 2 (line 7): kind CronJob (apiVersion batch/v1) is not one kube play runs"* ]]
        cat >"$BERTH_ROOT/k8s-bad/escape.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {k: pwned}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: busybox:latest, volumeMounts: [{name: v, mountPath: /v}]}]
  volumes: [{name: v, configMap: {name: c, items: [{key: k, path: ../../../../escaped}]}}]
EOF
        run "$BERTH" kube play -p kpbad "$BERTH_ROOT/k8s-bad/escape.yaml"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"volume v: item k -> ../../../../escaped: the path must be relative, without '..'"* ]]
        run find "$BERTH_ROOT" -name escaped
        [ -z "$output" ]
        # a volume name is a path component under the data dir too
        sed -e 's/name: v, configMap/name: ..\/..\/..\/..\/escaped2, configMap/' \
                -e 's/{name: v, mountPath/{name: ..\/..\/..\/..\/escaped2, mountPath/' \
                -e 's/path: ..\/..\/..\/..\/escaped/path: fine/' \
                "$BERTH_ROOT/k8s-bad/escape.yaml" >"$BERTH_ROOT/k8s-bad/escape2.yaml"
        grep -q 'escaped2, configMap' "$BERTH_ROOT/k8s-bad/escape2.yaml"
        run "$BERTH" kube play -p kpbad "$BERTH_ROOT/k8s-bad/escape2.yaml"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"the pod and volume names must be plain names"* ]]
        run find "$BERTH_ROOT" -name "escaped2*"
        [ -z "$output" ]
        cat >"$BERTH_ROOT/k8s-bad/missing.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      containers:
        - name: a
          image: busybox:latest
          envFrom: [{configMapRef: {name: nowhere}}]
EOF
        run "$BERTH" kube play -p kpbad "$BERTH_ROOT/k8s-bad/missing.yaml"
        echo "$output"
        [ "$status" -eq 1 ]
        [[ "$output" == *"Deployment d: envFrom names ConfigMap nowhere, which is not in the files"* ]]
        berth_project_gone kpbad
}

@test "WordPress generated and played: the installer works and the site survives kube down / kube play" {
        [ -f "$CORPUS_WP" ] || skip "no $CORPUS_WP (the awesome-compose corpus)"
        why=$("$BERTH_SRC/tests/images/make-wordpress-images.sh" --check) || skip "$why"
        if ss -Htln 'sport = :80' | grep -q .; then
                skip "port 80 is in use on this host: the stack publishes 80"
        fi
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-wordpress-images.sh" >"$BERTH_ROOT/images.log" 2>&1 ||
                { cat "$BERTH_ROOT/images.log"; false; }
        run "$BERTH" kube generate -f "$CORPUS_WP" -p kpwp -o "$BERTH_ROOT/k8s-wp"
        [ "$status" -eq 0 ]
        run "$BERTH" kube play "$BERTH_ROOT"/k8s-wp/*.yaml
        echo "$output"
        [ "$status" -eq 0 ]
        local url=http://127.0.0.1:80 end=$((SECONDS + 120)) body
        until body=$(curl -s -m 10 "$url/wp-admin/install.php") && [[ $body == *"Information needed"* ]]; do
                [ $SECONDS -lt $end ] || { echo "${body:0:800}"; false; }
                sleep 0.5
        done
        run curl -s -m 60 -o /dev/null -w '%{http_code}' "$url/wp-admin/install.php?step=2" \
                --data-urlencode "weblog_title=berth kube play" --data-urlencode user_name=admin \
                --data-urlencode 'admin_password=Berth-kube-2026!long' \
                --data-urlencode 'admin_password2=Berth-kube-2026!long' \
                --data-urlencode admin_email=admin@example.com --data-urlencode blog_public=0 \
                --data-urlencode Submit=Install
        echo "install: HTTP $output"
        [ "$output" = 200 ]
        run curl -s -m 20 "$url/"
        [[ "$output" == *"berth kube play"* ]]
        run "$BERTH" kube down "$BERTH_ROOT"/k8s-wp/*.yaml
        [ "$status" -eq 0 ]
        run "$BERTH" volume ls -q
        [[ "$output" == *kpwp_db-data* ]]
        run "$BERTH" kube play "$BERTH_ROOT"/k8s-wp/*.yaml
        [ "$status" -eq 0 ]
        end=$((SECONDS + 120))
        until body=$(curl -s -m 10 "$url/") && [[ $body == *"berth kube play"* ]]; do
                [ $SECONDS -lt $end ] || { echo "${body:0:800}"; false; }
                sleep 0.5
        done
        run curl -s -m 10 "$url/wp-admin/install.php"
        [[ "$output" == *"Already Installed"* ]]
        run "$BERTH" kube down -v "$BERTH_ROOT"/k8s-wp/*.yaml
        [ "$status" -eq 0 ]
        run "$BERTH" volume ls -q
        [[ "$output" != *kpwp_db-data* ]]
}
