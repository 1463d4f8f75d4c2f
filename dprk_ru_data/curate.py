"""Curating a new text with the package's own commands: add it as a source, point at evidence.

`add_source` checks a text (UTF-8, its size, no control or invisible characters), copies it into
the corpus folder under the name ``NNN_<hash>.txt`` (the next number after the corpus's highest,
and the first 16 hex digits of the SHA-256 of its bytes), adds its row to the corpus
``MANIFEST.csv`` and to ``raw/sources.csv`` with the next ``src-`` id. A text already in the
corpus is recognised by its SHA-256 and never copied twice. `add_evidence` finds a phrase in a
source's text and appends its evidence row, with the next ``ev-`` id, its offsets and hash.

Every file is written whole: into a temporary file beside it, then renamed over it, so a failure
leaves the previous file as it was. What a command is given is checked before anything is
written; a problem is a `CurationError` naming the file, the column, the value and the rule.

What the commands read of the checkout is `checkout`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .checkout import RAW_DIR, CurationError, checkout, read_rows, sources
from .digest import sha256_hex
from .evidence import (CORPUS_NAME, MAX_TEXT_BYTES, CorpusError, Span, corpus_dir, find_spans,
                       read_text)
from .paths import UnsafePath, read_file, read_inside
from .raw import MAX_RAW_BYTES

__all__ = ["CurationError", "AddedSource", "add_source", "add_evidence", "check_text",
           "csv_line", "evidence_rows", "next_id", "EVIDENCE_COLUMNS"]

MANIFEST = "MANIFEST.csv"
MANIFEST_COLUMNS = ("file", "sha256", "chars")
HASH_DIGITS = 16  # hex digits of the SHA-256 in a corpus file name
_NUMBERED = re.compile(r"^(\d+)_")
_ID = {"sources": ("source_id", "src-", 3), "evidence": ("evidence_id", "ev-", 4)}


# --- writing whole files ------------------------------------------------------------------------

def _replace(folder: Path, name: str, data: bytes) -> None:
    """Write `data` as `folder/name`: into a new temporary file beside it, then renamed over it."""
    temporary = folder / f".{name}.{os.getpid()}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                 0o644)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _appended(root: Path, name: str, row: dict[str, str]) -> int:
    """Append `row` to ``raw/<name>.csv``, written whole; the line it is on."""
    file = f"{RAW_DIR}/{name}.csv"
    data = read_inside(root, file, MAX_RAW_BYTES)
    header = read_rows(root, name)[0]
    missing = [column for column in row if column not in header]
    if missing:
        raise CurationError(file, missing[0], None, "header",
                            "the file has no such column; is it this package's table?", data=True)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([row.get(column, "") for column in header])
    if data and not data.endswith(b"\n"):
        data += b"\n"
    _replace(root / RAW_DIR, f"{name}.csv", data + out.getvalue().encode("utf-8"))
    return data.count(b"\n") + 1  # the editor's line, past cells that hold line breaks


def next_id(rows: list[dict[str, str]], name: str) -> str:
    """The id after the highest of `rows` in table `name` ("src-004" -> "src-005")."""
    column, prefix, width = _ID[name]
    numbers = [int(row[column][len(prefix):]) for row in rows
               if row.get(column, "").startswith(prefix) and row[column][len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=-1) + 1:0{width}d}"


# --- add-source ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AddedSource:
    source_id: str
    corpus_file: str
    sha256: str
    chars: int
    line: int | None  # the line of its row in raw/sources.csv; None where it was there before
    copied: bool  # whether the text was copied into the corpus folder (not already there)


def check_text(path: Path) -> tuple[bytes, str]:
    """The bytes and text of a file given as a new source; `CurationError` where it is not a
    plain UTF-8 text file of at most `MAX_TEXT_BYTES` without control or invisible characters."""
    from .raw import invisible

    shown = str(path)
    try:
        data = read_file(path, MAX_TEXT_BYTES)
    except UnsafePath as refused:
        raise CurationError(shown, None, None, refused.rule, refused.why) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CurationError(shown, None, None, "encoding", f"is not UTF-8 (byte offset "
                                                           f"{error.start}); save it as UTF-8") from None
    if not text.strip():
        raise CurationError(shown, None, None, "empty_text", "holds no text")
    if text.startswith("\ufeff"):
        raise CurationError(shown, None, None, "invisible_character",
                            "starts with a byte-order mark; save it as UTF-8 without one")
    control = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]", text)
    if control:
        raise CurationError(shown, None, None, "control_character",
                            f"holds the control character U+{ord(control.group()):04X} at "
                            f"offset {control.start()}")
    hidden = invisible(text.replace("\u00a0", " "))
    if hidden is not None:
        raise CurationError(shown, None, None, "invisible_character",
                            f"holds the invisible character U+{ord(hidden):04X} at offset "
                            f"{text.index(hidden)}: remove it, or offsets will not match what "
                            "a reader sees")
    return data, text


def _manifest(corpus: Path) -> tuple[bytes, list[dict[str, str]]]:
    try:
        data = read_inside(corpus, MANIFEST, MAX_RAW_BYTES)
    except UnsafePath as refused:
        if refused.rule == "missing_file":
            return b"", []
        raise CurationError(str(corpus / MANIFEST), None, None, refused.rule, refused.why
                            ) from None
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return data, rows


def add_source(path: str | Path, published: str, *, outlet: str | None = None,
               title: str | None = None, author: str | None = None, url: str | None = None,
               kind: str | None = None, note: str | None = None, language: str | None = None,
               root: str | Path = ".", corpus: str | Path | None = None) -> AddedSource:
    """Add the text at `path` to the corpus folder and its row to ``raw/sources.csv``.

    `published` is the publication date as the curator reads it from the text (a date or an
    interval, as `published_text` takes). A text whose SHA-256 is already in the corpus is not
    copied again; one already in ``raw/sources.csv`` is only reported.
    """
    from .normalise.dates import DateError, parse_date
    from .vocab import VOCABULARIES

    root = Path(root)
    if checkout(root) is None:
        raise CurationError(str(root / RAW_DIR / "sources.csv"), None, None, "checkout",
                            "is not a plain file here: run this in a checkout of dprk-ru-data")
    folder = corpus_dir(corpus, project=root)
    if not folder.is_dir():
        raise CurationError(str(folder), None, None, "corpus",
                            "the corpus folder does not exist (give --corpus or set "
                            "$DPRK_CORPUS)")
    sources_file = f"{RAW_DIR}/sources.csv"
    try:
        reading = parse_date(published)
    except DateError as error:
        raise CurationError("--published", "published_text", published, "date", error.why
                            ) from None
    if reading.start is None or reading.end is None:
        raise CurationError("--published", "published_text", published, "date",
                            "a publication date must be closed: a day or an interval")
    if kind is not None and kind not in VOCABULARIES["source_kind"]:
        raise CurationError("--kind", "kind", kind, "vocabulary",
                            f"is not one of {', '.join(VOCABULARIES['source_kind'])}")
    if language is not None:
        from .validate.codes import known_code

        if not (len(language) == 2 and language.islower() and known_code("language", language)):
            raise CurationError("--language", "language", language, "iso_code",
                                "is not an ISO 639-1 code (two lower-case letters: en, ko, ru)")
    if outlet is not None:
        actors = {row.get("actor_id") for row in read_rows(root, "actors")[1]}
        if outlet not in actors:
            raise CurationError(f"{RAW_DIR}/actors.csv", "actor_id", outlet, "reference",
                                "no such actor: add the outlet to raw/actors.csv first")
    data, text = check_text(Path(path))
    digest = sha256_hex(data)
    _, rows = read_rows(root, "sources")
    for row in rows:
        if row.get("corpus_sha256") == digest:
            return AddedSource(row["source_id"], row["corpus_file"], digest, len(text), None,
                               False)
    manifest_data, manifest = _manifest(folder)
    known = {row.get("sha256"): row.get("file", "") for row in manifest}
    name = known.get(digest)
    copied = name is None
    if name is None:
        numbers = [int(m.group(1)) for entry in [*os.listdir(folder), *known.values()]
                   if (m := _NUMBERED.match(entry))]
        name = f"{max(numbers, default=-1) + 1:03d}_{digest[:HASH_DIGITS]}.txt"
        assert CORPUS_NAME.fullmatch(name)
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            line = io.StringIO()
            csv.writer(line, lineterminator="\n").writerow([name, digest, len(text)])
            head = b"" if manifest_data else (",".join(MANIFEST_COLUMNS) + "\n").encode()
            if manifest_data and not manifest_data.endswith(b"\n"):
                manifest_data += b"\n"
            _replace(folder, MANIFEST, head + manifest_data + line.getvalue().encode("utf-8"))
        except BaseException:
            (folder / name).unlink(missing_ok=True)
            raise
    source_id = next_id(rows, "sources")
    row = {"source_id": source_id, "corpus_file": name, "corpus_sha256": digest,
           "corpus_chars": str(len(text)), "outlet_id": outlet or "", "author": author or "",
           "title": title or "", "published_text": published, "kind": kind or "",
           "url": url or "", "language": language or "", "metadata_note": note or ""}
    line_number = _appended(root, "sources", row)
    return AddedSource(source_id, name, digest, len(text), line_number, copied)


# --- add-evidence -------------------------------------------------------------------------------

EVIDENCE_COLUMNS = ("evidence_id", "record_table", "record_id", "field", "source_id",
                    "span_start", "span_end", "span_sha256", "note")


def _source_text(root: Path, source_id: str, corpus: str | Path | None) -> str:
    known = sources(root)
    if source_id not in known:
        raise CurationError(f"{RAW_DIR}/sources.csv", "source_id", source_id, "reference",
                            "no such source")
    folder = corpus_dir(corpus, project=root)
    try:
        return read_text(folder, known[source_id].corpus_file)
    except CorpusError as error:
        raise CurationError(str(folder), "corpus_file", known[source_id].corpus_file,
                            error.rule, str(error)) from None


def _record(root: Path, table: str, record_id: str, field: str | None) -> None:
    from .registry import RECORD_TABLES, TABLES

    holders = [t.name for t in RECORD_TABLES]
    if table not in holders:
        raise CurationError("TABLE", "record_table", table, "vocabulary",
                            f"is not a table of records; one of {', '.join(holders)}")
    header, rows = read_rows(root, table)
    key = TABLES[table].fields[0].name
    if not any(row.get(key) == record_id for row in rows):
        raise CurationError(f"{RAW_DIR}/{table}.csv", key, record_id, "reference",
                            "no such record: add its row first")
    if field is not None and field not in header:
        raise CurationError(f"{RAW_DIR}/{table}.csv", "field", field, "field",
                            f"is not a column of {table}")


def evidence_rows(table: str, record_id: str, source_id: str, spans: list[Span],
                  first_id: str, field: str | None = None, note: str | None = None
                  ) -> list[dict[str, str]]:
    """Evidence rows for `spans`, numbered from `first_id`."""
    prefix, width = _ID["evidence"][1], _ID["evidence"][2]
    start = int(first_id[len(prefix):])
    return [{"evidence_id": f"{prefix}{start + k:0{width}d}", "record_table": table,
             "record_id": record_id, "field": field or "", "source_id": source_id,
             "span_start": str(span.start), "span_end": str(span.end),
             "span_sha256": span.sha256, "note": note or ""} for k, span in enumerate(spans)]


def add_evidence(table: str, record_id: str, source_id: str, phrase: str, *,
                 field: str | None = None, nth: int | None = None, note: str | None = None,
                 root: str | Path = ".", corpus: str | Path | None = None
                 ) -> tuple[dict[str, str], int]:
    """Find `phrase` in the text of `source_id` and append the evidence row that points at it
    for the record `record_id` of `table` (and its `field`, if given); the row and its line.

    A phrase that occurs more than once is refused unless `nth` (1 for the first) says which.
    """
    root = Path(root)
    if checkout(root) is None:
        raise CurationError(str(root / RAW_DIR / "evidence.csv"), None, None, "checkout",
                            "run this in a checkout of dprk-ru-data")
    _record(root, table, record_id, field)
    if not phrase.strip():
        raise CurationError("PHRASE", None, phrase, "phrase", "the phrase is empty")
    spans = find_spans(_source_text(root, source_id, corpus), phrase)
    if not spans:
        raise CurationError(source_id, None, phrase, "phrase", "the phrase does not occur in "
                                                               "the text (check its spelling, "
                                                               "quotes and dashes)")
    if nth is None and len(spans) > 1:
        places = ", ".join(f"{s.start}:{s.end}" for s in spans[:10])
        raise CurationError(source_id, None, phrase, "ambiguous_phrase",
                            f"the phrase occurs {len(spans)} times ({places}); give --nth N "
                            "(1 for the first) or a longer phrase")
    if nth is not None and not 1 <= nth <= len(spans):
        raise CurationError("--nth", None, str(nth), "nth",
                            f"the phrase occurs {len(spans)} time(s)")
    span = spans[(nth or 1) - 1]
    _, rows = read_rows(root, "evidence")
    if any(row.get("record_table") == table and row.get("record_id") == record_id
           and row.get("field", "") == (field or "") and row.get("source_id") == source_id
           and row.get("span_start") == str(span.start) and row.get("span_end") == str(span.end)
           for row in rows):
        raise CurationError(f"{RAW_DIR}/evidence.csv", None, None, "duplicate",
                            "this span already supports this record and field")
    row = evidence_rows(table, record_id, source_id, [span], next_id(rows, "evidence"), field,
                        note)[0]
    return row, _appended(root, "evidence", row)


def csv_line(row: dict[str, str], columns: tuple[str, ...] = EVIDENCE_COLUMNS) -> str:
    """A row as the CSV line it is in its file."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([row.get(c, "") for c in columns])
    return out.getvalue()
