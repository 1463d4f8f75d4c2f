"""The date forms are rules with their examples: every rule has examples, every example reads
as it says (or is refused where it says so), and a rule is reached from the tokens it claims to
start with. The examples live beside the rules (`dates.RULES`), not here."""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass

import pytest

from dprk_ru_data.normalise import DateError, parse_date
from dprk_ru_data.normalise import dates
from dprk_ru_data.normalise.finders import find_dates
from dprk_ru_data.normalise.tokens import of_shape, shape

EXAMPLES = [(rule.name, example) for rule in dates.RULES for example in rule.examples]


def test_every_rule_has_examples_of_what_it_reads_and_refuses() -> None:
    assert len({rule.name for rule in dates.RULES}) == len(dates.RULES)
    for rule in dates.RULES:
        assert len(rule.examples) >= 2, rule.name
        assert rule.starts and rule.read.__doc__, rule.name


@pytest.mark.parametrize("name, example", EXAMPLES, ids=[f"{n}: {e.text}" for n, e in EXAMPLES])
def test_each_example_reads_as_stated(name: str, example: dates.Example) -> None:
    reference = dt.date.fromisoformat(example.reference) if example.reference else None
    if example.edtf is None:
        with pytest.raises(DateError):
            parse_date(example.text, reference, example.tense)
        return
    assert parse_date(example.text, reference, example.tense).edtf == example.edtf


PART_EXAMPLES = [(part.name, e) for part in dates.PARTS for e in part.examples]


def _reference(text: str | None) -> object:
    if text is None:
        return None
    if "/" in text:  # a report dated only within a range
        start, end = text.split("/")
        return (dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize("name, example", PART_EXAMPLES,
                         ids=[f"{n}: {e.text}" for n, e in PART_EXAMPLES])
def test_each_example_of_what_stands_around_a_form_reads_as_stated(
        name: str, example: dates.Example) -> None:
    reference = _reference(example.reference)
    if example.edtf is None:
        with pytest.raises(DateError):
            parse_date(example.text, reference, example.tense)
        return
    read = parse_date(example.text, reference, example.tense)
    days = f"{read.start or ''}..{read.end or ''}"
    assert (read.edtf, read.precision, days) == (
        example.edtf, example.precision or read.precision, example.days or days), name


def test_every_part_has_examples_that_read() -> None:
    assert len({part.name for part in dates.PARTS}) == len(dates.PARTS)
    for part in dates.PARTS:
        assert any(e.edtf is not None and e.precision and e.days for e in part.examples)


def _rules_at(text: str) -> set[str]:
    """The rules that read a date from some token of `text`."""
    t = of_shape(shape(text)[0])
    return {rule.name for i, word in enumerate(t.words) for rule in dates.RULES
            if word in rule.starts and rule.read(t, i, True) is not None}


@pytest.mark.parametrize("name, example", EXAMPLES, ids=[f"{n}: {e.text}" for n, e in EXAMPLES])
def test_each_example_is_read_by_its_own_rule(name: str, example: dates.Example) -> None:
    assert name in _rules_at(example.text)


def test_the_finder_starts_wherever_a_rule_can() -> None:
    from dprk_ru_data.normalise import finders

    for rule in dates.RULES:
        assert rule.starts <= finders._DATE_STARTS, rule.name
    readable = [e for _, e in EXAMPLES if e.edtf is not None and e.reference]
    for example in readable:  # and finds each readable example in running text
        text = f"Officials reported it {example.text}."
        assert find_dates(text, dt.date.fromisoformat(example.reference)), example.text


def test_the_conventions_document_lists_every_rule() -> None:
    from .conftest import ROOT

    doc = (ROOT / "docs" / "conventions.md").read_text(encoding="utf-8")
    assert dates.rules_markdown() in doc, (
        "run dprk-data codebook (it rewrites docs/conventions.md)")


# --- dates relative to another event, in running text ------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dprk_ru_data.normalise import tokens  # noqa: E402

NUMBER_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1)),
       st.integers(1, 10), st.sampled_from(["later", "after"]))
def test_a_date_n_days_after_another_is_read_against_it(day: dt.date, n: int, word: str) -> None:
    text = (f"The summit was held on {day:%d %B %Y}. {NUMBER_WORDS[n - 1].capitalize()} days "
            f"{word}, the treaty was published.")
    first, second = find_dates(text, day + dt.timedelta(days=60))
    assert second.value is not None and second.value.start == day + dt.timedelta(days=n)
    assert second.value.precision == "day" and second.note.startswith("derived")
    assert f"{first.start}:{first.end}" in second.note  # it says which date it read against


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 1, 1)))
def test_the_following_weekday_is_the_first_after_the_event(day: dt.date) -> None:
    text = f"Talks began on {day:%d %B %Y}. The following Friday, both sides signed."
    second = find_dates(text, day + dt.timedelta(days=30))[1]
    assert second.value is not None
    gap = (second.value.start - day).days
    assert second.value.start.weekday() == 4 and 1 <= gap <= 7


def test_with_no_event_date_before_it_the_date_is_found_unread_with_the_reason() -> None:
    text = "Two days later, the treaty was published, officials said."
    (only,) = find_dates(text, dt.date(2024, 11, 1))
    assert only.value is None and "no date of it found" in (only.note or "")
    far = "On 19 June 2024 it began. " + "And then it went on. " * 30 + "Two days later, it ended."
    assert find_dates(far, dt.date(2024, 11, 1))[-1].value is None  # too far back to anchor


def test_the_anchor_carries_across_windows(monkeypatch) -> None:
    text = ("The summit was held on 19 June 2024 in Pyongyang, with talks over two days. "
            "Two days later, the treaty text was published. The following Tuesday, it was "
            "ratified.")
    whole = find_dates(text, dt.date(2024, 11, 1))
    for size in (1, 2, 5):
        monkeypatch.setattr(tokens, "WINDOW_TOKENS", size)
        assert find_dates(text, dt.date(2024, 11, 1)) == whole
    assert [m.value.start.isoformat() for m in whole] == ["2024-06-19", "2024-06-21",
                                                          "2024-06-25"]


def test_a_new_form_is_one_rule(monkeypatch) -> None:
    """The worked example of docs/curation.md: a reader, a resolver and a rule with its
    examples, and the phrase is read, by the readers and the finders alike."""
    from dprk_ru_data.normalise.tokens import first_tokens, match_phrase, phrase_index

    d = dates
    eve = phrase_index(frozenset({"the eve of"}))

    @dataclass(frozen=True, slots=True)
    class EveSpec:
        """"the eve of 9 May": the day before `day`."""

        day: dates.DaySpec

    def read_eve(t, i, weekday):
        """"the eve of 9 May": the day before a day."""
        found = match_phrase(eve, t.words, i)
        inner = d._point(t, found[0]) if found else None
        if inner is None or not isinstance(inner[0], d.DaySpec):
            return None
        return EveSpec(inner[0]), inner[1]

    def resolve_eve(spec: EveSpec, ctx):
        day = d._closed(spec.day, ctx).start - dt.timedelta(days=1)
        return d._Span(d._iso(day), day, day, "day")

    rule = d.Rule("eve of a day", first_tokens(frozenset({"the eve of"})), read_eve, (
        d._E("on the eve of 9 May 2025", None, None, "2025-05-08"),
        d._E("the eve of May", None, None, None)))
    monkeypatch.setitem(d.RESOLVERS, EveSpec, resolve_eve)
    monkeypatch.setattr(d, "RULES", (rule, *d.RULES))
    by_start = dict(d._BY_START)
    for token in rule.starts:
        by_start[token] = (rule, *by_start.get(token, ()))
    monkeypatch.setattr(d, "_BY_START", by_start)
    d.clear_caches()
    try:
        for example in rule.examples:
            if example.edtf is None:
                with pytest.raises(DateError):
                    parse_date(example.text)
            else:
                assert parse_date(example.text).edtf == example.edtf
        found = find_dates("Troops paraded on the eve of 9 May 2025 in Moscow.")
        assert [m.value.edtf for m in found] == ["2025-05-08"]
    finally:
        d.clear_caches()


@given(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 31))
def test_the_fast_paths_give_what_the_general_resolver_gives(year: int, month: int,
                                                             day: int) -> None:
    numbers = [str(day), str(year)]
    slot, const = dates.Slot, dates.Const
    for spec in (dates.DaySpec(slot(1), const(month), slot(0)),
                 dates.MonthSpec(slot(1), const(month)),
                 dates.MonthSpec(const(year), const(month)), dates.YearSpec(slot(1))):
        try:
            general: object = dates._resolve(spec, dates._Context(numbers, None, None))
        except ValueError as error:
            general = str(error)
        try:
            fast: object = dates.resolve(spec, numbers, None)
        except ValueError as error:
            fast = str(error)
        assert fast == general, spec


def test_every_kind_of_spec_has_a_resolver() -> None:
    """Each class of `dates.Spec` is resolved: by `RESOLVERS`, or, where it may leave an end
    open, by `_resolve` itself; and `RESOLVERS` resolves nothing else."""
    by_resolve = {dates.TensedSpec, dates.RelativeSpec, dates.OpenSpec}
    kinds = set(typing.get_args(dates.Spec))
    assert kinds == set(dates.RESOLVERS) | by_resolve
    assert not set(dates.RESOLVERS) & by_resolve


def _tense_everywhere(words: list[str], start: int, end: int) -> str | None:
    """The tense rule read over every word (what `tense_at` gives, reading outward)."""
    best: dict[str, int] = {}
    for i in range(len(words)):
        if start <= i < end:
            continue
        for tense, stop in dates._cues_at(words, i):
            if stop <= start or i >= end:
                distance = start - stop if stop <= start else i - end
                best[tense] = min(best.get(tense, distance), distance)
    if not best:
        return None
    closest = min(best.values())
    kinds = [t for t, d in best.items() if d == closest]
    return kinds[0] if len(kinds) == 1 else None


WORDS = ["will", "was", "due", "to", "said", "the", "troops", "had", "been", "planned", "for",
         "expected", "be", "held", "arrived", "is", "poised", "on", "next", "ago", "hundred"]


@given(st.lists(st.sampled_from(WORDS), max_size=12), st.lists(st.sampled_from(WORDS),
                                                               max_size=12))
def test_reading_outward_gives_the_nearest_cue(before: list[str], after: list[str]) -> None:
    words = [*before, "#1", *after]
    start = len(before)
    assert dates.tense_at(words, start, start + 1) == _tense_everywhere(words, start, start + 1)
