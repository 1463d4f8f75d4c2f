"""Exports for the tools analysts already use: Parquet files, and a SQLite database with a Datasette
``metadata.json``.

Both are made from the loaded, typed tables, so they carry the loaders' types: Parquet keeps them
as they are (vocabularies as dictionary-encoded strings, dates as dates); SQLite gets a primary key
per table, foreign keys, a CHECK for every vocabulary and an index on every reference.
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

from .datapackage import content_hash
from .fieldtypes import TYPES
from .loaders import IntegrityError, load, package
from .outputs import locked, recover, write_all

DATABASE = "dprk_ru_data"


def verified_package(root: str | Path | None) -> dict[str, Any]:
    """The descriptor of the package to export, once its content hash agrees with its resources'
    hashes (a package mixed from two builds does not); each file is checked as it is loaded."""
    descriptor = package(root)
    if content_hash(descriptor["resources"]) != descriptor.get("contentHash"):
        raise IntegrityError("datapackage.json's content hash does not match its resources' "
                             "hashes: the package is damaged or mixed from two builds; rebuild "
                             "it with `dprk-data build`")
    return descriptor


def _write(out: Path, outputs: dict[str, bytes]) -> list[Path]:
    """Write `outputs` (file name -> bytes) into `out` all or nothing, under its lock."""
    out.mkdir(parents=True, exist_ok=True)
    with locked(out):
        recover(out)
        write_all(out, outputs, tuple(outputs))
    return [out / name for name in outputs]


def to_parquet(out: str | Path, root: str | Path | None = None) -> list[Path]:
    """Write one ``<table>.parquet`` per table into `out`, all or nothing; return their paths.
    Every file of the package is checked against its hash first."""
    outputs = {}
    descriptor = verified_package(root)
    for resource in descriptor["resources"]:
        buffer = io.BytesIO()
        load(resource["name"], root=root, verify=True).write_parquet(
            buffer, metadata=parquet_metadata(descriptor, resource))
        outputs[f"{resource['name']}.parquet"] = buffer.getvalue()
    return _write(Path(out), outputs)


PARQUET_KEY = "dprk_ru_data"


def parquet_metadata(descriptor: dict[str, Any], resource: dict[str, Any]) -> dict[str, str]:
    """The file-level key-value metadata of a table's Parquet file: the package, its version and
    content hash, the table's title and description, and each field's description and (for a
    vocabulary) each value's label, as JSON under the key ``dprk_ru_data``.

    DuckDB reads it with ``SELECT * FROM parquet_kv_metadata('<table>.parquet')``.
    """
    fields = {field["name"]: {"description": field["description"],
                              **({"labels": {c["value"]: c["label"]
                                             for c in field["categories"]}}
                                 if "categories" in field else {})}
              for field in resource["schema"]["fields"]}
    about = {"package": descriptor["name"], "version": descriptor["version"],
             "content_hash": descriptor["contentHash"], "table": resource["name"],
             "title": resource["title"], "description": resource["description"],
             "licence": descriptor["licenses"][0]["name"], "fields": fields}
    return {PARQUET_KEY: json.dumps(about),  # ASCII: any reader decodes it the same way
            f"{PARQUET_KEY}.version": str(descriptor["version"])}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table_sql(resource: dict[str, Any]) -> str:
    schema = resource["schema"]
    lines = []
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        line = f"{quote(field['name'])} {TYPES[field['type']].sqlite}"
        if constraints.get("required"):
            line += " NOT NULL"
        if "enum" in constraints:
            values = ", ".join("'" + v.replace("'", "''") + "'" for v in constraints["enum"])
            line += f" CHECK ({quote(field['name'])} IN ({values}))"
        lines.append(line)
    lines.append(f"PRIMARY KEY ({', '.join(quote(k) for k in schema['primaryKey'])})")
    for key in schema.get("foreignKeys", []):
        target = key["reference"]["resource"] or resource["name"]
        lines.append(f"FOREIGN KEY ({', '.join(quote(f) for f in key['fields'])}) REFERENCES "
                     f"{quote(target)} ({', '.join(quote(f) for f in key['reference']['fields'])})")
    return f"CREATE TABLE {quote(resource['name'])} (\n  " + ",\n  ".join(lines) + "\n)"


def index_sql(resource: dict[str, Any]) -> list[str]:
    name = resource["name"]
    columns = [key["fields"] for key in resource["schema"].get("foreignKeys", [])]
    if name == "evidence":
        columns.append(["record_table", "record_id"])
    return [f"CREATE INDEX {quote(f'idx_{name}_' + '_'.join(fields))} ON {quote(name)} "
            f"({', '.join(quote(f) for f in fields)})" for fields in columns]


def to_sqlite(out: str | Path, root: str | Path | None = None) -> tuple[Path, Path]:
    """Write ``dprk_ru_data.sqlite`` and its Datasette ``metadata.json`` into `out`.

    Foreign keys are enforced while loading (checked at commit), so a database is only written
    whole and consistent; both files are written all or nothing, after every file of the package
    is checked against its hash. Returns the two paths.
    """
    import polars as pl

    descriptor = verified_package(root)
    # Made in memory, then written all or nothing: a killed export leaves no scratch database.
    connection = sqlite3.connect(":memory:", isolation_level=None)  # transactions managed here
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("BEGIN")
        connection.execute("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT
        for resource in descriptor["resources"]:
            connection.execute(create_table_sql(resource))
            for statement in index_sql(resource):
                connection.execute(statement)
        for resource in descriptor["resources"]:
            frame = load(resource["name"], root=root, verify=True)
            frame = frame.with_columns(pl.col(pl.Enum, pl.Date).cast(pl.String))
            marks = ", ".join("?" for _ in frame.columns)
            connection.executemany(
                f"INSERT INTO {quote(resource['name'])} VALUES ({marks})", frame.iter_rows())
        connection.execute("COMMIT")
        database = connection.serialize()
    finally:
        connection.close()
    metadata = (json.dumps(datasette_metadata(descriptor), indent=2, ensure_ascii=False)
                + "\n").encode("utf-8")
    path, meta = _write(Path(out), {f"{DATABASE}.sqlite": database, "metadata.json": metadata})
    return path, meta


def datasette_metadata(descriptor: dict[str, Any]) -> dict[str, Any]:
    """Datasette metadata: the licence, the source and version, and every table's and column's
    description, so that `datasette dprk_ru_data.sqlite -m metadata.json` explains the data."""
    licence = descriptor["licenses"][0]
    source = f"{descriptor['name']} {descriptor['version']}, content hash {descriptor['contentHash']}"
    return {
        "title": f"{descriptor['title']} ({descriptor['name']} {descriptor['version']})",
        "description": descriptor["description"],
        "license": licence["name"],
        "license_url": licence["path"],
        "source": source,
        "databases": {DATABASE: {
            "source": source,
            "license": licence["name"],
            "license_url": licence["path"],
            "tables": {resource["name"]: {
                "title": resource["title"],
                "description": resource["description"],
                "columns": {field["name"]: field["description"]
                            for field in resource["schema"]["fields"]},
            } for resource in descriptor["resources"]},
        }},
    }
