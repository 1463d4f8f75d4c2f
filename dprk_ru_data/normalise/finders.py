"""Find every figure and date in a whole text, with offsets, readings and span hashes.

The text is tokenised once (`tokens.of_text`); at each token that can start a date or a figure the
readers' own grammar takes the longest phrase it can read from there, and the scan skips past it,
so mentions never overlap and the cost is linear in the text. Dates are found first: a number that
is part of a date ("October 14", "in 2023") is not also reported as a figure.

A curator turning an article into rows starts from these located, parsed candidates; the offsets
and hashes are those that `raw/evidence.csv` records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from ..digest import sha256_hex
from . import conventions as c
from . import dates as d
from . import figures as f
from .tokens import Tokens, of_shape, of_text, value


class Mention(NamedTuple):
    """A figure or date found in a text: where it is, what it says and what it reads as."""

    start: int
    end: int
    text: str
    sha256: str
    kind: str  # "figure" or "date"
    value: f.Figure | d.FuzzyDate | None  # None: a relative date with no reference to read it


def _first_words(*tables: object) -> set[str]:
    """The first token of every phrase of the tables: the tokens a phrase can start with."""
    return {of_shape(str(phrase)).words[0] for table in tables for phrase in table}  # type: ignore[attr-defined]


_DATE_STARTS = (set(d._MONTHS) | set(d._WEEKDAYS) | set(c.SEASONS) | set(d._ORDINALS)
                | _first_words(c.RELATIVE_DATES, c.DATE_OPENERS, c.MONTH_PARTS, c.YEAR_PARTS)
                | {"last", "next", "this", "past", "the", "between",
                                                  "q", "year", ".", "around", "about", "circa",
                                                  "c", "ca", "mid", "#1", "#2", "#4"})
_FIGURE_STARTS = (_first_words(c.APPROXIMATIONS, c.INCREMENTS_BEFORE, c.VAGUE_QUANTITIES,
                               c.VAGUE_MULTIPLIERS, c.SHARE_WORDS, c.CURRENCY_SYMBOLS)
                  | set(f._UNITS) | set(f._TENS) | {"between", "a", "half", "~", "$", "€", "£",
                                                    "₩", "₽", "¥", "₴", "us"}
                  | set(f._NUMERAL))
# Words after which a number is a reference, not a quantity ("Resolution 2397", "Article 4").
_REFERENCE_WORDS = {"article", "articles", "resolution", "resolutions", "order", "no", "nos",
                    "number", "section", "paragraph", "chapter", "page", "clause", "item",
                    "decree", "law", "bill", "code", "res", "s", "route", "flight", "room",
                    "tranche", "package", "phase", "level", "grade", "category", "type", "model",
                    "version", "line", "unit", "block", "hwasong", "kn", "su", "mig", "t"}
# Readings too vague to be worth a curator's attention in running text ("many officials").
_TOO_VAGUE = {(2, None)}
# Words before a bare four-digit number that make it a year.
_YEAR_BEFORE = {"in", "since", "from", "by", "of", "until", "till", "before", "after", "during",
                "between", "and", "to", "early", "mid", "late", ",", "(", "the", "year", "-",
                "through", "throughout", "around", "circa", "c", "'s", "summer", "winter",
                "spring", "autumn", "fall", "as"}


def _mention(text: str, t: Tokens, i: int, end: int, kind: str,
             reading: f.Figure | d.FuzzyDate | None) -> Mention:
    start, stop = t.starts[i], t.ends[end - 1]
    span = text[start:stop]
    return Mention(start, stop, span, sha256_hex(span), kind, reading)


def _bare_year(t: Tokens, numbers: list[str], i: int, end: int) -> bool:
    """Whether a lone four-digit number reads as a year here (and not as "2000 troops")."""
    year = int(value(numbers[t.slots[i]]))
    if not 1800 <= year <= 2100:
        return False
    before = t.words[i - 1] if i else ""
    if before in _YEAR_BEFORE or before in d._MONTHS:
        return True
    after = t.words[end] if end < len(t.words) else ""
    return not after or not after[0].isalpha() or after in ("and", "to", "when", "as", "the",
                                                            "that", "was", "saw", "marked")


_At = TypeVar("_At")


def _read_at(reader: Callable[[Tokens, int], _At | None], t: Tokens, i: int) -> _At | None:
    """What `reader` reads from word `i`, or None, also where the grammar slips."""
    try:
        return reader(t, i)
    except (IndexError, KeyError, ValueError):  # pragma: no cover - a grammar slip
        return None


def _scan_dates(text: str, t: Tokens, numbers: list[str], references: tuple[dt.date | None, ...],
                ) -> list[tuple[int, int, d.FuzzyDate | None]]:
    found: list[tuple[int, int, d.FuzzyDate | None]] = []
    words, n, i = t.words, len(t.words), 0
    while i < n:
        if words[i] not in _DATE_STARTS:
            i += 1
            continue
        at = _read_at(d.date_at, t, i)
        if at is None:
            i += 1
            continue
        spec, end = at
        if spec[0] == "year" and spec[1][0] == "slot" and not _bare_year(t, numbers, i, end):
            i += 1
            continue
        try:
            reading: d.FuzzyDate | None = d._widen([d.resolve(spec, numbers, ref)
                                                    for ref in references])
        except ValueError as error:
            if "reference" not in str(error):
                i += 1
                continue
            reading = None
        except (OverflowError, TypeError):
            i += 1
            continue
        found.append((i, end, reading))
        i = end
    return found


def find_dates(text: str, reference: object = None) -> list[Mention]:
    """Every date in `text`, in document order, read against `reference` (the publication date).

    A relative date ("on Tuesday") found with no reference has value None.

    >>> [m.text for m in find_dates("Talks began on Monday, 14 October 2024, in Seoul.")]
    ['Monday, 14 October 2024']
    """
    t, numbers = of_text(text)
    return [_mention(text, t, i, end, "date", reading)
            for i, end, reading in _scan_dates(text, t, numbers, d._references(reference))]


def _designation(t: Tokens, numbers: list[str], i: int, end: int) -> bool:
    """Whether the number at `i` is part of a name or a measure ("KN-23", "155mm", "24-19")."""
    words, glued = t.words, t.glued
    n = len(words)
    if end < n and glued[end] and (words[end][0].isalnum() or words[end][0] == "#"):
        return True  # "9M723": the figure runs into more letters or digits
    for k in range(i, end):
        if not f._is_number(words[k]):
            continue
        number = numbers[t.slots[k]]
        if k == i and len(number) > 1 and number[0] == "0" and number[1].isdigit():
            return True  # "0143": part of a telephone or reference number
        if k == i and k > 0 and glued[k] and words[k - 1] in ("-", "/", "#", "+", ".", ":") and (
                k < 2 or glued[k - 1] or words[k - 1] == "+"):
            return True
        if k == i and k > 0 and f._is_number(words[k - 1]):
            return True  # "+82 2 555 0174": a run of numbers is not a figure
        if k == i and k + 1 < n and f._is_number(words[k + 1]) and not glued[k + 1]:
            return True
        if k > 0 and glued[k] and words[k - 1][0].isalpha():
            return True
        nxt = k + 1
        if nxt < len(words) and glued[nxt] and (
                (words[nxt][0].isalpha() and words[nxt] not in c.SCALE_SUFFIXES)
                or words[nxt] in ("/", ":") or (words[nxt] == "-" and nxt + 1 < len(words)
                                                and f._is_number(words[nxt + 1])
                                                and glued[nxt + 1] and nxt + 1 >= end)):
            return True
    if i > 0 and words[i - 1] in _REFERENCE_WORDS and f._is_number(words[i]):
        return True
    if i > 1 and words[i - 1] == "." and words[i - 2] in _REFERENCE_WORDS:
        return True  # "S. 4821", "S.Res. 887"
    return False



def find_figures(text: str) -> list[Mention]:
    """Every figure in `text`, in document order, with its reading; numbers inside dates,
    designations ("KN-23", "155mm") and references ("Resolution 2397") are left out.

    >>> [(m.text, m.value.best) for m in find_figures("Seoul says about 3,000 troops left on 14 October.")]
    [('about 3,000', 3000)]
    """
    t, numbers = of_text(text)
    in_date = bytearray(len(t.words))
    for i, end, _ in _scan_dates(text, t, numbers, (None,)):
        in_date[i:end] = b"\x01" * (end - i)
    mentions: list[Mention] = []
    words, n, i = t.words, len(t.words), 0
    while i < n:
        if in_date[i] or words[i] not in _FIGURE_STARTS:
            i += 1
            continue
        at = _read_at(f.figure_at, t, i)
        if at is None or any(in_date[i:at[1]]) or _designation(t, numbers, i, at[1]):
            i += 1
            continue
        reading, end = at
        if (reading.vague in _TOO_VAGUE or words[i] in ("one", "all")
                and end == i + 1):
            i = end
            continue
        try:
            figure = f.evaluate(reading, numbers)
        except (ValueError, OverflowError, ZeroDivisionError):
            i += 1
            continue
        span_end = end - 1 if words[end - 1] == "of" else end  # "a handful of": not the "of"
        mentions.append(_mention(text, t, i, span_end, "figure", figure))
        i = end
    return mentions
