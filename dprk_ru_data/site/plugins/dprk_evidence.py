"""Datasette plugin of dprk-ru-data: every record links to its evidence page, which shows each
field beside the passage that supports it (read from the corpus on this machine, if present).

Shipped with the package and copied into a site by `dprk-data serve`; it reads the database it
serves and, for passages, the corpus folder named in the plugin configuration. The texts are
never written into the database.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path
from typing import Any

from datasette import Response, hookimpl
from markupsafe import Markup

RECORD_COLUMNS = {"estimate_id", "transfer_id", "incident_id", "deployment_id", "record_id",
                  "event_id"}
PLUGIN = "dprk-evidence"


@hookimpl
def render_cell(value: Any, column: str, table: str, database: str) -> Any:
    """A record id is a link to the record's evidence page."""
    if column in RECORD_COLUMNS and table != "evidence" and isinstance(value, str):
        return Markup(f'<a href="/-/evidence/{html.escape(value)}">{html.escape(value)}</a>')
    return None


def _passage(corpus: str | None, name: str, digest: str, start: int, end: int) -> str:
    """The span with a little context, the span highlighted; or why it cannot be shown."""
    if not corpus:
        return "<em>the corpus texts are not on this machine: offsets and hash only</em>"
    folder = Path(corpus).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        return f"<em>{html.escape(name)} is not in the corpus folder</em>"
    text = path.read_bytes().decode("utf-8", errors="replace")
    if hashlib.sha256(text[start:end].encode("utf-8")).hexdigest() != digest:
        return "<em>the text at hand does not hash to the recorded value</em>"
    before, span, after = text[max(0, start - 120):start], text[start:end], text[end:end + 120]
    return (f"…{html.escape(before)}<mark>{html.escape(span)}</mark>{html.escape(after)}…")


async def evidence_page(datasette: Any, request: Any) -> Response:
    record = request.url_vars["record_id"]
    database = datasette.get_database()
    rows = (await database.execute(
        "SELECT e.field, e.evidence_id, e.source_id, e.span_start, e.span_end, e.span_sha256, "
        "e.note, s.corpus_file, e.record_table FROM evidence e JOIN sources s USING (source_id) "
        "WHERE e.record_id = ? ORDER BY e.field IS NULL, e.field, e.evidence_id",
        [record])).rows
    if not rows:
        return Response.html(f"<h1>No evidence for {html.escape(record)}</h1>", status=404)
    config = datasette.plugin_config(PLUGIN) or {}
    body = [f"<h1>Evidence for {html.escape(record)}</h1>",
            f'<p><a href="/{database.name}/{html.escape(rows[0][8])}/{html.escape(record)}">'
            "the record</a></p>",
            '<table class="rows-and-columns"><thead><tr><th>field</th><th>source</th>'
            "<th>span</th><th>SHA-256</th><th>passage</th></tr></thead><tbody>"]
    for field, evidence_id, source, start, end, digest, note, name, _ in rows:
        body.append(
            f'<tr class="evidence"><td>{html.escape(field or "(the record)")}</td>'
            f"<td>{html.escape(source)}</td><td>{start}:{end}</td>"
            f"<td><code>{digest[:16]}…</code></td>"
            f"<td>{_passage(config.get('corpus'), name, digest, start, end)}"
            f"<br><small>{html.escape(note or '')}</small></td></tr>")
    body.append("</tbody></table>")
    page = await datasette.render_template("evidence.html", {"body": Markup("".join(body)),
                                                              "record": record}, request=request)
    return Response.html(page)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/evidence/(?P<record_id>[a-z0-9][a-z0-9_.-]*)$", evidence_page)]
