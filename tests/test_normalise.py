"""The normalisers: every documented form, the refusals, and invariants checked by Hypothesis."""

from __future__ import annotations

import datetime as dt

import edtf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dprk_ru_data.normalise import DateError, parse_date, parse_figure

from .strategies import (
    RELATIVE,
    counted,
    dates,
    day_spellings,
    qualifiers,
    spelled_integers,
)

R = dt.date(2024, 10, 17)  # a Thursday
@pytest.mark.parametrize(("text", "reference", "why"), [
    ("on Tuesday", None, "needs the publication date"),
    ("0000", None, "no year 0000"),
    ("for three years", R, "length of time"),
    ("recently", R, "no date form"),
    ("2024-1X/2025", None, "not a valid EDTF"),
    ("October 14", None, "no year"),
    ("2024-02-30", None, "no such day"),
    ("30 February 2024", None, "no such day"),
    ("between 1973 and 1965", R, "backwards"),
    ("2024-10-20/2024-10-01", None, "backwards"),
    ("sometime", R, "no date form"),
    ("", None, "empty"),
])
def test_dates_refused(text: str, reference, why: str) -> None:
    with pytest.raises(DateError, match=why):
        parse_date(text, reference)


# --- properties -----------------------------------------------------------------------------

@given(spelled_integers)
def test_any_integer_in_any_spelling_reads_back(case: tuple[int, str]) -> None:
    number, text = case
    figure = parse_figure(text)
    assert (figure.best, figure.qualifier, figure.kind) == (number, "exact", "count")


@given(spelled_integers, qualifiers, counted)
def test_bounds_are_ordered_and_contain_the_number(case, qualifier: str, what: str) -> None:
    number, text = case
    figure = parse_figure(qualifier + text + what)
    present = [v for v in (figure.low, figure.best, figure.high) if v is not None]
    assert present == sorted(present)
    assert present, "a figure with a number has at least one bound"
    if figure.best is not None:
        assert figure.best == number
    if figure.qualifier in ("at_most", "less_than"):
        assert figure.high == number and figure.low is None
    if figure.qualifier in ("at_least", "more_than"):
        assert figure.low == number and figure.high is None
    assert figure.counted == (what.strip() or None)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.sampled_from(["{} to {}", "{}-{}",
                                                                       "between {} and {}"]))
def test_ranges_keep_their_order(a: int, b: int, form: str) -> None:
    low, high = sorted((a, b))
    text = form.format(f"{low:,}", f"{high:,}")
    figure = parse_figure(text)
    assert figure.high == high and figure.best is None and figure.qualifier == "range"
    assert figure.low in (low, low * 1000) and figure.low <= figure.high


@given(dates, st.data())
def test_day_spellings_give_that_day(day: dt.date, data) -> None:
    text = data.draw(st.sampled_from(day_spellings(day)))
    parsed = parse_date(text)
    assert parsed.start == parsed.end == day and parsed.precision == "day"


@given(dates)
def test_month_and_year_contain_the_day(day: dt.date) -> None:
    import calendar

    month = parse_date(f"{calendar.month_name[day.month]} {day.year}")
    assert month.start == day.replace(day=1) and month.start <= day <= month.end
    assert (month.end + dt.timedelta(days=1)).day == 1 and month.precision == "month"
    year = parse_date(str(day.year))
    assert (year.start, year.end) == (dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))


@given(st.sampled_from(RELATIVE), dates, dates)
def test_relative_phrases_are_monotone_in_the_reference(phrase: str, a: dt.date, b: dt.date) -> None:
    early, late = sorted((a, b))
    first, second = parse_date(phrase, early, "past"), parse_date(phrase, late, "past")
    if first.start is not None and second.start is not None:
        assert first.start <= second.start
    if first.end is not None and second.end is not None:
        assert first.end <= second.end


@given(st.sampled_from(RELATIVE), dates, st.integers(0, 20))
def test_uncertain_reference_covers_every_possible_day(phrase: str, day: dt.date, width: int) -> None:
    last = day + dt.timedelta(days=width)
    wide = parse_date(phrase, (day, last), "past")
    for offset in range(width + 1):
        one = parse_date(phrase, day + dt.timedelta(days=offset), "past")
        assert wide.start is None or (one.start is not None and wide.start <= one.start)
        assert wide.end is None or (one.end is not None and one.end <= wide.end)


def _edtf_bounds(text: str):
    """First and last day of an EDTF string by the `edtf` package (None for an open end)."""
    parsed = edtf.parse_edtf(text)
    if isinstance(parsed, edtf.Interval):
        lower = None if str(parsed.lower) == ".." else dt.date(*parsed.lower.lower_strict()[:3])
        upper = None if str(parsed.upper) == ".." else dt.date(*parsed.upper.upper_strict()[:3])
        return lower, upper
    return dt.date(*parsed.lower_strict()[:3]), dt.date(*parsed.upper_strict()[:3])


@given(st.one_of(dates.map(lambda d: (d.isoformat(), None)),
                 st.tuples(st.sampled_from(RELATIVE), dates)))
@pytest.mark.slow
def test_edtf_parses_and_agrees_with_start_and_end(case) -> None:
    """Our EDTF string, read by the `edtf` package, gives exactly our first and last day."""
    text, reference = case
    parsed = parse_date(text, reference, "past")
    assert _edtf_bounds(parsed.edtf) == (parsed.start, parsed.end)


def test_normalise_imports_neither_pandera_nor_polars() -> None:
    from .conftest import modules_after

    code = "import dprk_ru_data.normalise as n; n.parse_figure('about 3,000')"
    assert modules_after(code, ("pandera", "polars", "frictionless")) == []


@pytest.mark.parametrize("reference", [(), ("2024-10-01", "2024-10-31"), (dt.date(2024, 10, 1),) * 3,
                                       "2024-10-14", dt.datetime(2024, 10, 14, 9).timetuple()],
                         ids=["empty", "strings", "three dates", "a string", "a time tuple"])
def test_a_malformed_reference_is_a_type_error_naming_it(reference) -> None:
    with pytest.raises(TypeError, match="reference must be"):
        parse_date("14 October 2024", reference)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.sampled_from("~?%"),
       st.sampled_from(["%Y", "%Y-%m", "%Y-%m-%d"]),
       st.sampled_from(["%d %B %Y", "%B %d, %Y", "in %Y", "%B %Y"]))
def test_edtf_qualifiers_are_kept_or_refused_never_dropped(day: dt.date, qualifier: str,
                                                           edtf_form: str, words: str) -> None:
    written = day.strftime(edtf_form)
    kept = parse_date(written + qualifier)
    plain = parse_date(written)
    assert kept.edtf == written + qualifier  # the qualifier stays in the EDTF
    assert (kept.start, kept.end, kept.precision) == (plain.start, plain.end, plain.precision)
    for text in (day.strftime(words) + qualifier, f"{written} {qualifier}"):
        with pytest.raises(DateError, match="qualifier"):
            parse_date(text)
