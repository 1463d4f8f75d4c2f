"""The build stage: raw/*.csv -> derive -> validate -> evidence -> build/*.csv, datapackage.json,
CITATION.cff and .zenodo.json; and, in a checkout, the charts in docs/ and the values the README's
examples state, drawn from the package just made.

Every fault found is collected as a located `Problem`; the build writes nothing unless there are
none. The outputs are written into a staging directory and only then swapped in, under a journal:
a build that fails or is killed while writing leaves the previous outputs untouched, and one killed
during the swap itself is rolled back by the next build (see `recover`).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import polars as pl

from . import citation, datapackage, validate
from .derive import normalise_tables
from .digest import file_prefixed
from .errors import DataError, Problem
from .outputs import UntrustedStaging, locked, recover, staged, write_into
from .evidence import check_spans, corpus_dir, unchecked_note
from .evidence_pieces import stream_evidence, write_csv
from .linked import Parts, evidence_parts, streaming
from .paths import UnsafePath, read_inside
from .raw import LINE, RAW_DIR, Loaded, check_formulas, read_raw
from .registry import STORED, TABLES
from .views import VIEWS, collected, in_order, per_record
from .versions import (PYPROJECT, RELEASES_FILE, Release, ReleaseError, project_version,
                       release_of)

if TYPE_CHECKING:
    from .readme import ReadmeError

BUILD_DIR = "build"
DESCRIPTOR = "datapackage.json"
CITATION = "CITATION.cff"
ZENODO = ".zenodo.json"
OUTPUTS = (BUILD_DIR, DESCRIPTOR, CITATION, ZENODO)
README = "README.md"
DOCS = "docs"  # where the charts are; the build redraws them where the folder is
MAX_README_BYTES = 4 * 2 ** 20
# A package whose raw tables hold less than this is built with polars' lazy queries on its
# in-memory engine (see `_engine`).
SMALL_RAW_BYTES = 32 * 2 ** 20


def compile_tables(root: Path | str = ".", corpus: Path | None = None,
                   notes: list[str] | None = None) -> dict[str, pl.DataFrame]:
    """Read, type and validate every raw table; return them sorted by primary key, with the views.

    Evidence spans are checked against the texts in `corpus` (default: `evidence.corpus_dir`) where
    they are at hand; what could not be checked is added to `notes`. Raises `DataError` with every
    problem found. Writes nothing.
    """
    with _engine(Path(root)):
        tables = _checked_tables(Path(root), corpus, notes).tables
        known = per_record(tables)
        views = {name: collected(make(tables, known), TABLES[name].key)
                 for name, make in VIEWS.items()}
    problems = [problem for name, frame in views.items()
                for problem in _view_problems(name, frame)]
    if problems:
        raise DataError(problems)
    return {**tables, **views}


class Checked(NamedTuple):
    """What `_checked_tables` returns: the stored tables (`tables`); and, where the evidence was
    checked and written a piece at a time, its parts by table (`parts`) and the size and hash
    of the file written (`evidence_written`), both None otherwise."""

    tables: dict[str, pl.DataFrame]
    parts: Parts | None
    evidence_written: tuple[int, str] | None


def _checked_tables(root: Path, corpus: Path | None, notes: list[str] | None,
                    evidence: Path | None = None) -> Checked:
    """The stored tables of `compile_tables`, without the views.

    Given `evidence` (where the build writes the built evidence table), a large raw evidence
    file is checked and written there a piece at a time (`evidence_pieces`), and is then not
    among the tables returned: its parts by table (`linked.evidence_parts`) come instead, for
    the views, with the size and hash of what was written. Otherwise both are None."""
    if not (root / RAW_DIR).is_dir():
        raise DataError([Problem(RAW_DIR, None, None, None, "missing_raw",
                                 f"there is no {RAW_DIR}/ folder in {root.resolve()}: `dprk-data "
                                 "build` rebuilds the data from the hand-curated tables of a "
                                 "checkout (git clone the project, then run it there). An "
                                 "installed package already holds the built data: load it with "
                                 "dprk_ru_data.load(). The build checks evidence against the "
                                 "corpus texts in ../shared/sources (or --corpus, "
                                 "$DPRK_CORPUS) where they are at hand.")])
    problems: list[Problem] = []
    loaded: dict[str, Loaded] = {}
    typed: dict[str, pl.DataFrame] = {}

    def read(names: list[str], found: list[Problem]) -> None:
        for name in names:
            table = read_raw(root, STORED[name], found)
            if table is not None:
                loaded[name] = table
        for name in names:
            if name in loaded:
                typed[name] = validate.cast(loaded[name], found)
                loaded[name].frame = loaded[name].frame.clear()  # the text is no longer needed

    streamed = None
    if evidence is None:
        read(list(STORED), problems)
    else:
        # The sources first, which the evidence's checks read; then the evidence is checked a
        # piece at a time while the other tables are read in a thread (both let polars work
        # with the interpreter's lock let go). Neither reads what the other makes.
        read(["sources"], problems)
        sources = typed.get("sources")
        others = [name for name in STORED if name not in ("sources", "evidence")]
        read_problems: list[Problem] = []
        with ThreadPoolExecutor(1, thread_name_prefix="dprk-read") as pool:
            reading = pool.submit(read, others, read_problems)
            streamed = stream_evidence(root, sources, corpus_dir(corpus, root), evidence,
                                       problems)
            reading.result()  # (what reading them raised, raised here)
        problems.extend(read_problems)
        if streamed is None:
            read(["evidence"], problems)
        else:
            # The rows were checked and written a piece at a time; the steps below see the
            # table without them (their checks of its own rows find nothing to report) and
            # its parts by table, which the checks across tables read.
            loaded["evidence"], typed["evidence"] = streamed.loaded, streamed.typed
        loaded = {name: loaded[name] for name in STORED if name in loaded}
        typed = {name: typed[name] for name in STORED if name in typed}
    # Each table's evidence, split once.
    parts = streamed.parts if streamed is not None else evidence_parts(typed.get("evidence"))
    typed = normalise_tables(loaded, typed, problems, parts)

    def each_table(found: list[Problem]) -> None:
        for name, table in loaded.items():
            validate.check_unique_keys(table, typed[name], found)
            validate.validate(table, typed[name], found)
            validate.check_codes(table, typed[name], found)
        if "actors" in typed:
            validate.check_actor_names(loaded["actors"], typed["actors"], found)
        if "disagreements" in typed:
            validate.check_disagreements(loaded["disagreements"], typed["disagreements"], found)

    _checked_at_once(problems, [
        each_table,
        lambda found: validate.check_references(loaded, typed, found, parts),
        lambda found: validate.check_view_keys(loaded, typed, found),
        lambda found: validate.check_evidence_fields(typed, loaded, found),
        lambda found: validate.check_field_evidence(typed, loaded, found, parts),
        lambda found: validate.check_dates_against_sources(typed, loaded, found, parts)])
    del parts
    if "evidence" in typed and "sources" in typed:
        folder = corpus_dir(corpus, root)
        if streamed is None:  # otherwise checked a piece at a time
            check_spans(typed["evidence"], typed["sources"], folder,
                        (loaded["evidence"].file, loaded["sources"].file), problems)
        note = unchecked_note(folder)
        if note and notes is not None:
            notes.append(note)
    if problems:
        # A cell that failed its type is empty after the cast; it need not also be "required".
        mistyped = {(p.file, p.line, p.column) for p in problems if p.rule == "type"}
        # A window that ends before it starts is explained by the windows step; the schema's
        # rule for the same row says less.
        windows = {(p.file, p.line, p.rule) for p in problems if p.rule.endswith("_window")}
        raise DataError([p for p in problems if not (
            p.rule == "not_nullable" and (p.file, p.line, p.column) in mistyped
            or p.rule.endswith("_window_start_le_end")
            and (p.file, p.line, p.rule.removesuffix("_start_le_end")) in windows)])
    # One table at a time, so that a table and its sorted copy are never all in memory at once.
    stored = [name for name in STORED if not (name == "evidence" and streamed is not None)]
    return Checked({name: in_order(typed.pop(name).drop(LINE), TABLES[name].key)
                    for name in stored},
                   streamed.parts if streamed is not None else None,
                   streamed.written if streamed is not None else None)


CHECKS_AT_ONCE = 2  # checks across tables run at once, each in a thread


def _checked_at_once(problems: list[Problem], checks: list[Callable[[list[Problem]], None]]
                     ) -> None:
    """Run `checks` (each adds what it finds to the list it is given; none reads another's
    results or changes the tables), `CHECKS_AT_ONCE` at a time in threads (their queries let go
    of the interpreter's lock), and add what each found to `problems` in their order: the
    problems of the checks run one after another."""
    with ThreadPoolExecutor(CHECKS_AT_ONCE, thread_name_prefix="dprk-check") as pool:
        lists: list[list[Problem]] = [[] for _ in checks]
        running = [pool.submit(check, found) for check, found in zip(checks, lists)]
        for future, found in zip(running, lists):
            future.result()  # (what a check raised, raised here in its turn)
            problems.extend(found)


def _view_problems(name: str, frame: pl.DataFrame) -> list[Problem]:
    """What the view `frame` breaks of its schema, checked like a table (a fault of the views'
    code, not of the data)."""
    if validate.passes(TABLES[name], frame):
        return []
    import pandera.errors  # only where the view may break its schema (see validate.schema)

    try:
        validate.schema(TABLES[name]).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        return [Problem(f"build/{name}.csv", None, case["column"], str(case["failure_case"]),
                        "view", f"the view breaks {case['check']}")
                for case in errors.failure_cases.head(20).iter_rows(named=True)]
    return []


VIEW_SLICE_ROWS = 100_000  # rows of a view made, checked and written at a time
RUN_RECORD = "record_id"  # a view's column of the record each row is of


def write_view(name: str, rows: pl.LazyFrame, path: Path,
               slice_rows: int | None = None) -> list[Problem]:
    """Write the view `name` of the query `rows` (`views.VIEWS`) to `path`, a new file, as
    `write_table` writes the view made whole (`views.collected`), unless it breaks its schema:
    return what it breaks, as `_view_problems` tells it of the whole view, and leave no file.

    Where its keys are unique and present, the view is made in runs of about `slice_rows` rows
    (default `VIEW_SLICE_ROWS`) by key, each checked (`validate.passes`) and written in turn, so
    that it is never held whole; it is made whole only where a run breaks a rule (to say what
    breaks), or to be written where it has no rows or its keys are not unique (a fault
    `check_view_keys` reports).

    Each run is also told the range of the records (``record_id``) its rows are of, which
    its rows' keys already imply: polars takes that range into the tables joined on the
    record (what is known per record, `views.per_record`), which are then not read whole for
    every run."""
    key = TABLES[name].key
    record = RUN_RECORD if RUN_RECORD in rows.collect_schema() else key
    keys = (rows.select(pl.col(key).alias("__key"), pl.col(record).alias("__record"))
            .collect(engine=streaming()).sort("__key"))
    if keys.height and keys.null_count().row(0) == (0, 0) and \
            validate.increasing(keys["__key"]):
        run_rows = max(1, VIEW_SLICE_ROWS if slice_rows is None else slice_rows)
        runs = [(run["__key"][0], run["__record"].min(), run["__record"].max())
                for run in keys.iter_slices(run_rows)]
        del keys
        done = False
        try:
            # Each run is written in a thread while the next is made (polars does both with the
            # interpreter's lock let go): the writes keep their order, a write is waited for
            # once the next run is made (so at most two runs are held, and a fault in writing
            # is raised before the next run is checked, as where one write follows another).
            with path.open("xb") as out, ThreadPoolExecutor(1, "dprk-view") as writer:
                writing: Future[None] | None = None
                for number, (low, first, last) in enumerate(runs):
                    within = pl.col(key) >= low
                    if number + 1 < len(runs):
                        within &= pl.col(key) < runs[number + 1][0]
                    within &= pl.col(record).is_between(pl.lit(first), pl.lit(last))
                    run = rows.filter(within).collect(engine=streaming()).sort(key)
                    if writing is not None:
                        writing.result()  # (what writing the run before raised, raised here)
                    if not validate.passes(TABLES[name], run):
                        break
                    writing = writer.submit(write_csv, run, out, number == 0)
                    del run
                else:
                    if writing is not None:
                        writing.result()
                    done = True
        finally:
            if not done:
                path.unlink(missing_ok=True)
        if done:
            return []
    view = collected(rows, key)
    found = _view_problems(name, view)
    if not found:
        write_csv(view, path)
    return found


def write_table(frame: pl.DataFrame, path: Path) -> tuple[int, str]:
    """Write a table as the build writes it (`evidence_pieces.write_csv`) to `path`, a new
    file; return its size and its ``sha256:`` hash (`written`)."""
    write_csv(frame, path)
    return written(path)


def written(path: Path) -> tuple[int, str]:
    """The size and the ``sha256:`` hash of the table written at `path`, read back from the
    file."""
    return path.stat().st_size, file_prefixed(path)


def _version(root: Path) -> tuple[str, Release | None]:
    """The version and its release record (None while it is unreleased), with a located problem
    where either file is broken."""
    try:
        version = project_version(root)
    except UnsafePath as error:
        raise DataError([Problem(PYPROJECT, None, None, None, error.rule, error.why)]) from None
    except (ValueError, KeyError, TypeError, RecursionError) as error:
        raise DataError([Problem(PYPROJECT, None, "version", None, "version",
                                 f"cannot read [project] version: {error}")]) from error
    try:
        return version, release_of(root, version)
    except ReleaseError as error:
        raise DataError([Problem(RELEASES_FILE, None, None, None, "releases", str(error))]
                        ) from error


def build(root: Path | str = ".", corpus: Path | None = None,
          notes: list[str] | None = None) -> dict[str, Any]:
    """Build `root/build/`, `root/datapackage.json`, `root/CITATION.cff` and `root/.zenodo.json`
    from `root/raw/`; return the descriptor.

    In a checkout it also rewrites what is derived from the data there: the values the examples
    of `root/README.md` state (between its markers, see `readme`), and, where `root/docs/` is a
    folder and matplotlib is installed, the charts (`plot.CHARTS`); without matplotlib the
    charts are left as they are and a note says so. Everything is written all or nothing.

    The version comes from `root/pyproject.toml` and its release date, if it was released, from
    `root/RELEASES.json`: nothing is read from the clock, so the same inputs give the same bytes.
    Raises `DataError` (and writes nothing) if any check fails.
    """
    root = Path(root)
    with locked(root):
        try:
            note = recover(root)
        except UntrustedStaging as error:
            raise DataError([Problem(error.path, None, None, None, error.rule, error.why)]
                            ) from None
        if note and notes is not None:
            notes.append(note)
        with _engine(root):
            return _build(root, corpus, notes)


def _engine(root: Path) -> pl.Config:
    """polars' settings for building `root`: its lazy queries run on the in-memory engine where
    the raw tables are small (a query's fixed cost, higher on the streaming engine, is then most
    of its time), and on the engine polars chooses otherwise; the outputs are the same bytes.
    Only the sizes of the tables' files are looked at: nothing is opened or followed (what is
    not a plain file is refused when it is read)."""
    folder, size = root / RAW_DIR, 0
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return pl.Config()
    except OSError:
        return pl.Config()
    for table in STORED.values():
        try:
            status = os.lstat(folder / f"{table.name}.csv")
        except OSError:  # a table that is missing or cannot be seen is reported when it is read
            continue
        size += status.st_size if stat.S_ISREG(status.st_mode) else 0
    return pl.Config(engine_affinity="in-memory" if size < SMALL_RAW_BYTES else "auto")


def _build(root: Path, corpus: Path | None, notes: list[str] | None) -> dict[str, Any]:
    readme = _readme(root)  # its markers are checked first: a broken README fails at once
    charts_notes: list[str] = []  # given once the data has passed
    charts = _chart_paths(root, charts_notes)
    derived = ((README,) if readme is not None else ()) + tuple(charts)
    # The outputs are staged before the data are checked: a large evidence table is written
    # into the staging folder as it is checked, a piece at a time (`evidence_pieces`).
    with staged(root, OUTPUTS + derived) as new:
        (new / BUILD_DIR).mkdir()
        evidence = new / BUILD_DIR / "evidence.csv"
        tables, parts, evidence_written = _checked_tables(root, corpus, notes, evidence)
        version, released = _version(root)
        if notes is not None:
            notes.extend(charts_notes)
        sources = datapackage.coverage(tables["sources"])
        files = {}

        def write(name: str, frame: pl.DataFrame) -> None:  # straight to its file, then freed
            files[name] = write_table(frame, new / BUILD_DIR / f"{name}.csv")

        # What the views take from the evidence and the disagreements is gathered first; those
        # two are then written and freed, so that the largest table is not held while the views
        # are made. Each view is then made, written and freed in turn.
        known = per_record(tables, parts)
        del parts
        if evidence_written is None:
            write("evidence", tables.pop("evidence"))
        else:  # written (and hashed) as it was checked
            files["evidence"] = evidence_written
        write("disagreements", tables.pop("disagreements"))
        # Meanwhile the other tables are written in a thread (polars writes with the
        # interpreter's lock let go); each is freed once the views, made from them, are written.
        with ThreadPoolExecutor(1, thread_name_prefix="dprk-write") as pool:
            stored = {name: pool.submit(write_table, frame, new / BUILD_DIR / f"{name}.csv")
                      for name, frame in tables.items()}
            try:
                _write_views(tables, known, new / BUILD_DIR, files)
            except BaseException:  # what is not yet written is not: the staging folder goes
                pool.shutdown(cancel_futures=True)
                raise
            del known
            for name in list(tables):
                files[name] = stored.pop(name).result()  # raises what writing it raised
                del tables[name]
        descriptor = datapackage.descriptor(files, version, sources,
                                            released.date if released else None,
                                            released.doi if released else None)
        write_into(new, {DESCRIPTOR: datapackage.dumps(descriptor),
                         CITATION: citation.render(descriptor, "cff").encode("utf-8"),
                         ZENODO: citation.render(descriptor, "zenodo").encode("utf-8")})
        write_into(new, _derived_docs(new, readme, charts))
    if released and notes is not None and released.content_hash != descriptor["contentHash"]:
        notes.append(f"version {version} is released with other data: set the next version "
                     f"in {PYPROJECT} (`dprk-data diff {version} .` says which bump)")
    return descriptor


def _write_views(tables: dict[str, pl.DataFrame], known: pl.DataFrame, folder: Path,
                 files: dict[str, tuple[int, str]]) -> None:
    """Write each view (`VIEWS`) of `tables` and what is `known` per record into `folder`, and
    its size and hash into `files`; where one breaks its schema, check the others, and raise
    `DataError` with what each breaks."""
    problems: list[Problem] = []
    for name, make in VIEWS.items():
        rows = make(tables, known)
        if problems:  # only checked: nothing more is written
            problems += _view_problems(name, collected(rows, TABLES[name].key))
            continue
        path = folder / f"{name}.csv"
        problems += write_view(name, rows, path)
        if not problems:
            files[name] = written(path)
        del rows
    if problems:  # every view is checked before the build fails
        raise DataError(problems)


def _derived_docs(package_root: Path, readme: str | None, charts: dict[str, str]
                  ) -> dict[str, bytes]:
    """The README (text `readme`, where there is one) with its stated values, and the `charts`
    (path -> chart name), drawn from the package at `package_root` (the one about to be swapped
    in): path -> bytes."""
    derived: dict[str, bytes] = {}
    if readme is not None:
        from .readme import ReadmeError, render

        try:
            derived[README] = render(readme, package_root).encode("utf-8")
        except ReadmeError as error:
            raise _readme_problem(error) from None
    if charts:
        from .plot import render as draw

        derived.update({path: draw(name, package_root) for path, name in charts.items()})
    return derived


def _readme(root: Path) -> str | None:
    """The text of `root/README.md`, its markers checked, or None where there is none; a link, a
    special file, text that is not UTF-8 or markers missing or unpaired are refused as a located
    problem."""
    from .readme import ReadmeError, check_markers

    try:
        data = read_inside(root, README, MAX_README_BYTES)
    except UnsafePath as error:
        if error.rule == "missing_file":
            return None
        raise DataError([Problem(README, None, None, None, error.rule, error.why)]) from None
    try:
        text = data.decode("utf-8")
        check_markers(text)
    except UnicodeDecodeError as error:
        raise DataError([Problem(README, None, None, None, "encoding",
                                 f"is not UTF-8 ({error})")]) from None
    except ReadmeError as error:
        raise _readme_problem(error) from None
    return text


def _readme_problem(error: ReadmeError) -> DataError:
    return DataError([Problem(README, error.line, None, None, "readme", error.why)])


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _chart_paths(root: Path, notes: list[str] | None) -> dict[str, str]:
    """Where `root` has a docs/ folder, each chart of `plot.CHARTS` the build redraws there: its
    path -> its name; none, with a note, where matplotlib (the `plot` extra) is not installed."""
    if not _is_folder(root / DOCS):
        return {}
    try:
        import matplotlib  # noqa: F401 - only whether it is there
    except ImportError as error:
        if notes is not None:
            notes.append(f"the charts in {DOCS}/ were not redrawn: they need matplotlib, which "
                         f"is not installed ({error}); pip install '.[plot]' and build again")
        return {}
    from .plot import CHARTS

    return {path: name for name, (_, path) in CHARTS.items()}


def _strings(data: bytes) -> pl.DataFrame:
    return pl.read_csv(data, infer_schema=False)


def check_package(root: Path, names: list[str] | None = None,
                  corpus: Path | None = None) -> list[Problem]:
    """Check a built package (``root/datapackage.json`` and its tables) against the registry.

    Each file's size and SHA-256, its header, types, vocabularies, patterns, row rules, ISO codes
    and primary keys; and, where every table is checked, the references, evidence links, dates
    and evidence spans (hashed where the texts are in `corpus`). Returns every problem found,
    each located by file and line.
    """
    from .loaders import IntegrityError, package, read_parsed

    problems: list[Problem] = []
    loaded: dict[str, Loaded] = {}
    typed: dict[str, pl.DataFrame] = {}
    descriptor = package(root)
    recorded = descriptor.get("contentHash")
    try:
        found = datapackage.content_hash(descriptor["resources"])
    except (KeyError, TypeError, ValueError) as error:
        found = f"none ({error})"
    if found != recorded:
        problems.append(Problem(DESCRIPTOR, None, "contentHash", str(recorded), "content_hash",
                                f"the content hash of the resources' hashes is {found}, not the "
                                "recorded one: the package is damaged or mixed from two builds"))
    for resource in descriptor["resources"]:
        name, file = resource["name"], resource["path"]
        if names and name not in names:
            continue
        table = TABLES.get(name)
        if table is None:
            problems.append(Problem(file, None, None, name, "unknown_table",
                                    f"{name!r} is not a table of this package version"))
            continue
        try:  # (a file that is not what the descriptor records is not read as CSV)
            frame = read_parsed(root, resource, _strings)
        except (IntegrityError, OSError) as error:
            problems.append(Problem(file, None, None, None, "integrity", str(error)))
            continue
        except pl.exceptions.PolarsError as error:
            problems.append(Problem(file, None, None, None, "csv_syntax",
                                    f"cannot be read as CSV: {str(error).splitlines()[0]}"))
            continue
        if frame.columns != table.columns:
            problems.append(Problem(file, 1, None, None, "header",
                                    f"the columns are {frame.columns}, not {table.columns}"))
            continue
        loaded[name] = Loaded(table, file, frame.with_row_index(LINE, offset=2)
                              .with_columns(pl.col(LINE).cast(pl.Int64)))
        check_formulas(loaded[name], problems)
        typed[name] = validate.cast(loaded[name], problems)
        validate.check_unique_keys(loaded[name], typed[name], problems)
        validate.validate(loaded[name], typed[name], problems)
        validate.check_codes(loaded[name], typed[name], problems)
        if name == "actors":
            validate.check_actor_names(loaded[name], typed[name], problems)
        if name == "disagreements":
            validate.check_disagreements(loaded[name], typed[name], problems)
    if not names and set(loaded) == set(TABLES):
        parts = evidence_parts(typed["evidence"])
        validate.check_references(loaded, typed, problems, parts)
        validate.check_view_keys(loaded, typed, problems)
        validate.check_evidence_fields(typed, loaded, problems)
        validate.check_field_evidence(typed, loaded, problems, parts)
        validate.check_dates_against_sources(typed, loaded, problems, parts)
        check_spans(typed["evidence"], typed["sources"], corpus,
                    (loaded["evidence"].file, loaded["sources"].file), problems)
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.rule))
