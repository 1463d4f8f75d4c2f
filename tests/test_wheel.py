"""The installed artefacts. `releases.make_dist` (`python -m build`, then `twine check`) makes an sdist (with raw/, so a user can rebuild) and,
from it, a wheel (with the built tables). The wheel, installed in a fresh virtual environment and
used outside the repository, loads every table offline; the sdist, unpacked and installed, rebuilds
the same bytes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from dprk_ru_data.registry import STORED, TABLES
from dprk_ru_data.releases import make_dist, read_releases, released_build_from_git
from dprk_ru_data.stored import archive_path

from .conftest import OUTPUT_FILES, ROOT, snapshot

pytestmark = pytest.mark.slow

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


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel that `python -m build` makes (the wheel is built from the sdist),
    built once per session with the build backend already installed (no isolated env)."""
    if os.environ.get("DPRK_SKIP_WHEEL_TEST"):
        pytest.skip("DPRK_SKIP_WHEEL_TEST is set")
    out = tmp_path_factory.mktemp("dist")
    made = make_dist(ROOT, out)  # as `dprk-data release` makes them: twine check --strict passes
    assert sorted(path.name.rsplit(".", 1)[-1] for path in made) == ["gz", "whl"]
    return out


def fresh_env(where: Path, requirement: str) -> Path:
    """A new virtual environment with `requirement` installed, without its dependencies: those
    are seen from this environment's site-packages, placed after the new one's, so the package
    itself can only come from `requirement`. (CI's clean install proves the dependencies.)
    Returns the environment's python."""
    venv.create(where, with_pip=False)
    python = where / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True).stdout
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", requirement], check=True, capture_output=True)
    # Only now, so that pip cannot take this environment's copy of the package for the new one's.
    (Path(site.strip()) / "outer.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


@pytest.fixture(scope="session")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    wheel = next(dist.glob("dprk_ru_data-*.whl"))
    return fresh_env(tmp_path_factory.mktemp("wheel") / "env", str(wheel))


def test_sdist_holds_the_inputs_and_the_wheel_the_outputs(dist: Path) -> None:
    with tarfile.open(next(dist.glob("dprk_ru_data-*.tar.gz"))) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    stored = {archive_path(r.version) for r in read_releases(ROOT)}
    expected = ({f"raw/{name}.csv" for name in STORED} | {"pyproject.toml", "RELEASES.json"}
                | stored)
    assert expected <= names, expected - names
    with zipfile.ZipFile(next(dist.glob("dprk_ru_data-*.whl"))) as wheel:
        members = set(wheel.namelist())
    shipped = {f"dprk_ru_data/_data/build/{name}.csv" for name in TABLES}
    shipped |= {f"dprk_ru_data/_data/{path}" for path in stored | {"RELEASES.json"}}
    assert shipped | {"dprk_ru_data/_data/datapackage.json"} <= members
    assert not any(name.startswith("raw/") for name in members)


def test_sdist_rebuilds_the_same_bytes(dist: Path, tmp_path: Path) -> None:
    with tarfile.open(next(dist.glob("dprk_ru_data-*.tar.gz"))) as sdist:
        sdist.extractall(tmp_path, filter="data")
    unpacked = next(p for p in tmp_path.iterdir() if p.is_dir())
    python = fresh_env(tmp_path / "env", str(unpacked))
    for name in OUTPUT_FILES:
        (unpacked / name).unlink()
    for path in (unpacked / "build").iterdir():
        path.unlink()
    subprocess.run([str(python.parent / "dprk-data"), "build"], cwd=unpacked, check=True,
                   capture_output=True)
    assert snapshot(unpacked) == snapshot(ROOT)


def test_wheel_loads_every_table_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    result = subprocess.run([str(installed), "-c", SCRIPT], cwd=tmp_path, capture_output=True,
                            text=True, check=True, env={"PATH": os.environ.get("PATH", "")})
    out = json.loads(result.stdout)
    assert out["tables"] == list(TABLES)
    assert out["file"].startswith(str(installed.parent.parent)) and str(ROOT) not in out["file"]
    for name, (polars_rows, pandas_rows, _, _) in out["frames"].items():
        assert polars_rows == pandas_rows > 0, name


def test_wheel_cli_lists_the_tables(installed: Path, tmp_path: Path) -> None:
    cli = installed.parent / "dprk-data"
    result = subprocess.run([str(cli), "tables", "--format", "csv"], cwd=tmp_path,
                            capture_output=True, text=True, check=True)
    assert [line.split(",")[0] for line in result.stdout.splitlines()] == ["name", *TABLES]


def test_the_wheel_needs_only_polars_and_click_to_load(dist: Path) -> None:
    """A data-only install: the wheel's unconditional requirements are polars and click; the
    build stack is the `build` extra."""
    import re

    with zipfile.ZipFile(next(dist.glob("dprk_ru_data-*.whl"))) as wheel:
        metadata = next(wheel.read(n).decode() for n in wheel.namelist()
                        if n.endswith(".dist-info/METADATA"))
    requires = re.findall(r"^Requires-Dist: (.+)$", metadata, re.M)
    always = {re.split(r"[ <>=;\[]", r)[0].lower() for r in requires if "extra ==" not in r}
    assert always == {"polars", "click"}
    build = {re.split(r"[ <>=;\[]", r)[0].lower() for r in requires
             if re.search(r"extra == ['\"]build['\"]", r)}
    assert {"pandera", "pycountry", "filelock"} <= build



RELEASE_SCRIPT = """
import hashlib, json, sys, dprk_ru_data
version = sys.argv[1]
print(json.dumps({name: hashlib.sha256(dprk_ru_data.load(name, version=version).write_csv()
                                       .encode()).hexdigest()
                  for name in dprk_ru_data.tables(version=version)}))
"""


def test_the_wheel_loads_the_first_release_as_the_git_history_holds_it(
        installed: Path, tmp_path: Path) -> None:
    """From a fresh install of the wheel, outside the repository: every table of the first
    release equals the one its commit in the git history holds (that the commit's own code
    builds those bytes: `test_stored.test_each_stored_release_is_what_its_commit_builds`);
    `diff` compares two releases by number, and `cite --version` names the first release's
    year, month and content hash."""
    import hashlib

    import dprk_ru_data

    releases = read_releases(ROOT)
    first = releases[0]
    history = released_build_from_git(ROOT, first, tmp_path / "history")
    if history is None:
        pytest.skip("not a git checkout with history: the first release cannot be rebuilt")
    expected = {name: hashlib.sha256(dprk_ru_data.load(name, root=history).write_csv()
                                     .encode()).hexdigest()
                for name in dprk_ru_data.tables(root=history)}
    outside = {"PATH": os.environ.get("PATH", "")}
    loaded = subprocess.run([str(installed), "-c", RELEASE_SCRIPT, first.version], cwd=tmp_path,
                            capture_output=True, text=True, check=True, env=outside)
    assert json.loads(loaded.stdout) == expected

    cli = str(installed.parent / "dprk-data")
    diff = subprocess.run([cli, "diff", first.version, releases[-1].version], cwd=tmp_path,
                          capture_output=True, text=True, env=outside, check=False)
    assert diff.returncode == 0, diff.stderr
    assert diff.stdout.startswith(f"dprk-ru-data {first.version} -> {releases[-1].version}")
    cite = subprocess.run([cli, "cite", "--format", "bibtex", "--version", first.version],
                          cwd=tmp_path, capture_output=True, text=True, env=outside, check=True)
    year, month, _ = first.date.split("-")
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    assert f"year = {{{year}}}" in cite.stdout
    assert f"month = {months[int(month) - 1]}," in cite.stdout
    assert first.content_hash in cite.stdout and f"version = {{{first.version}}}" in cite.stdout
