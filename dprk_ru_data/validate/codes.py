"""ISO 3166 and ISO 639 codes: that each code exists (checked with pycountry), not merely looks
like one."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from ..errors import Problem
from ..raw import LINE, Loaded

STANDARDS = {"country": "ISO 3166-1/3166-3", "place": "ISO 3166-2 or 3166-1",
             "language": "ISO 639-1"}


def known_code(kind: str, code: str) -> bool:
    """True where `code` is a real code of its kind: ``country``, ``place`` or ``language``."""
    import pycountry

    if kind == "language":
        languages: Callable[..., object] = pycountry.languages.get
        return languages(alpha_2=code) is not None

    countries: Callable[..., object] = pycountry.countries.get
    if kind == "country" and len(code) == 4:
        historic: Callable[..., object] = pycountry.historic_countries.get
        return historic(alpha_4=code) is not None
    if kind == "place" and "-" in code:
        subdivisions: Callable[..., object] = pycountry.subdivisions.get
        return subdivisions(code=code) is not None
    return countries(alpha_2=code) is not None


def check_codes(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """Every coded cell of `loaded`'s table names a code that exists."""
    for field in loaded.table.fields:
        if not field.iso:
            continue
        for code in typed[field.name].drop_nulls().unique().to_list():
            if not known_code(field.iso, code):
                for line in typed.filter(pl.col(field.name) == code)[LINE].to_list():
                    problems.append(Problem(loaded.file, line, field.name, code, "iso_code",
                                            f"{code!r} is not an {STANDARDS[field.iso]} code"))
