#!/bin/sh
# cmd-xcalls.sh [BUILD_DIR] - a command file is not a library.
#
# Every src/cmd_*.c file is one command: the only globals of its object
# that another object of berth may use are its entry points, cmd_* (and
# compose_cmd_* for `berth compose SUB`), no other function or variable.
# Anything else that two commands share lives in engine/ (logic) or in a
# shared src/ module
# (argv parsing, output: cli.c, table.c, prune_cli.c, ...).  This lists, from
# the objects' symbol tables (nm), each other global defined in a command's
# object and referenced from another object, and fails when there is one.
# Only objects of sources that exist are read (the build dir may hold stale
# ones of files that moved away).
set -eu
B=${1:-build/gcc}
NM=${NM:-nm}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
: >"$tmp/undef"
for src in src/*.c; do
        o="$B/src/$(basename "$src" .c).o"
        [ -f "$o" ] || { echo "cmd-xcalls: $o is missing (build first)" >&2; exit 2; }
        "$NM" -u "$o" | awk -v f="$src" '{ print $NF, f }' >>"$tmp/undef"
done
bad=0
for src in src/cmd_*.c; do
        o="$B/src/$(basename "$src" .c).o"
        for sym in $("$NM" -g --defined-only "$o" | awk '$2 ~ /^[TDBRCW]$/ { print $3 }' |
                grep -Ev '^(cmd_|compose_cmd_)' || true); do
                users=$(awk -v s="$sym" -v f="$src" '$1 == s && $2 != f { print $2 }' "$tmp/undef" |
                        tr '\n' ' ')
                if [ -n "$users" ]; then
                        echo "layering: $src defines $sym(), used by ${users% } (a command file" \
                             "is not a library: move it to engine/ or a shared src/ module)"
                        bad=1
                fi
        done
done
exit $bad
