#!/usr/bin/env bash
# berth pull of a 5-layer image of about 200 MB (uncompressed; gzip layers)
# from a registry on loopback (Debian's docker-registry, plain HTTP), side by
# side with `skopeo copy` to a local directory, and `podman pull` / `docker
# pull` when they are installed and working.  Root.
#   bench/pull.sh [RUNS]        (default 5 runs each; the median is printed)
#   BERTH_BASELINE=/path/to/other/berth bench/pull.sh   adds that binary too
# The clients run interleaved (one of each per round), so that the load of
# a shared machine hits them alike.
# Every run starts from an empty store (a fresh BERTH_ROOT / destination dir).
# Printed: wall seconds, CPU seconds (user+sys of the process and its
# children), MB/s (compressed bytes fetched per wall second), CPU seconds per
# 100 MB fetched.
set -eu
cd "$(dirname "$0")/.."
BERTH=${BERTH:-$PWD/build/gcc/berth}
RUNS=${1:-5}
work=$(mktemp -d /tmp/berth-pullbench.XXXXXX)
reg_pid=
cleanup() {
        [ -z "$reg_pid" ] || kill "$reg_pid" 2>/dev/null || true
        rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
cat >"$work/config.yml" <<EOF2
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
EOF2
# in a session of its own, as a registry elsewhere would be: the scheduler's
# autogroups then do not make it share the client's CPU time
setsid docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 1 100); do
        curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break
        sleep 0.1
done

# The image: 5 layers of 40 MB each, half random bytes and half text, as an
# OCI layout (gzip level 6), pushed with skopeo.
python3 - "$work/layout" <<'PY'
import gzip, hashlib, io, json, os, random, sys, tarfile
lay = sys.argv[1]
os.makedirs(os.path.join(lay, "blobs", "sha256"))
def put(b):
    d = hashlib.sha256(b).hexdigest()
    open(os.path.join(lay, "blobs", "sha256", d), "wb").write(b)
    return "sha256:" + d, len(b)
rnd = random.Random(42)
words = [("w%d" % i).encode() for i in range(5000)]
layers, diffs = [], []
for n in range(5):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for f in range(20):
            if f % 2:
                data = os.urandom(2 << 20)
            else:
                data = b" ".join(rnd.choice(words) for _ in range(420000))[: 2 << 20]
            ti = tarfile.TarInfo("layer%d/file%02d" % (n, f))
            ti.size = len(data)
            ti.mtime = 1700000000
            t.addfile(ti, io.BytesIO(data))
    tar = raw.getvalue()
    diffs.append("sha256:" + hashlib.sha256(tar).hexdigest())
    d, size = put(gzip.compress(tar, compresslevel=6, mtime=0))
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": size})
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
cd, cs = put(cfg)
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
                  "layers": layers}).encode()
md, ms = put(man)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "v1"}}]},
          open(os.path.join(lay, "index.json"), "w"))
open(os.path.join(lay, "oci-layout"), "w").write('{"imageLayoutVersion": "1.0.0"}')
print(sum(l["size"] for l in layers), file=open(os.path.join(lay, "..", "compressed"), "w"))
PY
skopeo copy -q --dest-tls-verify=false "oci:$work/layout:v1" "docker://127.0.0.1:$port/bench/big:v1"
rm -rf "$work/layout"
bytes=$(cat "$work/compressed")
ref=127.0.0.1:$port/bench/big:v1
echo "image: 5 layers, $((bytes / 1000000)) MB compressed (gzip), 210 MB uncompressed; $RUNS runs each, median"

# measure NAME CMD...: one run; prints "wall cpu"
measure() {
        /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
                cat "$work/err" >&2
                return 1
        }
        awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/t"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
report() { # NAME FILE (lines "wall cpu"): medians of each, and the range of wall
        local w c lo hi
        w=$(cut -d' ' -f1 "$2" | median)
        c=$(cut -d' ' -f2 "$2" | median)
        lo=$(cut -d' ' -f1 "$2" | sort -n | head -1)
        hi=$(cut -d' ' -f1 "$2" | sort -n | tail -1)
        awk -v name="$1" -v bytes="$bytes" -v w="$w" -v c="$c" -v lo="$lo" -v hi="$hi" 'BEGIN {
                printf "%-22s wall %6.2f s (%.2f-%.2f)  cpu %6.2f s  %7.1f MB/s  %5.2f cpu-s/100MB\n",
                       name, w, lo, hi, c, bytes / 1e6 / w, c / (bytes / 1e8)
        }'
}

# The clients, run interleaved (one run of each per round, in turn), so that
# the load of a shared machine hits all of them alike.
names=() cmds=()
add() { names+=("$1"); cmds+=("$2"); }
add "berth pull" 'root=$(mktemp -d "$work/root.XXXXXX"); BERTH_ROOT=$root measure "$BERTH" pull -q "$ref"; rm -rf "$root"'
if [ -n "${BERTH_BASELINE:-}" ]; then
        # another berth binary (e.g. the one before a change), same run
        add "berth pull (baseline)" 'root=$(mktemp -d "$work/root.XXXXXX"); BERTH_ROOT=$root measure "$BERTH_BASELINE" pull -q "$ref"; rm -rf "$root"'
fi
add "skopeo copy (to dir)" 'dst=$(mktemp -d "$work/dir.XXXXXX"); measure skopeo copy -q --src-tls-verify=false "docker://$ref" "dir:$dst"; rm -rf "$dst"'
if command -v podman >/dev/null && podman info >/dev/null 2>&1; then
        add "podman pull" 'podman rmi -f "$ref" >/dev/null 2>&1 || true; measure podman pull -q --tls-verify=false "$ref"'
else
        echo "podman pull            (not installed or not working here)"
fi
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
        add "docker pull" 'docker rmi -f "$ref" >/dev/null 2>&1 || true; measure docker pull -q "$ref"'
else
        echo "docker pull            (no docker daemon answering here)"
fi
for i in $(seq 1 "$RUNS"); do
        for c in "${!names[@]}"; do
                # rotate the order so no client always runs first
                k=$(((c + i) % ${#names[@]}))
                eval "${cmds[$k]}" >>"$work/times.$k"
        done
done
for c in "${!names[@]}"; do
        report "${names[$c]}" "$work/times.$c"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
