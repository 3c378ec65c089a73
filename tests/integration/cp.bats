#!/usr/bin/env bats
# berth cp / container cp: both directions, -a, -L, tar streams on stdin and
# stdout, stopped containers, Docker's path rules, and hostile container
# contents (symlinks out of the root, a path swapped during the copy): nothing
# outside the container's root is ever read or written, checked with sentinel
# files on the host.  Containers cc-*, subnets 10.217.0.0/16.
load rt_common

setup_file() {
        rt_setup_file 10.217.0.0/16:24
        # the host sentinel: a secret to read and a directory to write into
        rt_sentinel
        chmod 0755 "$SENT"
}

teardown_file() {
        rt_teardown_file
        rm -rf "$SENT"
}

setup() {
        rt_cd_scratch
}

# no file under $2 (recursively, if any) contains $1 (bats ignores "! cmd")
absent() {
        if grep -rqs -- "$1" "$2"; then
                echo "found $1 in $2" >&2
                return 1
        fi
}

# the host sentinel is untouched: the secret as it was, nothing added
sentinel_intact() {
        [ "$(cat "$SENT/secret")" = HOSTSECRET ]
        [ "$(ls -A "$SENT")" = secret ]
}

# A container whose root holds, at the sentinel's own path, a decoy: an
# escaping lookup finds the host secret, a confined one finds the decoy.
hostile() { # name [extra run args]
        local n=$1
        shift
        "$BERTH" run -d --name "$n" --network none "$@" busybox sh -c "
                mkdir -p '$SENT' /d/sub && echo DECOY > '$SENT/secret'
                echo hi > /d/f && echo g > /d/sub/g && ln -s f /d/lnk
                ln -s '$SENT' /abs && ln -s ../../../../../../../..'$SENT' /rel
                ln -s '$SENT/secret' /absfile && ln -s / /d/root
                touch /ready; exec sleep 600"
        rt_wait_ready "$n"
}

@test "cp: container to host, Docker's destination rules, and 'container cp'" {
        hostile cc-out
        "$BERTH" cp cc-out:/d/f .
        [ "$(cat f)" = hi ]
        "$BERTH" cp cc-out:/d/f renamed
        [ "$(cat renamed)" = hi ]
        # an existing file is overwritten
        echo old >over
        "$BERTH" cp cc-out:d/f over
        [ "$(cat over)" = hi ]
        # a missing destination directory takes the source's contents
        "$BERTH" container cp cc-out:/d newdir
        [ "$(cat newdir/f)" = hi ]
        [ "$(cat newdir/sub/g)" = g ]
        # an existing one receives the directory under its own name
        mkdir have
        "$BERTH" cp cc-out:/d have
        [ "$(cat have/d/sub/g)" = g ]
        # "/." copies the contents into the existing directory
        mkdir dot
        "$BERTH" cp cc-out:/d/. dot
        [ "$(cat dot/f)" = hi ]
        [ ! -e dot/d ]
        # symlinks in the tree are copied as symlinks, never followed
        [ "$(readlink newdir/root)" = / ]
        [ "$(readlink newdir/lnk)" = f ]
        # errors in Docker's words
        run "$BERTH" cp cc-out:/nope .
        [ "$status" -ne 0 ]
        [[ "$output" == *"Could not find the file /nope in container cc-out"* ]]
        run "$BERTH" cp cc-out:/d/f missing/
        [ "$status" -ne 0 ]
        [[ "$output" == *"must exist"* ]]
        echo x >afile
        run "$BERTH" cp cc-out:/d afile
        [ "$status" -ne 0 ]
        [[ "$output" == *"cannot copy a directory to a file"* ]]
        run "$BERTH" cp a b
        [ "$status" -eq 125 ]
        [[ "$output" == *"must specify at least one container source"* ]]
        run "$BERTH" cp cc-out:/a cc-out:/b
        [ "$status" -eq 125 ]
        [[ "$output" == *"copying between containers is not supported"* ]]
        run "$BERTH" cp cc-out:/a
        [ "$status" -eq 125 ]
        [[ "$output" == *"requires exactly 2 arguments"* ]]
        run "$BERTH" cp cc-nosuch:/a .
        [ "$status" -ne 0 ]
        [[ "$output" == *"No such container"* ]]
        sentinel_intact
}

@test "cp: host to container, into a directory, a new name, over a file; 'container cp'" {
        hostile cc-in
        echo one >one
        mkdir -p tree/sub && echo t >tree/sub/t && ln -s /etc tree/etc
        "$BERTH" cp one cc-in:/d/
        "$BERTH" cp one cc-in:/d/two
        "$BERTH" container cp one cc-in:/d/f
        "$BERTH" cp tree cc-in:/tmp
        "$BERTH" cp tree cc-in:/newtree
        "$BERTH" cp tree/. cc-in:/d/sub
        run "$BERTH" exec cc-in sh -c 'cat /d/one /d/two /d/f /tmp/tree/sub/t /newtree/sub/t /d/sub/sub/t; readlink /newtree/etc'
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'one\none\none\nt\nt\nt\n/etc')" ]
        run "$BERTH" cp one cc-in:/nodir/x
        [ "$status" -ne 0 ]
        [[ "$output" == *"Could not find the file /nodir/x in container cc-in"* ]]
        run "$BERTH" cp nope cc-in:/d
        [ "$status" -ne 0 ]
        [[ "$output" == *"nope: No such file or directory"* ]]
        run "$BERTH" cp one cc-in:/missing/
        [ "$status" -ne 0 ]
        [[ "$output" == *"must exist"* ]]
        run "$BERTH" cp tree cc-in:/d/f
        [ "$status" -ne 0 ]
        [[ "$output" == *"cannot copy a directory to a file"* ]]
        sentinel_intact
}

@test "cp -a keeps uid/gid both ways; without it the destination's user owns the files" {
        hostile cc-own
        "$BERTH" exec cc-own sh -c 'echo o > /d/owned && chown 1234:5678 /d/owned'
        "$BERTH" cp cc-own:/d/owned plain
        "$BERTH" cp -a cc-own:/d/owned kept
        [ "$(stat -c %u:%g plain)" = "$(id -u):$(id -g)" ]
        [ "$(stat -c %u:%g kept)" = 1234:5678 ]
        echo h >hostfile && chown 4321:8765 hostfile
        "$BERTH" cp hostfile cc-own:/d/in-plain
        "$BERTH" cp --archive hostfile cc-own:/d/in-kept
        [ "$("$BERTH" exec cc-own stat -c %u:%g /d/in-plain)" = 0:0 ]
        [ "$("$BERTH" exec cc-own stat -c %u:%g /d/in-kept)" = 4321:8765 ]
}

@test "cp -L follows a symlink source (inside the container); without it the link is copied" {
        hostile cc-link
        "$BERTH" cp cc-link:/d/lnk asis
        [ -L asis ]
        [ "$(readlink asis)" = f ]
        "$BERTH" cp -L cc-link:/d/lnk followed
        [ ! -L followed ]
        [ "$(cat followed)" = hi ]
        # an absolute link to the host sentinel's path is followed inside the root
        "$BERTH" cp --follow-link cc-link:/absfile got
        [ "$(cat got)" = DECOY ]
        echo target >t && ln -s t hostlink
        "$BERTH" cp hostlink cc-link:/d/hl
        "$BERTH" cp -L hostlink cc-link:/d/hlf
        [ "$("$BERTH" exec cc-link readlink /d/hl)" = t ]
        [ "$("$BERTH" exec cc-link cat /d/hlf)" = target ]
        sentinel_intact
}

@test "cp with '-': a tar stream to stdout (listed) and from stdin" {
        hostile cc-tar
        "$BERTH" cp cc-tar:/d - >out.tar
        run tar tf out.tar
        [ "$status" -eq 0 ]
        [ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = "d/ d/f d/lnk d/root d/sub/ d/sub/g " ]
        "$BERTH" cp cc-tar:/d/f - | tar xOf - f | grep -qx hi
        mkdir src && echo s1 >src/a && mkdir src/b && echo s2 >src/b/c
        tar cf - -C src . | "$BERTH" cp - cc-tar:/d/sub
        [ "$("$BERTH" exec cc-tar cat /d/sub/a /d/sub/b/c)" = "$(printf 's1\ns2')" ]
        run "$BERTH" cp - cc-tar:/d/f <out.tar
        [ "$status" -ne 0 ]
        [[ "$output" == *"not a directory"* ]]
        run "$BERTH" cp - cc-tar:/nowhere <out.tar
        [ "$status" -ne 0 ]
        [[ "$output" == *"Could not find the file /nowhere"* ]]
}

@test "cp works on a stopped container, both ways" {
        hostile cc-stop
        "$BERTH" stop -t 0 cc-stop >/dev/null
        "$BERTH" cp cc-stop:/d/sub .
        [ "$(cat sub/g)" = g ]
        echo later >later
        "$BERTH" cp later cc-stop:/d/
        "$BERTH" cp cc-stop:/d/later back
        [ "$(cat back)" = later ]
        # the overlay is mounted only in the helper's own mount namespace
        absent "$("$BERTH" inspect -f '{{.GraphDriver.Data.MergedDir}}' cc-stop)" /proc/self/mountinfo
        "$BERTH" start cc-stop >/dev/null
        [ "$("$BERTH" exec cc-stop cat /d/later)" = later ]
        # read-only containers refuse writes, as in Docker
        "$BERTH" run -d --name cc-ro --read-only --network none busybox sleep 600 >/dev/null
        run "$BERTH" cp later cc-ro:/
        [ "$status" -ne 0 ]
        [[ "$output" == *"read-only"* ]]
}

@test "cp sees the container's volumes and binds, running and stopped; read-only binds refuse writes" {
        mkdir -p "$W/bind" && echo frombind >"$W/bind/b"
        "$BERTH" run -d --name cc-vol --network none -v cc-vol-data:/vol -v "$W/bind:/bnd:ro" \
                busybox sh -c 'echo invol > /vol/v; exec sleep 600' >/dev/null
        local i
        for i in $(seq 100); do
                "$BERTH" exec cc-vol test -e /vol/v 2>/dev/null && break
                sleep 0.1
        done
        "$BERTH" cp cc-vol:/vol/v run-v && [ "$(cat run-v)" = invol ]
        "$BERTH" cp cc-vol:/bnd/b run-b && [ "$(cat run-b)" = frombind ]
        run "$BERTH" cp run-v cc-vol:/bnd/
        [ "$status" -ne 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        "$BERTH" stop -t 0 cc-vol >/dev/null
        "$BERTH" cp cc-vol:/vol/v stop-v && [ "$(cat stop-v)" = invol ]
        "$BERTH" cp cc-vol:/bnd/b stop-b && [ "$(cat stop-b)" = frombind ]
        echo new >newfile
        "$BERTH" cp newfile cc-vol:/vol/
        run "$BERTH" cp newfile cc-vol:/bnd/
        [ "$status" -ne 0 ]
        [[ "$output" == *"Read-only file system"* ]]
        [ ! -e "$W/bind/newfile" ]
        "$BERTH" start cc-vol >/dev/null
        [ "$("$BERTH" exec cc-vol cat /vol/newfile)" = new ]
        "$BERTH" rm -f cc-vol >/dev/null
        "$BERTH" volume rm cc-vol-data >/dev/null
}

# Hostile: every lookup through a symlink of the container stays inside it.
check_escapes() { # container
        local c=$1
        # reading through absolute and ../.. links finds the decoy, never the host secret
        for p in /abs/secret /rel/secret /absfile /abs/. /rel/; do
                rm -rf got
                run "$BERTH" cp -L "$c:$p" got
                [ "$status" -eq 0 ]
                absent HOSTSECRET got
                grep -rq DECOY got
        done
        # a "-" stream through the links too
        "$BERTH" cp "$c:/abs/secret" - | tar xOf - | grep -qx DECOY
        # writing through them lands inside the container
        echo pwned >pwn
        "$BERTH" cp pwn "$c:/abs/"
        "$BERTH" cp pwn "$c:/rel/pwn2"
        "$BERTH" cp pwn "$c:/absfile"
        mkdir -p pwndir && echo x >pwndir/x
        "$BERTH" cp pwndir/. "$c:/rel"
        # a tar stream whose member goes through a link it made first
        python3 - "$SENT" >evil.tar <<'PY'
import io, sys, tarfile
t = tarfile.open(fileobj=sys.stdout.buffer, mode="w")
l = tarfile.TarInfo("l"); l.type = tarfile.SYMTYPE; l.linkname = sys.argv[1]; t.addfile(l)
d = b"pwned\n"; f = tarfile.TarInfo("l/viastream"); f.size = len(d); t.addfile(f, io.BytesIO(d))
t.close()
PY
        # (refused or kept inside: the link resolves within the extraction root)
        run "$BERTH" cp - "$c:/tmp" <evil.tar
        sentinel_intact
}

@test "hostile: symlinks out of the root (absolute, ../..) never lead out, running container" {
        hostile cc-hr
        check_escapes cc-hr
        # what the writes did happened inside the container
        run "$BERTH" exec cc-hr sh -c "cat '$SENT/pwn' '$SENT/pwn2' '$SENT/secret' '$SENT/x'"
        [ "$output" = "$(printf 'pwned\npwned\npwned\nx')" ]
}

@test "hostile: symlinks out of the root never lead out, stopped container" {
        hostile cc-hs
        "$BERTH" stop -t 0 cc-hs >/dev/null
        check_escapes cc-hs
}

@test "hostile: a host-side symlink as destination is followed as Docker does, inside the destination only" {
        hostile cc-hd
        mkdir real && ln -s real dlink
        "$BERTH" cp cc-hd:/d/f dlink
        [ "$(cat real/f)" = hi ]
        echo old >realfile && ln -s realfile flink
        "$BERTH" cp cc-hd:/d/f flink
        [ -L flink ]
        [ "$(cat realfile)" = hi ]
        # a symlink inside an existing destination tree is replaced, not followed
        mkdir -p have/d && ln -s "$SENT" have/d/sub
        "$BERTH" cp cc-hd:/d have
        [ ! -L have/d/sub ]
        [ "$(cat have/d/sub/g)" = g ]
        sentinel_intact
}

@test "hostile: a directory swapped for a symlink during the copy never leads out" {
        hostile cc-race
        # flip /r/x between a directory holding f and a symlink to the host sentinel
        "$BERTH" exec -d cc-race sh -c "mkdir -p /r; while :; do
                rm -rf /r/x; mkdir /r/x; echo inside > /r/x/f
                rm -rf /r/x; ln -s '$SENT' /r/x; done"
        echo pwned >pwn
        local i ok=0
        for i in $(seq 60); do
                rm -rf got
                if "$BERTH" cp cc-race:/r/x/f got 2>/dev/null; then
                        ok=$((ok + 1))
                        absent HOSTSECRET got
                fi
                "$BERTH" cp cc-race:/r/x/. got2 2>/dev/null || true
                absent HOSTSECRET got2
                "$BERTH" cp pwn cc-race:/r/x/ 2>/dev/null || true
                "$BERTH" cp pwn cc-race:/r/x/pwn2 2>/dev/null || true
                sentinel_intact
        done
        echo "copies that found the file: $ok of 60"
}
