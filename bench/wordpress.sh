#!/usr/bin/env bash
# The awesome-compose wordpress-mysql stack (the corpus file, unchanged) under
# berth, timed as a user meets it, root:
#   bench/wordpress.sh [RUNS]     (default 3 runs; median, min and max printed)
#
# The images reach each engine as they reach a user's machine: pulled from a
# loopback docker-registry serving as the docker.io mirror
# (tests/integration/wordpress_mirror.bash: the stand-in images of
# tests/images/make-wordpress-images.sh, its storage cached), named in the
# engine's own `registry-mirrors` setting (berth: BERTH_CONFIG).
#
# Per run, with a throw-away BERTH_ROOT:
#   pull   `compose pull` of the two images from the mirror (none is there
#          before: the previous run's are removed);
#   cold   `compose up -d` on no volume, until the first HTTP 200 of the
#          installer (/wp-admin/install.php showing its form): MariaDB
#          initialises its data directory, WordPress copies itself into its
#          volume and writes wp-config.php;
#   then   the site is installed (the installer's form, posted with curl) and a
#          post is written with MariaDB's client in the db container;
#   memory the resident memory (VmRSS) of the engine's own processes while the
#          stack runs: berth's monitors of its containers, berth-dns-sup and
#          berth-dns (dockerd, containerd, the containerd shims and
#          docker-proxy for docker); the containers' memory cgroups for scale;
#   warm   `compose down`, then `compose up -d` on the installed volume, until
#          the first page (/) that shows the post.
# Also the wall time of the `up -d` command itself in both cases.
#
# docker-compose with dockerd, side by side in the same run (BENCH_DOCKERD=1,
# when dockerd, containerd, runc and docker-compose are installed, e.g.
# Debian's docker.io and docker-compose): the script starts a dockerd of its
# own (its own --data-root, --exec-root, pid file and socket under the
# throw-away root; --iptables=false, --ip6tables=false, no default bridge, no
# ip_forward or masquerade change, so the host's firewall rules and sysctls
# are left as they are; DNS only to 127.0.0.1, so WordPress's lookups of
# api.wordpress.org never leave the machine; networks from BENCH_DOCKER_POOLS,
# default 10.214.80.0/20), with the mirror in its daemon.json
# `registry-mirrors`, runs the same cycles with docker-compose (and `docker
# compose` if the docker client has the plugin), then stops the daemon by pid
# and removes all it made.  The engines take turns: the file publishes port
# 80.  Without BENCH_DOCKERD=1, or where those are not installed, the script
# says so and prints berth's rows only.
#
# Needs port 80 free (the file publishes 80:80) and docker-registry (make
# deps).  berth's subnets from 10.214.64.0/20 (BENCH_POOLS overrides),
# project wpbench.  Traffic only to 127.0.0.1.
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
export BERTH_SRC=$PWD BERTH
engine=berth
dockerd_pid=""
droot=$root/dockerd
export DOCKER_HOST=unix://$droot/docker.sock
cleanup() {
        "$BERTH" compose -f "$FILE" -p $P down -v -t 5 >/dev/null 2>&1 || true
        if [ "$engine" != berth ]; then $engine -f "$FILE" -p $P down -v -t 5 >/dev/null 2>&1 || true; fi
        if declare -F dockerd_stop >/dev/null; then dockerd_stop; fi
        if [ -s "$root/run/dns/pid" ]; then kill "$(cat "$root/run/dns/pid")" 2>/dev/null || true; fi
        reg_teardown_file 2>/dev/null || true
        rm -rf "$root"
}
trap cleanup EXIT

# shellcheck source=../tests/integration/registry_common.bash
. tests/integration/registry_common.bash
# shellcheck source=../tests/integration/wordpress_mirror.bash
. tests/integration/wordpress_mirror.bash
reg_setup_file
wp_mirror_setup "$root"
export BERTH_CONFIG=$root/berth-config.json

now_ms() { date +%s%3N; }

# wait_page PATH PATTERN SECONDS: until the body of PATH matches PATTERN
# (one request may take 20 s and more: under dockerd WordPress's lookups of
# api.wordpress.org wait for the embedded DNS server's time-out)
wait_page() {
        local end=$((SECONDS + $3)) body
        while [ $SECONDS -lt "$end" ]; do
                body=$(curl -s -m 60 "$URL$1" 2>/dev/null) || true
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

# the bench's dockerd and what it runs for the stack: dockerd, its containerd
# and docker-proxy processes (its children), the containerd shims of its
# containers (their command line names its containerd's socket): COMM KB lines
docker_rss() {
        local d comm pid
        for d in /proc/[0-9]*; do
                pid=${d#/proc/}
                comm=$(cat "$d/comm" 2>/dev/null) || continue
                case $comm in dockerd | containerd | containerd-shim* | docker-proxy) ;; *) continue ;; esac
                if [ "$pid" = "$dockerd_pid" ] ||
                        [ "$(awk '{print $4}' "$d/stat" 2>/dev/null)" = "$dockerd_pid" ] ||
                        tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF "$droot/exec/"; then
                        echo "$comm $(kb "$pid")"
                fi
        done
}

# the stack's containers' memory (their memory cgroups), in KB
stack_kb() {
        local id d total=0
        for id in "$@"; do
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
        wait_page / "$TITLE" 120
}

# one run of COMPOSE... (berth compose, docker-compose, docker compose), its
# figures appended to FILE as "pull_ms cold_up_ms cold_ms warm_up_ms warm_ms";
# the engine's RSS and the stack's memory of this run go to $root/rss.NAME.RUN
# and $root/stack.NAME.RUN
cycle() {
        local name=$1 f=$2 t0 t1 pull cold_up cold warm_up warm
        shift 2
        rm_images "$name"
        t0=$(now_ms)
        "$@" pull -q >/dev/null 2>&1 || "$@" pull >/dev/null
        pull=$(($(now_ms) - t0))
        t0=$(now_ms)
        "$@" up -d >/dev/null 2>&1
        t1=$(now_ms)
        cold_up=$((t1 - t0))
        wait_page /wp-admin/install.php 'Information needed' 300
        cold=$(($(now_ms) - t0))
        install_and_post "$@"
        if [ "$name" = berth ]; then
                berth_rss >"$root/rss.$name.$run"
                # shellcheck disable=SC2046
                stack_kb $("$BERTH" ps -q --no-trunc) >"$root/stack.$name.$run"
        else
                docker_rss >"$root/rss.$name.$run"
                # shellcheck disable=SC2046
                stack_kb $("$@" ps -q) >"$root/stack.$name.$run"
        fi
        "$@" down >/dev/null 2>&1
        t0=$(now_ms)
        "$@" up -d >/dev/null 2>&1
        t1=$(now_ms)
        warm_up=$((t1 - t0))
        wait_page / "$TITLE" 300
        warm=$(($(now_ms) - t0))
        "$@" down -v >/dev/null 2>&1
        echo "$pull $cold_up $cold $warm_up $warm" >>"$f"
        echo "# $name run $run: $pull $cold_up $cold $warm_up $warm (ms: pull, cold up -d, cold 200, warm up -d, warm post)"
}

rm_images() { # NAME: the stack's images out of that engine, so that it pulls
        if [ "$1" = berth ]; then
                "$BERTH" rmi -f mariadb:10.6.4-focal wordpress:latest >/dev/null 2>&1 || true
        else
                docker rmi -f mariadb:10.6.4-focal wordpress:latest >/dev/null 2>&1 || true
        fi
}

# dockerd_start: the bench's own dockerd (see the header); 0 when it answers
dockerd_start() {
        local i pools=${BENCH_DOCKER_POOLS:-10.214.80.0/20}
        mkdir -p "$droot/data" "$droot/exec"
        # (dockerd 20.10 writes its trust key to /etc/docker/key.json whatever
        # its roots)
        for i in /run/containerd /run/docker /etc/docker/key.json; do
                [ -e "$i" ] || echo "$i" >>"$droot/made"
        done
        cat >"$droot/daemon.json" <<JSON
{
  "registry-mirrors": ["$M_URL"],
  "default-address-pools": [{"base": "$pools", "size": 24}],
  "iptables": false,
  "ip6tables": false,
  "ip-forward": false,
  "ip-masq": false,
  "bridge": "none",
  "dns": ["127.0.0.1"]
}
JSON
        dockerd --config-file "$droot/daemon.json" --data-root "$droot/data" \
                --exec-root "$droot/exec" --pidfile "$droot/dockerd.pid" -H "$DOCKER_HOST" \
                >"$droot/dockerd.log" 2>&1 </dev/null 3>&- &
        dockerd_pid=$!
        for i in $(seq 1 300); do
                docker info >/dev/null 2>&1 && return 0
                kill -0 "$dockerd_pid" 2>/dev/null || break
                sleep 0.1
        done
        echo "# dockerd did not start:"
        tail -5 "$droot/dockerd.log" | sed 's/^/#   /'
        return 1
}

# dockerd_stop: the daemon by pid (it stops its containerd), then what it
# left: mounts under its roots, the roots, the /run directories it made
dockerd_stop() {
        local i m
        [ -n "$dockerd_pid" ] || return 0
        docker ps -aq 2>/dev/null | xargs -r docker rm -f -v >/dev/null 2>&1 || true
        docker network prune -f >/dev/null 2>&1 || true
        kill "$dockerd_pid" 2>/dev/null || true
        for i in $(seq 1 300); do
                kill -0 "$dockerd_pid" 2>/dev/null || break
                sleep 0.1
        done
        kill -9 "$dockerd_pid" 2>/dev/null || true
        dockerd_pid=""
        for m in $(awk -v r="$droot/" 'index($5, r) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
                umount -l "$m" 2>/dev/null || true
        done
        if [ -f "$droot/made" ]; then
                while read -r i; do rm -rf "$i"; done <"$droot/made"
        fi
        rm -rf "$droot"
}

stats() { # numbers on stdin: "median (min-max)" in seconds
        sort -n | awk '{v[NR] = $1} END {
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                printf "%.2f s (%.2f-%.2f)", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}

report() { # NAME FILE-of-cycles
        local name=$1 f=$2
        printf '| %s | %s | %s | %s | %s | %s |\n' "$name" \
                "$(cut -d' ' -f1 "$f" | stats)" "$(cut -d' ' -f2 "$f" | stats)" \
                "$(cut -d' ' -f3 "$f" | stats)" "$(cut -d' ' -f4 "$f" | stats)" \
                "$(cut -d' ' -f5 "$f" | stats)"
}

rss_report() { # NAME: per run, the engine's processes' VmRSS
        local r
        for r in $(seq 1 "$RUNS"); do
                [ -f "$root/rss.$1.$r" ] || continue
                awk -v run="$r" '{kb[$1] += $2; n[$1]++; t += $2} END {
                        printf "  run %s:", run
                        for (k in kb) printf " %s %d x = %d KB,", k, n[k], kb[k]
                        printf " total %d KB\n", t }' "$root/rss.$1.$r"
        done
        echo "  the stack's containers (their memory cgroups, run 1): $(cat "$root/stack.$1.1" 2>/dev/null) KB"
}

echo "# bench/wordpress.sh: $RUNS run(s), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# the docker.io mirror: $M_URL"
engines=(berth)
: >"$root/berth.runs"
for run in $(seq 1 "$RUNS"); do
        cycle berth "$root/berth.runs" "$BERTH" compose -f "$FILE" -p $P
done

if [ "${BENCH_DOCKERD:-0}" != 1 ]; then
        echo "# docker-compose with dockerd: not run (BENCH_DOCKERD=1 runs it: see the header); berth's rows only"
elif ! command -v dockerd >/dev/null || ! command -v containerd >/dev/null ||
        ! command -v runc >/dev/null || ! command -v docker >/dev/null; then
        echo "# docker-compose with dockerd: dockerd, containerd, runc or the docker client is not installed; berth's rows only"
elif dockerd_start; then
        others=()
        command -v docker-compose >/dev/null && others+=(docker-compose)
        docker compose version >/dev/null 2>&1 && others+=("docker compose")
        [ ${#others[@]} -gt 0 ] || echo "# neither docker-compose nor docker's compose plugin is installed"
        echo "# dockerd $(docker version -f '{{.Server.Version}}' 2>/dev/null), pid $dockerd_pid, load average $(cut -d' ' -f1-3 /proc/loadavg)"
        for o in "${others[@]}"; do
                name=$(echo "$o" | tr ' ' _)
                engine=$o
                : >"$root/$name.runs"
                for run in $(seq 1 "$RUNS"); do
                        # shellcheck disable=SC2086
                        cycle "$name" "$root/$name.runs" $o -f "$FILE" -p $P
                done
                engines+=("$name")
                engine=berth
        done
        # the mirror served docker too
        grep -c 'GET /v2/library/.*/manifests/' "$M_DIR/registry.log" |
                sed 's/^/# manifest GETs the mirror served in all: /'
        dockerd_stop
fi
echo "# load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "| engine | pull from the mirror | cold: up -d returns | cold: installer HTTP 200 | warm: up -d returns | warm: page with the post |"
echo "|---|---|---|---|---|---|"
for e in "${engines[@]}"; do
        case $e in berth) n="berth compose" ;; *) n="$(echo "$e" | tr _ ' ') + dockerd" ;; esac
        report "$n" "$root/$e.runs"
done

echo
echo "Resident memory of berth's own processes while the stack runs (VmRSS; per run):"
rss_report berth
for e in "${engines[@]}"; do
        [ "$e" != berth ] || continue
        echo "The same for dockerd, containerd, the shims and docker-proxy under $(echo "$e" | tr _ ' '):"
        rss_report "$e"
done
