#!/usr/bin/env bash
# Soak: N `compose up -d` / `down` cycles of examples/hello, then N
# `run --rm busybox true`, as root, in a throw-away BERTH_ROOT.  Reports the
# growth between the start and the end of: open fds and RSS of berth-dns,
# kernel objects (links, netns, mounts, cgroups, nft rules), files under the
# state root, and the time per cycle (mean of the first and of the last 10%).
# The target is zero growth and no slowdown.  Not part of `make check`.
#
#   bench/soak.sh [N]          N defaults to 1000 (SOAK_N overrides too)
#
# Environment: BERTH (default build/gcc/berth), SOAK_POOLS (default
# 10.246.240.0/20:24), SOAK_PORT (default 18655, hello's published port),
# SOAK_PROJECT (default flsoak).
#
# A user network with one container (flsoak-keep) stays up for the whole run
# so that berth-dns lives throughout (it exits once no user network is left)
# and its fds and RSS are those of one process over every cycle.
# Kernel objects are counted machine-wide: on a machine where other work
# runs in parallel their growth includes that work (the berth-specific
# counts - berth nft rules, berth cgroups, files under the root - do not).
set -eu
cd "$(dirname "$0")/.."
BERTH=${BERTH:-$PWD/build/gcc/berth}
N=${1:-${SOAK_N:-1000}}
PROJECT=${SOAK_PROJECT:-flsoak}
root=$(mktemp -d /tmp/berth-soak.XXXXXX)
export BERTH_ROOT=$root BERTH_ADDRESS_POOLS=${SOAK_POOLS:-10.246.240.0/20:24}
export HELLO_PORT=${SOAK_PORT:-18655} BERTH_DNS_FORWARD=0
# never the internet: busybox is imported locally
export HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
compose=(compose -p "$PROJECT" -f examples/hello/compose.yaml)

cleanup() {
        "$BERTH" "${compose[@]}" down -t 0 >/dev/null 2>&1 || true
        "$BERTH" rm -f flsoak-keep >/dev/null 2>&1 || true
        "$BERTH" network rm flsoak-keep bridge >/dev/null 2>&1 || true
        if [ -s "$root/run/dns/pid" ]; then
                kill "$(cat "$root/run/dns/pid")" 2>/dev/null || true
        fi
        rm -rf "$root"
}
trap cleanup EXIT
BERTH=$BERTH tests/images/make-busybox.sh >/dev/null
"$BERTH" network create flsoak-keep >/dev/null
"$BERTH" run -d --name flsoak-keep --network flsoak-keep busybox sleep 1000000 >/dev/null

dns_pid() { cat "$root/run/dns/pid" 2>/dev/null || echo 0; }

# this root's nftables table: the berth-* one that knows flsoak-keep's bridge
keep_br=$("$BERTH" network inspect flsoak-keep | jq -r '.[0].Options["com.docker.network.bridge.name"]')
table=
for t in $(nft list tables ip | awk '$3 ~ /^berth/ {print $3}'); do
        nft list table ip "$t" | grep -q "\"$keep_br\"" && table=$t
done

# links of this root: its networks' bridges and what is attached to them
own_links() {
        local n br c=0
        for n in $("$BERTH" network ls -q 2>/dev/null); do
                br=$("$BERTH" network inspect "$n" | jq -r '.[0].Options["com.docker.network.bridge.name"] // empty')
                [ -n "$br" ] || continue
                c=$((c + 1 + $(ip -o link show master "$br" 2>/dev/null | wc -l)))
        done
        echo "$c"
}

# berth processes of this root (monitors, watchers, berth-dns)
own_procs() {
        local p c=0
        for p in $(pgrep '^berth'); do
                tr '\0' '\n' 2>/dev/null </proc/$p/environ | grep -qx "BERTH_ROOT=$root" && c=$((c + 1))
        done
        echo "$c"
}

# name=value lines of every measure
snapshot() {
        local pid
        pid=$(dns_pid)
        echo "dns_pid=$pid"
        echo "dns_fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)"
        echo "dns_rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
        echo "links=$(ip -o link show | wc -l)"
        echo "netns=$(find /proc/[0-9]*/ns/net -maxdepth 0 -printf '%l\n' 2>/dev/null | sort -u | wc -l)"
        echo "mounts=$(wc -l </proc/self/mountinfo)"
        echo "cgroups=$(find /sys/fs/cgroup -type d 2>/dev/null | wc -l)"
        echo "berth_cgroups=$(find /sys/fs/cgroup -type d -path '*berth*' 2>/dev/null | wc -l)"
        echo "nft_rules=$(nft -a list ruleset 2>/dev/null | grep -c '# handle')"
        echo "own_nft_lines=$(nft list table ip "$table" 2>/dev/null | wc -l)"
        echo "own_cgroups=$(find /sys/fs/cgroup -type d -path "*/$table*" 2>/dev/null | wc -l)"
        echo "own_links=$(own_links)"
        echo "own_procs=$(own_procs)"
        echo "root_files=$(find "$root" -path "$root/t.*" -prune -o -print | wc -l)"
}

now() { date +%s.%N; }

# cycles KIND COUNT FILE: run COUNT cycles, one duration per line in FILE
cycles() {
        local kind=$1 count=$2 file=$3 i t0 t1
        : >"$file"
        for i in $(seq "$count"); do
                t0=$(now)
                case $kind in
                compose)
                        "$BERTH" "${compose[@]}" up -d >/dev/null 2>&1 ||
                                { echo "soak: compose up failed at cycle $i" >&2; "$BERTH" "${compose[@]}" up -d; exit 1; }
                        "$BERTH" "${compose[@]}" down -t 0 >/dev/null 2>&1 ||
                                { echo "soak: compose down failed at cycle $i" >&2; exit 1; }
                        ;;
                run)
                        "$BERTH" run --rm busybox true >/dev/null ||
                                { echo "soak: run --rm failed at cycle $i" >&2; exit 1; }
                        ;;
                esac
                t1=$(now)
                echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}' >>"$file"
        done
}

# mean of each tenth of a duration file (a trend, not just its ends)
deciles() {
        awk '{v[NR] = $1} END {k = int(NR / 10); if (k < 1) exit;
                for (d = 0; d < 10; d++) { s = 0; for (i = 1; i <= k; i++) s += v[d * k + i];
                        printf " %.2f", s / k } printf "\n"}' "$1"
}

# mean of the first / last 10% (at least one) of a duration file
means() {
        awk '{v[NR] = $1} END {k = int(NR / 10); if (k < 1) k = 1;
                for (i = 1; i <= k; i++) { a += v[i]; b += v[NR - k + i] }
                printf "%.3f %.3f %d\n", a / k, b / k, k}' "$1"
}

# one warm-up cycle of each, so that first-use costs (the default network,
# berth-dns start) are not counted as growth
cycles compose 1 "$root/warm" && cycles run 1 "$root/warm"
start=$(snapshot)
find "$root" -path "$root/t.*" -prune -o -print | sort >"$root/t.files0"
echo "soak: $N compose up -d/down cycles of examples/hello (project $PROJECT)" >&2
cycles compose "$N" "$root/t.compose"
echo "soak: $N run --rm busybox true" >&2
cycles run "$N" "$root/t.run"
end=$(snapshot)
find "$root" -path "$root/t.*" -prune -o -print | sort >"$root/t.files1"

echo "N=$N ($("$BERTH" version | head -1), $(nproc) cores, kernel $(uname -r), nft table $table)"
printf '%-18s %10s %10s %8s\n' measure start end growth
paste -d= <(echo "$start") <(echo "$end") | awk -F= '{printf "%-18s %10s %10s %8d\n", $1, $2, $4, $4 - $2}'
read -r a b k < <(means "$root/t.compose")
printf 'compose up+down   first %d: %ss  last %d: %ss per cycle\n' "$k" "$a" "$k" "$b"
read -r a b k < <(means "$root/t.run")
printf 'run --rm          first %d: %ss  last %d: %ss per cycle\n' "$k" "$a" "$k" "$b"
echo "compose, mean of each tenth:$(deciles "$root/t.compose")"
echo "run --rm, mean of each tenth:$(deciles "$root/t.run")"
if ! cmp -s "$root/t.files0" "$root/t.files1"; then
        echo "files under the state root that differ (first 20):"
        diff "$root/t.files0" "$root/t.files1" | grep '^[<>]' | sed "s|$root|\$BERTH_ROOT|" | head -20
fi
