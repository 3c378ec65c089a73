#!/usr/bin/env bats
# Image store: import, images, inspect, tag, rmi, save/load, OCI layout load,
# hostile tars, prune.

setup() {
        export BERTH_ROOT=$(mktemp -d /tmp/berth-images.XXXXXX)
        STORE=$BERTH_ROOT/lib/image
        WORK=$(mktemp -d /tmp/berth-images-work.XXXXXX)
}

teardown() {
        rm -rf "$BERTH_ROOT" "$WORK"
        [ -z "${ROOT2:-}" ] || rm -rf "$ROOT2"
}

busybox() {
        "$BERTH_SRC/tests/images/make-busybox.sh"
}

nlayers() {
        ls "$STORE/layers" | wc -l
}

# a tiny rootfs tarball with one file
tiny_tar() {
        mkdir -p "$WORK/tiny/etc"
        echo "${2:-hello}" >"$WORK/tiny/etc/greeting"
        tar --owner=0 --group=0 --numeric-owner --mtime=@1600000000 -C "$WORK/tiny" -cf "$1" .
}

@test "make-busybox imports busybox:latest and is idempotent" {
        busybox
        run "$BERTH" image inspect busybox
        [ "$status" -eq 0 ]
        id1=$(echo "$output" | jq -r '.[0].Id')
        [[ $id1 == sha256:* ]]
        busybox
        id2=$("$BERTH" image inspect busybox:latest | jq -r '.[0].Id')
        [ "$id1" = "$id2" ]
        [ "$(ls "$STORE/images" | wc -l)" -eq 1 ]
        [ -x "$(ls -d "$STORE"/layers/*/diff)/bin/busybox" ]
        [ -L "$(ls -d "$STORE"/layers/*/diff)/bin/sh" ]
        grep -q '^app:x:1000:1000:' "$(ls -d "$STORE"/layers/*/diff)/etc/passwd"
        [ "$(stat -c %a "$(ls -d "$STORE"/layers/*/diff)/tmp")" = 1777 ]
}

@test "images lists tags in a table, -q and --format json" {
        busybox
        run "$BERTH" images
        [ "$status" -eq 0 ]
        [[ ${lines[0]} =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
        [[ ${lines[1]} =~ ^busybox\ +latest\ +[0-9a-f]{12}\ +.*ago\ +[0-9.]+MB$ ]]
        id=$("$BERTH" image inspect busybox | jq -r '.[0].Id')
        run "$BERTH" images -q
        [ "$output" = "${id:7:12}" ]
        run "$BERTH" image ls --format json
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r .Repository)" = busybox ]
        [ "$(echo "$output" | jq -r .Tag)" = latest ]
        [ "$(echo "$output" | jq -r .ID)" = "${id:7:12}" ]
        echo "$output" | jq -e '.CreatedSince | endswith("ago")'
        echo "$output" | jq -e '.CreatedAt | test("^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} \\+0000 UTC$")'
        echo "$output" | jq -e '.Size | test("^[0-9.]+MB$")'
}

@test "import --change sets the config; inspect shows Docker's fields" {
        tiny_tar "$WORK/t.tar"
        run "$BERTH" image import \
                --change 'ENTRYPOINT ["/bin/app", "--serve"]' \
                --change 'CMD --port 80' \
                --change 'ENV A=1 B="two words"' \
                --change 'ENV LEGACY some value' \
                --change 'WORKDIR /srv' --change 'WORKDIR www' \
                --change 'USER app:app' \
                --change 'EXPOSE 80 53/udp' \
                --change 'LABEL org.example.name="tiny image" tier=web' \
                --change 'STOPSIGNAL SIGQUIT' \
                --change 'VOLUME ["/data", "/logs"]' \
                "$WORK/t.tar" tiny:1
        [ "$status" -eq 0 ]
        [[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
        run "$BERTH" image inspect tiny:1
        [ "$status" -eq 0 ]
        j=$(echo "$output" | jq '.[0]')
        [ "$(echo "$j" | jq -c .RepoTags)" = '["tiny:1"]' ]
        [ "$(echo "$j" | jq -c .Config.Entrypoint)" = '["/bin/app","--serve"]' ]
        [ "$(echo "$j" | jq -c .Config.Cmd)" = '["/bin/sh","-c","--port 80"]' ]
        [ "$(echo "$j" | jq -c .Config.Env)" = '["A=1","B=two words","LEGACY=some value"]' ]
        [ "$(echo "$j" | jq -r .Config.WorkingDir)" = /srv/www ]
        [ "$(echo "$j" | jq -r .Config.User)" = app:app ]
        [ "$(echo "$j" | jq -c '.Config.ExposedPorts | keys')" = '["53/udp","80/tcp"]' ]
        [ "$(echo "$j" | jq -c '.Config.Volumes | keys')" = '["/data","/logs"]' ]
        [ "$(echo "$j" | jq -r '.Config.Labels["org.example.name"]')" = "tiny image" ]
        [ "$(echo "$j" | jq -r .Config.Labels.tier)" = web ]
        [ "$(echo "$j" | jq -r .Config.StopSignal)" = SIGQUIT ]
        [ "$(echo "$j" | jq -r .RootFS.Type)" = layers ]
        diff_id=sha256:$(sha256sum "$WORK/t.tar" | cut -d' ' -f1)
        [ "$(echo "$j" | jq -c .RootFS.Layers)" = "[\"$diff_id\"]" ]
        [ "$(echo "$j" | jq -r .Size)" -eq 6 ]
        # the ID is the digest of the stored config blob
        id=$(echo "$j" | jq -r .Id)
        [ "$(sha256sum "$STORE/blobs/sha256/${id#sha256:}" | cut -d' ' -f1)" = "${id#sha256:}" ]
}

@test "import reads gzip from stdin; berth import is an alias; bad --change fails" {
        tiny_tar "$WORK/t.tar"
        gzip -c "$WORK/t.tar" >"$WORK/t.tar.gz"
        run "$BERTH" import - gz:latest <"$WORK/t.tar.gz"
        [ "$status" -eq 0 ]
        # same uncompressed content: same diff ID
        diff_id=sha256:$(sha256sum "$WORK/t.tar" | cut -d' ' -f1)
        [ "$("$BERTH" image inspect gz | jq -r '.[0].RootFS.Layers[0]')" = "$diff_id" ]
        run "$BERTH" image import --change 'FROB x' "$WORK/t.tar" bad:1
        [ "$status" -eq 125 ]
        [[ $output == *"FROB is not a valid change command"* ]]
        run "$BERTH" image import "$WORK/t.tar" 'Bad:Name!'
        [ "$status" -eq 125 ]
        [[ $output == *"invalid reference format"* ]]
        run "$BERTH" image import "$WORK/missing.tar" x:1
        [ "$status" -eq 125 ]
}

@test "tag and rmi: untag, delete, shared layer kept until the last image goes" {
        busybox
        run "$BERTH" tag busybox mirror/bb:v1
        [ "$status" -eq 0 ]
        id=$("$BERTH" image inspect busybox | jq -r '.[0].Id')
        [ "$("$BERTH" image inspect mirror/bb:v1 | jq -r '.[0].Id')" = "$id" ]
        [ "$("$BERTH" image inspect "${id:7:6}" | jq -r '.[0].Id')" = "$id" ]
        [ "$("$BERTH" image inspect docker.io/library/busybox | jq -r '.[0].Id')" = "$id" ]
        # by ID with two names: refused without -f
        run "$BERTH" rmi "${id:7:12}"
        [ "$status" -eq 125 ]
        [[ $output == *"must be forced"* ]]
        run "$BERTH" rmi busybox
        [ "$status" -eq 0 ]
        [ "$output" = "Untagged: busybox:latest" ]
        [ "$(nlayers)" -eq 1 ]

        # a second image with the same layer shares it
        "$BERTH_SRC/tests/images/make-busybox.sh" --tar-only "$WORK/bb.tar"
        "$BERTH" image import --change 'CMD ["true"]' "$WORK/bb.tar" other:1
        [ "$(ls "$STORE/images" | wc -l)" -eq 2 ]
        [ "$(nlayers)" -eq 1 ]
        run "$BERTH" image rm mirror/bb:v1
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Untagged: mirror/bb:v1" ]
        [ "${lines[1]}" = "Deleted: $id" ]
        [ "$(nlayers)" -eq 1 ]
        "$BERTH" image inspect other:1 >/dev/null
        run "$BERTH" rmi other:1
        [ "$status" -eq 0 ]
        [ "$(nlayers)" -eq 0 ]
        [ -z "$(ls "$STORE/images")" ]
        [ -z "$(ls "$STORE/blobs/sha256")" ]

        run "$BERTH" rmi nope
        [ "$status" -eq 125 ]
        [ "$output" = "berth: No such image: nope" ]
        run "$BERTH" tag nope x:1
        [ "$status" -eq 125 ]
        [ "$output" = "berth: No such image: nope" ]
}

@test "save then load round-trips into a fresh root (plain and gzip)" {
        busybox
        "$BERTH" tag busybox extra:2
        id=$("$BERTH" image inspect busybox | jq -r '.[0].Id')
        run "$BERTH" save -o "$WORK/img.tar" busybox extra:2
        [ "$status" -eq 0 ]
        tar -tf "$WORK/img.tar" | grep -qx manifest.json
        tar -tf "$WORK/img.tar" | grep -qx index.json
        tar -xOf "$WORK/img.tar" manifest.json | jq -e '.[0].RepoTags == ["busybox:latest","extra:2"]'

        ROOT2=$(mktemp -d /tmp/berth-images2.XXXXXX)
        run env BERTH_ROOT="$ROOT2" "$BERTH" load -i "$WORK/img.tar"
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Loaded image: busybox:latest" ]
        [ "${lines[1]}" = "Loaded image: extra:2" ]
        [ "$(BERTH_ROOT=$ROOT2 "$BERTH" image inspect extra:2 | jq -r '.[0].Id')" = "$id" ]
        cmp "$(ls -d "$STORE"/layers/*/diff)/bin/busybox" "$(ls -d "$ROOT2"/lib/image/layers/*/diff)/bin/busybox"

        # gzip-compressed archive from stdin, -q
        rm -rf "$ROOT2" && mkdir "$ROOT2"
        "$BERTH" save busybox | gzip >"$WORK/img.tar.gz"
        run env BERTH_ROOT="$ROOT2" "$BERTH" image load -q <"$WORK/img.tar.gz"
        [ "$status" -eq 0 ]
        [ -z "$output" ]
        [ "$(BERTH_ROOT=$ROOT2 "$BERTH" image inspect busybox | jq -r '.[0].Id')" = "$id" ]
        [ -z "$(ls "$ROOT2/lib/image/tmp")" ]
}

@test "load an OCI image layout archive with a gzip layer" {
        tiny_tar "$WORK/layer.tar" oci
        gzip -n -c "$WORK/layer.tar" >"$WORK/layer.tar.gz"
        diff_id=$(sha256sum "$WORK/layer.tar" | cut -d' ' -f1)
        gz=$(sha256sum "$WORK/layer.tar.gz" | cut -d' ' -f1)
        gzsize=$(stat -c %s "$WORK/layer.tar.gz")
        L=$WORK/oci
        mkdir -p "$L/blobs/sha256"
        cp "$WORK/layer.tar.gz" "$L/blobs/sha256/$gz"
        printf '{"architecture":"%s","os":"linux","created":"2024-01-02T03:04:05Z","config":{"Cmd":["cat","/etc/greeting"],"Env":["X=1"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
                "$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/')" "$diff_id" >"$WORK/config.json"
        cfg=$(sha256sum "$WORK/config.json" | cut -d' ' -f1)
        cp "$WORK/config.json" "$L/blobs/sha256/$cfg"
        printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
                "$cfg" "$(stat -c %s "$WORK/config.json")" "$gz" "$gzsize" >"$WORK/manifest.json"
        man=$(sha256sum "$WORK/manifest.json" | cut -d' ' -f1)
        cp "$WORK/manifest.json" "$L/blobs/sha256/$man"
        printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"localhost/ocitest:1.0"}}]}' \
                "$man" "$(stat -c %s "$WORK/manifest.json")" >"$L/index.json"
        echo '{"imageLayoutVersion":"1.0.0"}' >"$L/oci-layout"
        tar -C "$L" -cf "$WORK/oci.tar" .

        run "$BERTH" load -i "$WORK/oci.tar"
        [ "$status" -eq 0 ]
        [ "$output" = "Loaded image: localhost/ocitest:1.0" ]
        run "$BERTH" image inspect localhost/ocitest:1.0
        [ "$status" -eq 0 ]
        [ "$(echo "$output" | jq -r '.[0].Id')" = "sha256:$cfg" ]
        [ "$(echo "$output" | jq -r '.[0].RootFS.Layers[0]')" = "sha256:$diff_id" ]
        [ "$(echo "$output" | jq -c '.[0].Config.Cmd')" = '["cat","/etc/greeting"]' ]
        [ "$(echo "$output" | jq -r '.[0].Created')" = 2024-01-02T03:04:05Z ]
        [ "$(cat "$STORE"/layers/*/diff/etc/greeting)" = oci ]

        # a layer whose content does not match the config's diff ID is refused
        rm -rf "$BERTH_ROOT" && mkdir "$BERTH_ROOT"
        tiny_tar "$WORK/other.tar" tampered
        gzip -n -c "$WORK/other.tar" >"$L/blobs/sha256/$gz"
        tar -C "$L" -cf "$WORK/bad.tar" .
        run "$BERTH" load -i "$WORK/bad.tar"
        [ "$status" -eq 125 ]
        [[ $output == *"does not match the config's diff ID"* ]]
        [ -z "$(ls "$STORE/images")" ]
        [ -z "$(ls "$STORE/layers")" ]
        [ -z "$(ls "$STORE/blobs/sha256")" ]
        [ -z "$(ls "$STORE/tmp")" ]
}

@test "hostile tar import fails cleanly and writes nothing outside" {
        busybox
        before=$(find "$STORE" | sort)
        mkdir -p "$WORK/outside"
        python3 - "$WORK" <<'EOF'
import io, sys, tarfile
work = sys.argv[1]
def add(t, name, data=b"pwned", **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items():
        setattr(ti, k, v)
    ti.size = len(data) if ti.type == tarfile.REGTYPE else 0
    t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)
with tarfile.open(work + "/dotdot.tar", "w") as t:
    add(t, "ok.txt", b"fine")
    add(t, "../../../../../../" + work.lstrip("/") + "/outside/pwned")
with tarfile.open(work + "/symlink.tar", "w") as t:
    add(t, "evil", type=tarfile.SYMTYPE, linkname=work + "/outside")
    add(t, "evil/pwned")
with tarfile.open(work + "/hardlink.tar", "w") as t:
    add(t, "h", type=tarfile.LNKTYPE, linkname="../../../../etc/passwd")
with tarfile.open(work + "/whiteout.tar", "w") as t:
    add(t, ".wh..", b"")
EOF
        for t in dotdot symlink hardlink whiteout; do
                run "$BERTH" image import "$WORK/$t.tar" "hostile-$t:1"
                [ "$status" -eq 125 ]
                [ -z "$(ls -A "$WORK/outside")" ]
                [ "$(find "$STORE" | sort)" = "$before" ]
        done
        run "$BERTH" image inspect hostile-dotdot:1
        [ "$status" -ne 0 ]
}

@test "image prune removes dangling images only" {
        busybox
        tiny_tar "$WORK/t.tar"
        run "$BERTH" image import "$WORK/t.tar"
        [ "$status" -eq 0 ]
        dangling=$output
        run "$BERTH" images
        [[ $output == *"<none>"*"<none>"* ]]
        run "$BERTH" images -q --filter dangling=true
        [ "$output" = "${dangling:7:12}" ]
        run "$BERTH" images --filter dangling=false --format json
        [ "$(echo "$output" | jq -r .Repository)" = busybox ]
        # no confirmation: nothing happens
        run "$BERTH" image prune <<<"n"
        [ "$status" -eq 0 ]
        "$BERTH" image inspect "$dangling" >/dev/null
        run "$BERTH" image prune -f
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "Deleted Images:" ]
        [ "${lines[1]}" = "deleted: $dangling" ]
        [[ ${lines[2]} == "Total reclaimed space: 6B" ]]
        run "$BERTH" image inspect "$dangling"
        [ "$status" -ne 0 ]
        "$BERTH" image inspect busybox >/dev/null
        [ "$(nlayers)" -eq 1 ]
        # no container: -a takes every image
        run "$BERTH" image prune -a -f
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = "untagged: busybox:latest" ]
        [ "$(nlayers)" -eq 0 ]
}

@test "concurrent imports serialise on the store lock and share the layer" {
        "$BERTH_SRC/tests/images/make-busybox.sh" --tar-only "$WORK/bb.tar"
        for i in 1 2 3 4; do
                "$BERTH" image import --change "CMD [\"echo\", \"$i\"]" "$WORK/bb.tar" "par:$i" >"$WORK/out.$i" 2>&1 &
        done
        wait
        for i in 1 2 3 4; do
                [ "$("$BERTH" image inspect "par:$i" | jq -c '.[0].Config.Cmd')" = "[\"echo\",\"$i\"]" ]
        done
        [ "$(ls "$STORE/images" | wc -l)" -eq 4 ]
        [ "$(nlayers)" -eq 1 ]
        [ "$(jq '.refs | length' "$STORE/repositories.json")" -eq 4 ]
        [ -z "$(ls "$STORE/tmp")" ]
        # a stale temp file from an interrupted writer is swept by the next one
        touch "$STORE/tmp/blob-stale"
        "$BERTH" tag par:1 par:5
        [ -z "$(ls "$STORE/tmp")" ]
}

@test "load a legacy docker-save archive: two layers, whiteout, symlinked layer.tar" {
        mkdir -p "$WORK/l1/etc" "$WORK/l2/etc" "$WORK/arc"
        echo hello >"$WORK/l1/etc/greeting"
        echo keep >"$WORK/l1/etc/keep"
        : >"$WORK/l2/etc/.wh.greeting"
        echo new >"$WORK/l2/etc/new"
        for l in l1 l2; do
                tar --owner=0 --group=0 --numeric-owner --mtime=@1600000000 -C "$WORK/$l" -cf "$WORK/$l.tar" .
        done
        d1=$(sha256sum "$WORK/l1.tar" | cut -d' ' -f1)
        d2=$(sha256sum "$WORK/l2.tar" | cut -d' ' -f1)
        mkdir "$WORK/arc/aaa" "$WORK/arc/bbb" "$WORK/arc/ccc"
        cp "$WORK/l1.tar" "$WORK/arc/aaa/layer.tar"
        cp "$WORK/l2.tar" "$WORK/arc/bbb/layer.tar"
        ln -s ../bbb/layer.tar "$WORK/arc/ccc/layer.tar" # old docker deduplicated like this
        printf '{"architecture":"amd64","os":"linux","created":"2020-01-01T00:00:00Z","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]}}' \
                "$d1" "$d2" >"$WORK/arc/cfg.json"
        echo '[{"Config":"cfg.json","RepoTags":["legacy:old"],"Layers":["aaa/layer.tar","ccc/layer.tar"]}]' >"$WORK/arc/manifest.json"
        tar -C "$WORK/arc" -cf "$WORK/legacy.tar" .

        run "$BERTH" load -i "$WORK/legacy.tar"
        [ "$status" -eq 0 ]
        [ "$output" = "Loaded image: legacy:old" ]
        # layers/<chain ID>: chain(1) = diff(1), chain(2) = sha256("sha256:c1 sha256:d2")
        c2=$(printf 'sha256:%s sha256:%s' "$d1" "$d2" | sha256sum | cut -d' ' -f1)
        [ -d "$STORE/layers/$d1/diff" ]
        [ -d "$STORE/layers/$c2/diff" ]
        [ "$(stat -c %F:%t:%T "$STORE/layers/$c2/diff/etc/greeting")" = "character special file:0:0" ]
        [ ! -e "$STORE/layers/$c2/diff/etc/.wh.greeting" ]
        [ "$("$BERTH" image inspect legacy:old | jq -r '.[0].Size')" -eq 15 ]
        # overlay of the layers (top first) hides the whited-out file
        m=$WORK/mnt
        mkdir -p "$m/u" "$m/w" "$m/m"
        run unshare -m sh -c "mount -t overlay overlay -o lowerdir=$STORE/layers/$c2/diff:$STORE/layers/$d1/diff,upperdir=$m/u,workdir=$m/w $m/m && ls $m/m/etc"
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'keep\nnew')" ]
}
