#!/usr/bin/env bats
# Bind mounts, named and anonymous volumes, `berth volume`.
load rt_common

setup_file() { rt_setup_file; }
teardown_file() { rt_teardown_file; }

@test "bind mount read-write and read-only" {
        d=$(mktemp -d "$BERTH_ROOT/bind.XXXX")
        echo host >"$d/f"
        run "$BERTH" run --rm -v "$d:/data" busybox sh -c 'cat /data/f; echo ctr >/data/g'
        [ "$output" = "host" ]
        [ "$(cat "$d/g")" = "ctr" ]
        run "$BERTH" run --rm -v "$d:/data:ro" busybox sh -c 'echo x >/data/h'
        [ "$status" -ne 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        run "$BERTH" run --rm --mount "type=bind,source=$d,target=/m,readonly" busybox cat /m/f
        [ "$output" = "host" ]
}

@test "a symlink in the root cannot redirect a mount target out of the root" {
        d=$(mktemp -d "$BERTH_ROOT/bind.XXXX")
        echo secret >"$d/s"
        mkdir -p "$BERTH_ROOT/outside"
        "$BERTH" create --name rt-link -v "$d:/lnk/x" busybox ls /lnk/x
        upper=$("$BERTH" inspect -f '{{.GraphDriver.Data.UpperDir}}' rt-link)
        ln -s "$BERTH_ROOT/outside" "$upper/lnk"
        run "$BERTH" start -a rt-link
        [ "$status" -eq 0 ]
        [ "$output" = "s" ]
        [ ! -e "$BERTH_ROOT/outside/x" ]
        "$BERTH" rm rt-link
}

@test "a bind inside a volume is mounted after it, whatever the order given" {
        d=$(mktemp -d "$BERTH_ROOT/bind.XXXX")
        echo theme >"$d/style.css"
        # the deeper target first: mounted in that order, the volume hid the bind
        run "$BERTH" run --rm -v "$d:/srv/html/themes/mine" -v /srv/html busybox \
                sh -c 'cat /srv/html/themes/mine/style.css; echo edit >/srv/html/themes/mine/new'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = theme ]
        [ "$(cat "$d/new")" = edit ]
        run "$BERTH" run --rm --mount "type=bind,source=$d,target=/w/a/b" --tmpfs /w/a busybox \
                cat /w/a/b/style.css
        [ "$output" = theme ]
}

@test "named volume persists and is created on first use" {
        run "$BERTH" run --rm -v rt-vol:/data busybox sh -c 'echo kept >/data/f'
        [ "$status" -eq 0 ]
        run "$BERTH" run --rm -v rt-vol:/data busybox cat /data/f
        [ "$output" = "kept" ]
        run "$BERTH" volume ls -q
        [[ "$output" == *"rt-vol"* ]]
        run "$BERTH" volume inspect rt-vol
        [ "$(echo "$output" | jq -r '.[0].Driver')" = "local" ]
        "$BERTH" volume rm rt-vol
        run "$BERTH" volume inspect rt-vol
        [ "$status" -ne 0 ]
}

@test "a new volume is populated from the image" {
        run "$BERTH" run --rm -v rt-etc:/etc busybox cat /etc/passwd
        [[ "$output" == *"root:x:0:0"* ]]
        "$BERTH" volume rm rt-etc
}

@test "volume copy-up shows the image as the container does: opaque dirs, whiteouts, owner of the root" {
        ctx=$(mktemp -d "$BERTH_ROOT/ctx.XXXX")
        cat >"$ctx/Dockerfile" <<'DF'
FROM busybox
RUN mkdir -p /data/sub /keep && echo old >/data/old && echo old >/data/sub/f && echo k >/keep/a && echo gone >/keep/b
RUN rm -rf /data && mkdir -p /data && echo new >/data/new && chown 1000:1000 /data && chmod 0750 /data && rm /keep/b
VOLUME /data /keep
DF
        "$BERTH" build -q --network none -t rt-copyup "$ctx" >/dev/null
        run "$BERTH" run --rm rt-copyup sh -c 'ls -A /data; stat -c "%u:%g %a" /data; ls -A /keep'
        echo "$output"
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'new\n1000:1000 750\na')" ]
        "$BERTH" rmi rt-copyup >/dev/null
        rm -rf "$ctx"
}

@test "volume in use cannot be removed; create with labels; prune" {
        "$BERTH" volume create --label rt-k=v rt-lab
        [ "$("$BERTH" volume inspect rt-lab | jq -r '.[0].Labels["rt-k"]')" = "v" ]
        "$BERTH" create --name rt-user -v rt-lab:/x busybox true
        run "$BERTH" volume rm rt-lab
        [ "$status" -ne 0 ]
        [[ "$output" == *"volume is in use"* ]]
        "$BERTH" rm rt-user
        # docker's prompt: anything but y keeps the volume
        run bash -c "echo n | '$BERTH' volume prune --all"
        [ "$status" -eq 0 ]
        [[ "$output" == *"WARNING! This will remove all local volumes not used by at least one container."*"Are you sure you want to continue? [y/N]"* ]]
        "$BERTH" volume inspect rt-lab >/dev/null
        run "$BERTH" volume prune --all -f
        [[ "$output" == *"Deleted Volumes:"*"rt-lab"*"Total reclaimed space: "* ]]
        run "$BERTH" volume inspect rt-lab
        [ "$status" -ne 0 ]
}

@test "anonymous volumes are removed by rm -v" {
        "$BERTH" create --name rt-anon -v /anon busybox true
        name=$("$BERTH" inspect -f '{{json .Mounts}}' rt-anon | jq -r '.[0].Name')
        [ ${#name} -eq 64 ]
        "$BERTH" volume inspect "$name" >/dev/null
        "$BERTH" rm -v rt-anon
        run "$BERTH" volume inspect "$name"
        [ "$status" -ne 0 ]
}

@test "--mount type=tmpfs" {
        run "$BERTH" run --rm --mount type=tmpfs,target=/t,tmpfs-size=1m busybox sh -c 'grep " /t " /proc/mounts'
        [[ "$output" == *"tmpfs"* ]]
}

@test "-v, --mount and --tmpfs are read with docker's rules (base/mountspec)" {
        d=$(mktemp -d "$BERTH_ROOT/rel.XXXX")
        echo here >"$d/f"
        # a "./" source is the current directory's, as the docker CLI reads it
        run bash -c "cd '$d' && '$BERTH' run --rm --network none -v ./:/r busybox cat /r/f"
        [ "$status" -eq 0 ]
        [ "$output" = "here" ]
        # --mount refuses a bind source that is not there (-v makes it)
        run "$BERTH" create --network none --mount "type=bind,source=$d/none,target=/x" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"bind source path does not exist: $d/none"* ]]
        [ ! -e "$d/none" ]
        run "$BERTH" create --network none -v "$d:/b:ro,rw" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"invalid mode: ro,rw"* ]]
        run "$BERTH" create --network none --mount "target=/x,color=red" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"unexpected key 'color' in 'color=red'"* ]]
        run "$BERTH" create --network none -v "rt-vol:/" busybox true
        [ "$status" -ne 0 ]
        [[ "$output" == *"destination can't be '/'"* ]]
}
