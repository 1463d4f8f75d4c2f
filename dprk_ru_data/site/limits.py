"""Bounds on every SQL statement the site runs, so that one expensive call fails fast and the
other pages keep being served.

Datasette stops a query through SQLite's progress handler (`sql_time_limit_ms`), but SQLite
calls that handler only between loop steps of a statement: a single function call, or a row of
calls with no loop between them, never yields to it. `bound_connection` therefore gives each
connection limits of its own:

- SQLite's run-time limits (`SQLITE_LIMITS`): no string or blob longer than `MAX_VALUE_BYTES`,
  so that `randomblob`, `zeroblob`, `replace`, `||` and a recursive CTE doubling a string are
  refused ("string or blob too big") before they allocate; and a bounded statement length,
  result width, expression depth, number of compound SELECTs and LIKE pattern, which bound how
  many calls one statement can make with no loop between them;
- `printf` and `format` refuse a width or precision above `MAX_VALUE_BYTES` (SQLite's `%c`
  repeats a character once per unit of precision, even past the length limit);
- the functions whose work grows with the product of two lengths (`instr`, `replace`, `trim`
  with a set, `like`, `glob`) refuse more than `MAX_PAIRS` character pairs per call;
- those functions also check the statement's time limit on every call, and interrupt the
  statement once it is spent, which bounds a row of calls with no loop between them;
- a statement's result holds at most `MAX_RESULT_BYTES` of text and blobs, so that rows of large
  values do not fill the server's memory within the time limit.

The guarded functions run SQLite's own built-ins on a private in-memory connection with the
same limits, so what they return is exactly what SQLite returns. Every figure here is measured
in `benchmarks/site.py` and the tests in `tests/test_web.py`.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from typing import Any

# The largest value in the served database is the SQL of one table (about 3 KB), and all its text
# together is about 140 KB. On values of 20 KB the slowest built-in that is not guarded below
# (json_patch) takes about 0.7 ms, so even the longest row of calls a statement of
# `MAX_SQL_BYTES` can hold (some 600) ends within half a second of the time limit.
MAX_VALUE_BYTES = 20_000
MAX_SQL_BYTES = 10_000  # Datasette's own queries stay under 1.5 KB (a table, ten filters, facets)
MAX_PAIRS = 10_000_000  # about 35 ms of the slowest quadratic built-in (trim with a set)
MAX_RESULT_BYTES = 5_000_000  # about 80 times the largest table of the database
SQLITE_LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: MAX_VALUE_BYTES,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: MAX_SQL_BYTES,
    sqlite3.SQLITE_LIMIT_COLUMN: 100,  # the widest table has 30 columns
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 100,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 50,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1_000,
    sqlite3.SQLITE_LIMIT_ATTACHED: 0,  # no other database file can be opened
}
# The built-ins whose work grows with the product of the lengths of their first two arguments
# (text and needle, set or pattern), with their numbers of arguments.
QUADRATIC = [("instr", 2), ("replace", 3), ("trim", 2), ("ltrim", 2), ("rtrim", 2), ("like", 2),
             ("like", 3), ("glob", 2)]
# A printf conversion as SQLite reads it: flags, width, precision, length, conversion letter.
SPEC = re.compile(r"%[-+ #!0,]*([1-9][0-9]*|\*)?(?:\.([0-9]*|\*))?(?:ll?)?([A-Za-z%])")
TAKES_ARGUMENT = set("dsgzqQwcouxXfeEGipr")  # "%" and "n" take none; any other letter ends it


class _Statement:
    """When the connection's current statement began, and how much of its result is out."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.result_bytes = 0

    def begin(self, _sql: str) -> None:
        self.started = time.perf_counter()
        self.result_bytes = 0


def printf_sizes(arguments: tuple[Any, ...]) -> list[int]:
    """Every field width and precision SQLite's printf would use for `arguments` (the format
    first), as far as SQLite reads the format; a size given by an argument that is not a number
    counts as infinite (`sys.maxsize`).

    >>> printf_sizes(("%5.2f and %-*.*c", 1.5, 7, 900000000, "x"))
    [5, 2, 7, 900000000]
    """
    import sys

    values = list(arguments[1:])
    fmt = arguments[0] if arguments else None
    if isinstance(fmt, bytes):  # SQLite reads a blob as text; the conversions are ASCII
        fmt = fmt.decode("latin-1")
    elif not isinstance(fmt, str):
        return []  # a number has no "%"; NULL formats nothing
    sizes: list[int] = []
    used, position = 0, fmt.find("%")
    while position != -1:
        match = SPEC.match(fmt, position)
        if match is None:
            return sizes  # SQLite stops at a conversion it does not know, or a lone "%"
        width, precision, letter = match.groups()
        for given in (width, precision):
            if given == "*":
                value = values[used] if used < len(values) else 0
                used += 1
                if not isinstance(value, int | float | None):  # SQLite would read a text
                    sizes.append(sys.maxsize)
                else:
                    number = 0 if value is None else value
                    sizes.append(abs(int(number)) if abs(number) < sys.maxsize else sys.maxsize)
            elif given:
                sizes.append(int(given))
        if letter in TAKES_ARGUMENT:
            used += 1
        elif letter not in "%n":
            return sizes
        position = fmt.find("%", match.end())
    return sizes


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes) else 24


def bound_connection(conn: sqlite3.Connection, time_limit_ms: int) -> None:
    """Give `conn` the limits above; `time_limit_ms` is Datasette's `sql_time_limit_ms`.

    >>> conn = sqlite3.connect(":memory:")
    >>> bound_connection(conn, 1000)
    >>> conn.execute("SELECT randomblob(900000000)").fetchone()
    Traceback (most recent call last):
    ...
    sqlite3.DataError: string or blob too big
    """
    for limit, value in SQLITE_LIMITS.items():
        conn.setlimit(limit, value)
    plain = sqlite3.connect(":memory:", check_same_thread=False)  # SQLite's own functions
    for limit, value in SQLITE_LIMITS.items():
        plain.setlimit(limit, value)
    statement = _Statement()
    conn.set_trace_callback(statement.begin)
    seconds = time_limit_ms / 1000

    def guarded(name: str, check: Callable[[tuple[Any, ...]], bool]) -> Callable[..., Any]:
        def call(*arguments: Any) -> Any:
            if time.perf_counter() - statement.started > seconds:
                conn.interrupt()  # the statement ends "interrupted", as with Datasette's limit
                return None
            if not check(arguments):
                raise OverflowError(name)  # SQLite reports "string or blob too big"
            sql = f"SELECT {name}({', '.join('?' * len(arguments))})"
            return plain.execute(sql, arguments).fetchone()[0]
        return call

    def within_pairs(arguments: tuple[Any, ...]) -> bool:
        return _size(arguments[0]) * _size(arguments[1]) <= MAX_PAIRS

    def within_width(arguments: tuple[Any, ...]) -> bool:
        return all(size <= MAX_VALUE_BYTES for size in printf_sizes(arguments))

    for name in ("printf", "format"):
        conn.create_function(name, -1, guarded(name, within_width), deterministic=True)
    for name, arity in QUADRATIC:
        conn.create_function(name, arity, guarded(name, within_pairs), deterministic=True)

    datasette_rows = conn.row_factory

    def counted(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Any:
        statement.result_bytes += sum(_size(value) for value in row)
        if statement.result_bytes > MAX_RESULT_BYTES:
            raise sqlite3.OperationalError(
                f"the result is larger than {MAX_RESULT_BYTES:,} bytes; ask for fewer or "
                "shorter values")
        return datasette_rows(cursor, row) if datasette_rows else row
    conn.row_factory = counted
