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
    ("_names", "errors", "digest", "fieldtypes", "vocab", "registry", "paths"),  # shared by all
    ("raw", "linked"),
    ("normalise",),
    ("derive", "windows"),
    ("validate",),
    ("evidence", "checkout", "evidence_pieces"),
    ("views",),
    ("build", "outputs"),
    ("datapackage", "citation", "versions", "stored"),
    ("releases", "diff"),
    ("loaders", "export", "extract", "curate", "codebook", "plot", "readme", "site", "cli",
     "__init__", "__main__"),
]
# The build runs the stages after it too: it assembles the package and reads the version.
ORCHESTRATES = {"build": {"datapackage", "citation", "versions"}}
STAGE = {name: number for number, names in enumerate(STAGES) for name in names}
PACKAGE = ROOT / "dprk_ru_data"


def _stage_of(path_parts: tuple[str, ...]) -> str:
    """The stage name of a module given its parts below the package: ("validate", "links")."""
    return path_parts[0] if path_parts[0] in ("normalise", "validate", "site") else path_parts[-1]


def _imports(path: Path, package: Path = PACKAGE, load_time: bool = True) -> set[str]:
    """The stages whose modules `path` imports: when loaded, or (`load_time` false) anywhere,
    inside functions too (not under TYPE_CHECKING)."""
    parts = path.relative_to(package).with_suffix("").parts
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test) for node in ast.walk(block)}
    nodes = tree.body if load_time else [n for n in ast.walk(tree) if id(n) not in typing_only]
    found = set()
    for node in nodes:
        if not isinstance(node, ast.ImportFrom) or not node.level:
            continue
        base = list(parts[:-1])[: len(parts) - node.level] if node.level > 1 else list(parts[:-1])
        target = [*base, *(node.module.split(".") if node.module else [])]
        names = [target] if node.module else [[*target, alias.name] for alias in node.names]
        found |= {_stage_of(tuple(name)) for name in names if name}
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a circle (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def _import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        stage = _stage_of(path.relative_to(package).with_suffix("").parts)
        graph.setdefault(stage, set()).update(
            _imports(path, package, load_time=False) - {stage, "__init__"})
    return graph


def test_nothing_imports_in_a_circle() -> None:
    """No module imports one that imports it back, directly or round a circle, even inside a
    function: each can be read, tested and replaced from the bottom up."""
    assert _cycles(_import_graph()) == []


def test_the_circle_check_sees_a_circle(tmp_path: Path) -> None:
    package = tmp_path / "dprk_ru_data"
    package.mkdir()
    (package / "diff.py").write_text("def f():\n    from .releases import x\n")
    (package / "releases.py").write_text("from .build import y\n")
    (package / "build.py").write_text("def g():\n    from .diff import z\n")
    assert _cycles(_import_graph(package)) == [["build", "diff", "releases"]]


def test_every_module_belongs_to_a_stage() -> None:
    for path in PACKAGE.rglob("*.py"):
        stage = _stage_of(path.relative_to(PACKAGE).with_suffix("").parts)
        assert stage in STAGE, f"{path.relative_to(ROOT)} is in no stage: add it to STAGES"


def test_no_module_imports_a_later_stage_when_loaded() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        stage = _stage_of(path.relative_to(PACKAGE).with_suffix("").parts)
        later = {name for name in _imports(path) - ORCHESTRATES.get(stage, set())
                 if STAGE[name] > STAGE[stage]}
        assert not later, f"{path.relative_to(ROOT)} ({stage}) imports later stages: {later}"


def test_the_layering_check_sees_an_import_that_runs_back_up(tmp_path: Path) -> None:
    module = PACKAGE / "validate" / "links.py"
    text = module.read_text(encoding="utf-8")
    assert not {"build", "loaders"} & _imports(module)
    copy = tmp_path / "dprk_ru_data" / "validate" / "links.py"
    copy.parent.mkdir(parents=True)
    copy.write_text("from ..build import build\nfrom .. import loaders\n" + text,
                    encoding="utf-8")
    assert {"build", "loaders"} <= _imports(copy, tmp_path / "dprk_ru_data")


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
