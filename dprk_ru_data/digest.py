"""SHA-256, the one way the package computes it: of bytes, or of text encoded as UTF-8.

>>> sha256_hex("abc")[:12]
'ba7816bf8f01'
>>> prefixed(b"abc").startswith("sha256:ba78")
True
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
