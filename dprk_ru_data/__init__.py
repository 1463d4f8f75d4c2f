"""dprk-ru-data: reported North Korea-Russia military cooperation as typed, sourced tables.

>>> import dprk_ru_data
>>> frame = dprk_ru_data.load("troop_estimates")

The modules follow the pipeline, each stage importable and testable on its own:

* `registry` (with `fieldtypes` and `vocab`): every table and field, declared once;
* `raw`: read a hand-curated ``raw/*.csv``, every fault of the file located;
* `normalise`: the readers of figures and dates as written;
* `derive` and `windows`: fill the derived figure and date columns with the readers, then each
  claim's claim and event windows;
* `validate`: types, schema rules, codes, keys, references, dates and each field's evidence;
* `evidence`: evidence spans checked against the corpus texts, phrases located, a record's
  passages;
* `views`: the `claims` and `events` views, with names inline;
* `build`: raw -> derive -> validate -> evidence -> views -> ``build/``, all or nothing;
* `datapackage` and `citation`: the descriptor and ``CITATION.cff``;
* `releases` and `diff`: versions, releases, the changelog and the bump rules;
* `loaders`, `export`, `extract`, `codebook`, `plot` and `cli`: what users call.
"""

from typing import Any

from ._names import TableName
from .loaders import IntegrityError, load, package, query, summary, tables

__all__ = ["IntegrityError", "TableName", "__version__", "load", "package", "query", "summary",
           "tables", "verify_evidence"]
# `dprk_ru_data.loaders.window_widths` and `dprk_ru_data.evidence.record_evidence` back
# `dprk-data info` and `dprk-data evidence`.


def __getattr__(name: str) -> Any:
    # The version is read from the installed metadata only when asked for: importlib.metadata
    # costs tens of milliseconds, and most scripts only load tables.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("dprk-ru-data")
        except PackageNotFoundError:  # pragma: no cover - a checkout that is not installed
            return "0+unknown"
    if name == "verify_evidence":  # imports polars: only when asked for
        from .evidence import verify_evidence

        return verify_evidence
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
