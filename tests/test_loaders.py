"""Loading: typed frames for every table with both backends, and a light import."""

from __future__ import annotations

import polars as pl
import pytest

import dprk_ru_data
from dprk_ru_data.registry import TABLES, vocabulary


def test_tables_lists_every_table_in_registry_order() -> None:
    assert dprk_ru_data.tables() == list(TABLES)


@pytest.mark.parametrize("name", list(TABLES))
def test_polars_frames_are_typed(name: str) -> None:
    frame = dprk_ru_data.load(name)
    assert frame.height > 0
    assert frame.columns == TABLES[name].columns
    expected = {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "date": pl.Date}
    for field in TABLES[name].fields:
        dtype = frame.schema[field.name]
        if field.vocabulary:
            assert dtype == pl.Enum(list(vocabulary(field.vocabulary))), field.name
        else:
            assert dtype == expected[field.type], field.name


@pytest.mark.parametrize("name", list(TABLES))
def test_pandas_frames_are_typed(name: str) -> None:
    pd = pytest.importorskip("pandas")
    frame = dprk_ru_data.load(name, backend="pandas")
    polars_frame = dprk_ru_data.load(name)
    assert len(frame) == polars_frame.height > 0
    for column, dtype in polars_frame.schema.items():
        if isinstance(dtype, pl.Enum):
            assert isinstance(frame[column].dtype, pd.CategoricalDtype)
        elif dtype == pl.Int64:
            assert frame[column].dtype == pd.Int64Dtype()
        elif dtype == pl.Date:
            assert str(frame[column].dtype).startswith("date32")


def test_unknown_table_and_backend_are_refused() -> None:
    with pytest.raises(KeyError, match="troop_estimates"):
        dprk_ru_data.load("troops")
    with pytest.raises(ValueError, match="backend"):
        dprk_ru_data.load("actors", backend="spark")


def test_import_does_not_pull_in_validation_libraries() -> None:
    from .conftest import modules_after

    code = ("import dprk_ru_data; dprk_ru_data.load('troop_estimates'); "
            "dprk_ru_data.load('claims', as_of='2024-10-20'); dprk_ru_data.query('events')")
    build_stack = ("pandera", "pydantic", "frictionless", "edtf", "pycountry", "filelock")
    assert modules_after(code, build_stack) == []


@pytest.mark.slow
def test_a_command_that_needs_the_build_tools_says_which_extra() -> None:
    """Without the build stack (blocked here), `validate` says what to install, in one line."""
    import subprocess
    import sys

    from .conftest import ROOT

    probe = ("import sys; sys.modules['pandera'] = None\n"
             "from dprk_ru_data.cli import main\n"
             "sys.argv = ['dprk-data', 'validate', '.']\nmain()")
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                         text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "pip install 'dprk-ru-data[build]'" in run.stderr


def test_version_is_the_projects() -> None:
    import tomllib

    from .conftest import ROOT

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert dprk_ru_data.__version__ == pyproject["project"]["version"]
    assert dprk_ru_data.package()["version"] == dprk_ru_data.__version__


@pytest.mark.parametrize("name", list(TABLES))
def test_pandas_and_polars_backends_hold_the_same_values(name: str) -> None:
    pd = pytest.importorskip("pandas")
    pandas_frame = dprk_ru_data.load(name, backend="pandas")
    polars_frame = dprk_ru_data.load(name)
    assert list(pandas_frame.columns) == polars_frame.columns
    for column in polars_frame.columns:
        from_pandas = [None if pd.isna(v) else v for v in pandas_frame[column].tolist()]
        from_polars = polars_frame[column].to_list()
        assert from_pandas == from_polars, column


def test_commands_warn_once_inside_a_checkout_at_another_version(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from dprk_ru_data import __version__
    from dprk_ru_data.cli import main

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "dprk-ru-data"\n'
                                            'version = "9.9.9"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["info"])
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "9.9.9" in warnings[0] and __version__ in warnings[0]
    assert "data read from: " in result.stdout
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "dprk-ru-data"\n'
                                            f'version = "{__version__}"\n', encoding="utf-8")
    assert "warning:" not in CliRunner().invoke(main, ["info"]).stderr
