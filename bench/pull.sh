#!/usr/bin/env bash
# berth pull of a 5-layer image of about 200 MB (uncompressed; gzip layers)
# from a registry on loopback (Debian's docker-registry, plain HTTP), side by
# side with `skopeo copy` to a local directory, and `podman pull` / `docker
# pull` when they are installed and working.  Root.
#   bench/pull.sh [RUNS]        (default 3 runs each; the median is printed)
# Every run starts from an empty store (a fresh BERTH_ROOT / destination dir).
# Printed: wall seconds, CPU seconds (user+sys of the process and its
# children), MB/s (compressed bytes fetched per wall second), CPU seconds per
# 100 MB fetched.
set -eu
cd "$(dirname "$0")/.."
BERTH=${BERTH:-$PWD/build/gcc/berth}
RUNS=${1:-3}
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
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
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

report() { # NAME, then lines "wall cpu" on stdin
        sort -n | awk -v name="$1" -v bytes="$bytes" '
                { w[NR] = $1; c[NR] = $2 }
                END {
                        m = int((NR + 1) / 2)
                        printf "%-22s wall %6.2f s  cpu %6.2f s  %7.1f MB/s  %5.2f cpu-s/100MB\n",
                               name, w[m], c[m], bytes / 1e6 / w[m], c[m] / (bytes / 1e8)
                }'
}

for i in $(seq 1 "$RUNS"); do
        root=$(mktemp -d "$work/root.XXXXXX")
        BERTH_ROOT=$root measure "$BERTH" pull -q "$ref"
        rm -rf "$root"
done | report "berth pull"
for i in $(seq 1 "$RUNS"); do
        dst=$(mktemp -d "$work/dir.XXXXXX")
        measure skopeo copy -q --src-tls-verify=false "docker://$ref" "dir:$dst"
        rm -rf "$dst"
done | report "skopeo copy (to dir)"
if command -v podman >/dev/null && podman info >/dev/null 2>&1; then
        for i in $(seq 1 "$RUNS"); do
                podman rmi -f "$ref" >/dev/null 2>&1 || true
                measure podman pull -q --tls-verify=false "$ref"
        done | report "podman pull"
else
        echo "podman pull            (not installed or not working here)"
fi
if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
        for i in $(seq 1 "$RUNS"); do
                docker rmi -f "$ref" >/dev/null 2>&1 || true
                measure docker pull -q "$ref"
        done | report "docker pull"
else
        echo "docker pull            (no docker daemon answering here)"
fi
