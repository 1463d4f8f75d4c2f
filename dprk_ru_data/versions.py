"""Versions, release records and content hashes (the release workflow is `releases`).

The version is set once, in ``pyproject.toml``. ``RELEASES.json`` at the repository root records each
released version with its date, the content hash of its tables and the toolchain that built them.
The release date, not the clock, becomes the descriptor's ``created``, so a build is reproducible.

The *content hash* of a package is the SHA-256 of its resources' checksum manifest, one line per
resource sorted by path, in the format of ``sha256sum``: ``<hex digest><two spaces><path>\\n``. With
coreutils, ``LC_ALL=C sha256sum build/*.csv | sha256sum`` in the repository gives the same digest.
Only the data enter it, so a change of descriptive metadata alone keeps the hash.

The content hash is computed by `datapackage.content_hash`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .datapackage import content_hash
from .digest import prefixed
from .paths import UnsafePath, parts, read_inside

RELEASES_FILE = "RELEASES.json"
PYPROJECT = "pyproject.toml"
MAX_PROJECT_FILE_BYTES = 1_000_000  # pyproject.toml and RELEASES.json are small files
# What the build's output bytes depend on: recorded with each release.
TOOLCHAIN = ("polars", "pandera", "edtf", "pycountry")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
BUMPS = ("none", "patch", "minor", "major")


class ReleaseError(ValueError):
    """A version or a release record breaks the release rules."""


def parse_version(version: str) -> tuple[int, int, int]:
    """``MAJOR.MINOR.PATCH`` as a tuple of integers.

    >>> parse_version("0.3.1")
    (0, 3, 1)
    """
    match = _VERSION.match(version)
    if not match:
        raise ReleaseError(f"{version!r} is not a MAJOR.MINOR.PATCH version")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def is_version(text: str) -> bool:
    """Whether `text` is a ``MAJOR.MINOR.PATCH`` version.

    >>> is_version("0.1.0"), is_version("./0.1.0")
    (True, False)
    """
    return _VERSION.fullmatch(text) is not None


def bump_between(old: str, new: str) -> str:
    """How much `new` is bumped over `old`: ``none``, ``patch``, ``minor`` or ``major``.

    A version that is not newer raises `ReleaseError`.

    >>> bump_between("0.3.1", "0.4.0")
    'minor'
    """
    before, after = parse_version(old), parse_version(new)
    if after == before:
        return "none"
    if after < before:
        raise ReleaseError(f"version {new} is older than {old}")
    if after[0] > before[0]:
        return "major"
    if after[1] > before[1]:
        return "minor"
    return "patch"


def bump_satisfies(actual: str, required: str) -> bool:
    """True where a bump of kind `actual` is at least as large as `required`."""
    return BUMPS.index(actual) >= BUMPS.index(required)


def project_version(root: Path) -> str:
    """The version in `root/pyproject.toml`, else the installed package's."""
    if os.path.lexists(root / PYPROJECT):
        text = read_inside(root, PYPROJECT, MAX_PROJECT_FILE_BYTES).decode("utf-8")
        return str(tomllib.loads(text)["project"]["version"])
    from . import __version__
    return str(__version__)


def check_date(text: str, context: str = "") -> dt.date:
    """`text` as a date, if it is a real day written ``YYYY-MM-DD`` (nothing else Python's ISO
    reader accepts, such as ``20301101``); else `ReleaseError`.

    >>> check_date("2026-11-24")
    datetime.date(2026, 11, 24)
    """
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ReleaseError(f"{context}{text!r} is not a YYYY-MM-DD date")


@dataclass(frozen=True)
class Release:
    """One released version: when, what content, built with which tools."""

    version: str
    date: str
    content_hash: str
    toolchain: dict[str, str] = field(default_factory=dict)
    doi: str | None = None  # recorded once the release is deposited (e.g. on Zenodo)
    archive: str | None = None  # SHA-256 of the stored release (`stored`), where it is stored
    commit: str | None = None  # the git commit whose raw/ and code the release was built from

    def __post_init__(self) -> None:
        parse_version(self.version)
        check_date(self.date, f"release {self.version}: ")
        if not re.fullmatch(r"sha256:[0-9a-f]{64}", self.content_hash):
            raise ReleaseError(f"release {self.version}: {self.content_hash!r} is not a "
                               "sha256:<64 hex digits> hash")
        if self.commit is not None and not re.fullmatch(r"[0-9a-f]{40}", self.commit):
            raise ReleaseError(f"release {self.version}: commit {self.commit!r} is not a git "
                               "commit id (40 hex digits)")
        if self.archive is not None and not re.fullmatch(r"sha256:[0-9a-f]{64}", self.archive):
            raise ReleaseError(f"release {self.version}: archive {self.archive!r} is not a "
                               "sha256:<64 hex digits> hash")


def read_releases(root: Path) -> list[Release]:
    """The releases recorded in `root/RELEASES.json`, oldest first; empty if there is no file.

    Raises `ReleaseError` if the records are malformed or not in increasing version order.
    """
    if not os.path.lexists(root / RELEASES_FILE):
        return []
    try:
        records = json.loads(read_inside(root, RELEASES_FILE, MAX_PROJECT_FILE_BYTES))
        releases = [Release(**record) for record in records]
    except (ValueError, TypeError, RecursionError, UnsafePath) as error:
        raise ReleaseError(f"{RELEASES_FILE} is malformed: {error}") from error
    for older, newer in zip(releases, releases[1:]):
        if parse_version(newer.version) <= parse_version(older.version):
            raise ReleaseError(f"{RELEASES_FILE}: {newer.version} follows {older.version}; "
                               "versions must increase")
        if newer.date < older.date:
            raise ReleaseError(f"{RELEASES_FILE}: {newer.version} of {newer.date} follows "
                               f"{older.version} of {older.date}; dates must not go back")
    return releases


def write_releases(root: Path, releases: list[Release]) -> None:
    optional = ("doi", "archive", "commit")
    records = [{k: v for k, v in asdict(release).items() if k not in optional or v}
               for release in releases]  # a DOI, an archive and a commit only where recorded
    text = json.dumps(records, indent=2) + "\n"
    (root / RELEASES_FILE).write_text(text, encoding="utf-8")


def release_of(root: Path, version: str) -> Release | None:
    """The release record of `version` in `root/RELEASES.json`, or None while it is unreleased."""
    return next((release for release in read_releases(root) if release.version == version), None)


def toolchain() -> dict[str, str]:
    """The versions of Python and of the libraries the build's output bytes depend on."""
    from importlib.metadata import version

    tools = {"python": ".".join(str(part) for part in sys.version_info[:3])}
    tools.update({name: version(name) for name in TOOLCHAIN})
    return tools


def source_commit(root: Path) -> str | None:
    """The commit checked out in `root`, where its build's inputs (raw/, pyproject.toml and the
    package's code) are as committed there; else None (not a git checkout, or edited inputs)."""
    try:
        head = _git(root, "rev-parse", "--verify", "HEAD")
        edited = _git(root, "status", "--porcelain", "--", "raw", PYPROJECT, "dprk_ru_data")
        top = _git(root, "rev-parse", "--show-toplevel")
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    if head.returncode or edited.returncode or edited.stdout.strip():
        return None
    if top.stdout.decode().strip() != str(root.resolve()):
        return None  # a folder inside another project's checkout
    return head.stdout.decode().strip()


GIT_TIMEOUT = 120  # seconds for one git command


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`git -C root ARGS`, its output as bytes, bounded in time; never raises for its exit code."""
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False,
                          timeout=GIT_TIMEOUT)


def released_build_from_git(root: Path, release: Release, into: Path) -> Path | None:
    """Check out the build of `release` from the git history of `root` into `into`.

    Looks for the newest commit whose ``datapackage.json`` has the release's content hash and
    writes that commit's descriptor and tables under `into`. Returns None where `root` is not a
    git checkout with history (an sdist, a shallow clone); raises `ReleaseError` where it is one
    but no commit holds the release.
    """
    try:
        probe = _git(root, "rev-parse", "--is-shallow-repository")
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    if probe.returncode != 0 or probe.stdout.strip() != b"false":
        return None
    commits = _git(root, "log", "--format=%H", "--", "datapackage.json").stdout.decode().split()
    for commit in commits:
        shown = _git(root, "show", f"{commit}:datapackage.json")
        if shown.returncode != 0:
            continue
        try:
            descriptor = json.loads(shown.stdout)
            found = content_hash(descriptor["resources"])
        except (KeyError, TypeError, ValueError):  # an old or broken descriptor: not this one
            continue
        if found != release.content_hash:
            continue
        into.mkdir(parents=True, exist_ok=True)
        (into / "datapackage.json").write_bytes(shown.stdout)
        for resource in descriptor["resources"]:
            target = into.joinpath(*parts(resource["path"]))  # never outside `into`
            target.parent.mkdir(parents=True, exist_ok=True)
            data = _git(root, "show", f"{commit}:{resource['path']}").stdout
            if prefixed(data) != resource["hash"]:
                raise ReleaseError(f"commit {commit[:12]}: {resource['path']} does not match "
                                   "the hash its datapackage.json gives")
            target.write_bytes(data)
        return into
    raise ReleaseError(f"no commit in the history has the build of release {release.version} "
                       f"({release.content_hash})")
