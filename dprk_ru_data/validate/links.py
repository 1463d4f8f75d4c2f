"""Links between rows: unique keys, references that resolve, evidence for every record and for
the field it names, and dates no later than the texts that report them.

Each check is an anti-join, a set lookup or a group-by, so the cost grows with the rows, not rows
times keys; the evidence is read a table's part at a time (`linked.evidence_parts`).
"""

from __future__ import annotations

import polars as pl

from ..errors import Problem
from ..linked import (EMPTY, Parts, collect_each, evidence_parts, marked_first,
                      published_end)
from ..raw import LINE, RAW_DIR, Loaded
from ..registry import CLAIM_TABLES, TABLES, TEXT, Table
from ..windows import BEFORE_CLAIM, claim_tables


def check_references(tables: dict[str, Loaded], typed: dict[str, pl.DataFrame],
                     problems: list[Problem], parts: Parts | None = None) -> None:
    """Foreign keys resolve; every evidence row points at a record; every record has evidence.

    Each is an anti-join or a set lookup, so the cost grows with the rows, not with rows times
    keys. `parts` is the evidence split by table (`linked.evidence_parts`), made here if not
    given.
    """
    keys = record_keys(typed)
    rows = sum(frame.height for frame in typed.values())
    # The foreign keys of every table, in one batch of queries (one a table).
    referring = [(name, asked) for name, loaded in tables.items()
                 if (asked := _foreign_keys(loaded, typed[name], keys)) is not None]
    for (name, (columns, _)), dangling in zip(referring, collect_each(
            [query for _, (_, query) in referring], rows)):
        _report_foreign_keys(tables[name], dangling, columns, keys, problems)
    if "evidence" not in typed:
        return
    if parts is None:
        parts = evidence_parts(typed["evidence"])
    # A record is one of a table's own; evidence and disagreements point at records, not at
    # each other's rows.
    pointed = [name for name in keys if name not in ("evidence", "disagreements")]
    linking = {"evidence": parts}
    if "disagreements" in typed:
        linking["disagreements"] = evidence_parts(typed["disagreements"])
    # The evidence or disagreement rows that point at no record, a query per pointing table.
    pointing: list[str] = []
    linked: list[pl.LazyFrame] = []
    for name, by_table in linking.items():
        found = []
        for target, part in by_table.items():
            if target in keys:
                links = part.lazy().select(LINE, pl.lit(target).alias("record_table"),
                                           "record_id")
                found.append(_unmatched(links, "record_id", keys[target], "__key")
                             if target in pointed else links)
        if found:
            pointing.append(name)
            linked.append(pl.concat(found).sort(LINE))
    for name, dangling in zip(pointing, collect_each(linked, rows)):
        for line, record_table, record_id in dangling.iter_rows():
            problems.append(Problem(tables[name].file, line, "record_id", record_id,
                                    "foreign_key", f"{record_id!r} is not a record of "
                                    f"{RAW_DIR}/{record_table}.csv"))
    needing = [name for name, loaded in tables.items() if name != "evidence"
               and not loaded.table.view and loaded.table.needs_evidence]
    unsupported = collect_each([_without_evidence(typed[name], tables[name].table.key,
                                                  parts.get(name, EMPTY)) for name in needing],
                               rows)
    for name, missing in zip(needing, unsupported):
        for line, record_id in missing.iter_rows():
            problems.append(Problem(tables[name].file, line, tables[name].table.key, record_id,
                                    "needs_evidence", f"the record {record_id!r} has no row "
                                    f"in {RAW_DIR}/evidence.csv"))


def _without_evidence(frame: pl.DataFrame, key: str, part: pl.DataFrame) -> pl.LazyFrame:
    """The line and `key` of each row of `frame` whose record no evidence row of `part` (the
    table's part of the evidence) supports, in line order."""
    return _unmatched(frame.lazy().select(LINE, key), key, part, "record_id").sort(LINE)


def _unmatched(rows: pl.LazyFrame, column: str, found: pl.DataFrame, found_column: str
               ) -> pl.LazyFrame:
    """The `rows` whose `column` holds a value (not null) that no row of `found` holds in
    `found_column`: an anti-join, which at scale costs a third to a half of a lookup in the
    set of `found`'s values."""
    return rows.drop_nulls(column).join(found.lazy().select(found_column), left_on=column,
                                        right_on=found_column, how="anti")


def record_keys(typed: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Each table's keys (the column ``__key``, without nulls), for `check_foreign_keys`."""
    names = list(typed)
    return dict(zip(names, pl.collect_all(
        typed[name].lazy().select(pl.col(TABLES[name].key).alias("__key")).drop_nulls()
        for name in names)))


def check_foreign_keys(loaded: Loaded, frame: pl.DataFrame, keys: dict[str, pl.DataFrame],
                       problems: list[Problem]) -> None:
    """Each foreign key of `frame` (the typed rows of `loaded`'s table, all of them or a run of
    them) is a key of its table, where that table's `keys` (`record_keys`) are at hand."""
    asked = _foreign_keys(loaded, frame, keys)
    if asked is not None:
        columns, query = asked
        _report_foreign_keys(loaded, query.collect(engine="in-memory"), columns, keys, problems)


def _dangling(column: str, keys: pl.DataFrame) -> pl.Expr:
    return pl.col(column).is_not_null() & ~pl.col(column).is_in(keys["__key"].implode())


def _foreign_keys(loaded: Loaded, frame: pl.DataFrame, keys: dict[str, pl.DataFrame]
                  ) -> tuple[dict[str, str], pl.LazyFrame] | None:
    """The foreign keys of `frame` that `keys` can check (column: its table), and one query
    for the rows (in line order) where any of them is not a key of its table; None where
    there are none to check. Duplicate keys are reported by check_unique_keys; a lookup in the
    set of keys does not mind them."""
    columns = {column: target for column, target in loaded.table.foreign_keys.items()
               if target in keys}
    if not columns:
        return None
    return columns, frame.lazy().select(LINE, *columns).filter(pl.any_horizontal(
        _dangling(column, keys[target]) for column, target in columns.items()))


def _report_foreign_keys(loaded: Loaded, found: pl.DataFrame, columns: dict[str, str],
                         keys: dict[str, pl.DataFrame], problems: list[Problem]) -> None:
    """The problems of the rows `found` by `_foreign_keys`, a column after another."""
    if found.is_empty():
        return
    for column, target in columns.items():
        for line, value in found.filter(_dangling(column, keys[target])).select(
                LINE, column).iter_rows():
            problems.append(Problem(loaded.file, line, column, value, "foreign_key",
                                    f"{value!r} is not a {TABLES[target].key} "
                                    f"in {RAW_DIR}/{target}.csv"))


def check_unique_keys(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """Each primary key once; a repeat names the line that holds the key first."""
    key = loaded.table.key
    column = typed[key].drop_nulls()  # (a column's own methods: no query for a valid table)
    if increasing(column) or column.n_unique() == column.len():
        return
    keys = typed.select(LINE, key).drop_nulls(key)
    repeats = (keys.with_columns(pl.col(LINE).min().over(key).alias("__first"))
               .filter(pl.col(LINE) != pl.col("__first")))
    for line, value, first in repeats.iter_rows():
        problems.append(Problem(loaded.file, line, key, value, "duplicate_key",
                                f"{value!r} is already the {key} of line {first}; keys must be "
                                "unique"))


def check_view_keys(tables: dict[str, Loaded], typed: dict[str, pl.DataFrame],
                    problems: list[Problem]) -> None:
    """The keys the views give records of different tables differ.

    The `events` view lists the events of several tables by their own keys, and the `claims`
    view each figure as ``<key>.<figure>``: a key two such tables share would key two rows of a
    view alike. Each record after the first (in the order of the tables, then of the lines) that
    would share a row's key is reported, naming the first.
    """
    rows: list[pl.LazyFrame] = []
    for name, table in CLAIM_TABLES.items():
        if name not in typed:
            continue
        key = pl.col(table.key)
        frame = typed[name].lazy()  # every view's rows in one query
        own = [pl.lit(name).alias("__table"), pl.col(LINE), key.alias("__value")]
        if table.roles is not None and table.roles.event:
            rows.append(frame.select(pl.lit("events").alias("__view"), key.alias("__id"), *own))
        for prefix in table.figures:
            rows.append(frame.filter(pl.col(f"{prefix}{TEXT}").is_not_null()).select(
                pl.lit("claims").alias("__view"), (key + f".{prefix}").alias("__id"), *own))
    if not rows:
        return
    order = {name: number for number, name in enumerate(CLAIM_TABLES)}
    keyed = (pl.concat(rows).drop_nulls("__id")
             .with_columns(pl.col("__table").replace_strict(order, return_dtype=pl.UInt32)
                           .alias("__order")))
    shared = keyed.filter(pl.col("__id").is_duplicated()).collect(engine="in-memory")
    if shared.is_empty():
        return
    ranked = shared.sort("__order", LINE).with_columns(
        pl.col("__table").first().over("__view", "__id").alias("__first_table"),
        pl.col(LINE).first().over("__view", "__id").alias("__first_line"),
        pl.int_range(pl.len()).over("__view", "__id").alias("__rank"))
    for view, row_id, name, line, value, _, first_table, first_line, _ in (
            ranked.filter(pl.col("__rank") > 0).iter_rows()):
        problems.append(Problem(tables[name].file, line, TABLES[name].key, value,
                                "shared_view_key", f"the {view} view would key a row of this "
                                f"record {row_id!r}, as it keys the row of line {first_line} of "
                                f"{RAW_DIR}/{first_table}.csv; records of the tables it lists "
                                "together need keys of their own"))


def increasing(column: pl.Series) -> bool:
    """Whether each value of `column` is greater than the one before it, so that none repeats:
    one comparison per row, where a table is in key order (a built one always, a curated one
    often), instead of hashing every key."""
    return column.len() < 2 or bool((column.slice(1) > column.slice(0, column.len() - 1)).all())


def _links_for(mine: pl.DataFrame, column: str) -> pl.DataFrame:
    """The evidence rows that report `column` of each record: those marked for it, else all."""
    marked = mine.filter(pl.col("field") == column)
    return mine if marked.is_empty() else marked_first(marked, mine)


def check_dates_against_sources(typed: dict[str, pl.DataFrame], tables: dict[str, Loaded],
                                problems: list[Problem], parts: Parts | None = None) -> None:
    """No claim is dated after the publication of the latest text that reports it.

    What is reported as planned, expected, possible or hypothetical (`modality`) may be dated
    later; every other date must start on or before the latest possible publication day of the
    texts that report it. `parts` is the evidence split by table (`linked.evidence_parts`).
    """
    if "evidence" not in typed or "sources" not in typed:
        return
    if parts is None:
        parts = evidence_parts(typed["evidence"])
    published = published_end(typed["sources"], latest=True)
    day = pl.col("published_end")
    queries, asked, rows = [], [], 0
    for name, loaded in tables.items():
        if name in ("sources", "evidence") or not loaded.table.dates:
            continue
        table, frame = loaded.table, typed[name]
        columns = [f"{prefix}{TEXT}" for prefix in table.dates]
        # Lazy queries, read where they are needed: the evidence rows are not copied.
        mine = (parts.get(name, EMPTY).lazy()
                .select("record_id", "field", "source_id", published)
                .drop_nulls("published_end"))
        rows += frame.height + parts.get(name, EMPTY).height
        # Per record, in one pass over the table's evidence whatever the number of its dates:
        # the latest text of all its evidence, and of that marked for each date. A date is
        # reported by the texts marked for it where its record has any, else by all of them.
        latest = mine.group_by("record_id").agg(
            day.max().alias("__every"),
            *(day.filter(pl.col("field") == column).max().alias(f"__marked{n}")
              for n, column in enumerate(columns)))
        # Only the columns read here are filtered (not the whole table).
        rows_read = frame.lazy().select(
            LINE, table.key, *(f"{prefix}{suffix}" for prefix in table.dates
                               for suffix in (TEXT, "_start")),
            *(["modality"] if "modality" in frame.columns else []))
        if "modality" in frame.columns:
            rows_read = rows_read.filter(BEFORE_CLAIM.fill_null(True))
        late = [(pl.col(f"{prefix}_start") > pl.col(f"__last{n}")).fill_null(False)
                for n, prefix in enumerate(table.dates)]
        queries.append(rows_read.join(latest, left_on=table.key, right_on="record_id",
                                      how="left", maintain_order="left")
                       .with_columns(pl.coalesce(f"__marked{n}", "__every").alias(f"__last{n}")
                                     for n in range(len(columns)))
                       .filter(pl.any_horizontal(late)))
        asked.append((name, columns, late, mine))
    for (name, columns, late, mine), found in zip(asked, collect_each(queries, rows)):
        if found.is_empty():
            continue
        key = tables[name].table.key
        for n, column in enumerate(columns):
            dated = found.filter(late[n]).select(LINE, key, column,
                                                 f"{column.removesuffix(TEXT)}_start",
                                                 f"__last{n}")
            if dated.is_empty():
                continue
            links = _links_for(mine.collect(), column)  # only where a date is late
            for line, record, text, first, last in dated.iter_rows():
                sources = sorted(links.filter(pl.col("record_id") == record)["source_id"]
                                 .to_list())
                problems.append(Problem(
                    tables[name].file, line, column, text, "dated_after_publication",
                    f"{text!r} starts on {first}, after the latest publication date ({last}) of "
                    f"the text(s) reporting it ({', '.join(sources)})"))


def check_evidence_fields(typed: dict[str, pl.DataFrame], tables: dict[str, Loaded],
                          problems: list[Problem]) -> None:
    """An evidence row's `field`, where given, is a field of the table of its record."""
    if "evidence" not in typed:
        return
    fields = pl.DataFrame(
        [(name, column) for name, table in TABLES.items() for column in table.columns],
        schema={"record_table": pl.String, "field": pl.String}, orient="row")
    marked = (typed["evidence"].lazy()
              .select(LINE, pl.col("record_table").cast(pl.String), "field").drop_nulls()
              .filter(pl.col("record_table").is_in(list(TABLES))))
    # The pairs of table and field the evidence names are few: they are checked first, and the
    # rows are searched only for a pair that is not a field of its table.
    wrong = (marked.select("record_table", "field").unique()
             .join(fields.lazy(), on=["record_table", "field"], how="anti").collect())
    if wrong.is_empty():
        return
    unknown = (marked.join(wrong.lazy(), on=["record_table", "field"], how="semi")
               .sort(LINE).collect())
    for line, record_table, field in unknown.iter_rows():
        problems.append(Problem(tables["evidence"].file, line, "field", field, "evidence_field",
                                f"{field!r} is not a field of {record_table}; leave it empty or "
                                f"name one of: {', '.join(TABLES[record_table].columns)}"))


def stated_fields(table: Table) -> list[str]:
    """The fields of a claim that need evidence of their own where given: every figure and date
    as written, whether it happened (`modality`), the claimants and who relayed the claim."""
    texts = [f"{prefix}{TEXT}" for prefix in (*table.figures, *table.dates)]
    stated = [c for c in ("modality", "claimant_actor_id", "co_claimant_actor_id",
                          "relayed_by_actor_id") if c in table.columns]
    return [*texts, *stated]


def check_field_evidence(typed: dict[str, pl.DataFrame], tables: dict[str, Loaded],
                         problems: list[Problem], parts: Parts | None = None) -> None:
    """Each figure, date, claimant and relayer that a claim states has an evidence row of its own
    (`field` naming it), not only a span that supports the record as a whole or a sibling.
    `parts` is the evidence split by table (`linked.evidence_parts`)."""
    if "evidence" not in typed:
        return
    if parts is None:
        parts = evidence_parts(typed["evidence"])
    # One query per table, whatever the number of fields: per record, which of the fields its
    # evidence marks (one group-by of the table's part), and then which rows state a field that
    # their record's evidence does not mark. Only flags are joined; the values are read for the
    # rows that fail alone.
    queries, asked, rows = [], [], 0
    for name in claim_tables():
        if name not in typed:
            continue
        table, frame = TABLES[name], typed[name]
        columns = stated_fields(table)
        marks = (parts.get(name, EMPTY).lazy().group_by("record_id")
                 .agg((pl.col("field") == column).any().alias(f"__marked{n}")
                      for n, column in enumerate(columns)))
        unmarked = [(pl.col(f"__stated{n}") & ~pl.col(f"__marked{n}").fill_null(False))
                    .alias(f"__unmarked{n}") for n in range(len(columns))]
        stated = [pl.col(column).is_not_null().alias(f"__stated{n}")
                  for n, column in enumerate(columns)]
        queries.append(frame.lazy().select(LINE, table.key, *stated)
                       .join(marks, left_on=table.key, right_on="record_id", how="left",
                             maintain_order="left")
                       .select(LINE, *unmarked)
                       .filter(pl.any_horizontal(pl.col(f"__unmarked{n}")
                                                 for n in range(len(columns)))))
        asked.append((name, columns))
        rows += frame.height + parts.get(name, EMPTY).height
    for (name, columns), found in zip(asked, collect_each(queries, rows)):
        if found.is_empty():
            continue
        key = TABLES[name].key
        failing = typed[name].select(LINE, key, *columns).join(found, on=LINE,
                                                               maintain_order="left")
        for n, column in enumerate(columns):
            for line, record, value in failing.filter(f"__unmarked{n}").select(
                    LINE, key, column).iter_rows():
                problems.append(Problem(
                    tables[name].file, line, column, str(value), "needs_field_evidence",
                    f"{record} states {column} ({value!r}) but no row of {RAW_DIR}/evidence.csv "
                    f"supports it with field={column}; add the span that says it"))


def check_disagreements(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """Each row's `member_id` is its group and record joined by a dot; a group has at least two
    records, all about one aspect."""
    wrong = typed.filter(pl.col("member_id") != pl.col("group_id") + "." + pl.col("record_id"))
    for line, member, group, record in wrong.select(LINE, "member_id", "group_id",
                                                    "record_id").iter_rows():
        problems.append(Problem(loaded.file, line, "member_id", member, "member_id",
                                f"{member!r} should be {group}.{record} (the group and the "
                                "record, joined by a dot)"))
    groups = typed.group_by("group_id").agg(pl.len().alias("__n"),
                                            pl.col("aspect").n_unique().alias("__aspects"),
                                            pl.col(LINE).min().alias("__line"))
    for group, count, aspects, line in groups.sort("__line").iter_rows():
        if count < 2:
            problems.append(Problem(loaded.file, line, "group_id", group, "lone_disagreement",
                                    f"the group {group} has one record; a disagreement is "
                                    "between two or more"))
        if aspects > 1:
            problems.append(Problem(loaded.file, line, "aspect", group, "mixed_aspects",
                                    f"the records of {group} are given different aspects; a "
                                    "group is about one thing reported differently (split it)"))
