#!/usr/bin/env bats
# Foreign / non-distributable layers and the push of a multi-arch image, as
# Docker (containerd image store) does them.
# Foreign layers: on pull the
# registry is asked first, then the layer's URLs (http/https only, a plain GET
# without the registry's credentials, digest-verified like any blob); on push
# the layer is not uploaded and the manifest keeps its descriptor and URLs.
# The images are made here (skopeo cannot make them): busybox pushed by
# skopeo, then a config and a hand-written manifest pushed with Python, the
# foreign blob served by tests/tools/blob_server.py on loopback.
# Name prefix rr, subnets 10.211.0.0/16.
load registry_common
load common
bats_require_minimum_version 1.5.0

setup_file() {
        reg_setup_root rrf 10.211.16.0/20:24
        reg_start token F --allow-urls '^http://127\.0\.0\.1:'
        reg_docker_config "$DOCKER_CONFIG" "$F_HOST" F
        # the foreign URLs' server
        export BLOBS=$REG_BASE/foreign-blobs BLOB_LOG=$REG_BASE/foreign.log
        mkdir -p "$BLOBS"
        : >"$BLOB_LOG"
        BLOB_PORT=$(reg_free_port)
        export BLOB_PORT
        python3 "$REG_TOOLS/blob_server.py" --port "$BLOB_PORT" --dir "$BLOBS" --log "$BLOB_LOG" \
                >"$REG_BASE/blob-server.out" 2>&1 3>&- &
        echo $! >"$REG_BASE/blob.pid"
        reg_wait_http "http://127.0.0.1:$BLOB_PORT/" "$(cat "$REG_BASE/blob.pid")"
        reg_push_busybox F rr/base:v1
        # rr/foreign:v1 (Docker foreign type), rr/foreign-oci:v1 (OCI
        # non-distributable), rr/foreign-bad:v1 (its URL serves wrong bytes)
        rrf_push docker rr/foreign "served from a foreign URL" good
        rrf_push oci rr/foreign-oci "an OCI non-distributable layer" good
        rrf_push docker rr/foreign-bad "these bytes are not what the URL serves" bad
        # a multi-arch index (linux/amd64 and linux/arm64/v8) by skopeo
        reg_push_index F rr/multi:v1 oci
        : >"$BLOB_LOG"
        "$BERTH" rmi busybox:latest >/dev/null
}

teardown_file() {
        reg_cleanup_roots "$BERTH_ROOT/other" "$BERTH_ROOT"
        reg_teardown_file
        rm -rf "$BERTH_ROOT"
}

# rrf_push docker|oci REPO TEXT good|bad: REPO:v1 = busybox's layer + a
# foreign layer holding /foreign.txt (TEXT), uploaded nowhere but served at
# http://127.0.0.1:BLOB_PORT/<hex> (bad: the same size, one byte flipped);
# prints nothing, leaves the layer's hex in $REG_BASE/hex.<last part of REPO>
rrf_push() {
        python3 - "$1" "$2" "$3" "$4" <<'PY'
import base64, gzip, hashlib, io, json, os, sys, tarfile, urllib.request
kind, repo, text, how = sys.argv[1:5]
host, base = os.environ["F_HOST"], os.environ["BLOBS"]
cred = base64.b64encode(("%s:%s" % (os.environ["F_USER"], os.environ["F_PASS"])).encode()).decode()
def token(scope):
    req = urllib.request.Request("%s?service=%s&scope=%s" % (os.environ["F_TOKEN_URL"], os.environ["F_SERVICE"], scope),
                                 headers={"Authorization": "Basic " + cred})
    return json.load(urllib.request.urlopen(req))["token"]
tok = token("repository:%s:pull,push&scope=repository:rr/base:pull" % repo)
def call(method, path, body=None, headers=None, full=False):
    h = {"Authorization": "Bearer " + tok}
    h.update(headers or {})
    req = urllib.request.Request(path if full else "http://%s%s" % (host, path), data=body, headers=h, method=method)
    return urllib.request.urlopen(req)
def upload(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    r = call("POST", "/v2/%s/blobs/uploads/?mount=%s&from=rr/base" % (repo, d))
    if r.status == 201:
        return d
    loc = r.headers["Location"]
    loc += ("&" if "?" in loc else "?") + "digest=" + d
    call("PUT", loc, data, {"Content-Type": "application/octet-stream"}, full=loc.startswith("http"))
    return d
V2 = "application/vnd.docker.distribution.manifest.v2+json"
m = json.load(call("GET", "/v2/rr/base/manifests/v1", headers={"Accept": V2}))
cfg = json.load(call("GET", "/v2/rr/base/blobs/" + m["config"]["digest"]))
for l in m["layers"]:
    upload(call("GET", "/v2/rr/base/blobs/" + l["digest"]).read())
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    data = (text + "\n").encode()
    ti = tarfile.TarInfo("foreign.txt")
    ti.size, ti.mtime, ti.mode = len(data), 1700000000, 0o644
    t.addfile(ti, io.BytesIO(data))
tar = raw.getvalue()
gz = gzip.compress(tar, mtime=0)
hexd = hashlib.sha256(gz).hexdigest()
served = bytearray(gz)
if how == "bad":
    served[len(served) // 2] ^= 0xFF
with open(os.path.join(base, hexd), "wb") as f:
    f.write(served)
with open(os.path.join(os.environ["REG_BASE"], "hex." + repo.split("/")[-1]), "w") as f:
    f.write(hexd)
cfg["rootfs"]["diff_ids"].append("sha256:" + hashlib.sha256(tar).hexdigest())
cfg.setdefault("history", []).append({"created": "2023-11-14T22:13:20Z", "created_by": "foreign layer"})
oci = kind == "oci"
cb = json.dumps(cfg, separators=(",", ":")).encode()
url = "http://127.0.0.1:%s/%s" % (os.environ["BLOB_PORT"], hexd)
layers = [dict(l) for l in m["layers"]]
if oci:
    for l in layers:
        l["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
layers.append({"mediaType": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" if oci
               else "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
               "size": len(gz), "digest": "sha256:" + hexd,
               "urls": [url.replace(hexd, "missing-" + hexd), url]})
mf = {"schemaVersion": 2,
      "mediaType": "application/vnd.oci.image.manifest.v1+json" if oci else V2,
      "config": {"mediaType": "application/vnd.oci.image.config.v1+json" if oci
                 else "application/vnd.docker.container.image.v1+json",
                 "size": len(cb), "digest": upload(cb)},
      "layers": layers}
mb = json.dumps(mf, separators=(",", ":")).encode()
call("PUT", "/v2/%s/manifests/v1" % repo, mb, {"Content-Type": mf["mediaType"]})
PY
}

@test "foreign layer: not in the registry, fetched from its URL without credentials, verified, runs" {
        run "$BERTH" pull "$F_HOST/rr/foreign:v1"
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Status: Downloaded newer image for $F_HOST/rr/foreign:v1"* ]]
        # the registry was asked first (404), then the URLs in order: the first
        # one answers 404, the second serves it
        grep -q "\"GET /v2/rr/foreign/blobs/sha256:.* 404 " "$F_DIR/registry.log"
        [ "$(grep -c '^GET /missing-' "$BLOB_LOG")" -eq 1 ]
        [ "$(grep -c '^GET /[0-9a-f]' "$BLOB_LOG")" -eq 1 ]
        # the registry's credentials and token never went to the foreign URL
        grep -q '^GET /[0-9a-f]\{64\} -$' "$BLOB_LOG"
        ! grep -v ' -$' "$BLOB_LOG" || false
        run "$BERTH" run --rm "$F_HOST/rr/foreign:v1" cat /foreign.txt
        [ "$output" = "served from a foreign URL" ]
        # OCI non-distributable layers the same way
        run "$BERTH" pull -q "$F_HOST/rr/foreign-oci:v1"
        [ "$status" -eq 0 ]
        [ "$(grep -c '^GET /[0-9a-f]' "$BLOB_LOG")" -eq 2 ]
        ! grep -v ' -$' "$BLOB_LOG" || false
        run "$BERTH" run --rm "$F_HOST/rr/foreign-oci:v1" cat /foreign.txt
        [ "$output" = "an OCI non-distributable layer" ]
}

@test "foreign layer: a URL serving wrong bytes is a digest mismatch, and no partial image" {
        run "$BERTH" pull "$F_HOST/rr/foreign-bad:v1"
        echo "$output"
        [ "$status" -eq 125 ]
        [[ "$output" == *"filesystem layer verification failed for digest sha256:"* ]]
        [[ "$output" == *"from http://127.0.0.1:$BLOB_PORT/"* ]]
        run "$BERTH" image inspect "$F_HOST/rr/foreign-bad:v1"
        [ "$status" -ne 0 ]
        # the wrong bytes were not kept, not even as a partial download
        hex=$(cat "$REG_BASE/hex.foreign-bad")
        [ -n "$hex" ]
        # (its download lock file may stay: it holds no bytes)
        ! find "$BERTH_ROOT" -name "$hex*" ! -name "$hex.lock" | grep . || false
}

@test "foreign layer: push keeps its descriptor and URLs and does not upload it (Skipped foreign layer)" {
        hex=$(cat "$REG_BASE/hex.foreign")
        want=$(reg_digest F rr/foreign:v1)
        "$BERTH" pull -q "$F_HOST/rr/foreign:v1" >/dev/null
        "$BERTH" tag "$F_HOST/rr/foreign:v1" "$F_HOST/rr/foreign-copy:v1"
        run "$BERTH" push "$F_HOST/rr/foreign-copy:v1"
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *": Skipped foreign layer"* ]]
        [[ "${lines[-1]}" == "v1: digest: $want size: "* ]]
        # the same manifest bytes: the foreign descriptor with its URLs
        [ "$(reg_digest F rr/foreign-copy:v1)" = "$want" ]
        mapfile -t opts < <(reg_skopeo_auth F src | sed 's/^--src-/--/')
        run skopeo inspect "${opts[@]}" --raw "docker://$F_HOST/rr/foreign-copy:v1"
        [ "$(jq -r '.layers[-1].urls[-1]' <<<"$output")" = "http://127.0.0.1:$BLOB_PORT/$hex" ]
        # the blob was never uploaded to the registry (by skopeo or berth)
        [ ! -e "$F_DIR/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex" ]
        ! grep -q "PUT /v2/rr/foreign-copy/blobs/uploads/.*digest=sha256%3A$hex" "$F_DIR/registry.log" || false
}

# the digest of the index entry of rr/multi:v1 for ARCH
rrf_entry() { # ARCH
        local opts
        mapfile -t opts < <(reg_skopeo_auth F src | sed 's/^--src-/--/')
        skopeo inspect "${opts[@]}" --raw "docker://$F_HOST/rr/multi:v1" |
                jq -r --arg a "$1" '.manifests[] | select(.platform.architecture == $a) | .digest'
}

rrf_inspect() { # REF [--raw]
        local opts
        mapfile -t opts < <(reg_skopeo_auth F src | sed 's/^--src-/--/')
        skopeo inspect "${opts[@]}" "${@:2}" "docker://$F_HOST/$1"
}

@test "push of an image pulled from an index: its platform's manifest alone (Docker's choice with one platform present); --platform" {
        amd=$(rrf_entry amd64)
        arm=$(rrf_entry arm64)
        [ -n "$amd" ]
        [ -n "$arm" ]
        "$BERTH" pull -q "$F_HOST/rr/multi:v1" >/dev/null
        "$BERTH" tag "$F_HOST/rr/multi:v1" "$F_HOST/rr/multi-copy:v1"
        run "$BERTH" push "$F_HOST/rr/multi-copy:v1"
        echo "$output"
        [ "$status" -eq 0 ]
        # not the index (the other platform's content is not here): the
        # linux/amd64 manifest, byte for byte
        [[ "${lines[-1]}" == "v1: digest: $amd size: "* ]]
        [ "$(rrf_inspect rr/multi-copy:v1 --raw | jq -r .mediaType)" = application/vnd.oci.image.manifest.v1+json ]
        [ "$(reg_digest F rr/multi-copy:v1)" = "$amd" ]
        [ "$(rrf_inspect rr/multi-copy:v1 | jq -r .Architecture)" = amd64 ]

        # --platform: the image's own platform is pushed the same way
        "$BERTH" tag "$F_HOST/rr/multi:v1" "$F_HOST/rr/multi-amd:v1"
        run "$BERTH" push --platform linux/amd64 "$F_HOST/rr/multi-amd:v1"
        [ "$status" -eq 0 ]
        [ "$(reg_digest F rr/multi-amd:v1)" = "$amd" ]
        # another platform than the image's: Docker's error, nothing pushed
        run_fails 125 "image with reference $F_HOST/rr/multi-amd:v1 was found but does not provide the specified platform (linux/arm64)" \
                "$BERTH" push --platform linux/arm64 "$F_HOST/rr/multi-amd:v1"
        run_fails 125 "invalid platform" "$BERTH" push --platform linux "$F_HOST/rr/multi-amd:v1"
        # the arm64/v8 entry, pulled with --platform, pushed with --platform
        run "$BERTH" pull -q --platform linux/arm64/v8 "$F_HOST/rr/multi:v1"
        [ "$status" -eq 0 ]
        "$BERTH" tag "$F_HOST/rr/multi:v1" "$F_HOST/rr/multi-arm:v1"
        run "$BERTH" push --platform linux/arm64/v8 "$F_HOST/rr/multi-arm:v1"
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$(reg_digest F rr/multi-arm:v1)" = "$arm" ]
        [ "$(rrf_inspect rr/multi-arm:v1 | jq -r .Architecture)" = arm64 ]
        run "$BERTH" push --platform linux/amd64 "$F_HOST/rr/multi-arm:v1"
        [ "$status" -eq 125 ]
        [[ "$output" == *"does not provide the specified platform (linux/amd64): it is linux/arm64/v8"* ]]
}

@test "foreign layer: an image built FROM one keeps the foreign descriptor on push, and pulls back" {
        hex=$(cat "$REG_BASE/hex.foreign")
        "$BERTH" pull -q "$F_HOST/rr/foreign:v1" >/dev/null
        d=$BERTH_ROOT/ctx
        mkdir -p "$d"
        printf 'FROM %s\nCOPY hello.txt /hello.txt\n' "$F_HOST/rr/foreign:v1" >"$d/Dockerfile"
        echo "built on a foreign layer" >"$d/hello.txt"
        run "$BERTH" build -q -t "$F_HOST/rr/built:v1" "$d"
        [ "$status" -eq 0 ]
        run "$BERTH" push "$F_HOST/rr/built:v1"
        echo "$output"
        [ "$status" -eq 0 ]
        [[ "$output" == *": Skipped foreign layer"* ]]
        run rrf_inspect rr/built:v1 --raw
        echo "$output"
        [ "$(jq -r '.layers | length' <<<"$output")" -eq 3 ]
        [ "$(jq -r '.layers[1].mediaType' <<<"$output")" = application/vnd.docker.image.rootfs.foreign.diff.tar.gzip ]
        [ "$(jq -r '.layers[1].digest' <<<"$output")" = "sha256:$hex" ]
        [ "$(jq -r '.layers[1].urls[-1]' <<<"$output")" = "http://127.0.0.1:$BLOB_PORT/$hex" ]
        [ ! -e "$F_DIR/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex" ]
        # another store pulls it back: the foreign layer from its URL again
        n=$(grep -c "^GET /$hex " "$BLOB_LOG")
        BERTH_ROOT=$BERTH_ROOT/other run "$BERTH" pull -q "$F_HOST/rr/built:v1"
        [ "$status" -eq 0 ]
        [ "$(grep -c "^GET /$hex " "$BLOB_LOG")" -eq $((n + 1)) ]
        BERTH_ROOT=$BERTH_ROOT/other run "$BERTH" run --rm "$F_HOST/rr/built:v1" cat /foreign.txt /hello.txt
        [ "${lines[0]}" = "served from a foreign URL" ]
        [ "${lines[1]}" = "built on a foreign layer" ]
}
