"""Tokens and shapes: the one pass over a text that both readers and both finders start from.

A text is split once into tokens: numbers, words and single symbols. The readers' grammar looks
only at a token's *shape* (a word in lower case, a symbol, or a number marker such as ``#4`` for
a four-digit integer) and at whether it touches the token before it; it never looks at a number's
value. So a grammar result can be cached by the shape of a phrase ("about #g troops") and applied
to the numbers of every phrase of that shape; the arithmetic on the values is a separate step.

Every pattern here is a plain alternation of bounded or possessive-free simple loops, with no
nested quantifier that could backtrack, so tokenising is linear in the length of the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Generic, NamedTuple, TypeVar

from .errors import Refusal

# A number: digits grouped by commas or spaces in threes, or plain digits, with an optional
# decimal part; a group of three before "mm" is a calibre, not part of the number before it. Each group is checked as it is taken (the look-ahead sits inside the loop), and
# nothing after a loop can fail, so the regex never backtracks into a loop.
NUMBER = (r"\d{1,3}(?:,\d{3}(?!\d))+(?:\.\d+)?"
          r"|\d{1,3}(?:[ \u00a0\u202f]\d{3}(?![\d.,]| ?-?mm\b))+"  # "60 170-mm": 60, a calibre
          r"|\d+(?:\.\d+)?")
_NUMBER = re.compile(f"(?=\\d)({NUMBER})")  # the look-ahead fails fast where no digit starts

# Dashes, quotes and spaces written in several ways, mapped to one each (length-preserving).
_TRANSLATE = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-",
                            "\u2011": "-", "\u2018": "'", "\u2019": "'", "\u201c": '"',
                            "\u201d": '"', "\u00a0": " ", "\u202f": " ", "\u2009": " "})

# Longest input a reader accepts: far above any real figure or date phrase, and it keeps the
# cost of a refusal bounded.
MAX_PHRASE = 300
# More digits than this is not a figure anyone reports (and would overflow a 64-bit integer).
MAX_DIGITS = 15


_PLAIN_MARKERS = ("#0", "#1", "#2", "#3", "#4")


def marker(number: str) -> str:
    """The shape of a number as the grammar sees it.

    ``#g`` grouped digits ("3,000"), ``#f`` a decimal ("1.4"), ``#1``..``#4`` plain digits by
    length, ``#5`` five or more plain digits.

    >>> [marker(n) for n in ("3,000", "1.4", "2024", "12345678")]
    ['#g', '#f', '#4', '#5']
    """
    if number.isdigit():
        return _PLAIN_MARKERS[len(number)] if len(number) < 5 else "#5"
    return "#f" if "." in number else "#g"


def value(number: str) -> int | float:
    """The value of a number token; refuses (ValueError) more digits than `MAX_DIGITS`."""
    if number.isdigit():
        if len(number) > MAX_DIGITS:
            raise ValueError(f"more than {MAX_DIGITS} digits")
        return int(number)
    digits = number.replace(",", "")
    if not digits.isdigit():  # spaces between groups, or a decimal point
        digits = digits.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
        if "." in digits:
            if len(digits) - 1 > MAX_DIGITS:
                raise ValueError(f"more than {MAX_DIGITS} digits")
            return float(digits)
    if len(digits) > MAX_DIGITS:
        raise ValueError(f"more than {MAX_DIGITS} digits")
    return int(digits)


def shape(text: str) -> tuple[str, list[str]]:
    """The shape of a phrase and its numbers: ("about 3,000 troops") -> ("about #g troops", ["3,000"]).

    >>> shape("Up to 3,000 troops in 2024")
    ('Up to #g troops in #4', ['3,000', '2024'])
    """
    parts = _NUMBER.split(text if text.isascii() else text.translate(_TRANSLATE))
    if len(parts) == 1:
        return parts[0], []
    numbers = parts[1::2]
    markers = _MARKERS
    parts[1::2] = [markers.get(number) or marker(number) for number in numbers]
    return "".join(parts), numbers


# The markers of the numbers a phrase most often holds (days, months, years, round figures).
_MARKERS = {str(n): marker(str(n)) for n in range(10_000)}


class Tokens(NamedTuple):
    """A tokenised text: parallel lists, one entry per token.

    `words` holds what the grammar matches (lower-case words, symbols, number markers); `glued`
    whether the token touches the one before it; `slots` the index of a number token among the
    text's numbers (-1 for other tokens); `starts`/`ends` character offsets into the text.
    """

    words: list[str]
    glued: list[bool]
    slots: list[int]
    starts: list[int]
    ends: list[int]


_MARKER = re.compile(r"#[1-5gf]|[^\W\d_]+|\S")


def of_shape(key: str) -> Tokens:
    """Tokens of a shape made by `shape` (numbers already replaced by markers), in lower case."""
    words: list[str] = []
    glued: list[bool] = []
    slots: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    previous, count = -1, 0
    for match in _MARKER.finditer(key):
        token = match.group().lower()
        words.append(token)
        glued.append(match.start() == previous)
        if token[0] == "#" and len(token) == 2:
            slots.append(count)
            count += 1
        else:
            slots.append(-1)
        starts.append(match.start())
        ends.append(previous := match.end())
    return Tokens(words, glued, slots, starts, ends)


# Words that are month names only when written with a capital ("May", "March") in running text.
_CAPITAL_ONLY = {"may": "may~", "march": "march~"}

# The tokens of a whole text are matched on the text as it is, not on a translated copy: the
# characters `_TRANSLATE` maps are symbols or spaces either way, so only the spaces that group
# digits need naming here ("3\u2009000" reads as "3 000" does). Each token's own text is
# translated, so words, symbols and numbers come out exactly as `shape` would write them.
_TEXT_NUMBER = NUMBER.replace(r"[ \u00a0\u202f]", r"[ \u00a0\u202f\u2009]")
_TEXT_TOKEN = re.compile(rf"(?P<num>{_TEXT_NUMBER})|(?P<word>[^\W\d_]+)|(?P<sym>\S)")

# The finders read a text window by window, so that what they hold at once is bounded by the
# window, not the text. A window owns `WINDOW_TOKENS` tokens, sees `LOOK_BEHIND` before them and
# `CONTEXT_TOKENS` after. The finders look back over a sentence (at most `finders.SENTENCE` tokens)
# for a date's tense, and the readers ahead at most
# 128 from where a phrase starts (tests/test_finders_bounded.py measures it: 71 for a range of two
# numbers in words of every scale); the finders scan for dates half the context ahead of figures
# (a figure never takes a number that a date holds). So every reader sees what it would in the
# whole text.
WINDOW_TOKENS = 1 << 14
CONTEXT_TOKENS = 1 << 11
LOOK_BEHIND = 48  # the finders look back over a date's sentence for its tense (finders.SENTENCE)


class Window(NamedTuple):
    """Tokens of a stretch of a text: `tokens` and its `numbers` as `of_text` gives them, token 0
    being token `offset` of the whole text; the window owns tokens `start` to `stop` (the scans
    start phrases only there) and the others are context. `last`: no token follows."""

    tokens: Tokens
    numbers: list[str]
    offset: int
    start: int
    stop: int
    last: bool


def windows(text: str, size: int | None = None, context: int | None = None,
            ) -> Iterator[Window]:
    """The text's tokens, window by window, read from the text as the windows need them.

    "may" and "march" in lower case are verbs in running text, so they are not matched as months.
    Consecutive windows own consecutive tokens; character offsets index `text` itself.

    >>> [(w.offset, w.start, w.stop, w.tokens.words) for w in windows("About 3,000 left.", 2, 1)]
    [(0, 0, 2, ['about', '#g', 'left']), (0, 2, 4, ['about', '#g', 'left', '.'])]
    """
    size = WINDOW_TOKENS if size is None else size  # read here, so a test can make it small
    context = CONTEXT_TOKENS if context is None else context
    if size < 1 or context < 0:
        raise ValueError("a window owns at least one token and sees no negative context")
    words: list[str] = []
    glued: list[bool] = []
    slots: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    numbers: list[str] = []
    offset, own, previous = 0, 0, -1
    stream = _TEXT_TOKEN.finditer(text)
    more = True
    while True:
        wanted = own + size + context - len(words)
        taken = 0
        add_word, add_glued, add_slot = words.append, glued.append, slots.append
        add_start, add_end, add_number = starts.append, ends.append, numbers.append
        for match in islice(stream, wanted):  # wanted >= size >= 1
            taken += 1
            start, end = match.span()
            token = match.group()
            if not token.isascii():
                token = token.translate(_TRANSLATE)
            if match.lastgroup == "num":
                add_slot(len(numbers))
                add_number(token)
                add_word(marker(token))
            else:
                lower = token.lower()
                if lower in _CAPITAL_ONLY and token == lower:
                    lower = _CAPITAL_ONLY[lower]
                add_word(lower)
                add_slot(-1)
            add_glued(start == previous)
            add_start(start)
            add_end(end)
            previous = end
        more = taken == wanted
        stop = own + size if more else len(words)
        yield Window(Tokens(words, glued, slots, starts, ends), numbers, offset, own, stop,
                     not more)
        if not more:
            return
        cut = stop - min(LOOK_BEHIND, stop)
        first = next((slot for slot in slots[cut:] if slot >= 0), len(numbers))
        words, glued, starts, ends = words[cut:], glued[cut:], starts[cut:], ends[cut:]
        slots = [slot - first if slot >= 0 else -1 for slot in slots[cut:]]
        numbers = numbers[first:]
        offset, own = offset + cut, stop - cut


def of_text(text: str) -> tuple[Tokens, list[str]]:
    """Tokens of a whole text, with its numbers, in one window; offsets index `text` itself."""
    for window in windows(text, size=len(text) + 1, context=0):
        return window.tokens, window.numbers
    raise AssertionError("windows() yields at least one window")  # pragma: no cover


PhraseIndex = dict[str, list[tuple[tuple[str, ...], str]]]


def phrase_index(phrases: Iterable[str]) -> PhraseIndex:
    """Phrases by their first token, longest first: the tables the readers match word by word."""
    index: PhraseIndex = {}
    for phrase in phrases:
        tokens = tuple(of_shape(phrase).words)
        index.setdefault(tokens[0], []).append((tokens, phrase))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def first_tokens(*tables: Iterable[str]) -> frozenset[str]:
    """The first token of every phrase of the tables: the tokens a phrase can start with.

    >>> sorted(first_tokens(["up to", "about"], {"mid-": 1}))
    ['about', 'mid', 'up']
    """
    return frozenset(of_shape(str(phrase)).words[0] for table in tables for phrase in table)


def match_phrase(index: PhraseIndex, words: list[str], i: int) -> tuple[int, str] | None:
    """The longest phrase of `index` at token `i`: (end, phrase), or None.

    >>> match_phrase(phrase_index(["up to", "up"]), ["up", "to", "#g"], 0)
    (2, 'up to')
    """
    if i >= len(words):
        return None
    for tokens, phrase in index.get(words[i], ()):
        end = i + len(tokens)
        if tuple(words[i:end]) == tokens:
            return end, phrase
    return None


Answer = TypeVar("Answer")


class ShapeCache(Generic[Answer]):
    """The grammar's answer for each shape: what it read, or why it refuses (a str).

    Refusals are cached like readings. A slip of the grammar (an exception other than `Refusal`)
    becomes a refusal that asks to be reported, never a traceback. The cache forgets everything
    when it reaches `limit` entries, which bounds its memory.
    """

    def __init__(self, grammar: Callable[[str], Answer], limit: int = 1 << 18):
        self._grammar, self._limit = grammar, limit
        self._answers: dict[str, Answer | str] = {}

    def __call__(self, key: str) -> Answer | str:
        answer = self._answers.get(key)
        if answer is None:
            try:
                answer = self._grammar(key)
            except Refusal as refusal:
                answer = refusal.why
            except (IndexError, KeyError, ValueError, RecursionError) as error:  # pragma: no cover
                answer = (f"the reader failed on this form ({type(error).__name__}); "
                          "please report it")
            if len(self._answers) >= self._limit:
                self._answers.clear()
            self._answers[key] = answer
        return answer

    def clear(self) -> None:
        self._answers.clear()
