"""Permutation importance by feature group, bounded in rows and repeats.

Features that mean one thing together (a profile's rate and its count, an entity's history)
are permuted together, so the importance of a group is not hidden by its own correlated
members; a sample of the holdout rows and a few repeats keep the step to a few model calls per
group, whatever the size of the run.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from features.registry import feature_groups

IMPORTANCE_ROWS = 20_000
IMPORTANCE_REPEATS = 2


def group_importance(
    predict: Callable[[pd.DataFrame], np.ndarray],
    features: pd.DataFrame,
    labels: np.ndarray,
    extras,
    seed: int,
    on_group: Callable[[], None] = lambda: None,
) -> pd.Series:
    """Mean drop in average precision when each group's used features are permuted jointly
    (groups the model does not use are left out), on at most ``IMPORTANCE_ROWS`` rows."""
    rng = np.random.default_rng(seed)
    take = min(IMPORTANCE_ROWS, len(labels))
    rows = np.sort(rng.choice(len(labels), size=take, replace=False))
    sample, target = features.iloc[rows].reset_index(drop=True), labels[rows]
    if target.min() == target.max():
        return pd.Series(dtype="float64")
    base = average_precision_score(target, predict(sample))
    drops = {}
    for group, members in feature_groups(extras).items():
        columns = [feature.name for feature in members if feature.name in sample.columns]
        if not columns:
            continue
        losses = []
        for _ in range(IMPORTANCE_REPEATS):
            order = rng.permutation(take)
            shuffled = sample.copy()
            shuffled[columns] = sample[columns].to_numpy()[order]
            losses.append(base - average_precision_score(target, predict(shuffled)))
        drops[group] = float(np.mean(losses))
        on_group()
    return pd.Series(drops, name="importance")


def group_count(features: pd.DataFrame, extras) -> int:
    """How many groups ``group_importance`` permutes for these feature columns."""
    return sum(
        any(feature.name in features.columns for feature in members)
        for members in feature_groups(extras).values()
    )
