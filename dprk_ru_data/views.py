"""The views: `claims` and `events`, built from the validated tables with names inline.

They are resources of the package like the tables (typed, described, hashed, shipped), but nobody
types them: the build makes them from the records, the actors, the evidence and the sources. What
each column means is in the registry (`registry.CLAIMS`, `registry.EVENTS`).
"""

from __future__ import annotations

import polars as pl

from .registry import CLAIMS, EVENTS, TABLES, WINDOWS

# Per table of claims: the column saying what a figure counts, and who it is about.
WHAT = {"troop_estimates": "measure", "arms_transfers": "category", "incidents": "type",
        "historical_deployments": "personnel_kind"}
SUBJECT = {"troop_estimates": "subject_actor_id", "arms_transfers": "supplier_actor_id",
           "incidents": "actor_id", "historical_deployments": "host_actor_id"}
SEPARATOR = " | "


def _with_names(rows: pl.DataFrame, actors: pl.DataFrame, *id_columns: str,
                country: str | None = None) -> pl.DataFrame:
    """`rows` with the name of the actor in each of `id_columns` beside it (``subject_actor_id``
    -> ``subject_name``, ``actor_id`` -> ``actor_name``), and `country` holding the country of
    the first."""
    for id_column in id_columns:
        name_column = id_column.removesuffix("_id").removesuffix("_actor") + "_name"
        wanted = [pl.col("actor_id").alias(id_column), pl.col("name").alias(name_column)]
        if country and id_column == id_columns[0]:
            wanted.append(pl.col("country").alias(country))
        rows = rows.join(actors.select(wanted), on=id_column, how="left", maintain_order="left")
    return rows


def _reported_by(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per record: the texts that report it and their outlets' names, each joined by ` | `."""
    outlets = _with_names(tables["sources"].rename({"outlet_id": "outlet_actor_id"}),
                          tables["actors"], "outlet_actor_id")
    outlet_of = dict(outlets.select("source_id", "outlet_name").iter_rows())
    return (tables["evidence"]
            .group_by(pl.col("record_table").cast(pl.String), "record_id")
            .agg(pl.col("source_id").unique().sort().alias("__sources"))
            .select("record_table", "record_id",
                    pl.col("__sources").list.join(SEPARATOR).alias("source_ids"),
                    pl.col("__sources").list.eval(
                        pl.element().replace_strict(outlet_of, default=None,
                                                    return_dtype=pl.String))
                    .list.drop_nulls().list.unique(maintain_order=True)
                    .list.join(SEPARATOR).alias("outlets")))


def claims(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per figure stated by a record of any table of claims."""
    actors, reported = tables["actors"], _reported_by(tables)
    parts = []
    for name, what in WHAT.items():
        table, frame = TABLES[name], tables[name]
        for prefix in table.figures:
            kind = str(table.field(f"{prefix}_text").reads)
            currency = (pl.col(f"{prefix}_currency").cast(pl.String) if kind == "money"
                        else pl.lit(None, pl.String))
            parts.append(frame.filter(pl.col(f"{prefix}_text").is_not_null()).select(
                (pl.col(table.key) + f".{prefix}").alias("claim_id"),
                pl.lit(name).alias("record_table"),
                pl.col(table.key).alias("record_id"),
                pl.lit(prefix).alias("figure"),
                pl.col(what).cast(pl.String).alias("measure"),
                pl.col(SUBJECT[name]).alias("subject_actor_id"),
                pl.col(f"{prefix}_text").alias("figure_text"),
                *(pl.col(f"{prefix}_{bound}").cast(pl.Float64).alias(bound)
                  for bound in ("low", "best", "high")),
                pl.col(f"{prefix}_qualifier").cast(pl.String).alias("qualifier"),
                pl.col(f"{prefix}_per").cast(pl.String).alias("per"),
                pl.lit(kind).alias("unit"),
                currency.alias("currency"),
                "claimant_actor_id", "relayed_by_actor_id", *WINDOWS,
                pl.col("status").cast(pl.String) if "status" in frame.columns
                else pl.lit(None, pl.String).alias("status")))
    rows = pl.concat(parts)
    rows = (_with_names(rows, actors, "subject_actor_id", "relayed_by_actor_id")
            .pipe(_with_names, actors, "claimant_actor_id", country="claimant_country")
            .join(reported, on=["record_table", "record_id"], how="left",
                  maintain_order="left")
            .with_columns(pl.when(pl.col("outlets") != "").then("outlets").alias("outlets")))
    return rows.select(CLAIMS.columns).sort("claim_id")


def events(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Every incident and historical deployment, with names and windows."""
    actors = tables["actors"]
    incidents = tables["incidents"].select(
        pl.col("incident_id").alias("event_id"), pl.lit("incidents").alias("record_table"),
        pl.col("type").cast(pl.String).alias("kind"), "description", "actor_id",
        "target_actor_id", "place", "place_code", "date_text", *WINDOWS, "claimant_actor_id",
        pl.col("status").cast(pl.String))
    deployments = tables["historical_deployments"].select(
        pl.col("deployment_id").alias("event_id"),
        pl.lit("historical_deployments").alias("record_table"),
        pl.col("personnel_kind").cast(pl.String).alias("kind"),
        (pl.col("role") + " (" + pl.col("conflict") + ")").alias("description"),
        pl.lit("north-korea").alias("actor_id"), pl.col("host_actor_id").alias("target_actor_id"),
        pl.lit(None, pl.String).alias("place"), pl.lit(None, pl.String).alias("place_code"),
        pl.col("period_text").alias("date_text"), *WINDOWS, "claimant_actor_id",
        pl.lit(None, pl.String).alias("status"))
    rows = _with_names(pl.concat([incidents, deployments]), actors, "actor_id",
                       "target_actor_id", "claimant_actor_id")
    return rows.select(EVENTS.columns).sort("event_id")


def build_views(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Both views, from the validated tables."""
    return {"claims": claims(tables), "events": events(tables)}
