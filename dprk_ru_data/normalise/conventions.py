"""The written conventions for vague words: the one table the figure and date parsers apply.

`docs/conventions.md` is rendered from these tables (`conventions_markdown`), and a test checks the
committed document against them, so the code and the documentation cannot drift.
"""

from __future__ import annotations

from typing import NamedTuple


class VagueQuantity(NamedTuple):
    low: int | None
    high: int | None
    why: str


# Phrases for an unstated number of things. best is always empty: the text states no single value.
VAGUE_QUANTITIES: dict[str, VagueQuantity] = {
    "a couple of": VagueQuantity(2, 3, "Two, loosely three."),
    "a few": VagueQuantity(2, 5, "More than one, fewer than 'several'."),
    "several": VagueQuantity(3, 9, "More than a few, fewer than ten; the same multiplier applies to "
                                   "'several hundred' (300-900) and 'several thousand' (3,000-9,000)."),
    "some": VagueQuantity(2, None, "Used alone, only plural is implied; no upper bound."),
    "a number of": VagueQuantity(2, None, "Plural and unspecified; no upper bound."),
    "many": VagueQuantity(2, None, "Plural; the word sets no bound that could be defended."),
    "numerous": VagueQuantity(2, None, "As 'many'."),
    "dozens": VagueQuantity(24, 99, "At least two dozen, below a hundred (ACLED codes 'dozens' as 12; "
                                    "we keep the range instead of a point)."),
    "scores": VagueQuantity(40, 199, "At least two score, below two hundred."),
    "hundreds": VagueQuantity(200, 999, "At least two hundred, below a thousand."),
    "thousands": VagueQuantity(2_000, 9_999, "At least two thousand, below ten thousand."),
    "tens of thousands": VagueQuantity(20_000, 99_999, "At least twenty thousand, below a hundred thousand."),
    "hundreds of thousands": VagueQuantity(200_000, 999_999, "At least two hundred thousand, below a million."),
    "millions": VagueQuantity(2_000_000, 9_999_999, "At least two million, below ten million."),
}

# 'a few' / 'several' / 'dozens of' before a scale word multiply it.
VAGUE_MULTIPLIERS: dict[str, tuple[int, int]] = {
    "a few": (2, 5),
    "several": (3, 9),
    "a couple of": (2, 3),
}


class Approximation(NamedTuple):
    qualifier: str
    low_factor: float | None
    high_factor: float | None
    why: str


# Words before a number and what they do to it. best is the number itself unless said otherwise.
APPROXIMATIONS: dict[str, Approximation] = {
    "about": Approximation("approximate", 0.9, 1.1, "Within 10% either way."),
    "around": Approximation("approximate", 0.9, 1.1, "As 'about'."),
    "approximately": Approximation("approximate", 0.9, 1.1, "As 'about'."),
    "roughly": Approximation("approximate", 0.9, 1.1, "As 'about'."),
    "some": Approximation("approximate", 0.9, 1.1, "Before a number, 'some' means about."),
    "an estimated": Approximation("approximate", 0.9, 1.1, "As 'about'."),
    "estimated": Approximation("approximate", 0.9, 1.1, "As 'about'."),
    "~": Approximation("approximate", 0.9, 1.1, "As 'about'."),
    "c.": Approximation("approximate", 0.9, 1.1, "As 'about'."),
    "circa": Approximation("approximate", 0.9, 1.1, "As 'about'."),
    "nearly": Approximation("approximate", 0.9, 1.0, "Just below the number: up to 10% less."),
    "almost": Approximation("approximate", 0.9, 1.0, "As 'nearly'."),
    "up to": Approximation("at_most", None, 1.0, "An upper bound; no best value."),
    "as many as": Approximation("at_most", None, 1.0, "An upper bound; no best value."),
    "at most": Approximation("at_most", None, 1.0, "An upper bound; no best value."),
    "no more than": Approximation("at_most", None, 1.0, "An upper bound; no best value."),
    "less than": Approximation("less_than", None, 1.0, "A strict upper bound, stored as `high`; the "
                                                        "qualifier says it is strict."),
    "fewer than": Approximation("less_than", None, 1.0, "As 'less than'."),
    "under": Approximation("less_than", None, 1.0, "As 'less than'."),
    "at least": Approximation("at_least", 1.0, None, "A lower bound; no best value."),
    "no fewer than": Approximation("at_least", 1.0, None, "A lower bound; no best value."),
    "over": Approximation("more_than", 1.0, None, "A strict lower bound, stored as `low`; the "
                                                  "qualifier says it is strict."),
    "more than": Approximation("more_than", 1.0, None, "As 'over'."),
    "upwards of": Approximation("more_than", 1.0, None, "As 'over'."),
    "in excess of": Approximation("more_than", 1.0, None, "As 'over'."),
    "+": Approximation("at_least", 1.0, None, "A trailing plus ('9,000+') reads 'or more'."),
}

# Shares written as words.
SHARE_WORDS: dict[str, float] = {
    "all": 1.0, "half": 0.5, "a half": 0.5, "one half": 0.5, "a third": 1 / 3, "one third": 1 / 3,
    "two thirds": 2 / 3, "two-thirds": 2 / 3, "a quarter": 0.25, "one quarter": 0.25,
    "three quarters": 0.75, "three-quarters": 0.75, "a fifth": 0.2, "one fifth": 0.2,
    "a tenth": 0.1, "one tenth": 0.1,
}

# Parts of a month: which days they cover. "the end of" a month or year is its last part.
MONTH_PARTS: dict[str, tuple[int, int | None]] = {
    "early": (1, 10),
    "mid": (11, 20),
    "late": (21, None),
    "the beginning of": (1, 10),
    "the start of": (1, 10),
    "the middle of": (11, 20),
    "the end of": (21, None),
}

# Parts of a year: which months they cover.
YEAR_PARTS: dict[str, tuple[int, int]] = {
    "early": (1, 4),
    "mid": (5, 8),
    "late": (9, 12),
    "the beginning of": (1, 3),
    "the start of": (1, 3),
    "the first half of": (1, 6),
    "the middle of": (5, 8),
    "the second half of": (7, 12),
    "the end of": (12, 12),
}

# Seasons as EDTF codes (northern hemisphere, meteorological: summer is June to August).
SEASONS: dict[str, int] = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}


def conventions_markdown() -> str:
    """The conventions as the Markdown tables of docs/conventions.md."""
    lines = ["## Vague quantities", "",
             "`best` is empty for all of these: the text states no single value.", "",
             "| phrase | low | high | why |", "| --- | --- | --- | --- |"]
    for phrase, v in VAGUE_QUANTITIES.items():
        lines.append(f"| {phrase} | {'' if v.low is None else f'{v.low:,}'} | "
                     f"{'' if v.high is None else f'{v.high:,}'} | {v.why} |")
    lines += ["", "Before a scale word ('several thousand', 'a few hundred'):", "",
              "| phrase | low multiple | high multiple |", "| --- | --- | --- |"]
    for phrase, (low, high) in VAGUE_MULTIPLIERS.items():
        lines.append(f"| {phrase} | {low} | {high} |")
    lines += ["", "## Qualifiers of a stated number N", "",
              "| words | qualifier | low | high | why |", "| --- | --- | --- | --- | --- |"]
    for words, a in APPROXIMATIONS.items():
        low = "" if a.low_factor is None else f"{a.low_factor:g} x N"
        high = "" if a.high_factor is None else f"{a.high_factor:g} x N"
        lines.append(f"| {words} | {a.qualifier} | {low} | {high} | {a.why} |")
    lines += ["", "## Shares in words", "", "| words | value |", "| --- | --- |"]
    lines += [f"| {w} | {v:.4g} |" for w, v in SHARE_WORDS.items()]
    lines += ["", "## Parts of a month", "", "| words | first day | last day |", "| --- | --- | --- |"]
    lines += [f"| {w} | {a} | {'end of month' if b is None else b} |" for w, (a, b) in MONTH_PARTS.items()]
    lines += ["", "## Parts of a year", "", "| words | first month | last month |",
              "| --- | --- | --- |"]
    lines += [f"| {w} | {a} | {b} |" for w, (a, b) in YEAR_PARTS.items()]
    lines += ["", "## Seasons", "", "| season | EDTF code | months |", "| --- | --- | --- |"]
    months = {21: "March-May", 22: "June-August", 23: "September-November",
              24: "December-February"}
    lines += [f"| {s} | {c} | {months[c]} |" for s, c in SEASONS.items()]
    return "\n".join(lines) + "\n"
