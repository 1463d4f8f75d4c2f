"""The finders on any text, and figures beyond what a column holds.

* The finders never raise: numbers of any length, any characters, runs of phrase words; what they
  give is located, hashed, ordered and within its bounds.
* They read a text window by window (`tokens.windows`) exactly as in one piece, hold one window of
  tokens at once, and give the dev articles exactly what they gave before they read in windows
  (`tests/data/finders_dev_expected.jsonl`, recorded from the finders of that time).
* The readers look only a few dozen tokens ahead of where a phrase starts, far less than the
  context a window gives them.
* A figure beyond what its column holds is refused by the reader, and a build reports it as a
  located problem, not an overflow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_ru_data.cli import main
from dprk_ru_data.normalise import (
    Figure,
    FigureError,
    FuzzyDate,
    Mention,
    dates,
    figures,
    find_dates,
    find_figures,
    iter_mentions,
    parse_figure,
    tokens,
)
from dprk_ru_data.normalise.finders import iter_dates, iter_figures

from .conftest import ROOT, examples, fresh_inputs
from .test_build import edit_cell
from .test_faults import run_build

DATA = ROOT / "tests" / "data"
ARTICLES = [json.loads(line) for line in
            (DATA / "articles_dev.jsonl").read_text(encoding="utf-8").splitlines()]
REFERENCE = dt.date(2024, 10, 17)
INT64 = (-(2**63), 2**63 - 1)

# --- generated texts --------------------------------------------------------------------------


def _grouped(digits: str, separator: str) -> str:
    head = len(digits) % 3 or 3
    return separator.join([digits[:head]] + [digits[k:k + 3] for k in range(head, len(digits), 3)])


_DIGITS = st.one_of(st.text(alphabet="0123456789", min_size=1, max_size=4),
                    st.text(alphabet="0123456789", min_size=1, max_size=60))
NUMBERS = st.one_of(
    _DIGITS, st.integers(1800, 2100).map(str),
    st.builds(_grouped, _DIGITS, st.sampled_from([",", " ", "\u00a0", "\u202f", "\u2009"])),
    st.builds(lambda whole, part: f"{whole}.{part}", _DIGITS, _DIGITS),
    st.builds(lambda whole, part: f"{_grouped(whole, ',')}.{part}", _DIGITS, _DIGITS),
    st.builds(lambda whole, part: f"{whole}e{part}", _DIGITS, st.sampled_from(["400", "+9", "-3"])),
)
PHRASE_WORDS = st.sampled_from([
    "about", "around", "some", "up to", "more than", "nearly", "as many as", "another", "between",
    "and", "or", "to", "-", "\u2013", "\u2014", "from", "since", "until", "by", "in", "on", "of",
    "the", "a", "half", "dozen", "one", "twenty", "hundred", "thousand", "million", "billion",
    "trillion", "k", "m", "bn", "%", "per cent", "$", "US$", "\u20a9", "won", "a day", "per month",
    "troops", "shells", "out of", "January", "May", "march", "October", "Oct.", "Sept", "Monday",
    "Tuesday", "last", "next", "this", "week", "year", "the year", "early", "mid", "late", "summer",
    "Q", "quarter", "fourth", "1970s", "'s", "th", "st", ",", ".", "(", ")", "/", "..", ":", "T",
    "Z", "+", "~", "X", "onwards", "KN-", "Resolution", "several", "dozens", "thousands"])
ODD_CHARACTERS = st.sampled_from(["\ud800", "\udfff", "\u2028", "\u061c", "\U000e0041",
                                  "\u3164", "\u00ad", "\u0301", "\u0663\u0662", "\u00b2",
                                  "\uff11\uff12", "\ufeff", "\x00", "\u202e", "\U0001f600"])
# A number, a phrase word, a word and its number ("the year 2024", "about 10,000,000"), or
# anything; `one_of` would weigh each number form as much as all the words together.
PIECES = st.sampled_from([
    NUMBERS, PHRASE_WORDS, PHRASE_WORDS,
    st.tuples(PHRASE_WORDS, NUMBERS).map(" ".join),
    st.tuples(NUMBERS, PHRASE_WORDS).map(" ".join),
    st.one_of(st.text(max_size=6), ODD_CHARACTERS)]).flatmap(lambda pieces: pieces)
SEPARATORS = st.sampled_from([" "] * 6 + ["", ", ", "\n", "  ", "\u00a0", "\u2009", "-", "."])
TEXTS = st.lists(st.tuples(PIECES, SEPARATORS), max_size=40).map(
    lambda pieces: "".join(piece + separator for piece, separator in pieces))


def _check(text: str, mentions: list[Mention], kind: str) -> None:
    """The invariants of what a finder gives."""
    previous_end = 0
    for m in mentions:
        assert m.kind == kind
        assert 0 <= previous_end <= m.start < m.end <= len(text), (previous_end, m)
        previous_end = m.end
        assert text[m.start:m.end] == m.text
        assert len(m.text) <= tokens.MAX_PHRASE
        assert m.sha256 == hashlib.sha256(m.text.encode("utf-8")).hexdigest()
        if kind == "figure":
            assert isinstance(m.value, Figure)
            present = [v for v in (m.value.low, m.value.best, m.value.high) if v is not None]
            assert present == sorted(present), m
            for v in present:
                if m.value.kind == "fraction":
                    assert isinstance(v, float) and 0 <= v <= 1, m
                else:
                    assert isinstance(v, int) and INT64[0] <= v <= INT64[1], m
        else:
            assert m.value is None or isinstance(m.value, FuzzyDate)
            if m.value is not None and m.value.start and m.value.end:
                assert m.value.start <= m.value.end, m


def _check_all(text: str) -> None:
    found = find_figures(text)
    _check(text, found, "figure")
    anchored = find_dates(text, REFERENCE)
    _check(text, anchored, "date")
    _check(text, find_dates(text), "date")
    assert list(iter_mentions(text, REFERENCE)) == sorted(found + anchored,
                                                          key=lambda m: (m.start, m.end))


@pytest.mark.slow
@settings(max_examples=examples(1000), deadline=2000)
@given(TEXTS)
def test_the_finders_never_raise_and_what_they_give_holds(text: str) -> None:
    _check_all(text)


@pytest.mark.parametrize("text", [
    "They sent 12345678901234567 shells.",
    "In the year 2024 they sent 12345678901234567 shells.",  # a year read the text's last number
    "the year 2024 and then 9" + "9" * 40,
    "Monday " * 3000,  # a weekday took the weekday after it as its date, recursively
    "Tuesday, " * 3000,
    "one thousand" + " one" * 3000,  # the parts of a number in words ran on without end
    "about" + " " * 1000 + "3,000 troops",  # a phrase longer than any reader takes
    "10,000,000 trillion shells, about 9,000,000 trillion and $20,000,000 trillion",
    "1e400 shells and 1." + "0" * 400 + "1 million and 0." + "9" * 500 + "%",
    "\ud800 about 3,000 \udfff troops on 14 October 2024\ud800",
    "1, " * 2000, "1-" * 2000, "(" * 5000, "between 1 and " * 500, "2024-" * 1000,
])
def test_texts_that_once_raised_or_ran_on(text: str) -> None:
    _check_all(text)


def test_beyond_a_column_or_a_number_too_long_is_not_reported_as_another_value() -> None:
    text = "They sent 12345678901234567 shells, then 10,000,000 trillion, then 1e400 troops."
    assert [m.text for m in find_figures(text)] == []


# --- windows ----------------------------------------------------------------------------------

def _encode(m: Mention) -> list[Any]:
    v = m.value
    if isinstance(v, Figure):
        value: Any = list(v)
    elif v is not None:
        value = [v.edtf, v.start and v.start.isoformat(), v.end and v.end.isoformat(), v.precision]
    else:
        value = None
    return [m.start, m.end, value]


def _record(article: dict[str, str]) -> dict[str, Any]:
    text, published = article["text"], dt.date.fromisoformat(article["published"])
    return {"id": article["id"], "figures": [_encode(m) for m in find_figures(text)],
            "dates": [_encode(m) for m in find_dates(text, published)],
            "dates_without_reference": [_encode(m) for m in find_dates(text)]}


EXPECTED = [json.loads(line) for line in
            (DATA / "finders_dev_expected.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("window", [None, 1, 5, 64])
def test_the_dev_articles_give_what_they_gave_before_windows(
        window: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if window is not None:
        monkeypatch.setattr(tokens, "WINDOW_TOKENS", window)
    assert [_record(article) for article in ARTICLES] == EXPECTED


def _all(text: str) -> tuple[list[Mention], ...]:
    return (find_figures(text), find_dates(text, REFERENCE), find_dates(text),
            list(iter_mentions(text, REFERENCE)))


@pytest.mark.parametrize("window", [1, 2, 3, 7, 40])
def test_small_windows_with_a_small_context_read_as_one_piece(
        window: int, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [article["text"] for article in ARTICLES]
    whole = [_all(text) for text in texts]
    # The smallest context that still leaves the readers more than they look ahead (below).
    monkeypatch.setattr(tokens, "CONTEXT_TOKENS", 2 * LOOKAHEAD)
    monkeypatch.setattr(tokens, "WINDOW_TOKENS", window)
    assert [_all(text) for text in texts] == whole


@settings(max_examples=examples(150), deadline=None)  # each example reads its text six times over
@given(TEXTS, st.integers(1, 12))
def test_any_text_reads_the_same_in_windows(text: str, window: int) -> None:
    whole = _all(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tokens, "CONTEXT_TOKENS", 2 * LOOKAHEAD)
        patch.setattr(tokens, "WINDOW_TOKENS", window)
        assert _all(text) == whole


def test_a_window_knows_its_place() -> None:
    text = "About 3,000 troops left Seoul on 14 October 2024, and 2,000 more."
    one, = tokens.windows(text, size=10**6)
    pieces = list(tokens.windows(text, size=3, context=2))
    assert len(pieces) > 3 and pieces[-1].last and not any(w.last for w in pieces[:-1])
    owned = [(w.offset + w.start, w.offset + w.stop) for w in pieces]
    assert owned[0][0] == 0 and owned[-1][1] == len(one.tokens.words)
    assert all(a[1] == b[0] for a, b in zip(owned, owned[1:]))  # consecutive, none left out
    for w in pieces:
        for local in range(len(w.tokens.words)):
            k = w.offset + local
            assert (w.tokens.words[local], w.tokens.glued[local], w.tokens.starts[local],
                    w.tokens.ends[local]) == (one.tokens.words[k], one.tokens.glued[k],
                                              one.tokens.starts[k], one.tokens.ends[k])
            slot = w.tokens.slots[local]
            assert (slot < 0) == (one.tokens.slots[k] < 0)
            if slot >= 0:
                assert w.numbers[slot] == one.numbers[one.tokens.slots[k]]


def test_tokens_of_the_text_as_it_is_match_a_translated_copy() -> None:
    text = "about 3\u2009000 \u201cnew\u201d troops \u2013 up to 4\u00a0500\u2014by May; 1\u202f000"
    t, numbers = tokens.of_text(text)
    assert numbers == ["3 000", "4 500", "1 000"]
    assert t.words == ["about", "#g", '"', "new", '"', "troops", "-", "up", "to", "#g", "-",
                       "by", "may", ";", "#g"]


# --- the readers look ahead only so far -------------------------------------------------------

# Tokens past a phrase's first that any reader may look at: the longest phrases below take 71
# (a range of two quantities in words, each of every scale); the windows give the date readers
# half their context (1,024 tokens) and the figure readers all of it.
LOOKAHEAD = 128


class _Seen(list):  # type: ignore[type-arg]
    """A list that remembers the lowest and highest index read from it."""

    low = high = 0

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            start = 0 if key.start is None else key.start
            stop = len(self) if key.stop is None else min(key.stop, len(self))
            _Seen.low, _Seen.high = min(_Seen.low, start), max(_Seen.high, stop - 1)
        else:
            _Seen.low, _Seen.high = min(_Seen.low, key), max(_Seen.high, key)
        return super().__getitem__(key)


def _reach(text: str) -> tuple[int, int]:
    """How far before and after its start any reader looks, over every token of `text`."""
    t, _numbers = tokens.of_text(text)
    seen = tokens.Tokens(*(_Seen(part) for part in t))
    behind = ahead = 0
    for i in range(len(t.words)):
        for reader in (dates.date_at, figures.figure_at):
            _Seen.low = _Seen.high = i
            try:
                reader(seen, i)
            except Exception:  # noqa: BLE001 - only the reach is measured here
                pass
            behind, ahead = max(behind, i - _Seen.low), max(ahead, _Seen.high - i)
    return behind, ahead


_NUMBER_WORDS = ("nine hundred and ninety-nine trillion nine hundred and ninety-nine billion "
                 "nine hundred and ninety-nine million nine hundred and ninety-nine thousand "
                 "nine hundred and ninety-nine")


@pytest.mark.parametrize("text", [
    *(article["text"] for article in ARTICLES),
    f"an estimated US$ {_NUMBER_WORDS} to {_NUMBER_WORDS} dollars a day give or take",
    f"another as many as between {_NUMBER_WORDS} and a half out of {_NUMBER_WORDS} per cent",
    "between Monday, 14th of October, 2024 T09:30:00+09:00 and Tuesday, 15th of October, 2024 "
    "T09:30:00+09:00 onwards",
    "from the late 1990s to early last month until mid-October 2024 through the summer of 2025",
])
def test_the_readers_look_only_a_few_dozen_tokens_ahead(text: str) -> None:
    behind, ahead = _reach(text)
    assert behind == 0 and ahead <= LOOKAHEAD, (behind, ahead)
    # the windows leave the date readers half the context and the figures the whole of it
    assert LOOKAHEAD <= tokens.CONTEXT_TOKENS // 4 and tokens.LOOK_BEHIND >= 2


@pytest.mark.slow
@settings(max_examples=examples(200), deadline=None)
@given(TEXTS)
def test_the_readers_look_only_so_far_ahead_on_any_text(text: str) -> None:
    behind, ahead = _reach(text)
    assert behind == 0 and ahead <= LOOKAHEAD, (behind, ahead)


# --- memory -----------------------------------------------------------------------------------

def _peak(finder: Any, text: str) -> int:
    """Bytes a finder allocates at most while its mentions are read one at a time."""
    tracemalloc.start()
    try:
        for _ in finder(text):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize("finder", [iter_figures, iter_mentions])
def test_the_finders_hold_one_window_not_the_text(finder: Any) -> None:
    small, large = "troops, " * 40_000, "troops, " * 80_000  # 80,000 and 160,000 tokens
    small_peak, large_peak = _peak(finder, small), _peak(finder, large)
    # Held whole, 160,000 tokens took 23 MB; a window of them (18,000 at most) takes about 5.
    assert large_peak < 8 * 2**20, large_peak
    assert large_peak < 1.25 * small_peak + 2**20, (small_peak, large_peak)


# --- figures beyond a column ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "why"), [
    ("10,000,000 trillion", "beyond what a figure column can hold"),
    ("about 9,000,000 trillion troops", "beyond what a figure column can hold"),  # the high end
    ("$20,000,000 trillion", "beyond what a figure column can hold"),
    ("20,000,000 trillion won", "beyond what a figure column can hold"),
    ("between 1 and 10,000,000 trillion", "beyond what a figure column can hold"),
    ("999,999,999,999,999 thousand million billion trillion", "beyond what a figure column"),
    ("12345678901234567", "more than 15 digits"),
    ("9,223,372,036,854,775,808 shells", "more than 15 digits"),
    ("1." + "0" * 30 + "1 million", "more than 15 digits"),
    ("1." + "0" * 400 + "1 million", "longer than"),
    ("1e400", "scientific notation"),
    ("1e400 troops", "scientific notation"),
    ("2.5e+9 shells", "scientific notation"),
])
def test_a_figure_beyond_what_its_column_holds_is_refused(text: str, why: str) -> None:
    with pytest.raises(FigureError, match=why):
        parse_figure(text)


def test_the_largest_figure_a_column_holds_is_read() -> None:
    figure = parse_figure("9,000,000 trillion")
    assert figure.best == 9 * 10**18 <= figures.LARGEST == INT64[1]


OVERFLOWS = [  # (table, row, column, figure text, what the message says)
    ("troop_estimates", 0, "figure_text", "10,000,000 trillion", "beyond what a figure column"),
    ("troop_estimates", 2, "figure_text", "12345678901234567", "more than 15 digits"),
    ("arms_transfers", 2, "quantity_text", "about 9,000,000 trillion", "beyond what a figure"),
    ("incidents", 4, "figure_text", "1e400", "scientific notation"),
    ("historical_deployments", 4, "size_text", "1." + "0" * 30 + "1 million", "15 digits"),
]


def test_a_build_reports_overflowing_figures_as_located_problems(tmp_path: Path) -> None:
    root = fresh_inputs(tmp_path / "project")
    lines = {(table, row): edit_cell(root, table, row, column, text)
             for table, row, column, text, _ in OVERFLOWS}
    code, stdout, stderr = run_build(root, "--format", "json")
    assert code == 1 and "Traceback" not in stdout + stderr, stdout + stderr
    problems = json.loads(stdout)
    for table, row, column, text, says in OVERFLOWS:
        located = [p for p in problems if (p["file"], p["line"], p["column"], p["value"]) == (
            f"raw/{table}.csv", lines[table, row], column, text)]
        assert len(located) == 1, (table, column, problems)
        assert located[0]["rule"] == "figure" and says in located[0]["message"], located[0]
    assert not (root / "build").exists() or not any((root / "build").iterdir())


# --- the extract command ----------------------------------------------------------------------

def test_extract_reads_any_number_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "numbers.txt"
    path.write_text("In the year 2024 they sent 12345678901234567 shells, about 3,000 troops "
                    "and 10,000,000 trillion rounds.", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(path), "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [(r["kind"], r["text"]) for r in json.loads(result.stdout)] == [
        ("date", "the year 2024"), ("figure", "about 3,000")]


def test_extract_refuses_an_open_ended_publication_date(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_text("On Tuesday 3,000 troops left.", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(path), "--published", "2024-10-01/.."],
                                catch_exceptions=False)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "--published" in result.output and "open-ended" in result.output


def test_extract_written_row_by_row_is_what_render_gives(tmp_path: Path) -> None:
    import io

    from dprk_ru_data.extract import extract, iter_extract, render, write

    path = tmp_path / "article.txt"
    path.write_text(ARTICLES[0]["text"], encoding="utf-8")
    rows = extract(str(path), published="2024-10-18")
    assert rows and list(iter_extract(str(path), published="2024-10-18")) == rows
    assert render(rows, "json") == json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    assert render([], "json") == "[]\n"
    for output_format in ("json", "csv", "table"):
        out = io.StringIO()
        write(iter_extract(str(path), published="2024-10-18"), out, output_format)
        assert out.getvalue() == render(rows, output_format)
