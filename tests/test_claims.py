"""The questions the data exists for, answered in one expression, and checked against raw/."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

import dprk_ru_data
from dprk_ru_data.cli import main
from dprk_ru_data import registry
from dprk_ru_data.registry import TABLES

from .conftest import ROOT

CLAIM_TABLES = tuple(registry.CLAIM_TABLES)  # the tables of claims, as the registry declares


def raw(table: str) -> list[dict[str, str]]:
    with (ROOT / "raw" / f"{table}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def latest_publication() -> dict[str, dt.date]:
    """Each source's latest possible publication day, read from raw/ by hand (EDTF day or
    day/day interval), not by the package's readers."""
    return {row["source_id"]: dt.date.fromisoformat(row["published_text"].split("/")[-1])
            for row in raw("sources")}


def reporting_sources(table: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in raw("evidence"):
        if row["record_table"] == table:
            out.setdefault(row["record_id"], set()).add(row["source_id"])
    return out


def test_who_claimed_how_many_deployed_troops_and_when() -> None:
    answer = (dprk_ru_data.load("claims")
              .filter(pl.col("record_table") == "troop_estimates", pl.col("measure") == "deployed")
              .select("record_id", "claimant_name", "claimant_basis", "figure_text", "low",
                      "high", "claim_window_end"))
    names = {row["actor_id"]: row["name"] for row in raw("actors")}
    outlets = {row["source_id"]: names.get(row["outlet_id"]) for row in raw("sources")}
    published, sources = latest_publication(), reporting_sources("troop_estimates")
    # Where the record names no claimant, the claim is the outlet's of a text that reports it.
    expected = {(row["estimate_id"], names.get(row["claimant_actor_id"]), row["figure_text"],
                 min(published[s] for s in sources[row["estimate_id"]]))
                for row in raw("troop_estimates")
                if row["measure"] == "deployed" and row["figure_text"]}
    got = {(r["record_id"], r["claimant_name"] if r["claimant_basis"] == "named" else None,
            r["figure_text"], r["claim_window_end"]) for r in answer.iter_rows(named=True)}
    for row in answer.filter(pl.col("claimant_basis") == "outlet").iter_rows(named=True):
        assert row["claimant_name"] in {outlets[s] for s in sources[row["record_id"]]}
    # The claim window may be narrower than the publication (a claim dated by its text), never
    # later: compare the rest exactly and the window's end as a bound.
    assert {g[:3] for g in got} == {e[:3] for e in expected} and expected
    for record, _, _, end in got:
        bound = next(e[3] for e in expected if e[0] == record)
        assert end is not None and end <= bound, record


@pytest.mark.parametrize("table", CLAIM_TABLES)
def test_every_claim_has_a_claim_window_with_a_latest_day(table: str) -> None:
    frame = dprk_ru_data.load(table)
    assert frame.height and frame["claim_window_end"].null_count() == 0
    published, sources = latest_publication(), reporting_sources(table)
    key = TABLES[table].key
    for record, end in frame.select(key, "claim_window_end").iter_rows():
        assert end <= min(published[s] for s in sources[record]), record


@pytest.mark.parametrize("table", CLAIM_TABLES)
def test_events_end_no_later_than_their_claim_unless_not_done(table: str) -> None:
    frame = dprk_ru_data.load(table)
    done = pl.col("modality").cast(pl.String).is_in(["occurred", "ongoing"])
    happened, not_done = frame.filter(done), frame.filter(~done)
    assert happened["event_window_end"].null_count() == 0, table
    assert (happened["event_window_end"] <= happened["claim_window_end"]).all(), table
    # A plan, an expectation, a possibility or a hypothesis is not closed by its claim.
    assert not_done.filter(pl.col("event_window_end") <= pl.col("claim_window_end")).is_empty()


def test_records_dated_against_another_start_no_earlier_than_it() -> None:
    windows = pl.concat([dprk_ru_data.load(t).select(
        pl.col(TABLES[t].key).alias("id"), "event_window_start", "event_window_end",
        "dated_after", "dated_before") for t in CLAIM_TABLES])
    by_id = {row["id"]: row for row in windows.iter_rows(named=True)}
    linked = [row for row in by_id.values() if row["dated_after"] or row["dated_before"]]
    assert linked, "no record is dated against another"
    for row in linked:
        if row["dated_after"] and by_id[row["dated_after"]]["event_window_start"]:
            assert row["event_window_start"] >= by_id[row["dated_after"]]["event_window_start"]
        if row["dated_before"] and by_id[row["dated_before"]]["event_window_end"]:
            assert row["event_window_end"] <= by_id[row["dated_before"]]["event_window_end"]


def test_events_view_has_every_incident_transfer_and_deployment_with_names() -> None:
    events = dprk_ru_data.load("events")
    ids = {r["incident_id"] for r in raw("incidents")} | {
        r["deployment_id"] for r in raw("historical_deployments")} | {
        r["transfer_id"] for r in raw("arms_transfers")}
    assert set(events["event_id"]) == ids
    names = {row["actor_id"]: row["name"] for row in raw("actors")}
    for row in events.iter_rows(named=True):
        assert row["actor_name"] == names.get(row["actor_id"]), row["event_id"]
        assert row["modality"] and row["status"], row["event_id"]
        # A claimant for every row, unless the text names none and its outlet is unknown.
        assert (row["claimant_name"] is None) == (row["claimant_basis"] == "unknown")


def test_claims_and_events_share_one_status_and_one_measure_vocabulary() -> None:
    from dprk_ru_data import vocab

    claims, events = dprk_ru_data.load("claims"), dprk_ru_data.load("events")
    assert claims.schema["status"] == events.schema["status"]
    assert list(claims.schema["status"].categories) == list(vocab.CLAIM_STATUS)
    assert "occurred" not in claims.schema["status"].categories
    assert list(claims.schema["measure"].categories) == list(vocab.MEASURE)
    # No measure is an incident type, and no two measures differ only by their ending.
    assert not set(vocab.MEASURE) & set(vocab.INCIDENT_TYPE)
    def stem(measure: str) -> str:  # "deployed", "deployment" -> "deploy"
        return next((measure.removesuffix(end) for end in ("ment", "ion", "ed", "s")
                     if measure.endswith(end)), measure)

    stems = [stem(m) for m in vocab.MEASURE]
    assert len(stems) == len(set(stems))
    assert stem("deployment") == stem("deployed") and stem("desertion") == stem("deserted")


def test_every_claim_by_south_korean_sources_is_found_by_its_country() -> None:
    result = CliRunner().invoke(main, ["show", "events", "--where", "claimant_country=KR",
                                       "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    shown = {row["event_id"] for row in json.loads(result.stdout)}
    korean = {row["actor_id"] for row in raw("actors") if row["country"] == "KR"}
    statements = {row["incident_id"] for row in raw("incidents")
                  if row["type"] == "statement" and row["claimant_actor_id"] in korean}
    assert statements and statements <= shown


def test_counts_are_integers_and_shares_lie_between_0_and_1() -> None:
    claims = dprk_ru_data.load("claims")
    assert {claims.schema[c] for c in ("low", "best", "high")} == {pl.Int64}
    shares = claims.filter(pl.col("unit") == "fraction")
    assert shares.height and shares["best"].null_count() == shares.height
    values = pl.concat([shares[c] for c in ("share_low", "share_best", "share_high")])
    assert values.drop_nulls().is_between(0, 1).all()
    text = (ROOT / "build" / "claims.csv").read_text(encoding="utf-8")
    assert "e+" not in text and not re.search(r",\d+\.0,", text)


def test_views_as_of_a_day_keep_the_rows_of_records_known_then() -> None:
    day = min(latest_publication().values())
    known = set(dprk_ru_data.load("troop_estimates", as_of=day)["estimate_id"])
    claims = dprk_ru_data.load("claims", as_of=day)
    everything = dprk_ru_data.load("claims")
    assert claims.height < everything.height
    assert set(claims.filter(pl.col("record_table") == "troop_estimates")["record_id"]) == {
        r for r in everything.filter(pl.col("record_table") == "troop_estimates")["record_id"]
        if r in known}


def test_show_refuses_a_value_that_is_not_in_the_column() -> None:
    result = CliRunner().invoke(main, ["show", "incidents", "--where", "type=strikes"])
    assert result.exit_code == 2
    assert "'strikes' is not a value of incidents.type" in result.output
    assert "strike" in result.output.split("the values are:")[1]
    unknown = CliRunner().invoke(main, ["show", "incidents", "--where", "kind=strike"])
    assert unknown.exit_code == 2 and "kind: not columns of incidents" in unknown.output


def test_show_claims_answers_the_question_in_one_command() -> None:
    result = CliRunner().invoke(main, ["show", "claims", "--where", "measure=deployed",
                                       "--format", "json", "--limit", "100"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    deployed = dprk_ru_data.query("claims", where={"measure": "deployed"})
    assert [r["claim_id"] for r in rows] == deployed["claim_id"].to_list()
    assert all({"claimant_name", "claim_window_end", "outlets"} <= set(r) for r in rows)


@pytest.mark.parametrize("command", [["tables"], ["info"], ["info", "claims"],
                                     ["show", "events", "--limit", "3"]])
def test_rows_print_as_csv_and_json_alike(command: list[str]) -> None:
    runner = CliRunner()
    as_json = runner.invoke(main, [*command, "--format", "json"], catch_exceptions=False)
    as_csv = runner.invoke(main, [*command, "--format", "csv"], catch_exceptions=False)
    assert as_json.exit_code == as_csv.exit_code == 0
    data = json.loads(as_json.output)
    rows = data["resources"] if isinstance(data, dict) else data
    parsed = list(csv.DictReader(as_csv.output.splitlines()))
    assert len(parsed) == len(rows) > 0
    assert list(parsed[0]) == list(rows[0])


def test_info_counts_windows_by_width() -> None:
    result = CliRunner().invoke(main, ["info"], catch_exceptions=False)
    assert "windows:" in result.output
    widths = dprk_ru_data.loaders.window_widths()
    for row in widths:
        total = sum(row[k] for k in ("day", "week", "month", "year", "wider", "open"))
        assert total == dprk_ru_data.load(row["table"]).height, row
    assert {(r["table"], r["window"]) for r in widths} == {
        (t, w) for t in CLAIM_TABLES for w in ("claim", "event")}


def test_evidence_command_shows_each_field_with_its_passage(corpus: Path) -> None:
    result = CliRunner().invoke(main, ["evidence", "te-017", "--corpus", str(corpus),
                                       "--format", "json"], catch_exceptions=False)
    rows = json.loads(result.output)
    fields = {row["field"] for row in rows}
    assert {"figure_text", "claimant_actor_id"} <= fields
    figure = next(row for row in rows if row["field"] == "figure_text")
    assert figure["value"] in figure["passage"]
    assert all(row["evidence_id"] for row in rows)  # every stated field has its own span


def test_evidence_command_without_the_corpus_says_how_to_get_the_text(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["evidence", "te-017", "--corpus", str(tmp_path)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert "sha256" in result.output and "--corpus" in result.output
    missing = CliRunner().invoke(main, ["evidence", "xx-999"])
    assert missing.exit_code == 2 and "no record 'xx-999'" in missing.output


def test_enum_fields_carry_labels_in_the_descriptor() -> None:
    from dprk_ru_data.vocab import label

    descriptor = dprk_ru_data.package()
    measure = next(f for r in descriptor["resources"] if r["name"] == "troop_estimates"
                   for f in r["schema"]["fields"] if f["name"] == "measure")
    assert [c["value"] for c in measure["categories"]] == measure["constraints"]["enum"]
    assert {"value": "killed_or_wounded", "label": label("measure", "killed_or_wounded")} in (
        measure["categories"])
    assert label("measure", "killed_or_wounded") == "killed or wounded"


def test_every_cross_reference_in_a_note_is_a_disagreement_group() -> None:
    """A note that names another record (a disagreement written as prose) is also data: both
    records are in one group of `disagreements`."""
    records = {row[TABLES[t].key]: t for t in CLAIM_TABLES for row in raw(t)}
    groups: dict[str, set[str]] = {}
    for row in raw("disagreements"):
        groups.setdefault(row["group_id"], set()).add(row["record_id"])
    pattern = re.compile(r"\b(?:te|at|in|hd)-\d{3}\b")
    references = {(row[TABLES[t].key], other) for t in CLAIM_TABLES for row in raw(t)
                  for other in pattern.findall(row["note"] or "")
                  if other != row[TABLES[t].key]}
    assert references, "no note names another record"
    assert {other for _, other in references} <= set(records), "a note names no record"
    missing = sorted((a, b) for a, b in references
                     if not any({a, b} <= members for members in groups.values()))
    assert not missing, f"cross-references with no group: {missing}"


def test_the_evidence_command_shows_a_records_disagreement_groups() -> None:
    row = raw("disagreements")[0]
    result = CliRunner().invoke(main, ["evidence", row["record_id"]], catch_exceptions=False)
    assert result.exit_code == 0
    others = [r for r in raw("disagreements")
              if r["group_id"] == row["group_id"] and r["record_id"] != row["record_id"]]
    lines = result.stdout.split("disagreements (", 1)[1]
    assert others and all(f"{row['group_id']} " in lines and other["record_id"] in lines
                          for other in others)
