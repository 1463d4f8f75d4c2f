"""A record's page, laid out as a person reads a record: one field to a line, its label and its
meaning from the codebook, its value with names for ids, and beside it the passage of the text
that supports it.

`site_fields` is made from the descriptor and the registry when the site is built and travels
beside the site's plugin (`fragments/fields.json`); `record_html` turns one database row, the
names of what it refers to and its evidence into HTML. Neither touches Datasette or the corpus,
so both are tested without a server; the plugin (`plugins/dprk_evidence.py`) runs the queries
and reads the passages.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, TypedDict

MULTI = " | "  # how a view's column joins several ids (`source_ids`, `disagreement_ids`)
# Words a field name spells that a reader writes otherwise.
WORDS = {"id": "id", "ids": "ids", "edtf": "EDTF", "sha256": "SHA-256", "iso": "ISO"}
# The table whose rows each kind of id column names, where no foreign key says it.
ID_COLUMNS = {"source_ids": "sources", "disagreement_ids": "disagreements"}
LONG = 90  # characters of a field's meaning shown under its label; a longer one is cut at its colon
RECORD_ID_COLUMNS = ("dated_after", "dated_before", "claimed_before", "record_id", "event_id")


class FieldInfo(TypedDict, total=False):
    """What the page says of one column: its meaning, the table its values name, the build's
    source for a derived value, and the definition of each value of a closed vocabulary."""

    description: str
    full: str
    references: str
    derived_from: str
    values: dict[str, str]


class Evidence(NamedTuple):
    """One evidence row of the record, with its source as a reader cites it and the passage
    cell already made (a highlighted span, or a warning saying why there is none)."""

    evidence_id: str
    field: str | None
    source_id: str
    start: int
    end: int
    sha256: str
    note: str | None
    outlet: str | None
    title: str | None
    published: str | None
    passage: str


def field_label(name: str) -> str:
    """A column's name as a label: `claimant_actor_id` -> 'Claimant', `as_of_edtf` -> 'As of
    EDTF'. (The codebook's description is shown beneath it.)"""
    name = re.sub(r"_(actor_)?id$", "", name) if name.endswith(("_actor_id", "outlet_id")) \
        else name
    words = [WORDS.get(word, word) for word in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def markdown(text: str) -> str:
    """The little Markdown the registry's descriptions use (`code`), as HTML."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def site_fields(descriptor: Mapping[str, Any]) -> dict[str, dict[str, FieldInfo]]:
    """For each table of the descriptor, what a record page says of each column."""
    from ..registry import TABLES, vocabulary

    out: dict[str, dict[str, FieldInfo]] = {}
    for resource in descriptor["resources"]:
        declared = {f.name: f for f in TABLES[resource["name"]].fields} \
            if resource["name"] in TABLES else {}
        references = {key["fields"][0]: key["reference"]["resource"] or resource["name"]
                      for key in resource["schema"].get("foreignKeys", [])}
        table: dict[str, FieldInfo] = {}
        for field in resource["schema"]["fields"]:
            info: FieldInfo = {"description": _first_sentence(field["description"]),
                               "full": field["description"].split(" One of: ")[0]}
            name = field["name"]
            if name in references:
                info["references"] = references[name]
            elif name in ID_COLUMNS:
                info["references"] = ID_COLUMNS[name]
            declaration = declared.get(name)
            if declaration is not None and declaration.derived_from:
                info["derived_from"] = declaration.derived_from
            if declaration is not None and declaration.vocabulary:
                info["values"] = dict(vocabulary(declaration.vocabulary))
            table[name] = info
        out[resource["name"]] = table
    return out


def _first_sentence(description: str) -> str:
    """What a field is, in the codebook's first sentence (the vocabulary's values and the note
    that the build derives it are shown otherwise)."""
    first = re.split(r"(?<=[.;]) ", description.split(" One of: ")[0])[0].rstrip(";")
    first = re.sub(r" \((actors|sources)\.[a-z_]+\)", "", first)
    if len(first) > LONG and ": " in first:  # the rest is in the codebook and the tooltip
        first = first.split(": ")[0] + "."
    return first


Href = Callable[[str, str], str]  # (table, id) -> the address of that record's page


def _value(column: str, value: Any, info: FieldInfo, names: Mapping[tuple[str, str], str],
           href: Href, row: Mapping[str, Any]) -> str:
    """A value as a reader wants it: a name for an id (linked), a record id linked to its page,
    a vocabulary value with its definition, a whole number without a decimal point."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):  # a share or an amount: a whole one without a decimal point
        return f"{int(value):,}" if value.is_integer() else f"{value:g}"
    text = str(value)
    table = info.get("references")
    if column in RECORD_ID_COLUMNS:
        table = str(row.get("record_table") or "") if column in ("record_id", "event_id") \
            else ""
    if table is not None:
        links = []
        for item in text.split(MULTI) if MULTI in text or column in ID_COLUMNS else [text]:
            target = table or _table_of(item, names)
            name = names.get((target, item))
            shown = (f"{html.escape(name)} <small class='record-id'>{html.escape(item)}</small>"
                     if name and name != item else html.escape(item))
            links.append(f'<a href="{html.escape(href(target, item))}">{shown}</a>'
                         if target else shown)
        return ", ".join(links)
    if "values" in info and text in info["values"]:
        return (f"{html.escape(text.replace('_', ' '))}<small class='definition'>"
                f"{html.escape(info['values'][text])}</small>")
    return html.escape(text)


def _table_of(record_id: str, names: Mapping[tuple[str, str], str]) -> str:
    """The table of a record named only by its id (a `dated_after`), from the names found."""
    return next((table for table, item in names if item == record_id), "")


def _evidence_html(items: Sequence[Evidence], evidence_page: str) -> str:
    parts = []
    for item in items:
        cited = ", ".join(html.escape(part) for part in (item.outlet, item.title, item.published)
                          if part)
        note = (f'<small class="evidence-note">{html.escape(item.note)}</small>'
                if item.note else "")
        parts.append(
            f'<div class="record-evidence" id="{html.escape(item.evidence_id)}">'
            f"{item.passage}{note}<small class='evidence-source'>"
            f"{cited or html.escape(item.source_id)}"
            f" &middot; characters {item.start:,} to {item.end:,} &middot; "
            f'<a href="{html.escape(evidence_page)}#{html.escape(item.evidence_id)}">'
            f"{html.escape(item.evidence_id)}</a></small></div>")
    return "".join(parts)


def record_html(table: str, key: str, row: Mapping[str, Any],
                fields: Mapping[str, FieldInfo], names: Mapping[tuple[str, str], str],
                evidence: Sequence[Evidence], href: Href, evidence_page: str,
                order: Sequence[str]) -> str:
    """The record as a list of fields, in `order`: each stated field with its label, meaning,
    value and the passages that support it; then the fields it leaves empty, named; then any
    evidence for a field this table does not show (a view's record points at its source's)."""
    by_field: dict[str | None, list[Evidence]] = {}
    for item in evidence:
        by_field.setdefault(_column_of(item.field, row), []).append(item)
    lines, empty = [], []
    for column in order:
        value = row.get(column)
        info = fields.get(column, {})
        if value is None or value == "":
            empty.append(column)
            continue
        derived = (f"<small class='derived'>Derived by the build from "
                   f"{html.escape(field_label(info['derived_from']).lower())}.</small>"
                   if "derived_from" in info else "")
        lines.append(
            f'<tr class="record-field" data-column="{html.escape(column)}">'
            f'<th scope="row" title="{html.escape(info.get("full", ""))}">'
            f"{html.escape(field_label(column))}"
            f"<small class='description'>{markdown(info.get('description', ''))}</small></th>"
            f'<td class="record-value">{_value(column, value, info, names, href, row)}{derived}'
            f"{_evidence_html(by_field.pop(column, []), evidence_page)}</td></tr>")
    body = [f'<table class="record"><tbody>{"".join(lines)}</tbody></table>']
    whole = by_field.pop(None, [])
    if whole:
        body.append('<div class="record-whole"><h2>Evidence for the record as a whole</h2>'
                    f"{_evidence_html(whole, evidence_page)}</div>")
    rest = [item for items in by_field.values() for item in items]
    if rest:
        body.append("<h2>Evidence for other fields of the record</h2>" + "".join(
            f"<h3>{html.escape(field_label(item.field or ''))}</h3>"
            f"{_evidence_html([item], evidence_page)}" for item in rest))
    if empty:
        body.append('<p class="record-empty">Not stated by this record: '
                    + ", ".join(html.escape(field_label(c).lower()) for c in empty) + ".</p>")
    return "".join(body)


def _column_of(field: str | None, row: Mapping[str, Any]) -> str | None:
    """The column of this row that an evidence row's `field` supports: itself, or in the claims
    view the one `figure_text` of the figure it states (`quantity_text` -> `figure_text`)."""
    if field is None or field in row:
        return field
    if row.get("figure") and field == f"{row['figure']}_text" and "figure_text" in row:
        return "figure_text"
    return field
