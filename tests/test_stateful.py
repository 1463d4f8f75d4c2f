"""Interleaved builds, kills, failures, edits of raw/ and loads: after every step, what `load()`
reads is one whole build (a Hypothesis state machine)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import dprk_ru_data
from dprk_ru_data.build import OUTPUTS
from dprk_ru_data.cli import main
from dprk_ru_data.registry import TABLES

from .conftest import OUTPUT_FILES, ROOT, snapshot
from .test_atomic import STEPPER
from .test_build import edit_cell

pytestmark = pytest.mark.slow


# What a build writes, by a digest of what it reads (see _made).
_MADE: dict[str, tuple[dict[str, bytes], Path]] = {}


def _inputs(project: Path) -> str:
    """A digest of what a build of `project` reads: raw/, pyproject.toml and RELEASES.json."""
    digest = hashlib.sha256()
    for path in [*sorted((project / "raw").iterdir()), project / "pyproject.toml",
                 project / "RELEASES.json"]:
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def _made(project: Path) -> tuple[dict[str, bytes], Path]:
    """What a build of `project` would write: its snapshot, and a folder holding the outputs
    (only read by the callers). A build is a function of what it reads (test_build's two builds
    are byte-identical), so inputs already built in this run are not built again: the steps
    repeat the same few states."""
    key = _inputs(project)
    if key not in _MADE:
        reference = Path(tempfile.mkdtemp()) / "reference"
        shutil.copytree(project, reference, ignore=shutil.ignore_patterns(".build-*", ".dprk-*"))
        assert CliRunner().invoke(main, ["build", str(reference)]).exit_code == 0
        made = reference / "made"
        for name in OUTPUTS:
            (shutil.copytree if (reference / name).is_dir() else shutil.copy2)(
                reference / name, made / name)
        _MADE[key] = snapshot(reference), made
    return _MADE[key]


class Builds(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.project = Path(tempfile.mkdtemp()) / "project"
        for name in ("raw", "build"):
            shutil.copytree(ROOT / name, self.project / name)
        for name in ("pyproject.toml", "RELEASES.json", *OUTPUT_FILES):
            shutil.copy2(ROOT / name, self.project / name)
        self.whole = [snapshot(self.project)]  # every complete build the folder may hold
        self.edits = 0

    @rule(row=st.integers(0, 30))
    def edit_raw(self, row: int) -> None:
        self.edits += 1
        edit_cell(self.project, "incidents", row, "note", f"Edited in step {self.edits}.")

    @rule()
    def build(self) -> None:
        result = CliRunner().invoke(main, ["build", str(self.project)])
        assert result.exit_code == 0, result.output
        self.whole.append(snapshot(self.project))

    @rule(at=st.integers(1, 40))
    def build_killed(self, at: int) -> None:
        new, made = _made(self.project)
        subprocess.run([sys.executable, "-c", STEPPER, str(self.project), str(at),
                        json.dumps(OUTPUTS), str(made)], capture_output=True)
        self.whole.append(new)

    @rule(at=st.integers(1, 40))
    def build_failing(self, at: int) -> None:
        new, _ = _made(self.project)
        calls = [0]
        real = os.replace

        def failing(*args: object) -> None:
            calls[0] += 1
            if calls[0] == at:
                raise OSError(errno.ENOSPC, "No space left on device (injected)")
            real(*args)  # type: ignore[arg-type]

        os.replace = failing  # type: ignore[assignment]
        try:
            result = CliRunner().invoke(main, ["build", str(self.project)])
        finally:
            os.replace = real
        assert result.exit_code in (0, 2) and "Traceback" not in result.output
        self.whole.append(new)

    @invariant()
    def load_reads_one_whole_build(self) -> None:
        for name in TABLES:
            dprk_ru_data.load(name, root=self.project, verify=True)
        assert snapshot(self.project) in self.whole


Builds.TestCase.settings = settings(max_examples=4, stateful_step_count=6, deadline=None)
TestBuilds = Builds.TestCase
