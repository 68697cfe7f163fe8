"""A retraining run records everything in MLflow and registers a comparable model."""

import dataclasses
from dataclasses import replace

import mlflow
import numpy as np
import pandas as pd
import pytest

from features.column_map import ColumnMap
from features.errors import DivertError, FeatureContractError
from features.schema import REQUIRED_NAMES, pandas_dtypes
from models.bundle import load_bundle
from models.contract import FeatureContract, used_features
from models.tracking import (
    CHALLENGER,
    CHAMPION,
    alias_version,
    load_registered_bundle,
    open_store,
)
from serve.scoring import ScoreRequest, run_score
from serve.settings import Settings
from training.evaluation import BUDGETS, budget_label
from training.labels import training_labels
from training.promotion import promote
from training.run import TrainingConfig, run_training

EVALUATION_ARTIFACTS = {
    "holdout_predictions.parquet", "slice_metrics.csv", "features.md", "feature_importance.csv",
    "pr_curves.png", "calibration.png", "thresholds.png", "feature_importance.png",
}  # fmt: skip


def test_a_run_logs_params_metrics_and_evaluation_artifacts(trained, trained_store):
    run = trained_store.client.get_run(trained.result.run_id)
    for name in ("data_sha256", "seeds_version", "schema_version", "cutoff", "code_version"):
        assert run.data.params[name]
    for budget in BUDGETS:
        label = budget_label(budget)
        for name in (
            f"precision_at_{label}",
            f"rules_recall_at_{label}",
            f"lift_over_rules_at_{label}",
        ):
            assert 0 <= run.data.metrics[name] <= 1e3
    for name in ("pr_auc", "roc_auc", "brier", "rules_pr_auc"):
        assert name in run.data.metrics
    logged = {
        item.path.split("/")[-1]
        for item in trained_store.client.list_artifacts(run.info.run_id, "evaluation")
    }
    assert logged >= EVALUATION_ARTIFACTS
    assert run.data.params["evaluated_on"] == "ground truth"


def test_the_holdout_predictions_carry_ids_dates_scores_labels_and_slices(trained, trained_store):
    path = mlflow.artifacts.download_artifacts(
        run_id=trained.result.run_id, artifact_path="evaluation/holdout_predictions.parquet"
    )
    holdout = pd.read_parquet(path)
    expected = {"shipment_id", "ship_date", "diversion_score", "rules_score", "label"}
    assert expected | {"destination_group", "chpl_tier", "consignee", "typology"} <= set(holdout)
    assert holdout["ship_date"].min() >= pd.Timestamp(trained.result.cutoff)
    assert holdout["diversion_score"].between(0, 1).all()


def test_each_version_is_registered_as_challenger_and_the_first_becomes_champion(
    trained, trained_store
):
    name = trained.config.model_name
    assert alias_version(trained_store, name, CHALLENGER) == trained.result.version
    assert alias_version(trained_store, name, CHAMPION) == trained.result.version
    assert trained.result.promotion.promoted


def test_the_registered_model_scores_raw_rows_through_pyfunc(trained, trained_store):
    model = mlflow.pyfunc.load_model(f"models:/{trained.config.model_name}@{CHALLENGER}")
    rows = pd.read_csv(trained.later, dtype=pandas_dtypes()).head(200)
    rows.loc[3, "hs_code"] = "not a code"
    scored = model.predict(rows)
    assert list(scored.columns) == ["shipment_id", "diversion_score", "alert", "reasons"]
    assert len(scored) == 200 and scored["shipment_id"].tolist() == rows["shipment_id"].tolist()
    assert np.isnan(scored.loc[3, "diversion_score"])
    assert scored.loc[3, "reasons"].startswith("REJECTED: hs_code")
    assert scored.drop(index=3)["diversion_score"].between(0, 1).all()


def test_promotion_is_refused_when_the_challenger_is_worse_on_the_same_holdout(trained, store_copy):
    name = trained.config.model_name
    version = trained.result.version
    bundle = load_registered_bundle(f"models:/{name}/{version}")
    holdout = _holdout_of(trained, bundle)
    worse = {"precision_at_1pct": -1.0, "rules_precision_at_1pct": -2.0}
    decision = promote(store_copy, name, "999", holdout, worse)
    assert not decision.promoted
    assert "not promoted" in decision.message and f"champion stays {version}" in decision.message
    assert alias_version(store_copy, name, CHAMPION) == version


def test_promotion_happens_when_the_challenger_is_at_least_as_good(trained, store_copy):
    name = trained.config.model_name
    bundle = load_registered_bundle(f"models:/{name}/{trained.result.version}")
    holdout = _holdout_of(trained, bundle)
    store_copy.client.create_model_version(name, "runs:/unused/model")
    metrics = {"precision_at_1pct": 1.0, "rules_precision_at_1pct": 0.5}
    decision = promote(store_copy, name, "2", holdout, metrics)
    assert decision.promoted
    assert alias_version(store_copy, name, CHAMPION) == "2"


def test_promotion_refuses_a_model_that_loses_to_the_rules_unless_forced(trained, store_copy):
    losing = {"precision_at_1pct": 0.2, "rules_precision_at_1pct": 0.4}
    store_copy.client.create_registered_model("other")
    store_copy.client.create_model_version("other", "runs:/unused/model")
    refused = promote(store_copy, "other", "1", None, losing)
    assert not refused.promoted
    assert "0.200 < the red-flag rules' 0.400" in refused.message
    assert "--force-promote" in refused.message
    assert alias_version(store_copy, "other", CHAMPION) is None
    forced = promote(store_copy, "other", "1", None, losing, force=True)
    assert forced.promoted and alias_version(store_copy, "other", CHAMPION) == "1"


def test_a_model_with_another_feature_contract_refuses_to_load(trained, tmp_path):
    bundle = load_registered_bundle(f"models:/{trained.config.model_name}/{trained.result.version}")
    bundle.contract = dataclasses.replace(
        bundle.contract, features=(*bundle.contract.features[:-1], "screen_retired_feature")
    )
    path = bundle.save(tmp_path)
    with pytest.raises(
        match=r"uses feature\(s\) this code does not compute: \['screen_retired_feature'\]",
    ):
        load_bundle(path)


def test_a_contract_of_an_earlier_version_is_refused_with_a_clear_message():
    earlier = object.__new__(FeatureContract)
    earlier.__dict__.update(
        features=("hs_chpl_listed",), entity_keys=(), schema_version="1", seeds_version="x"
    )
    with pytest.raises(FeatureContractError, match="trained by an earlier version"):
        earlier.check()


def test_a_contract_with_other_reference_data_is_refused():
    contract = dataclasses.replace(FeatureContract.current(), seeds_version="0123456789ab")
    with pytest.raises(FeatureContractError, match="reference tables version '0123456789ab'"):
        contract.check()


def test_the_same_data_and_seed_give_the_same_metrics(trained, store_copy):
    again = run_training(dataclasses.replace(trained.config, promote=False), store_copy)
    assert again.metrics == trained.result.metrics
    assert again.version != trained.result.version


def test_a_cutoff_that_leaves_no_holdout_is_a_clear_error(trained, store_copy):
    config = TrainingConfig(data=trained.history, cutoff=pd.Timestamp("2030-01-01").date())
    with pytest.raises(DivertError, match="cutoff 2030-01-01 leaves no holdout rows"):
        run_training(config, store_copy)


def _holdout_of(trained, bundle):
    from features.build import FeatureContext
    from features.reference import Reference
    from training.dataset import load_training_data
    from training.run import fit_bundle

    data = load_training_data(trained.history, trained.config.column_map, trained.truth)
    context = FeatureContext(Reference.load(), bundle.watchlist)
    _, _, holdout = fit_bundle(trained.config, data, context)
    return holdout


def test_features_missing_or_constant_in_training_are_left_out():
    frame = pd.DataFrame(
        {
            "varies": [1.0, 2.0, 1.0],
            "missing_sometimes": [1.0, np.nan, 1.0],
            "missing": [np.nan] * 3,
            "constant": [0.0] * 3,
        }
    )
    assert used_features(frame) == ("varies", "missing_sometimes")


def test_one_outcome_only_is_a_clear_error_with_the_counts():
    shipments = pd.DataFrame({"diverted": [0.0, 0.0, np.nan]})
    with pytest.raises(DivertError, match="2 labelled shipments, 0 of them found diverted"):
        training_labels(shipments, pd.DataFrame({"x": [1.0, 2.0, 3.0]}), "inspected", 0)


def test_a_file_with_only_required_columns_and_every_row_labelled_trains_and_scores(
    trained, tmp_path, monkeypatch
):
    """A real-format file: its own headers (mapped), no optional column, no watchlist, an
    outcome on every row."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    columns = (*REQUIRED_NAMES, "consignee_name", "diverted")
    own = {name: f"Col {number}" for number, name in enumerate(columns)}
    column_map = ColumnMap(renames={header: name for name, header in own.items()})
    history = pd.read_csv(trained.history, dtype="str")
    truth = pd.read_csv(trained.truth, dtype="str")[["shipment_id", "truth_diverted"]]
    history = history[list(columns[:-1])].merge(truth, on="shipment_id")
    history = history.rename(columns={"truth_diverted": "diverted"}).rename(columns=own)
    history.to_csv(tmp_path / "history.csv", index=False)
    later = pd.read_csv(trained.later, dtype="str")[list(columns[:-1])].rename(columns=own)
    later.to_csv(tmp_path / "later.csv", index=False)
    home = tmp_path / "home"
    config = TrainingConfig(
        data=tmp_path / "history.csv",
        column_map=column_map,
        promote=True,
        force_promote=True,
        seed=1,
    )
    run_training(config, open_store(home))
    bundle = load_registered_bundle(f"models:/{config.model_name}@{CHAMPION}")
    used = set(bundle.contract.features)
    assert "screen_consignee_name_score" not in used and "hs_chpl_tier_rank" in used
    assert bundle.metadata["treatment"] == "supervised", "every row is labelled"
    monkeypatch.setenv("DIVERT_HOME", str(home))
    request = ScoreRequest(
        str(tmp_path / "later.csv"), str(tmp_path / "scored.csv"), column_map=column_map
    )
    summary = run_score(request, Settings.from_environment())
    assert summary.rows_scored == len(later) and summary.rows_rejected == 0
    later.assign(**{own["diverted"]: "1"}).to_csv(tmp_path / "labelled.csv", index=False)
    labelled = replace(request, path=str(tmp_path / "labelled.csv"), out=str(tmp_path / "l.csv"))
    summary = run_score(labelled, Settings.from_environment())
    assert summary.ignored_columns == ["diverted"]
    scored = [pd.read_csv(tmp_path / name)["diversion_score"] for name in ("scored.csv", "l.csv")]
    pd.testing.assert_series_equal(scored[0], scored[1])
