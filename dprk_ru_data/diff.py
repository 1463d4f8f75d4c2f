"""What changed between two builds, table by table, and the version bump those changes require.

Rows are matched by primary key; a changed row names the fields whose values differ, each with
its old and new value. Values are compared as the build writes them (text), so a change of type
does not hide a change of value.

The bump follows the Data Package version recipe, as this project applies it:

* **major**: a table removed; a field removed or renamed (a rename is a removal and an addition);
  fields re-ordered; a field's type changed; a primary key changed; a vocabulary value removed.
* **minor**: a table added; a field added; rows added or removed; a vocabulary value added.
* **patch**: corrections of values in existing rows; changed descriptions or other metadata.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .versions import BUMPS, ReleaseError, bump_between, bump_satisfies

DESCRIPTOR = "datapackage.json"
# Descriptor properties that change with every release and say nothing about the data.
_RELEASE_PROPERTIES = {"version", "created", "contentHash", "resources"}
_RESOURCE_PROPERTIES = {"bytes", "hash", "schema"}


@dataclass
class TableDiff:
    """The changes of one table present in both builds."""

    name: str
    rows_added: list[str] = field(default_factory=list)
    rows_removed: list[str] = field(default_factory=list)
    rows_changed: dict[str, list[str]] = field(default_factory=dict)
    # For each changed row, each changed field's old and new value as built (None: empty).
    values_changed: dict[str, dict[str, list[str | None]]] = field(default_factory=dict)
    fields_added: list[str] = field(default_factory=list)
    fields_removed: list[str] = field(default_factory=list)
    fields_reordered: bool = False
    types_changed: dict[str, list[str]] = field(default_factory=dict)
    vocabulary_added: dict[str, list[str]] = field(default_factory=dict)
    vocabulary_removed: dict[str, list[str]] = field(default_factory=dict)
    primary_key_changed: list[list[str]] | None = None
    metadata_changed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(value for name, value in asdict(self).items() if name != "name")


@dataclass
class PackageDiff:
    """The changes between two builds, and what version bump they require."""

    old_version: str
    new_version: str
    tables_added: list[str] = field(default_factory=list)
    tables_removed: list[str] = field(default_factory=list)
    tables: list[TableDiff] = field(default_factory=list)
    metadata_changed: list[str] = field(default_factory=list)
    reasons: dict[str, list[str]] = field(default_factory=dict)

    @property
    def required_bump(self) -> str:
        """The largest bump any change requires: ``none``, ``patch``, ``minor`` or ``major``."""
        needed = [bump for bump in BUMPS if self.reasons.get(bump)]
        return needed[-1] if needed else "none"

    @property
    def declared_bump(self) -> str | None:
        """The bump from the old to the new version; None where the new one is older."""
        try:
            return bump_between(self.old_version, self.new_version)
        except ReleaseError:
            return None

    @property
    def bump_ok(self) -> bool:
        declared = self.declared_bump
        return declared is not None and bump_satisfies(declared, self.required_bump)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tables"] = [asdict(t) for t in self.tables if t.changed]
        out.update(required_bump=self.required_bump, declared_bump=self.declared_bump,
                   bump_ok=self.bump_ok)
        return out


def _package_folder(location: str | Path) -> Path:
    """The package folder of `location` (a folder, or the path of its ``datapackage.json``)."""
    path = Path(location)
    folder = path.parent if path.name == DESCRIPTOR and not path.is_dir() else path
    if not folder.is_dir() or not os.path.lexists(folder / DESCRIPTOR):
        raise FileNotFoundError(f"no {DESCRIPTOR} at {location}")
    return folder


def _read_rows(data: bytes, resource: dict[str, Any]) -> pl.DataFrame:
    """A table as text, exactly as written: empty cells are null, nothing is converted."""
    columns = [f["name"] for f in resource["schema"]["fields"]]
    return pl.read_csv(data, schema={c: pl.String for c in columns})


def _vocabulary(field_: dict[str, Any]) -> list[str]:
    return list(field_.get("constraints", {}).get("enum", []))


def _compare_schema(old: dict[str, Any], new: dict[str, Any], diff: TableDiff) -> None:
    old_fields = {f["name"]: f for f in old["schema"]["fields"]}
    new_fields = {f["name"]: f for f in new["schema"]["fields"]}
    diff.fields_added = [name for name in new_fields if name not in old_fields]
    diff.fields_removed = [name for name in old_fields if name not in new_fields]
    common_old = [name for name in old_fields if name in new_fields]
    common_new = [name for name in new_fields if name in old_fields]
    diff.fields_reordered = common_old != common_new
    for name in common_new:
        before, after = old_fields[name], new_fields[name]
        if before["type"] != after["type"]:
            diff.types_changed[name] = [before["type"], after["type"]]
        old_vocab, new_vocab = _vocabulary(before), _vocabulary(after)
        if removed := [v for v in old_vocab if v not in new_vocab]:
            diff.vocabulary_removed[name] = removed
        if added := [v for v in new_vocab if v not in old_vocab]:
            diff.vocabulary_added[name] = added
        rest = {k: v for k, v in after.items() if k not in ("type", "constraints")}
        if rest != {k: v for k, v in before.items() if k not in ("type", "constraints")} or (
                {k: v for k, v in after.get("constraints", {}).items() if k != "enum"}
                != {k: v for k, v in before.get("constraints", {}).items() if k != "enum"}):
            diff.metadata_changed.append(f"field {name}")
    if old["schema"].get("primaryKey") != new["schema"].get("primaryKey"):
        diff.primary_key_changed = [old["schema"].get("primaryKey"),
                                    new["schema"].get("primaryKey")]
    for key in sorted((set(old) | set(new)) - _RESOURCE_PROPERTIES):
        if old.get(key) != new.get(key):
            diff.metadata_changed.append(key)
    old_schema = {k: v for k, v in old["schema"].items() if k not in ("fields", "primaryKey")}
    new_schema = {k: v for k, v in new["schema"].items() if k not in ("fields", "primaryKey")}
    if old_schema != new_schema:
        diff.metadata_changed.append("schema")


def _compare_rows(old_rows: pl.DataFrame, new_rows: pl.DataFrame, key: list[str],
                  diff: TableDiff) -> None:
    def key_text(frame: pl.DataFrame) -> list[str]:
        return frame.select(pl.concat_str([pl.col(k) for k in key], separator="|")
                            ).to_series().to_list()

    diff.rows_added = key_text(new_rows.join(old_rows, on=key, how="anti").sort(key))
    diff.rows_removed = key_text(old_rows.join(new_rows, on=key, how="anti").sort(key))
    compared = [c for c in new_rows.columns if c in old_rows.columns and c not in key]
    if not compared:
        return
    both = new_rows.select(*key, *compared).join(
        old_rows.select(*key, *compared), on=key, how="inner", suffix="__old")
    differs = {c: pl.col(c).ne_missing(pl.col(f"{c}__old")) for c in compared}
    changed = (both.filter(pl.any_horizontal(list(differs.values())))
               .select(*key, pl.concat_list([pl.when(d).then(pl.lit(c)) for c, d in
                                             differs.items()]).list.drop_nulls().alias("fields"))
               .sort(key))
    diff.rows_changed = dict(zip(key_text(changed), changed["fields"].to_list()))
    rows = both.join(changed.select(key), on=key, how="semi").sort(key)
    for name, row in zip(key_text(rows), rows.iter_rows(named=True)):
        diff.values_changed[name] = {c: [_text(row[f"{c}__old"]), _text(row[c])]
                                     for c in diff.rows_changed[name]}


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _shown(value: str | None, width: int = 60, start: int = 0) -> str:
    """A value as a report line shows it: quoted, cut to `width` characters from `start` (with
    '…' where it is cut), or 'empty'."""
    if value is None:
        return "empty"
    if len(value) <= width:
        return repr(value)
    start = max(0, min(start, len(value) - width + 1))
    room = width - 1 - (1 if start else 0)  # at most `width` characters, the marks included
    end = len(value) if start + room + 1 >= len(value) else start + room
    shown = ("…" if start else "") + value[start:end]
    return repr(shown + ("…" if end < len(value) else ""))


def _change(old: str | None, new: str | None, width: int = 60) -> str:
    """``old -> new``, each cut to `width` around where they first differ, so that two long
    texts that share a beginning show the words that changed.

    >>> _change("a" * 80 + "x", "a" * 80 + "y", 20)
    "'…aaaaaaaaaaaaaaaaaax' -> '…aaaaaaaaaaaaaaaaaay'"
    """
    first = 0
    if old is not None and new is not None:
        while first < min(len(old), len(new)) and old[first] == new[first]:
            first += 1
    start = max(0, first - width // 3)
    return f"{_shown(old, width, start)} -> {_shown(new, width, start)}"


def diff_packages(old: str | Path, new: str | Path) -> PackageDiff:
    """Compare two builds, each a directory holding a ``datapackage.json`` or the path of one.

    >>> diff_packages(".", ".").required_bump
    'none'
    """
    from .loaders import package, read_resource

    # Both are read through the loaders: an interrupted write is undone first, and every path
    # is held to the path policy (it may not leave its folder, nor be a link or special file).
    old_folder, new_folder = _package_folder(old), _package_folder(new)
    old_package, new_package = package(old_folder), package(new_folder)
    result = PackageDiff(old_package.get("version", "?"), new_package.get("version", "?"))
    old_resources = {r["name"]: r for r in old_package["resources"]}
    new_resources = {r["name"]: r for r in new_package["resources"]}
    result.tables_added = [name for name in new_resources if name not in old_resources]
    result.tables_removed = [name for name in old_resources if name not in new_resources]
    for key in sorted((set(old_package) | set(new_package)) - _RELEASE_PROPERTIES):
        if old_package.get(key) != new_package.get(key):
            result.metadata_changed.append(key)
    for name, new_resource in new_resources.items():
        if name not in old_resources:
            continue
        old_resource = old_resources[name]
        table = TableDiff(name)
        _compare_schema(old_resource, new_resource, table)
        # The files themselves are compared, not the hashes their descriptors claim.
        old_data = read_resource(old_folder, old_resource)
        new_data = read_resource(new_folder, new_resource)
        if old_data != new_data and not table.primary_key_changed:
            _compare_rows(_read_rows(old_data, old_resource), _read_rows(new_data, new_resource),
                          new_resource["schema"]["primaryKey"], table)
        result.tables.append(table)
    result.reasons = _reasons(result)
    return result


def _reasons(diff: PackageDiff) -> dict[str, list[str]]:
    """Each change that calls for a bump, under the bump it calls for."""
    reasons: dict[str, list[str]] = {"major": [], "minor": [], "patch": []}
    reasons["major"] += [f"table {name} removed" for name in diff.tables_removed]
    reasons["minor"] += [f"table {name} added" for name in diff.tables_added]
    reasons["patch"] += [f"package {key} changed" for key in diff.metadata_changed]
    for t in diff.tables:
        reasons["major"] += [f"{t.name}.{f} removed or renamed" for f in t.fields_removed]
        reasons["major"] += [f"{t.name}.{f} type {a} -> {b}" for f, (a, b) in
                             t.types_changed.items()]
        reasons["major"] += [f"{t.name}.{f} lost vocabulary values {', '.join(v)}" for f, v in
                             t.vocabulary_removed.items()]
        if t.fields_reordered:
            reasons["major"].append(f"{t.name} fields re-ordered")
        if t.primary_key_changed:
            reasons["major"].append(f"{t.name} primary key changed")
        reasons["minor"] += [f"{t.name}.{f} added" for f in t.fields_added]
        reasons["minor"] += [f"{t.name}.{f} gained vocabulary values {', '.join(v)}" for f, v in
                             t.vocabulary_added.items()]
        if t.rows_added:
            reasons["minor"].append(f"{t.name}: {len(t.rows_added)} row(s) added")
        if t.rows_removed:
            reasons["minor"].append(f"{t.name}: {len(t.rows_removed)} row(s) removed")
        if t.rows_changed:
            reasons["patch"].append(f"{t.name}: {len(t.rows_changed)} row(s) corrected")
        reasons["patch"] += [f"{t.name} {what} changed" for what in t.metadata_changed]
    return {bump: items for bump, items in reasons.items() if items}


def _listing(label: str, keys: list[str], limit: int) -> list[str]:
    shown = ", ".join(keys[:limit]) + (f", ... ({len(keys) - limit} more)"
                                       if len(keys) > limit else "")
    return [f"  {label} ({len(keys)}): {shown}"] if keys else []


def report(diff: PackageDiff, limit: int = 50) -> str:
    """A readable report: per table, rows added, removed and changed, schema changes, the bump."""
    lines = [f"dprk-ru-data {diff.old_version} -> {diff.new_version}"]
    lines += [f"table added: {name}" for name in diff.tables_added]
    lines += [f"table removed: {name}" for name in diff.tables_removed]
    lines += [f"package metadata changed: {key}" for key in diff.metadata_changed]
    for t in diff.tables:
        if not t.changed:
            lines.append(f"{t.name}: unchanged")
            continue
        lines.append(f"{t.name}: {len(t.rows_added)} added, {len(t.rows_removed)} removed, "
                     f"{len(t.rows_changed)} changed")
        lines += _listing("added", t.rows_added, limit)
        lines += _listing("removed", t.rows_removed, limit)
        for key, fields in list(t.rows_changed.items())[:limit]:
            lines.append(f"  changed {key}: {', '.join(fields)}")
            values = t.values_changed.get(key, {})
            lines += [f"    {name}: {_change(values[name][0], values[name][1])}"
                      for name in fields if name in values]
        if len(t.rows_changed) > limit:
            lines.append(f"  ... {len(t.rows_changed) - limit} more changed rows")
        lines += _listing("fields added", t.fields_added, limit)
        lines += _listing("fields removed", t.fields_removed, limit)
        lines += [f"  type of {f}: {a} -> {b}" for f, (a, b) in t.types_changed.items()]
        lines += [f"  vocabulary of {f} gained: {', '.join(v)}" for f, v in
                  t.vocabulary_added.items()]
        lines += [f"  vocabulary of {f} lost: {', '.join(v)}" for f, v in
                  t.vocabulary_removed.items()]
        if t.fields_reordered:
            lines.append("  fields re-ordered")
        if t.primary_key_changed:
            lines.append(f"  primary key: {t.primary_key_changed[0]} -> {t.primary_key_changed[1]}")
        lines += [f"  metadata changed: {what}" for what in t.metadata_changed]
    lines.append(f"required bump: {diff.required_bump}")
    for bump in reversed(BUMPS):
        lines += [f"  {bump}: {reason}" for reason in diff.reasons.get(bump, [])]
    declared = diff.declared_bump
    verdict = "enough" if diff.bump_ok else "NOT enough"
    lines.append(f"version bump {diff.old_version} -> {diff.new_version}: "
                 f"{declared or 'a downgrade'}, {verdict}")
    return "\n".join(lines) + "\n"


def _rows(count: int) -> str:
    return f"{count} row" + ("" if count == 1 else "s")


def _ids(keys: list[str], limit: int = 12) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def changelog_section(diff: PackageDiff) -> dict[str, list[str]]:
    """The data changes of `diff` as Keep a Changelog entries: for ``Added``, ``Changed`` and
    ``Removed``, one line per table and kind of change, naming the record ids."""
    added = [f"Table `{name}`." for name in diff.tables_added]
    removed = [f"Table `{name}`." for name in diff.tables_removed]
    changed: list[str] = []
    for t in diff.tables:
        if t.fields_added:
            added.append(f"`{t.name}`: fields {', '.join(f'`{f}`' for f in t.fields_added)}.")
        for column, values in t.vocabulary_added.items():
            added.append(f"`{t.name}.{column}`: values {', '.join(values)}.")
        if t.rows_added:
            added.append(f"`{t.name}`: {_rows(len(t.rows_added))} ({_ids(t.rows_added)}).")
        if t.fields_removed:
            removed.append(f"`{t.name}`: fields "
                           f"{', '.join(f'`{f}`' for f in t.fields_removed)}.")
        for column, values in t.vocabulary_removed.items():
            removed.append(f"`{t.name}.{column}`: values {', '.join(values)}.")
        if t.rows_removed:
            removed.append(f"`{t.name}`: {_rows(len(t.rows_removed))} "
                           f"({_ids(t.rows_removed)}).")
        if t.types_changed:
            changed.append(f"`{t.name}`: the type of {', '.join(t.types_changed)}.")
        if t.rows_changed:
            fields = sorted({f for names in t.rows_changed.values() for f in names})
            changed.append(f"`{t.name}`: {_rows(len(t.rows_changed))} corrected "
                           f"({_ids(list(t.rows_changed))}) in {', '.join(fields)}.")
    return {"Added": added, "Changed": changed, "Removed": removed}
