"""The raw reader's one-pass path agrees with the checked path: it accepts only files the checked
path reads without a fault, and reads them to the same table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from dprk_ru_data.errors import Problem
from dprk_ru_data.raw import (_checked_frame, _line_faults, _plain_bytes, _plain_counts,
                              _plain_frame)
from dprk_ru_data.registry import STORED

from .conftest import examples

TABLE = STORED["disagreements"]
# Characters that matter to the structure or to the character checks, and ordinary ones.
CELL = st.text(alphabet=st.sampled_from(list('ab 1,"\t\r\u00e9\u200b=-')), max_size=6)


@st.composite
def raw_files(draw: st.DrawFn) -> bytes:
    columns = list(TABLE.raw_columns)
    if draw(st.booleans()):
        columns = draw(st.permutations(columns))
    width = len(columns)
    rows = draw(st.lists(st.lists(CELL, min_size=width - 1, max_size=width + 1), max_size=6))
    lines = [",".join(columns)]
    for cells in rows:
        quoted = draw(st.booleans())
        lines.append(",".join('"' + c.replace('"', '""') + '"' if quoted else c for c in cells))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(1, len(lines))), "")
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return (end.join(lines) + draw(st.sampled_from(["", end]))).encode("utf-8")


def cell_count(line: str) -> int | None:
    """The cells of a CSV line split by hand (a cell quoted whole, its quotes doubled, or free of
    quotes and commas); None where the line cannot be split so."""
    at, cells = 0, 0
    while True:
        if line.startswith('"', at):
            at += 1
            while True:
                close = line.find('"', at)
                if close < 0:
                    return None
                if not line.startswith('"', close + 1):
                    at = close + 1
                    break
                at = close + 2  # a doubled quote, inside the cell
        else:
            ends = [found for found in (line.find(",", at), line.find('"', at)) if found >= 0]
            at = min(ends, default=len(line))
            if line.startswith('"', at):
                return None  # a quote inside a cell that is not quoted
        cells += 1
        if at == len(line):
            return cells
        if line[at] != ",":
            return None  # text after a quoted cell's closing quote
        at += 1


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list('a,"')), max_size=12)
                | st.text(alphabet=st.sampled_from(list('a,"\r \u00e9')), max_size=12),
                min_size=1, max_size=8), st.integers(1, 4))
def test_a_line_is_a_fault_exactly_where_it_does_not_split_into_the_header_s_cells(
        lines: list[str], width: int) -> None:
    """`_line_faults` flags a line exactly where it does not split into `width` cells, and calls
    it malformed exactly where it cannot be split at all."""
    faults = _line_faults(pl.Series("text", lines, dtype=pl.String), width)
    found = {line: malformed for line, malformed in faults.select("line", "malformed").iter_rows()}
    expected = {number: count is None for number, line in enumerate(lines, start=1)
                if (count := cell_count(line)) != width}
    assert found == expected


@settings(max_examples=examples(400), deadline=None)
@given(raw_files())
def test_the_one_pass_path_accepts_only_what_the_checked_path_reads_the_same(data: bytes
                                                                              ) -> None:
    plain = _plain_frame(data, TABLE)
    if plain is None:
        return
    problems: list[Problem] = []
    checked = _checked_frame(data, TABLE, "raw/disagreements.csv", problems)
    assert problems == []
    assert checked is not None
    assert_frame_equal(plain, checked)


@settings(max_examples=examples(400), deadline=None)
@given(st.binary(max_size=40) | st.lists(st.sampled_from(
    [b"a", b",", b"\n", b"\r", b"\r\n", b'"', b" ", b"\t", b"\x7f", b"\x00", b"\xc3\xa9",
     b"\x80"]), max_size=20).map(b"".join))
def test_the_one_scan_of_a_piece_is_the_plain_rule_and_the_two_counts(data: bytes) -> None:
    """`_plain_counts` (one scan of a piece) tells what `_plain_bytes` and a quote tell, and
    counts the line feeds and commas a piece's structure is checked by."""
    plain = b'"' not in data and _plain_bytes(data)
    assert _plain_counts(data) == ((data.count(b"\n"), data.count(b",")) if plain else None)


def test_the_one_pass_path_reads_a_plain_file_and_leaves_the_rest_to_the_checked_path(
) -> None:
    header = ",".join(TABLE.raw_columns)
    row = ",".join("x" for _ in TABLE.raw_columns)
    sound = f"{header}\n{row}\n{row}\n".encode()
    frame = _plain_frame(sound, TABLE)
    assert frame is not None and frame.height == 2
    assert frame.columns == list(TABLE.raw_columns)
    short = f"{header}\n{row}\n{row.rsplit(',', 1)[0]}\n".encode()  # a cell missing
    blank = f"{header}\n{row}\n\n{row}\n".encode()
    tabbed = row.replace("x", "x\tx", 1)
    tab = f"{header}\n{tabbed}\n".encode()
    quoted, accented = sound.replace(b"x", b'"x"', 1), sound.replace(b"x", "\u00e9".encode(), 1)
    for other in (short, blank, tab, quoted, accented):
        assert _plain_frame(other, TABLE) is None, other
    for readable in (quoted, accented):  # sound, but for the checked path to vouch for
        problems: list[Problem] = []
        assert isinstance(_checked_frame(readable, TABLE, "raw/d.csv", problems), pl.DataFrame)
        assert problems == []


def test_a_carriage_return_inside_a_cell_is_reported_by_either_path() -> None:
    header = ",".join(TABLE.raw_columns)
    row = ",".join("x" for _ in TABLE.raw_columns)
    for quoted in (False, True):
        cell = '"x\rx"' if quoted else "x\rx"
        data = f"{header}\r\n{row}\r\n{cell}{row[1:]}\r\n".encode()
        assert _plain_frame(data, TABLE) is None
        problems: list[Problem] = []
        _checked_frame(data, TABLE, "raw/d.csv", problems)
        assert [p.rule for p in problems] == ["control_character"], problems
        assert problems[0].line == 3


@st.composite
def mostly_plain_files(draw: st.DrawFn) -> bytes:
    """Files of whole rows of plain cells (what a large curated table is), some with one fault
    of the kinds the one-pass path must leave to the checked path."""
    columns = list(TABLE.raw_columns)
    plain = st.text(alphabet=st.sampled_from(list("ab 1-=")), max_size=4)
    rows = draw(st.lists(st.lists(plain, min_size=len(columns), max_size=len(columns)),
                         max_size=12))
    lines = [",".join(columns)] + [",".join(cells) for cells in rows]
    fault = draw(st.sampled_from(["none", "none", "short", "long", "blank", "quote", "tab",
                                  "accent", "cr"]))
    if fault != "none" and len(lines) > 1:
        at = draw(st.integers(1, len(lines) - 1))
        lines[at] = {"short": lines[at].rsplit(",", 1)[0], "long": lines[at] + ",x",
                     "blank": "", "quote": '"' + lines[at], "tab": lines[at] + "\t",
                     "accent": lines[at] + "\u00e9", "cr": lines[at] + "\r"}[fault]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return (end.join(lines) + draw(st.sampled_from(["", end, end * 2]))).encode("utf-8")


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(raw_files(), mostly_plain_files()), st.integers(1, 40), st.booleans())
def test_a_file_read_in_pieces_reads_as_the_file_read_whole(data: bytes, piece: int,
                                                             bom: bool) -> None:
    import codecs
    import tempfile

    from dprk_ru_data.raw import read_raw

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "raw").mkdir()
        (Path(folder) / "raw" / f"{TABLE.name}.csv").write_bytes(
            (codecs.BOM_UTF8 if bom else b"") + data)

        def read(size: int) -> tuple[pl.DataFrame | None, list[Problem]]:
            problems: list[Problem] = []
            loaded = read_raw(Path(folder), TABLE, problems, piece=size)
            return (None if loaded is None else loaded.frame), sorted(problems, key=repr)

        (pieces, pieces_problems), (whole, whole_problems) = read(piece), read(2 ** 30)
    assert pieces_problems == whole_problems
    assert (pieces is None) == (whole is None)
    if pieces is not None and whole is not None:
        assert_frame_equal(pieces, whole)


def test_a_large_plain_file_is_never_read_whole(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import dprk_ru_data.raw as raw

    header = ",".join(TABLE.raw_columns)
    rows = [",".join(f"r{n}c{c}" for c in range(len(TABLE.raw_columns))) for n in range(50)]
    (tmp_path / "raw").mkdir()
    path = tmp_path / "raw" / f"{TABLE.name}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    whole: list[str] = []
    monkeypatch.setattr(raw, "read_inside", lambda *a: whole.append("read") or b"")
    problems: list[Problem] = []
    loaded = raw.read_raw(tmp_path, TABLE, problems, piece=64)
    assert problems == [] and whole == []  # parsed a piece at a time, never read whole
    assert loaded is not None and loaded.frame.height == len(rows)
    assert loaded.frame[TABLE.raw_columns[0]].to_list() == [f"r{n}c0" for n in range(50)]
    path.write_text("\n".join([header, '"q"' + rows[0][2:], *rows[1:]]) + "\n", encoding="utf-8")
    raw.read_raw(tmp_path, TABLE, [], piece=64)
    assert whole == ["read"]  # a quote: read whole, for the checked path
