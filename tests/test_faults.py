"""Bad input never corrupts the build: one fixture per fault class, each located and explained.

Every case breaks a copy of the committed project in one way, runs `dprk-data build` on it and
asserts the exit code (1), the located problem (file, line, column, value, rule, message) and that
the previous outputs are byte-identical afterwards.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from dprk_ru_data.cli import main
from dprk_ru_data.digest import sha256_hex

from .conftest import corpus_path, snapshot
from .test_build import edit_cell


@dataclass(frozen=True)
class Expect:
    file: str
    line: int | None
    column: str | None
    rule: str
    says: str
    value: str | None = None


def lines_of(root: Path, table: str) -> list[str]:
    return (root / "raw" / f"{table}.csv").read_text(encoding="utf-8").split("\n")


def write_lines(root: Path, table: str, lines: list[str]) -> None:
    (root / "raw" / f"{table}.csv").write_text("\n".join(lines), encoding="utf-8")


def change_line(root: Path, table: str, line: int, edit: Callable[[str], str]) -> None:
    lines = lines_of(root, table)
    lines[line - 1] = edit(lines[line - 1])
    write_lines(root, table, lines)


def cell(table: str, row: int, column: str, value: str, rule: str, says: str) -> Callable:
    """A fault made by setting one cell; expects the problem on that cell."""
    def make(root: Path) -> Expect:
        line = edit_cell(root, table, row, column, value)
        return Expect(f"raw/{table}.csv", line, column, rule, says, value)
    return make


def unbalanced_quote(root: Path) -> Expect:
    change_line(root, "incidents", 4, lambda text: text.replace(",", ',"x"y', 1))
    return Expect("raw/incidents.csv", 4, None, "csv_syntax", "unbalanced quote")


def unclosed_quote(root: Path) -> Expect:
    change_line(root, "incidents", 6, lambda text: text.replace(",", ',"', 1))
    return Expect("raw/incidents.csv", 6, None, "csv_syntax", "unbalanced quote")


def quote_inside_value(root: Path) -> Expect:
    change_line(root, "actors", 3, lambda text: text.replace(",", ',a"b', 1))
    return Expect("raw/actors.csv", 3, None, "csv_syntax", "unquoted value")


def too_many_cells(root: Path) -> Expect:
    change_line(root, "actors", 5, lambda text: text + ",extra")
    return Expect("raw/actors.csv", 5, None, "csv_syntax", "9 cells and the header 8")


def too_few_cells(root: Path) -> Expect:
    change_line(root, "actors", 7, lambda text: text.rsplit(",", 1)[0])
    return Expect("raw/actors.csv", 7, None, "csv_syntax", "7 cells and the header 8")


def blank_line(root: Path) -> Expect:
    lines = lines_of(root, "actors")
    write_lines(root, "actors", lines[:9] + [""] + lines[9:])
    return Expect("raw/actors.csv", 10, None, "csv_syntax", "blank")


def empty_file(root: Path) -> Expect:
    (root / "raw" / "sources.csv").write_bytes(b"")
    return Expect("raw/sources.csv", 1, None, "empty_file", "empty")


def missing_header(root: Path) -> Expect:
    write_lines(root, "incidents", lines_of(root, "incidents")[1:])
    return Expect("raw/incidents.csv", 1, None, "missing_header", "header line is missing")


def semicolon_separated(root: Path) -> Expect:
    path = root / "raw" / "historical_deployments.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    return Expect("raw/historical_deployments.csv", 1, None, "missing_header",
                  "separated by ';'")


def missing_file(root: Path) -> Expect:
    (root / "raw" / "historical_deployments.csv").unlink()
    return Expect("raw/historical_deployments.csv", None, None, "missing_file", "has no file")


def not_utf8(root: Path) -> Expect:
    path = root / "raw" / "arms_transfers.csv"
    data = path.read_bytes()
    third_line = data.index(b"\n", data.index(b"\n") + 1) + 1
    path.write_bytes(data[:third_line + 4] + b"\xe9" + data[third_line + 5:])
    return Expect("raw/arms_transfers.csv", 3, None, "encoding", "character 5", "e9")


def missing_column(root: Path) -> Expect:
    change_line(root, "incidents", 1, lambda text: text.replace(",place_code", ",plcae_code"))
    return Expect("raw/incidents.csv", 1, "place_code", "missing_column", "lacks the column")


def misspelled_column(root: Path) -> Expect:
    change_line(root, "incidents", 1, lambda text: text.replace(",place_code", ",plcae_code"))
    return Expect("raw/incidents.csv", 1, "plcae_code", "unknown_column",
                  "did you mean 'place_code'?", "plcae_code")


def duplicated_column(root: Path) -> Expect:
    change_line(root, "historical_deployments", 1,
                lambda text: text.replace("conflict", "conflict,conflict", 1))
    return Expect("raw/historical_deployments.csv", 1, "conflict", "duplicate_column",
                  "both column 3 and column 4", "conflict")


def derived_column(root: Path) -> Expect:
    lines = lines_of(root, "incidents")
    write_lines(root, "incidents", [lines[0] + ",date_edtf"] + [f"{x}," for x in lines[1:]])
    return Expect("raw/incidents.csv", 1, "date_edtf", "unknown_column", "derived by the build")


def duplicate_key(root: Path) -> Expect:
    lines = lines_of(root, "incidents")
    duplicate = lines[5].split(",", 1)
    lines[9] = duplicate[0] + "," + lines[9].split(",", 1)[1]
    write_lines(root, "incidents", lines)
    return Expect("raw/incidents.csv", 10, "incident_id", "duplicate_key",
                  "of line 6", duplicate[0])


def key_shared_across_a_view(root: Path) -> Expect:
    """An incident given the id of an arms transfer: both are rows of the events view."""
    transfer = lines_of(root, "arms_transfers")[1].split(",", 1)[0]
    line = edit_cell(root, "incidents", 0, "incident_id", transfer)
    return Expect("raw/incidents.csv", line, "incident_id", "shared_view_key",
                  "the events view would key", transfer)


def dated_after_publication(root: Path) -> Expect:
    line = edit_cell(root, "incidents", 0, "date_text", "2024-12-25")
    return Expect("raw/incidents.csv", line, "date_text", "dated_after_publication",
                  "after the latest publication date", "2024-12-25")


def span_out_of_range(root: Path) -> Expect:
    line = edit_cell(root, "evidence", 3, "span_end", "999999")
    return Expect("raw/evidence.csv", line, "span_end", "span_range", "runs past the end",
                  "999999")


def span_start_after_end(root: Path) -> Expect:
    line = edit_cell(root, "evidence", 4, "span_start", "999998")
    return Expect("raw/evidence.csv", line, "span_end", "span_start_lt_end",
                  "is not after span_start 999998")


def record_without_evidence(root: Path) -> Expect:
    path = root / "raw" / "evidence.csv"
    kept = [x for x in path.read_text(encoding="utf-8").split("\n") if ",incidents,in-002," not in x]
    path.write_text("\n".join(kept), encoding="utf-8")
    return Expect("raw/incidents.csv", 3, "incident_id", "needs_evidence", "has no row",
                  "in-002")


def field_without_evidence(table: str, record: str, column: str) -> Callable:
    """A fault made by taking away the evidence rows that name `column` of `record`."""
    def make(root: Path) -> Expect:
        path = root / "raw" / "evidence.csv"
        marker = f",{table},{record},{column},"
        lines = path.read_text(encoding="utf-8").split("\n")
        assert any(marker in line for line in lines), f"no evidence row {marker} to take away"
        path.write_text("\n".join(x for x in lines if marker not in x), encoding="utf-8")
        line = next(n for n, text in enumerate(lines_of(root, table), start=1)
                    if text.startswith(f"{record},"))
        return Expect(f"raw/{table}.csv", line, column, "needs_field_evidence",
                      f"{record} states {column}")
    return make


def dated_against(*links: tuple[str, str, str], rule: str, says: str) -> Callable:
    """A fault made by dating incidents against others: (record, column, other) per link; the
    problem is expected on the first link's cell."""
    def make(root: Path) -> Expect:
        first = None
        for record, column, other in links:
            row = next(n for n, text in enumerate(lines_of(root, "incidents")[1:])
                       if text.startswith(f"{record},"))
            line = edit_cell(root, "incidents", row, column, other)
            first = first or (line, column if rule == "dated_against" else "date_text")
        assert first is not None
        return Expect("raw/incidents.csv", first[0], first[1], rule, says)
    return make


def missing_raw(root: Path) -> Expect:
    """A folder without raw/, as after installing the wheel: one problem saying what to do."""
    shutil.rmtree(root / "raw")
    return Expect("raw", None, None, "missing_raw", "holds the built data")


def unreadable_file(root: Path) -> Expect:
    """A raw file that cannot be read (a folder in its place: permissions do not stop root)."""
    path = root / "raw" / "actors.csv"
    path.unlink()
    path.mkdir()
    return Expect("raw/actors.csv", None, None, "special_file", "is a folder, not a regular file")


def tab_in_cell(root: Path) -> Expect:
    line = edit_cell(root, "actors", 2, "note", "a note\twith a tab")
    return Expect("raw/actors.csv", line, "note", "control_character", "U+0009 (tab)")


def nul_in_cell(root: Path) -> Expect:
    line = edit_cell(root, "incidents", 2, "note", "odd\x00byte")
    return Expect("raw/incidents.csv", line, "note", "control_character", "U+0000")


def line_break_in_cell(root: Path) -> Expect:
    line = edit_cell(root, "incidents", 2, "description", "first line\nsecond line")
    return Expect("raw/incidents.csv", line, None, "control_character", "line break")


def malformed_releases(root: Path) -> Expect:
    (root / "RELEASES.json").write_text('[{"version": "0.1"}]', encoding="utf-8")
    return Expect("RELEASES.json", None, None, "releases", "malformed")


FAULTS: dict[str, Callable[[Path], Expect]] = {
    "unbalanced quote": unbalanced_quote,
    "unclosed quote": unclosed_quote,
    "quote inside an unquoted value": quote_inside_value,
    "ragged row, too many cells": too_many_cells,
    "ragged row, too few cells": too_few_cells,
    "blank line": blank_line,
    "empty file": empty_file,
    "missing header": missing_header,
    "semicolons for commas": semicolon_separated,
    "missing file": missing_file,
    "bytes that are not UTF-8": not_utf8,
    "missing column": missing_column,
    "misspelled column": misspelled_column,
    "duplicated column": duplicated_column,
    "derived column in raw": derived_column,
    "type": cell("evidence", 0, "span_start", "12x", "type", "not a whole number"),
    "below a minimum": cell("evidence", 1, "span_start", "-5", "greater_than_or_equal_to",
                            "at least 0"),
    "closed vocabulary": cell("troop_estimates", 0, "measure", "deploied", "isin",
                              "did you mean 'deployed'?"),
    "pattern": cell("actors", 3, "country", "Korea", "str_matches", "does not match"),
    "ISO code that does not exist": cell("actors", 3, "country", "XQ", "iso_code",
                                         "not an ISO 3166"),
    "required value missing": cell("incidents", 1, "description", "", "not_nullable",
                                   "a value is required"),
    "duplicate primary key": duplicate_key,
    "key shared by two tables of a view": key_shared_across_a_view,
    "dangling foreign key": cell("troop_estimates", 1, "subject_actor_id", "nobody",
                                 "foreign_key", "is not a actor_id in raw/actors.csv"),
    "dangling evidence link": cell("evidence", 2, "record_id", "src-999", "foreign_key",
                                   "is not a record of raw/sources.csv"),
    "record without evidence": record_without_evidence,
    "figure without its own evidence": field_without_evidence("troop_estimates", "te-017",
                                                              "figure_text"),
    "date without its own evidence": field_without_evidence("incidents", "in-001", "date_text"),
    "claimant without its own evidence": field_without_evidence("troop_estimates", "te-017",
                                                                "claimant_actor_id"),
    "relayer without its own evidence": field_without_evidence("troop_estimates", "te-017",
                                                               "relayed_by_actor_id"),
    "claim date without its own evidence": field_without_evidence("troop_estimates", "te-017",
                                                                  "claimed_text"),
    "dated against no record": dated_against(("in-002", "dated_after", "in-999"),
                                             rule="dated_against", says="'in-999' is not"),
    "dated against each other in a cycle": dated_against(
        ("in-002", "dated_after", "in-003"), ("in-003", "dated_after", "in-002"),
        rule="dated_against", says="in a cycle"),
    "dated after a later event": dated_against(("in-001", "dated_after", "in-028"),
                                               rule="event_window", says="would end on"),
    "bidi override in a cell": cell("actors", 3, "note", "admin\u202eexe.txt",
                                    "invisible_character", "U+202E (right-to-left override)"),
    "zero-width space in a cell": cell("incidents", 1, "place", "Pyong\u200byang",
                                       "invisible_character", "U+200B (zero width space)"),
    "evidence field not in its table": cell("evidence", 0, "field", "outlet_name",
                                            "evidence_field", "is not a field of sources"),
    "unreadable figure": cell("troop_estimates", 0, "figure_text", "sevral thousand", "figure",
                              "docs/conventions.md"),
    "figure with low above high": cell("troop_estimates", 0, "figure_text", "5,000 to 3,000",
                                       "figure", "5,000 to 3,000"),
    "date that ends before it starts": cell("arms_transfers", 1, "period_text",
                                            "2024-10-20/2024-10-01", "date", "2024-10-20"),
    "impossible date": cell("arms_transfers", 1, "period_text", "2024-02-30", "date",
                            "2024-02-30"),
    "claim dated after its publication": dated_after_publication,
    "evidence span out of range": span_out_of_range,
    "evidence span ending before it starts": span_start_after_end,
    "integer beyond int64": cell("evidence", 0, "span_start", "9" * 25, "type",
                                 "beyond what the column holds"),
    "carriage return in a cell": cell("actors", 2, "note", "two\rlines", "control_character",
                                      "U+000D (carriage return)"),
    "year 0": cell("incidents", 0, "date_text", "0000-01-01", "date", "no year 0000"),
    "unreadable file": unreadable_file,
    "no raw folder": missing_raw,
    "tab in a cell": tab_in_cell,
    "NUL in a cell": nul_in_cell,
    "line break in a cell": line_break_in_cell,
    "overlong field": cell("incidents", 0, "note", "x" * 2001, "str_length",
                           "2001 characters long"),
    "formula '='": cell("incidents", 0, "note", "=HYPERLINK(\"x\")", "formula",
                        "run as a formula"),
    "formula '+'": cell("actors", 0, "role", "+1 attack", "formula", "starts with '+'"),
    "formula '-'": cell("arms_transfers", 0, "note", "-2+3", "formula", "starts with '-'"),
    "formula '@'": cell("historical_deployments", 0, "role", "@SUM(1)", "formula",
                        "starts with '@'"),
    "malformed RELEASES.json": malformed_releases,
}


def run_build(root: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["build", str(root), *extra], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# The faults are split over two test files so that parallel workers share them out.
HALF = len(FAULTS) // 2


@pytest.mark.parametrize("fault", list(FAULTS)[:HALF])
def test_fault_is_located_and_outputs_are_untouched(project: Path, fault: str) -> None:
    check_fault(project, fault)


def check_fault(project: Path, fault: str) -> None:
    """Build with `fault` made: exit 1, the expected problem located, no traceback, the outputs
    untouched and no staging left behind."""
    before = snapshot(project)
    expect = FAULTS[fault](project)
    code, stdout, stderr = run_build(project, "--format", "json")
    assert code == 1, stdout + stderr
    assert "Traceback" not in stdout + stderr
    problems = json.loads(stdout)
    matching = [p for p in problems if (p["file"], p["line"], p["rule"]) ==
                (expect.file, expect.line, expect.rule)]
    assert matching, json.dumps(problems, indent=1)[:3000]
    assert any(expect.says in p["message"] for p in matching), matching
    if expect.column is not None:
        assert any(p["column"] == expect.column for p in matching), matching
    if expect.value is not None:
        assert any(expect.value[:40] in (p["value"] or "") + p["message"] for p in matching)
    assert snapshot(project) == before
    assert not (project / ".build-staging").exists()


def test_text_report_groups_by_file_and_locates(project: Path) -> None:
    edit_cell(project, "troop_estimates", 12, "figure_text", "sevral thousand")
    edit_cell(project, "actors", 0, "kind", "stat")
    code, stdout, stderr = run_build(project)
    assert code == 1
    assert "raw/troop_estimates.csv:14: figure_text: 'sevral thousand'" in stderr
    assert "docs/conventions.md" in stderr
    assert "raw/actors.csv:2: kind: 'stat' is not an allowed value; did you mean 'state'?" in stderr
    assert stderr.index("raw/actors.csv:\n") < stderr.index("raw/troop_estimates.csv:\n")
    assert "\n2 problem(s) found:\n" in "\n" + stderr


def test_every_fault_of_a_run_is_reported_together(project: Path) -> None:
    makers = [too_many_cells, unbalanced_quote, not_utf8, duplicated_column,
              FAULTS["closed vocabulary"]]
    expected = [make(project) for make in makers]
    code, stdout, _ = run_build(project, "--format", "json")
    assert code == 1
    found = {(p["file"], p["line"], p["rule"]) for p in json.loads(stdout)}
    assert {(e.file, e.line, e.rule) for e in expected} <= found


@pytest.mark.parametrize("fault", ["wrong span hash", "changed corpus text", "wrong length"])
def test_evidence_hashes_are_checked_against_the_corpus(project: Path, fault: str) -> None:
    corpus = corpus_path()
    if corpus is None:
        pytest.skip("corpus texts not found: set DPRK_CORPUS or place them in ../shared/sources")
    before = snapshot(project)
    if fault == "wrong span hash":
        line = edit_cell(project, "evidence", 5, "span_sha256", "0" * 64)
        expect = ("raw/evidence.csv", line, "span_sha256", "span_hash")
    elif fault == "changed corpus text":
        line = edit_cell(project, "sources", 1, "corpus_sha256", "1" * 64)
        expect = ("raw/sources.csv", line, "corpus_sha256", "corpus_hash")
    else:
        line = edit_cell(project, "sources", 1, "corpus_chars", "1000000")
        expect = ("raw/sources.csv", line, "corpus_chars", "corpus_length")
    code, stdout, _ = run_build(project, "--format", "json", "--corpus", str(corpus))
    assert code == 1
    assert expect in {(p["file"], p["line"], p["column"], p["rule"]) for p in json.loads(stdout)}
    assert snapshot(project) == before


def test_without_the_corpus_the_build_says_what_it_did_not_check(project: Path,
                                                                  tmp_path: Path) -> None:
    code, _, stderr = run_build(project, "--corpus", str(tmp_path / "nowhere"))
    assert code == 0
    notes = [line for line in stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "checked by their recorded offsets and hashes only" in notes[0]


def _corpus_copy(corpus: Path, target: Path) -> Path:
    shutil.copytree(corpus, target)
    for path in [target, *target.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


SECRET = "the secret of the machine that builds"


@pytest.mark.parametrize("name", ["../secret.txt", "/tmp/secret.txt", "sub/secret.txt",
                                  "..", "link.txt", "folder", "latin1.txt", "absent.txt"])
def test_the_corpus_is_a_jail(project: Path, corpus: Path, tmp_path: Path, name: str) -> None:
    """corpus_file can name only a plain, regular UTF-8 file inside the corpus folder; anything
    else is a located error, and nothing read from outside the folder is printed."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    folder = _corpus_copy(corpus, tmp_path / "corpus")
    (folder / "link.txt").symlink_to(secret)
    (folder / "folder").mkdir()
    (folder / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    target = {"/tmp/secret.txt": str(secret)}.get(name, name)
    line = edit_cell(project, "sources", 0, "corpus_file", target)
    if name == "latin1.txt":  # its recorded hash matches: only its encoding is wrong
        edit_cell(project, "sources", 0, "corpus_sha256",
                  sha256_hex((folder / name).read_bytes()))
    code, stdout, stderr = run_build(project, "--corpus", str(folder), "--format", "json")
    assert code == 1, stdout + stderr
    problems = [p for p in json.loads(stdout) if p["file"] == "raw/sources.csv"
                and p["line"] == line and p["column"] == "corpus_file"]
    assert problems, stdout[:2000]
    assert {p["rule"] for p in problems} <= {"str_matches", "corpus_file", "corpus_missing",
                                              "corpus_encoding"}
    everything = stdout + stderr
    assert SECRET not in everything and "Traceback" not in everything
    assert sha256_hex(SECRET) not in everything  # not even its hash


def test_harmless_variations_give_identical_outputs(project: Path) -> None:
    before = snapshot(project)
    for index, path in enumerate(sorted((project / "raw").glob("*.csv"))):
        text = path.read_text(encoding="utf-8").rstrip("\n")
        lines = text.split("\n")
        # Spaces around every unquoted value of the header and the first data line.
        lines[0] = ",".join(f" {name} " for name in lines[0].split(","))
        text = "\r\n".join(lines) + ("\r\n\r\n" if index % 2 else "")
        path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    code, stdout, stderr = run_build(project)
    assert code == 0, stderr
    assert snapshot(project) == before


def test_usage_errors_exit_2(project: Path) -> None:
    assert CliRunner().invoke(main, ["build", str(project / "nope")]).exit_code == 2
    assert CliRunner().invoke(main, ["build", str(project), "--format", "xml"]).exit_code == 2
    assert "Exit codes: 0 success, 1 data errors, 2 usage errors" in CliRunner().invoke(
        main, ["build", "--help"]).stdout


def test_every_rule_is_documented_for_curators(tmp_path: Path) -> None:
    import shutil

    from .conftest import ROOT

    doc = (ROOT / "docs" / "curation.md").read_text(encoding="utf-8")
    rules = set()
    for index, make in enumerate(FAULTS.values()):
        scratch = tmp_path / str(index)
        shutil.copytree(ROOT / "raw", scratch / "raw")
        shutil.copy2(ROOT / "RELEASES.json", scratch / "RELEASES.json")
        rules.add(make(scratch).rule)
    rules |= {"span_hash", "corpus_hash", "corpus_length"}
    assert {rule for rule in rules if f"`{rule}`" not in doc} == set()


def test_a_mistyped_required_cell_is_reported_once(project: Path) -> None:
    line = edit_cell(project, "evidence", 0, "span_start", "76x56")
    code, stdout, _ = run_build(project, "--format", "json")
    assert code == 1
    on_cell = [p["rule"] for p in json.loads(stdout)
               if (p["line"], p["column"]) == (line, "span_start")]
    assert on_cell == ["type"]


def test_a_flood_of_problems_prints_the_first_fifty_and_a_count(project: Path) -> None:
    path = project / "raw" / "actors.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], *(line + ",extra" for line in lines[1:])]) + "\n",
                    encoding="utf-8")
    for index in range(200):  # and many more bad cells in another table
        edit_cell(project, "incidents", index % 50, "note", f"=FORMULA({index})")
    code, stdout, stderr = run_build(project)
    assert code == 1
    listed = [line for line in stderr.splitlines() if line.startswith("  ")]
    assert len(listed) == 50 and "more; --format json lists every problem" in stderr
    total = int(stderr.split(" problem(s) found")[0].split()[-1])
    code, stdout, _ = run_build(project, "--format", "json")
    assert len(json.loads(stdout)) == total > 50


@pytest.mark.parametrize("error", ["EROFS", "EACCES"])
def test_an_unwritable_output_folder_is_one_line_and_changes_nothing(
        project: Path, monkeypatch: pytest.MonkeyPatch, error: str) -> None:
    """A read-only or forbidden folder (simulated: root ignores permissions) ends in one line
    naming the path and the OS error, exit 2, with the old outputs as they were."""
    import errno
    import os
    import pathlib

    before = snapshot(project)
    real = pathlib.Path.mkdir

    def refused(self: Path, *args: object, **kwargs: object) -> None:
        if ".build-staging" in str(self):
            raise OSError(getattr(errno, error), os.strerror(getattr(errno, error)), str(self))
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pathlib.Path, "mkdir", refused)
    code, stdout, stderr = run_build(project)
    assert code == 2 and "Traceback" not in stdout + stderr
    assert stderr.startswith("error: ") and ".build-staging" in stderr
    assert os.strerror(getattr(errno, error)) in stderr
    assert snapshot(project) == before


def test_a_corpus_text_that_is_not_utf8_is_refused_by_every_reader(corpus: Path,
                                                                   tmp_path: Path) -> None:
    """A text whose recorded hash matches but which is not UTF-8: verify-evidence, locate and
    evidence say so in one line, without a traceback."""
    import shutil

    folder = tmp_path / "corpus"
    shutil.copytree(corpus, folder)
    for path in [folder, *folder.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    name = next(p.name for p in sorted(folder.glob("004_*.txt")))
    (folder / name).write_bytes((folder / name).read_bytes() + b"\xff")
    runner = CliRunner()
    for command in (["verify-evidence", "--corpus", str(folder)],
                    ["locate", "src-004", "Vladivostok", "--corpus", str(folder)],
                    ["evidence", "te-028", "--corpus", str(folder)]):
        result = runner.invoke(main, command)
        assert "Traceback" not in result.output and result.exception is None or isinstance(
            result.exception, SystemExit), command
        assert "UTF-8" in result.output or "SHA-256" in result.output or "hash" in result.output, (
            command, result.output[-500:])
