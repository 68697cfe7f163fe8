"""Real-format data trains and scores: any optional columns, any label coverage, extras as
features, a ranking that meets alert budgets."""

from __future__ import annotations

from dataclasses import replace

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException
from pydantic import ValidationError

from features.column_map import ColumnMap
from features.errors import DivertError, ModelInputError
from features.schema import LABEL_COLUMN, OUTCOME_DATE_COLUMN, SHIPMENT_COLUMNS, pandas_dtypes
from models.tracking import CHAMPION, load_registered_bundle, open_store
from serve.api import json_records, shipment_record_model
from serve.scoring import ScoreRequest, run_score
from serve.settings import Settings
from training.decision import HOLDOUT_ARTIFACT
from training.labels import (
    SUPERVISED,
    check_outcomes_split,
    hide_later_outcomes,
    training_labels,
    with_outcome_dates,
)
from training.run import TrainingConfig, run_training
from training.thresholds import AlertRate, check_predictions, threshold_curve

OPTIONAL_COLUMNS = [
    column.name
    for column in SHIPMENT_COLUMNS
    if not column.required and column.name != LABEL_COLUMN
]


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("DIVERT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def train_and_score(trained, tmp_path, home, history: pd.DataFrame, later: pd.DataFrame, **config):
    """Train on ``history``, promote, score ``later`` with the champion; the bundle and the
    scoring summary."""
    history.to_csv(tmp_path / "history.csv", index=False)
    later.to_csv(tmp_path / "later.csv", index=False)
    settings = {"truth": trained.truth, "promote": True, "force_promote": True, "seed": 1}
    settings |= config
    training = TrainingConfig(data=tmp_path / "history.csv", **settings)
    result = run_training(training, open_store(home))
    assert result.promotion.promoted, result.promotion.message
    bundle = load_registered_bundle(f"models:/{training.model_name}@{CHAMPION}")
    request = ScoreRequest(
        str(tmp_path / "later.csv"), str(tmp_path / "scored.csv"), column_map=training.column_map
    )
    return bundle, run_score(request, Settings.from_environment())


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype="str", keep_default_na=False)


@pytest.mark.parametrize("dropped", [*OPTIONAL_COLUMNS, "every optional column"])
def test_any_subset_of_optional_columns_trains_scores_and_promotes(
    trained, tmp_path, home, dropped
):
    history, later = read(trained.history), read(trained.later)
    columns = OPTIONAL_COLUMNS if dropped == "every optional column" else [dropped]
    if "consignee_name" in columns and "consignee_id" in columns:
        columns = [name for name in columns if name != "consignee_name"]  # a consignee needs one
    elif "consignee_name" in columns:  # a file without names carries an id on every row
        for frame in (history, later):
            frame["consignee_id"] = frame["consignee_id"].mask(
                frame["consignee_id"] == "", frame["consignee_name"]
            )
    bundle, summary = train_and_score(
        trained, tmp_path, home, history.drop(columns=columns), later.drop(columns=columns)
    )
    assert summary.rows_scored + summary.rows_rejected == len(later)
    assert summary.rows_scored > 0.9 * len(later)
    used = set(bundle.contract.features)
    assert used, "the model uses some features"
    if "quantity" in columns:
        assert not used & {"hs_unit_value_log_ratio", "hs_unit_value_zscore"}
        assert "hs_unit_value_zscore" in left_out_of_the_last_run()
    if "consignee_registered_on" in columns:
        assert "consignee_registration_age_days" not in used


def left_out_of_the_last_run() -> str:
    (run,) = mlflow.search_runs(search_all_experiments=True, output_format="list")
    return mlflow.artifacts.load_text(f"{run.info.artifact_uri}/evaluation/features_left_out.txt")


def test_a_history_labelled_on_every_row_trains_supervised(trained, tmp_path, home):
    history = read(trained.history)
    truth = read(trained.truth)[["shipment_id", "truth_diverted"]]
    history = history.drop(columns=[LABEL_COLUMN, OUTCOME_DATE_COLUMN]).merge(
        truth, on="shipment_id"
    )
    history = history.rename(columns={"truth_diverted": LABEL_COLUMN})
    bundle, summary = train_and_score(trained, tmp_path, home, history, read(trained.later))
    assert bundle.metadata["treatment"] == SUPERVISED
    assert summary.rows_scored == len(read(trained.later))


def test_a_history_with_a_whole_unlabelled_period_trains(trained, tmp_path, home):
    history = read(trained.history)
    dates = pd.to_datetime(history["ship_date"])
    gap = (dates >= dates.quantile(0.2)) & (dates < dates.quantile(0.35))
    history.loc[gap, LABEL_COLUMN] = ""
    bundle, _ = train_and_score(
        trained, tmp_path, home, history, read(trained.later), treatment="inspected"
    )
    assert bundle.metadata["treatment"] == "inspected"


def frame_of(labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    shipments = pd.DataFrame({LABEL_COLUMN: np.asarray(labels, dtype="float64")})
    features = pd.DataFrame({"x": np.arange(len(shipments), dtype="float64")})
    return shipments, features


def test_the_treatment_is_chosen_from_the_label_coverage():
    every = frame_of([0, 1] * 50)
    assert training_labels(*every, "auto", 0).treatment == SUPERVISED
    assert training_labels(*every, "unlabelled_negative", 0).treatment == SUPERVISED
    some = frame_of([0, 1, np.nan, np.nan] * 50)
    assert training_labels(*some, "auto", 0).treatment == "inspected"
    negative = training_labels(*some, "unlabelled_negative", 0)
    assert negative.treatment == "unlabelled_negative" and negative.rows.all()
    with pytest.raises(ValueError, match="unknown label treatment"):
        training_labels(*some, "guess", 0)


def test_too_few_outcomes_to_split_in_time_is_a_clear_error_with_the_counts():
    target = np.array([1] * 3 + [0] * 80 + [0] * 20)
    with pytest.raises(DivertError, match=r"fitted \(earlier\) part: 3 found diverted"):
        check_outcomes_split(target, 0.2)
    check_outcomes_split(np.array(([1] * 5 + [0] * 15) * 5), 0.2)


def with_extras(frame: pd.DataFrame) -> pd.DataFrame:
    """Two extra source columns: an office (by consignee country) and a tax rate."""
    office = "OFF-" + frame["consignee_country"].str.slice(0, 2)
    tax = (frame["hs_code"].str.slice(0, 2).astype(int) % 7).astype(str)
    return frame.assign(**{"Office ID": office, "Tax Rate": tax})


EXTRAS_MAP = ColumnMap(categorical_extras=("Office ID",), numeric_extras=("Tax Rate",))


def test_extras_are_model_features_recorded_in_the_contract_and_required_at_scoring(
    trained, tmp_path, home
):
    history, later = with_extras(read(trained.history)), with_extras(read(trained.later))
    bundle, summary = train_and_score(
        trained, tmp_path, home, history, later, column_map=EXTRAS_MAP
    )
    contract = bundle.contract
    assert contract.extras.categorical == ("Office ID",)
    assert contract.extras.numeric == ("Tax Rate",)
    assert "OFF-KZ" in contract.extras.vocabularies["Office ID"]
    assert {"extra_Office ID", "extra_Tax Rate", "profile_extra_Office ID_found_rate"} <= set(
        contract.features
    )
    assert summary.rows_scored == len(later)
    later.drop(columns=["Office ID"]).to_csv(tmp_path / "no-office.csv", index=False)
    request = ScoreRequest(str(tmp_path / "no-office.csv"), str(tmp_path / "out.csv"))
    with pytest.raises(ModelInputError, match="lacks column\\(s\\) \\['Office ID'\\]"):
        run_score(request, Settings.from_environment())
    model = mlflow.pyfunc.load_model(f"models:/{TrainingConfig.model_name}@{CHAMPION}")
    rows = later.drop(columns=["Office ID", LABEL_COLUMN]).head(3).replace("", None)
    dtypes = pandas_dtypes() | {"Tax Rate": "float64"}
    rows = rows.astype({name: dtypes[name] for name in rows.columns if name in dtypes})
    with pytest.raises(MlflowException, match="Office ID"):
        model.predict(rows)
    record = json_records(later.head(1), contract.extras)[0]
    record_model = shipment_record_model(contract.extras)
    record_model.model_validate(record)
    with pytest.raises(ValidationError, match="Office ID"):
        record_model.model_validate({k: v for k, v in record.items() if k != "Office ID"})


@pytest.mark.parametrize("rate", [0.005, 0.01, 0.02, 0.05, 0.10])
def test_alert_budgets_are_met_on_the_holdout(trained, trained_store, rate):
    """Calibrated scores keep the classifier's order, so a budget is met row for row."""
    path = mlflow.artifacts.download_artifacts(
        run_id=trained.result.run_id, artifact_path=HOLDOUT_ARTIFACT
    )
    predictions = check_predictions(pd.read_parquet(path))
    curve = threshold_curve(predictions)
    chosen = curve.table.iloc[AlertRate(rate).choose(curve)]
    assert abs(chosen["alert_rate"] - rate) <= 0.1 * rate


def test_labelled_rows_without_an_outcome_date_get_the_runs_delay():
    shipments = pd.DataFrame(
        {
            "ship_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01"]),
            LABEL_COLUMN: [1.0, 0.0, np.nan],
            "outcome_date": pd.to_datetime(["2024-03-01", None, None]),
        }
    )
    filled = with_outcome_dates(shipments, 30)
    assert filled["outcome_date"].tolist()[:2] == [
        pd.Timestamp("2024-03-01"),
        pd.Timestamp("2024-01-31"),
    ], "the file's date wins; the delay fills the rest"
    assert pd.isna(filled["outcome_date"].iloc[2]), "an unlabelled row has no outcome"


def test_a_backtest_hides_outcomes_known_only_after_its_cutoff():
    shipments = pd.DataFrame(
        {
            LABEL_COLUMN: [1.0, 1.0],
            "outcome_date": pd.to_datetime(["2024-05-31", "2024-06-01"]),
        }
    )
    hidden = hide_later_outcomes(shipments, pd.Timestamp("2024-06-01").date())
    assert hidden[LABEL_COLUMN].tolist()[0] == 1.0 and pd.isna(hidden[LABEL_COLUMN].iloc[1])


def test_the_outcome_delay_is_logged_and_changes_a_history_without_outcome_dates(
    trained, tmp_path, home
):
    read(trained.history).drop(columns=[OUTCOME_DATE_COLUMN]).to_csv(
        tmp_path / "undated.csv", index=False
    )
    config = TrainingConfig(data=tmp_path / "undated.csv", outcome_delay_days=90, seed=1)
    result = run_training(config, open_store(home))
    run = mlflow.get_run(result.run_id)
    assert run.data.params["outcome_delay_days"] == "90"
    again = run_training(replace(config, outcome_delay_days=0), open_store(home))
    assert result.metrics != again.metrics
