"""The web view: the built data as a Datasette site for people who do not code.

`build_site` writes what `datasette serve` (or a static host, or `datasette publish`) needs into a
folder: the SQLite database (columns in reading order), `metadata.json` (short descriptions with
the field list folded away, sensible facets and sort orders, made from the registry like the
codebook), a small plugin that links every record to its evidence page and renders that page,
and an index page that leads with the claims and events views. The corpus texts are never
copied into the site: the evidence page reads a passage from the corpus folder only where the
texts are on the machine that serves it (`serve --corpus`).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from ..export import DATABASE, to_sqlite
from ..loaders import package

HERE = Path(__file__).resolve().parent
# Columns in the order people read a record: what, who, how many, when, claimed by, status.
READING_ORDER = ("measure", "category", "type", "kind", "personnel_kind", "subject_name",
                 "actor_name", "supplier_actor_id", "recipient_actor_id", "host_actor_id",
                 "subject_actor_id", "target_name", "designation", "description",
                 "figure_text", "quantity_text", "size_text", "low", "high",
                 "claim_window_start", "claim_window_end", "claimant_name",
                 "claimant_country", "claimant_actor_id", "event_window_start",
                 "event_window_end", "status", "name", "place", "location")
FACETS = {"claims": ["measure", "claimant_country", "status"],
          "events": ["kind", "record_table", "status"],
          "troop_estimates": ["measure", "claimant_actor_id", "status"],
          "arms_transfers": ["category", "supplier_actor_id", "status"],
          "incidents": ["type", "status", "date_precision"],
          "historical_deployments": ["personnel_kind", "host_actor_id"],
          "actors": ["kind", "country"], "evidence": ["record_table", "source_id"],
          "sources": ["kind"]}
SORT_DESC = {"claims": "claim_window_end", "events": "event_window_end",
             "troop_estimates": "claim_window_end", "arms_transfers": "claim_window_end",
             "incidents": "event_window_end", "historical_deployments": "event_window_end"}
TRUNCATE = 40  # characters of a long cell shown in a table page; the row page shows it whole


def _markdown(text: str) -> str:
    """The little Markdown the registry's descriptions use (`code`), as HTML."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def reading_order(columns: list[str], key: str) -> list[str]:
    """`columns` with the key first, then those of `READING_ORDER`, then the rest as they were."""
    front = [c for c in READING_ORDER if c in columns and c != key]
    return [key, *front, *(c for c in columns if c != key and c not in front)]


def site_metadata(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Datasette metadata: per table a short description, the fields folded away, facets,
    sort order and page size; the package's licence and version."""
    licence = descriptor["licenses"][0]
    tables = {}
    for resource in descriptor["resources"]:
        fields = "".join(f"<li><code>{html.escape(f['name'])}</code>: "
                         f"{_markdown(f['description'].split(' One of: ')[0])}</li>"
                         for f in resource["schema"]["fields"])
        table: dict[str, Any] = {
            "title": resource["title"],
            "description_html": (f"<p>{_markdown(resource['description'])}</p><details>"
                                 f"<summary>The fields</summary><ul>{fields}</ul></details>"),
            "size": 50,
        }
        if resource["name"] in FACETS:
            table["facets"] = FACETS[resource["name"]]
        if resource["name"] in SORT_DESC:
            table["sort_desc"] = SORT_DESC[resource["name"]]
        if resource["name"] == "actors":
            table["label_column"] = "name"
        tables[resource["name"]] = table
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


def _reorder(database: Path, descriptor: dict[str, Any]) -> None:
    """Rewrite each table of the served database with its columns in reading order, keeping its
    keys, checks and indexes."""
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
        connection.execute("COMMIT")
    finally:
        connection.close()


def build_site(out: str | Path, root: str | Path | None = None,
               corpus: str | Path | None = None) -> Path:
    """Write the site into `out` (database, metadata.json, plugins/, templates/); return `out`.

    `corpus`, where given, is recorded for the evidence plugin (on this machine only); the texts
    themselves are never written into `out`.
    """
    out = Path(out)
    database, _ = to_sqlite(out, root)
    descriptor = package(root)
    _reorder(database, descriptor)
    metadata = site_metadata(descriptor)
    metadata["plugins"] = {"dprk-evidence": {"corpus": str(corpus) if corpus else None}}
    (out / "metadata.json").write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    for folder in ("plugins", "templates", "static"):
        shutil.copytree(HERE / folder, out / folder, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return out


def serve_command(site: Path, host: str, port: int) -> list[str]:
    """The `datasette serve` command line that serves `site`."""
    import sys

    return [sys.executable, "-m", "datasette", "serve", str(site / f"{DATABASE}.sqlite"),
            "--metadata", str(site / "metadata.json"), "--plugins-dir", str(site / "plugins"),
            "--template-dir", str(site / "templates"), "--host", host, "--port", str(port),
            "--setting", "truncate_cells_html", str(TRUNCATE), "--setting",
            "default_page_size", "50", "--setting", "suggest_facets", "off",
            "--static", f"site:{site / 'static'}"]
