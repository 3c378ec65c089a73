#!/usr/bin/env bash
# berth-dns latency and throughput, from a client in its own network namespace
# through a real bridge (like a container asking its gateway).
#   sudo bench/dns.sh            (B=build dir, default build/gcc; N=queries)
# Prints p50/p99 latency (one query in flight) and throughput (64 in flight)
# over UDP, and latency over one TCP connection.  Uses bridge bt2bbr, netns
# bt2bns, 10.232.200.0/24, and removes all of it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${B:-build/gcc}
N=${N:-50000}
[ "$(id -u)" = 0 ] || { echo "bench/dns.sh: needs root" >&2; exit 1; }
[ -x "$B/berth-dns" ] || { echo "bench/dns.sh: build first (make)" >&2; exit 1; }

T=$(mktemp -d /tmp/berth-dns-bench.XXXXXX)
export BERTH_ROOT=$T/root BERTH_DNS_BIN=$PWD/$B/berth-dns
cleanup() {
        pid=$("$T/dnsctl" pid 2>/dev/null || echo 0)
        [ "$pid" != 0 ] && kill "$pid" 2>/dev/null || true
        ip netns del bt2bns 2>/dev/null || true
        ip link del bt2bbr 2>/dev/null || true
        rm -rf "$T"
}
trap cleanup EXIT

cc -O2 -o "$T/dnsq" tests/tools/dnsq.c
cc -O2 -Ibase -Inet -o "$T/dnsctl" tests/tools/dnsctl.c "$B/libnet.a" "$B/libbase.a" -ljansson

ip link add bt2bbr type bridge
ip addr add 10.232.200.1/24 dev bt2bbr
ip link set bt2bbr up
ip netns add bt2bns
ip link add bt2bv type veth peer name eth0 netns bt2bns
ip link set bt2bv master bt2bbr up
ip -n bt2bns addr add 10.232.200.2/24 dev eth0
ip -n bt2bns link set eth0 up

"$T/dnsctl" forward off 2000
"$T/dnsctl" net-add bench bench_default 10.232.200.1
# 200 containers with 4 names each; "web" has 200 replicas
for i in $(seq 2 201); do
        "$T/dnsctl" ep-add bench "c$i" "10.232.200.$i" - "bench-app-$i" "app$i" "alias$i" web
done

q() { ip netns exec bt2bns "$T/dnsq" -s 10.232.200.1 "$@"; }
q -n 2000 -w 1 bench-app-77 >/dev/null # warm up
echo "berth-dns benchmark: $(nproc) cores, kernel $(uname -r), N=$N, 200 endpoints"
echo "UDP latency, 1 in flight:        $(q -n "$N" -w 1 -a 10.232.200.77 bench-app-77 | head -1)"
echo "UDP 200-replica name, EDNS:      $(q -n "$N" -w 1 -e web | head -1)"
pid=$("$T/dnsctl" pid)
cpu() { awk '{print $14 + $15}' /proc/"$pid"/stat; } # utime + stime, clock ticks
c0=$(cpu)
echo "UDP throughput, 64 in flight:    $(q -n $((N * 4)) -w 64 -a 10.232.200.77 bench-app-77 | head -1)"
c1=$(cpu)
awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n=$((N * 4)) \
        'BEGIN {printf "berth-dns CPU per query (user+system, incl. its socket syscalls): %.1f us\n", d / hz * 1e6 / n}'
echo "UDP NXDOMAIN, 64 in flight:      $(q -n $((N * 2)) -w 64 -E NXDOMAIN nothing.example | head -1)"
echo "TCP latency, one connection:     $(q -t -n "$N" bench-app-77 | head -1)"
echo "berth-dns RSS: $(awk '/VmRSS/ {print $2 " " $3}' /proc/"$pid"/status)"
