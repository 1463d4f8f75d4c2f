"""The descriptor is generated from the registry and accepted by the official validator."""

from __future__ import annotations

import json

import pytest

from dprk_ru_data import datapackage, vocab
from dprk_ru_data.fieldtypes import TYPES
from dprk_ru_data.registry import TABLES

from .conftest import ROOT


def test_every_field_has_a_description_and_a_known_type() -> None:
    for table in TABLES.values():
        for field in table.fields:
            assert len(field.description) > 10, (table.name, field.name)
            assert field.type in TYPES, (table.name, field.name)


def test_descriptor_fields_follow_the_registry() -> None:
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in descriptor["resources"]] == list(TABLES)
    for resource in descriptor["resources"]:
        table = TABLES[resource["name"]]
        assert [f["name"] for f in resource["schema"]["fields"]] == table.columns
        assert resource["schema"]["primaryKey"] == [table.key]
        references = {fk["fields"][0] for fk in resource["schema"].get("foreignKeys", [])}
        assert references == set(table.foreign_keys)


def test_vocabularies_reach_the_descriptor_with_their_definitions() -> None:
    schema = datapackage.table_schema(TABLES["troop_estimates"])
    measure = next(f for f in schema["fields"] if f["name"] == "measure")
    assert measure["constraints"]["enum"] == list(vocab.PERSONNEL_MEASURE)
    for value, meaning in vocab.PERSONNEL_MEASURE.items():
        assert f"`{value}`: {meaning}" in measure["description"]


def test_official_validator_accepts_the_package() -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(ROOT / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_official_validator_rejects_a_tampered_table(project) -> None:
    frictionless = pytest.importorskip("frictionless")
    path = project / "build" / "troop_estimates.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",in_training,", ",in_orbit,"),
                    encoding="utf-8")
    report = frictionless.validate(str(project / "datapackage.json"))
    assert not report.valid


def test_a_table_seen_before_gives_the_same_problems_and_a_changed_one_is_checked() -> None:
    import importlib

    import polars as pl

    import dprk_ru_data
    from dprk_ru_data.raw import LINE, Loaded

    checks = importlib.import_module("dprk_ru_data.validate.schema")
    table = TABLES["actors"]
    frame = (dprk_ru_data.load("actors").with_columns(pl.col(pl.Enum).cast(pl.String))
             .with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64)))
    loaded = Loaded(table, "raw/actors.csv", frame)
    first: list = []
    checks.validate(loaded, frame, first)
    again: list = []
    checks.validate(loaded, frame, again)
    assert first == again == []
    broken = frame.with_columns(pl.when(pl.col(LINE) == 3).then(pl.lit("spaceship"))
                                .otherwise(pl.col("kind")).alias("kind"))
    found: list = []
    checks.validate(loaded, broken, found)
    assert [(p.line, p.column, p.rule) for p in found] == [(3, "kind", "isin")]
