"""Atomic output: a build killed while writing, or while swapping its outputs in, never leaves a
half-written release; and a fuzzed raw table either builds a valid package or fails located."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import dprk_ru_data
from dprk_ru_data.build import STAGING, recover
from dprk_ru_data.cli import main
from dprk_ru_data.registry import TABLES

from .conftest import ROOT, snapshot
from .test_build import edit_cell

# Runs a build in a child process that SIGKILLs itself at the N-th call of a function, given as
# "os.replace" or "Path.write_bytes".
KILLER = """
import os, pathlib, signal, sys
from pathlib import Path
import dprk_ru_data.build as b
root, target, at = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
owner = {"os": os, "Path": pathlib.Path}[target.split(".")[0]]
name = target.split(".")[1]
real, calls = getattr(owner, name), [0]
def dying(*args, **kwargs):
    calls[0] += 1
    if calls[0] == at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args, **kwargs)
setattr(owner, name, dying)
b.build(root)
"""


def killed_build(root: Path, target: str, at: int) -> None:
    result = subprocess.run([sys.executable, "-c", KILLER, str(root), target, str(at)],
                            capture_output=True, text=True)
    assert result.returncode == -9, result.stderr


@pytest.mark.slow
def test_build_killed_while_writing_leaves_the_previous_outputs(project: Path) -> None:
    before = snapshot(project)
    edit_cell(project, "incidents", 0, "note", "Changed, so that the new outputs differ.")
    killed_build(project, "Path.write_bytes", 3)  # after two of the new tables were written
    assert (project / STAGING).exists()
    assert snapshot(project) == before
    assert dprk_ru_data.load("incidents", root=project, verify=True).height > 0
    result = CliRunner().invoke(main, ["build", str(project)], catch_exceptions=False)
    assert result.exit_code == 0
    assert not (project / STAGING).exists()
    assert snapshot(project) != before


@pytest.mark.slow
def test_build_killed_during_the_swap_is_rolled_back(project: Path) -> None:
    before = snapshot(project)
    edit_cell(project, "incidents", 0, "note", "Changed, so that the new outputs differ.")
    # os.replace runs once for the journal, then twice per output (old out, new in).
    for at in range(2, 8):
        killed_build(project, "os.replace", at)
        assert recover(project) is not None
        assert not (project / STAGING).exists()
        assert snapshot(project) == before, f"killed at os.replace call {at}"
        for name in TABLES:
            dprk_ru_data.load(name, root=project, verify=True)


@pytest.mark.slow
def test_the_next_build_rolls_back_an_interrupted_swap_first(project: Path) -> None:
    edit_cell(project, "incidents", 0, "note", "Changed, so that the new outputs differ.")
    killed_build(project, "os.replace", 4)
    result = CliRunner().invoke(main, ["build", str(project)], catch_exceptions=False)
    assert result.exit_code == 0
    assert "rolled back" in result.stderr
    assert not (project / STAGING).exists()
    for name in TABLES:
        dprk_ru_data.load(name, root=project, verify=True)


RAW_FILES = sorted(p.name for p in (ROOT / "raw").glob("*.csv"))
MUTATIONS = ("delete_line", "duplicate_line", "swap_lines", "corrupt_cell", "delete_cell",
             "insert_bytes", "delete_bytes", "truncate")


def mutate(data: bytes, kind: str, a: int, b: int, junk: bytes) -> bytes:
    """One edit of a CSV file's bytes, driven by two positions and some junk bytes."""
    lines = data.split(b"\n")
    i, j = a % len(lines), b % len(lines)
    if kind == "delete_line":
        del lines[i]
    elif kind == "duplicate_line":
        lines.insert(j, lines[i])
    elif kind == "swap_lines":
        lines[i], lines[j] = lines[j], lines[i]
    elif kind in ("corrupt_cell", "delete_cell"):
        cells = lines[i].split(b",")
        k = b % len(cells)
        if kind == "corrupt_cell":
            cells[k] = junk
        else:
            del cells[k]
        lines[i] = b",".join(cells)
    elif kind == "insert_bytes":
        return data[:a % len(data)] + junk + data[a % len(data):]
    elif kind == "delete_bytes":
        start = a % len(data)
        return data[:start] + data[start + 1 + b % 8:]
    else:
        return data[:a % len(data)]
    return b"\n".join(lines)


@pytest.mark.slow
@settings(max_examples=60)
@given(file=st.sampled_from(RAW_FILES), kind=st.sampled_from(MUTATIONS),
       a=st.integers(0, 10**6), b=st.integers(0, 10**6),
       junk=st.binary(min_size=0, max_size=12) | st.sampled_from(
           [b'"', b'""', b",", b"\r", b"\xff\xfe", b"=1+1", b"te-001", b"2024-02-30", b"-1"]))
def test_fuzzed_raw_tables_build_valid_or_fail_located(file: str, kind: str, a: int, b: int,
                                                        junk: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        shutil.copytree(ROOT / "raw", root / "raw")
        shutil.copytree(ROOT / "build", root / "build")
        for name in ("pyproject.toml", "RELEASES.json", "datapackage.json", "CITATION.cff"):
            shutil.copy2(ROOT / name, root / name)
        before = snapshot(root)
        path = root / "raw" / file
        path.write_bytes(mutate(path.read_bytes(), kind, a, b, junk))
        result = CliRunner().invoke(main, ["build", str(root), "--format", "json",
                                           "--corpus", str(root / "no-corpus")],
                                    catch_exceptions=False)
        assert not (root / STAGING).exists()
        if result.exit_code == 0:
            for name in TABLES:  # a valid package: every table loads and matches its hash
                dprk_ru_data.load(name, root=root, verify=True)
            return
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        problems = json.loads(result.stdout)
        assert problems
        for problem in problems:
            assert problem["file"].startswith("raw/") and problem["message"]
            assert problem["line"] is None or problem["line"] >= 1
        assert snapshot(root) == before
