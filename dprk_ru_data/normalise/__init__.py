"""Normalisers: vague figures and dates as written in reports -> comparable numbers and date bounds.

Pure functions with one error type each; importing this package imports neither pandera nor polars.
"""

from .dates import DateError, FuzzyDate, parse_date
from .figures import Figure, FigureError, parse_figure, parse_figures

__all__ = ["DateError", "Figure", "FigureError", "FuzzyDate", "parse_date", "parse_figure", "parse_figures"]
