"""The evidence checked and written a piece at a time, and the views written in runs of rows,
give what the whole table and the whole view give: the same problems, the same bytes.

The curated evidence holds quotes (it is read whole); these tests make a plain copy of it, then
break it in the ways a curator might, and build it with pieces of a few hundred bytes."""

from __future__ import annotations

import csv
import re
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import dprk_ru_data.build as build
import dprk_ru_data.evidence_pieces as evidence_pieces
from dprk_ru_data import validate
from dprk_ru_data.errors import DataError, Problem
from dprk_ru_data.linked import evidence_parts
from dprk_ru_data.paths import read_in_pieces
from dprk_ru_data.raw import read_raw
from dprk_ru_data.registry import TABLES
from dprk_ru_data.views import VIEWS, collected, per_record

from .conftest import ROOT, corpus_path, examples, fresh_inputs

EVIDENCE = TABLES["evidence"]
# Faults that leave the file plain and in key order (checked a piece at a time), then those
# that send it down the whole path (a quote, a repeated key, keys out of order). Some of the
# first are not faults: a number with a leading zero or a sign, a line that ends in CRLF, the
# columns in another order, no line feed after the last line; the build reads them, but does
# not write them as they were read.
IN_PIECES = ("type", "ordered", "source", "record", "field", "formula", "hash", "range",
             "no_table", "table", "spaces", "drop", "none", "zero", "plus", "crlf", "columns",
             "tail")
WHOLE = ("quote", "repeat", "swap")


def _plain_rows() -> list[list[str]]:
    """The curated evidence (header first) with its notes made plain: no quote, no comma."""
    with open(ROOT / "raw" / "evidence.csv", encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    note = rows[0].index("note")
    for row in rows[1:]:
        row[note] = re.sub(r"[^A-Za-z0-9 ]", "", row[note]).strip()
    return rows


PLAIN = _plain_rows()
COLUMN = {name: number for number, name in enumerate(PLAIN[0])}


def _broken(rows: list[list[str]], faults: list[tuple[int, str]]) -> bytes:
    rows = [list(row) for row in rows]
    kinds = {kind for _, kind in faults}
    for at, kind in faults:
        at = 1 + at % (len(rows) - 1)
        row = rows[at]
        if kind == "drop":
            del rows[at]
            continue
        if kind == "swap" and at + 1 < len(rows):
            rows[at], rows[at + 1] = rows[at + 1], rows[at]
            continue
        column, value = {
            "type": ("span_start", "x1"), "ordered": ("span_end", row[COLUMN["span_start"]]),
            "source": ("source_id", "src-999"), "record": ("record_id", "te-999"),
            "field": ("field", "no_such_field"), "formula": ("note", "=SUM(A1)"),
            "hash": ("span_sha256", "0" * 64), "range": ("span_end", "99999999"),
            "no_table": ("record_table", ""), "table": ("record_table", "no_such_table"),
            "spaces": ("record_id", f"  {row[COLUMN['record_id']]} "),
            "quote": ("note", '"a quoted note"'),
            "zero": ("span_start", f"0{row[COLUMN['span_start']]}"),
            "plus": ("span_end", f"+{row[COLUMN['span_end']]}"),
            "crlf": ("note", f"{row[COLUMN['note']]}\r"),
            "repeat": ("evidence_id", rows[at - 1][COLUMN["evidence_id"]] if at > 1
                       else row[COLUMN["evidence_id"]]),
        }.get(kind, ("note", row[COLUMN["note"]]))
        row[COLUMN[column]] = value
    if "columns" in kinds:  # the note before the hash, in the header and in every row
        one, other = COLUMN["span_sha256"], COLUMN["note"]
        for row in rows:
            row[one], row[other] = row[other], row[one]
    text = "\n".join(",".join(row) for row in rows)
    return (text if "tail" in kinds else text + "\n").encode("utf-8")


def _checked(root: Path, corpus: Path, piece: int | None
             ) -> tuple[list[Problem], bytes | None, dict[str, pl.DataFrame], bool]:
    """The build's checks of `root` with the evidence in pieces of `piece` bytes (None: whole):
    the problems, the built evidence's bytes, the other tables, and whether it went in pieces."""
    target = root / f"evidence-{piece}.csv"
    streamed: list[bool] = []
    stream = evidence_pieces.stream_evidence

    def recorded(*args: object) -> evidence_pieces.Streamed | None:
        found = stream(*args)  # type: ignore[arg-type]
        streamed.append(found is not None)
        if found is not None:  # the size and hash taken as it was written are the file's
            assert found.written == build.written(target)
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evidence_pieces, "EVIDENCE_PIECE_BYTES", piece or 2 ** 40)
        patch.setattr(build, "stream_evidence", recorded)
        try:
            tables, parts, _ = build._checked_tables(root, corpus, [], target)
        except DataError as error:  # (the build's staging folder, holding `target`, goes)
            return error.problems, None, {}, streamed == [True]
    assert streamed == [parts is not None]
    known = per_record(tables, parts)
    if parts is None:
        assert not target.exists()
        build.write_table(tables.pop("evidence"), target)
    tables["per_record"] = known.sort("record_table", "record_id")
    return [], target.read_bytes(), tables, parts is not None


@settings(max_examples=examples(20), deadline=None)
@example([(5, "hash"), (40, "range"), (90, "source"), (300, "formula")], 2048)
@example([(7, "record"), (60, "field"), (200, "type"), (400, "drop")], 4096)
@example([(9, "ordered"), (99, "no_table"), (199, "table"), (299, "spaces")], 3000)
@example([(11, "repeat"), (111, "quote")], 2048)
@example([(13, "zero"), (150, "plus"), (250, "crlf"), (350, "spaces"), (0, "tail")], 2048)
@example([(0, "columns")], 4096)
@given(st.lists(st.tuples(st.integers(0, 10 ** 6), st.sampled_from(IN_PIECES + WHOLE)),
                max_size=4),
       st.integers(2048, 16384))
def test_the_evidence_checked_in_pieces_gives_the_problems_and_bytes_of_the_whole(
        faults: list[tuple[int, str]], piece: int) -> None:
    corpus = corpus_path()
    if corpus is None:
        pytest.skip("corpus texts not found: set DPRK_CORPUS or place them in ../shared/sources")
    with tempfile.TemporaryDirectory() as folder:
        root = fresh_inputs(Path(folder) / "project")
        (root / "raw" / "evidence.csv").write_bytes(_broken(PLAIN, faults))
        in_pieces = _checked(root, corpus, piece)
        whole = _checked(root, corpus, None)
    assert in_pieces[0] == whole[0]  # the same problems, each located alike
    assert in_pieces[1] == whole[1]  # the same bytes, where the build passes
    assert in_pieces[2].keys() == whole[2].keys()
    for name, frame in whole[2].items():
        assert_frame_equal(in_pieces[2][name], frame)
    assert not whole[3]
    if not any(kind in WHOLE for _, kind in faults):
        assert in_pieces[3], "a plain evidence file in key order is checked in pieces"


@pytest.mark.parametrize("kind", ["none", "zero", "plus", "crlf", "spaces", "columns", "tail"])
def test_a_piece_is_written_as_read_only_where_those_are_the_bytes_the_build_writes(
        tmp_path: Path, kind: str) -> None:
    """The pieces of a plain file in the built form are copied (polars writes none of them);
    a piece with a number, a line end or a space the build writes otherwise is written by
    polars, and, where the header orders the columns otherwise, every piece is."""
    root = fresh_inputs(tmp_path / "project")
    raw = _broken(PLAIN, [(40, kind)])
    (root / "raw" / "evidence.csv").write_bytes(raw)
    written: list[int] = []
    write = evidence_pieces.write_csv

    def counted(frame: pl.DataFrame, out: BinaryIO, header: bool = True) -> None:
        written.append(frame.height)
        write(frame, out, header)

    target = tmp_path / "evidence.csv"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evidence_pieces, "write_csv", counted)
        streamed = evidence_pieces.stream_evidence(root, None, tmp_path, target, [], piece=4096)
    assert streamed is not None
    pieces = len(list(read_in_pieces(root, "raw/evidence.csv", 2 ** 30, 4096)))
    assert pieces > 3
    expected = {"none": 0, "tail": 0, "columns": pieces}.get(kind, 1)
    assert len(written) == expected, kind
    as_read = kind in ("none", "tail")  # (a missing last line feed is all that is added)
    assert (target.read_bytes() == raw.rstrip(b"\n") + b"\n") == as_read, kind


@pytest.mark.parametrize("faults", [
    [(5, "hash"), (150, "type"), (300, "formula")],  # problems in several pieces
    [(200, "swap")],  # keys out of order in a later piece: read whole
    [(10, "crlf"), (260, "spaces")],  # pieces written by polars among pieces copied
])
def test_pieces_checked_at_once_are_taken_in_their_order_whatever_finishes_first(
        tmp_path: Path, corpus: Path, faults: list[tuple[int, str]]) -> None:
    """The pieces are checked `CHECKERS` at a time. Where the first piece is held until
    another has finished, the problems, the bytes and the parts are those of the pieces checked
    one after another."""
    root = fresh_inputs(tmp_path / "project")
    (root / "raw" / "evidence.csv").write_bytes(_broken(PLAIN, faults))
    sources = validate.cast(read_raw(root, TABLES["sources"], []), [])
    check = evidence_pieces._check
    finished: list[int] = []
    another = threading.Event()

    def held(frame: pl.DataFrame, data: bytes, line: int, header: bool,
             context: object) -> object:
        if header and evidence_pieces.CHECKERS > 1:
            assert another.wait(10), "no other piece was checked meanwhile"
        found = check(frame, data, line, header, context)  # type: ignore[arg-type]
        finished.append(line)
        another.set()
        return found

    def streamed(checkers: int, name: str) -> tuple[list[Problem], bytes | None, object]:
        problems: list[Problem] = []
        target = tmp_path / name
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(evidence_pieces, "CHECKERS", checkers)
            patch.setattr(evidence_pieces, "_check", held)
            found = evidence_pieces.stream_evidence(root, sources, corpus, target, problems,
                                                    piece=8192)
        if found is None:
            assert not target.exists()
            return problems, None, None
        return problems, target.read_bytes(), {k: v.to_dicts() for k, v in found.parts.items()}

    one = streamed(1, "one.csv")
    assert finished == sorted(finished)
    finished.clear()
    another.clear()
    several = streamed(evidence_pieces.CHECKERS, "several.csv")
    assert evidence_pieces.CHECKERS > 1 and finished != sorted(finished)  # (out of order)
    assert several == one
    assert (one[1] is None) == any(kind == "swap" for _, kind in faults)
    assert one[0] or one[1] is None or not any(kind in ("hash", "type") for _, kind in faults)


def test_a_quote_sends_the_evidence_down_the_whole_path(tmp_path: Path) -> None:
    root = fresh_inputs(tmp_path / "project")
    (root / "raw" / "evidence.csv").write_bytes(_broken(PLAIN, [(3, "quote")]))
    problems: list[Problem] = []
    target = tmp_path / "evidence.csv"
    assert evidence_pieces.stream_evidence(root, None, tmp_path, target, problems,
                                           piece=4096) is None
    assert problems == [] and not target.exists()
    (root / "raw" / "evidence.csv").write_bytes(_broken(PLAIN, []))
    streamed = evidence_pieces.stream_evidence(root, None, tmp_path, target, problems, piece=4096)
    assert streamed is not None and problems == [] and target.exists()
    assert streamed.typed.is_empty() and streamed.typed.columns[1:] == EVIDENCE.columns


def test_the_parts_of_the_evidence_in_pieces_are_the_parts_of_the_whole(tmp_path: Path) -> None:
    root = fresh_inputs(tmp_path / "project")
    (root / "raw" / "evidence.csv").write_bytes(_broken(PLAIN, []))
    streamed = evidence_pieces.stream_evidence(root, None, tmp_path, tmp_path / "e.csv", [],
                                               piece=3000)
    assert streamed is not None
    tables = build._checked_tables(root, corpus_path(), []).tables
    whole = evidence_parts(tables["evidence"].with_row_index("__line", offset=2)
                           .with_columns(pl.col("__line").cast(pl.Int64)))
    assert streamed.parts.keys() == whole.keys()
    for name, part in whole.items():  # the same rows (in pieces, sorted by record)
        assert streamed.parts[name]["record_id"].is_sorted()
        assert_frame_equal(streamed.parts[name].sort("__line"), part)


@pytest.fixture(scope="module")
def checked() -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    tables = build._checked_tables(ROOT, corpus_path(), []).tables
    return tables, per_record(tables)


def _whole(name: str, rows: pl.LazyFrame, folder: Path) -> bytes:
    path = folder / f"{name}-whole.csv"
    build.write_table(collected(rows, TABLES[name].key), path)
    return path.read_bytes()


@settings(max_examples=examples(30), deadline=None)
@given(st.sampled_from(sorted(VIEWS)), st.integers(1, 80))
def test_a_view_written_in_runs_has_the_bytes_of_the_view_written_whole(
        checked: tuple[dict[str, pl.DataFrame], pl.DataFrame], name: str, run: int) -> None:
    tables, known = checked
    rows = VIEWS[name](tables, known)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.csv"
        assert build.write_view(name, rows, path, slice_rows=run) == []
        assert path.read_bytes() == _whole(name, rows, Path(folder))


def test_a_view_that_breaks_a_rule_in_one_run_is_reported_whole_and_not_written(
        checked: tuple[dict[str, pl.DataFrame], pl.DataFrame], tmp_path: Path) -> None:
    tables, known = checked
    rows = VIEWS["claims"](tables, known)
    last = collected(rows, "claim_id")["claim_id"][-1]
    broken = rows.with_columns(pl.when(pl.col("claim_id") == last).then(None)
                               .otherwise(pl.col("record_table")).alias("record_table"))
    path = tmp_path / "claims.csv"
    found = build.write_view("claims", broken, path, slice_rows=5)
    assert found == build._view_problems("claims", collected(broken, "claim_id"))
    assert {(p.column, p.rule) for p in found} == {("record_table", "view")}
    assert not path.exists()


@pytest.mark.parametrize("failing", ["first", "second", "last"])
def test_a_run_of_a_view_that_cannot_be_written_fails_the_view_and_leaves_no_file(
        checked: tuple[dict[str, pl.DataFrame], pl.DataFrame], tmp_path: Path,
        failing: str) -> None:
    """A write that fails (a full disk) while the next run is made is raised, whichever run it
    is, the runs after it are not written, and the view leaves no file."""
    tables, known = checked
    rows = VIEWS["claims"](tables, known)
    runs = -(-collected(rows, "claim_id").height // 5)
    assert runs >= 3
    at = {"first": 1, "second": 2, "last": runs}[failing]
    calls: list[int] = []
    write = build.write_csv

    def full(frame: pl.DataFrame, target: BinaryIO, header: bool = True) -> None:
        calls.append(frame.height)
        if len(calls) == at:
            raise OSError("cannot write: No space left on device (injected)")
        write(frame, target, header)

    path = tmp_path / "claims.csv"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "write_csv", full)
        with pytest.raises(OSError, match="No space left"):
            build.write_view("claims", rows, path, slice_rows=5)
    assert len(calls) == at and not path.exists()


def test_a_view_whose_keys_repeat_is_written_whole(
        checked: tuple[dict[str, pl.DataFrame], pl.DataFrame], tmp_path: Path) -> None:
    tables, known = checked
    rows = VIEWS["events"](tables, known)
    repeated = pl.concat([rows, rows.head(2)])
    path = tmp_path / "events.csv"
    assert build.write_view("events", repeated, path, slice_rows=3) == []
    assert path.read_bytes() == _whole("events", repeated, tmp_path)
    assert len(path.read_bytes().splitlines()) == collected(rows, "event_id").height + 3


def test_the_build_writes_a_plain_evidence_file_in_pieces_and_never_reads_it_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = corpus_path()
    roots = []
    for name in ("pieces", "whole"):
        root = fresh_inputs(tmp_path / name)
        (root / "raw" / "evidence.csv").write_bytes(_broken(PLAIN, []))
        roots.append(root)
    read: list[str] = []
    reader = build.read_raw
    monkeypatch.setattr(build, "read_raw", lambda root, table, problems: (
        read.append(table.name), reader(root, table, problems))[1])
    monkeypatch.setattr(evidence_pieces, "EVIDENCE_PIECE_BYTES", 4096)
    build.build(roots[0], corpus)
    assert "evidence" not in read and "troop_estimates" in read
    monkeypatch.setattr(evidence_pieces, "EVIDENCE_PIECE_BYTES", 2 ** 40)
    monkeypatch.setattr(build, "VIEW_SLICE_ROWS", 7)
    read.clear()
    build.build(roots[1], corpus)
    assert "evidence" in read
    for path in sorted((roots[1] / "build").iterdir()):
        assert (roots[0] / "build" / path.name).read_bytes() == path.read_bytes(), path.name
    assert ((roots[0] / "datapackage.json").read_bytes()
            == (roots[1] / "datapackage.json").read_bytes())


@pytest.mark.parametrize("kind", ["repeat", "swap", "none"])
def test_keys_are_compared_across_a_boundary_between_pieces(tmp_path: Path, kind: str) -> None:
    rows = [list(row) for row in PLAIN]
    at = 40  # the last row of the first piece
    key = COLUMN["evidence_id"]
    if kind == "repeat":
        rows[at + 1][key] = rows[at][key]
    elif kind == "swap":
        rows[at][key], rows[at + 1][key] = rows[at + 1][key], rows[at][key]
    lines = [",".join(row) + "\n" for row in rows]
    root = fresh_inputs(tmp_path / "project")
    (root / "raw" / "evidence.csv").write_text("".join(lines), encoding="utf-8")
    piece = len("".join(lines[:at + 1]).encode("utf-8"))  # the first piece ends after `at`
    found = evidence_pieces.stream_evidence(root, None, tmp_path, tmp_path / "e.csv", [],
                                            piece=piece)
    assert (found is None) == (kind != "none")  # out of key order: read whole


def _ahead_threads() -> list[str]:
    import threading

    return [t.name for t in threading.enumerate() if t.name.startswith("dprk-ahead")]


@settings(max_examples=examples(50))
@given(st.lists(st.integers()), st.integers(0, 60))
def test_ahead_gives_the_items_in_order_and_raises_in_turn(items: list[int], fails: int) -> None:
    """`evidence_pieces.ahead` gives what its iterator gives, in order; what making an item
    raises comes after the items before it; no thread outlives it."""
    def made():
        for number, item in enumerate(items):
            if number == fails:
                raise ValueError(number)
            yield item

    got: list[int] = []
    if fails < len(items):
        with pytest.raises(ValueError, match=f"^{fails}$"):
            got.extend(evidence_pieces.ahead(made()))
        assert got == items[:fails]
    else:
        assert list(evidence_pieces.ahead(made())) == items
    assert _ahead_threads() == []


def test_ahead_stopped_early_closes_its_iterator_and_leaves_no_thread() -> None:
    closed = []

    def made():
        try:
            yield from range(10)
        finally:
            closed.append(True)

    for item in evidence_pieces.ahead(made()):
        if item == 2:
            break
    assert closed == [True] and _ahead_threads() == []
