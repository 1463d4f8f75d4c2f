"""The evidence rows split by the table of the record each supports.

Made once per build and handed to every step that looks at one table's evidence (the derived
dates, the windows, the link checks), so that each scans its own part, not all the evidence.
"""

from __future__ import annotations

from typing import Literal, TypeVar

import polars as pl

from .raw import LINE

Parts = dict[str, pl.DataFrame]
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)  # a step that reads either, eagerly or not
COLUMNS = (LINE, "record_id", "field", "source_id")
# The part of a table no evidence row points at.
EMPTY = pl.DataFrame(schema={LINE: pl.Int64, "record_id": pl.String, "field": pl.Categorical,
                             "source_id": pl.Categorical})
CODED = ("field", "source_id")  # the columns of a part held as codes (see `evidence_parts`)


def evidence_parts(evidence: pl.DataFrame | None) -> Parts:
    """The rows of `evidence` by their ``record_table`` (a row with none is in no part), each
    part with the columns of `COLUMNS` it has, in the order of `evidence`. The ``field`` and the
    ``source_id``, of which there are a few, are categorical (a code a row rather than a
    string): the steps that read a field only compare it with a column's name, and those that
    take a source's id from a part cast it back to a string."""
    if evidence is None:
        return {}
    columns = [pl.col(column).cast(pl.Categorical) if column in CODED else pl.col(column)
               for column in COLUMNS if column in evidence.columns]
    rows = evidence.select(pl.col("record_table").cast(pl.String), *columns)
    if rows["record_table"].null_count():  # filtered only where it must be: filtering copies
        rows = rows.drop_nulls("record_table")
    split = rows.partition_by("record_table", as_dict=True, include_key=False,
                              maintain_order=True)
    return {str(name): marked_sorted(part) for (name,), part in split.items()}


def marked_sorted(part: pl.DataFrame) -> pl.DataFrame:
    """`part` with its ``record_id`` marked sorted where it is (as the evidence of each record
    often stands together, records in order): a group-by per record then reads it in runs
    rather than hashing every row."""
    if "record_id" in part.columns and part["record_id"].is_sorted():
        return part.with_columns(pl.col("record_id").set_sorted())
    return part


def lookup(frame: pl.DataFrame, found: pl.DataFrame, on: list[str], nulls_equal: bool = False
           ) -> pl.DataFrame:
    """The other columns of `found` (one row per value of `on`) for each row of `frame`, in
    `frame`'s order. Only the key columns take part in the join, so `frame`'s other columns are
    not copied: set the result beside `frame` (`hstack`)."""
    return (frame.select(on).join(found, on=on, how="left", nulls_equal=nulls_equal,
                                  maintain_order="left").drop(on))


def published_end(sources: pl.DataFrame, latest: bool) -> pl.Expr:
    """The latest possible publication day of each evidence row's source (``published_end``;
    null where the source or its day is unknown), looked up in a map of the sources rather than
    joined, so that no evidence row is copied. Where an id is given to several sources (which the
    key check reports), its `latest` day or its earliest stands for them, as the joined rows'
    maximum or minimum would."""
    day = pl.col("published_end")
    days = dict(sources.drop_nulls("source_id").group_by("source_id")
                .agg(day.max() if latest else day.min()).iter_rows())
    return (pl.col("source_id").cast(pl.String)  # a code in a part (`evidence_parts`)
            .replace_strict(days, default=None, return_dtype=pl.Date).alias("published_end"))


def marked_first(marked: Frame, every: Frame) -> Frame:
    """The rows of `marked` (what evidence marked for one field gives, per record), and those of
    `every` (what all of a record's evidence gives) for the records `marked` has no row of: the
    texts marked for a field replace the record's others, where it has any."""
    return pl.concat([marked, every.join(marked.select("record_id"), on="record_id",
                                         how="anti")])


def streaming() -> Literal["in-memory", "streaming"]:
    """The engine for a query that could hold a large table whole: polars' streaming engine,
    a batch of rows at a time, unless the build has chosen the in-memory engine for a small
    package (`build._engine`), where the streaming engine's fixed cost is most of a query's
    time."""
    chosen = pl.Config.state().get("POLARS_ENGINE_AFFINITY")
    return "in-memory" if chosen == "in-memory" else "streaming"


# Queries over fewer rows than this are run together (see `collect_each`).
BATCH_ROWS = 100_000


def collect_each(queries: list[pl.LazyFrame], rows: int,
                 engine: Literal["auto", "in-memory", "streaming"] = "auto"
                 ) -> list[pl.DataFrame]:
    """The result of each of `queries`, in order. Where they read few `rows` in all, they run
    together in one call (on a small package a query's fixed cost is most of its time);
    otherwise one after another on `engine`, so that no two hold their memory at once."""
    if rows < BATCH_ROWS:
        return pl.collect_all(queries)
    return [query.collect(engine=engine) for query in queries]

