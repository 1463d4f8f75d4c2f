"""The installed artefact: a wheel built from the repository, installed in a fresh virtual
environment and used from a directory outside the repository, loads every table offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from dprk_ru_data.schemas import TABLES

from .conftest import ROOT

SCRIPT = """
import json, dprk_ru_data
out = {"tables": dprk_ru_data.tables(), "file": dprk_ru_data.__file__, "frames": {}}
for name in dprk_ru_data.tables():
    pl_frame = dprk_ru_data.load(name)
    pd_frame = dprk_ru_data.load(name, backend="pandas")
    out["frames"][name] = [pl_frame.height, len(pd_frame), str(pl_frame.schema.dtypes()[-2]),
                           str(pd_frame.dtypes.iloc[-2])]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("DPRK_SKIP_WHEEL_TEST"):
        pytest.skip("DPRK_SKIP_WHEEL_TEST is set")
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(work / "dist"),
                    str(ROOT)], check=True, capture_output=True)
    wheel = next((work / "dist").glob("dprk_ru_data-*.whl"))
    venv.create(work / "env", with_pip=True)
    python = work / "env" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"{wheel}[pandas]"],
                   check=True, capture_output=True)
    return python


def test_wheel_loads_every_table_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    result = subprocess.run([str(installed), "-c", SCRIPT], cwd=tmp_path, capture_output=True,
                            text=True, check=True, env={"PATH": os.environ.get("PATH", "")})
    out = json.loads(result.stdout)
    assert out["tables"] == list(TABLES)
    assert str(ROOT) not in out["file"]
    for name, (polars_rows, pandas_rows, _, _) in out["frames"].items():
        assert polars_rows == pandas_rows > 0, name


def test_wheel_cli_lists_the_tables(installed: Path, tmp_path: Path) -> None:
    cli = installed.parent / "dprk-data"
    result = subprocess.run([str(cli), "tables"], cwd=tmp_path, capture_output=True, text=True,
                            check=True)
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(TABLES)
