"""A record's page, without a server: one line per stated field with its meaning, names for ids,
whole numbers without a decimal point, every value escaped, each passage beside its field."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dprk_ru_data
from dprk_ru_data.site.record import (Evidence, field_label, record_html, site_fields)

TAGS = {"table", "tbody", "tr", "th", "td", "small", "a", "code", "div", "p", "h2", "h3",
        "span", "mark"}


class _Page(HTMLParser):
    """The elements and the text of a fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.columns: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.columns.append(dict(attrs).get("data-column") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(fragment: str) -> _Page:
    page = _Page()
    page.feed(fragment)
    page.close()
    return page


def _href(table: str, record: str) -> str:
    return f"/db/{table}/{record}"


def _evidence(evidence_id: str, field: str | None, passage: str = "<mark>x</mark>") -> Evidence:
    return Evidence(evidence_id, field, "src-001", 10, 20, "0" * 64, None, "Outlet", "Title",
                    "2024-10-01", passage)


@pytest.fixture(scope="module")
def fields() -> dict:
    return site_fields(dprk_ru_data.package())


def test_every_column_of_every_table_has_its_meaning(fields) -> None:
    from dprk_ru_data.registry import vocabulary, TABLES

    for resource in dprk_ru_data.package()["resources"]:
        table = fields[resource["name"]]
        assert set(table) == {f["name"] for f in resource["schema"]["fields"]}
        for field in TABLES[resource["name"]].fields:
            info = table[field.name]
            assert info["description"] and "One of:" not in info["description"]
            if field.vocabulary:
                assert info["values"] == dict(vocabulary(field.vocabulary))
        for key in resource["schema"].get("foreignKeys", []):
            assert table[key["fields"][0]]["references"] in (key["reference"]["resource"],
                                                             resource["name"])


def test_labels_read_as_words() -> None:
    for name in ("claimant_actor_id", "as_of_edtf", "corpus_sha256", "figure_low"):
        label = field_label(name)
        assert "_" not in label and label[0].isupper()
        assert not label.lower().endswith("actor id")


def test_a_stated_field_is_one_line_and_an_empty_one_is_named(fields) -> None:
    estimate = dprk_ru_data.load("troop_estimates").row(0, named=True)
    page = record_html("troop_estimates", "estimate_id", estimate, fields["troop_estimates"],
                       {}, [], _href, "/-/evidence/x", list(estimate))
    parsed = _parse(page)
    stated = [c for c, v in estimate.items() if v is not None and v != ""]
    assert [c for c in parsed.columns if c] == stated
    empty = [c for c, v in estimate.items() if v is None or v == ""]
    tail = page.rsplit("Not stated by this record:", 1)
    assert (len(tail) == 2) == bool(empty)
    for column in empty:
        assert html.escape(field_label(column).lower()) in tail[-1]


def test_an_id_shows_the_name_it_stands_for_linked_to_its_record(fields) -> None:
    actors = dprk_ru_data.load("actors")
    estimate = dprk_ru_data.load("troop_estimates").row(0, named=True)
    names = {("actors", a): n for a, n in actors.select("actor_id", "name").iter_rows()}
    page = record_html("troop_estimates", "estimate_id", estimate, fields["troop_estimates"],
                       names, [], _href, "/-/evidence/x", list(estimate))
    subject = estimate["subject_actor_id"]
    assert f'<a href="/db/actors/{subject}">{html.escape(names[("actors", subject)])}' in page


def test_each_passage_sits_with_its_field(fields) -> None:
    claim = dprk_ru_data.load("claims").filter(dprk_ru_data.load("claims")["figure"]
                                               == "quantity").row(0, named=True)
    evidence = [_evidence("ev-1", "quantity_text"), _evidence("ev-2", None),
                _evidence("ev-3", "claimant_actor_id"), _evidence("ev-4", "designation")]
    page = record_html("claims", "claim_id", claim, fields["claims"], {}, evidence, _href,
                       "/-/evidence/at", list(claim))
    lines = dict(re.findall(r'<tr class="record-field" data-column="([a-z_]+)">(.*?)</tr>', page))
    assert 'id="ev-1"' in lines["figure_text"]  # the transfer's quantity is the view's figure
    assert 'id="ev-3"' in lines["claimant_actor_id"]
    whole, other = page.index("as a whole"), page.index("other fields")
    assert page.index('id="ev-2"') > whole and page.index('id="ev-4"') > other
    assert all(page.count(f'id="ev-{i}"') == 1 for i in range(1, 5))


numbers = st.one_of(st.integers(-10**15, 10**15),
                    st.integers(-10**12, 10**12).map(float),
                    st.floats(allow_nan=False, allow_infinity=False, width=32))


@given(st.dictionaries(st.sampled_from(["low", "high", "best", "span_start", "corpus_chars",
                                        "share_low", "value_best"]), numbers, min_size=1))
def test_a_whole_number_never_shows_a_decimal_point(values: dict) -> None:
    page = record_html("t", "key", values, {}, {}, [], _href, "/e", list(values))
    shown = re.findall(r'<td class="record-value">([^<]*)', page)
    assert len(shown) == len(values)
    for value, text in zip(values.values(), shown):
        if float(value).is_integer():
            assert "." not in text and int(text.replace(",", "")) == int(value), (value, text)


@given(st.dictionaries(st.sampled_from(["note", "description", "figure_text", "subject_actor_id",
                                        "dated_after", "measure"]),
                       st.one_of(st.text(min_size=1), st.text("<>&\"'/= bi", min_size=1))
                       .filter(str.strip), min_size=1))
def test_every_value_is_text_never_markup(values: dict) -> None:
    info = {"subject_actor_id": {"references": "actors", "description": "Who."},
            "measure": {"values": {"deployed": "<b>sent</b>"}, "description": "What."}}
    names = {("actors", v): f"<i>{v}</i>" for v in values.values()}
    page = record_html("t", "key", values, info, names, [], _href, "/e", list(values))
    parsed = _parse(page)
    assert set(parsed.tags) <= TAGS
    text = "".join(parsed.text)
    for value in values.values():
        assert value in text
