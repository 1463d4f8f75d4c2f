"""Read a figure as written in a report ("up to 3,000 troops", "several thousand", "about half").

`parse_figure` is a pure function: the same text always gives the same `Figure`, and a text it
cannot read raises `FigureError` quoting it. The vague words it knows and the numbers they map to
are the tables in `conventions.py` (rendered in docs/conventions.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Iterable
from functools import lru_cache

from .errors import NormaliseError
from .conventions import APPROXIMATIONS, SHARE_WORDS, VAGUE_MULTIPLIERS, VAGUE_QUANTITIES

Number = int | float


class FigureError(NormaliseError):
    """A figure text that this package cannot read; the message quotes it and says why."""

    what = "figure"


@dataclass(frozen=True)
class Figure:
    """A figure read from text: bounds, best value, how it was qualified and what it counts.

    `kind` is ``count`` (integers) or ``fraction`` (floats between 0 and 1). `best` is None where
    the text states no single value; `low`/`high` are None where unbounded.
    """

    low: Number | None
    best: Number | None
    high: Number | None
    qualifier: str
    kind: str
    counted: str | None = None


_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
_SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
_WORD = r"(?:" + "|".join(sorted([*_UNITS, *_TENS, "a", "hundred", "dozen"], key=len,
                                  reverse=True)) + r")"
_DIGITS = re.compile(r"(?P<int>\d{1,3}(?:(?:,|\s)\d{3})+(?!\d)|\d+)(?P<dec>\.\d+)?", re.I)
_SCALE = re.compile(r"(?:\s*-?\s*(?P<word>thousand|million|billion)\b|(?P<suffix>k|mn|m|bn)\b)",
                    re.I)
_PERCENT = re.compile(r"\s*(?:%|per\s?cent\b|percent\b)", re.I)
_WORDS = re.compile(rf"{_WORD}(?:[\s-]+(?:and\s+)?{_WORD})*\b", re.I)
_OUT_OF = re.compile(r"\s+(?:out\s+)?of\s+", re.I)


def _clean(text: str) -> str:
    text = text.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def _words_value(words: str) -> int | None:
    """The value of number words ("one hundred", "twenty-five", "a dozen"), or None."""
    total, current, seen = 0, 0, False
    tokens = [t for t in re.split(r"[\s-]+", words.lower()) if t and t != "and"]
    for i, token in enumerate(tokens):
        if token == "a":
            if i + 1 >= len(tokens) or tokens[i + 1] not in ("hundred", "dozen", "thousand",
                                                              "million"):
                return None
            current = 1
        elif token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token == "hundred":
            current = (current or 1) * 100
        elif token == "dozen":
            current = (current or 1) * 12
        else:  # pragma: no cover - the regex admits only the words above
            return None
        seen = True
    return total + current if seen else None


@dataclass(frozen=True)
class _Read:
    value: Number
    end: int
    scaled: bool
    percent: bool


def _read_number(s: str, pos: int) -> _Read | None:
    """A number starting at `pos`: digits or words, with an optional scale and percent sign."""
    match = _DIGITS.match(s, pos)
    if match:
        digits = re.sub(r"[,\s]", "", match["int"])
        value: Number = float(digits + match["dec"]) if match["dec"] else int(digits)
        end = match.end()
    else:
        match = _WORDS.match(s, pos)
        if not match:
            return None
        words_value = _words_value(match.group(0))
        if words_value is None:
            return None
        value, end = words_value, match.end()
    scaled = False
    scale = _SCALE.match(s, end)
    if scale:
        factor = _SCALES[(scale["word"] or scale["suffix"]).lower()]
        value, end, scaled = value * factor, scale.end(), True
    percent = _PERCENT.match(s, end)
    if percent and not scaled:
        return _Read(value / 100, percent.end(), False, True)
    if isinstance(value, float):
        if not value.is_integer():
            return None if not scaled else _Read(round(value), end, True, False)
        value = int(value)
    return _Read(int(round(value)), end, scaled, False)


def _counted(text: str, s: str, pos: int) -> str | None:
    rest = s[pos:].strip()
    if not rest:
        return None
    rest = re.sub(r"^of\s+", "", rest, flags=re.I)
    if not re.match(r"^[^\W\d_][\w'’.\-]*(?:[\s,/-]+[\w'’.()\-]+)*$", rest):
        raise FigureError(text, f"cannot read what follows the number: {rest!r}")
    if re.search(r"\d", rest):
        raise FigureError(text, f"a second number follows the first: {rest!r}")
    return rest


def _bound(value: Number, factor: float | None, kind: str) -> Number | None:
    if factor is None:
        return None
    if kind == "fraction":
        return min(1.0, value * factor)
    return int(round(value * factor))


def _share_word(s: str, pos: int) -> tuple[float, int] | None:
    for words in sorted(SHARE_WORDS, key=len, reverse=True):
        if re.match(rf"{re.escape(words)}\b", s[pos:], re.I):
            return SHARE_WORDS[words], pos + len(words)
    return None


def _single(text: str, s: str, pos: int) -> tuple[Number, str, int, bool]:
    """One quantity at `pos`: (value, kind, end, scaled). Shares in words count as fractions."""
    share = _share_word(s, pos)
    if share:
        return share[0], "fraction", share[1], False
    read = _read_number(s, pos)
    if read is None:
        if _DIGITS.match(s, pos):
            raise FigureError(text, "a count with a decimal part needs a scale word ('1.4 million')")
        raise FigureError(text, "no number where one was expected")
    end = read.end
    if not read.percent:
        out_of = _OUT_OF.match(s, end)
        if out_of:
            whole = _read_number(s, out_of.end())
            if whole is None or whole.percent or whole.value == 0 or whole.value < read.value:
                raise FigureError(text, "'out of' needs a whole at least as large as the part")
            return read.value / whole.value, "fraction", whole.end, False
    return read.value, "fraction" if read.percent else "count", end, read.scaled


def _range(text: str, s: str, pos: int, low: Number, low_kind: str, low_scaled: bool,
           ) -> Figure | None:
    joiner = re.compile(r"\s*(?:-|to|and)\s*", re.I).match(s, pos)
    if not joiner:
        return None
    high, kind, end, scaled = _single(text, s, joiner.end())
    if kind != low_kind:
        if low_kind == "count" and kind == "fraction" and isinstance(low, int):
            low = low / 100  # "20-30%": the percent sign is written once
        else:
            raise FigureError(text, "the two ends of the range are of different kinds")
    if kind == "count" and not low_scaled and low < high and high >= 1000 and high % 1000 == 0:
        # "11 to 12,000" and "3 to 5 million": the first end shares the second's scale.
        scale = 1_000_000 if high % 1_000_000 == 0 and low * 1_000_000 <= high else 1000
        if low * scale <= high and high < low * scale * 10:
            low = low * scale
    if low > high:
        raise FigureError(text, f"the range runs backwards ({low} to {high})")
    return Figure(low, None, high, "range", kind, _counted(text, s, end))


def _vague(text: str, s: str) -> Figure | None:
    for multiplier in sorted(VAGUE_MULTIPLIERS, key=len, reverse=True):
        match = re.match(rf"{re.escape(multiplier)}\s+(hundred|thousand|million)\b", s, re.I)
        if match:
            scale = {"hundred": 100, "thousand": 1000, "million": 1_000_000}[match[1].lower()]
            low, high = VAGUE_MULTIPLIERS[multiplier]
            return Figure(low * scale, None, high * scale, "vague", "count",
                          _counted(text, s, match.end()))
    for phrase in sorted(VAGUE_QUANTITIES, key=len, reverse=True):
        match = re.match(rf"{re.escape(phrase)}\b", s, re.I)
        if match:
            rest = s[match.end():]
            if phrase in ("some", "many", "several", "a few") and _DIGITS.match(rest.strip()):
                return None
            vague = VAGUE_QUANTITIES[phrase]
            return Figure(vague.low, None, vague.high, "vague", "count",
                          _counted(text, s, match.end()))
    return None


@lru_cache(maxsize=65536)
def parse_figure(text: str) -> Figure:
    """Read a figure as written in a report.

    >>> parse_figure("up to 3,000 troops")
    Figure(low=None, best=None, high=3000, qualifier='at_most', kind='count', counted='troops')
    """
    if not isinstance(text, str):
        raise FigureError(str(text), "a figure must be text")
    s = _clean(text)
    if not s:
        raise FigureError(text, "it is empty")
    between = re.match(r"between\s+", s, re.I)
    if between:
        low, kind, end, scaled = _single(text, s, between.end())
        if not re.match(r"\s*and\s", s[end:] + " ", re.I):
            raise FigureError(text, "'between' needs 'and'")
        figure = _range(text, s, end, low, kind, scaled)
        assert figure is not None
        return figure
    qualifier = None
    for words in sorted(APPROXIMATIONS, key=len, reverse=True):
        if words == "+":
            continue
        match = re.match(rf"{re.escape(words)}(?:\s+|(?<=[~.])\s*|$)", s, re.I)
        if match and (words != "some" or _DIGITS.match(s, match.end())
                      or _WORDS.match(s, match.end()) or _share_word(s, match.end())):
            qualifier, s = APPROXIMATIONS[words], s[match.end():]
            break
    if qualifier is None:
        vague = _vague(text, s)
        if vague is not None:
            return vague
    if not s:
        raise FigureError(text, "a qualifier with no number")
    value, kind, end, scaled = _single(text, s, 0)
    plus = re.match(r"\s*\+", s[end:])
    if plus:
        if qualifier is not None:
            raise FigureError(text, "two qualifiers on one number")
        qualifier, end = APPROXIMATIONS["+"], end + plus.end()
    elif qualifier is None:
        ranged = _range(text, s, end, value, kind, scaled)
        if ranged is not None and not re.match(r"\s*and\s", s[end:], re.I):
            return ranged
    counted = _counted(text, s, end)
    if qualifier is None:
        return Figure(value, value, value, "exact", kind, counted)
    best = value if qualifier.low_factor is not None and qualifier.high_factor is not None else None
    return Figure(_bound(value, qualifier.low_factor, kind), best,
                  _bound(value, qualifier.high_factor, kind), qualifier.qualifier, kind, counted)


def parse_figures(texts: Iterable[str]) -> list[Figure]:
    """Parse many figure texts, reading each distinct text once; raises on the first bad one."""
    texts = list(texts)
    parsed = {text: parse_figure(text) for text in dict.fromkeys(texts)}
    return [parsed[text] for text in texts]
