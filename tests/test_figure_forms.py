"""The figure forms as rules (`figures.RULES`) and the parts around them (`figures.PARTS`).

Their examples are the tests of every form: each reads as stated or is refused for the reason
stated, and each form is what reads its own examples. Each form is read honestly or refused,
never fitted by dropping a word; a duration or a multiple is its own kind, never a count, and the
build refuses it in a column of counts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dprk_ru_data.build import build
from dprk_ru_data.errors import DataError
from dprk_ru_data.normalise import FigureError, figures, finders, parse_figure
from dprk_ru_data.normalise import conventions as c
from dprk_ru_data.normalise.figures import Figure
from dprk_ru_data.normalise.tokens import marker, shape

from .conftest import examples
from .test_build import edit_cell

RULED = [(rule.name, e) for rule in (*figures.RULES, *figures.PARTS) for e in rule.examples]


def _same(got: Figure, want: Figure) -> bool:
    return all(g == pytest.approx(w) if isinstance(w, float) else g == w
               for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize(("name", "example"), RULED, ids=[f"{n}: {e.text[:40]}" for n, e in RULED])
def test_every_example_reads_as_its_rule_says(name: str, example: figures.Example) -> None:
    if isinstance(example.reads, str):
        with pytest.raises(FigureError) as raised:
            parse_figure(example.text)
        assert example.reads in str(raised.value), (name, str(raised.value))
    else:
        figure = parse_figure(example.text)
        assert _same(figure, example.reads), (name, figure)


def test_every_rule_and_part_has_examples_of_reading_and_of_refusing_or_reading() -> None:
    for rule in (*figures.RULES, *figures.PARTS):
        assert any(isinstance(e.reads, Figure) for e in rule.examples), rule.name
    names = [rule.name for rule in (*figures.RULES, *figures.PARTS)]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", figures.RULES, ids=lambda rule: rule.name)
def test_each_form_is_what_reads_its_examples(rule: figures.Rule,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the rule, its examples no longer read as stated: the rule is live, and its
    examples are its own."""
    read = [e for e in rule.examples if isinstance(e.reads, Figure)]
    without = {token: tuple(r for r in rules if r is not rule)
               for token, rules in figures._BY_START.items()}
    figures.clear_caches()
    monkeypatch.setattr(figures, "_BY_START", without)
    try:
        for example in read:
            try:
                figure = parse_figure(example.text)
            except FigureError:
                continue
            assert isinstance(example.reads, Figure)
            assert not _same(figure, example.reads), (example.text, "read without its rule")
    finally:
        figures.clear_caches()


def test_the_finders_find_each_form_where_it_starts() -> None:
    """Each readable example of a form (a count, share or sum: durations and multiples are not
    reported alone) is found in running text at its own offset, save the readings the finders
    leave out as too vague for prose ("many officials")."""
    for rule in figures.RULES:
        assert rule.starts <= figures.FIGURE_STARTS, rule.name
        for example in rule.examples:
            reads = example.reads
            if not isinstance(reads, Figure) or reads.kind in ("duration", "ratio") or (
                    (reads.low, reads.high) in finders._TOO_VAGUE):
                continue
            text = f"Officials said {example.text} on Monday."
            starts = [m.start for m in finders.find_figures(text)]
            assert len("Officials said ") in starts, (rule.name, example.text, starts)


def test_the_rule_table_in_the_docs_is_generated() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "conventions.md").read_text("utf-8")
    assert figures.rules_markdown() in doc, (
        "run dprk-data codebook (it rewrites docs/conventions.md)")


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


@settings(max_examples=examples(200), deadline=None)
@given(QUALIFIERS, st.one_of(NUMBERS.map(lambda n: f"{n:,}"), WORDS), UNITS,
       st.sampled_from(["", "for ", "in ", "lasting "]))
def test_a_duration_is_never_a_count(qualifier: str, number: str, unit: str, lead: str) -> None:
    try:
        figure = parse_figure(f"{lead}{qualifier}{number} {unit}")
    except FigureError:
        return
    assert figure.kind == "duration" and figure.unit == c.DURATION_UNIT[unit]
    assert figure.per is None


@settings(max_examples=examples(200), deadline=None)
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


@settings(max_examples=examples(300), deadline=None)
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


@settings(max_examples=examples(500), deadline=None)
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


# --- the short path of evaluation ---------------------------------------------------------

def _like(marker: str, draw: st.DrawFn) -> str:
    """A number of the same shape as `marker` (tokens.marker), so the reading still applies."""
    if marker == "#g":
        return f"{draw(st.integers(1000, 10**17)):,}"
    if marker == "#f":
        return f"{draw(st.integers(0, 10**6))}.{draw(st.integers(0, 99))}"
    if marker == "#5":
        return str(draw(st.integers(10**4, 10**18)))
    width = int(marker[1])
    return str(draw(st.integers(10 ** (width - 1) if width > 1 else 0, 10**width - 1)))


READ_TEXTS = sorted({e.text for _, e in RULED if isinstance(e.reads, Figure)})


@settings(max_examples=examples(400), deadline=None)
@given(st.sampled_from(READ_TEXTS), st.data())
def test_the_short_path_of_evaluation_agrees_with_evaluate(text: str, data: st.DataObject) -> None:
    key, numbers = shape(text)
    reading = figures._grammar(key)
    markers = [marker(number) for number in numbers]
    others = [_like(m, data.draw) for m in markers]

    def outcome(run: object) -> object:
        try:
            return run(others)  # type: ignore[operator]
        except (ValueError, OverflowError) as error:
            return f"refused: {error}"

    assert outcome(figures._evaluator(reading)) == outcome(
        lambda numbers: figures.evaluate(reading, numbers)), (text, others)


def test_every_documented_column_refusal_is_the_builds(project) -> None:
    """Each row of conventions.COLUMN_REFUSALS (the table "What a figure column refuses" of
    docs/conventions.md), built into a column of the kind it names, is a located problem."""
    from dprk_ru_data.registry import TABLES

    columns = {kind: [(t.name, f.name) for t in TABLES.values() if not t.view
                      for f in t.fields if f.reads == kind] for kind in ("count", "fraction",
                                                                         "money")}
    used: dict[tuple[str, str], int] = {}
    expected = {}
    for refusal in c.COLUMN_REFUSALS:
        table, column = columns[refusal.holds][0]
        row = used.get((table, column), 0)
        used[(table, column)] = row + 1
        line = edit_cell(project, table, row, column, refusal.example)
        expected[(f"raw/{table}.csv", line, column)] = refusal
    with pytest.raises(DataError) as raised:
        build(project)
    found = {(p.file, p.line, p.column): p for p in raised.value.problems if p.rule == "figure"}
    for place, refusal in expected.items():
        assert place in found, (refusal, raised.value.problems)
        assert found[place].value == refusal.example and "reads as" in found[place].message
