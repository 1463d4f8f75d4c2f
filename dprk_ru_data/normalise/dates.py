"""Read a date as written in a report ("14 October 2024", "on Tuesday", "summer of 2025").

`parse_date` turns the phrase into an EDTF string and derives `start` and `end` from that string
with the `edtf` package, so the three always agree. Phrases relative to the report ("last week")
need the publication date as `reference`; an uncertain reference widens the result to cover every
possible day. Parts of months and years and the seasons follow the tables in `conventions.py`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import NormaliseError
from .conventions import MONTH_PARTS, SEASONS, YEAR_PARTS


class DateError(NormaliseError):
    """A date text that this package cannot read; the message quotes it and says why."""

    what = "date"


@dataclass(frozen=True)
class FuzzyDate:
    """A date read from text: an EDTF string and the first and last day it allows.

    `start`/`end` are None only for an open end (precision ``open``).
    """

    edtf: str
    start: dt.date | None
    end: dt.date | None
    precision: str


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "q1": 1, "q2": 2, "q3": 3, "q4": 4}
_FILLER = re.compile(r"^(?:on|in|during|at|as of|by|from)\s+", re.I)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _span(start: dt.date, end: dt.date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()}/{end.isoformat()}"


def _month_edtf(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _day(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise DateError(text, f"no such day ({error})") from None


_SIMPLE_EDTF = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _simple_bounds(part: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a plain ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; None otherwise.

    The parser of the `edtf` package takes milliseconds a string; these forms, the most common by
    far, are computed directly, and a property test checks they agree with `edtf` exactly.
    """
    m = _SIMPLE_EDTF.fullmatch(part)
    if not m:
        return None
    try:
        year = int(m[1])
        if m[3]:
            day = dt.date(year, int(m[2]), int(m[3]))
            return day, day
        if m[2]:
            month = int(m[2])
            return dt.date(year, month, 1), dt.date(year, month, _last_day(year, month))
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except (ValueError, calendar.IllegalMonthError):
        return None  # not a real date: let `edtf` judge it


def _is_open(part: str) -> bool:
    return part in ("..", "")


@lru_cache(maxsize=16_384)
def _bounds(edtf_text: str) -> tuple[dt.date | None, dt.date | None]:
    """First and last day of an EDTF string; None for an open end.

    Plain days, months, years and intervals of them are computed directly (see `_simple_bounds`);
    every other form is read with the `edtf` package. Cached, as many phrases share one string.
    """
    parts = edtf_text.split("/")
    simple = [None if _is_open(part) else _simple_bounds(part) for part in parts]
    if len(parts) == 1 and simple[0] is not None:
        return simple[0]
    if len(parts) == 2 and all(b is not None or _is_open(p) for b, p in zip(simple, parts)):
        lower, upper = simple
        return (lower[0] if lower else None), (upper[1] if upper else None)
    import edtf

    parsed = edtf.parse_edtf(edtf_text)
    if isinstance(parsed, edtf.Interval):
        lower = None if str(parsed.lower) in ("..", "") else _bounds(str(parsed.lower))[0]
        upper = None if str(parsed.upper) in ("..", "") else _bounds(str(parsed.upper))[1]
        return lower, upper
    low, high = parsed.lower_strict(), parsed.upper_strict()
    return dt.date(*low[:3]), dt.date(*high[:3])


def _make(edtf_text: str, precision: str) -> FuzzyDate:
    start, end = _bounds(edtf_text)
    return FuzzyDate(edtf_text, start, end, precision)


def _year(text: str, match: str | None, reference: dt.date | None, needs: str) -> int:
    if match:
        return int(match)
    if reference is None:
        raise DateError(text, f"{needs} gives no year and no reference date was given")
    return reference.year


def _absolute(text: str, s: str, ref: dt.date | None) -> FuzzyDate | None:
    """Phrases whose meaning does not depend on the reference except for a missing year."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s)
    if m:
        return _make(_day(int(m[1]), int(m[2]), int(m[3]), text).isoformat(), "day")
    m = re.fullmatch(r"(\d{4})-(\d{2})", s)
    if m and 1 <= int(m[2]) <= 12:
        return _make(s, "month")
    m = re.fullmatch(r"(?:the\s+)?(\d{4})|(?:the\s+)?year\s+(\d{4})", s, re.I)
    if m:
        return _make(f"{int(m[1] or m[2]):04d}", "year")
    m = re.fullmatch(r"(?:the\s+)?(\d{3})0'?s", s, re.I)
    if m:
        return _make(f"{m[1]}X", "decade")
    m = re.fullmatch(rf"(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
                     rf"(?:,?\s+(?P<year>\d{{4}}))?", s, re.I)
    if not m:
        m = re.fullmatch(rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?",
                         s, re.I)
    if m:
        month = _MONTHS[m["month"].lower()]
        year = _year(text, m["year"], ref, "a day and month")
        return _make(_day(year, month, int(m["day"]), text).isoformat(), "day")
    m = re.fullmatch(rf"{_MONTH}(?:\s+(?:of\s+)?(?P<year>\d{{4}}))?", s, re.I)
    if m:
        month = _MONTHS[m["month"].lower()]
        return _make(_month_edtf(_year(text, m["year"], ref, "a month"), month), "month")
    parts = "|".join(sorted(map(re.escape, MONTH_PARTS), key=len, reverse=True))
    m = re.fullmatch(rf"(?P<part>{parts})[\s-]+(?:of\s+)?{_MONTH}(?:\s+(?P<year>\d{{4}}))?", s,
                     re.I)
    if m:
        month = _MONTHS[m["month"].lower()]
        year = _year(text, m["year"], ref, "a part of a month")
        first, last = MONTH_PARTS[m["part"].lower()]
        end_day = _last_day(year, month) if last is None else last
        return _make(_span(dt.date(year, month, first), dt.date(year, month, end_day)), "month")
    parts = "|".join(sorted(map(re.escape, YEAR_PARTS), key=len, reverse=True))
    m = re.fullmatch(rf"(?P<part>{parts})[\s-]+(?:(?P<year>\d{{4}})|(?P<this>this|the)\s+year)", s,
                     re.I)
    if m:
        year = _year(text, m["year"], ref, "a part of this year")
        first, last = YEAR_PARTS[m["part"].lower()]
        if first == last:
            return _make(_month_edtf(year, first), "month")
        return _make(f"{_month_edtf(year, first)}/{_month_edtf(year, last)}", "month")
    if re.fullmatch(r"(?:the\s+)?year-end|the\s+end\s+of\s+the\s+year", s, re.I):
        return _make(_month_edtf(_year(text, None, ref, "year-end"), 12), "month")
    m = re.fullmatch(r"(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter)(?:\s+of)?"
                     r"(?:\s+(?P<year>\d{4}))?", s, re.I)
    if m:
        year = _year(text, m["year"], ref, "a season")
        code = SEASONS[m["season"].lower()]
        if code == SEASONS["winter"]:
            # The edtf package reads winter as December alone; write the months out instead.
            return _make(f"{year:04d}-12/{year + 1:04d}-02", "season")
        return _make(f"{year:04d}-{code}", "season")
    m = re.fullmatch(r"(?:the\s+)?(?P<q>first|second|third|fourth)\s+quarter(?:\s+of)?"
                     r"(?:\s+(?P<year>\d{4}))?|(?P<q2>q[1-4])\s*(?P<year2>\d{4})?", s, re.I)
    if m:
        quarter = _QUARTERS[(m["q"] or m["q2"]).lower()]
        year = _year(text, m["year"] or m["year2"], ref, "a quarter")
        return _make(f"{year:04d}-{32 + quarter}", "quarter")
    return None


def _relative(text: str, s: str, ref: dt.date) -> FuzzyDate | None:
    """Phrases that count from the reference date."""
    low = s.lower()
    if low in _WEEKDAYS:
        back = (ref.weekday() - _WEEKDAYS[low]) % 7
        return _make((ref - dt.timedelta(days=back)).isoformat(), "day")
    simple = {"today": (ref, ref, "day"), "yesterday": (ref - dt.timedelta(1),) * 2 + ("day",)}
    if low in simple:
        start, end, precision = simple[low]
        return _make(_span(start, end), precision)
    monday = ref - dt.timedelta(days=ref.weekday())
    first_of_month = ref.replace(day=1)
    previous_month_end = first_of_month - dt.timedelta(days=1)
    spans = {
        "this week": (monday, ref, "week"),
        "last week": (monday - dt.timedelta(7), monday - dt.timedelta(1), "week"),
        "earlier this week": (monday, ref, "week"),
        "this month": (first_of_month, ref, "month"),
        "earlier this month": (first_of_month, ref, "month"),
        "last month": (previous_month_end.replace(day=1), previous_month_end, "month"),
        "earlier this year": (dt.date(ref.year, 1, 1), ref, "year"),
        "this year": (dt.date(ref.year, 1, 1), dt.date(ref.year, 12, 31), "year"),
        "last year": (dt.date(ref.year - 1, 1, 1), dt.date(ref.year - 1, 12, 31), "year"),
        "next year": (dt.date(ref.year + 1, 1, 1), dt.date(ref.year + 1, 12, 31), "year"),
    }
    if low in spans:
        start, end, precision = spans[low]
        if (start, end) == (dt.date(start.year, 1, 1), dt.date(start.year, 12, 31)):
            return _make(f"{start.year:04d}", precision)
        return _make(_span(start, end), precision)
    if low in ("in the coming months", "the coming months", "in the coming weeks",
               "the coming weeks", "in the months ahead", "the months ahead"):
        return FuzzyDate(f"{ref.isoformat()}/..", ref, None, "open")
    return None


def _widen(results: list[FuzzyDate]) -> FuzzyDate:
    """One date covering every result (they come from every possible reference day)."""
    first = results[0]
    if all(r == first for r in results):
        return first
    starts = [r.start for r in results]
    ends = [r.end for r in results]
    start = None if None in starts else min(s for s in starts if s)
    end = None if None in ends else max(e for e in ends if e)
    edtf_text = f"{start.isoformat() if start else '..'}/{end.isoformat() if end else '..'}"
    return FuzzyDate(edtf_text, start, end, first.precision)


def _references(reference: object) -> list[dt.date | None]:
    if reference is None:
        return [None]
    if isinstance(reference, FuzzyDate):
        if reference.start is None or reference.end is None:
            raise DateError(reference.edtf, "an open-ended reference date cannot anchor a phrase")
        return [reference.start, reference.end]
    if isinstance(reference, tuple):
        return list(reference)
    if isinstance(reference, dt.date):
        return [reference]
    raise TypeError(f"reference must be a date, a FuzzyDate or a (start, end) tuple, not {reference!r}")


def _one(text: str, s: str, ref: dt.date | None) -> FuzzyDate:
    s = re.sub(r"\s+", " ", s.replace("\u2013", "-").replace("\u2014", "-")).strip().rstrip(".,")
    s = _FILLER.sub("", s)
    if not s:
        raise DateError(text, "it is empty")
    if "/" in s:
        return _edtf_interval(text, s)
    m = re.fullmatch(r"(?:around|about|circa|c\.|ca\.)\s*(\d{4})", s, re.I)
    if m:
        return _make(f"{m[1]}~", "year")
    m = re.fullmatch(r"since\s+(.+)", s, re.I)
    if m:
        start = _one(text, m[1], ref)
        assert start.start is not None
        return FuzzyDate(f"{start.edtf.split('/')[0]}/..", start.start, None, "open")
    m = (re.fullmatch(r"(?:from\s+)?(?P<a>\d{4})\s*(?:-|to|until)\s*(?P<b>\d{4})", s, re.I)
         or re.fullmatch(r"(?:between\s+(?P<a>.+?)\s+and|from\s+(?P<a2>.+?)\s+(?:to|until))\s+"
                         r"(?P<b>.+)", s, re.I))
    if m:
        first = _one(text, m["a"] or m["a2"], ref)
        last = _one(text, m["b"], ref)
        if first.start is None or last.end is None or first.start > last.end:
            raise DateError(text, "the interval runs backwards or has an open end")
        edtf_text = f"{first.edtf.split('/')[0]}/{last.edtf.split('/')[-1]}"
        coarser = max((first.precision, last.precision), key=_PRECISION_ORDER.index)
        return _make(edtf_text, coarser)
    result = _absolute(text, s, ref)
    if result is not None:
        return result
    if ref is None and _relative(text, s, dt.date(2000, 1, 3)) is not None:
        raise DateError(text, "a phrase relative to the report needs its publication date "
                              "as reference, and none was given")
    if ref is not None:
        result = _relative(text, s, ref)
        if result is not None:
            return result
    raise DateError(text, "no date form matches it")


_PRECISION_ORDER = ["day", "week", "month", "season", "quarter", "year", "decade", "open"]


def _edtf_interval(text: str, s: str) -> FuzzyDate:
    parts = s.split("/")
    if not (len(parts) == 2 and all(_is_open(p) or _simple_bounds(p) for p in parts)):
        import edtf

        try:
            edtf.parse_edtf(s)
        except Exception as error:  # edtf raises its own EDTFParseException and ValueErrors
            raise DateError(text, f"not a valid EDTF interval ({error})") from None
    start, end = _bounds(s)
    if start is not None and end is not None and start > end:
        raise DateError(text, "the interval runs backwards")
    if start is None or end is None:
        return FuzzyDate(s, start, end, "open")
    left, right = s.split("/")
    precision = {10: "day", 7: "month", 4: "year"}.get(max(len(left), len(right)), "day")
    return FuzzyDate(s, start, end, precision)


@lru_cache(maxsize=65536)
def _cached(text: str, references: tuple[dt.date | None, ...]) -> FuzzyDate:
    return _widen([_one(text, text, ref) for ref in references])


def parse_date(text: str, reference: object = None) -> FuzzyDate:
    """Read a date as written in a report.

    `reference` is the publication date of the text that says it: a date, a `FuzzyDate` or a
    ``(first, last)`` tuple where it is only bounded.

    >>> parse_date("on Tuesday", dt.date(2024, 10, 17)).start
    datetime.date(2024, 10, 15)
    """
    if not isinstance(text, str):
        raise DateError(str(text), "a date must be text")
    try:
        return _cached(text, tuple(_references(reference)))
    except RecursionError:  # pragma: no cover - pathological nesting of 'since'/'from'
        raise DateError(text, "too deeply nested") from None
