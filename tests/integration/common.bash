# Helpers shared by the integration tests (`load common`): a private
# BERTH_ROOT, its cleanup, and what a root leaves on the host.

# berth_setup_file TAG POOLS: BERTH_ROOT=/tmp/berth-TAG.XXXXXX (exported),
# BERTH_ADDRESS_POOLS=POOLS, and the busybox image in that root.
berth_setup_file() {
        export BERTH_ROOT=$(mktemp -d "/tmp/berth-$1.XXXXXX")
        export BERTH_ADDRESS_POOLS=$2
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" >/dev/null
}

# berth_no_internet: a pull of an image no test registry serves fails at once
# instead of leaving the host (the loopback registries are exempt).
berth_no_internet() {
        export HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
        export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
}

# berth_clean_root: every container (with its anonymous volumes) and every
# network of $BERTH_ROOT removed, its berth-dns stopped, the root deleted.
berth_clean_root() {
        local ids n
        ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
        [ -z "$ids" ] || "$BERTH" rm -f -v $ids >/dev/null 2>&1 || true
        for n in $("$BERTH" network ls -q 2>/dev/null); do
                "$BERTH" network rm "$n" >/dev/null 2>&1 || true
        done
        # berth-dns of this root (it exits by itself once its networks are gone)
        if [ -s "$BERTH_ROOT/run/dns/pid" ]; then
                kill "$(cat "$BERTH_ROOT/run/dns/pid")" 2>/dev/null || true
        fi
        berth_wait_quiet
        rm -rf "$BERTH_ROOT"
}

# berth_wait_quiet: up to 5 s for this root's monitors and their watchers
# (the watcher runs `berth __monitor-exited` once its monitor is gone) to
# end, so that none of them writes into the root after it is deleted
berth_wait_quiet() {
        for _ in $(seq 50); do
                [ -z "$(ours '^berth')" ] && return 0
                sleep 0.1
        done
        return 0
}

# table: the nft table of this BERTH_ROOT (berth_instance_name: FNV-1a of the root)
table() { echo "berth-$(printf '%s' "$BERTH_ROOT" | python3 -c '
import sys
h = 2166136261
for b in sys.stdin.buffer.read():
    h = ((h ^ b) * 16777619) & 0xffffffff
print("%08x" % h)')"; }

# ours [PATTERN]: pids of this root's processes whose name matches PATTERN
# (pgrep's, default ^berth: monitors, berth-dns and its supervisor)
ours() {
        local p
        for p in $(pgrep "${1:-^berth}"); do
                tr '\0' '\n' </proc/$p/environ 2>/dev/null | grep -qx "BERTH_ROOT=$BERTH_ROOT" && echo "$p"
        done
        return 0
}

# berth_project_gone NAME: no container of compose project NAME, and no
# network named after it
berth_project_gone() {
        run "$BERTH" ps -aq --filter label=com.docker.compose.project="$1"
        [ -z "$output" ]
        run "$BERTH" network ls
        [[ "$output" != *"$1"* ]]
}

# check_gone ID: nothing of container ID is left anywhere (cgroups,
# processes, state directories, network endpoints, DNS records)
check_gone() {
        local id=$1
        [ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "*$id*" 2>/dev/null)" ]
        # a process killed as its monitor died was left to the host's init,
        # which reaps the zombie in its own time: up to 5 s for that
        for _ in $(seq 50); do
                grep -q "$id" /proc/[0-9]*/cgroup 2>/dev/null || pgrep -f "$id" >/dev/null || break
                sleep 0.1
        done
        ! grep -q "$id" /proc/[0-9]*/cgroup 2>/dev/null || false
        ! pgrep -f "$id" >/dev/null || false
        [ ! -e "$BERTH_ROOT/run/containers/$id" ]
        [ ! -e "$BERTH_ROOT/lib/containers/$id" ]
        ! grep -qs "$id" "$BERTH_ROOT"/lib/networks/*.json "$BERTH_ROOT"/run/networks/*.json || false
        ! grep -qs "$id" "$BERTH_ROOT/run/dns/records.json" || false
}

# wait_output WANT CMD...: up to 5 s until CMD prints WANT; 1 if it never does
wait_output() {
        local want=$1 _
        shift
        for _ in $(seq 50); do
                [ "$("$@")" = "$want" ] && return 0
                sleep 0.1
        done
        return 1
}

# lines_are WANT...: the first lines of the last `run`'s output are WANT...,
# in order (the one that differs is printed)
lines_are() {
        local i=0 w
        for w in "$@"; do
                if [ "${lines[$i]-}" != "$w" ]; then
                        echo "line $i: '${lines[$i]-}', want '$w'" >&2
                        return 1
                fi
                i=$((i + 1))
        done
}

# run_fails STATUS TEXT CMD...: run CMD, which exits with STATUS (or with any
# failure when STATUS is 'any') and says TEXT
run_fails() {
        local want=$1 text=$2
        shift 2
        run "$@"
        if [ "$want" = any ]; then
                [ "$status" -ne 0 ]
        else
                [ "$status" -eq "$want" ]
        fi
        [[ "$output" == *"$text"* ]]
}

# rm_dirs DIR...: remove each directory named (empty arguments are skipped)
rm_dirs() {
        local d
        for d in "$@"; do
                [ -z "$d" ] || rm -rf "$d"
        done
        return 0
}

# output_has TEXT...: the last `run`'s output holds each TEXT (the first one
# missing is printed)
output_has() {
        local t
        for t in "$@"; do
                if [[ "$output" != *"$t"* ]]; then
                        echo "output lacks '$t'" >&2
                        return 1
                fi
        done
}
