"""Located, parsed candidates for curation: every figure and date of a text, ready for raw/.

`extract` reads a corpus text (by its source id) or any UTF-8 file, runs both finders, and returns
one row per mention with its offsets, span hash and reading; `render` prints them as a table, JSON
or CSV. Relative dates are read against the source's publication date (or `published`).
`iter_extract` and `write` do the same one row at a time, for texts with very many mentions.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from .errors import DataError, Problem
from .normalise import conventions as c
from .normalise.dates import DateError, FuzzyDate, parse_date
from .normalise.figures import Figure
from .normalise.finders import Mention, iter_mentions

TABLE_TEXT = 60  # characters of a mention's text the table shows
COLUMNS = ["kind", "start", "end", "text", "sha256", "low", "best", "high", "qualifier",
           "figure_kind", "per", "currency", "increment", "edtf", "date_start", "date_end",
           "precision", "note"]


# How far after a figure a rate word is looked for: the rest of its clause, at most this many
# characters ("half of its shells daily": 'daily' would make the share a rate).
RATE_REACH = 80
_CLAUSE_END = re.compile(r"[.;:!?\n()]")
_WORD = re.compile(r"[a-z]+")


def _rate_after(text: str, end: int) -> str | None:
    """A rate word in the rest of the clause after a figure ending at `end`, or None."""
    clause = text[end:end + RATE_REACH]
    stop = _CLAUSE_END.search(clause)
    words = _WORD.findall((clause[:stop.start()] if stop else clause).lower())
    for k, word in enumerate(words):
        if word in c.RATE_WORDS:
            return str(word)
        if word in c.RATE_INTRODUCERS and k + 1 < len(words) and words[k + 1] in c.RATE_PERIODS:
            return f"{word} {words[k + 1]}"
    return None


def _needs_a_curator(mention: Mention, text: str, reference: FuzzyDate | None) -> str | None:
    """What a curator must check that the reading alone does not say: a rate word after a figure
    that the figure's span leaves out; a date after the publication date (a plan or an
    expectation, not an event)."""
    value = mention.value
    if isinstance(value, Figure) and value.per is None:
        rate = _rate_after(text, mention.end)
        if rate is not None:
            return (f"check: '{rate}' follows in the clause; if it belongs to this figure, the "
                    "figure is a rate, which the span leaves out")
    if (isinstance(value, FuzzyDate) and value.start is not None and reference is not None
            and reference.end is not None and value.start > reference.end):
        return "check: after the publication date, so a plan or an expectation, not an event"
    return None


def _row(mention: Mention, text: str = "", reference: FuzzyDate | None = None
         ) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    check = _needs_a_curator(mention, text, reference) if text else None
    note = "; ".join(n for n in (mention.note, check) if n) or None
    row.update(kind=mention.kind, start=mention.start, end=mention.end, text=mention.text,
               sha256=mention.sha256, note=note)
    value = mention.value
    if isinstance(value, Figure):
        row.update(low=value.low, best=value.best, high=value.high, qualifier=value.qualifier,
                   figure_kind=value.kind, per=value.per, currency=value.currency,
                   increment=value.increment)
    elif isinstance(value, FuzzyDate):
        row.update(edtf=value.edtf, date_start=value.start and value.start.isoformat(),
                   date_end=value.end and value.end.isoformat(), precision=value.precision)
    return row


class NoSuchSource(LookupError):
    """A source that is neither a file nor a source id: a usage error, not a data error."""


def _source_text(source: str, corpus: Path, root: Path | None) -> tuple[str, FuzzyDate | None]:
    from .checkout import sources
    from .evidence import CorpusError, read_text

    known = sources(root)
    if source not in known:
        raise NoSuchSource(f"{source}: no such file, and no source with that id (the sources "
                           f"are {', '.join(known) or 'none'})")
    row = known[source]
    try:
        text = read_text(corpus, row.corpus_file)
    except CorpusError as error:
        raise DataError([Problem(str(corpus), None, "corpus_file", row.corpus_file,
                                 error.rule, f"{error} (set --corpus or $DPRK_CORPUS)")]
                        ) from None
    published = None
    if row.published_text:
        try:
            published = parse_date(row.published_text)
        except DateError:
            published = None
        if published is not None and (published.start is None or published.end is None):
            published = None
    return text, published


def iter_extract(source: str, published: str | None = None, corpus: Path | None = None,
                 root: Path | None = None) -> Iterator[dict[str, Any]]:
    """`extract`, one row at a time: what it holds at once is the text, one window of its tokens
    and the row being given. The source and `published` are checked (`DataError`) before it
    returns."""
    from .evidence import corpus_dir

    from .evidence import MAX_TEXT_BYTES
    from .paths import UnsafePath, read_file

    path = Path(source)
    reference: FuzzyDate | None = None
    if os.path.lexists(path):  # a file, read as a corpus text is: no link, FIFO or device
        try:
            text = read_file(path, MAX_TEXT_BYTES).decode("utf-8")
        except UnsafePath as refused:
            raise DataError([Problem(str(path), None, None, None, refused.rule, refused.why)]
                            ) from None
        except (OSError, UnicodeDecodeError) as error:
            raise DataError([Problem(str(path), None, "", "", "encoding",
                                     f"cannot read it as UTF-8 text ({error})")]) from None
    else:
        from .checkout import project

        text, reference = _source_text(source, corpus_dir(corpus, project=project(root)), root)
    if published is not None:
        try:
            reference = parse_date(published)
            if reference.start is None or reference.end is None:
                raise DateError(published, "an open-ended date cannot anchor relative dates; "
                                           "give a day or a closed interval")
        except DateError as error:
            raise DataError([Problem("--published", None, "published", published, "date",
                                     error.why)]) from None
    return (_row(m, text, reference) for m in iter_mentions(text, reference))


def extract(source: str, published: str | None = None, corpus: Path | None = None,
            root: Path | None = None) -> list[dict[str, Any]]:
    """Every figure and date mention of `source` (a source_id, or the path of a UTF-8 text), in
    document order, as rows of `COLUMNS`. `published` (a date text such as "2024-10-14" or
    "2024-10-14/2024-10-31") anchors relative dates; a source's own publication date is the
    default. Raises `DataError` naming the file and the problem."""
    return list(iter_extract(source, published, corpus, root))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def render(rows: Iterable[dict[str, Any]], output_format: str = "table") -> str:
    """The rows as an aligned text table, JSON or CSV."""
    out = io.StringIO()
    write(rows, out, output_format)
    return out.getvalue()


def write(rows: Iterable[dict[str, Any]], out: TextIO, output_format: str = "table") -> None:
    """Write the rows to `out` as `render` gives them. JSON and CSV are written row by row, so
    rows from `iter_extract` are held one at a time, in every format."""
    if output_format == "json":
        opened = False
        for row in rows:  # as json.dumps(rows, indent=1) writes them, one row at a time
            out.write(",\n " if opened else "[\n ")
            out.write(json.dumps(row, ensure_ascii=False, indent=1).replace("\n", "\n "))
            opened = True
        out.write("\n]\n" if opened else "[]\n")
        return
    if output_format == "csv":
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _plain(v) for k, v in row.items()} for row in rows)
        return
    # Fixed widths, so that the table too is written a row at a time: a kind, two offsets of
    # up to eight digits (a text is at most 20 MB), the text cut at 60 characters, the reading.
    widths = (6, 8, 8, TABLE_TEXT)
    out.write(_table_line(["kind", "start", "end", "text", "reading"], widths))
    for row in rows:
        out.write(_table_line([row["kind"], str(row["start"]), str(row["end"]),
                               row["text"].replace("\n", " ")[:TABLE_TEXT], _reading(row)],
                              widths))



def _table_line(cells: list[str], widths: tuple[int, ...]) -> str:
    return "  ".join([*(c.ljust(w) for c, w in zip(cells, widths)), cells[-1]]).rstrip() + "\n"


def _reading(row: dict[str, Any]) -> str:
    """A row's reading as the table shows it."""
    if row["kind"] == "figure":
        reading = (f"{_plain(row['low'])}..{_plain(row['high'])} best {_plain(row['best'])} "
                   f"{row['qualifier']} {row['figure_kind']}")
        if row["per"]:
            reading += f" per {row['per']}"
        if row["currency"]:
            reading += f" {row['currency']}"
        if row["increment"]:
            reading += " increment"
        return f"{reading} ({row['note']})" if row.get("note") else reading
    note = row.get("note") or ""
    if row["edtf"] is None:  # why it has no value: ambiguous, relative to another event, ...
        return f"(not read: {note})" if note else "(needs a publication date)"
    reading = (f"{row['edtf']} [{_plain(row['date_start'])}..{_plain(row['date_end'])}] "
               f"{row['precision']}")
    return f"{reading} ({note})" if note else reading
