#!/usr/bin/env bats
# The CLI killed -9 at any step of `run -d` / `start`: the next ps, start or
# rm -f sees the truth, and rm -f leaves no process, cgroup, file, network
# endpoint or DNS record of the container.  Network rtpk, 10.247.20.0/24.
bats_require_minimum_version 1.5.0
load common

setup_file() {
        berth_setup_file crash 10.247.201.0/24:24
        "$BERTH" network create --subnet 10.247.20.0/24 rtpk >/dev/null
}

teardown_file() {
        berth_clean_root
}

# every container ps -a lists is coherent: created/exited ones have no
# monitor, running ones a live one with their init
check_coherent() {
        local id st pid
        for id in $("$BERTH" ps -aq --no-trunc); do
                st=$("$BERTH" inspect -f '{{.State.Status}}' "$id")
                pid=$("$BERTH" inspect -f '{{.State.Pid}}' "$id")
                case $st in
                running) kill -0 "$pid" ;;
                created | exited)
                        [ "$pid" = 0 ] || return 1
                        [ ! -e "$BERTH_ROOT/run/containers/$id/monitor.json" ] || return 1
                        ;;
                *) echo "unexpected state $st of $id" >&2; return 1 ;;
                esac
        done
}

@test "run -d killed -9 at many points: ps is coherent, start works, rm -f leaves nothing" {
        local i=0 d
        for d in 0.01 0.03 0.05 0.08 0.11 0.15 0.2 0.3 0.5; do
                i=$((i + 1))
                timeout -s KILL $d "$BERTH" run -d --name kr$i --network rtpk busybox sleep 300 >/dev/null 2>&1 || true
        done
        run "$BERTH" ps -a
        [ "$status" -eq 0 ]
        check_coherent
        # a creation killed half way leaves no half container behind
        "$BERTH" create --name kr-after --network rtpk busybox true >/dev/null
        for d in "$BERTH_ROOT"/lib/containers/*/; do
                [ -e "$d/config.json" ]
        done
        [ -z "$(ls -A "$BERTH_ROOT/lib/containers" | grep -v '^names.lock$' | grep -v '^[0-9a-f]\{64\}$')" ]
        # whatever was left created starts now and gets an address
        for id in $("$BERTH" ps -aq --no-trunc --filter status=created); do
                [ "$("$BERTH" inspect -f '{{.Name}}' "$id")" = /kr-after ] && continue
                "$BERTH" start "$id" >/dev/null
                [ "$("$BERTH" inspect -f '{{.State.Status}}' "$id")" = running ]
        done
        ids=$("$BERTH" ps -aq --no-trunc)
        "$BERTH" rm -f $ids >/dev/null
        for id in $ids; do check_gone "$id"; done
        [ -z "$(ls -A "$BERTH_ROOT/lib/containers" | grep -v '^names.lock$')" ]
        [ "$("$BERTH" network inspect rtpk | jq '.[0].Containers | length')" -eq 0 ]
}

@test "start killed -9 at many points: the next start or rm -f cleans up" {
        local i=0 d id
        for d in 0.01 0.03 0.05 0.08 0.12 0.2; do
                i=$((i + 1))
                id=$("$BERTH" create --name ks$i --network rtpk busybox sleep 300)
                timeout -s KILL $d "$BERTH" start ks$i >/dev/null 2>&1 || true
                run "$BERTH" ps -a
                [ "$status" -eq 0 ]
                check_coherent
                # a second start either finds it running or starts it
                "$BERTH" start ks$i >/dev/null
                [ "$("$BERTH" inspect -f '{{.State.Status}}' ks$i)" = running ]
                "$BERTH" exec ks$i true
                "$BERTH" rm -f ks$i >/dev/null
                check_gone "$id"
        done
}

@test "a monitor killed -9: ps shows it exited, rm -f leaves nothing" {
        id=$("$BERTH" run -d --name km --network rtpk busybox sleep 300)
        mon=$(jq -r .MonitorPid "$BERTH_ROOT/run/containers/$id/monitor.json" 2>/dev/null || true)
        [ -n "$mon" ] && [ "$mon" != null ] || mon=$(ps -C berth-monitor -o pid=,args= | awk -v id="$id" 'index($0, id) {print $1; exit}')
        [ -n "$mon" ]
        kill -9 "$mon"
        run "$BERTH" ps -a
        [[ $output == *"Exited (255)"*km* ]]
        check_coherent
        "$BERTH" rm -f km >/dev/null
        check_gone "$id"
}
