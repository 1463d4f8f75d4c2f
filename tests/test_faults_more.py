"""The second half of the fault fixtures of test_faults.py (split so workers share them), and
the link checks run query by query."""

from __future__ import annotations

import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dprk_ru_data.build import compile_tables
from dprk_ru_data.errors import DataError
from dprk_ru_data.registry import TABLES
from dprk_ru_data.validate.links import stated_fields
from dprk_ru_data.windows import claim_tables

from .conftest import ROOT, examples, fresh_inputs
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


def test_an_empty_key_or_link_is_reported_as_missing_not_as_a_link_to_nothing(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An evidence row without its record and a record without its key are each reported as
    a missing value on their line, and neither as a link that resolves to nothing, run
    together or one query after another."""
    import dprk_ru_data.linked as linked

    evidence_line = edit_cell(project, "evidence", 0, "record_id", "")
    record_line = edit_cell(project, "incidents", 0, "incident_id", "")

    def found() -> list[tuple]:
        with pytest.raises(DataError) as raised:
            compile_tables(project)
        return [(p.file, p.line, p.column, p.value, p.rule) for p in raised.value.problems]

    together = found()
    monkeypatch.setattr(linked, "BATCH_ROWS", 0)
    assert found() == together
    missing = {(p[0], p[1], p[2]) for p in together if p[4] == "not_nullable"}
    assert {("raw/evidence.csv", evidence_line, "record_id"),
            ("raw/incidents.csv", record_line, "incident_id")} <= missing
    assert not [p for p in together if p[4] in ("foreign_key", "needs_evidence")
                and p[3] in (None, "")]


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


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


# The evidence rows of claims, those marked for a field first: the ones a curator may forget.
_EVIDENCE = _csv_rows(ROOT / "raw" / "evidence.csv")
_CLAIMS = [number for number, row in enumerate(_EVIDENCE)
           if row["record_table"] in claim_tables()]
_MARKED = [number for number in _CLAIMS if _EVIDENCE[number]["field"]]
# Every evidence row of one claim: its record has no evidence left at all.
_ONE_RECORD = {number for number in _CLAIMS if (
    _EVIDENCE[number]["record_table"], _EVIDENCE[number]["record_id"]) == (
    _EVIDENCE[_CLAIMS[0]]["record_table"], _EVIDENCE[_CLAIMS[0]]["record_id"])}


@settings(max_examples=examples(20), deadline=None)
@example(set(_MARKED[::7]))  # a field of many records and tables at once
@example(_ONE_RECORD)
@given(st.sets(st.sampled_from(_MARKED), max_size=12) | st.sets(st.sampled_from(_CLAIMS),
                                                                max_size=12)
       if _MARKED else st.just(set()))
def test_a_stated_field_lacks_evidence_exactly_where_no_row_marks_it(removed: set[int]) -> None:
    """With any evidence rows of claims taken out (marked for a field or not), the build reports
    a stated field as lacking its own evidence at exactly the rows and columns where no evidence
    row of its record marks that field: told here from the CSV files alone."""
    with tempfile.TemporaryDirectory() as folder:
        root = fresh_inputs(Path(folder) / "project")
        path = root / "raw" / "evidence.csv"
        lines = path.read_text("utf-8").splitlines(keepends=True)
        path.write_text("".join(line for number, line in enumerate(lines)
                                if number - 1 not in removed), "utf-8")
        marked = {(row["record_table"], row["record_id"], row["field"])
                  for row in _csv_rows(path) if row["field"]}
        expected = {(f"raw/{name}.csv", line, column)
                    for name in claim_tables()
                    for line, row in enumerate(_csv_rows(root / "raw" / f"{name}.csv"), 2)
                    for column in stated_fields(TABLES[name])
                    if row[column].strip()
                    and (name, row[TABLES[name].key], column) not in marked}
        try:
            compile_tables(root)
            problems = []
        except DataError as error:
            problems = error.problems
    assert {(p.file, p.line, p.column) for p in problems
            if p.rule == "needs_field_evidence"} == expected
