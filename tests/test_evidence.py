"""Every evidence span re-hashes from the corpus; a tampered span is caught."""

from __future__ import annotations

from pathlib import Path

import dprk_ru_data
from dprk_ru_data.evidence import find_spans, span_sha256, verify_evidence

from .conftest import ROOT


def rows(name: str) -> list[dict]:
    return dprk_ru_data.load(name).to_dicts()


def test_every_span_matches_the_corpus(corpus: Path) -> None:
    assert verify_evidence(corpus) == []
    assert dprk_ru_data.verify_evidence is verify_evidence


def test_tampered_spans_are_each_located(corpus: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "build", tmp_path / "build")
    shutil.copy2(ROOT / "datapackage.json", tmp_path / "datapackage.json")
    path = tmp_path / "build" / "evidence.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = lines[1].split(","), lines[2].split(",")
    first[6] = str(int(first[6]) + 1)  # span_end one further: the hash no longer matches
    second[5], second[6] = "1000000000", "1000000001"  # a span past the end of its text
    lines[1], lines[2] = ",".join(first), ",".join(second)
    path.write_text("".join(lines), encoding="utf-8")
    problems = verify_evidence(corpus, tmp_path)
    assert [(p.file, p.line, p.rule) for p in problems] == [
        ("build/evidence.csv", 2, "span_hash"), ("build/evidence.csv", 3, "span_range")]


def test_a_text_missing_from_the_corpus_is_a_problem(corpus: Path, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(corpus, tmp_path / "corpus")
    missing = rows("sources")[0]["corpus_file"]
    (tmp_path / "corpus" / missing).unlink()
    problems = verify_evidence(tmp_path / "corpus")
    assert [(p.rule, p.value) for p in problems] == [("corpus_missing", missing)]


def test_sources_match_the_corpus_manifest(corpus: Path) -> None:
    import csv

    manifest = {r["file"]: r for r in csv.DictReader((corpus / "MANIFEST.csv").open(encoding="utf-8"))}
    sources = rows("sources")
    assert sorted(s["corpus_file"] for s in sources) == sorted(manifest)
    for source in sources:
        entry = manifest[source["corpus_file"]]
        assert source["corpus_sha256"] == entry["sha256"]
        assert source["corpus_chars"] == int(entry["chars"])


def test_locate_finds_every_occurrence() -> None:
    text = "North Korea and North Korea"
    spans = find_spans(text, "North Korea")
    assert [(s.start, s.end) for s in spans] == [(0, 11), (16, 27)]
    assert all(text[s.start:s.end] == "North Korea" and s.sha256 == span_sha256("North Korea")
               for s in spans)


def test_cli_verify_evidence_passes_and_fails_on_a_tampered_span(corpus: Path, tmp_path: Path) -> None:
    import shutil

    from click.testing import CliRunner

    from dprk_ru_data.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["verify-evidence", "--corpus", str(corpus)], catch_exceptions=False)
    assert ok.exit_code == 0 and "evidence spans match" in ok.stdout
    shutil.copytree(ROOT / "build", tmp_path / "build")
    shutil.copy2(ROOT / "datapackage.json", tmp_path / "datapackage.json")
    path = tmp_path / "build" / "evidence.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[7] = "0" * 64  # a wrong hash for the first span
    lines[1] = ",".join(fields)
    path.write_text("".join(lines), encoding="utf-8")
    bad = runner.invoke(main, ["verify-evidence", "--corpus", str(corpus), "--root", str(tmp_path)],
                        catch_exceptions=False)
    assert bad.exit_code == 1
    assert "build/evidence.csv:2: span_sha256:" in bad.stderr


def test_cli_locate_prints_offsets_that_verify(corpus: Path) -> None:
    from click.testing import CliRunner

    from dprk_ru_data.cli import main

    result = CliRunner().invoke(main, ["locate", "src-004", "Vladivostok", "--corpus", str(corpus)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    start, end, digest = result.stdout.splitlines()[0].split(",")
    text = (corpus / rows("sources")[4]["corpus_file"]).read_text(encoding="utf-8")
    assert text[int(start):int(end)] == "Vladivostok" and digest == span_sha256("Vladivostok")


def test_every_record_has_evidence_and_fields_name_real_columns() -> None:
    from dprk_ru_data.registry import TABLES

    evidence = rows("evidence")
    for name, table in TABLES.items():
        if name == "evidence" or table.view or not table.needs_evidence:
            continue
        key = TABLES[name].key
        supported = {e["record_id"] for e in evidence if e["record_table"] == name}
        assert {r[key] for r in rows(name)} <= supported, name
    for e in evidence:
        assert e["field"] is None or e["field"] in TABLES[e["record_table"]].columns, e
