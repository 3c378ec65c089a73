#!/usr/bin/env bats
# Supervision without a daemon (issue 13): berth-dns killed by any signal it
# cannot handle is back within a second, with no berth command run, and
# containers keep resolving names.  Networks lsv*, subnets 10.246.0.0/16.
bats_require_minimum_version 1.5.0
load common

setup_file() {
        berth_setup_file supervise 10.246.200.0/24:24
        "$BERTH" network create --subnet 10.246.10.0/24 lsvnet >/dev/null
        "$BERTH" run -d --name lsv-target --network lsvnet busybox sleep 300 >/dev/null
        "$BERTH" run -d --name lsv-asker --network lsvnet busybox sleep 300 >/dev/null
}

teardown_file() {
        "$BERTH" rm -f lsv-target lsv-asker >/dev/null 2>&1 || true
        "$BERTH" rm -f lsv-mon lsv-monr lsv-none lsv-hand lsv-quiet >/dev/null 2>&1 || true
        "$BERTH" network rm lsvnet >/dev/null 2>&1 || true
        # the server exits with the last network, and its supervisor with it
        for _ in $(seq 50); do ours_running || break; sleep 0.1; done
        for p in $(dns_ours); do kill -9 "$p" 2>/dev/null || true; done
        rm -rf "$BERTH_ROOT"
}

# pids of this root's berth-dns processes (server and supervisor)
dns_ours() { ours '^berth-dns'; }
ours_running() { [ -n "$(dns_ours)" ]; }

server_pid() { cat "$BERTH_ROOT/run/dns/pid" 2>/dev/null; }

# wait up to 1 s for a live server whose pid differs from $1
new_server_within_1s() {
        local old=$1 p
        for _ in $(seq 20); do
                p=$(server_pid)
                if [ -n "$p" ] && [ "$p" != "$old" ] && kill -0 "$p" 2>/dev/null &&
                        [ "$(cat /proc/$p/comm)" = berth-dns ]; then
                        echo "$p"
                        return 0
                fi
                sleep 0.05
        done
        return 1
}

resolves() { "$BERTH" exec lsv-asker nslookup lsv-target >/dev/null 2>&1; }

@test "one server and one supervisor per root; names resolve" {
        resolves
        pid=$(server_pid)
        [ "$(cat /proc/$pid/comm)" = berth-dns ]
        sup=$(ps -o ppid= -p "$pid" | tr -d ' ')
        [ "$(cat /proc/$sup/comm)" = berth-dns-sup ]
        [ "$(dns_ours | wc -l)" -eq 2 ]
}

@test "berth-dns killed with SIGKILL is back within a second, with no berth command" {
        old=$(server_pid)
        kill -9 "$old"
        new=$(new_server_within_1s "$old")
        [ -n "$new" ]
        resolves
        grep -q "died of signal 9; restarting" "$BERTH_ROOT/run/dns/log"
}

@test "berth-dns crashing (SIGSEGV, SIGABRT) is restarted the same way" {
        for sig in SEGV ABRT; do
                old=$(server_pid)
                kill -s "$sig" "$old"
                new=$(new_server_within_1s "$old")
                [ -n "$new" ]
                resolves
        done
}

@test "SIGTERM to the supervisor stops both; the next berth command starts them again" {
        pid=$(server_pid)
        sup=$(ps -o ppid= -p "$pid" | tr -d ' ')
        kill -TERM "$sup"
        for _ in $(seq 50); do ours_running || break; sleep 0.05; done
        ! ours_running || false
        # a container start commits its name and brings berth-dns back
        "$BERTH" run -d --name lsv-third --network lsvnet busybox sleep 300 >/dev/null
        [ -n "$(server_pid)" ]
        resolves
        "$BERTH" rm -f lsv-third >/dev/null
}

# --- a crashed monitor: the container is supervised again or recorded as
# exited, never a ghost ---------------------------------------------------------

ctr_id() { "$BERTH" inspect "$1" | jq -r '.[0].Id'; }
mon_pid() { jq -r .MonitorPid "$BERTH_ROOT/run/containers/$1/monitor.json" 2>/dev/null || true; }
# the state file itself, read without a berth command (which would reconcile)
stored_status() { jq -r .State.Status "$BERTH_ROOT/lib/containers/$1/config.json" 2>/dev/null || true; }
# does lsv-asker's netns get an answer for name $1 from berth-dns (no berth command)?
ns_resolves() {
        nsenter --net="/proc/$ASKER/ns/net" timeout 3 busybox nslookup "$1" 10.246.10.1 >/dev/null 2>&1
}

@test "a monitor killed with SIGKILL: its container is recorded as exited and leaves berth-dns, with no berth command" {
        ASKER=$("$BERTH" inspect lsv-asker | jq -r '.[0].State.Pid')
        "$BERTH" run -d --name lsv-mon --network lsvnet busybox sleep 300 >/dev/null
        id=$(ctr_id lsv-mon)
        ns_resolves lsv-mon
        mon=$(mon_pid "$id")
        [ -n "$mon" ] && kill -0 "$mon"
        kill -9 "$mon"
        for _ in $(seq 60); do [ "$(stored_status "$id")" = exited ] && break; sleep 0.05; done
        [ "$(stored_status "$id")" = exited ]
        jq -r .State.Error "$BERTH_ROOT/lib/containers/$id/config.json" | grep -q "monitor exited unexpectedly"
        ! ns_resolves lsv-mon || false
        # and ps agrees
        run "$BERTH" ps -a --filter name=lsv-mon --format json
        [ "$(echo "$output" | jq -r 'select(.Names == "lsv-mon") | .State')" = exited ]
        "$BERTH" rm -f lsv-mon >/dev/null
}

@test "a monitor killed with SIGKILL: a restart-policy container runs again under a new monitor" {
        ASKER=$("$BERTH" inspect lsv-asker | jq -r '.[0].State.Pid')
        "$BERTH" run -d --name lsv-monr --restart always --network lsvnet busybox sleep 300 >/dev/null
        id=$(ctr_id lsv-monr)
        mon=$(mon_pid "$id")
        kill -9 "$mon"
        new=
        for _ in $(seq 60); do
                new=$(mon_pid "$id")
                [ -n "$new" ] && [ "$new" != "$mon" ] && kill -0 "$new" 2>/dev/null &&
                        [ "$(stored_status "$id")" = running ] && break
                new=
                sleep 0.05
        done
        [ -n "$new" ]
        ns_resolves lsv-monr
        [ "$("$BERTH" inspect lsv-monr | jq -r '.[0].State.Status')" = running ]
        "$BERTH" exec lsv-monr true
        "$BERTH" rm -f lsv-monr >/dev/null
}

# a berth CLI that logs how it was called (the watcher runs $BERTH_CLI)
logging_cli() {
        printf '#!/bin/sh\necho "$*" >>%s\nexec %s "$@"\n' "$BATS_TEST_TMPDIR/cli.log" "$BERTH" \
                >"$BATS_TEST_TMPDIR/cli"
        chmod +x "$BATS_TEST_TMPDIR/cli"
        : >"$BATS_TEST_TMPDIR/cli.log"
}
# wait up to 5 s until no process names container $1 (its monitor, watcher
# and the CLI the watcher may run)
procs_gone() {
        for _ in $(seq 100); do pgrep -f "$1" >/dev/null || return 0; sleep 0.05; done
        return 1
}

@test "--network none: a monitor that recorded the end leaves its watcher nothing to run; a killed one still gets the CLI" {
        logging_cli
        BERTH_CLI=$BATS_TEST_TMPDIR/cli "$BERTH" run --name lsv-none --network none busybox true
        id=$(ctr_id lsv-none)
        procs_gone "$id"
        [ "$(stored_status "$id")" = exited ]
        run cat "$BATS_TEST_TMPDIR/cli.log"
        [ -z "$output" ] # the watcher ended without the CLI
        "$BERTH" rm lsv-none >/dev/null
        # killed, the monitor leaves no word: the watcher runs the CLI, which
        # records the end
        BERTH_CLI=$BATS_TEST_TMPDIR/cli "$BERTH" run -d --name lsv-none --network none busybox sleep 300 >/dev/null
        id=$(ctr_id lsv-none)
        mon=$(mon_pid "$id")
        [ -n "$mon" ] && kill -9 "$mon"
        procs_gone "$id"
        grep -q "^__monitor-exited $id " "$BATS_TEST_TMPDIR/cli.log"
        [ "$(stored_status "$id")" = exited ]
        jq -r .State.Error "$BERTH_ROOT/lib/containers/$id/config.json" | grep -q "monitor exited unexpectedly"
        "$BERTH" rm -f lsv-none >/dev/null
}

# pids of the watchers (comm berth-watch: forks of the monitor, whose argv
# names the container) of container $1
watchers_of() {
        for p in $(pgrep -x berth-watch); do
                cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ' | grep -q " $1 " && echo "$p"
        done
        return 0
}

@test "once the container runs one watcher is left (the first hands over, without the CLI); a killed monitor gets the CLI once" {
        logging_cli
        BERTH_CLI=$BATS_TEST_TMPDIR/cli "$BERTH" run -d --name lsv-hand --network none busybox sleep 300 >/dev/null
        id=$(ctr_id lsv-hand)
        for _ in $(seq 100); do [ "$(watchers_of "$id" | wc -l)" -eq 1 ] && break; sleep 0.05; done
        [ "$(watchers_of "$id" | wc -l)" -eq 1 ]
        # not the monitor's child, and none of its blocked signals (for
        # itself and the CLI it runs)
        w=$(watchers_of "$id")
        mon=$(mon_pid "$id")
        [ "$(awk '/^PPid:/ {print $2}' "/proc/$w/status")" != "$mon" ]
        [ "$(awk '/^SigBlk:/ {print $2}' "/proc/$w/status")" = 0000000000000000 ]
        run cat "$BATS_TEST_TMPDIR/cli.log"
        [ -z "$output" ] # the first watcher ended without the CLI
        [ -n "$mon" ] && kill -9 "$mon"
        procs_gone "$id"
        [ "$(grep -c "^__monitor-exited $id " "$BATS_TEST_TMPDIR/cli.log")" -eq 1 ]
        [ "$(stored_status "$id")" = exited ]
        "$BERTH" rm -f lsv-hand >/dev/null
}

# kB of libc's text mapped by process $1 (Rss of its executable mapping)
libc_text_kb() {
        awk '/^[0-9a-f]+-[0-9a-f]+ / {x = ($2 == "r-xp" && $6 ~ /\/libc\.so/); next}
             x && /^Rss:/ {print $2; exit}' "/proc/$1/smaps"
}

@test "a quiet monitor and its watcher map one 64 kB window of libc's text; the monitor's stdin stays open" {
        "$BERTH" run -d --name lsv-quiet --network none busybox sleep 300 >/dev/null
        id=$(ctr_id lsv-quiet)
        mon=$(mon_pid "$id")
        # once both wait, nothing of libc runs but syscall() (their waits)
        # and madvise: one fault-around window, two if a window's edge falls
        # between them (704-768 kB for the monitor, 320 kB for its watcher,
        # before session 8: what ran after the start's pages were dropped
        # mapped them back, docs/PERFORMANCE.md)
        for _ in $(seq 100); do
                w=$(watchers_of "$id")
                if [ "$(echo "$w" | wc -w)" -eq 1 ] && [ "$(libc_text_kb "$mon")" -le 128 ] &&
                        [ "$(libc_text_kb "$w")" -le 128 ]; then
                        break
                fi
                sleep 0.05
        done
        echo "monitor $(libc_text_kb "$mon") kB, watcher $(libc_text_kb "$w") kB"
        [ "$(libc_text_kb "$mon")" -le 128 ]
        [ "$(libc_text_kb "$w")" -le 128 ]
        # the loop never takes fd 0 (/dev/null) for a probe's output
        [ "$(readlink "/proc/$mon/fd/0")" = /dev/null ]
        "$BERTH" rm -f lsv-quiet >/dev/null
}

@test "with the last network gone, server and supervisor both exit" {
        "$BERTH" rm -f lsv-target lsv-asker >/dev/null
        "$BERTH" rm -f lsv-mon lsv-monr >/dev/null 2>&1 || true # left by a failed test
        "$BERTH" network rm lsvnet >/dev/null
        for _ in $(seq 50); do ours_running || break; sleep 0.1; done
        ! ours_running || false
}
