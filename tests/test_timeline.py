"""The site's timeline (`dprk_ru_data.site.timeline`): every event is one link to its own record,
no two marks overlap, x follows the dates, open ends and undated events are shown, the fragment
is well-formed and reaches for nothing outside the page.

The layout's invariants are checked on the built `events` view and on made-up frames (random
windows, nulls, text full of markup characters)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import Counter
from itertools import combinations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dprk_ru_data
from dprk_ru_data.site import timeline as tl
from dprk_ru_data.vocab import MODALITY

DATABASE = "dprk_ru_data"
SCHEMA = {"event_id": pl.String, "record_table": pl.String, "kind": pl.String,
          "description": pl.String, "event_window_start": pl.Date,
          "event_window_end": pl.Date, "modality": pl.String, "status": pl.String,
          "claimant_name": pl.String}


def frame(*rows: dict[str, object]) -> pl.DataFrame:
    """An events frame of `rows`, every column of `SCHEMA` present (missing ones null)."""
    return pl.DataFrame([{c: r.get(c) for c in SCHEMA} for r in rows], schema=SCHEMA)


def event(event_id: str, start: dt.date | None, end: dt.date | None,
          record_table: str = "incidents", modality: str = "occurred") -> dict[str, object]:
    return {"event_id": event_id, "record_table": record_table, "kind": "statement",
            "description": f"event {event_id}", "event_window_start": start,
            "event_window_end": end, "modality": modality, "claimant_name": "Someone"}


def parse(fragment: str) -> ET.Element:
    """The fragment as XML (fails where it is not well-formed)."""
    return ET.fromstring(f"<root>{fragment}</root>")


def tilde_decode(part: str) -> str:
    """Datasette's tilde encoding undone, written apart from the module's encoder."""
    raw = re.sub(r"~([0-9A-F]{2})", lambda m: f"%{m.group(1)}", part.replace("+", " "))
    return bytes(int(x[1:], 16) if x.startswith("%") else ord(x)
                 for x in re.findall(r"%[0-9A-F]{2}|.", raw, re.S)).decode("utf-8")


def links(root: ET.Element) -> list[str]:
    return [a.attrib["href"] for a in root.iter("a")]


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return dprk_ru_data.load("events")


@pytest.fixture(scope="module")
def built(events: pl.DataFrame) -> str:
    return tl.timeline_html(database=DATABASE)


# The invariants, on any frame -------------------------------------------------------------------

def check_layout(timeline: tl.Timeline, events: pl.DataFrame) -> None:
    ids = events["event_id"].cast(pl.String).to_list()
    drawn = [m.event_id for m in timeline.marks]
    listed = [u.event_id for u in timeline.undated]
    assert sorted(drawn + listed) == sorted(ids)  # every event once: drawn or listed
    starts = dict(zip(ids, events["event_window_start"].to_list()))
    ends = dict(zip(ids, events["event_window_end"].to_list()))
    for u in timeline.undated:
        assert starts[u.event_id] is None and ends[u.event_id] is None
    assert 0 < timeline.left < timeline.right <= timeline.width <= 1300
    for m in timeline.marks:
        assert timeline.left <= m.x0 < m.x1 <= timeline.right, m
        # its label, right-aligned 8 px left of the drawing, fits in the space left of it
        assert len(m.label) * tl.CHAR <= timeline.left - 8
        assert 0 <= m.y and m.y + tl.BAR <= timeline.height
        lane = next(lane for lane in timeline.lanes if lane.record_table == m.record_table)
        assert lane.y0 <= m.y and m.y + tl.BAR <= lane.y1
        start, end = starts[m.event_id], ends[m.event_id]
        assert (m.start, m.end) == ((start, end) if start is None or end is None
                                    else (min(start, end), max(start, end)))
        expected = {(True, True): "point" if start == end else "bar",
                    (False, True): "open_start", (True, False): "open_end"}
        assert m.shape == expected[(start is not None, end is not None)]
        if m.shape == "bar":
            assert m.x_start is not None and m.x_end is not None
            assert m.x0 <= m.x_start < m.x_end <= m.x1 and m.x1 - m.x0 >= tl.MIN_BAR - 1e-9
        if m.shape == "open_start":
            assert m.x1 == m.x_end and m.x1 - m.x0 > tl.MIN_BAR
        if m.shape == "open_end":
            assert m.x0 == m.x_start and m.x1 - m.x0 > tl.MIN_BAR
    for a, b in combinations(timeline.marks, 2):  # no two marks share any area
        assert a.x1 <= b.x0 or b.x1 <= a.x0 or a.y + tl.BAR <= b.y or b.y + tl.BAR <= a.y, (a, b)
    # x follows the dates over the whole axis: a later date never lies left of an earlier one
    known = sorted({(d, x) for m in timeline.marks
                    for d, x in ((m.start, m.x_start),
                                 (m.end and m.end + dt.timedelta(days=1), m.x_end))
                    if d is not None and x is not None})
    for (d1, x1), (d2, x2) in zip(known, known[1:]):
        assert x1 <= x2 if d1 <= d2 else x1 >= x2
        assert d1 == d2 or x1 < x2  # two days are never drawn at one place
    # within a lane, rows go down in order of the earliest known date
    for lane in timeline.lanes:
        mine = sorted((m for m in timeline.marks if m.record_table == lane.record_table),
                      key=lambda m: m.y)
        assert len(mine) == lane.count
        keys = [m.start or m.end for m in mine]
        assert keys == sorted(keys)


def check_fragment(fragment: str, events: pl.DataFrame, database: str) -> ET.Element:
    root = parse(fragment)
    assert len(list(root.iter("svg"))) >= 1
    assert sum(1 for s in root.iter("svg") if s.get("class") == "dprk-timeline") == 1
    assert not list(root.iter("html")) and not list(root.iter("body"))
    hrefs = Counter(links(root))
    for row in events.iter_rows(named=True):
        want = (database, row["record_table"], row["event_id"])
        found = [h for h in hrefs if tuple(tilde_decode(p) for p in h.split("/")[1:]) == want]
        assert found and hrefs[found[0]] == 1, (want, found)
    assert sum(hrefs.values()) == events.height
    for element in root.iter():
        assert element.tag != "script" and element.tag != "image" and element.tag != "foreignObject"
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert "javascript:" not in value.lower()
            if name == "href":
                assert value.startswith("/") and not value.startswith("//"), value
            for url in re.findall(r"url\(([^)]*)\)", value):
                assert url.startswith("#"), value  # only the drawing's own gradients
            assert "http:" not in value and "https:" not in value
            if name == "font-size":
                assert float(value) >= 11
            if element.tag == "svg" and name == "width" and element.get("class"):
                assert float(value) <= 1300
    for anchor in root.iter("a"):
        if anchor.find("title") is not None:  # a drawn mark: its tooltip names it
            title = anchor.find("title")
            assert title is not None and title.text is not None
            assert anchor.find("text") is not None
    return root


# On the built data ------------------------------------------------------------------------------

def test_every_event_is_one_link_to_its_own_record(events: pl.DataFrame, built: str) -> None:
    hrefs = Counter(links(parse(built)))
    want = {f"/{DATABASE}/{r['record_table']}/{r['event_id']}"
            for r in events.iter_rows(named=True)}
    assert set(hrefs) == want
    assert all(n == 1 for n in hrefs.values())
    check_fragment(built, events, DATABASE)


def test_layout_of_the_built_data(events: pl.DataFrame) -> None:
    timeline = tl.layout(events)
    check_layout(timeline, events)
    tables = set(events.filter(pl.col("event_window_start").is_not_null()
                               | pl.col("event_window_end").is_not_null())["record_table"]
                 .cast(pl.String))
    assert {lane.record_table for lane in timeline.lanes} == tables


def test_tooltips_say_id_description_dates_and_claimant(events: pl.DataFrame,
                                                        built: str) -> None:
    titles = {a.attrib["href"].rsplit("/", 1)[1]: a.find("title") for a in parse(built).iter("a")}
    for row in events.iter_rows(named=True):
        title = titles[row["event_id"]]
        if title is None:  # undated: listed, with its description beside the link
            continue
        assert title.text is not None
        assert title.text.startswith(row["event_id"])
        assert row["description"] in title.text
        for day in (row["event_window_start"], row["event_window_end"]):
            assert (day.isoformat() if day else "not reported") in title.text
        assert (row["claimant_name"] or "no claimant named") in title.text


def test_nothing_outside_the_page(built: str) -> None:
    for banned in ("http://", "https://", "<script", "javascript:", "<img", "<image", "@import",
                   "<link", "<iframe"):
        assert banned not in built.lower()
    assert not re.search(r"\son[a-z]+\s*=", built, re.I)
    assert not re.search(r"""["'(]//""", built)  # no protocol-relative URL


def test_the_axis_is_broken_where_the_history_is_long(events: pl.DataFrame) -> None:
    timeline = tl.layout(events)
    days = [d for c in ("event_window_start", "event_window_end")
            for d in events[c].drop_nulls().to_list()]
    last = max(days)
    recent = dt.date(last.year - tl.RECENT_YEARS + 1, 1, 1)
    stop = dt.date(last.year + 1, 1, 1) if last.month == 12 else dt.date(last.year, last.month + 1, 1)
    if (recent - dt.date(min(days).year, 1, 1)) > (stop - recent):
        history, months = timeline.segments
        assert history.x1 < months.x0 and history.stop == months.first == recent
        assert months.x1 - months.x0 > 2 * (history.x1 - history.x0)
        assert "The time axis is broken" in tl.render_note(timeline)
    else:
        assert len(timeline.segments) == 1


# On made-up frames ------------------------------------------------------------------------------

def test_an_undated_event_is_listed_not_dropped() -> None:
    events = frame(event("in-1", dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
                   event("in-2", None, None), event("at-3", None, None, "arms_transfers"))
    timeline = tl.layout(events)
    assert [u.event_id for u in timeline.undated] == ["at-3", "in-2"]
    root = check_fragment(tl.render(timeline), events, DATABASE)
    listed = next(u for u in root.iter("ul") if u.get("class") == "dprk-timeline-undated")
    assert sorted(links(listed)) == ["/dprk_ru_data/arms_transfers/at-3",
                                     "/dprk_ru_data/incidents/in-2"]
    assert "No date reported (2)" in "".join(root.itertext())


def test_only_undated_events_still_make_one_drawing() -> None:
    events = frame(event("in-2", None, None))
    root = check_fragment(tl.render_timeline(events), events, DATABASE)
    assert "No event has a reported date." in "".join(root.itertext())
    check_fragment(tl.render_timeline(frame()), frame(), DATABASE)


@pytest.mark.parametrize("start, end, shape", [
    (None, dt.date(2024, 10, 31), "open_start"),
    (dt.date(2024, 10, 15), None, "open_end"),
    (dt.date(2024, 6, 19), dt.date(2024, 6, 19), "point"),
    (dt.date(2024, 6, 1), dt.date(2024, 6, 30), "bar"),
])
def test_each_kind_of_window_has_its_mark(start: dt.date | None, end: dt.date | None,
                                          shape: str) -> None:
    events = frame(event("in-1", start, end), event("in-2", dt.date(1965, 1, 1),
                                                     dt.date(1968, 12, 31)))
    timeline = tl.layout(events)
    mark = next(m for m in timeline.marks if m.event_id == "in-1")
    assert mark.shape == shape
    root = check_fragment(tl.render(timeline), events, DATABASE)
    anchor = next(a for a in root.iter("a") if a.attrib["href"].endswith("/in-1"))
    classes = {e.get("class") for e in anchor.iter()}
    css = {"open_start": "tl-open-start", "open_end": "tl-open-end", "point": "tl-point",
           "bar": "tl-bar"}[shape]
    assert css in classes
    if shape.startswith("open"):  # the open side fades out: a gradient of the drawing's own
        faded = next(e for e in anchor.iter() if e.get("class") == "tl-open-stub")
        assert faded.attrib["fill"].startswith("url(#")
        # and it reaches the drawing's edge: the event lies anywhere on that side
        line = next(e for e in anchor.iter() if e.get("class") == css)
        x, width = float(line.attrib["x"]), float(line.attrib["width"])
        if shape == "open_start":
            assert x == pytest.approx(timeline.left) and mark.x0 == pytest.approx(timeline.left)
        else:
            assert x + width == pytest.approx(timeline.right)
        assert any(g.get("id") == faded.attrib["fill"][5:-1] for g in root.iter("linearGradient"))


def test_plans_are_drawn_hollow_and_legended() -> None:
    events = frame(event("in-1", dt.date(2024, 10, 15), None, modality="planned"),
                   event("in-2", dt.date(2024, 10, 1), dt.date(2024, 10, 3)))
    timeline = tl.layout(events)
    assert {m.event_id: m.tentative for m in timeline.marks} == {"in-1": True, "in-2": False}
    out = tl.render(timeline)
    assert "planned, expected, possible or hypothetical" in out
    assert 'stroke-dasharray="3 2"' in out.split("/in-1")[1].split("</a>")[0]
    assert 'stroke-dasharray' not in out.split("/in-2")[1].split("</a>")[0]


@pytest.mark.parametrize("days, parts", [
    ([dt.date(2024, 10, 1), dt.date(2024, 10, 31)], 1),
    ([dt.date(2023, 3, 1), dt.date(2024, 10, 31)], 1),
    ([dt.date(2022, 6, 1), dt.date(2024, 10, 31)], 1),   # the year before is no longer
    ([dt.date(2021, 6, 1), dt.date(2024, 10, 31)], 2),   # 2021 and 2022 are longer
    ([dt.date(1965, 1, 1), dt.date(2024, 10, 31)], 2),
])
def test_axis_breaks_only_where_needed(days: list[dt.date], parts: int) -> None:
    segments = tl.axis(days, 100.0, 1100.0)
    assert len(segments) == parts
    assert segments[0].x0 == 100.0 and segments[-1].x1 == 1100.0
    assert segments[0].first <= min(days) and max(days) < segments[-1].stop


def ids() -> st.SearchStrategy[str]:
    return st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<&\"'>"),
               max_size=300)
DAYS = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))


@st.composite
def event_frames(draw: st.DrawFn) -> pl.DataFrame:
    """Events with unique ids in a few record tables, windows with nulls and single days."""
    keys = draw(st.lists(ids(), max_size=25, unique=True))
    rows = []
    for key in keys:
        start, end = draw(st.none() | DAYS), draw(st.none() | DAYS)
        if start is not None and end is not None:
            start, end = min(start, end), max(start, end)
            if draw(st.booleans()):
                end = start
        rows.append({"event_id": key, "record_table": draw(st.sampled_from(
            ["incidents", "arms_transfers", "historical_deployments", "other table <&>"])),
            "kind": draw(st.none() | TEXT), "description": draw(TEXT),
            "event_window_start": start, "event_window_end": end,
            "modality": draw(st.none() | st.sampled_from(sorted(MODALITY))),
            "status": draw(st.none() | st.sampled_from(["asserted", "denied"])),
            "claimant_name": draw(st.none() | TEXT)})
    return frame(*rows)


@given(event_frames())
def test_layout_invariants_hold_for_any_events(events: pl.DataFrame) -> None:
    check_layout(tl.layout(events), events)


@given(event_frames(), st.sampled_from(["dprk_ru_data", "a db/with ~odd name"]))
def test_any_events_render_to_safe_well_formed_links(events: pl.DataFrame,
                                                     database: str) -> None:
    root = check_fragment(tl.render_timeline(events, database), events, database)
    descriptions = {r["event_id"]: r["description"] for r in events.iter_rows(named=True)}
    for anchor in root.iter("a"):
        title = anchor.find("title")
        if title is not None:  # the description comes through whole, unescaped once
            key = tilde_decode(anchor.attrib["href"].rsplit("/", 1)[1])
            assert title.text is not None and descriptions[key] in title.text


@given(st.text(max_size=50))
def test_control_characters_keep_the_fragment_well_formed(text: str) -> None:
    events = frame({**event("in-1", dt.date(2024, 1, 1), None), "description": text,
                    "claimant_name": text, "kind": text}, {**event(text or "x", None, None)})
    parse(tl.render_timeline(events))


@given(st.lists(DAYS, min_size=1, max_size=20))
def test_tick_labels_never_overlap(days: list[dt.date]) -> None:
    segments = tl.axis(days, 250.0, 1200.0)
    labels = [t for t in tl.ticks(segments) if t.text]
    for line in (0, 1):
        boxes = sorted((t.x, t.x + len(t.text) * tl.CHAR + 2) for t in labels if t.line == line)
        assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:])), boxes
    for t in tl.ticks(segments):
        assert segments[0].x0 <= t.x <= segments[-1].x1
    assert any(t.line == 1 for t in labels)  # some year is always named
