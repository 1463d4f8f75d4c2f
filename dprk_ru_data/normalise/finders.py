"""Find every figure and date in a whole text, with offsets, readings and span hashes.

The text is tokenised once, window by window (`tokens.windows`); at each token that can start a
date or a figure the readers' own grammar takes the longest phrase it can read from there, and the
scan skips past it, so mentions never overlap and the cost is linear in the text. What the finders
hold at once is one window of tokens and the mentions found: `iter_figures` and `iter_dates` give
the mentions one at a time. Dates are found first: a number that is part of a date ("October 14",
"in 2023") is not also reported as a figure.

The finders never raise on a text: a form the grammar or its arithmetic slips on, a number beyond
what a reader takes (more than 15 digits, a value beyond a 64-bit column) or a phrase longer than
`tokens.MAX_PHRASE` characters is not reported, as the readers refuse it.

A curator turning an article into rows starts from these located, parsed candidates; the offsets
and hashes are those that `raw/evidence.csv` records.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterator
from typing import NamedTuple, TypeVar

from ..digest import sha256_hex
from . import conventions as c
from . import dates as d
from . import figures as f
from . import tokens
from .errors import Refusal
from .tokens import MAX_PHRASE, Tokens, Window, windows


class Mention(NamedTuple):
    """A figure or date found in a text: where it is, what it says and what it reads as."""

    start: int
    end: int
    text: str
    sha256: str
    kind: str  # "figure" or "date"
    value: f.Figure | d.FuzzyDate | None  # None: a date that cannot be read here (see `note`)
    note: str | None = None  # why a date has no value; or the tense its sentence gave it


_DATE_STARTS = d.DATE_STARTS  # derived from the date rules (`dates.RULES`)
_FIGURE_STARTS = f.FIGURE_STARTS  # derived from the figure rules (`figures.RULES`)
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
             reading: f.Figure | d.FuzzyDate | None, note: str | None = None) -> Mention:
    start, stop = t.starts[i], t.ends[end - 1]
    span = text[start:stop]
    return Mention(start, stop, span, sha256_hex(span), kind, reading, note)


SENTENCE = 40  # tokens either side of a date that its sentence is looked for in
_STOPS = {".", "!", "?", ";"}
_CLAUSE_STOPS = {"(", ")", "\u2014", "\u2013", ":"}  # a dateline's, an aside's bounds


def _sentence(t: Tokens, i: int, end: int) -> tuple[int, int]:
    """The tokens of the sentence around tokens `i` to `end` (at most `SENTENCE` either side):
    from after the last full stop before it to the first after it. A stop right after a short
    word ("Oct.", "U.S.") is an abbreviation's, not a sentence's."""
    words = t.words

    def stop(k: int) -> bool:
        if words[k] in _CLAUSE_STOPS:
            return True
        if words[k] == "-":  # a dash set apart by spaces ("June 17 (Agency) - North Korea")
            return not t.glued[k] and not (k + 1 < len(words) and t.glued[k + 1])
        return words[k] in _STOPS and not (words[k] == "." and k and len(words[k - 1]) <= 3
                                           and words[k - 1].isalpha())
    first = i
    while first > max(0, i - SENTENCE) and not stop(first - 1):
        first -= 1
    last = end
    while last < min(len(words), end + SENTENCE) and not stop(last):
        last += 1
    return first, last


def _too_long(t: Tokens, i: int, end: int) -> bool:
    """Whether a phrase runs over more characters than a reader takes (a run of spaces inside):
    the finders report only what the readers would read."""
    return t.ends[end - 1] - t.starts[i] > MAX_PHRASE


def _bare_year(t: Tokens, numbers: list[str], slot: int, i: int, end: int) -> bool:
    """Whether a lone four-digit number (number `slot`, its phrase tokens `i` to `end`) reads as
    a year here (and not as "2000 troops")."""
    year = int(numbers[slot])  # the date grammar takes only plain four-digit numbers as years
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
    except _SLIPS:  # pragma: no cover - a grammar slip
        return None


# What a slip of the grammar or of the arithmetic can raise on a form nobody foresaw: the finder
# then reads nothing at that token, as the readers refuse the form (`tokens.ShapeCache`).
_SLIPS = (IndexError, KeyError, ValueError, TypeError, OverflowError, ZeroDivisionError,
          RecursionError, Refusal)


class Anchor(NamedTuple):
    """The last date read with a value: where it ends (a token of the whole text), where it
    is in the text, and its reading; a date relative to another event is read against it."""

    token: int
    start: int
    end: int
    value: d.FuzzyDate


ANCHOR_TOKENS = 60  # how far back a date relative to another event looks for that event's date


def _anchored(spec: d.EventRelativeSpec, numbers: list[str], anchor: Anchor | None, i: int,
              offset: int, text: str) -> tuple[d.FuzzyDate | None, str]:
    """A date relative to another event, read against the nearest earlier date (within
    `ANCHOR_TOKENS`), with a note saying so, or why it could not be."""
    if anchor is None or offset + i - anchor.token > ANCHOR_TOKENS:
        return None, (f"relative to another event ('{spec.phrase}'): no date of it found just "
                      "before; find the event's date and work it out")
    try:
        value = d.relative_to(spec, numbers, anchor.value)
    except (ValueError, OverflowError) as error:
        return None, f"relative to another event ('{spec.phrase}'): {error}"
    return value, (f"derived: '{spec.phrase}' read against the date at {anchor.start}:{anchor.end} "
                   f"({text[anchor.start:anchor.end]!r}); check that it is that event's")


def _tensed_reading(t: Tokens, spec: d.Spec, numbers: list[str],
                    references: tuple[dt.date | None, ...], i: int, end: int,
                    ) -> tuple[d.FuzzyDate, str | None]:
    """The reading of the date at tokens `i` to `end`; where it depends on the tense (a date
    with no year, a weekday), the tense of its sentence decides, and the note says which."""
    def read(tense: str | None) -> d.FuzzyDate:
        if len(references) == 1:
            return d.resolve(spec, numbers, references[0], tense)
        return d._widen([d.resolve(spec, numbers, ref, tense) for ref in references])
    try:
        past = read("past")
        if past == read("future"):
            return past, None  # the tense does not matter: its sentence is not read
    except ValueError as error:
        if "reference" in str(error):
            raise  # no reference to read it against: no tense can help
    
    first, last = _sentence(t, i, end)
    tense = d.tense_at(t.words[first:last], i - first, end - first)
    if tense in d.TENSES:
        return read(tense), f"tense: {tense}"
    return read(tense), None  # none (the nearer occurrence, or ambiguous), or a plan of the past


def _scan_dates(t: Tokens, numbers: list[str], references: tuple[dt.date | None, ...],
                i: int, stop: int, offset: int = 0, anchor: Anchor | None = None,
                text: str = "",
                ) -> tuple[list[tuple[int, int, d.FuzzyDate | None, str | None]], int,
                           Anchor | None]:
    """The dates that start at tokens `i` to `stop`, each the longest from where the last one
    ended: (start, end, reading, note) by token index, the token the scan goes on from, and
    the last date read (to anchor a date relative to another event; `offset` is the window's
    first token in the whole text, `text` the text its offsets are in)."""
    found: list[tuple[int, int, d.FuzzyDate | None, str | None]] = []
    words = t.words
    while i < stop:
        if words[i] not in _DATE_STARTS or (  # "a", "two": a date only before a unit of time
                words[i] in c.DATE_COUNTS and not (i + 1 < len(words)
                                                   and words[i + 1] in c.DATE_UNITS)):
            i += 1
            continue
        at = _read_at(d.date_at, t, i)
        if at is None or _too_long(t, i, at[1]):
            i += 1
            continue
        spec, end = at
        if type(spec) is d.YearSpec and type(spec.year) is d.Slot and not _bare_year(
                t, numbers, spec.year.k, i, end):
            i += 1
            continue
        if type(spec) is d.EventRelativeSpec:
            derived, why = _anchored(spec, numbers, anchor, i, offset, text)
            found.append((i, end, derived, why))
            i = end
            continue
        try:
            reading, note = _tensed_reading(t, spec, numbers, references, i, end)
        except ValueError as error:
            if not any(why in str(error) for why in ("reference", "ambiguous", "another event")):
                i += 1
                continue
            reading, note = None, str(error)
        except _SLIPS:
            i += 1
            continue
        found.append((i, end, reading, note))
        if reading is not None and reading.start is not None and reading.end is not None:
            anchor = Anchor(offset + end, t.starts[i], t.ends[end - 1], reading)
        i = end
    return found, i, anchor


class _DateScan:
    """The scan for dates, window after window: it goes on from where the last window left it."""

    def __init__(self, text: str, references: tuple[dt.date | None, ...]):
        self.text, self.references, self.resume = text, references, 0
        self.anchor: Anchor | None = None

    def __call__(self, w: Window) -> list[Mention]:
        found, i, self.anchor = _scan_dates(
            w.tokens, w.numbers, self.references, max(self.resume - w.offset, w.start), w.stop,
            w.offset, self.anchor, self.text)
        self.resume = w.offset + i
        return [_mention(self.text, w.tokens, start, end, "date", reading, note)
                for start, end, reading, note in found]


def iter_dates(text: str, reference: object = None) -> Iterator[Mention]:
    """`find_dates`, one mention at a time, holding one window of the text's tokens at once.

    The reference is checked before any mention is given (`DateError`, `TypeError`).
    """
    scan = _DateScan(text, d._references(reference))
    return (mention for w in windows(text) for mention in scan(w))


def find_dates(text: str, reference: object = None) -> list[Mention]:
    """Every date in `text`, in document order, read against `reference` (the publication date).

    A relative date ("on Tuesday") found with no reference has value None, and so has a date
    whose year its sentence leaves open either way (`dates.tense_at`); `note` says why, or
    which tense the sentence gave a date.

    >>> [m.text for m in find_dates("Talks began on Monday, 14 October 2024, in Seoul.")]
    ['Monday, 14 October 2024']
    """
    return list(iter_dates(text, reference))


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



def _scan_figures(text: str, t: Tokens, numbers: list[str], in_date: bytearray, i: int,
                  stop: int) -> tuple[list[Mention], int]:
    """The figures that start at tokens `i` to `stop` outside dates, each the longest from where
    the last one ended, and the token the scan goes on from."""
    mentions: list[Mention] = []
    words = t.words
    while i < stop:
        if in_date[i] or words[i] not in _FIGURE_STARTS:
            i += 1
            continue
        at = _read_at(f.figure_at, t, i)
        if (at is None or _too_long(t, i, at[1]) or any(in_date[i:at[1]])
                or _designation(t, numbers, i, at[1])):
            i += 1
            continue
        reading, end = at
        if (reading.vague in _TOO_VAGUE or words[i] in ("one", "all")
                and end == i + 1):
            i = end
            continue
        try:
            figure = f.evaluate(reading, numbers)
        except _SLIPS:
            i += 1
            continue
        span_end = end - 1 if words[end - 1] == "of" else end  # "a handful of": not the "of"
        mentions.append(_mention(text, t, i, span_end, "figure", figure))
        i = end
    return mentions, i


class _FigureScan:
    """The scan for figures, window after window. Within each window it first scans for dates
    half the context past the window's end: further than any figure reaches, so every date a
    figure could run into is known, and leaving the date readers the other half to look ahead."""

    def __init__(self, text: str):
        self.text = text
        self.ahead = tokens.CONTEXT_TOKENS // 2
        self.dates: deque[tuple[int, int]] = deque()  # dates ahead, by token of the whole text
        self.resume = self.dates_resume = 0

    def __call__(self, w: Window) -> list[Mention]:
        t, offset = w.tokens, w.offset
        n = len(t.words)
        found, i, _ = _scan_dates(t, w.numbers, (None,), max(self.dates_resume - offset, w.start),
                                  n if w.last else min(n, w.stop + self.ahead))
        self.dates_resume = offset + i
        dates = self.dates
        dates.extend((offset + start, offset + end) for start, end, _, _ in found)
        while dates and dates[0][1] <= offset:
            dates.popleft()
        in_date = bytearray(n)
        for start, end in dates:
            first, last = max(start - offset, 0), min(end - offset, n)
            if first >= n:
                break
            in_date[first:last] = b"\x01" * (last - first)
        mentions, i = _scan_figures(self.text, t, w.numbers, in_date,
                                    max(self.resume - offset, w.start), w.stop)
        self.resume = offset + i
        return mentions


def iter_figures(text: str) -> Iterator[Mention]:
    """`find_figures`, one mention at a time, holding one window of the text's tokens at once."""
    scan = _FigureScan(text)
    return (mention for w in windows(text) for mention in scan(w))


def iter_mentions(text: str, reference: object = None) -> Iterator[Mention]:
    """The figures and the dates of `text` together, in order of (start, end), a figure first
    where a figure and a date have both alike: what sorting `find_figures` and `find_dates`
    together gives, with the text's tokens read once. The reference is checked first."""
    dates, figures = _DateScan(text, d._references(reference)), _FigureScan(text)
    # A window's mentions all start before the next window's: they can be ordered window by window.
    return (mention for w in windows(text)
            for mention in sorted(figures(w) + dates(w), key=_order))


def _order(mention: Mention) -> tuple[int, int]:
    return mention.start, mention.end


def find_figures(text: str) -> list[Mention]:
    """Every figure in `text`, in document order, with its reading; numbers inside dates,
    designations ("KN-23", "155mm") and references ("Resolution 2397") are left out.

    >>> [(m.text, m.value.best) for m in find_figures("Seoul says about 3,000 troops left on 14 October.")]
    [('about 3,000', 3000)]
    """
    return list(iter_figures(text))
