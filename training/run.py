"""A retraining run: validate -> features -> time split -> fit -> evaluate -> log -> register."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd

from features.build import FeatureContext, compute_features
from features.column_map import ColumnMap
from features.docs import markdown_table
from features.extras import ExtraColumns
from features.pit import day_numbers
from features.reference import Reference
from features.registry import feature_list
from features.schema import LABEL_COLUMN, SCHEMA_VERSION, pandas_dtypes
from features.screening import WatchlistIndex
from features.state import HistoryState
from features.watchlist import read_watchlist
from models.bundle import ModelBundle
from models.calibration import DEFAULT_CALIBRATION_SHARE
from models.contract import FeatureContract, used_features
from models.pipeline import DEFAULT_CLASSIFIER, build_pipeline
from models.pyfunc import BUNDLE_ARTIFACT, DiversionModel, signature
from models.rules import RedFlagRules
from models.tracking import (
    CHALLENGER,
    DEFAULT_EXPERIMENT,
    DEFAULT_MODEL_NAME,
    Store,
    code_version,
    experiment_id,
    pip_requirements,
    set_alias,
)
from seeds import seeds_version
from training import plots
from training.dataset import TrainingData, load_training_data, split_by_time
from training.evaluation import (
    BUDGET_OF_RECORD,
    budget_threshold,
    lift,
    metric_of_record,
    metrics,
    slice_columns,
    slice_metrics,
)
from training.importance import group_count, group_importance
from training.labels import (
    DEFAULT_TREATMENT,
    check_outcomes_split,
    hide_later_outcomes,
    training_labels,
    with_outcome_dates,
)
from training.promotion import PromotionDecision, promote
from training.steps import Steps

HISTORY_WINDOW_DAYS = 365
"""The longest history window: a frozen state keeps day-level detail this far back."""
INPUT_EXAMPLE_ROWS = 3
METRIC_OF_RECORD = metric_of_record()


@dataclass(frozen=True)
class TrainingConfig:
    data: Path
    column_map: ColumnMap = field(default_factory=ColumnMap)
    watchlist: Path | None = None
    truth: Path | None = None
    cutoff: date | None = None
    valid_months: int | None = None
    model_name: str = DEFAULT_MODEL_NAME
    experiment: str = DEFAULT_EXPERIMENT
    promote: bool = False
    outcome_delay_days: int = 0
    """Days from shipment to a known outcome where the file gives no outcome date."""
    force_promote: bool = False
    """Promote even if the model loses to the red-flag rules (still not past a better champion)."""
    treatment: str = DEFAULT_TREATMENT
    classifier: str = DEFAULT_CLASSIFIER
    seed: int = 0
    unseen_countries: tuple[str, ...] = ()
    """Leave these consignee/destination countries out of the classifier's training rows
    (their shipments still feed the history features): to test generalisation to a new hub."""


@dataclass(frozen=True)
class TrainingResult:
    run_id: str
    version: str
    cutoff: date
    metrics: dict[str, float]
    promotion: PromotionDecision | None
    evaluated_on: str
    """'ground truth' or 'inspection labels'."""
    left_out: tuple[str, ...] = ()
    """Registry features left out of the model: empty or constant in its training rows."""
    treatment: str = ""
    """The label treatment used (``training.labels``)."""


@dataclass(frozen=True)
class Holdout:
    """What evaluation needs of the later window: labels, features and slices."""

    shipments: pd.DataFrame
    features: pd.DataFrame
    labels: np.ndarray
    slices: pd.DataFrame
    evaluated_on: str


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _holdout(data: TrainingData, rows: pd.Index, features: pd.DataFrame, reference) -> Holdout:
    shipments = data.shipments.loc[rows]
    truth = None if data.truth is None else data.truth.loc[rows]
    if truth is not None:
        keep = np.ones(len(rows), dtype=bool)
        labels = truth["truth_diverted"].to_numpy(dtype=int)
        evaluated_on = "ground truth"
    else:
        keep = shipments[LABEL_COLUMN].notna().to_numpy()
        labels = shipments.loc[keep, LABEL_COLUMN].to_numpy(dtype=int)
        evaluated_on = "inspection labels"
    slices = slice_columns(shipments, features, reference.countries, truth)
    return Holdout(
        shipments=shipments[keep],
        features=features[keep],
        labels=labels,
        slices=slices[keep],
        evaluated_on=evaluated_on,
    )


def _importance(bundle: ModelBundle, holdout: Holdout, seed: int, steps: Steps) -> pd.Series:
    used = holdout.features[list(bundle.contract.features)]
    extras = bundle.contract.extras
    with steps.step("importance", group_count(used, extras)) as advance:
        return group_importance(
            bundle.predict_in_order, used, holdout.labels, extras, seed, on_group=advance
        )


def fit_bundle(
    config: TrainingConfig,
    data: TrainingData,
    context: FeatureContext,
    steps: Steps | None = None,
):
    """Fit the pipeline and the rules on the rows before the cutoff; return them with the
    split and the holdout (whose labels are hidden from its features, as at scoring time)."""
    steps = steps or Steps()
    split = split_by_time(data.shipments, cutoff=config.cutoff, valid_months=config.valid_months)
    train = hide_later_outcomes(data.shipments.loc[split.train], split.cutoff)
    extras = config.column_map.extra_columns.fitted(train)
    with steps.step("features"):
        train_features, state = compute_features(train, HistoryState.empty(extras), context)
        later = data.shipments.loc[split.holdout].assign(**{LABEL_COLUMN: np.nan})
        holdout_features, _ = compute_features(later, state, context)
        _, full_state = compute_features(data.shipments, HistoryState.empty(extras), context)
    if config.unseen_countries:
        seen = ~(
            train["consignee_country"].isin(config.unseen_countries)
            | train["destination_country"].isin(config.unseen_countries)
        )
        train, train_features = train[seen], train_features[seen.to_numpy()]
    used = used_features(train_features)
    labels = training_labels(train, train_features[list(used)], config.treatment, config.seed)
    check_outcomes_split(labels.target, DEFAULT_CALIBRATION_SHARE)
    features = tuple(feature for feature in feature_list(extras) if feature.name in used)
    pipeline = build_pipeline(features, classifier=config.classifier, seed=config.seed)
    fit_rows = train_features[labels.rows]
    with steps.step("fit"):
        pipeline.fit(fit_rows, labels.target, classifier__sample_weight=labels.weight)
        rules = RedFlagRules().fit(fit_rows, labels.target, labels.weight)
    holdout = _holdout(data, split.holdout, holdout_features, context.reference)
    scores = pipeline.predict_proba(holdout.features)[:, 1]
    last_day = int(day_numbers(data.shipments["ship_date"]).max())
    bundle = ModelBundle(
        pipeline=pipeline,
        rules=rules,
        state=full_state.compact(before_day=last_day - HISTORY_WINDOW_DAYS),
        watchlist=context.watchlist,
        contract=FeatureContract.current(extras, used),
        threshold=budget_threshold(scores, BUDGET_OF_RECORD),
        metadata={
            "cutoff": str(split.cutoff),
            "classifier": config.classifier,
            "treatment": labels.treatment,
        },
    )
    return bundle, split, holdout


def evaluate(bundle: ModelBundle, holdout: Holdout):
    """Metrics of model and rules on the holdout, their lift, and per-slice figures."""
    scores = bundle.predict(holdout.features)
    rule_scores = bundle.rules.predict_proba(holdout.features)[:, 1]
    model_metrics = metrics(scores, holdout.labels)
    rule_metrics = metrics(rule_scores, holdout.labels)
    combined = {
        **model_metrics,
        **{f"rules_{name}": value for name, value in rule_metrics.items()},
        **lift(model_metrics, rule_metrics),
    }
    slices = slice_metrics(scores, holdout.labels, holdout.slices)
    return scores, rule_scores, combined, slices


def run_training(
    config: TrainingConfig, store: Store, steps: Steps | None = None
) -> TrainingResult:
    """The whole run; logs everything to MLflow and registers the model as ``challenger``.
    ``steps`` reports each step as it ends."""
    steps = steps or Steps()
    reference = Reference.load()
    with steps.step("validate"):
        watchlist = (
            WatchlistIndex().fit(read_watchlist(config.watchlist)) if config.watchlist else None
        )
        context = FeatureContext(reference, watchlist)
        data = load_training_data(config.data, config.column_map, config.truth)
        data = replace(
            data, shipments=with_outcome_dates(data.shipments, config.outcome_delay_days)
        )
    bundle, split, holdout = fit_bundle(config, data, context, steps)
    with steps.step("evaluate"):
        scores, rule_scores, run_metrics, slices = evaluate(bundle, holdout)
    with (
        tempfile.TemporaryDirectory() as folder,
        mlflow.start_run(experiment_id=experiment_id(store, config.experiment)) as run,
    ):
        work = Path(folder)
        mlflow.log_params(
            {
                "data_file": str(config.data),
                "data_sha256": file_digest(config.data),
                "rows_read": data.report.rows_read,
                "rows_rejected": data.report.rows_rejected,
                "cutoff": split.cutoff,
                "train_rows": len(split.train),
                "holdout_rows": len(split.holdout),
                "evaluated_on": holdout.evaluated_on,
                "label_treatment": bundle.metadata["treatment"],
                "label_treatment_asked": config.treatment,
                "outcome_delay_days": config.outcome_delay_days,
                "trees": bundle.pipeline[-1].n_trees_,
                "classifier": config.classifier,
                "seed": config.seed,
                "schema_version": SCHEMA_VERSION,
                "seeds_version": seeds_version(),
                "code_version": code_version(),
                "watchlist": str(config.watchlist) if config.watchlist else "none",
                "threshold": bundle.threshold,
                "metric_of_record": METRIC_OF_RECORD,
            }
        )
        mlflow.log_metrics(run_metrics)
        left_out = _left_out(bundle.contract)
        mlflow.log_text("\n".join(left_out) + "\n", "evaluation/features_left_out.txt")
        importance = _importance(bundle, holdout, config.seed, steps)
        with steps.step("log"):
            _log_artifacts(work, bundle, holdout, scores, rule_scores, slices, importance)
            version = _log_model(work, bundle, data, config, run.info.run_id)
            set_alias(store, config.model_name, CHALLENGER, version)
        mlflow.log_metrics({f"seconds_{name}": value for name, value in steps.seconds.items()})
        decision = None
        if config.promote:
            decision = promote(
                store, config.model_name, version, holdout, run_metrics, config.force_promote
            )
            mlflow.set_tag("promotion", decision.message)
    return TrainingResult(
        run_id=run.info.run_id,
        version=version,
        cutoff=split.cutoff,
        metrics=run_metrics,
        promotion=decision,
        evaluated_on=holdout.evaluated_on,
        left_out=left_out,
        treatment=bundle.metadata["treatment"],
    )


def _left_out(contract: FeatureContract) -> tuple[str, ...]:
    used = set(contract.features)
    return tuple(f.name for f in feature_list(contract.extras) if f.name not in used)


def _log_artifacts(work, bundle, holdout, scores, rule_scores, slices, importance) -> None:
    labels = holdout.labels
    predictions = pd.DataFrame(
        {
            "shipment_id": holdout.shipments["shipment_id"].to_numpy(),
            "ship_date": holdout.shipments["ship_date"].to_numpy(),
            "diversion_score": scores,
            "rules_score": rule_scores,
            "label": labels,
        }
    ).join(holdout.slices.reset_index(drop=True))
    predictions.to_parquet(work / "holdout_predictions.parquet", index=False)
    slices.to_csv(work / "slice_metrics.csv", index=False)
    used = [f for f in feature_list(bundle.contract.extras) if f.name in bundle.contract.features]
    (work / "features.md").write_text(markdown_table(tuple(used)))
    importance.sort_values(ascending=False).to_csv(work / "feature_importance.csv")
    plots.pr_curves(labels, scores, rule_scores, work / "pr_curves.png")
    plots.calibration(labels, scores, work / "calibration.png")
    plots.threshold_curves(labels, scores, work / "thresholds.png")
    plots.feature_importance(importance, work / "feature_importance.png")
    for name in (
        "holdout_predictions.parquet", "slice_metrics.csv", "features.md",
        "feature_importance.csv", "pr_curves.png", "calibration.png", "thresholds.png",
        "feature_importance.png",
    ):  # fmt: skip
        mlflow.log_artifact(str(work / name), artifact_path="evaluation")


def _log_model(work: Path, bundle: ModelBundle, data: TrainingData, config, run_id) -> str:
    bundle_path = bundle.save(work)
    example = data.shipments.head(INPUT_EXAMPLE_ROWS).drop(columns=[LABEL_COLUMN])
    example = _as_file_rows(example, bundle.contract.extras)
    info = mlflow.pyfunc.log_model(
        name="model",
        python_model=DiversionModel(),
        artifacts={BUNDLE_ARTIFACT: str(bundle_path)},
        signature=signature(bundle.contract),
        input_example=example,
        pip_requirements=pip_requirements(),
        metadata={"feature_contract": bundle.contract.as_dict(), **bundle.metadata},
    )
    version = mlflow.register_model(info.model_uri, config.model_name, tags={"run_id": run_id})
    return str(version.version)


def _as_file_rows(shipments: pd.DataFrame, extras: ExtraColumns) -> pd.DataFrame:
    """Validated rows back in file form (dates as ISO text), typed as the signature wants."""
    dtypes = pandas_dtypes() | dict.fromkeys(extras.text, "str")
    dtypes |= dict.fromkeys(extras.numeric, "float64")
    rows = shipments[[name for name in shipments.columns if name in dtypes]].copy()
    for name in ("ship_date", "consignee_registered_on"):
        rows[name] = rows[name].dt.strftime("%Y-%m-%d")
    return rows.astype({name: dtypes[name] for name in rows.columns}).reset_index(drop=True)
