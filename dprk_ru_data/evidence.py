"""Evidence spans: find a phrase in a corpus text, and re-check every span against the corpus.

A span is ``text[start:end]`` of the corpus text decoded as UTF-8 (Python str indices, start
inclusive, end exclusive); its hash is the SHA-256 of the span encoded as UTF-8.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

CORPUS_ENV = "DPRK_CORPUS"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    sha256: str


def span_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def corpus_dir(explicit: str | Path | None = None, project: str | Path = ".") -> Path:
    """The corpus folder: `explicit`, else ``$DPRK_CORPUS``, else ``shared/sources`` beside the
    `project` folder (``../shared/sources`` from the current directory by default)."""
    if explicit is not None:
        return Path(explicit)
    return Path(os.environ.get(CORPUS_ENV) or Path(project).resolve().parent / "shared" / "sources")


def read_text(corpus: Path, corpus_file: str) -> str:
    return (corpus / corpus_file).read_bytes().decode("utf-8")


def locate(text: str, phrase: str) -> list[Span]:
    """Every occurrence of `phrase` in `text` as a span.

    >>> locate("one two one", "one")[1].start
    8
    """
    spans, start = [], text.find(phrase)
    while start != -1 and phrase:
        spans.append(Span(start, start + len(phrase), span_sha256(phrase)))
        start = text.find(phrase, start + 1)
    return spans


@dataclass(frozen=True)
class Mismatch:
    evidence_id: str
    source_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.evidence_id} ({self.source_id}): {self.reason}"


def verify(evidence: list[dict], sources: list[dict], corpus: Path) -> list[Mismatch]:
    """Recompute every span's hash from the corpus; return what does not match.

    `evidence` and `sources` are rows (dicts) of those tables. A missing corpus file, a changed
    corpus file (its SHA-256 differs from the sources table), a span out of range and a wrong span
    hash are each reported.
    """
    texts: dict[str, str | None] = {}
    problems: list[Mismatch] = []
    files = {row["source_id"]: row for row in sources}
    for row in evidence:
        source = files[row["source_id"]]
        source_id = row["source_id"]
        if source_id not in texts:
            path = corpus / source["corpus_file"]
            if not path.is_file():
                texts[source_id] = None
            else:
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() != source["corpus_sha256"]:
                    problems.append(Mismatch("-", source_id, f"{path} differs from the text "
                                             "the sources table names (SHA-256 mismatch)"))
                texts[source_id] = data.decode("utf-8")
        text = texts[source_id]
        if text is None:
            problems.append(Mismatch(row["evidence_id"], source_id,
                                     f"corpus file {source['corpus_file']} not found in {corpus}"))
            continue
        start, end = row["span_start"], row["span_end"]
        if not 0 <= start < end <= len(text):
            problems.append(Mismatch(row["evidence_id"], source_id,
                                     f"span {start}:{end} is outside the text (0:{len(text)})"))
        elif span_sha256(text[start:end]) != row["span_sha256"]:
            problems.append(Mismatch(row["evidence_id"], source_id,
                                     f"span {start}:{end} does not hash to {row['span_sha256']}"))
    return problems
