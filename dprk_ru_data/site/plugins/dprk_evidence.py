"""Datasette plugin of dprk-ru-data: every record links to its evidence page, which shows each
field beside the passage that supports it (read from the corpus on this machine, if present).

Shipped with the package and copied into a site by `dprk-data serve`; it reads the database it
serves and, for passages, the corpus folder named in the plugin configuration. The texts are
never written into the database. A text is read only through the build's guarded reader
(`dprk_ru_data.evidence.read_bytes`, `decode`), and a passage is shown only where the whole text
still has the SHA-256 and the length recorded in `sources`, and the span its own SHA-256, as the
build checks them (`evidence.check_spans`). Where a passage cannot be shown, the page says why,
in a warning that is always visible.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import os
import threading
import urllib.parse
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple

from datasette import Response, hookimpl
from markupsafe import Markup

from dprk_ru_data.registry import CLAIM_TABLES
from dprk_ru_data.site import FIELDS, FRAGMENTS
from dprk_ru_data.site.record import Evidence, field_label, record_html

# The columns that hold a record's id: each table of claims' key (as the registry declares them)
# and the views' and the disagreements' columns naming a record.
RECORD_COLUMNS = {t.key for t in CLAIM_TABLES.values()} | {"record_id", "event_id"}
PLUGIN = "dprk-evidence"
CONTEXT = 120  # characters shown either side of a span
CACHED_TEXTS = 8  # texts kept checked in memory; each is at most evidence.MAX_TEXT_BYTES


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str, database: str) -> Any:
    """A record id names its record: a link to the record's page where the row says its table,
    else to its evidence page; a whole number has its thousands marked, as on record pages."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if column in RECORD_COLUMNS and table != "evidence" and isinstance(value, str):
        kind = _row_value(row, "record_table") if column == "record_id" else None
        target = _href(database, kind, value) if kind else f"/-/evidence/{value}"
        return Markup(f'<a href="{html.escape(target)}">{html.escape(value)}</a>')
    return None


def _row_value(row: Any, column: str) -> str | None:
    try:
        value = row[column]
    except (KeyError, IndexError, TypeError):
        return None
    return value if isinstance(value, str) else None


class Text(NamedTuple):
    """A corpus text as this machine has it: the text, where it is the one recorded, else a
    warning saying why none of its passages can be shown. (Not a dataclass: Datasette loads
    this file as a module it does not register, where dataclasses cannot resolve annotations.)
    """

    text: str | None
    warning: str | None


_cache: OrderedDict[tuple[Any, ...], Text] = OrderedDict()
_cache_lock = threading.Lock()


def _refused(name: str, error: Exception, folder: Path) -> str:
    from dprk_ru_data.evidence import CorpusError

    if isinstance(error, CorpusError) and error.rule == "corpus_missing":
        return (f"The text {name} is missing from the folder of source texts on this machine, "
                "so the passage cannot be shown.")
    reason = str(error)
    for path in {str(folder.resolve()), str(folder)}:
        reason = reason.replace(path, "the folder of source texts")
    return f"The text {name} was refused and not read: {reason}"


def read_checked(folder: Path, name: str, sha256: str, chars: int) -> Text:
    """The corpus text `name` of `folder`, read through the guarded reader and checked against
    its recorded SHA-256 (of the file's bytes) and length (in characters).

    A checked text is kept, keyed by the file's identity, size and modification time, so that a
    page does not hash it again; an edited or replaced file is read and checked afresh.
    """
    from dprk_ru_data.evidence import CorpusError, decode, read_bytes

    key: tuple[Any, ...] | None = None
    if name and name == os.path.basename(name) and name not in (".", ".."):
        try:  # the file's own entry, links not followed: the reader decides what it may read
            status = os.lstat(folder / name)
            key = (str(folder), name, status.st_dev, status.st_ino, status.st_size,
                   status.st_mtime_ns, sha256, chars)
        except OSError:
            key = None
    if key is not None:
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
    try:
        data = read_bytes(folder, name)
        if hashlib.sha256(data).hexdigest() != sha256:
            checked = Text(None, f"The text {name} on this machine has changed since the data "
                                 "was checked: its SHA-256 fingerprint is not the one recorded. "
                                 "No passage of it is shown, as it might not say what was "
                                 "recorded.")
        else:
            text = decode(data, name)
            checked = (Text(text, None) if len(text) == chars else
                       Text(None, f"The text {name} on this machine has changed since the data "
                                  f"was checked: it has {len(text):,} characters, not the "
                                  f"{chars:,} recorded. No passage of it is shown."))
    except CorpusError as error:
        return Text(None, _refused(name, error, folder))
    if key is not None:
        with _cache_lock:
            _cache[key] = checked
            while len(_cache) > CACHED_TEXTS:
                _cache.popitem(last=False)
    return checked


def _span_sha256(span: str) -> str:
    from dprk_ru_data.evidence import span_sha256

    return span_sha256(span)


def passage(text: Text | None, name: str, digest: str, start: int, end: int) -> str:
    """The span with a little context, the span highlighted; or a visible warning saying why it
    cannot be shown. `text` is None where the corpus texts are not on this machine."""
    if text is None:
        why = ("The source texts are not on this machine, so the passage cannot be shown; its "
               f"place in the text ({start}:{end}) and its SHA-256 are listed to check it "
               "elsewhere.")
    elif text.text is None:
        why = text.warning or ""
    elif not 0 <= start <= end <= len(text.text) or _span_sha256(text.text[start:end]) != digest:
        why = (f"The passage at {start}:{end} of {name} does not match its recorded SHA-256 "
               "fingerprint: the record points at words that are not the ones checked. It is "
               "not shown.")
    else:
        body = text.text
        before, span, after = body[max(0, start - CONTEXT):start], body[start:end], \
            body[end:end + CONTEXT]
        return (f'<span class="passage">…{html.escape(before)}<mark>{html.escape(span)}</mark>'
                f"{html.escape(after)}…</span>")
    return f'<p class="evidence-warning" role="note">{html.escape(why)}</p>'


# One evidence row with its source as a reader cites it; the page's and the record's query.
EVIDENCE_SQL = (
    "SELECT e.evidence_id, e.field, e.source_id, e.span_start, e.span_end, e.span_sha256, "
    "e.note, o.name, s.title, s.published_text, s.corpus_file, s.corpus_sha256, s.corpus_chars, "
    "e.record_table FROM evidence e JOIN sources s USING (source_id) "
    "LEFT JOIN actors o ON o.actor_id = s.outlet_id WHERE {where} "
    "ORDER BY e.field IS NULL, e.field, e.evidence_id")


def _passages(corpus: str | None, rows: list[Any]) -> list[str]:
    """The passage cell of each evidence row (`rows` as `EVIDENCE_SQL` returns them)."""
    texts: dict[tuple[str, str, int], Text | None] = {}
    cells = []
    for row in rows:
        start, end, digest, name, text_sha256, text_chars = (row[3], row[4], row[5], row[10],
                                                             row[11], row[12])
        key = (name, text_sha256, text_chars)
        if key not in texts:
            texts[key] = (read_checked(Path(corpus), name, text_sha256, text_chars)
                          if corpus else None)
        cells.append(passage(texts[key], name, digest, start, end))
    return cells


async def _evidence(datasette: Any, database: Any, where: str, value: str) -> list[Evidence]:
    """The evidence rows matching `where` (one `?`), each with its passage cell; texts are read
    and hashed off the event loop, so that other pages are served meanwhile."""
    rows = list((await database.execute(EVIDENCE_SQL.format(where=where), [value])).rows)
    config = datasette.plugin_config(PLUGIN) or {}
    cells = await asyncio.to_thread(_passages, config.get("corpus"), rows)
    return [Evidence._make([*row[:10], cell]) for row, cell in zip(rows, cells)]


def _cited(item: Evidence) -> str:
    return "".join(f"<span class='cite-{kind}'>{html.escape(part)}</span>"
                   for kind, part in (("outlet", item.outlet), ("title", item.title),
                                      ("date", item.published)) if part) \
        or html.escape(item.source_id)


async def evidence_page(datasette: Any, request: Any) -> Response:
    record = request.url_vars["record_id"]
    database = datasette.get_database()
    items = await _evidence(datasette, database, "e.record_id = ?", record)
    if not items:
        missing = (f"<h1>No evidence for {html.escape(record)}</h1><p>No record of this id has "
                "passages of the texts. Record ids look like <code>te-001</code>; a figure of "
                "the claims view (<code>te-001.figure</code>) has the evidence of its record. "
                f'<a href="/{html.escape(database.name)}">All the tables</a>.</p>')
        page = await datasette.render_template("evidence.html", {"body": Markup(missing),
                                                                  "record": record},
                                               request=request)
        return Response.html(page, status=404)
    (table,) = (await database.execute("SELECT record_table FROM evidence WHERE record_id = ? "
                                       "LIMIT 1", [record])).first()
    body = [f"<h1>Evidence for {html.escape(record)}</h1>",
            f'<p><a href="{html.escape(_href(database.name, table, record))}">'
            f"The record, field by field</a> &middot; {_count(len(items), 'passage')} from "
            f"{_count(len({i.source_id for i in items}), 'text')}</p>",
            '<table class="rows-and-columns evidence-passages"><thead><tr><th>field</th>'
            "<th>source</th><th>where</th><th>passage</th></tr></thead><tbody>"]
    for item in items:
        body.append(
            f'<tr class="evidence" id="{html.escape(item.evidence_id)}">'
            f"<td>{_field_cell(item.field)}</td>"
            f'<td class="evidence-cited">{_cited(item)}<small>{html.escape(item.source_id)}'
            "</small></td>"
            f"<td class='evidence-where'>characters {item.start:,} to {item.end:,}"
            f"<small title='{html.escape(item.sha256)}'>SHA-256 "
            f"<code>{html.escape(item.sha256[:16])}…</code></small>"
            f"<small>{html.escape(item.evidence_id)}</small></td>"
            f'<td>{item.passage}<small class="evidence-note">{html.escape(item.note or "")}'
            "</small></td></tr>")
    body.append("</tbody></table>")
    body.extend(await _groups(database, record))
    page = await datasette.render_template("evidence.html", {"body": Markup("".join(body)),
                                                              "record": record}, request=request)
    return Response.html(page)


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _field_cell(field: str | None) -> str:
    """Which field a passage supports, by its label, with its column's name beneath."""
    if field is None:
        return "the record as a whole"
    return f"{html.escape(field_label(field))}<small>{html.escape(field)}</small>"


def _href(database: str, table: str, record: str) -> str:
    """The address of a record's page (an id with a dot is tilde-encoded, as Datasette does;
    a disagreement group is the disagreements table filtered to it)."""
    from datasette.utils import tilde_encode

    if table == "disagreements":
        return f"/{database}/disagreements?group_id={urllib.parse.quote(record)}"
    return f"/{database}/{table}/{tilde_encode(record)}"


async def _groups(database: Any, record: str) -> list[str]:
    """The record's disagreement groups: the other records of each, linked, with their notes."""
    tables = await database.table_names()
    if "disagreements" not in tables:
        return []
    rows = (await database.execute(
        "SELECT d.group_id, d.aspect, d.record_table, d.record_id, d.note, own.note "
        "FROM disagreements d JOIN disagreements own ON own.group_id = d.group_id "
        "WHERE own.record_id = ? AND d.record_id != ? ORDER BY d.group_id, d.record_id",
        [record, record])).rows
    if not rows:
        return []
    body = ["<h2>Other records that report the same thing differently</h2>"]
    current = None
    for group, aspect, table, other, note, own in rows:
        if group != current:  # one heading per group, with what this record says in it
            body.append(("</ul>" if current else "")
                        + f'<h3 class="disagreement-group">{html.escape(group)}: they differ on '
                        f"{html.escape(aspect)}</h3><p>This record: {html.escape(own)}</p>"
                        '<ul class="disagreements">')
            current = group
        body.append(f'<li><a href="{html.escape(_href(database.name, table, other))}">'
                    f"{html.escape(other)}</a> ({html.escape(table)}): {html.escape(note)} "
                    f'<a href="/-/evidence/{html.escape(other)}">its evidence</a></li>')
    body.append("</ul>")
    return body


async def _names(database: Any, row: dict[str, Any],
                 fields: dict[str, Any]) -> dict[tuple[str, str], str]:
    """What a reader calls each thing the row names by id: actors by name, texts by title,
    disagreement groups by what they differ on, records by their id (with their table)."""
    from dprk_ru_data.site.record import MULTI, RECORD_ID_COLUMNS

    wanted: dict[str, set[str]] = {}
    for column, value in row.items():
        table = (fields.get(column) or {}).get("references")
        if isinstance(value, str) and (table or column in RECORD_ID_COLUMNS):
            wanted.setdefault(table or "", set()).update(value.split(MULTI))
    label = {"actors": ("actor_id", "name"), "sources": ("source_id", "label"),
             "disagreements": ("group_id", "aspect")}
    names: dict[tuple[str, str], str] = {}
    for table, ids in wanted.items():
        marks = ", ".join("?" * len(ids))
        if table in label:
            key, name = label[table]
            for found, shown in (await database.execute(
                    f"SELECT DISTINCT {key}, {name} FROM {table} WHERE {key} IN ({marks})",
                    sorted(ids))).rows:
                names[(table, found)] = shown or found
        elif not table:  # a record of some table of claims, named by its id alone
            for claims in CLAIM_TABLES.values():
                for (found,) in (await database.execute(
                        f"SELECT {claims.key} FROM {claims.name} WHERE {claims.key} IN ({marks})",
                        sorted(ids))).rows:
                    names[(claims.name, found)] = found
    return names


async def record_page(datasette: Any, database_name: str, table: str, request: Any) -> str:
    """The body of a record's page: its fields one to a line with their evidence inline, and
    its disagreement groups. Empty where the row is not found (Datasette's page says so)."""
    from datasette.utils import urlsafe_components

    database = datasette.get_database(database_name)
    keys = await database.primary_keys(table)
    values = urlsafe_components(request.url_vars.get("pks", ""))
    if len(keys) != 1 or len(values) != 1:
        return ""
    result = await database.execute(f'SELECT * FROM "{table}" WHERE "{keys[0]}" = ?', values)
    found = result.first()
    if found is None:
        return ""
    columns = [d[0] for d in result.description]
    row = dict(zip(columns, found))
    every = _site_fields()
    fields = (every or {}).get(table, {})
    if table == "evidence":
        where, record = "e.evidence_id = ?", values[0]
    else:
        where, record = "e.record_id = ?", str(row.get("record_id") or values[0])
    evidence = await _evidence(datasette, database, where, record)
    page = f"/-/evidence/{row.get('record_id') or record}"
    body = record_html(table, keys[0], row, fields, await _names(database, row, fields),
                       evidence, lambda t, i: _href(database_name, t, i), page, columns)
    if evidence and table != "evidence":
        body = (f'<p class="record-links"><a href="{html.escape(page)}">The '
                f"{_count(len(evidence), 'passage')} for {html.escape(record)}, "
                "with their sources</a></p>") + body
    if every is None:
        body = _NOT_BUILT + body
    return body + "".join(await _groups(database, record))


MAX_FRAGMENT_BYTES = 16 * 2**20  # a page part the site's build wrote (front page, timeline)
_NOT_BUILT = ('<p class="evidence-warning" role="note">This part of the page was not built with '
              "the site: run <code>dprk-data serve --export</code> again.</p>")


def _built(name: str) -> bytes | None:
    """The file `name` that the site's build made from the data (in `fragments/`, beside this
    file), or None where it is missing or unreadable (a site copied without it)."""
    from dprk_ru_data.paths import read_inside

    try:
        return read_inside(Path(__file__).resolve().parent / FRAGMENTS, name, MAX_FRAGMENT_BYTES)
    except OSError:
        return None


def fragment(name: str) -> Markup:
    """A part of a page that the site's build made from the data (`fragments/NAME.html`), as
    HTML: never rendered as a template, so that braces in the data stay text. Where it is
    missing, the page says so."""
    data = _built(f"{name}.html")
    return Markup(_NOT_BUILT if data is None else data.decode("utf-8"))


def _site_fields() -> dict[str, Any] | None:
    """Each table's fields for its record pages (`record.site_fields`: label, meaning, what a
    column refers to), as the site's build wrote them (`fragments/fields.json`); None where the
    file is missing or is not such a mapping (of tables to fields to what is known of each).
    Read for each record page, as the fragments are, and never put in Datasette's metadata,
    which it copies whole for every permission check."""
    data = _built(FIELDS)
    try:
        fields = json.loads(data) if data is not None else None
    except ValueError:
        return None
    if not isinstance(fields, dict) or not all(
            isinstance(table, dict) and all(isinstance(info, dict) for info in table.values())
            for table in fields.values()):
        return None
    return fields


@hookimpl
def extra_template_vars(template: str, database: str | None, table: str | None,
                        view_name: str, request: Any, datasette: Any) -> Any:
    """The front page gets what the build wrote of the data; a record's page its
    field-by-field body (`row.html` shows it)."""
    if view_name == "index":
        return {"about": fragment("about")}
    if view_name != "row" or not database or not table or request is None:
        return {}

    async def inner() -> dict[str, Any]:
        return {"record_page": Markup(await record_page(datasette, database, table, request))}

    return inner


async def timeline_page(datasette: Any, request: Any) -> Response:
    """Incidents, transfers and deployments over their event windows, each linked to its
    record: the SVG the site's build drew from the events view."""
    page = await datasette.render_template(
        "timeline.html", {"timeline": fragment("timeline")}, request=request)
    return Response.html(page)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/evidence/(?P<record_id>[a-z0-9][a-z0-9_.-]*)$", evidence_page),
            (r"^/timeline$", timeline_page)]
