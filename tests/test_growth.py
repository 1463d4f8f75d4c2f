"""Adding data needs no other edit: a build of a copy of the checkout with one more troop estimate
rewrites the README's stated values and the charts from the new data, and nothing else of the
README; a README whose markers are broken is refused; without matplotlib the build still
succeeds and says the charts were not redrawn; the README and the charts are swapped in all or
nothing with the rest."""

from __future__ import annotations

import ast
import csv
import errno
import io
import os
import shutil
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import dprk_ru_data
from dprk_ru_data import outputs
from dprk_ru_data.build import README, build
from dprk_ru_data.cli import main
from dprk_ru_data.paths import UnsafePath
from dprk_ru_data.plot import CHARTS
from dprk_ru_data.readme import END, START, render

from .conftest import ROOT, corpus_path, fresh_inputs, snapshot

# The README lines whose stated values a new deployed-troops estimate changes.
DEPLOYED = "deployed.height"
ESTIMATES = 'dprk_ru_data.load("troop_estimates").height'


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _append(path: Path, rows: list[dict[str, str]]) -> None:
    columns, _ = _rows(path)
    buffer = io.StringIO()
    csv.DictWriter(buffer, columns, lineterminator="\n").writerows(rows)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + buffer.getvalue(),
                    encoding="utf-8")


def _next_id(ids: list[str]) -> str:
    """The id after the highest of `ids` ('te-030' -> 'te-031'), in their width."""
    prefix, _, number = max(ids, key=lambda i: int(i.rpartition("-")[2])).rpartition("-")
    return f"{prefix}-{int(number) + 1:0{len(number)}d}"


def append_troop_estimate(root: Path) -> str:
    """Append to `root/raw` one made-up estimate of deployed troops, with its evidence; return
    its id.

    It is modelled on an existing estimate of deployed troops with a figure and a claimant (so it
    needs the same evidence rows), with a figure and a note of its own; its evidence rows point
    at the same spans as the model's, so they hash as recorded whether or not the corpus texts
    are at hand.
    """
    _, estimates = _rows(root / "raw" / "troop_estimates.csv")
    model = next(r for r in estimates if r["measure"] == "deployed" and r["figure_text"]
                 and r["claimant_actor_id"] and not any(
                     r[c] for c in ("claimed_text", "dated_after", "dated_before",
                                    "claimed_before")))
    new_id = _next_id([r["estimate_id"] for r in estimates])
    _append(root / "raw" / "troop_estimates.csv", [{
        **model, "estimate_id": new_id, "figure_text": "about 4,000",
        "note": "Made up by the growth test: a later estimate, to check that the build follows "
                "new rows."}])
    _, evidence = _rows(root / "raw" / "evidence.csv")
    ids = [r["evidence_id"] for r in evidence]
    copies = []
    for row in evidence:
        if row["record_table"] == "troop_estimates" and row["record_id"] == model["estimate_id"]:
            ids.append(_next_id(ids))
            copies.append({**row, "evidence_id": ids[-1], "record_id": new_id,
                           "note": "made-up test row"})
    assert copies, model["estimate_id"]
    _append(root / "raw" / "evidence.csv", copies)
    return new_id


def stated(readme: str, code: str) -> object:
    """The value the README states for the example line `code`."""
    for line in readme.splitlines():
        statement, sep, comment = line.partition("  # ")
        if sep and statement.strip() == code:
            return ast.literal_eval(comment.strip())
    raise AssertionError(f"the README has no example line {code!r} stating a value")


def outside_markers(readme: str) -> list[str]:
    """The README's lines that are not between its values markers."""
    kept, inside = [], False
    for line in readme.splitlines():
        inside = (inside or bool(START.fullmatch(line.strip()))) and line.strip() != END
        kept.append(line if not inside else "")
    return kept


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the checkout's inputs, README and charts with one more troop estimate, built
    once."""
    root = fresh_inputs(tmp_path_factory.mktemp("grown"))
    shutil.copy2(ROOT / README, root / README)
    for _, path in CHARTS.values():
        (root / path).parent.mkdir(exist_ok=True)
        shutil.copy2(ROOT / path, root / path)
    new_id = append_troop_estimate(root)
    build(root, corpus_path())
    return root, new_id


def test_the_readme_states_the_values_of_the_new_data(grown: tuple[Path, str]) -> None:
    root, new_id = grown
    before = (ROOT / README).read_text(encoding="utf-8")
    after = (root / README).read_text(encoding="utf-8")
    estimates = dprk_ru_data.load("troop_estimates", root=root)
    assert new_id in set(estimates["estimate_id"])
    assert stated(after, ESTIMATES) == estimates.height == stated(before, ESTIMATES) + 1
    deployed = dprk_ru_data.load("claims", root=root).filter(
        pl.col("record_table") == "troop_estimates", pl.col("measure") == "deployed")
    assert stated(after, DEPLOYED) == deployed.height == stated(before, DEPLOYED) + 1
    assert render(after, root) == after  # every stated value is the new data's
    assert outside_markers(after) == outside_markers(before)  # the hand-written rest is as it was


def test_the_charts_are_redrawn_from_the_new_data(grown: tuple[Path, str]) -> None:
    pytest.importorskip("matplotlib", reason="the charts need matplotlib (the plot extra); the "
                                             "build leaves them as they are without it")
    from dprk_ru_data.plot import render as draw

    root, new_id = grown
    troops = (root / CHARTS["troop-estimates"][1]).read_bytes()
    assert troops == draw("troop-estimates", root)
    assert troops != (ROOT / CHARTS["troop-estimates"][1]).read_bytes()
    assert f'<g id="{new_id}"'.encode() in troops
    events = (root / CHARTS["events"][1]).read_bytes()  # no event was added: the same drawing
    assert events == draw("events", root) == (ROOT / CHARTS["events"][1]).read_bytes()


@pytest.mark.parametrize("broken, why", [
    (lambda text: text.replace(END + "\n", ""), "without a"),
    (lambda text: "\n".join(line for line in text.splitlines() if "values:" not in line),
     "no <!-- values:start -->"),
    (lambda text: text.replace(END, END.replace("end", "ends")), "is not a marker"),
])
def test_a_readme_with_broken_markers_is_refused_and_nothing_is_written(project: Path, broken,
                                                                         why: str) -> None:
    (project / README).write_text(broken((ROOT / README).read_text(encoding="utf-8")),
                                  encoding="utf-8")
    before = {**snapshot(project), README: (project / README).read_bytes()}
    result = CliRunner().invoke(main, ["build", str(project)], catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert why in result.output and "[readme]" in result.output
    assert {**snapshot(project), README: (project / README).read_bytes()} == before


def test_without_matplotlib_the_charts_are_kept_and_a_note_says_why(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from dprk_ru_data.build import _chart_paths

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as on an install without [plot]
    notes: list[str] = []
    assert _chart_paths(ROOT, notes) == {}
    assert len(notes) == 1 and "\n" not in notes[0]
    assert "not redrawn" in notes[0] and "matplotlib" in notes[0] and "[plot]" in notes[0]


def _docs_project(root: Path) -> dict[str, bytes]:
    """A folder with a README, a chart and a build's table; the files as they are."""
    (root / "docs").mkdir(parents=True)
    (root / "build").mkdir()
    old = {README: b"old readme\n", "docs/chart.svg": b"<svg>old</svg>",
           "build/t.csv": b"a\nold\n"}
    for name, data in old.items():
        (root / name).write_bytes(data)
    return old


def test_the_readme_and_charts_are_swapped_in_all_or_nothing(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """A write that fails at any file operation leaves the README, the charts and the tables as
    they were; one that succeeds, all new."""
    old = _docs_project(tmp_path)
    new = {name: data.replace(b"old", b"new") for name, data in old.items()}
    names = ("build", README, "docs/chart.svg")
    read = lambda: {name: (tmp_path / name).read_bytes() for name in old}  # noqa: E731
    real = os.replace
    for at in range(1, 50):
        calls = [0]

        def step(*args: object, **kwargs: object) -> None:
            calls[0] += 1
            if calls[0] == at:
                raise OSError(errno.ENOSPC, "No space left on device (injected)")
            real(*args, **kwargs)  # type: ignore[arg-type]

        with monkeypatch.context() as patch:
            patch.setattr(os, "replace", step)
            try:
                outputs.write_all(tmp_path, new, names)
            except OSError:
                assert read() == old, f"failed at os.replace {at}"
                assert not (tmp_path / outputs.STAGING).exists()
                continue
        assert read() == new
        break
    else:
        raise AssertionError("the write never succeeded")


def test_no_chart_is_written_through_a_linked_docs_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    (root / "docs").symlink_to(elsewhere)
    with pytest.raises(UnsafePath):
        outputs.write_all(root, {"docs/chart.svg": b"<svg/>"}, ("docs/chart.svg",))
    assert not list(elsewhere.iterdir()) and not (root / outputs.STAGING).exists()
