"""Honest figures on a simulated history: the slices where remembering known diverters cannot help.

The headline (all holdout rows) rewards a model that recognises consignees already found
diverting. These slices of the later holdout, built from the simulator's ground truth
(``truth_consignee``: the legal entity; ``truth_network``: the network it belongs to), say how
well new diversion is detected:

- ``no earlier finding``: consignees with no finding known before the cutoff;
- ``unseen consignee``: consignees with no shipment before the cutoff;
- ``held-out networks``: networks whose every row before the cutoff was removed from training
  (leave-network-out), scored by a model refitted without them.

Within a slice, the alert budget is a share of the slice's rows, so model and rules are
compared on the same footing as on the full holdout.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from features.schema import LABEL_COLUMN, OUTCOME_DATE_COLUMN
from training.dataset import TrainingData
from training.evaluation import BUDGET_OF_RECORD, BUDGETS, alerted, budget_label, metrics

HELD_OUT_NETWORK_SHARE = 0.3
"""Share of the holdout's diverting networks left out of training in the leave-network-out run."""


@dataclass(frozen=True)
class SliceResult:
    """Model and rules on one slice of the holdout."""

    name: str
    rows: int
    diversions: int
    model: dict[str, float]
    rules: dict[str, float]

    def beats_rules_everywhere(self) -> bool:
        """Model precision above the rules' at every budget (ties count as not beating)."""
        return all(
            self.model[f"precision_at_{budget_label(b)}"]
            > self.rules[f"precision_at_{budget_label(b)}"]
            for b in BUDGETS
        )


def found_consignees(train: pd.DataFrame, truth: pd.DataFrame, cutoff) -> np.ndarray:
    """Legal entities with a finding whose outcome was known before ``cutoff``."""
    known_on = train[OUTCOME_DATE_COLUMN].fillna(train["ship_date"])
    found = (train[LABEL_COLUMN] == 1) & (known_on < pd.Timestamp(cutoff))
    return np.unique(truth.loc[train.index[found.to_numpy()], "truth_consignee"].to_numpy())


def holdout_slices(data: TrainingData, train_index, holdout_index, cutoff) -> dict[str, np.ndarray]:
    """Masks over the holdout rows: all, no earlier finding, unseen consignee."""
    truth = data.truth
    train = data.shipments.loc[train_index]
    entity = truth.loc[holdout_index, "truth_consignee"].to_numpy()
    found = found_consignees(train, truth, cutoff)
    seen = np.unique(truth.loc[train_index, "truth_consignee"].to_numpy())
    return {
        "all holdout rows": np.ones(len(entity), dtype=bool),
        "no earlier finding": ~np.isin(entity, found),
        "unseen consignee": ~np.isin(entity, seen),
    }


def found_before_share(data: TrainingData, train_index, holdout_index, cutoff) -> float:
    """Share of holdout diversions whose consignee was found diverting before the cutoff."""
    truth = data.truth.loc[holdout_index]
    diverted = truth["truth_diverted"].to_numpy() == 1
    found = found_consignees(data.shipments.loc[train_index], data.truth, cutoff)
    from_found = np.isin(truth["truth_consignee"].to_numpy(), found)
    return float((diverted & from_found).sum() / max(diverted.sum(), 1))


def slice_result(
    name: str, mask: np.ndarray, scores: np.ndarray, rule_scores: np.ndarray, labels: np.ndarray
) -> SliceResult:
    part = labels[mask]
    return SliceResult(
        name=name,
        rows=int(mask.sum()),
        diversions=int(part.sum()),
        model=metrics(scores[mask], part),
        rules=metrics(rule_scores[mask], part),
    )


def held_out_networks(data: TrainingData, holdout_index, seed: int) -> np.ndarray:
    """A seeded share of the networks that divert in the holdout."""
    truth = data.truth.loc[holdout_index]
    networks = np.unique(truth.loc[truth["truth_diverted"] == 1, "truth_network"].to_numpy())
    rng = np.random.default_rng(seed)
    count = max(1, round(HELD_OUT_NETWORK_SHARE * len(networks)))
    return np.sort(rng.choice(networks, size=min(count, len(networks)), replace=False))


def without_networks(data: TrainingData, networks: np.ndarray, cutoff) -> TrainingData:
    """``data`` without the rows of ``networks`` shipped before ``cutoff``."""
    early = data.shipments["ship_date"] < pd.Timestamp(cutoff)
    member = data.truth["truth_network"].isin(networks)
    keep = ~(early & member)
    return replace(data, shipments=data.shipments[keep], truth=data.truth[keep])


def recall_at_record(scores: np.ndarray, labels: np.ndarray, mask: np.ndarray) -> float:
    """Recall at the budget of record (alerts over the whole holdout) of the diversions in
    ``mask``."""
    alerts = alerted(scores, BUDGET_OF_RECORD)
    wanted = mask & (labels == 1)
    return float((alerts & wanted).sum() / max(wanted.sum(), 1))


def markdown(results: list[SliceResult]) -> str:
    """One row per slice: size, PR-AUC and precision/recall at 1 % of model and rules."""
    record = budget_label(BUDGET_OF_RECORD)
    lines = [
        "| slice | rows | diversions | PR-AUC model / rules | precision@1% model / rules "
        "| recall@1% model / rules | model > rules at every budget |",
        "|---|---:|---:|---|---|---|---|",
    ]
    for result in results:
        m, r = result.model, result.rules
        lines.append(
            f"| {result.name} | {result.rows:,} | {result.diversions:,} "
            f"| {m['pr_auc']:.3f} / {r['pr_auc']:.3f} "
            f"| {m[f'precision_at_{record}']:.3f} / {r[f'precision_at_{record}']:.3f} "
            f"| {m[f'recall_at_{record}']:.3f} / {r[f'recall_at_{record}']:.3f} "
            f"| {'yes' if result.beats_rules_everywhere() else 'no'} |"
        )
    return "\n".join(lines)
