"""The alert threshold rule: given > recorded > training default, and only probabilities."""

import pytest

from features.errors import ThresholdError
from models.alert_threshold import (
    THRESHOLD_TAG,
    TRAINING_SOURCE,
    threshold_in_force,
    version_threshold,
)
from models.tracking import ModelVersionInfo

TAGGED = ModelVersionInfo("m", "1", "models:/m/1", {THRESHOLD_TAG: "0.7"})
UNTAGGED = ModelVersionInfo("m", "1", "models:/m/1", {})


def test_a_given_threshold_beats_the_recorded_one_which_beats_training():
    assert version_threshold(TAGGED, 0.5, given=0.9).value == 0.9
    assert version_threshold(TAGGED, 0.5).value == 0.7
    assert version_threshold(UNTAGGED, 0.5).value == 0.5


def test_the_threshold_says_where_it_came_from():
    assert version_threshold(TAGGED, 0.5, given=0.9).source.startswith("command line")
    assert version_threshold(TAGGED, 0.5).source == "registry tag 'alert_threshold' of models:/m/1"
    assert version_threshold(UNTAGGED, 0.5).source == TRAINING_SOURCE


def test_a_given_zero_is_a_threshold_not_a_missing_value():
    assert version_threshold(TAGGED, 0.5, given=0.0).value == 0.0


@pytest.mark.parametrize("recorded", ["abc", "1.5", "nan", "-0.1", ""])
def test_a_recorded_threshold_that_is_not_a_probability_is_a_clear_error(recorded):
    version = ModelVersionInfo("m", "1", "models:/m/1", {THRESHOLD_TAG: recorded})
    with pytest.raises(
        ThresholdError, match=f"of models:/m/1: alert threshold '{recorded}' is not"
    ):
        version_threshold(version, 0.5)


@pytest.mark.parametrize("given", [1.5, float("nan"), True, "0.3x"])
def test_a_given_threshold_that_is_not_a_probability_is_a_clear_error(given):
    with pytest.raises(ThresholdError, match="param 'threshold'"):
        threshold_in_force(
            given=given,
            given_where="param 'threshold'",
            recorded=None,
            recorded_where="",
            training=0.5,
        )
