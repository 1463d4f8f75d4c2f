"""The checkout that curation reads: its ``raw/`` tables as written, before a build.

A checkout is a folder holding ``raw/sources.csv`` as a plain file. There, `sources` reads the
sources from ``raw/``, so `locate`, `extract` and `evidence` see a source as soon as it is added;
elsewhere they read the built package. `CurationError` names the file, column, value and rule of
what a curation command cannot do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import Problem
from .paths import UnsafePath, open_inside
from .raw import LINE, RAW_DIR, read_raw

if TYPE_CHECKING:
    import polars as pl

__all__ = ["RAW_DIR", "CurationError", "SourceText", "checkout", "project", "read_frame",
           "read_rows", "sources"]


class CurationError(ValueError):
    """A curation command that cannot be carried out; nothing was written."""

    def __init__(self, file: str, column: str | None, value: str | None, rule: str,
                 message: str, data: bool = False):
        where = f"{file}: {column}: " if column else f"{file}: "
        shown = f" ({value!r})" if value is not None and value not in message else ""
        super().__init__(f"{where}{message}{shown} [{rule}]")
        self.file, self.column, self.value, self.rule = file, column, value, rule
        self.data = data  # a fault of the project's own files (exit 1), not of what was given


# --- the checkout -------------------------------------------------------------------------------

def checkout(root: str | Path | None = None) -> Path | None:
    """The checkout whose ``raw/`` the curation commands read: `root` (default: the current
    folder) where it holds ``raw/sources.csv`` as a plain file, else None."""
    folder = Path(root) if root is not None else Path.cwd()
    try:
        os.close(open_inside(folder, f"{RAW_DIR}/sources.csv"))
    except (UnsafePath, OSError):
        return None
    return folder


def project(root: str | Path | None = None) -> Path:
    """The folder the corpus lies beside by default: the checkout, else the current folder."""
    return checkout(root) or Path(".")


def read_frame(root: Path, name: str) -> pl.DataFrame:
    """``raw/<name>.csv`` as the build reads it (`raw.read_raw`: strings, stripped, empty as
    null, each row's line in ``raw.LINE``); `CurationError` with the first fault found."""
    from .registry import TABLES

    problems: list[Problem] = []
    loaded = read_raw(root, TABLES[name], problems)
    if problems or loaded is None:
        first = problems[0]
        raise CurationError(f"{first.file}:{first.line}" if first.line else first.file,
                            first.column, first.value, first.rule, first.message, data=True)
    return loaded.frame


def read_rows(root: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of ``raw/<name>.csv`` as strings (empty cells as ''), read as the
    build reads it (`read_frame`)."""
    frame = read_frame(root, name).drop(LINE)
    return frame.columns, [{k: v or "" for k, v in row.items()}
                           for row in frame.iter_rows(named=True)]


@dataclass(frozen=True)
class SourceText:
    """A source as the curation commands need it: its text's file and its publication date."""

    source_id: str
    corpus_file: str
    published_text: str | None


def sources(root: str | Path | None = None) -> dict[str, SourceText]:
    """The sources by id: from ``raw/sources.csv`` in a checkout (`checkout`), else from the
    built package at `root` (default: the shipped data)."""
    folder = checkout(root)
    if folder is not None:
        return {row["source_id"]: SourceText(row["source_id"], row["corpus_file"],
                                             row.get("published_text") or None)
                for row in read_rows(folder, "sources")[1] if row.get("source_id")}
    from .loaders import load

    frame = load("sources", root=root).select("source_id", "corpus_file", "published_text")
    return {s: SourceText(s, f, p) for s, f, p in frame.iter_rows()}
