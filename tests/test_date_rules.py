"""The date forms are rules with their examples: every rule has examples, every example reads
as it says (or is refused where it says so), and a rule is reached from the tokens it claims to
start with. The examples live beside the rules (`dates.RULES`), not here."""

from __future__ import annotations

import datetime as dt

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
    assert dates.rules_markdown() in doc, "regenerate docs/conventions.md (dates.rules_markdown)"
