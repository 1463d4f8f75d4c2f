"""The benchmark script runs end to end at a tiny size. Timings are never asserted here: these
machines are noisy, and the targets live in benchmarks/run.py and benchmarks/RESULTS.md."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, run_bound

pytestmark = pytest.mark.slow


def assert_summary_counts_the_targets(lines: list[str]) -> None:
    """The last line, "== N of M targets met[; not met: a; b]", counts the figure lines above it
    that end in "met" or "NOT MET": whichever way the timings went, the counts must agree."""
    summary = re.fullmatch(r"== (\d+) of (\d+) targets met(?:; not met: (.+))?", lines[-1])
    assert summary, lines[-1]
    met, judged = int(summary[1]), int(summary[2])
    verdicts = [m[1] for line in lines[:-1] if (m := re.search(r"\s(met|NOT MET)$", line))]
    assert judged == len(verdicts) > 0, (judged, verdicts)
    assert met == verdicts.count("met") <= judged
    missed = summary[3].split("; ") if summary[3] else []
    assert len(missed) == judged - met, missed
    not_met = [line for line in lines[:-1] if line.endswith(" NOT MET")]
    assert all(any(line.startswith(name) for line in not_met) for name in missed), missed


def test_benchmark_script_runs_at_a_tiny_size(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    run = run_bound([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--tiny",
                     "--results", str(results)], timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    for section in ("cold start", "real build", "scale", "anchor", "normalisers", "site"):
        assert f"== {section}" in run.stdout
    for figure in ("cold start, polars", "cold start, pandas", "time growth",
                   "peak memory at 2,000 rows", "frictionless / ours", "distinct figure phrases",
                   "distinct date phrases", "finders over", "adversarial input",
                   "one expensive SQL call", "ordinary page while three expensive calls run",
                   "server peak memory"):
        assert figure in run.stdout, figure
    assert_summary_counts_the_targets(run.stdout.splitlines())
    table = results.read_text(encoding="utf-8")
    assert "| cold start, polars: load() / bare read |" in table
    assert "cores" in table and "GiB memory" in table


def test_reader_comparison_runs_on_the_dev_sets() -> None:
    """benchmarks/normalisers.py measures every reader on the dev sets and prints the targets."""
    run = run_bound([sys.executable, str(ROOT / "benchmarks" / "normalisers.py"),
                     "--sample", "80"], timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    for reader in ("ours", "quantulum3", "number-parser", "dateparser.parse",
                   "dateparser.search_dates"):
        assert reader in run.stdout, reader
    assert "figures (ours): read" in run.stdout and "dates (ours): read" in run.stdout


def test_suite_timing_script_runs_on_a_small_selection(tmp_path: Path) -> None:
    """benchmarks/suite.py times both pytest runs and prints each against its target."""
    results = tmp_path / "suite.md"
    run = run_bound([sys.executable, str(ROOT / "benchmarks" / "suite.py"), "--select",
                     "tests/test_docs.py", "--results", str(results)], timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert lines[1].startswith("full suite (python -m pytest): ")
    assert lines[2].startswith("inner loop (python -m pytest -m 'not slow'): ")
    assert_summary_counts_the_targets(lines)
    assert results.read_text(encoding="utf-8").count("| < ") == 2
