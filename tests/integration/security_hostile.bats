#!/usr/bin/env bats
# Issue 9: a hostile image, a hostile compose file and a hostile container
# must not reach the host.  One section per item of the issue ("# item N"),
# test names start with the item ("item N: ...").  Hostile images are built
# here from the busybox rootfs plus symlinks and --change.
#
# Names: containers/networks/projects start with "sr"; subnets 10.250.0.0/16.
load rt_common

setup_file() {
        rt_setup_file
        export BERTH_ADDRESS_POOLS=10.250.0.0/20:24
        export BB_TAR=$BATS_FILE_TMPDIR/busybox.tar
        "$BERTH_SRC/tests/images/make-busybox.sh" --tar-only "$BB_TAR"
}
teardown_file() { rt_teardown_file; }

# hostile_image NAME SCRIPT [--change ...]: the busybox rootfs, changed by
# SCRIPT (run in the rootfs directory), imported as NAME.
hostile_image() {
        local name=$1 script=$2
        shift 2
        local d
        d=$(mktemp -d "$BATS_FILE_TMPDIR/img.XXXXXX")
        tar -C "$d" -xf "$BB_TAR"
        (cd "$d" && eval "$script")
        tar -C "$d" -cf "$d.tar" .
        "$BERTH" image import --change 'CMD ["sh"]' \
                --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
                "$@" - "$name" <"$d.tar" >/dev/null
        rm -rf "$d" "$d.tar"
}

# item 1

@test "item 1: the issue's exploit (proc -> /dev/x/proc, dev/x -> /opt/realproc) is refused" {
        hostile_image sr-exploit 'rm -rf proc dev; mkdir -p opt/realproc/proc dev;
                ln -s /dev/x/proc proc; ln -s /opt/realproc dev/x'
        dom=$(cat /proc/sys/kernel/domainname)
        run "$BERTH" run --rm --network none sr-exploit sh -c '
                echo pwned >/opt/realproc/proc/sys/kernel/domainname && echo wrote
                cat /opt/realproc/proc/keys >/dev/null 2>&1 && echo keys-readable; true'
        [ "$status" -eq 125 ]
        [[ "$output" == *"/proc in the image is not a directory"* ]]
        [[ "$output" != *wrote* && "$output" != *keys-readable* ]]
        [ "$(cat /proc/sys/kernel/domainname)" = "$dom" ]
}

@test "item 1: a symlinked /proc, /sys or /dev is refused" {
        for t in proc sys dev; do
                hostile_image sr-ln-$t "rm -rf $t; mkdir -p opt/$t; ln -s /opt/$t $t"
                run "$BERTH" run --rm --network none sr-ln-$t true
                [ "$status" -eq 125 ]
                [[ "$output" == *"/$t in the image is not a directory (a symbolic link or a file)"* ]]
        done
        # a plain file there is refused the same way
        hostile_image sr-file-proc 'rm -rf proc; : >proc'
        run "$BERTH" run --rm --network none sr-file-proc true
        [ "$status" -eq 125 ]
        [[ "$output" == *"/proc in the image is not a directory"* ]]
}

@test "item 1: symlinked /dev/pts, /dev/shm, /dev/mqueue in the image do not redirect the mounts" {
        hostile_image sr-ln-devsub 'mkdir -p opt/pts opt/shm opt/mq;
                ln -s /opt/pts dev/pts; ln -s /opt/shm dev/shm; ln -s /opt/mq dev/mqueue'
        run "$BERTH" run --rm --network none sr-ln-devsub sh -c '
                stat -f -c %T /dev/pts /dev/shm; grep -c "^mqueue /dev/mqueue mqueue" /proc/mounts
                ls -A /opt/pts /opt/shm /opt/mq; [ ! -L /dev/pts ] || echo link'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" = "devpts" ]
        [ "${lines[1]}" = "tmpfs" ]
        [ "${lines[2]}" = "1" ]
        [[ "$output" != *link* && "$output" != *ptmx* ]]
}

@test "item 1: /etc/hosts, /etc/resolv.conf, /etc/hostname symlinked into /proc, /sys or /dev are refused" {
        for ft in hosts:/proc/sys/kernel/domainname resolv.conf:/sys/kernel/profiling \
                hostname:/dev/null; do
                f=${ft%%:*} to=${ft#*:}
                hostile_image sr-etc "rm -f etc/$f; ln -s $to etc/$f"
                run "$BERTH" run --rm sr-etc true
                [ "$status" -eq 125 ]
                [[ "$output" == *"/etc/$f in the image is not a regular file of the image"* ]]
        done
        # a symlink that stays in the image's tree is followed (inside the root)
        hostile_image sr-etc 'rm -f etc/resolv.conf etc/hosts; ln -s ../run/resolv.conf etc/resolv.conf
                mkdir -p /tmp/sr-not-here; ln -s /tmp/sr-not-here/hosts etc/hosts'
        run "$BERTH" run --rm sr-etc sh -c 'grep -c nameserver /run/resolv.conf; grep -c localhost /tmp/sr-not-here/hosts'
        [ "$status" -eq 0 ]
        [ "${lines[0]}" -ge 1 ]
        [ "${lines[1]}" -ge 1 ]
        [ ! -e /tmp/sr-not-here/hosts ]
        rmdir /tmp/sr-not-here
}

@test "item 1: a mount target that is a symlink to /proc/self/fd is refused (-v, --tmpfs, --mount, VOLUME)" {
        d=$(mktemp -d "$BATS_FILE_TMPDIR/bind.XXXXXX")
        hostile_image sr-fdlink 'ln -s /proc/self/fd data; ln -s /proc/self/fd/1 out'
        for m in "-v $d:/data" "--tmpfs /data" "--mount type=tmpfs,target=/data" "-v $d:/out/x" \
                "-v $d:/proc" "-v $d:/proc/sys" "--tmpfs /proc/sys/kernel"; do
                run "$BERTH" run --rm --network none $m sr-fdlink true
                [ "$status" -eq 125 ]
                [[ "$output" == *"resolves into /proc"* || "$output" == *"magic"* || "$output" == *"Too many levels of symbolic links"* ]]
        done
        hostile_image sr-fdvol 'ln -s /proc/self/fd data' --change 'VOLUME /data'
        run "$BERTH" run --rm --network none sr-fdvol true
        [ "$status" -eq 125 ]
        [[ "$output" == *"mount target /data resolves into /proc"* ]]
}

@test "item 1: masks hold, and a mount over a masked path fails closed" {
        run "$BERTH" run --rm --network none busybox sh -c 'exec 2>/dev/null
                echo x >/proc/sys/kernel/domainname || echo sys-ro
                [ -e /proc/keys ] && [ -z "$(cat /proc/keys)" ] && echo keys-masked
                [ -e /proc/timer_list ] && [ -z "$(cat /proc/timer_list)" ] && echo timer-masked
                ls /sys/firmware | wc -l'
        [[ "$output" == *sys-ro* ]]
        [ ! -e /proc/keys ] || [[ "$output" == *keys-masked* ]]
        [ ! -e /proc/timer_list ] || [[ "$output" == *timer-masked* ]]
        [ "${lines[-1]}" = "0" ]
        d=$(mktemp -d "$BATS_FILE_TMPDIR/bind.XXXXXX")
        run "$BERTH" run --rm --network none -v "$d:/sys/firmware" busybox true
        [ "$status" -eq 125 ]
        [[ "$output" == *"mask /sys/firmware"*"never starts with it unmasked"* ]]
}
