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
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple

from datasette import Response, hookimpl
from markupsafe import Markup

from dprk_ru_data.registry import CLAIM_TABLES

# The columns that hold a record's id: each table of claims' key (as the registry declares them)
# and the views' and the disagreements' columns naming a record.
RECORD_COLUMNS = {t.key for t in CLAIM_TABLES.values()} | {"record_id", "event_id"}
PLUGIN = "dprk-evidence"
CONTEXT = 120  # characters shown either side of a span
CACHED_TEXTS = 8  # texts kept checked in memory; each is at most evidence.MAX_TEXT_BYTES


@hookimpl
def render_cell(value: Any, column: str, table: str, database: str) -> Any:
    """A record id is a link to the record's evidence page."""
    if column in RECORD_COLUMNS and table != "evidence" and isinstance(value, str):
        return Markup(f'<a href="/-/evidence/{html.escape(value)}">{html.escape(value)}</a>')
    return None


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


def _passages(corpus: str | None, rows: list[Any]) -> list[str]:
    """The passage cell of each evidence row (`rows` as the page's query returns them)."""
    texts: dict[tuple[str, str, int], Text | None] = {}
    cells = []
    for row in rows:
        start, end, digest, name, text_sha256, text_chars = (row[3], row[4], row[5], row[7],
                                                             row[9], row[10])
        key = (name, text_sha256, text_chars)
        if key not in texts:
            texts[key] = (read_checked(Path(corpus), name, text_sha256, text_chars)
                          if corpus else None)
        cells.append(passage(texts[key], name, digest, start, end))
    return cells


async def evidence_page(datasette: Any, request: Any) -> Response:
    record = request.url_vars["record_id"]
    database = datasette.get_database()
    rows = (await database.execute(
        "SELECT e.field, e.evidence_id, e.source_id, e.span_start, e.span_end, e.span_sha256, "
        "e.note, s.corpus_file, e.record_table, s.corpus_sha256, s.corpus_chars "
        "FROM evidence e JOIN sources s USING (source_id) "
        "WHERE e.record_id = ? ORDER BY e.field IS NULL, e.field, e.evidence_id",
        [record])).rows
    if not rows:
        return Response.html(f"<h1>No evidence for {html.escape(record)}</h1>", status=404)
    config = datasette.plugin_config(PLUGIN) or {}
    # Reading and hashing a text is done off the event loop, so other pages are served meanwhile.
    cells = await asyncio.to_thread(_passages, config.get("corpus"), list(rows))
    body = [f"<h1>Evidence for {html.escape(record)}</h1>",
            f'<p><a href="/{database.name}/{html.escape(rows[0][8])}/{html.escape(record)}">'
            "the record</a></p>",
            '<table class="rows-and-columns evidence-passages"><thead><tr><th>field</th>'
            "<th>source</th><th>span</th><th>SHA-256</th><th>passage</th></tr></thead><tbody>"]
    for row, cell in zip(rows, cells):
        field, source, start, end, digest, note = row[0], row[2], row[3], row[4], row[5], row[6]
        body.append(
            f'<tr class="evidence"><td>{html.escape(field or "(the record)")}</td>'
            f"<td>{html.escape(source)}</td><td>{start}:{end}</td>"
            f"<td><code>{html.escape(digest[:16])}…</code></td>"
            f'<td>{cell}<small class="evidence-note">{html.escape(note or "")}</small></td></tr>')
    body.append("</tbody></table>")
    body.extend(await _groups(database, record))
    page = await datasette.render_template("evidence.html", {"body": Markup("".join(body)),
                                                              "record": record}, request=request)
    return Response.html(page)


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
        body.append(f'<li><a href="/{database.name}/{html.escape(table)}/{html.escape(other)}">'
                    f"{html.escape(other)}</a> ({html.escape(table)}): {html.escape(note)} "
                    f'<a href="/-/evidence/{html.escape(other)}">its evidence</a></li>')
    body.append("</ul>")
    return body


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/evidence/(?P<record_id>[a-z0-9][a-z0-9_.-]*)$", evidence_page)]
