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
