"""Read a date as written in a report ("14 October 2024", "on Tuesday", "since 1965", "in May or June").

As for figures, reading has two steps. The grammar looks at the shape of the phrase (words and
number markers, `tokens.shape`) and returns a *spec*: which numbers are the day, month and year,
what is relative to the report, what opens or joins dates. The spec is cached by shape. Then the
spec is resolved against the phrase's numbers and the reference date (the publication date of the
text that says it) into an EDTF string, a first and last day, and the precision that was written.

Conventions (parts of months and years, seasons, relative phrases, words that open a date) are the
tables of `conventions.py`, rendered in docs/conventions.md.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple, cast, final

from . import conventions as c
from .errors import NormaliseError, Refusal
from .tokens import (MAX_PHRASE, ShapeCache, Tokens, first_tokens, match_phrase, of_shape,
                     phrase_index, shape)


class DateError(NormaliseError):
    """A date text that this package cannot read; the message quotes it and says why."""

    what = "date"


class FuzzyDate(NamedTuple):
    """A date read from text: an EDTF string, the first and last day it allows, and its precision.

    `start`/`end` are None only for an open end (precision ``open``).
    """

    edtf: str
    start: dt.date | None
    end: dt.date | None
    precision: str


# --- words ------------------------------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS.update(c.MONTH_ABBREVIATIONS)
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_WEEKDAYS.update({name.lower(): i for i, name in enumerate(calendar.day_abbr)})
_WEEKDAYS.update(c.WEEKDAY_ABBREVIATIONS)
_ORDINALS = c.DATE_ORDINALS
_ORDINAL_SUFFIX = c.ORDINAL_SUFFIXES
_DAY = {"#1", "#2"}  # the number markers a day of the month can be
_MERIDIEM = phrase_index(c.MERIDIEM)
_TIMEZONES = c.TIMEZONES
_NOT_A_DATE = c.NOT_A_DATE


_RELATIVE = phrase_index(c.RELATIVE_DATES)
_FUTURE = phrase_index(c.FUTURE_CUES)
_PAST = phrase_index(c.PAST_CUES)
TENSES = ("past", "future")  # which way from the report a date with no year lies
EITHER = "either"  # a plan told in the past: the date may lie either way, and none is guessed
_PASSIVE = c.PASSIVE_BEFORE

_OPENERS = phrase_index(c.DATE_OPENERS)
_MONTH_PARTS = phrase_index(c.MONTH_PARTS)
_YEAR_PARTS = phrase_index(c.YEAR_PARTS)
_NEUTRALS = phrase_index(c.NEUTRAL_BEFORE_DATE)
_APPROX = c.APPROXIMATE_YEAR


# --- the spec ---------------------------------------------------------------------------------
# A spec is a small frozen record, one class per kind of date (`DaySpec`, `MonthSpec`, ...), whose
# fields are the date's parts. A day, month or count is `Number`: `Slot(k)`, the k-th number of
# the phrase (read when the spec is resolved), or `Const(n)`, a number the words gave ("October").
# A year is `Year`: a `Number`, `Ref(offset)` for a year relative to the report ("last year"), or
# `Short(k, base)` for the two-digit end of "1965-73"; None where the text gives no year.
# Each class of `Spec` has its resolver in `RESOLVERS`, but for the three `_resolve` reads itself.
# The classes are frozen slotted dataclasses, not NamedTuples: a phrase is resolved by reading
# their fields, and a slot is the fastest field to read (faster than a NamedTuple's); and
# `Slot(1)` is not equal to `Const(1)`. They are final, so where the code is run once per phrase
# it tests a class with `type(x) is C`, which then means isinstance: a failed isinstance also
# looks up `__class__`, and takes about twice as long.


@final
@dataclass(frozen=True, slots=True)
class Slot:
    """The `k`-th number of the phrase (`tokens.shape`)."""

    k: int


@final
@dataclass(frozen=True, slots=True)
class Const:
    """A number the words give: a month's name, a count written as a word."""

    n: int


@final
@dataclass(frozen=True, slots=True)
class Ref:
    """The year of the report, moved by `offset` years ("last year": -1)."""

    offset: int


@final
@dataclass(frozen=True, slots=True)
class Short:
    """The two-digit year `k` that ends an interval begun by the four-digit year `base` (both
    numbers of the phrase): the "73" of "1965-73"."""

    k: int
    base: int


Number = Slot | Const
Year = Slot | Const | Ref | Short
Join = Literal["interval", "all", "one"]  # two dates: one span, all of both, or one of them


@final
@dataclass(frozen=True, slots=True)
class DaySpec:
    """A day: "14 October 2024", "2024-10-14", "on 4 November"."""

    year: Year | None
    month: Number
    day: Number

    def with_year(self, year: Year) -> DaySpec:
        return DaySpec(year, self.month, self.day)


@final
@dataclass(frozen=True, slots=True)
class MonthSpec:
    """A month: "October 2024", "in December"."""

    year: Year | None
    month: Number

    def with_year(self, year: Year) -> MonthSpec:
        return MonthSpec(year, self.month)


@final
@dataclass(frozen=True, slots=True)
class IsoMonthSpec:
    """"2024-10", or, where the second number is no month, the "1965-73" of two years."""

    year: Slot
    month: Slot


@final
@dataclass(frozen=True, slots=True)
class YearSpec:
    """A year: "2024", "the year 2024"."""

    year: Slot | Short


@final
@dataclass(frozen=True, slots=True)
class ApproxYearSpec:
    """"around 2020"."""

    year: Slot


@final
@dataclass(frozen=True, slots=True)
class DecadeSpec:
    """"the 1990s"."""

    year: Slot


@final
@dataclass(frozen=True, slots=True)
class DecadePartSpec:
    """"the late 1990s": `part` is a key of `conventions.DECADE_PARTS`."""

    year: Slot
    part: str


@final
@dataclass(frozen=True, slots=True)
class SeasonSpec:
    """"summer of 2025", "the spring": `season` is its EDTF code (`conventions.SEASONS`)."""

    year: Year | None
    season: int

    def with_year(self, year: Year) -> SeasonSpec:
        return SeasonSpec(year, self.season)


@final
@dataclass(frozen=True, slots=True)
class SeasonRelSpec:
    """"last winter": `which` is "last", "this" or "next"."""

    which: str
    season: int


@final
@dataclass(frozen=True, slots=True)
class QuarterSpec:
    """"the fourth quarter of 2024" (a `Const` quarter), "Q4 2024" (a `Slot`)."""

    year: Year | None
    quarter: Number


@final
@dataclass(frozen=True, slots=True)
class QuarterRelSpec:
    """"next quarter": the quarter `offset` quarters from the report's."""

    offset: int


@final
@dataclass(frozen=True, slots=True)
class MonthPartSpec:
    """"early June 2024": `part` is a key of `conventions.MONTH_PARTS`."""

    year: Year | None
    month: int
    part: str

    def with_year(self, year: Year) -> MonthPartSpec:
        return MonthPartSpec(year, self.month, self.part)


@final
@dataclass(frozen=True, slots=True)
class MonthPartRelSpec:
    """"early last month": `which` is "last", "this" or "next"."""

    which: str
    part: str


@final
@dataclass(frozen=True, slots=True)
class YearPartSpec:
    """"late 2023", "mid-2024", "early this year": `part` is a key of `conventions.YEAR_PARTS`."""

    year: Year
    part: str


@final
@dataclass(frozen=True, slots=True)
class MonthRelSpec:
    """"last December": `which` is "last", "this" or "next"."""

    which: str
    month: int


@final
@dataclass(frozen=True, slots=True)
class WeekdaySpec:
    """"on Tuesday" (`shift` 0), "last Tuesday" (-1); `weekday` counts from Monday, 0."""

    weekday: int
    shift: int


@final
@dataclass(frozen=True, slots=True)
class WeekdayDaySpec:
    """"Tuesday, October 15": a day and the weekday it must fall on."""

    weekday: int
    day: DaySpec


@final
@dataclass(frozen=True, slots=True)
class NumericSpec:
    """"28/10/2024" or "8/27/2024": which of the first two numbers is the day is decided when
    they are read."""

    first: Slot
    second: Slot
    year: Slot


@final
@dataclass(frozen=True, slots=True)
class DayOfMonthSpec:
    """"the 27th": a day of the report's month, or of the one before or after."""

    day: Slot


@final
@dataclass(frozen=True, slots=True)
class PastNSpec:
    """"the past eight months": `count` units (`conventions.DATE_UNITS`) up to the report."""

    unit: str
    count: Number


@final
@dataclass(frozen=True, slots=True)
class DaysAgoSpec:
    """"three days ago"."""

    count: Number


@final
@dataclass(frozen=True, slots=True)
class RelativeSpec:
    """A phrase of `conventions.RELATIVE_DATES`: "yesterday", "last week"."""

    phrase: str


@final
@dataclass(frozen=True, slots=True)
class Shift:
    """"two days later", "a week before": `count` units on (`sign` 1) or back (-1)."""

    unit: str
    count: Number
    sign: int


@final
@dataclass(frozen=True, slots=True)
class Next:
    """"the next day" (`step` 1), "the same month" (0)."""

    unit: str
    step: int


@final
@dataclass(frozen=True, slots=True)
class Then:
    """"the following Tuesday": the first such date after the event."""

    date: WeekdaySpec | MonthSpec | DaySpec


@final
@dataclass(frozen=True, slots=True)
class EventRelativeSpec:
    """A date relative to another event, "the following Tuesday", "two days later": found, and
    read only against that event's date (`relative_to`). `phrase` is the word that says so."""

    phrase: str
    how: Shift | Next | Then


@final
@dataclass(frozen=True, slots=True)
class JoinedSpec:
    """Two dates joined: "1965-1973", "March to May 2024" (`join` "interval"), "May and June"
    ("all"), "May or June" ("one")."""

    join: Join
    first: Spec
    second: Spec


@final
@dataclass(frozen=True, slots=True)
class OpenSpec:
    """A date with one end open: "since 1965" (`kind` "from"), "until", "before", "after"
    (the values of `conventions.DATE_OPENERS`)."""

    kind: str
    date: Spec


@final
@dataclass(frozen=True, slots=True)
class TensedSpec:
    """A date whose own clause gives the tense it is read in ("past", "future", or `EITHER`)."""

    tense: str
    date: Spec


Spec = (DaySpec | MonthSpec | IsoMonthSpec | YearSpec | ApproxYearSpec | DecadeSpec
        | DecadePartSpec | SeasonSpec | SeasonRelSpec | QuarterSpec | QuarterRelSpec
        | MonthPartSpec | MonthPartRelSpec | YearPartSpec | MonthRelSpec | WeekdaySpec
        | WeekdayDaySpec | NumericSpec | DayOfMonthSpec | PastNSpec | DaysAgoSpec | RelativeSpec
        | EventRelativeSpec | JoinedSpec | OpenSpec | TensedSpec)
_Yearless = DaySpec | MonthSpec | MonthPartSpec | SeasonSpec  # may take a year from another


def _slot(t: Tokens, i: int) -> Slot:
    return Slot(t.slots[i])


def _year_after(t: Tokens, j: int) -> tuple[Year | None, int]:
    """An optional year after a day or month: ", 2024", "of 2024", "last year", "this year"."""
    words = t.words
    k = j + 1 if j < len(words) and words[j] in (",", "of") else j
    if k < len(words) and words[k] == "#4":
        return _slot(t, k), k + 1
    if words[j:j + 2] in (["last", "year"], ["this", "year"], ["next", "year"]):
        return Ref(c.DIRECTIONS[words[j]]), j + 2
    if words[j:j + 3] == ["the", "previous", "year"]:
        return Ref(-1), j + 3
    if words[j:j + 1] == ["of"] and words[j + 1:j + 3] in (["last", "year"], ["this", "year"],
                                                              ["next", "year"]):
        return Ref(c.DIRECTIONS[words[j + 1]]), j + 3
    return None, j


_FULL_NAMES = {name.lower() for name in (*calendar.month_name[1:], *calendar.day_name)}


def _month_name(words: list[str], i: int) -> tuple[int, int] | None:
    """A month name at `i`, with the full stop of an abbreviation ("Oct."): (month, end)."""
    if i < len(words) and words[i] in _MONTHS:
        j = i + 1
        if j < len(words) and words[j] == "." and (
                words[i] not in _FULL_NAMES or j + 1 < len(words) and words[j + 1] in _DAY):
            j += 1
        return _MONTHS[words[i]], j
    return None


def _day_number(t: Tokens, i: int) -> int | None:
    """A day of the month at `i` ("14", "14th"); the end index or None."""
    words = t.words
    if i < len(words) and words[i] in _DAY:
        j = i + 1
        if j < len(words) and t.glued[j] and words[j] in _ORDINAL_SUFFIX:
            j += 1
        return j
    return None


def _time(t: Tokens, j: int) -> int:
    """Skip a time of day after a date ("T09:30Z", " 14:05 KST", ", 6:30 a.m. ET",
    " 10:22:28 PM"): the date is the day, whatever the hour."""
    words = t.words
    n = len(words)
    k = j + 1 if j + 1 < n and words[j] == "," and words[j + 1] in _DAY else j
    if k < n and words[k] == "t" and t.glued[k]:
        k += 1
    if k + 2 < n and words[k] in _DAY and words[k + 1] == ":" and words[k + 2] == "#2":
        k += 3
        if k + 1 < n and words[k] == ":" and words[k + 1] in ("#2", "#f"):
            k += 2
        meridiem = match_phrase(_MERIDIEM, words, k)
        if meridiem is not None:
            k = meridiem[0]
        if k < n and words[k] in _TIMEZONES:
            k += 1
        elif k + 1 < n and words[k] in ("+", "-") and words[k + 1] in _DAY | {"#4"}:
            k += 2
            if k + 1 < n and words[k] == ":" and words[k + 1] == "#2":
                k += 2
        return k
    return j


# --- the date forms, as rules -------------------------------------------------------------------
# Each form is one `Rule`: its name, the tokens it can start with, the function that reads it
# from the tokens into a spec, and its examples (phrase, reference, tense, the EDTF it reads as,
# or None where it must be refused). `_point` tries, at a token, the rules that can start there,
# in the order below; the finder starts only at those tokens; the examples are the tests
# (tests/test_date_rules.py) and the table of docs/conventions.md. Adding a form is adding a rule.

Found = tuple[Spec, int] | None


class Example(NamedTuple):
    text: str
    reference: str | None  # ISO day of the report, or "start/end" where it is known to a range
    tense: str | None
    edtf: str | None  # what it reads as; None: refused
    precision: str | None = None  # and, where given, its precision
    days: str | None = None  # and its first and last day, "start..end" (an open side empty)


class Rule(NamedTuple):
    name: str
    starts: frozenset[str]
    read: Callable[[Tokens, int, bool], Found]
    examples: tuple[Example, ...]


def _read_iso(t: Tokens, i: int, weekday: bool) -> Found:
    """2024-10-14, 2024-10, with a time."""
    words, glued, n = t.words, t.glued, len(t.words)
    if i + 2 < n and words[i + 1] == "-" and glued[i + 1] and words[i + 2] == "#2":
        if i + 4 < n and words[i + 3] == "-" and words[i + 4] == "#2" and glued[i + 3]:
            return DaySpec(_slot(t, i), _slot(t, i + 2), _slot(t, i + 4)), _time(t, i + 5)
        if not (i + 3 < n and glued[i + 3] and words[i + 3] not in (",", ".", ")", "/")):
            return IsoMonthSpec(_slot(t, i), _slot(t, i + 2)), i + 3
    return None


def _read_weekday(t: Tokens, i: int, weekday: bool) -> Found:
    """A weekday, perhaps with its date: "Tuesday", "last Tuesday", "Tuesday, October 15"."""
    if not weekday:
        return None
    words, glued, n = t.words, t.glued, len(t.words)
    w, shift = words[i], 0
    if w in c.DIRECTIONS:
        if not (i + 1 < n and words[i + 1] in _WEEKDAYS):
            return None
        shift = c.DIRECTIONS[w]
        i, w = i + 1, words[i + 1]
    j = i + 1
    if j < n and words[j] == "." and glued[j] and w not in _FULL_NAMES:
        j += 1
    k = j + 1 if j < n and words[j] == "," else j
    # Only a day can follow ("Tuesday, October 15"), never another weekday: a run of weekday
    # names is not read by recursing once per name.
    dated = _point(t, k, weekday=False) if shift == 0 else None
    if dated is not None and type(dated[0]) is DaySpec:
        return WeekdayDaySpec(_WEEKDAYS[w], dated[0]), dated[1]
    if shift == 1:
        return None  # "next Tuesday": this coming one or the one after; not read
    return WeekdaySpec(_WEEKDAYS[w], shift), j


def _read_day_month(t: Tokens, i: int, weekday: bool) -> Found:
    """Day month [year]: "14 October 2024", "14th of October"; a numeric date "28/10/2024"."""
    words, n = t.words, len(t.words)
    day_end = _day_number(t, i)
    if day_end is None:
        return None
    k = day_end + 1 if day_end < n and words[day_end] == "of" else day_end
    month = _month_name(words, k)
    if month is not None:
        year, end = _year_after(t, month[1])
        return DaySpec(year, Const(month[0]), _slot(t, i)), _time(t, end) if year else end
    return _numeric(t, i)


def _read_month_day(t: Tokens, i: int, weekday: bool) -> Found:
    """Month day [year] ("October 14, 2024", "Oct. 4", "Oct 30-31"); month [year]."""
    words, glued, n = t.words, t.glued, len(t.words)
    month = _month_name(words, i)
    if month is None:
        return None
    m, j = month
    day_end = _day_number(t, j)
    if day_end is not None and not (day_end < n and words[day_end] == ":"):
        last = day_end + 1
        if (last < n and words[day_end] == "-" and glued[day_end] and words[last] in _DAY
                and glued[last]):  # "Oct 30-31": two days of one month
            year, end = _year_after(t, last + 1)
            return JoinedSpec("interval", DaySpec(year, Const(m), _slot(t, j)),
                              DaySpec(year, Const(m), _slot(t, last))), end
        year, end = _year_after(t, day_end)
        return DaySpec(year, Const(m), _slot(t, j)), _time(t, end) if year else end
    year, end = _year_after(t, j)
    return MonthSpec(year, Const(m)), end


def _read_month_or_season_rel(t: Tokens, i: int, weekday: bool) -> Found:
    """last/next/this + a month or a season."""
    words, n, w = t.words, len(t.words), t.words[i]
    if w not in ("last", "next", "this") or i + 1 >= n:
        return None
    month = _month_name(words, i + 1)
    if month is not None:
        return MonthRelSpec(w, month[0]), month[1]
    if words[i + 1] in c.SEASONS:
        return SeasonRelSpec(w, c.SEASONS[words[i + 1]]), i + 2
    return None


def _read_year(t: Tokens, i: int, weekday: bool) -> Found:
    """A year or a decade: "2024", "the year 2024", "the 1990s", "1970's"."""
    words, glued, n = t.words, t.glued, len(t.words)
    the = 1 if words[i] == "the" else 0
    k = i + the + 1  # "the year 2024", not "the year 1970s"
    if words[k - 1:k] == ["year"] and k < n and words[k] == "#4" and not (
            k + 1 < n and glued[k + 1] and words[k + 1][0].isalnum()):
        return YearSpec(_slot(t, k)), k + 1
    if i + the < n and words[i + the] == "#4":
        k = i + the
        if k + 1 < n and words[k + 1] == "s" and glued[k + 1]:
            return DecadeSpec(_slot(t, k)), k + 2
        if k + 2 < n and words[k + 1] == "'" and words[k + 2] == "s" and glued[k + 1]:
            return DecadeSpec(_slot(t, k)), k + 3
        if not the:
            return YearSpec(_slot(t, k)), k + 1
    return None


def _read_approx_year(t: Tokens, i: int, weekday: bool) -> Found:
    """"around 2020", "c. 1965"."""
    words, glued, n = t.words, t.glued, len(t.words)
    k = i + 1
    if k < n and words[k] == ".":
        k += 1
    if k < n and words[k] == "#4" and not (k + 1 < n and glued[k + 1]
                                           and words[k + 1][0].isalnum()):
        return ApproxYearSpec(_slot(t, k)), k + 1
    return None


def _read_season_of(t: Tokens, i: int, weekday: bool) -> Found:
    """A season: "summer of 2025", "the summer", "summer last year"."""
    words, n = t.words, len(t.words)
    the = 1 if words[i] == "the" else 0
    if i + the < n and words[i + the] in c.SEASONS:
        year, end = _year_after(t, i + the + 1)
        return SeasonSpec(year, c.SEASONS[words[i + the]]), end
    return None


def _read_quarter(t: Tokens, i: int, weekday: bool) -> Found:
    """"the fourth quarter of 2024", "Q4 2024"."""
    words, glued, n = t.words, t.glued, len(t.words)
    the = 1 if words[i] == "the" else 0
    if i + the + 1 < n and words[i + the] in _ORDINALS and words[i + the + 1] == "quarter":
        year, end = _year_after(t, i + the + 2)
        return QuarterSpec(year, Const(_ORDINALS[words[i + the]])), end
    if words[i] == "q" and i + 1 < n and words[i + 1] == "#1" and glued[i + 1]:
        year, end = _year_after(t, i + 2)
        return QuarterSpec(year, _slot(t, i + 1)), end
    return None


def _read_part(t: Tokens, i: int, weekday: bool) -> Found:
    """A part of a month or a year: "early June", "mid-October 2024", "late 2023", "mid-2024",
    "the late 1990s", "early last month"."""
    words, glued, n = t.words, t.glued, len(t.words)
    the = 1 if words[i] == "the" else 0
    skip = 1 if the and i + 1 < n and words[i + 1] in c.DECADE_PARTS else 0  # "the late 1990s"
    for index, kind in ((_MONTH_PARTS, "month_part"), (_YEAR_PARTS, "year_part")):
        part = match_phrase(index, words, i + skip)
        if part is None:
            continue
        k = part[0]
        if k < n and words[k] == "-":
            k += 1
        if kind == "month_part" and words[k:k + 2] in (["last", "month"], ["this", "month"],
                                                       ["next", "month"]):
            return MonthPartRelSpec(words[k], part[1]), k + 2
        if kind == "month_part":
            month = _month_name(words, k)
            if month is not None:
                year, end = _year_after(t, month[1])
                return MonthPartSpec(year, month[0], part[1]), end
        else:
            if k < n and words[k] == "#4" and k + 1 < n and words[k + 1] == "s" and glued[k + 1]:
                if part[1] in c.DECADE_PARTS:
                    return DecadePartSpec(_slot(t, k), part[1]), k + 2
                continue
            if k < n and words[k] == "#4":
                return YearPartSpec(_slot(t, k), part[1]), k + 1
            rel = words[k:k + 2]
            if rel in (["this", "year"], ["the", "year"], ["last", "year"], ["next", "year"]):
                offset = c.DIRECTIONS.get(rel[0], 0)  # "the year": this one
                return YearPartSpec(Ref(offset), part[1]), k + 2
    return None


def _read_event_relative(t: Tokens, i: int, weekday: bool) -> Found:
    """A date relative to another event: "the following Tuesday", "the next day", "two days
    later", "a week after": found, so that a curator sees it, and never read here."""
    words, n = t.words, len(t.words)
    if words[i] == "the" and i + 1 < n and words[i + 1] in c.EVENT_WORDS:
        inner = _point(t, i + 2, weekday=True)
        if inner is not None and isinstance(inner[0], (WeekdaySpec, MonthSpec, DaySpec)):
            return EventRelativeSpec("the " + words[i + 1], Then(inner[0])), inner[1]
        if i + 2 < n and words[i + 2] in c.DATE_UNITS:
            return EventRelativeSpec("the " + words[i + 1], Next(
                c.DATE_UNITS[words[i + 2]], 0 if words[i + 1] == "same" else 1)), i + 3
        return None
    counted = _counted(t, i)
    if counted is not None and words[counted[1]:counted[1] + 1] in (["after"], ["later"],
                                                                     ["before"], ["earlier"]):
        sign = 1 if words[counted[1]] in ("after", "later") else -1
        unit, count = counted[0]
        return EventRelativeSpec(words[counted[1]], Shift(unit, count, sign)), counted[1] + 1
    return None


def _read_day_of_month(t: Tokens, i: int, weekday: bool) -> Found:
    """"the 27th": a day of the report's month, or of the one before or after (not "the 11th
    Corps", "the 70th drawdown")."""
    words, glued, n = t.words, t.glued, len(t.words)
    if i + 2 < n and words[i + 1] in _DAY and words[i + 2] in _ORDINAL_SUFFIX and glued[i + 2] \
            and (i + 3 >= n or not words[i + 3].isalnum() or words[i + 3] in _AFTER_A_DAY):
        return DayOfMonthSpec(_slot(t, i + 1)), i + 3
    return None


def _read_past_n(t: Tokens, i: int, weekday: bool) -> Found:
    """"the past eight months", "the last 3 weeks", "the past year": the span ending on the
    report."""
    words, n = t.words, len(t.words)
    if not (i + 1 < n and words[i + 1] in ("past", "last")):
        return None
    counted = _counted(t, i + 2)
    if counted is not None:
        return PastNSpec(*counted[0]), counted[1]
    if words[i + 1] == "past" and words[i + 2:i + 3] == ["year"]:  # the twelve months
        return PastNSpec("year", Const(1)), i + 3
    return None


def _read_quarter_rel(t: Tokens, i: int, weekday: bool) -> Found:
    """"next quarter", "the previous quarter": the calendar quarter after or before the report's."""
    words, n = t.words, len(t.words)
    k = i + (1 if words[i] == "the" else 0)
    if k + 1 < n and words[k] in c.DIRECTIONS and words[k + 1] == "quarter":
        return QuarterRelSpec(c.DIRECTIONS[words[k]]), k + 2
    return None


def _read_days_ago(t: Tokens, i: int, weekday: bool) -> Found:
    """"three days ago", "3 days ago"."""
    counted = _counted(t, i)
    if counted is not None and counted[0][0] == "day" and t.words[counted[1]:counted[1] + 1] == [
            "ago"]:
        return DaysAgoSpec(counted[0][1]), counted[1] + 1
    return None


def _read_relative_phrase(t: Tokens, i: int, weekday: bool) -> Found:
    """A phrase of `conventions.RELATIVE_DATES`: "yesterday", "last week", "in the coming
    months"."""
    found = match_phrase(_RELATIVE, t.words, i)
    return (RelativeSpec(found[1]), found[0]) if found is not None else None


_E = Example
_NUMBERS = frozenset(_DAY)
RULES: tuple[Rule, ...] = (
    Rule("iso", frozenset({"#4"}), _read_iso, (
        _E("2024-10-14", None, None, "2024-10-14"), _E("2024-10", None, None, "2024-10"),
        _E("2024-06-19T09:30Z", None, None, "2024-06-19"))),
    Rule("weekday", frozenset(_WEEKDAYS) | frozenset(c.DIRECTIONS), _read_weekday, (
        _E("on Tuesday", "2024-10-17", "past", "2024-10-15"),
        _E("on Tuesday", "2024-10-17", "future", "2024-10-22"),
        _E("last Tuesday", "2024-10-17", None, "2024-10-15"),
        _E("Tuesday, October 15", "2024-10-17", None, "2024-10-15"),
        _E("next Tuesday", "2024-10-17", "future", None))),
    Rule("day month", _NUMBERS, _read_day_month, (
        _E("14 October 2024", None, None, "2024-10-14"),
        _E("on 4 November", "2024-11-12", None, "2024-11-04"),
        _E("28/10/2024", None, None, "2024-10-28"), _E("03/04/2024", None, None, None),
        _E("19 June 2024, 08:15 GMT", None, None, "2024-06-19"))),
    Rule("month day", frozenset(_MONTHS), _read_month_day, (
        _E("October 14, 2024", None, None, "2024-10-14"),
        _E("Oct 30-31, 2024", None, None, "2024-10-30/2024-10-31"),
        _E("in December", "2025-01-05", None, "2024-12"),
        _E("in December", "2024-11-01", "future", "2024-12"),
        _E("June 19, 2024 20:43:57", None, None, "2024-06-19"))),
    Rule("last, this or next month or season", frozenset({"last", "next", "this"}),
         _read_month_or_season_rel, (_E("last December", "2024-10-17", None, "2023-12"),
                                _E("next spring", "2024-10-17", None, "2025-21"))),
    Rule("year or decade", frozenset({"#4", "the", "year"}), _read_year, (
        _E("in 2023", None, None, "2023"), _E("the 1990s", None, None, "199X"),
        _E("the year 2024", None, None, "2024"))),
    Rule("approximate year", frozenset(_APPROX), _read_approx_year, (
        _E("around 2020", None, None, "2020~"), _E("c. 1965", None, None, "1965~"))),
    Rule("season", frozenset(c.SEASONS) | {"the"}, _read_season_of, (
        _E("summer of 2025", None, None, "2025-22"),
        _E("in the spring", "2024-11-01", "future", "2025-21"))),
    Rule("quarter", frozenset(_ORDINALS) | {"the", "q"}, _read_quarter, (
        _E("the fourth quarter of 2024", None, None, "2024-36"),
        _E("Q1 2025", None, None, "2025-33"))),
    Rule("part of a month or a year", first_tokens(c.MONTH_PARTS, c.YEAR_PARTS) | {"the"},
         _read_part, (
        _E("early June 2024", None, None, "2024-06-01/2024-06-10"),
        _E("late 2023", None, None, "2023-09/2023-12"),
        _E("the late 1990s", None, None, "1997/1999"))),
    Rule("relative to another event", frozenset({"the"}) | frozenset(c.DATE_COUNTS) | _NUMBERS,
         _read_event_relative, (_E("the following Tuesday", "2025-01-15", None, None),
                           _E("two days later", "2025-01-15", None, None),
                           _E("a week after", "2025-01-15", None, None))),
    Rule("day of the month", frozenset({"the"}), _read_day_of_month, (
        _E("arrived on the 27th", "2024-11-04", None, "2024-10-27"),
        _E("will leave on the 27th", "2024-11-04", None, "2024-11-27"))),
    Rule("the past N units", frozenset({"the"}), _read_past_n, (
        _E("over the past eight months", "2025-01-10", None, "2024-05-11/2025-01-10"),
        _E("the past year", "2025-06-19", None, "2024-06-20/2025-06-19"))),
    Rule("quarter before or after", frozenset(c.DIRECTIONS) | {"the"}, _read_quarter_rel, (
        _E("next quarter", "2026-10-02", None, "2027-33"),
        _E("the previous quarter", "2024-10-10", None, "2024-35"))),
    Rule("days ago", frozenset(c.DATE_COUNTS) | _NUMBERS, _read_days_ago, (
        _E("three days ago", "2024-11-04", None, "2024-11-01"),
        _E("2 days ago", "2024-03-02", None, "2024-02-29"))),
    Rule("relative phrase", first_tokens(c.RELATIVE_DATES), _read_relative_phrase, (
        _E("yesterday", "2024-10-17", None, "2024-10-16"),
        _E("last week", "2024-10-17", None, "2024-10-07/2024-10-13"),
        _E("in the coming months", "2024-10-17", None, "2024-10-17/.."))),
)
class Part(NamedTuple):
    """What stands around the date forms (words before or after them, a second date, EDTF
    written as such, a report dated only within a range), with examples of whole phrases: the
    EDTF, the precision and the days (``start..end``, an open side empty) each reads as."""

    name: str
    examples: tuple[Example, ...]


PARTS: tuple[Part, ...] = (
    Part('one date as written', (
        _E('2024-10-14', None, None, '2024-10-14', 'day', "2024-10-14..2024-10-14"),
        _E('14 October 2024', None, None, '2024-10-14', 'day', "2024-10-14..2024-10-14"),
        _E('October 14, 2024', None, None, '2024-10-14', 'day', "2024-10-14..2024-10-14"),
        _E('Oct. 4', '2024-10-17', None, '2024-10-04', 'day', "2024-10-04..2024-10-04"),
        _E('October 2024', None, None, '2024-10', 'month', "2024-10-01..2024-10-31"),
        _E('1973', None, None, '1973', 'year', "1973-01-01..1973-12-31"),
        _E('the 1970s', None, None, '197X', 'decade', "1970-01-01..1979-12-31"),
        _E('mid-October', '2024-10-17', None, '2024-10-11/2024-10-20', 'month',
            "2024-10-11..2024-10-20"),
        _E('late June', '2024-10-17', None, '2024-06-21/2024-06-30', 'month',
            "2024-06-21..2024-06-30"),
        _E('the end of 2024', None, None, '2024-12', 'month', "2024-12-01..2024-12-31"),
        _E('the end of the year', '2024-10-17', None, '2024-12', 'month', "2024-12-01..2024-12-31"),
        _E('fourth quarter', '2024-10-17', None, '2024-36', 'quarter', "2024-10-01..2024-12-31"),
        _E('summer of 2025', None, None, '2025-22', 'season', "2025-06-01..2025-08-31"),
        _E('in June last year', '2024-10-17', None, '2023-06', 'month', "2023-06-01..2023-06-30"),
        _E('2024-11-04T09:30Z', None, None, '2024-11-04', 'day', "2024-11-04..2024-11-04"),
        _E('over the weekend', '2024-10-17', None, '2024-10-12/2024-10-13', 'week',
            "2024-10-12..2024-10-13"),
        _E('around 1965', None, None, '1965~', 'year', "1965-01-01..1965-12-31"),
        _E('circa 1980', None, None, '1980~', 'year', "1980-01-01..1980-12-31"),
        _E('on Tuesday', '2024-10-17', None, '2024-10-15', 'day', "2024-10-15..2024-10-15"),
        _E('Thursday', '2024-10-17', None, '2024-10-17', 'day', "2024-10-17..2024-10-17"),
        _E('last week', '2024-10-17', None, '2024-10-07/2024-10-13', 'week',
            "2024-10-07..2024-10-13"),
        _E('last month', '2024-10-17', None, '2024-09', 'month', "2024-09-01..2024-09-30"),
        _E('earlier this month', '2024-10-17', None, '2024-10-01/2024-10-17', 'month',
            "2024-10-01..2024-10-17"),
        _E('this year', '2024-10-17', None, '2024', 'year', "2024-01-01..2024-12-31"),
        _E('next year', '2024-10-17', None, '2025', 'year', "2025-01-01..2025-12-31"),
        _E('in the coming months', '2024-10-17', None, '2024-10-17/..', 'open', "2024-10-17.."),
    )),
    Part('words around a date', (
        _E('troops arrived in early June', '2024-10-17', None, '2024-06-01/2024-06-10', 'month',
            "2024-06-01..2024-06-10"),
        _E('it happened in May or June', '2024-10-17', None, '[2024-05,2024-06]', 'interval',
            "2024-05-01..2024-06-30"),
        _E('said on Thursday that', '2024-10-17', None, '2024-10-17', 'day',
            "2024-10-17..2024-10-17"),
        _E('during talks last September', '2024-10-17', None, '2024-09', 'month',
            "2024-09-01..2024-09-30"),
        _E('the troops left in December', '2024-10-17', None, '2023-12', 'month',
            "2023-12-01..2023-12-31"),
        _E('SEOUL, Nov 4 -', '2024-11-05', None, '2024-11-04', 'day', "2024-11-04..2024-11-04"),
        _E('shells were sent between January and March', '2024-10-17', None, '2024-01/2024-03',
            'interval',
            "2024-01-01..2024-03-31"),
        _E('he spoke on Monday', '2024-10-17', None, '2024-10-14', 'day', "2024-10-14..2024-10-14"),
    )),
    Part('words that open a date', (
        _E('by year-end', '2024-10-17', None, '../2024-12', 'open', "..2024-12-31"),
        _E('from 1965', None, None, '1965/..', 'open', "1965-01-01.."),
        _E('until 1973', None, None, '../1973', 'open', "..1973-12-31"),
        _E('before 2024', None, None, '../2023-12-31', 'open', "..2023-12-31"),
        _E('after May 2024', None, None, '2024-06-01/..', 'open', "2024-06-01.."),
        _E('since May 2024', None, None, '2024-05/..', 'open', "2024-05-01.."),
    )),
    Part('two dates', (
        _E('1965–1973', None, None, '1965/1973', 'interval', "1965-01-01..1973-12-31"),
        _E('1965-73', None, None, '1965/1973', 'interval', "1965-01-01..1973-12-31"),
        _E('from 1965 to 1973', None, None, '1965/1973', 'interval', "1965-01-01..1973-12-31"),
        _E('in May and June 2024', None, None, '{2024-05,2024-06}', 'interval',
            "2024-05-01..2024-06-30"),
        _E('between 14 and 16 October 2024', None, None, '2024-10-14/2024-10-16', 'interval',
            "2024-10-14..2024-10-16"),
    )),
    Part('EDTF as written', (
        _E('2024-10-15/2024-10-17', None, None, '2024-10-15/2024-10-17', 'interval',
            "2024-10-15..2024-10-17"),
        _E("2025-01-23~", None, None, "2025-01-23~", "day", "2025-01-23..2025-01-23"),
        _E("2025~", None, None, "2025~", "year", "2025-01-01..2025-12-31"),
        _E("23 January 2025~", None, None, None),
        _E("2025-01-23 ~", None, None, None),
    )),
    Part('a report dated only within a range', (
        _E('on Tuesday', '2024-10-15/2024-10-23', None, '2024-10-15/2024-10-22', 'interval',
            "2024-10-15..2024-10-22"),
    )),
)

_BY_START: dict[str, tuple[Rule, ...]] = {}
for _rule in RULES:
    for _token in _rule.starts:
        _BY_START[_token] = (*_BY_START.get(_token, ()), _rule)
# The tokens a date can start with: every rule's, and those of the words that open a date.
DATE_STARTS: frozenset[str] = (frozenset(_BY_START) | first_tokens(c.DATE_OPENERS)
                               | {"between", "."})


def rules_markdown() -> str:
    """The date forms as a Markdown table, with an example of each (docs/conventions.md)."""
    lines = ["## Date forms", "", "Each form is one rule of `dprk_ru_data.normalise.dates.RULES`, "
             "and what stands around the forms an entry of `PARTS`, with their examples; they "
             "are the tests.", "",
             "| form | example | report of | tense | reads as |", "| --- | --- | --- | --- | --- |"]
    for name, examples in [(r.name, r.examples) for r in RULES] + [
            (p.name, p.examples[:3]) for p in PARTS]:
        for e in examples[:2] if len(examples) > 3 else examples:
            lines.append(f"| {name} | {e.text} | {e.reference or ''} | {e.tense or ''} | "
                         f"{e.edtf if e.edtf is not None else 'refused'} |")
    return "\n".join(lines) + "\n"


def _point(t: Tokens, i: int, weekday: bool = True) -> Found:
    """One date at `i` (no opener, no second date): the first rule that reads one there; with
    `weekday` false, not a weekday."""
    if i >= len(t.words):
        return None
    for rule in _BY_START.get(t.words[i], ()):
        found = rule.read(t, i, weekday)
        if found is not None:
            return found
    return None


def _numeric(t: Tokens, i: int) -> tuple[Spec, int] | None:
    """A date in numbers, "28/10/2024" or "8/27/2024": read only where the order is certain
    (one of the two first numbers is above 12, or both are the same); a time may follow."""
    words, glued = t.words, t.glued
    if (i + 4 < len(words) and words[i + 1] == "/" and words[i + 2] in _DAY
            and words[i + 3] == "/" and words[i + 4] == "#4"
            and all(glued[i + k] for k in range(1, 5))):
        return NumericSpec(_slot(t, i), _slot(t, i + 2), _slot(t, i + 4)), _time(t, i + 5)
    return None


def _count_word(t: Tokens, i: int) -> int | None:
    """A small count at `i`, in figures or words ("3", "three"); None otherwise."""
    word = t.words[i] if i < len(t.words) else ""
    if word in c.DATE_COUNTS:
        return c.DATE_COUNTS[word]
    return None


def _counted(t: Tokens, i: int) -> tuple[tuple[str, Number], int] | None:
    """A count and its unit ("eight months", "3 days"): ((unit, count), end)."""
    words = t.words
    if i + 1 >= len(words):
        return None
    word_count = _count_word(t, i)
    count: Number | None = Const(word_count) if word_count is not None else None
    if count is None and words[i] in _DAY:
        count = _slot(t, i)  # a number of the phrase, read when resolved
    unit = c.DATE_UNITS.get(words[i + 1])
    if count is None or unit is None:
        return None
    return (unit, count), i + 2


_JOINERS: dict[str, Join] = {
    "-": "interval", "/": "interval", "to": "interval", "until": "interval", "till": "interval",
    "through": "interval", "and": "all", "or": "one"}


def _bare_day(t: Tokens, i: int) -> int | None:
    """A day number standing alone before a joiner ("14" in "14-16 October")."""
    j = _day_number(t, i)
    if j is not None and j < len(t.words) and t.words[j] in _JOINERS:
        return j
    return None


def _joined(t: Tokens, i: int, joiners: tuple[str, ...], between: bool = False,
            ) -> tuple[Spec, int] | None:
    """A date, or two joined by one of `joiners`: "1965-1973", "May or June", "14-16 October"."""
    words = t.words
    n = len(words)
    bare = _bare_day(t, i)
    if bare is not None and words[bare] in joiners:
        second = _point(t, bare + 1)
        if second is not None and type(second[0]) is DaySpec:
            first_day = DaySpec(second[0].year, second[0].month, _slot(t, i))
            return JoinedSpec(_JOINERS[words[bare]], first_day, second[0]), second[1]
    first = _point(t, i)
    if first is None:
        return None
    spec, j = first
    if j < n and words[j] in joiners:
        k = j + 1
        if (words[j] == "-" and k < n and words[k] == "#2" and t.glued[k]
                and type(spec) is YearSpec and type(spec.year) is Slot):
            return JoinedSpec("interval", spec, YearSpec(Short(t.slots[k], spec.year.k))), k + 1
        second = _point(t, k)
        if second is not None and _compatible(spec, second[0]) and (between or not (
                words[j] in ("and", "or")
                and type(spec) in (DaySpec, WeekdaySpec, WeekdayDaySpec))):
            return JoinedSpec(_JOINERS[words[j]], spec, second[0]), second[1]
    return spec, j


def _compatible(first: Spec, second: Spec) -> bool:
    """Whether two dates can be joined ('March to May 2024', not 'Tuesday to 2024')."""
    kinds = (type(first), type(second))
    if RelativeSpec in kinds or WeekdaySpec in kinds:
        return kinds == (WeekdaySpec, WeekdaySpec)
    return True


def date_at(t: Tokens, i: int) -> tuple[Spec, int] | None:
    """The longest date that starts at token `i`: (spec, end) or None."""
    words = t.words
    n = len(words)
    if i >= n:
        return None
    if words[i] == "between":
        found = _joined(t, i + 1, ("and",), between=True)
        if found is not None and type(found[0]) is JoinedSpec and found[0].join == "all":
            return JoinedSpec("interval", found[0].first, found[0].second), found[1]
        return None
    opener = match_phrase(_OPENERS, words, i)
    if opener is not None:
        kind = c.DATE_OPENERS[opener[1]]
        inner = _joined(t, opener[0], ("-", "to", "until", "till", "through"))
        if inner is None:
            return None
        spec, j = inner
        if type(spec) is JoinedSpec:
            return (spec, j) if kind == "from" and spec.join == "interval" else None
        if kind == "on":
            return spec, j
        return OpenSpec(kind, spec), j
    if words[i:i + 3] == [".", ".", "/"]:  # EDTF "../2024-10": open start
        found = _point(t, i + 3)
        return (OpenSpec("until", found[0]), found[1]) if found else None
    found = _joined(t, i, ("-", "to", "and", "or", "through", "/"))
    if found is None:
        return None
    if not (type(found[0]) is JoinedSpec and found[0].join == "interval") and words[
            found[1]:found[1] + 3] == ["/", ".", "."]:
        return OpenSpec("from", found[0]), found[1] + 3
    spec, j = found
    if j < n and words[j] in ("onwards", "onward"):
        return OpenSpec("from", spec), j + 1
    return spec, j


# --- resolving a spec -------------------------------------------------------------------------

class _Span(NamedTuple):
    """A resolved closed date: the fields of `FuzzyDate`, with `start` and `end` both set."""

    edtf: str
    start: dt.date
    end: dt.date
    precision: str


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _last_day(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


_iso = dt.date.isoformat  # four-digit years, zero-padded


def _days(start: dt.date, end: dt.date, precision: str) -> _Span:
    if start == end:
        return _Span(_iso(start), start, end, precision)
    return _Span(f"{_iso(start)}/{_iso(end)}", start, end, precision)


def _month_span(year: int, month: int) -> _Span:
    return _Span(f"{year:04d}-{month:02d}", dt.date(year, month, 1),
                 dt.date(year, month, _last_day(year, month)), "month")


class _Context(NamedTuple):
    numbers: list[str]
    reference: dt.date | None
    tense: str | None = None  # "past", "future", or None where nothing says which


def _number(part: Number, numbers: list[str]) -> int:
    """A day, month, year or count: a constant, or a number of the phrase (the date grammar
    takes only plain numbers of one to four digits, so `int` reads it exactly)."""
    return part.n if type(part) is Const else int(numbers[part.k])


def _needs(ctx: _Context, what: str) -> dt.date:
    if ctx.reference is None:
        raise ValueError(f"{what} needs the publication date as reference, and none was given")
    return ctx.reference


def _year(part: Year, ctx: _Context) -> int:
    if type(part) is Ref:
        return _needs(ctx, "a year relative to the report").year + part.offset
    if type(part) is Short:
        base, short = int(ctx.numbers[part.base]), int(ctx.numbers[part.k])
        year = base - base % 100 + short
        if year <= base:
            raise ValueError("the two-digit end year is not after the first year")
        return year
    year = _number(part, ctx.numbers)
    if not 1 <= year <= 9999:
        raise ValueError(f"there is no year {year:04d} in the calendar used here")
    return year


def _rolled(make: Callable[[int], _Span], year_part: Year | None, ctx: _Context, what: str,
            ) -> _Span:
    """`make(year)` for the written year. With none: the span that holds the reference day;
    else, as the tense says, the latest one before the reference (past: a report of 5 January
    saying 'arrived in December' means the December before) or the first one after it
    (future: 'will arrive in December'); with no tense, the date is ambiguous (`_ambiguous`)."""
    if year_part is not None:
        return make(_year(year_part, ctx))
    reference = _needs(ctx, f"{what} with no year")
    maybe = _maybe(make)
    span = maybe(reference.year)
    if span is not None:
        if span.start <= reference <= span.end:
            return span
        other = maybe(reference.year + (1 if span.end < reference else -1))
        if other is not None:  # the usual case: this year's and the next or last one
            before, after = (span, other) if span.end < reference else (other, span)
            if before.end < reference < after.start:
                return _by_tense(before, after, ctx, f"{what} with no year")
    near = [maybe(year) for year in range(reference.year - 8, reference.year + 9)]  # 29 Feb
    spans = [span for span in near if span is not None]
    if not spans:
        make(reference.year)  # raises the reason (no such day in any year)
    holding = [span for span in spans if span.start <= reference <= span.end]
    if holding:
        return holding[0]
    before = max((span for span in spans if span.end < reference), key=lambda s: s.start)
    after = min((span for span in spans if span.start > reference), key=lambda s: s.start)
    return _by_tense(before, after, ctx, f"{what} with no year")


def _maybe(make: Callable[[int], _Span]) -> Callable[[int], _Span | None]:
    """`make`, None for a year that has no such day (29 February)."""
    def made(year: int) -> _Span | None:
        try:
            return make(year)
        except ValueError:
            return None
    return made


def _around(make: Callable[[int], _Span], reference: dt.date,
            ) -> tuple[_Span, _Span | None, _Span]:
    """Of the spans `make(year)`: the latest that ends before the reference, the one that holds
    it (or None), and the first that starts after it."""
    years = [make(reference.year + k) for k in (-2, -1, 0, 1, 2)]
    before = max((y for y in years if y.end < reference), key=lambda y: y.start)
    after = min((y for y in years if y.start > reference), key=lambda y: y.start)
    holding = next((y for y in years if y.start <= reference <= y.end), None)
    return before, holding, after


def _by_tense(before: _Span, after: _Span, ctx: _Context, what: str) -> _Span:
    """The span before the reference or the one after it, as the tense says; with no tense,
    the nearer one where the other lies `conventions.NEARER` times as far or more (a report
    of 17 October saying '14 October' means three days before, not a year ahead); else the
    date is ambiguous."""
    if ctx.tense == "past":
        return before
    if ctx.tense == "future":
        return after
    if ctx.tense == EITHER:
        raise ValueError(f"ambiguous: {what}, told as a plan of the past: it may lie before the "
                         f"report ({before.edtf}) or after it ({after.edtf}); give the year")
    reference = _needs(ctx, what)
    back, ahead = (reference - before.end).days, (after.start - reference).days
    if back * c.NEARER <= ahead:
        return before
    if ahead * c.NEARER <= back:
        return after
    raise ValueError(_ambiguous(what, before, after))


def _ambiguous(what: str, before: _Span, after: _Span) -> str:
    return (f"ambiguous: {what}, and no verb says whether it lies before the report "
            f"({before.edtf}) or after it ({after.edtf}); give the year, or the tense")


def _resolve(spec: Spec, ctx: _Context) -> FuzzyDate:
    if type(spec) is TensedSpec:  # the phrase's own verb says which way: it outranks the
        # caller's, unless it says only that the phrase cannot tell ("was due to"), and the
        # caller can
        keep = spec.tense == EITHER and ctx.tense in TENSES
        return _resolve(spec.date, ctx if keep else ctx._replace(tense=spec.tense))
    if type(spec) is RelativeSpec:
        return _relative(spec.phrase, _needs(ctx, f"'{spec.phrase}'"))
    if type(spec) is OpenSpec:
        return _open(spec.kind, _span(spec.date, ctx))
    return FuzzyDate(*_closed(spec, ctx))


def _closed(spec: Spec, ctx: _Context) -> _Span:
    """A spec of any kind but a relative phrase or an opener, which may leave an end open:
    resolved by the function `RESOLVERS` gives its class."""
    resolver = RESOLVERS.get(type(spec))
    if resolver is None:  # pragma: no cover - every reader's kind has a resolver
        raise ValueError(f"unknown date form {type(spec).__name__}")
    return resolver(spec, ctx)


def _r_day(spec: DaySpec, ctx: _Context) -> _Span:
    return _day(spec.year, _number(spec.month, ctx.numbers), _number(spec.day, ctx.numbers), ctx)


def _day(year: Year | None, m: int, d: int, ctx: _Context) -> _Span:
    """Day `d` of month `m`, in the year written or, with none, the year `_rolled` gives."""
    def make_day(y: int) -> _Span:
        try:
            when = dt.date(y, m, d)
        except ValueError:
            raise ValueError(f"no such day ({y:04d}-{m:02d}-{d:02d})") from None
        return _Span(_iso(when), when, when, "day")
    return _rolled(make_day, year, ctx, "a day and month")


def _r_month(spec: MonthSpec, ctx: _Context) -> _Span:
    m = _number(spec.month, ctx.numbers)
    if not 1 <= m <= 12:
        raise ValueError(f"there is no month {m}")
    return _rolled(lambda y: _month_span(y, m), spec.year, ctx, "a month")


def _r_iso_month(spec: IsoMonthSpec, ctx: _Context) -> _Span:
    """"2024-10", or the two-digit end year of "1965-73"."""
    if 1 <= _number(spec.month, ctx.numbers) <= 12:
        return _r_month(MonthSpec(spec.year, spec.month), ctx)
    return _join("interval", YearSpec(spec.year), YearSpec(Short(spec.month.k, spec.year.k)),
                 ctx)


def _r_year(spec: YearSpec, ctx: _Context) -> _Span:
    y = _year(spec.year, ctx)
    return _Span(f"{y:04d}", dt.date(y, 1, 1), dt.date(y, 12, 31), "year")


def _r_approx_year(spec: ApproxYearSpec, ctx: _Context) -> _Span:
    y = _year(spec.year, ctx)
    return _Span(f"{y:04d}~", dt.date(y, 1, 1), dt.date(y, 12, 31), "year")


def _r_decade(spec: DecadeSpec, ctx: _Context) -> _Span:
    y = _year(spec.year, ctx)
    if y % 10:
        raise ValueError("a decade is written with its first year ('the 1960s')")
    return _Span(f"{y // 10:03d}X", dt.date(y, 1, 1), dt.date(y + 9, 12, 31), "decade")


def _r_month_part_rel(spec: MonthPartRelSpec, ctx: _Context) -> _Span:  # "early last month"
    reference = _needs(ctx, f"'{spec.which} month'")
    month_index = reference.year * 12 + reference.month - 1 + c.DIRECTIONS[spec.which]
    return _r_month_part(MonthPartSpec(Const(month_index // 12), month_index % 12 + 1,
                                       spec.part), ctx)


def _r_decade_part(spec: DecadePartSpec, ctx: _Context) -> _Span:
    y = _year(spec.year, ctx)
    if y % 10:
        raise ValueError("a decade is written with its first year ('the 1960s')")
    first, last = c.DECADE_PARTS[spec.part]
    return _Span(f"{y + first:04d}/{y + last:04d}", dt.date(y + first, 1, 1),
                 dt.date(y + last, 12, 31), "decade")


def _r_season(spec: SeasonSpec, ctx: _Context) -> _Span:
    code = spec.season
    return _rolled(lambda y: _season(y, code), spec.year, ctx, "a season")


def _r_season_rel(spec: SeasonRelSpec, ctx: _Context) -> _Span:
    which, code = spec.which, spec.season
    reference = _needs(ctx, f"'{which}' and a season")
    before, holding, after = _around(lambda y: _season(y, code), reference)
    if which == "last":
        return before
    if which == "next":
        return after
    return holding or _by_tense(before, after, ctx, f"'this {code}'")


def _r_quarter(spec: QuarterSpec, ctx: _Context) -> _Span:
    q = _number(spec.quarter, ctx.numbers)
    if not 1 <= q <= 4:
        raise ValueError(f"there is no quarter {q}")
    return _rolled(lambda y: _Span(f"{y:04d}-{32 + q}", dt.date(y, 3 * q - 2, 1),
                                   dt.date(y, 3 * q, _last_day(y, 3 * q)), "quarter"),
                   spec.year, ctx, "a quarter")


def _r_month_part(spec: MonthPartSpec, ctx: _Context) -> _Span:
    month = spec.month
    start_day, end_day = c.MONTH_PARTS[spec.part]

    def make_part(y: int) -> _Span:
        end = _last_day(y, month) if end_day is None else end_day
        return _days(dt.date(y, month, start_day), dt.date(y, month, end), "month")
    return _rolled(make_part, spec.year, ctx, "a part of a month")


def _r_year_part(spec: YearPartSpec, ctx: _Context) -> _Span:
    y = _year(spec.year, ctx)
    first, last = c.YEAR_PARTS[spec.part]
    if first == last:
        return _month_span(y, first)
    return _Span(f"{y:04d}-{first:02d}/{y:04d}-{last:02d}", dt.date(y, first, 1),
                 dt.date(y, last, _last_day(y, last)), "year")


def _r_month_rel(spec: MonthRelSpec, ctx: _Context) -> _Span:
    which, month = spec.which, spec.month
    reference = _needs(ctx, f"'{which}' and a month")
    if which == "this":
        return _month_span(reference.year, month)
    if which == "last":
        y = reference.year if month < reference.month else reference.year - 1
    else:
        y = reference.year if month > reference.month else reference.year + 1
    return _month_span(y, month)


def _r_weekday(spec: WeekdaySpec, ctx: _Context) -> _Span:
    weekday, shift = spec.weekday, spec.shift
    reference = _needs(ctx, "a weekday")
    back = (reference.weekday() - weekday) % 7
    if shift == -1 and back == 0:
        back = 7
    day = reference - dt.timedelta(days=back)
    if shift == 0 and back:  # "on Tuesday": the one before, or the one ahead
        ahead = day + dt.timedelta(days=7)
        return _by_tense(_Span(_iso(day), day, day, "day"),
                         _Span(_iso(ahead), ahead, ahead, "day"), ctx, "a weekday")
    return _Span(_iso(day), day, day, "day")


def _r_weekday_day(spec: WeekdayDaySpec, ctx: _Context) -> _Span:
    weekday = spec.weekday
    span = _r_day(spec.day, ctx)
    if span.start.weekday() != weekday:
        raise ValueError(f"{_iso(span.start)} is a {calendar.day_name[span.start.weekday()]}, "
                         f"not a {calendar.day_name[weekday]}")
    return span


def _r_joined(spec: JoinedSpec, ctx: _Context) -> _Span:
    return _join(spec.join, spec.first, spec.second, ctx)


def _r_event_relative(spec: EventRelativeSpec, ctx: _Context) -> _Span:
    raise ValueError(f"relative to another event ('{spec.phrase}'): its date is that event's, "
                     "moved; find the event's date and work it out")


def _r_quarter_rel(spec: QuarterRelSpec, ctx: _Context) -> _Span:
    reference = _needs(ctx, "a quarter relative to the report")
    index = reference.year * 4 + (reference.month - 1) // 3 + spec.offset
    y, q = divmod(index, 4)
    return _r_quarter(QuarterSpec(Const(y), Const(q + 1)), ctx)


def _r_numeric(spec: NumericSpec, ctx: _Context) -> _Span:
    a, b = _number(spec.first, ctx.numbers), _number(spec.second, ctx.numbers)
    if a > 12 >= b or a == b:
        day, month = a, b
    elif b > 12 >= a:
        day, month = b, a
    else:
        raise ValueError(f"ambiguous: {a}/{b} may be day then month or month then day")
    return _day(spec.year, month, day, ctx)


def _r_day_of_month(spec: DayOfMonthSpec, ctx: _Context) -> _Span:
    reference = _needs(ctx, "a day of the month")
    d = _number(spec.day, ctx.numbers)
    index = reference.year * 12 + reference.month - 1

    def in_month(k: int) -> _Span:
        y, m = divmod(index + k, 12)
        day = dt.date(y, m + 1, d)
        return _Span(_iso(day), day, day, "day")
    spans = [span for span in map(_maybe(in_month), (-2, -1, 0, 1, 2)) if span is not None]
    for span in spans:
        if span.start == reference:
            return span
    before = max((x for x in spans if x.end < reference), key=lambda x: x.start)
    after = min((x for x in spans if x.start > reference), key=lambda x: x.start)
    return _by_tense(before, after, ctx, "a day of the month with no month")


def _r_past_n(spec: PastNSpec, ctx: _Context) -> _Span:
    unit = spec.unit
    reference = _needs(ctx, f"'the past {unit}s'")
    k = _number(spec.count, ctx.numbers)
    if not 1 <= k <= 1000:
        raise ValueError(f"{k} is not a count of {unit}s this reader takes")
    since = _back(reference, unit, k) + dt.timedelta(days=1)
    return _days(since, reference, unit if unit in ("week", "month", "year") else "interval")


def _r_days_ago(spec: DaysAgoSpec, ctx: _Context) -> _Span:
    reference = _needs(ctx, "'days ago'")
    k = _number(spec.count, ctx.numbers)
    if not 1 <= k <= 1000:
        raise ValueError(f"{k} is not a count of days this reader takes")
    day = reference - dt.timedelta(days=k)
    return _Span(_iso(day), day, day, "day")


# The function that resolves each class of spec the rules make (each takes a spec of its key's
# class: `Callable[...]`, as a dict cannot tie a value's type to its key's). TensedSpec,
# RelativeSpec and OpenSpec, which may leave an end open, are read by `_resolve` itself.
RESOLVERS: dict[type[Spec], Callable[..., _Span]] = {
    DaySpec: _r_day,
    MonthSpec: _r_month,
    IsoMonthSpec: _r_iso_month,
    YearSpec: _r_year,
    ApproxYearSpec: _r_approx_year,
    DecadeSpec: _r_decade,
    MonthPartRelSpec: _r_month_part_rel,
    DecadePartSpec: _r_decade_part,
    SeasonSpec: _r_season,
    SeasonRelSpec: _r_season_rel,
    QuarterSpec: _r_quarter,
    MonthPartSpec: _r_month_part,
    YearPartSpec: _r_year_part,
    MonthRelSpec: _r_month_rel,
    WeekdaySpec: _r_weekday,
    WeekdayDaySpec: _r_weekday_day,
    JoinedSpec: _r_joined,
    EventRelativeSpec: _r_event_relative,
    QuarterRelSpec: _r_quarter_rel,
    NumericSpec: _r_numeric,
    DayOfMonthSpec: _r_day_of_month,
    PastNSpec: _r_past_n,
    DaysAgoSpec: _r_days_ago,
}


def relative_to(spec: Spec, numbers: list[str], anchor: FuzzyDate) -> FuzzyDate:
    """A date relative to another event (`_read_event_relative`), read against the date of
    that event (`anchor`, a closed date): "two days later" is the anchor moved two days on,
    "the following Tuesday" the first Tuesday after it, "the next day" the day after it.
    ValueError where the anchor is open or the relation cannot be computed."""
    if not isinstance(spec, EventRelativeSpec) or anchor.start is None or anchor.end is None:
        raise ValueError("not a date relative to another event, or no closed date to anchor it")
    how = spec.how
    if isinstance(how, Shift):  # "two days later": both ends moved
        unit, sign = how.unit, how.sign
        k = _number(how.count, numbers)
        if not 1 <= k <= 1000:
            raise ValueError(f"{k} is not a count this reader takes")
        if unit in ("day", "week"):
            moved = dt.timedelta(days=k * (7 if unit == "week" else 1)) * sign
            start, end = anchor.start + moved, anchor.end + moved
        else:
            start = _back(anchor.start, unit, -k * sign)
            end = _back(anchor.end, unit, -k * sign)
        precision = "day" if anchor.precision == "day" and unit in ("day", "week") else (
            "interval")
        return FuzzyDate(*_days(start, end, precision))
    if isinstance(how, Next):  # "the next day", "the following week", "the same month"
        unit, step = how.unit, how.step
        if unit == "day":
            day = anchor.end + dt.timedelta(days=step) if step else anchor.start
            if step == 0 and anchor.start != anchor.end:
                raise ValueError("'the same day' of a date that is not one day")
            return FuzzyDate(*_days(day, day, "day"))
        if unit == "month":
            base = anchor.end if step else anchor.start
            index = base.year * 12 + base.month - 1 + step
            return FuzzyDate(*_month_span(index // 12, index % 12 + 1))
        if unit == "week":
            monday = anchor.end - dt.timedelta(days=anchor.end.weekday()) + dt.timedelta(
                weeks=step)
            return FuzzyDate(*_days(monday, monday + dt.timedelta(days=6), "week"))
        year = anchor.end.year + step
        return FuzzyDate(*_Span(f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31),
                                "year"))
    inner = how.date  # "the following Tuesday": the first one after the event
    if isinstance(inner, WeekdaySpec):
        ahead = (inner.weekday - anchor.end.weekday()) % 7 or 7
        day = anchor.end + dt.timedelta(days=ahead)
        return FuzzyDate(*_days(day, day, "day"))
    what = "month" if isinstance(inner, MonthSpec) else "day"
    raise ValueError(f"'{spec.phrase}' with a {what} is not read against another event")


def _back(day: dt.date, unit: str, k: int) -> dt.date:
    """`day` moved back `k` units: days and weeks exactly, months and years by the calendar
    (to the month's last day where it is shorter)."""
    if unit == "day":
        return day - dt.timedelta(days=k)
    if unit == "week":
        return day - dt.timedelta(weeks=k)
    months = k * (12 if unit == "year" else 1)
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, _last_day(year, month + 1)))


def _span(spec: Spec, ctx: _Context) -> _Span:
    """A date that must be closed: one end of two joined, or the date an opener opens."""
    if type(spec) not in (RelativeSpec, OpenSpec):
        return _closed(spec, ctx)
    resolved = _resolve(spec, ctx)
    if resolved.start is None or resolved.end is None:
        raise ValueError("an open date cannot be one end of another")
    return _Span(resolved.edtf, resolved.start, resolved.end, resolved.precision)


def _season(year: int, code: int) -> _Span:
    if code == c.SEASONS["winter"]:
        # The edtf package reads winter as December alone; write the months out instead.
        return _Span(f"{year:04d}-12/{year + 1:04d}-02", dt.date(year, 12, 1),
                     dt.date(year + 1, 2, _last_day(year + 1, 2)), "season")
    first = {21: 3, 22: 6, 23: 9}[code]
    return _Span(f"{year:04d}-{code}", dt.date(year, first, 1),
                 dt.date(year, first + 2, _last_day(year, first + 2)), "season")


def _relative(phrase: str, ref: dt.date) -> FuzzyDate:
    """A phrase of `conventions.RELATIVE_DATES` read against the reference day."""
    rule = c.RELATIVE_DATES[phrase].rule
    if rule == "coming":
        return FuzzyDate(f"{_iso(ref)}/..", ref, None, "open")
    return FuzzyDate(*_relative_span(rule, ref))


def _relative_span(rule: str, ref: dt.date) -> _Span:
    """A rule of `conventions.RELATIVE_DATES` that covers a closed span of days."""
    day = dt.timedelta(days=1)
    year = ref.year
    if rule in ("this_year", "last_year", "next_year"):
        y = year + {"this_year": 0, "last_year": -1, "next_year": 1}[rule]
        return _Span(f"{y:04d}", dt.date(y, 1, 1), dt.date(y, 12, 31), "year")
    if rule in ("last_month", "next_month", "year_end"):
        if rule == "year_end":
            return _month_span(year, 12)
        index = year * 12 + ref.month - 1 + (1 if rule == "next_month" else -1)
        return _month_span(index // 12, index % 12 + 1)
    monday = ref - dt.timedelta(days=ref.weekday())
    saturday = ref - dt.timedelta(days=(ref.weekday() - 5) % 7)
    sunday = saturday + day if saturday + day <= ref else saturday - 6 * day
    spans = {
        "today": (ref, ref, "day"), "yesterday": (ref - day, ref - day, "day"),
        "day_before_yesterday": (ref - 2 * day, ref - 2 * day, "day"),
        "this_week": (monday, ref, "week"), "last_week": (monday - 7 * day, monday - day, "week"),
        "past_week": (ref - 6 * day, ref, "week"),
        "next_week": (monday + 7 * day, monday + 13 * day, "week"),
        "weekend": (sunday - day, sunday, "week"),
        "this_month": (ref.replace(day=1), ref, "month"),
        "past_month": (ref - 29 * day, ref, "month"),
        "earlier_this_year": (dt.date(year, 1, 1), ref, "year"),
    }
    start, end, precision = spans[rule]
    if precision == "month" and start.day == 1 and end.day == _last_day(end.year, end.month) \
            and start.month == end.month:
        return _month_span(start.year, start.month)
    return _days(start, end, precision)


_PLAIN_EDTF = re.compile(r"\d{4}(-\d{2}){0,2}")  # a year, a month or a day


def _ends(span: _Span) -> tuple[str, str]:
    """The EDTF of a span's first and last part, for use as the ends of an interval."""
    parts = span.edtf.split("/")
    left, right = parts[0], parts[-1]
    if len(parts) == 1 and not _PLAIN_EDTF.fullmatch(left):
        left, right = _iso(span.start), _iso(span.end)  # seasons, quarters, decades, "1965~"
    return left, right


_YEARLESS = (DaySpec, MonthSpec, MonthPartSpec, SeasonSpec)  # the classes of `_Yearless`


def _yearless(spec: Spec) -> _Yearless | None:
    """`spec`, where it is a date that can take its year from another and has none."""
    if type(spec) in _YEARLESS:
        dated = cast(_Yearless, spec)
        return dated if dated.year is None else None
    return None


def _join(kind: Join, first_spec: Spec, second_spec: Spec, ctx: _Context) -> _Span:
    """Two dates joined: an interval ("1965-1973"), or a set of all ("May and June") or one
    ("May or June"). A date without a year takes the other's: 'from March to May 2024'. Where
    neither has a year and nothing gives the tense, the whole span is placed as one date is
    (`_by_tense`): 'from June to August' in a report of September is the summer before."""
    first_open, second_open = _yearless(first_spec), _yearless(second_spec)
    if (first_open is not None and second_open is not None and ctx.tense is None
            and ctx.reference is not None):
        past = _join(kind, first_spec, second_spec, ctx._replace(tense="past"))
        if past.start <= ctx.reference <= past.end:
            return past
        future = _join(kind, first_spec, second_spec, ctx._replace(tense="future"))
        return _by_tense(past, future, ctx, "dates with no year")
    if first_open is not None and second_open is None:
        second = _span(second_spec, ctx)
        year = second.start.year
        first = _span(first_open.with_year(Const(year)), ctx)
        if first.start > second.start:
            first = _span(first_open.with_year(Const(year - 1)), ctx)
    elif second_open is not None:
        first = _span(first_spec, ctx)
        year = first.start.year
        second = _span(second_open.with_year(Const(year)), ctx)
        if second.start < first.start:
            if second.start.month == first.start.month:
                raise ValueError("the dates run backwards")  # "between Oct. 10 and Oct. 1"
            second = _span(second_open.with_year(Const(year + 1)), ctx)
    else:
        first, second = _span(first_spec, ctx), _span(second_spec, ctx)
    if first.start > second.end or (kind != "interval" and first.start >= second.start):
        raise ValueError("the dates run backwards")
    if kind == "interval":
        return _Span(f"{_ends(first)[0]}/{_ends(second)[1]}", first.start, second.end, "interval")
    simple = all(_PLAIN_EDTF.fullmatch(s.edtf) for s in (first, second))
    if simple:
        brackets = "{}" if kind == "all" else "[]"
        edtf_text = f"{brackets[0]}{first.edtf},{second.edtf}{brackets[1]}"
    else:
        edtf_text = f"{_ends(first)[0]}/{_ends(second)[1]}"
    return _Span(edtf_text, first.start, second.end, "interval")


def _open(kind: str, span: _Span) -> FuzzyDate:
    left, right = _ends(span)
    if kind == "from":
        return FuzzyDate(f"{left}/..", span.start, None, "open")
    if kind == "until":
        return FuzzyDate(f"../{right}", None, span.end, "open")
    if kind == "before":
        end = span.start - dt.timedelta(days=1)
        return FuzzyDate(f"../{_iso(end)}", None, end, "open")
    start = span.end + dt.timedelta(days=1)
    return FuzzyDate(f"{_iso(start)}/..", start, None, "open")


# --- EDTF written as such ("2024-10-14/2024-10-31", "2024-1X") -----------------------------------

_EDTF_CHARS = re.compile(r"[0-9X~?%./\-{}\[\],u ]+")
_EDTF_QUALIFIERS = frozenset({"~", "?", "%"})  # approximate, uncertain, both


def _edtf(text: str) -> FuzzyDate:
    """Any other EDTF string, read by the `edtf` package (its debug printing silenced); its
    qualifiers ("~", "?", "%") are kept in the EDTF, and the days are its strict bounds."""
    import edtf

    if re.search(r"\s[~?%]|[~?%]\s", text):
        raise Refusal("an EDTF qualifier is written against the date it qualifies, with no space "
                      "('2025-01-23~')")

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            parsed = edtf.parse_edtf(text)
            lower, upper = parsed.lower_strict(), parsed.upper_strict()
            start, end = dt.date(*lower[:3]), dt.date(*upper[:3])
        except Exception as error:  # the edtf package raises several kinds of errors
            raise Refusal(f"not a valid EDTF date ({type(error).__name__})") from None
    if start > end:
        raise Refusal("the interval runs backwards")
    if start.year <= 1 or end.year >= 9999:
        return FuzzyDate(text, None if start.year <= 1 else start,
                         None if end.year >= 9999 else end, "open")
    plain = text.strip("~?%")  # "2025~", "2025-01?": a qualified year, month or day
    if plain != text and _PLAIN_EDTF.fullmatch(plain):
        return FuzzyDate(text, start, end, _PLAIN_PRECISION[len(plain)])
    return FuzzyDate(text, start, end, "interval" if start != end else "day")


_PLAIN_PRECISION = {4: "year", 7: "month", 10: "day"}


# --- whole phrases ----------------------------------------------------------------------------

def _grammar(key: str) -> Spec:
    """The spec of a whole phrase's shape, or `Refusal`."""
    t = of_shape(key)
    words = t.words
    n = len(words)
    while n and words[n - 1] in (".", ",", "-", ":", ")"):
        n -= 1
    if n == 0:
        raise Refusal("it is empty")
    qualifier = next((w for w in words[:n] if w in _EDTF_QUALIFIERS), None)
    if qualifier is not None:  # kept where the whole phrase is EDTF (`_edtf`), never dropped
        raise Refusal(f"the EDTF qualifier {qualifier!r} is read only in a date written wholly "
                      "as EDTF ('2025-01-23~'); in words, write 'about' or a range")
    i = 0
    while i < n and words[i] in ('"', "(", "'"):
        i += 1
    found = date_at(t, i)
    if found is None or found[1] < n:
        neutral = match_phrase(_NEUTRALS, words, i)
        if neutral is not None:
            again = date_at(t, neutral[0])
            if again is not None and again[1] >= n:
                return again[0]
        if found is not None and found[1] >= n:
            return found[0]
        clause = _in_clause(t, n, key)
        if clause is not None:
            spec, start, end = clause
            tense = tense_at(words[:n], start, end)
            return TensedSpec(tense, spec) if tense else spec
        if found is not None:
            raise Refusal(f"cannot read {words[found[1]]!r} after the date")
        if any(w in c.DURATION_UNITS for w in words[:n]):
            raise Refusal("a length of time is not a date")
        raise Refusal("no date form matches it")
    return found[0]


_LONGEST_CUE = max(len(tokens) for index in (_FUTURE, _PAST) for entries in index.values()
                   for tokens, _ in entries)


def _cues_at(words: list[str], i: int) -> list[tuple[str, int]]:
    """The cues that start at token `i`: (tense, the token after the cue)."""
    cues = []
    for tense, index in (("future", _FUTURE), ("past", _PAST)):
        found = match_phrase(index, words, i)
        if found is None and tense == "past" and _participle(words[i]):
            found = (i + 1, words[i])
        if found is None:
            continue
        if tense == "past" and i and words[i - 1] in _PASSIVE:
            continue  # "will be held", "is poised to": not a past
        if tense == "future" and i and (words[i - 1] in c.PAST_AUXILIARIES
                                        or words[i - 2:i] in (["had", "been"], ["has", "been"])):
            tense = EITHER  # "was due to", "had been planned for": a plan of the past
        cues.append((tense, found[0]))
    return cues


def tense_at(words: list[str], start: int, end: int) -> str | None:
    """Which way from the report the words around tokens `start` to `end` point: the tense of
    the cue (`conventions.FUTURE_CUES`, `PAST_CUES`) nearest to them, before or after; None where
    there is none, a cue of each kind lies equally near, or the nearest is a plan told in the
    past ("was due to": the date may be before or after the report). The words are read outward
    from the date, and no further than the nearest cue."""
    best: dict[str, int] = {}
    nearest = len(words) + 1
    for i in range(start - 1, -1, -1):  # before the date: the cue that ends nearest to it
        if start - (i + _LONGEST_CUE) > nearest:  # a cue from here ends no nearer than one found
            break
        for tense, stop in _cues_at(words, i):
            if stop <= start:
                distance = start - stop
                best[tense] = min(best.get(tense, distance), distance)
                nearest = min(nearest, distance)
    for i in range(end, len(words)):  # after it: the cue that starts nearest to it
        if i - end > nearest:
            break
        for tense, _stop in _cues_at(words, i):
            best[tense] = min(best.get(tense, i - end), i - end)
            nearest = min(nearest, i - end)
    if not best:
        return None
    closest = min(best.values())
    kinds = [tense for tense, distance in best.items() if distance == closest]
    return kinds[0] if len(kinds) == 1 else None


def _participle(word: str) -> bool:
    """A past form by its ending ("issued", "crossed"), where no table says otherwise."""
    return (len(word) > 3 and word.endswith(c.PAST_ENDING) and word not in c.FUTURE_CUES
            and word not in c.NOT_PAST_FORMS)


def _in_clause(t: Tokens, n: int, key: str) -> tuple[Spec, int, int] | None:
    """The one date inside a clause ("said on Thursday that"), when no word around it could
    change it; None otherwise. A month name that is also a verb ("may", "march") is a month
    only where it is written with a capital."""
    words = t.words
    found: list[tuple[Spec, int, int]] = []
    i = 0
    while i < n:
        verb = words[i] in c.MONTHS_THAT_ARE_VERBS and key[t.starts[i]].islower()
        at = None if verb else date_at(t, i)
        if at is not None and type(at[0]) is SeasonSpec and at[0].year is None and \
                at[1] < n and words[at[1]].isalpha() and words[at[1]] not in _AFTER_A_SEASON:
            at = None  # "the winter drills": a season naming a thing, not a date
        if at is not None and at[1] <= n:
            found.append((at[0], i, at[1]))
            i = at[1]
        else:
            designation = (i >= 2 and t.glued[i] and words[i - 1] == "-" and t.glued[i - 1]
                           and words[i - 2].isalpha())  # "KN-23": a name, not a number
            if words[i][0] == "#" and not designation:
                return None  # a number that is not part of a date
            i += 1
    if len(found) != 1:
        return None
    spec, start, end = found[0]
    before = words[start - 1] if start else ""
    after = words[end] if end < n else ""
    # "late in 2023", "the week of Oct. 14", "the latter part of October": a word that makes the
    # date part of another, next to it or across one preposition; not a verb ("to start in").
    across = words[start - 2] if start >= 2 and before in _ACROSS else ""
    if (before in _NOT_A_DATE and not (start >= 2 and words[start - 2] in _BEFORE_A_VERB)
            or across in _NOT_A_DATE and not (start >= 3 and words[start - 3] in _BEFORE_A_VERB)):
        return None
    if after in _NOT_A_DATE or after in c.DURATION_UNITS:
        return None
    if any(w in ("ago", "before", "after", "until", "since", "later", "earlier")
           for w in words[:start] + words[end:n]):
        return None  # the date may be of another event than the clause's
    return spec, start, end


_ACROSS = c.ACROSS
_AFTER_A_DAY = c.AFTER_A_DAY
_AFTER_A_SEASON = c.AFTER_A_SEASON
_BEFORE_A_VERB = c.BEFORE_A_VERB


_CACHE_LIMIT = 1 << 18


_spec = ShapeCache(_grammar, _CACHE_LIMIT)


def resolve(spec: Spec, numbers: list[str], reference: dt.date | None,
            tense: str | None = None) -> FuzzyDate:
    """A spec applied to its numbers, reference and tense; ValueError for impossible dates and
    for ambiguous ones."""
    if type(spec) is DaySpec and type(spec.year) is Slot:  # the commonest form, a day
        day = _written_day(spec.year, spec.month, spec.day, numbers)  # with its year: no
        return FuzzyDate(day.isoformat(), day, day, "day")  # rolling, no reference
    if type(spec) is MonthSpec and type(spec.month) is Const and (
            type(spec.year) is Slot or type(spec.year) is Const):
        year, month = _number(spec.year, numbers), spec.month.n
        if 1 <= year <= 9999 and 1 <= month <= 12:
            return FuzzyDate(*_month_span(year, month))
    if type(spec) is YearSpec and type(spec.year) is Slot:
        year = int(numbers[spec.year.k])
        if not 1 <= year <= 9999:
            raise ValueError(f"there is no year {year:04d} in the calendar used here")
        return FuzzyDate(f"{year:04d}", dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
    return _resolve(spec, _Context(numbers, reference, tense))


def _written_day(year: Slot, month: Number, day: Number, numbers: list[str]) -> dt.date:
    """The day of a `DaySpec` whose year is written (as `_r_day` reads it, without rolling)."""
    y = int(numbers[year.k])
    m = month.n if type(month) is Const else int(numbers[month.k])
    d = day.n if type(day) is Const else int(numbers[day.k])
    if not 1 <= y <= 9999:
        raise ValueError(f"there is no year {y:04d} in the calendar used here")
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise ValueError(f"no such day ({y:04d}-{m:02d}-{d:02d})") from None


def _widen(results: list[FuzzyDate]) -> FuzzyDate:
    """One date covering every result (they come from every possible reference day)."""
    first = results[0]
    if all(r == first for r in results):
        return first
    starts = [r.start for r in results]
    ends = [r.end for r in results]
    start = None if None in starts else min(s for s in starts if s)
    end = None if None in ends else max(e for e in ends if e)
    edtf_text = f"{_iso(start) if start else '..'}/{_iso(end) if end else '..'}"
    precision = "open" if start is None or end is None else "interval"
    return FuzzyDate(edtf_text, start, end, precision)


def _references(reference: object) -> tuple[dt.date | None, ...]:
    if reference is None:
        return (None,)
    if isinstance(reference, FuzzyDate):
        if reference.start is None or reference.end is None:
            raise DateError(reference.edtf, "an open-ended reference date cannot anchor a phrase")
        return (reference.start, reference.end) if reference.start != reference.end else (
            reference.start,)
    if isinstance(reference, dt.datetime):
        return (reference.date(),)
    if isinstance(reference, dt.date):
        return (reference,)
    if (isinstance(reference, tuple) and len(reference) in (1, 2)
            and all(isinstance(day, dt.date) and not isinstance(day, dt.datetime)
                    for day in reference)):
        return tuple(reference)
    raise TypeError("reference must be a date, a FuzzyDate or a (start, end) tuple of dates, "
                    f"not {reference!r}")


def _read(text: str, references: tuple[dt.date | None, ...], tense: str | None,
          ) -> FuzzyDate | str:
    if len(text) > MAX_PHRASE:
        return f"longer than {MAX_PHRASE} characters; a date phrase is short"
    key, numbers = shape(text)
    spec = _spec(key)
    if isinstance(spec, str):
        stripped = text.strip()
        if _EDTF_CHARS.fullmatch(stripped) and any(ch.isdigit() for ch in stripped):
            try:
                return _edtf(stripped)
            except Refusal as refusal:
                return refusal.why
        return spec
    try:
        if len(references) == 1:
            return resolve(spec, numbers, references[0], tense)
        return _widen([resolve(spec, numbers, ref, tense) for ref in references])
    except (ValueError, OverflowError) as error:
        return str(error)


def parse_date(text: str, reference: object = None, tense: str | None = None) -> FuzzyDate:
    """Read a date as written in a report; raises `DateError` saying why it cannot.

    `reference` is the publication date of the text that says it: a date, a `FuzzyDate` or a
    ``(first, last)`` tuple where it is only bounded. `tense` ("past" or "future") says which
    way from the reference a date with no year (or a weekday) lies, where the phrase's own verb
    does not (`tense_at`); with neither, such a date is refused as ambiguous unless its span
    holds the reference day.

    >>> parse_date("on Tuesday", dt.date(2024, 10, 17), tense="past").start
    datetime.date(2024, 10, 15)
    >>> parse_date("he will travel to Moscow on Tuesday", dt.date(2024, 10, 17)).start
    datetime.date(2024, 10, 22)
    """
    if not isinstance(text, str):
        raise DateError(repr(text)[:80], "a date must be text")
    if tense is not None and tense not in TENSES:
        raise ValueError(f"tense must be one of {TENSES} or None, not {tense!r}")
    # a plain date is by far the most common reference: skip the general conversion
    references = (reference,) if type(reference) is dt.date else _references(reference)
    result = _read(text, references, tense)  # the grammar is cached by shape (`_spec`)
    if isinstance(result, str):
        raise DateError(text[:MAX_PHRASE], result)
    return result


def clear_caches() -> None:
    """Forget every cached reading (for benchmarks that must measure real work)."""
    _spec.clear()
