"""Benchmark: the web view under expensive SQL calls (issue 22: bound every query).

    python benchmarks/site.py            # three rounds
    python benchmarks/site.py --tiny     # one round

Starts `dprk-data serve` on a free port of 127.0.0.1 (its own temporary site, stopped and removed
at the end, whatever happens) and, over HTTP:

1. sends each expensive call (a printf width of 900 million, randomblob and zeroblob of 900 MB, a
   recursive CTE that never ends, a cross join, a row of LIKE calls that never yields to SQLite's
   progress handler) one at a time: the slowest answer. Target: under 2 s.
2. asks for an ordinary page (the claims table) while three calls that run to the time limit are
   running: the slowest of the rounds. Target: under 2 s.
3. the server's peak resident memory over all of it. Target: under 500 MiB.

Timings are printed with their targets and MET / NOT MET; they never go into the tests.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120.0  # seconds: an unbounded call is reported as taking this long
RECURSIVE = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
LIKE_ROW = ("WITH ta(a) AS (SELECT printf('%.*c', 19900, 'a')), "
            "tk(k) AS (SELECT printf('%.*c', 480, 'a') || 'b') SELECT "
            + ", ".join("max(" + ", ".join(["(a LIKE '%' || k)"] * 100) + ")"
                        for _ in range(4)) + " FROM ta, tk")
EXPENSIVE = {
    "printf width": "SELECT printf('%.*c', 900000000, 'x')",
    "randomblob": "SELECT length(randomblob(900000000))",
    "zeroblob": "SELECT zeroblob(900000000)",
    "recursive CTE": RECURSIVE + "SELECT count(*) FROM c",
    "cross join": "SELECT count(*) FROM evidence a, evidence b, evidence c, evidence d",
    "row of LIKE calls": LIKE_ROW,
}
TO_THE_LIMIT = ("recursive CTE", "cross join", "row of LIKE calls")
PAGE = "/dprk_ru_data/claims"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str) -> tuple[float, int]:
    """Seconds to the whole answer, and its HTTP status (0 where there was none in time)."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        status = 0
    return time.perf_counter() - start, status


def _peak_mib(pid: int) -> float:
    """The peak resident memory of `pid` and its children (Linux), in MiB; 0 elsewhere."""
    total = 0.0
    for process in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{process}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    """The child processes of `pid`, from /proc (Linux); none elsewhere."""
    children = []
    for entry in Path("/proc").glob("[0-9]*") if Path("/proc/self").exists() else []:
        try:
            if int((entry / "stat").read_text().rpartition(")")[2].split()[1]) == pid:
                children.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass
    return children


class Server:
    """`dprk-data serve` on a free port, until `stop` (which always ends it)."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dprk_ru_data", "serve", "--port", str(self.port)],
            cwd=ROOT, stdout=self._log, stderr=self._log)

    def wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the site did not start; see {self._log.name}") from None
                time.sleep(0.2)

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.terminate()  # serve passes it on, and removes its site folder
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=20)
        finally:
            self._log.close()


def _sql(server: Server, name: str) -> str:
    return (f"{server.url}/dprk_ru_data.json?sql={urllib.parse.quote(EXPENSIVE[name])}"
            "&_shape=array")


def _page_during_three(server: Server) -> float:
    """Seconds to an ordinary page asked for while three calls run to the time limit."""
    threads = [threading.Thread(target=_fetch, args=(_sql(server, name),))
               for name in TO_THE_LIMIT]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.2)  # the three are running
        seconds, status = _fetch(server.url + PAGE)
    finally:
        for thread in threads:
            thread.join(timeout=TIMEOUT)
    return seconds if status == 200 else TIMEOUT


def measure(tiny: bool = False) -> list[tuple[str, float, float, str]]:
    """Every figure of this benchmark: (name, measured, target it must stay under, unit)."""
    rounds = 1 if tiny else 3
    with tempfile.TemporaryDirectory(prefix="dprk-site-bench-") as scratch:
        server = Server(Path(scratch) / "server.log")
        try:
            server.wait_until_up()
            _fetch(server.url + PAGE)  # warm: the first page opens the connections
            worst, worst_name, pages = 0.0, "", []
            for _ in range(rounds):
                for name in EXPENSIVE:
                    seconds, _ = _fetch(_sql(server, name))
                    if seconds > worst:
                        worst, worst_name = seconds, name
                pages.append(_page_during_three(server))
            children = _children(server.process.pid)
            peak = _peak_mib(children[0]) if children else 0.0
        finally:
            server.stop()
    print(f"(slowest expensive call: {worst_name})")
    return [("one expensive SQL call against the site (s)", worst, 2.0, "s"),
            ("ordinary page while three expensive calls run (s)", max(pages), 2.0, "s"),
            ("server peak memory under expensive calls (MiB)", peak, 500.0, "MiB")]


def main(argv: list[str]) -> int:
    met_all = True
    for name, measured, target, unit in measure("--tiny" in argv):
        met = measured < target
        met_all &= met
        print(f"{name:<55} {measured:8.3f} {unit:<4} target < {target:g}   "
              f"{'MET' if met else 'NOT MET'}")
    print("all targets met" if met_all else "some targets NOT MET")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
