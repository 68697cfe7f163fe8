"""Holdout evaluation: ranking metrics, alert budgets, slices, lift over the rules baseline.

An alert budget is the share of shipments an agency can inspect: at a budget of 1 %, the 1 %
highest-scored holdout shipments are alerted (ties keep date order). Precision is the share of
those that are diversions; recall the share of all diversions that they catch.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from seeds import CountryGroups

BUDGETS = (0.005, 0.01, 0.02, 0.05)
BUDGET_OF_RECORD = 0.01
"""Promotion compares models on precision at this budget."""


def budget_label(budget: float) -> str:
    """0.005 -> '0_5pct', 0.01 -> '1pct' (usable in MLflow metric names)."""
    text = f"{budget * 100:g}".replace(".", "_")
    return f"{text}pct"


def metric_of_record() -> str:
    """The holdout metric that decides promotion: precision at the budget of record."""
    return f"precision_at_{budget_label(BUDGET_OF_RECORD)}"


def alerted(scores: np.ndarray, budget: float) -> np.ndarray:
    """Mask of the ``ceil(budget * n)`` highest scores (stable: earlier rows win ties)."""
    count = math.ceil(budget * len(scores))
    order = np.argsort(-scores, kind="stable")
    mask = np.zeros(len(scores), dtype=bool)
    mask[order[:count]] = True
    return mask


def budget_threshold(scores: np.ndarray, budget: float) -> float:
    """The lowest alerted score at ``budget``."""
    return float(scores[alerted(scores, budget)].min())


def metrics(scores: np.ndarray, labels: np.ndarray, prefix: str = "") -> dict[str, float]:
    """PR-AUC, ROC-AUC, Brier score, precision and recall at each budget."""
    labels = labels.astype(int)
    result = {
        f"{prefix}pr_auc": float(average_precision_score(labels, scores)),
        f"{prefix}roc_auc": float(roc_auc_score(labels, scores)),
        f"{prefix}brier": float(brier_score_loss(labels, scores)),
        f"{prefix}prevalence": float(labels.mean()),
    }
    positives = max(int(labels.sum()), 1)
    for budget in BUDGETS:
        mask = alerted(scores, budget)
        hits = int(labels[mask].sum())
        result[f"{prefix}precision_at_{budget_label(budget)}"] = hits / max(int(mask.sum()), 1)
        result[f"{prefix}recall_at_{budget_label(budget)}"] = hits / positives
    return result


def lift(model: dict[str, float], rules: dict[str, float]) -> dict[str, float]:
    """Model precision over rules precision at each budget."""
    return {
        f"lift_over_rules_at_{budget_label(b)}": model[f"precision_at_{budget_label(b)}"]
        / max(rules[f"precision_at_{budget_label(b)}"], 1e-9)
        for b in BUDGETS
    }


def slice_columns(
    shipments: pd.DataFrame, features: pd.DataFrame, countries: CountryGroups, truth=None
) -> pd.DataFrame:
    """The slices every run reports: destination group, hub country, CHPL tier, new consignee,
    and the simulator's typology where ground truth is present."""
    destination = shipments["destination_country"]
    group = np.select(
        [
            destination.isin(countries.targets),
            destination.isin(countries["eaeu_member"]),
            destination.isin(countries.named_hubs),
            destination.isin(countries.partners),
        ],
        ["target", "eaeu", "hub", "partner"],
        default="other",
    )
    tier_rank = features["hs_chpl_tier_rank"].to_numpy()
    tiers = np.array(["none", "4.B", "4.A", "3.B", "3.A", "2", "1"])
    columns = {
        "destination_group": group,
        "hub_country": np.where(destination.isin(countries.named_hubs), destination, "other"),
        "chpl_tier": tiers[tier_rank.astype(int)],
        "consignee": np.where(features["consignee_prior_shipments"] == 0, "new", "known"),
    }
    if truth is not None and "truth_typology" in truth:
        columns["typology"] = truth["truth_typology"].to_numpy()
    return pd.DataFrame(columns, index=shipments.index).astype("str")


def slice_metrics(scores: np.ndarray, labels: np.ndarray, slices: pd.DataFrame) -> pd.DataFrame:
    """Per slice value: rows, positives, and precision/recall at each budget's global threshold."""
    masks = {budget: alerted(scores, budget) for budget in BUDGETS}
    rows = []
    for column in slices.columns:
        values = slices[column].to_numpy()
        for value in np.unique(values):
            inside = values == value
            positives = int(labels[inside].sum())
            row = {
                "slice": column,
                "value": value,
                "rows": int(inside.sum()),
                "positives": positives,
            }
            for budget, mask in masks.items():
                hits = int(labels[inside & mask].sum())
                row[f"alerts_at_{budget_label(budget)}"] = int((inside & mask).sum())
                row[f"precision_at_{budget_label(budget)}"] = hits / max(
                    int((inside & mask).sum()), 1
                )
                row[f"recall_at_{budget_label(budget)}"] = hits / positives if positives else np.nan
            rows.append(row)
    return pd.DataFrame(rows)
