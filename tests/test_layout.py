"""The layout follows the pipeline: each stage imports only earlier stages, and each imports on its
own in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

# The stages in pipeline order; a module may import, when it is loaded, only from its own stage
# or an earlier one. Imports inside functions (done when called) are not limited.
STAGES: list[tuple[str, ...]] = [
    ("errors", "digest", "fieldtypes", "vocab", "registry", "paths"),  # what every stage shares
    ("raw",),
    ("normalise",),
    ("derive", "windows"),
    ("validate",),
    ("evidence",),
    ("views",),
    ("build", "outputs"),
    ("datapackage", "citation"),
    ("releases", "diff"),
    ("loaders", "export", "extract", "curate", "codebook", "plot", "readme", "site", "cli",
     "__init__", "__main__"),
]
# The build runs the stages after it too: it assembles the package and reads the version.
ORCHESTRATES = {"build": {"datapackage", "citation", "releases"}}
STAGE = {name: number for number, names in enumerate(STAGES) for name in names}
PACKAGE = ROOT / "dprk_ru_data"


def _stage_of(path_parts: tuple[str, ...]) -> str:
    """The stage name of a module given its parts below the package: ("validate", "links")."""
    return path_parts[0] if path_parts[0] in ("normalise", "validate", "site") else path_parts[-1]


def _load_time_imports(path: Path, package: Path = PACKAGE) -> set[str]:
    """The stages whose modules `path` imports when loaded (not under TYPE_CHECKING)."""
    parts = path.relative_to(package).with_suffix("").parts
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        base = list(parts[:-1])[: len(parts) - node.level] if node.level > 1 else list(parts[:-1])
        target = [*base, *(node.module.split(".") if node.module else [])]
        names = [target] if node.module else [[*target, alias.name] for alias in node.names]
        found |= {_stage_of(tuple(name)) for name in names if name}
    return found


def test_every_module_belongs_to_a_stage() -> None:
    for path in PACKAGE.rglob("*.py"):
        stage = _stage_of(path.relative_to(PACKAGE).with_suffix("").parts)
        assert stage in STAGE, f"{path.relative_to(ROOT)} is in no stage: add it to STAGES"


def test_no_module_imports_a_later_stage_when_loaded() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        stage = _stage_of(path.relative_to(PACKAGE).with_suffix("").parts)
        later = {name for name in _load_time_imports(path) - ORCHESTRATES.get(stage, set())
                 if STAGE[name] > STAGE[stage]}
        assert not later, f"{path.relative_to(ROOT)} ({stage}) imports later stages: {later}"


def test_the_layering_check_sees_an_import_that_runs_back_up(tmp_path: Path) -> None:
    module = PACKAGE / "validate" / "links.py"
    text = module.read_text(encoding="utf-8")
    assert not {"build", "loaders"} & _load_time_imports(module)
    copy = tmp_path / "dprk_ru_data" / "validate" / "links.py"
    copy.parent.mkdir(parents=True)
    copy.write_text("from ..build import build\nfrom .. import loaders\n" + text,
                    encoding="utf-8")
    assert {"build", "loaders"} <= _load_time_imports(copy, tmp_path / "dprk_ru_data")


@pytest.mark.slow
def test_each_stage_imports_on_its_own() -> None:
    """Each stage's module imports in a fresh interpreter of its own (all started at once)."""
    modules = ["registry", "raw", "normalise", "derive", "windows", "validate", "evidence",
               "views", "build", "datapackage", "releases", "loaders"]
    runs = {module: subprocess.Popen([sys.executable, "-c", f"import dprk_ru_data.{module}"],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True) for module in modules}
    failed = {}
    for module, run in runs.items():
        _, errors = run.communicate(timeout=120)
        if run.returncode != 0:
            failed[module] = errors[-1000:]
    assert not failed, failed
