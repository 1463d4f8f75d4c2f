"""One path policy for every folder the tools did not write: a package folder, a checkout's
``raw/``, a corpus folder, a staging folder.

A path taken from a file (a descriptor's resource path, a journal's names, a source's
``corpus_file``) is data. It must be relative, made of plain names (no ``..``, no empty part, no
drive or NUL), and it is opened one component at a time from the folder's own descriptor with
``O_NOFOLLOW``, so no symbolic link, in the last component or any folder above it, is ever
followed out. The file is then checked on its descriptor (``fstat``), not on its name: a FIFO,
a device, a socket or a folder is refused before a byte is read (a FIFO is opened without
blocking), and so is a file larger than the limit the caller sets. This follows the data filter
of Python's tar extraction (PEP 706).

Standard library only: the loaders use it on a data-only install.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath
from typing import Generator

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"))


class UnsafePath(OSError):
    """A path that the policy refuses; ``rule`` names the rule, ``path`` the path as given.

    The message names the path and the rule and nothing read from the file (it was not read).
    It is an `OSError`, as the file could not be opened: code that handles a file it cannot
    open handles this too, and no handler of `ValueError` mistakes it for a bad value.
    """

    def __init__(self, path: str | Path, rule: str, why: str):
        super().__init__(f"{path}: {why} [{rule}]")
        self.path, self.rule, self.why = str(path), rule, why


def parts(relative: str | PurePosixPath, where: str | Path = "") -> tuple[str, ...]:
    """The plain names of the relative path `relative`, or `UnsafePath` (rule ``path_escape``).

    >>> parts("build/claims.csv")
    ('build', 'claims.csv')
    >>> parts("../x")
    Traceback (most recent call last):
    ...
    dprk_ru_data.paths.UnsafePath: ../x: names a place outside its folder ...
    """
    text = str(relative)
    shown = f"{where}/{text}" if where and not text.startswith("/") else text
    if not text or "\x00" in text or "\\" in text or ":" in text:
        raise UnsafePath(shown, "path_escape", "is not a plain relative path (empty, or holds a "
                                               "NUL, a backslash or a drive colon)")
    path = PurePosixPath(text)
    names = path.parts
    if not names or path.is_absolute() or any(name in ("..", ".", "") for name in names) \
            or text.startswith("~"):
        raise UnsafePath(shown, "path_escape", "names a place outside its folder (an absolute "
                                               "path, '..' or '~'); a path read from a file must "
                                               "stay inside the folder that holds the file")
    return names


def _kind(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def _refusal(path: str, error: OSError, last: bool) -> UnsafePath:
    if error.errno in (errno.ELOOP, errno.EMLINK) or (error.errno == errno.ENOTDIR and not last):
        return UnsafePath(path, "special_file", "is a symbolic link (or runs through one); links "
                                                "are never followed out of a folder the tools "
                                                "did not write")
    if error.errno == errno.ENOENT:
        return UnsafePath(path, "missing_file", "does not exist")
    return UnsafePath(path, "unreadable_file", f"cannot be opened: {error.strerror or error}")


def open_inside(folder: str | Path, relative: str | PurePosixPath) -> int:
    """A read-only descriptor of the regular file `relative` inside `folder` (the caller closes
    it); `UnsafePath` for an escaping name, a link anywhere along the way, or a special file."""
    names = parts(relative, folder)
    shown = str(Path(folder, *names))
    directory = os.open(folder, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for name in names[:-1]:
            try:
                inner = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC,
                                dir_fd=directory)
            except OSError as error:
                raise _refusal(shown, error, last=False) from None
            os.close(directory)
            directory = inner
        try:
            fd = os.open(names[-1], os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY,
                         dir_fd=directory)
        except OSError as error:
            raise _refusal(shown, error, last=True) from None
    finally:
        os.close(directory)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise UnsafePath(shown, "special_file", f"is {_kind(mode)}, not a regular file; it is not "
                                                "opened")
    return fd


def read_inside(folder: str | Path, relative: str | PurePosixPath, limit: int) -> bytes:
    """The bytes of the regular file `relative` inside `folder`, at most `limit` of them (see
    `open_inside`); a larger file is refused (rule ``file_size``) before it is read."""
    fd = open_inside(folder, relative)
    return _read_bounded(fd, str(Path(folder, *parts(relative))), limit)


def read_file(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file `path` given by a person (a command-line argument): the path
    is theirs to choose, but a link, a FIFO, a device or a file over `limit` bytes is refused."""
    path = Path(path)
    return read_inside(path.parent, path.name, limit)


def read_in_pieces(folder: str | Path, relative: str | PurePosixPath, limit: int,
                   piece: int) -> Generator[bytes, None, None]:
    """The bytes of the regular file `relative` inside `folder` (see `open_inside`), in pieces of
    at least `piece` bytes that each end with a line feed (the last one where the file ends), so
    that a large file is never held whole; at most `limit` bytes in all, refused as `read_inside`
    refuses (rule ``file_size``) before it is read or when it grows past the limit. The file is
    closed when the pieces end or the iterator is closed."""
    fd = open_inside(folder, relative)
    shown = str(Path(folder, *parts(relative)))
    try:
        _check_size(os.fstat(fd).st_size, shown, limit)
        held, total = b"", 0
        while True:
            chunk = os.read(fd, min(piece, limit + 1 - total))
            total += len(chunk)
            if total > limit:
                raise UnsafePath(shown, "file_size", f"grew past the limit of {limit:,} bytes "
                                                     "while it was read; it is not used")
            if not chunk:
                break
            held += chunk
            end = held.rfind(b"\n") + 1
            if end and len(held) >= piece:
                yield held[:end]
                held = held[end:]
        if held or not total:
            yield held
    finally:
        os.close(fd)


def _check_size(size: int, shown: str, limit: int) -> None:
    if size > limit:
        raise UnsafePath(shown, "file_size", f"is {size:,} bytes, over the limit of "
                                             f"{limit:,} for this kind of file; it is not read")


def _read_bounded(fd: int, shown: str, limit: int) -> bytes:
    try:
        size = os.fstat(fd).st_size
        _check_size(size, shown, limit)
        # One read of the size fstat gives (a single allocation for a large table), then on to
        # the end, never past the limit: the file may have grown meanwhile.
        chunks = [os.read(fd, min(size, limit) + 1)]
        total = len(chunks[0])
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise UnsafePath(shown, "file_size", f"grew past the limit of {limit:,} bytes "
                                                 "while it was read; it is not used")
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def is_plain_entry(folder: str | Path, name: str) -> bool:
    """Whether `name` is a plain name of an entry directly in `folder` that is itself no link
    (a file or a folder): what a writer may rename or remove there."""
    try:
        parts(name)
    except UnsafePath:
        return False
    if "/" in name:
        return False
    try:
        mode = os.lstat(Path(folder) / name).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) or stat.S_ISDIR(mode)
