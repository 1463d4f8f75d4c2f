"""The release workflow: record a version as released, rebuild, store the release's build, write
its changelog section, and make the sdist and wheel a maintainer uploads.

It stands above the build and `diff`, which it runs; the versions and release records it writes
are `versions`, which the build reads. The names of `versions` that callers use are here too.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .versions import (BUMPS, PYPROJECT, RELEASES_FILE, Release, ReleaseError, bump_between,
                       check_date, parse_version, project_version, read_releases,
                       released_build_from_git, source_commit, toolchain, write_releases)

if TYPE_CHECKING:
    from ._names import TableName

__all__ = ["BUMPS", "PYPROJECT", "RELEASES_FILE", "Release", "ReleaseError", "bump_between",
           "check_date", "parse_version", "project_version", "read_releases",
           "released_build_from_git", "toolchain", "write_releases", "release"]

CHANGELOG = "CHANGELOG.md"
CHANGELOG_HEAD = "# Changelog\n"
UNRELEASED = "[Unreleased]"  # heading of the CHANGELOG section for changes not yet released
KINDS = ("Added", "Changed", "Deprecated", "Removed", "Fixed", "Security")  # Keep a Changelog
DIST = "dist"
DIST_TIMEOUT = 900  # seconds for building the sdist and wheel, and for twine


def previous_build(root: Path, release: Release, into: Path) -> Path | None:
    """A folder holding the build of `release`: its stored copy where it is stored, else from the
    git history (`released_build_from_git`); None where neither is to be had."""
    from .stored import open_release, stored_versions

    if release.version in stored_versions(root):
        return open_release(root, release.version)
    return released_build_from_git(root, release, into)


def _sections(text: str) -> tuple[str, list[str]]:
    """The text before the first ``## `` heading, and each section from its heading on."""
    head, *sections = ("\n" + text).split("\n## ")
    return head.lstrip("\n") or CHANGELOG_HEAD, ["## " + section for section in sections]


def changelog_with(text: str, version: str, date: str, summary: str,
                   generated: dict[str, list[str]]) -> str:
    """`text` (a CHANGELOG.md in the Keep a Changelog form) with the release of `version` on
    `date`: the notes under ``## [Unreleased]`` move under ``## [version] - date`` after
    `summary`, and a new, empty Unreleased section stays on top.

    The `generated` entries (kind -> lines, each naming its table first, as `diff` writes them)
    join the notes' subsections of their kind, but only for tables the notes never name: what a
    curator wrote of a table stands, and no changed table goes unmentioned.
    """
    head, sections = _sections(text)
    notes = ""
    if sections and sections[0].startswith(f"## {UNRELEASED}"):
        notes = sections.pop(0).partition("\n")[2].strip()
    preface, *blocks = re.split(r"^### ", notes, flags=re.M)
    kinds: dict[str, str] = {}
    for block in blocks:  # a kind written twice keeps both of its blocks, in order
        kind, _, lines = block.partition("\n")
        kinds[kind.strip()] = "\n".join(filter(None, [kinds.get(kind.strip(), ""),
                                                      lines.strip()]))
    for kind in KINDS:
        lines = [f"- {line}" for line in generated.get(kind, [])
                 if (table := re.search(r"`([a-z_]+)", line)) is None
                 or not re.search(rf"`{table.group(1)}[`.]", notes)]
        if lines:
            kinds[kind] = "\n".join(filter(None, [kinds.get(kind, ""), *lines]))
    ordered = [kind for kind in KINDS if kind in kinds] + [k for k in kinds if k not in KINDS]
    body = "\n\n".join(filter(None, [preface.strip(), *(f"### {kind}\n\n{kinds[kind]}"
                                                        for kind in ordered)]))
    summary = textwrap.fill(summary, 100, break_long_words=False, break_on_hyphens=False)
    section = f"## [{version}] - {date}\n\n{summary}\n" + (f"\n{body}\n" if body else "")
    parts = [head, f"## {UNRELEASED}", section, *sections]
    return "\n".join(part.rstrip() + "\n" for part in parts)


def check_dist_tools() -> None:
    """Raise `ReleaseError` unless the tools that make and check the sdist and wheel (build,
    hatchling, twine: the ``release`` extra) are installed."""
    import importlib.util

    missing = [name for name in ("build", "hatchling", "twine")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ReleaseError(f"making the sdist and wheel needs {', '.join(missing)}: pip install "
                           "'dprk-ru-data[release]' (or pass --no-dist)")


def make_dist(root: Path, out: Path, version: str | None = None) -> list[Path]:
    """Build the sdist and the wheel of the project in `root` into `out` (the wheel from the
    sdist, with the installed build backend) and check both with ``twine check --strict``;
    return their paths. Uploading them stays a person's step (``twine upload``)."""
    import subprocess
    import sys

    check_dist_tools()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(f"dprk_ru_data-{version or project_version(root)}[-.]*"):
        stale.unlink()  # made before for this version: made again, and checked again
    before = set(out.iterdir())
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                           str(root)], capture_output=True, text=True, timeout=DIST_TIMEOUT,
                          check=False)
    if done.returncode:
        raise ReleaseError(f"building the sdist and wheel failed:\n{done.stderr[-2000:]}")
    made = sorted(path for path in out.iterdir() if path not in before
                  and path.name.endswith((".whl", ".tar.gz")))
    if len(made) != 2:
        raise ReleaseError(f"building made {[path.name for path in made]}, not an sdist and a "
                           "wheel")
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict",
                           *map(str, made)], capture_output=True, text=True,
                          timeout=DIST_TIMEOUT, check=False)
    if done.returncode:
        raise ReleaseError("twine check refused the sdist or wheel:\n"
                           f"{(done.stdout + done.stderr)[-2000:]}")
    return made


def release(root: Path | str, date: str, previous: Path | str | None = None,
            dist: bool = True) -> Release:
    """Record the version in `root/pyproject.toml` as released on `date`, rebuild, store the
    release's build, and (with `dist`) make its sdist and wheel in `root/dist`.

    The build is compared with the previous release's (`previous`, a directory or descriptor,
    else its stored copy, else found in the git history) and the version must be bumped at least
    as much as the changes require. Appends the release (with the hashes of its tables and of
    its stored copy, ``releases/<version>.zip``) to ``RELEASES.json``, and moves the notes under
    ``## [Unreleased]`` in ``CHANGELOG.md`` under the version; the rebuild carries `date` as
    ``created``. Raises `ReleaseError`, having written nothing, when a rule is broken (a version
    not bumped enough, a date, a data error). Making the sdist and wheel comes last: where that
    fails the release stays recorded, and the error says how to make them again.
    """
    from .build import build
    from .diff import changelog_section, diff_packages
    from .evidence import corpus_dir
    from .loaders import load
    from .registry import TABLES
    from .stored import store

    root = Path(root)
    if dist:
        check_dist_tools()
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
        hash_ = str(descriptor["contentHash"])
        if releases and previous is None:
            previous = previous_build(root, releases[-1], Path(scratch) / "previous")
            if previous is None:
                raise ReleaseError("cannot find the previous release's build: it is not stored "
                                   "and this is not a git checkout with history; give it with "
                                   "--previous")
        if previous is not None:
            diff = diff_packages(previous, trial)
            if not diff.bump_ok:
                raise ReleaseError(f"the changes since {diff.old_version} require a "
                                   f"{diff.required_bump} bump; {version} is a "
                                   f"{diff.declared_bump} bump")
            summary = (f"Content hash `{hash_}`. The data changes since {diff.old_version} "
                       f"require a {diff.required_bump} bump; `dprk-data diff "
                       f"{diff.old_version} {version}` lists every changed value.")
            generated = changelog_section(diff)
        else:
            counts = ", ".join(f"{name} {load(cast('TableName', name), root=trial).height}"
                               for name in TABLES)  # the registry's names: TableName's
            summary = f"Content hash `{hash_}`. First release: {counts} rows."
            generated = {}
    entry = Release(version, date, hash_, toolchain(), commit=source_commit(root))
    write_releases(root, [*releases, entry])
    changelog = root / CHANGELOG
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else CHANGELOG_HEAD
    changelog.write_text(changelog_with(text, version, date, summary, generated),
                         encoding="utf-8")
    build(root)
    entry = dataclasses.replace(entry, archive=store(root, root, version))
    write_releases(root, [*releases, entry])
    if dist:
        try:
            make_dist(root, root / DIST, version)
        except ReleaseError as error:
            raise ReleaseError(f"{version} is released and stored, but {error}\nmake them again "
                               f"with: python -m build --no-isolation && twine check dist/*"
                               ) from None
    return entry
