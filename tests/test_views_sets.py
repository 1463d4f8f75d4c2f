"""The views gather each record's texts as sets of bits, 64 sources to a word: what they give
is what a plain reading of the evidence gives, for any number of sources."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_ru_data.views import SEPARATOR, WORD, _reported_by

from .conftest import examples


def _tables(sources: int, cited: list[list[int]], outlets: dict[int, int]) -> dict:
    ids = [f"src-{n:04d}" for n in range(sources)]
    day = dt.date(2024, 1, 1)
    return {
        "sources": pl.DataFrame({
            "source_id": ids,
            "outlet_id": [f"actor-{outlets[n]}" if n in outlets else None
                          for n in range(sources)],
            # Several texts share a day: the earliest is then the first by id.
            "published_start": [day + dt.timedelta(days=(n * 7) % 5) for n in range(sources)]},
            schema={"source_id": pl.String, "outlet_id": pl.String, "published_start": pl.Date}),
        "actors": pl.DataFrame({"actor_id": [f"actor-{n}" for n in range(5)],
                                "name": [f"Outlet {n}" for n in range(5)]}),
        "evidence": pl.DataFrame({
            "record_table": ["incidents"] * sum(map(len, cited)),
            "record_id": [f"inc-{r}" for r, texts in enumerate(cited) for _ in texts],
            "source_id": [ids[n] for texts in cited for n in texts]}),
    }


def _plainly(tables: dict) -> dict[str, tuple[str, str | None, str | None]]:
    """Per record: its texts, their outlets' names and its earliest outlet, read plainly."""
    sources = {row["source_id"]: row for row in tables["sources"].iter_rows(named=True)}
    names = dict(tables["actors"].select("actor_id", "name").iter_rows())
    texts: dict[str, set[str]] = {}
    for record, source in tables["evidence"].select("record_id", "source_id").iter_rows():
        texts.setdefault(record, set()).add(source)
    out = {}
    for record, found in texts.items():
        ordered = sorted(found)
        outlets = dict.fromkeys(names[sources[s]["outlet_id"]] for s in ordered
                                if sources[s]["outlet_id"])
        with_outlet = [s for s in found if sources[s]["outlet_id"]]
        first = min(with_outlet, key=lambda s: (sources[s]["published_start"], s), default=None)
        out[record] = (SEPARATOR.join(ordered), SEPARATOR.join(outlets) or None,
                       sources[first]["outlet_id"] if first else None)
    return out


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(1, 3 * WORD + 5).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.lists(st.integers(0, n - 1), min_size=1, max_size=6), min_size=1,
                         max_size=12),
    st.dictionaries(st.integers(0, n - 1), st.integers(0, 4)))))
def test_each_records_texts_and_outlets_are_those_of_its_evidence(case) -> None:
    sources, cited, outlets = case
    tables = _tables(sources, cited, outlets)
    found = {row["record_id"]: (row["source_ids"], row["outlets"] or None, row["__outlet"])
             for row in _reported_by(tables).iter_rows(named=True)}
    assert found == _plainly(tables)


def test_sources_beyond_one_word_are_kept_apart() -> None:
    # Sources 3 and 3 + 64 share a bit in their words; a record citing one is not given both.
    tables = _tables(2 * WORD, [[3], [3 + WORD], [3, 3 + WORD]], {})
    texts = dict(_reported_by(tables).select("record_id", "source_ids").iter_rows())
    assert texts == {"inc-0": "src-0003", "inc-1": f"src-{3 + WORD:04d}",
                     "inc-2": f"src-0003{SEPARATOR}src-{3 + WORD:04d}"}
