"""Normalisers: vague figures and dates as written in reports -> comparable numbers and date bounds,
and finders that locate every figure and date in a whole text.

Pure functions with one error type each; importing this package imports neither pandera nor polars.
"""

from .dates import DateError, FuzzyDate, parse_date
from .figures import Figure, FigureError, parse_figure, parse_figures
from .finders import Mention, find_dates, find_figures, iter_dates, iter_figures, iter_mentions

__all__ = ["DateError", "Figure", "FigureError", "FuzzyDate", "Mention", "find_dates",
           "find_figures", "iter_dates", "iter_figures", "iter_mentions", "parse_date",
           "parse_figure", "parse_figures"]
