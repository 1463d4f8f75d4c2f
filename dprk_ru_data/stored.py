"""Stored releases: each released version's descriptor and tables, kept so that it loads by number.

A release is stored as one zip file, ``releases/<version>.zip`` beside ``RELEASES.json`` (in a
checkout at the repository root; in the wheel under ``dprk_ru_data/_data``). It holds the
release's ``datapackage.json`` and the files of its resources at the paths the descriptor gives,
and nothing else. Its members are written in a fixed order with fixed times and modes, so the same
build gives the same archive bytes.

``RELEASES.json`` records, for each stored release, the SHA-256 of its archive (``archive``) as well
as the content hash of its tables (``content_hash``). Opening a stored release checks both, and
each table's bytes against the hash its descriptor gives, before anything is used: a stored release
that was edited, truncated or replaced is refused (`StoredReleaseError`), never read.

An opened release is unpacked once per process, into a private temporary folder that is removed
when the process ends; `open_release` returns that folder, which every reader takes as ``root``.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

from .datapackage import content_hash
from .digest import prefixed
from .paths import UnsafePath, parts, read_inside
from .versions import Release, ReleaseError, parse_version, read_releases

RELEASES_DIR = "releases"
DESCRIPTOR = "datapackage.json"
MAX_ARCHIVE_BYTES = 16 * 2 ** 20  # a release is well under a megabyte today
MAX_MEMBER_BYTES = 1 * 2 ** 30  # what one table may unpack to
MAX_UNPACKED_BYTES = 2 * 2 ** 30  # what a whole release may unpack to
MAX_DESCRIPTOR_BYTES = 64 * 2 ** 20  # as the loaders allow
MAX_MEMBERS = 256  # a release holds a descriptor and a file per table
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no clock in the bytes


class StoredReleaseError(ReleaseError):
    """A stored release's bytes are not those RELEASES.json records."""


class UnknownRelease(StoredReleaseError):
    """A version that is not a release, or a release not stored with this installation."""


def archive_path(version: str) -> str:
    """Where the release of `version` is stored, relative to the folder of RELEASES.json.

    >>> archive_path("0.1.0")
    'releases/0.1.0.zip'
    """
    parse_version(version)  # only a MAJOR.MINOR.PATCH version names a file
    return f"{RELEASES_DIR}/{version}.zip"


def archive_bytes(package_root: Path) -> bytes:
    """The stored form of the package in `package_root`: its descriptor and its resources' files,
    each checked against the hash the descriptor gives (`StoredReleaseError` if one differs)."""
    descriptor_bytes = read_inside(package_root, DESCRIPTOR, MAX_MEMBER_BYTES)
    descriptor = json.loads(descriptor_bytes)
    members = [(DESCRIPTOR, descriptor_bytes)]
    for resource in sorted(descriptor["resources"], key=lambda r: str(r["path"])):
        data = read_inside(package_root, resource["path"], MAX_MEMBER_BYTES)
        if prefixed(data) != resource["hash"]:
            raise StoredReleaseError(f"{package_root / resource['path']} does not match the hash "
                                     f"its {DESCRIPTOR} gives: it cannot be stored")
        members.append((str(resource["path"]), data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def store(root: Path, package_root: Path, version: str) -> str:
    """Write the stored form of the package in `package_root` as the release `version` under
    `root`, and return its archive hash (``sha256:<hex>``) for RELEASES.json."""
    data = archive_bytes(package_root)
    target = where_stored(root, version)
    target.parent.mkdir(exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    return prefixed(data)


def _recorded(root: Path, version: str) -> Release:
    try:
        parse_version(version)
    except ReleaseError as error:
        raise UnknownRelease(str(error)) from None
    try:
        releases = read_releases(root)
    except ReleaseError as error:  # a malformed, linked or oversized RELEASES.json
        raise StoredReleaseError(str(error)) from None
    for release in releases:
        if release.version == version:
            return release
    known = ", ".join(r.version for r in releases) or "none"
    raise UnknownRelease(f"version {version!r} is not a release (the releases are: {known}; "
                         "without a version, the current build is read)")


def read_archive(root: Path, version: str) -> dict[str, bytes]:
    """The members of the stored release `version` under `root`, by name, once the archive's hash,
    each table's hash and the content hash are found to be those RELEASES.json records."""
    release, data = _verified(root, version)
    return _parsed(data, where_stored(root, version), release)


def _verified(root: Path, version: str) -> tuple[Release, bytes]:
    """The release record of `version` and the bytes of its archive, which have its hash."""
    release = _recorded(root, version)
    where = where_stored(root, version)
    if release.archive is None:
        raise UnknownRelease(f"release {version} is recorded in RELEASES.json but not stored "
                             "with this installation (RELEASES.json gives no archive hash)")
    try:
        data = read_inside(root, archive_path(version), MAX_ARCHIVE_BYTES)
    except UnsafePath as error:
        if error.rule == "missing_file":
            raise UnknownRelease(f"release {version} is not stored: {where} is missing"
                                 ) from None
        raise StoredReleaseError(f"release {version}: {error}") from None
    found = prefixed(data)
    if found != release.archive:  # checked before the zip is parsed: only our own bytes are
        raise StoredReleaseError(f"{where} is not the stored release {version}: RELEASES.json "
                                 f"records {release.archive}, the file has {found}; reinstall "
                                 "dprk-ru-data or restore the file")
    return release, data


def _parsed(data: bytes, where: Path, release: Release) -> dict[str, bytes]:
    try:
        return _members(data, where, release)
    except (KeyError, TypeError, ValueError, RecursionError, zipfile.BadZipFile, UnsafePath,
            zlib.error, EOFError, RuntimeError, NotImplementedError, LookupError) as error:
        raise StoredReleaseError(f"{where} is not a stored release ({error})") from None


def _entries(data: bytes) -> int:
    """The number of members the zip's end record declares, read before the zip is opened (whose
    index would be built for every member)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or len(data) < end + 22:
        raise ValueError("no end of central directory")
    return int.from_bytes(data[end + 10:end + 12], "little")


def _members(data: bytes, where: Path, release: Release) -> dict[str, bytes]:
    """The members of the archive `data`, checked in an order that bounds the work: the number
    of members, how each is stored, the descriptor alone, the names against the descriptor's
    list, the sizes they declare, and only then the tables, each against its hash."""
    if not 1 <= _entries(data) <= MAX_MEMBERS:
        raise StoredReleaseError(f"{where}: not 1 to {MAX_MEMBERS} members")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        for info in infos:
            if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED,
                                                                  zipfile.ZIP_DEFLATED):
                raise StoredReleaseError(f"{where}: {info.filename} is encrypted or compressed "
                                         "in a way a stored release never is")
        by_name = {info.filename: info for info in infos}
        if len(by_name) != len(infos) or DESCRIPTOR not in by_name \
                or by_name[DESCRIPTOR].file_size > MAX_DESCRIPTOR_BYTES:
            raise StoredReleaseError(f"{where}: no single {DESCRIPTOR} of at most "
                                     f"{MAX_DESCRIPTOR_BYTES} bytes")
        descriptor_bytes = archive.read(DESCRIPTOR)
        descriptor = json.loads(descriptor_bytes)
        if not isinstance(descriptor, dict) or descriptor.get("version") != release.version \
                or descriptor.get("contentHash") != release.content_hash:
            raise StoredReleaseError(f"{where}: its {DESCRIPTOR} is not that of version "
                                     f"{release.version} with {release.content_hash}")
        paths = [str(r["path"]) for r in descriptor["resources"]]
        for path in paths:
            parts(path)  # a plain relative path, or UnsafePath
            if any(other.startswith(path + "/") for other in paths):
                raise StoredReleaseError(f"{where}: {path} is both a file and a folder")
        if set(by_name) != {DESCRIPTOR, *paths} or len(set(paths)) != len(paths):
            raise StoredReleaseError(f"{where} holds {sorted(set(by_name) ^ {DESCRIPTOR, *paths})} "
                                     f"against what its {DESCRIPTOR} lists")
        sizes = [by_name[path].file_size for path in paths]
        if max(sizes, default=0) > MAX_MEMBER_BYTES or sum(sizes) > MAX_UNPACKED_BYTES:
            raise StoredReleaseError(f"{where}: its tables unpack to more than a release may")
        members = {DESCRIPTOR: descriptor_bytes}
        for resource in descriptor["resources"]:
            members[resource["path"]] = archive.read(by_name[resource["path"]])
            if prefixed(members[resource["path"]]) != resource["hash"]:
                raise StoredReleaseError(f"{where}: {resource['path']} does not match its hash")
    if content_hash(descriptor["resources"]) != release.content_hash:
        raise StoredReleaseError(f"{where}: its tables' content hash is not the "
                                 f"{release.content_hash} RELEASES.json records")
    return members


_OPENED: dict[tuple[str, str, str], Path] = {}
_SCRATCH: list[Path] = []


def _scratch() -> Path:
    if not _SCRATCH:
        folder = Path(tempfile.mkdtemp(prefix="dprk-ru-data-releases-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _SCRATCH.append(folder)
    return _SCRATCH[0]


def open_release(root: Path, version: str) -> Path:
    """A package folder holding the stored release `version` of `root` (see `read_archive`).

    The archive is read and checked at every call, and the folder it was unpacked into before
    (once per process, a private folder removed at exit) is used again only while every file
    there is still the archive's; readers take the folder as ``root``.
    """
    release, data = _verified(root, version)
    where = where_stored(root, version)
    members = _parsed(data, where, release)
    key = (str(root.resolve()), version, prefixed(data))
    opened = _OPENED.get(key)
    if opened is None or not _holds(opened, members):
        opened = _unpack(members, version, where)
        _OPENED[key] = opened
    _OPENED_FROM[opened] = (release, where)  # what RELEASES.json says now (a DOI since, say)
    return opened


def _holds(folder: Path, members: dict[str, bytes]) -> bool:
    try:
        return all(read_inside(folder, name, len(data) + 1) == data
                   for name, data in members.items())
    except OSError:
        return False


def _unpack(members: dict[str, bytes], version: str, where: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"{version}-", dir=_scratch()))
    try:
        for name, member in members.items():
            target = folder.joinpath(*parts(name))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(member)
    except OSError as error:
        raise StoredReleaseError(f"{where}: cannot unpack it ({error.strerror or error})"
                                 ) from None
    return folder


_OPENED_FROM: dict[Path, tuple[Release, Path]] = {}  # unpacked folder -> its record and archive


def record_of(folder: Path) -> Release | None:
    """The release record of `folder`, where it is a stored release opened by `open_release`:
    what RELEASES.json says of it now (a DOI recorded after the release, say)."""
    opened = _OPENED_FROM.get(folder)
    return opened[0] if opened else None


def where_stored(root: Path, version: str) -> Path:
    """The archive file of the release `version` of `root`."""
    return root.joinpath(*parts(archive_path(version)))


def origin(folder: Path) -> str | None:
    """What `folder` holds, where it is a stored release opened by `open_release`, else None."""
    opened = _OPENED_FROM.get(folder)
    return f"release {opened[0].version}, stored in {opened[1]}" if opened else None


def stored_versions(root: Path) -> list[str]:
    """The recorded releases of `root` that are stored with it, oldest first."""
    return [r.version for r in read_releases(root) if r.archive is not None]


def describe(root: Path) -> list[dict[str, Any]]:
    """One dict per recorded release: version, date, content hash, DOI, and whether it is stored."""
    return [{"version": r.version, "date": r.date, "content_hash": r.content_hash,
             "doi": r.doi, "stored": r.archive is not None} for r in read_releases(root)]
