"""Promotion: the challenger becomes champion only if it is at least as good on the same holdout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from features.errors import DivertError
from features.schema import LABEL_COLUMN
from models.tracking import CHAMPION, Store, alias_version, load_registered_bundle, set_alias
from training.evaluation import metric_of_record, metrics

METRIC_OF_RECORD = metric_of_record()


@dataclass(frozen=True)
class PromotionDecision:
    promoted: bool
    message: str
    champion_version: str | None
    challenger_value: float
    champion_value: float | None


def promote(
    store: Store, name: str, version: str, holdout, run_metrics, force: bool = False
) -> PromotionDecision:
    """Move ``champion`` to ``version`` when, on this run's holdout, its metric of record is at
    least the red-flag rules' (unless ``force``) and at least the current champion's on the
    same rows; else say why not."""
    challenger = run_metrics[METRIC_OF_RECORD]
    rules = run_metrics[f"rules_{METRIC_OF_RECORD}"]
    current = alias_version(store, name, CHAMPION)
    if challenger < rules and not force:
        return PromotionDecision(
            False, f"not promoted: {METRIC_OF_RECORD} {challenger:.3f} < the red-flag rules' "
            f"{rules:.3f} on the same holdout (an analyst's checklist does better); promote it "
            "anyway with --force-promote", current, challenger, None,
        )  # fmt: skip
    if current is None:
        set_alias(store, name, CHAMPION, version)
        return PromotionDecision(
            True, f"version {version} is the first champion ({METRIC_OF_RECORD} "
            f"{challenger:.3f})", None, challenger, None
        )  # fmt: skip
    try:
        champion_bundle = load_registered_bundle(f"models:/{name}/{current}")
    except DivertError as error:
        return PromotionDecision(
            False, f"not promoted: champion version {current} cannot be evaluated ({error})",
            current, challenger, None,
        )  # fmt: skip
    champion = metrics(_champion_scores(champion_bundle, holdout), holdout.labels)[METRIC_OF_RECORD]
    if challenger >= champion:
        set_alias(store, name, CHAMPION, version)
        return PromotionDecision(
            True, f"version {version} promoted: {METRIC_OF_RECORD} {challenger:.3f} >= "
            f"champion version {current}'s {champion:.3f} on the same holdout",
            current, challenger, champion,
        )  # fmt: skip
    return PromotionDecision(
        False, f"not promoted: {METRIC_OF_RECORD} {challenger:.3f} < champion version "
        f"{current}'s {champion:.3f} on the same holdout; champion stays {current}",
        current, challenger, champion,
    )  # fmt: skip


def _champion_scores(bundle, holdout) -> np.ndarray:
    """The champion's scores on the challenger's holdout rows.

    When the challenger's feature rows hold every feature the champion uses, the champion's
    classifier scores those very rows; otherwise it scores the raw rows (labels hidden) with
    its own history state.
    """
    if set(bundle.contract.features) <= set(holdout.features.columns):
        return bundle.predict(holdout.features)
    rows = holdout.shipments.assign(**{LABEL_COLUMN: np.nan})
    return bundle.score(rows)["diversion_score"].to_numpy()
