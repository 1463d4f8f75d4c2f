"""The error the normalisers raise for text they refuse to read, and the grammar's refusal."""

from __future__ import annotations


class NormaliseError(ValueError):
    """A phrase that a normaliser cannot read; the message quotes it and says why."""

    what = "phrase"

    def __init__(self, text: str, why: str):
        self.text, self.why = text, why
        super().__init__(f"{text!r} is not a {self.what} this package can read: {why} "
                         "(see docs/conventions.md)")


class Refusal(Exception):
    """The grammar's refusal of a phrase's shape; a reader turns it into its own error, quoting
    the text."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why
