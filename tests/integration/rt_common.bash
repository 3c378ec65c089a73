# Shared set-up for the container runtime tests: a private BERTH_ROOT with
# the busybox image, and a teardown that removes every container left.
load common

# rt_setup_file [POOLS]: BERTH_ADDRESS_POOLS=POOLS (default 10.231.200.0/21:24)
rt_setup_file() {
        # a pull of an image no test registry serves must not leave the host
        berth_no_internet
        export BERTH_ROOT=$(mktemp -d /tmp/berth-rt.XXXXXX)
        # plain `run` creates the default network: keep it in test subnets
        export BERTH_ADDRESS_POOLS=${1:-10.231.200.0/21:24}
        BERTH=$BERTH "$BERTH_SRC/tests/images/make-busybox.sh"
}

# rt_sentinel: SENT (exported), a host directory holding the file secret
# (HOSTSECRET), that no container may read or write into
rt_sentinel() {
        export SENT=$(mktemp -d /tmp/cc-sent.XXXXXX)
        echo HOSTSECRET >"$SENT/secret"
}

# rt_cd_scratch: W, a new directory of this test, as the working directory
rt_cd_scratch() {
        W=$(mktemp -d "$BATS_TEST_TMPDIR/w.XXXXXX")
        cd "$W"
}

# rt_compose_down DIR: take down the compose project DIR/compose.yaml, if any
rt_compose_down() {
        [ ! -f "$1/compose.yaml" ] || "$BERTH" compose -f "$1/compose.yaml" down -t 0 >/dev/null 2>&1 || true
}

# rt_wait_ready NAME: wait (up to 10 s) until container NAME has made /ready
rt_wait_ready() {
        local i
        for i in $(seq 100); do
                "$BERTH" exec "$1" test -e /ready 2>/dev/null && return 0
                sleep 0.1
        done
        return 1
}

rt_teardown_file() {
        local ids
        ids=$("$BERTH" ps -aq --no-trunc 2>/dev/null) || true
        [ -z "$ids" ] || "$BERTH" rm -f -v $ids >/dev/null 2>&1 || true
        "$BERTH" network prune -f >/dev/null 2>&1 || true
        "$BERTH" network rm bridge >/dev/null 2>&1 || true
        berth_wait_quiet
        rm -rf "$BERTH_ROOT"
}

# Run a command with a pty as its terminal, feed it input, print its output
# and exit with its status.
with_pty() {
        local input=$1
        shift
        python3 - "$input" "$@" <<'PY'
import os, pty, select, sys, time
inp, argv = sys.argv[1].encode(), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out = b""
def pump(t):
    global out
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                return
pump(1.0)
os.write(fd, inp)
pump(3.0)
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(st))
PY
}
