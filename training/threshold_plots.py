"""The threshold-tuning figures: each draws a computed curve or table with the chosen point
marked (label ``"chosen"``) and returns a matplotlib ``Figure`` (no pyplot state)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from training.thresholds import LABEL_COLUMN, SCORE_COLUMN, ThresholdChoice, ThresholdCurve

CHOSEN = "chosen"
CHOSEN_STYLE = {"color": "crimson", "zorder": 5}
SCORE_BINS = 40
TOP_SLICE_VALUES = 12


def _mark_threshold(axes, choice: ThresholdChoice) -> None:
    axes.axvline(
        choice.threshold, linestyle="--", label=f"{CHOSEN} {choice.threshold:.4f}", **CHOSEN_STYLE
    )


def pr_curve(curve: ThresholdCurve, choice: ThresholdChoice) -> Figure:
    """Precision against recall over every candidate threshold (labelled rows)."""
    table = curve.table.dropna(subset=["precision", "recall"])
    figure = Figure(figsize=(6, 4.5))
    axes = figure.subplots()
    axes.plot(table["recall"], table["precision"], label="holdout")
    axes.scatter(
        [choice.metrics["recall"].value],
        [choice.metrics["precision"].value],
        s=60,
        label=CHOSEN,
        **CHOSEN_STYLE,
    )
    axes.set(
        xlabel="recall",
        ylabel="precision",
        title="Precision-recall on the holdout",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
    )
    axes.legend()
    return figure


def threshold_curves(curve: ThresholdCurve, choice: ThresholdChoice) -> Figure:
    """Precision and recall (left axis) and alerts a week (right axis) against the threshold."""
    table = curve.table
    figure = Figure(figsize=(7, 4.5))
    axes = figure.subplots()
    axes.plot(table["threshold"], table["precision"], label="precision")
    axes.plot(table["threshold"], table["recall"], label="recall")
    _mark_threshold(axes, choice)
    axes.set(xlabel="threshold", ylabel="share", ylim=(0, 1.02), title="What each threshold does")
    volume = axes.twinx()
    volume.plot(table["threshold"], table["alerts_per_week"], color="grey", label="alerts a week")
    volume.set(ylabel="alerts a week", ylim=(0, None))
    lines = axes.get_legend_handles_labels()
    more = volume.get_legend_handles_labels()
    axes.legend(lines[0] + more[0], lines[1] + more[1], loc="center right")
    return figure


def cost_curve(curve: ThresholdCurve, choice: ThresholdChoice) -> Figure:
    """Expected cost per shipment (in inspections) against the threshold, at the curve's cost
    ratio; the cheapest threshold is marked beside the chosen one."""
    if curve.cost_ratio is None:
        raise ValueError("the curve has no expected cost: build it with a cost_ratio")
    table = curve.table
    cheapest = table.iloc[int(np.argmin(table["expected_cost"].to_numpy()))]
    figure = Figure(figsize=(6, 4.5))
    axes = figure.subplots()
    axes.plot(table["threshold"], table["expected_cost"], label="expected cost")
    axes.scatter(
        [cheapest["threshold"]], [cheapest["expected_cost"]], color="black", label="cheapest"
    )
    _mark_threshold(axes, choice)
    axes.set(
        xlabel="threshold",
        ylabel="cost per shipment (inspections)",
        title=f"Expected cost, a missed diversion = {curve.cost_ratio:g} inspections",
    )
    axes.legend()
    return figure


def score_distributions(predictions: pd.DataFrame, choice: ThresholdChoice) -> Figure:
    """Histograms of the holdout scores of diverted, clean and unlabelled shipments."""
    labels = predictions[LABEL_COLUMN]
    groups = {
        "diverted": labels.eq(1),
        "clean": labels.eq(0),
        "unlabelled": labels.isna(),
    }
    bins = np.linspace(0, 1, SCORE_BINS + 1)
    figure = Figure(figsize=(7, 4.5))
    axes = figure.subplots()
    for name, rows in groups.items():
        if rows.any():
            scores = predictions.loc[rows, SCORE_COLUMN]
            axes.hist(scores, bins=bins, histtype="step", linewidth=1.5, label=name)
    _mark_threshold(axes, choice)
    axes.set(xlabel="diversion score", ylabel="shipments", yscale="log", title="Holdout scores")
    axes.legend()
    return figure


def slice_rates(rates: pd.DataFrame, choice: ThresholdChoice) -> Figure:
    """Alert rate and precision per slice value at the chosen threshold, one row of panels per
    slice, its ``TOP_SLICE_VALUES`` largest values (``rates`` from
    ``training.thresholds.slice_rates``; a value without labelled alerts has no precision bar)."""
    parts = [
        part.head(TOP_SLICE_VALUES).iloc[::-1] for _, part in rates.groupby("slice", sort=False)
    ]
    heights = [max(len(part), 2) for part in parts] or [2]
    figure = Figure(figsize=(10, 1.2 + 0.3 * sum(heights)))
    grid = figure.subplots(len(heights), 2, squeeze=False, height_ratios=heights)
    for row, part in zip(grid, parts, strict=False):
        name = part["slice"].iloc[0]
        row[0].barh(part["value"], part["alert_rate"])
        row[0].axvline(choice.metrics["alert_rate"].value, linestyle="--", **CHOSEN_STYLE)
        row[0].set(xlabel="alert rate", title=f"{name}: alert rate (dashed: overall)")
        row[1].barh(part["value"], part["precision"])
        row[1].axvline(choice.metrics["precision"].value, linestyle="--", **CHOSEN_STYLE)
        row[1].set(xlabel="precision", xlim=(0, 1.02), title=f"{name}: precision")
    figure.tight_layout()
    return figure
