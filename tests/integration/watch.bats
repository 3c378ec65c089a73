#!/usr/bin/env bats
# `compose watch` and `up --watch` (develop.watch) on examples/watch: sync of
# edits, new directories and deletions into the running container, ignore
# patterns, rebuild on a Dockerfile change, and the sync staying inside the
# container's root.  Project watchdemo (the example's name), ports 1879x,
# subnets from 10.219.0.0/16.

load compose_common

setup_file() {
        compose_setup_file watch 10.219.0.0/16:24
}

teardown_file() {
        compose_teardown_file
}

setup() {
        rm -rf "$BERTH_ROOT/p/watchdemo"
        mkdir -p "$BERTH_ROOT/p"
        cp -r "$BERTH_SRC/examples/watch" "$BERTH_ROOT/p/watchdemo"
        F=$BERTH_ROOT/p/watchdemo/compose.yaml
        W=$BERTH_ROOT/p/watchdemo/web
}

teardown() {
        if [ -n "${WPID:-}" ]; then
                kill -INT "$WPID" 2>/dev/null || true
                # a test that failed early must not hang here
                for _ in $(seq 100); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
                kill -KILL "$WPID" 2>/dev/null || true
                wait "$WPID" 2>/dev/null || true
        fi
        "$BERTH" compose -f "$F" down -t 0 >/dev/null 2>&1 || true
}

# start_watch ARGS...: berth compose ARGS in the background until "Watch enabled"
start_watch() {
        # as from a script: a background job inherits SIGINT ignored, and
        # Ctrl-C / kill -INT must still end the watch
        (
                trap '' INT
                exec "$BERTH" compose -f "$F" "$@" >"$BERTH_ROOT/watch.log" 2>&1
        ) &
        WPID=$!
        local end=$((SECONDS + 60))
        until grep -q "Watch enabled" "$BERTH_ROOT/watch.log"; do
                [ $SECONDS -lt $end ] && kill -0 "$WPID" 2>/dev/null ||
                        { cat "$BERTH_ROOT/watch.log"; return 1; }
                sleep 0.1
        done
}

# stop_watch: kill -INT ends the watch within 10 s, with status 0
stop_watch() {
        kill -INT "$WPID"
        for _ in $(seq 100); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.1; done
        ! kill -0 "$WPID" 2>/dev/null || false
        wait "$WPID"
        WPID=
}

# page PATH PATTERN: until the page matches (5 s)
page() {
        local end=$((SECONDS + 5)) out
        while :; do
                out=$(curl -s -m 2 "http://127.0.0.1:$WATCH_PORT$1") || true
                [[ $out =~ $2 ]] && return 0
                [ $SECONDS -lt $end ] || { echo "$1: '$out' does not match '$2'"; return 1; }
                sleep 0.05
        done
}

@test "compose watch: edits, new directories and deletions are synced; ignored files are not" {
        export WATCH_PORT=18791
        start_watch watch
        page / "hello from the image"
        echo "edited on the host" >"$W/index.html"
        page / "edited on the host"
        # the container was not restarted for it
        run "$BERTH" inspect -f '{{.RestartCount}} {{.State.Status}}' watchdemo-web-1
        [ "$output" = "0 running" ]
        mkdir -p "$W/sub/deeper"
        echo nested >"$W/sub/deeper/a.txt"
        echo scratch >"$W/notes.tmp"
        page /sub/deeper/a.txt nested
        run "$BERTH" exec watchdemo-web-1 ls /www
        [[ "$output" != *notes.tmp* ]]
        rm "$W/sub/deeper/a.txt"
        local end=$((SECONDS + 5))
        while "$BERTH" exec watchdemo-web-1 test -e /www/sub/deeper/a.txt; do
                [ $SECONDS -lt $end ] || false
                sleep 0.1
        done
        grep -q 'Syncing service "web" after' "$BERTH_ROOT/watch.log"
        stop_watch
}

@test "compose watch: a Dockerfile change rebuilds the image and recreates the service" {
        export WATCH_PORT=18792
        start_watch watch
        run "$BERTH" inspect -f '{{index .Config.Labels "demo.version"}}' watchdemo-web-1
        [ "$output" = 1 ]
        sed -i 's/demo.version="1"/demo.version="2"/' "$BERTH_ROOT/p/watchdemo/Dockerfile"
        local end=$((SECONDS + 60)) v=
        until [ "$v" = 2 ]; do
                [ $SECONDS -lt $end ] || { cat "$BERTH_ROOT/watch.log"; false; }
                sleep 0.2
                v=$("$BERTH" inspect -f '{{index .Config.Labels "demo.version"}}' watchdemo-web-1 2>/dev/null) || true
        done
        grep -q 'Rebuilding service(s) \["web"\]' "$BERTH_ROOT/watch.log"
        page / "hello from the image"
}

@test "up --watch -d: initial_sync, then a symlink in the synced tree never leads out of the container" {
        export WATCH_PORT=18793
        # initial_sync: what is on the host when watching starts is synced
        sed -i 's|          action: sync|          action: sync\n          initial_sync: true|' "$F"
        echo "before the watch" >"$W/early.html"
        "$BERTH" compose -f "$F" up -d --build
        rm "$W/early.html" && echo "before the watch" >"$W/early2.html"
        start_watch up --watch -d
        page /early2.html "before the watch"
        # a host symlink is synced as a symlink: it resolves in the container
        echo outside >"$BERTH_ROOT/host-secret"
        ln -s "$BERTH_ROOT/host-secret" "$W/link"
        local end=$((SECONDS + 5))
        until "$BERTH" exec watchdemo-web-1 test -L /www/link; do
                [ $SECONDS -lt $end ] || false
                sleep 0.1
        done
        run "$BERTH" exec watchdemo-web-1 cat /www/link
        [ "$status" -ne 0 ]
        [[ "$output" != *outside* ]]
        # a deletion below a container symlink that points at a host path is
        # resolved inside the container: the host's file stays
        local sent=$BERTH_ROOT/sentinel
        mkdir -p "$sent" && echo keep >"$sent/keep"
        mkdir -p "$W/del" && echo x >"$W/del/keep"
        end=$((SECONDS + 5))
        until "$BERTH" exec watchdemo-web-1 test -f /www/del/keep; do
                [ $SECONDS -lt $end ] || false
                sleep 0.1
        done
        "$BERTH" exec watchdemo-web-1 sh -c "rm -rf /www/del && ln -s $sent /www/del"
        rm "$W/del/keep"
        end=$((SECONDS + 3))
        until grep -q 'after 1 changes' "$BERTH_ROOT/watch.log" && [ $SECONDS -ge $((end - 2)) ]; do
                [ $SECONDS -lt $end ] || break
                sleep 0.1
        done
        sleep 0.5
        [ -f "$sent/keep" ]
        stop_watch
}
