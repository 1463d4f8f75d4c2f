"""The error the normalisers raise for text they refuse to read."""

from __future__ import annotations


class NormaliseError(ValueError):
    """A phrase that a normaliser cannot read; the message quotes it and says why."""

    what = "phrase"

    def __init__(self, text: str, why: str):
        self.text, self.why = text, why
        super().__init__(f"{text!r} is not a {self.what} this package can read: {why} "
                         "(see docs/conventions.md)")
