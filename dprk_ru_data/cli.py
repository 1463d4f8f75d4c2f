"""The `dprk-data` command: a thin skin over the library.

Exit codes: 0 success, 1 data errors (every problem is listed, located), 2 usage errors.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast

import click

from .errors import DataError
from .evidence import corpus_dir
from .outputs import BuildStackMissing

if TYPE_CHECKING:
    from ._names import TableName

EXIT_DATA_ERROR = 1
T = TypeVar("T")


def _fail_on_data_errors(error: DataError, output_format: str) -> NoReturn:
    if output_format == "json":
        click.echo(json.dumps([p.as_dict() for p in error.problems], indent=2, ensure_ascii=False))
    else:
        click.echo(error.report(), err=True)
    raise SystemExit(EXIT_DATA_ERROR)


_DIR = click.argument("directory", default=".", type=click.Path(file_okay=False, exists=True,
                                                                 path_type=Path))
_FORMAT = click.option("--format", "output_format", type=click.Choice(["text", "json"]),
                       default="text", show_default=True,
                       help="How to print problems: grouped by file, or a JSON list for tools.")
_CORPUS = click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
                       help="Folder of the corpus texts, to check evidence hashes "
                            "[default: $DPRK_CORPUS, else ../shared/sources beside DIRECTORY].")


_ROOT = click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path),
                     default=None,
                     help="A directory holding datapackage.json [default: the shipped data].")


def _release_root(root: Path | None, version: str, hint: str = "--version") -> Path:
    """The folder holding the stored release `version` (of `root`, else the shipped data): an
    unknown version is a usage error, a stored release that fails its hashes a data error."""
    from .loaders import package_root
    from .stored import StoredReleaseError, UnknownRelease

    try:
        return package_root(root, version)
    except UnknownRelease as error:
        raise click.BadParameter(str(error), param_hint=hint) from None
    except StoredReleaseError as error:
        click.echo(f"error: {error}", err=True)
        raise SystemExit(EXIT_DATA_ERROR) from None


def _reads_package(command: Callable[..., T]) -> Callable[..., T]:
    """The options `--root DIR` and `--version X.Y.Z` of a command that reads a package: the
    command is given `root`, the folder to read (with --version, the stored release)."""
    @functools.wraps(command)
    def run(*args: Any, root: Path | None, version: str | None, **kwargs: Any) -> T:
        if version is not None:
            root = _release_root(root, version)
        return command(*args, root=root, **kwargs)

    with_version = click.option(
        "--version", "version", default=None, metavar="X.Y.Z",
        help="Read the stored release of this version (see `dprk-data releases`) "
             "[default: the current build].")(run)
    return _ROOT(with_version)


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"note: {note}", err=True)


def _reporting(run: Callable[[list[str]], T], output_format: str) -> T:
    """`run(notes)`'s result; its notes printed, and its data errors printed and exited on."""
    notes: list[str] = []
    try:
        result = run(notes)
    except DataError as error:
        _print_notes(notes)
        _fail_on_data_errors(error, output_format)
    _print_notes(notes)
    return result


class _Main(click.Group):
    """The command group: a damaged package ends in one line, exit 1; an error of the
    environment (a file that cannot be read or written, a full disk, a permission) in one line
    naming the path and the OS error, exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        from .loaders import IntegrityError
        from .paths import UnsafePath

        try:
            return super().invoke(ctx)
        except ImportError as error:  # the build stack (or an optional library) is not installed
            missing = getattr(error, "name", None)
            if missing and missing.split(".")[0] in BUILD_STACK:
                error = BuildStackMissing(f"this command (it uses {missing.split('.')[0]})")
            click.echo(f"error: {error}", err=True)
            raise SystemExit(EXIT_USAGE) from None
        except (IntegrityError, UnsafePath) as error:  # a damaged or hostile package: exit 1
            click.echo(f"error: {error}", err=True)
            raise SystemExit(EXIT_DATA_ERROR) from None
        except BrokenPipeError:  # the reader went away ("| head"): stop quietly, as cat does
            import os
            import sys

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(141) from None  # 128 + SIGPIPE, as a shell reports it
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            click.echo(f"error: {where}{error.strerror or error}", err=True)
            raise SystemExit(EXIT_USAGE) from None


EXIT_USAGE = 2
BUILD_STACK = {"pandera", "edtf", "pycountry", "filelock", "frictionless"}


@click.group(cls=_Main, epilog="Exit codes: 0 success, 1 data errors, 2 usage or environment "
                               "errors.")
@click.version_option(package_name="dprk-ru-data", prog_name="dprk-data")
def main() -> None:
    """Build, check and inspect the dprk-ru-data dataset."""
    warnings.showwarning = _show_warning
    warning = checkout_mismatch(Path.cwd())
    if warning:
        click.echo(f"warning: {warning}", err=True)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """A library warning as one line of the command's output, without Python's source line."""
    click.echo(f"warning: {message}", err=True)


def checkout_mismatch(folder: Path) -> str | None:
    """A warning when `folder` is a checkout of dprk-ru-data at another version than the
    installed package (whose data the commands read), else None."""
    import tomllib

    from . import __version__
    from .paths import read_inside

    try:  # the folder is anyone's: a link, a FIFO or a huge file there is passed over, unread
        text = read_inside(folder, "pyproject.toml", 1_000_000).decode("utf-8")
        project = tomllib.loads(text)["project"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None
    if project.get("name") != "dprk-ru-data" or project.get("version") == __version__:
        return None
    return (f"this checkout is at version {project.get('version')}, but the installed "
            f"dprk-ru-data is {__version__}: commands use the installed copy. Reinstall from "
            "the checkout (pip install '.[build]') to use it.")


@main.command()
@_DIR
@_FORMAT
@_CORPUS
def build(directory: Path, output_format: str, corpus: Path | None) -> None:
    """Build DIRECTORY/build/, DIRECTORY/datapackage.json and DIRECTORY/CITATION.cff from
    DIRECTORY/raw/.

    Every problem in raw/ is reported at once, located by file, line and column; nothing is
    written unless every table passes every check. The outputs are swapped in only when complete;
    a build interrupted during the swap is rolled back by the next build.

    Exit codes: 0 success, 1 data errors, 2 usage errors.
    """
    from .build import build as run_build

    descriptor = _reporting(lambda notes: run_build(directory, corpus, notes), output_format)
    from .registry import VIEWS

    views = sum(1 for r in descriptor["resources"] if r["name"] in {v.name for v in VIEWS})
    click.echo(f"built {len(descriptor['resources']) - views} tables and {views} views, "
               f"version {descriptor['version']}, in {directory}")


@main.command()
@_DIR
@_FORMAT
@_CORPUS
def validate(directory: Path, output_format: str, corpus: Path | None) -> None:
    """Run every check of `build` on DIRECTORY/raw/ and write nothing.

    Exit codes: 0 valid, 1 data errors, 2 usage errors.
    """
    from .build import compile_tables

    tables = _reporting(lambda notes: compile_tables(directory, corpus, notes), output_format)
    click.echo(f"valid: {sum(frame.height for frame in tables.values())} rows "
               f"in {len(tables)} tables")


@main.command("check-build")
@click.option("--table", "names", multiple=True, help="Check only this table (repeatable).")
@_FORMAT
@_CORPUS
@_ROOT
def check_build(names: tuple[str, ...], output_format: str, corpus: Path | None,
                root: Path | None) -> None:
    """Check a built package (ROOT/datapackage.json and its tables, default: the shipped data)
    with the build's checks: hashes, types, vocabularies, rules, keys, references and evidence
    spans (hashed where the corpus texts are at hand).

    Exit codes: 0 valid, 1 problems found, 2 usage errors.
    """
    from .build import check_package
    from .loaders import data_root

    where = root or data_root()
    problems = check_package(where, list(names) or None, corpus_dir(corpus))
    if problems:
        _fail_on_data_errors(DataError(problems), output_format)
    click.echo(f"valid: {', '.join(names) if names else 'every table'} of {where}")


_ROWS_FORMAT = click.option("--format", "output_format", default="table", show_default=True,
                            type=click.Choice(["table", "csv", "json"]),
                            help="table: aligned text; csv or json: for tools.")


def _cell(value: object, width: int = 72) -> str:
    """A value as a table cell: at most `width` characters, with '…' where it is cut (a content
    hash, 71 characters, is never cut)."""
    text = "" if value is None else str(value)
    return text if len(text) <= width else text[:width - 1] + "…"


def _emit(rows: list[dict[str, Any]], output_format: str) -> None:
    """Print `rows` (dicts with the same keys) as an aligned table, CSV or JSON."""
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    columns = list(rows[0]) if rows else []
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    cells = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    for line in [columns, *cells]:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())


@main.command()
@_reads_package
@_ROWS_FORMAT
def tables(root: Path | None, output_format: str) -> None:
    """List the tables and views with their row counts and titles."""
    from .loaders import summary

    _emit(summary(root), output_format)


def _as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    import datetime as dt

    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date written YYYY-MM-DD") from None
    return value


_AS_OF = click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD", callback=_as_of,
                      help="Only what was known on that day: records with evidence in a text "
                           "certainly published by then.")


@main.command()
@click.argument("table", required=False)
@_reads_package
@_AS_OF
@_ROWS_FORMAT
def info(table: str | None, root: Path | None, as_of: str | None, output_format: str) -> None:
    """Describe the package (version, release date, content hash, how precise the claim and
    event windows are), or the fields of TABLE.

    With --as-of, print each table's row count on that day beside its full count.
    """
    from .loaders import data_root, package, summary, window_widths

    descriptor = package(root)
    resources = {r["name"]: r for r in descriptor["resources"]}
    if as_of is not None:
        _emit([{"table": r["name"], f"as of {as_of}": r["rows_as_of"], "in all": r["rows"]}
               for r in summary(root, as_of)], output_format)
        return
    if table is not None:
        if table not in resources:
            raise click.BadParameter(f"{table!r} is not a table; choose from "
                                     f"{', '.join(resources)}", param_hint="TABLE")
        resource = resources[table]
        fields = [{"name": f["name"], "type": f["type"],
                   "required": bool(f.get("constraints", {}).get("required")),
                   "description": f["description"]} for f in resource["schema"]["fields"]]
        if output_format != "table":
            _emit(fields, output_format)
            return
        click.echo(f"{resource['name']}: {resource['description']}")
        click.echo(f"primary key: {', '.join(resource['schema']['primaryKey'])}")
        for field in fields:
            required = " (required)" if field["required"] else ""
            click.echo(f"  {field['name']} [{field['type']}]{required}: {field['description']}")
        return
    about = {"name": descriptor["name"], "version": descriptor["version"],
             "title": descriptor["title"],
             "released": descriptor.get("created", "unreleased")[:10],
             "content_hash": descriptor["contentHash"],
             "licence": descriptor["licenses"][0]["name"],
             "data": _where(root or data_root()),
             "resources": [{"name": n, "bytes": r["bytes"], "hash": r["hash"]}
                           for n, r in resources.items()],
             "windows": window_widths(root)}
    if output_format == "json":
        click.echo(json.dumps(about, indent=2, ensure_ascii=False))
        return
    if output_format == "csv":
        _emit(about["resources"], output_format)
        return
    click.echo(f"{about['name']} {about['version']}: {about['title']}")
    click.echo(f"data read from: {about['data']}")
    click.echo(f"released: {about['released']}")
    click.echo(f"content hash: {about['content_hash']}")
    click.echo(f"licence: {about['licence']}")
    for resource in about["resources"]:
        click.echo(f"  {resource['name']:<24} {resource['bytes']:>8} bytes  {resource['hash']}")
    click.echo("windows: records whose claim or event window spans at most a day, a week, a "
               "month, a year, more, or is open")
    _emit(about["windows"], "table")


@main.command()
@click.argument("table")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many rows to print.")
@click.option("--where", "conditions", multiple=True, metavar="COLUMN=VALUE",
              help="Keep rows whose COLUMN equals VALUE as written (repeatable: all must hold).")
@click.option("--columns", default=None, metavar="A,B,...",
              help="Print only these columns, side by side [default: every column, one row "
                   "after another, as column: value lines].")
@_reads_package
@_AS_OF
@_ROWS_FORMAT
def show(table: str, limit: int, conditions: tuple[str, ...], columns: str | None,
         root: Path | None, as_of: str | None, output_format: str) -> None:
    """Print rows of TABLE as a readable table in the terminal (the library's `query`)."""
    import shutil

    import polars as pl

    from .loaders import query, tables

    names = tables(root)
    if table not in names:
        raise click.BadParameter(f"{table!r} is not a table; choose from {', '.join(names)}",
                                 param_hint="TABLE")
    where = {}
    for condition in conditions:
        column, sep, value = condition.partition("=")
        if not sep:
            raise click.BadParameter(f"{condition!r} is not COLUMN=VALUE", param_hint="--where")
        where[column] = value
    chosen = [c.strip() for c in columns.split(",")] if columns else None
    name = cast("TableName", table)  # one of this folder's tables (an older release's own)
    try:
        frame = query(name, where, root=root, as_of=as_of)
        shown = query(name, where, chosen, limit, root=root, as_of=as_of)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--where or --columns") from error
    if output_format != "table":
        _emit(shown.to_dicts(), output_format)
        return
    width = shutil.get_terminal_size((100, 24)).columns
    if chosen:
        with pl.Config(tbl_rows=limit, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=width,
                       tbl_hide_dataframe_shape=True):
            click.echo(shown)
    else:
        label = max(len(c) for c in frame.columns)
        for number, row in enumerate(shown.iter_rows(named=True), start=1):
            click.echo(f"-- {table} row {number} " + "-" * max(0, width - len(table) - 14))
            for column, value in row.items():
                text = "" if value is None else str(value)
                room = max(20, width - label - 3)
                click.echo(f"{column:<{label}} : "
                           f"{text if len(text) <= room else text[:room - 1] + '…'}")
    click.echo(f"{shown.height} of {frame.height} rows")


@main.command()
@click.option("--format", "output_format", type=click.Choice(["parquet", "sqlite"]),
              required=True, help="parquet: one file per table; sqlite: one database with "
                                  "keys and indexes, plus a Datasette metadata.json.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("export"),
              show_default=True, help="The folder to write into.")
@_reads_package
def export(output_format: str, out: Path, root: Path | None) -> None:
    """Export the tables as Parquet files or as a SQLite database for Datasette."""
    from .export import to_parquet, to_sqlite

    paths = to_parquet(out, root) if output_format == "parquet" else list(to_sqlite(out, root))
    for path in paths:
        click.echo(str(path))
    if output_format == "sqlite":
        click.echo(f"browse it with: datasette {paths[0]} -m {paths[1]}")


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("docs") / "codebook.md", show_default=True)
@click.option("--conventions", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("docs") / "conventions.md", show_default=True,
              help="The conventions document whose generated blocks (tables, date and figure "
                   "forms) are rewritten; it is left alone where it does not exist.")
@click.option("--names", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("dprk_ru_data") / "_names.py", show_default=True,
              help="The generated module of table names (TableName) to rewrite; it is left "
                   "alone where it does not exist.")
def codebook(out: Path, conventions: Path, names: Path) -> None:
    """Write the codebook (every table, field and vocabulary value) generated from the schemas,
    the generated blocks of the conventions document and the module of table names."""
    from .codebook import codebook_markdown, names_module, regenerate_conventions

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(codebook_markdown(), encoding="utf-8")
    click.echo(f"wrote {out}")
    if conventions.is_file():
        try:
            text = regenerate_conventions(conventions.read_text(encoding="utf-8"))
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--conventions") from None
        conventions.write_text(text, encoding="utf-8")
        click.echo(f"wrote {conventions}")
    if names.is_file():
        names.write_text(names_module(), encoding="utf-8")
        click.echo(f"wrote {names}")


@main.command()
@click.argument("chart", type=click.Choice(["troop-estimates", "events", "all"]))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write: .svg or .png [default: docs/<chart>.svg].")
@_reads_package
def plot(chart: str, out: Path | None, root: Path | None) -> None:
    """Draw a chart: troop-estimates (one panel per measure, over the claim windows), events
    (incidents and transfers over their event windows), or all of them.

    Needs the plot extra: pip install 'dprk-ru-data[plot]'.
    """
    try:
        from .plot import CHARTS
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise click.ClickException(f"plotting needs matplotlib: pip install "
                                   f"'dprk-ru-data[plot]' ({error})") from error
    names = list(CHARTS) if chart == "all" else [chart]
    if out is not None and len(names) > 1:
        raise click.BadParameter("--out names one file; draw one chart at a time with it",
                                 param_hint="--out")
    from polars.exceptions import ColumnNotFoundError

    from .loaders import package

    descriptor = package(root)
    for name in names:
        draw, default = CHARTS[name]
        try:
            click.echo(f"wrote {draw(out or Path(default), root)}")
        except (KeyError, ColumnNotFoundError) as error:  # an older release (--version) lacks
            raise click.BadParameter(                      # a table or column the chart reads
                f"the {name} chart is drawn from the current tables, and version "
                f"{descriptor['version']} lacks one: {error.args[0]}", param_hint="--version"
            ) from None


@main.command()
@click.option("--format", "output_format",
              type=click.Choice(["text", "apa", "bibtex", "cff", "json", "zenodo"]),
              default="text", show_default=True,
              help="text: a reference; apa: an APA reference; bibtex: a @misc entry; cff: "
                   "CITATION.cff; json: CSL-JSON; zenodo: .zenodo.json.")
@_reads_package
def cite(output_format: str, root: Path | None) -> None:
    """Print how to cite this release (or, with --version, an earlier one): title, authors,
    version, release date, licence, content hash, and the DOI where one is recorded."""
    from .citation import render
    from .loaders import package
    from .stored import record_of

    release = record_of(root) if root else None  # with --version: its DOI, if since recorded
    try:
        cited = render(package(root), output_format, release.doi if release else None)
    except (KeyError, TypeError, ValueError, IndexError) as error:  # a descriptor not ours
        click.echo(f"error: cannot cite {root or 'the package'}: {error}", err=True)
        raise SystemExit(EXIT_DATA_ERROR) from None
    click.echo(cited, nl=False)


def _build_or_release(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    """A folder or descriptor path, or a release's version (``0.1.0``) standing for its stored
    build, as a path to read."""
    from .versions import is_version

    if is_version(value):
        if Path(value).exists():
            raise click.BadParameter(f"{value!r} is both a release's version and a folder here: "
                                     f"write ./{value} for the folder", param_hint=param.name)
        return _release_root(None, value, str(param.name).upper())
    path = Path(value)
    if not path.exists():
        raise click.BadParameter(f"{value!r} is neither a release's version (X.Y.Z) nor an "
                                 "existing folder or datapackage.json", param_hint=param.name)
    return path


@main.command()
@click.argument("old", callback=_build_or_release)
@click.argument("new", callback=_build_or_release)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the changes: a report, or JSON for tools.")
@click.option("--check", is_flag=True,
              help="Exit 1 unless NEW's version is bumped over OLD's as much as the changes need.")
def diff(old: Path, new: Path, output_format: str, check: bool) -> None:
    """Compare two builds OLD and NEW: each a release's version (`dprk-data diff 0.1.0 0.2.0`),
    a directory holding datapackage.json, or its path.

    Per table: rows added, removed and changed (by primary key, naming the changed fields),
    schema changes, and the version bump the changes require.
    """
    from .diff import diff_packages, report

    try:
        changes = diff_packages(old, new)
    except (FileNotFoundError, KeyError, ValueError) as error:
        raise click.ClickException(f"cannot compare {_where(old)} and {_where(new)}: {error}"
                                   ) from error
    if output_format == "json":
        click.echo(json.dumps(changes.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report(changes), nl=False)
    if check and not changes.bump_ok:
        raise SystemExit(EXIT_DATA_ERROR)


def _where(folder: Path) -> str:
    """The folder a command read, named as a stored release where it is one."""
    from .stored import origin

    return origin(folder) or str(folder)


def _release_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from .releases import ReleaseError, check_date

    if value is not None:
        try:
            check_date(value)
        except ReleaseError as error:
            raise click.BadParameter(str(error)) from None
    return value


@main.command()
@_DIR
@click.option("--date", "date", default=None, metavar="YYYY-MM-DD", callback=_release_date,
              help="The release date [default: today, UTC].")
@click.option("--previous", type=click.Path(exists=True, path_type=Path), default=None,
              help="The previous release's build [default: its stored copy, else found in the "
                   "git history].")
@click.option("--no-dist", "no_dist", is_flag=True,
              help="Do not make the sdist and wheel (which need the release extra).")
def release(directory: Path, date: str | None, previous: Path | None, no_dist: bool) -> None:
    """Release the version in DIRECTORY/pyproject.toml: check its bump against the previous
    release, record it in RELEASES.json, move the changelog's Unreleased notes under it, rebuild
    so that datapackage.json carries the release date, store the release's build in
    releases/VERSION.zip (so that it loads by its number), and make the sdist and wheel in
    dist/, checked with twine. Uploading them stays a person's step.
    """
    import datetime as dt

    from .releases import DIST, ReleaseError
    from .releases import release as run_release

    day = date or dt.datetime.now(dt.timezone.utc).date().isoformat()
    try:
        entry = run_release(directory, day, previous, dist=not no_dist)
    except DataError as error:
        _fail_on_data_errors(error, "text")
    except ReleaseError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"released {entry.version} on {entry.date}: {entry.content_hash}")
    if not no_dist:
        click.echo(f"the sdist and wheel are in {directory / DIST}; upload them with "
                   f"`twine upload {directory / DIST}/*{entry.version}*`")


@main.command()
@_ROOT
@_ROWS_FORMAT
def releases(root: Path | None, output_format: str) -> None:
    """List the released versions: date, content hash, DOI, and whether each is stored with
    this installation (so that `--version` reads it)."""
    from .loaders import data_root
    from .stored import describe

    _emit(describe(root or data_root()), output_format)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on: this machine only, unless told otherwise.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option("--export", "export_to", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Write the site (database, metadata, plugin, templates) into "
                                 "this folder for a static host or `datasette publish`, without "
                                 "the corpus texts, and do not serve.")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the corpus texts whose passages the evidence pages show. Without "
                   "it, no text is served (not even one found by default).")
@_reads_package
def serve(host: str, port: int, export_to: Path | None, corpus: Path | None,
          root: Path | None) -> None:
    """Browse the data in a web browser (Datasette): the claims and events views first, every
    record linked to the passages that support it. Needs the web extra:
    pip install 'dprk-ru-data[web]'.
    """
    import importlib.util

    from .loaders import package
    from .site import build_site, serve_site, unsupported

    refusal = unsupported(package(root))  # an older release's model: said before anything starts
    if refusal:
        raise click.BadParameter(refusal, param_hint="--version")
    if export_to is None and importlib.util.find_spec("datasette") is None:
        click.echo("error: serving the site needs Datasette, from the web extra: pip install "
                   "'dprk-ru-data[web]' (or, in a checkout, pip install '.[web]')", err=True)
        raise SystemExit(EXIT_USAGE)
    if export_to is not None:
        click.echo(f"wrote the site to {build_site(export_to, root)}")
        return
    # The passages are shown only from texts named on purpose: a corpus folder found by default
    # is not served, so that no text reaches a browser (or a network) unasked.
    if corpus is None:
        click.echo("the corpus texts are not served: each evidence row gives its place and "
                   "hash; pass --corpus FOLDER to show the passages", err=True)
    elif not corpus.is_dir():
        raise click.BadParameter(f"corpus folder {corpus} does not exist", param_hint="--corpus")
    elif host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"warning: the passages of the texts in {corpus} are served to every machine "
                   f"that can reach {host}:{port}", err=True)
    code = serve_site(host, port, root, corpus, announce=lambda:
                      click.echo(f"serving on http://{host}:{port}/ (Ctrl-C stops)", err=True))
    if code:
        raise click.ClickException(f"the server stopped with exit code {code}; its messages "
                                   "are above")


@main.command("verify-evidence")
@_CORPUS
@_ROOT
def verify_evidence(corpus: Path | None, root: Path | None) -> None:
    """Recompute every evidence span's SHA-256 from the corpus texts and report mismatches.

    Exit codes: 0 all spans match, 1 mismatches or missing texts, 2 usage errors.
    """
    from .evidence import verify_evidence as verify
    from .loaders import load

    folder = corpus_dir(corpus)
    if not folder.is_dir():
        raise click.BadParameter(f"corpus folder {folder} does not exist", param_hint="--corpus")
    problems = verify(folder, root)
    spans = load("evidence", root=root, verify=False).height
    if problems:
        click.echo(DataError(problems).report(), err=True)
        click.echo(f"{len(problems)} problem(s) in {spans} evidence spans checked against "
                   f"{folder}", err=True)
        raise SystemExit(EXIT_DATA_ERROR)
    click.echo(f"all {spans} evidence spans match the texts in {folder}")


@main.command()
@click.argument("source")
@click.argument("phrase")
@_CORPUS
@_ROOT
def locate(source: str, phrase: str, corpus: Path | None, root: Path | None) -> None:
    """Print the offsets and SHA-256 of PHRASE in SOURCE (a source_id or a corpus file name).

    One line per occurrence: start, end, sha256, ready for raw/evidence.csv.
    """
    from .evidence import locate as find

    try:
        spans = find(source, phrase, corpus, root)
    except DataError as error:
        raise click.BadParameter(error.problems[0].message, param_hint="SOURCE") from error
    if not spans:
        click.echo(f"{phrase!r} does not occur in {source}", err=True)
        raise SystemExit(EXIT_DATA_ERROR)
    for span in spans:
        click.echo(f"{span.start},{span.end},{span.sha256}")


@main.command()
@click.argument("record_id")
@_CORPUS
@_ROOT
@_ROWS_FORMAT
def evidence(record_id: str, corpus: Path | None, root: Path | None,
             output_format: str) -> None:
    """Every field of the record RECORD_ID (any table) with the passage that supports it: read
    from the corpus text where it is at hand, else its offsets and hash."""
    from .evidence import record_disagreements, record_evidence

    try:
        rows = record_evidence(record_id, corpus, root)
    except KeyError as error:
        raise click.BadParameter(str(error.args[0]), param_hint="RECORD_ID") from error
    if output_format != "table":
        _emit(rows, output_format)
        return
    _print_fields(rows)
    groups = record_disagreements(record_id, root)
    if groups:
        click.echo("disagreements (other records that report the same thing differently):")
    for group in groups:
        click.echo(f"    {group['group_id']} ({group['aspect']}): {group['record_id']} "
                   f"({group['record_table']}): {group['note']}")


def _print_fields(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        head = f"{row['field'] or '(the record)'}"
        if row["value"] is not None:
            head += f" = {row['value']}"
        click.echo(head)
        if row["evidence_id"] is None:
            click.echo("    no evidence row names this field")
            continue
        click.echo(f"    {row['evidence_id']} {row['source_id']} {row['span_start']}:"
                   f"{row['span_end']} sha256 {row['span_sha256']}")
        click.echo(f"    {row['passage']!r}" if row["passage"] is not None
                   else f"    ({row['passage_note']})")


@main.command()
@click.argument("source")
@click.option("--published", default=None, metavar="DATE",
              help="Publication date that anchors relative dates (e.g. 2024-10-14 or "
                   "2024-10-14/2024-10-31) [default: the source's own, for a source_id].")
@click.option("--format", "output_format", type=click.Choice(["table", "json", "csv"]),
              default="table", show_default=True, help="How to print the mentions.")
@click.option("--as-evidence", nargs=2, default=None, metavar="TABLE RECORD_ID",
              help="Print each mention as a row of raw/evidence.csv for RECORD_ID of TABLE, "
                   "numbered from the next free id (fill in field and note).")
@_CORPUS
@_ROOT
def extract(source: str, published: str | None, output_format: str, corpus: Path | None,
            root: Path | None, as_evidence: tuple[str, str] | None) -> None:
    """Print every figure and date in SOURCE (a source_id, or the path of any UTF-8 text) with
    its offsets, span SHA-256 and reading: candidates for raw/ and raw/evidence.csv."""
    import sys

    from .extract import iter_extract, write

    from .extract import NoSuchSource

    try:  # the source and the date are checked before the first row is written
        rows = iter_extract(source, published=published, corpus=corpus, root=root)
    except DataError as error:
        _fail_on_data_errors(error, "text")
    except NoSuchSource as error:
        raise click.BadParameter(str(error), param_hint="SOURCE") from None
    if as_evidence is None:
        write(rows, sys.stdout, output_format)
        return
    from .checkout import checkout, read_rows
    from .curate import EVIDENCE_COLUMNS, csv_line, evidence_rows, next_id
    from .evidence import Span

    table, record_id = as_evidence
    folder = checkout(root)
    first = next_id(read_rows(folder, "evidence")[1], "evidence") if folder else "ev-0000"
    click.echo(",".join(EVIDENCE_COLUMNS))
    for row in evidence_rows(table, record_id, source, [
            Span(r["start"], r["end"], r["sha256"]) for r in rows], first):
        click.echo(csv_line(row), nl=False)


@main.command("add-source")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--published", required=True, metavar="DATE",
              help="Publication date as the text supports it: a day (2024-11-04) or an "
                   "interval (2024-11-01/2024-11-07).")
@click.option("--outlet", default=None, metavar="ACTOR_ID",
              help="The outlet that published it (an actor_id of raw/actors.csv).")
@click.option("--title", default=None, help="The title, exactly as the text states it.")
@click.option("--author", default=None, help="The author, as the byline names them.")
@click.option("--url", default=None, help="The address, where the text itself gives it.")
@click.option("--kind", default=None, metavar="KIND",
              help="Kind of text (a value of the source_kind vocabulary).")
@click.option("--language", default=None, metavar="CODE",
              help="Language of the text, an ISO 639-1 code (en, ko, ru, uk).")
@click.option("--note", default=None,
              help="How the outlet, author, title and date were inferred (metadata_note).")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The corpus folder [default: $DPRK_CORPUS, else ../shared/sources].")
def add_source(path: Path, published: str, outlet: str | None, title: str | None,
               author: str | None, url: str | None, kind: str | None, language: str | None,
               note: str | None, corpus: Path | None) -> None:
    """Add the text at PATH as a new source: check it, copy it into the corpus folder as
    NNN_<first 16 hex digits of its SHA-256>.txt, add it to the corpus MANIFEST.csv and to
    raw/sources.csv with the next id, and print the id. Run in a checkout."""
    from .curate import CurationError, add_source as add

    try:
        added = add(path, published, outlet=outlet, title=title, author=author, url=url,
                    kind=kind, note=note, language=language, root=".", corpus=corpus)
    except CurationError as error:
        _curation_failed(error)
    if added.line is None:
        click.echo(f"{added.source_id}: this text is already a source ({added.corpus_file})",
                   err=True)
    else:
        click.echo(f"{added.source_id}: {added.corpus_file} ({added.chars} characters, sha256 "
                   f"{added.sha256}){' copied into the corpus' if added.copied else ''}; "
                   f"raw/sources.csv line {added.line}", err=True)
        missing = [name for name, value in (("kind", kind), ("metadata_note", note))
                   if value is None]
        if missing:
            click.echo(f"to do: write {' and '.join(missing)} on that line before building",
                       err=True)
    click.echo(added.source_id)


@main.command("add-evidence")
@click.argument("table")
@click.argument("record_id")
@click.argument("source_id")
@click.argument("phrase")
@click.option("--field", default=None, help="The field of the record the phrase supports "
                                            "[default: the record as a whole].")
@click.option("--nth", type=click.IntRange(min=1), default=None,
              help="Which occurrence, where the phrase occurs more than once (1: the first).")
@click.option("--note", default=None, help="What the span shows, in your own words.")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The corpus folder [default: $DPRK_CORPUS, else ../shared/sources].")
def add_evidence(table: str, record_id: str, source_id: str, phrase: str, field: str | None,
                 nth: int | None, note: str | None, corpus: Path | None) -> None:
    """Find PHRASE in the text of SOURCE_ID and append the evidence row that points at it for
    RECORD_ID of TABLE, with the next id, its offsets and SHA-256; print the row. Run in a
    checkout."""
    from .curate import CurationError, add_evidence as add, csv_line

    try:
        row, line = add(table, record_id, source_id, phrase, field=field, nth=nth, note=note,
                        root=".", corpus=corpus)
    except CurationError as error:
        _curation_failed(error)
    click.echo(f"raw/evidence.csv line {line}", err=True)
    click.echo(csv_line(row), nl=False)


def _curation_failed(error: Exception) -> NoReturn:
    click.echo(f"error: {error}", err=True)
    raise SystemExit(EXIT_DATA_ERROR if getattr(error, "data", False) else EXIT_USAGE)
