"""The second half of the fault fixtures of test_faults.py (split so workers share them), and
the link checks run query by query."""

from __future__ import annotations

from pathlib import Path

import pytest

from dprk_ru_data.build import compile_tables
from dprk_ru_data.errors import DataError

from .test_faults import FAULTS, HALF, check_fault


@pytest.mark.parametrize("fault", list(FAULTS)[HALF:])
def test_fault_is_located_and_outputs_are_untouched(project: Path, fault: str) -> None:
    check_fault(project, fault)


def test_the_link_checks_find_the_same_run_together_or_one_by_one(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The queries of a check run together on a small package and one after another on a large
    one (`linked.collect_each`): either way the same problems."""
    import dprk_ru_data.linked as linked

    for fault in ("claim dated after its publication", "figure without its own evidence",
                  "date without its own evidence", "claimant without its own evidence",
                  "dangling foreign key", "dangling evidence link", "record without evidence"):
        FAULTS[fault](project)

    def found() -> list[tuple]:
        with pytest.raises(DataError) as raised:
            compile_tables(project)
        return [(p.file, p.line, p.column, p.value, p.rule, p.message)
                for p in raised.value.problems]

    together = found()
    monkeypatch.setattr(linked, "BATCH_ROWS", 0)
    assert found() == together
    assert {"dated_after_publication", "needs_field_evidence", "foreign_key",
            "needs_evidence"} <= {p[4] for p in together}
