"""Writing a set of outputs all or nothing, under a lock, and undoing an interrupted write.

The outputs are written whole into a staging folder beside them, then swapped in under a journal:
a process that is killed, or fails, while writing leaves the previous outputs untouched, and one
killed during the swap itself is rolled back by the next command of any kind that reads them
(`recover`). One process at a time writes into a folder: builds and exports take the folder's
lock (an `flock` on the folder), so two at once wait for each other and never touch each other's files.

It imports only the standard library (and, on Windows, filelock from the `build` extra, when it
locks), so the loaders can call `recover` cheaply, on a data-only install too.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import time
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .paths import UnsafePath, is_plain_entry, parts, read_inside

STAGING = ".build-staging"
JOURNAL = "SWAPPING.json"
LOCK = ".dprk-data.lock"  # the lock file, only where a folder cannot be locked itself (Windows)
LOCK_TIMEOUT = 600  # seconds a writer waits for another to finish
MAX_JOURNAL_BYTES = 65_536
# The names a writer of this package swaps in: a build's outputs (with the README, whose stated
# values it rewrites), and an export's files; and, inside a folder of the project, the files
# of a kind it draws there (the charts in docs/). A journal naming anything else was not written
# by these tools, and is not followed.
OUTPUT_NAMES = frozenset({"build", "datapackage.json", "CITATION.cff", ".zenodo.json",
                          "README.md", "dprk_ru_data.sqlite", "metadata.json"})
OUTPUT_SUFFIXES = (".parquet",)
OUTPUT_FOLDERS = {"docs": (".svg",)}


@contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the write lock of the folder `root` (waiting for another holder to finish).

    On POSIX the folder itself is locked (``flock`` on its descriptor): no lock file is made, so
    none can be planted as a link, and none is left in an export. Elsewhere a lock file inside
    the folder is held through `filelock` (from the `build` extra).
    """
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        try:
            from filelock import FileLock
        except ImportError as error:  # a data-only install never writes
            raise BuildStackMissing("writing outputs") from error
        with FileLock(str(root / LOCK), timeout=LOCK_TIMEOUT):
            yield
        return
    import fcntl

    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{root}: another build or export has held its lock for "
                                       f"over {LOCK_TIMEOUT} s") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class BuildStackMissing(ImportError):
    """A command that builds, validates or writes needs the `build` extra."""

    def __init__(self, what: str):
        super().__init__(f"{what} needs the build tools: pip install 'dprk-ru-data[build]' "
                         "(or, in a checkout, pip install '.[build]')")


class UntrustedStaging(UnsafePath):
    """A staging folder or journal these tools did not write: it is reported and left alone."""

    def __init__(self, staging: Path, why: str):
        super().__init__(staging, "untrusted_staging",
                         f"{why}; it was not written by dprk-data and is left alone: look at it, "
                         "and remove it by hand if the outputs beside it are whole")


def interrupted(root: Path) -> bool:
    """Whether a write into `root` was interrupted and left its staging folder behind."""
    return os.path.lexists(root / STAGING)


def _output_name(name: object) -> bool:
    """Whether `name` is one of this package's outputs: a known name, a plain file name with a
    known suffix (no folder, no '..'), or such a file in one of `OUTPUT_FOLDERS`
    ('docs/events.svg')."""
    if not isinstance(name, str):
        return False
    try:
        names = parts(name)
    except UnsafePath:
        return False
    if len(names) == 2:
        return names[0] in OUTPUT_FOLDERS and names[1].endswith(OUTPUT_FOLDERS[names[0]])
    return len(names) == 1 and (name in OUTPUT_NAMES or name.endswith(OUTPUT_SUFFIXES))


def _real_folders(root: Path, names: Iterable[str]) -> bool:
    """Whether the folder of each name in a folder ('docs' of 'docs/events.svg') is a real
    folder of `root`, no link: an output is never written or removed through a link."""
    for folder in {name.split("/")[0] for name in names if "/" in name}:
        try:
            if not stat.S_ISDIR(os.lstat(root / folder).st_mode):
                return False
        except FileNotFoundError:
            return False
    return True


def _journal(staging: Path) -> tuple[list[str], set[str]]:
    """The names a journal lists and those that existed before the swap, once it is trusted."""
    try:
        record = json.loads(read_inside(staging, JOURNAL, MAX_JOURNAL_BYTES))
    except (UnsafePath, ValueError, RecursionError) as error:
        raise UntrustedStaging(staging, f"its journal cannot be read ({error})") from None
    names, existed = (record.get("names"), record.get("existed")) if isinstance(record, dict) \
        else (None, None)
    if not (isinstance(names, list) and isinstance(existed, list)
            and all(_output_name(n) for n in names) and set(existed) <= set(names)
            and len(set(names)) == len(names)):
        raise UntrustedStaging(staging, "its journal names something other than this package's "
                                        "outputs (or is malformed)")
    return names, set(existed)


def _remove(path: Path) -> None:
    """Remove the entry `path` itself: a link is unlinked, never followed."""
    mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)
    else:
        path.unlink()


def recover(root: Path | str, names: Iterable[str] | None = None) -> str | None:
    """Undo what an interrupted write into `root` left behind; say what was done, or None.

    A staging folder without a journal was stopped while writing: the outputs were never touched,
    and it is removed. With a journal the swap was under way: every output it names is put back
    as it was before. Safe to run again if it is itself interrupted. Call it holding the lock.

    The staging folder is untrusted like the rest of the folder: it must be a real folder (no
    link), its journal a small regular file naming only this package's outputs, and only entries
    found inside it are moved back. Anything else raises `UntrustedStaging`, touching nothing.
    """
    root = Path(root)
    staging = root / STAGING
    try:
        mode = os.lstat(staging).st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISDIR(mode):
        raise UntrustedStaging(staging, "is not a folder (a link or a special file)")
    previous = staging / "previous"
    if not os.path.lexists(staging / JOURNAL):
        shutil.rmtree(staging)
        return f"removed {staging}, left by a write that stopped before touching its outputs"
    listed, existed = _journal(staging)
    if os.path.lexists(previous) and not stat.S_ISDIR(os.lstat(previous).st_mode):
        raise UntrustedStaging(staging, "its 'previous' folder is a link or a file")
    swapped = listed if names is None else [n for n in names if n in listed]
    if not _real_folders(root, swapped):
        raise UntrustedStaging(staging, "its journal names a file in a folder that is now a "
                                        "link or missing")
    for name in swapped:
        saved, target = previous / name, root / name
        kept = os.path.lexists(saved)
        if kept and not (_real_folders(previous, [name])
                         and is_plain_entry(saved.parent, saved.name)):
            raise UntrustedStaging(staging, f"its saved copy of {name!r} is a link or a special "
                                            "file")
        if (kept or name not in existed) and os.path.lexists(target):
            _remove(target)
        if kept:
            os.replace(saved, target)
    shutil.rmtree(staging)
    return "rolled back a write that was stopped while swapping in its outputs"


def recover_for_reading(root: Path) -> None:
    """Before a read: finish or undo an interrupted write where this process can (it may lock
    and write the folder); otherwise warn and read the folder as it is, whose files are then
    checked against their hashes as every read checks them. A read never fails for this."""
    if not interrupted(root):
        return
    try:
        with locked(root):
            recover(root)
    except (OSError, UnsafePath, BuildStackMissing) as error:
        warnings.warn(f"{root} holds an interrupted write that this process cannot undo "
                      f"({error}); reading it as it is", RuntimeWarning, stacklevel=3)


def write_all(root: Path, outputs: dict[str, bytes], names: tuple[str, ...]) -> None:
    """Write `outputs` (path relative to `root` -> bytes), whose top-level entries are `names`,
    all or nothing (see `staged`)."""
    with staged(root, names) as new:
        write_into(new, outputs)


def write_into(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` (path relative to `folder` -> bytes) into `folder`, making their folders."""
    for relative, data in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)


@contextmanager
def staged(root: Path, names: tuple[str, ...]) -> Iterator[Path]:
    """A fresh, private folder to write the outputs into (paths relative to `root`), whose
    top-level entries are `names`; when the block ends they are swapped in, all or nothing. On
    any exception, in the block or in the swap, the previous outputs are restored before it
    propagates. Call it holding the lock, after `recover`: the staging folder is made anew here,
    so it is this process's own and holds no link planted by anyone else."""
    if not all(_output_name(name) for name in names):  # pragma: no cover - a fault of the code
        raise ValueError(f"{names}: not the outputs of this package")
    if not _real_folders(root, names):
        raise UnsafePath(root, "special_file", "a folder an output is written into (docs/) is "
                                               "a link or missing; nothing is written through it")
    staging = root / STAGING
    staging.mkdir()  # fails where one is left: `recover` first
    try:
        new = staging / "new"
        new.mkdir()
        yield new
        (staging / "previous").mkdir()
        existed = [name for name in names if os.path.lexists(root / name)]
        journal = staging / JOURNAL
        (staging / "journal.tmp").write_text(json.dumps({"existed": existed,
                                                         "names": list(names)}),
                                             encoding="utf-8")
        os.replace(staging / "journal.tmp", journal)  # the journal exists whole or not at all
        for name in names:
            if name in existed:
                if "/" in name:  # a file in a folder ('docs/events.svg'): its folder first
                    (staging / "previous" / name).parent.mkdir(exist_ok=True)
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
