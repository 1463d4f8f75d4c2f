"""A package folder, a checkout's raw/ or a corpus folder from someone else is data, never a
command: every path named in it stays inside it, links and special files are refused before
they are opened, and nothing outside is read, written or printed (docs/security.md)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import dprk_ru_data
from dprk_ru_data import outputs
from dprk_ru_data.cli import main
from dprk_ru_data.digest import prefixed, sha256_hex
from dprk_ru_data.paths import UnsafePath, parts, read_inside
from dprk_ru_data.raw import invisible

from .conftest import examples, snapshot
from .test_build import edit_cell

# A secret of a length no file of the package has, so that its size printed would be seen.
SECRET = "the-secret-line-of-a-file-outside-the-folder-" + "s" * 4051 + "\n"
# The commands that read a package folder, with the folder as it is given to each.
READERS = {
    "info": lambda root: ["info", "--root", str(root)],
    "show": lambda root: ["show", "troop_estimates", "--root", str(root)],
    "tables": lambda root: ["tables", "--root", str(root)],
    "check-build": lambda root: ["check-build", "--root", str(root)],
    "diff": lambda root: ["diff", str(root), str(root)],
    "export": lambda root: ["export", "--format", "parquet", "--root", str(root), "--out",
                            str(root.parent / "exported")],
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the package, holding a secret file and a folder someone cares about."""
    folder = tmp_path / "outside"
    (folder / "precious").mkdir(parents=True)
    (folder / "precious" / "keep.txt").write_text("keep me\n", encoding="utf-8")
    (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
    return folder


@pytest.fixture
def package_root(tmp_path: Path) -> Path:
    from .conftest import built_package

    return built_package(tmp_path / "pkg")


def _leaks(output: str, secret_file: Path) -> list[str]:
    """What of `secret_file` (its content, length or hashes) shows in `output`."""
    data = secret_file.read_bytes()
    marks = [SECRET.strip()[:60], sha256_hex(data), prefixed(data).split(":")[1],
             f"{len(data)} bytes", f"{len(data):,} bytes"]
    return [mark for mark in marks if mark in output]


def _run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


# -- journals --------------------------------------------------------------------------------


def _journal(root: Path, names: list[str], existed: list[str]) -> None:
    staging = root / outputs.STAGING
    (staging / "previous").mkdir(parents=True, exist_ok=True)
    (staging / outputs.JOURNAL).write_text(json.dumps({"names": names, "existed": existed}),
                                           encoding="utf-8")


def _plant_relative(root: Path, outside: Path) -> str:
    return os.path.relpath(outside / "precious", root)


JOURNALS = {
    "a name with ..": lambda root, outside: _journal(root, [_plant_relative(root, outside)], []),
    "an absolute directory": lambda root, outside: _journal(root, [str(outside / "precious")],
                                                            []),
    "an absolute file": lambda root, outside: _journal(root, [str(outside / "secret.txt")], []),
    "an unknown name": lambda root, outside: _journal(root, ["raw"], []),
    "the staging folder is a link": lambda root, outside: (
        (outside / "previous").mkdir(), (outside / outputs.JOURNAL).write_text(
            json.dumps({"names": ["build"], "existed": ["build"]}), encoding="utf-8"),
        (root / outputs.STAGING).symlink_to(outside)),
    "a saved copy is a link": lambda root, outside: (
        _journal(root, ["build"], ["build"]),
        (root / outputs.STAGING / "previous" / "build").symlink_to(outside / "precious")),
    "the journal is a link": lambda root, outside: (
        (root / outputs.STAGING / "previous").mkdir(parents=True),
        (root / outputs.STAGING / outputs.JOURNAL).symlink_to(outside / "secret.txt")),
    "the journal is a FIFO": lambda root, outside: (
        (root / outputs.STAGING / "previous").mkdir(parents=True),
        os.mkfifo(root / outputs.STAGING / outputs.JOURNAL)),
}


def _untouched(outside: Path) -> bool:
    return ((outside / "precious" / "keep.txt").read_text(encoding="utf-8") == "keep me\n"
            and (outside / "secret.txt").read_text(encoding="utf-8") == SECRET
            and not (outside / "precious").is_symlink())


@pytest.mark.parametrize("journal", JOURNALS)
def test_a_journal_it_cannot_trust_is_reported_and_nothing_outside_is_touched(
        package_root: Path, outside: Path, journal: str) -> None:
    JOURNALS[journal](package_root, outside)
    before = snapshot(package_root)
    started = time.monotonic()
    code, output = _run(["info", "--root", str(package_root)])
    assert time.monotonic() - started < 5
    assert _untouched(outside)
    # The read goes on (every file is checked against its hash), with one warning line.
    assert code == 0, output
    assert "warning:" in output and "left alone" in output
    assert "Traceback" not in output and not _leaks(output, outside / "secret.txt")
    assert snapshot(package_root) == before
    # The loader reads too, with the same warning as a Python warning.
    with pytest.warns(RuntimeWarning, match="cannot undo"):
        assert dprk_ru_data.load("actors", root=package_root).height > 0
    assert _untouched(outside)


@pytest.mark.parametrize("journal", ["a name with ..", "an absolute directory",
                                     "the staging folder is a link", "a saved copy is a link"])
def test_a_build_refuses_a_staging_folder_it_did_not_write(project: Path, outside: Path,
                                                           journal: str) -> None:
    JOURNALS[journal](project, outside)
    before = snapshot(project)
    code, output = _run(["build", str(project), "--format", "json"])
    assert code == 1 and _untouched(outside)
    problems = json.loads(output[:output.rindex("]") + 1])
    assert {p["rule"] for p in problems} == {"untrusted_staging"}
    assert snapshot(project) == before


def test_recovery_still_rolls_back_its_own_interrupted_swap(package_root: Path) -> None:
    """The policy refuses only what these tools did not write: a real interrupted swap (the old
    build saved, the new one half moved in) is still rolled back by a read."""
    before = snapshot(package_root)
    staging = package_root / outputs.STAGING
    (staging / "previous").mkdir(parents=True)
    os.replace(package_root / "build", staging / "previous" / "build")
    (package_root / "build").mkdir()
    (package_root / "build" / "half.csv").write_text("x\n", encoding="utf-8")
    (staging / outputs.JOURNAL).write_text(json.dumps({"names": list(outputs.OUTPUT_NAMES
                                                                     & {"build"}),
                                                       "existed": ["build"]}), encoding="utf-8")
    assert dprk_ru_data.load("actors", root=package_root).height > 0
    assert not os.path.lexists(staging) and snapshot(package_root) == before


def test_a_leftover_staging_folder_never_stops_a_read_that_cannot_write(
        package_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only install (site-packages it may not write) still loads: the read warns."""
    (package_root / outputs.STAGING).mkdir()

    def refuse(root: Path) -> None:
        raise PermissionError(13, "Permission denied", str(root))

    monkeypatch.setattr(outputs, "locked", refuse)
    monkeypatch.setitem(sys.modules, "filelock", None)  # as on a data-only install
    with pytest.warns(RuntimeWarning, match="Permission denied"):
        assert dprk_ru_data.load("troop_estimates", root=package_root).height > 0


def test_writers_leave_no_lock_file(project: Path) -> None:
    _run(["build", str(project)])
    out = project / "exported"
    for output_format in ("parquet", "sqlite"):
        code, output = _run(["export", "--format", output_format, "--root", str(project),
                             "--out", str(out)])
        assert code == 0, output
    assert not list(project.glob(".dprk-data*")) and not list(out.glob(".*"))


def test_an_export_leaves_no_scratch_files(project: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    out = tmp_path / "exported"
    code, output = _run(["export", "--format", "sqlite", "--root", str(project), "--out",
                         str(out)])
    assert code == 0, output
    assert list(scratch.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["dprk_ru_data.sqlite", "metadata.json"]


# -- descriptors -----------------------------------------------------------------------------


def _point(root: Path, table: str, path: str) -> None:
    """Point `table` at `path`, with the hashes of the file there and a content hash made anew,
    as an attacker who knows the format would."""
    from dprk_ru_data.datapackage import content_hash

    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    target = Path(path) if Path(path).is_absolute() else root / path
    for resource in descriptor["resources"]:
        if resource["name"] == table:
            data = target.read_bytes()
            resource.update(path=path, hash=prefixed(data), bytes=len(data))
    descriptor["contentHash"] = content_hash(descriptor["resources"])
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


DESCRIPTORS = {
    "an absolute path": lambda root, outside: _point(root, "troop_estimates",
                                                     str(outside / "secret.txt")),
    "a path with ..": lambda root, outside: _point(
        root, "troop_estimates", os.path.relpath(outside / "secret.txt", root)),
    "a link to a file outside": lambda root, outside: (
        (root / "build" / "troop_estimates.csv").unlink(),
        (root / "build" / "troop_estimates.csv").symlink_to(outside / "secret.txt")),
    "a linked build folder": lambda root, outside: (
        shutil.copytree(root / "build", outside / "build"),
        (outside / "build" / "troop_estimates.csv").write_text(SECRET, encoding="utf-8"),
        shutil.rmtree(root / "build"), (root / "build").symlink_to(outside / "build")),
    "a FIFO in place of a table": lambda root, outside: (
        (root / "build" / "troop_estimates.csv").unlink(),
        os.mkfifo(root / "build" / "troop_estimates.csv")),
    "the descriptor is a link": lambda root, outside: (
        shutil.copy2(root / "datapackage.json", outside / "datapackage.json"),
        (root / "datapackage.json").unlink(),
        (root / "datapackage.json").symlink_to(outside / "datapackage.json")),
}


@pytest.mark.slow  # every command against every descriptor; the loader's test is in the inner loop
@pytest.mark.parametrize("command", READERS)
@pytest.mark.parametrize("descriptor", DESCRIPTORS)
def test_a_descriptor_cannot_make_a_reader_open_a_file_outside_its_folder(
        package_root: Path, outside: Path, descriptor: str, command: str) -> None:
    DESCRIPTORS[descriptor](package_root, outside)
    started = time.monotonic()
    code, output = _run(READERS[command](package_root))
    assert time.monotonic() - started < 5
    assert code == 1, output
    assert "Traceback" not in output and not _leaks(output, outside / "secret.txt")
    assert any(rule in output for rule in ("[path_escape]", "[special_file]")), output


@pytest.mark.parametrize("descriptor", DESCRIPTORS)
@pytest.mark.parametrize("verify", [True, False])
def test_load_refuses_an_escaping_path_whatever_verify_says(
        package_root: Path, outside: Path, descriptor: str, verify: bool) -> None:
    DESCRIPTORS[descriptor](package_root, outside)
    with pytest.raises(UnsafePath) as refused:
        dprk_ru_data.load("troop_estimates", root=package_root, verify=verify)
    assert refused.value.rule in ("path_escape", "special_file")
    assert not _leaks(str(refused.value), outside / "secret.txt")


@given(st.lists(st.sampled_from(["..", ".", "", "a", "b.csv", "/", "~", "C:", "\\", "\x00"]),
                min_size=1, max_size=6))
def test_a_relative_path_is_accepted_only_when_it_cannot_leave_its_folder(pieces: list[str]
                                                                           ) -> None:
    text = "/".join(pieces)
    try:
        names = parts(text)
    except UnsafePath:
        return
    folder = Path("/base")
    assert os.path.normpath(folder.joinpath(*names)).startswith("/base/")
    assert all(name not in ("..", ".", "") for name in names)


# -- raw/ ------------------------------------------------------------------------------------


RAW = {
    "a link to a file": lambda raw, outside: raw.symlink_to(outside / "secret.txt"),
    "a link to /dev/zero": lambda raw, outside: raw.symlink_to("/dev/zero"),
    "a FIFO": lambda raw, outside: os.mkfifo(raw),
    "a link to a FIFO": lambda raw, outside: (os.mkfifo(outside / "fifo"),
                                              raw.symlink_to(outside / "fifo")),
}


@pytest.mark.parametrize("kind", RAW)
@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_special_file_in_raw_is_refused_in_under_a_second(
        project: Path, outside: Path, kind: str, output_format: str) -> None:
    raw = project / "raw" / "actors.csv"
    raw.unlink()
    RAW[kind](raw, outside)
    before = snapshot(project)
    started = time.monotonic()
    code, output = _run(["build", str(project), "--format", output_format])
    assert time.monotonic() - started < 1 + 4  # the build itself; the refusal is immediate
    assert code == 1 and "Traceback" not in output
    assert "raw/actors.csv" in output and "special_file" in output
    assert not _leaks(output, outside / "secret.txt")
    assert snapshot(project) == before


@pytest.mark.parametrize("kind", RAW)
def test_reading_a_special_raw_file_is_refused_before_it_is_opened(project: Path,
                                                                   outside: Path,
                                                                   kind: str) -> None:
    raw = project / "raw" / "actors.csv"
    raw.unlink()
    RAW[kind](raw, outside)
    started = time.monotonic()
    with pytest.raises(UnsafePath) as refused:
        read_inside(project, "raw/actors.csv", 10 ** 9)
    assert time.monotonic() - started < 1
    assert refused.value.rule == "special_file"


def test_a_linked_raw_folder_is_refused(project: Path, outside: Path) -> None:
    shutil.move(str(project / "raw"), str(outside / "raw"))
    (project / "raw").symlink_to(outside / "raw")
    code, output = _run(["build", str(project), "--format", "json"])
    assert code == 1
    assert "special_file" in output


def test_an_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "big.csv").write_bytes(b"x" * 1001)
    with pytest.raises(UnsafePath, match="over the limit") as refused:
        read_inside(tmp_path, "big.csv", 1000)
    assert refused.value.rule == "file_size"
    assert read_inside(tmp_path, "big.csv", 1001) == b"x" * 1001


# -- characters and names --------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u061c", "\u2028", "\u2029", "\U000e0041", "\U000e0001",
                                  "\u3164", "\u00ad", "\u115f", "\ufe0f", "\u034f", "\ue000",
                                  "\u200d", "\u2066"])
def test_invisible_characters_are_refused_in_any_cell(project: Path, char: str) -> None:
    line = edit_cell(project, "incidents", 0, "description", f"A strike on a{char} depot.")
    code, output = _run(["build", str(project), "--format", "json"])
    assert code == 1
    found = {(p["file"], p["line"], p["column"], p["rule"]) for p in
             json.loads(output[:output.rindex("]") + 1])}
    assert ("raw/incidents.csv", line, "description", "invisible_character") in found
    assert f"U+{ord(char):04X}" in output


@settings(max_examples=examples(400))
@given(st.characters(min_codepoint=0xA0))
def test_the_invisible_rule_is_the_unicode_categories(char: str) -> None:
    category = unicodedata.category(char)
    if category in ("Cf", "Zl", "Zp", "Co", "Cs", "Cn"):
        assert invisible(f"a{char}b") == char
    elif category[0] in "LNPS" and char not in ("\u3164", "\uffa0", "\u115f", "\u1160",
                                                "\u2800"):
        assert invisible(f"a{char}b") is None


ACTOR_NAMES = {
    "an exact duplicate": "Russia",
    "a duplicate in another case": "RUSSIA",
    "a duplicate in full-width letters": "\uff32ussia",
    "a duplicate with doubled spaces": "North  Korea",
}


@pytest.mark.parametrize("case", ACTOR_NAMES)
def test_actor_names_are_unique_once_normalised(project: Path, case: str) -> None:
    line = edit_cell(project, "actors", 2, "name", ACTOR_NAMES[case])
    code, output = _run(["build", str(project), "--format", "json"])
    assert code == 1
    found = {(p["line"], p["column"], p["rule"]) for p in
             json.loads(output[:output.rindex("]") + 1])}
    assert (line, "name", "duplicate_name") in found


@pytest.mark.parametrize("column, value", [("name", "Russi\u0430 Today"),
                                           ("variants", "Ky\u0456v")])
def test_a_homoglyph_name_mixing_scripts_is_refused(project: Path, column: str,
                                                    value: str) -> None:
    line = edit_cell(project, "actors", 2, column, value)
    code, output = _run(["build", str(project), "--format", "json"])
    assert code == 1
    found = {(p["line"], p["column"], p["rule"]) for p in
             json.loads(output[:output.rindex("]") + 1])}
    assert (line, column, "mixed_script") in found


def test_a_data_only_install_undoes_a_stray_staging_folder_without_the_build_tools(
        package_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (package_root / outputs.STAGING / "new").mkdir(parents=True)  # a write stopped early
    monkeypatch.setitem(sys.modules, "filelock", None)  # the data-only install has none
    assert dprk_ru_data.load("troop_estimates", root=package_root).height > 0
    assert not os.path.lexists(package_root / outputs.STAGING)


@pytest.mark.parametrize("table, column, value", [
    ("evidence", "span_start", "99999999999999999999999"),
    ("evidence", "span_end", "-9223372036854775809"),
    ("sources", "corpus_chars", "9223372036854775808"),
])
def test_an_integer_beyond_its_column_is_a_located_problem(project: Path, table: str,
                                                           column: str, value: str) -> None:
    line = edit_cell(project, table, 0, column, value)
    code, output = _run(["build", str(project), "--format", "json"])
    assert code == 1 and "Traceback" not in output
    found = [p for p in json.loads(output[:output.rindex("]") + 1])
             if (p["file"], p["line"], p["column"]) == (f"raw/{table}.csv", line, column)]
    assert found and "beyond what the column holds" in found[0]["message"], found


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "{not json", '{"resources": 7}',
                                  '{"resources": [{"name": "x", "path": ["a"]}]}'])
@pytest.mark.parametrize("command", ["info", "show", "check-build"])
def test_a_malformed_or_deeply_nested_descriptor_is_one_line(package_root: Path, text: str,
                                                             command: str) -> None:
    (package_root / "datapackage.json").write_text(text, encoding="utf-8")
    code, output = _run(READERS[command](package_root))
    assert code == 1 and "Traceback" not in output
    assert "[descriptor]" in output and len(output.strip().splitlines()) == 1, output


@pytest.mark.parametrize("kind", ["a FIFO", "a link to /dev/zero", "a device", "a folder"])
def test_extract_refuses_a_special_file_in_under_a_second(tmp_path: Path, kind: str) -> None:
    path = {"a device": Path("/dev/zero"), "a folder": tmp_path}.get(kind, tmp_path / "text.txt")
    if kind == "a FIFO":
        os.mkfifo(path)
    elif kind == "a link to /dev/zero":
        path.symlink_to("/dev/zero")
    started = time.monotonic()
    code, output = _run(["extract", str(path)])
    assert time.monotonic() - started < 1
    assert code == 1 and "[special_file]" in output and "Traceback" not in output
