"""Load the built tables as typed DataFrames.

Everything here is driven by the shipped ``datapackage.json``: the table list, each column's type and
each vocabulary. It imports neither pandera nor frictionless, and polars only when a table is loaded.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._names import TableName
from .digest import prefixed
from .fieldtypes import DATE_PANDAS, TYPES, polars_type
from .registry import VIEW_RECORDS

T = TypeVar("T")

if TYPE_CHECKING:
    import datetime as dt

    import pandas
    import polars

DESCRIPTOR = "datapackage.json"
Backend = Literal["polars", "pandas"]


def data_root() -> Path:
    """The directory holding the shipped ``datapackage.json`` and ``build/``.

    An installed wheel carries them inside the package (``dprk_ru_data/_data``); a source checkout
    (editable install) has them at the repository root, beside the package.
    """
    from importlib.resources import files

    package_dir = Path(str(files("dprk_ru_data")))
    for candidate in (package_dir / "_data", package_dir.parent):
        if (candidate / DESCRIPTOR).is_file():
            return candidate
    raise FileNotFoundError(
        "no built data found: run `dprk-data build` in the repository, or reinstall the package")


def package_root(root: str | Path | None = None, version: str | None = None) -> Path:
    """The folder a reader reads: `root` (else the shipped data, `data_root`), or with `version`
    the stored release of that version recorded in that folder's ``RELEASES.json`` (see
    `stored.open_release`: checked against its recorded hashes, else `stored.StoredReleaseError`).
    """
    base = Path(root) if root else data_root()
    if version is None:
        return base
    from .stored import open_release

    return open_release(base, version)


# Bounds on what a read takes from a package folder (a folder the tools may not have written).
MAX_DESCRIPTOR_BYTES = 64 * 2 ** 20
MAX_TABLE_BYTES = 4 * 2 ** 30


def _descriptor_file(root: Path) -> tuple[dict[str, Any], bytes]:
    """The descriptor of `root`, parsed, and the bytes it was parsed from (see
    `_parse_descriptor`). Shared: never to be changed by its callers."""
    from .outputs import recover_for_reading

    recover_for_reading(root)  # a build stopped while swapping: finish or undo it first
    try:
        stat = os.stat(root / DESCRIPTOR, follow_symlinks=False)
    except FileNotFoundError:
        raise FileNotFoundError(f"no {DESCRIPTOR} in {root}") from None
    state = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
    if max(stat.st_mtime_ns, stat.st_ctime_ns) >= time.time_ns() - SETTLED_NS:
        # Changed a moment ago: a second change within the same clock tick would keep these
        # times, so it is read afresh (as the tables' checks are, see `read_verified`).
        return _parse_descriptor.__wrapped__(root, *state)
    return _parse_descriptor(root, *state)


def _read_descriptor(root: Path) -> dict[str, Any]:
    """The parsed descriptor of `root`, shared by every reader in this process: read, not
    changed (`package` gives callers a copy of their own)."""
    return _descriptor_file(root)[0]


@lru_cache(maxsize=8)
def _parse_descriptor(root: Path, device: int, inode: int, mtime_ns: int, ctime_ns: int,
                      size: int) -> tuple[dict[str, Any], bytes]:
    """The parsed descriptor and its bytes, read through the path policy, cached until the file
    changes (its device, inode, times or size)."""
    from .paths import UnsafePath, read_inside

    data = read_inside(root, DESCRIPTOR, MAX_DESCRIPTOR_BYTES)
    try:
        descriptor = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise UnsafePath(root / DESCRIPTOR, "descriptor",
                         f"is not valid JSON ({error})") from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise UnsafePath(root / DESCRIPTOR, "descriptor", "is not a Data Package descriptor "
                                                          "(no list of resources)")
    for resource in descriptor["resources"]:
        if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
            raise UnsafePath(root / DESCRIPTOR, "descriptor",
                             "a resource has no path (a string): the descriptor is malformed")
    return descriptor, data


def package(root: str | Path | None = None, *, version: str | None = None) -> dict[str, Any]:
    """The Data Package descriptor (``datapackage.json``) as a dict; with `version`, that of the
    stored release of that version.

    >>> package(version="0.1.0")["created"]
    '2026-11-24T00:00:00Z'
    """
    # A copy of the caller's own, which it may change: parsed again from the cached bytes, half
    # the cost of a JSON round trip of the parsed dict and a third of `copy.deepcopy`.
    copy: dict[str, Any] = json.loads(_descriptor_file(package_root(root, version))[1])
    return copy


def tables(root: str | Path | None = None, *, version: str | None = None) -> list[str]:
    """The names of the tables, in the order of the descriptor (of release `version`, if given).

    >>> "troop_estimates" in tables()
    True
    """
    return [resource["name"] for resource in _read_descriptor(package_root(root, version))
            ["resources"]]


class IntegrityError(ValueError):
    """A shipped table's bytes do not match the size or SHA-256 that the descriptor records."""


def read_resource(base: Path, resource: dict[str, Any]) -> bytes:
    """The bytes of `resource`'s file, a path inside `base` read through the path policy
    (`paths.UnsafePath` for a path that leaves it, a link or a special file)."""
    from .paths import read_inside

    return read_inside(base, str(resource["path"]), MAX_TABLE_BYTES)


# Table files whose bytes matched their recorded hash, by the file's device, inode, mtime, ctime
# and size and that hash, the least recently used dropped first: a file read again unchanged is
# not hashed again. Only files left alone for SETTLED_NS before they were hashed are remembered:
# a file written again within one tick of the file system's clock keeps its times (as git's
# "racily clean" entries), and a user can set an mtime back (os.utime), never a ctime.
MAX_VERIFIED = 256
SETTLED_NS = 2 * 10 ** 9
_verified: OrderedDict[tuple[int, int, int, int, int, str], None] = OrderedDict()
_verified_lock = threading.Lock()


def _file_state(path: Path) -> tuple[int, int, int, int, int] | None:
    try:
        stat = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size


def read_verified(base: Path, resource: dict[str, Any]) -> bytes:
    """The bytes of `resource`'s file (see `read_resource`: read through the path policy every
    time), checked against its ``bytes`` and ``hash``; the SHA-256 is computed once per state of
    the file in this process (see `MAX_VERIFIED`), its size checked on every read."""
    return read_parsed(base, resource, _as_read)


def _as_read(data: bytes) -> bytes:
    return data


# A file of at least this many bytes is hashed in a thread while its bytes are parsed (hashlib
# and the parsers let go of the interpreter's lock); a smaller one is hashed first, as a thread
# would cost more than the overlap saves.
OVERLAP_BYTES = 8 * 2**20


def read_parsed(base: Path, resource: dict[str, Any], parse: Callable[[bytes], T]) -> T:
    """`parse` of the bytes of `resource`'s file, read and checked as `read_verified` reads and
    checks them. Where the file is large (`OVERLAP_BYTES`) and its hash is not known already,
    the SHA-256 is computed while `parse` runs; where the bytes then differ from the recorded
    ones, what `parse` made, or raised, is dropped for the `IntegrityError`."""
    path = base / str(resource["path"])
    expected = resource.get("hash")
    before = _file_state(path)
    data = read_resource(base, resource)
    key = None
    # The file's state before and after the read agree: the bytes read are of that state.
    if (before is not None and isinstance(expected, str) and before[4] == len(data)
            and _file_state(path) == before):
        key = (*before, expected)
    known = False
    if key is not None:
        with _verified_lock:
            known = key in _verified
            if known:
                _verified.move_to_end(key)
    if known and len(data) == resource.get("bytes"):
        return parse(data)
    if len(data) < OVERLAP_BYTES:
        _check(path, resource, data, prefixed(data))
        parsed = parse(data)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1, thread_name_prefix="dprk-hash") as pool:
            hashed = pool.submit(prefixed, data)
            try:
                parsed = parse(data)
            except Exception:
                _check(path, resource, data, hashed.result())  # a damaged file says so first
                raise
            _check(path, resource, data, hashed.result())
    if key is not None and max(key[2], key[3]) < time.time_ns() - SETTLED_NS:
        with _verified_lock:
            _verified[key] = None
            while len(_verified) > MAX_VERIFIED:
                _verified.popitem(last=False)
    return parsed


def _check(path: Path, resource: dict[str, Any], data: bytes, found: str) -> None:
    """`IntegrityError` where `data` (read from `path`) has not the size and hash `found` that
    the descriptor records for `resource`."""
    expected = resource.get("hash")
    if found != expected or len(data) != resource.get("bytes"):
        raise IntegrityError(
            f"{path} is damaged: datapackage.json records {resource.get('bytes')} bytes with "
            f"{expected}, the file has {len(data)} bytes with {found}; rebuild it with "
            "`dprk-data build` or reinstall dprk-ru-data")


def _resource(name: str, root: Path) -> dict[str, Any]:
    resources: list[dict[str, Any]] = _read_descriptor(root)["resources"]
    for resource in resources:
        if resource["name"] == name:
            return resource
    known = ", ".join(r["name"] for r in resources)
    raise KeyError(f"no table named {name!r}; the tables are: {known}")


def _polars_schema(resource: dict[str, Any]
                   ) -> tuple[dict[str, polars.DataType], dict[str, polars.DataType]]:
    """The read schema (enums read as strings) and the final dtype of each column."""
    read, final = {}, {}
    for field in resource["schema"]["fields"]:
        read[field["name"]] = polars_type(field["type"])
        final[field["name"]] = polars_type(field["type"], field.get("constraints", {}).get("enum"))
    return read, final


def load(name: TableName, backend: Backend = "polars", *, root: str | Path | None = None,
         verify: bool = True, as_of: "str | dt.date | None" = None,
         version: str | None = None) -> "polars.DataFrame | pandas.DataFrame":
    """One table as a typed DataFrame: dates as dates, numbers as nullable integers or floats,
    vocabularies as ``polars.Enum`` (polars) or ordered categoricals (pandas).

    Every file it reads (the table's, and with `as_of` the sources and evidence too) is first
    checked against the size and SHA-256 recorded in the descriptor, and a damaged or edited file
    raises `IntegrityError`; ``verify=False`` skips that check (never the path policy: a path
    that leaves the package folder, a link or a special file raises `paths.UnsafePath`). Each backend reads the CSV itself with
    an explicit schema: the pandas backend does not import polars (unless `as_of` is given).

    With ``as_of`` (a date or ``YYYY-MM-DD``) only what was known on that day is kept: the records
    with at least one evidence row in a source certainly published by then (its latest possible
    publication date on or before `as_of`), and of `evidence` the rows in such sources; of a view
    (`claims`, `events`), the rows of such records.

    With ``version`` (``"0.1.0"``) the table comes from that release, as it was released: every
    release is stored with the package and checked against the hashes recorded in
    ``RELEASES.json`` before it is read (`stored.StoredReleaseError` if it differs). The tables
    and columns of a release are its own: an older release may lack a newer table.

    `name` is typed `TableName`, the current registry's names, so that a type checker refuses a
    misspelt one; at run time any name is looked up in the folder's own descriptor, and one it
    lacks raises `KeyError` naming its tables.

    >>> load("troop_estimates").schema["figure_best"]
    Int64
    >>> load("troop_estimates", version="0.1.0").height > 0
    True
    """
    if backend not in ("polars", "pandas"):
        raise ValueError(f"backend must be 'polars' or 'pandas', not {backend!r}")
    base = package_root(root, version)
    resource = _resource(name, base)
    column = resource["schema"]["primaryKey"][0]
    if name in VIEW_RECORDS:  # a view's rows are known when their record is
        column = VIEW_RECORDS[name]
    if backend == "pandas":
        frame = _read(base, resource, verify, lambda data: _read_pandas(io.BytesIO(data),
                                                                         resource))
        known = None if as_of is None else _known_on(base, name, as_of, verify)
        if known is not None:
            ids = frame[column].astype("string")
            if name in VIEW_RECORDS:
                ids = frame["record_table"].astype("string") + ":" + ids
            frame = frame[ids.isin(known)].reset_index(drop=True)
        return frame
    import polars as pl

    read, final = _polars_schema(resource)
    frame = _read(base, resource, verify, lambda data: pl.read_csv(
        data, schema=read, empty_string_is_null=True).cast(pl.Schema(final)))
    known = None if as_of is None else _known_on(base, name, as_of, verify)
    if known is None:
        return frame
    ids = pl.col(column)
    if name in VIEW_RECORDS:
        ids = pl.col("record_table").cast(pl.String) + ":" + ids
    return frame.filter(ids.is_in(known))


def _read(base: Path, resource: dict[str, Any], verify: bool, parse: Callable[[bytes], T]) -> T:
    """`parse` of `resource`'s bytes, checked against the descriptor where `verify` is set."""
    return read_parsed(base, resource, parse) if verify else parse(read_resource(base, resource))


def _known_on(base: Path, name: str, as_of: "str | dt.date", verify: bool = False) -> list[str]:
    """The keys of `name` that were public on `as_of`, judged conservatively (see `load`); with
    `verify`, the sources and evidence it reads are checked against their hashes too."""
    import datetime as dt

    import polars as pl

    try:
        day = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    except ValueError as error:
        raise ValueError(f"as_of must be a date or YYYY-MM-DD, not {as_of!r}") from error
    published = (load("sources", root=base, verify=verify).select("source_id", "published_end")
                 .filter(pl.col("published_end") <= day))
    evidence = (load("evidence", root=base, verify=verify)
                .select("evidence_id", pl.col("record_table").cast(pl.String), "record_id",
                        "source_id")
                .join(published, on="source_id", how="semi"))
    if name == "evidence":
        return evidence["evidence_id"].to_list()
    if name in VIEW_RECORDS:
        return (evidence["record_table"] + ":" + evidence["record_id"]).unique().to_list()
    return evidence.filter(pl.col("record_table") == name)["record_id"].unique().to_list()


def _read_pandas(source: "Path | io.BytesIO", resource: dict[str, Any]) -> "pandas.DataFrame":
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("the pandas backend needs: pip install 'dprk-ru-data[pandas]'") from error

    dtypes: dict[str, Any] = {}
    dates = []
    for field in resource["schema"]["fields"]:
        enum = field.get("constraints", {}).get("enum")
        if enum:
            dtypes[field["name"]] = pd.CategoricalDtype(enum, ordered=True)
        else:
            dtypes[field["name"]] = TYPES[field["type"]].pandas
        if field["type"] == "date":
            dates.append(field["name"])
    # Only empty cells are missing: a text such as "NA" or "None" stays text.
    frame = pd.read_csv(source, dtype=dtypes, keep_default_na=False, na_values=[""])
    for column in dates:
        frame[column] = frame[column].astype(DATE_PANDAS)
    return frame


def summary(root: str | Path | None = None, as_of: "str | dt.date | None" = None, *,
            version: str | None = None) -> list[dict[str, Any]]:
    """One dict per table: its ``name``, ``title`` and ``rows``; with `as_of`, also
    ``rows_as_of``, the rows known on that day (see `load`); with `version`, of that release.

    >>> summary()[0]["name"]
    'sources'
    """
    root = package_root(root, version)
    out = []
    for resource in _read_descriptor(root)["resources"]:
        row: dict[str, Any] = {"name": resource["name"], "title": resource["title"],
                               "rows": load(resource["name"], root=root).height}
        if as_of is not None:
            row["rows_as_of"] = load(resource["name"], root=root, as_of=as_of).height
        out.append(row)
    return out


def query(name: TableName, where: dict[str, str] | None = None, columns: list[str] | None = None,
          limit: int | None = None, *, root: str | Path | None = None,
          as_of: "str | dt.date | None" = None, version: str | None = None
          ) -> "polars.DataFrame":
    """Rows of table `name` (a polars DataFrame): those whose columns equal the values in `where`
    (compared as written in the CSV), with only `columns`, at most `limit` rows.

    Raises `KeyError` for an unknown table, and `ValueError` naming the valid ones for an unknown
    column or for a value that is not in the column's vocabulary (or, without one, not in the
    column at all): a misspelt value is refused rather than quietly matching no row. With
    `version`, the rows of that release (see `load`).

    >>> query("incidents", where={"type": "strike"}, columns=["incident_id", "type"]).width
    2
    """
    import polars as pl

    frame = load(name, root=root, as_of=as_of, version=version)
    asked = [*(where or {}), *(columns or [])]
    unknown = [column for column in asked if column not in frame.columns]
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not columns of {name} "
                         f"({', '.join(frame.columns)})")
    for column, value in (where or {}).items():
        dtype = frame.schema[column]
        known = (list(dtype.categories) if isinstance(dtype, pl.Enum)
                 else frame[column].drop_nulls().cast(pl.String).unique().sort().to_list())
        if value not in known:
            shown = ", ".join(known[:30]) + (f", ... ({len(known)} in all)" if len(known) > 30
                                            else "")
            raise ValueError(f"{value!r} is not a value of {name}.{column}; the values are: "
                             f"{shown or '(none: the column is empty)'}")
        frame = frame.filter(pl.col(column).cast(pl.String) == value)
    if columns:
        frame = frame.select(columns)
    return frame if limit is None else frame.head(limit)


WIDTHS = (("day", 1), ("week", 7), ("month", 31), ("year", 366))


def window_widths(root: str | Path | None = None, *, version: str | None = None
                  ) -> list[dict[str, Any]]:
    """How precise the windows are: per table of claims and per window (``claim``, ``event``),
    how many records have a window of at most a day, a week, a month (31 days), a year (366
    days), a wider one, or an open one (no start or no end).

    >>> [row["window"] for row in window_widths()][:2]
    ['claim', 'event']
    """
    import polars as pl

    root = package_root(root, version)
    out = []
    for resource in _read_descriptor(root)["resources"]:  # this folder's own tables
        name = resource["name"]
        frame = load(name, root=root)
        if "claim_window_end" not in frame.columns or name in VIEW_RECORDS:
            continue
        for window in ("claim", "event"):
            start, end = pl.col(f"{window}_window_start"), pl.col(f"{window}_window_end")
            days = frame.select((end - start).dt.total_days() + 1)[:, 0]
            row: dict[str, Any] = {"table": name, "window": window}
            previous = 0
            for label, limit in WIDTHS:
                row[label] = int(((days > previous) & (days <= limit)).sum())
                previous = limit
            row["wider"] = int((days > previous).sum())
            row["open"] = int(days.is_null().sum())
            out.append(row)
    return out
