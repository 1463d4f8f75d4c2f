"""Tables and views are written in key order: `in_order` gives what a sort by the key gives,
whether the frame is in order already or not, with every column kept beside its key."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from dprk_ru_data.views import WHOLE_SORT_BYTES, in_order

from .conftest import examples

KEYS = st.lists(st.text(alphabet="ab.1-", max_size=4), unique=True, max_size=30)


@settings(max_examples=examples(300), deadline=None)
@given(KEYS, st.booleans(), st.sampled_from([0, WHOLE_SORT_BYTES]), st.data())
def test_in_order_is_the_sort_by_the_key(keys: list[str], presorted: bool, whole_below: int,
                                         data: st.DataObject) -> None:
    """Either way of sorting (a column at a time where `whole_below` is 0, whole where it is
    the default and the frame small) gives the sort by the key."""
    if presorted:
        keys = sorted(keys)
    values = data.draw(st.lists(st.one_of(st.none(), st.integers(-5, 5)),
                                min_size=len(keys), max_size=len(keys)))
    frame = pl.DataFrame({"note": [None if v is None else str(v) for v in values], "key": keys,
                          "value": values}, schema={"note": pl.String, "key": pl.String,
                                                    "value": pl.Int64})
    assert_frame_equal(in_order(frame, "key", whole_below), frame.sort("key"))
