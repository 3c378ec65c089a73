#!/usr/bin/env bash
# Runs every test suite and prints one closing line: "N passed, N failed, N skipped".
#   tests/run-check.sh [--only unit|integration|fuzz|lint]
#   BATS="tests/integration/x.bats ..." limits the integration part to those files.
# Environment: B (build dir), CC, SANITIZE, FUZZ_SECONDS (per fuzz target).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
B=${B:-build/gcc}
ONLY=""
[ "${1:-}" = "--only" ] && ONLY=${2:-}
FUZZ_SECONDS=${FUZZ_SECONDS:-3}
SHARED_CORPUS=$ROOT/../shared/corpus
PASS=0 FAIL=0 SKIP=0
FAILED_NAMES=()
LEAKS=""
LOGDIR=$B/test-logs
mkdir -p "$LOGDIR"
export BERTH="$ROOT/$B/berth"
export BERTH_SRC="$ROOT"
export BERTH_BUILD="$ROOT/$B"
# No test may depend on the host's resolver: berth-dns never forwards in tests.
export BERTH_DNS_FORWARD=0
# Nor on the internet: a pull of a name no test registry serves (docker.io
# images, e.g. a missing image `run` tries to pull) goes to a proxy that is
# not there and fails at once; the tests' loopback registries are exempt.
export HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1

want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

# Count a TAP stream from a log file; name prefixes failures.
count_tap() {
        local log=$1 name=$2 p f s
        p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
        s=$(grep -cE '^ok [0-9]+.*# (SKIP|skip)' "$log" | head -1)
        f=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
        p=$((p - s))
        PASS=$((PASS + p)); FAIL=$((FAIL + f)); SKIP=$((SKIP + s))
        if [ "$f" -gt 0 ]; then
                FAILED_NAMES+=("$name")
                grep -E '^not ok' "$log" | sed "s|^|  $name: |"
        fi
}

one() { # one named check from a command's exit status
        local name=$1; shift
        if "$@" >"$LOGDIR/$name.log" 2>&1; then
                PASS=$((PASS + 1)); echo "ok - $name"
        else
                FAIL=$((FAIL + 1)); FAILED_NAMES+=("$name"); echo "not ok - $name (log: $LOGDIR/$name.log)"
                tail -20 "$LOGDIR/$name.log" | sed 's/^/    /'
        fi
}

if want unit; then
        for t in "$B"/tests/test_*; do
                [ -x "$t" ] || continue
                n=$(basename "$t")
                "$t" >"$LOGDIR/$n.log" 2>&1
                rc=$?
                count_tap "$LOGDIR/$n.log" "$n"
                if [ $rc -ne 0 ] && ! grep -qE '^not ok' "$LOGDIR/$n.log"; then
                        FAIL=$((FAIL + 1)); FAILED_NAMES+=("$n (exit $rc)")
                        echo "not ok - $n exited $rc"; tail -20 "$LOGDIR/$n.log"
                fi
                echo "unit $n: done"
        done
fi

# Kernel objects and processes, to find what a test file left behind.
snapshot() {
        {
                ip -o link show 2>/dev/null | awk -F': ' '{sub(/@.*/,"",$2); print "link " $2}'
                ip netns list 2>/dev/null | awk '{print "netns " $1}'
                # /run/netns itself is iproute2's shared mount for netns handles, made
                # once by the first `ip netns add` on a machine: not a leak (the
                # handles below it are still counted)
                awk '$5 != "/run/netns" {print "mount " $5}' /proc/self/mountinfo
                nft list tables 2>/dev/null | sed 's/^/nft /'
                find /sys/fs/cgroup -maxdepth 4 -type d -iname '*berth*' 2>/dev/null | sed 's/^/cgroup /'
                ps -eo pid=,comm= | awk '$2 ~ /^berth/ {print "process " $1 " " $2}'
                # the test files' state roots (rt_common's BERTH_ROOT): a file
                # deletes its own in teardown_file, and a berth process that
                # writes into a root after that (a late watcher, a command run
                # after the teardown) makes it again
                for d in /tmp/berth-rt.*; do [ -e "$d" ] && echo "state-root $d"; done
        } | sort
}

if want integration; then
        if [ "$(id -u)" != 0 ]; then
                echo "# integration tests need root: skipped"
                SKIP=$((SKIP + 1))
        else
                # BATS="tests/integration/a.bats ..." runs only those files
                for f in ${BATS:-tests/integration/*.bats}; do
                        [ -f "$f" ] || continue
                        n=$(basename "$f" .bats)
                        before=$(snapshot)
                        t0=$SECONDS
                        bats --tap "$f" >"$LOGDIR/int-$n.log" 2>&1
                        echo "# $f: $((SECONDS - t0)) s" # where make check's minutes go
                        count_tap "$LOGDIR/int-$n.log" "integration/$n"
                        # give exiting processes a moment to be reaped
                        for _ in 1 2 3 4 5 6 7 8 9 10; do
                                after=$(snapshot)
                                [ "$before" = "$after" ] && break
                                sleep 0.2
                        done
                        leaked=$(comm -13 <(echo "$before") <(echo "$after"))
                        if [ -n "$leaked" ]; then
                                FAIL=$((FAIL + 1)); FAILED_NAMES+=("leak-check $n")
                                LEAKS+="--- leak check after $f:"$'\n'"$leaked"$'\n'
                                echo "not ok - leak check after $f:"; echo "$leaked" | sed 's/^/    /'
                        else
                                PASS=$((PASS + 1)); echo "ok - leak check after $f"
                        fi
                done
        fi
fi

if want fuzz && [ -z "${SANITIZE:-}" ]; then
        if command -v clang >/dev/null && ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
                one fuzz-build make --no-print-directory fuzz-build
                for fz in build/fuzz/fuzz/fuzz_*; do
                        [ -x "$fz" ] || continue
                        n=$(basename "$fz")
                        corpus=tests/fuzz/corpus/${n#fuzz_}
                        work=$(mktemp -d /tmp/berth-fuzz.XXXXXX)
                        [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
                        # the compose parsers also start from the real files of
                        # ../shared/corpus when it is there (read, never committed)
                        case $n in fuzz_compose_model | fuzz_compose_kube | fuzz_compose_yaml)
                                for f in "$SHARED_CORPUS"/*/*/compose.yaml "$SHARED_CORPUS"/*/*/docker-compose.yml; do
                                        [ -f "$f" ] && cp "$f" "$work/shared-$(echo "$f" | sha256sum | cut -c1-12).yaml"
                                done ;;
                        esac
                        one "$n" "$fz" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
                                -print_final_stats=1 "$work"
                        rm -rf "$work"
                done
        fi
fi

if want lint && [ -z "${SANITIZE:-}" ]; then
        one layering make --no-print-directory B="$B" layering-check
        if command -v clang-format >/dev/null; then
                one clang-format make --no-print-directory format-check
        fi
        if [ "${CC:-gcc}" != clang ] && command -v clang >/dev/null; then
                one clang-build make --no-print-directory -j2 CC=clang B=build/clang all
        fi
fi

if [ ${#FAILED_NAMES[@]} -gt 0 ]; then
        # what each failed test said, last, where a CI log's tail shows it
        for n in "${FAILED_NAMES[@]}"; do
                case $n in integration/*) log=$LOGDIR/int-${n#integration/}.log ;; *) log=$LOGDIR/${n%% *}.log ;; esac
                [ -f "$log" ] || continue
                echo "--- $n ($log):"
                if grep -q '^not ok' "$log"; then
                        awk '/^not ok/ { show = 1; n = 0 } /^ok / { show = 0 } show && n++ < 40' "$log" | head -120
                else
                        tail -20 "$log"
                fi
        done
        printf '%s' "$LEAKS"
        echo "failed:"; printf '  %s\n' "${FAILED_NAMES[@]}"
fi
echo "$PASS passed, $FAIL failed, $SKIP skipped"
[ "$FAIL" -eq 0 ]
