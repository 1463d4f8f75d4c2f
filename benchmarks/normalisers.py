"""Benchmark: how often the normalisers read the dev sets, and how often they read them right.

    python benchmarks/normalisers.py [--figures PATH] [--dates PATH] [--json OUT] [--failures PATH]

For each dev set the table shows, side by side for this package and for general-purpose
libraries (quantulum3, number-parser, dateparser):

- read: the share of readable rows (rows not marked REFUSE) that got any reading;
- right when read: the share of read rows (a read REFUSE row included, always wrong) whose
  reading is right;
- refused: the share of REFUSE rows that got no reading.

Our reader must give every field of the expected reading; a competitor returns one number (or
one datetime), which is right when it matches the expected value (see `competitor_figure_right`
and `competitor_date_right`). Every library call is guarded: an exception means no reading for
that row and is counted under "exceptions". The rows our reader gets wrong or refuses are listed
per class (to stderr, or to the file given by --failures) so that they can be fixed.

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
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
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

# (dev set, reader, minimum read, minimum right when read)
TARGETS = [("figures", "ours", 0.90, 0.97), ("dates", "ours", 0.85, 0.95)]

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


# --------------------------------------------------------------------------------------------
# Counting
# --------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """The counts of one reader on one dev set."""

    rows: int = 0
    readable: int = 0        # rows not marked REFUSE
    read: int = 0            # readable rows that got a reading
    right: int = 0           # read rows whose reading is right
    to_refuse: int = 0       # rows marked REFUSE
    refused: int = 0         # REFUSE rows that got no reading
    exceptions: int = 0      # library calls that raised (for ours: anything but a refusal)
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

    def as_dict(self) -> dict[str, float | int | None]:
        """The counts and the shares (None where a share has no denominator)."""
        read_rows = self.read + (self.to_refuse - self.refused)
        return {
            "rows": self.rows,
            "readable": self.readable,
            "read": self.read,
            "read_rows": read_rows,
            "right": self.right,
            "to_refuse": self.to_refuse,
            "refused": self.refused,
            "exceptions": self.exceptions,
            "available": int(self.available),
            "read_share": _share(self.read, self.readable),
            "right_share": _share(self.right, read_rows),
            "refused_share": _share(self.refused, self.to_refuse),
        }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Evaluation:
    """The tallies of every reader on one dev set, with our failures and all exceptions."""

    tallies: dict[str, Tally]
    failures: dict[str, list[str]] = field(default_factory=dict)   # class -> lines (ours only)
    exceptions: list[str] = field(default_factory=list)            # "reader: text: error"
    skipped: list[str] = field(default_factory=list)               # malformed dev rows

    def metrics(self) -> dict[str, dict[str, float | int | None]]:
        return {name: tally.as_dict() for name, tally in self.tallies.items()}


def _quiet_call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call a library function with its stdout and its warnings silenced."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return function(*args, **kwargs)


def _describe_exception(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------

def _close(value: Number | None, expected: Number | None, fraction: bool) -> bool:
    """Whether a bound read equals the expected one (fractions within 1e-6 relative)."""
    if value is None or expected is None:
        return value is None and expected is None
    if fraction:
        return math.isclose(value, expected, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)
    return value == expected


def our_figure_right(expected: ExpectedFigure, figure: Any) -> bool:
    """Whether our Figure equals the expected row in every evaluated field."""
    if expected.refuse:
        return False
    fraction = expected.kind == "fraction"
    return (_close(figure.low, expected.low, fraction)
            and _close(figure.best, expected.best, fraction)
            and _close(figure.high, expected.high, fraction)
            and figure.qualifier == expected.qualifier
            and figure.kind == expected.kind
            and figure.per == expected.per
            and figure.currency == expected.currency
            and figure.increment == expected.increment)


def competitor_figure_right(expected: ExpectedFigure, value: float) -> bool:
    """Whether a competitor's first number matches the expected figure.

    It must equal the expected best, or, where best is empty, low or high. For fractions a
    percentage (40 for 0.4) is accepted too. Money compares the amount alone.
    """
    if expected.refuse:
        return False
    if expected.best is not None:
        candidates = [expected.best]
    else:
        candidates = [bound for bound in (expected.low, expected.high) if bound is not None]
    values = [value]
    if expected.kind == "fraction":
        values.append(value / 100)
    return any(math.isclose(v, c, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12)
               for v in values for c in candidates)


def _format_figure(figure: Any) -> str:
    return (f"low={figure.low} best={figure.best} high={figure.high} "
            f"qualifier={figure.qualifier} kind={figure.kind} per={figure.per} "
            f"currency={figure.currency} increment={figure.increment}")


def _format_expected_figure(expected: ExpectedFigure) -> str:
    if expected.refuse:
        return "REFUSE"
    return (f"low={expected.low} best={expected.best} high={expected.high} "
            f"qualifier={expected.qualifier} kind={expected.kind} per={expected.per} "
            f"currency={expected.currency} increment={expected.increment}")


def _figure_class(expected: ExpectedFigure) -> str:
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


COMPETITOR_FIGURE_READERS: dict[str, tuple[str, Callable[[str], float | None]]] = {
    "quantulum3": ("quantulum3.parser", quantulum_reading),
    "number-parser": ("number_parser", number_parser_reading),
}


def _importable(module: str) -> bool:
    """Whether a library imports (silently); a missing one is shown as unavailable."""
    try:
        _quiet_call(importlib.import_module, module)
    except Exception:  # noqa: BLE001 - any failure to import means the library is unavailable
        return False
    return True


def evaluate_figures(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """The numbers of every figure reader on the dev rows (dicts of cell texts), by reader."""
    return score(FIGURE_READERS, rows).metrics()


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

def our_date_right(expected: ExpectedDate, date: Any) -> bool:
    """Whether our FuzzyDate has the expected start, end and precision (edtf not compared)."""
    if expected.refuse:
        return False
    return (date.start == expected.start and date.end == expected.end
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


def _dateparser_settings(reference: dt.date | None) -> dict[str, Any]:
    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past"}
    if reference is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(reference, dt.time())
    return settings


def dateparser_reading(text: str, reference: dt.date | None) -> dt.datetime | None:
    """dateparser.parse with the reference as RELATIVE_BASE, preferring the past."""
    dateparser = _quiet_call(importlib.import_module, "dateparser")
    return _quiet_call(dateparser.parse, text, settings=_dateparser_settings(reference))


def search_dates_reading(text: str, reference: dt.date | None) -> dt.datetime | None:
    """The first date dateparser.search.search_dates finds (same settings), or None."""
    search = _quiet_call(importlib.import_module, "dateparser.search")
    found = _quiet_call(search.search_dates, text, settings=_dateparser_settings(reference))
    if not found:
        return None
    return found[0][1]


COMPETITOR_DATE_READERS: dict[str, tuple[str, Callable[[str, dt.date | None],
                                                      dt.datetime | None]]] = {
    "dateparser.parse": ("dateparser", dateparser_reading),
    "dateparser.search_dates": ("dateparser.search", search_dates_reading),
}


def evaluate_dates(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """The numbers of every date reader on the dev rows (dicts of cell texts), by reader."""
    return score(DATE_READERS, rows).metrics()


# --------------------------------------------------------------------------------------------
# Scoring, the same for figures and dates
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Readers:
    """What scoring one dev set needs: how to read its rows, our reader and the competitors."""

    label: str
    expected_row: Callable[[dict[str, Any]], Any]
    ours: Callable[[Any], Any]  # an expected row -> our reading; raises `our_error` to refuse
    our_error: type[Exception]
    our_right: Callable[[Any, Any], bool]
    describe: Callable[[Any], str]  # an expected row, as a failure line starts
    format_reading: Callable[[Any], str]
    format_expected: Callable[[Any], str]
    failure_class: Callable[[Any], str]
    competitors: dict[str, tuple[str, Callable[[Any], Any]]]  # name -> (module, row -> value)
    competitor_right: Callable[[Any, Any], bool]


def score(readers: Readers, rows: Sequence[dict[str, Any]]) -> Evaluation:
    """Run our reader and every competitor on the dev rows (dicts of cell texts) and count."""
    evaluation = Evaluation(tallies={"ours": Tally()})
    expected_rows = []
    for number, row in enumerate(rows, start=1):
        try:
            expected_rows.append(readers.expected_row(row))
        except RowError as error:
            evaluation.skipped.append(
                f"{readers.label} line {row.get('_line', number)} ({row.get('text')!r}): {error}")

    ours = evaluation.tallies["ours"]
    for expected in expected_rows:
        try:
            reading = readers.ours(expected)
            got = readers.format_reading(reading)
        except readers.our_error as error:
            reading, got = None, f"refused: {getattr(error, 'why', error)}"
        except Exception as error:  # noqa: BLE001 - a crash is no reading, counted apart
            reading, got = None, f"exception: {_describe_exception(error)}"
            ours.exceptions += 1
            evaluation.exceptions.append(f"ours: {expected.text!r}: {_describe_exception(error)}")
        right = reading is not None and readers.our_right(expected, reading)
        ours.count(expected.refuse, reading, right)
        if not right and not (expected.refuse and reading is None):
            line = (f"{readers.describe(expected)}\n    expected: "
                    f"{readers.format_expected(expected)}\n    got:      {got}")
            if expected.note:
                line += f"\n    note:     {expected.note}"
            evaluation.failures.setdefault(readers.failure_class(expected), []).append(line)

    for name, (module, reader) in readers.competitors.items():
        tally = evaluation.tallies[name] = Tally(available=_importable(module))
        if not tally.available:
            continue
        for expected in expected_rows:
            try:
                value = reader(expected)
            except Exception as error:  # noqa: BLE001 - any exception is no reading
                value = None
                tally.exceptions += 1
                evaluation.exceptions.append(
                    f"{name}: {expected.text!r}: {_describe_exception(error)}")
            right = value is not None and readers.competitor_right(expected, value)
            tally.count(expected.refuse, value, right)
    return evaluation


FIGURE_READERS = Readers(
    "figures", figure_row, lambda e: parse_figure(e.text), FigureError, our_figure_right,
    lambda e: repr(e.text), _format_figure, _format_expected_figure, _figure_class,
    {name: (module, lambda e, read=read: read(e.text))
     for name, (module, read) in COMPETITOR_FIGURE_READERS.items()},
    competitor_figure_right)

DATE_READERS = Readers(
    "dates", date_row, lambda e: parse_date(e.text, e.reference), DateError, our_date_right,
    lambda e: f"{e.text!r} (reference {e.reference})", _format_date, _format_expected_date,
    lambda e: e.precision or "?",
    {name: (module, lambda e, read=read: read(e.text, e.reference))
     for name, (module, read) in COMPETITOR_DATE_READERS.items()},
    competitor_date_right)


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def _percent(part: int, whole: int) -> str:
    if not whole:
        return "n/a"
    return f"{100 * part / whole:5.1f}% ({part}/{whole})"


def table(evaluations: dict[str, Evaluation]) -> str:
    """One table: a line per dev set and reader, with read, right when read, refused, errors."""
    headings = ["dev set", "reader", "rows", "read", "right when read", "refused", "exceptions"]
    lines = []
    for dev_set, evaluation in evaluations.items():
        for reader, tally in evaluation.tallies.items():
            if not tally.available:
                lines.append([dev_set, reader, "-", "not installed", "-", "-", "-"])
                continue
            read_rows = tally.read + (tally.to_refuse - tally.refused)
            lines.append([dev_set, reader, str(tally.rows), _percent(tally.read, tally.readable),
                          _percent(tally.right, read_rows),
                          _percent(tally.refused, tally.to_refuse), str(tally.exceptions)])
    widths = [max(len(row[i]) for row in [headings, *lines]) for i in range(len(headings))]

    def render(cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    rendered = [render(headings), render(["-" * width for width in widths])]
    previous = None
    for row in lines:
        if previous is not None and row[0] != previous:
            rendered.append("")
        rendered.append(render(row))
        previous = row[0]
    return "\n".join(rendered)


def target_lines(evaluations: dict[str, Evaluation]) -> tuple[list[str], list[dict[str, Any]]]:
    """The target lines (MET / NOT MET) and the same as records for --json."""
    lines, records = [], []
    for dev_set, reader, min_read, min_right in TARGETS:
        metrics = evaluations[dev_set].tallies[reader].as_dict()
        read, right = metrics["read_share"], metrics["right_share"]
        met = read is not None and right is not None and read >= min_read and right >= min_right
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
            parts.append(f"-- {dev_set}: exceptions ({len(evaluation.exceptions)})")
            parts.extend(evaluation.exceptions)
        if evaluation.skipped:
            parts.append(f"-- {dev_set}: malformed dev rows skipped ({len(evaluation.skipped)})")
            parts.extend(evaluation.skipped)
    return "\n".join(parts) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the readers on the dev sets; 0 whatever the scores, 2 if a dev file is missing."""
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--figures", type=Path, default=FIGURES_DEV, help="figures dev TSV")
    arguments.add_argument("--dates", type=Path, default=DATES_DEV, help="dates dev TSV")
    arguments.add_argument("--json", type=Path, help="write the numbers to this JSON file")
    arguments.add_argument("--failures", type=Path,
                           help="write our failures to this file (default: stderr)")
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

    evaluations = {"figures": score(FIGURE_READERS, figure_rows),
                   "dates": score(DATE_READERS, date_rows)}

    print(f"Normalisers on the dev sets (figures: {options.figures}; dates: {options.dates})")
    print("read: share of readable rows read; right when read: share of read rows read right "
          "(a read REFUSE row is wrong);\nrefused: share of REFUSE rows refused.\n")
    print(table(evaluations))
    skipped = sum(len(evaluation.skipped) for evaluation in evaluations.values())
    exceptions = sum(len(evaluation.exceptions) for evaluation in evaluations.values())
    if skipped:
        print(f"\n{skipped} malformed dev row(s) skipped (listed with the failures)")
    if exceptions:
        print(f"\nexceptions ({exceptions}):")
        for evaluation in evaluations.values():
            for line in evaluation.exceptions:
                print(f"  {line}")

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

    if options.json:
        numbers = {dev_set: evaluation.metrics() for dev_set, evaluation in evaluations.items()}
        numbers["targets"] = records
        numbers["skipped_rows"] = skipped
        options.json.write_text(json.dumps(numbers, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
