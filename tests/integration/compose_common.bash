# Shared set-up for the compose tests: a private BERTH_ROOT and address pool
# with the busybox image, project dirs under $BERTH_ROOT/p, and a teardown
# that takes down every project and removes whatever is left.
load common

# compose_setup_file TAG POOLS: root /tmp/berth-TAG.XXXXXX, BERTH_ADDRESS_POOLS=POOLS
compose_setup_file() {
        # a missing image is pulled: never from the internet in tests
        berth_no_internet
        berth_setup_file "$1" "$2"
}

compose_teardown_file() {
        local d
        for d in "$BERTH_ROOT"/p/*/; do
                [ -f "$d/compose.yaml" ] &&
                        "$BERTH" compose -f "$d/compose.yaml" down -v -t 0 --remove-orphans >/dev/null 2>&1
        done
        berth_clean_root
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
