"""Shared fixtures: the repository root, a scratch copy of the project, and the corpus."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def corpus_path() -> Path | None:
    """The corpus folder ($DPRK_CORPUS, else ../shared/sources), or None where it is absent."""
    candidates = [os.environ.get("DPRK_CORPUS"), ROOT.parent / "shared" / "sources"]
    for candidate in candidates:
        if candidate and Path(candidate, "MANIFEST.csv").is_file():
            return Path(candidate)
    return None


@pytest.fixture
def corpus() -> Path:
    path = corpus_path()
    if path is None:
        pytest.skip("corpus texts not found: set DPRK_CORPUS or place them in ../shared/sources")
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch copy of the project's inputs and committed outputs."""
    for name in ("raw", "build", "releases"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("pyproject.toml", *OUTPUT_FILES, "RELEASES.json", "CHANGELOG.md"):
        shutil.copy2(ROOT / name, tmp_path / name)
    return tmp_path


def built_package(target: Path) -> Path:
    """A copy of the committed built package (build/, the descriptor, the citations) at
    `target`."""
    shutil.copytree(ROOT / "build", target / "build")
    for name in OUTPUT_FILES:
        shutil.copy2(ROOT / name, target / name)
    return target


def fresh_inputs(target: Path) -> Path:
    """Only what a build reads (raw/, pyproject.toml, RELEASES.json) copied into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "raw", target / "raw")
    for name in ("pyproject.toml", "RELEASES.json"):
        shutil.copy2(ROOT / name, target / name)
    return target


def modules_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of `modules` a fresh interpreter has imported after running `code`."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return eval(out.stdout.strip())  # noqa: S307 - our own probe prints a list literal


BOUND = Path(__file__).resolve().parent / "bound.py"


def run_bound(command: list[str], timeout: float, **options: object
              ) -> subprocess.CompletedProcess[str]:
    """`subprocess.run(command, capture_output=True, text=True, timeout=timeout)`, with every
    process the command starts stopped when it ends, and when this process ends, even killed:
    the command runs under `bound.py` in a process group of its own, which is killed whole
    afterwards (a timeout kills it too, and raises `subprocess.TimeoutExpired` as `run` does:
    naming `command`, with what it had written so far).
    Its output goes to files, not pipes: a process it left behind holding them cannot keep this
    waiting. For the runs that start processes of their own: pytest in a copy, the benchmark
    scripts."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen([sys.executable, str(BOUND), str(os.getpid()), *command],
                                   start_new_session=True, stdout=out, stderr=err,
                                   **options)  # type: ignore[call-overload]
        timed_out = False
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        texts = []
        for file in (out, err):  # read as `run(text=True)` reads: line ends made "\n"
            file.seek(0)
            texts.append(io.TextIOWrapper(file, encoding="utf-8", errors="replace").read())
        if timed_out:  # (raised here, not from `wait`, which names bound.py's command line)
            raise subprocess.TimeoutExpired(command, timeout, output=texts[0], stderr=texts[1])
        return subprocess.CompletedProcess(command, process.returncode, *texts)


def alive(pid: int) -> bool:
    """Whether the process `pid` is running (neither gone nor a zombie), read from /proc."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pids: set[int], seconds: float) -> set[int]:
    """Those of `pids` still running after up to `seconds`."""
    deadline = time.monotonic() + seconds
    while (left := {pid for pid in pids if alive(pid)}) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


OUTPUT_FILES = ("datapackage.json", "CITATION.cff", ".zenodo.json")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every output file of a build, by relative path."""
    files = {name: (root / name).read_bytes() for name in OUTPUT_FILES}
    files.update({f"build/{p.name}": p.read_bytes() for p in sorted((root / "build").iterdir())})
    return files


# Hypothesis runs derandomised (the same examples every run) and without per-example deadlines,
# which are timing assertions on noisy machines. The full suite (the README's command, and CI)
# runs every property on all its examples; the inner loop (a run that leaves the slow tests out)
# on a fifth of them, the same first fifth every time; the suite that the curation flow runs in a
# copy with one more article (`test_curation_flow`, which asks for it by name) on a fortieth: it
# asks whether any test is bound to the data as it was, which the properties' own examples do
# not change. A property that asks for more or fewer examples than the default says so with
# `examples(n)`, which scales with the profile.
from hypothesis import settings  # noqa: E402

FULL_EXAMPLES = 200
settings.register_profile("project", derandomize=True, deadline=None,
                          max_examples=FULL_EXAMPLES)
settings.register_profile("inner-loop", parent=settings.get_profile("project"),
                          max_examples=FULL_EXAMPLES // 5)
settings.register_profile("curation", parent=settings.get_profile("project"),
                          max_examples=FULL_EXAMPLES // 40)
settings.load_profile("project")


def pytest_configure(config: pytest.Config) -> None:
    """The inner loop's profile where the run leaves the slow tests out and no profile is
    named (`--hypothesis-profile` names one)."""
    if config.getoption("hypothesis_profile", None) is None and \
            "not slow" in (config.getoption("markexpr") or ""):
        settings.load_profile("inner-loop")


def examples(full: int) -> int:
    """`full` examples in the full suite, as many fewer in the loaded profile as its default
    is fewer (never below four, or the profile's default where that is fewer)."""
    default = settings().max_examples
    return max(min(4, default), full * default // FULL_EXAMPLES)
