"""Figure forms beyond a plain qualified number: quoted vague words, lead-ins, qualified ranges,
stacked qualifiers, a second number that qualifies the first, durations and multiples.

Each form is read honestly or refused, never fitted by dropping a word; a duration or a multiple
is its own kind, never a count, and the build refuses it in a column of counts.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_ru_data.build import build
from dprk_ru_data.errors import DataError
from dprk_ru_data.normalise import FigureError, parse_figure
from dprk_ru_data.normalise import conventions as c
from dprk_ru_data.normalise.figures import Figure

from .test_build import edit_cell

N = None
THIRD = 1 / 3

# text, (low, best, high, qualifier, kind, per, unit, increment), counted or ... (not checked)
READ = [
    # quotes around a vague word
    ('"hundreds" of casualties', (200, N, 999, "vague", "count", N, N, False), "casualties"),
    ("'dozens' of missiles", (24, N, 99, "vague", "count", N, N, False), "missiles"),
    # lead-ins from the closed list
    ("averaging about 1,200 per day", (1080, 1200, 1320, "approximate", "count", "day", N, False),
     N),
    ("a daily average of 2,000 shells", (2000, 2000, 2000, "exact", "count", "day", N, False),
     "shells"),
    ("losses of up to 4,000 troops", (N, N, 4000, "at_most", "count", N, N, False), "troops"),
    ("has risen by about 2,000", (1800, 2000, 2200, "approximate", "count", N, N, True), N),
    ("an increase of 2,000", (2000, 2000, 2000, "exact", "count", N, N, True), N),
    ("a contingent estimated at 12,000",
     (10800, 12000, 13200, "approximate", "count", N, N, False), "a contingent"),
    # a qualifier before a range widens each end by its own factor
    ("closer to 11,000 to 12,000", (9900, N, 13200, "approximate", "count", N, N, False), N),
    ("approximately 10,000 to 12,000 troops",
     (9000, N, 13200, "approximate", "count", N, N, False), "troops"),
    ("between roughly 3,000 and 4,000", (2700, N, 4400, "approximate", "count", N, N, False), N),
    ("about 11 to 12,000", (9900, N, 13200, "approximate", "count", N, N, False), N),
    # stacked qualifiers and bounds on vague quantities
    ("up to approximately 3 million", (N, N, 3_300_000, "at_most", "count", N, N, False), N),
    ("at least several million", (3_000_000, N, N, "at_least", "count", N, N, False), N),
    ("up to several thousand", (N, N, 9000, "at_most", "count", N, N, False), N),
    ("more than a few hundred", (200, N, N, "more_than", "count", N, N, False), N),
    # a second number that qualifies the first
    ("500,000 rounds of 122 mm artillery shells",
     (500_000, 500_000, 500_000, "exact", "count", N, N, False),
     "rounds of 122 mm artillery shells"),
    ("1,500 tonnes of 7.62 mm ammunition", (1500, 1500, 1500, "exact", "count", N, N, False),
     "tonnes of 7.62 mm ammunition"),
    ("more than a third of the 11,000 soldiers",
     (THIRD, N, N, "more_than", "fraction", N, N, False), "the 11,000 soldiers"),
    ("21 out of the 50", (0.42, 0.42, 0.42, "exact", "fraction", N, N, False), N),
    ("21 out of 50", (0.42, 0.42, 0.42, "exact", "fraction", N, N, False), N),
    # durations: the value in the unit as written
    ("for more than two months", (2, N, N, "more_than", "duration", N, "month", False), N),
    ("nearly two weeks", (1.8, 2, 2, "approximate", "duration", N, "week", False), N),
    ("in under two weeks", (N, N, 2, "less_than", "duration", N, "week", False), N),
    ("two months", (2, 2, 2, "exact", "duration", N, "month", False), N),
    ("within 48 hours", (N, N, 48, "at_most", "duration", N, "hour", False), N),
    ("for two to three months", (2, N, 3, "range", "duration", N, "month", False), N),
    ("for nearly a year", (0.9, 1, 1, "approximate", "duration", N, "year", False), N),
    ("for a year and a half", (1.5, 1.5, 1.5, "exact", "duration", N, "year", False), N),
    ("a 90-day deployment", (90, 90, 90, "exact", "duration", N, "day", False), "deployment"),
    # multiples
    ("twice the size", (2, 2, 2, "exact", "ratio", N, N, False), N),
    ("tripling", (3, 3, 3, "exact", "ratio", N, N, False), N),
    ("more than tripled", (3, N, N, "more_than", "ratio", N, N, False), N),
    ("doubled", (2, 2, 2, "exact", "ratio", N, N, False), N),
    ("deliveries doubled", (2, 2, 2, "exact", "ratio", N, N, False), "deliveries"),
    ("three times as many shells", (3, 3, 3, "exact", "ratio", N, N, False), "shells"),
    ("two to three times as many", (2, N, 3, "range", "ratio", N, N, False), N),
    ("a 20-fold increase", (20, 20, 20, "exact", "ratio", N, N, False), "increase"),
    ("an almost threefold increase", (2.7, 3, 3, "approximate", "ratio", N, N, False),
     "increase"),
    ("half as many shells", (0.5, 0.5, 0.5, "exact", "ratio", N, N, False), "shells"),
]


@pytest.mark.parametrize(("text", "expected", "counted"), READ, ids=[r[0] for r in READ])
def test_new_forms_read_as_written(text: str, expected: tuple[object, ...],
                                   counted: str | None) -> None:
    figure = parse_figure(text)
    got = (figure.low, figure.best, figure.high, figure.qualifier, figure.kind, figure.per,
           figure.unit, figure.increment)
    assert got == pytest.approx(expected), figure
    assert figure.counted == counted, figure


REFUSED = [
    ("losses around 4,000", "before the number"),  # 'losses' alone is not in the lead-ins
    ("reportedly up to 4,000", "before the number"),
    ("compared with 1,500", "before the number"),  # 'with' opens a phrase: nothing before it
    ("averaging about 1,200", "period"),  # a mean with no period
    ("for 3,000 troops", "length of time"),  # 'for' introduces only a duration
    ("grew by 40%", "relative"),
    ("500,000 rounds of 122 artillery shells", "second number"),  # no 'mm': a second number
    ("500,000 rounds of mm shells 122", "second number"),
    ("155mm", "calibre"),
    ("500,000 mm", "calibre"),
    ("twice", "occasions"),
    ("visited twice", "occasions"),
    ("2 to 3 times", "occasions"),
    ("three times", "occasions"),
    ("three times more", "N or N \\+ 1"),
    ("as many as 10,000 to 12,000 troops", "bound"),
    ("up to at least 3,000", "two qualifiers"),
    ("about several thousand", "is not a figure"),
    ("up to many", "vague"),
    ("several weeks", "vague"),
    ("over two months", "during"),
    ("two months ago", "point in time"),
    ("two days a week", "rate"),
    ("$2 billion for two years", "duration"),
    ("the number of shells tripled", "multiple"),
    ("a decrease of 2,000", "before the number"),
]


@pytest.mark.parametrize(("text", "why"), REFUSED, ids=[r[0] for r in REFUSED])
def test_near_misses_are_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(FigureError, match=why):
        parse_figure(text)


def test_lead_ins_are_a_closed_list_in_the_conventions() -> None:
    for table in (c.ESTIMATE_LEAD_INS, c.INCREMENT_LEAD_INS, c.RATE_LEAD_INS,
                  c.DURATION_LEAD_INS, c.OPENING_LEAD_INS):
        assert set(table) <= set(c.LEAD_INS), set(table) - set(c.LEAD_INS)
    for lead in c.LEAD_INS:  # each reads before a number, or is refused for its own reason
        try:
            parse_figure(f"{lead} 3,000")
        except FigureError as error:
            assert lead in c.DURATION_LEAD_INS or lead in c.RATE_LEAD_INS, (lead, error)


def test_a_figure_keeps_working_for_callers_that_give_no_unit() -> None:
    old = Figure(1, 1, 1, "exact", "count")
    assert old.unit is None and old.increment is False and len(old) == 10
    assert parse_figure("3,000 troops").unit is None


# --- properties ---------------------------------------------------------------------------

NUMBERS = st.integers(1, 10**9)
WORDS = st.sampled_from(["two", "three", "five", "ten", "twelve", "twenty"])
UNITS = st.sampled_from(sorted(c.DURATION_UNITS))
QUALIFIERS = st.sampled_from(["", "about ", "nearly ", "more than ", "up to ", "at least ",
                              "under ", "roughly ", "just over "])


@settings(max_examples=200, deadline=None)
@given(QUALIFIERS, st.one_of(NUMBERS.map(lambda n: f"{n:,}"), WORDS), UNITS,
       st.sampled_from(["", "for ", "in ", "lasting "]))
def test_a_duration_is_never_a_count(qualifier: str, number: str, unit: str, lead: str) -> None:
    try:
        figure = parse_figure(f"{lead}{qualifier}{number} {unit}")
    except FigureError:
        return
    assert figure.kind == "duration" and figure.unit == c.DURATION_UNIT[unit]
    assert figure.per is None


@settings(max_examples=200, deadline=None)
@given(QUALIFIERS, st.one_of(st.integers(2, 100).map(str), WORDS),
       st.sampled_from(["times as many", "times the size", "times", "times more"]),
       st.sampled_from(sorted(c.MULTIPLES)))
def test_a_multiple_is_never_a_count(qualifier: str, number: str, times: str,
                                     word: str) -> None:
    alone = [] if c.MULTIPLES[word].alone == "share" else [f"{qualifier}{word}", f"troops {word}"]
    for text in (f"{qualifier}{number} {times}", f"{qualifier}{word} the size", *alone):
        try:
            figure = parse_figure(text)
        except FigureError:
            continue
        assert figure.kind == "ratio", (text, figure)


@settings(max_examples=300, deadline=None)
@given(NUMBERS, st.sampled_from(["", " troops", " shells a day", " weeks", " times the size"]))
def test_approximately_and_about_read_the_same(n: int, tail: str) -> None:
    def read(text: str) -> Figure | str:
        try:
            return parse_figure(text)
        except FigureError as error:
            return str(error).split(": ", 1)[1]

    assert read(f"approximately {n:,}{tail}") == read(f"about {n:,}{tail}")
    assert read(f"approximately {n:,} to {n + 1:,}{tail}") == read(f"about {n:,} to {n + 1:,}{tail}")


PHRASES = st.builds(
    "{}{}{}{}{}".format,
    st.sampled_from(["", "for ", "averaging ", "losses of ", "has risen by ", "some "]),
    QUALIFIERS,
    st.sampled_from(["", "approximately ", "several ", "a few "]),
    st.one_of(NUMBERS.map(lambda n: f"{n:,}"), WORDS, NUMBERS.map(lambda n: f"{n:,} to {n * 2:,}"),
              st.sampled_from(["hundred", "thousand", "million", "a third", "half", "20%"])),
    st.sampled_from(["", " troops", " a day", " months", " times as many", " of the 11,000",
                     " rounds of 122 mm shells", " per day", " more"]))


@settings(max_examples=500, deadline=None)
@given(PHRASES)
def test_every_reading_is_ordered_and_of_a_known_kind(text: str) -> None:
    from dprk_ru_data import vocab

    try:
        figure = parse_figure(text)
    except FigureError:
        return
    assert figure.kind in vocab.FIGURE_KIND and figure.qualifier in vocab.FIGURE_QUALIFIER
    bounds = [v for v in (figure.low, figure.best, figure.high) if v is not None]
    assert bounds == sorted(bounds), (text, figure)
    assert (figure.unit is not None) == (figure.kind == "duration"), (text, figure)
    if figure.kind in ("duration", "ratio"):
        assert figure.per is None and figure.currency is None, (text, figure)


# --- the build ----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind"), [("for more than two months", "duration"),
                                            ("twice as many troops", "ratio")])
def test_a_duration_or_a_ratio_in_a_column_of_counts_is_a_located_problem(
        project, text: str, kind: str) -> None:
    line = edit_cell(project, "troop_estimates", 0, "figure_text", text)
    with pytest.raises(DataError) as raised:
        build(project)
    found = [p for p in raised.value.problems if p.column == "figure_text"]
    assert len(found) == 1, raised.value.problems
    problem = found[0]
    assert (problem.file, problem.line, problem.value, problem.rule) == (
        "raw/troop_estimates.csv", line, text, "figure")
    assert f"this column holds a count, and this reads as a {kind}" in problem.message
