"""The checks on typed tables: types, schema rules, ISO codes, keys and references, dates against
their sources, and evidence spans against the corpus texts. Each fault becomes a located `Problem`.

Checks are vectorised polars expressions and joins; Python loops run only over the failing rows.
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

import pandera.errors
import polars as pl

from .errors import Problem
from .rawfiles import LINE, RAW_DIR, Loaded
from .schemas import ISO, TABLES, Table

_TYPE_WORDS = {pl.Int64: "a whole number", pl.Float64: "a number",
               pl.Date: "a date written YYYY-MM-DD", pl.Boolean: "true or false"}


def cast(loaded: Loaded, problems: list[Problem]) -> pl.DataFrame:
    """Cast each column to its schema type, reporting the cells that do not convert."""
    schema = loaded.table.model.to_schema()
    present = set(loaded.frame.columns)
    columns = {name: column for name, column in schema.columns.items() if name in present}
    exprs = []
    for name, column in columns.items():
        dtype = column.dtype.type
        if dtype == pl.Date:
            exprs.append(pl.col(name).str.to_date("%Y-%m-%d", strict=False))
        elif dtype == pl.String:
            exprs.append(pl.col(name))
        else:
            exprs.append(pl.col(name).cast(dtype, strict=False))
    typed = loaded.frame.select(pl.col(LINE), *exprs)
    for name, column in columns.items():
        if column.dtype.type == pl.String:
            continue
        bad = loaded.frame.filter(pl.col(name).is_not_null() & typed[name].is_null())
        for line, value in bad.select(LINE, name).iter_rows():
            expected = _TYPE_WORDS.get(column.dtype.type, str(column.dtype))
            problems.append(Problem(loaded.file, line, name, value, "type",
                                    f"{value!r} is not {expected}"))
    return typed


def validate(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """The pandera model's column and row checks, each failure located and explained."""
    try:
        loaded.table.model.validate(typed.drop(LINE), lazy=True)
    except pandera.errors.SchemaErrors as errors:
        for case in errors.failure_cases.iter_rows(named=True):
            index = case["index"]
            line = int(typed[LINE][index]) if index is not None else None
            rule = case["check"].split("(")[0]
            if case["schema_context"] == "Column":
                column, value = case["column"], case["failure_case"]
                message = _describe(loaded.table, column, rule, value)
            else:
                row = typed.row(index, named=True) if index is not None else {}
                column, message = _describe_row(loaded.table, rule, row)
                value = None if column is None else row.get(column)
            problems.append(Problem(loaded.file, line, column,
                                    None if value is None else str(value), rule, message))


def _describe_row(table: Table, rule: str, row: dict) -> tuple[str | None, str]:
    """The column to blame and a readable message for a failed cross-column rule."""
    prefix = next((p for p in sorted((*table.figures, *table.dates), key=len, reverse=True)
                   if rule.startswith(f"{p}_")), None)
    if prefix is None:
        if rule == "span_start_lt_end":
            return "span_end", (f"span_end {row.get('span_end')} is not after span_start "
                                f"{row.get('span_start')}")
        return None, f"the row breaks the rule {rule}"
    column = f"{prefix}_text"
    if rule.endswith("_low_le_best_le_high"):
        return column, (f"reads as low {row.get(f'{prefix}_low')}, best "
                        f"{row.get(f'{prefix}_best')}, high {row.get(f'{prefix}_high')}, "
                        "which are out of order (low <= best <= high)")
    if rule.endswith("_start_le_end"):
        return column, (f"ends ({row.get(f'{prefix}_end')}) before it starts "
                        f"({row.get(f'{prefix}_start')})")
    return column, "normalised values are present without the text they were read from"


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
        return (f"{str(value)[:40]!r} is {len(str(value))} characters long; the column allows "
                f"{bounds.get('min_value')} to {bounds.get('max_value')}")
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


def check_codes(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """ISO 3166 codes exist (checked with pycountry), not merely look like codes."""
    for name, column in loaded.table.model.to_schema().columns.items():
        kind = (column.metadata or {}).get(ISO)
        if not kind:
            continue
        for code in typed[name].drop_nulls().unique().to_list():
            if not _known_code(kind, code):
                standard = "ISO 3166-1/3166-3" if kind == "country" else "ISO 3166-2 or 3166-1"
                for line in typed.filter(pl.col(name) == code)[LINE].to_list():
                    problems.append(Problem(loaded.file, line, name, code, "iso_code",
                                            f"{code!r} is not an {standard} code"))


def check_references(tables: dict[str, Loaded], typed: dict[str, pl.DataFrame],
                      problems: list[Problem]) -> None:
    """Foreign keys resolve; every evidence row points at a record; every record has evidence.

    Each is an anti-join, so the cost grows with the rows, not with rows times keys.
    """
    # Duplicate keys are reported by check_unique_keys; an anti-join does not mind them.
    keys = {name: typed[name].select(pl.col(TABLES[name].primary_key).alias("__key"))
            .drop_nulls() for name in typed}
    for name, loaded in tables.items():
        frame = typed[name]
        for column, target in loaded.table.foreign_keys.items():
            if target not in keys:
                continue
            dangling = (frame.select(LINE, column).drop_nulls(column)
                        .join(keys[target], left_on=column, right_on="__key", how="anti")
                        .sort(LINE))
            for line, value in dangling.iter_rows():
                problems.append(Problem(loaded.file, line, column, value, "foreign_key",
                                        f"{value!r} is not a {TABLES[target].primary_key} "
                                        f"in {RAW_DIR}/{target}.csv"))
    if "evidence" not in typed:
        return
    evidence = typed["evidence"]
    evidence_file = tables["evidence"].file
    records = pl.concat([frame.select(pl.lit(name).alias("record_table"),
                                      pl.col("__key").alias("record_id"))
                         for name, frame in keys.items() if name != "evidence"])
    dangling = (evidence.filter(pl.col("record_table").is_in(list(keys)))
                .join(records, on=["record_table", "record_id"], how="anti").sort(LINE))
    for line, record_table, record_id in dangling.select(
            LINE, "record_table", "record_id").iter_rows():
        problems.append(Problem(evidence_file, line, "record_id", record_id, "foreign_key",
                                f"{record_id!r} is not a record of {RAW_DIR}/{record_table}.csv"))
    supported = evidence.select("record_table", "record_id")
    for name, loaded in tables.items():
        if name == "evidence":
            continue
        pk = loaded.table.primary_key
        unsupported = (typed[name].select(LINE, pk).drop_nulls(pk)
                       .with_columns(pl.lit(name).alias("record_table"))
                       .join(supported, left_on=["record_table", pk],
                             right_on=["record_table", "record_id"], how="anti").sort(LINE))
        for line, record_id in unsupported.select(LINE, pk).iter_rows():
            problems.append(Problem(loaded.file, line, pk, record_id, "needs_evidence",
                                    f"the record {record_id!r} has no row in "
                                    f"{RAW_DIR}/evidence.csv"))


def check_unique_keys(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """Each primary key once; a repeat names the line that holds the key first."""
    key = loaded.table.primary_key
    repeats = (typed.select(LINE, key).drop_nulls(key)
               .with_columns(pl.col(LINE).min().over(key).alias("__first"))
               .filter(pl.col(LINE) != pl.col("__first")))
    for line, value, first in repeats.iter_rows():
        problems.append(Problem(loaded.file, line, key, value, "duplicate_key",
                                f"{value!r} is already the {key} of line {first}; keys must be "
                                "unique"))


def _links_for(mine: pl.DataFrame, column: str) -> pl.DataFrame:
    """The evidence rows that report `column` of each record: those marked for it, else all."""
    marked = mine.filter(pl.col("field") == column)
    if marked.is_empty():
        return mine
    return pl.concat([marked, mine.join(marked.select("record_id"), on="record_id", how="anti")])


def check_dates_against_sources(typed: dict[str, pl.DataFrame], tables: dict[str, Loaded],
                                problems: list[Problem]) -> None:
    """No claim is dated after the publication of the latest text that reports it.

    Planned troop figures are forecasts and may be dated later; every other date must start on or
    before the latest possible publication day of the texts that report it.
    """
    if "evidence" not in typed or "sources" not in typed:
        return
    published = typed["sources"].select("source_id", "published_end").drop_nulls()
    evidence = (typed["evidence"].select("record_table", "record_id", "field", "source_id")
                .join(published, on="source_id"))
    for name, loaded in tables.items():
        table = loaded.table
        if name in ("sources", "evidence") or not table.dates:
            continue
        frame = typed[name]
        if "measure" in frame.columns:
            frame = frame.filter(pl.col("measure").ne_missing("planned"))
        mine = evidence.filter(pl.col("record_table") == name)
        for prefix in table.dates:
            column, start = f"{prefix}_text", f"{prefix}_start"
            links = _links_for(mine, column)
            latest = links.group_by("record_id").agg(pl.col("published_end").max().alias("__last"))
            late = (frame.select(LINE, table.primary_key, column, start).drop_nulls(start)
                    .join(latest, left_on=table.primary_key, right_on="record_id")
                    .filter(pl.col(start) > pl.col("__last")).sort(LINE))
            for line, key, text, first, last in late.iter_rows():
                sources = sorted(links.filter(pl.col("record_id") == key)["source_id"].to_list())
                problems.append(Problem(
                    loaded.file, line, column, text, "dated_after_publication",
                    f"{text!r} starts on {first}, after the latest publication date ({last}) of "
                    f"the text(s) reporting it ({', '.join(sources)})"))


def check_evidence_spans(typed: dict[str, pl.DataFrame], tables: dict[str, Loaded],
                         corpus: Path | None, problems: list[Problem]) -> str | None:
    """Spans lie inside their text (by the sources table's length) and, where the corpus text is
    at hand and unchanged, hash to the recorded SHA-256.

    Returns a note when the hashes could not be checked (no corpus), else None.
    """
    if "evidence" not in typed or "sources" not in typed:
        return None
    file = tables["evidence"].file
    sources = typed["sources"].select("source_id", "corpus_file", "corpus_sha256", "corpus_chars")
    evidence = typed["evidence"].join(sources, on="source_id", how="inner")
    outside = evidence.filter((pl.col("span_end") > pl.col("corpus_chars"))
                              | (pl.col("span_start") < 0))
    for line, start, end, chars, source in outside.select(
            LINE, "span_start", "span_end", "corpus_chars", "source_id").iter_rows():
        problems.append(Problem(file, line, "span_end", str(end), "span_range",
                                f"the span {start}:{end} runs past the end of {source}, which "
                                f"has {chars} characters"))
    if corpus is None or not corpus.is_dir():
        return f"evidence hashes not checked: no corpus folder at {corpus}"
    inside = evidence.join(outside.select(LINE), on=LINE, how="anti")
    lines = dict(typed["sources"].select("source_id", LINE).iter_rows())
    unchecked = []
    for (source_id, name, digest), rows in inside.group_by(
            "source_id", "corpus_file", "corpus_sha256", maintain_order=True):
        path = corpus / str(name)
        if not path.is_file():
            unchecked.append(str(source_id))
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            problems.append(Problem(tables["sources"].file, lines.get(source_id),
                                    "corpus_sha256", str(digest), "corpus_hash",
                                    f"{path} has the SHA-256 {hashlib.sha256(data).hexdigest()}, "
                                    "not this one: the text changed or the hash is mistyped"))
            continue
        text = data.decode("utf-8", errors="replace")
        chars = rows["corpus_chars"][0]
        if len(text) != chars:
            problems.append(Problem(tables["sources"].file, lines.get(source_id), "corpus_chars",
                                    str(chars), "corpus_length",
                                    f"{path} has {len(text)} characters, not {chars}"))
        for line, start, end, recorded in rows.drop_nulls(["span_start", "span_end"]).select(
                LINE, "span_start", "span_end", "span_sha256").iter_rows():
            found = hashlib.sha256(text[start:end].encode("utf-8")).hexdigest()
            if found != recorded:
                problems.append(Problem(file, line, "span_sha256", recorded, "span_hash",
                                        f"the span {start}:{end} of {source_id} hashes to "
                                        f"{found}, not to the recorded value"))
    if unchecked:
        return (f"evidence hashes not checked for {', '.join(sorted(unchecked))}: the text is "
                f"missing from {corpus}")
    return None


def check_package(root: Path, names: list[str] | None = None) -> list[Problem]:
    """Check a built package (``root/datapackage.json`` and its tables) against the schemas.

    Each file's size and SHA-256, its header, types, vocabularies, patterns, row rules, ISO codes
    and primary keys; and, where every table is checked, the foreign keys and evidence links.
    Returns every problem found, each located by file and line; reads nothing but the package.
    """
    from .loaders import IntegrityError, package, read_verified

    problems: list[Problem] = []
    loaded: dict[str, Loaded] = {}
    typed: dict[str, pl.DataFrame] = {}
    for resource in package(root)["resources"]:
        name, file = resource["name"], resource["path"]
        if names and name not in names:
            continue
        table = TABLES.get(name)
        if table is None:
            problems.append(Problem(file, None, None, name, "unknown_table",
                                    f"{name!r} is not a table of this package version"))
            continue
        try:
            data = read_verified(root, resource)
        except (IntegrityError, OSError) as error:
            problems.append(Problem(file, None, None, None, "integrity", str(error)))
            continue
        frame = pl.read_csv(data, infer_schema=False)
        if frame.columns != table.columns:
            problems.append(Problem(file, 1, None, None, "header",
                                    f"the columns are {frame.columns}, not {table.columns}"))
            continue
        loaded[name] = Loaded(table, file, frame.with_row_index(LINE, offset=2)
                              .with_columns(pl.col(LINE).cast(pl.Int64)))
        typed[name] = cast(loaded[name], problems)
        check_unique_keys(loaded[name], typed[name], problems)
        validate(loaded[name], typed[name], problems)
        check_codes(loaded[name], typed[name], problems)
    if not names and set(loaded) == set(TABLES):
        check_references(loaded, typed, problems)
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.rule))
