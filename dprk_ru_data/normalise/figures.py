"""Read a figure as written in a report ("up to 3,000 troops", "several thousand", "500 shells a day").

Reading happens in two steps. The grammar looks at the *shape* of the phrase, its words and
number markers (``tokens.shape``), and returns a `_Reading`: which numbers are bounds, scaled by
what, qualified how. The arithmetic then applies the reading to the phrase's own numbers. The
grammar's answer, a reading or a refusal, is cached by shape, so a million phrases of a few
hundred shapes cost a million small sums, not a million parses. Every word the grammar knows is a
table in `conventions.py` (rendered in docs/conventions.md); a word it does not know is a refusal,
never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from . import conventions as c
from .errors import NormaliseError, Refusal
from .tokens import (MAX_PHRASE, ShapeCache, Tokens, first_tokens, match_phrase, of_shape,
                     phrase_index, shape, value)

Number = int | float

# The largest value a figure may take: the build holds counts in 64-bit integer columns (money
# and shares in 64-bit floats), so a reading beyond it is refused, not left to overflow a column.
LARGEST = 2**63 - 1


class FigureError(NormaliseError):
    """A figure text that this package cannot read; the message quotes it and says why."""

    what = "figure"


class Figure(NamedTuple):
    """A figure read from text: bounds, best value, how it was qualified and what it counts.

    `kind` is ``count`` (integers), ``fraction`` (floats between 0 and 1), ``money`` (integer
    amounts in `currency`, an ISO 4217 code), ``duration`` (a length of time in `unit`, as written:
    "two months" is 2 and ``month``) or ``ratio`` (a multiple of another figure: "tripled" is 3);
    a duration or a ratio is never a count. `best` is None where the text states no single
    value; `low`/`high` are None where unbounded. `per` is the period of a rate ("500 a day"),
    `increment` is true for an addition to an earlier figure ("another 2,000").
    """

    low: Number | None
    best: Number | None
    high: Number | None
    qualifier: str
    kind: str
    counted: str | None = None
    per: str | None = None
    currency: str | None = None
    increment: bool = False
    unit: str | None = None


class _Firm(Refusal):
    """A refusal whose reason is already the most specific one (no diagnosis replaces it)."""


class _Num(NamedTuple):
    """A quantity in a phrase: ``number[slot] * factor / divisor``, or ``factor / divisor`` for
    slot -1; a ratio ("21 out of 50") divides by the quantity `whole`."""

    slot: int
    factor: Number
    divisor: int
    kind: str
    scale: int
    currency: str | None = None
    whole: "_Num | None" = None


class _Reading(NamedTuple):
    """What the grammar made of a shape. `low`/`high` are quantities for a range; `vague` bounds
    are constants; otherwise `number` with the qualifier's factors."""

    qualifier: str
    kind: str
    number: _Num | None = None
    low_factor: float | None = 1.0
    high_factor: float | None = 1.0
    best: bool = True
    low: _Num | None = None
    high: _Num | None = None
    vague: tuple[int | None, int | None] | None = None
    counted: str | None = None
    per: str | None = None
    currency: str | None = None
    increment: bool = False
    counted_slots: tuple[int, ...] = ()
    unit: str | None = None


# --- phrase tables as token sequences, longest first ------------------------------------------

_QUALIFIERS = phrase_index(c.APPROXIMATIONS)
_TRAILING = phrase_index(c.TRAILING_QUALIFIERS)
_LEAD_INS = phrase_index(c.LEAD_INS)
_INCREMENTS = phrase_index(c.INCREMENTS_BEFORE)
_VAGUE = phrase_index(c.VAGUE_QUANTITIES)
_VAGUE_MULTIPLIERS = phrase_index(c.VAGUE_MULTIPLIERS)
_VAGUE_SCALES = phrase_index(c.VAGUE_SCALES)
_SHARES = phrase_index(c.SHARE_WORDS)
_CURRENCY_BEFORE = phrase_index(c.CURRENCY_SYMBOLS)
_CURRENCY_AFTER = phrase_index(c.CURRENCY_WORDS)
_PERCENT = phrase_index(c.PERCENT_WORDS)
_FOLLOWERS = phrase_index(c.MULTIPLE_FOLLOWERS)
_BOUNDS = frozenset({"at_least", "more_than", "at_most", "less_than"})
_QUOTES = {'"': '"', "'": "'"}
_QUALIFYING_VERBS = phrase_index(c.QUALIFYING_VERBS)

_UNITS = c.NUMBER_UNITS
_TENS = c.NUMBER_TENS
_NUMBER_WORDS = {*_UNITS, *_TENS, "hundred", "dozen"}
_OPEN = {'"', "'", "(", "[", "“", "‘"}
_CLOSE = {'"', "'", ")", "]", "”", "’", ".", "!", "?"}
_CLAUSE = {",", ";", "(", ":", "-", "["}
_NUMERAL = ("#1", "#2", "#3", "#4", "#5", "#g", "#f")


def _is_number(word: str) -> bool:
    return len(word) == 2 and word[0] == "#"


# --- quantities -------------------------------------------------------------------------------

def _words_number(words: list[str], i: int) -> tuple[int, int] | None:
    """Number words at `i` ("twenty-five", "one hundred and twelve", "a dozen"): (value, end)."""
    current, last, j, end = 0, "", i, i
    n = len(words)
    if words[i] == "a" and i + 1 < n and words[i + 1] in ("hundred", "dozen"):
        current, last, j = 1, "unit", i + 1
    while j < n:
        word = words[j]
        if word in ("and", "-") and last and j + 1 < n and (words[j + 1] in _UNITS
                                                            or words[j + 1] in _TENS):
            if word == "and" and last != "hundred":
                break
            j += 1
            continue
        if word in _UNITS and _UNITS[word] >= 10:
            if last not in ("", "hundred"):
                break
            current, last = current + _UNITS[word], "teen"
        elif word in _UNITS:
            if last not in ("", "hundred", "ten"):
                break
            current, last = current + _UNITS[word], "unit"
        elif word in _TENS:
            if last not in ("", "hundred"):
                break
            current, last = current + _TENS[word], "ten"
        elif word in ("hundred", "dozen") and last in ("unit", "teen") and current < 100:
            current, last = current * (100 if word == "hundred" else 12), "hundred"
            if word == "dozen":
                last = "dozen"
        else:
            break
        j += 1
        end = j
    return (current, end) if last else None


def _scale(words: list[str], glued: list[bool], j: int) -> tuple[int, int]:
    """Scale words or a glued suffix after a number at `j`: (factor, end)."""
    if j < len(words) and glued[j] and words[j] in c.SCALE_SUFFIXES:
        return c.SCALE_SUFFIXES[words[j]], j + 1
    factor, last = 1, 1
    while j < len(words):
        k = j + 1 if words[j] == "-" and j + 1 < len(words) else j
        scale = c.SCALE_WORDS.get(words[k], 0)
        if scale <= last:
            break
        factor, last, j = factor * scale, scale, k + 1
    return factor, j


def _quantity(t: Tokens, i: int, currency: str | None = None, unscaled_decimal: bool = False,
              ) -> tuple[_Num, int] | None:
    """One quantity at token `i`: digits or words, scale, percent, currency; None if none."""
    words, glued, slots = t.words, t.glued, t.slots
    n = len(words)
    if i >= n:
        return None
    symbol = match_phrase(_CURRENCY_BEFORE, words, i)
    if symbol and symbol[0] < n and _is_number(words[symbol[0]]):
        if currency is not None and currency != c.CURRENCY_SYMBOLS[symbol[1]]:
            raise Refusal("the two ends of the range are in different currencies")
        currency, i = c.CURRENCY_SYMBOLS[symbol[1]], symbol[0]
    word = words[i]
    decimal = False
    base: Number
    if _is_number(word):
        slot, base, j = slots[i], 1, i + 1
        decimal = word == "#f"
        if j < n and glued[j] and (_is_number(words[j]) or words[j] in ("st", "nd", "rd", "th")):
            return None  # "1,0000" or an ordinal: not a figure
        if j + 1 < n and words[j] == "e" and glued[j] and glued[j + 1] and (
                _is_number(words[j + 1]) or words[j + 1] in ("+", "-")):
            raise Refusal("a number in scientific notation ('1e400') is not a figure this "
                          "package reads")
    elif word == "half" and i + 2 < n and words[i + 1] == "a" and words[i + 2] in c.SCALE_WORDS:
        slot, base, j = -1, 0.5, i + 2
        decimal = True
    elif (word == "a" and i + 4 < n and words[i + 1] == "quarter" and words[i + 2] == "of"
          and words[i + 3] == "a" and words[i + 4] in c.SCALE_WORDS):
        slot, base, j = -1, 0.25, i + 4
        decimal = True
    elif word == "a" and i + 1 < n and words[i + 1] in c.SCALE_WORDS:
        slot, base, j = -1, 1, i + 1
    else:
        spelled = _words_number(words, i)
        if spelled is None:
            return None
        base, j = spelled
        slot = -1
        if (j + 3 < n and words[j] == "and" and words[j + 1] == "a" and words[j + 2] == "half"
                and words[j + 3] in c.SCALE_WORDS):
            base, j, decimal = base + 0.5, j + 3, True  # "one and a half million"
    factor, j = _scale(words, glued, j)
    scale = factor  # the scale as written, which the other end of a range may share
    if slot == -1 and factor > 1:  # "one thousand five hundred": add the smaller parts
        base, factor = base * factor, 1
        last = scale  # each part is of a smaller scale than the one before: a bounded phrase
        while j < n and (words[j] in _UNITS or words[j] in _TENS or words[j] == "and"):
            k = j + 1 if words[j] == "and" else j
            part = _words_number(words, k) if k < n else None
            if part is None:
                break
            part_factor, end = _scale(words, glued, part[1])
            if part[0] * part_factor >= base or (part_factor > 1 and part_factor * 1000 > base) \
                    or part_factor >= last:
                break
            base, j, last = base + part[0] * part_factor, end, part_factor
    scaled = scale > 1
    if decimal and not scaled and slot == -1:
        return None
    divisor, kind = 1, "count"
    percent = match_phrase(_PERCENT, words, j)
    if percent and not scaled:
        divisor, kind, j = 100, "fraction", percent[0]
    elif decimal and not scaled:
        if not unscaled_decimal:
            raise Refusal("a count with a decimal part needs a scale word ('1.4 million')")
        return _Num(slot, 1, 1, "count", 0, currency), j  # scale 0: it must take the other end's
    if kind == "count":
        after = match_phrase(_CURRENCY_AFTER, words, j)
        if after and currency is None:
            currency, j = c.CURRENCY_WORDS[after[1]], after[0]
        if currency is not None:
            kind = "money"
    constant = base * factor
    if slot == -1:
        if isinstance(constant, float):
            if not constant.is_integer():
                return None
            constant = int(constant)
        return _Num(-1, constant, divisor, kind, scale, currency), j
    return _Num(slot, factor, divisor, kind, factor, currency), j


def _share(t: Tokens, i: int) -> tuple[_Num, int] | None:
    found = match_phrase(_SHARES, t.words, i)
    if found is None:
        return None
    end, phrase = found
    fraction = c.SHARE_WORDS[phrase]
    return _Num(-1, fraction, 1, "fraction", 1), end


def _ratio(t: Tokens, number: _Num, j: int) -> tuple[_Num, int] | None:
    """'21 out of 50', 'one in five': a fraction."""
    words = t.words
    k = j + 2 if words[j:j + 2] == ["out", "of"] else j + 1 if j < len(words) and words[j] in (
        "in", "of") else None
    if k == j + 2 and words[k:k + 1] == ["the"]:
        k += 1  # "21 out of the 50"
    if k is None or number.kind != "count" or number.scale > 1:
        return None
    whole = _quantity(t, k)
    if whole is None or whole[0].kind != "count":
        return None
    if words[j] == "of" and j == k - 1:
        return None  # "3,000 of the troops" counts troops
    return number._replace(kind="fraction", whole=whole[0]), whole[1]


def _vague(t: Tokens, i: int) -> tuple[_Reading, int] | None:
    words = t.words
    multiplier = match_phrase(_VAGUE_MULTIPLIERS, words, i)
    if multiplier:
        scale = match_phrase(_VAGUE_SCALES, words, multiplier[0])
        if scale:
            low, high = c.VAGUE_MULTIPLIERS[multiplier[1]]
            factor = c.VAGUE_SCALES[scale[1]]
            return _Reading("vague", "count", vague=(low * factor, high * factor)), scale[0]
    found = match_phrase(_VAGUE, words, i)
    if found is None:
        return None
    end, phrase = found
    if end < len(words) and (_is_number(words[end]) or words[end] in _NUMBER_WORDS):
        return None  # "some 600", "several hundred": read elsewhere
    rule = c.VAGUE_QUANTITIES[phrase]
    return _Reading("vague", "count", vague=(rule.low, rule.high)), end


def _joiner(words: list[str], j: int, between: bool) -> int | None:
    if j >= len(words):
        return None
    if between:
        return j + 1 if words[j] == "and" else None
    if words[j] in ("to", "-", "or"):
        return j + 1
    return None


def _amount(t: Tokens, i: int, between: bool = False) -> tuple[_Reading, int] | None:
    """A number, a range of two, a ratio or a share at `i`, with no qualifier."""
    first = _quantity(t, i, unscaled_decimal=True)
    share = _share(t, i)
    if share is not None and (first is None or share[1] > first[1]):
        return _Reading("exact", "fraction", number=share[0]), share[1]
    if first is None:
        return None
    number, j = first
    if number.scale == 0 and j < len(t.words) and (t.words[j] == "times"
                                                   or t.words[j] in c.DURATION_UNITS):
        number = number._replace(scale=1)  # "1.5 times the size", "1.5 years": not a count
    elif number.scale == 0:  # "1.5 to 2 million": the decimal takes the scale of the second end
        k = _joiner(t.words, j, between)
        second = _quantity(t, k) if k is not None else None
        if second is None or second[0].scale <= 1:
            raise Refusal("a count with a decimal part needs a scale word ('1.4 million')")
        number = number._replace(factor=second[0].scale, scale=second[0].scale)
    ratio = _ratio(t, number, j)
    if ratio is not None:
        return _Reading("exact", "fraction", number=ratio[0]), ratio[1]
    k = _joiner(t.words, j, between)
    if k is not None:
        second = _quantity(t, k, number.currency)
        if second is not None:
            high, end = second
            low = number
            if low.kind == "count" and high.kind == "fraction" and low.scale == 1:
                low = low._replace(divisor=high.divisor, kind="fraction")  # "20-30%"
            if low.kind == "money" and high.kind == "count":
                high = high._replace(kind="money", currency=low.currency)  # "$2-3 billion"
            if low.kind == "count" and high.kind == "money":
                low = low._replace(kind="money", currency=high.currency)  # "2 to 3 billion won"
            if low.kind != high.kind:
                raise Refusal("the two ends of the range are of different kinds")
            return _Reading("range", high.kind, low=low, high=high, best=False,
                            currency=high.currency), end
        if between:
            raise Refusal("'between' needs a second number after 'and'")
    if between:
        raise Refusal("'between' needs 'and'")
    return _Reading("exact", number.kind, number=number, currency=number.currency), j


def _qualifier_at(words: list[str], i: int) -> tuple[int, str] | None:
    """A qualifier before a number at `i` ('some' only before a number): (end, phrase)."""
    found = match_phrase(_QUALIFIERS, words, i)
    if found and found[1] == "some" and not (
            found[0] < len(words) and (_is_number(words[found[0]]) or words[found[0]] in _NUMBER_WORDS
                                       or words[found[0]] in c.CURRENCY_SYMBOLS)):
        return None
    return found


def _combined(outer: c.Approximation, inner: c.Approximation) -> c.Approximation:
    """'up to approximately N': a bound before an approximation (conventions.COMBINATIONS)."""
    if outer.qualifier not in _BOUNDS or inner.qualifier != "approximate":
        raise Refusal("two qualifiers before one number")
    low = None if outer.low_factor is None or inner.low_factor is None else (
        outer.low_factor * inner.low_factor)
    high = None if outer.high_factor is None or inner.high_factor is None else (
        outer.high_factor * inner.high_factor)
    return c.Approximation(outer.qualifier, low, high, "combined")


def _qualified(reading: _Reading, qualifier: c.Approximation) -> _Reading:
    """A number's reading with a qualifier's factors (conventions.APPROXIMATIONS)."""
    return reading._replace(qualifier=qualifier.qualifier, low_factor=qualifier.low_factor,
                            high_factor=qualifier.high_factor,
                            best=qualifier.low_factor is not None
                            and qualifier.high_factor is not None)


def _bounded_vague(reading: _Reading, qualifier: c.Approximation) -> _Reading:
    """'at least several million': the bound keeps the vague quantity's bound on its side."""
    assert reading.vague is not None
    low, high = reading.vague
    if qualifier.qualifier in ("at_least", "more_than") and qualifier.low_factor == 1.0 \
            and low is not None:
        return reading._replace(qualifier=qualifier.qualifier, vague=(low, None))
    if qualifier.qualifier in ("at_most", "less_than") and qualifier.high_factor == 1.0 \
            and high is not None:
        return reading._replace(qualifier=qualifier.qualifier, vague=(None, high))
    raise Refusal("this qualifier cannot bound a vague quantity")


Found = tuple[_Reading, int] | None  # a form's reading and where it ends, or None: not this form


def _read_between(t: Tokens, i: int, qualifier: c.Approximation | None) -> Found:
    """'between 3,000 and 5,000', 'between roughly 3,000 and 4,000'."""
    inner = _qualifier_at(t.words, i + 1) if qualifier is None else None
    if inner is None:
        return _amount(t, i + 1, between=True)
    found = _amount(t, inner[0], between=True)
    if found is None:
        return None
    return _apply(found[0], c.APPROXIMATIONS[inner[1]]), found[1]


def _read_one_unit(t: Tokens, i: int, qualifier: c.Approximation | None) -> Found:
    """'for nearly a year': one of a unit of time."""
    if i + 1 < len(t.words) and t.words[i + 1] in c.DURATION_UNITS:
        return _Reading("exact", "count", number=_Num(-1, 1, 1, "count", 1)), i + 1
    return None


def _read_half_unit(t: Tokens, i: int, qualifier: c.Approximation | None) -> Found:
    """'half a year'."""
    words = t.words
    if i + 2 < len(words) and words[i + 1] in ("a", "an") and words[i + 2] in c.DURATION_UNITS:
        return _Reading("exact", "count", number=_Num(-1, 0.5, 1, "count", 1)), i + 2
    return None


def _read_vague(t: Tokens, i: int, qualifier: c.Approximation | None) -> Found:
    """'hundreds', 'several thousand': only bare or after a bound ('at least several million')."""
    if qualifier is not None and qualifier.qualifier not in _BOUNDS:
        return None
    return _vague(t, i)


def _read_amount(t: Tokens, i: int, qualifier: c.Approximation | None) -> Found:
    """A number, a range, a share, a part out of a whole, a percentage or an amount of money."""
    return _amount(t, i)


def _core(t: Tokens, i: int) -> tuple[_Reading, int] | None:
    """A figure at `i` without what it counts: an increment word, a qualifier, the quantity
    (the first of the `RULES` that can start there and reads one), a trailing qualifier."""
    words = t.words
    increment = False
    found = match_phrase(_INCREMENTS, words, i)
    if found:
        increment, i = True, found[0]
    qualifier = None
    found = _qualifier_at(words, i)
    if found:
        qualifier, i = c.APPROXIMATIONS[found[1]], found[0]
        again = match_phrase(_INCREMENTS, words, i)
        if again and not increment:
            increment, i = True, again[0]
        inner = _qualifier_at(words, i)
        if inner:
            qualifier, i = _combined(qualifier, c.APPROXIMATIONS[inner[1]]), inner[0]
    n = len(words)
    reading_end = None
    for rule in _BY_START.get(words[i], ()) if i < n else ():
        reading_end = rule.read(t, i, qualifier)
        if reading_end is not None:
            break
    if reading_end is None:
        return None
    reading, j = reading_end
    trailing = match_phrase(_TRAILING, words, j)
    if trailing and not (trailing[1] == "give or take" and j + 3 < len(words)):
        if qualifier is not None or reading.qualifier != "exact":
            raise Refusal("two qualifiers on one number")
        qualifier, j = c.TRAILING_QUALIFIERS[trailing[1]], trailing[0]
    if j < len(words) and words[j] in c.INCREMENTS_AFTER and not (
            j + 1 < len(words) and words[j + 1] == "than"):
        increment, j = True, j + 1
    if j < len(words) and words[j] in c.DECREASE_WORDS and not (
            j + 1 < len(words) and words[j + 1] == "than"):
        raise Refusal(f"'{words[j]}' after the number makes it a decrease, not a count")
    if qualifier is not None:
        reading = _apply(reading, qualifier)
    return reading._replace(increment=increment), j


def _apply(reading: _Reading, qualifier: c.Approximation) -> _Reading:
    """A qualifier written before a form's reading: on a range, each end by its own factor; on a
    vague quantity, as its bound; on a number, as its factors."""
    if reading.qualifier == "range":
        if qualifier.qualifier != "approximate":
            raise Refusal("a bound ('up to', 'more than') before a range")
        return reading._replace(qualifier="approximate", low_factor=qualifier.low_factor,
                                high_factor=qualifier.high_factor)
    if reading.qualifier == "vague":
        return _bounded_vague(reading, qualifier)
    if reading.qualifier != "exact":
        raise Refusal(f"a qualifier before a {reading.qualifier} figure")
    return _qualified(reading, qualifier)


def _multiple(t: Tokens, i: int) -> tuple[_Reading, int, bool, int] | None:
    """A multiple written as a word at `i` ("doubled", "more than tripled", "twice the size",
    "an almost threefold increase"): (reading, end, whether it is a verb, the word's token)."""
    words = t.words
    n = len(words)
    if words[i] not in c.MULTIPLES and not (words[i] in _QUALIFIERS or words[i] in ("a", "an")):
        return None
    article = words[i] in ("a", "an")
    k = i + 1 if article else i
    qualifier = None
    found = _qualifier_at(words, k)
    if found:
        qualifier, k = c.APPROXIMATIONS[found[1]], found[0]
    if not article and k + 1 < n and words[k] in ("a", "an") and words[k + 1].endswith("fold"):
        article, k = True, k + 1  # "more than a threefold increase"
    rule = c.MULTIPLES.get(words[k]) if k < n else None
    if rule is None or article and not words[k].endswith("fold"):
        return None
    end = k + 1
    follower = match_phrase(_FOLLOWERS, words, end)
    if follower is not None:
        end = follower[0]
    elif rule.alone == "share":
        return None  # "half of the troops"
    elif rule.alone == "refused":
        raise _Firm(f"'{words[k]}' alone may count occasions ('visited {words[k]}'); a multiple "
                    f"says what it multiplies ('{words[k]} as many', '{words[k]} the size')")
    reading = _Reading("exact", "ratio", number=_Num(-1, rule.factor, 1, "ratio", 1))
    if qualifier is not None:
        reading = _qualified(reading, qualifier)
    return reading, end, rule.verb, k


def _rate(words: list[str], j: int) -> tuple[str, int] | None:
    """A period after a figure ("a day", "per month", "daily"): (per, end)."""
    if j >= len(words):
        return None
    if words[j] in c.RATE_WORDS:
        return c.RATE_WORDS[words[j]], j + 1
    if words[j] in c.RATE_INTRODUCERS and j + 1 < len(words) and words[j + 1] in c.RATE_PERIODS:
        return c.RATE_PERIODS[words[j + 1]], j + 2
    return None


def figure_at(t: Tokens, i: int) -> tuple[_Reading, int] | None:
    """The figure that starts at token `i` of a text, for the finder: (reading, end) or None.

    The span is the qualifier, the quantity and a period written right after it ("500 a day");
    what is counted is left out.
    """
    try:
        found = _core(t, i)
    except Refusal:
        return None
    if found is None:
        return None
    reading, j = found
    rate = _rate(t.words, j)
    if rate is not None:
        reading, j = reading._replace(per=rate[0]), rate[1]
    elif j < len(t.words) and t.words[j] in c.DURATION_UNITS or _multiplied(t.words, j):
        return None
    return reading, j


def _multiplied(words: list[str], j: int) -> bool:
    return j < len(words) and (words[j] in c.MULTIPLIER_WORDS or words[j:j + 2] == ["as", "many"])


# --- whole phrases ----------------------------------------------------------------------------

def _diagnose(words: list[str], read: tuple[int, ...] = ()) -> None:
    """Refuse, with the reason, phrases that hold a multiple or a duration rather than a count,
    besides the tokens `read` (the unit or the multiple the figure itself was read with)."""
    for k, word in enumerate(words):
        if k in read:
            continue
        if word in c.MULTIPLIER_WORDS or word.endswith("fold") and word != "fold":
            raise Refusal(f"'{word}' makes it a multiple of another figure, not a count")
        if word in c.DURATION_UNITS and k > 0 and (
                _is_number(words[k - 1]) or words[k - 1] in _NUMBER_WORDS
                or words[k - 1] in c.SCALE_WORDS) and not (
                k > 1 and words[k - 2] in c.RATE_INTRODUCERS):
            raise Refusal(f"a number of {word} is a duration, not a count")
    if words[:2] == ["half", "as"] and 0 not in read:
        raise Refusal("'half as many' is a multiple of another figure, not a count")


def _calibre(words: list[str], k: int) -> bool:
    """A calibre unit at `k` ("mm", "-mm"): the number before it names a calibre."""
    if k < len(words) and words[k] == "-":
        k += 1
    return k < len(words) and words[k] in c.CALIBRE_UNITS


def _counted(t: Tokens, j: int, share: bool = False) -> tuple[tuple[int, int] | None, int]:
    """What the figure counts: the tokens up to a rate, a clause or the end, as a token range,
    and where it ends. Numbers are allowed only inside designations ('KN-23', '155mm'), before a
    calibre ('122 mm') and, after a `share`, as the whole it is of ('a third of the 11,000')."""
    words, glued = t.words, t.glued
    n, start = len(words), j
    if _calibre(words, j):
        raise Refusal("a number directly before a calibre unit ('mm') is a length, not a count")
    while j < n:
        word = words[j]
        if _rate(words, j) is not None or word in _CLOSE and j + 1 == n:
            break
        if word == "per":
            raise Refusal("'per' and what follows is not a period of time this package reads")
        if word in _CLAUSE and not (word == "-" and glued[j] and j + 1 < n and glued[j + 1]):
            break
        if _is_number(word):
            designation = (glued[j] and j > start) or (j + 1 < n and glued[j + 1]
                                                       and words[j + 1][0].isalpha())
            whole = share and words[start] == "of" and (
                j == start + 1 or j == start + 2 and words[start + 1] == "the")
            if not (designation or whole or _calibre(words, j + 1)):
                raise Refusal("a second number follows the first")
        elif not (word[0].isalpha() or word in ("-", "'", "/", "&", ".")):
            raise Refusal(f"cannot read {word!r} after the number")
        j += 1
    if j > start and words[start] in c.DURATION_UNITS:
        raise Refusal(f"a number of {words[start]} is a duration, not a count")
    if j > start and words[start] in c.DECREASE_WORDS:
        raise Refusal(f"'{words[start]}' after the number makes it a decrease, not a count")
    if j > start and words[start] == "of":
        start += 1
    return ((start, j) if j > start else None), j


def _words_between(key: str, t: Tokens, span: tuple[int, int] | None) -> str | None:
    """The text of tokens `span` as written in the shape `key` (numbers still as markers)."""
    if span is None:
        return None
    return key[t.starts[span[0]]:t.ends[span[1] - 1]]


def _grammar(key: str) -> _Reading:
    """The reading of a whole phrase's shape, or `Refusal`."""
    t = of_shape(key)
    words = t.words
    n = len(words)
    while n and words[n - 1] in _CLOSE:
        n -= 1
    words = words[:n]
    t = Tokens(words, t.glued[:n], t.slots[:n], t.starts[:n], t.ends[:n])
    if not words:
        raise Refusal("it is empty")
    try:
        reading, read = _phrase(key, t)
    except _Firm:
        raise
    except Refusal:
        _diagnose(words)  # a multiple or a duration elsewhere in the phrase says more
        raise
    _diagnose(words, read)
    return reading


def _phrase(key: str, t: Tokens) -> tuple[_Reading, tuple[int, ...]]:
    """The reading of a whole phrase, and the tokens of the unit or multiple it was read with."""
    words = t.words
    n = len(words)
    i = 0
    while i < n and words[i] in _OPEN:
        i += 1
    first_word, before, opened = i, 0, i - 1
    lead_in, estimate, verb = False, False, False
    roles: set[str] = set()
    read: tuple[int, ...] = ()
    found: tuple[_Reading, int] | None
    multiples = not c.MULTIPLES.keys().isdisjoint(words)
    while True:
        multiple = _multiple(t, i) if multiples and i < n else None  # first: "half as many"
        if multiple is not None:
            found, verb, read = (multiple[0], multiple[1]), multiple[2], (multiple[3],)
            break
        found = _core(t, i)
        if found is not None:
            break
        if i < n and words[i] in _OPEN:
            opened, i = i, i + 1
            continue
        lead = match_phrase(_LEAD_INS, words, i)
        if lead is not None and before and lead[1] in c.OPENING_LEAD_INS:
            raise Refusal(f"cannot read {words[first_word]!r} before the number")
        if lead is not None:
            lead_in, i = True, lead[0]
            estimate = estimate or lead[1] in c.ESTIMATE_LEAD_INS
            roles.add(lead[1])
            continue
        if i < n and words[i][0].isalpha() and not lead_in and before < 6:
            before, i = before + 1, i + 1
            continue
        if i >= n:
            raise Refusal("a qualifier or lead-in with no number" if i else "no number")
        if any(_is_number(w) for w in words[i:]) or any(w in _NUMBER_WORDS for w in words[i:]):
            raise Refusal(f"cannot read {words[i]!r} before the number")
        raise Refusal("no number where one was expected")
    assert found is not None
    reading, j = found
    if opened == i - 1 and opened >= 0 and j < n and words[j] == _QUOTES.get(words[opened]):
        j += 1  # '"hundreds" of casualties': the quotes hold the figure
    compound = False
    if not read:
        reading, j, read, compound = _unit(reading, t, i, j)
    if before and not (lead_in or verb or (compound and before == 1 and words[first_word] in (
            "a", "an")) or match_phrase(_QUALIFYING_VERBS, words, i) is not None):
        raise Refusal(f"cannot read {words[first_word]!r} before the number")
    counted, j = _counted(t, j, share=reading.kind == "fraction")
    rate = _rate(words, j)
    if rate is not None:
        reading, j = reading._replace(per=rate[0]), rate[1]
        tail, j = _counted(t, j)
        counted = counted or tail
    if j < n and words[j] in _CLAUSE and j > i:
        j = n  # "9,000, including 300 officers": a separate clause after the figure
    if j < n:
        raise Refusal(f"cannot read {words[j]!r} after the figure")
    reading = _roles(reading, roles)
    if estimate and reading.qualifier == "exact":
        about = c.APPROXIMATIONS["about"]
        reading = reading._replace(qualifier="approximate", low_factor=about.low_factor,
                                   high_factor=about.high_factor)
    if before and counted is None:
        counted = (first_word, first_word + before)
    slots = () if counted is None else tuple(
        slot for slot in t.slots[counted[0]:counted[1]] if slot >= 0)
    return reading._replace(counted=_words_between(key, t, counted), counted_slots=slots), read


def _unit(reading: _Reading, t: Tokens, i: int, j: int,
          ) -> tuple[_Reading, int, tuple[int, ...], bool]:
    """A figure from `i` to `j` made a ratio by 'times' or '-fold' after it ("three times the
    size", "a 20-fold increase") or a duration by a unit of time ("for more than two months",
    "a 90-day deployment"): (reading, end, the unit's token, whether it was a hyphenated
    compound)."""
    words = t.words
    n = len(words)
    compound = j + 1 < n and words[j] == "-" and t.glued[j] and t.glued[j + 1]
    k = j + 1 if compound else j
    if k < n and words[k] in ("consecutive", "straight") and k + 1 < n \
            and words[k + 1] in c.DURATION_UNITS:
        k += 1  # "for five consecutive days"
    if k >= n or not (words[k] in ("times", "fold") or words[k] in c.DURATION_UNITS):
        return reading, j, (), False
    if compound and words[k] == "times":
        return reading, j, (), False
    what = "a length of time" if words[k] in c.DURATION_UNITS else "a multiple"
    if reading.kind != "count" or reading.vague is not None:
        raise _Firm(f"{what} must be a number or a range of numbers, not "
                    f"{'a vague quantity' if reading.vague is not None else reading.kind}")
    if what == "a multiple":
        end = k + 1
        if words[k] == "times":
            if end < n and words[end] in c.AMBIGUOUS_AFTER_TIMES:
                raise _Firm(f"'times {words[end]}' is read as N or N + 1 times by different "
                            "writers")
            follower = match_phrase(_FOLLOWERS, words, end)
            if follower is None:
                raise _Firm("'N times' with nothing it multiplies after it ('as many', "
                            "'the size') may count occasions, not a multiple")
            end = follower[0]
        if reading.increment:
            raise _Firm("a multiple cannot be an increment")
        return reading._replace(kind="ratio"), end, (k,), compound
    qualifier = match_phrase(_QUALIFIERS, words, i)
    if qualifier and qualifier[1] in c.AMBIGUOUS_BEFORE_DURATION:
        raise _Firm(f"'{qualifier[1]}' before a length of time may mean 'during' as well as "
                    "'more than'")
    end = k + 1
    number = reading.number
    if words[end:end + 3] == ["and", "a", "half"] and number is not None and number.slot < 0:
        reading = reading._replace(number=number._replace(factor=number.factor + 0.5))
        end += 3  # "a year and a half"
    if end < n and words[end] in c.POINT_IN_TIME_AFTER:
        raise _Firm(f"a length of time followed by '{words[end]}' is a point in time, not a "
                    "figure")
    return reading._replace(kind="duration", unit=c.DURATION_UNIT[words[k]]), end, (k,), compound


def _roles(reading: _Reading, roles: set[str]) -> _Reading:
    """What the lead-ins of the phrase do to its reading (conventions.LEAD_INS)."""
    if reading.kind in ("duration", "ratio") and reading.per is not None:
        raise _Firm(f"a {reading.kind} that is a rate ('a day') is not read")
    if not roles:
        return reading
    if roles & c.DURATION_LEAD_INS and reading.kind != "duration":
        raise _Firm(f"'{min(roles & c.DURATION_LEAD_INS)}' before a number that is not a length "
                    "of time")
    rate = roles & c.RATE_LEAD_INS.keys()
    if rate:
        period = c.RATE_LEAD_INS[min(rate)]
        if period is not None and reading.per is None:
            reading = reading._replace(per=period)  # "a daily average of 2,000 shells"
        elif reading.per is None or period is not None:
            raise _Firm(f"'{min(rate)}' gives a mean, which needs one period ('a day') to be "
                        "read")
    bound = roles & c.DURATION_BOUNDS.keys()
    if bound and reading.kind == "duration":
        if reading.qualifier != "exact":
            raise _Firm(f"'{min(bound)}' and a qualifier on one length of time")
        reading = _qualified(reading, c.APPROXIMATIONS[c.DURATION_BOUNDS[min(bound)]])
    if roles & c.INCREMENT_LEAD_INS:
        if reading.kind in ("ratio", "fraction"):
            raise _Firm(f"a change by a {'multiple' if reading.kind == 'ratio' else 'percentage'}"
                        " is relative to an earlier figure; it is not read")
        reading = reading._replace(increment=True)
    return reading


# --- arithmetic -------------------------------------------------------------------------------

def _value_of(number: _Num, numbers: list[str]) -> Number:
    if number.slot < 0:
        base: Number = number.factor
    else:
        written = value(numbers[number.slot])
        if isinstance(written, float) and isinstance(number.factor, int) and number.factor > 1:
            exact = Decimal(numbers[number.slot].replace(",", "")) * number.factor  # "4.1 billion"
            base = int(exact) if exact == exact.to_integral_value() else float(exact)
        else:
            base = written * number.factor
    result: Number = base / number.divisor if number.divisor != 1 else base
    if number.whole is not None:
        whole = _value_of(number.whole, numbers)
        if whole == 0 or whole < result:
            raise ValueError("'out of' needs a whole at least as large as the part")
        result = result / whole
    return result


_WHOLE = frozenset({"count", "money"})


def _final(x: Number | None, kind: str) -> Number | None:
    if x is None:
        return None
    if kind == "fraction":
        return float(min(x, 1.0))
    if kind not in _WHOLE:  # a duration or a ratio: "about 2 weeks" is 1.8 to 2.2
        x = round(x, 9)
        return int(x) if isinstance(x, int) or x.is_integer() else x
    if isinstance(x, float):
        return int(round(x))
    return x


_MARKERS = re.compile(r"#[1-5gf]")


def _restore(counted: str, numbers: list[str]) -> str:
    """Put the phrase's numbers back into words taken from its shape ('KN-#2' -> 'KN-23')."""
    given = iter(numbers)
    return _MARKERS.sub(lambda match: next(given, match.group()), counted)


def evaluate(reading: _Reading, numbers: list[str]) -> Figure:
    """Apply a reading to a phrase's numbers; ValueError for values the reading cannot take."""
    kind = reading.kind
    if reading.counted_slots:
        reading = reading._replace(counted=_restore(
            reading.counted or "", [numbers[slot] for slot in reading.counted_slots]))
    low: Number | None
    high: Number | None
    if reading.vague is not None:
        low, high = reading.vague
        return Figure(low, None, high, reading.qualifier, kind, reading.counted, reading.per,
                      None, reading.increment, reading.unit)
    if reading.low is not None and reading.high is not None:
        low, high = _value_of(reading.low, numbers), _value_of(reading.high, numbers)
        if kind != "fraction" and reading.low.scale == 1 and 0 < low < high:
            # "3 to 5 million", "$2-3 billion" and "11 to 12,000": the first end shares the
            # second's scale, the written one or else the thousands of its digits.
            if reading.high.scale > 1:
                scale = reading.high.scale
            elif high >= 1000 and high % 1000 == 0:
                scale = 1_000_000 if high % 1_000_000 == 0 and low * 1_000_000 <= high else 1000
            elif reading.low.slot < 0 and reading.high.slot < 0 and high % 100 == 0:
                scale = 100  # "two or three hundred", written in words
            else:
                scale = 1
            if low * scale <= high < low * scale * 10:
                low = low * scale
        if low > high:
            raise ValueError(f"the range runs backwards ({low:g} to {high:g})")
        if reading.low_factor != 1.0 and reading.low_factor is not None:
            low = low * reading.low_factor  # "approximately 10,000 to 12,000": each end widened
        if reading.high_factor != 1.0 and reading.high_factor is not None:
            high = high * reading.high_factor
        best = None
    else:
        assert reading.number is not None
        number = _value_of(reading.number, numbers)
        if kind in _WHOLE and isinstance(number, float) and not number.is_integer():
            raise ValueError("the number is not a whole count")
        low = None if reading.low_factor is None else number * reading.low_factor
        high = None if reading.high_factor is None else number * reading.high_factor
        best = number if reading.best else None
        if reading.low_factor == 1.0:
            low = number
        if reading.high_factor == 1.0:
            high = number
    if kind == "fraction" and max(v for v in (low, best, high, 0) if v is not None) > 1:
        raise ValueError("a share above 100% is not a share")
    low, best, high = _final(low, kind), _final(best, kind), _final(high, kind)
    largest = max(v for v in (low, best, high, 0) if v is not None)
    if largest > LARGEST:
        raise ValueError(f"{largest:,} is beyond what a figure column can hold "
                         f"(at most {LARGEST:,})")
    return Figure(low, best, high, reading.qualifier, kind, reading.counted, reading.per,
                  reading.currency, reading.increment, reading.unit)


# --- the figure forms, as rules -----------------------------------------------------------------
# The quantity at the heart of a figure is one of the forms below: a `Rule` with its name, the
# tokens it can start with, the function that reads it and its examples. `_core` tries, at a
# token, the rules that can start there, in this order; the finders start only at those tokens
# (or at a qualifier or an increment word before them). What can stand around a quantity (a
# qualifier, a lead-in, a unit, what is counted, a period) is a `Part`, applied by the grammar in
# a fixed order (`_phrase`), with its own examples. Every example is a test
# (tests/test_figure_forms.py) and a line of docs/conventions.md. Adding a form is adding a rule.

class Example(NamedTuple):
    """A phrase and what it must read as: a `Figure`, or, where it must be refused, a piece of
    the reason given (a string)."""

    text: str
    reads: Figure | str


class Rule(NamedTuple):
    name: str
    starts: frozenset[str]
    read: Callable[[Tokens, int, c.Approximation | None], Found]
    examples: tuple[Example, ...]


class Part(NamedTuple):
    name: str
    read: Callable[..., object]  # the function of the grammar that reads this part
    examples: tuple[Example, ...]


def _e(text: str, low: Number | None, best: Number | None, high: Number | None,
       qualifier: str, kind: str = "count", **rest: object) -> Example:
    return Example(text, Figure(low, best, high, qualifier, kind, **rest))  # type: ignore[arg-type]


def _no(text: str, why: str) -> Example:
    return Example(text, why)


_N = None
_THIRD = 1 / 3
_NUMERALS = frozenset(_NUMERAL)
_AMOUNT_STARTS = (first_tokens(c.CURRENCY_SYMBOLS, c.SHARE_WORDS) | _NUMERALS | set(_UNITS)
                  | set(_TENS) | {"a", "half"})

RULES: tuple[Rule, ...] = (
    Rule("between N and M", frozenset({"between"}), _read_between, (
        _e("between 3,000 and 5,000", 3000, _N, 5000, "range"),
        _e("between roughly 3,000 and 4,000", 2700, _N, 4400, "approximate"),
        _no("between 3,000", "'between' needs 'and'"))),
    Rule("one unit of time", frozenset({"a", "an"}), _read_one_unit, (
        _e("for nearly a year", 0.9, 1, 1, "approximate", "duration", unit="year"),
        _e("for a year and a half", 1.5, 1.5, 1.5, "exact", "duration", unit="year"))),
    Rule("half a unit of time", frozenset({"half"}), _read_half_unit, (
        _e("half a year", 0.5, 0.5, 0.5, "exact", "duration", unit="year"),)),
    Rule("vague quantity", first_tokens(c.VAGUE_QUANTITIES, c.VAGUE_MULTIPLIERS), _read_vague, (
        _e("a few", 2, _N, 5, "vague"), _e("several", 3, _N, 9, "vague"),
        _e("dozens", 24, _N, 99, "vague"), _e("scores", 40, _N, 199, "vague"),
        _e("hundreds", 200, _N, 999, "vague"), _e("thousands", 2000, _N, 9999, "vague"),
        _e("several hundred", 300, _N, 900, "vague"),
        _e("several thousand", 3000, _N, 9000, "vague"),
        _e("tens of thousands", 20_000, _N, 99_999, "vague"),
        _e("hundreds of thousands", 200_000, _N, 999_999, "vague"),
        _e("a number of", 2, _N, _N, "vague"), _e("many", 2, _N, _N, "vague"),
        _e("dozens of North Koreans", 24, _N, 99, "vague", counted="North Koreans"),
        _e("at least several million", 3_000_000, _N, _N, "at_least"),
        _e("up to several thousand", _N, _N, 9000, "at_most"),
        _e("more than a few hundred", 200, _N, _N, "more_than"),
        _no("about several thousand", "is not a figure"), _no("up to many", "vague"),
        _no("several weeks", "vague"), _no("sevral thousand", "is not a figure"))),
    Rule("number, range, share or sum of money", frozenset(_AMOUNT_STARTS), _read_amount, (
        _e("10,000", 10_000, 10_000, 10_000, "exact"),
        _e("10 000", 10_000, 10_000, 10_000, "exact"),
        _e("10000", 10_000, 10_000, 10_000, "exact"),
        _e("1.4 million", 1_400_000, 1_400_000, 1_400_000, "exact"),
        _e("12K", 12_000, 12_000, 12_000, "exact"), _e("3k", 3000, 3000, 3000, "exact"),
        _e("six million", 6_000_000, 6_000_000, 6_000_000, "exact"),
        _e("20-thousand", 20_000, 20_000, 20_000, "exact"), _e("six", 6, 6, 6, "exact"),
        _e("eighteen", 18, 18, 18, "exact"), _e("a dozen", 12, 12, 12, "exact"),
        _e("one hundred", 100, 100, 100, "exact"),
        _e("3,000 to 5,000", 3000, _N, 5000, "range"), _e("3,000-5,000", 3000, _N, 5000, "range"),
        _e("3,000\u20135,000", 3000, _N, 5000, "range"),
        _e("11 to 12,000", 11_000, _N, 12_000, "range"),
        _e("3 to 5 million", 3_000_000, _N, 5_000_000, "range"),
        _e("half", 0.5, 0.5, 0.5, "exact", "fraction"),
        _e("a third", _THIRD, _THIRD, _THIRD, "exact", "fraction"),
        _e("50 percent", 0.5, 0.5, 0.5, "exact", "fraction"),
        _e("21 out of 50", 0.42, 0.42, 0.42, "exact", "fraction"),
        _e("21 out of the 50", 0.42, 0.42, 0.42, "exact", "fraction"),
        _e("$2-3 billion", 2_000_000_000, _N, 3_000_000_000, "range", "money", currency="USD"),
        _no("5,000 to 3,000", "backwards"), _no("1.5", "scale word"),
        _no("21 out of 5", "whole at least as large"), _no("1" * 20, "more than 15 digits"))),
)

PARTS: tuple[Part, ...] = (
    Part("qualifier before the number", _qualifier_at, (
        _e("about 3,000", 2700, 3000, 3300, "approximate"),
        _e("around 3,000", 2700, 3000, 3300, "approximate"),
        _e("approximately 12,000", 10_800, 12_000, 13_200, "approximate"),
        _e("roughly 100", 90, 100, 110, "approximate"),
        _e("some 600,000", 540_000, 600_000, 660_000, "approximate"),
        _e("an estimated 18", 16, 18, 20, "approximate"),
        _e("nearly 3,000", 2700, 3000, 3000, "approximate"),
        _e("almost 100", 90, 100, 100, "approximate"),
        _e("~3000", 2700, 3000, 3300, "approximate"), _e("c. 500", 450, 500, 550, "approximate"),
        _e("up to 3,000", _N, _N, 3000, "at_most"),
        _e("as many as 12,000", _N, _N, 12_000, "at_most"),
        _e("at most 5", _N, _N, 5, "at_most"), _e("no more than 10", _N, _N, 10, "at_most"),
        _e("less than 100", _N, _N, 100, "less_than"), _e("under 20", _N, _N, 20, "less_than"),
        _e("at least 6", 6, _N, _N, "at_least"),
        _e("over six million", 6_000_000, _N, _N, "more_than"),
        _e("more than 2 million", 2_000_000, _N, _N, "more_than"),
        _e("upwards of 1,000", 1000, _N, _N, "more_than"),
        _e("about half", 0.45, 0.5, 0.55, "approximate", "fraction"),
        _e("less than 1%", _N, _N, 0.01, "less_than", "fraction"),
        _e("approximately 10,000 to 12,000 troops", 9000, _N, 13_200, "approximate",
           counted="troops"),
        _e("closer to 11,000 to 12,000", 9900, _N, 13_200, "approximate"),
        _e("about 11 to 12,000", 9900, _N, 13_200, "approximate"),
        _e("up to approximately 3 million", _N, _N, 3_300_000, "at_most"),
        _no("as many as 10,000 to 12,000 troops", "bound"),
        _no("up to at least 3,000", "two qualifiers"), _no("about", "no number"))),
    Part("qualifier after the number", _core, (
        _e("9,000+", 9000, _N, _N, "at_least"), _e("1,000 or more", 1000, _N, _N, "at_least"),
        _e("3,000 or so", 2700, 3000, 3300, "approximate"),
        _no("up to about 3,000+", "two qualifiers"))),
    Part("increment", _core, (
        _e("another 2,000", 2000, 2000, 2000, "exact", increment=True),
        _e("2,000 more troops", 2000, 2000, 2000, "exact", counted="troops", increment=True),
        _no("2,000 fewer", "decrease"))),
    Part("words that introduce the number", _phrase, (
        _e("averaging about 1,200 per day", 1080, 1200, 1320, "approximate", per="day"),
        _e("a daily average of 2,000 shells", 2000, 2000, 2000, "exact", counted="shells",
           per="day"),
        _e("losses of up to 4,000 troops", _N, _N, 4000, "at_most", counted="troops"),
        _e("has risen by about 2,000", 1800, 2000, 2200, "approximate", increment=True),
        _e("an increase of 2,000", 2000, 2000, 2000, "exact", increment=True),
        _e("a contingent estimated at 12,000", 10_800, 12_000, 13_200, "approximate",
           counted="a contingent"),
        _e("troops numbering roughly 3,000", 2700, 3000, 3300, "approximate", counted="troops"),
        _no("losses around 4,000", "before the number"),
        _no("reportedly up to 4,000", "before the number"),
        _no("compared with 1,500", "before the number"),
        _no("averaging about 1,200", "period"), _no("for 3,000 troops", "length of time"),
        _no("grew by 40%", "relative"), _no("a decrease of 2,000", "before the number"),
        _no("from 3,000", "'from'"), _no("troops", "no number"))),
    Part("quotes around the figure", _phrase, (
        _e('"hundreds" of casualties', 200, _N, 999, "vague", counted="casualties"),
        _e("'dozens' of missiles", 24, _N, 99, "vague", counted="missiles"))),
    Part("a multiple written as a word", _multiple, (
        _e("twice the size", 2, 2, 2, "exact", "ratio"), _e("tripling", 3, 3, 3, "exact", "ratio"),
        _e("more than tripled", 3, _N, _N, "more_than", "ratio"),
        _e("doubled", 2, 2, 2, "exact", "ratio"),
        _e("deliveries doubled", 2, 2, 2, "exact", "ratio", counted="deliveries"),
        _e("half as many shells", 0.5, 0.5, 0.5, "exact", "ratio", counted="shells"),
        _e("an almost threefold increase", 2.7, 3, 3, "approximate", "ratio",
           counted="increase"),
        _no("twice", "occasions"), _no("visited twice", "occasions"),
        _no("the number of shells tripled", "multiple"))),
    Part("a multiple after the number", _unit, (
        _e("three times as many shells", 3, 3, 3, "exact", "ratio", counted="shells"),
        _e("two to three times as many", 2, _N, 3, "range", "ratio"),
        _e("a 20-fold increase", 20, 20, 20, "exact", "ratio", counted="increase"),
        _no("2 to 3 times", "occasions"), _no("three times", "occasions"),
        _no("three times more", "N or N + 1"))),
    Part("a length of time", _unit, (
        _e("for more than two months", 2, _N, _N, "more_than", "duration", unit="month"),
        _e("nearly two weeks", 1.8, 2, 2, "approximate", "duration", unit="week"),
        _e("in under two weeks", _N, _N, 2, "less_than", "duration", unit="week"),
        _e("two months", 2, 2, 2, "exact", "duration", unit="month"),
        _e("within 48 hours", _N, _N, 48, "at_most", "duration", unit="hour"),
        _e("for two to three months", 2, _N, 3, "range", "duration", unit="month"),
        _e("a 90-day deployment", 90, 90, 90, "exact", "duration", counted="deployment",
           unit="day"),
        _no("over two months", "during"), _no("two months ago", "point in time"),
        _no("two days a week", "rate"), _no("$2 billion for two years", "duration"))),
    Part("what is counted", _counted, (
        _e("about 3,000 troops", 2700, 3000, 3300, "approximate", counted="troops"),
        _e("over six million artillery shells", 6_000_000, _N, _N, "more_than",
           counted="artillery shells"),
        _e("500,000 rounds of 122 mm artillery shells", 500_000, 500_000, 500_000, "exact",
           counted="rounds of 122 mm artillery shells"),
        _e("1,500 tonnes of 7.62 mm ammunition", 1500, 1500, 1500, "exact",
           counted="tonnes of 7.62 mm ammunition"),
        _e("more than a third of the 11,000 soldiers", _THIRD, _N, _N, "more_than", "fraction",
           counted="the 11,000 soldiers"),
        _e("9,000, including 300 officers", 9000, 9000, 9000, "exact"),
        _no("500,000 rounds of 122 artillery shells", "second number"),
        _no("500,000 rounds of mm shells 122", "second number"),
        _no("3,000 troops 4,000", "second number"),
        _no("155mm", "calibre"), _no("500,000 mm", "calibre"))),
    Part("a period after the figure", _rate, (
        _e("500 shells a day", 500, 500, 500, "exact", counted="shells", per="day"),
        _e("2,000 a month", 2000, 2000, 2000, "exact", per="month"),
        _no("500 shells per hour", "period"))),
)

_BY_START: dict[str, tuple[Rule, ...]] = {}
for _rule in RULES:
    for _token in _rule.starts:
        _BY_START[_token] = (*_BY_START.get(_token, ()), _rule)
# The tokens a figure can start with, for the finders: a form's, a qualifier's, an increment's.
FIGURE_STARTS: frozenset[str] = frozenset(_BY_START) | first_tokens(c.APPROXIMATIONS,
                                                                    c.INCREMENTS_BEFORE)


def _reads_as(figure: Figure) -> str:
    bounds = ", ".join(f"{name} {value:,}" if isinstance(value, int) else f"{name} {value:.4g}"
                       for name, value in (
        ("low", figure.low), ("best", figure.best), ("high", figure.high)) if value is not None)
    extra = [f"{name} {value}" for name, value in (
        ("unit", figure.unit), ("per", figure.per), ("currency", figure.currency),
        ("counted", figure.counted)) if value is not None]
    if figure.increment:
        extra.append("increment")
    return "; ".join([f"{figure.qualifier} {figure.kind}", bounds or "no bounds", *extra])


def rules_markdown() -> str:
    """The figure forms and parts as Markdown tables, with examples (docs/conventions.md)."""
    lines = ["## Figure forms", "",
             "Each form is one rule of `dprk_ru_data.normalise.figures.RULES`, and each part "
             "around a form one entry of `PARTS`, with their examples; they are the tests.", "",
             "| form or part | example | reads as |", "| --- | --- | --- |"]
    for name, examples in [(r.name, r.examples) for r in RULES] + [
            (p.name, p.examples) for p in PARTS]:
        shown = [e for e in examples if isinstance(e.reads, Figure)][:2] + [
            e for e in examples if isinstance(e.reads, str)][:1]
        for e in shown:
            reads = _reads_as(e.reads) if isinstance(e.reads, Figure) else (
                f"refused ({e.reads})")
            lines.append(f"| {name} | {e.text.replace('|', '/')} | {reads} |")
    return "\n".join(lines) + "\n"


# --- the public readers -----------------------------------------------------------------------

_TEXTS: dict[str, Figure | str] = {}
_CACHE_LIMIT = 1 << 18


Evaluator = Callable[[list[str]], Figure]


def _evaluator(reading: _Reading) -> Evaluator:
    """`evaluate` for one reading, made once per shape. A whole count or sum of one written
    integer (by far the most common reading) gets a short path that does only its own sums; a
    test holds it to `evaluate` over every example and many numbers."""
    number = reading.number
    if (reading.vague is not None or reading.low is not None or number is None
            or number.slot < 0 or number.whole is not None or number.divisor != 1
            or reading.kind not in _WHOLE or reading.counted_slots
            or not isinstance(number.factor, int)):
        return partial(evaluate, reading)
    slot, factor, best_too = number.slot, number.factor, reading.best
    low_factor, high_factor = reading.low_factor, reading.high_factor
    rest = (reading.qualifier, reading.kind, reading.counted, reading.per, reading.currency,
            reading.increment, reading.unit)

    def run(numbers: list[str]) -> Figure:
        x = value(numbers[slot])
        if not isinstance(x, int):
            return evaluate(reading, numbers)
        x *= factor
        low = x if low_factor == 1.0 else None if low_factor is None else int(round(x * low_factor))
        high = x if high_factor == 1.0 else None if high_factor is None else int(
            round(x * high_factor))
        if max(x, high or 0) > LARGEST:
            return evaluate(reading, numbers)  # which says why
        return Figure(low, x if best_too else None, high, *rest)
    return run


def _prepare(key: str) -> Evaluator:
    return _evaluator(_grammar(key))


_reading = ShapeCache(_prepare, _CACHE_LIMIT)


def _read(text: str) -> Figure | str:
    if len(text) > MAX_PHRASE:
        return f"longer than {MAX_PHRASE} characters; a figure phrase is short"
    key, numbers = shape(text)
    read = _reading(key)
    if isinstance(read, str):
        return read
    try:
        return read(numbers)
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        return str(error)


def parse_figure(text: str) -> Figure:
    """Read a figure as written in a report; raises `FigureError` saying why it cannot.

    >>> parse_figure("up to 3,000 troops")
    Figure(low=None, best=None, high=3000, qualifier='at_most', kind='count', counted='troops', per=None, currency=None, increment=False, unit=None)
    """
    if not isinstance(text, str):
        raise FigureError(repr(text)[:80], "a figure must be text")
    result = _TEXTS.get(text)
    if result is None:
        result = _read(text)
        if len(_TEXTS) >= _CACHE_LIMIT:
            _TEXTS.clear()
        _TEXTS[text] = result
    if isinstance(result, str):
        raise FigureError(text[:MAX_PHRASE], result)
    return result


def parse_figures(texts: Iterable[str]) -> list[Figure]:
    """Parse many figure texts, reading each distinct text once; raises on the first bad one."""
    return [parse_figure(text) for text in texts]


def clear_caches() -> None:
    """Forget every cached reading (for benchmarks that must measure real work)."""
    _reading.clear()
    _TEXTS.clear()
