"""Checking a built package (``datapackage.json`` and its tables) with the build's own checks."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..errors import Problem
from ..evidence import check_spans
from ..raw import LINE, Loaded
from ..registry import TABLES
from .codes import check_codes
from .links import (check_dates_against_sources, check_evidence_fields, check_references,
                    check_unique_keys)
from .schema import cast, validate


def check_package(root: Path, names: list[str] | None = None,
                  corpus: Path | None = None) -> list[Problem]:
    """Check a built package (``root/datapackage.json`` and its tables) against the registry.

    Each file's size and SHA-256, its header, types, vocabularies, patterns, row rules, ISO codes
    and primary keys; and, where every table is checked, the references, evidence links, dates
    and evidence spans (hashed where the texts are in `corpus`). Returns every problem found,
    each located by file and line.
    """
    from ..loaders import IntegrityError, package, read_verified

    problems: list[Problem] = []
    loaded: dict[str, Loaded] = {}
    typed: dict[str, pl.DataFrame] = {}
    for resource in package(root)["resources"]:
        name, file = resource["name"], resource["path"]
        if names and name not in names:
            continue
        table = TABLES.get(name)
        if table is None:
            problems.append(Problem(file, None, None, name, "unknown_table",
                                    f"{name!r} is not a table of this package version"))
            continue
        try:
            data = read_verified(root, resource)
        except (IntegrityError, OSError) as error:
            problems.append(Problem(file, None, None, None, "integrity", str(error)))
            continue
        frame = pl.read_csv(data, infer_schema=False)
        if frame.columns != table.columns:
            problems.append(Problem(file, 1, None, None, "header",
                                    f"the columns are {frame.columns}, not {table.columns}"))
            continue
        loaded[name] = Loaded(table, file, frame.with_row_index(LINE, offset=2)
                              .with_columns(pl.col(LINE).cast(pl.Int64)))
        typed[name] = cast(loaded[name], problems)
        check_unique_keys(loaded[name], typed[name], problems)
        validate(loaded[name], typed[name], problems)
        check_codes(loaded[name], typed[name], problems)
    if not names and set(loaded) == set(TABLES):
        check_references(loaded, typed, problems)
        check_evidence_fields(typed, loaded, problems)
        check_dates_against_sources(typed, loaded, problems)
        check_spans(typed["evidence"], typed["sources"], corpus,
                    (loaded["evidence"].file, loaded["sources"].file), problems)
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.rule))
