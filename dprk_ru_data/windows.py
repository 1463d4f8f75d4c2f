"""The derive stage, second step: two date windows for every claim, from the whole record.

* The **claim window**: the claim was made no earlier than the start of its own `claimed_text`
  (where the text says when), and no later than the end of that text nor the latest possible
  publication day of each text that reports it (the earliest of those days).
* The **event window**: from the record's own date (`as_of`, `date` or `period`); then the claim
  bounds it by its `modality`: what is reported as having happened (``occurred``) or as under way
  (``ongoing``) began no later than the claim, so its window ends with the claim's; what is
  planned or expected comes no earlier than the claim; and the claim does not close the window of
  what is planned, expected, possible or hypothetical (it ends with its own date, where that is later than the claim, else it is
  open); then the records it is dated against (`dated_after`: no earlier than that record's event
  window starts; `dated_before`: no later than it ends), followed through chains of such records.
* A record `claimed_before` another was claimed no later than the other's event window ends.

A reference to no record, a reference that is ambiguous between tables, a cycle of references and
a window that ends before it starts are each a located `Problem`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import polars as pl

from .errors import Problem
from .linked import EMPTY, Frame, Parts, collect_each, evidence_parts, lookup, published_end
from .raw import LINE
from .registry import TABLES
from .vocab import MODALITY_AFTER_CLAIM, MODALITY_BEFORE_CLAIM

if TYPE_CHECKING:
    from .raw import Loaded

Window = tuple[dt.date | None, dt.date | None]
AFTER, BEFORE = "dated_after", "dated_before"


def claim_tables() -> list[str]:
    """The tables whose records are claims with windows."""
    return [name for name, table in TABLES.items()
            if "claim_window_start" in table.columns and not table.view]


def _latest(values: list[dt.date | None]) -> dt.date | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _earliest(values: list[dt.date | None]) -> dt.date | None:
    known = [v for v in values if v is not None]
    return min(known) if known else None


def _published(name: str, frame: pl.DataFrame, mine: pl.DataFrame | None,
               sources: pl.DataFrame | None) -> pl.LazyFrame:
    """Per row of `frame` (of the table `name`), ``__pub``: the earliest of the latest possible
    publication days of the texts that report its record (given its evidence rows, `mine`), a
    query of the key alone (the other columns are not copied)."""
    keys = frame.lazy().select(pl.col(TABLES[name].key).alias("record_id"))
    if mine is None or sources is None:
        return keys.with_columns(pl.lit(None, pl.Date).alias("__pub")).select("__pub")
    published = (mine.lazy().select("record_id", published_end(sources, latest=False))
                 .group_by("record_id").agg(pl.col("published_end").min().alias("__pub")))
    return (keys.join(published, on="record_id", how="left", maintain_order="left")
            .select("__pub"))


def _base_windows(name: str, frame: pl.DataFrame) -> pl.LazyFrame:
    """`frame` (with its ``__pub``, `_published`) with the claim window and the event window
    before its references are followed."""
    own = TABLES[name].event_date
    rows = frame.lazy().with_columns(
        (pl.col(f"{own}_start") if own else pl.lit(None, pl.Date)).alias("__own_start"),
        (pl.col(f"{own}_end") if own else pl.lit(None, pl.Date)).alias("__own_end"))
    return bound_by_claim(rows.with_columns(
        pl.col("claimed_start").alias("claim_window_start"),
        pl.min_horizontal("claimed_end", "__pub").alias("claim_window_end"))
    ).drop("__pub", "__own_start", "__own_end")


# Whether a record reports what happened or is under way, what is still to come (planned or
# expected), and what is not (yet) done: planned, expected, possible or hypothetical (an empty
# modality counts as a report of what happened). Made once: each build reads them per table.
BEFORE_CLAIM = pl.col("modality").cast(pl.String).is_in(list(MODALITY_BEFORE_CLAIM))
_AFTER_CLAIM = pl.col("modality").cast(pl.String).is_in(list(MODALITY_AFTER_CLAIM))
_PLAN = ~BEFORE_CLAIM.fill_null(True)


def bound_by_claim(frame: Frame) -> Frame:
    """The event window from the record's own date (``__own_start``, ``__own_end``), its claim
    window and its `modality`: what happened or is under way began no later than the claim
    (its window ends with the claim's); a plan or an expectation comes no earlier than the
    claim; and the claim never closes the window of what is not done (see `open_plans`)."""
    return open_plans(frame.with_columns(
        pl.when(_AFTER_CLAIM.fill_null(False))
        .then(pl.max_horizontal("__own_start", "claim_window_start"))
        .otherwise(pl.col("__own_start")).alias("event_window_start"),
        pl.when(_PLAN).then(pl.col("__own_end"))
        .otherwise(pl.min_horizontal("__own_end", "claim_window_end")).alias("event_window_end")))


def open_plans(frame: Frame) -> Frame:
    """A plan's or a possibility's event window left open where it would end by the end of its
    claim window: the claim does not say it was done by then."""
    return frame.with_columns(
        pl.when(_PLAN & (pl.col("event_window_end") <= pl.col("claim_window_end")))
        .then(None).otherwise(pl.col("event_window_end")).alias("event_window_end"))


def derive_windows(loaded: dict[str, Loaded], typed: dict[str, pl.DataFrame],
                   problems: list[Problem], parts: Parts | None = None
                   ) -> dict[str, pl.DataFrame]:
    """Fill the four window columns of every claim table; report what contradicts itself.
    `parts` is the evidence split by table (`linked.evidence_parts`), made here if not given."""
    out = dict(typed)
    names = [name for name in claim_tables() if name in typed]
    if parts is None:
        parts = evidence_parts(typed.get("evidence"))
    # Two batches of queries (`collect_each`): each table's publication bounds, then its
    # windows; on a large package each runs alone, on the in-memory engine, which passes the
    # table's other columns through without copying them.
    size = sum(typed[name].height for name in names)
    published = collect_each([_published(name, typed[name],
                                         parts.get(name, EMPTY) if "evidence" in typed else None,
                                         typed.get("sources")) for name in names],
                             size, engine="in-memory")
    out.update(zip(names, collect_each([_base_windows(name, typed[name].hstack(found))
                                        for name, found in zip(names, published)],
                                       size, engine="in-memory")))
    if not names:  # no table of claims could be read: their problems are reported already
        return out
    rows = pl.concat([out[name].select(
        pl.lit(name).alias("__table"), pl.col(TABLES[name].key).alias("__id"), LINE,
        "event_window_start", "event_window_end", AFTER, BEFORE) for name in names])
    linked = rows.filter(pl.col(AFTER).is_not_null() | pl.col(BEFORE).is_not_null())
    if linked.is_empty():
        return _checked(loaded, out, names, problems)
    # Only the linked records and those they reach are looked at in Python, not every record.
    ids: set[str] = set()
    reached = linked
    while reached.height:
        ids |= set(reached["__id"].to_list())
        targets = {*reached[AFTER].drop_nulls().to_list(), *reached[BEFORE].drop_nulls().to_list()}
        reached = rows.filter(pl.col("__id").is_in(list(targets - ids)))
    where: dict[str, list[tuple[str, int]]] = {}
    windows: dict[str, Window] = {}
    links: dict[str, tuple[str | None, str | None]] = {}
    for name, record, line, start, end, after, before in rows.filter(
            pl.col("__id").is_in(list(ids))).iter_rows():
        where.setdefault(record, []).append((name, line))
        windows[record] = (start, end)
        links[record] = (after, before)
    resolved: dict[str, Window | None] = {}
    for record in linked["__id"].to_list():
        _resolve(record, windows, links, resolved, where, loaded, problems)
    for name in names:
        key = TABLES[name].key
        fixed = {k: v for k, v in resolved.items()
                 if v is not None and where.get(k, [("", 0)])[0][0] == name}
        if not fixed:
            continue
        update = pl.DataFrame({key: list(fixed), "__start": [v[0] for v in fixed.values()],
                               "__end": [v[1] for v in fixed.values()]},
                              schema={key: pl.String, "__start": pl.Date, "__end": pl.Date})
        out[name] = (out[name].join(update, on=key, how="left", maintain_order="left")
                     .with_columns(pl.when(pl.col(key).is_in(list(fixed)))
                                   .then(pl.col("__start")).otherwise("event_window_start")
                                   .alias("event_window_start"),
                                   pl.when(pl.col(key).is_in(list(fixed)))
                                   .then(pl.col("__end")).otherwise("event_window_end")
                                   .alias("event_window_end"))
                     .drop("__start", "__end"))
    return _checked(loaded, out, names, problems)


def _resolve(first: str, windows: dict[str, Window],
             links: dict[str, tuple[str | None, str | None]],
             resolved: dict[str, Window | None], where: dict[str, list[tuple[str, int]]],
             loaded: dict[str, Loaded], problems: list[Problem]) -> None:
    """Resolve the event window of `first` and of every record it is dated against, depth first
    without recursion (a chain of any length), into `resolved`; None where a reference is broken
    (reported once, at the record holding it)."""
    trail: list[str] = []  # the records being resolved, outermost first
    stack: list[tuple[str, bool]] = [(first, False)]
    while stack:
        record, done = stack.pop()
        if done:
            trail.pop()
            if record in resolved:  # broken on the way down
                continue
            start, end = windows[record]
            bounds = []
            for column, other in zip((AFTER, BEFORE), links[record]):
                if other is not None:
                    bounds.append((column, resolved.get(other)))
            if any(bound is None for _, bound in bounds):
                resolved[record] = None
                continue
            for column, bound in bounds:
                assert bound is not None
                if column == AFTER:
                    start = _latest([start, bound[0]])
                else:
                    end = _earliest([end, bound[1]])
            resolved[record] = (start, end)
            continue
        if record in resolved:
            continue
        name, line = where[record][0]
        if record in trail:  # reported once, where the cycle closes
            cycle = " -> ".join([*trail[trail.index(record):], record])
            column = AFTER if links[record][0] in trail else BEFORE
            problems.append(Problem(loaded[name].file, line, column,
                                    links[record][column == BEFORE], "dated_against",
                                    f"the records are dated against each other in a cycle: "
                                    f"{cycle}"))
            for member in trail[trail.index(record):]:
                resolved[member] = None
            continue
        trail.append(record)
        stack.append((record, True))
        for column, other in zip((AFTER, BEFORE), links[record]):
            if other is None:
                continue
            found = where.get(other, [])
            if len(found) != 1:
                why = ("is not the id of a record of " + ", ".join(claim_tables()) if not found
                       else "is the id of records in " + " and ".join(t for t, _ in found)
                       + "; record ids must be unique across tables to be dated against")
                problems.append(Problem(loaded[name].file, line, column, other,
                                        "dated_against", f"{other!r} {why}"))
                resolved[record] = None
                continue
            stack.append((other, False))


CLAIMED_BEFORE = "claimed_before"


def _claimed_before(loaded: dict[str, Loaded], out: dict[str, pl.DataFrame], names: list[str],
                    problems: list[Problem]) -> dict[str, pl.DataFrame]:
    """Each record `claimed_before` another: its claim window ends no later than the other's
    event window, and so does the event window of what it reports as having happened."""
    ends = pl.concat([out[name].select(pl.col(TABLES[name].key).alias(CLAIMED_BEFORE),
                                       pl.col("event_window_end").alias("__before"))
                      for name in names])
    counts = ends.group_by(CLAIMED_BEFORE).len()
    for name in names:
        frame = out[name]
        if CLAIMED_BEFORE not in frame.columns or frame[CLAIMED_BEFORE].is_null().all():
            continue
        linked = frame.filter(pl.col(CLAIMED_BEFORE).is_not_null())
        bad = linked.join(counts.filter(pl.col("len") == 1), on=CLAIMED_BEFORE, how="anti")
        for line, other in bad.select(LINE, CLAIMED_BEFORE).iter_rows():
            problems.append(Problem(loaded[name].file, line, CLAIMED_BEFORE, other,
                                    "dated_against", f"{other!r} is not the id of exactly one "
                                    f"record of {', '.join(claim_tables())}"))
        before = lookup(frame, ends.unique(CLAIMED_BEFORE, keep="first"), [CLAIMED_BEFORE])
        out[name] = (frame.hstack(before)
                     .with_columns(pl.min_horizontal("claim_window_end", "__before")
                                   .alias("claim_window_end"))
                     .with_columns(pl.when(BEFORE_CLAIM.fill_null(False))
                                   .then(pl.min_horizontal("event_window_end",
                                                           "claim_window_end"))
                                   .otherwise(pl.col("event_window_end"))
                                   .alias("event_window_end"))
                     .drop("__before"))
    return out


def _checked(loaded: dict[str, Loaded], out: dict[str, pl.DataFrame], names: list[str],
             problems: list[Problem]) -> dict[str, pl.DataFrame]:
    """`out` with each claim table's columns in registry order, after reporting every window
    that ends before it starts."""
    out = _claimed_before(loaded, out, names, problems)
    # Each table's windows finished (after the references too, a plan is never closed by its
    # claim), each flagged where it ends before it starts, all in one batch of queries.
    spans = ("claim_window", "claimed_text"), ("event_window", None)
    flags = [(pl.col(f"{window}_start") > pl.col(f"{window}_end")).fill_null(False)
             .alias(f"__{window}") for window, _ in spans]
    finished = collect_each([open_plans(out[name].lazy()).select(LINE, *TABLES[name].columns,
                                                                 *flags) for name in names],
                            sum(out[name].height for name in names), engine="in-memory")
    for name, frame in zip(names, finished):
        table = TABLES[name]
        for window, blame in spans:
            if not frame[f"__{window}"].any():
                continue
            for row in frame.filter(f"__{window}").iter_rows(named=True):
                column = blame or (f"{table.event_date}_text" if table.event_date else AFTER)
                problems.append(Problem(
                    loaded[name].file, row[LINE], column, row.get(column), window,
                    f"the {window.replace('_', ' ')} would end on {row[f'{window}_end']} but "
                    f"start on {row[f'{window}_start']}: "
                    + ("the claim is dated after a text that reports it was published"
                       if window == "claim_window" else
                       "its own date, its claim and the records it is dated against disagree")))
        out[name] = frame.drop(f"__{window}" for window, _ in spans)
    return out
