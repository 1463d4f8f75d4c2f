"""The tables of the dataset: one pandera model (polars backend) per table, and the registry of tables.

This module is the single source of truth for column names, types, constraints and descriptions.
The Frictionless descriptor (`package.py`), the build (`build.py`) and, through the descriptor, the
loaders are all derived from ``TABLES``. It imports pandera, so only build-time code imports it.

Two kinds of column come in groups that share a prefix:

* a *figure* ``<p>_text`` (as written in the report) with ``<p>_low``, ``<p>_best``, ``<p>_high``
  and ``<p>_qualifier``;
* a *date* ``<p>_text`` with ``<p>_edtf``, ``<p>_start``, ``<p>_end`` and ``<p>_precision``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandera.polars as pa
import polars as pl

from . import vocab

# Columns that the curator may leave out of raw/ because the build derives them.
DERIVED = "derived"
# Field metadata key naming the table a column refers to.
REFERENCES = "references"
MAX_TEXT = 2000
# Field metadata key: "country" (ISO 3166-1/-3) or "place" (ISO 3166-2 or -1), checked by the build.
ISO = "iso"
# Field metadata key marking prose typed by curators, where formula-like openings are refused.
FREE_TEXT = "free_text"


@dataclass(frozen=True)
class Column:
    """One column: its Python annotation and its pandera field."""

    annotation: Any
    field: Any


def _vocab_description(text: str, vocabulary: vocab.Vocabulary) -> str:
    values = "; ".join(f"`{value}`: {meaning}" for value, meaning in vocabulary.items())
    return f"{text} One of: {values}"


def key(description: str) -> Column:
    # Uniqueness is checked by the build, which names both lines of a duplicate.
    return Column(str, pa.Field(str_length={"min_value": 1, "max_value": 80},
                                str_matches=r"^[a-z0-9][a-z0-9_.-]*$", description=description))


def text(description: str, *, required: bool = False, max_length: int = MAX_TEXT) -> Column:
    annotation = str if required else str | None
    return Column(annotation, pa.Field(nullable=not required, description=description,
                                       str_length={"min_value": 1, "max_value": max_length},
                                       metadata={FREE_TEXT: True}))


def ref(description: str, table: str, *, required: bool = False) -> Column:
    annotation = str if required else str | None
    return Column(annotation, pa.Field(nullable=not required, description=description,
                                       metadata={REFERENCES: table}))


def enum(description: str, vocabulary_name: str, *, required: bool = True,
         derived: bool = False, vocabulary: vocab.Vocabulary | None = None) -> Column:
    """A closed-vocabulary column; the vocabulary is named in vocab.VOCABULARIES unless given."""
    if vocabulary is None:
        vocabulary = vocab.VOCABULARIES[vocabulary_name]
    annotation = str if required else str | None
    metadata = {"vocabulary": vocabulary_name, "values": vocabulary, DERIVED: derived}
    return Column(annotation, pa.Field(nullable=not required, isin=list(vocabulary),
                                       description=_vocab_description(description, vocabulary),
                                       metadata=metadata))


def integer(description: str, *, required: bool = True, ge: int | None = 0) -> Column:
    annotation = int if required else int | None
    return Column(annotation, pa.Field(nullable=not required, ge=ge, description=description))


def code(description: str, pattern: str, *, required: bool = False,
         iso: str | None = None) -> Column:
    """A coded column; `iso` ("country" or "place") makes the build check it with pycountry."""
    annotation = str if required else str | None
    return Column(annotation, pa.Field(nullable=not required, str_matches=pattern,
                                       description=description, metadata={ISO: iso}))


def figure(prefix: str, what: str, *, kind: str = "count") -> dict[str, Column]:
    """The five columns of a figure: the text as written and its normalised bounds."""
    number: Any = int | None if kind == "count" else float | None
    bound = {"ge": 0} if kind == "count" else {"ge": 0.0, "le": 1.0}
    unit = "count" if kind == "count" else "share between 0 and 1"
    derived = {DERIVED: True, "figure_kind": kind}
    return {
        f"{prefix}_text": Column(str | None, pa.Field(
            nullable=True, str_length={"min_value": 1, "max_value": 200},
            description=f"{what}, as written in the report.",
            metadata={"figure_kind": kind, FREE_TEXT: True})),
        f"{prefix}_low": Column(number, pa.Field(
            nullable=True, **bound, metadata=derived,
            description=f"Lowest value ({unit}) that `{prefix}_text` allows; empty if unbounded.")),
        f"{prefix}_best": Column(number, pa.Field(
            nullable=True, **bound, metadata=derived,
            description=f"Single best value ({unit}) of `{prefix}_text`; empty where the text states none.")),
        f"{prefix}_high": Column(number, pa.Field(
            nullable=True, **bound, metadata=derived,
            description=f"Highest value ({unit}) that `{prefix}_text` allows; empty if unbounded.")),
        f"{prefix}_qualifier": enum(
            f"How `{prefix}_text` qualifies its number.", "figure_qualifier",
            required=False, derived=True),
    }


def date(prefix: str, what: str) -> dict[str, Column]:
    """The five columns of a date: the text as written and its normalised interval."""
    derived = {DERIVED: True}
    return {
        f"{prefix}_text": Column(str | None, pa.Field(
            nullable=True, str_length={"min_value": 1, "max_value": 200},
            description=f"{what}, as written in the report or by the curator.",
            metadata={"date": True, FREE_TEXT: True})),
        f"{prefix}_edtf": Column(str | None, pa.Field(
            nullable=True, metadata=derived,
            description=f"`{prefix}_text` as an Extended Date/Time Format (EDTF, ISO 8601-2) string.")),
        f"{prefix}_start": Column(dt.date | None, pa.Field(
            nullable=True, metadata=derived,
            description=f"Earliest day that `{prefix}_text` allows; empty if open.")),
        f"{prefix}_end": Column(dt.date | None, pa.Field(
            nullable=True, metadata=derived,
            description=f"Latest day that `{prefix}_text` allows; empty if open.")),
        f"{prefix}_precision": enum(
            f"Precision of `{prefix}_text`.", "date_precision", required=False, derived=True),
    }


def _row_check(name: str, condition: pl.Expr) -> Any:
    """A pandera dataframe check named `name` that holds where `condition` is true."""

    def check(cls: Any, data: Any) -> pl.LazyFrame:
        return data.lazyframe.select(condition.alias(name))

    check.__name__ = name
    return pa.dataframe_check(check)


def _ordered(columns: list[str]) -> pl.Expr:
    """True where the given columns, where present, never decrease left to right."""
    conditions = [pl.col(left).is_null() | pl.col(right).is_null() | (pl.col(left) <= pl.col(right))
                  for i, left in enumerate(columns) for right in columns[i + 1:]]
    return pl.all_horizontal(conditions)


def _text_required_for(prefix: str, values: list[str]) -> pl.Expr:
    """True where normalised values appear only beside the text they were read from."""
    any_value = pl.any_horizontal([pl.col(c).is_not_null() for c in values])
    return ~any_value | pl.col(f"{prefix}_text").is_not_null()


@dataclass(frozen=True)
class Table:
    """One table of the dataset, as the registry knows it."""

    name: str
    title: str
    description: str
    primary_key: str
    model: type[pa.DataFrameModel]
    figures: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    foreign_keys: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return list(self.model.to_schema().columns)

    @property
    def derived_columns(self) -> list[str]:
        return [name for name, column in self.model.to_schema().columns.items()
                if (column.metadata or {}).get(DERIVED)]

    @property
    def free_text_columns(self) -> list[str]:
        return [name for name, column in self.model.to_schema().columns.items()
                if (column.metadata or {}).get(FREE_TEXT)]

    @property
    def raw_columns(self) -> list[str]:
        derived = set(self.derived_columns)
        return [name for name in self.columns if name not in derived]


def _table(name: str, title: str, description: str, columns: dict[str, Column],
           checks: dict[str, pl.Expr] | None = None) -> Table:
    """Make the pandera model of a table from its columns and register the checks its groups need."""
    figures = tuple(c[: -len("_text")] for c, col in columns.items()
                    if c.endswith("_text") and "figure_kind" in (col.field.metadata or {}))
    dates = tuple(c[: -len("_text")] for c, col in columns.items()
                  if c.endswith("_text") and (col.field.metadata or {}).get("date"))
    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": __name__}
    for column_name, column in columns.items():
        namespace["__annotations__"][column_name] = column.annotation
        namespace[column_name] = column.field
    rules = dict(checks or {})
    for prefix in figures:
        parts = [f"{prefix}_{s}" for s in ("low", "best", "high", "qualifier")]
        rules[f"{prefix}_low_le_best_le_high"] = _ordered(parts[:3])
        rules[f"{prefix}_values_need_text"] = _text_required_for(prefix, parts)
    for prefix in dates:
        parts = [f"{prefix}_{s}" for s in ("start", "end", "edtf", "precision")]
        rules[f"{prefix}_start_le_end"] = _ordered(parts[:2])
        rules[f"{prefix}_values_need_text"] = _text_required_for(prefix, parts)
    for rule, condition in rules.items():
        namespace[rule] = _row_check(rule, condition)
    namespace["Config"] = type("Config", (), {"strict": True, "name": name,
                                               "title": title, "description": description})
    model = type("".join(part.title() for part in name.split("_")), (pa.DataFrameModel,), namespace)
    foreign_keys = {c: col.field.metadata[REFERENCES] for c, col in columns.items()
                    if REFERENCES in (col.field.metadata or {})}
    primary_key = next(iter(columns))
    return Table(name, title, description, primary_key, model, figures, dates, foreign_keys)


ISO_COUNTRY = r"^([A-Z]{2}|[A-Z]{4})$"
ISO_SUBDIVISION = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"
SHA256 = r"^[0-9a-f]{64}$"

SOURCES = _table("sources", "Sources", "One row per corpus text the data is curated from, with the "
                 "bibliographic metadata inferred from the text itself and how it was inferred.", {
    "source_id": key("Stable identifier of the source."),
    "corpus_file": text("File name of the text in the corpus; its stem is the corpus id.",
                        required=True, max_length=200),
    "corpus_sha256": code("SHA-256 of the corpus file's bytes, as in the corpus manifest.", SHA256,
                          required=True),
    "corpus_chars": integer("Length of the text in characters (Python str length of the UTF-8 text)."),
    "outlet_id": ref("The outlet that published the text (actors.actor_id); empty if unknown.",
                     "actors"),
    "author": text("Author as named by the text's byline or contact line; empty if not stated."),
    "title": text("Title as stated in the text; empty where the text does not state one "
                  "(see `metadata_note`)."),
    **date("published", "Publication date"),
    "kind": enum("Kind of text.", "source_kind"),
    "url": text("Address of the original publication, where the text itself gives it."),
    "metadata_note": text("How outlet, author, title and date were inferred from clues in the text, "
                          "in the curator's words.", required=True),
})

ACTORS = _table("actors", "Actors", "People, states, governments, armed forces and units, media "
                "outlets and unnamed sources that the texts name, claim or count.", {
    "actor_id": key("Stable identifier of the actor."),
    "name": text("Canonical name.", required=True, max_length=200),
    "variants": text("Other spellings seen in the texts, separated by ` | `; misspellings included "
                     "so that every mention resolves."),
    "kind": enum("Kind of actor.", "actor_kind"),
    "country": code("Country of the actor: ISO 3166-1 alpha-2, or ISO 3166-3 alpha-4 for a state "
                    "that no longer exists.", ISO_COUNTRY, iso="country"),
    "role": text("Role or title as stated in the texts."),
    "parent_actor_id": ref("The actor this one belongs to (a unit's armed force, an official's "
                           "government), actors.actor_id.", "actors"),
    "note": text("Curator's note."),
})

TROOP_ESTIMATES = _table("troop_estimates", "Troop estimates", "Every stated number of personnel: "
                         "who is counted, what is counted, where and when, the figure as written "
                         "with its bounds, who claimed it and how sure they were.", {
    "estimate_id": key("Stable identifier of the estimate."),
    "subject_actor_id": ref("Who is counted (actors.actor_id).", "actors", required=True),
    "measure": enum("What is counted.", "measure"),
    "location": text("Where, as the text names it.", max_length=200),
    "location_code": code("ISO 3166-2 code of the place (or ISO 3166-1 alpha-2 for a country).",
                          ISO_SUBDIVISION, iso="place"),
    **date("as_of", "When the figure applies"),
    **figure("figure", "The number of personnel"),
    "claimant_actor_id": ref("Who made the claim (actors.actor_id).", "actors"),
    "relayed_by_actor_id": ref("The outlet that first reported the claim, where the text says "
                               "(actors.actor_id).", "actors"),
    "status": enum("Status of the claim.", "claim_status"),
    "note": text("Curator's note, e.g. where other rows disagree with this one."),
})

ARMS_TRANSFERS = _table("arms_transfers", "Arms transfers", "Transfers of munitions, missiles, "
                        "technology and know-how in either direction, with quantities, periods and "
                        "reliability where stated.", {
    "transfer_id": key("Stable identifier of the transfer."),
    "supplier_actor_id": ref("Who supplies (actors.actor_id).", "actors", required=True),
    "recipient_actor_id": ref("Who receives (actors.actor_id).", "actors", required=True),
    "category": enum("What kind of thing is transferred.", "transfer_category"),
    "designation": text("Designation or description of the item as the texts name it.",
                        max_length=200),
    **figure("quantity", "Quantity transferred"),
    **figure("supply_share", "Share of the recipient's use or need that this supply covers",
             kind="fraction"),
    **figure("defect_share", "Share of the items found defective or failing", kind="fraction"),
    **date("period", "When the transfer happened or was reported to happen"),
    "status": enum("Status of the report.", "transfer_status"),
    "claimant_actor_id": ref("Who made the claim (actors.actor_id).", "actors"),
    "note": text("Curator's note."),
})

INCIDENTS = _table("incidents", "Incidents", "Dated events: strikes, casualties, desertions, "
                   "incursions, demolitions, treaty steps, statements and denials.", {
    "incident_id": key("Stable identifier of the incident."),
    **date("date", "When the incident happened"),
    "type": enum("Type of incident.", "incident_type"),
    "description": text("What happened, in the curator's words.", required=True),
    "place": text("Where, as the text names it.", max_length=200),
    "place_code": code("ISO 3166-2 code of the place (or ISO 3166-1 alpha-2 for a country).",
                       ISO_SUBDIVISION, iso="place"),
    "actor_id": ref("The actor who acted or spoke (actors.actor_id).", "actors"),
    "target_actor_id": ref("The actor acted upon or addressed (actors.actor_id).", "actors"),
    **figure("figure", "A number of people or things the incident involves"),
    "claimant_actor_id": ref("Who reported or claimed the incident (actors.actor_id).", "actors"),
    "status": enum("Status of the report.", "incident_status"),
    "note": text("Curator's note."),
})

HISTORICAL_DEPLOYMENTS = _table("historical_deployments", "Historical deployments", "North Korea's "
                                "deployments of personnel abroad before the war in Ukraine.", {
    "deployment_id": key("Stable identifier of the deployment."),
    "host_actor_id": ref("The state or force that North Korea backed (actors.actor_id).",
                         "actors", required=True),
    "conflict": text("The war or theatre, as the curator names it.", required=True, max_length=200),
    **date("period", "When the deployment took place"),
    "personnel_kind": enum("Kind of personnel sent.", "personnel_kind"),
    **figure("size", "Number of personnel"),
    "role": text("What the personnel did, in the curator's words.", required=True),
    "outcome": text("How the deployment ended or what it achieved, where the texts say."),
    "claimant_actor_id": ref("Who the text cites for it (actors.actor_id).", "actors"),
    "note": text("Curator's note."),
})

_RECORD_TABLES = (SOURCES, ACTORS, TROOP_ESTIMATES, ARMS_TRANSFERS, INCIDENTS,
                  HISTORICAL_DEPLOYMENTS)

EVIDENCE = _table("evidence", "Evidence", "Links every record of every table to the passages of the "
                  "corpus texts that support it, by character offsets and a hash of the span.", {
    "evidence_id": key("Stable identifier of the evidence link."),
    "record_table": enum("Table of the supported record.", "record_table", vocabulary={
        table.name: table.description for table in _RECORD_TABLES}),
    "record_id": text("Primary key of the supported record in `record_table`.", required=True,
                      max_length=80),
    "field": text("The field of the record the span supports, where it supports only one.",
                  max_length=80),
    "source_id": ref("The source text (sources.source_id).", "sources", required=True),
    "span_start": integer("Start of the span: Python str index into the UTF-8 text, inclusive."),
    "span_end": integer("End of the span: Python str index into the UTF-8 text, exclusive."),
    "span_sha256": code("SHA-256 of the span's text encoded as UTF-8.", SHA256, required=True),
    "note": text("Curator's note on what the span shows."),
}, checks={"span_start_lt_end": pl.col("span_start") < pl.col("span_end")})

TABLES: dict[str, Table] = {table.name: table for table in (*_RECORD_TABLES, EVIDENCE)}
