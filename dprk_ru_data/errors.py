"""The one error type for problems in the data, each located in a file, a line and a column."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import groupby


@dataclass(frozen=True, order=True)
class Problem:
    """One fault in the input: where it is, what the value was and which rule it breaks.

    ``line`` is the line of the file as a text editor numbers it (the header is line 1);
    it is ``None`` for a fault of the file as a whole.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.column:
            where += f": {self.column}"
        return f"{where}: {self.message} [{self.rule}]"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


MAX_REPORTED = 50  # problems printed as text; a JSON report has them all


class DataError(ValueError):
    """Raised when the input data break one or more rules; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.column or "",
                                                             p.rule, p.message))
        super().__init__(self.report())

    def report(self, limit: int | None = MAX_REPORTED) -> str:
        """The problems, grouped by file, one per line: the first `limit` of them (all with
        None), then how many more there are."""
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [f"{len(self.problems)} problem(s) found:"]
        for file, problems in groupby(shown, key=lambda p: p.file):
            lines.append(f"{file}:")
            lines.extend(f"  {problem}" for problem in problems)
        if len(shown) < len(self.problems):
            lines.append(f"... and {len(self.problems) - len(shown)} more; --format json lists "
                         "every problem")
        return "\n".join(lines)
