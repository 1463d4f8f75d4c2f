"""Verification everywhere: what reads a built package checks it, and a mixed one is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import dprk_ru_data
from dprk_ru_data.cli import main
from dprk_ru_data.digest import prefixed
from dprk_ru_data.export import to_parquet

from .conftest import snapshot


def _damage(project: Path, table: str) -> None:
    path = project / "build" / f"{table}.csv"
    path.write_bytes(path.read_bytes().replace(b"src-000", b"src-00X", 1))


def test_load_verify_with_as_of_checks_the_tables_it_joins(project: Path) -> None:
    _damage(project, "evidence")
    dprk_ru_data.load("incidents", root=project, verify=True)  # its own file is whole
    with pytest.raises(dprk_ru_data.IntegrityError, match="evidence.csv is damaged"):
        dprk_ru_data.load("incidents", root=project, verify=True, as_of="2024-10-31")


def test_export_refuses_a_damaged_package_and_writes_nothing(project: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "export"
    to_parquet(out, project)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    _damage(project, "evidence")
    result = CliRunner().invoke(main, ["export", "--format", "parquet", "--out", str(out),
                                       "--root", str(project)])
    assert result.exit_code != 0 and "damaged" in result.output
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def _mix(project: Path, other: Path) -> None:
    """`project`'s descriptor with one table (and its hash) taken from another build: every file
    matches its descriptor entry, yet the package is two builds."""
    descriptor = json.loads((other / "datapackage.json").read_text(encoding="utf-8"))
    mine = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    theirs = next(r for r in descriptor["resources"] if r["name"] == "incidents")
    mine["resources"] = [theirs if r["name"] == "incidents" else r for r in mine["resources"]]
    (project / "datapackage.json").write_text(json.dumps(mine, indent=2), encoding="utf-8")
    (project / "build" / "incidents.csv").write_bytes(
        (other / "build" / "incidents.csv").read_bytes())


def test_check_build_catches_a_package_mixed_from_two_builds(project: Path,
                                                             tmp_path: Path) -> None:
    import shutil

    from .test_build import edit_cell

    other = tmp_path / "other"
    shutil.copytree(project, other)
    edit_cell(other, "incidents", 0, "note", "A different build.")
    assert CliRunner().invoke(main, ["build", str(other)]).exit_code == 0
    _mix(project, other)
    result = CliRunner().invoke(main, ["check-build", "--root", str(project), "--format",
                                       "json"])
    assert result.exit_code == 1
    assert "content_hash" in {p["rule"] for p in json.loads(result.output)}


@pytest.mark.parametrize("damage, rule", [
    (lambda data: data.replace(b"\n", b'\n"', 1), "csv_syntax"),
    (lambda data: data.replace(b"Former state;", b"=cmd|' /C calc'!A0;", 1), "formula"),
])
def test_check_build_reports_a_malformed_or_injected_file_without_a_traceback(
        project: Path, damage, rule: str) -> None:
    path = project / "build" / "actors.csv"
    data = damage(path.read_bytes())
    path.write_bytes(data)
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:  # the descriptor brought along: only rules catch it
        if resource["name"] == "actors":
            resource.update(bytes=len(data), hash=prefixed(data))
    (project / "datapackage.json").write_text(json.dumps(descriptor, indent=2),
                                              encoding="utf-8")
    result = CliRunner().invoke(main, ["check-build", "--root", str(project), "--format",
                                       "json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert rule in {p["rule"] for p in json.loads(result.output)}


@pytest.mark.slow
def test_two_builds_at_once_wait_for_each_other(project: Path) -> None:
    """Two builds of the same folder run together end with one whole build and no leftovers."""
    import subprocess
    import sys

    from dprk_ru_data.outputs import STAGING

    runs = [subprocess.Popen([sys.executable, "-m", "dprk_ru_data", "build", str(project)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(3)]
    assert [run.wait(timeout=300) for run in runs] == [0, 0, 0]
    assert not (project / STAGING).exists()
    before = snapshot(project)
    assert CliRunner().invoke(main, ["check-build", "--root", str(project)]).exit_code == 0
    assert snapshot(project) == before
