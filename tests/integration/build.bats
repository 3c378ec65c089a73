#!/usr/bin/env bats
# berth build: Dockerfile instructions, layers (whiteouts), .dockerignore,
# ADD of archives, multi-stage, --target, failures, the cache; compose build:.
# No network: every build uses --network none (compose: build.network: none).

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-build.XXXXXX)
        # FROM of a missing image pulls it: never from the internet here
        export HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
        export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh"
}

teardown_file() {
        local ids
        ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
        [ -z "$ids" ] || "$BERTH" rm -f -v $ids >/dev/null 2>&1 || true
        rm -rf "$BERTH_ROOT"
}

setup() {
        CTX=$(mktemp -d /tmp/berth-build-ctx.XXXXXX)
}

teardown() {
        rm -rf "$CTX"
}

build() {
        "$BERTH" build --network none "$@"
}

@test "build: FROM/ARG/ENV/WORKDIR/RUN/COPY/ADD/config, whiteouts, .dockerignore" {
        cd "$CTX"
        cat >Dockerfile <<'EOF'
# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM $BASE
ARG GREETING=hello
ENV APP=/app \
    MODE="two words"
ENV LEGACY legacy form ${APP}
WORKDIR $APP
RUN echo "$GREETING world" > greeting.txt && rm /etc/group && \
    rm -rf /var/www && mkdir /var/www && echo new > /var/www/index.html
COPY . src/
ADD data.tar.gz /data/
ADD plain.txt /plain/
COPY --chown=app:1000 --chmod=600 plain.txt /owned/
USER app
EXPOSE 8080 53/udp 7000-7001/TCP
LABEL org.example.name="demo app" version=1
STOPSIGNAL SIGINT
VOLUME /var/lib/demo
HEALTHCHECK --interval=5s --retries=2 CMD test -f /app/greeting.txt
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting.txt"]
EOF
        mkdir -p keep skip/deep arch/sub
        echo kept >keep/a.txt
        echo secret >skip/deep/secret.txt
        echo back >skip/deep/back.txt
        echo log >x.log
        echo nested >arch/sub/n.txt
        echo plain >plain.txt
        tar -C arch -czf data.tar.gz .
        echo tmp >keep/x.tmp
        printf '*.log\nskip\n!skip/deep/back.txt\n**/*.tmp\narch\n' >.dockerignore
        run "$BERTH" build --network none --build-arg GREETING=hi -t demo:1 .
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output == *"Step 1/"*": ARG BASE=busybox"* ]]
        [[ $output == *"Successfully built "* ]]
        [[ $output == *"Successfully tagged demo:1"* ]]

        run "$BERTH" run --rm --network none demo:1
        [ "$status" -eq 0 ]
        [ "$output" = "hi world" ]
        # whiteout: the base image's /etc/group is gone
        run "$BERTH" run --rm --network none demo:1 'ls /etc/group'
        [ "$status" -ne 0 ]
        run "$BERTH" run --rm --network none demo:1 'cd src && find . -type f | sort; echo "$MODE"; id -u; pwd'
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output == *"./keep/a.txt"* ]]
        [[ $output == *"./skip/deep/back.txt"* ]]
        [[ $output != *"secret.txt"* ]]
        [[ $output != *"x.log"* ]]
        [[ $output != *"x.tmp"* ]]
        [[ $output != *"sub/n.txt"* ]]
        [[ $output == *"two words"* ]]
        [[ $output == *"1000"* ]]
        [[ $output == *"/app"* ]]
        run "$BERTH" run --rm --network none demo:1 'echo "$LEGACY"'
        [ "$output" = "legacy form /app" ]
        # ADD: a local archive is extracted, a plain file copied
        run "$BERTH" run --rm --network none demo:1 'cat /data/sub/n.txt /plain/plain.txt; stat -c %u /data/sub/n.txt'
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'nested\nplain\n0')" ]
        run "$BERTH" run --rm --network none demo:1 'stat -c "%u:%g %a" /owned/plain.txt'
        [ "$output" = "1000:1000 600" ]

        run "$BERTH" image inspect demo:1
        [ "$status" -eq 0 ]
        cfg=$(echo "$output" | jq -c '.[0].Config')
        [ "$(echo "$cfg" | jq -r .User)" = app ]
        [ "$(echo "$cfg" | jq -r .WorkingDir)" = /app ]
        [ "$(echo "$cfg" | jq -c .Entrypoint)" = '["/bin/sh","-c"]' ]
        [ "$(echo "$cfg" | jq -c .Cmd)" = '["cat /app/greeting.txt"]' ]
        [ "$(echo "$cfg" | jq -c '.ExposedPorts | keys')" = '["53/udp","7000/tcp","7001/tcp","8080/tcp"]' ]
        [ "$(echo "$cfg" | jq -r '.Labels["org.example.name"]')" = "demo app" ]
        [ "$(echo "$cfg" | jq -r '.Labels.version')" = 1 ]
        [ "$(echo "$cfg" | jq -r .StopSignal)" = SIGINT ]
        [ "$(echo "$cfg" | jq -c '.Volumes | keys')" = '["/var/lib/demo"]' ]
        [ "$(echo "$cfg" | jq -c .Healthcheck.Test)" = '["CMD-SHELL","test -f /app/greeting.txt"]' ]
        [ "$(echo "$cfg" | jq -r .Healthcheck.Interval)" = 5000000000 ]
        [ "$(echo "$cfg" | jq -r .Healthcheck.Retries)" = 2 ]
        echo "$cfg" | jq -r '.Env[]' | grep -qx 'APP=/app'
        [ -z "$(echo "$cfg" | jq -r '.Env[]' | grep GREETING)" ]
        # base layer + RUN + COPY + 2 ADD + COPY
        [ "$(echo "$output" | jq '.[0].RootFS.Layers | length')" -eq 6 ]

        # the RUN layer in `save` is an ordinary layer with a .wh. whiteout
        "$BERTH" save -o "$CTX/img.tar" demo:1
        mkdir "$CTX/saved"
        tar -C "$CTX/saved" -xf "$CTX/img.tar"
        found=""
        for l in $(jq -r '.[0].Layers[]' "$CTX/saved/manifest.json"); do
                if tar -tf "$CTX/saved/$l" | grep -qx 'etc/.wh.group'; then
                        found=$l
                        tar -tf "$CTX/saved/$l" | grep -qx 'app/greeting.txt'
                        # a directory removed and made again is opaque
                        tar -tf "$CTX/saved/$l" | grep -qx 'var/www/.wh..wh..opq'
                        [ -z "$(tar -tf "$CTX/saved/$l" | grep 'etc/hosts')" ]
                fi
        done
        [ -n "$found" ]
        # nothing left behind by the RUN containers
        [ -z "$("$BERTH" ps -aq)" ]
        # the steps' images are untagged parents: listed only with -a
        [[ $("$BERTH" images) != *"<none>"* ]]
        [[ $("$BERTH" images -a) == *"<none>"* ]]
        parent=$("$BERTH" image inspect demo:1 | jq -r '.[0].Parent')
        [[ $parent == sha256:* ]]
}

@test "build: an unchanged rebuild is cached; --no-cache and a changed file are not" {
        cd "$CTX"
        printf 'FROM busybox\nCOPY f.txt /f.txt\nRUN cat /f.txt > /g.txt; date +%%s%%N > /stamp\nCMD ["cat", "/g.txt"]\n' >Dockerfile
        echo one >f.txt
        run build -t cache:1 .
        [ "$status" -eq 0 ]
        id1=$("$BERTH" image inspect -f '{{.Id}}' cache:1 2>/dev/null || "$BERTH" image inspect cache:1 | jq -r '.[0].Id')
        run build -t cache:1 .
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(grep -c CACHED <<<"$output")" -eq 2 ]
        [[ $output != *"Running in"* ]]
        id2=$("$BERTH" image inspect cache:1 | jq -r '.[0].Id')
        [ "$id1" = "$id2" ]
        run build --no-cache -t cache:1 .
        [ "$status" -eq 0 ]
        [[ $output != *CACHED* ]]
        [[ $output == *"Running in"* ]]
        id3=$("$BERTH" image inspect cache:1 | jq -r '.[0].Id')
        [ "$id3" != "$id2" ]
        echo two >f.txt
        run build -q -t cache:1 .
        [ "$status" -eq 0 ]
        [[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
        run "$BERTH" run --rm --network none cache:1
        [ "$output" = two ]
        # prune drops the replaced images but keeps the steps of cache:1
        run "$BERTH" image prune -f
        [ "$status" -eq 0 ]
        [[ $output == *deleted* ]]
        run build -t cache:1 .
        [ "$(grep -c CACHED <<<"$output")" -eq 2 ]
}

@test "build: multi-stage with COPY --from, --target, FROM scratch" {
        cd "$CTX"
        cat >Dockerfile <<'EOF'
FROM busybox AS builder
RUN mkdir -p /out && echo built > /out/artifact && ln -s artifact /out/link
FROM scratch AS final
COPY --from=builder /bin/busybox /bin/busybox
COPY --from=builder /out/ /opt/
COPY --from=0 /out/artifact /again
ENTRYPOINT ["/bin/busybox"]
CMD ["cat", "/opt/artifact", "/again"]
FROM final AS extra
RUN ["/bin/busybox", "sh", "-c", "echo extra > /opt/extra"]
EOF
        run build -t ms:final --target final .
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output != *"RUN [\"/bin/busybox\""* ]]
        run "$BERTH" run --rm --network none ms:final
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'built\nbuilt')" ]
        run "$BERTH" run --rm --network none ms:final readlink /opt/link
        [ "$output" = artifact ]
        [ "$("$BERTH" image inspect ms:final | jq '.[0].RootFS.Layers | length')" -eq 3 ]
        run build -t ms:extra .
        [ "$status" -eq 0 ]
        run "$BERTH" run --rm --network none ms:extra cat /opt/extra
        [ "$output" = extra ]
        run build --target nope .
        [ "$status" -ne 0 ]
        [[ $output == *'target stage "nope" could not be found'* ]]
}

@test "build: a failing RUN exits 1 with docker's message and leaves nothing behind" {
        cd "$CTX"
        printf 'FROM busybox\nRUN echo before\nRUN false\nRUN echo never\n' >Dockerfile
        run build -t fail:1 .
        echo "$output"
        [ "$status" -eq 1 ]
        [[ $output == *"The command '/bin/sh -c false' returned a non-zero code: 1"* ]]
        [[ $output != *never* ]]
        [ -z "$("$BERTH" ps -aq)" ]
        run "$BERTH" image inspect fail:1
        [ "$status" -ne 0 ]
        [ -z "$(ls "$BERTH_ROOT/run/build" 2>/dev/null)" ]
}

@test "build: SIGTERM during RUN stops the build and removes its container" {
        cd "$CTX"
        printf 'FROM busybox\nRUN echo started; sleep 30\n' >Dockerfile
        "$BERTH" build --network none . >"$CTX/out" 2>&1 &
        pid=$!
        for i in $(seq 300); do grep -q started "$CTX/out" && break; sleep 0.1; done
        sleep 0.2
        kill -TERM $pid
        rc=0
        wait $pid || rc=$?
        cat "$CTX/out"
        [ "$rc" -eq 1 ]
        grep -q started "$CTX/out"
        grep -Eq "returned a non-zero code|build interrupted" "$CTX/out"
        [ -z "$("$BERTH" ps -aq)" ]
        [ -z "$(ls "$BERTH_ROOT/run/build" 2>/dev/null)" ]
}

@test "build: parse and instruction errors name the Dockerfile line" {
        cd "$CTX"
        printf 'FROM busybox\n\nRUNN echo hi\n' >Dockerfile
        run build .
        [ "$status" -eq 1 ]
        [[ $output == *"Dockerfile:3: unknown instruction: RUNN"* ]]
        printf 'FROM busybox\nCOPY missing.txt /\n' >Dockerfile
        run build .
        [ "$status" -eq 1 ]
        [[ $output == *"Dockerfile:2: COPY"*"missing.txt"* ]]
        printf 'FROM busybox\nADD https://example.com/x /x\n' >Dockerfile
        run build .
        [ "$status" -eq 1 ]
        [[ $output == *"ADD from a URL is not supported by berth"* ]]
        printf 'FROM nosuchimage\n' >Dockerfile
        run build .
        [ "$status" -eq 1 ]
        [[ $output == *"nosuchimage"* ]]
        printf 'FROM busybox\nCOPY ../x /\n' >Dockerfile
        run build .
        [ "$status" -eq 1 ]
        [[ $output == *"outside the build context"* ]]
        mkdir sub && printf 'FROM busybox\nRUN exit 3\n' >sub/Other
        run build -f sub/Other .
        [ "$status" -eq 1 ]
        [[ $output == *"returned a non-zero code: 3"* ]]
}

@test "build: COPY resolves the destination through the image's symlinks, inside it" {
        cd "$CTX"
        cat >Dockerfile <<'EOF'
FROM busybox
RUN mkdir -p /real && ln -s /real /link && ln -s ../../../../etc /escape
COPY f.txt /link/
COPY f.txt /escape/
EOF
        echo data >f.txt
        # a symlink in the context never leads a source outside it
        ln -s /etc ctxlink
        printf 'FROM busybox\nCOPY ctxlink/passwd /p\n' >Escape
        run build -f Escape .
        [ "$status" -eq 1 ]
        [[ $output == *"file not found in build context"* ]]
        run build -t links:1 .
        echo "$output"
        [ "$status" -eq 0 ]
        run "$BERTH" run --rm --network none links:1 sh -c 'cat /real/f.txt /etc/f.txt; test -L /link'
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'data\ndata')" ]
        [ ! -e /etc/f.txt ] || [ "$(cat /etc/f.txt)" != data ]
}

@test "compose: build: ./app, up builds the missing image, up --build picks up changes, down --rmi local" {
        cd "$CTX"
        mkdir app
        printf 'FROM busybox\nARG WHO=nobody\nCOPY msg /msg\nRUN echo "$WHO" > /who\nCMD ["sh", "-c", "cat /msg /who; exec sleep 1000"]\n' >app/Dockerfile
        echo v1 >app/msg
        cat >compose.yaml <<'EOF2'
name: bproj
services:
  web:
    build:
      context: ./app
      network: none
      args:
        WHO: compose
      tags: ["bproj-extra:1"]
    network_mode: none
    healthcheck:
      test: ["CMD", "test", "-f", "/msg"]
      interval: 1s
  named:
    image: custom-named:2
    build: ./app
    network_mode: none
  inline:
    build:
      context: .
      network: none
      dockerfile_inline: |
        FROM busybox
        RUN echo inline > /inline
    network_mode: none
    profiles: [tools]
EOF2
        # the string form uses RUN's default network: keep it off here
        sed -i 's|^    build: ./app$|    build: {context: ./app, network: none}|' compose.yaml
        run "$BERTH" compose up -d --wait
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output == *"Service web  Built"* ]]
        "$BERTH" image inspect bproj-web:latest >/dev/null
        "$BERTH" image inspect bproj-extra:1 >/dev/null
        "$BERTH" image inspect custom-named:2 >/dev/null
        run "$BERTH" compose logs --no-log-prefix web
        [[ $output == *"v1"*"compose"* ]]

        # up again: image present and unchanged, nothing rebuilt or recreated
        echo v2 >app/msg
        run "$BERTH" compose up -d --wait
        [ "$status" -eq 0 ]
        [[ $output != *Built* ]]
        [[ $output != *Recreate* ]]
        run "$BERTH" compose up -d --wait --no-build
        [ "$status" -eq 0 ]
        [[ $output != *Built* ]]

        # --build rebuilds, the image changed, so the container is recreated
        run "$BERTH" compose up -d --wait --build web
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output == *"Service web  Built"* ]]
        [[ $output != *"Service named  Built"* ]]
        [[ $output == *"bproj-web-1  Recreate"* ]]
        sleep 0.3
        run "$BERTH" compose logs --no-log-prefix web
        [[ $output == *v2* ]]

        run "$BERTH" compose build --build-arg WHO=cli -q web
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        run "$BERTH" run --rm --network none bproj-web cat /who
        [ "$output" = cli ]

        # --rmi local: only the image named after the project goes
        run "$BERTH" compose down --rmi local
        [ "$status" -eq 0 ]
        run "$BERTH" image inspect bproj-web:latest
        [ "$status" -ne 0 ]
        "$BERTH" image inspect custom-named:2 >/dev/null
        [ -z "$("$BERTH" ps -aq)" ]

        # compose run builds a missing image (dockerfile_inline)
        run "$BERTH" compose run --rm inline cat /inline
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output == *"Service inline  Built"* ]]
        [[ $output == *inline* ]]
        "$BERTH" rmi bproj-inline >/dev/null

        # --no-build with the image missing fails
        run "$BERTH" compose up -d --no-build web
        [ "$status" -ne 0 ]
        [[ $output == *"not found locally"* ]]
        "$BERTH" compose down >/dev/null 2>&1 || true
        # builds and services used no network: none was made
        [ -z "$("$BERTH" network ls -q)" ]
}
