#!/usr/bin/env bash
# Per-container network setup time (root).  Usage: bench/netsetup.sh [N]
# Builds bench/netsetup.c against the net module of build/gcc and runs it in
# a throw-away BERTH_ROOT on subnet 10.231.250.0/24.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build/gcc}
make --no-print-directory -j2 B="$B" "$B/libnet.a" "$B/libbase.a" >/dev/null
PKGS="jansson libnl-3.0 libnl-route-3.0 libnftables"
${CC:-gcc} -std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Ibase -Inet $(pkg-config --cflags $PKGS) \
        -o "$B/netsetup" bench/netsetup.c "$B/libnet.a" "$B/libbase.a" $(pkg-config --libs $PKGS) -lpthread
# State on tmpfs, as /run is on a normal host (connect writes only run state).
root=$(mktemp -d /dev/shm/berth-bench.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "# network setup, $(nproc) cores, kernel $(uname -r)"
BERTH_ROOT=$root "$B/netsetup" "${1:-40}"
