"""The views: `claims` and `events`, built from the validated tables with names inline.

They are resources of the package like the tables (typed, described, hashed, shipped), but nobody
types them: the build makes them from the records, the actors, the evidence, the sources and the
disagreements. What each column means is in the registry (`registry.CLAIMS`, `registry.EVENTS`);
what each table of claims is to them (who a record is about, what kind it is, what each figure
counts, whether it reports an event) is its `registry.Roles`.
"""

from __future__ import annotations

import polars as pl

from .linked import Frame, Parts, streaming
from .registry import CLAIM_TABLES, CLAIMS, EVENTS, TABLES, WINDOWS, Roles

SEPARATOR = " | "


def _with_names(rows: Frame, actors: pl.DataFrame, *id_columns: str,
                country: str | None = None) -> Frame:
    """`rows` with the name of the actor in each of `id_columns` beside it (``subject_actor_id``
    -> ``subject_name``, ``actor_id`` -> ``actor_name``), and `country` holding the country of
    the first: each looked up in a map of the actors, so that no row is copied."""
    looked_up = []
    for id_column in id_columns:
        wanted = [("name", id_column.removesuffix("_id").removesuffix("_actor") + "_name")]
        if country and id_column == id_columns[0]:
            wanted.append(("country", country))
        for column, alias in wanted:
            found = dict(actors.select("actor_id", column).iter_rows())
            looked_up.append(pl.col(id_column).replace_strict(
                found, default=None, return_dtype=actors.schema[column]).alias(alias))
    return rows.with_columns(looked_up)


WORD = 64  # sources per bit mask


def _reported_by(tables: dict[str, pl.DataFrame], parts: Parts | None = None) -> pl.DataFrame:
    """Per record: the texts that report it and their outlets' names, each joined by ` | `,
    and the outlet of the earliest of them (the claimant where the record names none).

    The texts of a record are gathered as a set of bits (one per source, 64 to a word) in one
    group-by over the evidence (over each table's part, where `parts` are given); the joined
    names are then made once per distinct set, which records share, and looked up by it.
    """
    outlets = _with_names(tables["sources"].rename({"outlet_id": "outlet_actor_id"}),
                          tables["actors"], "outlet_actor_id")
    outlet_of = dict(outlets.select("source_id", "outlet_name").iter_rows())
    # The texts with a known outlet, earliest first: a record's claimant by default is the outlet
    # of the first of them that reports it.
    earliest = (tables["sources"].filter(pl.col("outlet_id").is_not_null())
                .sort("published_start", "source_id", nulls_last=True)
                .select("source_id", pl.col("outlet_id").alias("__outlet"))
                .with_row_index("__order"))
    order = dict(earliest.select("source_id", "__order").iter_rows())
    ids = sorted(tables["sources"]["source_id"].to_list())
    words = [f"__word{n}" for n in range(max(1, -(-len(ids) // WORD)))]
    source = pl.col("source_id").cast(pl.String)  # a code in a part (`linked.evidence_parts`)
    # Each row's bit in each word and its source's place in `earliest`, made over the rows
    # before the group-by (not per group inside it), and the whole planned as one lazy query.
    bits = [source.replace_strict({s: 1 << (i % WORD) if i // WORD == n else 0
                                   for i, s in enumerate(ids)}, return_dtype=pl.UInt64)
            .alias(word) for n, word in enumerate(words)]
    columns = [*bits, source.replace_strict(order, default=None, return_dtype=pl.UInt32)
               .alias("__order")]
    merged = [*(pl.col(word).bitwise_or() for word in words), pl.col("__order").min()]
    if parts is None:
        masks = (tables["evidence"].lazy()
                 .filter(pl.col("record_table").is_in(list(CLAIM_TABLES)))
                 .select(pl.col("record_table").cast(pl.String), "record_id", *columns)
                 .group_by("record_table", "record_id").agg(*merged).collect())
    else:  # a table's part at a time, where its records often stand in order (read in runs)
        masks = pl.concat([pl.DataFrame(schema={"record_table": pl.String, "record_id": pl.String,
                                                **dict.fromkeys(words, pl.UInt64),
                                                "__order": pl.UInt32})]
                          + [part.lazy().select("record_id", *columns).group_by("record_id")
                             .agg(*merged).select(pl.lit(name, pl.String).alias("record_table"),
                                                  pl.all()).collect()
                             for name, part in parts.items() if name in CLAIM_TABLES])
    named = []
    for mask in masks.select(words).unique().iter_rows():
        texts = [ids[WORD * n + bit] for n, word in enumerate(mask) for bit in range(WORD)
                 if word >> bit & 1]
        names = dict.fromkeys(outlet_of[t] for t in texts if outlet_of.get(t) is not None)
        named.append((*mask, SEPARATOR.join(texts), SEPARATOR.join(names)))
    joined = pl.DataFrame(named, orient="row", schema={
        **dict.fromkeys(words, pl.UInt64), "source_ids": pl.String, "outlets": pl.String})
    return (masks.join(joined, on=words, how="left")
            .join(earliest.select("__order", "__outlet"), on="__order", how="left")
            .select("record_table", "record_id", "source_ids", "outlets", "__outlet"))


def _groups(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per record: the disagreement groups it is in, joined by ` | `."""
    if "disagreements" not in tables:
        return pl.DataFrame(schema={"record_table": pl.String, "record_id": pl.String,
                                    "disagreement_ids": pl.String})
    return (tables["disagreements"]
            .group_by(pl.col("record_table").cast(pl.String), "record_id")
            .agg(pl.col("group_id").unique().sort().alias("__groups"))
            .select("record_table", "record_id",
                    pl.col("__groups").list.join(SEPARATOR).alias("disagreement_ids")))


def _column(value: str) -> pl.Expr:
    """A role's column, or its constant (``=value``)."""
    return pl.lit(value[1:], pl.String) if value.startswith("=") else pl.col(value).cast(pl.String)


def _claimant(rows: Frame, actors: pl.DataFrame) -> Frame:
    """The claimant named by the record, else the outlet of the earliest text; with names."""
    rows = rows.with_columns(
        pl.when(pl.col("claimant_actor_id").is_not_null()).then(pl.lit("named"))
        .when(pl.col("__outlet").is_not_null()).then(pl.lit("outlet"))
        .otherwise(pl.lit("unknown")).alias("claimant_basis"),
        pl.coalesce("claimant_actor_id", "__outlet").alias("claimant_actor_id"))
    return _with_names(rows, actors, "claimant_actor_id", country="claimant_country").pipe(
        _with_names, actors, "co_claimant_actor_id")


def _shared(name: str, table_key: str, keyed: bool = True) -> list[pl.Expr]:
    """The columns both views take from every record of the table `name` (keyed by
    `table_key`): claimant, windows, modality and status; first (`keyed`) ``record_table`` and
    ``record_id``."""
    keys = [pl.lit(name).alias("record_table"), pl.col(table_key).alias("record_id")]
    return [*(keys if keyed else []), pl.col("claimant_actor_id"), pl.col("co_claimant_actor_id"),
            *(pl.col(window) for window in WINDOWS), pl.col("modality").cast(pl.String),
            pl.col("status").cast(pl.String)]


def _finish(rows: pl.LazyFrame, tables: dict[str, pl.DataFrame],
            known: pl.DataFrame) -> pl.LazyFrame:
    """The rows of a view with what is `known` per record (`per_record`), the claimant and the
    names."""
    on = ["record_table", "record_id"]
    joined = (rows.join(known.lazy(), on=on, how="left", maintain_order="left")
              .with_columns(pl.when(pl.col("outlets") != "").then("outlets").alias("outlets")))
    return _claimant(joined, tables["actors"])


def collected(rows: pl.LazyFrame, key: str) -> pl.DataFrame:
    """The view of the query `rows` (`VIEWS`), sorted by its `key` (unique: `check_view_keys`).
    The query runs on polars' streaming engine (`linked.streaming`), a batch of rows at a time,
    so that only the view itself is held whole, not each step's copy of it; the order it leaves
    the rows in does not matter, as they are sorted after."""
    return in_order(rows.collect(engine=streaming()), key)


# Below this size a frame out of order is sorted whole: the copy is small, and one sort costs
# less than a gather per column.
WHOLE_SORT_BYTES = 8 * 2**20


def in_order(frame: pl.DataFrame, key: str, whole_below: int = WHOLE_SORT_BYTES
             ) -> pl.DataFrame:
    """`frame` sorted by its (unique) `key`: as it is where it is in order already (curated
    tables often are); sorted whole where it is smaller than `whole_below` bytes; otherwise a
    column at a time, each old column freed as its sorted copy is made (where `frame` is not
    held elsewhere), so that the sorted table is not made beside a whole second copy."""
    if frame[key].is_sorted():
        return frame
    if frame.estimated_size() < whole_below:
        return frame.sort(key)
    order = frame[key].arg_sort()
    columns = []
    for name in frame.columns:
        columns.append(frame.get_column(name).gather(order))
        frame = frame.drop(name)
    return pl.DataFrame(columns)


def per_record(tables: dict[str, pl.DataFrame], parts: Parts | None = None) -> pl.DataFrame:
    """What both views take per record from the evidence and the disagreements, made once:
    after it, the views need neither. The evidence is `tables["evidence"]`, or its `parts` by
    table where given (`linked.evidence_parts`)."""
    on = ["record_table", "record_id"]
    return _reported_by(tables, parts).join(_groups(tables), on=on, how="left")


def claims(tables: dict[str, pl.DataFrame], known: pl.DataFrame | None = None
           ) -> pl.DataFrame:
    """One row per figure stated by a record of any table of claims."""
    return collected(claim_rows(tables, known), CLAIMS.key)


def claim_rows(tables: dict[str, pl.DataFrame], known: pl.DataFrame | None = None
               ) -> pl.LazyFrame:
    """The rows of `claims`, as a query, in no particular order."""
    parts = []
    for name, table in CLAIM_TABLES.items():
        roles: Roles = table.roles  # type: ignore[assignment]
        frame = tables[name].lazy()
        shared = _shared(name, table.key, keyed=False)
        for prefix in table.figures:
            kind = str(table.field(f"{prefix}_text").reads)
            share = kind == "fraction"
            currency = (pl.col(f"{prefix}_currency").cast(pl.String) if kind == "money"
                        else pl.lit(None, pl.String))
            bounds = [pl.col(f"{prefix}_{bound}") for bound in ("low", "best", "high")]
            # The claim's id is made first and the rest from it, so that a filter on the id
            # (`build.write_view` writes a view in runs by its key) is applied before the rest.
            parts.append(frame.with_columns((pl.col(table.key) + f".{prefix}").alias("claim_id"))
                         .select(
                pl.col("claim_id"),
                pl.lit(name).alias("record_table"),
                pl.col(table.key).alias("record_id"),
                pl.lit(prefix).alias("figure"),
                _column(roles.measure(prefix)).alias("measure"),
                pl.col(roles.kind).cast(pl.String).alias("kind"),
                pl.col(roles.subject).alias("subject_actor_id"),
                pl.col(f"{prefix}_text").alias("figure_text"),
                *((pl.lit(None, pl.Int64) if share else bound.round(0).cast(pl.Int64))
                  .alias(part) for bound, part in zip(bounds, ("low", "best", "high"))),
                *((bound.cast(pl.Float64) if share else pl.lit(None, pl.Float64))
                  .alias(f"share_{part}") for bound, part in zip(bounds, ("low", "best", "high"))),
                pl.col(f"{prefix}_qualifier").cast(pl.String).alias("qualifier"),
                pl.col(f"{prefix}_per").cast(pl.String).alias("per"),
                pl.lit(kind).alias("unit"),
                currency.alias("currency"),
                pl.col("relayed_by_actor_id"), *shared)
                .filter(pl.col("figure_text").is_not_null()))
    rows = _with_names(pl.concat(parts), tables["actors"], "subject_actor_id",
                       "relayed_by_actor_id")
    known = per_record(tables) if known is None else known
    return _finish(rows, tables, known).select(CLAIMS.columns)


def events(tables: dict[str, pl.DataFrame], known: pl.DataFrame | None = None
           ) -> pl.DataFrame:
    """Every record of something happening: incidents, arms transfers and deployments."""
    return collected(event_rows(tables, known), EVENTS.key)


def event_rows(tables: dict[str, pl.DataFrame], known: pl.DataFrame | None = None
               ) -> pl.LazyFrame:
    """The rows of `events`, as a query, in no particular order."""
    parts = []
    for name, table in CLAIM_TABLES.items():
        roles: Roles = table.roles  # type: ignore[assignment]
        if not roles.event:
            continue
        frame = tables[name].lazy()
        description = pl.col(roles.description) if roles.description else pl.lit(None, pl.String)
        if name == "historical_deployments":  # the role, and the war it was played in
            description = pl.col("role") + " (" + pl.col("conflict") + ")"
        parts.append(frame.select(
            pl.col(table.key).alias("event_id"),
            pl.col(roles.kind).cast(pl.String).alias("kind"),
            description.alias("description"),
            _column(roles.actor or roles.subject).alias("actor_id"),
            (pl.col(roles.target) if roles.target else pl.lit(None, pl.String))
            .alias("target_actor_id"),
            (pl.col(roles.place) if roles.place else pl.lit(None, pl.String)).alias("place"),
            (pl.col(f"{roles.place}_code") if roles.place else pl.lit(None, pl.String))
            .alias("place_code"),
            pl.col(f"{table.event_date}_text").alias("date_text"),
            *_shared(name, table.key)))
    rows = _with_names(pl.concat(parts), tables["actors"], "actor_id", "target_actor_id")
    known = per_record(tables) if known is None else known
    return _finish(rows, tables, known).select(EVENTS.columns)


# The rows of each view by its name, as a query in no particular order (`collected` makes the
# view of them), made from the validated tables and what `per_record` took from them.
VIEWS = {"claims": claim_rows, "events": event_rows}
