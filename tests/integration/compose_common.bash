# Shared set-up for the compose tests: a private BERTH_ROOT and address pool
# with the busybox image, project dirs under $BERTH_ROOT/p, and a teardown
# that takes down every project and removes whatever is left.

# compose_setup_file TAG POOLS: root /tmp/berth-TAG.XXXXXX, BERTH_ADDRESS_POOLS=POOLS
compose_setup_file() {
        export BERTH_ROOT=$(mktemp -d "/tmp/berth-$1.XXXXXX")
        export BERTH_ADDRESS_POOLS=$2
        # a missing image is pulled: never from the internet in tests
        export HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
        export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh" >/dev/null
}

compose_teardown_file() {
        local d ids n
        for d in "$BERTH_ROOT"/p/*/; do
                [ -f "$d/compose.yaml" ] &&
                        "$BERTH" compose -f "$d/compose.yaml" down -v -t 0 --remove-orphans >/dev/null 2>&1
        done
        ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
        [ -z "$ids" ] || "$BERTH" rm -f -v $ids >/dev/null 2>&1 || true
        for n in $("$BERTH" network ls -q 2>/dev/null); do
                "$BERTH" network rm "$n" >/dev/null 2>&1 || true
        done
        # berth-dns of this root (it exits by itself once its networks are gone)
        if [ -s "$BERTH_ROOT/run/dns/pid" ]; then
                kill "$(cat "$BERTH_ROOT/run/dns/pid")" 2>/dev/null || true
        fi
        rm -rf "$BERTH_ROOT"
}

proj() { # proj NAME: a project dir with compose.yaml from stdin
        mkdir -p "$BERTH_ROOT/p/$1"
        cat >"$BERTH_ROOT/p/$1/compose.yaml"
}

bc() { # bc PROJECT ARGS...: berth compose on that project
        local p=$1
        shift
        "$BERTH" compose -f "$BERTH_ROOT/p/$p/compose.yaml" "$@"
}
