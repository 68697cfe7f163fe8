"""Quality on the simulator's later holdout, against ground truth, side by side in one run.

Simulates a history (in a child process), then for the same time split prints:
- the two treatments of unlabelled rows (``training.labels``) with the default classifier;
- the classifier comparison: HistGradientBoosting vs LightGBM (quality and scoring
  throughput on the holdout feature rows);
- the quality bars: model vs red-flag rules precision at each alert budget, and lift;
- leave-one-hub-out: recall at the 2 % budget on one hub's holdout rows when that hub's
  shipments were (in distribution) or were not (unseen) among the training rows.

    python -m benchmarks.quality --rows 300000 --seed 1 --hubs KG AE
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.common import simulate_in_child
from features.build import FeatureContext
from features.column_map import ColumnMap
from features.reference import Reference
from features.screening import WatchlistIndex
from features.watchlist import read_watchlist
from training.dataset import load_training_data
from training.evaluation import BUDGETS, alerted, budget_label, metrics
from training.run import TrainingConfig, evaluate, fit_bundle

IN_DISTRIBUTION_SHARE = 0.5
"""The bar: an unseen hub keeps at least half of its in-distribution recall at 2 %."""
HUB_BUDGET = 0.02


def line(name: str, values: dict[str, float]) -> str:
    cells = [f"{values[f'precision_at_{budget_label(b)}']:.3f}" for b in BUDGETS]
    cells += [f"{values['pr_auc']:.3f}", f"{values['roc_auc']:.3f}", f"{values['brier']:.4f}"]
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hubs", nargs="*", default=["KG", "AE"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data_path, truth, watchlist_path = simulate_in_child(
            options.rows, options.seed, Path(folder)
        )
        data = load_training_data(data_path, ColumnMap(), truth)
        watchlist = WatchlistIndex().fit(read_watchlist(watchlist_path))
    context = FeatureContext(Reference.load(), watchlist)
    base = TrainingConfig(data=data_path, seed=options.seed)
    header = "| run | " + " | ".join(f"precision@{b:.1%}" for b in BUDGETS)
    print(f"{options.rows:,} simulated rows, seed {options.seed}; holdout = last 6 months")
    print(header + " | PR-AUC | ROC-AUC | Brier |")
    results = {}
    for name, config in (
        ("hgb, inspected only + IPW", base),
        ("hgb, unlabelled as negative", replace(base, treatment="unlabelled_negative")),
        ("lightgbm, inspected only + IPW", replace(base, classifier="lightgbm")),
    ):
        started = time.perf_counter()
        bundle, _, holdout = fit_bundle(config, data, context)
        fit_seconds = time.perf_counter() - started
        started = time.perf_counter()
        scores, rule_scores, run_metrics, _ = evaluate(bundle, holdout)
        throughput = len(holdout.labels) / (time.perf_counter() - started)
        results[name] = (bundle, holdout, scores, run_metrics)
        print(
            line(name, run_metrics) + f"  fit {fit_seconds:.0f} s, scoring {throughput:,.0f} rows/s"
        )
    print(line("red-flag rules", metrics(rule_scores, holdout.labels)))
    _, holdout, scores, run_metrics = results["hgb, inspected only + IPW"]
    lifts = [run_metrics[f"lift_over_rules_at_{budget_label(b)}"] for b in BUDGETS]
    print("lift of the default model over the rules: " + ", ".join(f"{x:.2f}x" for x in lifts))
    print(f"bar: lift at 1 % >= 1.5x: {'met' if lifts[1] >= 1.5 else 'NOT met'}; "
          f"better at every budget: {'met' if min(lifts) > 1 else 'NOT met'}")  # fmt: skip
    mask = alerted(scores, HUB_BUDGET)
    for hub in options.hubs:
        inside = (holdout.shipments["consignee_country"] == hub).to_numpy()
        positives = holdout.labels[inside].sum()
        if positives == 0:
            print(f"hub {hub}: no diversions in the holdout")
            continue
        seen_recall = holdout.labels[inside & mask].sum() / positives
        unseen_bundle, _, unseen_holdout = fit_bundle(
            replace(base, unseen_countries=(hub,)), data, context
        )
        unseen_scores = unseen_bundle.predict(unseen_holdout.features)
        unseen_recall = (
            unseen_holdout.labels[inside & alerted(unseen_scores, HUB_BUDGET)].sum() / positives
        )
        ratio = unseen_recall / max(seen_recall, 1e-9)
        verdict = "met" if ratio >= IN_DISTRIBUTION_SHARE else "NOT met"
        print(
            f"hub {hub}: recall@2% in distribution {seen_recall:.3f}, unseen {unseen_recall:.3f} "
            f"({ratio:.0%} kept; bar >= 50 %: {verdict}; {int(positives)} diversions)"
        )


if __name__ == "__main__":
    main()
