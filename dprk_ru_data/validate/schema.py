"""Typing and schema rules: each column cast to its type, then the pandera schema's checks.

The pandera schema (polars backend) of a table is made from the registry by `schema`; each failure
becomes a located `Problem` with a message that says what the value must be.
"""

from __future__ import annotations

import difflib
import importlib.util
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import polars as pl

from ..errors import Problem
from ..fieldtypes import TYPES, polars_type
from ..raw import LINE, Loaded
from ..registry import Field, Rule, Table, vocabulary

if TYPE_CHECKING:
    import pandera.polars as pa

# pandera is imported only where a table may break a check (`passes` tells the rest in polars):
# it imports pandas too where pandas is installed, most of a command's start-up. That it is
# installed is told at once, so that a command of the build says what to install before it runs.
if importlib.util.find_spec("pandera") is None:
    raise ModuleNotFoundError("No module named 'pandera'", name="pandera")

# A check of a column: the name of pandera's `Check` constructor, its arguments, and the polars
# expression that reads it the same way (null where the value is missing).
ColumnCheck = tuple[str, tuple[Any, ...], pl.Expr]


def _checks(field: Field) -> list[ColumnCheck]:
    """Each check of `field`'s column, as pandera runs it (`schema`) and as a polars expression
    (`passes`): declared once, for both."""
    value = pl.col(field.name)
    checks: list[ColumnCheck] = []
    if field.vocabulary:
        allowed = list(vocabulary(field.vocabulary))
        checks.append(("isin", (allowed,), value.is_in(allowed)))
    if field.pattern:  # pandera matches from the start
        anchored = field.pattern if field.pattern.startswith("^") else f"^{field.pattern}"
        checks.append(("str_matches", (field.pattern,), value.str.contains(anchored)))
    if field.min_length is not None or field.max_length is not None:
        length = value.str.len_chars()
        within = pl.lit(True)
        if field.min_length is not None:
            within = within & (length >= field.min_length)
        if field.max_length is not None:
            within = within & (length <= field.max_length)
        checks.append(("str_length", (field.min_length, field.max_length), within))
    if field.minimum is not None:
        checks.append(("ge", (field.minimum,), value >= field.minimum))
    if field.maximum is not None:
        checks.append(("le", (field.maximum,), value <= field.maximum))
    return checks


def rule_expression(rule: Rule) -> pl.Expr:
    """True on the rows that keep `rule`."""
    columns = rule.columns
    if rule.kind == "needs_text":
        any_value = pl.any_horizontal([pl.col(c).is_not_null() for c in columns])
        return ~any_value | pl.col(rule.blame).is_not_null()
    pairs = []
    for i, left in enumerate(columns):
        for right in columns[i + 1:]:
            kept = pl.col(left) < pl.col(right) if rule.strict else pl.col(left) <= pl.col(right)
            pairs.append(pl.col(left).is_null() | pl.col(right).is_null() | kept)
    return pl.all_horizontal(pairs)


def _row_check(rule: Rule) -> pa.Check:
    import pandera.polars as pa

    condition = rule_expression(rule).alias(rule.name)

    def check(data: Any) -> pl.LazyFrame:
        frame: pl.LazyFrame = data.lazyframe
        return frame.select(condition)

    return pa.Check(check, name=rule.name)


@lru_cache(maxsize=64)
def schema(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of `table`, made from its registry entry."""
    import pandera.polars as pa

    columns = {
        field.name: pa.Column(polars_type(field.type),
                              checks=[getattr(pa.Check, name)(*arguments)
                                      for name, arguments, _ in _checks(field)],
                              nullable=not field.required, description=field.description)
        for field in table.fields}
    return pa.DataFrameSchema(columns, checks=[_row_check(rule) for rule in table.rules],
                              strict=True, name=table.name, title=table.title,
                              description=table.description)


def cast(loaded: Loaded, problems: list[Problem]) -> pl.DataFrame:
    """Cast each column to its type, reporting the cells that do not convert."""
    present = [f for f in loaded.table.fields if f.name in loaded.frame.columns]
    exprs = []
    for field in present:
        if field.type == "date":
            exprs.append(pl.col(field.name).str.to_date("%Y-%m-%d", strict=False))
        elif field.type == "string":
            exprs.append(pl.col(field.name))
        else:
            exprs.append(pl.col(field.name).cast(polars_type(field.type), strict=False))
    typed = loaded.frame.select(pl.col(LINE), *exprs)
    converted = [f for f in present if f.type != "string"]
    # Which columns have a cell that did not convert, told in one pass; only those are searched.
    failed = typed.select(
        (pl.col(f.name).is_null() & loaded.frame[f.name].is_not_null()).any()
        for f in converted).row(0) if converted and typed.height else [False] * len(converted)
    for field, any_failed in zip(converted, failed):
        if not any_failed:
            continue
        bad = loaded.frame.filter(pl.col(field.name).is_not_null() & typed[field.name].is_null())
        for line, value in bad.select(LINE, field.name).iter_rows():
            beyond = (field.type == "integer" and value.lstrip("+-").isdigit())
            problems.append(Problem(loaded.file, line, field.name, value, "type",
                                    f"{value!r} is beyond what the column holds (a whole "
                                    "number of at most 19 digits, within ±9,223,372,036,854,"
                                    "775,807)" if beyond else
                                    f"{value!r} is not {TYPES[field.type].words}"))
    return typed


def passes(table: Table, frame: pl.DataFrame) -> bool:
    """Whether `frame` keeps every check of `schema(table)`, told in one query: its columns and
    their types, the values a required column must have, each column's checks and each row rule,
    read as pandera reads them (a check on a missing value passes). Where it does, pandera has
    nothing to report; where it may not, pandera's validation says what fails, and where."""
    schema, kept = _kept(table)
    if frame.schema != schema:
        return False
    return not kept or all(frame.select(kept).row(0))


@lru_cache(maxsize=64)
def _kept(table: Table) -> tuple[pl.Schema, tuple[pl.Expr, ...]]:
    """The columns and types of `table`, and one expression per check that `passes` reads
    (true where every row keeps it): made from the registry once, like `schema`."""
    kept = [pl.col(f.name).is_not_null().all() for f in table.fields if f.required]
    kept += [read.fill_null(True).all() for f in table.fields for _, _, read in _checks(f)]
    kept += [rule_expression(rule).fill_null(True).all() for rule in table.rules]
    return (pl.Schema({f.name: polars_type(f.type) for f in table.fields}),
            tuple(expression.alias(f"__{number}") for number, expression in enumerate(kept)))


def validate(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """The schema's column and row checks, each failure located and explained."""
    table = loaded.table
    if passes(table, typed.drop(LINE)):  # as valid tables are: nothing for pandera to locate
        return
    import pandera.errors

    try:
        schema(table).validate(typed.drop(LINE), lazy=True)
    except pandera.errors.SchemaErrors as errors:
        rules = {rule.name: rule for rule in table.rules}
        for case in errors.failure_cases.iter_rows(named=True):
            index = case["index"]
            line = int(typed[LINE][index]) if index is not None else None
            check = case["check"].split("(")[0]
            if case["schema_context"] == "Column":
                column, value = case["column"], case["failure_case"]
                message = _describe(table.field(column), check, value)
            else:
                row = typed.row(index, named=True) if index is not None else {}
                rule = rules.get(check)
                column = rule.blame if rule else None
                message = (rule.message.format_map(row) if rule
                           else f"the row breaks the rule {check}")
                value = None if column is None else row.get(column)
            problems.append(Problem(loaded.file, line, column,
                                    None if value is None else str(value), check, message))


def _describe(field: Field, check: str, value: object) -> str:
    """A readable message for a failed column check."""
    if check == "isin" and field.vocabulary:
        allowed = list(vocabulary(field.vocabulary))
        nearest = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f"; did you mean {nearest[0]!r}?" if nearest else f"; allowed: {', '.join(allowed)}"
        return f"{value!r} is not an allowed value{hint}"
    if check == "str_matches":
        return f"{value!r} does not match the pattern {field.pattern}"
    if check == "str_length":
        return (f"{str(value)[:40]!r} is {len(str(value))} characters long; the column allows "
                f"{field.min_length} to {field.max_length}")
    if check == "not_nullable":
        return "a value is required"
    if check == "greater_than_or_equal_to":
        return f"{value!r} must be at least {field.minimum}"
    if check == "less_than_or_equal_to":
        return f"{value!r} must be at most {field.maximum}"
    return f"{value!r} breaks the rule {check}"
