"""Controlled vocabularies: every closed list of values, each value with its definition, in order.

This module is the only place a vocabulary, its order and how its values are shown are written
down. The registry names a vocabulary for each closed field; the pandera schemas check against it,
the descriptor carries it as ``constraints.enum`` (in this order), the loaders read it back as a
``polars.Enum`` (ordered), and readers' labels come from `label`. The readers'
qualifiers and precisions are values of `FIGURE_QUALIFIER` and `DATE_PRECISION`, as a test checks.
It imports nothing.
"""

from __future__ import annotations

Vocabulary = dict[str, str]

SOURCE_KIND: Vocabulary = {
    "news": "A news report whose main purpose is to relay recent events and claims.",
    "analysis": "A commentary or explainer that interprets events, usually by a named analyst or think tank.",
    "opinion": "An opinion or blog piece whose main purpose is to argue a view.",
    "official": "A statement or document published by a government or international body.",
}

ACTOR_KIND: Vocabulary = {
    "state": "A sovereign state, present or former, as a whole.",
    "government": "A government, ministry or state agency acting for a state.",
    "armed_force": "A state's armed forces as a whole, or one of their services.",
    "unit": "A named military formation or unit (corps, brigade, battalion, squadron).",
    "person": "A named individual.",
    "media": "A news outlet, publication or news agency.",
    "organisation": "A non-state organisation: think tank, university, party, militia or international body.",
    "unnamed": "A source the text does not name ('a Western diplomat', 'military bloggers').",
    "group": "A category of people the text counts or cites collectively (e.g. North Korean labourers).",
}

# What a figure counts: one vocabulary for every figure of every table (the claims view's
# `measure`). Personnel by state, losses, people who applied, sizes; then munitions and systems by
# kind (the transfer categories below), shares and money.
PERSONNEL_MEASURE: Vocabulary = {
    "deployed": "Personnel stated to be sent to, or present in, the theatre or the host country.",
    "present": "Personnel stated to be at a particular place, without a claim about deployment as a whole.",
    "in_training": "Personnel stated to be undergoing training in the host country.",
    "in_transit": "Personnel stated to have been tracked moving towards the theatre.",
    "killed": "Personnel stated to have been killed.",
    "wounded": "Personnel stated to have been wounded.",
    "killed_or_wounded": "A combined figure of killed and wounded personnel, where the text does not split it.",
    "captured": "Personnel stated to have been taken prisoner.",
    "missing": "Personnel stated to be missing.",
    "losses": "A combined figure of losses that counts captured or missing personnel with the killed and wounded.",
    "deserted": "Personnel stated to have deserted or fled their posts.",
    "force_size": "The total size of an armed force or formation.",
    "reserves": "The size of an armed force's reserves.",
    "applicants": "People stated to have applied or volunteered to join an armed force.",
    "unit_size": "The stated or typical size of a unit, used as a reference figure.",
    "objects": "Things other than personnel or transferred items that an incident counts (balloons, drones, missiles fired).",
}

MODALITY: Vocabulary = {
    "occurred": "Reported as having happened (by the time of the claim); its event window ends no later than the claim window.",
    "ongoing": "Reported as under way at the time of the claim, begun before it and not said to be over; its event window, like a past event's, ends no later than the claim window.",
    "planned": "Reported as decided or prepared by those who would carry it out, not yet done; its event window starts no earlier than the claim and is not closed by it (it ends with the record's own date where that is later, else it is open).",
    "expected": "Reported as foreseen by others (officials, analysts), not yet done; its window is bounded as a plan's.",
    "possible": "Put forward as something that may happen or may have happened; the claim bounds its window on neither side (it is not closed by the claim, and may lie before it).",
    "hypothetical": "Put forward as a condition, an offer or a scenario, not as something happening; its window is bounded as a possibility's.",
}

# Whether a record's event window is closed by its claim: what is reported as having happened, or
# as under way, began no later than the claim; a plan or a possibility is not bounded by it.
MODALITY_BEFORE_CLAIM = ("occurred", "ongoing")
# What is still to come when it is claimed: its window starts no earlier than the claim.
MODALITY_AFTER_CLAIM = ("planned", "expected")

CLAIM_STATUS: Vocabulary = {
    "asserted": "Stated as fact by the claimant (or by the text itself), without independent confirmation in the text.",
    "confirmed": "Stated by the text to be confirmed by an independent or official source.",
    "assessed_likely": "Judged likely or highly likely by the claimant, not stated as fact.",
    "speculated": "Put forward as a possibility or by unnamed reports, explicitly unconfirmed.",
    "unverified": "Reported, with the text saying it could not be verified or confirmed.",
    "denied": "Denied by the party concerned.",
}

TRANSFER_CATEGORY: Vocabulary = {
    "artillery_ammunition": "Artillery shells and other artillery munitions.",
    "ballistic_missiles": "Ballistic missiles and their launch support.",
    "small_arms": "Rifles, small arms and their ammunition.",
    "uniforms_equipment": "Uniforms, personal equipment and identity documents.",
    "military_technology": "Designs, components or technology for weapons or military platforms.",
    "nuclear_technology": "Technology, materials or help for nuclear weapons or propulsion.",
    "space_technology": "Technology for satellites and their launch.",
    "know_how": "Training, expertise or combat experience passed on by people.",
    "economic_aid": "Money, goods or economic assistance given in return for military help.",
}

INCIDENT_TYPE: Vocabulary = {
    "strike": "A missile, artillery or air strike.",
    "casualties": "Deaths or injuries reported as an event.",
    "desertion": "Personnel leaving their posts without leave.",
    "incursion": "An aircraft, drone or balloon crossing into another state's territory or airspace.",
    "demolition": "Deliberate destruction of infrastructure such as roads, railways or bridges.",
    "deployment": "A movement or arrival of personnel or equipment.",
    "treaty": "The signing of an agreement between states.",
    "meeting": "A visit, summit or talks between leaders or officials of states.",
    "ratification_step": "A step in ratifying an agreement (submission to parliament, vote, signature into law).",
    "statement": "An official statement, warning or announcement.",
    "denial": "An official denial of a claim.",
    "policy_change": "A change of law, constitution or official policy.",
    "weapons_display": "A public unveiling, launch or display of a weapon system.",
    "sanction": "A sanction or restrictive measure imposed by a state.",
    "withdrawal": "A pull-back of forces from a front, a position or a country.",
    "proposal": "An offer or proposal one party makes to another (of troops, aid, talks).",
    "acceptance": "A party accepting an offer or a proposal.",
    "non_acknowledgement": "A state declining to confirm or to deny a report about itself.",
    "diplomatic_support": "Public political or diplomatic backing of one party by another.",
}

SHARE_AND_MONEY_MEASURE: Vocabulary = {
    "supply_share": "The share of the recipient's use or need that a supply covers.",
    "defect_share": "The share of the items supplied found defective or failing.",
    "value": "The value of a transfer in money.",
}

CLAIMANT_BASIS: Vocabulary = {
    "named": "The record names who made the claim.",
    "outlet": "The text names no one: the claim is the reporting outlet's own.",
    "unknown": "The text names no one, and the outlet of the texts that report it is not known.",
}

DISAGREEMENT_ASPECT: Vocabulary = {
    "figure": "The records give different numbers for the same thing.",
    "date": "The records date the same thing differently.",
    "place": "The records place the same thing differently.",
    "actor": "The records name different actors for the same thing (who did it, who was sent, where they came from).",
    "status": "One record asserts or confirms what another denies, doubts or only speculates.",
    "modality": "One record reports as done what another reports as planned, expected or possible.",
    "wording": "The records agree on the facts but differ in what they call them or how far they go.",
}

PERSONNEL_KIND: Vocabulary = {
    "pilots": "Aircrew, usually flying the host's aircraft.",
    "ground_troops": "Combat troops on the ground.",
    "advisors": "Military advisors.",
    "trainers": "Military trainers or instructors.",
    "intelligence_officers": "Intelligence officers or agents.",
    "engineers": "Military engineers, technicians or specialists.",
    "labourers": "Civilian or military labourers for construction and reconstruction.",
    "mixed": "Several kinds of personnel together, or a kind the text does not specify.",
}

FIGURE_QUALIFIER: Vocabulary = {
    "exact": "The text states a single number without qualification.",
    "approximate": "The text states a single number as approximate ('about', 'some', 'an estimated').",
    "at_least": "The number is a lower bound that may be reached ('at least', '1,000+').",
    "more_than": "The number is a strict lower bound ('over', 'more than').",
    "at_most": "The number is an upper bound that may be reached ('up to', 'as many as').",
    "less_than": "The number is a strict upper bound ('less than', 'under').",
    "range": "The text states two bounds ('3,000 to 5,000').",
    "vague": "The text states an order of magnitude in words ('several thousand', 'dozens').",
}

FIGURE_KIND: Vocabulary = {
    "count": "A number of things or people.",
    "fraction": "A share between 0 and 1 ('half' is 0.5, '1%' is 0.01).",
    "money": "An amount of money, in the currency the text names.",
    "duration": "A length of time, in the unit the text names ('two months' is 2 months, never "
                "converted to days); never a count.",
    "ratio": "A multiple of another figure ('tripled' is 3, 'half as many' 0.5); never a count.",
}

RATE_PERIOD: Vocabulary = {
    "none": "Not a rate: the figure is a number, not a number per period.",
    "day": "A number per day ('a day', 'per day', 'daily').",
    "week": "A number per week.",
    "month": "A number per month.",
    "year": "A number per year.",
}

CURRENCY: Vocabulary = {
    "USD": "United States dollar (ISO 4217).",
    "EUR": "Euro (ISO 4217).",
    "RUB": "Russian rouble (ISO 4217).",
    "KPW": "North Korean won (ISO 4217).",
    "KRW": "South Korean won (ISO 4217).",
    "GBP": "Pound sterling (ISO 4217).",
    "CNY": "Chinese yuan (ISO 4217).",
    "JPY": "Japanese yen (ISO 4217).",
    "UAH": "Ukrainian hryvnia (ISO 4217).",
}

DATE_PRECISION: Vocabulary = {
    "day": "A single calendar day.",
    "week": "A calendar week or a span of up to seven days.",
    "month": "A calendar month or part of one.",
    "season": "A season of a year (spring, summer, autumn, winter).",
    "quarter": "A quarter of a year.",
    "year": "A calendar year or part of one.",
    "decade": "A decade.",
    "interval": "A closed interval between two dates of any precision.",
    "open": "An interval with an open or unknown end.",
}

# What is counted, declared once: every measure of every figure (personnel, the transfer
# categories as kinds of munitions and systems, shares and money).
MEASURE: Vocabulary = {**PERSONNEL_MEASURE, **TRANSFER_CATEGORY, **SHARE_AND_MONEY_MEASURE}

VOCABULARIES: dict[str, Vocabulary] = {
    "source_kind": SOURCE_KIND,
    "actor_kind": ACTOR_KIND,
    "personnel_measure": PERSONNEL_MEASURE,
    "measure": MEASURE,
    "modality": MODALITY,
    "claim_status": CLAIM_STATUS,
    "transfer_category": TRANSFER_CATEGORY,
    "incident_type": INCIDENT_TYPE,
    "disagreement_aspect": DISAGREEMENT_ASPECT,
    "claimant_basis": CLAIMANT_BASIS,
    "personnel_kind": PERSONNEL_KIND,
    "figure_qualifier": FIGURE_QUALIFIER,
    "figure_kind": FIGURE_KIND,
    "rate_period": RATE_PERIOD,
    "currency": CURRENCY,
    "date_precision": DATE_PRECISION,
}

# How values are named for readers (legends, labels) where the value itself will not do; any other
# value is shown with its underscores as spaces.
LABELS: dict[str, dict[str, str]] = {
    "actor_kind": {"unnamed": "unnamed source", "group": "group of people"},
}


def label(vocabulary: str, value: str) -> str:
    """How `value` of `vocabulary` is shown to readers.

    >>> label("actor_kind", "armed_force"), label("actor_kind", "unnamed")
    ('armed force', 'unnamed source')
    """
    return LABELS.get(vocabulary, {}).get(value, value.replace("_", " "))
