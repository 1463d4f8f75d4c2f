"""The release workflow: record a version as released, rebuild, and write its changelog section.

It stands above the build and `diff`, which it runs; the versions and release records it writes
are `versions`, which the build reads. The names of `versions` that callers use are here too.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .versions import (BUMPS, PYPROJECT, RELEASES_FILE, Release, ReleaseError, bump_between,
                       check_date, parse_version, project_version, read_releases,
                       released_build_from_git, toolchain, write_releases)

__all__ = ["BUMPS", "PYPROJECT", "RELEASES_FILE", "Release", "ReleaseError", "bump_between",
           "check_date", "parse_version", "project_version", "read_releases",
           "released_build_from_git", "toolchain", "write_releases", "release"]

CHANGELOG = "CHANGELOG.md"
CHANGELOG_HEAD = "# Changelog\n"
UNRELEASED = "Unreleased\n"  # heading of the CHANGELOG section for changes not yet released


def release(root: Path | str, date: str, previous: Path | str | None = None) -> Release:
    """Record the version in `root/pyproject.toml` as released on `date` and rebuild.

    The build is compared with the previous release's (`previous`, a directory or descriptor, else
    found in the git history) and the version must be bumped at least as much as the changes
    require. Appends the release to ``RELEASES.json`` and its summary to ``CHANGELOG.md``; the
    rebuild then carries `date` as ``created``. Raises `ReleaseError` when a rule is broken.
    """
    from .build import build
    from .diff import changelog_section, diff_packages
    from .evidence import corpus_dir
    from .loaders import load
    from .registry import TABLES

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
    with tempfile.TemporaryDirectory() as scratch:
        # Built first in a scratch copy of the inputs: a refused release changes nothing.
        trial = Path(scratch) / "trial"
        shutil.copytree(root / "raw", trial / "raw")
        for name in (PYPROJECT, RELEASES_FILE):
            if (root / name).is_file():
                shutil.copy2(root / name, trial / name)
        descriptor = build(trial, corpus_dir(None, root))
        if releases and previous is None:
            previous = released_build_from_git(root, releases[-1], Path(scratch) / "previous")
            if previous is None:
                raise ReleaseError("cannot find the previous release's build: this is not a git "
                                   "checkout with history; give it with --previous")
        if previous is not None:
            diff = diff_packages(previous, trial)
            if not diff.bump_ok:
                raise ReleaseError(f"the changes since {diff.old_version} require a "
                                   f"{diff.required_bump} bump; {version} is a "
                                   f"{diff.declared_bump} bump")
            section = changelog_section(diff, version, date, str(descriptor["contentHash"]))
        else:
            counts = ", ".join(f"{name} {load(name, root=trial).height}" for name in TABLES)
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
