"""The charts (docs/troop_estimates.svg, docs/events.svg), drawn with matplotlib (the `plot` extra).

`dprk-data build` redraws them from the package it makes (`render`), where matplotlib is
installed; `dprk-data plot` draws one to any file.

* **Troop estimates**: one panel per measure (deployed, killed, in training, ...), each estimate a
  box from its low to its high value (a line where they are equal, a triangle for an open bound)
  spanning its claim window: from the day the claim was first possibly made to the last day it
  was certainly made. The colour is the claimant's country; the legend lists only what is drawn.
* **Events**: incidents and arms transfers by type, each a bar over its event window (a marker
  at its end where the start is open).

Both are drawn from the `claims` and `events` views and the tables, with a fixed hash salt and no
timestamp, so the same data give the same SVG bytes. Each drawn element carries its record id as
its SVG id.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .loaders import load, package
from .vocab import label

if TYPE_CHECKING:
    import polars
    from matplotlib.typing import RcKeyType

NO_CLAIMANT = "no claimant named"
INCIDENT, TRANSFER = "#0072B2", "#D55E00"
NO_COUNTRY = "no country"
_COUNTRY_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
                    "#332288", "#882255", "#44AA99")


# matplotlib's settings for our charts, applied only while one is drawn and saved: a caller's
# own settings and backend are left as they were (no pyplot, which would pick a backend).
_STYLE: "dict[RcKeyType, Any]" = {"svg.hashsalt": "dprk-ru-data", "svg.fonttype": "none",
                                  "font.size": 8}


def _figure(**options: Any) -> Any:
    """A new matplotlib figure, made without pyplot: nothing global is registered or chosen."""
    from matplotlib.figure import Figure

    return Figure(**options)


def _bytes(figure: Any, fmt: str) -> bytes:
    """`figure` as SVG or PNG bytes, with no timestamp."""
    metadata = {"Date": None, "Creator": "dprk-ru-data"} if fmt == "svg" else {
        "Software": "dprk-ru-data"}
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata=metadata)
    return buffer.getvalue()


def render(chart: str, root: str | Path | None = None, fmt: str = "svg") -> bytes:
    """The chart `chart` (a key of `CHARTS`) drawn from the package at `root` (default: the
    shipped data), as SVG or PNG bytes: the same data give the same bytes. matplotlib's
    settings (`matplotlib.rcParams`) and backend are the caller's again afterwards."""
    import matplotlib

    # The style is read both as the chart is made and as it is saved.
    with matplotlib.rc_context(_STYLE):
        return _bytes(_FIGURES[chart](root), fmt)


def _save(chart: str, out: str | Path, root: str | Path | None) -> Path:
    out = Path(out)
    data = render(chart, root, out.suffix.lstrip(".").lower() or "svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


def _day(value: Any) -> float:
    """A date as matplotlib's day number."""
    import matplotlib.dates as mdates

    number: float = mdates.date2num(value)  # type: ignore[no-untyped-call]
    return number


def _date_axis(axes: Any, days: list[int]) -> None:
    """Dates on the x axis, ticked on the given days of each month, as '14 Oct'."""
    import matplotlib.dates as mdates

    locator: Any = mdates.DayLocator  # matplotlib's date helpers have no type annotations
    formatter: Any = mdates.DateFormatter
    axes.xaxis.set_major_locator(locator(bymonthday=days))
    axes.xaxis.set_major_formatter(formatter("%d %b"))


def troop_estimate_points(root: str | Path | None = None) -> "polars.DataFrame":
    """One row per troop estimate with a figure that is not a rate: measure, bounds, claim
    window and the claimant's country (or a note that there is none)."""
    import polars as pl

    claims = load("claims", root=root).filter(
        pl.col("record_table") == "troop_estimates", pl.col("per") == "none",  # not rates
        pl.any_horizontal(pl.col("low", "best", "high").is_not_null()))
    return claims.select(
        pl.col("record_id").alias("estimate_id"), "measure", "low", "best", "high",
        "claim_window_start", "claim_window_end",
        pl.when(pl.col("claimant_actor_id").is_null()).then(pl.lit(NO_CLAIMANT))
        .otherwise(pl.col("claimant_country").fill_null(NO_COUNTRY)).alias("country"),
        "status").sort("measure", "claim_window_end", "estimate_id")


def plot_troop_estimates(out: str | Path, root: str | Path | None = None) -> Path:
    """Draw every troop estimate, one panel per measure, to `out` (SVG, or PNG by suffix)."""
    return _save("troop-estimates", out, root)


# The margins, in inches, that matplotlib's tight_layout finds for the troop estimates: its tick
# labels and titles do not depend on the data (the y range is fixed), so they are fixed here;
# measuring every tick label took most of the drawing time.
_MARGINS = {"left": 0.42, "right": 0.26, "bottom": 0.33, "top": 0.58}
_LEGEND, _TITLE = 0.07, 0.96  # the figure fractions kept for the legend and the title
_FOOTNOTE_POINTS = 10.0  # the height kept under the legend for the footnote (7-point text)


def _troop_estimates_figure(root: str | Path | None) -> Any:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import LogLocator, NullFormatter

    points = troop_estimate_points(root)
    version = package(root)["version"]
    measures = list(dict.fromkeys(points["measure"].to_list()))
    countries = sorted(set(points["country"].to_list()),
                       key=lambda c: (c in (NO_CLAIMANT, NO_COUNTRY), c))
    greys = {NO_CLAIMANT: "#BBBBBB", NO_COUNTRY: "#555555"}
    colours = {c: greys.get(c, _COUNTRY_COLOURS[i % len(_COUNTRY_COLOURS)])
               for i, c in enumerate(countries)}
    columns = 3
    rows = -(-len(measures) // columns)
    figure = _figure(figsize=(10, 2.3 * rows + 0.8))
    axes = figure.subplots(rows, columns, squeeze=False)
    first = _day(points["claim_window_end"].min()) - 12
    last = _day(points["claim_window_end"].max()) + 2
    markers_used: set[str] = set()
    open_start = False
    for panel, measure in zip(axes.flat, measures):
        mine = points.filter(points["measure"] == measure)
        for row in mine.iter_rows(named=True):
            end = _day(row["claim_window_end"])
            if row["claim_window_start"] is None:  # drawn at its last day: the start is open
                open_start, start = True, end - 1.5
            else:
                start = _day(row["claim_window_start"])
            hue, gid = colours[row["country"]], row["estimate_id"]
            low, high = row["low"], row["high"]
            if low is not None and high is not None:
                top = high if high > low else low * 1.04
                panel.add_patch(Rectangle((start, low), max(end - start, 0.6), top - low,
                                          facecolor=hue, edgecolor=hue, alpha=0.55, gid=gid))
            else:
                marker = "^" if high is None else "v"
                markers_used.add(marker)
                panel.plot([(start + end) / 2], [low if high is None else high], marker=marker,
                           color=hue, markersize=6, linestyle="", gid=gid)
        panel.set_yscale("log")
        # Minor ticks at 2 and 5 of each decade, unlabelled: matplotlib's default of eight per
        # decade made a smear at this height and most of the drawing time.
        panel.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
        panel.yaxis.set_minor_formatter(NullFormatter())
        panel.set_xlim(first, last)
        panel.set_ylim(1, 3_000_000)
        # y=1.0 is where matplotlib puts the title anyway; left to place it, it first measures
        # every tick label of the panel.
        panel.set_title(label("measure", measure), fontsize=9, y=1.0)
        panel.grid(True, which="major", axis="y", alpha=0.3)
        _date_axis(panel, [1, 15])
    for panel in list(axes.flat)[len(measures):]:
        panel.set_visible(False)
    handles = [Line2D([], [], color=colours[c], linewidth=6, alpha=0.55, label=c)
               for c in countries]
    handles += [Line2D([], [], marker=m, color="#444444", linestyle="",
                       label="at least" if m == "^" else "at most")
                for m in ("^", "v") if m in markers_used]
    # The legend sits at the foot of the figure, above the footnote where there is one.
    foot = _FOOTNOTE_POINTS / (72 * figure.get_size_inches()[1]) if open_start else 0.0
    figure.legend(handles=handles, title="claimant's country (ISO 3166 code)",
                  loc="lower center", bbox_to_anchor=(0.5, foot), ncol=min(len(handles), 6),
                  frameon=False)
    if open_start:
        figure.text(0.5, 0.005, "A claim window with no known start is drawn at its last day.",
                    ha="center", fontsize=7)
    figure.suptitle(f"Troop estimates by what is counted: each box spans its claim window and "
                    f"its low-high bounds (personnel, log scale; dprk-ru-data {version})")
    width, height = figure.get_size_inches()
    figure.subplots_adjust(left=_MARGINS["left"] / width, right=1 - _MARGINS["right"] / width,
                           bottom=_LEGEND + _MARGINS["bottom"] / height,
                           top=_TITLE - _MARGINS["top"] / height, hspace=0.33, wspace=0.2)
    return figure


def event_rows(root: str | Path | None = None) -> "polars.DataFrame":
    """Incidents and arms transfers with an event window that has an end: id, kind (the type,
    or 'transfer: ' and the category), start (None where open) and end."""
    import polars as pl

    incidents = load("events", root=root).filter(pl.col("record_table") == "incidents").select(
        pl.col("event_id").alias("id"), pl.col("kind"), "event_window_start",
        "event_window_end")
    transfers = load("arms_transfers", root=root).select(
        pl.col("transfer_id").alias("id"),
        ("transfer: " + pl.col("category").cast(pl.String)).alias("kind"),
        "event_window_start", "event_window_end")
    return (pl.concat([incidents, transfers]).filter(pl.col("event_window_end").is_not_null())
            .sort("kind", "event_window_end", "id"))


def plot_events(out: str | Path, root: str | Path | None = None) -> Path:
    """Draw the incidents and transfers as bars over their event windows to `out`."""
    return _save("events", out, root)


def _events_figure(root: str | Path | None) -> Any:
    from matplotlib.lines import Line2D

    rows = event_rows(root)
    version = package(root)["version"]
    kinds = list(dict.fromkeys(rows["kind"].to_list()))
    figure = _figure(figsize=(10, 0.32 * len(kinds) + 1.6))
    axes = figure.subplots()
    since = dt.date(2023, 1, 1)  # the timeline starts with the cooperation the texts describe
    shown = rows.filter(rows["event_window_end"] >= since)
    open_used = False
    for row in shown.iter_rows(named=True):
        y = kinds.index(row["kind"])
        end = _day(row["event_window_end"])
        hue = TRANSFER if row["kind"].startswith("transfer") else INCIDENT
        if row["event_window_start"] is None or row["event_window_start"] < since:
            open_used = True
            axes.plot([end], [y], marker="<", color=hue, markersize=5, linestyle="",
                      gid=row["id"])
        else:
            start = _day(row["event_window_start"])
            axes.plot([start, max(end, start + 0.8)], [y, y], color=hue, linewidth=5,
                      alpha=0.6, solid_capstyle="butt", gid=row["id"])
    axes.set_yticks(range(len(kinds)), [label("incident_type", k) if not k.startswith(
        "transfer") else k.replace("_", " ") for k in kinds])
    import matplotlib.dates as mdates

    months: Any = mdates.MonthLocator  # matplotlib's date helpers have no type annotations
    formatter: Any = mdates.DateFormatter
    axes.xaxis.set_major_locator(months(bymonth=(1, 4, 7, 10)))
    axes.xaxis.set_major_formatter(formatter("%b %Y"))
    axes.grid(True, axis="x", alpha=0.3)
    axes.set_xlabel("event window (when it happened, as far as the texts say)")
    handles = [Line2D([], [], color=INCIDENT, linewidth=5, alpha=0.6, label="incident"),
               Line2D([], [], color=TRANSFER, linewidth=5, alpha=0.6, label="arms transfer")]
    if open_used:
        handles.append(Line2D([], [], marker="<", color="#444444", linestyle="",
                              label="start unknown or before 2023: drawn at its end"))
    axes.legend(handles=handles, loc="upper left", frameon=False, fontsize=7)
    axes.set_title(f"Incidents and transfers since 2023 by type, over their event windows "
                   f"(dprk-ru-data {version})")
    figure.tight_layout()
    return figure


_FIGURES = {"troop-estimates": _troop_estimates_figure, "events": _events_figure}
# Each chart's drawing function and the file the README shows and the build redraws.
CHARTS = {"troop-estimates": (plot_troop_estimates, "docs/troop_estimates.svg"),
          "events": (plot_events, "docs/events.svg")}
