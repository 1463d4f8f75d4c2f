"""How long the test suite takes, as the README runs it and as the inner loop runs it.

    python benchmarks/suite.py                       # both runs, with their targets
    python benchmarks/suite.py --results benchmarks/SUITE.md   # also write them as Markdown

1. The full suite, exactly as the README's second command runs it: ``python -m pytest``
   (every test, the slow ones included). Target: under 90 s on 2 cores.
2. The inner loop: ``python -m pytest -m "not slow"``. Target: under 20 s on 2 cores.

Each run is timed from outside, as wall time of a fresh process, and must pass. Timings are
never asserted in the tests; a test only runs this script on one small test file (`--select`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = (("full suite (python -m pytest)", [], 90.0),
        ("inner loop (python -m pytest -m 'not slow')", ["-m", "not slow"], 20.0))


def timed(arguments: list[str]) -> tuple[float, str]:
    """Wall time of one pytest run in a fresh process, and its summary line; exits on failure."""
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          *arguments], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-500:]
    if run.returncode != 0:
        sys.exit(f"pytest {' '.join(arguments)} failed:\n{run.stdout[-3000:]}{run.stderr[-2000:]}")
    return seconds, summary


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
        seconds, summary = timed([*extra, *args.select])
        ok = seconds < target
        met += ok
        rows.append((label, seconds, target, ok))
        print(f"{label}: {seconds:.1f} s ({summary}) target < {target:.0f} s "
              f"{'met' if ok else 'NOT MET'}")
    if args.results:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        lines = ["# Test suite timings", "", f"Measured by `python benchmarks/suite.py` on {when}, "
                 f"{os.cpu_count()} cores, Python {sys.version.split()[0]}.", "",
                 "| run | wall time | target | met |", "| --- | --- | --- | --- |"]
        lines += [f"| {label} | {seconds:.1f} s | < {target:.0f} s | {'yes' if ok else 'no'} |"
                  for label, seconds, target, ok in rows]
        args.results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"== {met} of {len(RUNS)} targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
