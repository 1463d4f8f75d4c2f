"""The registry: every table of the dataset declared once, with its fields, keys and rules.

This is the one place to add, change or document a table or a field. Everything else is derived
from it: the pandera schemas the build validates with (`validate`), the Frictionless descriptor
(`datapackage`), the codebook, the loaders' types (through the descriptor), the exports, `diff`,
`info` and the chart. The types a field may have, and what each becomes in every library, are in
`fieldtypes`; the closed vocabularies are in `vocab`. It imports neither polars nor pandera.

Two kinds of field come in groups that share a prefix, the text as written and the fields the
build derives from it:

* a *figure* ``<p>_text`` with ``<p>_low``, ``<p>_best``, ``<p>_high``, ``<p>_qualifier`` and
  ``<p>_per`` (and ``<p>_currency`` for money);
* a *date* ``<p>_text`` with ``<p>_edtf``, ``<p>_start``, ``<p>_end`` and ``<p>_precision``.

A table of claims (`claims()`) also has ``relayed_by_actor_id``, ``claimed_text`` (when the claim
was made, as the text says), ``dated_after`` and ``dated_before`` (a record it is dated against)
and four windows the build derives: ``claim_window_start``/``_end`` and
``event_window_start``/``_end``. The views (``claims``, ``events``) are built from the other
tables and have no file in ``raw/``.

>>> TABLES["troop_estimates"].key
'estimate_id'
>>> TABLES["troop_estimates"].derived_from("figure_text")
('figure_low', 'figure_best', 'figure_high', 'figure_qualifier', 'figure_per')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from . import vocab

MAX_TEXT = 2000
MAX_PHRASE = 200
KEY_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
ISO_COUNTRY = r"^([A-Z]{2}|[A-Z]{4})$"
ISO_SUBDIVISION = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"
SHA256 = r"^[0-9a-f]{64}$"
FIGURE_PARTS = ("low", "best", "high", "qualifier", "per")
MONEY_PARTS = (*FIGURE_PARTS, "currency")
DATE_PARTS = ("edtf", "start", "end", "precision")
TEXT = "_text"

Reads = Literal["count", "fraction", "money", "date"]
WINDOWS = ("claim_window_start", "claim_window_end", "event_window_start", "event_window_end")


@dataclass(frozen=True)
class Field:
    """One field: its type, constraints and meaning.

    `derived_from` names the ``*_text`` field the build reads this one from, or is ``""`` for a
    field the build derives from the whole record (the curator leaves either out of ``raw/``); `reads` says what a ``*_text`` field holds: a figure of a kind in
    ``vocab.FIGURE_KIND``, or a date. `iso` ("country" or "place") has the build check the code
    with pycountry; `free_text` marks prose typed by curators, where formula-like openings are
    refused.
    """

    name: str
    type: str
    description: str
    required: bool = False
    unique: bool = False
    vocabulary: str | None = None
    unit: str | None = None
    references: str | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    iso: str | None = None
    free_text: bool = False
    derived_from: str | None = None
    reads: Reads | None = None

    @property
    def derived(self) -> bool:
        return self.derived_from is not None


@dataclass(frozen=True)
class Rule:
    """A rule every row must keep.

    ``ordered``: the `columns`, where present, never decrease left to right (strictly, if
    `strict`). ``needs_text``: the derived `columns` are empty unless the text `blame` is given.
    `message` is formatted with the row's values where the rule is broken.
    """

    name: str
    kind: Literal["ordered", "needs_text"]
    columns: tuple[str, ...]
    blame: str
    message: str
    strict: bool = False


@dataclass(frozen=True)
class Roles:
    """What a table of claims is to the views and the site, declared once.

    `subject` names the column of who a record is about, `kind` the column of what kind of
    record it is (an incident's type, a transfer's category); `measures` gives, per figure
    prefix, what the figure counts: a column holding a value of ``vocab.MEASURE``, or ``=value``
    for a measure that is the same for every row. `event`: the records report something
    happening, and are rows of the `events` view, with `target` the actor acted upon.
    """

    subject: str
    kind: str
    measures: tuple[tuple[str, str], ...]
    event: bool = False
    target: str | None = None
    description: str | None = None  # the column describing the event, for the events view
    place: str | None = None
    actor: str | None = None  # the column of who acted, or ``=actor_id`` (default: `subject`)

    def measure(self, prefix: str) -> str:
        return dict(self.measures)[prefix]


@dataclass(frozen=True)
class Table:
    """One table of the dataset: the first field is its primary key."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    extra_rules: tuple[Rule, ...] = ()
    event_date: str | None = None  # the prefix of the date group saying when the event was
    view: bool = False  # built from the other tables; no file in raw/
    roles: Roles | None = None  # what a table of claims is to the views (None: not one)
    needs_evidence: bool = True  # every record has a row in evidence (not for derived links)

    @property
    def key(self) -> str:
        return self.fields[0].name

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def raw_columns(self) -> list[str]:
        return [f.name for f in self.fields if not f.derived]

    @property
    def derived_columns(self) -> list[str]:
        return [f.name for f in self.fields if f.derived]

    @property
    def free_text_columns(self) -> list[str]:
        return [f.name for f in self.fields if f.free_text]

    @property
    def foreign_keys(self) -> dict[str, str]:
        return {f.name: f.references for f in self.fields if f.references}

    def derived_from(self, text_column: str) -> tuple[str, ...]:
        """The fields the build derives from `text_column`."""
        return tuple(f.name for f in self.fields if f.derived_from == text_column)

    @property
    def figures(self) -> tuple[str, ...]:
        """The prefixes of the table's figure groups."""
        return tuple(f.name[: -len(TEXT)] for f in self.fields
                     if f.reads in vocab.FIGURE_KIND)

    @property
    def dates(self) -> tuple[str, ...]:
        """The prefixes of the table's date groups."""
        return tuple(f.name[: -len(TEXT)] for f in self.fields if f.reads == "date")

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The table's own rules and those its figure and date groups need."""
        rules = []
        for prefix in self.figures:
            low, best, high = (f"{prefix}_{part}" for part in FIGURE_PARTS[:3])
            rules.append(Rule(
                f"{prefix}_low_le_best_le_high", "ordered", (low, best, high), f"{prefix}{TEXT}",
                f"reads as low {{{low}}}, best {{{best}}}, high {{{high}}}, which are out of "
                "order (low <= best <= high)"))
            rules.append(_needs_text(prefix, self.derived_from(f"{prefix}{TEXT}")))
        for prefix in self.dates:
            edtf, start, end, precision = (f"{prefix}_{part}" for part in DATE_PARTS)
            rules.append(Rule(f"{prefix}_start_le_end", "ordered", (start, end), f"{prefix}{TEXT}",
                              f"ends ({{{end}}}) before it starts ({{{start}}})"))
            rules.append(_needs_text(prefix, (start, end, edtf, precision)))
        if "claim_window_start" in self.columns:
            for window in ("claim_window", "event_window"):
                start, end = f"{window}_start", f"{window}_end"
                rules.append(Rule(f"{window}_start_le_end", "ordered", (start, end), end,
                                  f"the {window.replace('_', ' ')} ends ({{{end}}}) before it "
                                  f"starts ({{{start}}})"))
        return (*self.extra_rules, *rules)


def _needs_text(prefix: str, columns: tuple[str, ...]) -> Rule:
    return Rule(f"{prefix}_values_need_text", "needs_text", columns, f"{prefix}{TEXT}",
                "normalised values are present without the text they were read from")


# Field makers: each says what kind of field it is and fills in the constraints that kind has.

def key(name: str, description: str) -> Field:
    # Uniqueness is checked by the build, which names both lines of a duplicate.
    return Field(name, "string", description, required=True, unique=True, pattern=KEY_PATTERN,
                 min_length=1, max_length=80)


def text(name: str, description: str, *, required: bool = False,
         max_length: int = MAX_TEXT) -> Field:
    return Field(name, "string", description, required=required, min_length=1,
                 max_length=max_length, free_text=True)


def ref(name: str, description: str, table: str, *, required: bool = False) -> Field:
    return Field(name, "string", description, required=required, references=table)


def enum(name: str, description: str, vocabulary: str, *, required: bool = True,
         derived_from: str | None = None) -> Field:
    """A closed-vocabulary field; `vocabulary` names a list of `vocab.VOCABULARIES`."""
    return Field(name, "string", description, required=required, vocabulary=vocabulary,
                 derived_from=derived_from)


def integer(name: str, description: str, *, unit: str = "count", required: bool = True,
            minimum: int | None = 0) -> Field:
    return Field(name, "integer", description, required=required, unit=unit, minimum=minimum)


def code(name: str, description: str, pattern: str, *, required: bool = False,
         iso: str | None = None) -> Field:
    return Field(name, "string", description, required=required, pattern=pattern, iso=iso)


def figure(prefix: str, what: str, *, kind: Reads = "count") -> tuple[Field, ...]:
    """The fields of a figure: the text as written, its normalised bounds, its qualifier and its
    period (a rate's), and for money its currency."""
    if kind not in vocab.FIGURE_KIND:
        raise ValueError(f"figure kind {kind!r} is not in vocab.FIGURE_KIND")
    source = f"{prefix}{TEXT}"
    count = kind == "count"
    unit = {"count": "count", "fraction": "share between 0 and 1",
            "money": "amount in `" + f"{prefix}_currency`"}[kind]

    def bound(part: str, description: str) -> Field:
        return Field(f"{prefix}_{part}", "integer" if count else "number", description,
                     unit=unit, minimum=0 if count else 0.0,
                     maximum=1.0 if kind == "fraction" else None, derived_from=source)

    return (
        Field(source, "string", f"{what}, as written in the report.", min_length=1,
              max_length=MAX_PHRASE, free_text=True, reads=kind),
        bound("low", f"Lowest value ({unit}) that `{source}` allows; empty if unbounded."),
        bound("best", f"Single best value ({unit}) of `{source}`; empty where the text states "
              "none."),
        bound("high", f"Highest value ({unit}) that `{source}` allows; empty if unbounded."),
        enum(f"{prefix}_qualifier", f"How `{source}` qualifies its number.", "figure_qualifier",
             required=False, derived_from=source),
        enum(f"{prefix}_per", f"The period of `{source}` where it is a rate ('a day'); `none` "
             "where it is not.", "rate_period", required=False, derived_from=source),
        *((enum(f"{prefix}_currency", f"Currency of `{source}` (ISO 4217).", "currency",
                required=False, derived_from=source),) if kind == "money" else ()),
    )


def date(prefix: str, what: str) -> tuple[Field, ...]:
    """The five fields of a date: the text as written and its normalised interval."""
    source = f"{prefix}{TEXT}"
    return (
        Field(source, "string", f"{what}, as written in the report or by the curator.",
              min_length=1, max_length=MAX_PHRASE, free_text=True, reads="date"),
        Field(f"{prefix}_edtf", "string", f"`{source}` as an Extended Date/Time Format (EDTF, "
              "ISO 8601-2) string.", derived_from=source),
        Field(f"{prefix}_start", "date", f"Earliest day that `{source}` allows; empty if open.",
              derived_from=source),
        Field(f"{prefix}_end", "date", f"Latest day that `{source}` allows; empty if open.",
              derived_from=source),
        enum(f"{prefix}_precision", f"Precision of `{source}`.", "date_precision",
             required=False, derived_from=source),
    )


def table(name: str, title: str, description: str, *fields: Field | tuple[Field, ...],
          rules: tuple[Rule, ...] = (), event_date: str | None = None,
          view: bool = False, roles: Roles | None = None,
          needs_evidence: bool = True) -> Table:
    flat: list[Field] = []
    for item in fields:
        flat.extend(item if isinstance(item, tuple) else (item,))
    return Table(name, title, description, tuple(flat), rules, event_date, view, roles,
                 needs_evidence)


def claim(what: str, *, relayed: bool = True) -> tuple[Field, ...]:
    """The fields every table of claims has: whether the thing reported happened, a second
    claimant of a joint claim, who relayed it (unless the table has that already), when it was
    made as the text says, the records it and its claim are dated against, and the two windows
    the build derives."""
    relayed_by = (ref("relayed_by_actor_id", "The outlet or person who relayed the claim, where "
                      "the text says (actors.actor_id).", "actors"),) if relayed else ()
    return (
        enum("modality", f"Whether the {what} is reported as having happened, under way, planned, "
             "expected, possible or hypothetical; it bounds the event window (see the "
             "vocabulary).", "modality"),
        ref("co_claimant_actor_id", "A second party that made the claim jointly with the "
            "claimant, where the text says so (actors.actor_id).", "actors"),
        *relayed_by,
        *date("claimed", f"When the claim about the {what} was made"),
        Field("dated_after", "string", f"A record (its id, of any table) that the text says the "
              f"{what} came after.", pattern=KEY_PATTERN),
        Field("dated_before", "string", f"A record (its id, of any table) that the text says the "
              f"{what} came before.", pattern=KEY_PATTERN),
        Field("claimed_before", "string", "A record (its id, of any table) that the text says "
              "this claim was made before: the claim window ends no later than that record's "
              "event window.", pattern=KEY_PATTERN),
        Field("claim_window_start", "date", "Earliest day the claim can have been made: the start "
              "of `claimed_text`; empty if the text does not say.", derived_from=""),
        Field("claim_window_end", "date", "Latest day the claim can have been made: the earliest "
              "of the end of `claimed_text`, the latest publication day of each text that "
              "reports the record, and the end of the event window of the record it was "
              "`claimed_before`.", derived_from=""),
        Field("event_window_start", "date", f"Earliest day of the {what}: from its own date, the "
              "records it is dated after and, where it is planned or expected (`modality`), "
              "the claim; empty if open.", derived_from=""),
        Field("event_window_end", "date", f"Latest day of the {what}: from its own date, the "
              "records it is dated before and, where it is reported as having happened or "
              "under way, the claim; empty if open (a plan or a possibility is not closed by "
              "its claim).", derived_from=""),
    )


SOURCES = table(
    "sources", "Sources", "One row per corpus text the data is curated from, with the "
    "bibliographic metadata inferred from the text itself and how it was inferred.",
    key("source_id", "Stable identifier of the source."),
    Field("corpus_file", "string", "File name of the text in the corpus folder (a plain name: no "
          "folder, no '..'); its stem is the corpus id.", required=True,
          pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$", min_length=1, max_length=200),
    code("corpus_sha256", "SHA-256 of the corpus file's bytes, as in the corpus manifest.",
         SHA256, required=True),
    integer("corpus_chars", "Length of the text in characters (Unicode code points of the "
            "UTF-8 text).", unit="characters"),
    ref("outlet_id", "The outlet that published the text (actors.actor_id); empty if unknown.",
        "actors"),
    text("author", "Author as named by the text's byline or contact line; empty if not stated."),
    text("title", "Title as stated in the text; empty where the text does not state one "
         "(see `metadata_note`)."),
    date("published", "Publication date"),
    enum("kind", "Kind of text.", "source_kind"),
    text("url", "Address of the original publication, where the text itself gives it."),
    code("language", "Language of the text: an ISO 639-1 code (`en`, `ko`, `ru`, `uk`); empty "
         "where it is not recorded.", r"^[a-z]{2}$", iso="language"),
    text("metadata_note", "How outlet, author, title and date were inferred from clues in the "
         "text, in the curator's words.", required=True),
)

ACTORS = table(
    "actors", "Actors", "People, states, governments, armed forces and units, media outlets and "
    "unnamed sources that the texts name, claim or count.",
    key("actor_id", "Stable identifier of the actor."),
    text("name", "Canonical name.", required=True, max_length=200),
    text("variants", "Other spellings seen in the texts, separated by ` | `; misspellings "
         "included so that every mention resolves."),
    enum("kind", "Kind of actor.", "actor_kind"),
    code("country", "Country of the actor: ISO 3166-1 alpha-2, or ISO 3166-3 alpha-4 for a state "
         "that no longer exists.", ISO_COUNTRY, iso="country"),
    text("role", "Role or title as stated in the texts."),
    ref("parent_actor_id", "The actor this one belongs to (a unit's armed force, an official's "
        "government), actors.actor_id.", "actors"),
    text("note", "Curator's note."),
)

TROOP_ESTIMATES = table(
    "troop_estimates", "Troop estimates", "Every stated number of personnel: who is counted, "
    "what is counted, where and when, the figure as written with its bounds, who claimed it and "
    "how sure they were.",
    key("estimate_id", "Stable identifier of the estimate."),
    ref("subject_actor_id", "Who is counted (actors.actor_id).", "actors", required=True),
    enum("measure", "What is counted (personnel by state, losses, applicants, sizes).",
         "personnel_measure"),
    text("location", "Where, as the text names it.", max_length=200),
    code("location_code", "ISO 3166-2 code of the place (or ISO 3166-1 alpha-2 for a country).",
         ISO_SUBDIVISION, iso="place"),
    date("as_of", "When the figure applies"),
    figure("figure", "The number of personnel"),
    ref("claimant_actor_id", "Who made the claim (actors.actor_id).", "actors"),
    ref("relayed_by_actor_id", "The outlet that first reported the claim, where the text says "
        "(actors.actor_id).", "actors"),
    enum("status", "How the claim stands.", "claim_status"),
    claim("estimate", relayed=False),
    text("note", "Curator's note (disagreements with other records are in `disagreements`)."),
    event_date="as_of",
    roles=Roles(subject="subject_actor_id", kind="measure", measures=(("figure", "measure"),)),
)

ARMS_TRANSFERS = table(
    "arms_transfers", "Arms transfers", "Transfers of munitions, missiles, technology and "
    "know-how in either direction, with quantities, periods and reliability where stated.",
    key("transfer_id", "Stable identifier of the transfer."),
    ref("supplier_actor_id", "Who supplies (actors.actor_id).", "actors", required=True),
    ref("recipient_actor_id", "Who receives (actors.actor_id).", "actors", required=True),
    enum("category", "What kind of thing is transferred.", "transfer_category"),
    text("designation", "Designation or description of the item as the texts name it.",
         max_length=200),
    figure("quantity", "Quantity transferred"),
    figure("supply_share", "Share of the recipient's use or need that this supply covers",
           kind="fraction"),
    figure("defect_share", "Share of the items found defective or failing", kind="fraction"),
    date("period", "When the transfer happened or was reported to happen"),
    enum("status", "How the claim stands.", "claim_status"),
    ref("claimant_actor_id", "Who made the claim (actors.actor_id).", "actors"),
    figure("value", "Value of the transfer in money", kind="money"),
    claim("transfer"),
    text("note", "Curator's note."),
    event_date="period",
    roles=Roles(subject="supplier_actor_id", kind="category",
                measures=(("quantity", "category"), ("supply_share", "=supply_share"),
                          ("defect_share", "=defect_share"), ("value", "=value")),
                event=True, target="recipient_actor_id", description="designation"),
)

INCIDENTS = table(
    "incidents", "Incidents", "Dated events: strikes, casualties, desertions, incursions, "
    "demolitions, treaty steps, statements and denials.",
    key("incident_id", "Stable identifier of the incident."),
    date("date", "When the incident happened"),
    enum("type", "Type of incident.", "incident_type"),
    text("description", "What happened, in the curator's words.", required=True),
    text("place", "Where, as the text names it.", max_length=200),
    code("place_code", "ISO 3166-2 code of the place (or ISO 3166-1 alpha-2 for a country).",
         ISO_SUBDIVISION, iso="place"),
    ref("actor_id", "The actor who acted or spoke (actors.actor_id).", "actors"),
    ref("target_actor_id", "The actor acted upon or addressed (actors.actor_id).", "actors"),
    figure("figure", "A number of people or things the incident involves"),
    enum("figure_measure", "What `figure_text` counts; empty without a figure.",
         "personnel_measure", required=False),
    ref("claimant_actor_id", "Who reported or claimed the incident; for a statement or a "
        "denial, its speaker (actors.actor_id).", "actors"),
    enum("status", "How the claim stands.", "claim_status"),
    claim("incident"),
    text("note", "Curator's note."),
    event_date="date",
    roles=Roles(subject="actor_id", kind="type", measures=(("figure", "figure_measure"),),
                event=True, target="target_actor_id", description="description",
                place="place"),
)

HISTORICAL_DEPLOYMENTS = table(
    "historical_deployments", "Historical deployments", "North Korea's deployments of personnel "
    "abroad before the war in Ukraine.",
    key("deployment_id", "Stable identifier of the deployment."),
    ref("host_actor_id", "The state or force that North Korea backed (actors.actor_id).",
        "actors", required=True),
    text("conflict", "The war or theatre, as the curator names it.", required=True,
         max_length=200),
    date("period", "When the deployment took place"),
    enum("personnel_kind", "Kind of personnel sent.", "personnel_kind"),
    figure("size", "Number of personnel"),
    text("role", "What the personnel did, in the curator's words.", required=True),
    text("outcome", "How the deployment ended or what it achieved, where the texts say."),
    ref("claimant_actor_id", "Who the text cites for it (actors.actor_id).", "actors"),
    enum("status", "How the claim stands.", "claim_status"),
    claim("deployment"),
    text("note", "Curator's note."),
    event_date="period",
    roles=Roles(subject="host_actor_id", kind="personnel_kind", measures=(("size", "=deployed"),),
                event=True, target="host_actor_id", description="role", actor="=north-korea"),
)

RECORD_TABLES = (SOURCES, ACTORS, TROOP_ESTIMATES, ARMS_TRANSFERS, INCIDENTS,
                 HISTORICAL_DEPLOYMENTS)

EVIDENCE = table(
    "evidence", "Evidence", "Links every record of every table to the passages of the corpus "
    "texts that support it, by character offsets and a hash of the span.",
    key("evidence_id", "Stable identifier of the evidence link."),
    enum("record_table", "Table of the supported record.", "record_table"),
    text("record_id", "Primary key of the supported record in `record_table`.", required=True,
         max_length=80),
    text("field", "The field of the record the span supports, where it supports only one.",
         max_length=80),
    ref("source_id", "The source text (sources.source_id).", "sources", required=True),
    integer("span_start", "Where the span starts: how many characters of the text come before "
            "it (Unicode code points, counted from 0).",
            unit="characters"),
    integer("span_end", "Where the span ends: the characters of the text up to and including "
            "its last one (so the span is characters start to end, end not included).",
            unit="characters"),
    code("span_sha256", "SHA-256 of the span's text encoded as UTF-8.", SHA256, required=True),
    text("note", "Curator's note on what the span shows."),
    rules=(Rule("span_start_lt_end", "ordered", ("span_start", "span_end"), "span_end",
                "span_end {span_end} is not after span_start {span_start}", strict=True),),
)


DISAGREEMENTS = table(
    "disagreements", "Disagreements", "Records that report the same thing differently, as data: "
    "one group per thing reported differently, one row per record in it, with what the records "
    "disagree on and how this record's account differs, in the curator's words.",
    key("member_id", "The group and the record, joined by a dot (dg-001.te-015)."),
    code("group_id", "The group: every row with this id is an account of the same thing.",
         r"^dg-[0-9]{3}$", required=True),
    enum("record_table", "Table of the record.", "record_table"),
    text("record_id", "Primary key of the record in `record_table`.", required=True,
         max_length=80),
    enum("aspect", "What the records of the group disagree on.", "disagreement_aspect"),
    text("note", "How this record's account differs from the others', in the curator's words.",
         required=True),
    needs_evidence=False,
)


def _window_fields() -> tuple[Field, ...]:
    return tuple(Field(name, "date", description) for name, description in (
        ("claim_window_start", "Earliest day the claim can have been made (see the claim table)."),
        ("claim_window_end", "Latest day the claim can have been made (see the claim table)."),
        ("event_window_start", "Earliest day of the event (see the claim table)."),
        ("event_window_end", "Latest day of the event (see the claim table).")))


def _named(id_column: str, who: str) -> tuple[Field, ...]:
    """An actor reference (``<x>_actor_id`` or ``actor_id``) with the actor's name beside it."""
    name_column = id_column.removesuffix("_id").removesuffix("_actor") + "_name"
    return (ref(id_column, f"{who} (actors.actor_id).", "actors"),
            Field(name_column, "string", f"{who}: the actor's name."))


_CLAIMANT = (
    *_named("claimant_actor_id", "Who made the claim: the record's claimant, else (where the "
            "text names none) the outlet of the earliest text that reports it"),
    Field("claimant_country", "string", "The claimant's country (ISO 3166-1 alpha-2, or "
          "ISO 3166-3 alpha-4 for a former state).", pattern=ISO_COUNTRY),
    enum("claimant_basis", "Whether the claimant is named by the record (`named`), is the "
         "outlet that reports it (`outlet`), or is not known (`unknown`).", "claimant_basis"),
    *_named("co_claimant_actor_id", "Who made the claim jointly with the claimant"),
)

CLAIMS = table(
    "claims", "Claims", "A view built from the other tables: one row per figure that a record of "
    "any table states, with names inline, who claimed it and when, and when the event was. "
    "`load(\"claims\")` answers who claimed how many, and when, without joins.",
    key("claim_id", "The record id and the figure, joined by a dot (te-001.figure)."),
    enum("record_table", "The table of the record that states the figure.", "record_table"),
    Field("record_id", "string", "The id of the record in `record_table`.", required=True),
    Field("figure", "string", "Which figure of the record: the prefix of its `*_text` column "
          "(figure, quantity, supply_share, defect_share, size, value).", required=True),
    enum("measure", "What the figure counts, in one vocabulary for every table.", "measure",
         required=False),
    Field("kind", "string", "What kind of record states it: an estimate's measure, a "
          "transfer's category, an incident's type, a deployment's kind of personnel."),
    *_named("subject_actor_id", "Who the figure is about: the subject of a troop estimate, the supplier "
            "of a transfer, the actor of an incident, the host of a deployment"),
    Field("figure_text", "string", "The figure as written in the report.", required=True),
    Field("low", "integer", "Lowest count or amount of money the figure allows; empty if "
          "unbounded or a share.", minimum=0),
    Field("best", "integer", "Single best count or amount of money; empty where the text states "
          "none, or a share.", minimum=0),
    Field("high", "integer", "Highest count or amount of money the figure allows; empty if "
          "unbounded or a share.", minimum=0),
    Field("share_low", "number", "Lowest share (between 0 and 1) that a share allows.",
          minimum=0.0, maximum=1.0),
    Field("share_best", "number", "Single best share (between 0 and 1).", minimum=0.0,
          maximum=1.0),
    Field("share_high", "number", "Highest share (between 0 and 1) that a share allows.",
          minimum=0.0, maximum=1.0),
    enum("qualifier", "How the text qualifies the figure.", "figure_qualifier",
         required=False),
    enum("per", "The period of a rate; `none` where the figure is not a rate.", "rate_period"),
    enum("unit", "What the values are: a count, a share between 0 and 1, or money.",
         "figure_kind"),
    enum("currency", "Currency of a money figure (ISO 4217).", "currency", required=False),
    *_CLAIMANT,
    *_named("relayed_by_actor_id", "Who relayed the claim"),
    Field("outlets", "string", "The outlets of the texts that report the record, by name, "
          "separated by ` | `; empty where no outlet is known."),
    Field("source_ids", "string", "The texts that report the record (sources.source_id), "
          "separated by ` | `.", required=True),
    *_window_fields(),
    enum("modality", "Whether what the record reports happened, is under way, planned, "
         "expected, possible or hypothetical.", "modality"),
    enum("status", "How the claim stands.", "claim_status"),
    Field("disagreement_ids", "string", "The groups of `disagreements` the record is in, "
          "separated by ` | `; empty where no other record reports the same thing differently."),
    view=True,
)

EVENTS = table(
    "events", "Events", "A view built from the other tables: every record of something "
    "happening (incidents, arms transfers and historical deployments), with names inline, "
    "whether it happened, how the claim stands, who claimed it, its place and both windows.",
    key("event_id", "The id of the incident, transfer or deployment."),
    enum("record_table", "The table of the record.", "record_table"),
    Field("kind", "string", "The incident type, the transfer's category, or the kind of "
          "personnel deployed.", required=True),
    Field("description", "string", "What happened: the incident's description, the transfer's "
          "designation, or the deployment's role and conflict."),
    *_named("actor_id", "Who acted (the supplier of a transfer; for a deployment: North Korea)"),
    *_named("target_actor_id", "Who was acted upon or addressed (the recipient of a transfer; "
            "for a deployment: the host)"),
    Field("place", "string", "Where, as the text names it."),
    Field("place_code", "string", "ISO 3166-2 code of the place (or ISO 3166-1 alpha-2).",
          pattern=ISO_SUBDIVISION),
    Field("date_text", "string", "The event's own date as written."),
    *_window_fields(),
    enum("modality", "Whether it happened, is under way, planned, expected, possible or "
         "hypothetical.", "modality"),
    enum("status", "How the claim stands.", "claim_status"),
    *_CLAIMANT,
    Field("disagreement_ids", "string", "The groups of `disagreements` the record is in, "
          "separated by ` | `."),
    view=True,
)

VIEWS = (CLAIMS, EVENTS)
# Per view, the column holding the id of the record a row comes from (with `record_table`).
VIEW_RECORDS = {"claims": "record_id", "events": "event_id"}
TABLES: dict[str, Table] = {t.name: t for t in (*RECORD_TABLES, EVIDENCE, DISAGREEMENTS,
                                                 *VIEWS)}
CLAIM_TABLES: dict[str, Table] = {t.name: t for t in RECORD_TABLES if t.roles is not None}
STORED: dict[str, Table] = {name: t for name, t in TABLES.items() if not t.view}


def vocabulary(name: str) -> vocab.Vocabulary:
    """The values of the vocabulary `name`, each with its definition, in their order.

    ``record_table`` is the list of record tables, defined by their descriptions here.
    """
    if name == "record_table":
        return {t.name: t.description for t in RECORD_TABLES}
    return vocab.VOCABULARIES[name]

