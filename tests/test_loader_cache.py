"""Repeated loads are cheap and still safe: a table file is hashed once per state of the file (its
device, inode, times and size), read through the path policy every time; a file edited or
replaced is hashed again and refused if damaged; `package()` gives each caller its own dict."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Literal

import pytest

import dprk_ru_data
from dprk_ru_data import TableName, digest, loaders, paths
from dprk_ru_data.build import check_package

from .conftest import ROOT, built_package

TABLE: TableName = "actors"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the built package, with an empty verification cache of its own."""
    return built_package(tmp_path / "pkg")


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often a table file is hashed and read, from here on; every file counts as settled (a
    copy made just now would not be remembered, see the last test)."""
    seen = {"hashed": 0, "read": 0}
    hash_of, read_inside = digest.prefixed, paths.read_inside

    def hashing(data: bytes | str) -> str:
        seen["hashed"] += 1
        return hash_of(data)

    def reading(*args: object, **kwargs: object) -> bytes:
        seen["read"] += 1
        return read_inside(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loaders, "prefixed", hashing)
    monkeypatch.setattr(paths, "read_inside", reading)
    monkeypatch.setattr(loaders, "_verified", OrderedDict())
    monkeypatch.setattr(loaders, "SETTLED_NS", 0)
    return seen


def _table_file(root: Path) -> Path:
    return root / "build" / f"{TABLE}.csv"


def _edit_in_place(path: Path) -> None:
    """Change one byte of `path` without changing its size or its inode."""
    with path.open("r+b") as file:
        file.seek(-2, os.SEEK_END)
        last = file.read(1)
        file.seek(-2, os.SEEK_END)
        file.write(b"Y" if last != b"Y" else b"Z")


def test_a_second_load_of_an_unchanged_table_is_not_hashed_again(root: Path,
                                                                 counts: dict[str, int]) -> None:
    first = dprk_ru_data.load(TABLE, root=root)
    assert counts == {"hashed": 1, "read": 2}  # the descriptor and the table
    second = dprk_ru_data.load(TABLE, root=root)
    assert counts["hashed"] == 1
    assert counts["read"] == 3  # read again through the path policy, only not hashed
    assert second.equals(first)


def test_a_table_edited_in_place_is_hashed_again_and_refused(root: Path,
                                                             counts: dict[str, int]) -> None:
    path = _table_file(root)
    dprk_ru_data.load(TABLE, root=root)
    before = path.stat()
    _edit_in_place(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    after = path.stat()
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size)
    with pytest.raises(dprk_ru_data.IntegrityError, match="is damaged"):
        dprk_ru_data.load(TABLE, root=root)
    assert counts["hashed"] == 2


def test_an_edit_whose_mtime_is_set_back_is_still_refused(root: Path,
                                                          counts: dict[str, int]) -> None:
    """An mtime can be set back (os.utime); the change time cannot, and it is part of the key."""
    path = _table_file(root)
    dprk_ru_data.load(TABLE, root=root)
    before = path.stat()
    time.sleep(0.05)  # past a tick of the file system's clock
    _edit_in_place(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    with pytest.raises(dprk_ru_data.IntegrityError):
        dprk_ru_data.load(TABLE, root=root)


def test_a_replaced_table_is_checked_again(root: Path, counts: dict[str, int]) -> None:
    path = _table_file(root)
    dprk_ru_data.load(TABLE, root=root)
    before = path.stat()
    spare = path.with_suffix(".new")
    shutil.copy2(path, spare)  # the same bytes and mtime, another inode
    os.replace(spare, path)
    assert path.stat().st_ino != before.st_ino
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    dprk_ru_data.load(TABLE, root=root)
    assert counts["hashed"] == 2  # hashed again, and accepted: it is the same table
    shutil.copy2(path, spare)
    _edit_in_place(spare)
    os.utime(spare, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(spare, path)
    with pytest.raises(dprk_ru_data.IntegrityError):
        dprk_ru_data.load(TABLE, root=root)


def test_a_link_put_in_place_of_a_verified_table_is_refused(root: Path,
                                                            counts: dict[str, int]) -> None:
    """The path policy is applied on every read, also to a file whose hash is remembered."""
    path = _table_file(root)
    dprk_ru_data.load(TABLE, root=root)
    kept = root / "kept.csv"
    os.replace(path, kept)
    path.symlink_to(kept)
    with pytest.raises(paths.UnsafePath):
        dprk_ru_data.load(TABLE, root=root)


def test_the_verification_cache_is_bounded(root: Path, counts: dict[str, int],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_VERIFIED", 2)
    names: tuple[TableName, ...] = ("sources", "actors", "incidents")
    for name in names:
        dprk_ru_data.load(name, root=root)
    assert len(loaders._verified) == 2 and counts["hashed"] == 3
    dprk_ru_data.load("actors", root=root)
    dprk_ru_data.load("incidents", root=root)
    assert counts["hashed"] == 3
    dprk_ru_data.load("sources", root=root)  # the least recently used, dropped
    assert counts["hashed"] == 4


def test_a_file_written_just_now_is_hashed_on_every_load(root: Path, counts: dict[str, int],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A file may be written again within one tick of the file system's clock, keeping its
    times: one changed less than SETTLED_NS ago is not remembered."""
    monkeypatch.setattr(loaders, "SETTLED_NS", 3600 * 10 ** 9)
    dprk_ru_data.load(TABLE, root=root)
    dprk_ru_data.load(TABLE, root=root)
    assert counts["hashed"] == 2 and not loaders._verified


def test_the_package_dict_is_the_callers_own(root: Path) -> None:
    on_disk = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    mine = dprk_ru_data.package(root)
    assert mine == on_disk
    mine["version"] = "0.0.0"
    mine["resources"][0]["name"] = "renamed"
    mine["resources"][1]["schema"]["fields"].clear()
    assert dprk_ru_data.package(root) == on_disk
    assert dprk_ru_data.tables(root)[0] == on_disk["resources"][0]["name"]
    assert dprk_ru_data.load(on_disk["resources"][1]["name"], root=root).width > 0


def _edit_title(path: Path) -> None:
    """Change one letter of the descriptor's title in place: the same size, the same inode."""
    data = path.read_bytes()
    at = data.index(b'"title": "') + len(b'"title": "')
    with path.open("r+b") as file:
        file.seek(at)
        file.write(b"Y" if data[at:at + 1] != b"Y" else b"Z")


@pytest.mark.parametrize("settled", [True, False])
def test_a_descriptor_edited_in_place_with_its_mtime_set_back_is_read_again(
        root: Path, monkeypatch: pytest.MonkeyPatch, settled: bool) -> None:
    """The descriptor's cache is keyed by the change time too, and a file changed within
    SETTLED_NS is read afresh; either catches an edit that keeps the size and the mtime."""
    if settled:
        monkeypatch.setattr(loaders, "SETTLED_NS", 0)
    path = root / "datapackage.json"
    title = dprk_ru_data.package(root)["title"]
    before = path.stat()
    time.sleep(0.05)  # past a tick of the file system's clock
    _edit_title(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert path.stat().st_size == before.st_size
    assert dprk_ru_data.package(root)["title"] != title


@pytest.mark.parametrize("backend", ["polars", "pandas"])
def test_a_large_table_is_hashed_while_it_is_parsed_and_refused_if_damaged(
        root: Path, monkeypatch: pytest.MonkeyPatch, backend: Literal["polars", "pandas"]
        ) -> None:
    """From `loaders.OVERLAP_BYTES` on, a table's hash is computed in a thread of its own while
    its bytes are parsed: the same frame as the table hashed first, and a damaged file is still
    refused as damaged, also where the damage leaves it unreadable as CSV."""
    expected = dprk_ru_data.load(TABLE, root=root, backend=backend)  # small: hashed first
    threads: list[str] = []
    hash_of = digest.prefixed

    def hashing(data: bytes | str) -> str:
        threads.append(threading.current_thread().name)
        return hash_of(data)

    monkeypatch.setattr(loaders, "prefixed", hashing)
    monkeypatch.setattr(loaders, "OVERLAP_BYTES", 0)
    monkeypatch.setattr(loaders, "_verified", OrderedDict())
    found = dprk_ru_data.load(TABLE, root=root, backend=backend)
    assert found.equals(expected)  # type: ignore[arg-type]
    assert len(threads) == 1 and threads[0].startswith("dprk-hash")
    path = _table_file(root)
    _edit_in_place(path)
    with pytest.raises(dprk_ru_data.IntegrityError, match="is damaged"):
        dprk_ru_data.load(TABLE, root=root, backend=backend)
    path.write_bytes(path.read_bytes().replace(b"\n", b'\n"', 1))  # a quote left open
    with pytest.raises(dprk_ru_data.IntegrityError, match="is damaged"):
        dprk_ru_data.load(TABLE, root=root, backend=backend)
    problems = check_package(root, [TABLE])
    assert [problem.rule for problem in problems] == ["integrity"]
