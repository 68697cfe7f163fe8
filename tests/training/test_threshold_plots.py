"""Threshold-tuning figures draw without warnings and mark the chosen threshold."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

from tests.training.test_thresholds import holdout
from training import threshold_plots
from training.thresholds import (
    MinExpectedCost,
    MinPrecision,
    check_predictions,
    slice_rates,
    threshold_curve,
    tune_threshold,
)

ROWS = 200


@pytest.fixture(scope="module")
def tuned():
    rng = np.random.default_rng(0)
    scores = rng.uniform(size=ROWS)
    labels = np.where(rng.uniform(size=ROWS) < 0.3, np.nan, (rng.uniform(size=ROWS) < scores))
    predictions = check_predictions(
        holdout(scores, labels, days=28, destination_group=rng.choice(["hub", "eaeu"], ROWS))
    )
    choice = tune_threshold(predictions, MinExpectedCost(4))
    return predictions, threshold_curve(predictions, cost_ratio=4), choice


def chosen_labels(figure: Figure) -> list[str]:
    return [
        label
        for axes in figure.axes
        for label in axes.get_legend_handles_labels()[1]
        if label.startswith(threshold_plots.CHOSEN)
    ]


def drawn(figure: Figure) -> Figure:
    figure.savefig(io.BytesIO(), format="png")
    return figure


@pytest.mark.parametrize(
    "draw",
    [
        lambda p, curve, choice: threshold_plots.pr_curve(curve, choice),
        lambda p, curve, choice: threshold_plots.threshold_curves(curve, choice),
        lambda p, curve, choice: threshold_plots.cost_curve(curve, choice),
        lambda p, curve, choice: threshold_plots.score_distributions(p, choice),
    ],
    ids=["pr curve", "threshold curves", "cost curve", "score distributions"],
)
def test_each_curve_marks_the_chosen_threshold(tuned, draw):
    figure = drawn(draw(*tuned))
    assert chosen_labels(figure)
    assert all(axes.get_ylabel() for axes in figure.axes)


def test_the_threshold_curves_mark_the_chosen_threshold_with_its_value(tuned):
    _, curve, choice = tuned
    figure = threshold_plots.threshold_curves(curve, choice)
    assert chosen_labels(figure) == [f"chosen {choice.threshold:.4f}"]


def test_slice_rates_draw_one_row_of_two_panels_per_slice(tuned):
    predictions, _, choice = tuned
    rates = slice_rates(predictions, choice.threshold, ["destination_group", "label"])
    figure = drawn(threshold_plots.slice_rates(rates, choice))
    assert len(figure.axes) == 4


def test_a_cost_curve_needs_a_cost_ratio(tuned):
    predictions, _, _ = tuned
    choice = tune_threshold(predictions, MinPrecision(0.5))
    with pytest.raises(ValueError, match="build it with a cost_ratio"):
        threshold_plots.cost_curve(threshold_curve(predictions), choice)
