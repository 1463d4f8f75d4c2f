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
from .linked import BATCH_ROWS, Parts, collect_each, evidence_parts, marked_first
from .normalise.dates import DateError, FuzzyDate, parse_date
from .normalise.figures import FigureError, parse_figure
from .raw import LINE
from .windows import derive_windows
from .registry import DATE_PARTS, FIGURE_PARTS, MONEY_PARTS, TEXT

if TYPE_CHECKING:
    from .raw import Loaded


def _figure_mapping(texts: list[str], column: str, prefix: str, kind: str) -> pl.DataFrame:
    """Each distinct figure phrase of `column` with what it reads as (its parts, or the reason
    it cannot be read in ``__error``)."""
    parts = MONEY_PARTS if kind == "money" else FIGURE_PARTS
    names = [f"{prefix}_{part}" for part in parts]
    number = pl.Int64 if kind == "count" else pl.Float64
    rows: list[dict[str, Any]] = []
    for text in texts:
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
    return pl.DataFrame(rows, schema=schema)


def _report(frame: pl.DataFrame, derived: pl.DataFrame, column: str, loaded: "Loaded",
            problems: list[Problem], rule: str) -> None:
    """A problem for each row of `frame` whose phrase did not read (`derived`'s ``__error``,
    row by row)."""
    errors = derived["__error"]
    if errors.null_count() == errors.len():  # every phrase read, as in a valid table
        return
    for line, value, error in frame.select(LINE, column).hstack([errors]).filter(
            pl.col("__error").is_not_null()).iter_rows():
        problems.append(Problem(loaded.file, line, column, value, rule, error))


def _candidates(rows: pl.LazyFrame, *by: pl.Expr) -> pl.LazyFrame:
    """Per record of evidence `rows` (and per what `by` tells): how many sources (`__refs`),
    and the first (`__first`)."""
    return rows.group_by("record_id", *by).agg(
        pl.col("source_id").n_unique().cast(pl.UInt32).alias("__refs"),
        pl.col("source_id").first().cast(pl.String).alias("__first"))  # a code in a part


Candidates = tuple[pl.DataFrame, pl.DataFrame]


def _all_candidates(parts: Parts, dated: dict[str, list[str]], rows: int
                    ) -> dict[str, Candidates]:
    """Per table of `dated` (its name -> its date columns) that has evidence in `parts`: per
    record, its sources (`_candidates`), and per record and date column, the sources marked
    for that date; each found in one pass over the table's evidence, whatever the number of
    its dates, and all in one batch of queries (`collect_each`)."""
    names = [name for name in dated if name in parts]
    queries = []
    for name in names:
        evidence = parts[name].lazy()
        queries += [_candidates(evidence), _candidates(
            evidence.filter(pl.col("field").cast(pl.String).is_in(dated[name])),
            pl.col("field").cast(pl.String))]
    found = collect_each(queries, rows)
    return {name: (found[2 * number], found[2 * number + 1])
            for number, name in enumerate(names)}


def _date_context(frame: pl.DataFrame, key: str, prefix: str, found: Candidates | None
                  ) -> pl.LazyFrame:
    """Per row of `frame`: its `prefix` date phrase, the source whose publication date anchors
    it (``__ref``; given the candidate sources of the table's records, `found` (see
    `_all_candidates`): the source marked for the date where the record has any, else the
    record's only source), how many candidate sources there were (``__refs``), and which way
    from the report the date lies (``__tense``)."""
    column = f"{prefix}{TEXT}"
    rows = frame.lazy().select(key, column, _tenses(frame, prefix).alias("__tense"))
    if found is None:
        return rows.select(column, pl.lit(None, pl.String).alias("__ref"),
                           pl.lit(0, pl.UInt32).alias("__refs"), "__tense")
    every, marked = found
    candidates = marked_first(marked.lazy().filter(pl.col("field") == column).drop("field"),
                              every.lazy())
    return (rows.join(candidates, left_on=key, right_on="record_id", how="left",
                      nulls_equal=True, maintain_order="left")
            .select(column, pl.when(pl.col("__refs") == 1).then(pl.col("__first"))
                    .otherwise(None).alias("__ref"), pl.col("__refs").fill_null(0),
                    "__tense"))


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


DATE_KEY = ["__ref", "__refs", "__tense"]  # what a date phrase is read with, beside itself


def _date_mapping(pairs: pl.DataFrame, prefix: str, references: dict[str, FuzzyDate]
                  ) -> pl.DataFrame:
    """Each distinct date phrase of `prefix` with what it is read with (`pairs`: the phrase and
    `DATE_KEY`) and what it reads as (its parts, or the reason it cannot be read in
    ``__error``)."""
    column = f"{prefix}{TEXT}"
    names = [f"{prefix}_{part}" for part in DATE_PARTS]
    rows: list[dict[str, Any]] = []
    for text, ref, refs, tense in pairs.select(column, *DATE_KEY).iter_rows():
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
    return pl.DataFrame(rows, schema=schema)


def _figures(loaded: dict[str, "Loaded"], out: dict[str, pl.DataFrame],
             problems: list[Problem], rows: int) -> None:
    """Fill the figure columns of every table of `out` (in place): the distinct phrases of every
    figure column gathered in one batch of queries (`collect_each`), each read once, and what
    they read as set beside their rows in another."""
    asked = [(name, prefix, str(loaded[name].table.field(f"{prefix}{TEXT}").reads))
             for name in out for prefix in loaded[name].table.figures]
    texts = collect_each([out[name].lazy().select(pl.col(f"{prefix}{TEXT}").drop_nulls()
                                                  .unique()) for name, prefix, _ in asked], rows)
    mappings = [_figure_mapping(found.to_series().to_list(), f"{prefix}{TEXT}", prefix, kind)
                for (_, prefix, kind), found in zip(asked, texts)]
    _fill(loaded, out, [(name, f"{prefix}{TEXT}") for name, prefix, _ in asked],
          [out[name].lazy().select(f"{prefix}{TEXT}") for name, prefix, _ in asked],
          mappings, "figure", problems, rows)


def _dates(loaded: dict[str, "Loaded"], out: dict[str, pl.DataFrame], names: list[str],
           references: dict[str, FuzzyDate], parts: Parts, problems: list[Problem],
           rows: int) -> None:
    """Fill the date columns of the tables `names` of `out` (in place), read against the
    publication dates of the sources (`references`), as `_figures` fills the figures."""
    asked = [(name, prefix) for name in names for prefix in loaded[name].table.dates]
    candidates = _all_candidates(parts, {name: [f"{prefix}{TEXT}" for prefix in
                                                loaded[name].table.dates]
                                         for name in names if name != "sources"}, rows)
    # Each column's context is made once and read twice: for its phrases, and beside its rows.
    # A small package's columns are done together (a query's fixed cost is most of its time);
    # a large one's one at a time, so that only one context is held.
    step = max(1, len(asked)) if rows < BATCH_ROWS else 1
    for start in range(0, len(asked), step):
        some = asked[start:start + step]
        contexts = [found.lazy() for found in collect_each(
            [_date_context(out[name], loaded[name].table.key, prefix, candidates.get(name))
             for name, prefix in some], rows)]
        pairs = collect_each([context.drop_nulls(f"{prefix}{TEXT}").unique()
                              for (_, prefix), context in zip(some, contexts)], rows)
        mappings = [_date_mapping(found, prefix, references)
                    for (_, prefix), found in zip(some, pairs)]
        _fill(loaded, out, [(name, f"{prefix}{TEXT}") for name, prefix in some], contexts,
              mappings, "date", problems, rows)
        del contexts


def _fill(loaded: dict[str, "Loaded"], out: dict[str, pl.DataFrame],
          asked: list[tuple[str, str]], contexts: list[pl.LazyFrame],
          mappings: list[pl.DataFrame], rule: str, problems: list[Problem], rows: int) -> None:
    """Set beside the rows of each asked (table, phrase column) what its phrase reads as: the
    `mappings` joined on each row's `contexts` (its phrase and what it is read with), in one
    batch of queries; a phrase that cannot be read is a problem of its row."""
    derived = collect_each([_read_as(context, mapping)
                            for context, mapping in zip(contexts, mappings)], rows)
    for (name, column), found in zip(asked, derived):
        _report(out[name], found, column, loaded[name], problems, rule)
        out[name] = out[name].hstack(found.drop("__error"))


def _read_as(context: pl.LazyFrame, mapping: pl.DataFrame) -> pl.LazyFrame:
    """Per row of `context`, the columns of `mapping` beyond those of `context`, found by them
    (a missing value matching a missing value), in the rows' order."""
    on = context.collect_schema().names()
    return (context.join(mapping.lazy(), on=on, how="left", nulls_equal=True,
                         maintain_order="left").drop(on))


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
    if parts is None:
        parts = evidence_parts(typed.get("evidence"))
    rows = sum(frame.height for frame in typed.values())
    _figures(loaded, out, problems, rows)
    # The sources' own dates first: their publication dates anchor the others'.
    sources = [name for name in out if name == "sources"]
    _dates(loaded, out, sources, {}, parts, problems, rows)
    references = _publication_dates(out["sources"] if sources else None)
    _dates(loaded, out, [name for name in out if name != "sources"], references, parts,
           problems, rows)
    for name, frame in out.items():
        out[name] = frame.select(LINE, *(c for c in loaded[name].table.columns
                                          if c in frame.columns))
    return derive_windows(loaded, out, problems, parts)
