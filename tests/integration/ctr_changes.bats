#!/usr/bin/env bats
# diff, export and commit (and their `container VERB` forms): a container's
# changes against its image, its file system as a tar, and a new image from
# it.  Containers cd-*, images cd-*, subnets 10.217.0.0/16.
load rt_common

setup_file() {
        rt_setup_file 10.217.0.0/16:24
        rt_sentinel
}

teardown_file() {
        rt_teardown_file
        rm -rf "$SENT"
}

setup() {
        rt_cd_scratch
}

changes() { # name: a container that adds, changes and deletes
        "$BERTH" run -d --name "$1" --network none busybox sh -c '
                echo a > /new; rm /bin/ls; rm -rf /home; echo x >> /etc/passwd
                mkdir -p /usr/new/deep; touch /usr/new/deep/f; touch /ready; exec sleep 600' >/dev/null
        rt_wait_ready "$1"
}

@test "diff prints Docker's A/C/D lines, running and stopped; 'container diff'" {
        changes cd-diff
        run "$BERTH" diff cd-diff
        [ "$status" -eq 0 ]
        [ "$output" = "C /bin
D /bin/ls
C /etc/passwd
D /home
A /new
A /ready
C /usr
A /usr/new
A /usr/new/deep
A /usr/new/deep/f" ]
        "$BERTH" stop -t 0 cd-diff >/dev/null
        run "$BERTH" container diff cd-diff
        [ "$status" -eq 0 ]
        [ "${lines[1]}" = "D /bin/ls" ]
        run_fails any "No such container: cd-nosuch" "$BERTH" diff cd-nosuch
        run_fails 125 "requires exactly 1 argument" "$BERTH" diff
}

@test "hostile: diff never looks up a path through an image's symlink (A, not C from the host)" {
        # an image whose /lnk points at a host directory holding a file
        "$BERTH" run --name cd-mk --network none busybox ln -s "$SENT" /lnk
        "$BERTH" commit cd-mk cd-lnk:1 >/dev/null
        # a container replaces the link with a directory holding that file's name
        "$BERTH" run --name cd-h --network none cd-lnk:1 sh -c 'rm /lnk; mkdir /lnk; echo c > /lnk/secret'
        run "$BERTH" diff cd-h
        [ "$status" -eq 0 ]
        [[ "$output" == *"A /lnk/secret"* ]]
        [[ "$output" != *"C /lnk/secret"* ]]
}

@test "export writes the merged file system as a tar, to stdout or -o; 'container export'" {
        changes cd-exp
        "$BERTH" run -d --name cd-expv --network none -v /vol busybox sh -c 'echo v > /vol/in; sleep 600' >/dev/null
        "$BERTH" export cd-exp >out.tar
        tar tf out.tar >list
        grep -qx new list && grep -qx usr/new/deep/f list && grep -qx bin/busybox list
        ! grep -qx bin/ls list || false
        ! grep -q '^home' list || false
        [ "$(tar xOf out.tar new)" = a ]
        "$BERTH" container export -o exp2.tar cd-exp
        [ "$(tar tf exp2.tar | sort | md5sum)" = "$(sort list | md5sum)" ]
        # volumes are not exported; /proc is an empty directory
        "$BERTH" export cd-expv | tar tf - >vlist
        ! grep -q '^vol/in' vlist || false
        [ -z "$(grep '^proc/.' vlist)" ]
        run "$BERTH" export -o "$W/nodir/x.tar" cd-exp
        [ "$status" -ne 0 ]
        [[ "$output" == *"nodir"* ]]
        [ ! -e "$W/nodir" ]
}

@test "commit: a new image with the container's changes, -c, -m, -a; history shows it; it runs" {
        changes cd-com
        run "$BERTH" commit -m "my message" -a "Me <me@example.org>" \
                -c 'ENTRYPOINT []' -c 'CMD ["cat", "/new"]' -c 'ENV FOO=bar' -c 'EXPOSE 8080' \
                -c 'LABEL cd.label=yes' -c 'WORKDIR /usr' -c 'USER 0' -c 'VOLUME /vol' \
                cd-com cd-img:v1
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
        id=$output
        # paused during the commit, running again after it
        [ "$("$BERTH" inspect -f '{{.State.Status}}' cd-com)" = running ]
        [ "$("$BERTH" run --rm --network none cd-img:v1)" = a ]
        run "$BERTH" run --rm --network none cd-img:v1 sh -c 'echo $FOO; pwd; ls /bin/ls 2>/dev/null || echo gone'
        [ "${lines[0]}" = bar ]
        [ "${lines[1]}" = /usr ]
        [ "${lines[-1]}" = gone ]
        "$BERTH" image inspect cd-img:v1 >insp.json
        python3 - insp.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))[0]
c = d["Config"]
assert d["Comment"] == "my message", d["Comment"]
assert c["Cmd"] == ["cat", "/new"], c
assert "FOO=bar" in c["Env"] and "8080/tcp" in c["ExposedPorts"], c
assert c["Labels"]["cd.label"] == "yes" and "/vol" in c["Volumes"] and c["User"] == "0", c
PY
        run "$BERTH" history cd-img:v1
        [ "$status" -eq 0 ]
        [[ "${lines[1]}" == "${id:7:12}"*"sh -c"*"my message" ]]
        [[ "${lines[2]}" == "<missing>"* ]]
        # a stopped container, untagged, through 'container commit'
        "$BERTH" stop -t 0 cd-com >/dev/null
        run "$BERTH" container commit --pause=false cd-com
        [ "$status" -eq 0 ]
        [[ "$output" =~ ^sha256: ]]
        [ "$("$BERTH" run --rm --network none "$output" cat /new)" = a ]
}

@test "commit refuses what Docker refuses, naming it" {
        "$BERTH" create --name cd-bad --network none busybox true >/dev/null
        run_fails any "RUN is not a valid change command" "$BERTH" commit -c 'RUN echo hi' cd-bad
        run_fails any "VOLUME" "$BERTH" commit -c 'VOLUME ../etc' cd-bad
        run_fails any "invalid reference format" "$BERTH" commit cd-bad 'Bad:Name'
        run_fails any "No such container: cd-nosuch" "$BERTH" commit cd-nosuch
        run_fails 125 "requires at least 1 and at most 2 arguments" "$BERTH" commit
}
