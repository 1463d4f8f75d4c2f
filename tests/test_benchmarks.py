"""The benchmark script runs end to end at a tiny size. Timings are never asserted here: these
machines are noisy, and the targets live in benchmarks/run.py and benchmarks/RESULTS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def test_benchmark_script_runs_at_a_tiny_size(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--tiny",
                          "--results", str(results)], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    for section in ("cold start", "real build", "scale", "anchor", "normalisers"):
        assert f"== {section}" in run.stdout
    for figure in ("cold start, polars", "cold start, pandas", "time growth",
                   "peak memory at 2,000 rows", "frictionless / ours", "distinct figure phrases",
                   "distinct date phrases", "finders over", "adversarial input"):
        assert figure in run.stdout, figure
    assert "targets met" in run.stdout.splitlines()[-1]
    table = results.read_text(encoding="utf-8")
    assert "| cold start, polars: load() / bare read |" in table
    assert "cores" in table and "GiB memory" in table


def test_reader_comparison_runs_on_the_dev_sets() -> None:
    """benchmarks/normalisers.py measures every reader on the dev sets and prints the targets."""
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "normalisers.py")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    for reader in ("ours", "quantulum3", "number-parser", "dateparser.parse",
                   "dateparser.search_dates"):
        assert reader in run.stdout, reader
    assert "figures (ours): read" in run.stdout and "dates (ours): read" in run.stdout
