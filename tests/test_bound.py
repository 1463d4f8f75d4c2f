"""`conftest.run_bound`: what a test starts through it does not outlive the test's process, even
where that process is killed and no cleanup of its own runs."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, run_bound, wait_gone

pytestmark = [pytest.mark.slow,  # it starts and kills processes
              pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                 reason="tells running processes from /proc")]

# A command that starts a process of its own (as pytest starts its workers), writes both pids to
# the file it is given, and waits.
FAMILY = """
import os, subprocess, sys, time
from pathlib import Path
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
Path(sys.argv[1]).write_text(f"{child.pid} {os.getpid()}")
time.sleep(120)
"""
# The test's stand-in: runs FAMILY bound to itself, or as plain `subprocess.run` does.
PARENT = """
import subprocess, sys
sys.path.insert(0, sys.argv[1])
from tests.conftest import run_bound
command = [sys.executable, "-c", sys.argv[3], sys.argv[4]]
if sys.argv[2] == "bound":
    run_bound(command, timeout=120)
else:
    subprocess.run(command, timeout=120)
"""


def _family(tmp_path: Path, how: str) -> tuple[subprocess.Popen[bytes], set[int]]:
    """The stand-in started, and the pids of the command it ran and of that command's child."""
    pids = tmp_path / "pids"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(ROOT), how, FAMILY, str(pids)])
    deadline = time.monotonic() + 60
    while not (pids.exists() and len(pids.read_text().split()) == 2):
        assert parent.poll() is None and time.monotonic() < deadline, "the command did not start"
        time.sleep(0.05)
    return parent, {int(pid) for pid in pids.read_text().split()}


@pytest.mark.parametrize("how", ["bound", "plain"])
def test_a_killed_parent_takes_what_it_ran_with_it(tmp_path: Path, how: str) -> None:
    parent, family = _family(tmp_path, how)
    try:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        left = wait_gone(family, 10 if how == "bound" else 1)
        # Bound, the command and its child are gone; run plainly, they are left running (what
        # the bound run is for, and what shows this test can tell the two apart).
        assert left == (set() if how == "bound" else family)
    finally:
        for pid in family:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


TALKER = "import sys; print('out'); print('a\\r\\nb\\rc', file=sys.stderr); sys.exit(3)"


def test_a_bound_run_gives_what_run_gives() -> None:
    command = [sys.executable, "-c", TALKER]
    bound = run_bound(command, timeout=60)
    plain = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert (bound.returncode, bound.stdout, bound.stderr) == \
        (plain.returncode, plain.stdout, plain.stderr) == (3, "out\n", "a\nb\nc\n")


def test_a_bound_run_leaves_nothing_when_done_or_out_of_time(tmp_path: Path) -> None:
    # The command exits at once, its child still running and holding its output: the run
    # returns all the same, and the child is killed with the group.
    leaver = FAMILY.replace("time.sleep(120)\n", "", 1).rstrip() + "\nprint('done')\n"
    done = run_bound([sys.executable, "-c", leaver, str(tmp_path / "quick")], timeout=60)
    assert (done.returncode, done.stdout) == (0, "done\n")
    assert not wait_gone({int(pid) for pid in (tmp_path / "quick").read_text().split()}, 10)
    waiter = FAMILY.replace("time.sleep(120)\n",
                            "print('waiting', flush=True)\ntime.sleep(120)\n", 1)
    slow = [sys.executable, "-c", waiter, str(tmp_path / "slow")]
    with pytest.raises(subprocess.TimeoutExpired) as timeout:
        run_bound(slow, timeout=5)
    # As `run` raises it: the command, the bound and what it had written.
    assert (timeout.value.cmd, timeout.value.timeout, timeout.value.output) == \
        (slow, 5, "waiting\n")
    assert not wait_gone({int(pid) for pid in (tmp_path / "slow").read_text().split()}, 10)
