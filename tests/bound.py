"""Run a command for no longer than the process that started this one lives.

    python tests/bound.py PARENT_PID COMMAND [ARGUMENT ...]

`conftest.run_bound` starts this as the leader of a process group of its own, and kills the group
once the command is done. This runs COMMAND in that group and waits for it. Should PARENT_PID stop
being its parent first (killed by a signal no cleanup survives, say), it kills the whole group:
the command and everything it started that stayed in the group (pytest's workers, the builds and
servers its tests start). Exits as the command did. Only the standard library: it also runs in a
copy of the checkout, with nothing installed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

POLL_SECONDS = 0.2  # how often the parent is looked for


def main(argv: list[str]) -> int:
    parent, command = int(argv[0]), argv[1:]
    child = subprocess.Popen(command)
    while True:
        if os.getppid() != parent:  # gone (also before the command started): so is the group
            os.killpg(0, signal.SIGKILL)
        try:
            code = child.wait(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        return code if code >= 0 else 128 - code  # a signal's number, as a shell reports it


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
