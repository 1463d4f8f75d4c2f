"""Event windows followed through records dated against each other: chains, diamonds, cycles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from dprk_ru_data import vocab, windows
from dprk_ru_data.errors import Problem
from dprk_ru_data.windows import _resolve

DAY = dt.date(2024, 1, 1)


@dataclass
class _File:
    file: str = "raw/incidents.csv"


def resolve(windows: dict, links: dict) -> tuple[dict, list[Problem]]:
    where = {key: [("incidents", line)] for line, key in enumerate(windows, start=2)}
    resolved: dict = {}
    problems: list[Problem] = []
    for record in windows:
        _resolve(record, windows, links, resolved, where, {"incidents": _File()}, problems)
    return resolved, problems


def test_a_long_chain_is_followed_without_recursion() -> None:
    n = 20_000
    windows = {f"in-{i}": (DAY if i == 0 else None, None) for i in range(n)}
    links = {f"in-{i}": (f"in-{i - 1}" if i else None, None) for i in range(n)}
    resolved, problems = resolve(windows, links)
    assert not problems and resolved[f"in-{n - 1}"] == (DAY, None)


def test_a_cycle_is_reported_once_where_it_closes() -> None:
    windows = {"in-1": (None, None), "in-2": (None, None), "in-3": (DAY, None)}
    links = {"in-1": ("in-2", None), "in-2": ("in-1", None), "in-3": ("in-1", None)}
    resolved, problems = resolve(windows, links)
    assert [(p.line, p.rule) for p in problems] == [(2, "dated_against")]
    assert "in-1 -> in-2 -> in-1" in problems[0].message
    assert resolved["in-3"] is None  # dated against a broken chain: no window is made up


def test_a_reference_to_no_record_is_reported_at_its_cell() -> None:
    resolved, problems = resolve({"in-1": (None, None)}, {"in-1": (None, "in-9")})
    assert [(p.line, p.column, p.value) for p in problems] == [(2, "dated_before", "in-9")]
    assert resolved["in-1"] is None


windows_and_links = st.integers(2, 12).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(st.none() | st.integers(0, 300), st.none() | st.integers(0, 300)),
             min_size=n, max_size=n),
    st.lists(st.tuples(st.none() | st.integers(0, n - 1), st.none() | st.integers(0, n - 1)),
             min_size=n, max_size=n)))


@given(windows_and_links)
def test_resolved_windows_keep_every_reference(case) -> None:
    """Without a cycle, a record dated after another starts no earlier than it, and one dated
    before another ends no later; with one, the records that depend on it get no window."""
    bounds, refs = case
    keys = [f"in-{i}" for i in range(len(bounds))]
    day = lambda d: None if d is None else DAY + dt.timedelta(days=d)  # noqa: E731
    windows = {k: (day(a), day(b)) for k, (a, b) in zip(keys, bounds)}
    links = {k: tuple(None if r is None else keys[r] for r in ref) for k, ref in zip(keys, refs)}
    resolved, problems = resolve(windows, links)
    assert set(resolved) == set(keys)  # every record resolved or refused, none forgotten
    for key, window in resolved.items():
        if window is None:
            assert problems  # no window only where something was reported
            continue
        after, before = links[key]
        # A record starts no earlier than the resolved window of what it is dated after (which
        # itself starts no earlier than that record's own date), and ends no later than the
        # resolved window of what it is dated before; and it is never wider than its own date.
        own = windows[key]
        assert (own[0] is None or window[0] >= own[0]) and (own[1] is None or window[1] <= own[1])
        if after is not None:
            bound = resolved[after]
            assert bound is not None  # a broken reference would have left this record None
            assert bound[0] is None or (window[0] is not None and window[0] >= bound[0])
        if before is not None:
            bound = resolved[before]
            assert bound is not None
            assert bound[1] is None or (window[1] is not None and window[1] <= bound[1])


_DAYS = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2025, 12, 31))


@given(st.lists(st.tuples(st.sampled_from([*vocab.MODALITY, None]), st.none() | _DAYS,
                          st.none() | _DAYS, st.none() | _DAYS, _DAYS), min_size=1,
                max_size=30))
def test_what_is_not_done_is_never_closed_by_its_claim(rows) -> None:
    """For every record whose modality is neither occurred nor ongoing, the event window does
    not end at or before the end of the claim window; for the others it ends no later."""
    frame = pl.DataFrame(
        [{"modality": m, "__own_start": min(a, b) if a and b else a,
          "__own_end": max(a, b) if a and b else b, "claim_window_start": c if c and c <= e
          else None, "claim_window_end": e} for m, a, b, c, e in rows],
        schema={"modality": pl.String, "__own_start": pl.Date, "__own_end": pl.Date,
                "claim_window_start": pl.Date, "claim_window_end": pl.Date})
    out = windows.bound_by_claim(frame)
    for row in out.iter_rows(named=True):
        end, claim_end = row["event_window_end"], row["claim_window_end"]
        if row["modality"] in (None, *vocab.MODALITY_BEFORE_CLAIM):
            assert end is not None and end <= claim_end
            assert end == min(d for d in (row["__own_end"], claim_end) if d)
        else:
            assert end is None or end > claim_end
            assert end is None or end == row["__own_end"]  # its own date, never the claim's
            if row["modality"] in vocab.MODALITY_AFTER_CLAIM and row["claim_window_start"] \
                    and row["event_window_start"]:
                assert row["event_window_start"] >= row["claim_window_start"]
            elif row["modality"] not in vocab.MODALITY_AFTER_CLAIM:  # not bounded by the claim
                assert row["event_window_start"] == row["__own_start"]
