"""The written conventions for vague words: the one set of tables the figure and date readers apply.

`docs/conventions.md` is rendered from these tables (`conventions_markdown`), and a test checks the
committed document against them, so the code and the documentation cannot drift. Every phrase is
written in lower case, words separated by one space; a hyphen is written as in the text.
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
    "a handful of": VagueQuantity(2, 5, "As 'a few'."),
    "a handful": VagueQuantity(2, 5, "As 'a few'."),
    "several": VagueQuantity(3, 9, "More than a few, fewer than ten; the same multiplier applies to "
                                   "'several hundred' (300-900) and 'several thousand' (3,000-9,000)."),
    "some": VagueQuantity(2, None, "Used alone, only plural is implied; no upper bound."),
    "a number of": VagueQuantity(2, None, "Plural and unspecified; no upper bound."),
    "many": VagueQuantity(2, None, "Plural; the word sets no bound that could be defended."),
    "numerous": VagueQuantity(2, None, "As 'many'."),
    "many dozens": VagueQuantity(24, None, "At least two dozen; 'many' sets no upper bound."),
    "many hundreds": VagueQuantity(200, None, "At least two hundred; no upper bound."),
    "many thousands": VagueQuantity(2_000, None, "At least two thousand; no upper bound."),
    "many millions": VagueQuantity(2_000_000, None, "At least two million; no upper bound."),
    "dozens": VagueQuantity(24, 99, "At least two dozen, below a hundred (ACLED codes 'dozens' as 12; "
                                    "we keep the range instead of a point)."),
    "scores": VagueQuantity(40, 199, "At least two score, below two hundred."),
    "tens of": VagueQuantity(20, 99, "'Tens of' soldiers: at least twenty, below a hundred."),
    "hundreds": VagueQuantity(200, 999, "At least two hundred, below a thousand."),
    "thousands": VagueQuantity(2_000, 9_999, "At least two thousand, below ten thousand."),
    "some thousands": VagueQuantity(2_000, 9_999, "As 'thousands'."),
    "tens of thousands": VagueQuantity(20_000, 99_999, "At least twenty thousand, below a hundred thousand."),
    "hundreds of thousands": VagueQuantity(200_000, 999_999, "At least two hundred thousand, below a million."),
    "millions": VagueQuantity(2_000_000, 9_999_999, "At least two million, below ten million."),
    "tens of millions": VagueQuantity(20_000_000, 99_999_999, "At least twenty million, below a hundred million."),
}

# 'a few' / 'several' before a scale word multiply it ('several thousand' is 3,000-9,000).
VAGUE_MULTIPLIERS: dict[str, tuple[int, int]] = {
    "a few": (2, 5),
    "several": (3, 9),
    "a couple of": (2, 3),
    "a couple": (2, 3),
}

# Scale words a vague multiplier may stand before.
VAGUE_SCALES: dict[str, int] = {"dozen": 12, "hundred": 100, "thousand": 1_000,
                                "hundred thousand": 100_000, "million": 1_000_000,
                                "billion": 1_000_000_000}


class Approximation(NamedTuple):
    qualifier: str
    low_factor: float | None
    high_factor: float | None
    why: str


_ABOUT = Approximation("approximate", 0.9, 1.1, "As 'about'.")
_NEARLY = Approximation("approximate", 0.9, 1.0, "As 'nearly'.")
_JUST_OVER = Approximation("approximate", 1.0, 1.1, "Just above the number: up to 10% more.")
_UP_TO = Approximation("at_most", None, 1.0, "An upper bound; no best value.")
_LESS = Approximation("less_than", None, 1.0, "As 'less than'.")
_AT_LEAST = Approximation("at_least", 1.0, None, "A lower bound; no best value.")
_OVER = Approximation("more_than", 1.0, None, "As 'over'.")

# Words before a number and what they do to it. best is the number itself unless said otherwise.
APPROXIMATIONS: dict[str, Approximation] = {
    "about": Approximation("approximate", 0.9, 1.1, "Within 10% either way."),
    "around": _ABOUT, "approximately": _ABOUT, "roughly": _ABOUT,
    "some": Approximation("approximate", 0.9, 1.1, "Before a number, 'some' means about."),
    "an estimated": _ABOUT, "estimated": _ABOUT, "estimated at": _ABOUT, "put at": _ABOUT,
    "~": _ABOUT, "c.": _ABOUT, "approx.": _ABOUT, "approx": _ABOUT, "est.": _ABOUT, "ca.": _ABOUT, "circa": _ABOUT, "close to": _ABOUT,
    "closer to": _ABOUT, "in the region of": _ABOUT, "on the order of": _ABOUT, "in the order of": _ABOUT,
    "something like": _ABOUT, "somewhere around": _ABOUT, "an approximate": _ABOUT,
    "nearly": Approximation("approximate", 0.9, 1.0, "Just below the number: up to 10% less."),
    "almost": _NEARLY, "just under": _NEARLY, "just short of": _NEARLY, "close on": _NEARLY,
    "just below": _NEARLY, "just shy of": _NEARLY,
    "just over": _JUST_OVER, "slightly more than": _JUST_OVER, "a little over": _JUST_OVER,
    "just above": _JUST_OVER, "a little more than": _JUST_OVER, "slightly over": _JUST_OVER,
    "up to": _UP_TO, "as many as": _UP_TO, "at most": _UP_TO, "no more than": _UP_TO,
    "not more than": _UP_TO, "as high as": _UP_TO, "a maximum of": _UP_TO, "maximum of": _UP_TO,
    "at the most": _UP_TO, "as much as": _UP_TO,
    "less than": Approximation("less_than", None, 1.0, "A strict upper bound, stored as `high`; the "
                                                        "qualifier says it is strict."),
    "fewer than": _LESS, "under": _LESS, "below": _LESS, "well under": _LESS, "well below": _LESS,
    "at least": _AT_LEAST, "no fewer than": _AT_LEAST, "no less than": _AT_LEAST,
    "not less than": _AT_LEAST, "not fewer than": _AT_LEAST, "a minimum of": _AT_LEAST,
    "minimum of": _AT_LEAST,
    "over": Approximation("more_than", 1.0, None, "A strict lower bound, stored as `low`; the "
                                                  "qualifier says it is strict."),
    "more than": _OVER, "upwards of": _OVER, "upward of": _OVER, "in excess of": _OVER,
    "exceeds": _OVER, "exceeding": _OVER, "exceeded": _OVER, "north of": _OVER,
    "well over": _OVER, "well above": _OVER, "above": _OVER, "well in excess of": _OVER,
    "well beyond": _OVER, "beyond": _OVER,
}

# Words after a number ("9,000+", "3,000 or so").
TRAILING_QUALIFIERS: dict[str, Approximation] = {
    "+": Approximation("at_least", 1.0, None, "A trailing plus ('9,000+') reads 'or more'."),
    "or more": _AT_LEAST, "or above": _AT_LEAST, "and above": _AT_LEAST,
    "or so": _ABOUT, "or thereabouts": _ABOUT, "give or take": _ABOUT,
    "or fewer": _UP_TO, "or less": _UP_TO,
}

# Words before a number that introduce it and leave its reading alone ("troops numbering 8,000",
# "a force of 10,000"), with the words that may stand before them ("is", "were", ...).
LEAD_INS: tuple[str, ...] = (
    "numbering", "numbered", "number", "totalling", "totaling", "totalled", "totaled", "total",
    "amounting to", "amounted to", "reaching", "reached", "reach", "stands at", "stood at",
    "standing at", "rose to", "rising to", "risen to", "grew to", "growing to", "climbed to",
    "fell to", "dropped to", "increased to", "decreased to", "thought to be",
    "thought to number", "believed to be", "believed to number", "said to be", "said to number",
    "reported to be", "reported to number", "understood to be", "estimated to be",
    "estimated to number", "estimated to total", "is", "are", "was", "were", "be", "been",
    "a total of", "a force of", "a contingent of", "a group of", "a unit of", "a team of",
    "a deployment of", "a batch of", "a shipment of", "only", "just", "a mere", "the",
    "bringing the total to", "taking the total to", "raising the total to", "brings the total to",
    "has", "have", "had", "with", "losses of", "a loss of", "casualties of", "a toll of",
    "a death toll of", "a workforce of", "deliveries of", "shipments of", "killing", "wounding",
    "worth", "valued at", "putting the number at", "putting the total at", "put the number at",
    "an estimated total of",
    "averaging", "averaged", "an average of", "on average", "at a rate of", "a daily average of",
    "a weekly average of", "a monthly average of", "within",
    "risen by", "rose by", "rising by", "increased by", "increasing by", "grew by", "grown by",
    "growing by", "climbed by", "up by", "an increase of", "a rise of",
    "for", "in", "lasting", "over a period of", "a period of",
)
# An estimate verb before the number makes it approximate (when no other qualifier is written).
ESTIMATE_LEAD_INS: frozenset[str] = frozenset({"estimated to be", "estimated to number",
                                               "estimated to total", "an estimated total of"})
# These make the number an addition to an earlier figure ("has risen by about 2,000").
INCREMENT_LEAD_INS: frozenset[str] = frozenset({
    "risen by", "rose by", "rising by", "increased by", "increasing by", "grew by", "grown by",
    "growing by", "climbed by", "up by", "an increase of", "a rise of"})
# A mean says nothing about a total unless it is over a period: these give the period, or need
# one after the number ("averaging about 1,200 per day"), and are refused without it.
RATE_LEAD_INS: dict[str, str | None] = {
    "averaging": None, "averaged": None, "an average of": None, "on average": None,
    "at a rate of": None, "a daily average of": "day", "a weekly average of": "week",
    "a monthly average of": "month"}
# These introduce a length of time ("for more than two months", "in under two weeks") and are
# refused before anything else.
DURATION_LEAD_INS: frozenset[str] = frozenset({"for", "in", "lasting", "over a period of",
                                               "a period of", "within"})
# Of these, the ones that bound the length of time: "within 48 hours" is at most 48 hours.
DURATION_BOUNDS: dict[str, str] = {"within": "up to"}
# Lead-ins that open the phrase: no words may stand before them ("compared with 1,500").
OPENING_LEAD_INS: frozenset[str] = frozenset({"with", "for", "in", "within", "lasting",
                                              "killing", "wounding", "over a period of",
                                              "a period of"})
# Qualifiers that are verbs ("troops estimated at 12,000"): what they qualify may stand before.
QUALIFYING_VERBS: frozenset[str] = frozenset({"estimated at", "put at"})


class Combination(NamedTuple):
    rule: str
    example: str
    reading: str


class ColumnRefusal(NamedTuple):
    holds: str  # the kind of figure a column holds: count, fraction (a share) or money
    example: str  # a phrase that reads, as something else
    reads_as: str  # what it reads as
    why: str


# What a figure column of each kind refuses, though the phrase reads (the build's rules, and a
# test builds each example into such a column and expects it refused). A rate ("500 a day") is
# taken by a column of counts or money, with its period in the column's `*_per` field.
COLUMN_REFUSALS: tuple[ColumnRefusal, ...] = (
    ColumnRefusal("count", "$2 billion", "money", "a sum is not a number of things"),
    ColumnRefusal("count", "half", "a share", "a share of a whole is not a number of things"),
    ColumnRefusal("count", "for two months", "a duration", "a length of time is not a count"),
    ColumnRefusal("count", "twice as many", "a ratio", "a multiple needs the figure it "
                  "multiplies"),
    ColumnRefusal("count", "another 2,000", "an increment", "an addition to an earlier figure "
                  "is not the figure"),
    ColumnRefusal("fraction", "3,000", "a count", "a number of things is not a share"),
    ColumnRefusal("fraction", "20% a day", "a rate", "a share is of a whole, not per a period"),
    ColumnRefusal("money", "3,000 shells", "a count", "a number of things is not a sum"),
)


# How a qualifier combines with what follows it, where the table above gives a factor for N and
# the phrase has more than one N. Each rule follows from the factors; no other pairing is read.
COMBINATIONS: tuple[Combination, ...] = (
    Combination("an approximation before a range", "approximately 10,000 to 12,000",
                "qualifier approximate, no best; low is the approximation's low factor times the "
                "lower end (9,000), high its high factor times the upper end (13,200). Only "
                "qualifiers whose qualifier is `approximate` (both factors set) may stand before a "
                "range; a bound ('as many as 10,000 to 12,000') is refused: it could bound either "
                "end."),
    Combination("a bound before an approximation", "up to approximately 3 million",
                "the bound's qualifier (at_most); its one side is the approximation's factor on "
                "that side times N (high 1.1 x N = 3,300,000), the other side open, no best. Two "
                "bounds, or an approximation before a bound, are refused."),
    Combination("a bound before a vague quantity", "at least several million",
                "the bound's qualifier (at_least); the bound's side keeps the vague quantity's "
                "bound on that side (low 3,000,000), the other side open, no best. Refused where "
                "the vague quantity has no bound on that side ('up to many'); an approximation "
                "before a vague quantity ('about several thousand') is refused."),
    Combination("a share of a stated whole", "more than a third of the 11,000 soldiers",
                "the share (more_than, low 1/3); the number after 'of' or 'of the' is the whole "
                "the share is of and is kept in `counted`, never read as a second figure."),
    Combination("a part out of a stated whole", "21 out of the 50",
                "the share 21/50, as '21 out of 50'."),
    Combination("a calibre after the figure", "500,000 rounds of 122 mm artillery shells",
                "500,000; a number directly followed by a calibre unit names the calibre, kept in "
                "`counted`. A calibre unit right after the figure itself ('155mm', '500,000 mm') "
                "makes it a length, and is refused."),
)


# Words that make a figure an addition to an earlier one ("another 2,000", "2,000 more").
INCREMENTS_BEFORE: tuple[str, ...] = ("another", "an additional", "a further", "an extra",
                                      "additional", "further", "a fresh", "an additional of")
INCREMENTS_AFTER: tuple[str, ...] = ("more", "additional", "extra", "further")

# Words that make a number a multiple of another, not a count: such a figure is never a count.
# Those in `MULTIPLES` are read as kind ratio; the others, and these outside the forms below,
# are refused.
MULTIPLIER_WORDS: frozenset[str] = frozenset({
    "twice", "double", "doubled", "doubling", "triple", "tripled", "tripling", "treble",
    "trebled", "quadruple", "quadrupled", "times", "fold", "twofold", "threefold", "fourfold",
    "fivefold", "tenfold", "hundredfold", "thrice"})
# Units of time: a number of them is a duration (kind duration, value in the unit as written).
DURATION_UNITS: frozenset[str] = frozenset({
    "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
    "month", "months", "year", "years", "decade", "decades", "century", "centuries"})
# The unit a duration keeps, as written: "two months" is 2 month, never converted to days.
DURATION_UNIT: dict[str, str] = {
    word: "century" if word == "centuries" else word.removesuffix("s") for word in DURATION_UNITS}


class Multiple(NamedTuple):
    factor: float
    # What the word is without a follower ('as many', 'the size'): a ratio all the same,
    # refused ('twice' may count occasions: "visited twice"), or a share ('half of the troops').
    alone: str
    verb: bool  # a verb whose subject may stand before it ("deliveries doubled")


# Multiples read as kind ratio: the new figure over the one it is compared with.
MULTIPLES: dict[str, Multiple] = {
    "doubled": Multiple(2, "ratio", True), "tripled": Multiple(3, "ratio", True),
    "trebled": Multiple(3, "ratio", True), "quadrupled": Multiple(4, "ratio", True),
    "doubling": Multiple(2, "ratio", False), "tripling": Multiple(3, "ratio", False),
    "trebling": Multiple(3, "ratio", False), "quadrupling": Multiple(4, "ratio", False),
    "twofold": Multiple(2, "ratio", False), "threefold": Multiple(3, "ratio", False),
    "fourfold": Multiple(4, "ratio", False), "fivefold": Multiple(5, "ratio", False),
    "tenfold": Multiple(10, "ratio", False), "hundredfold": Multiple(100, "ratio", False),
    "halved": Multiple(0.5, "ratio", True), "halving": Multiple(0.5, "ratio", False),
    "double": Multiple(2, "ratio", False), "triple": Multiple(3, "ratio", False),
    "treble": Multiple(3, "ratio", False), "quadruple": Multiple(4, "ratio", False),
    "twice": Multiple(2, "refused", False), "thrice": Multiple(3, "refused", False),
    "half": Multiple(0.5, "share", False),
}
# What must follow 'twice', 'double' or 'N times' for it to be a multiple rather than a number of
# occasions ("fired three times").
MULTIPLE_FOLLOWERS: tuple[str, ...] = (
    "as many", "as much", "as large", "as big", "as high", "as great", "the size", "the number",
    "the amount", "the level", "the total", "the rate", "the volume")
# After 'N times' these are read as N or N + 1 times by different writers: refused.
AMBIGUOUS_AFTER_TIMES: frozenset[str] = frozenset({"more", "larger", "bigger", "greater",
                                                   "higher", "less", "fewer", "smaller"})
# 'over' before a length of time may mean 'during' as well as 'more than': refused there.
AMBIGUOUS_BEFORE_DURATION: frozenset[str] = frozenset({"over", "above"})
# Words after a length of time that make it a point in time ("two months ago"): refused.
POINT_IN_TIME_AFTER: frozenset[str] = frozenset({"ago", "later", "earlier", "before", "after",
                                                 "since", "hence", "from"})
# Units of a calibre: a number directly before one names a calibre ("122 mm"), not a count.
CALIBRE_UNITS: frozenset[str] = frozenset({"mm", "millimetre", "millimeter"})
# Words after a number that make it a decrease ("2,000 fewer"): refused.
DECREASE_WORDS: frozenset[str] = frozenset({"fewer", "less"})

# Rates: the period a figure is counted over ("500 a day", "3,000 per month").
RATE_PERIODS: dict[str, str] = {"day": "day", "week": "week", "month": "month", "year": "year",
                                "annum": "year"}
RATE_WORDS: dict[str, str] = {"daily": "day", "weekly": "week", "monthly": "month",
                              "annually": "year", "yearly": "year"}
RATE_INTRODUCERS: frozenset[str] = frozenset({"a", "an", "per", "each", "every"})

# Currencies by the symbol or word written with an amount, as ISO 4217 codes.
CURRENCY_SYMBOLS: dict[str, str] = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR",
                                    "eur": "EUR", "£": "GBP", "gbp": "GBP", "₩": "KRW",
                                    "krw": "KRW", "₽": "RUB", "rub": "RUB", "¥": "CNY",
                                    "cny": "CNY", "rmb": "CNY", "₴": "UAH", "uah": "UAH"}
CURRENCY_WORDS: dict[str, str] = {
    "dollars": "USD", "dollar": "USD", "us dollars": "USD", "u.s. dollars": "USD",
    "won": "KRW", "south korean won": "KRW", "north korean won": "KPW",
    "roubles": "RUB", "rubles": "RUB", "rouble": "RUB", "ruble": "RUB",
    "euros": "EUR", "euro": "EUR", "pounds": "GBP", "pounds sterling": "GBP",
    "yuan": "CNY", "renminbi": "CNY", "hryvnias": "UAH", "hryvnia": "UAH", "yen": "JPY"}

# Scale words after a number.
# Numbers written in words: the units and teens, the tens ("twenty-five", "one hundred and
# twelve"); "hundred" and "dozen" multiply what comes before them.
NUMBER_UNITS: dict[str, int] = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
NUMBER_TENS: dict[str, int] = {w: 10 * i for i, w in enumerate(
    "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if w != "_"}
# Words after a number that make it a share of a hundred.
PERCENT_WORDS: tuple[str, ...] = ("%", "per cent", "percent", "pc", "per-cent")
SCALE_WORDS: dict[str, int] = {"hundred": 100, "thousand": 1_000, "million": 1_000_000,
                               "billion": 1_000_000_000, "trillion": 1_000_000_000_000}
# Scale suffixes glued to digits ("12k", "1.4m", "2.5bn").
SCALE_SUFFIXES: dict[str, int] = {"k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000,
                                  "bn": 1_000_000_000, "b": 1_000_000_000, "tn": 1_000_000_000_000}

# Shares written as words.
SHARE_WORDS: dict[str, float] = {
    "half": 0.5, "a half": 0.5, "one half": 0.5, "a third": 1 / 3, "one third": 1 / 3,
    "one-third": 1 / 3, "two thirds": 2 / 3, "two-thirds": 2 / 3, "a quarter": 0.25,
    "one quarter": 0.25, "one-quarter": 0.25, "three quarters": 0.75, "three-quarters": 0.75,
    "a fifth": 0.2, "one fifth": 0.2, "one-fifth": 0.2, "two fifths": 0.4, "two-fifths": 0.4,
    "three fifths": 0.6, "three-fifths": 0.6, "four fifths": 0.8, "four-fifths": 0.8,
    "a tenth": 0.1, "one tenth": 0.1, "one-tenth": 0.1,
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
    "the first half of": (1, 15),
    "the second half of": (16, None),
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

# Parts of a decade ("the late 1990s"): which of its years they cover.
DECADE_PARTS: dict[str, tuple[int, int]] = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}

# Seasons as EDTF codes (northern hemisphere, meteorological: summer is June to August).
SEASONS: dict[str, int] = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}

class RelativeDate(NamedTuple):
    rule: str  # how dates.py computes it from the reference
    why: str


# Date phrases counted from the reference day (the publication date), and what they cover.
# Phrases with the same rule are spellings of one meaning.
_R = RelativeDate
RELATIVE_DATES: dict[str, RelativeDate] = {
    "today": _R("today", "The reference day."),
    "yesterday": _R("yesterday", "The day before the reference."),
    "the day before yesterday": _R("day_before_yesterday", "Two days before the reference."),
    "this week": _R("this_week", "Monday of the reference's week to the reference."),
    "earlier this week": _R("this_week", "As 'this week'."),
    "last week": _R("last_week", "The Monday-to-Sunday week before the reference's week."),
    "the previous week": _R("last_week", "As 'last week'."),
    "the past week": _R("past_week", "The seven days ending on the reference."),
    "next week": _R("next_week", "The Monday-to-Sunday week after the reference's week."),
    "this morning": _R("today", "The reference day."),
    "this afternoon": _R("today", "The reference day."),
    "this evening": _R("today", "The reference day."),
    "tonight": _R("today", "The reference day."),
    "earlier in the day": _R("today", "The reference day."),
    "later in the day": _R("today", "The reference day."),
    "earlier today": _R("today", "The reference day."),
    "later today": _R("today", "The reference day."),
    "over the weekend": _R("weekend", "The latest Saturday and Sunday ending on or before the "
                                      "reference."),
    "the weekend": _R("weekend", "As 'over the weekend'."),
    "at the weekend": _R("weekend", "As 'over the weekend'."),
    "this weekend": _R("weekend", "As 'over the weekend'."),
    "last weekend": _R("weekend", "As 'over the weekend'."),
    "the past weekend": _R("weekend", "As 'over the weekend'."),
    "this past weekend": _R("weekend", "As 'over the weekend'."),
    "this month": _R("this_month", "The first of the reference's month to the reference."),
    "earlier this month": _R("this_month", "As 'this month'."),
    "last month": _R("last_month", "The calendar month before the reference's."),
    "the previous month": _R("last_month", "As 'last month'."),
    "the past month": _R("past_month", "The thirty days ending on the reference."),
    "next month": _R("next_month", "The calendar month after the reference's."),
    "this year": _R("this_year", "The reference's calendar year."),
    "earlier this year": _R("earlier_this_year", "1 January of the reference's year to the "
                                                 "reference."),
    "earlier in the year": _R("earlier_this_year", "As 'earlier this year'."),
    "last year": _R("last_year", "The calendar year before the reference's."),
    "the previous year": _R("last_year", "As 'last year'."),
    "next year": _R("next_year", "The calendar year after the reference's."),
    "year-end": _R("year_end", "December of the reference's year."),
    "the year-end": _R("year_end", "As 'year-end'."),
    "year end": _R("year_end", "As 'year-end'."),
    "the end of the year": _R("year_end", "As 'year-end'."),
    "end of the year": _R("year_end", "As 'year-end'."),
    "in the coming months": _R("coming", "Open: from the reference on."),
    "the coming months": _R("coming", "As 'in the coming months'."),
    "in the coming weeks": _R("coming", "As 'in the coming months'."),
    "the coming weeks": _R("coming", "As 'in the coming months'."),
    "in the coming days": _R("coming", "As 'in the coming months'."),
    "in the months ahead": _R("coming", "As 'in the coming months'."),
    "the months ahead": _R("coming", "As 'in the coming months'."),
}

# Which way a word before a date or a month points from the report: back, this one, forward
# ("last December", "this spring", "next year").
DIRECTIONS: dict[str, int] = {"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1}

# Tense: where a date gives no year (or is a weekday), the verb around it says whether it lies
# before or after the report ("will arrive in December" is the December ahead; "arrived in
# December" the one before). A reader looks for these phrases in the sentence, nearest to the
# date first; where it finds none, or finds both kinds at the same distance, only `NEARER` can
# settle it, else the date is refused as ambiguous, not guessed. A date whose span holds the
# report's day needs no tense.
FUTURE_CUES: frozenset[str] = frozenset({
    "will", "would", "shall", "'ll", "is due", "are due", "due to", "due in", "due on",
    "is expected", "are expected", "expected to", "is scheduled", "are scheduled",
    "scheduled to", "scheduled for", "is planned", "are planned", "planned for", "plans to",
    "plan to", "planning to", "is set to", "are set to", "set to", "set for", "to be held",
    "going to",
    "upcoming", "forthcoming", "intends to", "intend to", "aims to", "aim to", "is to", "are to",
    "expects", "expect", "could", "may", "might", "hopes to", "hope to", "next", "planned",
    "scheduled", "expected", "intended", "proposed", "anticipated", "slated"})
# Before a cue looking forward, these make it a plan told in the past ("was due to", "were
# scheduled for"): the date may lie before the report or after it, so no tense is read.
PAST_AUXILIARIES: frozenset[str] = frozenset({"was", "were", "had"})
# Month names that are also verbs: in running text, months only where capitalised.
MONTHS_THAT_ARE_VERBS: frozenset[str] = frozenset({"may", "march"})
# A word ending so is read as a past form ("issued", "crossed") unless it is a cue looking
# forward ("planned", "expected") or one of these, which are not past forms of a verb here.
PAST_ENDING = "ed"
NOT_PAST_FORMS: frozenset[str] = frozenset({
    "hundred", "armed", "united", "unnamed", "alleged", "detailed", "limited", "advanced",
    "based", "related", "called", "named", "need", "speed", "feed", "seed", "red", "bed",
    "indeed", "embed", "unverified", "unconfirmed", "unidentified", "involved", "concerned"})
# With no verb to say which way, a date with no year is the occurrence nearer the report where
# the other lies at least this many times as far ('14 October' in a report of 17 October is
# three days before, not 362 days ahead; 'in June' in a report of 17 October the June before);
# nearer than that, it is ambiguous.
NEARER = 2
PAST_CUES: frozenset[str] = frozenset({
    "was", "were", "had", "did", "said", "told", "reported", "announced", "confirmed", "claimed",
    "stated", "added", "noted", "wrote", "arrived", "began", "started", "ended", "took place",
    "happened", "occurred", "sent", "deployed", "fired", "launched", "held", "met", "signed",
    "visited", "killed", "crossed", "returned", "moved", "left", "landed", "travelled",
    "traveled", "ratified", "approved", "agreed", "denied", "published", "released", "showed",
    "spotted", "identified", "ago", "earlier", "last", "previously", "already", "has been",
    "have been", "had been", "struck", "hit", "shot", "fought", "flew", "drove", "gave", "made",
    "saw", "took", "came", "went", "brought", "caught", "spoke", "broke", "led", "fled", "sank",
    "won", "lost", "paid", "sold", "bought", "built", "knew", "thought", "found", "kept",
    "ran", "rose", "fell", "sent", "spent", "stood", "won", "withdrew", "overran", "shelled",
    "downed", "seized"})

# The words of dates (besides the calendar's month and weekday names, and the tables above).
MONTH_ABBREVIATIONS: dict[str, int] = {"sept": 9}
WEEKDAY_ABBREVIATIONS: dict[str, int] = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}
DATE_ORDINALS: dict[str, int] = {"first": 1, "second": 2, "third": 3, "fourth": 4}
ORDINAL_SUFFIXES: frozenset[str] = frozenset({"st", "nd", "rd", "th"})
# A time of day after a date: the date is the day, whatever the hour.
MERIDIEM: tuple[str, ...] = ("am", "pm", "a.m.", "p.m.", "a.m", "p.m")
TIMEZONES: frozenset[str] = frozenset({
    "et", "pt", "ct", "mt", "z", "utc", "gmt", "kst", "msk", "cet", "cest", "est", "edt", "pst",
    "pdt", "bst", "eet", "eest", "jst"})
# Words before a date that leave it as it is ("on 14 October", "during the summer").
NEUTRAL_BEFORE_DATE: tuple[str, ...] = ("on", "in", "during", "at", "over", "throughout",
                                        "around the time of")
# Words before a four-digit year that make it approximate ("around 2020", "c. 1965").
APPROXIMATE_YEAR: frozenset[str] = frozenset({"around", "about", "circa", "c", "ca"})
# In a clause, a date next to one of these (or across one preposition of `ACROSS`) may be part
# of another phrase ("late in 2023", "the week of Oct. 14", "the latter part of October"), so
# the clause's date is not read; unless the word is a verb ("to start in the spring").
NOT_A_DATE: frozenset[str] = frozenset({
    "-", "latter", "former", "part", "week", "weeks", "month", "months", "year", "run", "eve",
    "ago", "later", "earlier", "before", "after", "or", "to", "until", "till", "through",
    "onwards", "onward", "between", "since", "from", "by", "not", "no", "than", "prior", "ahead",
    "following", "within", "around", "about", "circa", "early", "mid", "late", "end", "start",
    "beginning", "middle", "half", "last", "next", "this", "every", "each"})
ACROSS: frozenset[str] = frozenset({"in", "on", "at", "of", "during", "over", "throughout", "for"})
BEFORE_A_VERB: frozenset[str] = frozenset({"to", "will", "would", "could", "may", "might", "can",
                                           "shall", "must", "did"})
# Words after "the 27th" with which it is a day ("on the 27th and 28th"), not an ordinal ("the
# 11th Corps"); words after a season with which it is a date ("the winter of 2023"), not a
# name ("the winter drills").
AFTER_A_DAY: frozenset[str] = frozenset({"and", "or", "when", "as", "after", "before", "to",
                                         "until", "at", "in"})
AFTER_A_SEASON: frozenset[str] = frozenset({"of", "and", "or", "to", "until", "through", "when",
                                            "as", "that", "last", "this", "next", "the",
                                            "before", "after", "s"})
# Before a past form, these make it not a past ("will be held", "is poised to").
PASSIVE_BEFORE: frozenset[str] = frozenset({"be", "being", "is", "are", "am"})

# Counts and units in relative dates ("the past eight months", "three days ago").
DATE_COUNTS: dict[str, int] = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                               "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
                               "twelve": 12, "a": 1}
DATE_UNITS: dict[str, str] = {"day": "day", "days": "day", "week": "week", "weeks": "week",
                              "month": "month", "months": "month", "year": "year",
                              "years": "year"}

# Words that, after "the", relate a date to another event ("the following Tuesday", "the next
# day"): such a date is found but not read (its date is the other event's, moved).
EVENT_WORDS: frozenset[str] = frozenset({"following", "next", "same"})

# Words before a date that change what it means; each gives the kind of open interval.
DATE_OPENERS: dict[str, str] = {
    "since": "from", "from": "from", "starting": "from", "starting in": "from", "as of": "on",
    "until": "until", "till": "until", "up to": "until", "through": "until", "by": "until",
    "before": "before", "prior to": "before", "ahead of": "before",
    "after": "after", "following": "after",
}


def conventions_markdown() -> str:
    """The conventions as the Markdown tables of docs/conventions.md."""
    def cell(value: int | None) -> str:
        return "" if value is None else f"{value:,}"

    lines = ["## Vague quantities", "",
             "`best` is empty for all of these: the text states no single value.", "",
             "| phrase | low | high | why |", "| --- | --- | --- | --- |"]
    for phrase, v in VAGUE_QUANTITIES.items():
        lines.append(f"| {phrase} | {cell(v.low)} | {cell(v.high)} | {v.why} |")
    lines += ["", "Before a scale word ('several thousand', 'a few hundred', 'several dozen'):", "",
              "| phrase | low multiple | high multiple |", "| --- | --- | --- |"]
    for phrase, (low, high) in VAGUE_MULTIPLIERS.items():
        lines.append(f"| {phrase} | {low} | {high} |")
    lines += ["", "Scale words they multiply: " + ", ".join(f"{w} ({n:,})" for w, n in
                                                            VAGUE_SCALES.items()) + "."]
    for title, table in (("Qualifiers of a stated number N", APPROXIMATIONS),
                         ("Qualifiers after a stated number N", TRAILING_QUALIFIERS)):
        lines += ["", f"## {title}", "",
                  "| words | qualifier | low | high | why |", "| --- | --- | --- | --- | --- |"]
        for words, a in table.items():
            low_cell = "" if a.low_factor is None else f"{a.low_factor:g} x N"
            high_cell = "" if a.high_factor is None else f"{a.high_factor:g} x N"
            lines.append(f"| {words} | {a.qualifier} | {low_cell} | {high_cell} | {a.why} |")
    lines += ["", "## What a figure column refuses", "",
              "A phrase that reads, but as something other than what its column holds, is a "
              "located problem of the build. A rate ('500 a day') is taken by a column of counts "
              "or of money, with its period in the column's `*_per` field.", "",
              "| column holds | example | reads as | why |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.holds} | {r.example} | {r.reads_as} | {r.why} |" for r in COLUMN_REFUSALS]
    lines += ["", "## Qualifiers with more than one N", "",
              "| rule | example | reading |", "| --- | --- | --- |"]
    lines += [f"| {r.rule} | {r.example} | {r.reading} |" for r in COMBINATIONS]
    lines += ["", "## Words that introduce a number", "",
              "A closed list: a word before the number that is not in it is refused. They leave "
              "its reading alone, except as the second column says.", "",
              "| words | does |", "| --- | --- |"]
    does = {**{w: "approximate, where no other qualifier is written (as 'about')"
               for w in ESTIMATE_LEAD_INS},
            **{w: "an increment (an addition to an earlier figure)" for w in INCREMENT_LEAD_INS},
            **{w: f"a rate per {p}" if p else "needs a period ('a day'); refused without one"
               for w, p in RATE_LEAD_INS.items()},
            **{w: "only before a length of time (kind duration); refused before anything else"
               + (f", read as '{DURATION_BOUNDS[w]}'" if w in DURATION_BOUNDS else "")
               for w in DURATION_LEAD_INS}}
    lines += [f"| {w} | {does.get(w, '')}{'; opens the phrase' if w in OPENING_LEAD_INS else ''} |"
              for w in LEAD_INS]
    lines += ["", "## Increments", "",
              "The figure adds to an earlier one; `increment` is true and the bounds are those of the "
              "number itself.", "",
              "- before the number: " + ", ".join(f"'{w}'" for w in INCREMENTS_BEFORE),
              "- after the number: " + ", ".join(f"'{w}'" for w in INCREMENTS_AFTER),
              "", "## Durations (kind duration, never a count)", "",
              "A number, a range or a qualified number followed by one of these is a length of "
              "time, its value in the unit as written ('two months' is 2, unit month; never "
              "converted to days); 'a'/'an' before the unit is one ('a year and a half' 1.5, "
              "'half a year' 0.5), and 'a 90-day deployment' is 90 days. The lead-ins marked so "
              "may introduce it ('within' as 'up to'). Before a length of time "
              + " and ".join(f"'{w}'" for w in sorted(AMBIGUOUS_BEFORE_DURATION))
              + " may mean 'during' as well as 'more than', and are refused. A vague duration "
              "('several weeks'), and one that is a rate, money or a share, are refused, and so "
              "is one followed by "
              + ", ".join(f"'{w}'" for w in sorted(POINT_IN_TIME_AFTER))
              + " (a point in time: 'two months ago').", "",
              "| written | unit |", "| --- | --- |"]
    lines += [f"| {w} | {u} |" for w, u in sorted(DURATION_UNIT.items())]
    lines += ["", "## Multiples (kind ratio, never a count)", "",
              "The figure over the one it is compared with. A qualifier before it works as on a "
              "number ('more than tripled': more_than, low 3, no high). 'N times' (a number or a "
              "range) is a ratio of N only before a follower, and 'N-fold' a ratio of N; the "
              "words below are read before a follower, and alone as the third column says; a "
              "verb may have what it counts before it ('deliveries doubled'). "
              "'N times' before " + ", ".join(f"'{w}'" for w in sorted(AMBIGUOUS_AFTER_TIMES))
              + " is read as N or N + 1 times by different writers, and is refused.", "",
              "| words | ratio | alone |", "| --- | --- | --- |"]
    alone = {"ratio": "a ratio", "refused": "refused: it may count occasions ('visited twice')",
             "share": "a share, not a multiple ('half of the troops')"}
    lines += [f"| {w} | {m.factor:g} | {alone[m.alone]} |" for w, m in MULTIPLES.items()]
    lines += ["", "Followers: " + ", ".join(f"'{w}'" for w in MULTIPLE_FOLLOWERS) + ".",
              "", "## Refused: not a count", "",
              "- multiplier words outside the forms above: " + ", ".join(sorted(MULTIPLIER_WORDS)),
              "- calibres (a number directly before one names a calibre, not a count): "
              + ", ".join(sorted(CALIBRE_UNITS)),
              "- decreases (after the number): " + ", ".join(sorted(DECREASE_WORDS)),
              "", "## Rates", "",
              "After the number or what it counts, " + "/".join(f"'{w}'" for w in
                                                                 sorted(RATE_INTRODUCERS))
              + " and a period, or one word:", "", "| words | per |", "| --- | --- |"]
    lines += [f"| a/per {w} | {p} |" for w, p in RATE_PERIODS.items()]
    lines += [f"| {w} | {p} |" for w, p in RATE_WORDS.items()]
    lines += ["", "## Currencies", "", "| written | ISO 4217 |", "| --- | --- |"]
    lines += [f"| {w} | {c} |" for w, c in {**CURRENCY_SYMBOLS, **CURRENCY_WORDS}.items()]
    lines += ["", "## Scales", "", "| written | factor |", "| --- | --- |"]
    lines += [f"| {w} | {n:,} |" for w, n in {**SCALE_WORDS, **SCALE_SUFFIXES}.items()]
    lines += ["", "## Shares in words", "", "| words | value |", "| --- | --- |"]
    lines += [f"| {w} | {v:.4g} |" for w, v in SHARE_WORDS.items()]
    lines += ["", "## Parts of a month", "", "| words | first day | last day |", "| --- | --- | --- |"]
    lines += [f"| {w} | {a} | {'end of month' if b is None else b} |" for w, (a, b) in MONTH_PARTS.items()]
    lines += ["", "## Parts of a year", "", "| words | first month | last month |",
              "| --- | --- | --- |"]
    lines += [f"| {w} | {a} | {b} |" for w, (a, b) in YEAR_PARTS.items()]
    lines += ["", "## Parts of a decade", "", "| words | first year | last year |",
              "| --- | --- | --- |"]
    lines += [f"| {w} | {a} | {b} |" for w, (a, b) in DECADE_PARTS.items()]
    lines += ["", "## Seasons", "", "| season | EDTF code | months |", "| --- | --- | --- |"]
    months = {21: "March-May", 22: "June-August", 23: "September-November",
              24: "December-February"}
    lines += [f"| {s} | {c} | {months[c]} |" for s, c in SEASONS.items()]
    lines += ["", "## Dates relative to the reference", "", "| words | covers |", "| --- | --- |"]
    lines += [f"| {w} | {r.why} |" for w, r in RELATIVE_DATES.items()]
    lines += ["", "## Tense", "",
              "A date with no year, and a weekday, lie before or after the report as the verb "
              "nearest to them says. With no such verb, or both kinds equally near, the date is "
              f"the occurrence nearer the report where the other is {NEARER} times as far or "
              "more, and is refused as ambiguous otherwise (a date whose span holds the "
              "report's day needs no tense).", "",
              "- looking forward: " + ", ".join(sorted(FUTURE_CUES)),
              "- looking back: " + ", ".join(sorted(PAST_CUES)) + f"; and a word ending in "
              f"'{PAST_ENDING}' that is not one of: " + ", ".join(sorted(NOT_PAST_FORMS))]
    lines += ["", "## Words of dates", "",
              "- day ordinals: " + ", ".join(DATE_ORDINALS),
              "- abbreviations beside the calendar's: " + ", ".join(
                  [*MONTH_ABBREVIATIONS, *WEEKDAY_ABBREVIATIONS]),
              "- a time of day after a date (read as the day): " + ", ".join(MERIDIEM)
              + "; zones " + ", ".join(sorted(TIMEZONES)),
              "- leave a date as it is: " + ", ".join(NEUTRAL_BEFORE_DATE),
              "- make a year approximate: " + ", ".join(sorted(APPROXIMATE_YEAR)),
              "- in a clause, make a date part of another phrase (next to it, or across "
              + ", ".join(sorted(ACROSS)) + "): " + ", ".join(sorted(NOT_A_DATE)),
              "- relate a date to another event after 'the': " + ", ".join(sorted(EVENT_WORDS)),
              "- months that are also verbs (months only when capitalised): "
              + ", ".join(sorted(MONTHS_THAT_ARE_VERBS))]
    lines += ["", "## Words that open a date", "", "| words | reads as |", "| --- | --- |"]
    meaning = {"from": "from the date on (open end)", "until": "up to the date's end (open start)",
               "before": "strictly before the date (open start)",
               "after": "strictly after the date (open end)", "on": "the date itself"}
    lines += [f"| {w} | {meaning[k]} |" for w, k in DATE_OPENERS.items()]
    return "\n".join(lines) + "\n"
