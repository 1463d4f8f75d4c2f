"""Every evidence span re-hashes from the corpus; a tampered span is caught."""

from __future__ import annotations

from pathlib import Path

import dprk_ru_data
from dprk_ru_data.evidence import locate, span_sha256, verify


def rows(name: str) -> list[dict]:
    return dprk_ru_data.load(name).to_dicts()


def test_every_span_matches_the_corpus(corpus: Path) -> None:
    assert verify(rows("evidence"), rows("sources"), corpus) == []


def test_tampered_span_is_reported(corpus: Path) -> None:
    evidence = rows("evidence")
    evidence[0]["span_end"] += 1
    evidence[1]["span_start"] = 10**9
    problems = verify(evidence, rows("sources"), corpus)
    assert [p.evidence_id for p in problems] == [evidence[0]["evidence_id"], evidence[1]["evidence_id"]]
    assert "does not hash" in problems[0].reason and "outside the text" in problems[1].reason


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
    spans = locate(text, "North Korea")
    assert [(s.start, s.end) for s in spans] == [(0, 11), (16, 27)]
    assert all(text[s.start:s.end] == "North Korea" and s.sha256 == span_sha256("North Korea")
               for s in spans)


def test_cli_verify_evidence_passes_and_fails_on_a_tampered_span(corpus: Path, tmp_path: Path) -> None:
    import shutil

    from click.testing import CliRunner

    from dprk_ru_data.cli import main

    from .conftest import ROOT

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
    assert f"{fields[0]} ({fields[4]}): span" in bad.stderr


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
    from dprk_ru_data.schemas import TABLES

    evidence = rows("evidence")
    for name in TABLES:
        if name == "evidence":
            continue
        key = TABLES[name].primary_key
        supported = {e["record_id"] for e in evidence if e["record_table"] == name}
        assert {r[key] for r in rows(name)} <= supported, name
    for e in evidence:
        assert e["field"] is None or e["field"] in TABLES[e["record_table"]].columns, e
