"""The registry is the one place to add a column: it flows into every derived artefact."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dprk_ru_data import vocab
from dprk_ru_data.registry import TABLES

from .conftest import ROOT

NEW_FIELD = '    integer("witnesses", "How many witnesses the text names.", required=False),\n'
# Run inside the edited copy: build, then read the new column back through every derived artefact.
PROBE = r'''
import json, sqlite3, sys
from pathlib import Path
import polars as pl
from click.testing import CliRunner
import dprk_ru_data
from dprk_ru_data.build import build
from dprk_ru_data.cli import main
from dprk_ru_data.codebook import codebook_markdown
from dprk_ru_data.export import to_parquet, to_sqlite
from dprk_ru_data.registry import TABLES
from dprk_ru_data.validate import schema

root = Path.cwd()
build(root)
descriptor = json.loads((root / "datapackage.json").read_text())
resource = next(r for r in descriptor["resources"] if r["name"] == "incidents")
to_parquet(root / "out", root)
database, _ = to_sqlite(root / "out", root)
columns = [row[1] for row in sqlite3.connect(database).execute("PRAGMA table_info(incidents)")]
info = CliRunner().invoke(main, ["info", "incidents", "--root", str(root)])
print(json.dumps({
    "package": dprk_ru_data.__file__,
    "registry": TABLES["incidents"].columns[-2],
    "schema": str(schema(TABLES["incidents"]).columns["witnesses"].dtype),
    "descriptor": next(f for f in resource["schema"]["fields"] if f["name"] == "witnesses"),
    "codebook": "| `witnesses` | integer |" in codebook_markdown(),
    "loaded": str(dprk_ru_data.load("incidents", root=root).schema["witnesses"]),
    "values": dprk_ru_data.load("incidents", root=root)["witnesses"].drop_nulls().to_list(),
    "parquet": str(pl.read_parquet(root / "out" / "incidents.parquet").schema["witnesses"]),
    "sqlite": "witnesses" in columns,
    "info": "witnesses [integer]" in info.output,
}))
'''


def _copy_with_a_new_column(target: Path) -> None:
    """The project copied to `target`, with one field added to the registry's incidents table
    and the column added to raw/incidents.csv (empty but for its first row)."""
    shutil.copytree(ROOT / "dprk_ru_data", target / "dprk_ru_data",
                    ignore=shutil.ignore_patterns("__pycache__", "_data"))
    shutil.copytree(ROOT / "raw", target / "raw")
    for name in ("pyproject.toml", "RELEASES.json"):
        shutil.copy2(ROOT / name, target / name)
    registry = target / "dprk_ru_data" / "registry.py"
    text = registry.read_text(encoding="utf-8")
    declaration = text.index("INCIDENTS = table(")
    note = text.index('    text("note"', declaration)  # the new field goes before the note
    registry.write_text(text[:note] + NEW_FIELD + text[note:], encoding="utf-8")
    raw = target / "raw" / "incidents.csv"
    lines = raw.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",witnesses", lines[1] + ",3", *(line + "," for line in lines[2:])]
    raw.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_a_column_added_to_the_registry_reaches_every_artefact(tmp_path: Path) -> None:
    _copy_with_a_new_column(tmp_path)
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True,
                         text=True, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
                         timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.splitlines()[-1])
    assert seen["package"].startswith(str(tmp_path))
    assert seen["registry"] == "witnesses"
    assert seen["schema"] == "Int64"
    assert seen["descriptor"] == {"name": "witnesses", "type": "integer",
                                  "description": "How many witnesses the text names.",
                                  "constraints": {"minimum": 0}}
    assert seen["codebook"] and seen["sqlite"] and seen["info"]
    assert seen["loaded"] == seen["parquet"] == "Int64"
    assert seen["values"] == [3]


def test_every_field_type_and_vocabulary_is_declared() -> None:
    from dprk_ru_data.fieldtypes import TYPES
    from dprk_ru_data.registry import vocabulary

    for table in TABLES.values():
        for field in table.fields:
            assert field.type in TYPES, (table.name, field.name)
            if field.vocabulary:
                assert vocabulary(field.vocabulary), (table.name, field.name)
            if field.references:
                assert field.references in TABLES, (table.name, field.name)
            if field.derived_from:
                assert table.field(field.derived_from).reads, (table.name, field.name)


def test_what_the_readers_write_is_in_the_vocabularies() -> None:
    """Every qualifier, kind and precision the readers give on the dev sets is a value of its
    vocabulary, so a column the build fills never holds a value its vocabulary lacks."""
    import csv
    import datetime as dt

    from dprk_ru_data.normalise import parse_date, parse_figure
    from dprk_ru_data.normalise.errors import NormaliseError

    def rows(name: str) -> list[dict[str, str]]:
        with (ROOT / "tests" / "data" / name).open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle, delimiter="\t"))

    qualifiers, precisions = set(), set()
    for row in rows("figures_dev.tsv"):
        try:
            qualifiers.add(parse_figure(row["text"]).qualifier)
        except NormaliseError:
            continue
    for row in rows("dates_dev.tsv"):
        try:
            reference = dt.date.fromisoformat(row["reference"]) if row["reference"] else None
            precisions.add(parse_date(row["text"], reference).precision)
        except NormaliseError:
            continue
    assert qualifiers and qualifiers <= set(vocab.FIGURE_QUALIFIER), qualifiers
    assert precisions and precisions <= set(vocab.DATE_PRECISION), precisions
    assert len(qualifiers) >= 6 and len(precisions) >= 6  # the dev sets exercise most values


def test_the_examples_in_the_qualifier_definitions_read_as_that_qualifier() -> None:
    """The codebook's definition of each figure qualifier quotes examples ('up to', '1,000+');
    each, put before or after a number, reads as that qualifier, so the codebook and the
    conventions cannot disagree."""
    import re

    from dprk_ru_data.normalise import parse_figure

    checked = 0
    for qualifier, definition in vocab.FIGURE_QUALIFIER.items():
        for example in re.findall(r"'([^']+)'", definition):
            phrase = example if any(ch.isdigit() for ch in example) else f"{example} 3,000"
            if qualifier == "vague":
                phrase = example
            assert parse_figure(phrase).qualifier == qualifier, (qualifier, phrase)
            checked += 1
    assert checked >= 10
