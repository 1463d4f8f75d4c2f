"""How long the test suite takes, as the README runs it and as the inner loop runs it.

    python benchmarks/suite.py                       # both runs, with their targets
    python benchmarks/suite.py --results benchmarks/SUITE.md   # also write them as Markdown

1. The full suite, exactly as the README's second command runs it: ``python -m pytest``
   (every test, the slow ones included). Target: under 90 s on 2 cores.
2. The inner loop: ``python -m pytest -m "not slow"``. Target: under 20 s on 2 cores.

Each run is timed from outside, as wall time of a fresh process, and must pass. Beside the wall
time, the CPU time of the run (every process it started and waited for: the workers, the builds
and servers the tests start) and the load average before it: on a shared machine the wall time
moves with what else runs, the CPU time much less. Timings are never asserted in the tests; a
test only runs this script on one small test file (`--select`).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = (("full suite (python -m pytest)", [], 90.0),
        ("inner loop (python -m pytest -m 'not slow')", ["-m", "not slow"], 20.0))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(arguments: list[str]) -> tuple[float, float, str]:
    """Wall time and CPU time of one pytest run in a fresh process, and its summary line; exits
    on failure."""
    cpu, start = _children_cpu(), time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          *arguments], cwd=ROOT, capture_output=True, text=True)
    seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:]
    if run.returncode != 0:
        sys.exit(f"pytest {' '.join(arguments)} failed:\n{run.stdout[-3000:]}{run.stderr[-2000:]}")
    return seconds, cpu, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--select", nargs="*", default=[],
                        help="run only these test paths (a smoke run; the figures are then not "
                             "the suite's)")
    parser.add_argument("--results", type=Path, help="write the figures to this Markdown file")
    args = parser.parse_args(argv)
    rows, met = [], 0
    print(f"== test suite on {os.cpu_count()} cores")
    for label, extra, target in RUNS:
        load = os.getloadavg()[0]
        seconds, cpu, summary = timed([*extra, *args.select])
        ok = seconds < target
        met += ok
        rows.append((label, seconds, cpu, load, target, ok))
        print(f"{label}: {seconds:.1f} s ({summary}; {cpu:.0f} s of CPU; load {load:.1f} before) "
              f"target < {target:.0f} s {'met' if ok else 'NOT MET'}")
    if args.results:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        lines = ["# Test suite timings", "", f"Measured by `python benchmarks/suite.py` on {when}, "
                 f"{os.cpu_count()} cores, Python {sys.version.split()[0]}. CPU time: every "
                 "process the run started and waited for; load: the 1-minute load average "
                 "before the run (above the core count, other work shared the machine).", "",
                 "| run | wall time | CPU time | load | target | met |",
                 "| --- | --- | --- | --- | --- | --- |"]
        lines += [f"| {label} | {seconds:.1f} s | {cpu:.0f} s | {load:.1f} | < {target:.0f} s | "
                  f"{'yes' if ok else 'no'} |" for label, seconds, cpu, load, target, ok in rows]
        args.results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"== {met} of {len(RUNS)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
