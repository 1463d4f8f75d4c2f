"""The derive stage: the build fills the derived figure and date columns of every table.

Each distinct phrase (with its reference date) is parsed once and joined back, so the cost grows
with the number of distinct phrases, not rows. A phrase that does not parse becomes a located
`Problem`. Relative dates take as reference the publication date of the source that says them:
the source of the evidence row whose `field` names the date column, else the record's only source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import polars as pl

from . import vocab
from .errors import Problem
from .linked import Parts, evidence_parts, lookup
from .normalise.dates import DateError, FuzzyDate, parse_date
from .normalise.figures import FigureError, parse_figure
from .raw import LINE
from .windows import derive_windows
from .registry import DATE_PARTS, FIGURE_PARTS, MONEY_PARTS, TEXT

if TYPE_CHECKING:
    from .raw import Loaded


def _figure_columns(frame: pl.DataFrame, prefix: str, kind: str, loaded: "Loaded",
                    problems: list[Problem]) -> pl.DataFrame:
    column = f"{prefix}{TEXT}"
    parts = MONEY_PARTS if kind == "money" else FIGURE_PARTS
    names = [f"{prefix}_{part}" for part in parts]
    number = pl.Int64 if kind == "count" else pl.Float64
    rows: list[dict[str, Any]] = []
    for text in frame[column].drop_nulls().unique().to_list():
        row: dict[str, Any] = {column: text, "__error": None}
        try:
            figure = parse_figure(text)
            if figure.kind != kind:
                raise FigureError(text, f"this column holds a {kind}, and this reads as a "
                                        f"{figure.kind}")
            if figure.increment:
                raise FigureError(text, "this reads as an increment to an earlier figure; the "
                                        f"column holds a {kind}, not an addition")
            if figure.per is not None and kind == "fraction":
                raise FigureError(text, f"this reads as a rate (per {figure.per}); a share is "
                                        "of a whole, not per a period")
            values = {"low": figure.low, "best": figure.best, "high": figure.high,
                      "qualifier": figure.qualifier, "per": figure.per or "none",
                      "currency": figure.currency}
            row.update({name: values[part] for name, part in zip(names, parts)})
        except FigureError as error:
            row["__error"] = str(error)
        rows.append(row)
    types = {"low": number, "best": number, "high": number, "qualifier": pl.String,
             "per": pl.String, "currency": pl.String}
    schema = {column: pl.String, **{name: types[part] for name, part in zip(names, parts)},
              "__error": pl.String}
    mapping = pl.DataFrame(rows, schema=schema)
    derived = lookup(frame, mapping, [column], nulls_equal=True)
    _report(frame.hstack(derived.select("__error")), column, loaded, problems, "figure")
    return frame.hstack(derived.drop("__error"))


def _report(joined: pl.DataFrame, column: str, loaded: "Loaded", problems: list[Problem],
            rule: str) -> None:
    for line, value, error in joined.filter(pl.col("__error").is_not_null()).select(
            LINE, column, "__error").iter_rows():
        problems.append(Problem(loaded.file, line, column, value, rule, error))


def _candidates(rows: pl.DataFrame) -> pl.DataFrame:
    """Per record of evidence `rows`: how many sources (`__refs`), and the first (`__first`)."""
    return rows.group_by("record_id").agg(
        pl.col("source_id").n_unique().cast(pl.UInt32).alias("__refs"),
        pl.col("source_id").first().cast(pl.String).alias("__first"))  # a code in a part


def _reference_sources(frame: pl.DataFrame, key: str, prefix: str, mine: pl.DataFrame | None,
                       every: pl.DataFrame | None) -> pl.DataFrame:
    """Add `__ref` (the source whose publication date anchors the row's date) and `__refs`
    (how many candidate sources there were), given the evidence rows of the table (`mine`) and
    their `_candidates` (`every`)."""
    if mine is None or every is None:
        return frame.with_columns(pl.lit(None, pl.String).alias("__ref"),
                                  pl.lit(0, pl.UInt32).alias("__refs"))
    specific = mine.filter(pl.col("field") == f"{prefix}_text")
    candidates = every
    if not specific.is_empty():  # marked sources replace the record's others
        candidates = pl.concat([_candidates(specific),
                                every.join(specific.select("record_id"), on="record_id",
                                           how="anti")])
    found = lookup(frame.select(pl.col(key).alias("record_id")), candidates, ["record_id"],
                   nulls_equal=True)
    return frame.hstack(found.select(
        pl.when(pl.col("__refs") == 1).then(pl.col("__first")).otherwise(None).alias("__ref"),
        pl.col("__refs").fill_null(0)))


# Which way from the report a record's own date lies, where the text gives no year: a claim is
# made before the report that tells of it; what happened or is under way, before too; a plan or
# an expectation, after; a possibility or a hypothesis, either way (so its date needs a year).
_PAST_PREFIXES = ("claimed", "published")


def _tenses(frame: pl.DataFrame, prefix: str) -> pl.Expr:
    if prefix in _PAST_PREFIXES:
        return pl.lit("past", pl.String)
    if "modality" not in frame.columns:
        return pl.lit(None, pl.String)
    modality = pl.col("modality").cast(pl.String)
    return (pl.when(modality.is_in(list(vocab.MODALITY_BEFORE_CLAIM))).then(pl.lit("past"))
            .when(modality.is_in(list(vocab.MODALITY_AFTER_CLAIM))).then(pl.lit("future"))
            .otherwise(pl.lit(None, pl.String)))


def _date_columns(frame: pl.DataFrame, prefix: str, loaded: "Loaded",
                  references: dict[str, FuzzyDate], problems: list[Problem]) -> pl.DataFrame:
    column = f"{prefix}{TEXT}"
    names = [f"{prefix}_{part}" for part in DATE_PARTS]
    rows: list[dict[str, Any]] = []
    frame = frame.with_columns(_tenses(frame, prefix).alias("__tense"))
    pairs = frame.select(column, "__ref", "__refs", "__tense").drop_nulls(column).unique()
    for text, ref, refs, tense in pairs.iter_rows():
        row: dict[str, Any] = {column: text, "__ref": ref, "__refs": refs, "__tense": tense,
                               "__error": None}
        try:
            parsed = parse_date(text, references.get(ref) if ref else None, tense)
            row.update(zip(names, parsed))
        except DateError as error:
            why = str(error)
            if refs and refs > 1 and ref is None and "reference" in why:
                why += ("; the record has evidence in several sources: mark the one that says "
                        f"this date with field={column} in raw/evidence.csv")
            row["__error"] = why
        rows.append(row)
    schema = {column: pl.String, "__ref": pl.String, "__refs": pl.UInt32, "__tense": pl.String,
              **dict(zip(names, (pl.String, pl.Date, pl.Date, pl.String))), "__error": pl.String}
    mapping = pl.DataFrame(rows, schema=schema)
    derived = lookup(frame, mapping, [column, "__ref", "__refs", "__tense"], nulls_equal=True)
    _report(frame.hstack(derived.select("__error")), column, loaded, problems, "date")
    return frame.drop("__tense").hstack(derived.drop("__error"))


def _publication_dates(sources: pl.DataFrame | None) -> dict[str, FuzzyDate]:
    if sources is None or "published_start" not in sources.columns:
        return {}
    dates = {}
    for source_id, edtf, start, end, precision in sources.select(
            "source_id", "published_edtf", "published_start", "published_end",
            "published_precision").iter_rows():
        if start is not None and end is not None:
            dates[source_id] = FuzzyDate(edtf, start, end, precision)
    return dates


def normalise_tables(loaded: dict[str, "Loaded"], typed: dict[str, pl.DataFrame],
                     problems: list[Problem], parts: Parts | None = None
                     ) -> dict[str, pl.DataFrame]:
    """Fill every derived column of every table; report phrases that cannot be read. `parts`
    is the evidence split by table (`linked.evidence_parts`), made here if not given: each
    table's dates look only at their own."""
    out = dict(typed)
    order = sorted(typed, key=lambda name: name != "sources")  # sources first: they anchor dates
    if parts is None:
        parts = evidence_parts(typed.get("evidence"))
    references: dict[str, FuzzyDate] = {}
    for name in order:
        table, frame = loaded[name].table, typed[name]
        for prefix in table.figures:
            kind = str(table.field(f"{prefix}_text").reads)
            frame = _figure_columns(frame, prefix, kind, loaded[name], problems)
        mine = parts.get(name)
        every = _candidates(mine) if table.dates and mine is not None else None
        for prefix in table.dates:
            if name == "sources":
                frame = frame.with_columns(pl.lit(None, pl.String).alias("__ref"),
                                           pl.lit(0, pl.UInt32).alias("__refs"))
            else:
                frame = _reference_sources(frame, table.key, prefix, mine, every)
            frame = _date_columns(frame, prefix, loaded[name], references, problems)
            frame = frame.drop("__ref", "__refs")
        out[name] = frame.select(LINE, *(c for c in table.columns if c in frame.columns))
        if name == "sources":
            references = _publication_dates(out[name])
    return derive_windows(loaded, out, problems, parts)
