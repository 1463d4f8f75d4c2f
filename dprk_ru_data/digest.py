"""SHA-256, the one way the package computes it: of bytes, of text encoded as UTF-8, of a file,
or of bytes given a piece at a time.

>>> sha256_hex("abc")[:12]
'ba7816bf8f01'
>>> prefixed(b"abc").startswith("sha256:ba78")
True
>>> running = Running()
>>> running.update(b"a"); running.update(b"bc")
>>> running.prefixed() == prefixed(b"abc"), running.size
(True, 3)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

PREFIX = "sha256:"


def sha256_hex(data: bytes | str) -> str:
    """The SHA-256 of `data` (text is hashed as UTF-8) as 64 hex digits."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def prefixed(data: bytes | str) -> str:
    """The SHA-256 of `data` written ``sha256:<hex>``, as the descriptor records file hashes."""
    return PREFIX + sha256_hex(data)


def file_prefixed(path: Path) -> str:
    """The SHA-256 of the file at `path` written ``sha256:<hex>``, read in chunks."""
    with path.open("rb") as file:
        return PREFIX + hashlib.file_digest(file, "sha256").hexdigest()


class Running:
    """The SHA-256 of bytes given a piece at a time, and their size: `prefixed` of them all,
    without holding them (a file hashed as it is written, say)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.size = 0

    def update(self, data: bytes) -> None:
        self._hash.update(data)  # (hashlib lets go of the interpreter's lock for large data)
        self.size += len(data)

    def prefixed(self) -> str:
        """The SHA-256 of every byte given so far, written ``sha256:<hex>``."""
        return PREFIX + self._hash.hexdigest()
