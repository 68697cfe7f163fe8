"""How uninspected (unlabelled) shipments enter training: two treatments, compared in docs.

``auto`` (the default) chooses from the data: when every training row is labelled (an audit
file) there is nothing to correct for and all rows are fitted unweighted (``supervised``);
otherwise ``inspected``. Either treatment can be asked for (``divert train
--label-treatment``); asked for on a file where every row is labelled, it is ``supervised``
too. The run logs the treatment used.

- ``inspected``: learn from inspected shipments only, each weighted by the inverse of its
  estimated chance of inspection, so that the red-flag-biased sample of inspections stands for
  all shipments (inverse propensity weighting).
- ``unlabelled_negative``: positive-unlabelled learning in its simplest form: every shipment
  is used, found diversions are positives and everything else (uninspected included) is
  negative. Scores then rank like the chance of being found diverted, which is what an
  inspection queue needs; they under-state the absolute chance of diversion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from features.errors import DivertError
from features.schema import LABEL_COLUMN, OUTCOME_DATE_COLUMN

TREATMENTS = ("auto", "inspected", "unlabelled_negative")
DEFAULT_TREATMENT = "auto"
PARTLY_LABELLED_DEFAULT = "inspected"
"""``auto``'s choice when some rows are unlabelled, by the comparison in docs/training.md: same
ranking quality as ``unlabelled_negative``, far better Brier."""
SUPERVISED = "supervised"
MIN_OUTCOMES = 5
"""Each outcome needs this many rows in the fitted part and in the late (stopping and
calibration) part of the training rows."""
MIN_PROPENSITY = 0.02
"""Inverse-propensity weights are capped at 1 / MIN_PROPENSITY."""
PROPENSITY_ITERATIONS = 100


@dataclass(frozen=True)
class TrainingLabels:
    """Which rows to fit on (a boolean mask), their targets and weights."""

    rows: np.ndarray
    target: np.ndarray
    weight: np.ndarray | None
    treatment: str
    """The treatment used: ``supervised``, ``inspected`` or ``unlabelled_negative``."""


def training_labels(
    shipments: pd.DataFrame, features: pd.DataFrame, treatment: str, seed: int
) -> TrainingLabels:
    """Targets and weights for ``shipments`` (in date order) under ``treatment``."""
    if treatment not in TREATMENTS:
        raise ValueError(f"unknown label treatment {treatment!r}; expected one of {TREATMENTS}")
    labels = shipments[LABEL_COLUMN].to_numpy(dtype="float64")
    inspected = ~np.isnan(labels)
    found = int((labels == 1).sum())
    if found == 0 or found == int(inspected.sum()):
        raise DivertError(
            f"the training rows hold {int(inspected.sum()):,} labelled shipments, {found:,} of "
            "them found diverted: a model needs both outcomes before the cutoff; give a longer "
            "history or an earlier --cutoff"
        )
    if inspected.all():
        # every row labelled (an audit file): nothing to correct for, plain supervised learning
        return TrainingLabels(inspected, (labels == 1).astype(int), None, SUPERVISED)
    if treatment == "unlabelled_negative":
        every = np.ones(len(labels), bool)
        return TrainingLabels(every, (labels == 1).astype(int), None, treatment)
    propensity = HistGradientBoostingClassifier(
        max_iter=PROPENSITY_ITERATIONS, early_stopping=False, random_state=seed
    ).fit(features, inspected.astype(int))
    chance = propensity.predict_proba(features[inspected])[:, 1]
    weight = 1.0 / np.clip(chance, MIN_PROPENSITY, 1.0)
    target = (labels[inspected] == 1).astype(int)
    return TrainingLabels(inspected, target, weight / weight.mean(), PARTLY_LABELLED_DEFAULT)


def with_outcome_dates(shipments: pd.DataFrame, delay_days: int) -> pd.DataFrame:
    """``shipments`` with an outcome date on every labelled row: the file's, else the ship date
    plus ``delay_days`` (how long an inspection result takes to be known where the file does
    not say). Features count an outcome only from the day after it was known."""
    labelled = shipments[LABEL_COLUMN].notna()
    missing = labelled & shipments[OUTCOME_DATE_COLUMN].isna()
    if not missing.any():
        return shipments
    filled = shipments["ship_date"] + pd.Timedelta(days=delay_days)
    return shipments.assign(
        **{OUTCOME_DATE_COLUMN: shipments[OUTCOME_DATE_COLUMN].mask(missing, filled)}
    )


def hide_later_outcomes(shipments: pd.DataFrame, cutoff: date) -> pd.DataFrame:
    """Training rows whose outcome was known only on or after ``cutoff`` as unlabelled: a run
    at the cutoff would not have had them, neither as targets nor in history features."""
    later = shipments[OUTCOME_DATE_COLUMN] >= pd.Timestamp(cutoff)
    if not later.any():
        return shipments
    return shipments.assign(
        **{
            LABEL_COLUMN: shipments[LABEL_COLUMN].mask(later),
            OUTCOME_DATE_COLUMN: shipments[OUTCOME_DATE_COLUMN].mask(later),
        }
    )


def check_outcomes_split(target: np.ndarray, late_share: float) -> None:
    """``DivertError`` with the counts unless both outcomes have ``MIN_OUTCOMES`` rows in the
    fitted part and in the late part of the (time-ordered) training targets."""
    split = round(len(target) * (1 - late_share))
    parts = {"fitted (earlier)": target[:split], "stopping and calibration (later)": target[split:]}
    counts = {
        name: (int((part == 1).sum()), int((part == 0).sum())) for name, part in parts.items()
    }
    if all(min(found, clean) >= MIN_OUTCOMES for found, clean in counts.values()):
        return
    listing = "; ".join(
        f"{name} part: {found:,} found diverted, {clean:,} not"
        for name, (found, clean) in counts.items()
    )
    raise DivertError(
        f"too few outcomes to split the training rows in time ({listing}); each part needs at "
        f"least {MIN_OUTCOMES} of each: give a longer history or an earlier --cutoff"
    )
