#!/usr/bin/env bash
# bench/watch.sh [N]: `compose watch` change-to-effect latency on
# examples/watch: N times (default 20), write web/index.html on the host and
# time until the container serves the new content (polled every 5 ms over
# loopback).  Prints min / median / p90 / max in ms.  Root; its own
# BERTH_ROOT, project watchdemo, port 18794 (WATCH_PORT).
set -euo pipefail
N=${1:-20}
here=$(cd "$(dirname "$0")/.." && pwd)
BERTH=${BERTH:-$here/build/gcc/berth}
export BERTH_ROOT=$(mktemp -d /tmp/berth-bench-watch.XXXXXX)
export BERTH_ADDRESS_POOLS=10.219.128.0/17:24 BERTH_DNS_FORWARD=0 WATCH_PORT=${WATCH_PORT:-18794}
export HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
BERTH=$BERTH "$here/tests/images/make-busybox.sh" >/dev/null
cp -r "$here/examples/watch" "$BERTH_ROOT/w"
F=$BERTH_ROOT/w/compose.yaml
"$BERTH" compose -f "$F" watch >"$BERTH_ROOT/watch.log" 2>&1 &
wpid=$!
cleanup() {
        kill -INT $wpid 2>/dev/null || true
        wait $wpid 2>/dev/null || true
        "$BERTH" compose -f "$F" down -t 0 >/dev/null 2>&1 || true
        [ -s "$BERTH_ROOT/run/dns/pid" ] && kill "$(cat "$BERTH_ROOT/run/dns/pid")" 2>/dev/null || true
        rm -rf "$BERTH_ROOT"
}
trap cleanup EXIT
until grep -q "Watch enabled" "$BERTH_ROOT/watch.log"; do sleep 0.1; done
ms=()
for i in $(seq "$N"); do
        v="v$i-$RANDOM"
        t0=$(date +%s%N)
        echo "$v" >"$BERTH_ROOT/w/web/index.html"
        until [ "$(curl -s -m 1 "http://127.0.0.1:$WATCH_PORT/")" = "$v" ]; do sleep 0.005; done
        ms+=($((($(date +%s%N) - t0) / 1000000)))
        sleep 0.3
done
sorted=$(printf '%s\n' "${ms[@]}" | sort -n)
pick() { echo "$sorted" | sed -n "$1p"; }
n=${#ms[@]}
echo "compose watch sync latency over $n edits (ms): min $(pick 1)  median $(pick $(((n + 1) / 2)))  p90 $(pick $(((n * 9 + 9) / 10)))  max $(pick "$n")"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
