"""The version-bump rules of `dprk_ru_data.diff`, each shown on an edited copy of the committed
package: the change, the bump it requires, the reason that names it, and which versions pass."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dprk_ru_data.diff import diff_packages
from dprk_ru_data.digest import prefixed
from dprk_ru_data.releases import BUMPS, parse_version

from .conftest import ROOT


class PackageCopy:
    """A copy of the committed package (``datapackage.json`` and ``build/``) to edit in place.

    Tables are edited as text, the way the diff reads them; `save` writes the descriptor with the
    bytes and hashes of the rewritten tables, so descriptor and files agree.
    """

    def __init__(self, target: Path) -> None:
        target.mkdir(parents=True)
        shutil.copy2(ROOT / "datapackage.json", target / "datapackage.json")
        shutil.copytree(ROOT / "build", target / "build")
        self.root = target
        self.descriptor: dict[str, Any] = json.loads(
            (target / "datapackage.json").read_text(encoding="utf-8"))
        self._rewritten: dict[str, pl.DataFrame] = {}

    def resource(self, table: str) -> dict[str, Any]:
        return next(r for r in self.descriptor["resources"] if r["name"] == table)

    def field(self, table: str, name: str) -> dict[str, Any]:
        return next(f for f in self.resource(table)["schema"]["fields"] if f["name"] == name)

    def rows(self, table: str) -> pl.DataFrame:
        if table not in self._rewritten:
            path = self.root / self.resource(table)["path"]
            self._rewritten[table] = pl.read_csv(path, infer_schema=False)
        return self._rewritten[table]

    def set_fields(self, table: str, fields: list[dict[str, Any]],
                   renamed: dict[str, str] | None = None) -> None:
        """Give `table` these schema fields, in this order; the CSV follows (new columns empty)."""
        frame = self.rows(table).rename(renamed or {})
        names = [f["name"] for f in fields]
        frame = frame.with_columns(pl.lit(None, pl.String).alias(name)
                                   for name in names if name not in frame.columns)
        self.resource(table)["schema"]["fields"] = fields
        self._rewritten[table] = frame.select(names)

    def set_cell(self, table: str, row: int, column: str, value: str) -> None:
        frame = self.rows(table)
        self._rewritten[table] = frame.with_columns(
            pl.when(pl.int_range(pl.len()) == row).then(pl.lit(value))
            .otherwise(pl.col(column)).alias(column))

    def remove_table(self, table: str) -> None:
        resource = self.resource(table)
        self.descriptor["resources"].remove(resource)
        (self.root / resource["path"]).unlink()
        self._rewritten.pop(table, None)

    def save(self, version: str | None = None) -> Path:
        if version is not None:
            self.descriptor["version"] = version
        for table, frame in self._rewritten.items():
            resource = self.resource(table)
            data = frame.write_csv().encode("utf-8")
            (self.root / resource["path"]).write_bytes(data)
            resource.update(bytes=len(data), hash=prefixed(data))
        (self.root / "datapackage.json").write_text(json.dumps(self.descriptor, indent=2) + "\n",
                                                    encoding="utf-8")
        return self.root


def edited_copy(target: Path, edit: Callable[[PackageCopy], None]) -> PackageCopy:
    package = PackageCopy(target)
    edit(package)
    package.save()
    return package


# The edits, one per rule. Each keeps the copy's descriptor and tables consistent.

def remove_table(p: PackageCopy) -> None:
    p.remove_table("historical_deployments")


def remove_field(p: PackageCopy) -> None:
    fields = p.resource("incidents")["schema"]["fields"]
    p.set_fields("incidents", [f for f in fields if f["name"] != "note"])


def rename_field(p: PackageCopy) -> None:
    fields = p.resource("incidents")["schema"]["fields"]
    p.set_fields("incidents", [{**f, "name": "comment"} if f["name"] == "note" else f
                               for f in fields], renamed={"note": "comment"})


def reorder_fields(p: PackageCopy) -> None:
    fields = list(p.resource("incidents")["schema"]["fields"])
    names = [f["name"] for f in fields]
    i, j = names.index("description"), names.index("place")
    fields[i], fields[j] = fields[j], fields[i]
    p.set_fields("incidents", fields)


def change_type(p: PackageCopy) -> None:
    p.field("troop_estimates", "figure_best")["type"] = "number"  # the integers stay valid


def change_primary_key(p: PackageCopy) -> None:
    p.resource("actors")["schema"]["primaryKey"] = ["actor_id", "name"]


def remove_vocabulary_value(p: PackageCopy) -> None:
    enum = p.field("troop_estimates", "measure")["constraints"]["enum"]
    assert "wounded" not in p.rows("troop_estimates")["measure"].to_list()  # no row loses it
    enum.remove("wounded")


def add_vocabulary_value(p: PackageCopy) -> None:
    p.field("incidents", "type")["constraints"]["enum"].append("ambush")


def add_field(p: PackageCopy) -> None:
    fields = p.resource("incidents")["schema"]["fields"]
    p.set_fields("incidents", [*fields, {"name": "confidence", "type": "string"}])


def correct_value(p: PackageCopy) -> None:
    p.set_cell("incidents", 0, "note", "A corrected note, written for the bump test.")


# (edit, required bump, reasons expected: (bump, words one reason must all contain))
CASES = [
    pytest.param(remove_table, "major", [("major", ("historical_deployments", "removed"))],
                 id="table-removed"),
    pytest.param(remove_field, "major", [("major", ("incidents.note", "removed"))],
                 id="field-removed"),
    pytest.param(rename_field, "major", [("major", ("incidents.note", "removed or renamed")),
                                         ("minor", ("incidents.comment", "added"))],
                 id="field-renamed"),
    pytest.param(reorder_fields, "major", [("major", ("incidents", "re-ordered"))],
                 id="fields-reordered"),
    pytest.param(change_type, "major",
                 [("major", ("troop_estimates.figure_best", "integer", "number"))],
                 id="type-changed"),
    pytest.param(change_primary_key, "major", [("major", ("actors", "primary key"))],
                 id="primary-key-changed"),
    pytest.param(remove_vocabulary_value, "major",
                 [("major", ("troop_estimates.measure", "lost", "wounded"))],
                 id="vocabulary-value-removed"),
    pytest.param(add_vocabulary_value, "minor",
                 [("minor", ("incidents.type", "gained", "ambush"))], id="vocabulary-value-added"),
    pytest.param(add_field, "minor", [("minor", ("incidents.confidence", "added"))],
                 id="field-added"),
    pytest.param(correct_value, "patch", [("patch", ("incidents", "1 row(s) corrected"))],
                 id="value-corrected"),
]


def bumped(version: str, bump: str) -> str:
    """`version` bumped by `bump` (``none`` leaves it as it is)."""
    major, minor, patch = parse_version(version)
    return {"none": version, "patch": f"{major}.{minor}.{patch + 1}",
            "minor": f"{major}.{minor + 1}.0", "major": f"{major + 1}.0.0"}[bump]


@pytest.fixture
def old(tmp_path: Path) -> PackageCopy:
    """The unedited committed package, copied so that concurrent rebuilds cannot touch it."""
    return edited_copy(tmp_path / "old", lambda p: None)


def test_an_unedited_copy_needs_no_bump(old: PackageCopy, tmp_path: Path) -> None:
    changes = diff_packages(old.root, edited_copy(tmp_path / "new", lambda p: None).root)
    assert changes.reasons == {} and changes.required_bump == "none"
    assert not any(t.changed for t in changes.tables)
    assert changes.bump_ok  # the same version is enough for no change


@pytest.mark.parametrize(("edit", "required", "expected_reasons"), CASES)
def test_each_change_requires_its_bump_and_names_what_changed(
        old: PackageCopy, tmp_path: Path, edit: Callable[[PackageCopy], None], required: str,
        expected_reasons: list[tuple[str, tuple[str, ...]]]) -> None:
    new = edited_copy(tmp_path / "new", edit)
    changes = diff_packages(old.root, new.root)
    assert changes.required_bump == required, changes.reasons
    for bump, words in expected_reasons:
        assert any(all(word in reason for word in words)
                   for reason in changes.reasons.get(bump, [])), (bump, words, changes.reasons)

    # One step less than required is refused; exactly the required bump is enough.
    version = str(old.descriptor["version"])
    too_small = BUMPS[BUMPS.index(required) - 1]
    assert not diff_packages(old.root, new.save(bumped(version, too_small))).bump_ok
    assert diff_packages(old.root, new.save(bumped(version, required))).bump_ok


def test_a_correction_names_the_row_and_field(old: PackageCopy, tmp_path: Path) -> None:
    new = edited_copy(tmp_path / "new", correct_value)
    changes = diff_packages(old.root, new.root)
    changed = [t for t in changes.tables if t.changed]
    first_id = old.rows("incidents")["incident_id"][0]
    assert [(t.name, t.rows_changed) for t in changed] == [("incidents", {first_id: ["note"]})]
