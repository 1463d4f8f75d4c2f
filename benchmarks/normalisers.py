"""Benchmark: how often the normalisers read the dev sets, and how often they read them right.

    python benchmarks/normalisers.py [--figures PATH] [--dates PATH] [--json OUT]
                                     [--markdown OUT] [--failures PATH] [--timeout S] [--sample N]

For each dev set the table shows, side by side for this package and for general-purpose
libraries (the peers, each optional: pip install "dprk-ru-data[bench]"):

- figures: quantulum3, number-parser, Duckling (pyduckling-native-phihos), Microsoft
  Recognizers-Text (recognizers-text-suite);
- dates: dateparser (`parse` and `search.search_dates`, each twice: PREFER_DATES_FROM 'past' and
  'future', since the dev set has as many future as past tense), Duckling, and Recognizers-Text
  (its past and its future candidate; it gives both for a date with no year);

and for each reader:

- read: the share of readable rows (rows not marked REFUSE) that got any reading;
- right when read: the share of read rows (a read REFUSE row included, always wrong) whose
  reading is right;
- refused: the share of REFUSE rows that got no reading;
- exceptions and timeouts: library calls that raised, or ran past --timeout seconds (each is no
  reading for that row).

Every date reader is given the row's reference date (at midnight UTC) as its base: dateparser's
RELATIVE_BASE, Duckling's reference time, Recognizers' reference. Our reader is given the text
and the reference only (`parse_date(text, reference)`: the phrase's own verb sets the tense).

Our reader must give every field of the expected reading, as the dev-set tests read it
(tests/test_readers.py: a duration's unit is in the `per` column; a REFUSE row noted
`multiplier` or `duration` may be read as its own kind, ratio or duration, and that counts as
refused, since it is not read as a count). A peer returns one number or one datetime, which is
right when it matches the expected value (see `competitor_figure_right` and
`competitor_date_right`): a number must equal the expected best (or, with no best, fall within
low..high); a datetime must fall on the expected day, or within start..end. A peer that gives
several candidates is asked for one (Duckling: its longest time entity, the first number entity
for figures; Recognizers: its first result).

Besides the headline table the script prints, per dev set, a breakdown by the row's class (its
note up to the first ',' or ';', e.g. future-tense, past-tense, timestamp, duration, lead-in;
a row with no note is classed by its kind or precision in brackets) for our reader and the best
peer (the available peer with the most readable rows read right), and a table of the tense
classes for every date reader. The targets of the issue (figures: >= 95% read at >= 98% right;
dates: >= 95% read at >= 97% right) are shown next to our numbers with MET / NOT MET.

Every peer call is guarded: an exception, or a call past its time limit, means no reading. A
pure-Python library is interrupted at the limit (SIGALRM, where the platform has it); a library
running native code (Duckling) cannot be, and a reading it returns after the limit is discarded.
The rows our reader gets wrong or refuses are listed per class (to stderr, or to the file given
by --failures) so that they can be fixed. --markdown writes the tables with the date, the
machine and the library versions.

The dev sets are plain TSV files (no quoting: a cell is everything between two tabs; an empty cell
is None; blank lines and lines starting with '#' are skipped):

- figures: text, low, best, high, qualifier, kind, per, currency, increment, note
  (qualifier REFUSE: the text must be refused)
- dates: text, reference, edtf, start, end, precision, note
  (precision REFUSE: the text must be refused; reference is an ISO date)

The script is a measurement: it exits 0 whatever the scores, and 2 when a dev file is missing or
has no usable header.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import io
import json
import math
import os
import platform
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, without installing the package
    sys.path.insert(0, str(ROOT))

from dprk_ru_data.normalise import DateError, FigureError, parse_date, parse_figure  # noqa: E402

FIGURES_DEV = ROOT / "tests" / "data" / "figures_dev.tsv"
DATES_DEV = ROOT / "tests" / "data" / "dates_dev.tsv"

FIGURE_COLUMNS = ["text", "low", "best", "high", "qualifier", "kind", "per", "currency",
                  "increment", "note"]
DATE_COLUMNS = ["text", "reference", "edtf", "start", "end", "precision", "note"]
REFUSE = "REFUSE"
RELATIVE_TOLERANCE = 1e-6
DEFAULT_TIMEOUT = 10.0  # seconds per peer call

# The targets: (dev set, reader, minimum read, minimum right when read)
TARGETS = [("figures", "ours", 0.95, 0.98), ("dates", "ours", 0.95, 0.97)]

# A REFUSE row with one of these notes must not be read as a count: refusing it, or reading it
# as this kind, are both right (as in tests/test_readers.py).
NOT_A_COUNT = {"multiplier": "ratio", "duration": "duration"}

# The classes whose accuracy depends on the tense (shown for every date reader).
TENSE_CLASSES = ("future-tense", "past-tense", "no-tense", "ambiguous-tense")

Number = int | float


# --------------------------------------------------------------------------------------------
# Reading the dev sets
# --------------------------------------------------------------------------------------------

class DevSetError(Exception):
    """A dev file that cannot be measured at all (missing, or without the needed columns)."""


class RowError(ValueError):
    """A dev row whose expected values cannot be read; the row is skipped and reported."""


def read_tsv(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a plain TSV file as dicts keyed by the header's column names.

    Raises DevSetError if the file is missing or its header lacks a required column. A row with
    fewer cells than the header is padded with empty cells (editors strip trailing tabs).
    """
    if not path.is_file():
        raise DevSetError(f"dev file not found: {path}")
    # split on newlines only: str.splitlines would also split on rarer separators inside a text
    lines = [line.rstrip("\r") for line in path.read_text(encoding="utf-8-sig").split("\n")]
    numbered = [(number, line) for number, line in enumerate(lines, start=1)
                if line.strip() and not line.startswith("#")]
    if not numbered:
        raise DevSetError(f"dev file is empty: {path}")
    header = [name.strip() for name in numbered[0][1].split("\t")]
    missing = [name for name in required if name not in header]
    if missing:
        raise DevSetError(f"{path}: the header lacks the column(s) {', '.join(missing)}")
    rows = []
    for line_number, line in numbered[1:]:
        cells = line.split("\t")
        cells += [""] * (len(header) - len(cells))
        row = dict(zip(header, cells))
        row["_line"] = str(line_number)
        if len(cells) > len(header):
            row["_extra_cells"] = "\t".join(cells[len(header):])
        rows.append(row)
    return rows


def _cell(row: dict[str, Any], name: str) -> str | None:
    """The stripped text of a cell, or None where it is empty or absent."""
    value = row.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _number(row: dict[str, Any], name: str) -> Number | None:
    """A numeric cell: "3000", "2,500,000", "0.4", "2.5e9" or "1/3"; None where empty."""
    text = _cell(row, name)
    if text is None:
        return None
    text = text.replace(",", "").replace("_", "").replace(" ", "")
    try:
        if "/" in text:
            return float(Fraction(text))
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        return float(text)
    except (ValueError, ZeroDivisionError):
        raise RowError(f"column {name}: {text!r} is not a number") from None


def _flag(row: dict[str, Any], name: str) -> bool:
    """A yes/no cell; an empty cell is False."""
    text = _cell(row, name)
    if text is None:
        return False
    if text.lower() in ("true", "yes", "1"):
        return True
    if text.lower() in ("false", "no", "0"):
        return False
    raise RowError(f"column {name}: {text!r} is not true or false")


def _date(row: dict[str, Any], name: str) -> dt.date | None:
    """An ISO date cell; None where empty."""
    text = _cell(row, name)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RowError(f"column {name}: {text!r} is not an ISO date") from None


@dataclass(frozen=True)
class ExpectedFigure:
    """One row of the figures dev set, with its cells read."""

    text: str
    low: Number | None
    best: Number | None
    high: Number | None
    qualifier: str | None
    kind: str | None
    per: str | None
    currency: str | None
    increment: bool
    note: str | None

    @property
    def refuse(self) -> bool:
        return (self.qualifier or "").upper() == REFUSE


@dataclass(frozen=True)
class ExpectedDate:
    """One row of the dates dev set, with its cells read."""

    text: str
    reference: dt.date | None
    start: dt.date | None
    end: dt.date | None
    precision: str | None
    note: str | None

    @property
    def refuse(self) -> bool:
        return (self.precision or "").upper() == REFUSE


def _check_row(row: dict[str, Any]) -> str:
    """The row's text; raises RowError for a row with extra cells or no text."""
    if row.get("_extra_cells"):
        raise RowError(f"more cells than the header has: {row['_extra_cells']!r}")
    text = row.get("text")
    if text is None or not str(text).strip():
        raise RowError("the text cell is empty")
    return str(text)


def figure_row(row: dict[str, Any]) -> ExpectedFigure:
    """Read one figures dev row (a dict of cell texts); raises RowError if it is malformed."""
    text = _check_row(row)
    return ExpectedFigure(text=text, low=_number(row, "low"), best=_number(row, "best"),
                          high=_number(row, "high"), qualifier=_cell(row, "qualifier"),
                          kind=_cell(row, "kind"), per=_cell(row, "per"),
                          currency=_cell(row, "currency"), increment=_flag(row, "increment"),
                          note=_cell(row, "note"))


def date_row(row: dict[str, Any]) -> ExpectedDate:
    """Read one dates dev row (a dict of cell texts); raises RowError if it is malformed."""
    text = _check_row(row)
    return ExpectedDate(text=text, reference=_date(row, "reference"), start=_date(row, "start"),
                        end=_date(row, "end"), precision=_cell(row, "precision"),
                        note=_cell(row, "note"))


def row_class(note: str | None, fallback: str) -> str:
    """A row's class: its note up to the first ',' or ';' (e.g. 'future-tense'), or, for a row
    with no note, the fallback in brackets (a figure's kind, a date's precision, or REFUSE)."""
    if note:
        head = re.split(r"[,;]", note, maxsplit=1)[0].strip()
        if head:
            return head
    return f"({fallback})"


def figure_class(expected: ExpectedFigure) -> str:
    return row_class(expected.note, REFUSE if expected.refuse else (expected.kind or "?"))


def date_class(expected: ExpectedDate) -> str:
    return row_class(expected.note, expected.precision or "?")


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """The counts of one reader on one dev set (or on one class of its rows)."""

    rows: int = 0
    readable: int = 0        # rows not marked REFUSE
    read: int = 0            # readable rows that got a reading
    right: int = 0           # read rows whose reading is right
    to_refuse: int = 0       # rows marked REFUSE
    refused: int = 0         # REFUSE rows that got no reading
    exceptions: int = 0      # library calls that raised (for ours: anything but a refusal)
    timeouts: int = 0        # peer calls past the time limit
    seconds: float = 0.0     # time spent in the reader's calls
    available: bool = True   # False when the library cannot be imported

    def count(self, refuse: bool, reading: object, right: bool) -> None:
        """Count one row: whether it must be refused, the reading (None: none), whether right."""
        self.rows += 1
        if refuse:
            self.to_refuse += 1
            if reading is None:
                self.refused += 1
        else:
            self.readable += 1
            if reading is not None:
                self.read += 1
                if right:
                    self.right += 1

    @property
    def read_rows(self) -> int:
        """Rows that got a reading: readable rows read and REFUSE rows read (always wrong)."""
        return self.read + (self.to_refuse - self.refused)

    def as_dict(self) -> dict[str, float | int | None]:
        """The counts and the shares (None where a share has no denominator)."""
        return {
            "rows": self.rows,
            "readable": self.readable,
            "read": self.read,
            "read_rows": self.read_rows,
            "right": self.right,
            "to_refuse": self.to_refuse,
            "refused": self.refused,
            "exceptions": self.exceptions,
            "timeouts": self.timeouts,
            "seconds": round(self.seconds, 3),
            "available": int(self.available),
            "read_share": _share(self.read, self.readable),
            "right_share": _share(self.right, self.read_rows),
            "refused_share": _share(self.refused, self.to_refuse),
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Outcome:
    """What one reader did with one dev row."""

    row_class: str
    refuse: bool
    read: bool
    right: bool


@dataclass
class Evaluation:
    """The tallies of every reader on one dev set, with our failures and all exceptions."""

    tallies: dict[str, Tally]
    outcomes: dict[str, list[Outcome]] = field(default_factory=dict)  # reader -> one per row
    failures: dict[str, list[str]] = field(default_factory=dict)   # class -> lines (ours only)
    exceptions: list[str] = field(default_factory=list)            # "reader: text: error"
    skipped: list[str] = field(default_factory=list)               # malformed dev rows

    def metrics(self) -> dict[str, dict[str, float | int | None]]:
        return {name: tally.as_dict() for name, tally in self.tallies.items()}

    def peers(self) -> list[str]:
        return [name for name in self.tallies if name != "ours"]

    def best_peer(self) -> str | None:
        """The available peer with the most readable rows read right (then the most refused)."""
        available = [name for name in self.peers() if self.tallies[name].available]
        if not available:
            return None
        return max(available, key=lambda name: (self.tallies[name].right,
                                                self.tallies[name].refused))

    def by_class(self, reader: str) -> dict[str, Tally]:
        """The reader's tallies per row class, in the order the classes first appear."""
        tallies: dict[str, Tally] = {}
        for outcome in self.outcomes.get(reader, []):
            tally = tallies.setdefault(outcome.row_class, Tally())
            tally.count(outcome.refuse, True if outcome.read else None, outcome.right)
        return tallies


def _quiet_call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a library function with its stdout and its warnings silenced."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _describe_exception(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


class PeerTimeout(BaseException):
    """A peer call ran past its limit (a BaseException, so that a library's own broad
    `except Exception` cannot swallow it)."""


def _on_alarm(signum: int, frame: object) -> None:
    raise PeerTimeout()


def guarded_call(function: Callable[..., Any], *args: Any, limit: float,
                 interruptible: bool = True) -> Any:
    """Call a peer with a time limit; raises PeerTimeout past it (any exception passes through).

    An interruptible (pure-Python) call is stopped by SIGALRM at the limit where the platform
    and the thread allow it; any other call is let finish and its result discarded if late.
    """
    use_alarm = (interruptible and limit > 0 and hasattr(signal, "setitimer")
                 and threading.current_thread() is threading.main_thread())
    started = time.perf_counter()
    previous: Any = None
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        value = function(*args)
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if limit > 0 and time.perf_counter() - started > limit:
        raise PeerTimeout()
    return value


@dataclass(frozen=True)
class Peer:
    """A general-purpose library measured beside ours."""

    name: str            # as the tables show it
    module: str          # imported to see whether it is installed
    distribution: str    # its pip name, for its version
    read: Callable[..., Any]  # (text) -> number, or (text, reference) -> datetime; None: no reading
    interruptible: bool = True  # False where the work is native code SIGALRM cannot stop


def _iso_datetime(text: Any) -> dt.datetime | None:
    """A datetime from an ISO date or date-time string, or None where it is not one."""
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


# Duckling's and Recognizers' ranges end at an exclusive bound: the instant before it is taken.
_EXCLUSIVE = dt.timedelta(microseconds=1)


def _reference_time(reference: dt.date | None) -> dt.datetime:
    """The base a peer is given: the reference day at midnight UTC (now, with no reference)."""
    if reference is None:
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime.combine(reference, dt.time())


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------

def _close(value: Number | None, expected: Number | None) -> bool:
    """Whether a bound read equals the expected one (within 1e-6 relative, as the dev test)."""
    if value is None or expected is None:
        return value is None and expected is None
    return math.isclose(value, expected, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)


def our_figure_right(expected: ExpectedFigure, figure: Any) -> bool:
    """Whether our Figure equals the expected row in every evaluated field.

    As in tests/test_readers.py, a duration's unit is compared with the `per` column.
    """
    if expected.refuse:
        return False
    period = getattr(figure, "unit", None) if figure.kind == "duration" else figure.per
    return (_close(figure.low, expected.low)
            and _close(figure.best, expected.best)
            and _close(figure.high, expected.high)
            and figure.qualifier == expected.qualifier
            and figure.kind == expected.kind
            and period == expected.per
            and figure.currency == expected.currency
            and figure.increment == expected.increment)


def our_figure_refusal(expected: ExpectedFigure, figure: Any) -> bool:
    """Whether our reading of a REFUSE row counts as its refusal: a multiple or a duration
    read as its own kind (ratio, duration) is not read as a count."""
    wanted = NOT_A_COUNT.get(expected.note or "")
    return expected.refuse and wanted is not None and getattr(figure, "kind", None) == wanted


def competitor_figure_right(expected: ExpectedFigure, value: float) -> bool:
    """Whether a competitor's one number matches the expected figure.

    It must equal the expected best, or, where best is empty (a range, a bound, a vague
    quantity), fall within low..high (an empty bound is open). For fractions a percentage (40
    for 0.4) is accepted too. Money compares the amount alone.
    """
    if expected.refuse:
        return False
    values = [value]
    if expected.kind == "fraction":
        values.append(value / 100)

    def near(a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)

    if expected.best is not None:
        return any(near(v, expected.best) for v in values)
    if expected.low is None and expected.high is None:
        return False
    return any((expected.low is None or v >= expected.low or near(v, expected.low))
               and (expected.high is None or v <= expected.high or near(v, expected.high))
               for v in values)


def _format_figure(figure: Any) -> str:
    unit = getattr(figure, "unit", None)
    return (f"low={figure.low} best={figure.best} high={figure.high} "
            f"qualifier={figure.qualifier} kind={figure.kind} per={figure.per} "
            + (f"unit={unit} " if unit else "")
            + f"currency={figure.currency} increment={figure.increment}")


def _format_expected_figure(expected: ExpectedFigure) -> str:
    if expected.refuse:
        return "REFUSE"
    return (f"low={expected.low} best={expected.best} high={expected.high} "
            f"qualifier={expected.qualifier} kind={expected.kind} per={expected.per} "
            f"currency={expected.currency} increment={expected.increment}")


def _figure_failure_class(expected: ExpectedFigure) -> str:
    if expected.refuse:
        return REFUSE
    return f"{expected.kind}/{expected.qualifier}"


_NUMERAL = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def quantulum_reading(text: str) -> float | None:
    """The value of the first quantity quantulum3 finds, or None."""
    parser = _quiet_call(importlib.import_module, "quantulum3.parser")
    quantities = _quiet_call(parser.parse, text)
    if not quantities:
        return None
    return float(quantities[0].value)


def number_parser_reading(text: str) -> float | None:
    """number-parser's reading: `parse_number`, or if it reads nothing, the first numeral in the
    text `parse` gives back (number words turned into digits), or None."""
    number_parser = _quiet_call(importlib.import_module, "number_parser")
    value = _quiet_call(number_parser.parse_number, text)
    if value is not None:
        return float(value)
    rewritten = _quiet_call(number_parser.parse, text)
    match = _NUMERAL.search(rewritten or "")
    if match is None:
        return None
    return float(match.group().replace(",", ""))


_DUCKLING: dict[str, Any] = {}


def _duckling() -> tuple[Any, Any, Any]:
    """The duckling module, its time-zone database and its English locale (loaded once)."""
    if not _DUCKLING:
        duckling = importlib.import_module("duckling")
        zoneinfo = next((path for path in ("/usr/share/zoneinfo", "/usr/lib/zoneinfo",
                                           "/usr/share/lib/zoneinfo") if Path(path).is_dir()), "")
        _DUCKLING.update(module=duckling, zones=duckling.load_time_zones(zoneinfo),
                         locale=duckling.default_locale_lang(duckling.parse_lang("EN")))
    return _DUCKLING["module"], _DUCKLING["zones"], _DUCKLING["locale"]


def _duckling_entities(text: str, reference: dt.date | None, dimensions: list[str],
                       earliest: bool = False) -> list[Any]:
    """Duckling's entities in the text, not latent, the longest first, then the earliest (with
    `earliest`, the earliest first, then the longest); among equals, in `dimensions`' order,
    an amount of money in an unknown currency last (Duckling gives ranges and bounds of bare
    numbers as such, but also reads 'twenty-five thousand' as one from 20 to 5000)."""
    duckling, zones, locale = _duckling()
    base = _reference_time(reference).replace(tzinfo=dt.timezone.utc)
    context = duckling.Context(duckling.parse_ref_time(zones, "UTC", int(base.timestamp())),
                               locale)
    entities = duckling.parse(text, context, duckling.parse_dimensions(dimensions), False)
    entities = [entity for entity in entities if not entity.get("latent")]

    def rank(entity: Any) -> tuple[int, int, int]:
        length = entity["end"] - entity["start"]
        order = dimensions.index(entity["dim"]) if entity.get("dim") in dimensions else 99
        if entity.get("dim") == "amount-of-money" and '"unknown"' in json.dumps(entity["value"]):
            order = 98
        if earliest:
            return entity["start"], -length, order
        return -length, entity["start"], order

    return sorted(entities, key=rank)


def _duckling_value(value: dict[str, Any]) -> Any:
    """The one value of a Duckling reading: its value, or an interval's from (else its to)."""
    if value.get("type") == "interval":
        side = value.get("from") or value.get("to") or {}
        return side.get("value")
    return value.get("value")


DUCKLING_FIGURE_DIMENSIONS = ["number", "amount-of-money", "quantity", "duration"]


def duckling_figure_reading(text: str) -> float | None:
    """The number of Duckling's first number, money, quantity or duration entity (the longest of
    those that start first)."""
    for entity in _duckling_entities(text, None, DUCKLING_FIGURE_DIMENSIONS, earliest=True):
        value = _duckling_value(entity.get("value") or {})
        if isinstance(value, (int, float)):
            return float(value)
    return None


def recognizers_figure_reading(text: str) -> float | None:
    """The value of the first number Recognizers-Text finds (recognize_number, English)."""
    recognizers_text = importlib.import_module("recognizers_text")
    recognizers_number = importlib.import_module("recognizers_number")
    found = _quiet_call(recognizers_number.recognize_number, text,
                        recognizers_text.Culture.English)
    for result in found or []:
        value: Any = (result.resolution or {}).get("value")
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


FIGURE_PEERS = [
    Peer("quantulum3", "quantulum3.parser", "quantulum3", quantulum_reading),
    Peer("number-parser", "number_parser", "number-parser", number_parser_reading),
    Peer("duckling", "duckling", "pyduckling-native-phihos", duckling_figure_reading,
         interruptible=False),
    Peer("recognizers-text", "recognizers_number", "recognizers-text-suite",
         recognizers_figure_reading),
]


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

def our_date_right(expected: ExpectedDate, date: Any) -> bool:
    """Whether our FuzzyDate has the expected start, end and precision (edtf not compared)."""
    if expected.refuse:
        return False
    return bool(date.start == expected.start and date.end == expected.end
                and date.precision == expected.precision)


def competitor_date_right(expected: ExpectedDate, value: dt.datetime) -> bool:
    """Whether a competitor's datetime matches the expected date.

    For a day it must be that day; otherwise it must fall inside [start, end], or, for an open
    end, on the open side of the bound given.
    """
    if expected.refuse:
        return False
    day = value.date()
    if expected.precision == "day":
        return day == expected.start
    if expected.start is None and expected.end is None:
        return False
    if expected.start is not None and day < expected.start:
        return False
    if expected.end is not None and day > expected.end:
        return False
    return True


def _format_date(date: Any) -> str:
    return f"edtf={date.edtf} start={date.start} end={date.end} precision={date.precision}"


def _format_expected_date(expected: ExpectedDate) -> str:
    if expected.refuse:
        return "REFUSE"
    return f"start={expected.start} end={expected.end} precision={expected.precision}"


def _dateparser_settings(reference: dt.date | None, prefer: str) -> dict[str, Any]:
    return {"PREFER_DATES_FROM": prefer, "RELATIVE_BASE": _reference_time(reference)}


def dateparser_reading(prefer: str) -> Callable[[str, dt.date | None], dt.datetime | None]:
    def read(text: str, reference: dt.date | None) -> dt.datetime | None:
        """dateparser.parse with the reference as RELATIVE_BASE and the preference given."""
        dateparser = _quiet_call(importlib.import_module, "dateparser")
        value: dt.datetime | None = _quiet_call(
            dateparser.parse, text, settings=_dateparser_settings(reference, prefer))
        return value
    return read


def search_dates_reading(prefer: str) -> Callable[[str, dt.date | None], dt.datetime | None]:
    def read(text: str, reference: dt.date | None) -> dt.datetime | None:
        """The first date dateparser.search.search_dates finds (same settings), or None."""
        search = _quiet_call(importlib.import_module, "dateparser.search")
        found = _quiet_call(search.search_dates, text,
                            settings=_dateparser_settings(reference, prefer))
        if not found:
            return None
        value: dt.datetime = found[0][1]
        return value
    return read


def duckling_date_reading(text: str, reference: dt.date | None) -> dt.datetime | None:
    """The datetime of Duckling's longest time entity, with the reference as reference time (an
    interval gives its start, or its end where it has none)."""
    for entity in _duckling_entities(text, reference, ["time"]):
        reading = entity.get("value") or {}
        value = _iso_datetime(_duckling_value(reading))
        if value is not None and reading.get("type") == "interval" and not reading.get("from"):
            value -= _EXCLUSIVE  # an interval's end is exclusive: 'before March' ends on Feb 29
        if value is not None:
            return value
    return None


def recognizers_date_reading(candidate: int) -> Callable[[str, dt.date | None],
                                                         dt.datetime | None]:
    """Recognizers-Text's datetime model with the reference; `candidate` picks among the values
    of an ambiguous date (0: the past one, -1: the future one)."""
    def read(text: str, reference: dt.date | None) -> dt.datetime | None:
        recognizers_text = importlib.import_module("recognizers_text")
        recognizers_date_time = importlib.import_module("recognizers_date_time")
        found = _quiet_call(recognizers_date_time.recognize_datetime, text,
                            recognizers_text.Culture.English,
                            reference=_reference_time(reference))
        for result in found or []:
            values = (result.resolution or {}).get("values") or []
            if not values:
                continue
            chosen = values[candidate]
            if chosen.get("type") in ("duration", "set", "time", "timerange"):
                continue  # no date
            for key in ("value", "start", "end"):  # a range gives its start, else its end
                value = _iso_datetime(chosen.get(key))
                if value is not None:
                    # a range's end is exclusive ('before March 2024' ends on 1 March)
                    return value - _EXCLUSIVE if key == "end" else value
        return None
    return read


DATE_PEERS = [
    Peer("dateparser.parse (past)", "dateparser", "dateparser", dateparser_reading("past")),
    Peer("dateparser.parse (future)", "dateparser", "dateparser", dateparser_reading("future")),
    Peer("dateparser.search_dates (past)", "dateparser.search", "dateparser",
         search_dates_reading("past")),
    Peer("dateparser.search_dates (future)", "dateparser.search", "dateparser",
         search_dates_reading("future")),
    Peer("duckling", "duckling", "pyduckling-native-phihos", duckling_date_reading,
         interruptible=False),
    Peer("recognizers-text (past)", "recognizers_date_time", "recognizers-text-suite",
         recognizers_date_reading(0)),
    Peer("recognizers-text (future)", "recognizers_date_time", "recognizers-text-suite",
         recognizers_date_reading(-1)),
]


# --------------------------------------------------------------------------------------------
# Scoring, the same for figures and dates
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Readers:
    """What scoring one dev set needs: how to read its rows, our reader and the peers."""

    label: str
    expected_row: Callable[[dict[str, Any]], Any]
    ours: Callable[[Any], Any]  # an expected row -> our reading; raises `our_error` to refuse
    our_error: type[Exception]
    our_right: Callable[[Any, Any], bool]
    our_refusal: Callable[[Any, Any], bool]  # whether a reading counts as the row's refusal
    describe: Callable[[Any], str]  # an expected row, as a failure line starts
    format_reading: Callable[[Any], str]
    format_expected: Callable[[Any], str]
    failure_class: Callable[[Any], str]
    row_class: Callable[[Any], str]
    peers: list[Peer]
    peer_arguments: Callable[[Any], tuple[Any, ...]]  # an expected row -> the peer's arguments
    competitor_right: Callable[[Any, Any], bool]


def _importable(module: str) -> bool:
    """Whether a library imports (silently); a missing one is shown as unavailable."""
    try:
        _quiet_call(importlib.import_module, module)
    except Exception:  # noqa: BLE001 - any failure to import means the library is unavailable
        return False
    return True


def score(readers: Readers, rows: Sequence[dict[str, Any]],
          timeout: float = DEFAULT_TIMEOUT) -> Evaluation:
    """Run our reader and every peer on the dev rows (dicts of cell texts) and count."""
    evaluation = Evaluation(tallies={"ours": Tally()})
    expected_rows = []
    for number, row in enumerate(rows, start=1):
        try:
            expected_rows.append(readers.expected_row(row))
        except RowError as error:
            evaluation.skipped.append(
                f"{readers.label} line {row.get('_line', number)} ({row.get('text')!r}): {error}")

    ours = evaluation.tallies["ours"]
    outcomes = evaluation.outcomes["ours"] = []
    for expected in expected_rows:
        started = time.perf_counter()
        try:
            reading = readers.ours(expected)
            got = readers.format_reading(reading)
        except readers.our_error as error:
            reading, got = None, f"refused: {getattr(error, 'why', error)}"
        except Exception as error:  # noqa: BLE001 - a crash is no reading, counted apart
            reading, got = None, f"exception: {_describe_exception(error)}"
            ours.exceptions += 1
            evaluation.exceptions.append(f"ours: {expected.text!r}: {_describe_exception(error)}")
        ours.seconds += time.perf_counter() - started
        if reading is not None and readers.our_refusal(expected, reading):
            reading = None  # read as what it is (a ratio, a duration), not as a count
        right = reading is not None and readers.our_right(expected, reading)
        ours.count(expected.refuse, reading, right)
        outcomes.append(Outcome(readers.row_class(expected), expected.refuse,
                                reading is not None, right))
        if not right and not (expected.refuse and reading is None):
            line = (f"{readers.describe(expected)}\n    expected: "
                    f"{readers.format_expected(expected)}\n    got:      {got}")
            if expected.note:
                line += f"\n    note:     {expected.note}"
            evaluation.failures.setdefault(readers.failure_class(expected), []).append(line)

    for peer in readers.peers:
        tally = evaluation.tallies[peer.name] = Tally(available=_importable(peer.module))
        if not tally.available:
            continue
        if expected_rows:  # a first call outside the count: libraries load their data lazily
            with contextlib.suppress(Exception, PeerTimeout):
                guarded_call(peer.read, *readers.peer_arguments(expected_rows[0]),
                             limit=max(60.0, timeout), interruptible=peer.interruptible)
        outcomes = evaluation.outcomes[peer.name] = []
        for expected in expected_rows:
            started = time.perf_counter()
            try:
                value = guarded_call(peer.read, *readers.peer_arguments(expected),
                                     limit=timeout, interruptible=peer.interruptible)
            except PeerTimeout:
                value = None
                tally.timeouts += 1
                evaluation.exceptions.append(
                    f"{peer.name}: {expected.text!r}: timed out after {timeout:g} s")
            except Exception as error:  # noqa: BLE001 - any exception is no reading
                value = None
                tally.exceptions += 1
                evaluation.exceptions.append(
                    f"{peer.name}: {expected.text!r}: {_describe_exception(error)}")
            tally.seconds += time.perf_counter() - started
            try:
                right = value is not None and readers.competitor_right(expected, value)
            except Exception as error:  # noqa: BLE001 - a value of the wrong type is wrong
                right = False
                evaluation.exceptions.append(
                    f"{peer.name}: {expected.text!r}: unusable value {value!r}: "
                    f"{_describe_exception(error)}")
            tally.count(expected.refuse, value, right)
            outcomes.append(Outcome(readers.row_class(expected), expected.refuse,
                                    value is not None, right))
    return evaluation


FIGURE_READERS = Readers(
    "figures", figure_row, lambda e: parse_figure(e.text), FigureError, our_figure_right,
    our_figure_refusal, lambda e: repr(e.text), _format_figure, _format_expected_figure,
    _figure_failure_class, figure_class, FIGURE_PEERS, lambda e: (e.text,),
    competitor_figure_right)

DATE_READERS = Readers(
    "dates", date_row, lambda e: parse_date(e.text, e.reference), DateError, our_date_right,
    lambda e, reading: False, lambda e: f"{e.text!r} (reference {e.reference})", _format_date,
    _format_expected_date, lambda e: e.precision or "?", date_class, DATE_PEERS,
    lambda e: (e.text, e.reference), competitor_date_right)


def evaluate_figures(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """The numbers of every figure reader on the dev rows (dicts of cell texts), by reader."""
    return score(FIGURE_READERS, rows).metrics()


def evaluate_dates(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """The numbers of every date reader on the dev rows (dicts of cell texts), by reader."""
    return score(DATE_READERS, rows).metrics()


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def _percent(part: int, whole: int) -> str:
    if not whole:
        return "n/a"
    return f"{100 * part / whole:5.1f}% ({part}/{whole})"


def _short_percent(part: int, whole: int) -> str:
    if not whole:
        return "-"
    return f"{100 * part / whole:.0f}% ({part}/{whole})"


def render(headings: list[str], rows: list[list[str]], markdown: bool = False,
           group: bool = True) -> str:
    """A table as aligned plain text (with `group`, a blank line where the first cell changes)
    or as Markdown."""
    if markdown:
        lines = ["| " + " | ".join(headings) + " |", "|" + "|".join(" --- " for _ in headings)
                 + "|"]
        lines += ["| " + " | ".join(cell.strip() or " " for cell in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [headings, *rows]) for i in range(len(headings))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    rendered = [line(headings), line(["-" * width for width in widths])]
    previous = None
    for row in rows:
        if group and previous is not None and row[0] != previous:
            rendered.append("")
        rendered.append(line(row))
        previous = row[0]
    return "\n".join(rendered)


def _target(dev_set: str, reader: str) -> tuple[float, float] | None:
    for target_set, target_reader, min_read, min_right in TARGETS:
        if (target_set, target_reader) == (dev_set, reader):
            return min_read, min_right
    return None


def _met(tally: Tally, min_read: float, min_right: float) -> bool:
    read, right = _share(tally.read, tally.readable), _share(tally.right, tally.read_rows)
    return read is not None and right is not None and read >= min_read and right >= min_right


def table(evaluations: dict[str, Evaluation], markdown: bool = False) -> str:
    """The headline table: a line per dev set and reader, with read, right when read, refused,
    exceptions, timeouts, time, and the issue's target next to our numbers."""
    headings = ["dev set", "reader", "rows", "read", "right when read", "refused",
                "exceptions", "timeouts", "time (s)", "target (read / right)"]
    lines = []
    for dev_set, evaluation in evaluations.items():
        for reader, tally in evaluation.tallies.items():
            if not tally.available:
                lines.append([dev_set, reader, "-", "not installed", "-", "-", "-", "-", "-",
                              ""])
                continue
            target = _target(dev_set, reader)
            shown_target = ""
            if target is not None:
                shown_target = (f">= {100 * target[0]:.0f}% / >= {100 * target[1]:.0f}%: "
                                f"{'MET' if _met(tally, *target) else 'NOT MET'}")
            lines.append([dev_set, reader, str(tally.rows), _percent(tally.read, tally.readable),
                          _percent(tally.right, tally.read_rows),
                          _percent(tally.refused, tally.to_refuse), str(tally.exceptions),
                          str(tally.timeouts), f"{tally.seconds:.2f}", shown_target])
    return render(headings, lines, markdown)


def class_table(evaluation: Evaluation, markdown: bool = False) -> str:
    """Ours and the best peer per row class (the largest classes first)."""
    best = evaluation.best_peer()
    readers = ["ours"] + ([best] if best else [])
    by_class = {reader: evaluation.by_class(reader) for reader in readers}
    classes = sorted(by_class["ours"], key=lambda name: (-by_class["ours"][name].rows, name))
    headings = ["class", "rows"]
    for reader in readers:
        headings += [f"{reader}: read", f"{reader}: right when read", f"{reader}: refused"]
    lines = []
    for name in classes:
        cells = [name, str(by_class["ours"][name].rows)]
        for reader in readers:
            tally = by_class[reader].get(name, Tally())
            cells += [_short_percent(tally.read, tally.readable),
                      _short_percent(tally.right, tally.read_rows),
                      _short_percent(tally.refused, tally.to_refuse)]
        lines.append(cells)
    return render(headings, lines, markdown, group=False)


def tense_table(evaluation: Evaluation, markdown: bool = False) -> str:
    """Every available date reader on each tense class: read, right when read, refused."""
    readers = [name for name, tally in evaluation.tallies.items() if tally.available]
    by_class = {reader: evaluation.by_class(reader) for reader in readers}
    headings = ["class", "reader", "rows", "read", "right when read", "refused"]
    lines = []
    for name in TENSE_CLASSES:
        if name not in by_class["ours"]:
            continue
        for reader in readers:
            tally = by_class[reader].get(name, Tally())
            lines.append([name, reader, str(tally.rows),
                          _short_percent(tally.read, tally.readable),
                          _short_percent(tally.right, tally.read_rows),
                          _short_percent(tally.refused, tally.to_refuse)])
    return render(headings, lines, markdown)


def target_lines(evaluations: dict[str, Evaluation]) -> tuple[list[str], list[dict[str, Any]]]:
    """The target lines (MET / NOT MET) and the same as records for --json."""
    lines, records = [], []
    for dev_set, reader, min_read, min_right in TARGETS:
        tally = evaluations[dev_set].tallies[reader]
        read, right = _share(tally.read, tally.readable), _share(tally.right, tally.read_rows)
        met = _met(tally, min_read, min_right)
        shown_read = "n/a" if read is None else f"{100 * read:.1f}%"
        shown_right = "n/a" if right is None else f"{100 * right:.1f}%"
        lines.append(f"{dev_set} ({reader}): read {shown_read} (target >= {100 * min_read:.0f}%), "
                     f"right when read {shown_right} (target >= {100 * min_right:.0f}%): "
                     f"{'MET' if met else 'NOT MET'}")
        records.append({"dev_set": dev_set, "reader": reader, "read": read, "right": right,
                        "min_read": min_read, "min_right": min_right, "met": met})
    return lines, records


def failure_report(evaluations: dict[str, Evaluation]) -> str:
    """Our failures per dev set and class, then every exception and every skipped dev row."""
    parts = []
    for dev_set, evaluation in evaluations.items():
        total = sum(len(lines) for lines in evaluation.failures.values())
        parts.append(f"== {dev_set}: {total} row(s) ours got wrong or refused")
        for name in sorted(evaluation.failures):
            lines = evaluation.failures[name]
            parts.append(f"-- {dev_set} / {name}: {len(lines)}")
            parts.extend(lines)
        if evaluation.exceptions:
            parts.append(f"-- {dev_set}: exceptions and timeouts ({len(evaluation.exceptions)})")
            parts.extend(evaluation.exceptions)
        if evaluation.skipped:
            parts.append(f"-- {dev_set}: malformed dev rows skipped ({len(evaluation.skipped)})")
            parts.extend(evaluation.skipped)
    return "\n".join(parts) + "\n"


def library_versions() -> list[tuple[str, str]]:
    """Each peer's pip name and installed version ('not installed' where absent)."""
    names = ["dprk-ru-data"] + list(dict.fromkeys(
        peer.distribution for peer in [*FIGURE_PEERS, *DATE_PEERS]))
    found = []
    for name in names:
        try:
            found.append((name, version(name)))
        except PackageNotFoundError:
            found.append((name, "not installed"))
    return found


def machine() -> str:
    """Cores, memory, processor, system and Python of this machine."""
    memory = 0
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        memory = next((int(line.split()[1]) * 1024 for line in open("/proc/meminfo")
                       if line.startswith("MemTotal")), 0)
    with contextlib.suppress(OSError):
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name")), cpu)
    shown_memory = f", {memory / 2**30:.0f} GiB memory" if memory else ""
    return (f"{os.cpu_count()} cores{shown_memory}, {cpu or 'unknown processor'}, "
            f"{platform.machine()}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def source_state() -> str:
    """The commit measured, and whether the readers or the dev sets had uncommitted changes."""
    import subprocess

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True, timeout=30, check=True).stdout.strip()
        changed = subprocess.run(["git", "status", "--porcelain", "--", "dprk_ru_data",
                                  "tests/data"], cwd=ROOT, text=True, capture_output=True,
                                 timeout=30, check=True).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    paths = [line[3:] for line in changed if line.strip()]
    if not paths:
        return f"commit {commit}, readers and dev sets as committed"
    return (f"commit {commit}, with uncommitted changes to {', '.join(paths)} "
            "(measured as they stood in the working tree)")


def sections(evaluations: dict[str, Evaluation], markdown: bool) -> list[tuple[str, str]]:
    """The report's tables after the headline one, as (title, table) pairs."""
    found = []
    for dev_set, evaluation in evaluations.items():
        best = evaluation.best_peer()
        found.append((f"{dev_set}: by class, ours and the best peer ({best or 'none installed'})",
                      class_table(evaluation, markdown)))
    if "dates" in evaluations:
        found.append(("dates: the tense classes, every reader",
                      tense_table(evaluations["dates"], markdown)))
    return found


def markdown_report(evaluations: dict[str, Evaluation], command: str, options: Any) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Normalisers beside their peers", "",
             f"Measured by `{command}` on {now}.", "", f"Machine: {machine()}.", "",
             f"Package: {source_state()}.", "",
             "Libraries: " + ", ".join(f"{name} {found}" for name, found in library_versions())
             + ".", "",
             f"Dev sets: `{_shown_path(options.figures)}` and `{_shown_path(options.dates)}`"
             + (f" (a sample of about {options.sample} rows each: not the real figures)"
                if options.sample else "") + f"; peer time limit {options.timeout:g} s a call.",
             "",
             "read: share of readable rows read; right when read: share of read rows read right "
             "(a read REFUSE row is wrong); refused: share of REFUSE rows refused. Ours must get "
             "every field right; a peer's one number must equal the expected best (with no best, "
             "fall within low..high; a fraction may be given as a percentage), its one datetime "
             "must fall "
             "on the expected day or within start..end. Every date peer is given the row's "
             "reference date as its base (dateparser as RELATIVE_BASE, once preferring the past and "
             "once the future; Duckling as its reference time, and it has no such preference: "
             "it takes the next occurrence; Recognizers-Text as its reference, and it gives a "
             "past and a future candidate, each scored). See the docstring of "
             "`benchmarks/normalisers.py`.", "",
             "Our readers were written against these dev sets (a row they fail is fixed in the "
             "reader or, where the row encoded a guess the conventions reject, re-read under "
             "the conventions), so our numbers say how far the readers keep to the conventions "
             "the rows record, not how they do on unseen text; the peers meet these rows, and "
             "the conventions (refusals included), for the first time.", "",
             "## Headline", "", table(evaluations, markdown=True), "", "## Targets", ""]
    target, _ = target_lines(evaluations)
    lines += [f"- {line}" for line in target]
    for title, rendered in sections(evaluations, markdown=True):
        lines += ["", f"## {title[0].upper()}{title[1:]}", "", rendered]
    absent = [name for name, found in library_versions() if found == "not installed"]
    if absent:
        lines += ["", "Not installed (shown as absent): " + ", ".join(absent) + "."]
    return "\n".join(lines) + "\n"


def _shown_path(path: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(ROOT))
    return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the readers on the dev sets; 0 whatever the scores, 2 if a dev file is missing."""
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--figures", type=Path, default=FIGURES_DEV, help="figures dev TSV")
    arguments.add_argument("--dates", type=Path, default=DATES_DEV, help="dates dev TSV")
    arguments.add_argument("--json", type=Path, help="write the numbers to this JSON file")
    arguments.add_argument("--markdown", type=Path,
                           help="write the tables, with the date, machine and library versions, "
                                "to this Markdown file (e.g. benchmarks/NORMALISERS.md)")
    arguments.add_argument("--failures", type=Path,
                           help="write our failures to this file (default: stderr)")
    arguments.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                           help=f"seconds a peer call may take (default {DEFAULT_TIMEOUT:g}); "
                                "a call past it is no reading")
    arguments.add_argument("--sample", type=int, default=None, metavar="N",
                           help="score an evenly spread sample of about N rows of each dev set "
                                "(a quick smoke run; the figures are then not the real ones)")
    options = arguments.parse_args(argv)

    try:
        figure_rows = read_tsv(options.figures, FIGURE_COLUMNS[:-1])
        date_rows = read_tsv(options.dates, DATE_COLUMNS[:-1])
    except DevSetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if options.sample:
        figure_rows = figure_rows[::max(1, len(figure_rows) // options.sample)]
        date_rows = date_rows[::max(1, len(date_rows) // options.sample)]

    evaluations = {"figures": score(FIGURE_READERS, figure_rows, options.timeout),
                   "dates": score(DATE_READERS, date_rows, options.timeout)}

    print(f"Normalisers on the dev sets (figures: {options.figures}; dates: {options.dates})")
    print("read: share of readable rows read; right when read: share of read rows read right "
          "(a read REFUSE row is wrong);\nrefused: share of REFUSE rows refused.\n")
    print(table(evaluations))
    for title, rendered in sections(evaluations, markdown=False):
        print(f"\n{title}:\n{rendered}")
    print("\nlibraries: " + ", ".join(f"{name} {found}" for name, found in library_versions()))
    skipped = sum(len(evaluation.skipped) for evaluation in evaluations.values())
    exceptions = sum(len(evaluation.exceptions) for evaluation in evaluations.values())
    if skipped:
        print(f"\n{skipped} malformed dev row(s) skipped (listed with the failures)")
    if exceptions:
        print(f"\n{exceptions} peer exception(s) or timeout(s) (listed with the failures)")

    report = failure_report(evaluations)
    if options.failures:
        options.failures.write_text(report, encoding="utf-8")
        print(f"\nour failures: {options.failures}")
    else:
        sys.stderr.write(report)

    lines, records = target_lines(evaluations)
    print("\ntargets:")
    for line in lines:
        print(f"  {line}")

    command = "python benchmarks/normalisers.py" + "".join(
        f" {argument}" for argument in (argv if argv is not None else sys.argv[1:]))
    if options.markdown:
        options.markdown.write_text(markdown_report(evaluations, command, options),
                                    encoding="utf-8")
        print(f"\ntables: {options.markdown}")
    if options.json:
        numbers: dict[str, Any] = {dev_set: evaluation.metrics()
                                   for dev_set, evaluation in evaluations.items()}
        numbers["by_class"] = {
            dev_set: {reader: {name: tally.as_dict()
                               for name, tally in evaluation.by_class(reader).items()}
                      for reader in evaluation.outcomes}
            for dev_set, evaluation in evaluations.items()}
        numbers["targets"] = records
        numbers["skipped_rows"] = skipped
        numbers["libraries"] = dict(library_versions())
        options.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
