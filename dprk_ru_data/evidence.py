"""Evidence spans: the one check that a span lies in its text and hashes to what is recorded, and
finding a phrase in a corpus text.

A span is ``text[start:end]`` of the corpus text decoded as UTF-8 (Python str indices, start
inclusive, end exclusive); its hash is the SHA-256 of the span encoded as UTF-8. `check_spans` is
used by the build (on ``raw/``), by `check-build` and by `verify-evidence` (on a built package).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from .digest import sha256_hex
from .errors import DataError, Problem
from .paths import UnsafePath, read_inside

if TYPE_CHECKING:
    import polars as pl

CORPUS_ENV = "DPRK_CORPUS"
LINE = "__line"  # the column holding each row's line in its file (as raw.LINE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    sha256: str


def span_sha256(text: str) -> str:
    """The hash recorded for a span: the SHA-256 of its text as UTF-8."""
    return sha256_hex(text)


def corpus_dir(explicit: str | Path | None = None, project: str | Path = ".") -> Path:
    """The corpus folder: `explicit`, else ``$DPRK_CORPUS``, else ``shared/sources`` beside the
    `project` folder (``../shared/sources`` from the current directory by default)."""
    if explicit is not None:
        return Path(explicit)
    return Path(os.environ.get(CORPUS_ENV) or Path(project).resolve().parent / "shared" / "sources")


# A corpus file is named by a plain file name: no folder, no "..", no absolute path.
CORPUS_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
MAX_TEXT_BYTES = 20_000_000


class CorpusError(ValueError):
    """A corpus text that cannot be used; the message names the file and the rule, and never
    anything read from a file outside the corpus folder."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


def _check_name(name: str) -> None:
    if not CORPUS_NAME.fullmatch(name) or ".." in name:
        raise CorpusError("corpus_file", f"{name!r} is not a plain file name (letters, digits, "
                                         "'.', '_', '-'; no folder, no '..'): a corpus text is "
                                         "named by its file name in the corpus folder")


def read_bytes(corpus: Path, name: str) -> bytes:
    """The bytes of the corpus text `name` in the folder `corpus`, read through the path policy
    (`paths.read_inside`): a plain name of a regular file directly in the folder, never a link,
    a FIFO or a device, at most `MAX_TEXT_BYTES`. `CorpusError` otherwise (rule ``corpus_file``,
    or ``corpus_missing`` where it is absent), or on an OS error, naming the file and the rule
    and printing nothing read from it.

    >>> read_bytes(Path("."), "../secret.txt")
    Traceback (most recent call last):
    ...
    dprk_ru_data.evidence.CorpusError: '../secret.txt' is not a plain file name ...
    """
    _check_name(name)
    folder = corpus.resolve()
    try:
        return read_inside(folder, name, MAX_TEXT_BYTES)
    except UnsafePath as refused:
        if refused.rule == "missing_file":
            raise CorpusError("corpus_missing", f"{name} is not in the corpus folder {folder}"
                              ) from None
        if refused.rule == "file_size":
            raise CorpusError("corpus_file", f"{name} in {folder} is larger than "
                                             f"{MAX_TEXT_BYTES:,} bytes; a corpus text is an "
                                             "article") from None
        raise CorpusError("corpus_file", f"{name} in {folder}: {refused.why}") from None
    except OSError as error:
        raise CorpusError("corpus_file", f"{folder / name}: {error.strerror or error}") from None


def decode(data: bytes, name: str) -> str:
    """A corpus text's bytes as text; `CorpusError` (rule ``corpus_encoding``) where they are not
    UTF-8, naming the byte offset (and printing none of the text)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CorpusError("corpus_encoding", f"{name} is not UTF-8 (byte offset "
                                             f"{error.start}); save it as UTF-8") from None


def read_text(corpus: Path, corpus_file: str) -> str:
    """The corpus text `corpus_file` as text, read only inside the corpus folder."""
    return decode(read_bytes(corpus, corpus_file), corpus_file)


def find_spans(text: str, phrase: str) -> list[Span]:
    """Every occurrence of `phrase` in `text` as a span.

    >>> find_spans("one two one", "one")[1].start
    8
    """
    spans, start = [], text.find(phrase)
    while start != -1 and phrase:
        spans.append(Span(start, start + len(phrase), span_sha256(phrase)))
        start = text.find(phrase, start + 1)
    return spans


def locate(source: str, phrase: str, corpus: str | Path | None = None,
           root: str | Path | None = None) -> list[Span]:
    """Every occurrence of `phrase` in the text of `source` (a source_id or a corpus file name).

    Raises `DataError` where there is no such text in the corpus folder.
    """
    from .checkout import project, sources

    folder = corpus_dir(corpus, project=project(root))
    files = {s.source_id: s.corpus_file for s in sources(root).values()}
    name = files.get(source, source)
    try:
        text = read_text(folder, name)
    except CorpusError as error:
        hint = f"; give a source_id ({', '.join(files)}) or a file name"
        raise DataError([Problem(str(folder), None, "source", source, error.rule,
                                 f"{error}{hint if error.rule == 'corpus_missing' else ''}")]
                        ) from None
    return find_spans(text, phrase)


def check_spans(evidence: pl.DataFrame, sources: pl.DataFrame, corpus: Path | None,
                files: tuple[str, str], problems: list[Problem],
                texts: dict[tuple[str, str, str], str | list[Problem]] | None = None) -> None:
    """Spans lie inside their text (by the sources table's length) and, where the corpus text is
    at hand and unchanged, hash to the recorded SHA-256.

    `evidence` and `sources` are typed tables with each row's line in the column ``__line``;
    `files` names the evidence and sources files, to locate problems. Without a corpus folder only
    the offsets are checked (see `unchecked_note`). With a corpus folder, a text that is
    missing, not UTF-8 or not a plain file inside it is a problem; nothing outside the folder is
    ever read. Where the evidence is checked a run of rows at a time, `texts` keeps each text
    read (or the problems of one that cannot be used) from one run to the next, so that each is
    read once.
    """
    import polars as pl

    evidence_file, sources_file = files
    # Only the columns read here, and a row of evidence only where its source is known.
    evidence = evidence.select(LINE, "source_id", "span_start", "span_end", "span_sha256")
    length = pl.col("source_id").replace_strict(
        dict(sources.select("source_id", "corpus_chars").iter_rows()), default=None,
        return_dtype=pl.Int64)
    known = pl.col("source_id").is_in(sources["source_id"].implode())
    outside = (evidence.with_columns(length.alias("corpus_chars"))
               .filter(known & ((pl.col("span_end") > pl.col("corpus_chars"))
                                | (pl.col("span_start") < 0))))
    for line, start, end, chars, source in outside.select(
            LINE, "span_start", "span_end", "corpus_chars", "source_id").iter_rows():
        problems.append(Problem(evidence_file, line, "span_end", str(end), "span_range",
                                f"the span {start}:{end} runs past the end of {source}, which "
                                f"has {chars} characters"))
    if corpus is None or not corpus.is_dir():
        return
    inside = (evidence.join(outside.select(LINE), on=LINE, how="anti")
              .join(sources.select("source_id", "corpus_file", "corpus_sha256", "corpus_chars"),
                    on="source_id", how="inner"))
    lines = dict(sources.select("source_id", LINE).iter_rows())
    texts = {} if texts is None else texts
    # The texts in the order their rows first come (with the length the first records), and
    # the spans of each gathered in one sorted pass: a few queries in all, not two per text, and
    # no more Python per row than the hashing needs.
    keys = ["source_id", "corpus_file", "corpus_sha256"]
    each = (inside.select(*keys, "corpus_chars")
            .unique(keys, keep="first", maintain_order=True).with_row_index("__text"))
    spans = (inside.drop_nulls(["span_start", "span_end"])
             .join(each.select(*keys, "__text"), on=keys, nulls_equal=True, maintain_order="left")
             .sort("__text", maintain_order=True)
             .select("__text", LINE, "span_start", "span_end", "span_sha256"))
    by_text = {number: list(rows) for number, rows in groupby(spans.iter_rows(), itemgetter(0))}
    for number, source_id, name, digest, chars in each.iter_rows():
        held = (str(source_id), str(name), str(digest))
        if held not in texts:
            texts[held] = _corpus_text(corpus, held, lines.get(source_id), sources_file)
        text = texts[held]
        if not isinstance(text, str):
            problems.extend(text)
            continue
        if chars is not None and len(text) != chars:  # None: its own cell is already a problem
            problems.append(Problem(sources_file, lines.get(source_id), "corpus_chars",
                                    str(chars), "corpus_length",
                                    f"{corpus / str(name)} has {len(text)} characters, not "
                                    f"{chars}"))
        for _, line, start, end, recorded in by_text.get(number, []):
            hashed = span_sha256(text[start:end])
            if hashed != recorded:
                problems.append(Problem(evidence_file, line, "span_sha256", recorded, "span_hash",
                                        f"the span {start}:{end} of {source_id} hashes to "
                                        f"{hashed}, not to the recorded value"))


def _corpus_text(corpus: Path, held: tuple[str, str, str], line: int | None,
                 sources_file: str) -> str | list[Problem]:
    """The text of the source `held` (its id, corpus file and recorded hash), read only inside
    the folder `corpus`, hashed, and only then decoded; or the problem that makes it unusable,
    located at the source's `line`."""
    _, name, digest = held
    try:
        data = read_bytes(corpus, name)
        found = sha256_hex(data)
        if found != digest:
            return [Problem(sources_file, line, "corpus_sha256", digest, "corpus_hash",
                            f"{corpus / name} has the SHA-256 {found}, not this one: the text "
                            "changed or the hash is mistyped")]
        return decode(data, name)
    except CorpusError as error:
        return [Problem(sources_file, line, "corpus_file", name, error.rule, str(error))]


def unchecked_note(corpus: Path | None) -> str | None:
    """What the build says, once, when it had no corpus to hash the spans against."""
    if corpus is None or not corpus.is_dir():
        return (f"evidence spans checked by their recorded offsets and hashes only: no corpus "
                f"folder at {corpus} (set --corpus or ${CORPUS_ENV})")
    return None


def verify_evidence(corpus: str | Path | None = None,
                    root: str | Path | None = None) -> list[Problem]:
    """Re-hash every evidence span of a built package (default: the shipped data) from the corpus
    texts; return every problem, a text missing from the corpus among them."""
    import polars as pl

    from .loaders import load

    folder = corpus_dir(corpus)
    # The tables are read unverified: a span edited in them is what this reports, located.
    tables = {name: load(name, root=root, verify=False).with_row_index(LINE, offset=2)
              .with_columns(pl.col(LINE).cast(pl.Int64)) for name in ("evidence", "sources")}
    problems: list[Problem] = []
    files = ("build/evidence.csv", "build/sources.csv")
    if not folder.is_dir():
        return [Problem(str(folder), None, None, None, "corpus",
                        f"corpus folder {folder} does not exist (set --corpus or ${CORPUS_ENV})")]
    check_spans(tables["evidence"], tables["sources"], folder, files, problems)
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.rule))


def record_evidence(record_id: str, corpus: str | Path | None = None,
                    root: str | Path | None = None) -> list[dict[str, object]]:
    """Every field of the record `record_id` (of any table) with the passages that support it.

    One dict per evidence row: ``field`` (empty where the span supports the whole record),
    ``value`` (the record's value of that field), ``evidence_id``, ``source_id``, ``span_start``,
    ``span_end``, ``span_sha256``, ``note``, and ``passage``: the span read from the corpus text
    where it is at hand and hashes right, else None (``passage_note`` says why). Fields the record
    states with no evidence of their own are listed with evidence_id None. Raises `KeyError` for
    an unknown record.
    """
    import polars as pl

    from .checkout import project

    names, load = _record_tables(root)
    for name in names:
        frame = load(name)
        key = frame.columns[0]
        found = frame.filter(pl.col(key) == record_id)
        if found.height:
            record = found.row(0, named=True)
            break
    else:
        raise KeyError(f"no record {record_id!r} in {', '.join(names)}")
    evidence = load("evidence").filter(
        (pl.col("record_table").cast(pl.String) == name) & (pl.col("record_id") == record_id))
    files = dict(load("sources").select("source_id", "corpus_file").iter_rows())
    folder = corpus_dir(corpus, project=project(root))
    texts: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    rows: list[dict[str, object]] = []
    for row in evidence.sort("field", "evidence_id", nulls_last=True).iter_rows(named=True):
        source = row["source_id"]
        if source not in texts:
            try:
                texts[source] = read_text(folder, files[source])
            except CorpusError as error:
                texts[source] = None
                reasons[source] = str(error)
        text = texts[source]
        passage, why = None, None
        if text is None:
            why = (f"{reasons[source]}: set --corpus or ${CORPUS_ENV} to the folder of the "
                   "corpus texts to read the passage")
        elif span_sha256(text[row["span_start"]:row["span_end"]]) != row["span_sha256"]:
            why = "the text at hand does not hash to the recorded SHA-256: it is another version"
        else:
            passage = text[row["span_start"]:row["span_end"]]
        field = row["field"]
        rows.append({"field": field, "value": None if field is None else record.get(field),
                     "evidence_id": row["evidence_id"], "source_id": source,
                     "span_start": row["span_start"], "span_end": row["span_end"],
                     "span_sha256": row["span_sha256"], "note": row["note"],
                     "passage": passage, "passage_note": why})
    supported = {row["field"] for row in rows}
    for field, value in record.items():
        if value is not None and field not in supported and field in _stated(name):
            rows.append({"field": field, "value": value, "evidence_id": None, "source_id": None,
                         "span_start": None, "span_end": None, "span_sha256": None,
                         "note": None, "passage": None,
                         "passage_note": "no evidence row names this field"})
    return rows


def _record_tables(root: str | Path | None
                   ) -> tuple[list[str], Callable[[str], pl.DataFrame]]:
    """The tables that hold records, and how to read one: from ``raw/`` in a checkout (as
    written, before a build: strings, the offsets as integers), else from the built package at
    `root`."""
    import polars as pl

    from .checkout import checkout, read_frame
    from .loaders import load, package
    from .raw import LINE
    from .registry import RECORD_TABLES

    records = [t.name for t in RECORD_TABLES]
    folder = checkout(root)
    if folder is None:
        present = {r["name"] for r in package(root)["resources"]}
        return [name for name in records if name in present], lambda name: load(name, root=root)

    def read(name: str) -> pl.DataFrame:
        frame = read_frame(folder, name).drop(LINE)
        if name == "evidence":
            frame = frame.with_columns(pl.col("span_start", "span_end").cast(pl.Int64,
                                                                             strict=False))
        return frame

    return records, read


def _stated(table: str) -> list[str]:
    from .registry import TABLES
    from .validate.links import stated_fields

    return stated_fields(TABLES[table]) if table in TABLES else []


def record_disagreements(record_id: str, root: str | Path | None = None
                         ) -> list[dict[str, object]]:
    """The disagreement groups the record `record_id` is in: one dict per other record of each
    group, with ``group_id``, ``aspect``, that record's ``record_table``, ``record_id`` and
    ``note``, and ``own_note``, what this record's row of the group says."""
    import polars as pl

    from .checkout import checkout
    from .loaders import tables

    if checkout(root) is None and "disagreements" not in tables(root):
        return []
    groups = _record_tables(root)[1]("disagreements")
    mine = groups.filter(pl.col("record_id") == record_id).select(
        "group_id", pl.col("note").alias("own_note"))
    return (groups.join(mine, on="group_id").filter(pl.col("record_id") != record_id)
            .select("group_id", pl.col("aspect").cast(pl.String),
                    pl.col("record_table").cast(pl.String), "record_id", "note", "own_note")
            .sort("group_id", "record_id").to_dicts())
