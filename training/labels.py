"""How uninspected (unlabelled) shipments enter training: two treatments, compared in docs.

When every training row is labelled (an audit file) neither applies: all rows are fitted
unweighted, whatever the treatment asked for.

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

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from features.errors import DivertError
from features.schema import LABEL_COLUMN

TREATMENTS = ("inspected", "unlabelled_negative")
DEFAULT_TREATMENT = "inspected"
"""Chosen by the comparison in docs/training.md: same ranking quality, far better Brier."""
MIN_PROPENSITY = 0.02
"""Inverse-propensity weights are capped at 1 / MIN_PROPENSITY."""
PROPENSITY_ITERATIONS = 100


@dataclass(frozen=True)
class TrainingLabels:
    """Which rows to fit on (a boolean mask), their targets and weights."""

    rows: np.ndarray
    target: np.ndarray
    weight: np.ndarray | None


def training_labels(
    shipments: pd.DataFrame, features: pd.DataFrame, treatment: str, seed: int
) -> TrainingLabels:
    """Targets and weights for ``shipments`` (in date order) under ``treatment``."""
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
        return TrainingLabels(inspected, (labels == 1).astype(int), None)
    if treatment == "unlabelled_negative":
        return TrainingLabels(np.ones(len(labels), bool), (labels == 1).astype(int), None)
    if treatment == "inspected":
        propensity = HistGradientBoostingClassifier(
            max_iter=PROPENSITY_ITERATIONS, early_stopping=False, random_state=seed
        ).fit(features, inspected.astype(int))
        chance = propensity.predict_proba(features[inspected])[:, 1]
        weight = 1.0 / np.clip(chance, MIN_PROPENSITY, 1.0)
        return TrainingLabels(
            inspected, (labels[inspected] == 1).astype(int), weight / weight.mean()
        )
    raise ValueError(f"unknown label treatment {treatment!r}; expected one of {TREATMENTS}")
