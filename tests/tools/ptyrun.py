#!/usr/bin/env python3
"""ptyrun.py LOG COMMAND [ARG...]: run COMMAND on a new pseudo-terminal, as a
person's terminal would, and copy everything it writes there to LOG (raw,
colour codes and all, flushed as it comes).

SIGINT or SIGTERM to this helper types Ctrl-C into the terminal: the
terminal's line discipline then sends SIGINT to the command's foreground
process group, exactly as pressing Ctrl-C does.  A second signal types it
again.  The helper exits with the command's exit status (128+N when a signal
N ended it) once the command has exited and its output is drained.
"""
import os
import pty
import select
import signal
import sys


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: ptyrun.py LOG COMMAND [ARG...]\n")
        return 2
    log, argv = sys.argv[1], sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        # as a login shell would start it: a background start (`&` in a
        # script) left SIGINT and SIGQUIT ignored
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGQUIT, signal.SIG_DFL)
        try:
            os.execvp(argv[0], argv)
        except OSError as e:
            os.write(2, ("ptyrun: %s: %s\n" % (argv[0], e.strerror)).encode())
        os._exit(127)
    ctrl_c = [0]

    def on_signal(_sig, _frame):
        ctrl_c[0] += 1

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    typed = 0
    status = None
    with open(log, "ab", buffering=0) as out:
        while True:
            while typed < ctrl_c[0]:
                os.write(fd, b"\x03")
                typed += 1
            try:
                r, _, _ = select.select([fd], [], [], 0.1)
            except InterruptedError:
                continue
            if r:
                try:
                    data = os.read(fd, 65536)
                except OSError:  # EIO: every holder of the terminal closed it
                    data = b""
                if data:
                    out.write(data)
                    continue
                if status is None:
                    _, status = os.waitpid(pid, 0)
                break
            if status is not None:
                break  # exited, and nothing more came within 0.1 s
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st  # read on until the terminal is drained
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
