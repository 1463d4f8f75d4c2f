"""The table names as a type: ``dprk_ru_data/_names.py`` is generated from the registry, a type
checker refuses a misspelt name, and at run time a name is still looked up in the folder read."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import get_args

import pytest

import dprk_ru_data
from dprk_ru_data.codebook import NAMES_MODULE, names_module
from dprk_ru_data.registry import TABLES
from dprk_ru_data.versions import read_releases

from .conftest import ROOT


def test_the_names_module_is_what_the_generator_writes() -> None:
    committed = (ROOT / NAMES_MODULE).read_text(encoding="utf-8")
    assert committed == names_module(), "run: dprk-data codebook"


def test_table_name_lists_every_table_in_registry_order() -> None:
    assert get_args(dprk_ru_data.TableName) == tuple(TABLES)


def test_the_names_module_imports_nothing_of_the_package() -> None:
    imports = re.findall(r"^\s*(?:from|import)\s+(\S+)", names_module(), re.M)
    assert imports == ["typing"]


def test_a_name_a_release_lacks_is_a_key_error_naming_its_own_tables() -> None:
    first = read_releases(ROOT)[0].version
    names = dprk_ru_data.tables(version=first)
    missing = next(name for name in get_args(dprk_ru_data.TableName) if name not in names)
    with pytest.raises(KeyError, match=re.escape(f"the tables are: {', '.join(names)}")):
        dprk_ru_data.load(missing, version=first)  # a TableName, but not of that release


@pytest.fixture(scope="module")
def mypy_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """One strict mypy run, with the project's configuration, over the package and two snippets:
    one with a misspelt table name and one spelt right."""
    folder = tmp_path_factory.mktemp("typed")
    (folder / "misspelt.py").write_text('from dprk_ru_data import load\nload("troop_estimate")\n',
                                        encoding="utf-8")
    (folder / "spelt_right.py").write_text(
        'from dprk_ru_data import load, query\nload("troop_estimates")\nquery("events")\n',
        encoding="utf-8")
    command = [sys.executable, "-m", "mypy", "--strict", "--config-file",
               str(ROOT / "pyproject.toml"), "--cache-dir", str(folder / "cache"),
               "--no-incremental", "--no-error-summary", str(ROOT / "dprk_ru_data"),
               "misspelt.py", "spelt_right.py"]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MYPYPATH": str(ROOT)})


def _errors(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in run.stdout.splitlines() if ": error:" in line]


@pytest.mark.slow
def test_mypy_refuses_a_misspelt_table_name(mypy_run: subprocess.CompletedProcess[str]) -> None:
    assert mypy_run.returncode == 1, mypy_run.stdout + mypy_run.stderr
    misspelt = [line for line in _errors(mypy_run) if line.startswith("misspelt.py:2:")]
    assert len(misspelt) == 1 and "Literal['troop_estimate']" in misspelt[0]
    assert "[arg-type]" in misspelt[0]
    assert not [line for line in _errors(mypy_run) if line.startswith("spelt_right.py")]


@pytest.mark.slow
def test_the_package_type_checks_strictly(mypy_run: subprocess.CompletedProcess[str]) -> None:
    assert mypy_run.stderr == ""
    assert [line for line in _errors(mypy_run) if not line.startswith("misspelt.py")] == []
