"""raw/*.csv -> normalise -> validate -> build/*.csv + datapackage.json.

Every fault found is collected as a located `Problem`; the build writes nothing unless there are
none, and then swaps the new outputs in only after they were completely written.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandera.errors
import polars as pl

from . import citation, datapackage
from .errors import DataError, Problem
from .normalise.columns import normalise_tables
from .releases import project_version, release_date
from .schemas import ISO, TABLES, Table

RAW_DIR = "raw"
BUILD_DIR = "build"
DESCRIPTOR = "datapackage.json"
CITATION = "CITATION.cff"
HEADER_LINE = 1

if TYPE_CHECKING:
    from .releases import Release


@dataclass
class Loaded:
    """A raw table read as strings, with the file it came from."""

    table: Table
    file: str
    frame: pl.DataFrame

    def line(self, index: int) -> int:
        """The editor line of the row at `index` (the header is line 1)."""
        return int(self.frame["__line"][index])


def _read_raw(root: Path, table: Table, problems: list[Problem]) -> Loaded | None:
    file = f"{RAW_DIR}/{table.name}.csv"
    path = root / file
    if not path.is_file():
        problems.append(Problem(file, None, None, None, "missing_file",
                                f"the table {table.name!r} has no file"))
        return None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(Problem(file, None, None, None, "encoding",
                                f"byte {error.start} is not UTF-8"))
        return None
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, empty_string_is_null=True)
    except (pl.exceptions.PolarsError, ValueError) as error:
        problems.append(Problem(file, None, None, None, "csv_syntax",
                                f"cannot be read as CSV: {str(error).splitlines()[0]}"))
        return None
    expected = table.raw_columns
    derived = set(table.derived_columns)
    missing = [c for c in expected if c not in frame.columns]
    unknown = [c for c in frame.columns if c not in expected]
    for column in missing:
        problems.append(Problem(file, HEADER_LINE, column, None, "missing_column",
                                f"the header lacks the column {column!r}"))
    for column in unknown:
        if column in derived:
            message = f"{column!r} is derived by the build; remove it from raw/"
        else:
            nearest = difflib.get_close_matches(column, expected, n=1)
            hint = f"; did you mean {nearest[0]!r}?" if nearest else ""
            message = f"{column!r} is not a column of {table.name}{hint}"
        problems.append(Problem(file, HEADER_LINE, column, column, "unknown_column", message))
    if missing or unknown:
        return None
    frame = frame.select(
        [pl.col(c).str.strip_chars().replace("", None).alias(c) for c in expected]
    ).with_row_index("__line", offset=HEADER_LINE + 1)
    return Loaded(table, file, frame)


def _cast(loaded: Loaded, problems: list[Problem]) -> pl.DataFrame:
    """Cast each column to its schema type, reporting the cells that do not convert."""
    schema = loaded.table.model.to_schema()
    raw = set(loaded.table.raw_columns)
    columns = {name: column for name, column in schema.columns.items() if name in raw}
    exprs = []
    for name, column in columns.items():
        dtype = column.dtype.type
        if dtype == pl.Date:
            exprs.append(pl.col(name).str.to_date("%Y-%m-%d", strict=False))
        elif dtype == pl.String:
            exprs.append(pl.col(name))
        else:
            exprs.append(pl.col(name).cast(dtype, strict=False))
    typed = loaded.frame.select(pl.col("__line"), *exprs)
    for name, column in columns.items():
        if column.dtype.type == pl.String:
            continue
        bad = loaded.frame.filter(pl.col(name).is_not_null() & typed[name].is_null())
        for line, value in bad.select("__line", name).iter_rows():
            problems.append(Problem(loaded.file, line, name, value, "type",
                                    f"{value!r} is not a valid {column.dtype}"))
    return typed


def _validate(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    try:
        loaded.table.model.validate(typed.drop("__line"), lazy=True)
    except pandera.errors.SchemaErrors as errors:
        for case in errors.failure_cases.iter_rows(named=True):
            index = case["index"]
            line = loaded.line(index) if index is not None else None
            is_column = case["schema_context"] == "Column"
            column = case["column"] if is_column else None
            value = case["failure_case"] if is_column else None
            rule = case["check"].split("(")[0]
            if is_column:
                message = _describe(loaded.table, column, rule, value)
            else:
                message = f"the row breaks the rule {rule}"
            problems.append(Problem(loaded.file, line, column, value, rule, message))


def _describe(table: Table, column: str, rule: str, value: object) -> str:
    """A readable message for a failed column check."""
    spec = table.model.to_schema().columns.get(column)
    checks = {check.name: check.statistics for check in (spec.checks if spec else [])}
    if rule == "isin":
        allowed = [str(v) for v in checks["isin"]["allowed_values"]]
        nearest = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f"; did you mean {nearest[0]!r}?" if nearest else f"; allowed: {', '.join(allowed)}"
        return f"{value!r} is not an allowed value{hint}"
    if rule == "str_matches":
        return f"{value!r} does not match the pattern {checks['str_matches']['pattern']}"
    if rule == "str_length":
        bounds = checks["str_length"]
        return (f"{str(value)[:40]!r} has a length outside "
                f"{bounds.get('min_value')}..{bounds.get('max_value')}")
    if rule == "field_uniqueness":
        return f"{value!r} appears more than once; keys must be unique"
    if rule == "not_nullable":
        return "a value is required"
    if rule in ("greater_than_or_equal_to", "less_than_or_equal_to"):
        bound = next(iter(checks[rule].values()))
        relation = "at least" if rule.startswith("greater") else "at most"
        return f"{value!r} must be {relation} {bound}"
    return f"{value!r} breaks the rule {rule}"


def _known_code(kind: str, code: str) -> bool:
    import pycountry

    if kind == "country":
        if len(code) == 4:
            return pycountry.historic_countries.get(alpha_4=code) is not None
        return pycountry.countries.get(alpha_2=code) is not None
    if "-" in code:
        return pycountry.subdivisions.get(code=code) is not None
    return pycountry.countries.get(alpha_2=code) is not None


def _check_codes(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """ISO 3166 codes exist (checked with pycountry), not merely look like codes."""
    for name, column in loaded.table.model.to_schema().columns.items():
        kind = (column.metadata or {}).get(ISO)
        if not kind:
            continue
        for code in typed[name].drop_nulls().unique().to_list():
            if not _known_code(kind, code):
                standard = "ISO 3166-1/3166-3" if kind == "country" else "ISO 3166-2 or 3166-1"
                for line in typed.filter(pl.col(name) == code)["__line"].to_list():
                    problems.append(Problem(loaded.file, line, name, code, "iso_code",
                                            f"{code!r} is not an {standard} code"))


def _check_references(tables: dict[str, Loaded], typed: dict[str, pl.DataFrame],
                      problems: list[Problem]) -> None:
    """Foreign keys resolve; every evidence row points at a record; every record has evidence."""
    keys = {name: set(frame[TABLES[name].primary_key].drop_nulls().to_list())
            for name, frame in typed.items()}
    for name, loaded in tables.items():
        frame = typed[name]
        for column, target in loaded.table.foreign_keys.items():
            if target not in keys:
                continue
            dangling = frame.filter(pl.col(column).is_not_null()
                                    & ~pl.col(column).is_in(list(keys[target])))
            for line, value in dangling.select("__line", column).iter_rows():
                problems.append(Problem(loaded.file, line, column, value, "foreign_key",
                                        f"{value!r} is not a {TABLES[target].primary_key} "
                                        f"in {RAW_DIR}/{target}.csv"))
    if "evidence" not in typed:
        return
    evidence = typed["evidence"]
    evidence_file = tables["evidence"].file
    records = pl.concat([
        pl.DataFrame({"record_table": name, "record_id": sorted(ids)},
                     schema={"record_table": pl.String, "record_id": pl.String})
        for name, ids in keys.items() if name != "evidence"])
    dangling = (evidence.filter(pl.col("record_table").is_in(list(keys)))
                .join(records, on=["record_table", "record_id"], how="anti"))
    for line, record_table, record_id in dangling.select(
            "__line", "record_table", "record_id").iter_rows():
        problems.append(Problem(evidence_file, line, "record_id", record_id, "foreign_key",
                                f"{record_id!r} is not a record of {RAW_DIR}/{record_table}.csv"))
    supported = evidence.select("record_table", "record_id").unique()
    for name, loaded in tables.items():
        if name == "evidence":
            continue
        pk = loaded.table.primary_key
        unsupported = (typed[name].filter(pl.col(pk).is_not_null())
                       .with_columns(pl.lit(name).alias("record_table"))
                       .join(supported, left_on=["record_table", pk],
                             right_on=["record_table", "record_id"], how="anti"))
        for line, record_id in unsupported.select("__line", pk).iter_rows():
            problems.append(Problem(loaded.file, line, pk, record_id, "needs_evidence",
                                    f"the record {record_id!r} has no row in "
                                    f"{RAW_DIR}/evidence.csv"))


def compile_tables(root: Path | str = ".") -> dict[str, pl.DataFrame]:
    """Read, type and validate every raw table; return them sorted by primary key.

    Raises `DataError` with every problem found. Writes nothing.
    """
    root = Path(root)
    problems: list[Problem] = []
    loaded = {name: table for name, table in
              ((t.name, _read_raw(root, t, problems)) for t in TABLES.values()) if table is not None}
    typed = {name: _cast(table, problems) for name, table in loaded.items()}
    typed = normalise_tables(loaded, typed, problems)
    for name, table in loaded.items():
        _validate(table, typed[name], problems)
        _check_codes(table, typed[name], problems)
    _check_references(loaded, typed, problems)
    if problems:
        raise DataError(problems)
    return {name: typed[name].drop("__line").sort(TABLES[name].primary_key) for name in TABLES}


def serialise(frame: pl.DataFrame) -> bytes:
    """A table as the build writes it: UTF-8 CSV, LF line ends, ISO dates, empty for null."""
    return frame.write_csv(line_terminator="\n", date_format="%Y-%m-%d").encode("utf-8")


def build(root: Path | str = ".") -> dict[str, object]:
    """Build `root/build/`, `root/datapackage.json` and `root/CITATION.cff` from `root/raw/`;
    return the descriptor.

    The version comes from `root/pyproject.toml` and its release date, if it was released, from
    `root/RELEASES.json`: nothing is read from the clock, so the same inputs give the same bytes.

    The outputs are first written to a temporary directory beside them and moved into place only
    once complete, so a failed or interrupted build leaves the previous outputs as they were.
    """
    root = Path(root)
    tables = compile_tables(root)
    files = {name: serialise(frame) for name, frame in tables.items()}
    version = project_version(root)
    descriptor = datapackage.descriptor(files, version, release_date(root, version))
    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
    try:
        (staging / BUILD_DIR).mkdir()
        for name, data in files.items():
            (staging / BUILD_DIR / f"{name}.csv").write_bytes(data)
        (staging / DESCRIPTOR).write_bytes(datapackage.dumps(descriptor))
        (staging / CITATION).write_bytes(citation.render(descriptor, "cff").encode("utf-8"))
        if (root / BUILD_DIR).exists():
            os.replace(root / BUILD_DIR, staging / "previous")
        os.replace(staging / BUILD_DIR, root / BUILD_DIR)
        os.replace(staging / DESCRIPTOR, root / DESCRIPTOR)
        os.replace(staging / CITATION, root / CITATION)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return descriptor


CHANGELOG = "CHANGELOG.md"
CHANGELOG_HEAD = "# Changelog\n"


def release(root: Path | str, date: str, previous: Path | str | None = None) -> "Release":
    """Record the version in `root/pyproject.toml` as released on `date` and rebuild.

    The build is compared with the previous release's (`previous`, a directory or descriptor, else
    found in the git history) and the version must be bumped at least as much as the changes
    require. Appends the release to ``RELEASES.json`` and its summary to ``CHANGELOG.md``; the
    rebuild then carries `date` as ``created``. Raises `ReleaseError` when a rule is broken.
    """
    from .diff import changelog_section, diff_packages
    from .releases import (Release, ReleaseError, bump_between, read_releases,
                           released_build_from_git, toolchain, write_releases)

    root = Path(root)
    version = project_version(root)
    releases = read_releases(root)
    if any(r.version == version for r in releases):
        raise ReleaseError(f"version {version} is already released; bump it in pyproject.toml")
    candidate = Release(version, date, "sha256:" + "0" * 64)  # checks the date early
    if releases and (bump_between(releases[-1].version, version) == "none"
                     or releases[-1].date > candidate.date):
        raise ReleaseError(f"{version} on {date} does not follow {releases[-1].version} "
                           f"of {releases[-1].date}")
    descriptor = build(root)
    with tempfile.TemporaryDirectory() as scratch:
        if releases and previous is None:
            previous = released_build_from_git(root, releases[-1], Path(scratch))
            if previous is None:
                raise ReleaseError("cannot find the previous release's build: this is not a git "
                                   "checkout with history; give it with --previous")
        if previous is not None:
            diff = diff_packages(previous, root)
            if not diff.bump_ok:
                raise ReleaseError(f"the changes since {diff.old_version} require a "
                                   f"{diff.required_bump} bump; {version} is a "
                                   f"{diff.declared_bump} bump")
            section = changelog_section(diff, version, date, str(descriptor["contentHash"]))
        else:
            counts = ", ".join(f"{name} {frame.height}" for name, frame in
                               compile_tables(root).items())
            section = (f"## {version} ({date})\n\nContent hash `{descriptor['contentHash']}`. "
                       f"First release: {counts} rows.\n")
    entry = Release(version, date, str(descriptor["contentHash"]), toolchain())
    write_releases(root, [*releases, entry])
    changelog = root / CHANGELOG
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else CHANGELOG_HEAD
    head, _, rest = text.partition("\n## ")
    text = f"{head.rstrip()}\n\n{section}" + (f"\n## {rest}" if rest else "")
    changelog.write_text(text, encoding="utf-8")
    build(root)
    return entry
