#!/usr/bin/env bash
# Compose up -d / down wall time for 3, 10 and 50 services (busybox `sleep`
# containers with init: true on the project's default network), root.
#   bench/compose.sh [RUNS]        (default 3 runs per size; the median is printed)
# A throw-away BERTH_ROOT, subnets from 10.233.240.0/20 (BENCH_POOLS overrides),
# project names cubench* (BENCH_PREFIX overrides).
# docker compose (v2 plugin), docker-compose (v1, Debian's package; given
# the same file with `version: "2.4"` for `name:`) and podman-compose are
# timed side by side when installed and working, one run per size
# (BENCH_OTHERS=0 skips them).  When dockerd is installed but no daemon
# answers, the script starts one with its defaults for the run and stops it
# after.  busybox:latest is handed to podman with
# `berth save | podman load`.  Where podman's defaults cannot start a container
# (crun refuses hybrid cgroup hosts; raising RLIMIT_NOFILE/NPROC needs
# CAP_SYS_RESOURCE), the script writes a containers.conf that selects runc and
# lower ulimits and says so.
# Then `up -d --wait` of 3 and 10 services with a healthcheck (CMD true,
# interval $HC_INTERVAL, default 1s): the first check runs one interval after
# the start, so what --wait adds is the row minus the interval.
# BERTH_BEFORE=/path/to/older/berth adds rows for that build, its runs
# interleaved with the current build's in the same store, so that a change
# is shown before and after in one run under the same load.  Each build has
# its own BERTH_ROOT: state one build leaves (e.g. the containers dirs'
# FS_TOPDIR_FL, see docs/PERFORMANCE.md session 7) must not speed up or slow
# down the other.
set -eu
cd "$(dirname "$0")/.."
BERTH=${BERTH:-$PWD/build/gcc/berth}
RUNS=${1:-3}
root=$(mktemp -d /tmp/berth-cubench.XXXXXX)
broot= # BERTH_BEFORE's own root
[ -z "${BERTH_BEFORE:-}" ] || broot=$(mktemp -d /tmp/berth-cubench-before.XXXXXX)
export BERTH_ROOT=$root BERTH_ADDRESS_POOLS=${BENCH_POOLS:-10.233.240.0/20:24}
dockerd_pid=
cleanup() {
        if [ -n "$dockerd_pid" ]; then
                kill "$dockerd_pid" 2>/dev/null || true
                while kill -0 "$dockerd_pid" 2>/dev/null; do sleep 0.2; done
        fi
        for f in "$root"/*.yaml; do
                [ -f "$f" ] && "$BERTH" compose -f "$f" down -t 0 >/dev/null 2>&1 || true
                [ -z "$broot" ] || [ ! -f "$f" ] ||
                        BERTH_ROOT=$broot "$BERTH_BEFORE" compose -f "$f" down -t 0 >/dev/null 2>&1 || true
        done
        rm -rf "$root" ${broot:+"$broot"}
}
trap cleanup EXIT
BERTH=$BERTH tests/images/make-busybox.sh
[ -z "$broot" ] || BERTH_ROOT=$broot BERTH=$BERTH_BEFORE tests/images/make-busybox.sh

# Which other engines can run here, prepared the same way as berth.
others=()
if [ "${BENCH_OTHERS:-1}" != 0 ]; then
        if command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1 &&
                command -v dockerd >/dev/null 2>&1; then
                dockerd >"$root/dockerd.log" 2>&1 &
                dockerd_pid=$!
                for _ in $(seq 1 100); do
                        docker info >/dev/null 2>&1 && break
                        sleep 0.2
                done
                echo "# dockerd started for this run (pid $dockerd_pid), stopped at the end"
        fi
        if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
                "$BERTH" save busybox:latest | docker load >/dev/null
                docker compose version >/dev/null 2>&1 && others+=("docker compose")
                command -v docker-compose >/dev/null 2>&1 && others+=(docker-compose)
        fi
        if command -v podman-compose >/dev/null 2>&1 && command -v podman >/dev/null 2>&1; then
                "$BERTH" save busybox:latest | podman load >/dev/null 2>&1
                if ! podman run --rm busybox:latest true >/dev/null 2>&1; then
                        printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n%s' \
                                "$(command -v runc >/dev/null && printf '[engine]\nruntime = "runc"\n')" \
                                >"$root/containers.conf"
                        export CONTAINERS_CONF=$root/containers.conf
                        echo "# podman: defaults fail here; using $(tr '\n' ' ' <"$CONTAINERS_CONF")"
                fi
                if podman run --rm busybox:latest true >/dev/null 2>&1; then
                        others+=(podman-compose)
                else
                        echo "# podman-compose: installed, but podman cannot start a container here"
                fi
        fi
fi

gen() { # gen N FILE [health]
        {
                echo "name: ${BENCH_PREFIX:-cubench}$1${3:+h}"
                echo "services:"
                for i in $(seq 1 "$1"); do
                        printf '  s%d:\n    image: busybox:latest\n    init: true\n' "$i"
                        printf '    command: ["sleep", "100000"]\n    stop_grace_period: %s\n' \
                                "${GRACE:-10s}"
                        [ -z "${3:-}" ] ||
                                printf '    healthcheck:\n      test: ["CMD", "true"]\n      interval: %s\n' \
                                        "${HC_INTERVAL:-1s}"
                done
        } >"$2"
}

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "# compose up -d / down, $(nproc) cores, kernel $(uname -r), median of $RUNS runs"
printf '%-10s %-22s %12s %12s %14s\n' services engine "up -d (s)" "down (s)" "down -t 0 (s)"
for n in 3 10 50; do
        f=$root/c$n.yaml
        gen "$n" "$f"
        for b in ${BERTH_BEFORE:+before} berth; do
                : >"$root/$b.up" && : >"$root/$b.down" && : >"$root/$b.kill"
        done
        for r in $(seq 1 "$RUNS"); do
                for b in ${BERTH_BEFORE:+before} berth; do
                        bin=$BERTH
                        export BERTH_ROOT=$root
                        [ "$b" = berth ] || { bin=$BERTH_BEFORE && BERTH_ROOT=$broot; }
                        t0=$(now)
                        "$bin" compose -f "$f" --progress quiet up -d >/dev/null
                        t1=$(now)
                        if [ $((r % 2)) -eq 1 ]; then
                                "$bin" compose -f "$f" --progress quiet down >/dev/null
                                t2=$(now)
                                echo "$t2 - $t1" | bc >>"$root/$b.down"
                        else
                                "$bin" compose -f "$f" --progress quiet down -t 0 >/dev/null
                                t2=$(now)
                                echo "$t2 - $t1" | bc >>"$root/$b.kill"
                        fi
                        echo "$t1 - $t0" | bc >>"$root/$b.up"
                done
        done
        export BERTH_ROOT=$root
        for b in ${BERTH_BEFORE:+before} berth; do
                up=$(median <"$root/$b.up")
                dn=$(median <"$root/$b.down")
                kl=$(median <"$root/$b.kill")
                label=berth
                [ "$b" = berth ] || label="berth (before)"
                printf '%-10s %-22s %12.3f %12.3f %14.3f\n' "$n" "$label" "$up" "${dn:-0}" "${kl:-0}"
        done
        # compose v1 knows no `name:`; version 2.4 has init and stop_grace_period
        sed "s/^name: \(.*\)/version: \"2.4\"/" "$f" >"$root/v1-c$n.yaml"
        for other in "${others[@]}"; do
                ff=$f
                [ "$other" != docker-compose ] || ff="$root/v1-c$n.yaml -p ${BENCH_PREFIX:-cubench}$n"
                t0=$(now)
                $other -f $ff up -d >/dev/null 2>&1
                t1=$(now)
                # (podman-compose 1.0 names the project after the directory, not
                # `name:`, so count what runs at all: nothing else should)
                running=$(${other%%[ -]*} ps -q | grep -c . || true)
                $other -f $ff down >/dev/null 2>&1
                t2=$(now)
                printf '%-10s %-22s %12.3f %12.3f %14s %s\n' "$n" "$other" \
                        "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" - \
                        "($running running after up)"
        done
done

echo "# compose up -d --wait, healthcheck CMD true every ${HC_INTERVAL:-1s}, median of $RUNS runs"
printf '%-10s %-22s %12s\n' services engine "up --wait (s)"
for n in 3 10; do
        f=$root/h$n.yaml
        gen "$n" "$f" health
        ups=()
        for r in $(seq 1 "$RUNS"); do
                t0=$(now)
                "$BERTH" compose -f "$f" --progress quiet up -d --wait >/dev/null
                t1=$(now)
                "$BERTH" compose -f "$f" --progress quiet down -t 0 >/dev/null
                ups+=("$(echo "$t1 - $t0" | bc)")
        done
        printf '%-10s %-22s %12.3f\n' "$n" berth "$(printf '%s\n' "${ups[@]}" | median)"
done
