#!/bin/bash
# tools/fuzz-campaign.sh - long libFuzzer runs that add up across sessions.
#
#   tools/fuzz-campaign.sh SECONDS [TARGET...]     run (all targets by default)
#   tools/fuzz-campaign.sh --pool SECONDS [TARGET...]
#                                                  run the least-fuzzed targets
#                                                  FUZZ_JOBS at a time for SECONDS
#   tools/fuzz-campaign.sh --report                the totals so far
#
# --pool keeps FUZZ_JOBS fuzzers running (default: the number of cores), each
# time starting the target with the fewest CPU seconds so far (runs.tsv plus
# the run in flight) that is still below FUZZ_GOAL (3600).  A fuzzer is stopped
# with SIGINT (libFuzzer prints its final stats and exits 0) once it has had
# FUZZ_CHUNK CPU seconds (600), when its target reaches the goal, or at the
# end; a timeout only ends its chunk, and the target is picked again later.
# The binaries are copied first, so make fuzz-build may run meanwhile.  SIGTERM
# or SIGINT to the campaign ends every fuzzer the same way and records it.
#
# Every target runs at once under SCHED_IDLE (chrt --idle), so the campaign
# only takes CPU time nothing else wants and can run beside builds and tests.
# Each target keeps its grown corpus in $FUZZ_STATE/corpus/TARGET (default
# /var/cache/berth-fuzz), starting from the committed seeds
# (tests/fuzz/corpus/...), so the next campaign goes on where this one ended.
# The CPU seconds of each run (user+system, from /proc) and libFuzzer's final
# executions are appended to $FUZZ_STATE/runs.tsv; --report sums them per
# target.  Crashes, leaks and timeouts are kept in $FUZZ_STATE/artifacts.
# libFuzzer's -timeout is wall time, and a SCHED_IDLE process can wait for a
# core for seconds on a busy machine: a timeout here is only a finding when
# the input is also slow run alone at normal priority (FUZZER INPUT).
# Build first: make fuzz-build.
# (no set -u: bash 5.2 calls an empty associative array unbound)
cd "$(dirname "$0")/.."
STATE=${FUZZ_STATE:-/var/cache/berth-fuzz}
mkdir -p "$STATE/corpus" "$STATE/artifacts"
TSV=$STATE/runs.tsv
[ -f "$TSV" ] || printf 'date\ttarget\tcommit\twall_s\tcpu_s\texecs\tedges\tresult\n' >"$TSV"

if [ "${1:-}" = --report ]; then
        awk -F'\t' 'NR > 1 { w[$2] += $4; c[$2] += $5; e[$2] += $6; if ($7 > g[$2]) g[$2] = $7;
                             if ($8 ~ /^starved:/) st[$2]++; else if ($8 != "ok") bad[$2] = bad[$2] " " $8 }
                    END { printf "| target | wall s | CPU s | executions | edges | result |\n|---|---:|---:|---:|---:|---|\n";
                          for (t in w) { tw += w[t]; tc += c[t]; te += e[t];
                                         printf "| `%s` | %d | %d | %d | %d | %s |\n", t, w[t], c[t], e[t], g[t],
                                                (bad[t] == "" ? "no crash, no leak" : bad[t]) \
                                                (st[t] ? sprintf(" (%d starvation timeout(s), input fast alone)", st[t]) : "") }
                          printf "\nIn all: %d wall s, %d CPU s, %d executions\n", tw, tc, te }' "$TSV" | sort
        exit 0
fi

run=$(date -u +%Y%m%dT%H%M%S)-$$
logs=$STATE/logs/$run
mkdir -p "$logs"
pool=0
if [ "${1:-}" = --pool ]; then
        pool=1
        shift
fi
secs=${1:?usage: tools/fuzz-campaign.sh [--pool] SECONDS [TARGET...] | --report}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || for f in build/fuzz/fuzz/fuzz_*; do [ -x "$f" ] && targets+=("$(basename "$f")"); done
# the commit the binaries were built from (make fuzz-build writes it)
commit=$(cat build/fuzz/fuzz/COMMIT 2>/dev/null || git rev-parse --short HEAD 2>/dev/null || echo unknown)
bin=$logs/bin
mkdir -p "$bin"
for n in "${targets[@]}"; do
        fz=build/fuzz/fuzz/$n
        [ -x "$fz" ] || { echo "no $fz: run make fuzz-build" >&2; exit 1; }
        cp "$fz" "$bin/$n"
        mkdir -p "$STATE/corpus/$n"
        seeds=tests/fuzz/corpus/${n#fuzz_}
        [ -d "$seeds" ] && cp -rn "$seeds"/. "$STATE/corpus/$n"/
done
tck=$(getconf CLK_TCK)

declare -A pids cpu started seq
# launch TARGET SECONDS: one fuzzer under SCHED_IDLE, its log numbered per run
launch() {
        local n=$1 t=$2
        seq[$n]=$((${seq[$n]:-0} + 1))
        # its own TMPDIR, removed by finish: SIGINT ends libFuzzer with _Exit,
        # so a target's atexit clean-up never runs
        mkdir -p "$logs/tmp.$n.${seq[$n]}"
        TMPDIR="$logs/tmp.$n.${seq[$n]}" chrt --idle 0 "$bin/$n" -max_total_time="$t" -timeout=60 -rss_limit_mb=1024 \
                -print_final_stats=1 -artifact_prefix="$STATE/artifacts/$n-" \
                "$STATE/corpus/$n" >"$logs/$n.${seq[$n]}.log" 2>&1 &
        pids[$n]=$!
        cpu[$n]=0
        started[$n]=$(date +%s)
}
# sample TARGET: its CPU seconds while it lives (the stat file goes at exit);
# fails once it has ended
sample() {
        local f
        read -r -a f 2>/dev/null <"/proc/${pids[$1]}/stat" || return 1
        cpu[$1]=$(((f[13] + f[14]) / tck))
}
# finish TARGET: reap it and append its row to runs.tsv
finish() {
        local n=$1 rc log execs edges result art t0 end
        wait "${pids[$n]}"
        rc=$?
        log=$logs/$n.${seq[$n]}.log
        end=$(stat -c %Y "$log")
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        result=ok
        # SIGINT (the pool's end of a chunk) exits 72 after the final stats
        [ $rc = 72 ] && grep -q 'libFuzzer: run interrupted; exiting' "$log" && rc=0
        [ $rc = 0 ] || result="exit$rc:$(grep -m1 -o 'ERROR: [A-Za-z]*: [a-z-]*\|ERROR: libFuzzer: [a-z-]*' "$log" | tr ' ' _)"
        # A timeout under SCHED_IDLE may be starvation, not a slow input: run the
        # input again alone at normal priority; only a rerun that is slow too
        # (or fails) stays a finding.
        art=$(sed -n 's/^artifact_prefix=.*; Test unit written to \(.*timeout-.*\)$/\1/p' "$log" | tail -1)
        if [ -n "$art" ] && [ -f "$art" ]; then
                t0=$(date +%s%N)
                if TMPDIR="$logs/tmp.$n.${seq[$n]}" "$bin/$n" -timeout=10 -rss_limit_mb=1024 "$art" >>"$log.rerun" 2>&1; then
                        result="starved:$(basename "$art")_reran_ok_in_$((($(date +%s%N) - t0) / 1000000))ms"
                else
                        result="$result:rerun_failed:$(basename "$art")"
                fi
        fi
        rm -rf "$logs/tmp.$n.${seq[$n]}"
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$n" "$commit" $((end - ${started[$n]})) \
                "${cpu[$n]}" "${execs:-0}" "${edges:-0}" "$result" >>"$TSV"
        unset "pids[$n]"
        last_result=$result
}

if [ $pool = 0 ]; then
        for n in "${targets[@]}"; do launch "$n" "$secs"; done
        echo "fuzz-campaign: ${#targets[@]} targets for ${secs}s each under SCHED_IDLE (pids ${pids[*]})"
        while :; do
                alive=0
                for n in "${!pids[@]}"; do sample "$n" && alive=1; done
                [ $alive = 1 ] || break
                sleep 5
        done
        for n in "${!pids[@]}"; do finish "$n"; done
        "$0" --report
        exit 0
fi

jobs=${FUZZ_JOBS:-$(nproc)}
chunk=${FUZZ_CHUNK:-600}
goal=${FUZZ_GOAL:-3600}
deadline=$(($(date +%s) + secs))
trap 'deadline=0' TERM INT
declare -A done_cpu found
while IFS=$'\t' read -r _ n _ _ c _; do
        done_cpu[$n]=$((${done_cpu[$n]:-0} + c))
done < <(tail -n +2 "$TSV")
echo "fuzz-campaign: pool of $jobs for ${secs}s, chunks of ${chunk} CPU s, goal ${goal} CPU s a target (log $logs)"
while :; do
        now=$(date +%s)
        for n in "${!pids[@]}"; do
                if ! sample "$n"; then
                        finish "$n"
                        done_cpu[$n]=$((${done_cpu[$n]:-0} + ${cpu[$n]}))
                        # a crash, leak or real timeout is a finding: not run again
                        case $last_result in ok | starved:*) ;; *) found[$n]=$last_result ;; esac
                elif [ "$now" -ge "$deadline" ] || [ "${cpu[$n]}" -ge "$chunk" ] ||
                        [ $((${done_cpu[$n]:-0} + ${cpu[$n]})) -ge "$goal" ]; then
                        kill -INT "${pids[$n]}" 2>/dev/null
                fi
        done
        if [ "$now" -lt "$deadline" ]; then
                while [ ${#pids[@]} -lt "$jobs" ]; do
                        best= bc=
                        for n in "${targets[@]}"; do
                                [ -z "${pids[$n]:-}" ] && [ -z "${found[$n]:-}" ] || continue
                                c=${done_cpu[$n]:-0}
                                [ "$c" -lt "$goal" ] || continue
                                if [ -z "$best" ] || [ "$c" -lt "$bc" ]; then best=$n bc=$c; fi
                        done
                        [ -n "$best" ] || break
                        launch "$best" $((deadline - now))
                done
        fi
        [ ${#pids[@]} -gt 0 ] || break
        sleep 5 & wait $!
done
for n in "${!found[@]}"; do echo "fuzz-campaign: $n: ${found[$n]} (see $STATE/artifacts)" >&2; done
"$0" --report
