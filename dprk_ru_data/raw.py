"""Reading one hand-curated ``raw/*.csv`` file, with every fault of the file itself located.

Faults found here: a missing or empty file, bytes that are not UTF-8, a missing, duplicated, unknown
or misspelled column, CSV syntax (an unbalanced quote, a row with too many or too few cells, a blank
line), control characters (line breaks inside a cell among them) and cells that a spreadsheet would
run as a formula. Harmless variations are absorbed so that they give the same table: a UTF-8 byte
order mark, CRLF line ends, spaces around values, and a final newline present, absent or repeated.

Every record must sit on one line: a line break inside a cell is refused, so line ``n`` of the file
is always the record at index ``n - 2`` (the header is line 1), which keeps the fast path simple.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import re
import unicodedata
from contextlib import closing
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Iterator

import polars as pl

from .errors import Problem
from .paths import UnsafePath, read_in_pieces, read_inside
from .registry import Table

RAW_DIR = "raw"
HEADER_LINE = 1
LINE = "__line"
# C0 and C1 control characters and DEL: never meant to be in a cell.
CONTROL = r"[\x00-\x1f\x7f-\x9f]"
# Characters that display other than they hold, or not at all: by Unicode category, format
# characters (Cf: bidirectional controls, zero-width characters, the soft hyphen, the tag block,
# U+061C), line and paragraph separators (Zl, Zp), private-use, surrogate and unassigned code
# points (Co, Cs, Cn); and the default-ignorable letters and marks that render as nothing (the
# Hangul fillers, the combining grapheme joiner, variation selectors, Mongolian free variation
# selectors, the Khmer inherent vowels) and the blank Braille pattern.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
INVISIBLE_EXTRA = frozenset(chr(c) for c in (0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B,
                                             0x180C, 0x180D, 0x180F, 0x2800, 0x3164, 0xFFA0,
                                             *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)))
# A cell that a spreadsheet would run as a formula when the CSV is opened in it.
FORMULA = r"^[=+\-@]"
_QUOTED = r'"(?:[^"]|"")*"'
# A well-formed cell: quoted as a whole (inner quotes doubled), or free of quotes and commas.
_CELL = rf'(?:{_QUOTED}|[^",]*)'
# A line of well-formed cells.
_WELL_FORMED = rf'^{_CELL}(?:,{_CELL})*$'
MAX_LISTED = 20
# The largest raw table read: far above any curated table (a million synthetic estimates with
# their evidence fit), and a bound on what one file can make the build hold in memory.
MAX_RAW_BYTES = 2 * 2 ** 30
# A raw file larger than this is read and parsed this much at a time (where it is plain), so that
# its bytes are never all held beside its table.
PIECE_BYTES = 64 * 2 ** 20


@dataclass
class Loaded:
    """A raw table read as strings, with the file it came from and each row's editor line."""

    table: Table
    file: str
    frame: pl.DataFrame


def _decode(data: bytes, file: str, problems: list[Problem]) -> str | None:
    """`data` as text, or None after reporting where its first byte that is not UTF-8 is."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        character = len(data[line_start:error.start].decode("utf-8", errors="replace")) + 1
        bad = data[error.start:error.end]
        problems.append(Problem(
            file, line, None, bad.hex(" "), "encoding",
            f"byte(s) {bad.hex(' ')} at character {character} (byte offset {error.start}) are not "
            "UTF-8; save the file as UTF-8"))
        return None


def _header(first: str, table: Table, file: str, problems: list[Problem]) -> list[str] | None:
    """The header's column names, or None after reporting why it cannot be used."""
    try:
        names = [name.strip() for name in next(csv.reader([first], strict=True))]
    except (csv.Error, StopIteration) as error:
        problems.append(Problem(file, HEADER_LINE, None, first[:80], "csv_syntax",
                                f"the header line cannot be read as CSV: {error}"))
        return None
    expected = table.raw_columns
    if not set(names) & (set(expected) | set(table.derived_columns)):
        separator = next((sep for sep in (";", "\t", "|") if first.count(sep) >= 2), None)
        if len(names) == 1 and separator:
            message = (f"the header is separated by {separator!r}, not by commas; save the file "
                       "as comma-separated values")
        else:
            message = (f"the first line names none of the columns of {table.name}; the header "
                       f"line is missing (it starts: {', '.join(expected[:4])}, ...)")
        problems.append(Problem(file, HEADER_LINE, None, first[:80], "missing_header", message))
        return None
    ok = True
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            problems.append(Problem(file, HEADER_LINE, name, name, "duplicate_column",
                                    f"{name!r} is both column {seen[name]} and column {position}"))
            ok = False
        seen.setdefault(name, position)
    derived = set(table.derived_columns)
    for name in names:
        if name in expected:
            continue
        ok = False
        if name in derived:
            message = f"{name!r} is derived by the build; remove it from raw/"
        elif not name:
            message = "a column has an empty name"
        else:
            nearest = difflib.get_close_matches(name, [c for c in expected if c not in seen],
                                                n=1) or difflib.get_close_matches(name, expected,
                                                                                  n=1)
            hint = f"; did you mean {nearest[0]!r}?" if nearest else ""
            message = f"{name!r} is not a column of {table.name}{hint}"
        problems.append(Problem(file, HEADER_LINE, name, name, "unknown_column", message))
    for name in expected:
        if name not in seen:
            problems.append(Problem(file, HEADER_LINE, name, None, "missing_column",
                                    f"the header lacks the column {name!r}"))
            ok = False
    return names if ok else None


def _lines(data: bytes, file: str, problems: list[Problem]) -> pl.Series | None:
    """The file's lines (without their line ends), read by polars, which also checks the UTF-8.

    Falls back to Python where polars cannot split the file (a unit separator in it) and to
    `_decode` to locate bytes that are not UTF-8.
    """
    try:
        return pl.read_csv(data, has_header=False, separator="\x1f", quote_char=None,
                           schema={"text": pl.String}, empty_string_is_null=False)["text"]
    except pl.exceptions.PolarsError:
        text = _decode(data, file, problems)
        if text is None:
            return None
        return pl.Series("text", text.replace("\r\n", "\n").split("\n"), dtype=pl.String)


def _sound_line(width: int) -> str:
    """A well-formed line of exactly `width` cells. A line splits into well-formed cells one
    way only (a cell without quotes holds no quote and no comma, and a quoted cell ends at the
    first of its quotes that is not doubled), so it matches exactly where it is well-formed and
    its commas outside quotes count `width` cells."""
    return rf'^{_CELL}(?:,{_CELL}){{{width - 1}}}$'


def _line_faults(lines: pl.Series, width: int) -> pl.DataFrame:
    """Per line (vectorised): is the quoting malformed, and does the cell count differ?

    Lines without a quote are counted by their commas; only lines with one go through the
    quoting expressions, and only those that are not sound lines of `width` cells (one
    expression tells both) are told malformed or ragged.
    """
    frame = pl.DataFrame({"text": lines}).lazy().with_row_index("line", offset=1)
    quoted = pl.col("text").str.contains('"', literal=True)
    plain = frame.filter(~quoted).select(
        "line", malformed=pl.lit(False),
        ragged=pl.col("text").str.count_matches(",", literal=True) + 1 != width
    ).filter("ragged")
    # The sound lines are told apart among the quoted ones only (a filter on the flag made after
    # the first filter, so the pattern is not run over the lines without a quote).
    with_quotes = frame.filter(quoted).with_columns(
        __sound=pl.col("text").str.contains(_sound_line(width))).filter(~pl.col("__sound")).select(
        "line", malformed=~pl.col("text").str.contains(_WELL_FORMED),
        ragged=pl.col("text").str.replace_all(_QUOTED, "").str.count_matches(",", literal=True)
        + 1 != width
    ).filter(pl.col("malformed") | pl.col("ragged"))
    return pl.concat([plain, with_quotes]).sort("line").collect(engine="in-memory")


def _locate_syntax(text: str, width: int, faults: pl.DataFrame, file: str,
                   problems: list[Problem]) -> None:
    """Report each structural fault with its line (the slow path, taken only for faulty files)."""
    found = len(problems)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    last = 0
    try:
        for record in reader:
            first, last = last + 1, reader.line_num
            if len(problems) - found >= MAX_LISTED:
                problems.append(Problem(file, first, None, None, "csv_syntax",
                                        f"stopped after {MAX_LISTED} faults of the file's "
                                        "structure; mend these and run again"))
                break
            if last > first:
                problems.append(Problem(
                    file, first, None, None, "control_character",
                    f"a quoted cell runs over lines {first}-{last}: a line break inside a cell "
                    "(U+000A) is not allowed (or a quote is unbalanced); keep each row on one "
                    "line"))
            elif not record:
                problems.append(Problem(file, first, None, None, "csv_syntax",
                                        "the line is blank; remove it"))
            elif len(record) != width:
                problems.append(Problem(
                    file, first, None, None, "csv_syntax",
                    f"the row has {len(record)} cells and the header {width}; check for a "
                    "missing or extra comma, or a comma in an unquoted value"))
    except csv.Error as error:
        problems.append(Problem(file, last + 1, None, None, "csv_syntax",
                                f"unbalanced quote or malformed quoting ({error}); a cell that "
                                'holds a quote must be quoted, with the quote doubled ("")'))
    if len(problems) == found:
        # Python's reader accepts a quote inside an unquoted value; polars and spreadsheets do not.
        for line in faults.filter("malformed")["line"].head(MAX_LISTED).to_list():
            problems.append(Problem(file, line, None, None, "csv_syntax",
                                    "a quote is unbalanced or stands inside an unquoted value; "
                                    'quote the whole cell and double the quote inside ("")'))


def _character_name(text: str) -> str:
    char = next(c for c in text if unicodedata.category(c) == "Cc")
    name = {"\t": "tab", "\r": "carriage return", "\n": "line feed"}.get(char, "control character")
    return f"U+{ord(char):04X} ({name})"


def invisible(text: str) -> str | None:
    """The first character of `text` that displays other than it is, or not at all (see
    `INVISIBLE_CATEGORIES`), or None.

    >>> invisible("Kim\u00adJong Un"), invisible("Kim Jong Un")
    ('\xad', None)
    """
    if text.isascii():
        return None
    return next((c for c in text if c in INVISIBLE_EXTRA
                 or unicodedata.category(c) in INVISIBLE_CATEGORIES), None)


def _invisible_name(text: str) -> str:
    char = invisible(text) or ""
    category = unicodedata.category(char)
    kind = {"Cf": "a format character", "Zl": "a line separator", "Zp": "a paragraph separator",
            "Cn": "an unassigned code point", "Co": "a private-use character",
            "Cs": "a surrogate"}.get(category, "a character that renders as nothing")
    return (f"U+{ord(char):04X} ({unicodedata.name(char, 'no name').lower()}), {kind} "
            f"(category {category})")


def _has_control(text: str) -> bool:
    return re.search(CONTROL, text) is not None


_HELD = "\x1f"  # a unit separator (refused itself) holds the place of a carriage return
# Characters a cell may not hold, each with its rule and how to name the one found.
_FORBIDDEN = ((_has_control, "control_character", "the control character", _character_name),
              (lambda text: invisible(text) is not None, "invisible_character",
               "the invisible character", _invisible_name))


def _check_control_characters(lines: pl.Series, file: str, problems: list[Problem]) -> None:
    """Control characters, and invisible ones that make a cell show other than it holds (bidi
    overrides, zero-width and other format characters, separators, fillers), anywhere in the
    file. One vectorised pass picks the lines with a control or a non-ASCII character; only those
    are looked at character by character."""
    flagged = (pl.DataFrame({"text": lines}).with_row_index("line", offset=1)
               .filter(pl.col("text").str.contains(f"{CONTROL}|[^\\x00-\\x7f]")))
    header = [name.strip() for name in next(csv.reader([lines[0]]))]
    for line, text in flagged.iter_rows():
        if not _has_control(text) and invisible(text) is None:
            continue
        # The csv module would end the record at a carriage return: it is set aside while the
        # line is split into cells, then put back, so that the cell holding it is named.
        split = next(csv.reader([text.replace("\r", _HELD)]), [])
        cells = [(name, value.replace(_HELD, "\r")) for name, value in zip(header, split)]
        for name, value in cells:
            for found, rule, what, describe in _FORBIDDEN:
                if found(value):
                    problems.append(Problem(file, line, name, value, rule,
                                            f"{value[:40]!r} contains {what} "
                                            f"{describe(value)}; remove it"))


def check_formulas(loaded: Loaded, problems: list[Problem]) -> None:
    """Free-text cells that a spreadsheet would run as a formula."""
    columns = loaded.table.free_text_columns
    if not columns:
        return
    # The rows with any such cell, found in one query (valid tables have none); then each column.
    frame = loaded.frame.lazy().select(LINE, *columns).filter(
        pl.any_horizontal(pl.col(column).str.contains(FORMULA) for column in columns)
    ).collect(engine="in-memory")
    for column in columns if frame.height else ():
        bad = frame.filter(pl.col(column).str.contains(FORMULA)).select(LINE, column)
        for line, value in bad.iter_rows():
            problems.append(Problem(
                loaded.file, line, column, value, "formula",
                f"{value[:40]!r} starts with {value[0]!r}, which a spreadsheet would run as "
                "a formula; reword it so that it starts with a letter or digit"))


def _checked_frame(data: bytes, table: Table, file: str,
                   problems: list[Problem]) -> pl.DataFrame | None:
    """The file parsed as strings after every line's structure and characters are checked,
    each fault located; None where it cannot be read."""
    lines = _lines(data, file, problems)
    if lines is None:
        return None
    names = _header(lines[0], table, file, problems)
    if names is None:
        return None
    faults = _line_faults(lines, len(names))
    if faults.height:
        text = data.decode("utf-8").replace("\r\n", "\n")
        _locate_syntax(text, len(names), faults, file, problems)
        return None
    if not _plain_bytes(data):
        _check_control_characters(lines, file, problems)  # only where there can be any
    del lines  # free the lines before the table is parsed
    try:
        return pl.read_csv(data, infer_schema=False, empty_string_is_null=True,
                           new_columns=names)
    except pl.exceptions.PolarsError as error:  # pragma: no cover - the structure was checked
        problems.append(Problem(file, None, None, None, "csv_syntax",
                                f"cannot be read as CSV: {str(error).splitlines()[0]}"))
        return None


# The bytes of a plain file: printable ASCII and line ends.
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\n\r"


def _plain_bytes(data: bytes) -> bool:
    """Whether `data` holds only printable ASCII and line ends (LF, or CRLF: a carriage return
    elsewhere is a control character), told without looking at each line."""
    if not data.isascii() or data.translate(None, _PLAIN_BYTES):
        return False
    return b"\r" not in data or data.count(b"\r") == data.count(b"\r\n")


def _plain_frame(data: bytes, table: Table) -> pl.DataFrame | None:
    """The file parsed in one pass, where that alone shows it sound: no quote anywhere, a header
    naming exactly the table's columns, one record per line with as many cells as the header
    (every comma separates cells, so the file's commas count them), and only printable ASCII and
    line ends in it. None otherwise, and `_checked_frame` then reads the file and locates its faults.
    """
    read = _streamed(iter([data]), table)
    return None if read is None else read[0]


# Printable ASCII but the quote and the comma: the bytes that `_plain_counts` takes out first.
_PLAIN_UNCOUNTED = bytes(byte for byte in range(0x20, 0x7F) if byte not in b'",')


def _plain_counts(data: bytes) -> tuple[int, int] | None:
    """The line feeds and the commas of `data`, where it holds no quote and is plain (as
    `_plain_bytes` tells); None otherwise. A quote, the usual reason a file is not plain (a cell
    that holds a comma), is looked for first, by a far faster scan than what follows. Then the
    bytes are translated once: what is left once the printable ones but the quote and the comma
    are taken out (a small part of a plain file) is all that is looked at after."""
    if b'"' in data:
        return None
    rest = data.translate(None, _PLAIN_UNCOUNTED)
    if rest.translate(None, b"\n\r,"):  # a control character or a byte beyond ASCII
        return None
    if b"\r" in rest and data.count(b"\r") != data.count(b"\r\n"):
        return None
    return rest.count(b"\n"), rest.count(b",")


class NotPlain(Exception):
    """A file that `plain_pieces` cannot vouch for: its reader reads it whole instead, on the
    checked path that locates its faults."""


def plain_pieces(pieces: Iterator[bytes], table: Table
                 ) -> Iterator[tuple[pl.DataFrame, bytes]]:
    """Each of `pieces` (each ending after a line feed, the file's byte order mark cut) parsed as
    strings, with the piece itself, where the file is plain (see `_plain_frame`): so that
    the bytes of a large file are never all held, nor, where the caller takes each piece's rows in
    turn, its whole table. Raises `NotPlain` at the first piece that is not plain, or after the
    last where the file's lines and commas do not count its rows and cells: a caller drops what it
    took from the pieces then."""
    names: list[str] = []
    lines = commas = rows = 0
    last = b""
    for piece in pieces:
        counts = _plain_counts(piece)
        if counts is None:
            raise NotPlain
        first = not last
        if first:
            end = piece.find(b"\n")
            names = [name.strip() for name in piece[:end if end >= 0 else len(piece)].decode()
                     .split(",")]
            if sorted(names) != sorted(table.raw_columns):
                raise NotPlain
        try:
            frame = pl.read_csv(piece, has_header=first, new_columns=names, infer_schema=False,
                                empty_string_is_null=True)
        except pl.exceptions.PolarsError:
            raise NotPlain from None
        lines += counts[0]
        commas += counts[1]
        rows += frame.height
        last = piece
        yield frame, piece
    lines += not last.endswith(b"\n")
    if not last or rows != lines - 1 or commas != (len(names) - 1) * lines:
        raise NotPlain


def _streamed(pieces: Iterator[bytes], table: Table) -> tuple[pl.DataFrame, bool] | None:
    """The file of `pieces` parsed a piece at a time (`plain_pieces`) into one table, with
    whether the file holds a space; None where it is not plain, and the caller then reads the
    file whole (the checked path locates its faults)."""
    frames: list[pl.DataFrame] = []
    spaced = False
    try:
        for frame, piece in plain_pieces(pieces, table):
            frames.append(frame)
            spaced = spaced or b" " in piece
    except NotPlain:
        return None
    return pl.concat(frames), spaced


def padded(frame: pl.DataFrame, table: Table, spaced: bool) -> list[bool]:
    """Whether each of the table's columns holds a value with a space before or after it, in the
    strings of a raw table (or of a run of its rows). `spaced`: whether the text holds a space at
    all (where it does not, no column is looked at)."""
    if not spaced:
        return [False] * len(table.raw_columns)
    return list(frame.select(
        (pl.col(c).str.starts_with(" ") | pl.col(c).str.ends_with(" ")).any()
        for c in table.raw_columns).row(0))


def tidied(frame: pl.DataFrame, table: Table, spaced: bool,
           first_line: int = HEADER_LINE + 1, pads: list[bool] | None = None) -> pl.DataFrame:
    """The strings of a raw table (or of a run of its rows, the first on `first_line`) stripped of
    the spaces around them, empty as null, in the table's order of columns, with each row's line.
    `spaced`: whether the text holds a space at all (where it does not, nothing is stripped);
    `pads`: the columns to strip, where `padded` has told them already."""
    # Spaces are stripped only in the columns that have any (checking is cheaper; in a file
    # without a space, none).
    pads = padded(frame, table, spaced) if pads is None else pads
    return frame.select(
        [pl.when((stripped := pl.col(c).str.strip_chars(" ")) != "").then(stripped).alias(c)
         if pad else pl.col(c) for c, pad in zip(table.raw_columns, pads)]
    ).with_row_index(LINE, offset=first_line).with_columns(pl.col(LINE).cast(pl.Int64))


def whole_or_pieces(pieces: Iterator[bytes]) -> tuple[bytes, Iterator[bytes] | None]:
    """A file read in `pieces` (`paths.read_in_pieces`): its bytes, where it is one piece; else
    no bytes and every piece in turn, the byte order mark cut, none held here once handed on."""
    first = next(pieces)
    second = next(pieces, None)
    if second is None:
        return first, None
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8):]
    return b"", chain([first, second], pieces)


def _refused(file: str, table: Table, error: OSError, problems: list[Problem]) -> None:
    """Report why `file` was not read: refused by the path policy, or unreadable."""
    if isinstance(error, UnsafePath):
        message = (f"the table {table.name!r} has no file" if error.rule == "missing_file"
                   else error.why)
        problems.append(Problem(file, None, None, None, error.rule, message))
    else:
        problems.append(Problem(file, None, None, None, "unreadable_file",
                                f"cannot be read: {error.strerror or error}"))


def read_raw(root: Path, table: Table, problems: list[Problem],
             piece: int = PIECE_BYTES) -> Loaded | None:
    """Read `root/raw/<table>.csv` as strings, stripped, empty as null, with each row's line.

    A file larger than `piece` bytes is read and parsed that much at a time where it is plain
    (`_streamed`); any other is read whole. Appends every fault found to `problems`; returns None
    where the table cannot be read at all.
    """
    file = f"{RAW_DIR}/{table.name}.csv"
    streamed, data = None, b""
    try:  # a link, a FIFO, a device or an oversized file is refused before it is read
        with closing(read_in_pieces(root, file, MAX_RAW_BYTES, piece)) as pieces:
            data, every = whole_or_pieces(pieces)
            if every is not None:  # a large file: no piece is held once it is parsed
                streamed = _streamed(every, table)
                if streamed is None:  # read whole, for the checks that locate its faults
                    data = read_inside(root, file, MAX_RAW_BYTES)
    except OSError as error:  # refused by the path policy (UnsafePath), or unreadable
        _refused(file, table, error, problems)
        return None
    if streamed is not None:
        frame, spaced = streamed
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        # A final newline, present, absent or repeated, is harmless. One is left as it is (polars
        # reads it); only a repeated one is cut, as cutting copies the file.
        end = len(data)
        while end and data[end - 1] in b"\r\n":
            end -= 1
        if len(data) - end > 2 or (len(data) - end == 2 and data[end:] != b"\r\n"):
            data = data[:end]
        if not data or data.isspace():
            problems.append(Problem(file, HEADER_LINE, None, None, "empty_file",
                                    "the file is empty; it needs at least the header line"))
            return None
        read = _plain_frame(data, table)
        if read is None:
            read = _checked_frame(data, table, file, problems)
            if read is None:
                return None
        frame = read
        spaced = b" " in data
        del data
    frame = tidied(frame, table, spaced)
    loaded = Loaded(table, file, frame)
    check_formulas(loaded, problems)
    return loaded
