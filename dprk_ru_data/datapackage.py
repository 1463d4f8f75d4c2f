"""The package stage: the Frictionless Data Package descriptor, generated from the registry.

Nothing here is written by hand beside the registry: types, descriptions, constraints, keys and
vocabularies all come from it, and the coverage from the sources table.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Iterable

import polars as pl

from .digest import PREFIX as HASH_PREFIX
from .digest import prefixed
from .fieldtypes import TYPES
from .registry import TABLES, Field, Table, vocabulary
from .vocab import label

NAME = "dprk-ru-data"
TITLE = "DPRK-Russia military cooperation: reported transfers, troop estimates and incidents"
DESCRIPTION = (
    "An open, typed dataset of what has been reported about North Korea's military cooperation "
    "with Russia: arms transfers, troop-number estimates with who claimed them, incidents, the "
    "actors involved and North Korea's historical deployments abroad. Every record links to the "
    "passages of the source texts that support it."
)
DATA_LICENSE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/"}
CONTRIBUTORS = [{"title": "dprk-ru-data contributors", "role": "author"}]
KEYWORDS = ["North Korea", "Russia", "Ukraine", "arms transfers", "troop estimates", "OSINT"]

DERIVED_NOTE = " Derived by the build."
VOCABULARY_NOTE = " One of: "


def field_description(field: Field) -> str:
    """The description the descriptor gives `field`: its own, its vocabulary's values with their
    meanings, and whether the build derives it."""
    text = field.description
    if field.vocabulary:
        values = "; ".join(f"`{value}`: {meaning}"
                           for value, meaning in vocabulary(field.vocabulary).items())
        text += f"{VOCABULARY_NOTE}{values}"
    return text + (DERIVED_NOTE if field.derived else "")


def field_constraints(field: Field) -> dict[str, Any]:
    """The Table Schema constraints of one field."""
    constraints: dict[str, Any] = {}
    if field.required:
        constraints["required"] = True
    if field.unique:
        constraints["unique"] = True
    if field.vocabulary:
        constraints["enum"] = list(vocabulary(field.vocabulary))
    if field.minimum is not None:
        constraints["minimum"] = field.minimum
    if field.maximum is not None:
        constraints["maximum"] = field.maximum
    if field.pattern is not None:
        constraints["pattern"] = field.pattern
    if field.min_length is not None:
        constraints["minLength"] = field.min_length
    if field.max_length is not None:
        constraints["maxLength"] = field.max_length
    return constraints


def table_schema(table: Table) -> dict[str, Any]:
    """The Frictionless Table Schema of one table."""
    fields = []
    for field in table.fields:
        entry: dict[str, Any] = {"name": field.name, "type": TYPES[field.type].frictionless,
                                 "description": field_description(field)}
        if field.type == "date":
            entry["format"] = "default"
        if field.vocabulary:  # Table Schema v2 categories: each value with a reader's label
            entry["categories"] = [{"value": value, "label": label(field.vocabulary, value)}
                                   for value in vocabulary(field.vocabulary)]
        constraints = field_constraints(field)
        if constraints:
            entry["constraints"] = constraints
        fields.append(entry)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""], "primaryKey": [table.key]}
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [column], "reference": {
                "resource": "" if target == table.name else target,
                "fields": [TABLES[target].key]}}
            for column, target in table.foreign_keys.items()]
    return schema


def coverage(sources: pl.DataFrame) -> str:
    """What the data are curated from, computed from the sources table: how many texts, of which
    kinds, published between which days (the earliest and latest each text's own date allows)."""
    kinds = [kind for kind in vocabulary("source_kind")
             if kind in set(sources["kind"].cast(pl.String).to_list())]
    first, last = sources["published_start"].min(), sources["published_end"].max()
    dates = (f", published between {first.isoformat()} and {last.isoformat()}"
             if isinstance(first, dt.date) and isinstance(last, dt.date) else "")
    return (f"{sources.height} texts ({', '.join(kinds)}){dates}, listed in the sources table "
            "with their SHA-256; not redistributed")


def content_hash(resources: Iterable[dict[str, Any]]) -> str:
    """The package's content hash, from its resources' ``path`` and ``hash`` (``sha256:<hex>``).

    >>> len(content_hash([{"path": "build/a.csv", "hash": "sha256:" + "0" * 64}]))
    71
    """
    lines = []
    for resource in sorted(resources, key=lambda r: r["path"].encode("utf-8")):
        digest = str(resource["hash"])
        if not digest.startswith(HASH_PREFIX):
            raise ValueError(f"resource {resource['path']} has no {HASH_PREFIX} hash")
        lines.append(f"{digest[len(HASH_PREFIX):]}  {resource['path']}\n")
    return prefixed("".join(lines))


def descriptor(files: dict[str, tuple[int, str]], version: str, sources: str,
               released: str | None = None, doi: str | None = None) -> dict[str, Any]:
    """The package descriptor for the built tables, given each table's CSV file by its size in
    bytes and its hash (``sha256:<hex>``), and the `coverage` of the sources.

    `released` is the release date of `version` (``YYYY-MM-DD``), which becomes ``created``; an
    unreleased version has no ``created``, so that nothing in the descriptor comes from the clock.
    """
    resources = []
    for name, table in TABLES.items():
        size, digest = files[name]
        resources.append({
            "name": name,
            "path": f"build/{name}.csv",
            "profile": "tabular-data-resource",
            "title": table.title,
            "description": table.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": size,
            "hash": digest,
            "schema": table_schema(table),
        })
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": NAME,
        **({"id": f"https://doi.org/{doi}"} if doi else {}),
        "title": TITLE,
        "description": DESCRIPTION,
        "version": version,
    }
    if released:
        package["created"] = f"{released}T00:00:00Z"
    package.update({
        "contentHash": content_hash(resources),
        "licenses": [DATA_LICENSE],
        "keywords": KEYWORDS,
        "contributors": CONTRIBUTORS,
        "sources": [{"title": sources}],
        "resources": resources,
    })
    return package


def dumps(package: dict[str, Any]) -> bytes:
    """The descriptor serialised the one way the build writes it."""
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
