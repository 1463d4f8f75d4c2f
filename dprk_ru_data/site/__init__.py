"""The web view: the built data as a Datasette site for people who do not code.

`build_site` writes what `datasette serve` (or a static host, or `datasette publish`) needs into a
folder: the SQLite database (columns in reading order), `metadata.json` (short descriptions with
the field list folded away, sensible facets and sort orders, made from the registry like the
codebook), a small plugin that links every record to its evidence page and renders that page,
another that bounds every SQL call (`limits`), and an index page that leads with the claims and
events views. The plugins import this package, so it must be installed where the site is served
(`datasette publish ... --install dprk-ru-data`). The corpus texts are never copied into the
site: the evidence page reads a passage from the corpus folder only where the texts are on the
machine that serves it (`serve --corpus`).

`serve_site` serves a fresh site from a temporary folder and passes SIGTERM, SIGINT and SIGHUP
on to the server, so that stopping `dprk-data serve` stops the server and removes the folder.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

from ..export import DATABASE, to_sqlite
from ..loaders import package
from .record import markdown, site_fields
from .timeline import timeline_html

if TYPE_CHECKING:
    from .._names import TableName

HERE = Path(__file__).resolve().parent
# Columns in the order people read a record: what, who, how many, claimed by, when, status.
READING_ORDER = ("measure", "category", "type", "kind", "personnel_kind", "subject_name",
                 "actor_name", "supplier_actor_id", "recipient_actor_id", "host_actor_id",
                 "subject_actor_id", "target_name", "designation", "description",
                 "figure_text", "quantity_text", "size_text", "low", "high",
                 "claimant_name", "claimant_country", "claimant_actor_id",
                 "claim_window_start", "claim_window_end", "event_window_start",
                 "event_window_end", "modality", "status", "name", "place", "location",
                 "disagreement_ids")
FACETS = {"claims": ["measure", "claimant_country", "modality", "status"],
          "events": ["kind", "record_table", "claimant_country", "modality", "status"],
          "disagreements": ["aspect", "record_table"],
          "troop_estimates": ["measure", "claimant_actor_id", "status"],
          "arms_transfers": ["category", "supplier_actor_id", "status"],
          "incidents": ["type", "status", "date_precision"],
          "historical_deployments": ["personnel_kind", "host_actor_id"],
          "actors": ["kind", "country"], "evidence": ["record_table", "source_id"],
          "sources": ["kind"]}
SORT_DESC = {"claims": "claim_window_end", "events": "event_window_end",
             "troop_estimates": "claim_window_end", "arms_transfers": "claim_window_end",
             "incidents": "event_window_end", "historical_deployments": "event_window_end"}
FRAGMENTS = "fragments"  # the folder, beside the plugins, of page parts made from the data
FIELDS = "fields.json"  # in it: each table's fields for record pages (`record.site_fields`)
LABELS = {"actors": "name", "sources": "label"}  # what names a row where another refers to it
TRUNCATE = 300  # characters of a long cell shown in a table page; the row page shows it whole


def reading_order(columns: list[str], key: str) -> list[str]:
    """`columns` with the key first, then those of `READING_ORDER`, then the rest as they were."""
    front = [c for c in READING_ORDER if c in columns and c != key]
    return [key, *front, *(c for c in columns if c != key and c not in front)]


def _for_readers(text: str) -> tuple[str, list[str]]:
    """A table's description split into what anyone reads (code spans as plain words) and the
    sentences that show code, which the page keeps for programmers who ask for them."""
    plain: list[str] = []
    code: list[str] = []
    for sentence in re.split(r"(?<=\.) ", text):
        (code if re.search(r"`[^`]*\(", sentence) else plain).append(sentence)
    return re.sub(r"`([^`]+)`", r"\1", " ".join(plain)), code


def _programmers(name: str, code: list[str]) -> str:
    """The folded-away part of a table page for people who code: the Python and the SQL."""
    sql = f"select * from {name}"
    return ("<details class='for-programmers'><summary>For programmers: Python and SQL"
            f"</summary><p><code>dprk_ru_data.load({json.dumps(name)})</code> loads this table "
            "as a typed polars DataFrame. "
            + " ".join(markdown(sentence) for sentence in code)
            + f' <a href="/{DATABASE}?sql={html.escape(urllib.parse.quote(sql))}">Query it in '
              "SQL</a>.</p></details>")


def search_columns(name: str) -> list[str]:
    """The columns of table `name` that full-text search looks in: the words typed by curators
    (descriptions, notes, names, figures as written), not dates, addresses or ids."""
    from ..registry import TABLES

    if name not in TABLES:
        return []
    return [f.name for f in TABLES[name].fields if f.type == "string" and (
        (f.free_text and f.reads != "date" and f.name not in ("url", "record_id", "field"))
        or f.name.endswith("_name") or f.name in ("description", "figure_text"))]


def site_metadata(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Datasette metadata: per table a short description in plain words (the fields and the
    code folded away), facets, sort order, page size and full-text search; the package's
    licence and version."""
    licence = descriptor["licenses"][0]
    tables: dict[str, Any] = {}
    for resource in descriptor["resources"]:
        name = resource["name"]
        fields = "".join(f"<li><code>{html.escape(f['name'])}</code>: "
                         f"{markdown(f['description'].split(' One of: ')[0])}</li>"
                         for f in resource["schema"]["fields"])
        plain, code = _for_readers(resource["description"])
        table: dict[str, Any] = {
            "title": resource["title"],
            "description_html": (f"<p>{html.escape(plain)}</p><details>"
                                 f"<summary>The fields</summary><ul>{fields}</ul></details>"
                                 + _programmers(name, code)),
            "size": 50,
        }
        if name in FACETS:
            table["facets"] = FACETS[name]
        if name in SORT_DESC:
            table["sort_desc"] = SORT_DESC[name]
        if name in LABELS:
            table["label_column"] = LABELS[name]
        if search_columns(name):
            table.update({"fts_table": f"{name}_fts", "fts_pk": "rowid"})
            tables[f"{name}_fts"] = {"hidden": True}
        tables[name] = table
    source = f"{descriptor['name']} {descriptor['version']}"
    return {
        "title": f"{descriptor['title']} ({source})",
        "description_html": "<p>Who claimed what, and when: start with "
                            f'<a href="/{DATABASE}/claims">claims</a> or '
                            f'<a href="/{DATABASE}/events">events</a>. Every record links to '
                            "the passages that support it.</p>",
        "license": licence["name"], "license_url": licence["path"], "source": source,
        "extra_css_urls": ["/site/site.css"],
        "databases": {DATABASE: {"tables": tables}},
    }


def _label_sources(connection: sqlite3.Connection) -> None:
    """A `label` for each text, the name pages show for its id: its title, else its outlet and
    date, else its id (the texts' titles are often not stated)."""
    connection.execute("ALTER TABLE sources ADD COLUMN label TEXT")
    connection.execute(
        "UPDATE sources SET label = COALESCE(NULLIF(title, ''), (SELECT a.name FROM actors a "
        "WHERE a.actor_id = sources.outlet_id) || ', ' || published_text, "
        "source_id || ', ' || published_text, source_id)")


def _add_search(connection: sqlite3.Connection, descriptor: dict[str, Any]) -> None:
    """A full-text index (SQLite FTS5, external content) over each table's `search_columns`,
    words stemmed (Porter), so that 'balloon' finds 'balloons' and 'troop' 'troops'."""
    from ..export import quote

    for resource in descriptor["resources"]:
        present = {field["name"] for field in resource["schema"]["fields"]}
        # An older release (`--version`) may lack a column the registry now has.
        columns = [c for c in search_columns(resource["name"]) if c in present]
        if not columns:
            continue
        name, index = resource["name"], f"{resource['name']}_fts"
        listed = ", ".join(quote(c) for c in columns)
        connection.execute(f"CREATE VIRTUAL TABLE {quote(index)} USING fts5({listed}, "
                           f"content={quote(name)}, content_rowid='rowid', "
                           "tokenize='porter unicode61 remove_diacritics 2')")
        connection.execute(f"INSERT INTO {quote(index)}({quote(index)}) VALUES('rebuild')")


def _reorder(database: Path, descriptor: dict[str, Any]) -> None:
    """Rewrite each table of the served database with its columns in reading order, keeping its
    keys, checks and indexes, and add its full-text index."""
    from ..export import create_table_sql, index_sql, quote

    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("BEGIN")
        for resource in descriptor["resources"]:
            name, schema = resource["name"], resource["schema"]
            fields = {f["name"]: f for f in schema["fields"]}
            ordered = reading_order(list(fields), schema["primaryKey"][0])
            staged = {**resource, "name": f"{name}__ordered",
                      "schema": {**schema, "fields": [fields[c] for c in ordered]}}
            connection.execute(create_table_sql(staged))
            columns = ", ".join(quote(c) for c in ordered)
            connection.execute(f"INSERT INTO {quote(name + '__ordered')} ({columns}) "
                               f"SELECT {columns} FROM {quote(name)}")
            connection.execute(f"DROP TABLE {quote(name)}")
            connection.execute(f"ALTER TABLE {quote(name + '__ordered')} RENAME TO "
                               f"{quote(name)}")
            for statement in index_sql(resource):
                connection.execute(statement)
        _add_search(connection, descriptor)
        _label_sources(connection)
        connection.execute("COMMIT")
    finally:
        connection.close()


class UnsupportedModel(ValueError):
    """A package (an older release) whose tables lack what the site's pages are made from."""


def missing_for_site(descriptor: dict[str, Any]) -> list[str]:
    """What the site needs of the current model (every table and field of the registry) that the
    package of `descriptor` lacks, as ``table`` or ``table.field``; empty where it can be shown."""
    from ..registry import TABLES

    have = {r["name"]: {f["name"] for f in r["schema"]["fields"]}
            for r in descriptor["resources"]}
    missing = []
    for name, table in TABLES.items():
        if name not in have:
            missing.append(name)
            continue
        missing += [f"{name}.{f.name}" for f in table.fields if f.name not in have[name]]
    return missing


def unsupported(descriptor: dict[str, Any]) -> str | None:
    """Why the site cannot show the package of `descriptor` (see `missing_for_site`), or None."""
    missing = missing_for_site(descriptor)
    if not missing:
        return None
    shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8
                                      else "")
    return (f"the site is made for the tables of version {installed_version()}, and version "
            f"{descriptor['version']} lacks {shown}; browse that release with `dprk-data export "
            f"--format sqlite --version {descriptor['version']}` and Datasette instead")


def build_site(out: str | Path, root: str | Path | None = None,
               corpus: str | Path | None = None) -> Path:
    """Write the site into `out` (database, metadata.json, plugins/, templates/); return `out`.

    `corpus`, where given, is recorded for the evidence plugin (on this machine only); the texts
    themselves are never written into `out`. A package made on an older model than the site's
    (an earlier release) is refused with `UnsupportedModel`, before anything is written.
    """
    out = Path(out)
    descriptor = package(root)
    refusal = unsupported(descriptor)
    if refusal:
        raise UnsupportedModel(refusal)
    database, _ = to_sqlite(out, root)
    _reorder(database, descriptor)
    metadata = site_metadata(descriptor)
    metadata["plugins"] = {"dprk-evidence": {"corpus": str(corpus) if corpus else None}}
    (out / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    for folder in ("plugins", "templates", "static"):
        shutil.copytree(HERE / folder, out / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    # Made from the data, so never a template (a `{{` in a title or a BibTeX entry stays text);
    # beside the plugin that reads them, so that they travel with it (`datasette publish`).
    fragments = out / "plugins" / FRAGMENTS
    fragments.mkdir(exist_ok=True)
    (fragments / "about.html").write_text(about_html(descriptor, root), encoding="utf-8")
    (fragments / "timeline.html").write_text(timeline_html(root), encoding="utf-8")
    # Not in the metadata: Datasette copies the whole of it for each check of a page's
    # permissions (two for every table on the front page), so a page's time grew with it.
    (fragments / FIELDS).write_text(json.dumps(site_fields(descriptor), ensure_ascii=False),
                                    encoding="utf-8")
    return out


def installed_version() -> str:
    """The version of the installed package, whose model the site shows."""
    from .. import __version__

    return str(__version__)


def about_html(descriptor: dict[str, Any], root: str | Path | None = None) -> str:
    """What the front page says of the data, made from the package itself (so it stays true as
    the data grows): how many texts of when, how many records of each kind, what the data does
    not hold, the version and content hash, and how to cite it (as `dprk-data cite` does)."""
    import datetime as dt

    import polars as pl

    from ..citation import render
    from ..loaders import load
    from ..registry import CLAIM_TABLES

    sources = load("sources", root=root)
    first, last = sources["published_start"].min(), sources["published_end"].max()
    span = (f"published between {first.strftime('%d %B %Y')} and {last.strftime('%d %B %Y')}"
            if isinstance(first, dt.date) and isinstance(last, dt.date) else "of unknown dates")
    rows = {name: load(cast("TableName", name), root=root).height for name in CLAIM_TABLES}
    counts = "".join(
        f'<li><a href="/{DATABASE}/{name}">{rows[name]:,} '
        f"{html.escape(table.title.lower())}</a></li>" for name, table in CLAIM_TABLES.items())
    names = {r["name"] for r in descriptor["resources"]}
    groups = load("disagreements", root=root).select(pl.col("group_id").n_unique()).item() \
        if "disagreements" in names else 0
    passages = load("evidence", root=root).height
    actors = load("actors", root=root).height
    version, digest = html.escape(descriptor["version"]), html.escape(descriptor["contentHash"])
    return (
        f'<p class="about">Curated from {sources.height} texts {span}:</p>'
        f'<ul class="about-counts">{counts}'
        f'<li><a href="/{DATABASE}/actors">{actors:,} actors</a> (people, states, forces, '
        "outlets and unnamed sources)</li>"
        f'<li><a href="/{DATABASE}/evidence">{passages:,} passages</a> of the texts that the '
        "records rest on</li>"
        f'<li><a href="/{DATABASE}/disagreements">{groups:,} groups of records</a> that report '
        "one thing differently</li></ul>"
        '<p class="about-not">What it is not: a count of what happened. Each record is what one '
        "of these texts reported, with who claimed it and how sure they were; nothing reported "
        "after the last of them is here, and a figure no text states is not estimated. The "
        "texts themselves are not part of the data: each record points at its passages by "
        "their place in the text and a fingerprint (SHA-256).</p>"
        f'<p class="about-version">Version {version}. Content hash <code>{digest}</code>: it '
        "changes whenever any table does, so it names exactly the data you used.</p>"
        '<h2>How to cite it</h2><p class="cite">As a reference (APA style): '
        f'{html.escape(render(descriptor, "text").strip())}</p>'
        f'<details class="cite-bibtex" open><summary>BibTeX</summary><pre>'
        f'{html.escape(render(descriptor, "bibtex").strip())}</pre></details>')


# Datasette's settings for the site: every query stops at 1 s (a facet at 0.2 s; `limits` bounds
# what a single call does within that), and eight threads run queries, so that a page is served
# while a few calls run to the limit (with Datasette's three, three such calls hold every page).
SETTINGS = {"truncate_cells_html": TRUNCATE, "default_page_size": 50, "suggest_facets": "off",
            "sql_time_limit_ms": 1000, "facet_time_limit_ms": 200, "max_returned_rows": 1000,
            "num_sql_threads": 8, "max_csv_mb": 5, "allow_download": "off"}


def serve_command(site: Path, host: str, port: int) -> list[str]:
    """The `datasette serve` command line that serves `site`: its database immutable (opened
    read-only, never locked or written), with `SETTINGS` and the site's plugins."""
    settings = [part for name, value in SETTINGS.items()
                for part in ("--setting", name, str(value))]
    return [sys.executable, "-m", "datasette", "serve", "-i", str(site / f"{DATABASE}.sqlite"),
            "--metadata", str(site / "metadata.json"), "--plugins-dir", str(site / "plugins"),
            "--template-dir", str(site / "templates"), "--host", host, "--port", str(port),
            *settings, "--static", f"site:{site / 'static'}"]


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
GRACE_SECONDS = 5.0  # how long a server asked to stop may take before it is killed


def _stop_with_parent() -> None:
    """In the server's process, before it starts: Linux sends it SIGTERM should `serve` itself
    die without passing a signal on (SIGKILL)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class ServerProcess:
    """Runs one server process; SIGTERM, SIGINT and SIGHUP sent to this process are passed on to
    it while the `with` block lasts (and remembered, if they come before it starts)."""

    def __init__(self, grace: float) -> None:
        self.grace = grace
        self.child: subprocess.Popen[bytes] | None = None
        self.received: list[int] = []
        self._first: float | None = None
        self._previous: dict[int, Any] = {}

    def _pass_on(self, signum: int, _frame: FrameType | None) -> None:
        self.received.append(signum)
        self._first = self._first or time.monotonic()
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signum)

    def __enter__(self) -> ServerProcess:
        if threading.current_thread() is threading.main_thread():
            self._previous = {s: signal.signal(s, self._pass_on) for s in STOP_SIGNALS}
        return self

    def run(self, command: list[str]) -> int:
        """Start `command` and wait for it to end; killed `grace` seconds after a stop signal."""
        self.child = subprocess.Popen(
            command, start_new_session=True,  # a terminal's Ctrl-C reaches it once, through us
            preexec_fn=_stop_with_parent if sys.platform == "linux" else None)
        if self.received:
            self.child.send_signal(self.received[0])
        while True:
            try:
                return self.child.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                if self._first is not None and time.monotonic() - self._first > self.grace:
                    self.child.kill()

    def __exit__(self, *_exc: object) -> None:
        try:
            if self.child is not None and self.child.poll() is None:
                self.child.terminate()
                try:
                    self.child.wait(timeout=self.grace)
                except subprocess.TimeoutExpired:
                    self.child.kill()
                    self.child.wait()
        finally:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)


def serve_site(host: str, port: int, root: str | Path | None = None,
               corpus: str | Path | None = None,
               announce: Callable[[], None] = lambda: None,
               grace: float = GRACE_SECONDS) -> int | None:
    """Build the site in a temporary folder and serve it on `host`:`port` until the server ends
    or this process gets SIGTERM, SIGINT or SIGHUP. The signal is passed on to the server, which
    is killed if it has not stopped `grace` seconds later; the temporary folder is removed in
    every case. `announce` is called once the site is built, just before the server starts.

    Returns the server's exit code where it ended by itself, None where it was asked to stop.
    """
    import tempfile

    with ServerProcess(grace) as server, tempfile.TemporaryDirectory(prefix="dprk-site-") as tmp:
        site = build_site(Path(tmp), root, corpus)
        if server.received:
            return None
        announce()
        code = server.run(serve_command(site, host, port))
        return None if server.received else code
