"""Writing a set of outputs all or nothing, under a lock, and undoing an interrupted write.

The outputs are written whole into a staging folder beside them, then swapped in under a journal:
a process that is killed, or fails, while writing leaves the previous outputs untouched, and one
killed during the swap itself is rolled back by the next command of any kind that reads them
(`recover`). One process at a time writes into a folder: builds and exports take the folder's
lock (`filelock`), so two at once wait for each other and never touch each other's files.

It imports only the standard library (and filelock, from the `build` extra, when it locks), so
the loaders can call `recover` cheaply.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STAGING = ".build-staging"
JOURNAL = "SWAPPING.json"
LOCK = ".dprk-data.lock"
LOCK_TIMEOUT = 600  # seconds a writer waits for another to finish


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the write lock of the folder `root` (waiting for another holder to finish)."""
    try:
        from filelock import FileLock
    except ImportError as error:  # a data-only install never writes
        raise BuildStackMissing("writing outputs") from error
    with FileLock(str(root / LOCK), timeout=LOCK_TIMEOUT):
        yield


class BuildStackMissing(ImportError):
    """A command that builds, validates or writes needs the `build` extra."""

    def __init__(self, what: str):
        super().__init__(f"{what} needs the build tools: pip install 'dprk-ru-data[build]' "
                         "(or, in a checkout, pip install '.[build]')")


def interrupted(root: Path) -> bool:
    """Whether a write into `root` was interrupted and left its staging folder behind."""
    return (root / STAGING).exists()


def recover(root: Path | str, names: tuple[str, ...] | None = None) -> str | None:
    """Undo what an interrupted write into `root` left behind; say what was done, or None.

    A staging folder without a journal was stopped while writing: the outputs were never touched,
    and it is removed. With a journal the swap was under way: every output it names is put back
    as it was before. Safe to run again if it is itself interrupted. Call it holding the lock.
    """
    root = Path(root)
    staging = root / STAGING
    if not staging.exists():
        return None
    journal = staging / JOURNAL
    if not journal.is_file():
        shutil.rmtree(staging)
        return f"removed {staging}, left by a write that stopped before touching its outputs"
    record = json.loads(journal.read_text(encoding="utf-8"))
    existed, swapped = set(record["existed"]), record["names"] if names is None else names
    for name in swapped:
        saved, target = staging / "previous" / name, root / name
        if saved.exists() or name not in existed:
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        if saved.exists():
            os.replace(saved, target)
    shutil.rmtree(staging)
    return "rolled back a write that was stopped while swapping in its outputs"


def write_all(root: Path, outputs: dict[str, bytes], names: tuple[str, ...]) -> None:
    """Write `outputs` (path relative to `root` -> bytes), whose top-level entries are `names`,
    all or nothing. On any exception the previous outputs are restored before it propagates.
    Call it holding the lock."""
    staging = root / STAGING
    try:
        new = staging / "new"
        for relative, data in outputs.items():
            (new / relative).parent.mkdir(parents=True, exist_ok=True)
            (new / relative).write_bytes(data)
        (staging / "previous").mkdir()
        existed = [name for name in names if (root / name).exists()]
        journal = staging / JOURNAL
        (staging / "journal.tmp").write_text(json.dumps({"existed": existed,
                                                         "names": list(names)}),
                                             encoding="utf-8")
        os.replace(staging / "journal.tmp", journal)  # the journal exists whole or not at all
        for name in names:
            if name in existed:
                os.replace(root / name, staging / "previous" / name)
            os.replace(new / name, root / name)
        journal.unlink()  # from here on the new outputs stand
    except BaseException:
        recover(root)
        raise
    try:
        shutil.rmtree(staging)
    except OSError:  # the new outputs stand; the next writer or reader removes what is left
        pass
