"""Meeting analysts where they work: Parquet (read back with DuckDB), SQLite (read back through
Datasette's own client), the codebook, the chart, as-of queries and `show`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import dprk_ru_data
from dprk_ru_data.cli import main
from dprk_ru_data.registry import TABLES, vocabulary

from .conftest import ROOT


def loaded_rows(name: str, dates_as_text: bool = False) -> list[tuple]:
    """The rows of `load(name)` with vocabularies as text (and dates too, if asked)."""
    frame = dprk_ru_data.load(name).with_columns(pl.col(pl.Enum).cast(pl.String))
    if dates_as_text:
        frame = frame.with_columns(pl.col(pl.Date).cast(pl.String))
    return frame.rows()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    runner = CliRunner()
    for output_format in ("parquet", "sqlite"):
        result = runner.invoke(main, ["export", "--format", output_format, "--out", str(out)],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("name", list(TABLES))
def test_parquet_read_back_with_duckdb_equals_load(exported: Path, name: str) -> None:
    duckdb = pytest.importorskip("duckdb")
    key = TABLES[name].key
    relation = duckdb.sql(f"SELECT * FROM read_parquet('{exported / f'{name}.parquet'}') "
                          f"ORDER BY {key}")
    assert relation.columns == TABLES[name].columns
    assert relation.fetchall() == loaded_rows(name)
    types = dict(zip(relation.columns, map(str, relation.types)))
    for column, dtype in dprk_ru_data.load(name).schema.items():
        if dtype == pl.Int64:
            assert types[column] == "BIGINT", column
        elif dtype == pl.Date:
            assert types[column] == "DATE", column


@pytest.mark.parametrize("name", list(TABLES))
def test_parquet_types_are_those_fieldtypes_states(exported: Path, name: str) -> None:
    """Each column's Parquet type is what `fieldtypes` (and so the codebook) says it is."""
    pq = pytest.importorskip("pyarrow.parquet")
    from dprk_ru_data.fieldtypes import ENUM_PARQUET, TYPES

    parquet = pq.ParquetFile(exported / f"{name}.parquet")
    columns = {parquet.schema.column(i).name: parquet.schema.column(i)
               for i in range(len(parquet.schema))}
    for index, field in enumerate(TABLES[name].fields):
        column = columns[field.name]
        logical = str(column.logical_type)
        written = column.physical_type + (f" ({logical.upper()})" if logical != "None" else "")
        if field.vocabulary:
            encodings = parquet.metadata.row_group(0).column(index).encodings
            assert ENUM_PARQUET.startswith(written) and "RLE_DICTIONARY" in encodings, field.name
        else:
            assert written == TYPES[field.type].parquet, field.name


def datasette_get(exported: Path, path: str) -> object:
    datasette = pytest.importorskip("datasette.app")
    metadata = json.loads((exported / "metadata.json").read_text(encoding="utf-8"))
    ds = datasette.Datasette([str(exported / "dprk_ru_data.sqlite")], metadata=metadata)

    async def fetch() -> object:
        await ds.invoke_startup()
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json() if ".json" in path else response.text

    return asyncio.run(fetch())


@pytest.mark.parametrize("name", list(TABLES))
def test_sqlite_read_back_through_datasette_equals_load(exported: Path, name: str) -> None:
    rows = datasette_get(exported, f"/dprk_ru_data/{name}.json?_shape=array&_size=max")
    columns = TABLES[name].columns
    assert [tuple(row[c] for c in columns) for row in rows] == loaded_rows(name, True)


def test_datasette_metadata_describes_every_table_and_column(exported: Path) -> None:
    served = datasette_get(exported, "/-/metadata.json")
    descriptor = dprk_ru_data.package()
    assert served["license"] == "CC-BY-4.0"
    assert descriptor["version"] in served["source"] and descriptor["contentHash"] in served["source"]
    tables = served["databases"]["dprk_ru_data"]["tables"]
    for resource in descriptor["resources"]:
        described = tables[resource["name"]]
        assert described["description"] == resource["description"]
        assert set(described["columns"]) == {f["name"] for f in resource["schema"]["fields"]}
    page = datasette_get(exported, "/dprk_ru_data/troop_estimates")
    assert "Every stated number of personnel" in page


def test_sqlite_has_keys_references_and_indexes(exported: Path) -> None:
    connection = sqlite3.connect(exported / "dprk_ru_data.sqlite")
    try:
        info = connection.execute("PRAGMA table_info(troop_estimates)").fetchall()
        assert [row[1] for row in info if row[5]] == ["estimate_id"]
        references = connection.execute("PRAGMA foreign_key_list(troop_estimates)").fetchall()
        assert {(row[3], row[2]) for row in references} >= {("subject_actor_id", "actors"),
                                                              ("claimant_actor_id", "actors")}
        indexes = {row[1] for row in connection.execute("PRAGMA index_list(evidence)")}
        assert "idx_evidence_record_table_record_id" in indexes
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError):  # vocabularies are enforced
            connection.execute("UPDATE incidents SET type = 'explosion' WHERE rowid = 1")
    finally:
        connection.close()


def test_codebook_is_fresh_and_covers_every_field_and_value() -> None:
    from dprk_ru_data.codebook import codebook_markdown

    committed = (ROOT / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert committed == codebook_markdown(), "run: dprk-data codebook"
    for name, table in TABLES.items():
        section = committed.split(f"## Table `{name}`")[1].split("\n## ")[0]
        for field in table.fields:
            assert f"| `{field.name}` |" in section, (name, field.name)
            for value in vocabulary(field.vocabulary) if field.vocabulary else ():
                assert f"| `{value}` |" in committed, (name, field.name, value)
    assert "several thousand" in committed  # the conventions are in it


@pytest.mark.slow
@pytest.mark.parametrize("chart, ids", [
    ("troop-estimates", lambda: set(dprk_ru_data.load("claims").filter(
        pl.col("record_table") == "troop_estimates", pl.col("per") == "none",
        pl.any_horizontal(pl.col("low", "best", "high").is_not_null()))["record_id"])),
    ("events", lambda: set(__import__("dprk_ru_data.plot").plot.event_rows().filter(
        pl.col("event_window_end") >= pl.date(2023, 1, 1))["id"])),
])
def test_charts_are_in_the_readme_fresh_and_drawn_without_warnings(tmp_path: Path, chart: str,
                                                                  ids) -> None:
    """Each chart is rendered in the README, regenerates byte for byte from the data without a
    warning, and draws every record it should (each element carries its record id)."""
    import warnings

    pytest.importorskip("matplotlib", reason="the charts need matplotlib (the plot extra)")
    from dprk_ru_data.plot import CHARTS, render

    draw, committed_path = CHARTS[chart]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert committed_path in readme[:3000], "the charts belong near the top"
    out = tmp_path / "chart.svg"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        draw(out)
    svg = out.read_text(encoding="utf-8")
    assert svg == (ROOT / committed_path).read_text(encoding="utf-8"), (
        f"{committed_path} is not what the data give: run dprk-data build (with matplotlib)")
    assert render(chart) == out.read_bytes()  # the build draws what `dprk-data plot` draws
    drawn = set(re.findall(r'<g id="((?:te|in|at|hd)-\d+)"', svg))
    assert drawn == ids() and drawn
    assert "dprk-ru-data " + dprk_ru_data.package()["version"] in svg


@pytest.mark.parametrize("chart", ["troop-estimates", "events"])
def test_drawing_a_chart_leaves_the_callers_matplotlib_as_it_was(chart: str) -> None:
    """A notebook that draws one of our charts keeps its own backend and settings: the chart's
    style applies only while it is drawn, and pyplot (which picks a backend) is not imported.
    The chart is still drawn in its own style, whatever the caller's settings."""
    pytest.importorskip("matplotlib", reason="the charts need matplotlib (the plot extra)")
    probe = (
        "import json, sys, matplotlib\n"
        "matplotlib.use('pdf')\n"
        "matplotlib.rcParams.update({'font.size': 13.0, 'svg.fonttype': 'path'})\n"
        "before = {k: str(v) for k, v in matplotlib.rcParams.items()}\n"
        "from dprk_ru_data.plot import render\n"
        f"svg = render({chart!r})\n"
        "after = {k: str(v) for k, v in matplotlib.rcParams.items()}\n"
        "print(json.dumps({'changed': sorted(k for k in before if before[k] != after[k]),\n"
        "                  'backend': matplotlib.get_backend(),\n"
        "                  'pyplot': 'matplotlib.pyplot' in sys.modules,\n"
        "                  'svg': svg.decode('utf-8')}))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout)
    assert seen["changed"] == [] and seen["backend"] == "pdf" and not seen["pyplot"], seen
    from dprk_ru_data.plot import CHARTS

    assert seen["svg"] == (ROOT / CHARTS[chart][1]).read_text(encoding="utf-8")


@pytest.mark.parametrize("chart", ["troop-estimates", "events"])
def test_no_text_of_a_chart_overlaps_another_or_leaves_the_figure(chart: str) -> None:
    """As drawn from the shipped data: the legend, the figure's own texts (title, footnote) and
    each panel with its tick labels and title are laid out apart, all within the figure (the
    figure's texts include its title)."""
    pytest.importorskip("matplotlib", reason="the charts need matplotlib (the plot extra)")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dprk_ru_data.plot import _FIGURES, _STYLE

    with matplotlib.rc_context(_STYLE):
        figure = _FIGURES[chart](None)
        renderer = FigureCanvasAgg(figure).get_renderer()
        figure.draw_without_rendering()
        boxes = {f"legend {n}": legend.get_window_extent(renderer)
                 for n, legend in enumerate(figure.legends)}
        boxes.update({f"text {text.get_text()[:30]!r}": text.get_window_extent(renderer)
                      for text in figure.texts if text.get_text()})
        boxes.update({f"panel {n}": axes.get_tightbbox(renderer)
                      for n, axes in enumerate(figure.axes) if axes.get_visible()})
    whole = figure.bbox
    assert boxes, chart
    for name, box in boxes.items():
        assert (whole.x0 <= box.x0 and box.x1 <= whole.x1 and whole.y0 <= box.y0
                and box.y1 <= whole.y1), (name, box, whole)
    names = sorted(boxes)
    for i, one in enumerate(names):
        for other in names[i + 1:]:
            assert not boxes[one].overlaps(boxes[other]), (one, other)


def test_as_of_keeps_only_what_was_known_on_the_day() -> None:
    early, late = "2024-10-20", "2024-10-31"
    evidence = dprk_ru_data.load("evidence")
    sources = dprk_ru_data.load("sources")
    for name in TABLES:
        before, after = dprk_ru_data.load(name, as_of=early), dprk_ru_data.load(name, as_of=late)
        assert before.height <= after.height <= dprk_ru_data.load(name).height
        assert len(dprk_ru_data.load(name, backend="pandas", as_of=early)) == before.height
    total_early = sum(dprk_ru_data.load(n, as_of=early).height for n in TABLES)
    total_late = sum(dprk_ru_data.load(n, as_of=late).height for n in TABLES)
    assert 0 < total_early < total_late
    # Every estimate kept on the early day has evidence in a text certainly out by then.
    out_by_then = set(sources.filter(pl.col("published_end") <= dt.date(2024, 10, 20))
                      ["source_id"])
    for estimate in dprk_ru_data.load("troop_estimates", as_of=early)["estimate_id"]:
        cited = set(evidence.filter(pl.col("record_id") == estimate)["source_id"])
        assert cited & out_by_then, estimate
    assert dprk_ru_data.load("incidents", as_of="2000-01-01").height == 0
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        dprk_ru_data.load("incidents", as_of="yesterday")


def test_info_as_of_prints_the_counts() -> None:
    result = CliRunner().invoke(main, ["info", "--as-of", "2024-10-20"], catch_exceptions=False)
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith("troop_estimates"))
    early = dprk_ru_data.load("troop_estimates", as_of="2024-10-20").height
    assert line.split()[1:] == [str(early), str(dprk_ru_data.load("troop_estimates").height)]
    bad = CliRunner().invoke(main, ["info", "--as-of", "20 October"])
    assert bad.exit_code == 2


def test_show_prints_filtered_rows() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["show", "incidents", "--where", "type=statement",
                                  "--columns", "incident_id,type", "--limit", "50"],
                           catch_exceptions=False)
    assert result.exit_code == 0
    statements = dprk_ru_data.load("incidents").filter(pl.col("type") == "statement")
    for incident in statements["incident_id"]:
        assert incident in result.stdout
    assert "demolition" not in result.stdout
    assert result.stdout.rstrip().endswith(f"{statements.height} of {statements.height} rows")
    record = runner.invoke(main, ["show", "troop_estimates", "--limit", "1"],
                           catch_exceptions=False)
    first = dprk_ru_data.load("troop_estimates")["estimate_id"][0]
    assert "estimate_id" in record.stdout and first in record.stdout
    assert record.stdout.rstrip().endswith(
        f"1 of {dprk_ru_data.load('troop_estimates').height} rows")
    assert runner.invoke(main, ["show", "incidents", "--where", "colour=red"]).exit_code == 2
    assert runner.invoke(main, ["show", "nothing"]).exit_code == 2


def test_parquet_files_carry_descriptions_labels_and_version(exported: Path) -> None:
    """DuckDB reads each Parquet file's metadata: the version, and every field's description and
    labels, as the descriptor has them."""
    duckdb = pytest.importorskip("duckdb")
    descriptor = dprk_ru_data.package()
    for resource in descriptor["resources"]:
        rows = duckdb.sql(f"SELECT decode(key), decode(value) FROM parquet_kv_metadata("
                          f"'{exported / (resource['name'] + '.parquet')}')").fetchall()
        metadata = dict(rows)
        assert metadata["dprk_ru_data.version"] == descriptor["version"]
        about = json.loads(metadata["dprk_ru_data"])
        assert about["table"] == resource["name"] and about["description"]
        for field in resource["schema"]["fields"]:
            assert about["fields"][field["name"]]["description"] == field["description"]
            if "categories" in field:
                assert about["fields"][field["name"]]["labels"] == {
                    c["value"]: c["label"] for c in field["categories"]}
