#!/usr/bin/env bash
# The awesome-compose wordpress-mysql stack (the corpus file, unchanged) under
# berth, timed as a user meets it, root:
#   bench/wordpress.sh [RUNS]     (default 3 runs; median, min and max printed)
#
# Per run, with a throw-away BERTH_ROOT holding the stand-in images
# (tests/images/make-wordpress-images.sh):
#   cold   `compose up -d` on no volume, until the first HTTP 200 of the
#          installer (/wp-admin/install.php showing its form): MariaDB
#          initialises its data directory, WordPress copies itself into its
#          volume and writes wp-config.php;
#   then   the site is installed (the installer's form, posted with curl) and a
#          post is written with MariaDB's client in the db container;
#   memory the resident memory (VmRSS) of berth's own processes while the stack
#          runs: the berth-monitor processes of its containers, berth-dns-sup
#          and berth-dns; the containers' memory cgroups for scale;
#   warm   `compose down`, then `compose up -d` on the installed volume, until
#          the first page (/) that shows the post.
# Also the wall time of the `up -d` command itself in both cases.
#
# docker compose / docker-compose with dockerd are timed the same way, on the
# same images (`berth save | docker load`), when they are installed and a
# daemon answers (BENCH_OTHERS=0 skips them); where they are not installed the
# script says so and prints berth's rows only.
#
# Needs port 80 free (the file publishes 80:80).  Subnets from
# 10.214.64.0/20 (BENCH_POOLS overrides), project wpbench.  Traffic only to
# 127.0.0.1.
set -eu
cd "$(dirname "$0")/.."
BERTH=${BERTH:-$PWD/build/gcc/berth}
RUNS=${1:-3}
FILE=${WORDPRESS_COMPOSE:-../shared/corpus/awesome-compose/wordpress-mysql/compose.yaml}
URL=http://127.0.0.1:80
P=wpbench
TITLE="berth bench post $$"

[ -f "$FILE" ] || {
        echo "bench/wordpress.sh: $FILE not found (set WORDPRESS_COMPOSE=FILE)" >&2
        exit 1
}
if ss -Htln 'sport = :80' | grep -q .; then
        echo "bench/wordpress.sh: port 80 is in use; the compose file publishes 80:80" >&2
        exit 1
fi
root=$(mktemp -d /tmp/berth-wpbench.XXXXXX)
export BERTH_ROOT=$root BERTH_ADDRESS_POOLS=${BENCH_POOLS:-10.214.64.0/20:24}
export BERTH_DNS_FORWARD=${BERTH_DNS_FORWARD:-0}
engine=berth
cleanup() {
        "$BERTH" compose -f "$FILE" -p $P down -v -t 5 >/dev/null 2>&1 || true
        if [ "$engine" != berth ]; then $engine -f "$FILE" -p $P down -v -t 5 >/dev/null 2>&1 || true; fi
        if [ -s "$root/run/dns/pid" ]; then kill "$(cat "$root/run/dns/pid")" 2>/dev/null || true; fi
        rm -rf "$root"
}
trap cleanup EXIT

BERTH=$BERTH tests/images/make-wordpress-images.sh

now_ms() { date +%s%3N; }

# wait_page PATH PATTERN SECONDS: until the body of PATH matches PATTERN
wait_page() {
        local end=$((SECONDS + $3)) body
        while [ $SECONDS -lt "$end" ]; do
                body=$(curl -s -m 20 "$URL$1" 2>/dev/null) || true
                [[ $body =~ $2 ]] && return 0
                sleep 0.1
        done
        echo "bench/wordpress.sh: no $1 matching '$2' within $3 s" >&2
        return 1
}

kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# berth's own processes for this root (its monitors, berth-dns-sup and
# berth-dns: every berth-* process whose BERTH_ROOT is this one): COMM KB lines
berth_rss() {
        local d comm
        for d in /proc/[0-9]*; do
                comm=$(cat "$d/comm" 2>/dev/null) || continue
                case $comm in berth-*) ;; *) continue ;; esac
                tr '\0' '\n' 2>/dev/null <"$d/environ" | grep -qx "BERTH_ROOT=$root" || continue
                echo "$comm $(kb "${d#/proc/}")"
        done
}

# the stack's containers' memory (their memory cgroups), in KB
stack_kb() {
        local id d total=0
        for id in $("$BERTH" ps -q --no-trunc); do
                for d in $(find /sys/fs/cgroup -maxdepth 4 -type d -name "$id" 2>/dev/null); do
                        if [ -r "$d/memory.current" ]; then
                                total=$((total + $(cat "$d/memory.current") / 1024))
                                break
                        elif [ -r "$d/memory.usage_in_bytes" ]; then
                                total=$((total + $(cat "$d/memory.usage_in_bytes") / 1024))
                                break
                        fi
                done
        done
        echo "$total"
}

install_and_post() { # COMPOSE...: the installer's form, then one post
        curl -s -m 120 -o /dev/null --data-urlencode 'weblog_title=berth bench' \
                --data-urlencode user_name=admin --data-urlencode 'admin_password=Berth-bench-2026!long' \
                --data-urlencode 'admin_password2=Berth-bench-2026!long' \
                --data-urlencode admin_email=admin@example.com -d blog_public=0 -d language= \
                "$URL/wp-admin/install.php?step=2"
        "$@" exec -T db mariadb -uwordpress -pwordpress wordpress -e "
          INSERT INTO wp_posts (post_author, post_date, post_date_gmt, post_content, post_title,
            post_excerpt, post_status, comment_status, ping_status, post_name, to_ping, pinged,
            post_modified, post_modified_gmt, post_content_filtered, post_type)
          VALUES (1, NOW(), UTC_TIMESTAMP(), 'timed by bench/wordpress.sh', '$TITLE', '',
            'publish', 'open', 'open', 'berth-bench-post', '', '', NOW(), UTC_TIMESTAMP(), '',
            'post')"
        wait_page / "$TITLE" 60
}

# one run of COMPOSE... (berth compose, docker compose, docker-compose):
# prints "cold_up_ms cold_ms warm_up_ms warm_ms"
cycle() {
        local t0 t1 cold_up cold warm_up warm
        t0=$(now_ms)
        "$@" up -d >/dev/null 2>&1
        t1=$(now_ms)
        cold_up=$((t1 - t0))
        wait_page /wp-admin/install.php 'Information needed' 300
        cold=$(($(now_ms) - t0))
        install_and_post "$@"
        if [ "$1" = "$BERTH" ]; then
                berth_rss >"$root/rss.$run"
                stack_kb >"$root/stack.$run"
        fi
        "$@" down >/dev/null 2>&1
        t0=$(now_ms)
        "$@" up -d >/dev/null 2>&1
        t1=$(now_ms)
        warm_up=$((t1 - t0))
        wait_page / "$TITLE" 300
        warm=$(($(now_ms) - t0))
        "$@" down -v >/dev/null 2>&1
        echo "$cold_up $cold $warm_up $warm"
}

stats() { # numbers on stdin: "median (min-max)" in seconds
        sort -n | awk '{v[NR] = $1} END {
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                printf "%.2f s (%.2f-%.2f)", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}

report() { # NAME FILE-of-cycles
        local name=$1 f=$2
        printf '| %s | %s | %s | %s | %s |\n' "$name" \
                "$(cut -d' ' -f1 "$f" | stats)" "$(cut -d' ' -f2 "$f" | stats)" \
                "$(cut -d' ' -f3 "$f" | stats)" "$(cut -d' ' -f4 "$f" | stats)"
}

echo "# bench/wordpress.sh: $RUNS run(s), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$root/berth.runs"
for run in $(seq 1 "$RUNS"); do
        cycle "$BERTH" compose -f "$FILE" -p $P >>"$root/berth.runs"
        echo "# berth run $run: $(tail -1 "$root/berth.runs") (ms: cold up -d, cold 200, warm up -d, warm post)"
done

others=()
if [ "${BENCH_OTHERS:-1}" != 0 ]; then
        if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
                "$BERTH" save mariadb:10.6.4-focal wordpress:latest | docker load >/dev/null
                docker compose version >/dev/null 2>&1 && others+=("docker compose")
                command -v docker-compose >/dev/null 2>&1 && others+=(docker-compose)
        else
                echo "# docker / docker-compose / dockerd: not installed here (or no daemon answers): berth's rows only"
        fi
fi
for o in "${others[@]}"; do
        engine=$o
        : >"$root/other.runs"
        for run in $(seq 1 "$RUNS"); do
                cycle $o -f "$FILE" -p $P >>"$root/other.runs"
        done
        cp "$root/other.runs" "$root/$(echo "$o" | tr ' ' _).runs"
        engine=berth
done

echo
echo "| engine | cold: up -d returns | cold: installer HTTP 200 | warm: up -d returns | warm: page with the post |"
echo "|---|---|---|---|---|"
report "berth compose" "$root/berth.runs"
for o in "${others[@]}"; do report "$o" "$root/$(echo "$o" | tr ' ' _).runs"; done

echo
echo "Resident memory of berth's own processes while the stack runs (VmRSS; per run):"
for run in $(seq 1 "$RUNS"); do
        awk -v run="$run" '{kb[$1] += $2; n[$1]++; t += $2} END {
                printf "  run %s:", run
                for (k in kb) printf " %s %d x = %d KB,", k, n[k], kb[k]
                printf " total %d KB\n", t }' "$root/rss.$run"
done
echo "  the stack's containers (their memory cgroups, run 1): $(cat "$root/stack.1") KB"
