"""Event windows followed through records dated against each other: chains, diamonds, cycles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

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
