#!/usr/bin/env bats
# The awesome-compose wordpress-mysql stack, the file unchanged, under berth,
# with the stand-in images of tests/images/make-wordpress-images.sh (built
# from Debian packages and cached; loaded into this file's BERTH_ROOT), and a
# real browser: Debian's chromium, headless, driven over the DevTools
# protocol by tests/browser/wordpress.js (puppeteer-core, installed into a
# cache directory by tests/browser/install.sh).
#
# The images reach this file's BERTH_ROOT the way they reach a user's
# machine: `compose up` pulls them.  setup_file starts a loopback
# docker-registry that serves as the docker.io mirror (BERTH_CONFIG's
# `registry-mirrors`), holding library/mariadb:10.6.4-focal and
# library/wordpress:latest: pushed there with `berth push` once, its storage
# then cached beside the image archive under the recipe's hash, so later runs
# only copy it.
#
# Skips, with the reason, when the images cannot be had (no cache and no
# mmdebstrap), the corpus file is missing, chromium, node or docker-registry
# is missing, or port 80 (which the file publishes) is taken.  Project
# wpbats, subnets from 10.248.0.0/20.  Screenshots:
# $BERTH_BUILD/test-logs/wordpress/.

load registry_common
load wordpress_mirror

CORPUS_FILE=${WORDPRESS_COMPOSE:-$BERTH_SRC/../shared/corpus/awesome-compose/wordpress-mysql/compose.yaml}
URL=http://127.0.0.1:80

# Why this file cannot run here (empty: it can).  bats 1.8 fails, rather than
# skips, a file whose setup_file calls skip, so setup_file records the reason
# and every test (and teardown_file) checks it.
wp_cannot_run() {
        local why
        [ -f "$CORPUS_FILE" ] || { echo "no $CORPUS_FILE (the awesome-compose corpus)"; return; }
        why=$("$BERTH_SRC/tests/images/make-wordpress-images.sh" --check) || { echo "$why"; return; }
        command -v chromium >/dev/null || { echo "chromium not installed (make deps)"; return; }
        command -v docker-registry >/dev/null || { echo "docker-registry not installed (make deps)"; return; }
        if ss -Htln 'sport = :80' | grep -q .; then
                echo "port 80 is in use on this host: the compose file publishes 80:80"
                return
        fi
        why=$("$BERTH_SRC/tests/browser/install.sh" 2>"$STATE/npm.log") ||
                { echo "browser driver: $why $(tail -3 "$STATE/npm.log")"; return; }
        echo "$why" >"$STATE/node_dir"
}

setup_file() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-wp.XXXXXX)
        export BERTH_ADDRESS_POOLS=10.248.0.0/20:24
        export SHOTS=${BERTH_BUILD:-/tmp}/test-logs/wordpress
        export STATE=$BATS_FILE_TMPDIR
        export WP_SKIP
        WP_SKIP=$(wp_cannot_run)
        [ -z "$WP_SKIP" ] || return 0
        export NODE_PATH=$(cat "$STATE/node_dir")/node_modules
        reg_setup_file
        wp_mirror_setup "$STATE"
        export BERTH_CONFIG=$STATE/berth-config.json
        mkdir -p "$SHOTS"
        rm -f "$SHOTS"/*.png
}

setup() {
        [ -z "$WP_SKIP" ] || skip "$WP_SKIP"
}

teardown_file() {
        if [ -n "$WP_SKIP" ]; then
                rm -rf "$BERTH_ROOT"
                return 0
        fi
        wpc down -v -t 5 >/dev/null 2>&1 || true
        local ids
        ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
        [ -z "$ids" ] || "$BERTH" rm -f -v $ids >/dev/null 2>&1 || true
        # the images go too: after that nothing of the stack is left
        "$BERTH" rmi -f mariadb:10.6.4-focal mysql:5.7 wordpress:latest >/dev/null 2>&1 || true
        reg_teardown_file
        if [ -s "$BERTH_ROOT/run/dns/pid" ]; then
                kill "$(cat "$BERTH_ROOT/run/dns/pid")" 2>/dev/null || true
        fi
        rm -rf "$BERTH_ROOT"
}

wpc() { "$BERTH" compose -f "$CORPUS_FILE" -p wpbats "$@"; }

# wait_page PATH PATTERN [SECONDS]: until the page's body matches PATTERN;
# $body and $code hold the last answer.
wait_page() {
        local end=$((SECONDS + ${3:-90}))
        while :; do
                rm -f "$STATE/body" # never the answer of an earlier try
                code=$(curl -s -m 20 -o "$STATE/body" -w '%{http_code}' "$URL$1") || true
                body=$(cat "$STATE/body" 2>/dev/null || true)
                [[ $body =~ $2 ]] && return 0
                if [ $SECONDS -ge $end ]; then
                        echo "no $1 matching '$2' within ${3:-90}s: last HTTP $code:" >&2
                        echo "${body:0:1500}" >&2
                        return 1
                fi
                sleep 0.3
        done
}

# How a stopped MariaDB (10.11) shows that it shut down cleanly.  InnoDB
# deletes its temporary tablespace ibtmp1, and MariaDB its DDL recovery log
# ddl_recovery.log, only at a clean shutdown: a server killed (-9, or a stop
# timeout's SIGKILL) leaves both in its data directory, even when it was
# idle.  The next start then removes the stale ibtmp1 ("Removed temporary
# tablespace data file"), and when redo follows the last checkpoint InnoDB
# says "Starting crash recovery" and Aria "Aria engine: starting recovery".
# (A kill -9 of an idle server leaves no redo to replay, so "crash recovery"
# alone cannot tell; ibtmp1 can.)
wp_db_clean_stop() { # the db_data volume of the stopped db
        local d
        d=$("$BERTH" volume inspect -f '{{.Mountpoint}}' wpbats_db_data)
        [ -f "$d/ibdata1" ] # the data directory itself
        if [ -e "$d/ibtmp1" ] || [ -e "$d/ddl_recovery.log" ]; then
                echo "MariaDB was not shut down cleanly: its data directory still has" \
                        "$(cd "$d" && ls -d ibtmp1 ddl_recovery.log 2>/dev/null | tr '\n' ' ')" >&2
                return 1
        fi
}
wp_db_clean_start() { # LOG: the db's log lines of its next start
        grep -q 'ready for connections' "$1"
        if grep -Ei 'crash recovery|not shut ?down normally|Removed temporary tablespace|Aria engine: starting recovery' "$1" >&2; then
                echo "MariaDB's next start found an unclean shutdown (lines above)" >&2
                return 1
        fi
}

browser() { node "$BERTH_SRC/tests/browser/wordpress.js" "$@"; }

@test "up -d of the unchanged file pulls the images from the docker.io mirror; the installer answers on 127.0.0.1:80" {
        for i in mariadb:10.6.4-focal wordpress:latest; do
                run "$BERTH" image inspect "$i"
                [ "$status" -ne 0 ] # not here before the up: it must pull them
        done
        run wpc up -d
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output == *" db "*" Pulled"* ]]
        [[ $output == *" wordpress "*" Pulled"* ]]
        # from the mirror, under Docker Hub's names
        grep -q 'GET /v2/library/mariadb/manifests/10.6.4-focal' "$M_DIR/registry.log"
        grep -q 'GET /v2/library/wordpress/manifests/latest' "$M_DIR/registry.log"
        digest=$("$BERTH" image inspect wordpress:latest | jq -r '.[0].RepoDigests[0]')
        echo "$digest"
        [[ $digest == *wordpress@sha256:* ]]
        # until MariaDB is ready WordPress shows its own database error page
        wait_page /wp-admin/install.php 'Information needed' 120
        [ "$code" = 200 ]
        run curl -s -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/"
        [[ $output == "302 "*"/wp-admin/install.php" ]]
}

@test "in chromium: install, log in, type a post in the block editor and publish it; screenshots" {
        title="berth post $RANDOM-$$"
        echo "$title" >"$STATE/title"
        run browser install "$URL" "$SHOTS" "berth WordPress" admin 'Berth-wp-2026!long' admin@example.com
        echo "$output"
        [ "$status" -eq 0 ]
        run browser post "$URL" "$SHOTS" admin 'Berth-wp-2026!long' "$title"
        echo "$output"
        # the page's errors, failed requests and reloads
        [ "$status" -eq 0 ] || { tail -20 "$SHOTS/browser-post.log"; false; }
        [[ $output == "ok published "* ]]
        for f in install dashboard editor post; do [ -s "$SHOTS/$f.png" ]; done
        wait_page / "$title" 10
}

@test "down, then up -d: the site is installed and the post is still there" {
        title=$(cat "$STATE/title")
        run wpc down
        [ "$status" -eq 0 ]
        run "$BERTH" volume ls -q
        [[ $output == *wpbats_db_data* ]]
        run wpc up -d
        [ "$status" -eq 0 ]
        wait_page / "$title" 120
        echo "HTTP $code"
        [ "$code" = 200 ]
        run browser find "$URL" "$SHOTS" "$title"
        echo "$output"
        [ "$status" -eq 0 ]
        wait_page /wp-admin/install.php 'Already Installed' 10
}

@test "foreground up on a terminal: colored, prefixed logs of both services; Ctrl-C stops both cleanly; MariaDB's next start has no crash recovery" {
        title=$(cat "$STATE/title")
        run wpc down
        [ "$status" -eq 0 ]
        log=$STATE/foreground.log
        : >"$log"
        python3 "$BERTH_SRC/tests/tools/ptyrun.py" "$log" \
                "$BERTH" compose -f "$CORPUS_FILE" -p wpbats up 3>&- &
        fg=$!
        wait_page / "$title" 120
        # both services' own lines, each prefixed and in its color
        for _ in $(seq 100); do
                grep -q $'\e\[[0-9;]*mdb-1 *|\e\[0m .*ready for connections' "$log" &&
                        grep -q $'\e\[[0-9;]*mwordpress-1 *|\e\[0m .*"GET / HTTP' "$log" && break
                sleep 0.1
        done
        cat -v "$log" | tail -20
        grep -q $'\e\[[0-9;]*mdb-1 *|\e\[0m .*ready for connections' "$log"
        grep -q $'\e\[[0-9;]*mwordpress-1 *|\e\[0m .*"GET / HTTP' "$log"
        dbc=$(grep -o $'\e\[[0-9;]*mdb-1' "$log" | head -1)
        wpc_=$(grep -o $'\e\[[0-9;]*mwordpress-1' "$log" | head -1)
        [ "${dbc%%m*}" != "${wpc_%%m*}" ] # one color per service
        kill -INT "$fg" # Ctrl-C typed on its terminal
        rc=0
        wait "$fg" || rc=$?
        cat -v "$log" | tail -15
        [ "$rc" = 130 ]
        grep -q 'Gracefully stopping' "$log"
        for c in db wordpress; do
                run "$BERTH" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "wpbats-$c-1"
                echo "$c: $output"
                [ "$output" = "exited 0" ]
        done
        # MariaDB shut down on SIGTERM, and the next start finds a clean log
        grep -Eq '(mysqld|mariadbd): Shutdown complete' "$log"
        wp_db_clean_stop
        before=$("$BERTH" logs wpbats-db-1 2>&1 | wc -l)
        run wpc up -d
        [ "$status" -eq 0 ]
        wait_page / "$title" 120
        "$BERTH" logs wpbats-db-1 2>&1 | tail -n +$((before + 1)) >"$STATE/db-next.log"
        wp_db_clean_start "$STATE/db-next.log"
}

@test "stop db: WordPress's database error page; start db: back, wordpress not restarted" {
        title=$(cat "$STATE/title")
        before=$("$BERTH" inspect -f '{{.State.Pid}} {{.RestartCount}} {{.State.StartedAt}}' wpbats-wordpress-1)
        run wpc stop db
        [ "$status" -eq 0 ]
        wait_page / 'Error establishing a database connection' 30
        [ "$code" = 500 ]
        run "$BERTH" inspect -f '{{.State.Status}}' wpbats-wordpress-1
        [ "$output" = running ]
        run wpc start db
        [ "$status" -eq 0 ]
        wait_page / "$title" 60
        [ "$code" = 200 ]
        after=$("$BERTH" inspect -f '{{.State.Pid}} {{.RestartCount}} {{.State.StartedAt}}' wpbats-wordpress-1)
        [ "$before" = "$after" ]
}

@test "kill -9 of mariadbd: restart: always brings it back and the site recovers" {
        title=$(cat "$STATE/title")
        pid=$("$BERTH" inspect -f '{{.State.Pid}}' wpbats-db-1)
        [[ $(cat /proc/$pid/comm) == @(mysqld|mariadbd) ]] # the server is the container's init
        restarts=$("$BERTH" inspect -f '{{.RestartCount}}' wpbats-db-1)
        kill -9 "$pid"
        for _ in $(seq 100); do
                n=$("$BERTH" inspect -f '{{.RestartCount}} {{.State.Status}}' wpbats-db-1)
                [ "$n" = "$((restarts + 1)) running" ] && break
                sleep 0.1
        done
        [ "$n" = "$((restarts + 1)) running" ]
        [ "$("$BERTH" inspect -f '{{.State.Pid}}' wpbats-db-1)" != "$pid" ]
        wait_page / "$title" 60
        [ "$code" = 200 ]
}

@test "down -v removes the data; the next up shows the installer; then nothing is left" {
        run wpc down -v
        [ "$status" -eq 0 ]
        run "$BERTH" volume ls -q
        echo "$output"
        [[ $output != *wpbats_db_data* ]]
        run wpc up -d
        [ "$status" -eq 0 ]
        wait_page /wp-admin/install.php 'Information needed' 120
        run wpc down -v
        [ "$status" -eq 0 ]
        run "$BERTH" ps -aq
        [ -z "$output" ]
        # the first down (without -v) left wordpress's anonymous volume
        # behind, as docker compose does; prune takes it
        "$BERTH" volume prune -f >/dev/null
        run "$BERTH" volume ls -q
        [ -z "$output" ]
        run "$BERTH" network ls
        [[ $output != *wpbats* ]]
}

@test "two copies side by side: -p wp1 and -p wp2 (ports overridden by an override file) both serve; both down, nothing left" {
        port=$(reg_free_port)
        printf 'services:\n  wordpress:\n    ports: !override\n      - "127.0.0.1:%s:80"\n' "$port" \
                >"$STATE/override.yaml"
        run "$BERTH" compose -f "$CORPUS_FILE" -f "$STATE/override.yaml" -p wp2 config
        echo "$output"
        [ "$status" -eq 0 ]
        [[ $output == *"published: \"$port\""* ]]
        [[ $output != *'published: "80"'* ]] # replaced, not added to
        run "$BERTH" compose -f "$CORPUS_FILE" -p wp1 up -d
        [ "$status" -eq 0 ]
        run "$BERTH" compose -f "$CORPUS_FILE" -f "$STATE/override.yaml" -p wp2 up -d
        echo "$output"
        [ "$status" -eq 0 ]
        # both at once: each its own MariaDB, each its own installer
        URL=http://127.0.0.1:80 wait_page /wp-admin/install.php 'Information needed' 120
        URL=http://127.0.0.1:$port wait_page /wp-admin/install.php 'Information needed' 120
        URL=http://127.0.0.1:80 wait_page /wp-admin/install.php 'Information needed' 10
        for p in wp1 wp2; do
                run "$BERTH" inspect -f '{{.State.Status}}' "$p-db-1" "$p-wordpress-1"
                echo "$output"
                [ "$output" = $'running\nrunning' ]
        done
        s1=$("$BERTH" network inspect wp1_default | jq -r '.[0].IPAM.Config[0].Subnet')
        s2=$("$BERTH" network inspect wp2_default | jq -r '.[0].IPAM.Config[0].Subnet')
        echo "$s1 $s2"
        [ -n "$s1" ]
        [ "$s1" != "$s2" ]
        run "$BERTH" volume ls -q
        [[ $output == *wp1_db_data* && $output == *wp2_db_data* ]]
        run "$BERTH" compose -f "$CORPUS_FILE" -p wp1 down -v
        [ "$status" -eq 0 ]
        run "$BERTH" compose -f "$CORPUS_FILE" -f "$STATE/override.yaml" -p wp2 down -v
        [ "$status" -eq 0 ]
        run "$BERTH" ps -aq
        [ -z "$output" ]
        run "$BERTH" volume ls -q
        [ -z "$output" ]
        run "$BERTH" network ls
        [[ $output != *wp1* && $output != *wp2* ]]
        run curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/"
        [ "$status" -ne 0 ] # nothing answers there any more
}

@test "examples/wordpress-dev: a theme edit on the host shows in the next page loads, no restart" {
        dev=$STATE/wordpress-dev
        rm -rf "$dev"
        cp -a "$BERTH_SRC/examples/wordpress-dev" "$dev"
        export WP_DEV_PORT=$(reg_free_port)
        URL=http://127.0.0.1:$WP_DEV_PORT
        devc() { "$BERTH" compose -f "$dev/compose.yaml" -p wpdev "$@"; }
        run devc up -d
        echo "$output"
        [ "$status" -eq 0 ]
        wait_page /wp-admin/install.php 'Information needed' 120
        # the installer's form, as curl posts it; WP_DEFAULT_THEME makes the
        # bind-mounted theme the active one
        run curl -s -m 60 -o "$STATE/install.html" -w '%{http_code}' \
                --data-urlencode 'weblog_title=berth dev' --data-urlencode user_name=admin \
                --data-urlencode 'admin_password=Berth-dev-2026!long' \
                --data-urlencode 'admin_password2=Berth-dev-2026!long' \
                --data-urlencode admin_email=admin@example.com -d blog_public=0 -d language= \
                "$URL/wp-admin/install.php?step=2"
        echo "$output"
        [ "$output" = 200 ]
        grep -q 'Success' "$STATE/install.html"
        wait_page / 'Hello from the berth-dev theme' 30
        [[ $body == *'class="site-title">berth dev<'* ]]
        started=$("$BERTH" inspect -f '{{.State.Pid}} {{.State.StartedAt}}' wpdev-wordpress-1)
        # a stylesheet edit: the very next load serves it
        sed -i 's/#0a5/#a05/' "$dev/theme/style.css"
        run curl -s -m 10 "$URL/wp-content/themes/berth-dev/style.css"
        [[ $output == *'.site-title { color: #a05; }'* ]]
        # a template edit: PHP's opcache looks at the file's mtime again
        # within 2 s (opcache.revalidate_freq, as in the official image)
        mark="edited on the host $RANDOM$$"
        sed -i "s/Hello from the berth-dev theme\./$mark/" "$dev/theme/index.php"
        t0=$SECONDS
        wait_page / "$mark" 10
        echo "template edit seen after $((SECONDS - t0)) s"
        [ "$("$BERTH" inspect -f '{{.State.Pid}} {{.State.StartedAt}}' wpdev-wordpress-1)" = "$started" ]
        # the host's file is the one WordPress reads: nothing was copied
        grep -q "$mark" "$dev/theme/index.php"
        run devc down -v
        [ "$status" -eq 0 ]
        run "$BERTH" ps -aq
        [ -z "$output" ]
        run "$BERTH" volume ls -q
        [ -z "$output" ]
}
