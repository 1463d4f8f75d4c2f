"""Actor names that a reader can tell apart: unique once normalised, and each in one script.

Two names that differ only in case, in compatibility forms (a full-width letter, a ligature) or in
spaces are one name to a reader: they are compared after NFKC normalisation, case folding and
collapsing of spaces. A name that mixes scripts ("Russiа" with a Cyrillic "а") looks like another
name while being a different string: letters must all be of one script (Korean and Japanese may
mix their own scripts with Han ideographs, as they are written).
"""

from __future__ import annotations

import unicodedata

import polars as pl

from ..errors import Problem
from ..raw import LINE, Loaded

VARIANT_SEPARATOR = " | "
# Scripts written together in one name.
_SCRIPTS_TOGETHER = ({"HANGUL", "CJK"}, {"CJK", "HIRAGANA", "KATAKANA"})


def name_key(name: str) -> str:
    """The form in which two names are the same name to a reader.

    >>> name_key("Ｋim  Jong\u00a0UN") == name_key("kim jong un")
    True
    """
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def scripts(name: str) -> set[str]:
    """The scripts of the letters of `name` (by the first word of each letter's Unicode name).

    >>> sorted(scripts("Russiа"))
    ['CYRILLIC', 'LATIN']
    """
    if name.isascii():  # the one script of ASCII letters
        return {"LATIN"} if any(char.isalpha() for char in name) else set()
    found = set()
    for char in unicodedata.normalize("NFKC", name):
        if unicodedata.category(char).startswith("L"):
            found.add(unicodedata.name(char, "UNKNOWN").split()[0])
    return found


def _mixed(name: str) -> set[str] | None:
    found = scripts(name)
    if len(found) <= 1 or any(found <= together for together in _SCRIPTS_TOGETHER):
        return None
    return found


def check_actor_names(loaded: Loaded, typed: pl.DataFrame, problems: list[Problem]) -> None:
    """Every actor's name is unique after `name_key`, and no name or variant mixes scripts.
    (A variant may differ from the name in case only: it records a spelling seen in a text.)"""
    if "name" not in typed.columns:
        return
    variants = "variants" in typed.columns
    rows = typed.select(LINE, "name", pl.col("variants") if variants else pl.lit(None))
    first: dict[str, tuple[int, str]] = {}
    for line, name, listed in rows.iter_rows():
        if name is None:
            continue
        key = name_key(name)
        if key in first:
            other_line, other = first[key]
            problems.append(Problem(loaded.file, line, "name", name, "duplicate_name",
                                    f"{name!r} is the same name as {other!r} on line "
                                    f"{other_line} once case, spaces and compatibility forms "
                                    "are set aside; one actor, one row (list other spellings "
                                    "as variants)"))
        else:
            first[key] = (line, name)
        for column, value in [("name", name), *(("variants", v.strip()) for v in
                                               (listed or "").split(VARIANT_SEPARATOR.strip()))]:
            if not value:
                continue
            mixed = _mixed(value)
            if mixed:
                problems.append(Problem(loaded.file, line, column, value, "mixed_script",
                                        f"{value!r} mixes the scripts {', '.join(sorted(mixed))}"
                                        ": a letter of one looks like a letter of another, so "
                                        "the name reads as something it is not; write it in one "
                                        "script"))
