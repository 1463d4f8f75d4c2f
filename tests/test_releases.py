"""Releases people can cite: one version, reproducible bytes, content hashes, `cite`, `diff`."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import dprk_ru_data
from dprk_ru_data.build import build
from dprk_ru_data.cli import main
from dprk_ru_data.datapackage import content_hash
from dprk_ru_data.diff import diff_packages
from dprk_ru_data.releases import (
    Release,
    ReleaseError,
    bump_between,
    read_releases,
    release,
    previous_build,
)

from .conftest import ROOT, fresh_inputs, snapshot
from .test_build import edit_cell
from .test_bumps import bumped

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def committed_descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_two_fresh_builds_are_byte_identical_and_equal_the_committed_one(tmp_path: Path) -> None:
    first = fresh_inputs(tmp_path / "one")
    second = fresh_inputs(tmp_path / "two")
    build(first)
    # The second build runs in another process, time zone and locale: nothing may depend on them.
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "LC_ALL": "C", "PYTHONHASHSEED": "123"}
    subprocess.run([sys.executable, "-m", "dprk_ru_data", "build", str(second)], check=True,
                   env=env, capture_output=True)
    assert snapshot(first) == snapshot(second) == snapshot(ROOT)


def test_content_hash_is_the_sha256_of_the_sha256sum_manifest() -> None:
    import hashlib

    descriptor = committed_descriptor()
    manifest = "".join(f"{hashlib.sha256((ROOT / path).read_bytes()).hexdigest()}  {path}\n"
                       for path in sorted(r["path"] for r in descriptor["resources"]))
    assert descriptor["contentHash"] == "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    for resource in descriptor["resources"]:
        data = (ROOT / resource["path"]).read_bytes()
        assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_one_version_everywhere() -> None:
    import yaml

    descriptor = committed_descriptor()
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert dprk_ru_data.__version__ == descriptor["version"] == cff["version"] == VERSION
    released = {r.version: r for r in read_releases(ROOT)}
    if VERSION in released:
        assert descriptor["created"] == f"{released[VERSION].date}T00:00:00Z"
        assert cff["date-released"] == released[VERSION].date
    else:
        assert "created" not in descriptor and "date-released" not in cff
    assert cff["identifiers"][0]["value"] == descriptor["contentHash"]


def test_citation_cff_is_valid_cff_1_2() -> None:
    """The keys, types and formats that the CFF 1.2.0 schema requires of what we emit."""
    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"cff-version", "message", "title", "authors"} <= set(cff)
    allowed = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
               "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
               "references", "repository", "repository-artifact", "repository-code", "title",
               "type", "url", "version"}
    assert set(cff) <= allowed, set(cff) - allowed
    assert cff["type"] in ("dataset", "software")
    assert cff["authors"] and all(isinstance(a.get("name"), str) and a["name"] for a in
                                  cff["authors"])
    assert isinstance(cff["version"], str) and isinstance(cff["message"], str)
    if "date-released" in cff:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", cff["date-released"])
    assert cff["license"] == "CC-BY-4.0"
    for identifier in cff["identifiers"]:
        assert identifier["type"] in ("doi", "url", "swh", "other")
        assert isinstance(identifier["value"], str)
    assert all(isinstance(k, str) for k in cff["keywords"])


def test_cite_bibtex_names_the_version_and_content_hash() -> None:
    result = CliRunner().invoke(main, ["cite", "--format", "bibtex"], catch_exceptions=False)
    assert result.exit_code == 0
    descriptor = committed_descriptor()
    entry = result.stdout
    assert entry.startswith(f"@misc{{dprk-ru-data-{VERSION},")
    assert f"version = {{{VERSION}}}" in entry
    assert descriptor["contentHash"] in entry
    assert "CC-BY-4.0" in entry
    assert entry.count("{") == entry.count("}")
    if "created" in descriptor:
        assert f"date = {{{descriptor['created'][:10]}}}" in entry


@pytest.mark.parametrize("output_format", ["text", "cff", "json"])
def test_cite_formats_carry_version_date_licence_and_hash(output_format: str) -> None:
    result = CliRunner().invoke(main, ["cite", "--format", output_format], catch_exceptions=False)
    assert result.exit_code == 0
    descriptor = committed_descriptor()
    for part in (VERSION, descriptor["contentHash"], "CC-BY-4.0", "dprk-ru-data contributors"):
        assert part in result.stdout, part
    if output_format == "json":
        (item,) = json.loads(result.stdout)
        assert item["type"] == "dataset" and item["version"] == VERSION
    if output_format == "cff":
        assert result.stdout == (ROOT / "CITATION.cff").read_text(encoding="utf-8")


def test_info_shows_the_content_hash() -> None:
    result = CliRunner().invoke(main, ["info"], catch_exceptions=False)
    assert result.exit_code == 0
    assert f"content hash: {committed_descriptor()['contentHash']}" in result.stdout


def test_load_accepts_the_shipped_file_and_refuses_a_damaged_one_by_default(project: Path
                                                                           ) -> None:
    assert dprk_ru_data.load("troop_estimates").height > 0
    path = project / "build" / "troop_estimates.csv"
    data = bytearray(path.read_bytes())
    data[-3] = ord("9") if data[-3] != ord("9") else ord("8")
    path.write_bytes(bytes(data))
    for backend in ("polars", "pandas"):
        with pytest.raises(dprk_ru_data.IntegrityError, match="troop_estimates.csv is damaged"):
            dprk_ru_data.load("troop_estimates", backend, root=project)  # type: ignore[arg-type]
    # The check can be skipped on purpose.
    assert dprk_ru_data.load("troop_estimates", root=project, verify=False).height > 0


def test_diff_reports_exactly_the_edited_row_and_field(project: Path) -> None:
    edit_cell(project, "troop_estimates", 2, "note", "A corrected note, written for this test.")
    edited_id = list(csv.DictReader(io.StringIO(
        (project / "raw" / "troop_estimates.csv").read_text(encoding="utf-8"))))[2]["estimate_id"]
    build(project)
    changes = diff_packages(ROOT, project / "datapackage.json")
    changed = {t.name: t for t in changes.tables if t.changed}
    assert list(changed) == ["troop_estimates"]
    table = changed["troop_estimates"]
    assert table.rows_changed == {edited_id: ["note"]}
    before = dprk_ru_data.load("troop_estimates").filter(
        dprk_ru_data.load("troop_estimates")["estimate_id"] == edited_id)["note"][0]
    assert table.values_changed == {edited_id: {"note": [
        before, "A corrected note, written for this test."]}}
    assert table.rows_added == table.rows_removed == []
    assert changes.required_bump == "patch"
    assert not changes.bump_ok  # the version was not bumped

    result = CliRunner().invoke(main, ["diff", str(ROOT), str(project), "--format", "json"],
                                catch_exceptions=False)
    assert result.exit_code == 0
    as_json = json.loads(result.stdout)
    assert as_json["required_bump"] == "patch"
    assert [(t["name"], t["rows_changed"]) for t in as_json["tables"]] == [
        ("troop_estimates", {edited_id: ["note"]})]
    text = CliRunner().invoke(main, ["diff", str(ROOT), str(project), "--check"],
                              catch_exceptions=False)
    assert text.exit_code == 1
    assert f"changed {edited_id}: note" in text.stdout
    assert "note: " in text.stdout and "-> 'A corrected note, written for this test.'" in (
        text.stdout)
    assert as_json["tables"][0]["values_changed"][edited_id]["note"][1] == (
        "A corrected note, written for this test.")
    assert "required bump: patch" in text.stdout


def _drop_column(root: Path, table: str, column: str) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    resource["schema"]["fields"] = [f for f in resource["schema"]["fields"]
                                    if f["name"] != column]
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    path = root / resource["path"]
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, [f["name"] for f in resource["schema"]["fields"]],
                            extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_diff_classifies_schema_and_row_changes(project: Path) -> None:
    _drop_column(project, "incidents", "note")
    changes = diff_packages(ROOT, project)
    incidents = next(t for t in changes.tables if t.name == "incidents")
    assert incidents.fields_removed == ["note"]
    assert incidents.rows_changed == {}
    assert changes.required_bump == "major"

    path = project / "build" / "actors.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    removed = lines.pop(5)
    path.write_text("".join(lines), encoding="utf-8")
    changes = diff_packages(project, ROOT)  # seen the other way: a field and a row are added
    actors = next(t for t in changes.tables if t.name == "actors")
    assert actors.rows_added == [removed.split(",")[0]]
    incidents = next(t for t in changes.tables if t.name == "incidents")
    assert incidents.fields_added == ["note"]
    assert changes.required_bump == "minor"


def test_bump_rules() -> None:
    assert bump_between("0.1.0", "0.1.0") == "none"
    assert bump_between("0.1.0", "0.1.1") == "patch"
    assert bump_between("0.1.9", "0.2.0") == "minor"
    assert bump_between("0.9.9", "1.0.0") == "major"
    with pytest.raises(ReleaseError):
        bump_between("0.2.0", "0.1.5")
    with pytest.raises(ReleaseError):
        bump_between("0.2", "0.3.0")


def unchanged_build_version_problem(version: str, releases: list[Release],
                                    descriptor: dict) -> str | None:
    """For a build whose content is the last release's: what is wrong with `version`, or None.

    The version is that release's, and the descriptor carries its date as ``created``; or it is
    a newer version that is not released yet, and the descriptor carries no release date.
    """
    last = releases[-1]
    try:
        bump = bump_between(last.version, version)
    except ReleaseError as error:
        return f"the build is release {last.version}'s, but the version is {version}: {error}"
    created = descriptor.get("created")
    if bump == "none":
        if created != f"{last.date}T00:00:00Z":
            return f"release {last.version} of {last.date}, but datapackage.json has {created=}"
        return None
    if any(r.version == version for r in releases) or created is not None:
        return (f"the build is release {last.version}'s, so the newer version {version} must be "
                f"unreleased, but it is recorded as released ({created=})")
    return None


_LAST = Release("0.2.0", "2030-01-01", "sha256:" + "0" * 64)


@pytest.mark.parametrize(("version", "created", "ok"), [
    pytest.param("0.2.0", "2030-01-01T00:00:00Z", True, id="the-release-itself"),
    pytest.param("0.2.1", None, True, id="newer-unreleased-patch"),
    pytest.param("1.0.0", None, True, id="newer-unreleased-major"),
    pytest.param("0.1.9", None, False, id="older"),
    pytest.param("0.2.0", None, False, id="the-release-without-its-date"),
    pytest.param("0.2.0", "2030-02-02T00:00:00Z", False, id="the-release-with-another-date"),
    pytest.param("0.2.1", "2030-01-01T00:00:00Z", False, id="newer-but-dated-as-released"),
])
def test_the_unchanged_build_rule_accepts_and_refuses(version: str, created: str | None,
                                                      ok: bool) -> None:
    """The guard below, where the build is the last release's content, can fail."""
    descriptor = {"version": version} | ({"created": created} if created else {})
    problem = unchanged_build_version_problem(version, [_LAST], descriptor)
    assert (problem is None) is ok, problem


def test_committed_build_is_released_or_bumped_enough(tmp_path: Path) -> None:
    """The guard: a build that differs from the last release needs a newer, large-enough version."""
    releases = read_releases(ROOT)
    assert releases, "RELEASES.json records no release"
    last = releases[-1]
    current = content_hash(committed_descriptor()["resources"])
    if current == last.content_hash:
        problem = unchanged_build_version_problem(VERSION, releases, committed_descriptor())
        assert problem is None, problem
        return
    previous = previous_build(ROOT, last, tmp_path / "previous")
    if previous is None:
        pytest.skip("not a git checkout with history: cannot fetch the last release's build")
    changes = diff_packages(previous, ROOT)
    assert changes.bump_ok, (f"the build changed since {last.version} and needs a "
                             f"{changes.required_bump} bump, but the version is {VERSION}")


HEADING = re.compile(r"^## \[(\S+)\] - (\d{4}-\d{2}-\d{2})$", re.M)


def test_releases_and_changelog_agree() -> None:
    """CHANGELOG.md is in the Keep a Changelog form: an Unreleased section, then one section per
    release, newest first, each naming its content hash, with only the six kinds of change, and
    written for users: no internal work-item numbers."""
    releases = read_releases(ROOT)
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.findall(r"^## .*$", changelog, re.M)[0] == "## [Unreleased]"
    assert HEADING.findall(changelog) == [(r.version, r.date) for r in reversed(releases)]
    sections = dict(zip([m.group(1) for m in HEADING.finditer(changelog)],
                        HEADING.split(changelog)[3::3]))
    for r in releases:
        assert r.content_hash in sections[r.version], r.version
        assert {"python", "polars"} <= set(r.toolchain)
    kinds = set(re.findall(r"^### (.*)$", changelog, re.M))
    assert kinds <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}, kinds
    assert not re.search(r"\bissues? \d+|#\d+\b", changelog, re.I)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                   check=True, capture_output=True)


def set_version(root: Path, version: str) -> None:
    path = root / "pyproject.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1),
                    encoding="utf-8")


def record_build_as_released(project: Path) -> str:
    """Make the copy stand for a project whose current build is its last release, whatever the
    checkout's own version: record that build as the release of VERSION, stored as a release is.
    Returns the version the last release had before."""
    from dprk_ru_data.stored import store

    releases = json.loads((project / "RELEASES.json").read_text(encoding="utf-8"))
    built = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))["contentHash"]
    released = releases[-1]["version"]
    releases[-1].update(version=VERSION, content_hash=built,
                        archive=store(project, project, VERSION))
    releases[-1].pop("commit", None)
    (project / "RELEASES.json").write_text(json.dumps(releases, indent=2) + "\n", encoding="utf-8")
    return released


def test_release_checks_the_bump_and_records_the_release(project: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    released = record_build_as_released(project)  # its CHANGELOG section keeps this heading
    changelog_path = project / "CHANGELOG.md"
    head, _, rest = changelog_path.read_text(encoding="utf-8").partition("\n## ")
    if rest.startswith("[Unreleased]"):
        rest = rest.partition("\n## ")[2]
    changelog_path.write_text(f"{head.rstrip()}\n\n## [Unreleased]\n\n### Fixed\n\n- A note "
                              f"written before the release.\n\n## {rest}", encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "the committed release")
    edit_cell(project, "incidents", 0, "note", "Reworded by the release test.")
    set_version(project, VERSION)
    with pytest.raises(ReleaseError, match="already released"):
        release(project, "2030-01-01", dist=False)

    # Removing a row calls for a minor bump; a patch bump is refused and nothing is recorded.
    path = project / "raw" / "historical_deployments.csv"
    rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = rows.pop(-1).split(",")[0]
    path.write_text("".join(rows), encoding="utf-8")
    evidence = project / "raw" / "evidence.csv"
    evidence.write_text("".join(line for line in evidence.read_text(encoding="utf-8")
                                .splitlines(keepends=True) if f",{dropped}," not in line),
                        encoding="utf-8")
    major, minor, patch = (int(p) for p in VERSION.split("."))
    set_version(project, f"{major}.{minor}.{patch + 1}")
    before = (project / "RELEASES.json").read_bytes(), snapshot(project)
    with pytest.raises(ReleaseError, match="require a minor bump"):
        release(project, "2030-01-01", dist=False)
    # A refused release writes nothing: not RELEASES.json, nor the build it tried.
    assert ((project / "RELEASES.json").read_bytes(), snapshot(project)) == before

    new_version = f"{major}.{minor + 1}.0"
    set_version(project, new_version)
    entry = release(project, "2030-01-01", dist=False)
    assert entry.version == new_version and entry.date == "2030-01-01"
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["created"] == "2030-01-01T00:00:00Z"
    assert descriptor["contentHash"] == entry.content_hash
    assert read_releases(project)[-1] == entry
    changelog = (project / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## .*$", changelog, re.M)
    # A new, empty Unreleased section on top; then the release, then the earlier ones.
    assert headings[:2] == ["## [Unreleased]", f"## [{new_version}] - 2030-01-01"]
    assert headings[2].startswith(f"## [{released}] - ")
    # notes written under "Unreleased" become part of the release they were written for
    assert (changelog.index(headings[1]) < changelog.index("A note written before")
            < changelog.index(headings[2]))
    assert not changelog.split(headings[1])[0].split("## [Unreleased]")[1].strip()
    section = changelog.split(headings[1])[1].split(headings[2])[0]
    assert entry.content_hash in section
    # The notes name no table, so the section lists the data changes diff found, by kind.
    assert re.search(rf"^### Removed\n\n- `historical_deployments`: 1 row \({dropped}\)\.$",
                     section, re.M), section
    # The release's build is stored, vouched for by RELEASES.json, and loads by its number.
    assert entry.archive is not None and (project / "releases" / f"{new_version}.zip").is_file()
    for name in ("historical_deployments", "incidents"):
        assert dprk_ru_data.load(name, root=project, version=new_version).equals(
            dprk_ru_data.load(name, root=project))
    assert dropped not in dprk_ru_data.load("historical_deployments", root=project,
                                            version=new_version)["deployment_id"].to_list()


def test_first_release_records_the_row_counts(project: Path) -> None:
    (project / "RELEASES.json").unlink()
    (project / "CHANGELOG.md").unlink()
    entry = release(project, "2030-01-02", dist=False)
    assert [r.version for r in read_releases(project)] == [VERSION]
    changelog = (project / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{VERSION}] - 2030-01-02" in changelog and entry.content_hash in changelog
    incidents = dprk_ru_data.load("incidents", root=project).height
    assert f"incidents {incidents}," in changelog


def release_state(root: Path) -> dict[str, bytes]:
    """Every file a release writes: the build's outputs, RELEASES.json and CHANGELOG.md."""
    return {**snapshot(root), **{name: (root / name).read_bytes()
                                 for name in ("RELEASES.json", "CHANGELOG.md")}}


def test_cli_release_refuses_a_released_version_and_writes_nothing(project: Path) -> None:
    last = read_releases(project)[-1].version
    set_version(project, last)
    before = release_state(project)
    result = CliRunner().invoke(main, ["release", str(project), "--date", "2030-01-01",
                                       "--no-dist"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert f"version {last} is already released" in result.stderr
    assert "released " not in result.stdout
    assert release_state(project) == before


@pytest.mark.parametrize("date", [
    pytest.param("2026-13-01", id="month-13"),
    pytest.param("2026-02-30", id="february-30"),
    pytest.param("next week", id="not-a-date"),
])
def test_cli_release_refuses_a_bad_date_and_writes_nothing(project: Path, date: str) -> None:
    # A version newer than every release, so that only the date is wrong.
    set_version(project, bumped(read_releases(project)[-1].version, "major"))
    before = release_state(project)
    result = CliRunner().invoke(main, ["release", str(project), "--date", date, "--no-dist"],
                                catch_exceptions=False)
    assert result.exit_code == 2, result.output  # a usage error
    assert f"{date!r} is not a YYYY-MM-DD date" in result.stderr
    assert release_state(project) == before


def test_cli_release_records_a_patch_release_of_corrections(project: Path,
                                                            tmp_path: Path) -> None:
    # The previous release's build is the committed package, given with --previous (no git).
    previous = tmp_path / "previous"
    shutil.copytree(project / "build", previous / "build")
    shutil.copy2(project / "datapackage.json", previous / "datapackage.json")
    record_build_as_released(project)
    releases_before = read_releases(project)
    # A maintainer who wrote no notes: the Unreleased section is empty.
    changelog_path = project / "CHANGELOG.md"
    head, _, rest = changelog_path.read_text(encoding="utf-8").partition("\n## [Unreleased]\n")
    changelog_path.write_text(f"{head}\n## [Unreleased]\n\n## {rest.partition(chr(10) + '## ')[2]}",
                              encoding="utf-8")
    changelog_before = changelog_path.read_text(encoding="utf-8")
    edit_cell(project, "incidents", 0, "note", "Reworded by the CLI release test.")
    new_version = bumped(VERSION, "patch")
    set_version(project, new_version)

    build(project)  # what `diff` says of the change: corrections only, so a patch bump is enough
    checked = CliRunner().invoke(main, ["diff", str(previous), str(project), "--check",
                                        "--format", "json"], catch_exceptions=False)
    assert checked.exit_code == 0, checked.output
    verdict = json.loads(checked.stdout)
    assert (verdict["required_bump"], verdict["declared_bump"]) == ("patch", "patch")

    result = CliRunner().invoke(main, ["release", str(project), "--date", "2030-01-01",
                                       "--previous", str(previous), "--no-dist"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    assert result.stdout == (f"released {new_version} on 2030-01-01: "
                             f"{descriptor['contentHash']}\n")
    assert descriptor["version"] == new_version
    assert descriptor["created"] == "2030-01-01T00:00:00Z"
    releases = read_releases(project)
    assert releases[:-1] == releases_before
    assert (releases[-1].version, releases[-1].date, releases[-1].content_hash) == (
        new_version, "2030-01-01", descriptor["contentHash"])
    changelog = (project / "CHANGELOG.md").read_text(encoding="utf-8")
    # The new section comes first, ahead of every earlier release's, which are kept as they were.
    assert re.findall(r"^## .*$", changelog, re.M)[:2] == ["## [Unreleased]",
                                                          f"## [{new_version}] - 2030-01-01"]
    earlier = HEADING.search(changelog_before)
    assert earlier and changelog.endswith(changelog_before[earlier.start():])
    section = changelog[:len(changelog) - len(changelog_before) + earlier.start()]
    # The notes say nothing of `incidents`, so the section names its corrected row and field.
    assert re.search(r"^- `incidents`: 1 row corrected \(in-001\) in note\.$", section, re.M)
    assert descriptor["contentHash"] in section


def test_a_recorded_doi_reaches_every_citation_and_zenodo(project: Path) -> None:
    """Once RELEASES.json records a DOI for the version, the build puts it in the descriptor's
    id, and cite (text, bibtex, cff, CSL-JSON) and .zenodo.json carry it."""
    import yaml

    records = json.loads((project / "RELEASES.json").read_text(encoding="utf-8"))
    if records[-1]["version"] == VERSION:  # the version is released: its record gets the DOI
        records[-1]["doi"] = "10.5281/zenodo.1234567"
    else:
        records.append({"version": VERSION, "date": "2030-01-01",
                        "content_hash": "sha256:" + "0" * 64, "doi": "10.5281/zenodo.1234567"})
    (project / "RELEASES.json").write_text(json.dumps(records), encoding="utf-8")
    assert CliRunner().invoke(main, ["build", str(project)]).exit_code == 0
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["id"] == "https://doi.org/10.5281/zenodo.1234567"
    cite = {fmt: CliRunner().invoke(main, ["cite", "--format", fmt, "--root", str(project)]).output
            for fmt in ("text", "bibtex", "cff", "json", "zenodo")}
    assert "https://doi.org/10.5281/zenodo.1234567" in cite["text"]
    assert "doi = {10.5281/zenodo.1234567}" in cite["bibtex"]
    assert {"type": "doi", "value": "10.5281/zenodo.1234567"} in yaml.safe_load(
        cite["cff"])["identifiers"]
    assert json.loads(cite["json"])[0]["DOI"] == "10.5281/zenodo.1234567"
    zenodo = json.loads((project / ".zenodo.json").read_text(encoding="utf-8"))
    assert zenodo["doi"] == "10.5281/zenodo.1234567" and zenodo == json.loads(cite["zenodo"])
    assert zenodo["version"] == VERSION and zenodo["upload_type"] == "dataset"


def test_zenodo_metadata_is_the_citations() -> None:
    """.zenodo.json says what CITATION.cff says: title, version, creators, licence."""
    import yaml

    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert zenodo["version"] == cff["version"] == VERSION
    assert zenodo["title"].startswith(cff["title"])
    assert [c["name"] for c in zenodo["creators"]] == [a["name"] for a in cff["authors"]]
    assert zenodo["license"]["id"] == cff["license"].lower()


def test_changelog_with_moves_the_notes_and_adds_what_they_do_not_name() -> None:
    from dprk_ru_data.releases import changelog_with

    text = ("# Changelog\n\nIntro.\n\n## [Unreleased]\n\n### Fixed\n\n- One.\n\n### Added\n\n"
            "- About `evidence_id` only.\n\n### Fixed\n\n- Two.\n\n## [0.1.0] - 2026-01-01\n\n"
            "Old.\n")
    generated = {"Added": ["`evidence`: 2 rows (ev-1, ev-2).", "`actors`: 1 row (a-1)."],
                 "Removed": ["`incidents`: 1 row (in-9)."]}
    out = changelog_with(text, "0.2.0", "2026-02-01", "Summary.", generated)
    assert re.findall(r"^## .*$", out, re.M) == ["## [Unreleased]", "## [0.2.0] - 2026-02-01",
                                                 "## [0.1.0] - 2026-01-01"]
    section = out.split("## [0.2.0] - 2026-02-01\n")[1].split("## [0.1.0]")[0]
    # Kinds in the Keep a Changelog order, a kind written twice kept whole, in order.
    assert re.findall(r"^### (.*)$", section, re.M) == ["Added", "Removed", "Fixed"]
    assert section.index("- One.") < section.index("- Two.")
    # `evidence_id` is not the table `evidence`: its generated entry is added, as are the rest.
    assert "- `evidence`: 2 rows (ev-1, ev-2)." in section and "(a-1)" in section
    assert "### Removed\n\n- `incidents`: 1 row (in-9).\n" in section
    assert out.endswith("## [0.1.0] - 2026-01-01\n\nOld.\n")
    # A note that names a table keeps the generated entry of that table out.
    named = changelog_with(text.replace("`evidence_id`", "`evidence`"), "0.2.0", "2026-02-01",
                           "Summary.", generated)
    assert "ev-1" not in named and "(a-1)" in named
    # A changelog that starts at its Unreleased heading, and an empty one.
    bare = changelog_with("## [Unreleased]\n\n### Fixed\n\n- Three.\n", "1.0.0", "2026-03-01",
                          "S.", {})
    assert bare.count("## [Unreleased]") == 1 and "- Three." in bare.split("## [1.0.0]")[1]
    assert "## [1.0.0] - 2026-03-01\n\nS.\n" in changelog_with("", "1.0.0", "2026-03-01", "S.",
                                                                {})


@pytest.mark.parametrize(("created", "apa", "month"), [
    ("2026-11-24T00:00:00Z", "(2026, November 24)", "nov"),
    ("2027-01-05T00:00:00Z", "(2027, January 5)", "jan"),
])
def test_citations_carry_the_release_year_and_month(created: str, apa: str, month: str) -> None:
    from dprk_ru_data.citation import render

    descriptor = {**committed_descriptor(), "created": created}
    assert apa in render(descriptor, "apa")
    assert f"  month = {month},\n" in render(descriptor, "bibtex")
    year, number, day = (int(part) for part in created[:10].split("-"))
    assert json.loads(render(descriptor, "json"))[0]["issued"] == {
        "date-parts": [[year, number, day]]}
    assert f'date-released: "{created[:10]}"' in render(descriptor, "cff")
    anonymous = {**descriptor, "contributors": []}
    assert render(anonymous, "apa").startswith(f"{descriptor['name']}. {apa}.")


@pytest.mark.parametrize("created", ["2026-00-10", "2026-13-01", "2026-1-5", "soon"])
def test_a_descriptor_with_a_broken_date_is_refused_by_cite(created: str,
                                                            tmp_path: Path) -> None:
    descriptor = {**committed_descriptor(), "created": created}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = CliRunner().invoke(main, ["cite", "--root", str(tmp_path), "--format", "bibtex"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "does not begin with a YYYY-MM-DD date" in result.stderr


def test_a_build_that_differs_from_its_released_version_says_to_bump_it(project: Path) -> None:
    last = read_releases(project)[-1]
    set_version(project, last.version)
    edit_cell(project, "incidents", 0, "note", "Edited after the release.")
    notes: list[str] = []
    build(project, notes=notes)
    assert any(f"version {last.version} is released with other data" in n for n in notes), notes
    set_version(project, bumped(last.version, "minor"))
    notes.clear()
    build(project, notes=notes)
    assert not any("released with other data" in n for n in notes)
