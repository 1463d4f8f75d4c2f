"""Stored releases: every release loads by its number, checked against RELEASES.json, and a
stored release that was tampered with is refused."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import dprk_ru_data
from dprk_ru_data.cli import main
from dprk_ru_data.diff import diff_packages
from dprk_ru_data.digest import prefixed
from dprk_ru_data.stored import (StoredReleaseError, UnknownRelease, archive_bytes, archive_path,
                                 open_release, read_archive, stored_versions)
from dprk_ru_data.versions import Release, parse_version, read_releases, write_releases

from .conftest import ROOT

RELEASES = read_releases(ROOT)
FIRST, LAST = RELEASES[0].version, RELEASES[-1].version


def test_every_recorded_release_is_stored_and_is_what_was_released() -> None:
    assert stored_versions(ROOT) == [r.version for r in RELEASES]
    for release in RELEASES:
        descriptor = dprk_ru_data.package(version=release.version)
        assert descriptor["version"] == release.version
        assert descriptor["contentHash"] == release.content_hash
        assert descriptor["created"] == f"{release.date}T00:00:00Z"
        stored = ROOT / archive_path(release.version)
        assert prefixed(stored.read_bytes()) == release.archive
        # A release is small: well under a megabyte each.
        assert stored.stat().st_size < 1_000_000


def test_storing_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    """Unpacked into another folder and stored again, a release gives the very bytes stored."""
    copy = shutil.copytree(open_release(ROOT, LAST), tmp_path / "copy")
    data = archive_bytes(copy)
    assert data == (ROOT / archive_path(LAST)).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names[0] == "datapackage.json" and names[1:] == sorted(names[1:])
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("backend", ["polars", "pandas"])
def test_each_release_loads_with_its_own_tables_and_columns(backend: str) -> None:
    for release in RELEASES:
        names = dprk_ru_data.tables(version=release.version)
        descriptor = dprk_ru_data.package(version=release.version)
        for resource in descriptor["resources"]:
            frame = dprk_ru_data.load(resource["name"], backend, version=release.version)
            columns = [f["name"] for f in resource["schema"]["fields"]]
            assert list(frame.columns) == columns, (release.version, resource["name"])
        assert names == [r["name"] for r in descriptor["resources"]]


def test_a_release_is_its_own_data_not_the_current_build() -> None:
    old = dprk_ru_data.package(version=FIRST)
    current = dprk_ru_data.package()
    assert old["contentHash"] != current["contentHash"]
    changed = diff_packages(open_release(ROOT, FIRST), ROOT)
    assert changed.old_version == FIRST and changed.required_bump != "none"


def test_an_unknown_version_is_refused_naming_the_releases() -> None:
    for version in ("9.9.9", "latest", "../0.1.0"):
        with pytest.raises(UnknownRelease, match="is not a"):
            dprk_ru_data.load("sources", version=version)
    result = CliRunner().invoke(main, ["show", "sources", "--version", "9.9.9"])
    assert result.exit_code == 2
    assert all(r.version in result.stderr for r in RELEASES)


def stored_copy(tmp_path: Path) -> Path:
    """A folder with RELEASES.json and the stored releases, as the wheel holds them."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "RELEASES.json", tmp_path / "RELEASES.json")
    shutil.copytree(ROOT / "releases", tmp_path / "releases")
    return tmp_path


def rewrite(archive: Path, change: dict[str, bytes | None]) -> None:
    """Rewrite the zip `archive` with members replaced (None: removed) or added."""
    with zipfile.ZipFile(archive) as old:
        members = {name: old.read(name) for name in old.namelist()}
    for name, data in change.items():
        if data is None:
            members.pop(name)
        else:
            members[name] = data
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in members.items():
            new.writestr(name, data)


def record_archive(root: Path, version: str) -> None:
    """Make RELEASES.json vouch for the archive as it now is (an attacker who edits both)."""
    releases = read_releases(root)
    data = (root / archive_path(version)).read_bytes()
    write_releases(root, [r if r.version != version else
                          type(r)(**{**r.__dict__, "archive": prefixed(data)}) for r in releases])


def table_member(root: Path, version: str) -> tuple[str, bytes, dict]:
    with zipfile.ZipFile(root / archive_path(version)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        resource = next(r for r in descriptor["resources"] if r["name"] == "troop_estimates")
        return resource["path"], archive.read(resource["path"]), descriptor


def tampered_row(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[1] = lines[1].replace(b",", b",9", 1)  # one figure of one row, edited
    return b"\n".join(lines)


def test_a_tampered_stored_release_is_refused_on_load(tmp_path: Path) -> None:
    root = stored_copy(tmp_path)
    path, data, descriptor = table_member(root, FIRST)
    assert dprk_ru_data.load("troop_estimates", root=root, version=FIRST).height > 0

    # 1. One row of a table edited in the archive: its bytes are not the recorded archive.
    rewrite(root / archive_path(FIRST), {path: tampered_row(data)})
    with pytest.raises(StoredReleaseError, match="is not the stored release"):
        dprk_ru_data.load("troop_estimates", root=root, version=FIRST)
    # 2. ... and RELEASES.json made to vouch for that archive: the table fails its own hash.
    record_archive(root, FIRST)
    with pytest.raises(StoredReleaseError, match="does not match its hash"):
        read_archive(root, FIRST)
    # 3. ... and the descriptor's hash of the table edited to match: the content hash differs.
    for resource in descriptor["resources"]:
        if resource["path"] == path:
            resource["hash"] = prefixed(tampered_row(data))
    rewrite(root / archive_path(FIRST), {"datapackage.json": json.dumps(descriptor).encode()})
    record_archive(root, FIRST)
    with pytest.raises(StoredReleaseError, match="content hash"):
        dprk_ru_data.load("troop_estimates", root=root, version=FIRST)


def raw_zip(archive: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED,
            flag: int = 0) -> None:
    """Write `members` with compression `method`, then set `flag` in every member's general
    purpose bits (zipfile clears them when writing), in the local and the central headers."""
    with zipfile.ZipFile(archive, "w") as new:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            new.writestr(info, data)
    data = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start >= 0:
            data[start + offset] |= flag
            start = data.find(signature, start + 4)
    archive.write_bytes(bytes(data))


@pytest.mark.parametrize(("change", "refusal"), [
    ("extra member", "against what its datapackage.json lists"),
    ("outside member", "against what its datapackage.json lists"),
    ("missing member", "against what its datapackage.json lists"),
    ("not a zip", "is not a stored release"),
    ("link", "link"),
    ("other version", "is not that of version"),
    ("undeclared bomb", "against what its datapackage.json lists"),
    ("many members", "members"),
    ("bzip2", "compressed in a way"),
    ("encrypted", "encrypted"),
    ("file and folder", "both a file and a folder"),
])
def test_a_stored_release_holds_exactly_its_files(tmp_path: Path, change: str,
                                                  refusal: str) -> None:
    """Each way an archive can differ from a stored release is refused before any table is
    unpacked, even when RELEASES.json vouches for the archive (a folder from someone else)."""
    root = stored_copy(tmp_path / "root")
    archive = root / archive_path(FIRST)
    path, data, descriptor = table_member(root, FIRST)
    with zipfile.ZipFile(archive) as old:
        members = {name: old.read(name) for name in old.namelist()}
    if change == "extra member":
        rewrite(archive, {"notes.txt": b"a\n"})
    elif change == "outside member":
        rewrite(archive, {"../outside.csv": b"a\n"})
    elif change == "missing member":
        rewrite(archive, {path: None})
    elif change == "not a zip":
        archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    elif change == "link":
        target = tmp_path / "elsewhere.zip"
        archive.rename(target)
        archive.symlink_to(target)
    elif change == "other version":  # the archive of another release, put in its place
        shutil.copy2(root / archive_path(LAST), archive)
    elif change == "undeclared bomb":  # 60 MiB of zeros in a member the descriptor omits
        rewrite(archive, {"build/zeros.csv": b"0" * (60 * 2 ** 20)})
    elif change == "many members":
        rewrite(archive, {f"build/x{number}.csv": b"" for number in range(300)})
    elif change == "bzip2":
        raw_zip(archive, members, zipfile.ZIP_BZIP2)
    elif change == "encrypted":
        raw_zip(archive, members, flag=0x1)
    else:  # a resource path that is also another's folder
        resource = {**descriptor["resources"][0], "path": path + "/inner.csv"}
        descriptor["resources"].append(resource)
        rewrite(archive, {"datapackage.json": json.dumps(descriptor).encode(),
                          resource["path"]: data})
    if change != "link":
        record_archive(root, FIRST)
    with pytest.raises(StoredReleaseError, match=refusal):
        open_release(root, FIRST)
    assert not (tmp_path / "outside.csv").exists()


def test_a_missing_archive_or_record_is_an_unknown_release_and_a_broken_record_an_error(
        tmp_path: Path) -> None:
    root = stored_copy(tmp_path)
    (root / archive_path(FIRST)).unlink()
    with pytest.raises(UnknownRelease, match="is not stored"):
        open_release(root, FIRST)
    missing = CliRunner().invoke(main, ["show", "sources", "--root", str(root), "--version",
                                        FIRST])
    assert missing.exit_code == 2 and "is not stored" in missing.stderr
    (root / "RELEASES.json").write_text("[1]", encoding="utf-8")
    broken = CliRunner().invoke(main, ["show", "sources", "--root", str(root), "--version",
                                       FIRST])
    assert broken.exit_code == 1 and isinstance(broken.exception, SystemExit)
    assert "RELEASES.json is malformed" in broken.stderr and broken.stderr.count("\n") == 1


def test_an_unpacked_release_edited_on_disk_is_unpacked_again(tmp_path: Path) -> None:
    root = stored_copy(tmp_path)
    folder = open_release(root, FIRST)
    sources = next(folder.glob("build/sources.csv"))
    sources.write_bytes(sources.read_bytes().rsplit(b"\n", 2)[0] + b"\n")  # a row dropped
    again = open_release(root, FIRST)
    assert again != folder
    assert dprk_ru_data.load("sources", root=root, version=FIRST).height == \
        dprk_ru_data.load("sources", version=FIRST).height


def test_the_cli_reports_a_tampered_release_in_one_line(tmp_path: Path) -> None:
    root = stored_copy(tmp_path)
    path, data, _ = table_member(root, FIRST)
    rewrite(root / archive_path(FIRST), {path: tampered_row(data)})
    result = CliRunner().invoke(main, ["cite", "--root", str(root), "--version", FIRST])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "is not the stored release" in result.stderr
    assert isinstance(result.exception, SystemExit)  # an exit, not an uncaught exception


def test_cli_commands_read_the_release_they_are_given(tmp_path: Path) -> None:
    runner = CliRunner()
    release = RELEASES[0]

    info = json.loads(runner.invoke(main, ["info", "--version", FIRST, "--format", "json"],
                                    catch_exceptions=False).stdout)
    assert (info["version"], info["content_hash"]) == (FIRST, release.content_hash)
    assert info["released"] == release.date and archive_path(FIRST) in info["data"]

    frame = dprk_ru_data.load("troop_estimates", version=FIRST)
    shown = runner.invoke(main, ["show", "troop_estimates", "--version", FIRST, "--format",
                                 "json", "--limit", str(frame.height + 5)], catch_exceptions=False)
    assert [row["estimate_id"] for row in json.loads(shown.stdout)] == frame["estimate_id"].to_list()

    listed = runner.invoke(main, ["tables", "--version", FIRST, "--format", "json"],
                           catch_exceptions=False)
    assert [row["name"] for row in json.loads(listed.stdout)] == dprk_ru_data.tables(version=FIRST)

    exported = runner.invoke(main, ["export", "--format", "parquet", "--out",
                                    str(tmp_path / "pq"), "--version", FIRST],
                             catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    import polars as pl

    parquet = pl.read_parquet(tmp_path / "pq" / "troop_estimates.parquet")
    assert parquet.equals(frame)

    cited = runner.invoke(main, ["cite", "--format", "json", "--version", FIRST],
                          catch_exceptions=False)
    item = json.loads(cited.stdout)[0]
    assert item["version"] == FIRST
    assert item["issued"]["date-parts"] == [[int(p) for p in release.date.split("-")]]


def test_serve_shows_a_release_of_the_current_model_and_refuses_an_older_one(
        tmp_path: Path) -> None:
    """The site's pages are made for the current tables; a release on an older model is refused
    before anything is written, and pointed to the SQLite export, which any release gives."""
    pytest.importorskip("datasette")
    import sqlite3

    from dprk_ru_data.site import missing_for_site

    for release in RELEASES:
        site = tmp_path / release.version
        result = CliRunner().invoke(main, ["serve", "--export", str(site), "--version",
                                           release.version], catch_exceptions=False)
        if missing_for_site(dprk_ru_data.package(version=release.version)):
            assert result.exit_code == 2 and f"export --format sqlite --version " \
                f"{release.version}" in result.stderr
            assert not site.exists()
            exported = CliRunner().invoke(main, ["export", "--format", "sqlite", "--out",
                                                 str(site), "--version", release.version])
            assert exported.exit_code == 0, exported.output
        else:
            assert result.exit_code == 0, result.output
        database = next(site.glob("*.sqlite"))
        with sqlite3.connect(database) as connection:
            rows = connection.execute("select count(*) from troop_estimates").fetchone()[0]
        assert rows == dprk_ru_data.load("troop_estimates", version=release.version).height


def test_diff_takes_versions_and_folders_alike() -> None:
    runner = CliRunner()
    by_version = runner.invoke(main, ["diff", FIRST, LAST, "--format", "json"],
                               catch_exceptions=False)
    assert by_version.exit_code == 0, by_version.output
    by_folder = diff_packages(open_release(ROOT, FIRST), open_release(ROOT, LAST)).as_dict()
    assert json.loads(by_version.stdout) == json.loads(json.dumps(by_folder))
    assert (by_folder["old_version"], by_folder["new_version"]) == (FIRST, LAST)
    text = runner.invoke(main, ["diff", FIRST, LAST], catch_exceptions=False).stdout
    assert text.startswith(f"dprk-ru-data {FIRST} -> {LAST}") and " -> " in text.splitlines()[-1]
    missing = runner.invoke(main, ["diff", "9.9.9", LAST])
    assert missing.exit_code == 2 and "OLD" in missing.stderr


def rebuilt_from_history(release: Release, into: Path, corpus: Path) -> Path:
    """The build of `release` made again by its own commit: that commit's raw/, pyproject.toml
    and package code, built by that code, with the release records up to `release`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", str(release.commit), "raw",
                              "pyproject.toml", "dprk_ru_data"], capture_output=True, check=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tree:
        tree.extractall(into, filter="data")
    # In the form its code reads: the fields a release record had then (no archive, no commit).
    records = [{"version": r.version, "date": r.date, "content_hash": r.content_hash,
                "toolchain": r.toolchain} for r in RELEASES
               if parse_version(r.version) <= parse_version(release.version)]
    (into / "RELEASES.json").write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(into),
                   "DPRK_CORPUS": str(corpus), "HOME": str(into)}
    subprocess.run([sys.executable, "-m", "dprk_ru_data", "build", "."], cwd=into,
                   env=environment, capture_output=True, check=True, timeout=600)
    return into


@pytest.mark.slow
@pytest.mark.parametrize("release", RELEASES, ids=[r.version for r in RELEASES])
def test_each_stored_release_is_what_its_commit_builds(release: Release, tmp_path: Path,
                                                       corpus: Path) -> None:
    """Rebuilt from the git history by the code of its own commit, each release gives the very
    bytes that are stored (descriptor and tables), and so the tables `load(version=)` gives."""
    if release.commit is None:
        pytest.skip(f"release {release.version} records no commit")
    probe = subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{release.commit}^{{tree}}"],
                           capture_output=True, check=False)
    if probe.returncode:
        pytest.skip(f"commit {release.commit} is not in this checkout's history (a shallow clone "
                    "or an sdist)")
    rebuilt = rebuilt_from_history(release, tmp_path / "rebuilt", corpus)
    stored = read_archive(ROOT, release.version)
    assert {name: (rebuilt / name).read_bytes() for name in stored} == stored
    for name in dprk_ru_data.tables(version=release.version):
        assert dprk_ru_data.load(name, version=release.version).equals(
            dprk_ru_data.load(name, root=rebuilt)), name


def test_a_doi_recorded_after_a_release_reaches_its_citation(tmp_path: Path) -> None:
    """A DOI is known only once a release is deposited, after it was stored: recorded in
    RELEASES.json, it reaches every citation of that stored release."""
    root = stored_copy(tmp_path)
    write_releases(root, [type(r)(**{**r.__dict__, "doi": "10.5281/zenodo.7654321"})
                          if r.version == FIRST else r for r in read_releases(root)])
    for output_format, shown in (("bibtex", "doi = {10.5281/zenodo.7654321}"),
                                 ("apa", "https://doi.org/10.5281/zenodo.7654321"),
                                 ("json", '"DOI": "10.5281/zenodo.7654321"')):
        result = CliRunner().invoke(main, ["cite", "--root", str(root), "--version", FIRST,
                                           "--format", output_format], catch_exceptions=False)
        assert shown in result.stdout, output_format
    later = CliRunner().invoke(main, ["cite", "--root", str(root), "--version", LAST])
    assert "doi" not in later.stdout.lower()


@pytest.mark.parametrize("chart", ["troop-estimates", "events"])
def test_plot_draws_a_release_or_says_what_it_lacks(chart: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    for release in RELEASES:
        out = tmp_path / f"{release.version}-{chart}.svg"
        result = CliRunner().invoke(main, ["plot", chart, "--version", release.version,
                                           "--out", str(out)])
        assert result.exception is None or isinstance(result.exception, SystemExit)
        if result.exit_code == 0:
            assert out.read_bytes().startswith(b"<?xml")
        else:
            assert result.exit_code == 2 and f"version {release.version} lacks" in result.stderr
            assert not out.exists()
    assert (tmp_path / f"{LAST}-{chart}.svg").is_file()  # the newest release draws
