#!/usr/bin/env bats
# `berth compose config` on every tests/data/invalid/NAME.yaml exits 1 and
# prints exactly NAME.err on stderr (the directory prefix of the file name
# removed: the loader names files by absolute path).

bats_require_minimum_version 1.5.0

setup() {
        export BERTH_ROOT=$(mktemp -d)
        DIR="$BERTH_SRC/tests/data/invalid"
}

teardown() {
        rm -rf "$BERTH_ROOT"
}

@test "every invalid compose file fails with its exact message" {
        cd "$DIR"
        local n=0 bad=0
        for f in *.yaml; do
                name=${f%.yaml}
                n=$((n + 1))
                out=$(env -u BERTH_TEST_UNSET_PASSWORD "$BERTH" compose -f "$f" config 2>&1 >/dev/null) &&
                        rc=0 || rc=$?
                got=${out//"$DIR/"/}
                want=$(cat "$name.err")
                if [ "$rc" -ne 1 ] || [ "$got" != "$want" ]; then
                        echo "$name: rc=$rc"
                        echo "  got:  $got"
                        echo "  want: $want"
                        bad=$((bad + 1))
                fi
        done
        [ "$n" -ge 30 ]
        [ "$bad" -eq 0 ]
}

@test "invalid files print nothing on stdout" {
        cd "$DIR"
        run --separate-stderr "$BERTH" compose -f unknown-service-key.yaml config
        [ "$status" -eq 1 ]
        [ -z "$output" ]
}
