"""The Frictionless Data Package descriptor, generated from the table registry in `schemas`.

Nothing here is written by hand beside the schemas: types, descriptions, constraints, keys and
vocabularies all come from the pandera models.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import polars as pl

from .releases import content_hash
from .schemas import DERIVED, TABLES, Table

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

_FRICTIONLESS_TYPES = {pl.String: "string", pl.Int64: "integer", pl.Float64: "number",
                       pl.Date: "date", pl.Boolean: "boolean"}


def field_constraints(column: Any, is_key: bool) -> dict[str, Any]:
    """The Table Schema constraints of one pandera column."""
    constraints: dict[str, Any] = {}
    if not column.nullable:
        constraints["required"] = True
    if column.unique or is_key:
        constraints["unique"] = True
    for check in column.checks:
        stats = check.statistics
        if check.name == "isin":
            constraints["enum"] = list(stats["allowed_values"])
        elif check.name == "greater_than_or_equal_to":
            constraints["minimum"] = stats["min_value"]
        elif check.name == "less_than_or_equal_to":
            constraints["maximum"] = stats["max_value"]
        elif check.name == "str_matches":
            constraints["pattern"] = stats["pattern"]
        elif check.name == "str_length":
            if stats.get("min_value") is not None:
                constraints["minLength"] = stats["min_value"]
            if stats.get("max_value") is not None:
                constraints["maxLength"] = stats["max_value"]
        else:  # pragma: no cover - a new kind of check must be mapped here first
            raise NotImplementedError(f"no Table Schema constraint for check {check.name!r}")
    return constraints


def table_schema(table: Table) -> dict[str, Any]:
    """The Frictionless Table Schema of one table."""
    fields = []
    for name, column in table.model.to_schema().columns.items():
        field: dict[str, Any] = {"name": name, "type": _FRICTIONLESS_TYPES[column.dtype.type],
                                 "description": column.description}
        if column.dtype.type == pl.Date:
            field["format"] = "default"
        if (column.metadata or {}).get(DERIVED):
            field["description"] += " Derived by the build."
        constraints = field_constraints(column, name == table.primary_key)
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""],
                              "primaryKey": [table.primary_key]}
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [column], "reference": {
                "resource": "" if target == table.name else target,
                "fields": [TABLES[target].primary_key]}}
            for column, target in table.foreign_keys.items()]
    return schema


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def descriptor(files: dict[str, bytes], version: str, released: str | None = None
               ) -> dict[str, Any]:
    """The package descriptor for the built tables, given each table's CSV bytes.

    `released` is the release date of `version` (``YYYY-MM-DD``), which becomes ``created``; an
    unreleased version has no ``created``, so that nothing in the descriptor comes from the clock.
    """
    resources = []
    for name, table in TABLES.items():
        data = files[name]
        resources.append({
            "name": name,
            "path": f"build/{name}.csv",
            "profile": "tabular-data-resource",
            "title": table.title,
            "description": table.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{sha256(data)}",
            "schema": table_schema(table),
        })
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": NAME,
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
        "sources": [{"title": "News and analysis texts of October 2024, listed in the sources "
                              "table with their SHA-256; not redistributed"}],
        "resources": resources,
    })
    return package


def dumps(package: dict[str, Any]) -> bytes:
    """The descriptor serialised the one way the build writes it."""
    return (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
