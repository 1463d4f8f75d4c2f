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
from dprk_ru_data.build import OUTPUTS
from dprk_ru_data.outputs import STAGING
from dprk_ru_data.cli import main
from dprk_ru_data.registry import TABLES

from .conftest import OUTPUT_FILES, ROOT, examples, snapshot
from .test_build import edit_cell

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
@settings(max_examples=examples(60))
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
        for name in ("pyproject.toml", "RELEASES.json", *OUTPUT_FILES):
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


# The write phase of a build in a child process, given the outputs to write: it takes the lock,
# recovers, and writes all or nothing as `build` does, killing itself (SIGKILL: nothing runs
# after) at the N-th file operation.
STEPPER = """
import json, os, pathlib, shutil, signal, sys
from pathlib import Path
from dprk_ru_data import outputs
root, at, names = Path(sys.argv[1]), int(sys.argv[2]), tuple(json.loads(sys.argv[3]))
files = {str(p.relative_to(Path(sys.argv[4]))): p.read_bytes()
         for p in Path(sys.argv[4]).rglob("*") if p.is_file()}
calls = [0]
def wrap(owner, name):
    real = getattr(owner, name)
    def step(*args, **kwargs):
        calls[0] += 1
        if calls[0] == at:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    setattr(owner, name, step)
for owner, name in FILE_OPERATIONS:
    wrap(owner, name)
with outputs.locked(root):
    outputs.recover(root)
    outputs.write_all(root, files, names)
""".replace("FILE_OPERATIONS", "((os, 'replace'), (shutil, 'rmtree'), (pathlib.Path, "
            "'write_bytes'), (pathlib.Path, 'write_text'), (pathlib.Path, 'mkdir'), "
            "(pathlib.Path, 'unlink'))")


def _new_build(project: Path) -> tuple[dict[str, bytes], Path]:
    """The snapshot and the output folder of the build `project` would make after an edit."""
    edit_cell(project, "incidents", 0, "note", "Changed, so that the new outputs differ.")
    reference = project.parent / f"{project.name}-reference"
    shutil.copytree(project, reference)
    CliRunner().invoke(main, ["build", str(reference)], catch_exceptions=False)
    made = reference / "made"
    for name in OUTPUTS:
        (shutil.copytree if (reference / name).is_dir() else shutil.copy2)(
            reference / name, made / name)
    return snapshot(reference), made


def _whole(project: Path, old: dict[str, bytes], new: dict[str, bytes], where: str) -> None:
    """The next reader finishes or undoes an interrupted swap, and sees one whole build."""
    for name in TABLES:
        dprk_ru_data.load(name, root=project, verify=True)
    assert not (project / STAGING).exists()
    assert snapshot(project) in (old, new), where
    check = CliRunner().invoke(main, ["check-build", "--root", str(project)])
    assert check.exit_code == 0, check.output


@pytest.mark.slow
def test_a_build_killed_at_any_file_operation_leaves_one_whole_build(project: Path) -> None:
    """Killed before each file operation of writing a build in turn, the next command that reads
    the package sees the complete old build or the complete new one."""
    old = snapshot(project)
    new, made = _new_build(project)
    (made / "__").mkdir()  # the parent of the outputs must exist for the first mkdir
    shutil.rmtree(made / "__")
    for at in range(1, 100):
        result = subprocess.run([sys.executable, "-c", STEPPER, str(project), str(at),
                                 json.dumps(OUTPUTS), str(made)], capture_output=True, text=True)
        if result.returncode == 0:  # the write ran past its last file operation
            assert snapshot(project) == new
            break
        assert result.returncode == -9, result.stderr[-2000:]
        _whole(project, old, new, f"killed at file operation {at}")
    else:
        raise AssertionError("the write never completed")


@pytest.mark.slow
def test_a_build_failing_at_any_file_operation_leaves_the_old_build(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError (a full disk) at each file operation of a build in turn: one line naming the
    error, exit 2, and the old outputs as they were."""
    import errno
    import os
    import pathlib

    old = snapshot(project)
    new, _ = _new_build(project)
    operations = [(os, "replace"), (shutil, "rmtree"), (pathlib.Path, "write_bytes"),
                  (pathlib.Path, "write_text"), (pathlib.Path, "mkdir")]
    for at in range(1, 100):
        calls = [0]
        with monkeypatch.context() as patch:
            for owner, name in operations:
                real = getattr(owner, name)

                def step(*args, real=real, **kwargs):  # type: ignore[no-untyped-def]
                    calls[0] += 1
                    if calls[0] == at:
                        raise OSError(errno.ENOSPC, "No space left on device (injected)")
                    return real(*args, **kwargs)

                patch.setattr(owner, name, step)
            result = CliRunner().invoke(main, ["build", str(project)])
        if result.exit_code == 0:
            assert snapshot(project) == new
            break
        assert result.exit_code == 2, result.output
        assert "No space left on device" in result.stderr and "Traceback" not in result.output
        assert snapshot(project) == old, f"failed at file operation {at}"
        _whole(project, old, new, f"failed at file operation {at}")
    else:
        raise AssertionError("the build never completed")
