"""The second half of the fault fixtures of test_faults.py (split so workers share them), and
the link checks run query by query."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest

from dprk_ru_data.build import compile_tables
from dprk_ru_data.errors import DataError

from .conftest import ROOT
from .test_build import edit_cell
from .test_faults import FAULTS, HALF, check_fault


@pytest.mark.parametrize("fault", list(FAULTS)[HALF:])
def test_fault_is_located_and_outputs_are_untouched(project: Path, fault: str) -> None:
    check_fault(project, fault)


def test_the_link_checks_find_the_same_run_together_or_one_by_one(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The queries of a check run together on a small package and one after another on a large
    one (`linked.collect_each`): either way the same problems."""
    import dprk_ru_data.linked as linked

    for fault in ("claim dated after its publication", "figure without its own evidence",
                  "date without its own evidence", "claimant without its own evidence",
                  "dangling foreign key", "dangling evidence link", "record without evidence"):
        FAULTS[fault](project)

    def found() -> list[tuple]:
        with pytest.raises(DataError) as raised:
            compile_tables(project)
        return [(p.file, p.line, p.column, p.value, p.rule, p.message)
                for p in raised.value.problems]

    together = found()
    monkeypatch.setattr(linked, "BATCH_ROWS", 0)
    assert found() == together
    assert {"dated_after_publication", "needs_field_evidence", "foreign_key",
            "needs_evidence"} <= {p[4] for p in together}


def _published_end() -> dict[str, date]:
    with open(ROOT / "build" / "sources.csv", encoding="utf-8", newline="") as file:
        return {row["source_id"]: date.fromisoformat(row["published_end"])
                for row in csv.DictReader(file) if row["published_end"]}


def test_a_date_is_held_to_the_texts_marked_for_it_not_to_every_text_of_its_record(
        project: Path) -> None:
    """A record whose date is marked (``field``) in one text and which a later text also
    reports: the date may not start after the latest of the texts marked for it, whatever the
    other texts say; it may start up to that day."""
    ends = _published_end()
    path = project / "raw" / "evidence.csv"
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        columns, evidence = list(reader.fieldnames or []), list(reader)
    marks = [row for row in evidence if row["record_table"] == "incidents"
             and row["field"] == "date_text" and row["source_id"] in ends]
    latest_marked: dict[str, date] = {}
    for row in marks:
        latest_marked[row["record_id"]] = max(ends[row["source_id"]],
                                              latest_marked.get(row["record_id"], date.min))
    incident, marked = min(latest_marked.items(), key=lambda item: item[1])
    later = max(ends, key=ends.__getitem__)
    assert ends[later] > marked + timedelta(days=1), "no text later than the record's"
    # The later text reports the record as a whole (its span unchecked: no corpus is named).
    model = next(row for row in marks if row["record_id"] == incident)
    evidence.append({**model, "evidence_id": "ev-9999", "field": "", "source_id": later,
                     "note": "a later text of the same record"})
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(evidence)

    def late(day: date) -> list[tuple]:
        edit_cell(project, "incidents", _line_of(project, incident) - 2, "date_text",
                  day.isoformat())
        try:
            compile_tables(project, project / "no-corpus")
        except DataError as error:
            return [(p.line, p.value) for p in error.problems
                    if p.rule == "dated_after_publication"]
        return []

    assert late(marked) == []
    day = marked + timedelta(days=1)
    assert late(day) == [(_line_of(project, incident), day.isoformat())]


def _line_of(root: Path, record: str) -> int:
    """The file line of `record` in raw/incidents.csv."""
    with (root / "raw" / "incidents.csv").open(encoding="utf-8", newline="") as file:
        return next(number for number, row in enumerate(csv.DictReader(file), start=2)
                    if row["incident_id"] == record)
