"""Threshold policies on tiny hand-built holdouts: each test states one rule."""

import math

import numpy as np
import pandas as pd
import pytest

from features.errors import HoldoutPredictionsError, ThresholdPolicyError, UnattainablePolicyError
from training.thresholds import (
    AlertRate,
    AlertsPerWeek,
    MinExpectedCost,
    MinPrecision,
    MinRecall,
    check_predictions,
    metrics_table,
    policy_for,
    slice_rates,
    threshold_curve,
    tune_threshold,
)

NaN = math.nan


def holdout(scores, labels=None, *, days=7, **slices) -> pd.DataFrame:
    """Predictions with ship dates spread evenly over ``days`` days (first day 2025-01-01)."""
    labels = [0] * len(scores) if labels is None else labels
    offsets = np.arange(len(scores)) * days // max(len(scores), 1)
    offsets[-1] = days - 1
    dates = pd.Timestamp("2025-01-01") + pd.to_timedelta(offsets, unit="D")
    return pd.DataFrame({"diversion_score": scores, "label": labels, "ship_date": dates, **slices})


SEPARABLE = holdout([0.9, 0.8, 0.3, 0.2], [1, 1, 0, 0])
HUNDRED = holdout(np.linspace(0.99, 0.0, 100), [1] * 10 + [0] * 90)


def test_a_perfectly_separable_holdout_reaches_precision_1_at_the_lowest_positive_score():
    choice = tune_threshold(SEPARABLE, MinPrecision(1.0))
    assert choice.threshold == 0.8
    assert choice.alerts == 2
    assert choice.metrics["precision"].value == 1.0
    assert choice.metrics["recall"].value == 1.0


def test_an_alert_budget_of_10_percent_on_100_rows_alerts_10():
    choice = tune_threshold(HUNDRED, AlertRate(0.10))
    assert choice.alerts == 10
    assert choice.metrics["alert_rate"].value == 0.10
    assert choice.threshold == pytest.approx(np.linspace(0.99, 0.0, 100)[9])


def test_alerts_per_week_use_the_holdouts_volume_of_rows_per_week():
    two_weeks = holdout(np.linspace(0.99, 0.0, 140), days=14)
    choice = tune_threshold(two_weeks, AlertsPerWeek(7))
    assert choice.rows_per_week == 70
    assert choice.alerts == 14
    assert choice.metrics["alerts_per_week"].value == 7


def test_tied_scores_are_alerted_together_and_never_exceed_the_budget():
    tied = holdout([0.9, 0.5, 0.5, 0.1], [1, 0, 1, 0])
    choice = tune_threshold(tied, AlertRate(0.5))
    assert (choice.threshold, choice.alerts) == (0.9, 1)


def test_row_order_does_not_change_the_choice():
    shuffled = HUNDRED.sample(frac=1, random_state=4)
    for policy in (AlertRate(0.1), MinPrecision(0.5), MinRecall(0.5), MinExpectedCost(5)):
        assert tune_threshold(shuffled, policy) == tune_threshold(HUNDRED, policy)


def test_a_budget_below_the_tied_top_scores_is_unattainable_and_says_the_fewest_alerts():
    with pytest.raises(UnattainablePolicyError, match="fewest alerts any threshold gives is 2"):
        tune_threshold(holdout([0.9, 0.9, 0.1, 0.1]), AlertRate(0.25))


def test_an_unreachable_precision_names_the_best_achievable():
    noisy = holdout([0.9, 0.8, 0.7, 0.6], [0, 1, 0, 1])
    with pytest.raises(
        match=r"no threshold reaches precision at least 90.00% .* best achievable is 50.00% "
        r"at threshold 0.8000",
    ):
        tune_threshold(noisy, MinPrecision(0.9))


@pytest.mark.parametrize(("recall", "threshold"), [(0.1, 0.9), (0.5, 0.9), (0.51, 0.8), (1.0, 0.8)])
def test_min_recall_takes_the_highest_threshold_that_catches_enough(recall, threshold):
    assert tune_threshold(SEPARABLE, MinRecall(recall)).threshold == threshold


@pytest.mark.parametrize(
    ("cost_ratio", "threshold", "cost"),
    [(0.5, 0.9, 0.25 + 0.5 * 0.25), (2, 0.8, 0.5), (100, 0.8, 0.5)],
    ids=["misses cheap: alert least", "misses dear: catch both", "very dear: still both"],
)
def test_the_cost_policy_minimises_inspections_plus_weighted_misses(cost_ratio, threshold, cost):
    choice = tune_threshold(SEPARABLE, MinExpectedCost(cost_ratio))
    assert choice.threshold == threshold
    assert choice.metrics["expected_cost"].value == pytest.approx(cost)


def test_unlabelled_rows_count_in_the_alert_rate_but_not_in_precision_or_recall():
    partly = holdout([0.9, 0.8, 0.7, 0.1], [1, NaN, 0, NaN])
    table = threshold_curve(check_predictions(partly)).table.set_index("threshold")
    assert table.loc[0.7, "alert_rate"] == 0.75
    assert table.loc[0.7, "precision"] == 0.5
    assert table.loc[0.8, "precision"] == 1.0
    assert table.loc[0.7, "recall"] == 1.0
    assert table.loc[0.1, "missed_rate"] == 0.0


def test_precision_is_undefined_where_no_alerted_row_is_labelled():
    partly = holdout([0.9, 0.2], [NaN, 1])
    table = threshold_curve(check_predictions(partly)).table
    assert math.isnan(table.loc[0, "precision"])
    assert table.loc[1, "precision"] == 1.0


def test_the_bootstrap_interval_contains_the_point_estimate_for_every_metric():
    choice = tune_threshold(HUNDRED, MinExpectedCost(20), resamples=500)
    for name, estimate in choice.metrics.items():
        assert estimate.low <= estimate.value <= estimate.high, name


def test_the_same_seed_gives_the_same_interval_and_another_seed_another():
    noisy = holdout(np.linspace(0.99, 0.0, 100), [1, 0, 0, 1] * 25)
    first = tune_threshold(noisy, AlertRate(0.3), seed=1)
    assert tune_threshold(noisy, AlertRate(0.3), seed=1).metrics == first.metrics
    assert tune_threshold(noisy, AlertRate(0.3), seed=2).metrics != first.metrics


def test_a_wider_confidence_gives_a_wider_interval():
    noisy = holdout(np.linspace(0.99, 0.0, 100), [1, 0, 0, 1] * 25)
    narrow = tune_threshold(noisy, AlertRate(0.3), confidence=0.5).metrics["precision"]
    wide = tune_threshold(noisy, AlertRate(0.3), confidence=0.99).metrics["precision"]
    assert wide.low <= narrow.low and narrow.high <= wide.high
    assert wide.high - wide.low > narrow.high - narrow.low


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("alert_rate", 0.0, r"the alert rate must be in \(0, 1\], got 0.0"),
        ("alert_rate", 1.5, r"the alert rate must be in \(0, 1\], got 1.5"),
        ("min_precision", -0.1, r"the minimum precision must be in \(0, 1\]"),
        ("min_recall", 2.0, r"the minimum recall must be in \(0, 1\]"),
        ("alerts_per_week", 0.0, "alerts per week must be above 0, got 0.0"),
        ("cost_ratio", -1.0, "the cost ratio .* must be above 0, got -1.0"),
        ("top_k", 5.0, "unknown threshold policy 'top_k'; use one of"),
    ],
)
def test_a_policy_value_out_of_range_is_a_clear_error(key, value, message):
    with pytest.raises(ThresholdPolicyError, match=message):
        policy_for(key, value)


@pytest.mark.parametrize(
    "policy", [MinPrecision(0.5), MinRecall(0.5), MinExpectedCost(10)], ids=lambda p: p.key
)
def test_label_based_policies_refuse_a_holdout_without_labels(policy):
    with pytest.raises(UnattainablePolicyError, match="needs labelled holdout rows"):
        tune_threshold(holdout([0.9, 0.1], [NaN, NaN]), policy)


def test_min_recall_refuses_a_holdout_without_diversions():
    with pytest.raises(UnattainablePolicyError, match="none of the 2 labelled holdout rows"):
        tune_threshold(holdout([0.9, 0.1], [0, 0]), MinRecall(0.5))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="label"), r"lack column\(s\) \['label'\]"),
        (lambda f: f.assign(diversion_score=[0.9, 1.5]), r"not numbers in \[0, 1\], e.g. 1.5"),
        (lambda f: f.assign(label=[1, 2]), "not 0, 1 or empty, e.g. 2"),
        (lambda f: f.assign(label=["yes", 0]), "not 0, 1 or empty, e.g. 'yes'"),
        (lambda f: f.assign(ship_date=[None, "2025-01-01"]), "1 ship_date value"),
        (lambda f: f.iloc[:0], "no rows"),
    ],
    ids=["no label", "score above 1", "label 2", "label text", "no date", "empty"],
)
def test_bad_holdout_predictions_are_named(change, message):
    with pytest.raises(HoldoutPredictionsError, match=message):
        tune_threshold(change(holdout([0.9, 0.1], [1, 0])), AlertRate(0.5))


def test_slice_rates_count_alerts_and_labelled_precision_per_slice_value():
    frame = check_predictions(
        holdout(
            [0.9, 0.8, 0.7, 0.1],
            [1, 0, NaN, 1],
            destination_group=["hub", "hub", "eaeu", "hub"],
        )
    )
    rates = slice_rates(frame, 0.7, ["destination_group"]).set_index("value")
    assert rates.loc["hub", ["rows", "alerts", "labelled_alerts"]].tolist() == [3, 2, 2]
    assert rates.loc["hub", "precision"] == 0.5
    assert rates.loc["eaeu", "alert_rate"] == 1.0
    assert math.isnan(rates.loc["eaeu", "precision"])


def test_the_metrics_table_has_a_row_per_metric_with_value_and_interval():
    choice = tune_threshold(SEPARABLE, MinExpectedCost(2))
    table = metrics_table(choice)
    assert list(table.columns) == ["value", "low", "high"]
    assert table.loc["precision", "value"] == choice.metrics["precision"].value
    assert "expected_cost" in table.index
