"""dprk-ru-data: reported North Korea-Russia military cooperation as typed, sourced tables.

>>> import dprk_ru_data
>>> frame = dprk_ru_data.load("troop_estimates")
"""

from importlib.metadata import PackageNotFoundError, version

from .loaders import IntegrityError, load, package, tables

try:
    __version__ = version("dprk-ru-data")
except PackageNotFoundError:  # pragma: no cover - running from a checkout that is not installed
    __version__ = "0+unknown"

__all__ = ["IntegrityError", "__version__", "load", "package", "tables"]
