"""Evidence spans: the one check that a span lies in its text and hashes to what is recorded, and
finding a phrase in a corpus text.

A span is ``text[start:end]`` of the corpus text decoded as UTF-8 (Python str indices, start
inclusive, end exclusive); its hash is the SHA-256 of the span encoded as UTF-8. `check_spans` is
used by the build (on ``raw/``), by `check-build` and by `verify-evidence` (on a built package).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .digest import sha256_hex
from .errors import DataError, Problem

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


def read_text(corpus: Path, corpus_file: str) -> str:
    return (corpus / corpus_file).read_bytes().decode("utf-8")


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
    from .loaders import load

    folder = corpus_dir(corpus)
    files = dict(load("sources", root=root).select("source_id", "corpus_file").iter_rows())
    name = files.get(source, source)
    if not (folder / name).is_file():
        raise DataError([Problem(str(folder), None, "source", source, "corpus_file",
                                 f"no text {name!r} in {folder}; give a source_id "
                                 f"({', '.join(files)}) or a file name")])
    return find_spans(read_text(folder, name), phrase)


def check_spans(evidence: pl.DataFrame, sources: pl.DataFrame, corpus: Path | None,
                files: tuple[str, str], problems: list[Problem]) -> list[str]:
    """Spans lie inside their text (by the sources table's length) and, where the corpus text is
    at hand and unchanged, hash to the recorded SHA-256.

    `evidence` and `sources` are typed tables with each row's line in the column ``__line``;
    `files` names the evidence and sources files, to locate problems. Returns the ids of the
    sources whose spans could not be hashed: all of them where there is no corpus folder.
    """
    import polars as pl

    evidence_file, sources_file = files
    evidence = evidence.join(
        sources.select("source_id", "corpus_file", "corpus_sha256", "corpus_chars"),
        on="source_id", how="inner")
    outside = evidence.filter((pl.col("span_end") > pl.col("corpus_chars"))
                              | (pl.col("span_start") < 0))
    for line, start, end, chars, source in outside.select(
            LINE, "span_start", "span_end", "corpus_chars", "source_id").iter_rows():
        problems.append(Problem(evidence_file, line, "span_end", str(end), "span_range",
                                f"the span {start}:{end} runs past the end of {source}, which "
                                f"has {chars} characters"))
    if corpus is None or not corpus.is_dir():
        return sorted(evidence["source_id"].unique().to_list())
    inside = evidence.join(outside.select(LINE), on=LINE, how="anti")
    lines = dict(sources.select("source_id", LINE).iter_rows())
    unchecked = []
    for (source_id, name, digest), rows in inside.group_by(
            "source_id", "corpus_file", "corpus_sha256", maintain_order=True):
        path = corpus / str(name)
        if not path.is_file():
            unchecked.append(str(source_id))
            continue
        data = path.read_bytes()
        found = sha256_hex(data)
        if found != digest:
            problems.append(Problem(sources_file, lines.get(source_id), "corpus_sha256",
                                    str(digest), "corpus_hash",
                                    f"{path} has the SHA-256 {found}, not this one: the text "
                                    "changed or the hash is mistyped"))
            continue
        text = data.decode("utf-8", errors="replace")
        chars = rows["corpus_chars"][0]
        if len(text) != chars:
            problems.append(Problem(sources_file, lines.get(source_id), "corpus_chars",
                                    str(chars), "corpus_length",
                                    f"{path} has {len(text)} characters, not {chars}"))
        for line, start, end, recorded in rows.drop_nulls(["span_start", "span_end"]).select(
                LINE, "span_start", "span_end", "span_sha256").iter_rows():
            hashed = span_sha256(text[start:end])
            if hashed != recorded:
                problems.append(Problem(evidence_file, line, "span_sha256", recorded, "span_hash",
                                        f"the span {start}:{end} of {source_id} hashes to "
                                        f"{hashed}, not to the recorded value"))
    return sorted(unchecked)


def unchecked_note(unchecked: list[str], corpus: Path | None) -> str | None:
    """What the build says about the spans it could not hash, or None if it hashed them all."""
    if corpus is None or not corpus.is_dir():
        return f"evidence hashes not checked: no corpus folder at {corpus}"
    if unchecked:
        return (f"evidence hashes not checked for {', '.join(unchecked)}: the text is missing "
                f"from {corpus}")
    return None


def verify_evidence(corpus: str | Path | None = None,
                    root: str | Path | None = None) -> list[Problem]:
    """Re-hash every evidence span of a built package (default: the shipped data) from the corpus
    texts; return every problem, a text missing from the corpus among them."""
    import polars as pl

    from .loaders import load

    folder = corpus_dir(corpus)
    tables = {name: load(name, root=root).with_row_index(LINE, offset=2)
              .with_columns(pl.col(LINE).cast(pl.Int64)) for name in ("evidence", "sources")}
    problems: list[Problem] = []
    files = ("build/evidence.csv", "build/sources.csv")
    if not folder.is_dir():
        return [Problem(str(folder), None, None, None, "corpus",
                        f"corpus folder {folder} does not exist (set --corpus or ${CORPUS_ENV})")]
    for source_id in check_spans(tables["evidence"], tables["sources"], folder, files, problems):
        name = tables["sources"].filter(pl.col("source_id") == source_id)["corpus_file"][0]
        problems.append(Problem(files[1], None, "corpus_file", name, "corpus",
                                f"the text of {source_id} ({name}) is not in {folder}"))
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

    from .loaders import load, package

    names = [r["name"] for r in package(root)["resources"]
             if r["name"] not in ("evidence", "claims", "events")]
    for name in names:
        frame = load(name, root=root)
        key = frame.columns[0]
        found = frame.filter(pl.col(key) == record_id)
        if found.height:
            record = found.row(0, named=True)
            break
    else:
        raise KeyError(f"no record {record_id!r} in {', '.join(names)}")
    evidence = load("evidence", root=root).filter(
        (pl.col("record_table").cast(pl.String) == name) & (pl.col("record_id") == record_id))
    files = dict(load("sources", root=root).select("source_id", "corpus_file").iter_rows())
    folder, texts = corpus_dir(corpus), {}
    rows: list[dict[str, object]] = []
    for row in evidence.sort("field", "evidence_id", nulls_last=True).iter_rows(named=True):
        source = row["source_id"]
        if source not in texts:
            path = folder / files[source]
            texts[source] = path.read_bytes().decode("utf-8") if path.is_file() else None
        text = texts[source]
        passage, why = None, None
        if text is None:
            why = (f"{files[source]} is not in {folder}: set --corpus or ${CORPUS_ENV} to the "
                   "folder of the corpus texts to read the passage")
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


def _stated(table: str) -> list[str]:
    from .registry import TABLES
    from .validate.links import stated_fields

    return stated_fields(TABLES[table]) if table in TABLES else []
