"""The primary-key check reports every repeat, in order or not: the check by order (a key
greater than the one before it) only ever stands in for the check by hashing where no key
repeats."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_ru_data.errors import Problem
from dprk_ru_data.raw import LINE, Loaded
from dprk_ru_data.registry import STORED
from dprk_ru_data.validate import check_unique_keys

from .conftest import examples

TABLE = STORED["incidents"]
KEYS = st.lists(st.one_of(st.none(), st.text(alphabet="ab1-", max_size=3)), max_size=12)


@settings(max_examples=examples(300), deadline=None)
@given(KEYS, st.booleans())
def test_every_repeated_key_is_reported_at_each_line_after_its_first(keys: list[str | None],
                                                                     ordered: bool) -> None:
    if ordered:
        keys = sorted(keys, key=lambda k: (k is not None, k or ""))
    frame = pl.DataFrame({LINE: range(2, len(keys) + 2), TABLE.key: keys},
                         schema={LINE: pl.Int64, TABLE.key: pl.String})
    problems: list[Problem] = []
    check_unique_keys(Loaded(TABLE, "raw/incidents.csv", frame), frame, problems)
    first: dict[str, int] = {}
    expected = []
    for line, key in enumerate(keys, start=2):
        if key is None:
            continue
        if key in first:
            expected.append((line, key, first[key]))
        else:
            first[key] = line
    assert sorted((p.line, p.value) for p in problems) == [(line, key) for line, key, _ in
                                                           expected]
    assert all(p.rule == "duplicate_key" and p.column == TABLE.key for p in problems)
    firsts = {(p.line, p.value): p.message for p in problems}
    for line, key, at in expected:
        assert f"line {at}" in firsts[(line, key)]


def _records(key: str, ids: list[str], figures: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame({LINE: range(2, len(ids) + 2), key: ids, "figure_text": figures},
                        schema={LINE: pl.Int64, key: pl.String, "figure_text": pl.String})


def test_a_key_two_tables_share_is_refused_where_a_view_would_list_both() -> None:
    from dprk_ru_data.validate import check_view_keys

    troops = _records("estimate_id", ["x-1", "x-2"], ["500", "600"])
    # x-1 has a figure in both tables: two rows of the claims view keyed 'x-1.figure'. x-2 has
    # none as an incident, and troop estimates are not events: nothing is shared.
    incidents = _records("incident_id", ["x-1", "x-2", "x-3"], ["3", None, "4"])
    typed = {"troop_estimates": troops, "incidents": incidents}
    loaded = {name: Loaded(STORED[name], f"raw/{name}.csv", frame) for name, frame in typed.items()}
    problems: list[Problem] = []
    check_view_keys(loaded, typed, problems)
    assert [(p.file, p.line, p.column, p.value, p.rule) for p in problems] == [
        ("raw/incidents.csv", 2, "incident_id", "x-1", "shared_view_key")]
    assert "'x-1.figure'" in problems[0].message and "line 2 of raw/troop_estimates.csv" in (
        problems[0].message)
