"""The readers on the dev sets (tests/data), the finders on whole articles, and their invariants.

The dev sets were written for this package, phrase by phrase, in the style of real reporting
(none is a sentence of the corpus): `figures_dev.tsv`, `dates_dev.tsv` and `articles_dev.jsonl`
(12 articles with every figure and date mention marked by offsets).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from fractions import Fraction

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_ru_data.cli import main
from dprk_ru_data.evidence import span_sha256
from dprk_ru_data.normalise.conventions import NEARER
from dprk_ru_data.normalise import (
    DateError,
    FigureError,
    conventions,
    parse_date,
    parse_figure,
)
from dprk_ru_data.normalise.finders import find_dates, find_figures

from .conftest import ROOT, examples

DATA = ROOT / "tests" / "data"


def _rows(name: str) -> list[dict[str, str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t") + [""] * len(header)))
            for line in lines[1:] if line.strip() and not line.startswith("#")]


FIGURE_ROWS = _rows("figures_dev.tsv")
DATE_ROWS = _rows("dates_dev.tsv")


def _number(cell: str) -> float | None:
    return None if cell == "" else float(Fraction(cell))  # "1/3" as well as "0.5"


def test_the_dev_sets_are_as_large_as_promised() -> None:
    """At least 600 phrases of each kind, refusals among them, and the dates' future and past
    tense in equal measure (rows noted 'future-tense' and 'past-tense', within a tenth)."""
    readings = [r for r in FIGURE_ROWS if r["qualifier"] != "REFUSE"]
    assert len(FIGURE_ROWS) >= 600 and len(readings) >= 400
    assert len(FIGURE_ROWS) - len(readings) >= 40
    readings = [r for r in DATE_ROWS if r["precision"] != "REFUSE"]
    assert len(DATE_ROWS) >= 600 and len(readings) >= 400
    assert len(DATE_ROWS) - len(readings) >= 40
    future = sum(r["note"].startswith("future-tense") for r in DATE_ROWS)
    past = sum(r["note"].startswith("past-tense") for r in DATE_ROWS)
    assert min(future, past) >= 100 and abs(future - past) <= max(future, past) / 10


_NOT_A_COUNT = {"multiplier": "ratio", "duration": "duration"}


@pytest.mark.parametrize("row", FIGURE_ROWS, ids=lambda row: row["text"][:40])
def test_figure_dev_set(row: dict[str, str]) -> None:
    if row["qualifier"] == "REFUSE" and row["note"] in _NOT_A_COUNT:
        # A multiple or a duration is read as its own kind (or refused), never as a count.
        try:
            figure = parse_figure(row["text"])
        except FigureError:
            return
        assert figure.kind == _NOT_A_COUNT[row["note"]], figure
        return
    if row["qualifier"] == "REFUSE":
        with pytest.raises(FigureError):
            parse_figure(row["text"])
        return
    figure = parse_figure(row["text"])
    for field in ("low", "best", "high"):
        expected, got = _number(row[field]), getattr(figure, field)
        assert (got is None) == (expected is None), field
        if expected is not None:
            assert math.isclose(got, expected, rel_tol=1e-6), field
    # The dev set has no unit column: a duration's unit is written in its `per` column.
    period = figure.unit if figure.kind == "duration" else figure.per
    assert (figure.qualifier, figure.kind, period or "", figure.currency or "",
            figure.increment) == (row["qualifier"], row["kind"], row["per"], row["currency"],
                                  row["increment"] == "true")


@pytest.mark.parametrize("row", DATE_ROWS, ids=lambda row: f"{row['text'][:40]}@{row['reference']}")
def test_date_dev_set(row: dict[str, str]) -> None:
    reference = dt.date.fromisoformat(row["reference"])
    if row["precision"] == "REFUSE":
        with pytest.raises(DateError):
            parse_date(row["text"], reference)
        return
    parsed = parse_date(row["text"], reference)
    iso = lambda d: d.isoformat() if d else ""  # noqa: E731
    assert (iso(parsed.start), iso(parsed.end), parsed.precision) == (
        row["start"], row["end"], row["precision"])


# --- finders on whole articles ----------------------------------------------------------------

ARTICLES = [json.loads(line) for line in
            (DATA / "articles_dev.jsonl").read_text(encoding="utf-8").splitlines()]


def _score(kind: str) -> tuple[float, float]:
    gold = found = exact = stray = 0
    for article in ARTICLES:
        spans = {(s, e) for s, e, _ in article[kind + "s"]}
        if kind == "figure":
            mentions = find_figures(article["text"])
        else:
            mentions = find_dates(article["text"], dt.date.fromisoformat(article["published"]))
        got = {(m.start, m.end) for m in mentions}
        gold, found, exact = gold + len(spans), found + len(got), exact + len(spans & got)
        stray += sum(1 for s, e in got if not any(s < ge and gs < e for gs, ge in spans))
    return exact / gold, 1 - stray / found


@pytest.mark.parametrize("kind", ["figure", "date"])
def test_finders_find_the_marked_mentions_of_whole_articles(kind: str) -> None:
    recall, precision = _score(kind)
    assert recall >= 0.9, f"{kind}: {recall:.1%} of the marked mentions found at their offsets"
    assert precision >= 0.9, f"{kind}: {1 - precision:.1%} of what was found is not a mention"


def test_mentions_carry_their_own_text_and_hash() -> None:
    text = ARTICLES[0]["text"]
    for mention in find_figures(text) + find_dates(text, dt.date(2024, 10, 18)):
        assert text[mention.start:mention.end] == mention.text
        assert mention.sha256 == span_sha256(mention.text)


def test_finders_skip_designations_calibres_and_dates() -> None:
    text = "KN-23 missiles, 155mm shells and Resolution 2397; on 14 October 2024 some 3,000 left."
    assert [m.text for m in find_figures(text)] == ["some 3,000"]
    assert [m.text for m in find_dates(text)] == ["14 October 2024"]


# --- properties -------------------------------------------------------------------------------

_CORE = st.sampled_from([
    "about {n:,}", "up to {n:,}", "more than {n:,}", "{n:,}", "nearly {n:,}", "at least {n:,}",
    "between {n:,} and {m:,}", "{n:,} to {m:,}", "some {n:,}", "another {n:,}", "{n:,} a day",
    "about {n:,} per month", "${n:,} million", "in excess of {n:,}", "well over {n:,}"])
_FILLER = st.lists(st.sampled_from(["officials", "said", "that", "reports", "suggest", "were",
                                    "seen", "near", "Kursk", "by", "intelligence", "sources",
                                    "troops", "sent"]), max_size=8).map(" ".join)


@settings(max_examples=examples(200))
@given(_CORE, st.integers(1, 10**7), st.integers(0, 10**7), _FILLER, _FILLER)
def test_a_phrase_in_a_sentence_is_found_at_its_offsets_with_its_reading(
        form: str, n: int, extra: int, before: str, after: str) -> None:
    phrase = form.format(n=n, m=n + extra + 1)
    prefix = f"{before} " if before else ""
    sentence = f"{prefix}{phrase} {after}".rstrip() + "."
    alone = parse_figure(phrase)
    found = [m for m in find_figures(sentence) if m.start == len(prefix)]
    assert found, sentence
    assert found[0].text == phrase and found[0].end == len(prefix) + len(phrase)
    assert tuple(found[0].value)[:5] == tuple(alone)[:5]
    assert (found[0].value.per, found[0].value.currency, found[0].value.increment) == (
        alone.per, alone.currency, alone.increment)


@given(st.integers(0, 10**12), st.sampled_from(["more than", "over", "in excess of", "above",
                                               "well over", "north of", "exceeding"]))
def test_more_than_never_has_a_high(n: int, words: str) -> None:
    figure = parse_figure(f"{words} {n:,}")
    assert figure.high is None and figure.low == n


@given(st.integers(1, 10**12), st.sampled_from(["about", "around", "roughly", "some",
                                               "approximately", "an estimated", "close to",
                                               "in the region of"]))
def test_about_always_contains_the_number(n: int, words: str) -> None:
    figure = parse_figure(f"{words} {n:,}")
    assert figure.low <= n <= figure.high and figure.best == n


@given(st.integers(1, 10**9), st.sampled_from([("a day", "day"), ("per week", "week"),
                                              ("each month", "month"), ("a year", "year"),
                                              ("daily", "day"), ("per annum", "year")]))
def test_a_rate_keeps_its_period(n: int, period: tuple[str, str]) -> None:
    words, per = period
    assert parse_figure(f"{n:,} shells {words}").per == per
    assert parse_figure(f"about {n:,} {words}").per == per


_MONTH = st.sampled_from(["January", "February", "March", "April", "May", "June", "July",
                          "August", "September", "October", "November", "December"])
_DAYS = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31))


@given(_MONTH, st.integers(1, 28), _DAYS, st.sampled_from(["in {m}", "{d} {m}", "{m} {d}",
                                                          "early {m}", "late {m}", "on {d} {m}"]))
def test_the_tense_puts_a_date_with_no_year_on_its_side_of_the_report(
        month: str, day: int, reference: dt.date, form: str) -> None:
    text = form.format(m=month, d=day)
    past, future = parse_date(text, reference, "past"), parse_date(text, reference, "future")
    year = dt.timedelta(days=366)
    assert reference - year < past.start <= reference  # the latest one, not after the report
    assert reference <= future.end < reference + year  # the first one, not before it
    holds = past.start <= reference <= past.end
    assert (past == future) == holds  # both tenses agree only where the span holds the report
    try:
        plain = parse_date(text, reference)
    except DateError as error:
        assert "ambiguous" in str(error) and not holds
        back, ahead = (reference - past.end).days, (future.start - reference).days
        assert back * NEARER > ahead and ahead * NEARER > back
        return
    if not holds:  # with no verb, the nearer one, where the other is NEARER times as far
        assert plain in (past, future)
        back, ahead = (reference - past.end).days, (future.start - reference).days
        nearer, farther = (back, ahead) if plain == past else (ahead, back)
        assert nearer * NEARER <= farther


@given(st.sampled_from(["the delegation will arrive on {d} {m}", "talks are due in {m}",
                        "the troops arrived on {d} {m}", "officials said in late {m}",
                        "the shipment was due to leave on {d} {m}"]),
       _MONTH, st.integers(1, 28), _DAYS)
def test_the_verb_decides_which_way(form: str, month: str, day: int, reference: dt.date) -> None:
    text = form.format(m=month, d=day)
    past = parse_date(text, reference, "past")
    future = parse_date(text, reference, "future")
    if past == future:  # the span holds the report: no tense is needed
        assert parse_date(text, reference) == past
    elif "was due" in text:  # a plan told in the past: either way, and none is guessed
        with pytest.raises(DateError, match="ambiguous"):
            parse_date(text, reference)
    else:
        expected = future if (" will " in text or " due " in text) else past
        assert parse_date(text, reference) == expected


_KEYWORDS = ["since", "from", "between", "and", "-", "about", "more", "than", "1,000", "2024",
             "October", "14", "last", "week", "the", "of", "a", "thousand", "per", "cent", "$",
             "--", "9" * 30, ",", "(", "early", "mid", "to", "or", "/", "..", "X", "~", "up",
             "3,000", "half", "+", "%", "million", "several", "1.4", "k", "dozens", "12", "end",
             "summer", "1970s", "Tuesday", "0", "out", "c."]
_ADVERSARIAL = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(_KEYWORDS), max_size=12).map(" ".join),
    st.tuples(st.sampled_from(["-", "1", "1,", "since ", "1-", "a ", "(", "9"]),
              st.integers(1, 5000)).map(lambda pair: pair[0] * pair[1]),
)


@settings(max_examples=examples(300))
@given(_ADVERSARIAL)
def test_any_text_is_read_or_refused_with_our_error(text: str) -> None:
    try:
        figure = parse_figure(text)
        present = [v for v in (figure.low, figure.best, figure.high) if v is not None]
        assert present == sorted(present)
    except FigureError:
        pass
    try:
        parsed = parse_date(text, dt.date(2024, 10, 17))
        assert parsed.start is None or parsed.end is None or parsed.start <= parsed.end
    except DateError:
        pass
    for mention in find_figures(text) + find_dates(text, dt.date(2024, 10, 17)):
        assert text[mention.start:mention.end] == mention.text


@given(st.sampled_from(sorted(conventions.RELATIVE_DATES)), _DAYS)
def test_every_relative_phrase_of_the_conventions_is_read(phrase: str, reference: dt.date) -> None:
    parsed = parse_date(phrase, reference)
    assert parsed.start is not None and (parsed.end is None or parsed.start <= parsed.end)
    assert parsed.precision in ("day", "week", "month", "year", "open")


def test_a_figure_phrase_longer_than_the_bound_is_refused_unread() -> None:
    with pytest.raises(FigureError, match="longer than"):
        parse_figure("9" * 5000)


def test_the_edtf_package_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    for text in ("2024-1X/2025", "2024-10~", "2024-21"):
        try:
            parse_date(text)
        except DateError:
            pass
    assert capsys.readouterr() == ("", "")


def test_refusals_are_cached_too() -> None:
    from dprk_ru_data.normalise import figures

    text = "a phrase with no number in it at all, once"
    with pytest.raises(FigureError):
        parse_figure(text)
    assert isinstance(figures._TEXTS[text], str)


# --- the extract command ----------------------------------------------------------------------

def test_extract_prints_located_readings_of_any_text(tmp_path) -> None:
    text = "SEOUL, Nov 4 - About 10,000 troops arrived last week, and another 2,000 on Tuesday."
    path = tmp_path / "article.txt"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(path), "--published", "2024-11-05",
                                       "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["kind"], r["text"]) for r in rows] == [
        ("date", "Nov 4"), ("figure", "About 10,000"), ("date", "last week"),
        ("figure", "another 2,000"), ("date", "Tuesday")]
    for row in rows:
        assert text[row["start"]:row["end"]] == row["text"] and row["sha256"] == span_sha256(
            row["text"])
    assert rows[3]["increment"] is True and rows[4]["date_start"] == "2024-11-05"
    csv_out = CliRunner().invoke(main, ["extract", str(path), "--published", "2024-11-05",
                                        "--format", "csv"], catch_exceptions=False)
    assert csv_out.stdout.splitlines()[0].startswith("kind,start,end,text,sha256")


def test_extract_names_an_unknown_source_as_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["extract", "src-999"])
    assert result.exit_code == 2 and "no source with that id" in result.output
    assert "src-999" in result.output
