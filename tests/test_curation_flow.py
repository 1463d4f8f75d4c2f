"""The curation flow as a curator runs it, in a copy of the checkout: `add-source` on a new text,
`extract`, a new troop estimate with `add-evidence` for the record and each field it states,
`build`, and then the test suite (all but the slow and the browser tests) passes in that copy
with no other edit.

The text is written for this test, in its own words; every id, line and offset the test checks
is computed from the copy, so the test stays true as the data grows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dprk_ru_data.curate import CurationError, add_evidence, add_source, check_text, next_id

from .conftest import ROOT, corpus_path, run_bound

pytestmark = pytest.mark.slow

# A report written for this test (no corpus words): a dated claim, a figure, a place.
REPORT = ("SEOUL, 2 December 2026 - The South Korean government said on Wednesday that roughly "
          "14,500 North Korean soldiers were now stationed in the Kursk region of Russia, up "
          "from its count of the month before.\n\nOfficials in Seoul gave no breakdown by unit "
          "and said the number could change within weeks.\n")
# The suite, run in the copy after the build: every test but the slow ones (wheels, benchmarks,
# fuzzing, this file) and the browser tests, which take minutes and read the same tables; its
# properties on the few examples of the "curation" profile (see conftest).
INNER_SUITE = ["-m", "not slow", "--hypothesis-profile=curation", "--ignore=tests/test_web.py",
               "--ignore=tests/test_site_record.py", "--ignore=tests/test_timeline.py"]
# The history is copied too: the README's examples compare releases.
_IGNORE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache",
                                 ".mypy_cache", ".hypothesis", ".build-staging", "dist", ".venv")


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8"), newline="")))


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A copy of the checkout with a copy of the corpus beside it, and the environment that
    makes both the copy's: its package first on the path, its corpus as $DPRK_CORPUS.

    polars runs one thread in each process there. The suite in the copy asks whether a test is
    bound to the data as it was, not how polars' threads interleave (the outer run tests that,
    with polars' own thread count); and its two workers share the cores with the outer run's
    two, each with a polars thread per core: CPU and wall time the question does not need
    (measured in benchmarks/PROFILE.md, twelfth pass)."""
    corpus = corpus_path()
    if corpus is None:
        pytest.skip("corpus texts not found: set DPRK_CORPUS or place them in ../shared/sources")
    base = tmp_path_factory.mktemp("curation")
    shutil.copytree(ROOT, base / "main", ignore=_IGNORE)
    shutil.copytree(corpus, base / "shared" / "sources")
    env = {**os.environ, "PYTHONPATH": str(base / "main"),
           "DPRK_CORPUS": str(base / "shared" / "sources"), "POLARS_MAX_THREADS": "1"}
    return base / "main", env


def _run(where: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_bound([sys.executable, "-m", "dprk_ru_data", *args], timeout=600, cwd=where,
                     env=env)


def test_a_new_article_goes_from_text_to_a_green_suite(
        checkout: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    where, env = checkout
    corpus = Path(env["DPRK_CORPUS"])
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    expected_id = next_id(_rows(where / "raw" / "sources.csv"), "sources")

    # add-source: the next id, the text copied under its hash, the manifest and raw/ told
    added = _run(where, env, "add-source", str(report), "--published", "2026-12-02",
                 "--outlet", "south-korea-government", "--kind", "news", "--language", "en",
                 "--note", "A report written for the curation test; it dates itself.")
    assert added.returncode == 0, added.stderr
    source = added.stdout.strip()
    assert source == expected_id
    row = next(r for r in _rows(where / "raw" / "sources.csv") if r["source_id"] == source)
    assert (corpus / row["corpus_file"]).read_bytes() == report.read_bytes()
    assert row["corpus_file"].split("_")[1][:16] == row["corpus_sha256"][:16]
    assert any(m["file"] == row["corpus_file"] for m in _rows(corpus / "MANIFEST.csv"))
    assert (row["language"], row["kind"], row["outlet_id"]) == (
        "en", "news", "south-korea-government")
    again = _run(where, env, "add-source", str(report), "--published", "2026-12-02")
    assert again.returncode == 0 and again.stdout.strip() == source  # recognised by its hash
    assert sum(r["corpus_sha256"] == row["corpus_sha256"]
               for r in _rows(where / "raw" / "sources.csv")) == 1

    # extract and locate see the new source before any build
    found = _run(where, env, "extract", source, "--format", "json")
    assert found.returncode == 0, found.stderr
    figure = next(m for m in json.loads(found.stdout) if m["kind"] == "figure")
    assert REPORT[figure["start"]:figure["end"]] == "roughly 14,500"
    assert figure["best"] == 14_500 and figure["qualifier"] == "approximate"
    located = _run(where, env, "locate", source, "Kursk")
    assert located.returncode == 0, located.stderr
    assert located.stdout.split(",")[0] == str(REPORT.index("Kursk"))

    # a new troop estimate, and add-evidence for it and for each field it states
    estimates = where / "raw" / "troop_estimates.csv"
    header = next(csv.reader(io.StringIO(estimates.read_text("utf-8"))))
    numbers = [int(r["estimate_id"].split("-")[1]) for r in _rows(estimates)]
    estimate = f"te-{max(numbers) + 1:03d}"
    record = {"estimate_id": estimate, "subject_actor_id": "north-korean-army",
              "measure": "present", "location": "Kursk", "location_code": "RU-KRS",
              "as_of_text": "2 December 2026", "figure_text": "roughly 14,500",
              "claimant_actor_id": "south-korea-government", "status": "asserted",
              "modality": "ongoing", "note": "Written for the curation test."}
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([record.get(c, "") for c in header])
    with estimates.open("a", encoding="utf-8", newline="") as handle:
        handle.write(out.getvalue())
    phrases = {None: "roughly 14,500 North Korean soldiers were now stationed in the Kursk "
                     "region", "figure_text": "roughly 14,500", "location": "Kursk",
               "as_of_text": "2 December 2026", "claimant_actor_id": "The South Korean government",
               "modality": "were now stationed"}
    for field, phrase in phrases.items():
        result = _run(where, env, "add-evidence", "troop_estimates", estimate, source, phrase,
                      *(["--field", field] if field else []))
        assert result.returncode == 0, result.stderr
        line = result.stdout
        assert f",{source},{REPORT.index(phrase)},{REPORT.index(phrase) + len(phrase)}," in line
    for field, phrase in ((None, "SEOUL, 2 December 2026"), ("published_text", "2 December 2026"),
                          ("outlet_id", "The South Korean government said")):
        result = _run(where, env, "add-evidence", "sources", source, source, phrase,
                      *(["--field", field] if field else []))
        assert result.returncode == 0, result.stderr

    # the build takes it all, and the suite passes with no other edit
    built = _run(where, env, "build")
    assert built.returncode == 0, built.stderr + built.stdout
    suite = run_bound([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                       "-n", "2", *INNER_SUITE], timeout=900, cwd=where, env=env)
    assert suite.returncode == 0, suite.stdout[-4000:] + suite.stderr[-2000:]


# --- what the commands refuse, named ------------------------------------------------------

def test_add_source_refuses_what_is_not_a_plain_utf8_text(tmp_path: Path) -> None:
    cases = {"latin1.txt": ("caf\xe9".encode("latin-1"), "encoding"),
             "empty.txt": (b"  \n", "empty_text"),
             "hidden.txt": ("Kim\u200bJong".encode(), "invisible_character"),
             "control.txt": (b"a\x07b", "control_character")}
    for name, (data, rule) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(CurationError) as raised:
            check_text(tmp_path / name)
        assert raised.value.rule == rule and name in str(raised.value), name
    (tmp_path / "link.txt").symlink_to(tmp_path / "empty.txt")
    with pytest.raises(CurationError, match="link"):
        check_text(tmp_path / "link.txt")


def test_add_source_checks_what_it_is_given_before_it_writes(project: Path,
                                                             tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = tmp_path / "text.txt"
    text.write_text(REPORT, encoding="utf-8")
    before = (project / "raw" / "sources.csv").read_bytes()
    for kwargs, rule in (({"published": "sometime"}, "date"),
                         ({"published": "since 2024"}, "date"),
                         ({"published": "2026-12-02", "kind": "rumour"}, "vocabulary"),
                         ({"published": "2026-12-02", "outlet": "no-such-outlet"}, "reference"),
                         ({"published": "2026-12-02", "language": "english"}, "iso_code"),
                         ({"published": "2026-12-02", "language": "xx"}, "iso_code")):
        published = str(kwargs.pop("published"))
        with pytest.raises(CurationError) as raised:
            add_source(text, published, root=project, corpus=corpus, **kwargs)
        assert raised.value.rule == rule, kwargs
    assert (project / "raw" / "sources.csv").read_bytes() == before
    assert list(corpus.iterdir()) == []


def test_add_evidence_refuses_an_ambiguous_or_absent_phrase(project: Path, tmp_path: Path
                                                            ) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = tmp_path / "text.txt"
    text.write_text(REPORT, encoding="utf-8")
    source = add_source(text, "2026-12-02", kind="news", note="test", root=project,
                        corpus=corpus).source_id
    before = (project / "raw" / "evidence.csv").read_bytes()
    record = _rows(project / "raw" / "troop_estimates.csv")[0]["estimate_id"]
    for phrase, rule in (("said", "ambiguous_phrase"), ("Pyongyang", "phrase"), (" ", "phrase")):
        with pytest.raises(CurationError) as raised:
            add_evidence("troop_estimates", record, source, phrase, root=project, corpus=corpus)
        assert raised.value.rule == rule, phrase
    with pytest.raises(CurationError, match="no such record"):
        add_evidence("troop_estimates", "te-999999", source, "Kursk", root=project,
                     corpus=corpus)
    with pytest.raises(CurationError, match="not a column"):
        add_evidence("troop_estimates", record, source, "Kursk", field="colour", root=project,
                     corpus=corpus)
    assert (project / "raw" / "evidence.csv").read_bytes() == before
    row, line = add_evidence("troop_estimates", record, source, "said", nth=2, root=project,
                             corpus=corpus)
    second = REPORT.index("said", REPORT.index("said") + 1)
    assert (int(row["span_start"]), int(row["span_end"])) == (second, second + len("said"))
    lines = (project / "raw" / "evidence.csv").read_text("utf-8").splitlines()
    assert lines[line - 1].startswith(row["evidence_id"] + ",")
    with pytest.raises(CurationError, match="already supports"):
        add_evidence("troop_estimates", record, source, "said", nth=2, root=project,
                     corpus=corpus)


def test_extract_of_a_missing_file_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dprk_ru_data.cli import main

    missing = tmp_path / "nosuchfile.txt"
    result = CliRunner().invoke(main, ["extract", str(missing)])
    assert result.exit_code == 2 and "nosuchfile.txt" in result.output


def test_extract_marks_what_needs_a_curator(tmp_path: Path) -> None:
    from dprk_ru_data.extract import extract

    text = ("On 4 November 2024 an official said the North now sends about half of the shells "
            "daily. Another official put deliveries at 500 shells a day. About 3,000 troops "
            "left, and talks will resume on 15 December 2024.")
    path = tmp_path / "text.txt"
    path.write_text(text, encoding="utf-8")
    rows = {row["text"]: row for row in extract(str(path), published="2024-11-04")}
    assert "'daily'" in (rows["about half"]["note"] or "")  # the span leaves the rate out
    five_hundred = next(row for t, row in rows.items() if t.startswith("500"))
    assert five_hundred["per"] == "day" or "'a day'" in five_hundred["note"]
    assert "follows in the clause" not in (rows["About 3,000"]["note"] or "")
    later = next(row for t, row in rows.items() if "15 December" in t)
    assert "after the publication date" in later["note"]
    earlier = next(row for t, row in rows.items() if "4 November" in t)
    assert "after the publication date" not in (earlier["note"] or "")
