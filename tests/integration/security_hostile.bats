#!/usr/bin/env bats
# Hostile images, compose files, containers and local users (issue 9).
# docs/SECURITY.md names these tests.  Each test is named after the issue item
# it covers ("item N: ...").
load rt_common

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }

# ---- sec-state: items 2, 6, 7, 8 and 13 --------------------------------------

# A host directory with a secret file, for the tests that check that an image
# cannot reach host files.
ss_secret_dir() {
        SS_SECRET=$(mktemp -d /tmp/ss-secret.XXXXXX)
        mkdir "$SS_SECRET/sub" "$SS_SECRET/sub2"
        echo "ss-host-secret-$$" >"$SS_SECRET/sub/key"
        echo "ss-host-secret-$$" >"$SS_SECRET/sub2/key"
        echo "ss-host-secret-$$" >"$SS_SECRET/key"
}

# The busybox rootfs as a tar (made once per file), plus extra members:
# ss_rootfs_tar OUT [symlink NAME TARGET]...
ss_rootfs_tar() {
        local out=$1
        shift
        [ -s "$BATS_FILE_TMPDIR/busybox.tar" ] ||
                BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" --tar-only "$BATS_FILE_TMPDIR/busybox.tar" >/dev/null
        python3 - "$BATS_FILE_TMPDIR/busybox.tar" "$out" "$@" <<'PY'
import sys, tarfile
src, out, rest = sys.argv[1], sys.argv[2], sys.argv[3:]
with tarfile.open(src) as i, tarfile.open(out, "w") as o:
    for m in i.getmembers():
        o.addfile(m, i.extractfile(m) if m.isfile() else None)
    while rest:
        kind, name, target, rest = rest[0], rest[1], rest[2], rest[3:]
        t = tarfile.TarInfo(name)
        t.type, t.linkname = tarfile.SYMTYPE, target
        o.addfile(t)
PY
}

# item 2
@test "item 2: import --change VOLUME with .. is refused, naming the path" {
        ss_secret_dir
        up=$(printf '/..%.0s' 1 2 3 4 5 6 7 8 9 10 11 12)
        mkdir "$BATS_TEST_TMPDIR/r"
        tar -C "$BATS_TEST_TMPDIR/r" -cf "$BATS_TEST_TMPDIR/r.tar" .
        run "$BERTH" import --change "VOLUME [\"$up$SS_SECRET\"]" "$BATS_TEST_TMPDIR/r.tar" ss-vol-dotdot
        rm -rf "$SS_SECRET"
        [ "$status" -ne 0 ]
        [[ "$output" == *"VOLUME \"$up$SS_SECRET\" must not contain \"..\""* ]]
        run "$BERTH" image inspect ss-vol-dotdot
        [ "$status" -ne 0 ]
        printf 'FROM busybox\nVOLUME /data/../../etc\n' >"$BATS_TEST_TMPDIR/Dockerfile"
        run "$BERTH" build -t ss-vol-dotdot-b "$BATS_TEST_TMPDIR"
        [ "$status" -ne 0 ]
        [[ "$output" == *'VOLUME "/data/../../etc" must not contain ".."'* ]]
}

@test "item 2: a stored image with a VOLUME .. path does not run and copies nothing" {
        ss_secret_dir
        ss_rootfs_tar "$BATS_TEST_TMPDIR/r.tar"
        id=$("$BERTH" import --change 'VOLUME ["/ssdata"]' "$BATS_TEST_TMPDIR/r.tar" ss-vol-stored)
        # as an image stored before VOLUME paths were checked: patch its config
        up=$(printf '/..%.0s' 1 2 3 4 5 6 7 8 9 10 11 12)
        blob="$BERTH_ROOT/lib/image/blobs/sha256/${id#sha256:}"
        python3 - "$blob" "$up$SS_SECRET" <<'PY'
import json, sys
p, v = sys.argv[1], sys.argv[2]
c = json.load(open(p))
c["config"]["Volumes"] = {v: {}}
json.dump(c, open(p, "w"))
PY
        run "$BERTH" run --rm --network none ss-vol-stored sh -c "cat $SS_SECRET/key; find / -name key 2>/dev/null | xargs cat"
        rm -rf "$SS_SECRET"
        echo "$output"
        [ "$status" -eq 125 ]
        [[ "$output" == *"image ss-vol-stored: VOLUME \"$up$SS_SECRET\" must not contain \"..\""* ]]
        [[ "$output" != *ss-host-secret* ]]
        "$BERTH" rmi ss-vol-stored
}

@test "item 2: a VOLUME under an image symlink to a host dir copies nothing from the host" {
        ss_secret_dir
        ss_rootfs_tar "$BATS_TEST_TMPDIR/r.tar" symlink x "$SS_SECRET" symlink y "/../../../../../../../..$SS_SECRET/sub2"
        "$BERTH" import --change 'VOLUME /x/sub /y' "$BATS_TEST_TMPDIR/r.tar" ss-vol-link
        run "$BERTH" run --rm --network none ss-vol-link sh -c 'cat /x/sub/key /y/key; ls -R /x/sub/ /y/; echo done'
        echo "$output"
        [[ "$output" == *done* ]] || [ "$status" -eq 125 ]
        [[ "$output" != *ss-host-secret* ]]
        [[ "$output" != *$'\nkey'* ]]
        # nothing of the host dir in any volume either
        run grep -r ss-host-secret "$BERTH_ROOT/lib/volumes"
        rm -rf "$SS_SECRET"
        echo "$output"
        [ "$status" -eq 1 ]
        "$BERTH" rmi ss-vol-link
}

# item 7
# Crafted `load` archives: ss_load_archive MODE OUT
#   fifo-manifest  a docker-save archive whose manifest.json is a FIFO
#   fifo-layer     a docker-save archive whose layer is a FIFO
#   oci-fanout N   an OCI layout whose index lists a sub-index N times, which
#                  lists another N times, which lists one manifest N times
#   oci-wide N     an OCI layout whose index lists one manifest N times
ss_load_archive() {
        python3 - "$@" <<'PY'
import hashlib, io, json, sys, tarfile
mode, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
def tarbytes(members):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        for name, data in members:
            i = tarfile.TarInfo(name)
            if data is None:
                i.type = tarfile.FIFOTYPE
                t.addfile(i)
            else:
                i.size = len(data)
                t.addfile(i, io.BytesIO(data))
    return b.getvalue()
layer = tarbytes([("hello.txt", b"hello\n")])
lh = hashlib.sha256(layer).hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["true"]},
                     "rootfs": {"type": "layers", "diff_ids": ["sha256:" + lh]}}).encode()
ch = hashlib.sha256(config).hexdigest()
members = []
if mode.startswith("fifo"):
    manifest = json.dumps([{"Config": "config.json", "RepoTags": ["ss-load:1"],
                            "Layers": ["layer.tar"]}]).encode()
    members = [("config.json", config),
               ("manifest.json", None if mode == "fifo-manifest" else manifest),
               ("layer.tar", None if mode == "fifo-layer" else layer)]
else:
    blobs = {lh: layer, ch: config}
    def desc(mt, data):
        h = hashlib.sha256(data).hexdigest()
        blobs[h] = data
        return {"mediaType": mt, "digest": "sha256:" + h, "size": len(data)}
    m = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                               "digest": "sha256:" + ch, "size": len(config)},
                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                "digest": "sha256:" + lh, "size": len(layer)}]}).encode()
    top = desc("application/vnd.oci.image.manifest.v1+json", m)
    top["annotations"] = {"io.containerd.image.name": "docker.io/library/ss-load:oci"}
    levels = 2 if mode == "oci-fanout" else 0
    for _ in range(levels):
        idx = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                          "manifests": [top] * n}).encode()
        top = desc("application/vnd.oci.image.index.v1+json", idx)
    index = json.dumps({"schemaVersion": 2, "manifests": [top] * n}).encode()
    members = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)]
    members += [("blobs/sha256/" + h, d) for h, d in blobs.items()]
open(out, "wb").write(tarbytes(members))
PY
}

@test "item 7: load refuses a FIFO as manifest.json or as a layer, without blocking" {
        for mode in fifo-manifest fifo-layer; do
                ss_load_archive $mode "$BATS_TEST_TMPDIR/$mode.tar"
                run timeout 20 "$BERTH" load -i "$BATS_TEST_TMPDIR/$mode.tar"
                echo "$mode: $status $output"
                [ "$status" -ne 0 ] && [ "$status" -ne 124 ]
                [[ "$output" == *"is not a regular file"* ]]
        done
        # the store lock was released: other image commands go on
        run timeout 20 "$BERTH" images
        [ "$status" -eq 0 ]
        run "$BERTH" image inspect ss-load:1
        [ "$status" -ne 0 ]
}

@test "item 7: an OCI index listing the same child over and over loads it once, in seconds" {
        ss_load_archive oci-fanout "$BATS_TEST_TMPDIR/fan.tar" 60
        run timeout 20 "$BERTH" load -i "$BATS_TEST_TMPDIR/fan.tar"
        echo "$status $output"
        [ "$status" -eq 0 ]
        [ "$output" = "Loaded image: ss-load:oci" ]
        "$BERTH" image inspect ss-load:oci >/dev/null
        # an index past the descriptor budget is refused, quickly
        ss_load_archive oci-wide "$BATS_TEST_TMPDIR/wide.tar" 5000
        run timeout 20 "$BERTH" load -i "$BATS_TEST_TMPDIR/wide.tar"
        echo "$status $output"
        [ "$status" -ne 0 ] && [ "$status" -ne 124 ]
        [[ "$output" == *"more than 4096 manifests"* ]]
        "$BERTH" rmi ss-load:oci
}
