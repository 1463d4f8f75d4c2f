"""Each evidence row's publication day is looked up in a map of the sources: per record, the
earliest and the latest day it gives are those a join of the evidence with the sources gives,
whatever the sources hold (repeated ids, unknown days, ids no evidence names)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from dprk_ru_data.linked import published_end

from .conftest import examples

IDS = st.sampled_from(["s1", "s2", "s3", None])
DAYS = st.one_of(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2024, 1, 9)))


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.tuples(IDS, DAYS), max_size=6),
       st.lists(st.tuples(st.sampled_from(["r1", "r2"]), IDS), max_size=8))
def test_the_map_gives_what_the_join_gives(sources: list, evidence: list) -> None:
    sources_frame = pl.DataFrame(sources, schema={"source_id": pl.String,
                                                  "published_end": pl.Date}, orient="row")
    mine = pl.DataFrame(evidence, schema={"record_id": pl.String, "source_id": pl.String},
                        orient="row")
    for latest in (False, True):
        day = pl.col("published_end").max() if latest else pl.col("published_end").min()
        joined = (mine.join(sources_frame, on="source_id").group_by("record_id").agg(day)
                  .drop_nulls("published_end").sort("record_id"))
        mapped = (mine.select("record_id", published_end(sources_frame, latest))
                  .group_by("record_id").agg(day).drop_nulls("published_end").sort("record_id"))
        assert_frame_equal(mapped, joined)
