"""The evidence table checked and written a piece at a time, for a build.

The evidence is by far the largest table (several rows for every record), and a build need not
hold it whole. Where its raw file is large (more than one piece, `EVIDENCE_PIECE_BYTES`), plain
(`raw.plain_pieces`) and in key order, each piece of the file is typed and checked by every rule
that reads a row on its own: formulas, types, the schema and its row rules, codes, the field a
row names, its source, its span (`evidence.check_spans`, each corpus text read once); `CHECKERS`
pieces at a time, what each finds taken in the pieces' order. Its keys are
compared with their neighbours, the last key of the piece before among them: keys that rise from
the first row to the last are unique and already in the order the build writes, so each piece is
written to the built file as soon as it is checked: as it was read, where its bytes are already
those the build writes (`_as_written`), as curated evidence usually is. Only each table's part of
what the checks across tables and the views read is kept (`linked.evidence_parts`).

Any other evidence file (small, or with a quote, a character outside printable ASCII, a fault of
its structure, or keys out of order) is read whole, as every other table is. Either way the build
finds the same problems and writes the same bytes.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

import polars as pl

from .digest import Running
from .errors import Problem
from .evidence import check_spans
from .linked import Parts, evidence_parts, marked_sorted
from .paths import read_in_pieces
from .raw import (HEADER_LINE, LINE, MAX_RAW_BYTES, RAW_DIR, Loaded, NotPlain, check_formulas,
                  padded, plain_pieces, tidied, whole_or_pieces)
from .registry import TABLES
from .validate import (cast, check_codes, check_evidence_fields, check_foreign_keys, increasing,
                       record_keys, validate)

EVIDENCE = TABLES["evidence"]
T = TypeVar("T")
# The evidence is read this much at a time: less than other large files (`raw.PIECE_BYTES`), as
# more is made of each piece here (its typed rows, the checks' own copies) before it is freed.
EVIDENCE_PIECE_BYTES = 16 * 2 ** 20


def write_csv(frame: pl.DataFrame, target: Path | BinaryIO, header: bool = True) -> None:
    """Write `frame` as the build writes a table: UTF-8 CSV, LF line ends, ISO dates, empty for
    null; to a new file at `target`, or after what an open file holds (`header`: whether to
    start with the header line). A table written in runs of rows, the first with the header,
    has the bytes of the table written at once."""
    try:
        frame.write_csv(target, include_header=header, line_terminator="\n",
                        date_format="%Y-%m-%d")
    except pl.exceptions.PolarsError as error:  # an I/O fault as polars reports it
        raise OSError(f"cannot write {target}: {error}") from error


@dataclass
class Streamed:
    """The evidence as a build holds it once it is checked and written a piece at a time: the
    file and its table, typed, without their rows (`loaded`, `typed`), each table's part of
    the rows (`parts`, as `linked.evidence_parts` splits them), and the size and ``sha256:``
    hash of the bytes written (`written`), taken as they were written."""

    loaded: Loaded
    typed: pl.DataFrame
    parts: Parts
    written: tuple[int, str]


class _Unread(Exception):
    """The raw file could not be read a piece at a time: the build reads it as any other, and
    reports why."""


def _read(root: Path, file: str, piece: int) -> Iterator[bytes]:
    """The pieces of `root/file` (see `paths.read_in_pieces`), the byte order mark cut, and
    `_Unread` where the file cannot be opened or read, or is one piece only. No piece is held
    here once it is handed on."""
    try:
        with closing(read_in_pieces(root, file, MAX_RAW_BYTES, piece)) as pieces:
            _, every = whole_or_pieces(pieces)
            if every is None:
                raise _Unread  # a small file: read whole, as it is in one piece anyway
            yield from every
    except OSError:  # the path policy's refusal (UnsafePath) or an I/O fault
        raise _Unread from None


_END = object()


def ahead(items: Iterator[T]) -> Iterator[T]:
    """`items` in their order, each made in a thread of its own while the caller works on the
    one before (polars parses a piece with the interpreter's lock let go, so the two overlap):
    at most one item is made ahead. What making an item raises is raised here, in its turn.
    Where the caller stops early, the item being made is waited for, `items` is closed, and no
    thread is left behind."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="dprk-ahead")
    try:
        coming = pool.submit(next, items, _END)
        while (item := coming.result()) is not _END:
            coming = pool.submit(next, items, _END)
            yield item  # type: ignore[misc]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        close = getattr(items, "close", None)
        if close is not None:
            close()


# The built evidence file's header line, as `write_csv` writes it; and the columns whose text
# the build writes other than it reads it where it is not in their canonical form.
_HEADER = ",".join(EVIDENCE.columns).encode()
_NUMBERS = [f.name for f in EVIDENCE.fields if f.type == "integer"]
_AS_READ = {f.type for f in EVIDENCE.fields} <= {"string", "integer"}  # (a date, say, is not)


def _as_written(data: bytes, ordered: bool, pads: list[bool], loaded: Loaded,
                typed: pl.DataFrame) -> bool:
    """Whether a plain piece of the raw file (`data`) is, byte for byte, what `write_csv` writes
    of its typed rows, so that it is written as it was read (most curated files are: the build
    then writes no copy of its own). So it is where the file's header names the columns in the
    built order (`ordered`: the header line is `_HEADER`), the piece's lines end in a line feed
    alone, no value had spaces around it (`pads`, from `raw.padded`), and each number is written
    as polars writes it (no sign, no leading zero); a plain piece holds no quote, so no value of
    it is quoted when written, and an empty cell is read as null and written empty."""
    if not (_AS_READ and ordered) or any(pads) or b"\r" in data:
        return False
    return all(typed[c].cast(pl.String).eq_missing(loaded.frame[c]).all() for c in _NUMBERS)


@dataclass
class _Context:
    """What the check of every piece reads: the sources' keys and table, the corpus, the files
    that problems name, the texts read so far (shared by the pieces, each read once or, where
    two pieces ask at once, twice alike), and whether the header is in the built order."""

    keys: dict[str, pl.DataFrame]
    sources: pl.DataFrame | None
    corpus: Path
    files: tuple[str, str]
    texts: dict[tuple[str, str, str], str | list[Problem]]
    ordered: bool


@dataclass
class _Piece:
    """A piece checked: its problems, its first and last keys, each table's part of its rows,
    the bytes it adds to the built file, and (for the first) the table without its rows. Where
    its keys do not rise (`rising` false) nothing else is made."""

    rising: bool
    first: str | None = None
    last: str | None = None
    found: list[Problem] = field(default_factory=list)
    parts: dict[str, pl.DataFrame] = field(default_factory=dict)
    out: bytes = b""
    hollow: tuple[Loaded, pl.DataFrame] | None = None


def _check(frame: pl.DataFrame, data: bytes, line: int, header: bool, context: _Context
           ) -> _Piece:
    """Type and check one piece (`frame`, parsed from its bytes `data`, its first row on `line`)
    by every rule that reads a row on its own; with the header line where `header`."""
    pads = padded(frame, EVIDENCE, b" " in data)
    loaded = Loaded(EVIDENCE, context.files[0], tidied(frame, EVIDENCE, any(pads), line, pads))
    del frame
    found: list[Problem] = []
    check_formulas(loaded, found)
    typed = cast(loaded, found)
    ids = typed[EVIDENCE.key].drop_nulls()
    if not increasing(ids):
        return _Piece(rising=False)
    validate(loaded, typed, found)
    check_codes(loaded, typed, found)
    check_evidence_fields({EVIDENCE.name: typed}, {EVIDENCE.name: loaded}, found)
    check_foreign_keys(loaded, typed, context.keys, found)
    if context.sources is not None:
        check_spans(typed, context.sources, context.corpus, context.files, found, context.texts)
    if _as_written(data, context.ordered, pads, loaded, typed):
        out = data if data.endswith(b"\n") else data + b"\n"
    else:
        buffer = io.BytesIO()
        write_csv(typed.drop(LINE), buffer, header=header)
        out = buffer.getvalue()
    return _Piece(True, ids[0] if ids.len() else None, ids[-1] if ids.len() else None, found,
                  evidence_parts(typed), out,
                  (Loaded(EVIDENCE, context.files[0], loaded.frame.clear()), typed.clear())
                  if header else None)


# Pieces checked at once, each in a thread of its own (most of a check is polars, which lets go
# of the interpreter's lock): the cores a piece's own queries leave idle check the next.
CHECKERS = 2


def stream_evidence(root: Path, sources: pl.DataFrame | None, corpus: Path, target: Path,
                    problems: list[Problem], piece: int | None = None) -> Streamed | None:
    """Read, check and write ``root/raw/evidence.csv`` a piece of `piece` bytes at a time
    (default `EVIDENCE_PIECE_BYTES`; see the module's docstring): its rows typed and written to
    `target` (a new file, the built table), every problem the build finds in its rows on their
    own added to `problems`.

    `sources` is the typed sources table (None where it could not be read), for the rows'
    sources and spans; `corpus`, the folder of the texts. Returns None, adding no problem and
    leaving no file at `target`, where the file is to be read whole instead.

    The pieces are checked `CHECKERS` at a time while the next is read and parsed; what each
    finds is taken in the pieces' order, so the problems, the parts and the bytes written are
    those of a check of one piece after another.
    """
    file = f"{RAW_DIR}/{EVIDENCE.name}.csv"
    found: list[Problem] = []
    split: dict[str, list[pl.DataFrame]] = {}
    context = _Context(record_keys({"sources": sources}) if sources is not None else {},
                       sources, corpus, (file, f"{RAW_DIR}/sources.csv"), {}, False)
    hollow: tuple[Loaded, pl.DataFrame] | None = None
    last: str | None = None
    line = HEADER_LINE + 1
    done = False
    written = Running()  # the built file's size and hash, so that it need not be read back

    def take(checked: _Piece, out: BinaryIO) -> bool:
        """Add what a piece found, in its turn; False where its keys do not follow on."""
        nonlocal hollow, last
        if not checked.rising or (last is not None and checked.first is not None
                                  and checked.first <= last):
            return False  # not in key order: read whole, where repeats are found
        last = checked.last if checked.last is not None else last
        found.extend(checked.found)
        for name, part in checked.parts.items():
            split.setdefault(name, []).append(part)
        out.write(checked.out)
        written.update(checked.out)
        hollow = hollow or checked.hollow
        return True

    try:
        with target.open("xb") as out, \
                ThreadPoolExecutor(CHECKERS, thread_name_prefix="dprk-check") as checks:
            pending: deque[Future[_Piece]] = deque()
            pieces = _read(root, file, EVIDENCE_PIECE_BYTES if piece is None else piece)
            whole = False
            try:
                # The next piece is read and parsed while these are checked.
                for index, (frame, data) in enumerate(ahead(plain_pieces(pieces, EVIDENCE))):
                    if index == 0:  # the first piece, which starts with the header
                        context.ordered = data.split(b"\n", 1)[0] == _HEADER
                    pending.append(checks.submit(_check, frame, data, line, index == 0, context))
                    line += frame.height
                    del frame, data
                    if len(pending) == CHECKERS and not take(pending.popleft().result(), out):
                        return None
            except (NotPlain, _Unread):
                whole = True  # once the pieces before are taken: what they raise comes first
            while pending:
                if not take(pending.popleft().result(), out):
                    return None
            if whole:
                return None
        done = hollow is not None
    finally:
        if not done:
            target.unlink(missing_ok=True)
    assert hollow is not None
    problems.extend(found)
    # Each table's part in one piece of memory (a group-by over pieces copies them all at once),
    # and sorted by record in the same copy, so that each group-by per record after reads it in
    # runs (no step reads the order of a part's rows); a table at a time, its pieces freed as
    # it is made.
    parts = {name: marked_sorted(pl.concat(split.pop(name), rechunk=False)
                                 .sort("record_id", maintain_order=True))
             for name in list(split)}
    return Streamed(hollow[0], hollow[1], parts, (written.size, written.prefixed()))
