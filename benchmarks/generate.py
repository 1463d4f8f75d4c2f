"""Synthetic raw tables at event-data scale, schema-valid, for timing the build.

Every table is written, with consistent foreign keys, one or more evidence rows per record (and
one per figure, date, claimant and relayer a claim states, which share of claims state each as in
the committed data: `STATED_SHARES`), and
realistic figure and date phrases (vague words, ranges, bounds and relative dates anchored on the
sources' publication dates), repeated the way real reporting repeats them. The texts are synthetic:
no corpus is needed, and the evidence hashes are well-formed but not checked.

    python benchmarks/generate.py OUT_DIR N      # N rows of troop_estimates
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

import polars as pl

SEED = 20241024
STATES = {"north-korea": "KP", "russia": "RU", "ukraine": "UA", "south-korea": "KR",
          "united-states": "US", "china": "CN", "belarus": "BY", "iran": "IR"}
PLACES = {"Kursk": "RU-KRS", "Donetsk": "UA-14", "Vladivostok": "RU-PRI", "Bryansk": "RU-BRY",
          "Ukraine": "UA", "Russia": "RU", "Pyongyang": "KP-01", "Kharkiv": "UA-63", None: None}
ROUND_NUMBERS = [n for n in range(50, 1_000, 50)] + [n for n in range(1_000, 30_001, 500)]
FIGURE_FORMS = ["{n:,}", "about {n:,}", "up to {n:,}", "over {n:,}", "{n:,}+", "nearly {n:,}",
                "between {a:,} and {n:,}", "{a:,} to {n:,}", "an estimated {n:,}",
                "more than {n:,} troops", "at least {n:,}"]
VAGUE_FIGURES = ["several thousand", "dozens", "hundreds", "thousands", "a few", "some",
                 "tens of thousands"]
SHARES = ["about half", "a third", "up to 60%", "20%", "less than 1%", "75%"]
DATES = ["14 October", "October 2024", "2024-10-05", "2024-09", "summer of 2024", "mid-October",
         "early October 2024", "last week", "on Tuesday", "earlier this month", "last month",
         "since May 2024", "2024", "this week", "in August", "October 10", "2024-10-01/2024-10-12"]
DATED = [d for d in DATES if re.search(r"\b\d{4}\b", d)]  # the forms that write their year
HISTORY_PERIODS = ["1966-1972", "1973", "1980s", "1967/1969", "1983-1986", "1970s", "2018"]


STATUSES = ["asserted", "assessed_likely", "speculated", "unverified", "confirmed", "denied"]


def _pick(pool: list, n: int, seed: int) -> pl.Series:
    """`n` draws with replacement from `pool` (None allowed), reproducible for a seed."""
    index = pl.int_range(0, len(pool), eager=True).sample(n, with_replacement=True, seed=seed)
    return pl.Series(pool, dtype=pl.String)[index]


def figure_pool(size: int = 2_000) -> list[str]:
    """Figure phrases as reports write them: mostly round numbers in a few dozen spellings."""
    numbers = pl.Series(ROUND_NUMBERS).sample(size, with_replacement=True, seed=SEED).to_list()
    forms = _pick(FIGURE_FORMS, size, SEED + 1).to_list()
    pool = [form.format(n=n, a=n // 2) for form, n in zip(forms, numbers)]
    return pool + VAGUE_FIGURES * 20


# How often each table of claims states each field, as in the committed data (raw/, version
# 0.2.0): a claim names its claimant two times in three, its relayer one time in five, and so on.
# The synthetic rows keep a field with this share, so that the evidence the build must check (one
# row per stated field) grows as it does in real reporting.
STATED_SHARES = {
    "troop_estimates": {"as_of_text": 0.05, "claimant_actor_id": 0.67,
                        "relayed_by_actor_id": 0.2, "claimed_text": 0.2},
    "arms_transfers": {"quantity_text": 0.1, "supply_share_text": 0.1, "defect_share_text": 0.1,
                       "period_text": 0.15, "claimant_actor_id": 0.45,
                       "relayed_by_actor_id": 0.1, "claimed_text": 0.25},
    "incidents": {"date_text": 0.35, "figure_text": 0.2, "claimant_actor_id": 0.33,
                  "relayed_by_actor_id": 0.1, "claimed_text": 0.1},
    "historical_deployments": {"period_text": 0.25, "size_text": 0.25,
                               "claimant_actor_id": 0.6},
}


def _thin(frame: pl.DataFrame, shares: dict[str, float], seed: int) -> pl.DataFrame:
    """`frame` with each column of `shares` kept on about that share of rows, else empty."""
    index = pl.int_range(0, pl.len(), dtype=pl.UInt64)
    return frame.with_columns(
        pl.when((index.hash(seed + i) % 1000) < int(share * 1000)).then(pl.col(column))
        .alias(column) for i, (column, share) in enumerate(shares.items()))


def _ids(prefix: str, n: int, width: int) -> pl.Series:
    return pl.format(f"{prefix}-{{}}", pl.int_range(1, n + 1).cast(pl.String).str.zfill(width))


def generate(out: Path, n: int) -> dict[str, int]:
    """Write `out/raw/*.csv` with `n` troop estimates; return each table's row count."""
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    n_sources, n_other = 40, max(1, n // 10)
    actors = pl.DataFrame({"actor_id": list(STATES), "name": [s.title() for s in STATES],
                           "kind": "state", "country": list(STATES.values())})
    people = max(20, min(5_000, n // 100))
    actors = pl.concat([actors, pl.select(
        actor_id=_ids("actor", people, 5),
        name=pl.format("Synthetic actor {}", pl.int_range(1, people + 1)),
        kind=_pick(["person", "unit", "media", "unnamed", "government", "organisation"],
                   people, SEED + 2),
        country=_pick(list(STATES.values()), people, SEED + 3))], how="diagonal")
    actors = actors.with_columns(
        variants=pl.lit(None, pl.String), role=pl.lit(None, pl.String),
        parent_actor_id=pl.when(pl.col("kind") == "unit").then(pl.lit("russia")),
        note=pl.lit(None, pl.String))
    actor_ids = actors["actor_id"].to_list()
    media = actors.filter(pl.col("kind") == "media")["actor_id"].to_list() or [actor_ids[0]]

    source_ids = [f"src-{i:03d}" for i in range(n_sources)]
    sources = pl.DataFrame({
        "source_id": source_ids,
        "corpus_file": [f"{i:03d}_synthetic.txt" for i in range(n_sources)],
        "corpus_sha256": [hashlib.sha256(s.encode()).hexdigest() for s in source_ids],
        "corpus_chars": [200_000] * n_sources,
        "outlet_id": [media[i % len(media)] for i in range(n_sources)],
        "author": [None] * n_sources, "title": [None] * n_sources,
        "published_text": [f"2024-10-{14 + i % 15}" if i % 3 else "2024-10-14/2024-10-31"
                           for i in range(n_sources)],
        "kind": ["news", "analysis"] * (n_sources // 2),
        "url": [None] * n_sources, "language": ["en"] * n_sources,
        "metadata_note": ["Synthetic source written by benchmarks/generate.py."] * n_sources,
    })

    figures = figure_pool()
    places = list(PLACES)
    place = _pick(places, n, SEED + 4)
    troops = pl.DataFrame({
        "estimate_id": pl.select(_ids("te", n, 7)).to_series(),
        "subject_actor_id": _pick(["north-korea", "russia", *actor_ids[8:40]], n, SEED + 5),
        "measure": _pick(["deployed", "present", "in_training", "in_transit", "killed",
                          "wounded", "captured", "deserted"], n, SEED + 6),
        "location": place,
        "location_code": place.replace_strict(PLACES, default=None, return_dtype=pl.String),
        "as_of_text": _pick([*DATES, None], n, SEED + 7),
        "figure_text": _pick(figures, n, SEED + 8),
        "claimant_actor_id": _pick([*actor_ids, None], n, SEED + 9),
        "relayed_by_actor_id": _pick([*media, None], n, SEED + 10),
        "status": _pick(STATUSES, n, SEED + 11),
        "note": _pick([None, None, "Synthetic; repeats a figure reported elsewhere.",
                       "Synthetic; a claim that another row contradicts."], n, SEED + 12),
    })
    transfers = pl.DataFrame({
        "transfer_id": pl.select(_ids("at", n_other, 7)).to_series(),
        "supplier_actor_id": _pick(["north-korea", "russia"], n_other, SEED + 13),
        "recipient_actor_id": _pick(["russia", "north-korea"], n_other, SEED + 14),
        "category": _pick(["artillery_ammunition", "ballistic_missiles", "small_arms",
                           "military_technology", "know_how"], n_other, SEED + 15),
        "designation": _pick(["KN-23 missiles", "152mm shells", "122mm rockets", None], n_other,
                             SEED + 16),
        "quantity_text": _pick([*figures[:200], None], n_other, SEED + 17),
        "supply_share_text": _pick([*SHARES, None, None, None], n_other, SEED + 18),
        "defect_share_text": _pick([*SHARES, None, None, None], n_other, SEED + 19),
        "period_text": _pick([*DATES, None], n_other, SEED + 20),
        "status": _pick(STATUSES, n_other, SEED + 21),
        "claimant_actor_id": _pick([*actor_ids, None], n_other, SEED + 22),
        "note": _pick([None, "Synthetic transfer."], n_other, SEED + 23),
    })
    incidents = pl.DataFrame({
        "incident_id": pl.select(_ids("in", n_other, 7)).to_series(),
        "date_text": _pick(DATES, n_other, SEED + 24),
        "type": _pick(["strike", "casualties", "desertion", "statement", "denial"], n_other,
                      SEED + 25),
        "description": _pick(["A synthetic strike on a depot.", "A synthetic statement.",
                              "Synthetic desertions reported near the border."], n_other,
                             SEED + 26),
        "place": place[:n_other],
        "place_code": place[:n_other].replace_strict(PLACES, default=None,
                                                     return_dtype=pl.String),
        "actor_id": _pick(actor_ids, n_other, SEED + 27),
        "target_actor_id": _pick([*actor_ids, None], n_other, SEED + 28),
        "figure_text": _pick([*figures[:300], None], n_other, SEED + 29),
        "claimant_actor_id": _pick([*actor_ids, None], n_other, SEED + 30),
        "status": _pick(STATUSES, n_other, SEED + 31),
        "note": _pick([None, "Synthetic incident."], n_other, SEED + 32),
    })
    n_history = max(1, n // 100)
    history = pl.DataFrame({
        "deployment_id": pl.select(_ids("hd", n_history, 6)).to_series(),
        "host_actor_id": _pick(actor_ids[:8], n_history, SEED + 33),
        "conflict": _pick(["Vietnam War", "Yom Kippur War", "Angolan Civil War"], n_history,
                          SEED + 34),
        "period_text": _pick(HISTORY_PERIODS, n_history, SEED + 35),
        "personnel_kind": _pick(["pilots", "advisors", "engineers", "trainers"], n_history,
                                SEED + 36),
        "size_text": _pick([*figures[:100], None], n_history, SEED + 37),
        "role": _pick(["Flew synthetic sorties.", "Trained a synthetic army."], n_history,
                      SEED + 38),
        "outcome": [None] * n_history,
        "claimant_actor_id": _pick([*actor_ids, None], n_history, SEED + 39),
        "note": [None] * n_history,
    })
    records = {"sources": sources, "actors": actors, "troop_estimates": troops,
               "arms_transfers": transfers, "incidents": incidents,
               "historical_deployments": history}
    keys = {"sources": "source_id", "actors": "actor_id", "troop_estimates": "estimate_id",
            "arms_transfers": "transfer_id", "incidents": "incident_id",
            "historical_deployments": "deployment_id"}
    from dprk_ru_data.registry import TABLES
    from dprk_ru_data.validate.links import stated_fields

    claimed = {"troop_estimates": troops, "arms_transfers": transfers, "incidents": incidents,
               "historical_deployments": history}
    for seed, (name, frame) in enumerate(claimed.items(), start=SEED + 40):
        missing = [c for c in TABLES[name].raw_columns if c not in frame.columns]
        frame = frame.with_columns(pl.lit(None, pl.String).alias(c) for c in missing)
        own = {"troop_estimates": "as_of_text", "historical_deployments": "period_text",
               "incidents": "date_text", "arms_transfers": "period_text"}[name]
        frame = frame.with_columns(
            # Most claims report what happened; some a plan, an expectation or a possibility.
            modality=_pick(["occurred"] * 6 + ["ongoing", "planned", "expected", "possible"],
                           frame.height, seed + 30),
            status=(pl.col("status") if "status" in frame.columns and
                    frame["status"].null_count() < frame.height
                    else _pick(STATUSES, frame.height, seed + 40)),
            claimed_text=_pick(["last week", "on Tuesday", "October 10"], frame.height, seed),
            relayed_by_actor_id=pl.col("relayed_by_actor_id").fill_null(
                _pick(media, frame.height, seed + 10)),
            claimant_actor_id=pl.col("claimant_actor_id").fill_null(
                _pick(actor_ids, frame.height, seed + 20)))
        # A possibility's own date is written with its year: with no tense to place it, a date
        # without one is refused as ambiguous (docs/conventions.md, Tense).
        frame = frame.with_columns(pl.when(pl.col("modality") == "possible")
                                   .then(pl.when(pl.col(own).is_not_null())
                                         .then(_pick(DATED, frame.height, seed + 50)))
                                   .otherwise(pl.col(own)).alias(own))
        frame = _thin(frame, STATED_SHARES[name], seed)
        # A claim date only where the record has no date of its own, so that the two agree.
        records[name] = frame.with_columns(
            claimed_text=pl.when(pl.col(own).is_null()).then(pl.col("claimed_text")))
    # One evidence row per record; a second, from the same text, for every fifth one; and one
    # per field a claim states (its figures, dates, claimant and relayer), as the build requires.
    links = pl.concat([
        frame.select(pl.lit(name).alias("record_table"), pl.col(keys[name]).alias("record_id"),
                     pl.lit(None, pl.String).alias("field"))
        for name, frame in records.items()])
    stated = [records[name].select(pl.lit(name).alias("record_table"),
                                   pl.col(keys[name]).alias("record_id"),
                                   pl.lit(column).alias("field"), pl.col(column).alias("value"))
              .drop_nulls("value").drop("value")
              for name in claimed for column in stated_fields(TABLES[name])]
    links = pl.concat([links, links.gather_every(5), *stated])
    m = links.height
    start = pl.int_range(0, m, eager=True).hash(SEED) % 190_000
    evidence = links.with_columns(
        evidence_id=pl.format("ev-{}", pl.int_range(1, m + 1).cast(pl.String).str.zfill(9)),
        # The record's text: sources cite themselves, every other record one fixed source.
        source_id=pl.when(pl.col("record_table") == "sources").then(pl.col("record_id"))
        .otherwise(pl.format("src-{}", (pl.col("record_id").hash(SEED) % n_sources)
                             .cast(pl.String).str.zfill(3))),
        span_start=start,
        span_end=start + 40 + (pl.int_range(0, m, eager=True) % 200),
        span_sha256=pl.col("record_id").hash(SEED).cast(pl.String).str.zfill(64),
        note=pl.lit(None, pl.String),
    ).select("evidence_id", "record_table", "record_id", "field", "source_id", "span_start",
             "span_end", "span_sha256", "note")
    # A disagreement group for every 100 troop estimates (at most 1,000): two neighbours.
    pairs = records["troop_estimates"]["estimate_id"].head(2 * max(1, min(n // 100, 1_000)))
    groups = pl.DataFrame({"record_id": pairs}).with_row_index("__i").with_columns(
        group_id=pl.format("dg-{}", (pl.col("__i") // 2).cast(pl.String).str.zfill(3)))
    disagreements = groups.select(
        member_id=pl.col("group_id") + "." + pl.col("record_id"), group_id="group_id",
        record_table=pl.lit("troop_estimates"), record_id="record_id", aspect=pl.lit("figure"),
        note=pl.lit("Synthetic; gives another figure than its neighbour."))
    for name, frame in {**records, "evidence": evidence, "disagreements": disagreements}.items():
        frame.select(TABLES[name].raw_columns).write_csv(raw / f"{name}.csv")
    return {name: frame.height for name, frame in {**records, "evidence": evidence,
                                                   "disagreements": disagreements}.items()}


if __name__ == "__main__":
    counts = generate(Path(sys.argv[1]), int(sys.argv[2]))
    print(", ".join(f"{name} {rows:,}" for name, rows in counts.items()))
