"""The terminal summary of a training run."""

from __future__ import annotations

from models.tracking import Store
from training.evaluation import BUDGETS, budget_label
from training.run import TrainingConfig, TrainingResult


def render_training(result: TrainingResult, config: TrainingConfig, store: Store) -> str:
    m = result.metrics
    lines = [
        f"run {result.run_id}: model {config.model_name!r} version {result.version} "
        f"registered as challenger",
        f"holdout from {result.cutoff}, evaluated on {result.evaluated_on}; label treatment "
        f"{result.treatment}",
        f"  PR-AUC {m['pr_auc']:.3f} (rules {m['rules_pr_auc']:.3f})   ROC-AUC "
        f"{m['roc_auc']:.3f}   Brier {m['brier']:.4f}",
        "  alert budget   precision (rules)   recall (rules)   lift",
    ]
    for budget in BUDGETS:
        label = budget_label(budget)
        precision = f"{m[f'precision_at_{label}']:.3f} ({m[f'rules_precision_at_{label}']:.3f})"
        recall = f"{m[f'recall_at_{label}']:.3f} ({m[f'rules_recall_at_{label}']:.3f})"
        lift = f"{m[f'lift_over_rules_at_{label}']:.2f}x"
        lines.append(f"  {budget:>12.1%}   {precision}       {recall}    {lift}")
    if result.left_out:
        lines.append(
            f"{len(result.left_out)} feature(s) left out, empty or constant in the training "
            f"rows: {', '.join(result.left_out)}"
        )
    if result.promotion is not None:
        lines.append(result.promotion.message)
    lines.append(f"tracking store: {store.uri}")
    return "\n".join(lines)
