"""dprk-ru-data: reported North Korea-Russia military cooperation as typed, sourced tables.

>>> import dprk_ru_data
>>> frame = dprk_ru_data.load("troop_estimates")
"""

from typing import Any

from .loaders import IntegrityError, load, package, tables

__all__ = ["IntegrityError", "__version__", "load", "package", "tables"]


def __getattr__(name: str) -> Any:
    # The version is read from the installed metadata only when asked for: importlib.metadata
    # costs tens of milliseconds, and most scripts only load tables.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("dprk-ru-data")
        except PackageNotFoundError:  # pragma: no cover - a checkout that is not installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
