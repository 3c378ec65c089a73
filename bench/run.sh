#!/usr/bin/env bash
# `berth run --rm busybox true` wall time (median of RUNS), with the default
# bridge network and with --network none, side by side with crun running the
# same rootfs when crun is installed; then the CPU time of one run (user +
# system of the CLI and of everything it starts: monitor, watcher, container;
# `perf stat -e task-clock`, when perf works here), which the load of other
# jobs on the machine changes much less than the wall time; then the memory of
# the per-container monitor (PSS from /proc/PID/smaps_rollup, and the shared
# memory of the sealed binary copies it runs from), for 1 and for 10 running
# containers.
# crun is a comparison only (Debian's `crun` package, installed by hand: it is
# not in the Makefile's DEB_PKGS, berth does not use it).  crun 1.8 refuses a
# hybrid cgroup host whose cgroup2 hierarchy has controllers; there its rows
# run in a private mount namespace without /sys/fs/cgroup/unified (cgroup v1
# only, as berth uses it), made once for all of its runs.
#   bench/run.sh [RUNS]       (root; default 30 runs, after 3 warm-up runs)
# A throw-away BERTH_ROOT, subnets from 10.213.240.0/20 (BENCH_POOLS
# overrides), container names ep-bench* (BENCH_PREFIX overrides).
# BERTH=/path/to/berth benchmarks another build; BERTH_BEFORE=/path/to/older/berth
# adds rows for that build, its runs interleaved with the current build's.
set -eu
cd "$(dirname "$0")/.."
BERTH=${BERTH:-$PWD/build/gcc/berth}
RUNS=${1:-30}
PREFIX=${BENCH_PREFIX:-ep-bench}
root=$(mktemp -d /tmp/berth-runbench.XXXXXX)
export BERTH_ROOT=$root BERTH_ADDRESS_POOLS=${BENCH_POOLS:-10.213.240.0/20:24} BERTH_DNS_FORWARD=0
cleanup() {
        for c in $("$BERTH" ps -aq 2>/dev/null); do "$BERTH" rm -f "$c" >/dev/null 2>&1 || true; done
        # the default network's bridge and nftables table, and berth-dns
        "$BERTH" network rm bridge >/dev/null 2>&1 || true
        if [ -s "$root/run/dns/pid" ]; then
                kill "$(cat "$root/run/dns/pid")" 2>/dev/null || true
        fi
        [ -z "${crun_root:-}" ] || rm -rf "$crun_root"
        [ ! -d "${cg:-/nonexistent}" ] || rmdir "$cg" 2>/dev/null || true
        rm -rf "$root"
}
trap cleanup EXIT
BERTH=$BERTH tests/images/make-busybox.sh >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }
min() { sort -n | head -1; }
# rows NAME ARGS... : NAME's median and min over RUNS runs of `berth ARGS`
# (after 3 warm-up runs), for the build under test and, with BERTH_BEFORE,
# for that older build too, their runs interleaved
rows() {
        local name=$1 b bin t0 t1
        shift
        for b in ${BERTH_BEFORE:+before} berth; do : >"$root/$b.t"; done
        for r in $(seq -2 "$RUNS"); do
                for b in ${BERTH_BEFORE:+before} berth; do
                        bin=$BERTH
                        [ "$b" = berth ] || bin=$BERTH_BEFORE
                        t0=$EPOCHREALTIME
                        "$bin" "$@" >/dev/null
                        t1=$EPOCHREALTIME
                        [ "$r" -lt 1 ] || echo "($t1 - $t0) * 1000" | bc -l >>"$root/$b.t"
                done
        done
        for b in ${BERTH_BEFORE:+before} berth; do
                label="berth $name"
                [ "$b" = berth ] || label="berth (before) $name"
                printf '%-44s %10s %10s\n' "$label" "$(median <"$root/$b.t")" \
                        "$(min <"$root/$b.t" | xargs printf '%.1f')"
        done
}
row() { # row NAME CMD... : the same for any command
        local name=$1 t0 t1
        shift
        : >"$root/other.t"
        for r in $(seq -2 "$RUNS"); do
                t0=$EPOCHREALTIME
                "$@" >/dev/null
                t1=$EPOCHREALTIME
                [ "$r" -lt 1 ] || echo "($t1 - $t0) * 1000" | bc -l >>"$root/other.t"
        done
        printf '%-44s %10s %10s\n' "$name" "$(median <"$root/other.t")" \
                "$(min <"$root/other.t" | xargs printf '%.1f')"
}

echo "# run --rm busybox true, $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# median and min of $RUNS runs, ms"
printf '%-44s %10s %10s\n' command median min
rows "run --rm" run --rm busybox:latest true
rows "run --rm --network none" run --rm --network none busybox:latest true
# CPU time of one run, in ms: task-clock (user + system) of the command and
# of everything it starts, the monitor and its watcher included.  perf counts
# a process when it ends and these outlive the CLI, so the measured shell,
# which sits in a cgroup of its own (the pids controller, $cg), waits, with
# shell builtins only, until that cgroup holds nothing but itself (the
# container's processes move to the container's cgroups, perf still counts
# them).  A run of `true` under the same shell is measured the same way and
# subtracted.
cg=/sys/fs/cgroup/pids/$PREFIX-cpu-$$
cpu_one() { # cpu_one CMD... : prints ms
        perf stat -x, -e task-clock -o "$root/perf.out" -- bash -c '
                echo $$ >"$1/cgroup.procs" || exit 1
                shift
                "$@" >/dev/null 2>&1
                exec 9<>"'"$root"'/fifo"
                for _ in $(seq 1 1000); do
                        mapfile -t p <"'"$cg"'/cgroup.procs"
                        [ "${#p[@]}" -le 1 ] && break
                        read -r -t 0.01 -u 9 || :
                done' cpu "$cg" "$@" >/dev/null 2>&1 || return 1
        awk -F, '/task-clock/ {print $1}' "$root/perf.out"
}
# cpu_rows NAME ARGS... : median CPU ms of RUNS runs of `berth ARGS` (and of
# BERTH_BEFORE's, interleaved), minus the shell's own (a run of `true`)
cpu_rows() {
        local name=$1 b bin v base
        shift
        for b in ${BERTH_BEFORE:+before} berth base; do : >"$root/$b.c"; done
        for r in $(seq 0 "$RUNS"); do
                for b in ${BERTH_BEFORE:+before} berth base; do
                        case $b in
                        base) v=$(cpu_one true) ;;
                        before) v=$(cpu_one "$BERTH_BEFORE" "$@") ;;
                        *) v=$(cpu_one "$BERTH" "$@") ;;
                        esac || return 0
                        [ "$r" -lt 1 ] || echo "$v" >>"$root/$b.c"
                done
        done
        base=$(median <"$root/base.c")
        for b in ${BERTH_BEFORE:+before} berth; do
                label="berth $name"
                [ "$b" = berth ] || label="berth (before) $name"
                printf '%-44s %10.1f\n' "$label" "$(echo "$(median <"$root/$b.c") - $base" | bc -l)"
        done
}
crun_prepare() {
        crun_root=$(mktemp -d /tmp/berth-runbench-crun.XXXXXX)
        mkdir -p "$crun_root/b/rootfs"
        tests/images/make-busybox.sh --tar-only "$crun_root/rootfs.tar" >/dev/null
        tar -C "$crun_root/b/rootfs" -xf "$crun_root/rootfs.tar"
        (cd "$crun_root/b" && crun spec)
        sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$crun_root/b/config.json"
        crun_cmd=(crun --root "$crun_root/state" run --bundle "$crun_root/b" "$PREFIX-crun")
        crun_wrap=()
        if ! "${crun_cmd[@]}" >/dev/null 2>&1; then
                crun_wrap=(unshare -m --propagation private bash -c
                        'umount /sys/fs/cgroup/unified && "$@"' crun-ns)
                if ! "${crun_wrap[@]}" "${crun_cmd[@]}" >/dev/null 2>&1; then
                        echo "# crun: installed, but cannot run the bundle here, no crun row"
                        return 1
                fi
                echo "# crun: run in a private mount namespace without /sys/fs/cgroup/unified (hybrid host)"
        fi
}
crun_ok=
if command -v crun >/dev/null 2>&1; then
        crun_prepare && crun_ok=1
else
        echo "# crun: not installed on this machine, no crun row (apt-get install crun; bench only)"
fi
if [ -n "$crun_ok" ]; then
        # all of crun's runs in one namespace (when one is needed), so that
        # each run times crun alone
        export -f median min row
        export RUNS root
        "${crun_wrap[@]}" bash -c '"$@"' crun-rows row "crun run (no network namespace setup)" "${crun_cmd[@]}"
fi
if perf stat -e task-clock true >/dev/null 2>&1 && mkdir "$cg" 2>/dev/null; then
        mkfifo "$root/fifo"
        echo "# CPU time per run, ms (user + system of the command and everything it starts), median of $RUNS"
        cpu_rows "run --rm" run --rm busybox:latest true
        cpu_rows "run --rm --network none" run --rm --network none busybox:latest true
        if [ -n "$crun_ok" ]; then
                export -f cpu_one median
                export cg crun_base
                crun_base=$(median <"$root/base.c")
                "${crun_wrap[@]}" bash -c '
                        for r in $(seq 1 "$RUNS"); do cpu_one "$@" || exit 0; done >"$root/crun.c"
                        printf "%-44s %10.1f\n" "crun run" "$(echo "$(median <"$root/crun.c") - $crun_base" | bc -l)"
                        ' crun-cpu "${crun_cmd[@]}"
        fi
        rmdir "$cg"
else
        echo "# CPU time: perf stat or the pids cgroup does not work here, no CPU rows"
fi

# The monitor's memory.  PSS counts each page shared by N processes as 1/N;
# the sealed copy of the binary a monitor runs from is shared memory (a
# memfd): its whole size counts once per distinct copy, mapped or not.
monitors() { for f in "$root"/run/containers/*/monitor.json; do jq -r .MonitorPid "$f"; done; }
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
mem_row() { # mem_row BIN LABEL N
        local bin=$1 label=$2 n=$3 sum=0 one= copies=0 shm=0 seen=" " ino sz p v
        for i in $(seq 1 "$n"); do
                "$bin" run -d --network none --name "$PREFIX-m$i" busybox:latest sleep 100000 >/dev/null
        done
        for p in $(monitors); do
                v=$(pss "$p")
                [ -n "$one" ] || one=$v
                sum=$((sum + v))
                ino=$(stat -L -c %i "/proc/$p/exe")
                case $(readlink "/proc/$p/exe") in
                /memfd:*)
                        if [[ $seen != *" $ino "* ]]; then
                                sz=$(stat -L -c %s "/proc/$p/exe")
                                copies=$((copies + 1)) shm=$((shm + sz / 1024))
                                seen="$seen$ino "
                        fi
                        ;;
                esac
        done
        # the monitors' watchers (berth-watch, one per container, same root)
        local wsum=0 wn=0
        for p in $(pgrep -x berth-watch); do
                tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qx "BERTH_ROOT=$root" || continue
                v=$(pss "$p" 2>/dev/null) || continue
                wsum=$((wsum + v)) wn=$((wn + 1))
        done
        printf '%-16s %-12s %12s %14s %14s %16s %14s\n' "$label" "$n" "$one" "$((sum / n))" "$copies" \
                "$((shm / n))" "$((wn ? wsum / wn : 0))"
        for i in $(seq 1 "$n"); do "$bin" rm -f "$PREFIX-m$i" >/dev/null; done
}
echo "# monitor memory (kB): PSS of the first monitor, mean PSS, sealed copies, their size per monitor, mean PSS of the watchers"
printf '%-16s %-12s %12s %14s %14s %16s %14s\n' build containers "PSS first" "PSS mean" "memfd copies" \
        "memfd kB/monitor" "watcher PSS"
for n in 1 10; do
        [ -z "${BERTH_BEFORE:-}" ] || mem_row "$BERTH_BEFORE" before "$n"
        mem_row "$BERTH" berth "$n"
done
