"""The second half of the fault fixtures of test_faults.py (split so workers share them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_faults import FAULTS, HALF, check_fault


@pytest.mark.parametrize("fault", list(FAULTS)[HALF:])
def test_fault_is_located_and_outputs_are_untouched(project: Path, fault: str) -> None:
    check_fault(project, fault)
