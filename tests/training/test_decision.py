"""A threshold decision reads a version's holdout predictions and is recorded on the version."""

from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest

from features.errors import RegistryError
from models.alert_threshold import THRESHOLD_TAG
from models.tracking import resolve_model
from training import decision
from training.decision import (
    ThresholdDecision,
    decide_threshold,
    load_holdout_predictions,
    model_uri,
    record_decision,
    render_decision,
)
from training.thresholds import AlertRate, MinExpectedCost, MinRecall, tune_threshold

CHAMPION_URI = "models:/diversion-detector@champion"
AT = datetime(2025, 6, 1, 14, 30, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("name", "given", "uri"),
    [
        ("m", "champion", "models:/m@champion"),
        ("m", "3", "models:/m/3"),
        ("m", 3, "models:/m/3"),
    ],
)
def test_model_uri_reads_a_number_as_a_version_and_anything_else_as_an_alias(name, given, uri):
    assert model_uri(name, given) == uri


def test_the_holdout_predictions_of_a_version_are_its_training_runs(trained, store_copy):
    version, predictions = load_holdout_predictions(store_copy, CHAMPION_URI)
    assert version.tags["run_id"] == trained.result.run_id
    run = store_copy.client.get_run(trained.result.run_id)
    assert len(predictions) == int(run.data.params["holdout_rows"])
    assert predictions["ship_date"].min() >= pd.Timestamp(trained.result.cutoff)
    assert {"diversion_score", "label", "destination_group"} <= set(predictions)


def test_a_version_without_a_run_id_tag_is_a_clear_error(store_copy):
    store_copy.client.create_model_version("diversion-detector", "runs:/unused/model")
    with pytest.raises(RegistryError, match="models:/diversion-detector/2 has no 'run_id' tag"):
        load_holdout_predictions(store_copy, "models:/diversion-detector/2")


def test_a_recorded_decision_sets_the_threshold_policy_metrics_time_and_user(store_copy):
    version, predictions = load_holdout_predictions(store_copy, CHAMPION_URI)
    choice = tune_threshold(predictions, AlertRate(0.1))
    record_decision(store_copy, version, choice, user="analyst", at=AT)
    tags = resolve_model(store_copy, CHAMPION_URI).tags
    assert float(tags[THRESHOLD_TAG]) == choice.threshold
    assert tags["alert_threshold_policy"] == "alert_rate"
    assert float(tags["alert_threshold_policy_value"]) == 0.1
    assert tags["alert_threshold_expected_precision"] == str(choice.metrics["precision"])
    assert tags["alert_threshold_set_at"] == "2025-06-01T12:30:00+00:00"
    assert tags["alert_threshold_set_by"] == "analyst"
    assert "alert_threshold_expected_expected_cost" not in tags


def test_a_new_decision_replaces_every_tag_of_the_previous_one(store_copy):
    version, predictions = load_holdout_predictions(store_copy, CHAMPION_URI)
    record_decision(store_copy, version, tune_threshold(predictions, MinExpectedCost(30)))
    assert "alert_threshold_expected_expected_cost" in resolve_model(store_copy, CHAMPION_URI).tags
    version = resolve_model(store_copy, CHAMPION_URI)
    record_decision(store_copy, version, tune_threshold(predictions, MinRecall(0.5)))
    tags = resolve_model(store_copy, CHAMPION_URI).tags
    assert tags["alert_threshold_policy"] == "min_recall"
    assert "alert_threshold_expected_expected_cost" not in tags
    assert tags["run_id"] == version.tags["run_id"]


def test_a_dry_run_decision_records_nothing_and_says_so(store_copy):
    dry = decide_threshold(store_copy, CHAMPION_URI, MinRecall(0.8), record=False)
    assert dry.tags is None
    assert THRESHOLD_TAG not in resolve_model(store_copy, CHAMPION_URI).tags
    assert "dry run: nothing recorded" in render_decision(dry)


def test_the_rendered_decision_gives_the_threshold_each_metric_and_where_it_went(store_copy):
    recorded = decide_threshold(store_copy, CHAMPION_URI, AlertRate(0.1), record=True)
    text = render_decision(recorded)
    assert f"threshold {recorded.choice.threshold:.6f}" in text
    for label in ("alert rate", "alerts a week", "precision", "recall"):
        assert f"  {label}" in text
    assert "recorded on models:/diversion-detector/1 as tag 'alert_threshold'" in text
    again = ThresholdDecision(resolve_model(store_copy, CHAMPION_URI), recorded.choice, None)
    assert f"keeps alert_threshold {recorded.tags[THRESHOLD_TAG]}" in render_decision(again)


def test_the_user_falls_back_to_the_environment_when_there_is_no_login_name(monkeypatch):
    def no_login():
        raise OSError("no login name")

    monkeypatch.setattr(decision.getpass, "getuser", no_login)
    monkeypatch.setenv("USER", "someone")
    assert decision.current_user() == "someone"
    monkeypatch.delenv("USER")
    assert decision.current_user() == "unknown"


def test_decision_times_are_recorded_in_utc():
    naive_utc = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    choice = tune_threshold(
        pd.DataFrame(
            {"diversion_score": [0.9, 0.1], "label": [1, 0], "ship_date": ["2025-01-01"] * 2}
        ),
        AlertRate(0.5),
    )
    tags = decision.decision_tags(choice, user="u", at=naive_utc)
    assert tags["alert_threshold_set_at"] == "2025-01-02T03:04:05+00:00"
