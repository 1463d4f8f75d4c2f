"""raw/*.csv -> normalise -> validate -> build/*.csv + datapackage.json + CITATION.cff.

Every fault found is collected as a located `Problem`; the build writes nothing unless there are
none. The outputs are written into a staging directory and only then swapped in, under a journal:
a build that fails or is killed while writing leaves the previous outputs untouched, and one killed
during the swap itself is rolled back by the next build (see `recover`).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from . import checks, citation, datapackage
from .errors import DataError, Problem
from .evidence import corpus_dir
from .normalise.columns import normalise_tables
from .rawfiles import LINE, read_raw
from .releases import PYPROJECT, RELEASES_FILE, ReleaseError, project_version, release_date
from .schemas import TABLES

BUILD_DIR = "build"
DESCRIPTOR = "datapackage.json"
CITATION = "CITATION.cff"
OUTPUTS = (BUILD_DIR, DESCRIPTOR, CITATION)
STAGING = ".build-staging"
JOURNAL = "SWAPPING.json"

if TYPE_CHECKING:
    from .releases import Release


def compile_tables(root: Path | str = ".", corpus: Path | None = None,
                   notes: list[str] | None = None) -> dict[str, pl.DataFrame]:
    """Read, type and validate every raw table; return them sorted by primary key.

    Evidence spans are checked against the texts in `corpus` (default: `evidence.corpus_dir`) where
    they are at hand; what could not be checked is added to `notes`. Raises `DataError` with every
    problem found. Writes nothing.
    """
    root = Path(root)
    problems: list[Problem] = []
    loaded = {name: table for name, table in
              ((t.name, read_raw(root, t, problems)) for t in TABLES.values()) if table is not None}
    typed = {}
    for name, table in loaded.items():
        typed[name] = checks.cast(table, problems)
        table.frame = table.frame.clear()  # the text is no longer needed: free it early
    typed = normalise_tables(loaded, typed, problems)
    for name, table in loaded.items():
        checks.check_unique_keys(table, typed[name], problems)
        checks.validate(table, typed[name], problems)
        checks.check_codes(table, typed[name], problems)
    checks.check_references(loaded, typed, problems)
    checks.check_dates_against_sources(typed, loaded, problems)
    note = checks.check_evidence_spans(typed, loaded, corpus_dir(corpus, root), problems)
    if note and notes is not None:
        notes.append(note)
    if problems:
        # A cell that failed its type is empty after the cast; it need not also be "required".
        mistyped = {(p.file, p.line, p.column) for p in problems if p.rule == "type"}
        raise DataError([p for p in problems if p.rule != "not_nullable"
                         or (p.file, p.line, p.column) not in mistyped])
    # One table at a time, so that a table and its sorted copy are never all in memory at once.
    return {name: typed.pop(name).drop(LINE).sort(TABLES[name].primary_key) for name in TABLES}


def serialise(frame: pl.DataFrame) -> bytes:
    """A table as the build writes it: UTF-8 CSV, LF line ends, ISO dates, empty for null."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, line_terminator="\n", date_format="%Y-%m-%d")
    return buffer.getvalue()


def _version(root: Path) -> tuple[str, str | None]:
    """The version and its release date, with a located problem where either file is broken."""
    try:
        version = project_version(root)
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise DataError([Problem(PYPROJECT, None, "version", None, "version",
                                 f"cannot read [project] version: {error}")]) from error
    try:
        return version, release_date(root, version)
    except ReleaseError as error:
        raise DataError([Problem(RELEASES_FILE, None, None, None, "releases", str(error))]
                        ) from error


def recover(root: Path | str) -> str | None:
    """Undo what an interrupted build left behind; say what was done, or None if nothing was.

    A staging directory without a journal was killed while writing: the outputs were never
    touched, and the staging directory is removed. With a journal the swap was under way: every
    output is put back as it was before that build.
    """
    root = Path(root)
    staging = root / STAGING
    if not staging.exists():
        return None
    journal = staging / JOURNAL
    if not journal.is_file():
        shutil.rmtree(staging)
        return f"removed {staging}, left by a build that stopped before writing its outputs"
    existed = set(json.loads(journal.read_text(encoding="utf-8")))
    for name in OUTPUTS:
        saved, target = staging / "previous" / name, root / name
        if saved.exists() or name not in existed:
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
        if saved.exists():
            os.replace(saved, target)
    shutil.rmtree(staging)
    return "rolled back a build that was stopped while swapping in its outputs"


def _write_outputs(root: Path, outputs: dict[str, bytes]) -> None:
    """Write `outputs` (relative path -> bytes) to staging, then swap them in under a journal."""
    staging = root / STAGING
    new = staging / "new"
    (new / BUILD_DIR).mkdir(parents=True)
    for relative, data in outputs.items():
        (new / relative).write_bytes(data)
    (staging / "previous").mkdir()
    existed = [name for name in OUTPUTS if (root / name).exists()]
    journal = staging / JOURNAL
    (staging / "journal.tmp").write_text(json.dumps(existed), encoding="utf-8")
    os.replace(staging / "journal.tmp", journal)  # the journal exists whole or not at all
    for name in OUTPUTS:
        if name in existed:
            os.replace(root / name, staging / "previous" / name)
        os.replace(new / name, root / name)
    journal.unlink()  # from here on the new outputs stand
    shutil.rmtree(staging)


def build(root: Path | str = ".", corpus: Path | None = None,
          notes: list[str] | None = None) -> dict[str, object]:
    """Build `root/build/`, `root/datapackage.json` and `root/CITATION.cff` from `root/raw/`;
    return the descriptor.

    The version comes from `root/pyproject.toml` and its release date, if it was released, from
    `root/RELEASES.json`: nothing is read from the clock, so the same inputs give the same bytes.
    Raises `DataError` (and writes nothing) if any check fails.
    """
    root = Path(root)
    note = recover(root)
    if note and notes is not None:
        notes.append(note)
    tables = compile_tables(root, corpus, notes)
    version, released = _version(root)
    files = {name: serialise(tables.pop(name)) for name in list(tables)}
    descriptor = datapackage.descriptor(files, version, released)
    outputs = {f"{BUILD_DIR}/{name}.csv": data for name, data in files.items()}
    outputs[DESCRIPTOR] = datapackage.dumps(descriptor)
    outputs[CITATION] = citation.render(descriptor, "cff").encode("utf-8")
    _write_outputs(root, outputs)
    return descriptor


CHANGELOG = "CHANGELOG.md"
CHANGELOG_HEAD = "# Changelog\n"
UNRELEASED = "Unreleased\n"  # heading of the CHANGELOG section for changes not yet released


def release(root: Path | str, date: str, previous: Path | str | None = None) -> "Release":
    """Record the version in `root/pyproject.toml` as released on `date` and rebuild.

    The build is compared with the previous release's (`previous`, a directory or descriptor, else
    found in the git history) and the version must be bumped at least as much as the changes
    require. Appends the release to ``RELEASES.json`` and its summary to ``CHANGELOG.md``; the
    rebuild then carries `date` as ``created``. Raises `ReleaseError` when a rule is broken.
    """
    from .diff import changelog_section, diff_packages
    from .loaders import load
    from .releases import (Release, bump_between, read_releases, released_build_from_git,
                           toolchain, write_releases)

    root = Path(root)
    version = project_version(root)
    releases = read_releases(root)
    if any(r.version == version for r in releases):
        raise ReleaseError(f"version {version} is already released; bump it in pyproject.toml")
    candidate = Release(version, date, "sha256:" + "0" * 64)  # checks the date early
    if releases and (bump_between(releases[-1].version, version) == "none"
                     or releases[-1].date > candidate.date):
        raise ReleaseError(f"{version} on {date} does not follow {releases[-1].version} "
                           f"of {releases[-1].date}")
    descriptor = build(root)
    with tempfile.TemporaryDirectory() as scratch:
        if releases and previous is None:
            previous = released_build_from_git(root, releases[-1], Path(scratch))
            if previous is None:
                raise ReleaseError("cannot find the previous release's build: this is not a git "
                                   "checkout with history; give it with --previous")
        if previous is not None:
            diff = diff_packages(previous, root)
            if not diff.bump_ok:
                raise ReleaseError(f"the changes since {diff.old_version} require a "
                                   f"{diff.required_bump} bump; {version} is a "
                                   f"{diff.declared_bump} bump")
            section = changelog_section(diff, version, date, str(descriptor["contentHash"]))
        else:
            counts = ", ".join(f"{name} {load(name, root=root).height}" for name in TABLES)
            section = (f"## {version} ({date})\n\nContent hash `{descriptor['contentHash']}`. "
                       f"First release: {counts} rows.\n")
    entry = Release(version, date, str(descriptor["contentHash"]), toolchain())
    write_releases(root, [*releases, entry])
    changelog = root / CHANGELOG
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else CHANGELOG_HEAD
    head, _, rest = text.partition("\n## ")
    if rest.startswith(UNRELEASED):  # the notes written while the version was unreleased
        notes, _, rest = rest[len(UNRELEASED):].partition("\n## ")
        section = f"{section.rstrip()}\n\n{notes.strip()}\n"
    text = f"{head.rstrip()}\n\n{section}" + (f"\n## {rest}" if rest else "")
    changelog.write_text(text, encoding="utf-8")
    build(root)
    return entry
