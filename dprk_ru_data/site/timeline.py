"""A static timeline of the `events` view for the site: one inline SVG, a legend and a note.

Each event is drawn over its event window, in a lane for its record table (incidents, arms
transfers, historical deployments), one event per row, sorted by the earliest date known of it:

* a bar from the first day of its window to the last (at least `MIN_BAR` px wide);
* a diamond where the window is a single day;
* where only one end is known, a bar that fades out towards the side the report left open, as
  far as the drawing's edge: the event lies anywhere on that side, and the fade says no date;
* events with neither end are listed below the drawing as links ("no date reported").

The colour is the record table (Okabe-Ito, colour-blind safe); what is reported as planned,
expected, possible or hypothetical (not as having happened or being under way,
`vocab.MODALITY_BEFORE_CLAIM`) is drawn hollow with a dashed outline. Every mark is a link to its
record's page with a tooltip (`<title>`): id, description, the window's dates in ISO, claimant.

The axis. The texts' dates run from decades back (historical deployments) to a dense last year,
so one linear axis would squeeze the recent reports into a sliver. The axis is broken once,
visibly (a gap with zigzag marks and a caption over each part): the last `RECENT_YEARS` calendar
years are drawn month by month over `RECENT_SHARE` of the width, everything before them over the
rest, each part linear with its own ticks. We chose one broken axis rather than two panels so that
each event stays one mark on one row (a window that crosses the break, such as "since 2022", is one
continuous bar) and so that the order of dates is the order of x across the whole drawing. The
break is made only where it is needed: when the earlier years are no longer than the recent ones,
the axis is a single linear one. Everything (the break, the ticks, the lanes) is computed from the
data, so it stays true as rows are added.

`layout` computes positioned marks (plain data, testable without parsing SVG); `render` turns
them into HTML; `render_timeline` does both for an events frame, `timeline_html` for the built
data. No script, no external URL: the fragment is plain SVG and HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..export import DATABASE
from ..vocab import MODALITY_BEFORE_CLAIM

if TYPE_CHECKING:
    import polars as pl

# Okabe-Ito colours by record table; a table not named here takes the next unused one.
COLOURS = {"incidents": "#0072B2", "arms_transfers": "#D55E00",
           "historical_deployments": "#009E73"}
SPARE_COLOURS = ("#CC79A7", "#E69F00", "#56B4E9", "#000000")
LANE_ORDER = ("incidents", "arms_transfers", "historical_deployments")

RECENT_YEARS = 2      # calendar years drawn month by month, right of the break
RECENT_SHARE = 0.75   # of the axis' width, where there is a break
WIDTH = 1280          # px; fits a 1400-px-wide window with the page's margins
LABEL_WIDTH = 220     # px: the row labels (id and kind) left of the drawing
OPEN_TAIL = 36        # px: the fading part drawn on a side the report left open
MIN_BAR = 3.0         # px: the narrowest bar
DIAMOND = 5.0         # px: half the width of a single day's diamond
BREAK_GAP = 18.0      # px between the two parts of a broken axis
ROW = 14.0            # px per event
BAR = 9.0             # px: a bar's height
LANE_HEAD = 24.0      # px: a lane's title row
AXIS = 44.0           # px: an axis with its two lines of labels
CAPTION = 20.0        # px: the captions over the parts of a broken axis
FONT = 12             # px: every text; none is smaller than 11
CHAR = 0.6 * FONT     # px: a generous width of one character, to keep labels apart
LABEL_CHARS = int((LABEL_WIDTH - 4) / CHAR)  # characters of a row label before it is cut

Shape = Literal["bar", "point", "open_start", "open_end"]


@dataclass(frozen=True)
class Segment:
    """One linear part of the axis: the days `first` (inclusive) to `stop` (exclusive) drawn
    from `x0` to `x1`."""

    first: dt.date
    stop: dt.date
    x0: float
    x1: float

    def x(self, day: dt.date) -> float:
        """Where the start of `day` lies (may lie outside the part, linearly extended)."""
        span = (self.stop - self.first).days
        return self.x0 + (self.x1 - self.x0) * (day - self.first).days / span


@dataclass(frozen=True)
class Tick:
    """A tick on the axis; `line` 0 holds months, 1 holds years; `text` may be empty."""

    x: float
    text: str
    line: int


@dataclass(frozen=True)
class Mark:
    """One event's positioned mark: its row box is `x0`..`x1` by `y`..`y + BAR`.

    `x_start` and `x_end` are where its known dates lie on the axis (None where not reported).
    """

    event_id: str
    record_table: str
    shape: Shape
    tentative: bool
    x0: float
    x1: float
    y: float
    x_start: float | None
    x_end: float | None
    start: dt.date | None
    end: dt.date | None
    label: str
    title: str


@dataclass(frozen=True)
class Lane:
    """A record table's band of rows, with its title and colour."""

    record_table: str
    title: str
    colour: str
    y0: float
    y1: float
    count: int


@dataclass(frozen=True)
class Undated:
    """An event with no date reported, listed below the drawing."""

    event_id: str
    record_table: str
    description: str
    claimant: str | None


@dataclass(frozen=True)
class Timeline:
    """Everything `render` draws, positioned."""

    width: float
    height: float
    left: float   # the drawing area: marks lie within left..right
    right: float
    segments: tuple[Segment, ...]
    ticks: tuple[Tick, ...]
    lanes: tuple[Lane, ...]
    marks: tuple[Mark, ...]
    undated: tuple[Undated, ...]


@dataclass(frozen=True)
class _Event:
    event_id: str
    record_table: str
    kind: str | None
    description: str
    start: dt.date | None
    end: dt.date | None
    modality: str | None
    status: str | None
    claimant: str | None


COLUMNS = ("event_id", "record_table", "kind", "description", "event_window_start",
           "event_window_end", "modality", "status", "claimant_name")


def _events(events: pl.DataFrame) -> list[_Event]:
    import polars as pl

    rows = events.select(
        pl.col("event_id", "record_table", "kind", "description").cast(pl.String),
        pl.col("event_window_start", "event_window_end").cast(pl.Date),
        pl.col("modality", "status", "claimant_name").cast(pl.String))
    return [_Event(r["event_id"], r["record_table"], r["kind"], r["description"] or "",
                   *_ordered(r["event_window_start"], r["event_window_end"]), r["modality"],
                   r["status"], r["claimant_name"])
            for r in rows.iter_rows(named=True)]


def _ordered(start: dt.date | None, end: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    # The views guarantee start <= end; a frame that breaks it is drawn over the same days.
    if start is not None and end is not None and start > end:
        return end, start
    return start, end


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def axis(days: Sequence[dt.date], x0: float, x1: float) -> tuple[Segment, ...]:
    """The axis' parts for `days` drawn from `x0` to `x1`: one linear part from the first of
    January of the earliest year to the end of the latest month, or, where the years before the
    last `RECENT_YEARS` are longer than those, two, with `BREAK_GAP` px between them (the first
    from the start of a decade, where it spans more than twenty years).

    >>> [(s.first.year, s.stop) for s in axis([dt.date(1973, 5, 1), dt.date(2024, 10, 3)], 0, 100)]
    [(1970, datetime.date(2023, 1, 1)), (2023, datetime.date(2024, 11, 1))]
    """
    first, last = dt.date(min(days).year, 1, 1), max(days)
    stop = _next_month(last)
    recent = dt.date(last.year - RECENT_YEARS + 1, 1, 1)
    if first >= recent or (recent - first) <= (stop - recent):
        return (Segment(first, stop, x0, x1),)
    split = x0 + (x1 - x0 - BREAK_GAP) * (1 - RECENT_SHARE)
    # Decades are the natural ticks of a part this squeezed: start it with one.
    first = dt.date(first.year - first.year % 10, 1, 1) if recent.year - first.year > 20 else first
    return (Segment(first, recent, x0, split), Segment(recent, stop, split + BREAK_GAP, x1))


def x_of(segments: Sequence[Segment], day: dt.date) -> float:
    """Where the start of `day` lies on the axis (the day after the last lies at its right end)."""
    for segment in segments:
        if day < segment.stop:
            return segment.x(max(day, segment.first))
    return segments[-1].x1


def _months(first: dt.date, stop: dt.date) -> Iterable[dt.date]:
    day = first if first.day == 1 else _next_month(first)
    while day < stop:
        yield day
        day = _next_month(day)


def ticks(segments: Sequence[Segment]) -> tuple[Tick, ...]:
    """The ticks of every part: months (labelled where there is room) and years, or only
    every few years where a year is narrow; no two labels of a line overlap."""
    out: list[Tick] = []
    for segment in segments:
        month = (segment.x1 - segment.x0) * 31 / (segment.stop - segment.first).days
        if month >= 3 * CHAR + 6:
            for day in _months(segment.first, segment.stop):
                out.append(Tick(segment.x(day), day.strftime("%b"), 0))
                if day.month == 1 or day == segment.first:
                    out.append(Tick(segment.x(day), str(day.year), 1))
            continue
        year = month * 12
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if s * year >= 5 * CHAR + 8)
        out.append(Tick(segment.x0, str(segment.first.year), 1))
        for number in range(segment.first.year + 1, segment.stop.year + 1):
            day = dt.date(number, 1, 1)
            if number % step == 0 and day < segment.stop:
                out.append(Tick(segment.x(day), str(number), 1))
    return tuple(_apart(out, {s.x0 for s in segments}))


def _apart(ticks: list[Tick], first: set[float]) -> list[Tick]:
    """`ticks` in order of x, with the text of any label that would overlap another on its line
    blanked (the tick itself stays); labels at `first` (the parts' starts) are placed first."""
    placed: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    kept: dict[int, Tick] = {}
    order = sorted(range(len(ticks)), key=lambda i: (ticks[i].x not in first, ticks[i].x))
    for i in order:
        tick = ticks[i]
        box = (tick.x, tick.x + len(tick.text) * CHAR + 6)  # drawn from 2 px right of the tick
        if tick.text and any(a < box[1] and box[0] < b for a, b in placed[tick.line]):
            tick = Tick(tick.x, "", tick.line)
        elif tick.text:
            placed[tick.line].append(box)
        kept[i] = tick
    return sorted(kept.values(), key=lambda t: (t.x, t.line))


def _title(event: _Event) -> str:
    when = (f"{event.start.isoformat() if event.start else 'start not reported'} to "
            f"{event.end.isoformat() if event.end else 'end not reported'}")
    what = ", ".join(x for x in (event.modality, event.status) if x)
    return "\n".join(x for x in (
        f"{event.event_id} ({event.record_table.replace('_', ' ')}"
        f"{': ' + event.kind.replace('_', ' ') if event.kind else ''})",
        event.description, f"Event window: {when}", what and f"Reported as: {what}",
        f"Claimed by: {event.claimant or 'no claimant named'}") if x)


def _label(event: _Event) -> str:
    text = f"{event.event_id} {event.kind.replace('_', ' ') if event.kind else ''}".strip()
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "\u2026"


def _mark(event: _Event, segments: Sequence[Segment], y: float, left: float,
          right: float) -> Mark:
    x_start = x_of(segments, event.start) if event.start else None
    x_end = x_of(segments, event.end + dt.timedelta(days=1)) if event.end else None
    shape: Shape
    if x_start is not None and x_end is not None:
        if event.start == event.end:
            shape, middle = "point", (x_start + x_end) / 2
            x0, x1 = middle - DIAMOND, middle + DIAMOND
        else:
            shape, middle = "bar", (x_start + x_end) / 2
            x0, x1 = min(x_start, middle - MIN_BAR / 2), max(x_end, middle + MIN_BAR / 2)
    elif x_end is not None:  # any time before its end: the fade runs from the drawing's start
        shape, x0, x1 = "open_start", min(left, x_end - OPEN_TAIL), x_end
    else:
        assert x_start is not None
        shape, x0, x1 = "open_end", x_start, max(right, x_start + OPEN_TAIL)
    return Mark(event.event_id, event.record_table, shape,
                event.modality not in MODALITY_BEFORE_CLAIM, max(x0, left), min(x1, right),
                y + (ROW - BAR) / 2, x_start, x_end, event.start, event.end, _label(event),
                _title(event))


def _lane_order(tables: Iterable[str]) -> list[str]:
    present = set(tables)
    return ([t for t in LANE_ORDER if t in present]
            + sorted(t for t in present if t not in LANE_ORDER))


def _colours(tables: Sequence[str]) -> dict[str, str]:
    spare = iter(c for c in SPARE_COLOURS if c not in COLOURS.values())
    return {t: COLOURS[t] if t in COLOURS else next(spare, "#555555") for t in tables}


def _lane_title(record_table: str) -> str:
    from ..registry import TABLES

    table = TABLES.get(record_table)
    return table.title if table is not None else record_table.replace("_", " ")


def layout(events: pl.DataFrame) -> Timeline:
    """Position every event of `events` (the `events` view's columns `COLUMNS`): one row each,
    in a lane per record table, sorted by its earliest known date; those with no date apart."""
    rows = _events(events)
    dated = [e for e in rows if e.start or e.end]
    undated = tuple(Undated(e.event_id, e.record_table, e.description, e.claimant)
                    for e in sorted(rows, key=lambda e: (e.record_table, e.event_id))
                    if not (e.start or e.end))
    left, right = LABEL_WIDTH + 10.0, WIDTH - 10.0
    days = [d for e in dated for d in (e.start, e.end) if d is not None]
    segments = axis(days, left + OPEN_TAIL, right - OPEN_TAIL) if days else ()
    tables = _lane_order(e.record_table for e in dated)
    colours = _colours(tables)
    lanes: list[Lane] = []
    marks: list[Mark] = []
    y = CAPTION + AXIS
    for table in tables:
        mine = sorted((e for e in dated if e.record_table == table),
                      key=lambda e: (e.start or e.end, e.end or e.start, e.event_id))
        top = y
        y += LANE_HEAD
        for event in mine:
            marks.append(_mark(event, segments, y, left, right))
            y += ROW
        y += ROW / 2
        lanes.append(Lane(table, _lane_title(table), colours[table], top, y, len(mine)))
    return Timeline(float(WIDTH), y + AXIS, left, right, segments, ticks(segments),
                    tuple(lanes), tuple(marks), undated)


# Rendering -------------------------------------------------------------------------------------

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _esc(text: str) -> str:
    """`text` escaped for HTML and XML alike (characters XML cannot hold become U+FFFD)."""
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=True)


def _url_part(text: str) -> str:
    """A URL path part as Datasette writes it (its tilde encoding)."""
    safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    return "".join(c if c in safe else "+" if c == " " else
                   "".join(f"~{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
                   for c in text)


def href(database: str, record_table: str, event_id: str) -> str:
    """The record's page on the site.

    >>> href("dprk_ru_data", "incidents", "in-001")
    '/dprk_ru_data/incidents/in-001'
    """
    return f"/{_url_part(database)}/{_url_part(record_table)}/{_url_part(event_id)}"


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _fade_id(colour: str, side: str) -> str:
    return f"dprk-tl-fade-{side}-{colour.lstrip('#')}"


def _defs(lanes: Sequence[Lane]) -> str:
    out = []
    for lane in lanes:
        for side, (a, b) in (("start", (0, 1)), ("end", (1, 0))):
            out.append(f'<linearGradient id="{_fade_id(lane.colour, side)}">'
                       f'<stop offset="0" stop-color="{lane.colour}" stop-opacity="{a}"/>'
                       f'<stop offset="1" stop-color="{lane.colour}" stop-opacity="{b}"/>'
                       "</linearGradient>")
    return f"<defs>{''.join(out)}</defs>"


def _shape(mark: Mark, colour: str) -> str:
    y, h, w = _n(mark.y), _n(BAR), _n(mark.x1 - mark.x0)
    dashed = (f' stroke="{colour}" stroke-width="1.2" stroke-dasharray="3 2"'
              if mark.tentative else "")
    opacity = "0.35" if mark.tentative else "1"
    if mark.shape == "point":
        cx, cy = (mark.x0 + mark.x1) / 2, mark.y + BAR / 2
        points = " ".join(f"{_n(px)},{_n(py)}" for px, py in (
            (cx, cy - DIAMOND), (cx + DIAMOND, cy), (cx, cy + DIAMOND), (cx - DIAMOND, cy)))
        return (f'<polygon class="tl-point" points="{points}" fill="{colour}" '
                f'fill-opacity="{opacity}"{dashed}/>')
    if mark.shape == "bar":
        return (f'<rect class="tl-bar" x="{_n(mark.x0)}" y="{y}" width="{w}" height="{h}" '
                f'fill="{colour}" fill-opacity="{opacity}"{dashed}/>')
    side = "start" if mark.shape == "open_start" else "end"
    dashes = ' stroke-dasharray="3 2"' if mark.tentative else ""
    known = mark.x1 if side == "start" else mark.x0
    # A thin faint line over the whole open side (the event lies anywhere on it), and a short
    # fading bar at the known end, where the eye reads the one date the report gives.
    stub = min(OPEN_TAIL, mark.x1 - mark.x0)
    stub_x = known - stub if side == "start" else known
    return (f'<rect class="tl-open-{side}" x="{_n(mark.x0)}" y="{_n(mark.y + BAR / 2 - 1)}" '
            f'width="{w}" height="2" fill="{colour}" fill-opacity="0.3"/>'
            f'<rect class="tl-open-stub" x="{_n(stub_x)}" y="{y}" width="{_n(stub)}" '
            f'height="{h}" fill="url(#{_fade_id(colour, side)})" fill-opacity="{opacity}"/>'
            f'<line x1="{_n(known)}" x2="{_n(known)}" y1="{y}" y2="{_n(mark.y + BAR)}" '
            f'stroke="{colour}" stroke-width="2.5"{dashes}/>')


def _marks(timeline: Timeline, database: str) -> str:
    colours = {lane.record_table: lane.colour for lane in timeline.lanes}
    out = []
    for mark in timeline.marks:
        row_y = mark.y + BAR / 2 + FONT * 0.35
        out.append(f'<a href="{_esc(href(database, mark.record_table, mark.event_id))}">'
                   f"<title>{_esc(mark.title)}</title>"
                   f'<text x="{_n(timeline.left - 8)}" y="{_n(row_y)}" text-anchor="end">'
                   f"{_esc(mark.label)}</text>{_shape(mark, colours[mark.record_table])}</a>")
    return "".join(out)


def _axis(timeline: Timeline, y: float, up: bool) -> str:
    """The axis line at `y`, with ticks and labels above it (`up`) or below it."""
    sign = -1 if up else 1
    out = [f'<line x1="{_n(timeline.left)}" x2="{_n(timeline.right)}" y1="{_n(y)}" '
           f'y2="{_n(y)}" stroke="#333"/>']
    for tick in timeline.ticks:
        length = 5 if tick.line == 0 else 9
        out.append(f'<line x1="{_n(tick.x)}" x2="{_n(tick.x)}" y1="{_n(y)}" '
                   f'y2="{_n(y + sign * length)}" stroke="#333"/>')
        if tick.text:
            offset = (8 + FONT * (0.0 if up else 0.8)) + tick.line * (FONT + 4)
            weight = ' font-weight="bold"' if tick.line == 1 else ""
            out.append(f'<text x="{_n(tick.x + 2)}" y="{_n(y + sign * offset)}"{weight}>'
                       f"{_esc(tick.text)}</text>")
    for before, after in zip(timeline.segments, timeline.segments[1:]):
        middle = (before.x1 + after.x0) / 2
        out.append(f'<path d="M{_n(middle - 7)},{_n(y + 5)} l5,-10 M{_n(middle + 2)},{_n(y + 5)} '
                   f'l5,-10" stroke="#333" stroke-width="1.5" fill="none"/>')
    return "".join(out)


def _grid(timeline: Timeline) -> str:
    top, bottom = CAPTION + AXIS, timeline.height - AXIS
    out = [f'<line x1="{_n(t.x)}" x2="{_n(t.x)}" y1="{_n(top)}" y2="{_n(bottom)}" '
           f'stroke="#d6d6d6" stroke-width="{1 if t.line == 1 else 0.5}"/>'
           for t in timeline.ticks]
    for before, after in zip(timeline.segments, timeline.segments[1:]):
        out.append(f'<rect x="{_n(before.x1)}" y="{_n(top)}" width="{_n(after.x0 - before.x1)}" '
                   f'height="{_n(bottom - top)}" fill="#f2f2f2"/>')
    return "".join(out)


def _lanes(timeline: Timeline) -> str:
    out = []
    for i, lane in enumerate(timeline.lanes):
        if i % 2:
            out.append(f'<rect x="0" y="{_n(lane.y0)}" width="{_n(timeline.width)}" '
                       f'height="{_n(lane.y1 - lane.y0)}" fill="#f7f7f7"/>')
        noun = "event" if lane.count == 1 else "events"
        out.append(f'<text x="6" y="{_n(lane.y0 + 17)}" font-weight="bold" '
                   f'fill="{lane.colour}">{_esc(lane.title)} ({lane.count} dated {noun})</text>')
    return "".join(out)


def _captions(timeline: Timeline) -> str:
    """Over each part of a broken axis, what it spans."""
    if len(timeline.segments) < 2:
        return ""
    out = []
    for segment in timeline.segments:
        last = segment.stop - dt.timedelta(days=1)
        text = (f"{segment.first.year} to {last.year}, by the year"
                if segment is timeline.segments[0]
                else f"{segment.first.strftime('%B %Y')} to {last.strftime('%B %Y')}, "
                     "by the month")
        out.append(f'<text x="{_n((segment.x0 + segment.x1) / 2)}" y="{_n(FONT)}" '
                   f'text-anchor="middle" font-style="italic">{_esc(text)}</text>')
    return "".join(out)


def render_svg(timeline: Timeline, database: str = DATABASE) -> str:
    """The drawing: lanes, grid, axes at the top and the bottom, and the marks as links."""
    if not timeline.marks:
        return (f'<svg class="dprk-timeline" width="{WIDTH}" height="40" '
                f'viewBox="0 0 {WIDTH} 40" role="img" font-family="sans-serif" '
                f'font-size="{FONT}"><text x="6" y="24">No event has a reported date.</text></svg>')
    height = _n(timeline.height)
    return (f'<svg class="dprk-timeline" width="{_n(timeline.width)}" height="{height}" '
            f'viewBox="0 0 {_n(timeline.width)} {height}" style="max-width:100%;height:auto" '
            f'role="img" aria-label="Timeline of the events" font-family="sans-serif" '
            f'font-size="{FONT}">{_defs(timeline.lanes)}{_lanes(timeline)}{_grid(timeline)}'
            f"{_captions(timeline)}{_axis(timeline, CAPTION + AXIS - 2, True)}"
            f"{_axis(timeline, timeline.height - AXIS + 2, False)}"
            f"{_marks(timeline, database)}</svg>")


def _swatch(body: str) -> str:
    return f'<svg width="44" height="14" viewBox="0 0 44 14" aria-hidden="true">{body}</svg>'


LEGEND_GREY = "#555555"


def _box(fill: str, extra: str = "") -> str:
    return f'<rect x="2" y="2" width="40" height="10" fill="{fill}"{extra}/>'


def render_legend(timeline: Timeline) -> str:
    """The legend: a colour per record table drawn, and the kinds of mark."""
    grey = LEGEND_GREY
    fade = ('<defs><linearGradient id="dprk-tl-legend-fade">'
            f'<stop offset="0" stop-color="{grey}" stop-opacity="0"/>'
            f'<stop offset="1" stop-color="{grey}" stop-opacity="1"/></linearGradient></defs>'
            + _box("url(#dprk-tl-legend-fade)")
            + f'<line x1="42" x2="42" y1="2" y2="12" stroke="{grey}" stroke-width="2.5"/>')
    hollow = _box(grey, f' fill-opacity="0.35" stroke="{grey}" stroke-width="1.2" '
                        'stroke-dasharray="3 2"')
    items = [(_box(lane.colour), _esc(lane.title)) for lane in timeline.lanes]
    items += [(_box(grey), "from the first to the last day the report allows"),
              (f'<polygon points="22,2 27,7 22,12 17,7" fill="{grey}"/>', "a single day"),
              (fade, "a thin line and a fade: no date reported on that side, so any time there"),
              (hollow, "hollow, dashed: reported as planned, expected, possible or "
                       "hypothetical, not as having happened")]
    return ('<ul class="dprk-timeline-legend" style="list-style:none;padding:0;display:flex;'
            'flex-wrap:wrap;gap:0.4em 1.5em">'
            + "".join(f"<li>{_swatch(body)} {text}</li>" for body, text in items) + "</ul>")


def render_note(timeline: Timeline) -> str:
    """How to read the drawing, in plain words, true of this drawing."""
    broken = len(timeline.segments) > 1
    axis_text = (
        f" The time axis is broken: the years before {timeline.segments[1].first.year} are "
        "squeezed into its left part, a year at a time, and the years since are drawn month by "
        "month on the right; lengths on the two sides of the break are not comparable."
        if broken else "")
    return ("<p class=\"dprk-timeline-note\">Each row is one event as a text reported it. Its "
            "bar runs over the days the report allows: from the earliest day it can have "
            "started to the latest day it can have ended (a vague date such as “in 2018” "
            "gives a bar over the whole year). A diamond is a single day. A bar that fades out "
            "on one side means the report gave no date on that side: only the solid edge is "
            "known, and the length of the fade means nothing (many reports say only that "
            "something had happened by the time they were written: then the solid edge is the "
            "date of the text). Events with no date at all are "
            f"listed below the drawing.{axis_text} Point at a mark for its description, dates "
            "and claimant; click it to open the record and its evidence.</p>")


def render_undated(timeline: Timeline, database: str = DATABASE) -> str:
    """The events with no date reported, as links."""
    if not timeline.undated:
        return ""
    items = "".join(
        f'<li><a href="{_esc(href(database, u.record_table, u.event_id))}">{_esc(u.event_id)}'
        f"</a> ({_esc(u.record_table.replace('_', ' '))}): {_esc(u.description)}"
        f"{' (' + _esc(u.claimant) + ')' if u.claimant else ''}</li>"
        for u in timeline.undated)
    return (f'<h3>No date reported ({len(timeline.undated)})</h3>'
            f'<ul class="dprk-timeline-undated">{items}</ul>')


def render(timeline: Timeline, database: str = DATABASE) -> str:
    """The HTML fragment: legend, the drawing, how to read it, the undated events."""
    return (f'<div class="dprk-timeline-figure">{render_legend(timeline)}'
            f"{render_svg(timeline, database)}{render_note(timeline)}"
            f"{render_undated(timeline, database)}</div>")


def render_timeline(events: pl.DataFrame, database: str = DATABASE) -> str:
    """The timeline of an events frame (with the columns `COLUMNS`) as an HTML fragment."""
    return render(layout(events), database)


def timeline_html(root: str | Path | None = None, database: str = DATABASE) -> str:
    """The timeline of the built `events` view as an HTML fragment for a Datasette page: one
    inline SVG, a legend, a note on how to read it and the undated events, as links."""
    from ..loaders import load

    return render_timeline(load("events", root=root), database)


__all__ = ["Lane", "Mark", "Segment", "Tick", "Timeline", "Undated", "axis", "href", "layout",
           "render", "render_timeline", "ticks", "timeline_html", "x_of"]
