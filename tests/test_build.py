"""The build: committed outputs are what the build makes; bad input is located; nothing half-written."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from dprk_ru_data.build import build, compile_tables
from dprk_ru_data.cli import main
from dprk_ru_data.errors import DataError
from dprk_ru_data.registry import TABLES

from .conftest import ROOT, modules_after, snapshot


def edit_cell(root: Path, table: str, row: int, column: str, value: str) -> int:
    """Set one cell of raw/<table>.csv; return the editor line of that row."""
    path = root / "raw" / f"{table}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return row + 2


def test_committed_build_is_what_the_build_produces(project: Path) -> None:
    for path in (project / "build").iterdir():
        path.unlink()
    (project / "datapackage.json").unlink()
    build(project)
    assert snapshot(project) == snapshot(ROOT)


def test_two_builds_are_byte_identical(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    build(project)
    first = snapshot(project)
    build(project)
    assert snapshot(project) == first


@pytest.fixture(scope="module")
def committed_tables() -> dict[str, pl.DataFrame]:
    """The committed raw tables compiled once for the tests that only read them."""
    return compile_tables(ROOT)


def test_every_table_is_built_sorted_by_its_primary_key(
        committed_tables: dict[str, pl.DataFrame]) -> None:
    tables = committed_tables
    assert set(tables) == set(TABLES)
    for name, frame in tables.items():
        key = frame[TABLES[name].key]
        assert key.to_list() == sorted(key.to_list()), name
        assert frame.height > 0, name


@pytest.mark.parametrize(("table", "column", "value", "rule"), [
    ("troop_estimates", "subject_actor_id", "nobody", "foreign_key"),
    ("troop_estimates", "measure", "deploied", "isin"),
    ("troop_estimates", "figure_text", "sevral thousand", "figure"),
    ("troop_estimates", "figure_text", "5,000 to 3,000", "figure"),
    ("arms_transfers", "quantity_text", "about half", "figure"),
    ("arms_transfers", "period_text", "2024-02-30", "date"),
    ("arms_transfers", "period_text", "2024-10-20/2024-10-01", "date"),
    ("evidence", "record_id", "te-999", "foreign_key"),
    ("actors", "country", "Korea", "str_matches"),
    ("actors", "country", "XQ", "iso_code"),
    ("troop_estimates", "location_code", "RU-XXX", "iso_code"),
])
def test_bad_cell_is_located_and_nothing_is_written(project: Path, table: str, column: str,
                                                     value: str, rule: str) -> None:
    before = snapshot(project)
    row = 1 if table == "arms_transfers" else 0
    line = edit_cell(project, table, row, column, value)
    with pytest.raises(DataError) as caught:
        build(project)
    problems = [p for p in caught.value.problems if p.rule == rule]
    assert problems, caught.value.report()
    assert any(p.file == f"raw/{table}.csv" and p.line == line for p in problems), caught.value.report()
    assert snapshot(project) == before


def test_record_without_evidence_is_refused(project: Path) -> None:
    path = project / "raw" / "evidence.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if ",incidents,in-001," not in line]
    assert len(kept) < len(lines)
    path.write_text("".join(kept), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        compile_tables(project)
    needs = [p for p in caught.value.problems if p.rule == "needs_evidence"]
    assert [(p.file, p.value) for p in needs] == [("raw/incidents.csv", "in-001")]


def test_unknown_and_missing_columns_are_named(project: Path) -> None:
    path = project / "raw" / "incidents.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("description", "descripton", 1), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        compile_tables(project)
    rules = {(p.rule, p.column) for p in caught.value.problems}
    assert ("missing_column", "description") in rules
    assert ("unknown_column", "descripton") in rules


def test_derived_columns_are_refused_in_raw(project: Path) -> None:
    path = project / "raw" / "incidents.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",date_edtf"] + [line + "," for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="'date_edtf' is derived by the build"):
        compile_tables(project)


def test_relative_date_needs_a_marked_source_when_a_record_has_several(project: Path) -> None:
    evidence = pl.read_csv(project / "raw" / "evidence.csv", infer_schema=False)
    table, column = "troop_estimates", "as_of_text"
    several = (evidence.filter(pl.col("record_table") == table)
               .group_by("record_id").agg(pl.col("source_id").n_unique().alias("n"),
                                          (pl.col("field") == column).any().alias("marked"))
               .filter((pl.col("n") > 1) & ~pl.col("marked").fill_null(False)).sort("record_id"))
    assert several.height, "the data has no record with evidence in several sources"
    records = pl.read_csv(project / "raw" / f"{table}.csv", infer_schema=False)
    row = records["estimate_id"].to_list().index(several["record_id"][0])
    line = edit_cell(project, table, row, column, "last year")
    with pytest.raises(DataError) as caught:
        compile_tables(project)
    # The date cannot be read without knowing its source, and (new in the data) it has no span.
    assert sorted((p.line, p.column, p.rule) for p in caught.value.problems) == [
        (line, column, "date"), (line, column, "needs_field_evidence")]
    date = next(p for p in caught.value.problems if p.rule == "date")
    assert "mark the one that says this date" in date.message


def test_relative_dates_take_the_publication_date_of_their_source(
        committed_tables: dict[str, pl.DataFrame]) -> None:
    import datetime as dt

    tables = committed_tables
    sources = {r["source_id"]: r for r in tables["sources"].to_dicts()}
    evidence = tables["evidence"].filter(pl.col("field") == "as_of_text")
    for estimate in tables["troop_estimates"].filter(pl.col("as_of_text").is_not_null()).to_dicts():
        marked = evidence.filter(pl.col("record_id") == estimate["estimate_id"])
        if marked.height:
            source = sources[marked["source_id"][0]]
            assert estimate["as_of_start"] <= source["published_end"]
            assert isinstance(estimate["as_of_start"], dt.date)


def test_cli_build_exit_codes(project: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["build", str(project)], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    from dprk_ru_data.registry import STORED, VIEWS

    assert f"built {len(STORED)} tables and {len(VIEWS)} views" in ok.stdout
    edit_cell(project, "incidents", 0, "type", "explosion")
    bad = runner.invoke(main, ["build", str(project)], catch_exceptions=False)
    assert bad.exit_code == 1
    assert "raw/incidents.csv:2: type:" in bad.stderr
    assert "Traceback" not in bad.output
    as_json = runner.invoke(main, ["validate", str(project), "--format", "json"],
                            catch_exceptions=False)
    assert as_json.exit_code == 1
    assert '"rule": "isin"' in as_json.stdout
    usage = runner.invoke(main, ["build", str(project / "no-such-dir")], catch_exceptions=False)
    assert usage.exit_code == 2


def test_check_build_accepts_the_committed_package_and_locates_faults(project: Path) -> None:
    import hashlib
    import json

    runner = CliRunner()
    ok = runner.invoke(main, ["check-build", "--root", str(project)], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    path = project / "build" / "incidents.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace(",statement,", ",explosion,", 1)
    assert ",explosion," in lines[3]
    path.write_text("\n".join(lines), encoding="utf-8")
    damaged = runner.invoke(main, ["check-build", "--root", str(project), "--format", "json"],
                            catch_exceptions=False)
    assert damaged.exit_code == 1
    assert [p["rule"] for p in json.loads(damaged.stdout)] == ["integrity"]
    # The same edit with the descriptor's hash brought along is caught by the schema checks.
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    data = path.read_bytes()
    for resource in descriptor["resources"]:
        if resource["name"] == "incidents":
            resource.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest())
    (project / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    edited = runner.invoke(main, ["check-build", "--root", str(project), "--format", "json"],
                           catch_exceptions=False)
    assert edited.exit_code == 1
    problems = json.loads(edited.stdout)
    # The content hash, over the resources' hashes, no longer matches either.
    assert [(p["file"], p["line"], p["column"], p["rule"]) for p in problems] == [
        ("build/incidents.csv", 4, "type", "isin"),
        ("datapackage.json", None, "contentHash", "content_hash")]


def test_a_fault_of_the_views_code_names_every_view_it_breaks_and_writes_nothing(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dprk_ru_data.views as views

    def broken(make):  # a view whose rows lose their record_table, which the schema requires
        return lambda tables, known=None: make(tables, known).with_columns(
            pl.lit(None, pl.String).alias("record_table"))

    for name, make in list(views.VIEWS.items()):
        monkeypatch.setitem(views.VIEWS, name, broken(make))
    before = snapshot(project)
    for run in (lambda: compile_tables(project), lambda: build(project)):
        with pytest.raises(DataError) as raised:
            run()
        found = {(p.file, p.column, p.rule) for p in raised.value.problems}
        assert found == {(f"build/{name}.csv", "record_table", "view") for name in views.VIEWS}
    assert snapshot(project) == before
    assert not (project / ".build-staging").exists()


def test_a_valid_build_needs_pandera_only_to_be_installed(project: Path) -> None:
    """A build of valid tables tells every schema check in polars: pandera (and pandas, which it
    imports) is never imported, so the command starts without them; a table that breaks a check
    brings pandera in to locate what fails."""
    heavy = ("pandera", "pandas")
    run = f"from dprk_ru_data.build import build; build({str(project)!r})"
    assert modules_after(run, heavy) == []
    edit_cell(project, "actors", 0, "kind", "stat")
    failing = f"import contextlib\nwith contextlib.suppress(Exception):\n    {run}"
    assert modules_after(failing, heavy) == sorted(heavy)


def test_the_engine_chosen_for_the_size_changes_no_byte(project: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A small package is built with polars' lazy queries on the in-memory engine, run together
    where a step has several, a large one on the engine polars chooses, one query after another
    (`linked.collect_each`): the same package built either way gives the same bytes."""
    import dprk_ru_data.build as building
    import dprk_ru_data.linked as linked

    def affinity() -> str | None:
        with building._engine(project):
            return pl.Config.state()["POLARS_ENGINE_AFFINITY"]

    assert affinity() == "in-memory"
    build(project)
    small = snapshot(project)
    monkeypatch.setattr(building, "SMALL_RAW_BYTES", 0)
    monkeypatch.setattr(linked, "BATCH_ROWS", 0)
    assert affinity() == "auto"
    for path in (project / "build").iterdir():
        path.unlink()
    build(project)
    assert snapshot(project) == small


def test_checks_run_at_once_report_what_they_report_one_after_another(project: Path) -> None:
    """The checks across tables run `CHECKS_AT_ONCE` at a time. Where the first is held until
    a later one has finished, the build reports every problem that it reports with the checks
    run one after another (a report sorts them by place)."""
    import threading

    import dprk_ru_data.build as module
    from dprk_ru_data import validate

    edit_cell(project, "evidence", 3, "record_id", "te-999")  # references
    edit_cell(project, "evidence", 5, "field", "no_such_field")  # the field a row names
    edit_cell(project, "actors", 1, "actor_id", "north-korea")  # a repeated key: each table
    references, unique_keys = validate.check_references, validate.check_unique_keys
    later = threading.Event()

    def referenced(*args: object) -> None:
        references(*args)  # type: ignore[arg-type]
        later.set()

    def held(*args: object) -> None:
        if module.CHECKS_AT_ONCE > 1:
            assert later.wait(10), "the checks did not run at once"
        unique_keys(*args)  # type: ignore[arg-type]

    def reported(at_once: int) -> list[tuple[str, int | None, str]]:
        later.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(module, "CHECKS_AT_ONCE", at_once)
            patch.setattr(validate, "check_references", referenced)
            patch.setattr(validate, "check_unique_keys", held)
            with pytest.raises(DataError) as caught:
                compile_tables(project)
        return [(p.file, p.line, p.rule) for p in caught.value.problems]

    one = reported(1)
    assert {"foreign_key", "duplicate_key"} <= {rule for _, _, rule in one}, one
    assert reported(module.CHECKS_AT_ONCE) == one
