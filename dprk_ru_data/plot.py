"""The troop-estimates chart (docs/troop_estimates.svg), drawn with matplotlib (the `plot` extra).

Each estimate is drawn at the date of its claim, the earliest possible publication day of the
texts that report it, as a bar from its low to its high value, a dot where only a single value
is known, and a triangle for an open bound ("at least" up, "at most" down). The colour says who
made the claim (the claimant's actor kind); a black cross marks a denied claim. The y axis is
logarithmic, as the figures run from a handful of deserters to a force of a million. Each drawn
element carries its `estimate_id` as its SVG id, and the SVG is written without a timestamp.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .loaders import load, package
from .vocab import ACTOR_KIND, colour, label

if TYPE_CHECKING:
    import polars

NO_CLAIMANT = "no claimant named"


def troop_estimate_points(root: str | Path | None = None) -> "polars.DataFrame":
    """One row per estimate with a figure: its claim date, bounds, claimant kind and status."""
    import polars as pl

    estimates = load("troop_estimates", root=root).filter(
        pl.any_horizontal(pl.col("figure_low", "figure_best", "figure_high").is_not_null()))
    first_published = (
        load("evidence", root=root)
        .filter(pl.col("record_table") == "troop_estimates")
        .join(load("sources", root=root).select("source_id", "published_start"), on="source_id")
        .group_by("record_id").agg(pl.col("published_start").min().alias("claimed")))
    kinds = load("actors", root=root).select(
        pl.col("actor_id").alias("claimant_actor_id"),
        pl.col("kind").cast(pl.String).alias("claimant_kind"))
    return (estimates.join(first_published, left_on="estimate_id", right_on="record_id",
                           how="left", maintain_order="left")
            .join(kinds, on="claimant_actor_id", how="left", maintain_order="left")
            .with_columns(pl.col("claimant_kind").fill_null(NO_CLAIMANT))
            .select("estimate_id", "claimed", "figure_low", "figure_best", "figure_high",
                    "claimant_kind", pl.col("status").cast(pl.String))
            .sort("claimed", "estimate_id"))


def plot_troop_estimates(out: str | Path, root: str | Path | None = None) -> Path:
    """Draw the chart of every troop estimate to `out` (SVG, or PNG by its suffix)."""
    import datetime as dt

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    points = troop_estimate_points(root)
    version = package(root)["version"]
    plt.rcParams.update({"svg.hashsalt": "dprk-ru-data", "svg.fonttype": "none",
                         "font.size": 9})
    figure, axes = plt.subplots(figsize=(9, 5.2))
    per_day = dict(points.group_by("claimed").len().iter_rows())
    seen_at: dict[dt.date, int] = {}
    kinds_used = []
    for row in points.iter_rows(named=True):
        day = row["claimed"]
        # Estimates claimed on the same day are spread within that day so none hides another.
        index = seen_at.get(day, 0)
        seen_at[day] = index + 1
        # matplotlib reads datetimes through its date units; its stubs only name numbers.
        x: Any = dt.datetime.combine(day, dt.time(12)) + dt.timedelta(
            days=(index - (per_day[day] - 1) / 2) * min(0.8 / per_day[day], 0.2))
        kind = row["claimant_kind"]
        hue = colour("actor_kind", None if kind == NO_CLAIMANT else kind)
        if row["claimant_kind"] not in kinds_used:
            kinds_used.append(row["claimant_kind"])
        low, best, high = row["figure_low"], row["figure_best"], row["figure_high"]
        gid = row["estimate_id"]
        if low is not None and high is not None and low != high:
            axes.vlines(x, low, high, colors=hue, linewidth=3, alpha=0.85, gid=gid)
            value = best
        elif low is not None and high is None:
            axes.plot([x], [low], marker="^", color=hue, markersize=7, linestyle="", gid=gid)
            value = None
        elif high is not None and low is None:
            axes.plot([x], [high], marker="v", color=hue, markersize=7, linestyle="", gid=gid)
            value = None
        else:
            value = best if best is not None else low
        if value is not None:
            axes.plot([x], [value], marker="o", color=hue, markersize=5, linestyle="",
                      gid=gid if (low is None or high is None or low == high) else f"{gid}-best")
        if row["status"] == "denied":
            axes.plot([x], [best or low or high], marker="x", color="black", markersize=9,
                      linestyle="", gid=f"{gid}-denied")
    axes.set_yscale("log")
    axes.set_ylabel("personnel (log scale)")
    axes.set_xlabel("date of the claim (earliest possible publication of the reporting text)")
    axes.set_title(f"Troop estimates as reported, each with its bounds (dprk-ru-data {version})")
    axes.grid(True, which="major", axis="y", alpha=0.3)
    order = [*ACTOR_KIND, NO_CLAIMANT]  # the vocabulary's order, then the rows with no claimant
    handles = []
    for kind in sorted(kinds_used, key=lambda k: order.index(k) if k in order else len(order)):
        named = kind != NO_CLAIMANT
        handles.append(Line2D([], [], color=colour("actor_kind", kind if named else None),
                              linewidth=3, label=label("actor_kind", kind) if named else kind))
    handles += [Line2D([], [], marker="x", color="black", linestyle="", label="denied"),
                Line2D([], [], marker="^", color="#444444", linestyle="", label="at least"),
                Line2D([], [], marker="v", color="#444444", linestyle="", label="at most")]
    axes.legend(handles=handles, title="claimant", loc="upper left", bbox_to_anchor=(1.01, 1),
                frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    metadata = ({"Date": None, "Creator": "dprk-ru-data"} if out.suffix == ".svg"
                else {"Software": "dprk-ru-data"})
    figure.savefig(out, metadata=metadata)
    plt.close(figure)
    return out
