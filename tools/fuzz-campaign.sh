#!/bin/bash
# tools/fuzz-campaign.sh - long libFuzzer runs that add up across sessions.
#
#   tools/fuzz-campaign.sh SECONDS [TARGET...]     run (all targets by default)
#   tools/fuzz-campaign.sh --report                the totals so far
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
set -u
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
mkdir -p "$STATE/logs/$run"
secs=${1:?usage: tools/fuzz-campaign.sh SECONDS [TARGET...] | --report}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || for f in build/fuzz/fuzz/fuzz_*; do [ -x "$f" ] && targets+=("$(basename "$f")"); done
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

declare -A pids
for n in "${targets[@]}"; do
        fz=build/fuzz/fuzz/$n
        [ -x "$fz" ] || { echo "no $fz: run make fuzz-build" >&2; exit 1; }
        corpus=$STATE/corpus/$n
        mkdir -p "$corpus"
        seeds=tests/fuzz/corpus/${n#fuzz_}
        [ -d "$seeds" ] && cp -rn "$seeds"/. "$corpus"/
        chrt --idle 0 "$fz" -max_total_time="$secs" -timeout=60 -rss_limit_mb=1024 \
                -print_final_stats=1 -artifact_prefix="$STATE/artifacts/$n-" \
                "$corpus" >"$STATE/logs/$run/$n.log" 2>&1 &
        pids[$n]=$!
done
echo "fuzz-campaign: ${#targets[@]} targets for ${secs}s each under SCHED_IDLE (pids ${pids[*]})"

# CPU seconds of a live pid, sampled until it ends (read after exit is gone)
declare -A cpu
start=$(date +%s)
tck=$(getconf CLK_TCK)
while :; do
        alive=0
        for n in "${!pids[@]}"; do
                st=/proc/${pids[$n]}/stat
                if [ -r "$st" ]; then
                        read -r -a f <"$st" 2>/dev/null && cpu[$n]=$(((f[13] + f[14]) / tck)) && alive=1
                fi
        done
        [ $alive = 1 ] || break
        sleep 5
done
for n in "${!pids[@]}"; do
        wait "${pids[$n]}"
        rc=$?
        end=$(stat -c %Y "$STATE/logs/$run/$n.log")
        log=$STATE/logs/$run/$n.log
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
        result=ok
        [ $rc = 0 ] || result="exit$rc:$(grep -m1 -o 'ERROR: [A-Za-z]*: [a-z-]*\|ERROR: libFuzzer: [a-z-]*' "$log" | tr ' ' _)"
        # A timeout under SCHED_IDLE may be starvation, not a slow input: run the
        # input again alone at normal priority; only a rerun that is slow too
        # (or fails) stays a finding.
        art=$(sed -n 's/^artifact_prefix=.*; Test unit written to \(.*timeout-.*\)$/\1/p' "$log" | tail -1)
        if [ -n "$art" ] && [ -f "$art" ]; then
                t0=$(date +%s%N)
                if build/fuzz/fuzz/"$n" -timeout=10 -rss_limit_mb=1024 "$art" >>"$log.rerun" 2>&1; then
                        result="starved:$(basename "$art")_reran_ok_in_$((($(date +%s%N) - t0) / 1000000))ms"
                else
                        result="$result:rerun_failed:$(basename "$art")"
                fi
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%F)" "$n" "$commit" $((end - start)) \
                "${cpu[$n]:-0}" "${execs:-0}" "${edges:-0}" "$result" >>"$TSV"
done
"$0" --report
