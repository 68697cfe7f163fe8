"""Threshold policies: pick a model's alert threshold from its holdout predictions.

Every distinct holdout score is a candidate threshold; a shipment is alerted when its score is
at least the threshold, so tied scores are alerted together and the result never depends on
row order. At each candidate the curve holds the alert rate, precision, recall and the share
of shipments that are missed diversions.

Unlabelled rows (``label`` empty: shipments nobody inspected) count in the **alert rate**,
because every alerted shipment costs an inspection, but not in **precision, recall or the
missed-diversion rate**, which are estimated on the labelled rows as if these were
representative of all shipments at each score. Inspections are red-flag biased, so these
estimates lean optimistic where few low-score shipments were inspected.

**Expected cost** is counted per shipment in units of one inspection: the alert rate (each
alert is an inspection) plus ``cost_ratio`` times the missed-diversion rate, where
``cost_ratio = cost of a missed diversion / cost of an inspection``.

Each policy returns a :class:`ThresholdChoice` whose metrics carry percentile bootstrap
confidence intervals: the holdout rows are resampled with replacement (seeded) and the metrics
recomputed at the chosen threshold, so the intervals show the sampling noise of the holdout at
that threshold, not the uncertainty of choosing it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np
import pandas as pd

from features.errors import (
    HoldoutPredictionsError,
    ThresholdPolicyError,
    UnattainablePolicyError,
)

SCORE_COLUMN = "diversion_score"
LABEL_COLUMN = "label"
DATE_COLUMN = "ship_date"
REQUIRED_COLUMNS = (SCORE_COLUMN, LABEL_COLUMN, DATE_COLUMN)
DAYS_PER_WEEK = 7
CONFIDENCE = 0.95
RESAMPLES = 2000
SEED = 0
PREDICTION_COLUMNS = ("shipment_id", DATE_COLUMN, SCORE_COLUMN, "rules_score", LABEL_COLUMN)
"""The holdout predictions file's own columns; any others are slice columns."""
COUNT_NAMES = (
    "alerted_diverted", "alerted_clean", "alerted_unlabelled",
    "passed_diverted", "passed_clean", "passed_unlabelled",
)  # fmt: skip
"""The six kinds of holdout row at a threshold; every metric is a function of their counts."""


def check_predictions(predictions: pd.DataFrame) -> pd.DataFrame:
    """The columns tuning needs (score, label 0/1/empty, ship date), checked and typed."""
    missing = [name for name in REQUIRED_COLUMNS if name not in predictions]
    if missing:
        raise HoldoutPredictionsError(
            f"holdout predictions lack column(s) {missing}; expected {list(REQUIRED_COLUMNS)}"
        )
    if predictions.empty:
        raise HoldoutPredictionsError("holdout predictions have no rows; nothing to tune on")
    scores = pd.to_numeric(predictions[SCORE_COLUMN], errors="coerce").astype(float)
    bad_scores = predictions.loc[~scores.between(0, 1), SCORE_COLUMN]
    if len(bad_scores):
        raise HoldoutPredictionsError(
            f"{len(bad_scores)} {SCORE_COLUMN} value(s) are not numbers in [0, 1], "
            f"e.g. {bad_scores.tolist()[0]!r}"
        )
    labels = pd.to_numeric(predictions[LABEL_COLUMN], errors="coerce").astype(float)
    unreadable = labels.isna() & predictions[LABEL_COLUMN].notna()
    bad_labels = predictions.loc[(labels.notna() & ~labels.isin([0, 1])) | unreadable, LABEL_COLUMN]
    if len(bad_labels):
        raise HoldoutPredictionsError(
            f"{len(bad_labels)} {LABEL_COLUMN} value(s) are not 0, 1 or empty, "
            f"e.g. {bad_labels.tolist()[0]!r}"
        )
    dates = pd.to_datetime(predictions[DATE_COLUMN], errors="coerce")
    if dates.isna().any():
        raise HoldoutPredictionsError(
            f"{int(dates.isna().sum())} {DATE_COLUMN} value(s) are missing or not dates"
        )
    return predictions.assign(
        **{SCORE_COLUMN: scores, LABEL_COLUMN: labels, DATE_COLUMN: dates}
    ).reset_index(drop=True)


def slice_columns(predictions: pd.DataFrame) -> list[str]:
    """The slice columns of a holdout predictions file (destination group, CHPL tier, ...)."""
    return [name for name in predictions.columns if name not in PREDICTION_COLUMNS]


def rows_per_week(ship_dates: pd.Series) -> float:
    """Shipment volume: rows per week over the calendar span of ``ship_dates`` (both ends
    counted, so a one-day holdout spans 1/7 week)."""
    days = (ship_dates.max() - ship_dates.min()).days + 1
    return len(ship_dates) * DAYS_PER_WEEK / days


def _metrics(counts: np.ndarray, volume: float, cost_ratio: float | None) -> dict[str, np.ndarray]:
    """Metrics from row counts whose last axis follows ``COUNT_NAMES``; NaN where undefined."""
    tp, fp, unl_alerted, fn, tn, _ = np.moveaxis(counts.astype(float), -1, 0)
    rows = counts.sum(axis=-1)
    labelled = tp + fp + fn + tn
    with np.errstate(invalid="ignore", divide="ignore"):
        alert_rate = (tp + fp + unl_alerted) / rows
        result = {
            "alert_rate": alert_rate,
            "alerts_per_week": alert_rate * volume,
            "precision": tp / (tp + fp),
            "recall": tp / (tp + fn),
            "missed_rate": fn / labelled,
        }
    if cost_ratio is not None:
        result["expected_cost"] = expected_cost(alert_rate, result["missed_rate"], cost_ratio)
    return result


def expected_cost(alert_rate, missed_rate, cost_ratio: float):
    """Cost per shipment in inspections: every alert is one, every missed diversion
    ``cost_ratio``."""
    return alert_rate + cost_ratio * missed_rate


@dataclass(frozen=True)
class ThresholdCurve:
    """The holdout's metrics at every candidate threshold, highest threshold first.

    ``table`` has one row per distinct score: ``threshold``, ``alerts`` and the counts named in
    ``COUNT_NAMES``, then ``alert_rate``, ``alerts_per_week``, ``precision``, ``recall``,
    ``missed_rate`` and, when a cost ratio was given, ``expected_cost``.
    """

    table: pd.DataFrame
    rows: int
    labelled: int
    diverted: int
    rows_per_week: float
    cost_ratio: float | None = None


def threshold_curve(
    predictions: pd.DataFrame, *, cost_ratio: float | None = None
) -> ThresholdCurve:
    """Metrics at every distinct score of checked ``predictions`` (see ``check_predictions``)."""
    labels = predictions[LABEL_COLUMN]
    kinds = pd.DataFrame(
        {
            "score": predictions[SCORE_COLUMN],
            "diverted": labels.eq(1),
            "clean": labels.eq(0),
            "unlabelled": labels.isna(),
        }
    )
    alerted = kinds.groupby("score").sum().sort_index(ascending=False).cumsum()
    totals = alerted.iloc[-1]
    counts = np.column_stack(
        [alerted[kind] for kind in ("diverted", "clean", "unlabelled")]
        + [totals[kind] - alerted[kind] for kind in ("diverted", "clean", "unlabelled")]
    ).astype(np.int64)
    volume = rows_per_week(predictions[DATE_COLUMN])
    table = pd.DataFrame(counts, columns=list(COUNT_NAMES))
    table.insert(0, "alerts", counts[:, :3].sum(axis=1))
    table.insert(0, "threshold", alerted.index.to_numpy(dtype=float))
    table = table.assign(**_metrics(counts, volume, cost_ratio))
    return ThresholdCurve(
        table=table,
        rows=len(predictions),
        labelled=int(totals["diverted"] + totals["clean"]),
        diverted=int(totals["diverted"]),
        rows_per_week=volume,
        cost_ratio=cost_ratio,
    )


def _need_labels(curve: ThresholdCurve, policy: str, *, diverted: bool) -> None:
    if curve.labelled == 0:
        raise UnattainablePolicyError(
            f"{policy} needs labelled holdout rows, but all {curve.rows} labels are empty"
        )
    if diverted and curve.diverted == 0:
        raise UnattainablePolicyError(
            f"{policy} needs labelled diversions, but none of the {curve.labelled} labelled "
            "holdout rows is diverted"
        )


def _in_unit_interval(name: str, value: float) -> None:
    if not 0 < value <= 1:
        raise ThresholdPolicyError(f"{name} must be in (0, 1], got {value!r}")


class Policy(Protocol):
    """A rule that picks one row of a threshold curve."""

    key: ClassVar[str]
    """The policy's name in tags, notebook parameters and the ``divert threshold`` option."""

    @property
    def value(self) -> float: ...

    def describe(self) -> str: ...

    def choose(self, curve: ThresholdCurve) -> int:
        """Position of the chosen threshold in ``curve.table``."""
        ...


@dataclass(frozen=True)
class AlertRate:
    """Alert at most ``rate`` of all shipments: the lowest threshold within that budget.

    Ties at the budget's edge are left out together, so fewer alerts than the budget are
    possible; the budget is never exceeded.
    """

    rate: float
    key: ClassVar[str] = "alert_rate"

    def __post_init__(self) -> None:
        _in_unit_interval("the alert rate", self.rate)

    @property
    def value(self) -> float:
        return self.rate

    def describe(self) -> str:
        return f"alert at most {self.rate:.2%} of shipments"

    def choose(self, curve: ThresholdCurve) -> int:
        allowed = math.floor(round(self.rate * curve.rows, 9))
        within = np.flatnonzero(curve.table["alerts"].to_numpy() <= allowed)
        if within.size == 0:
            smallest = curve.table.iloc[0]
            raise UnattainablePolicyError(
                f"{self.describe()} allows {allowed} of {curve.rows} holdout rows, but the "
                f"fewest alerts any threshold gives is {int(smallest['alerts'])} (threshold "
                f"{smallest['threshold']:.4f}, {smallest['alert_rate']:.2%}): that many "
                "shipments tie at the top score (calibrated scores come in steps); allow at "
                f"least {smallest['alert_rate']:.2%} or choose by precision, recall or cost"
            )
        return int(within[-1])


@dataclass(frozen=True)
class AlertsPerWeek:
    """Alert at most ``alerts`` shipments a week at the holdout's shipment volume (rows per
    week over its ship-date span): an alert budget in inspections rather than a share."""

    alerts: float
    key: ClassVar[str] = "alerts_per_week"

    def __post_init__(self) -> None:
        if not self.alerts > 0:
            raise ThresholdPolicyError(f"alerts per week must be above 0, got {self.alerts!r}")

    @property
    def value(self) -> float:
        return self.alerts

    def describe(self) -> str:
        return f"alert at most {self.alerts:g} shipments a week"

    def choose(self, curve: ThresholdCurve) -> int:
        rate = min(1.0, self.alerts / curve.rows_per_week)
        try:
            return AlertRate(rate).choose(curve)
        except UnattainablePolicyError as error:
            raise UnattainablePolicyError(
                f"{self.describe()} at the holdout's {curve.rows_per_week:,.1f} shipments a "
                f"week is an alert rate of {rate:.2%}: {error}"
            ) from error


@dataclass(frozen=True)
class MinPrecision:
    """At least ``precision`` of labelled alerts are diversions: the lowest threshold (most
    diversions caught) that reaches it."""

    precision: float
    key: ClassVar[str] = "min_precision"

    def __post_init__(self) -> None:
        _in_unit_interval("the minimum precision", self.precision)

    @property
    def value(self) -> float:
        return self.precision

    def describe(self) -> str:
        return f"precision at least {self.precision:.2%}"

    def choose(self, curve: ThresholdCurve) -> int:
        _need_labels(curve, self.describe(), diverted=False)
        precision = curve.table["precision"].to_numpy()
        reaching = np.flatnonzero(precision >= self.precision)
        if reaching.size == 0:
            best = curve.table.iloc[int(np.nanargmax(precision))]
            raise UnattainablePolicyError(
                f"no threshold reaches {self.describe()} on this holdout; the best "
                f"achievable is {best['precision']:.2%} at threshold {best['threshold']:.4f} "
                f"({int(best['alerts'])} alerts, recall {best['recall']:.2%})"
            )
        return int(reaching[-1])


@dataclass(frozen=True)
class MinRecall:
    """Catch at least ``recall`` of labelled diversions: the highest threshold (fewest
    alerts) that does."""

    recall: float
    key: ClassVar[str] = "min_recall"

    def __post_init__(self) -> None:
        _in_unit_interval("the minimum recall", self.recall)

    @property
    def value(self) -> float:
        return self.recall

    def describe(self) -> str:
        return f"recall at least {self.recall:.2%}"

    def choose(self, curve: ThresholdCurve) -> int:
        _need_labels(curve, self.describe(), diverted=True)
        return int(np.flatnonzero(curve.table["recall"].to_numpy() >= self.recall)[0])


@dataclass(frozen=True)
class MinExpectedCost:
    """The threshold with the lowest expected cost per shipment, a missed diversion costing
    ``cost_ratio`` inspections; of equal costs, the highest threshold (fewest alerts)."""

    cost_ratio: float
    key: ClassVar[str] = "cost_ratio"

    def __post_init__(self) -> None:
        if not self.cost_ratio > 0:
            raise ThresholdPolicyError(
                f"the cost ratio (cost of a missed diversion / cost of an inspection) must be "
                f"above 0, got {self.cost_ratio!r}"
            )

    @property
    def value(self) -> float:
        return self.cost_ratio

    def describe(self) -> str:
        return f"lowest expected cost, a missed diversion costing {self.cost_ratio:g} inspections"

    def choose(self, curve: ThresholdCurve) -> int:
        _need_labels(curve, self.describe(), diverted=False)
        table = curve.table
        cost = expected_cost(table["alert_rate"], table["missed_rate"], self.cost_ratio)
        return int(np.argmin(cost.to_numpy()))


POLICIES: dict[str, type] = {
    policy.key: policy
    for policy in (AlertRate, AlertsPerWeek, MinPrecision, MinRecall, MinExpectedCost)
}


def policy_for(key: str, value: float) -> Policy:
    """The policy named ``key`` (one of ``POLICIES``) with its target ``value``."""
    if key not in POLICIES:
        raise ThresholdPolicyError(f"unknown threshold policy {key!r}; use one of {list(POLICIES)}")
    return POLICIES[key](value)


@dataclass(frozen=True)
class Estimate:
    """A metric's holdout value and its bootstrap confidence interval."""

    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:.4f} [{self.low:.4f}, {self.high:.4f}]"


@dataclass(frozen=True)
class ThresholdChoice:
    """A policy's threshold, what it is expected to do, and how that was estimated."""

    policy: str
    policy_value: float
    description: str
    threshold: float
    alerts: int
    rows: int
    labelled: int
    rows_per_week: float
    metrics: dict[str, Estimate]
    counts: dict[str, int]
    """Holdout rows of each kind (``COUNT_NAMES``) at the threshold."""
    confidence: float
    resamples: int
    seed: int
    cost_ratio: float | None = None


def metrics_table(choice: ThresholdChoice) -> pd.DataFrame:
    """The choice's expected metrics as a frame: ``value``, ``low``, ``high`` per metric."""
    return pd.DataFrame(
        {name: vars(estimate) for name, estimate in choice.metrics.items()}
    ).T.rename_axis("metric")


def bootstrap_intervals(
    counts: np.ndarray,
    volume: float,
    *,
    cost_ratio: float | None = None,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals of each metric over ``resamples`` resamples of the rows.

    Resampling rows with replacement and recounting them is the same as one multinomial draw
    of the six row kinds, which is what this does (fast for any holdout size).
    """
    rng = np.random.default_rng(seed)
    rows = int(counts.sum())
    draws = rng.multinomial(rows, counts / rows, size=resamples)
    tail = (1 - confidence) / 2 * 100
    intervals = {}
    for name, values in _metrics(draws, volume, cost_ratio).items():
        if np.isnan(values).all():
            intervals[name] = (math.nan, math.nan)
            continue
        low, high = np.nanpercentile(values, [tail, 100 - tail])
        intervals[name] = (float(low), float(high))
    return intervals


def tune_threshold(
    predictions: pd.DataFrame,
    policy: Policy,
    *,
    confidence: float = CONFIDENCE,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> ThresholdChoice:
    """The threshold ``policy`` picks on the holdout ``predictions`` (columns
    ``diversion_score``, ``label`` 0/1/empty, ``ship_date``), with expected metrics and
    bootstrap confidence intervals (same seed, same intervals)."""
    checked = check_predictions(predictions)
    cost_ratio = policy.cost_ratio if isinstance(policy, MinExpectedCost) else None
    curve = threshold_curve(checked, cost_ratio=cost_ratio)
    row = curve.table.iloc[policy.choose(curve)]
    counts = row[list(COUNT_NAMES)].to_numpy(dtype=np.int64)
    intervals = bootstrap_intervals(
        counts,
        curve.rows_per_week,
        cost_ratio=cost_ratio,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
    )
    metrics = {
        name: Estimate(float(row[name]), low, high)
        for name, (low, high) in intervals.items()
        if name != "missed_rate"
    }
    return ThresholdChoice(
        policy=policy.key,
        policy_value=policy.value,
        description=policy.describe(),
        threshold=float(row["threshold"]),
        alerts=int(row["alerts"]),
        rows=curve.rows,
        labelled=curve.labelled,
        rows_per_week=curve.rows_per_week,
        metrics=metrics,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        cost_ratio=cost_ratio,
        counts=dict(zip(COUNT_NAMES, map(int, counts), strict=True)),
    )


def slice_rates(predictions: pd.DataFrame, threshold: float, columns: list[str]) -> pd.DataFrame:
    """Per value of each slice column: rows, alerts, alert rate, labelled alerts and precision
    at ``threshold`` (same label rules as the curve), largest slices first."""
    alerted = predictions[SCORE_COLUMN] >= threshold
    labels = predictions[LABEL_COLUMN]
    parts = pd.DataFrame(
        {
            "alerts": alerted,
            "labelled_alerts": alerted & labels.notna(),
            "diverted_alerts": alerted & labels.eq(1),
        }
    )
    tables = []
    for column in columns:
        grouped = parts.groupby(predictions[column].astype(str).rename("value"))
        table = grouped.sum().assign(rows=grouped.size()).reset_index()
        tables.append(table.assign(slice=column))
    table = pd.concat(tables, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["alert_rate"] = table["alerts"] / table["rows"]
        table["precision"] = table["diverted_alerts"] / table["labelled_alerts"].where(
            table["labelled_alerts"] > 0
        )
    ordered = ["slice", "value", "rows", "alerts", "alert_rate", "labelled_alerts", "precision"]
    return table.sort_values(["slice", "rows"], ascending=[True, False], kind="stable")[
        ordered
    ].reset_index(drop=True)
