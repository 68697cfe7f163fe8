"""Quality on the simulator's later holdout, against ground truth, side by side in one run.

Simulates a history (in a child process), then for the same time split prints:
- the two treatments of unlabelled rows (``training.labels``) with the default classifier;
- the classifier comparison: HistGradientBoosting vs LightGBM (quality and scoring
  throughput on the holdout feature rows);
- the quality bars: model vs red-flag rules precision at each alert budget, and lift;
- leave-one-hub-out: recall at the 2 % budget on one hub's holdout rows when that hub's
  shipments were (in distribution) or were not (unseen) among the training rows.

    python -m benchmarks.quality --rows 300000 --seed 1 --hubs KG AE

With ``--baselines`` it prints instead, for the full simulator file and for the same history
in an import-declaration layout (``examples/customs_declarations``: its own headers, ids but
no names, every row labelled), the product, the red-flag rules and LightGBM on the raw
columns (native categorical and label-encoded) side by side at 1, 5 and 10 % (needs the
``compare`` extra):

    python -m benchmarks.quality --baselines --rows 100000 --seed 1

With ``--honest`` it prints, per seed and world, the slices where remembering known diverters
cannot help (``benchmarks.honest``): consignees with no earlier finding, consignees unseen
before the cutoff, and networks left out of training, with the share of holdout diversions
from consignees already found and the issue-17 targets. Seed 1 is the development seed; 101 and
102 were never used while the simulator was built:

    python -m benchmarks.quality --honest --rows 300000 --seeds 1 101 102
    python -m benchmarks.quality --honest --rows 300000 --seeds 1 --world shifted
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from benchmarks import honest
from benchmarks.baselines import RawColumns, budget_row, lightgbm_scores, markdown
from benchmarks.common import simulate_in_child
from examples.customs_declarations.make_declarations import declarations
from features.build import FeatureContext
from features.column_map import ColumnMap, load_column_map
from features.reference import Reference
from features.schema import LABEL_COLUMN
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
    parser.add_argument(
        "--baselines", action="store_true", help="compare with LightGBM on raw columns only"
    )
    parser.add_argument("--honest", action="store_true", help="slices without memory")
    parser.add_argument("--seeds", nargs="*", type=int, default=[1, 101, 102])
    parser.add_argument("--world", default="default")
    options = parser.parse_args()
    if options.baselines:
        compare_baselines(options.rows, options.seed)
        return
    if options.honest:
        for seed in options.seeds:
            honest_figures(options.rows, seed, options.world)
        return
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


PR_AUC_RANGE = (0.3, 0.8)
"""Hard enough to be a test, learnable enough to be a product (issue 17)."""
FOUND_BEFORE_MAX = 0.2


def honest_figures(rows: int, seed: int, world: str) -> None:
    """The honest slices of one simulated history, with the targets they are held to."""
    with tempfile.TemporaryDirectory() as folder:
        data_path, truth_path, watchlist_path = simulate_in_child(rows, seed, Path(folder), world)
        data = load_training_data(data_path, ColumnMap(), truth_path)
        watchlist = WatchlistIndex().fit(read_watchlist(watchlist_path))
    context = FeatureContext(Reference.load(), watchlist)
    config = TrainingConfig(data=data_path, seed=seed)
    started = time.perf_counter()
    bundle, split, holdout = fit_bundle(config, data, context)
    scores, rule_scores, _, _ = evaluate(bundle, holdout)
    labels = holdout.labels
    train_index, holdout_index = split.train, holdout.shipments.index
    masks = honest.holdout_slices(data, train_index, holdout_index, split.cutoff)
    results = [
        honest.slice_result(name, mask, scores, rule_scores, labels) for name, mask in masks.items()
    ]
    share = honest.found_before_share(data, train_index, holdout_index, split.cutoff)
    networks = honest.held_out_networks(data, holdout_index, seed)
    reduced = honest.without_networks(data, networks, split.cutoff)
    left_out_bundle, _, left_out_holdout = fit_bundle(
        replace(config, cutoff=split.cutoff), reduced, context
    )
    left_out_scores, left_out_rules, _, _ = evaluate(left_out_bundle, left_out_holdout)
    member = data.truth.loc[holdout_index, "truth_network"].isin(networks).to_numpy()
    seconds = time.perf_counter() - started
    labelled = data.shipments.loc[split.train, LABEL_COLUMN].notna()
    print(
        f"\n{rows:,} rows, seed {seed}, world {world}: holdout {len(labels):,} rows from "
        f"{split.cutoff}, {int(labels.sum()):,} diversions; {int(labelled.sum()):,} labelled "
        f"training rows ({int((data.shipments.loc[split.train, LABEL_COLUMN] == 1).sum()):,} "
        f"found diverted); {seconds:.0f} s"
    )
    print(honest.markdown(results))
    in_distribution = honest.recall_at_record(scores, labels, member)
    print(
        f"held-out networks ({len(networks)}, {int((member & (labels == 1)).sum())} holdout "
        f"diversions): recall@1% of the full-holdout ranking {in_distribution:.3f} when trained "
        f"with them, {honest.recall_at_record(left_out_scores, labels, member):.3f} without "
        f"(rules {honest.recall_at_record(left_out_rules, labels, member):.3f})"
    )
    pr_auc = results[0].model["pr_auc"]
    full, new_diverters = results[0], results[1]
    checks = {
        f"holdout diversions from already-found consignees {share:.1%} <= 20 %": (
            share <= FOUND_BEFORE_MAX
        ),
        "model beats rules at every budget, full holdout": full.beats_rules_everywhere(),
        "model beats rules at every budget, no earlier finding": (
            new_diverters.beats_rules_everywhere()
        ),
        f"model PR-AUC {pr_auc:.3f} in [0.3, 0.8]": PR_AUC_RANGE[0] <= pr_auc <= PR_AUC_RANGE[1],
    }
    for text, met in checks.items():
        print(f"target: {text}: {'met' if met else 'NOT met'}")


SIMULATOR_RAW = RawColumns(
    categorical=(
        "exporter_id", "exporter_country", "consignee_id", "consignee_name", "consignee_country",
        "destination_country", "transit_countries", "origin_country", "end_user_country",
        "hs6", "transport_mode", "incoterm", "freight_forwarder", "payer_country",
    ),
    numeric=("value_usd", "quantity", "net_mass_kg"),
)  # fmt: skip
DECLARATION_RAW = RawColumns(
    categorical=(
        "Office ID", "Process Type", "Import Type", "Payment Type", "Mode of Transport",
        "Declarant ID", "Importer ID", "Seller ID", "Courier ID", "hs6", "Country of Departure",
        "Country of Origin", "Importer Country", "Country of Destination", "Tax Type",
    ),
    numeric=("Tax Rate", "Net Mass", "Item Price"),
)  # fmt: skip
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "customs_declarations"


def compare_baselines(rows: int, seed: int) -> None:
    """The product, the rules and LightGBM on raw columns, on two layouts of one history."""
    with tempfile.TemporaryDirectory() as folder:
        data_path, truth_path, watchlist_path = simulate_in_child(rows, seed, Path(folder))
        history = pd.read_csv(data_path, dtype="str", keep_default_na=False)
        truth = pd.read_csv(truth_path, dtype="str", keep_default_na=False)
        layout = declarations(history, truth, seed)
        layout_path = Path(folder) / "declarations.csv"
        layout.to_csv(layout_path, index=False)
        column_map = load_column_map(EXAMPLE / "column_map.toml")
        print(f"{rows:,} simulated rows, seed {seed}; holdout = last 6 months, ground truth")
        watchlist = WatchlistIndex().fit(read_watchlist(watchlist_path))
        full = TrainingConfig(data=data_path, seed=seed)
        _compare(
            "full simulator file (canonical columns, inspection labels, watchlist)",
            full, load_training_data(data_path, ColumnMap(), truth_path),
            FeatureContext(Reference.load(), watchlist),
            history.assign(hs6=history["hs_code"].str.slice(0, 6)), "shipment_id",
            SIMULATOR_RAW, seed,
        )  # fmt: skip
        declared = TrainingConfig(data=layout_path, column_map=column_map, seed=seed)
        _compare(
            "import-declaration layout (own headers, ids only, every row labelled)",
            declared, load_training_data(layout_path, column_map),
            FeatureContext(Reference.load()),
            layout.assign(hs6=layout["HS10 Code"].str.slice(0, 6)), "Declaration ID",
            DECLARATION_RAW, seed,
        )  # fmt: skip


def _compare(title, config, data, context, raw_rows, id_column, raw, seed) -> None:
    print(f"\n{title}")
    started = time.perf_counter()
    bundle, split, holdout = fit_bundle(config, data, context)
    scores, rule_scores, _, _ = evaluate(bundle, holdout)
    product_seconds = time.perf_counter() - started
    labels = holdout.labels
    raw_rows = raw_rows.set_index(id_column, drop=False)
    dates = pd.to_datetime(data.shipments["ship_date"])
    train_ids = data.shipments.loc[split.train, "shipment_id"]
    labelled = data.shipments.loc[split.train, LABEL_COLUMN].notna().to_numpy()
    train_rows = raw_rows.loc[train_ids[labelled]]
    train_labels = data.shipments.loc[split.train, LABEL_COLUMN].to_numpy()[labelled].astype(int)
    test_rows = raw_rows.loc[holdout.shipments["shipment_id"]]
    table = [budget_row("product (default)", scores, labels)]
    table.append(budget_row("red-flag rules", rule_scores, labels))
    for native in (True, False):
        started = time.perf_counter()
        baseline = lightgbm_scores(
            raw, train_rows, train_labels, test_rows, native=native, seed=seed
        )
        name = "native categorical" if native else "label-encoded codes"
        table.append(budget_row(f"LightGBM raw columns, {name}", baseline, labels))
        print(f"  LightGBM ({name}) {time.perf_counter() - started:.0f} s")
    print(
        f"train rows {len(split.train):,} ({int(labelled.sum()):,} labelled, from "
        f"{dates.min().date()}), holdout {len(labels):,} from {split.cutoff}, "
        f"{int(labels.sum()):,} diversions; product fit+evaluate {product_seconds:.0f} s, "
        f"{bundle.pipeline[-1].n_trees_} trees"
    )
    print(markdown(table))
    best = max(table[2:], key=lambda row: row["PR-AUC"])
    met = all(table[0][name] >= table[2][name] for name in table[0] if name != "scorer")
    print(
        f"target (product >= LightGBM native categorical at every budget and PR-AUC): "
        f"{'met' if met else 'NOT met'}; strongest baseline: {best['scorer']}"
    )


if __name__ == "__main__":
    main()
