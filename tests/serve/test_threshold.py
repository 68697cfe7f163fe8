"""`divert threshold` as a user meets it: it records a decision that the next score uses."""

from pathlib import Path

import pandas as pd
import pytest

from features.errors import ThresholdPolicyError
from models.alert_threshold import THRESHOLD_TAG
from models.tracking import resolve_model
from serve.threshold import policy_from_options
from tests.serve.test_cli import divert
from training.thresholds import AlertRate, MinRecall

CHAMPION_URI = "models:/diversion-detector@champion"


@pytest.fixture
def home(store_copy) -> Path:
    """The DIVERT_HOME of the private store copy (no MLFLOW_TRACKING_URI is set)."""
    return Path(store_copy.uri.removeprefix("sqlite:///")).parent


def test_a_recorded_threshold_is_used_by_the_next_score(trained, store_copy, home, tmp_path):
    env = {"DIVERT_HOME": str(home)}
    decided = divert("threshold", "--model", CHAMPION_URI, "--alert-rate", "0.1", env=env)
    assert decided.returncode == 0, decided.stderr
    tags = resolve_model(store_copy, CHAMPION_URI).tags
    assert tags["alert_threshold_policy"] == "alert_rate"
    assert f"as tag 'alert_threshold' = {tags[THRESHOLD_TAG]}" in decided.stdout
    threshold = float(tags[THRESHOLD_TAG])
    training_default = store_copy.client.get_run(trained.result.run_id).data.params["threshold"]
    assert threshold != float(training_default)

    out = tmp_path / "scored.csv"
    scored = divert("score", trained.later, "--out", out, env=env)
    assert scored.returncode == 0, scored.stderr
    assert f"at threshold {threshold:.4f} (registry tag 'alert_threshold'" in scored.stderr
    rows = pd.read_csv(out)
    assert rows["alert"].tolist() == (rows["diversion_score"] >= threshold).tolist()


def test_a_dry_run_prints_the_decision_and_records_nothing(store_copy, home):
    env = {"DIVERT_HOME": str(home)}
    result = divert("threshold", "--cost-ratio", "20", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert "expected cost" in result.stdout and "dry run: nothing recorded" in result.stdout
    tags = resolve_model(store_copy, CHAMPION_URI).tags
    assert not any(key.startswith(THRESHOLD_TAG) for key in tags)


def test_an_unattainable_policy_is_one_message_and_exit_1(home):
    env = {"DIVERT_HOME": str(home)}
    result = divert("threshold", "--alert-rate", "0.0001", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: alert at most 0.01% of shipments allows 0 of")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--alert-rate", "0.1", "--min-recall", "0.5"),
        ("--min-precision", "1.5"),
        ("--alerts-per-week", "0"),
    ],
    ids=["no policy", "two policies", "precision above 1", "no alerts a week"],
)
def test_policy_usage_errors_exit_2(tmp_path, args):
    result = divert("threshold", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert not (tmp_path / ".divert").exists()


def test_exactly_one_policy_option_is_taken():
    options = dict.fromkeys(
        ("alert_rate", "alerts_per_week", "min_precision", "min_recall", "cost_ratio")
    )
    assert policy_from_options(options | {"alert_rate": 0.1}) == AlertRate(0.1)
    assert policy_from_options(options | {"min_recall": 0.9}) == MinRecall(0.9)
    with pytest.raises(ThresholdPolicyError, match="got --alert-rate, --min-recall"):
        policy_from_options(options | {"alert_rate": 0.1, "min_recall": 0.9})
    with pytest.raises(ThresholdPolicyError, match="got none"):
        policy_from_options(options)
