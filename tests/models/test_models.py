"""The estimator pieces: time-based calibration, the red-flag rules, reason texts."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from features.registry import feature_list
from models.calibration import TimeCalibratedClassifier
from models.reasons import reasons
from models.rules import (
    RED_FLAGS,
    RedFlagRules,
    model_checklist,
    red_flag_hits,
    red_flag_points,
)


def clean_features(rows: int = 4) -> pd.DataFrame:
    """Feature rows on which no red flag fires."""
    frame = pd.DataFrame(0.0, index=range(rows), columns=[f.name for f in feature_list()])
    return frame.assign(consignee_prior_shipments=5.0)


def test_no_red_flag_fires_on_a_clean_shipment():
    assert not red_flag_hits(clean_features()).to_numpy().any()
    assert (red_flag_points(clean_features()) == 0).all()


@pytest.mark.parametrize("flag", RED_FLAGS, ids=[flag.code for flag in RED_FLAGS])
def test_each_red_flag_adds_its_points(flag):
    features = clean_features(1)
    for feature, operator, value in flag.conditions:
        features[feature] = 2.0 if operator == "in 1-4" else value
    assert red_flag_points(features)[0] == flag.points


@pytest.mark.parametrize("flag", RED_FLAGS, ids=[flag.code for flag in RED_FLAGS])
def test_each_red_flag_stops_firing_on_its_clean_values(flag):
    names = {feature.name for feature in feature_list()}
    assert set(flag.clean) <= names and {feature for feature, _, _ in flag.conditions} <= names
    features = clean_features(1)
    for feature, operator, value in flag.conditions:
        features[feature] = 2.0 if operator == "in 1-4" else value
    assert flag.fires(features).all()
    assert not flag.fires(features.assign(**flag.clean)).any()


def test_the_rules_probability_never_falls_as_points_rise():
    rng = np.random.default_rng(0)
    features = clean_features(400)
    features["hs_chpl_tier_rank"] = rng.choice([0, 2, 6], size=400)
    features["route_transit_target"] = rng.integers(0, 2, size=400)
    labels = (red_flag_points(features) + rng.normal(0, 1, 400) > 4).astype(int)
    rules = RedFlagRules().fit(features, labels)
    order = np.argsort(red_flag_points(features))
    assert np.all(np.diff(rules.predict_proba(features)[order, 1]) >= 0)


def test_time_calibration_fits_on_early_rows_and_calibrates_on_late_ones():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 3))
    y = (x[:, 0] + rng.normal(0, 0.5, 2000) > 1).astype(int)
    model = TimeCalibratedClassifier(LogisticRegression(), calibration_share=0.25).fit(x, y)
    assert model.estimator_.n_features_in_ == 3
    assert len(model.isotonic_.X_thresholds_) > 2, "calibrated on the late rows"
    again = TimeCalibratedClassifier(LogisticRegression(), calibration_share=0.25).fit(x, y)
    np.testing.assert_array_equal(model.predict_proba(x), again.predict_proba(x))


def test_calibrated_scores_keep_the_classifiers_order_without_ties():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3000, 2))
    y = (x[:, 0] + rng.normal(0, 1, 3000) > 1.5).astype(int)
    model = TimeCalibratedClassifier(LogisticRegression()).fit(x, y)
    raw = model.estimator_.predict_proba(x)[:, 1]
    calibrated = model.predict_proba(x)[:, 1]
    order = np.argsort(raw)
    assert np.all(np.diff(calibrated[order]) > 0), "strictly increasing in the raw score"
    assert np.unique(calibrated).size == np.unique(raw).size
    assert np.abs(calibrated - model.isotonic_.predict(raw)).max() <= 1e-3


def test_gradient_boosting_stops_on_the_late_rows_when_they_stop_improving():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4000, 3))
    y = (x[:, 0] + rng.normal(0, 1, 4000) > 1).astype(int)
    boosting = HistGradientBoostingClassifier(max_iter=400, learning_rate=0.3, random_state=0)
    model = TimeCalibratedClassifier(boosting).fit(x, y)
    assert 0 < model.n_trees_ < 400


def test_reasons_name_the_flags_with_row_details_strongest_first():
    features = clean_features(2)
    features.loc[0, ["hs_chpl_tier_rank", "route_destination_hub_lists"]] = [6, 2]
    features.loc[0, "route_transit_target"] = 1
    shipments = pd.DataFrame(
        {
            "hs_code": ["854231", "300490"],
            "destination_country": ["KZ", "DE"],
            "transit_countries": ["PL;BY;RU", None],
            "consignee_country": ["KZ", "DE"],
        }
    )
    scores = np.array([0.9, 0.01])
    text = reasons(
        shipments, features, scores, lambda f: np.full(len(f), 0.5), np.array([True, False])
    )
    assert text[0].split(" | ") == [
        "CHPL12: CHPL tier 1 item (HS 854231) to diversion-risk country KZ",
        "TRANSIT: declared transit through PL;BY;RU",
    ]
    assert text[1] == ""


def test_risk_profiles_give_reasons_in_the_words_analysts_check():
    checklist = model_checklist(("Office ID",))
    features = clean_features(1).assign(
        profile_hs6_found_rate=0.31,
        profile_hs6_inspections=212.0,
        **{"profile_extra_Office ID_found_rate": 0.5, "profile_extra_Office ID_inspections": 40.0},
    )
    shipments = pd.DataFrame({"hs_code": ["854231"], "Office ID": ["OFF-7"]})
    explained = np.array([True])
    text = reasons(
        shipments, features, np.array([0.9]), lambda f: np.full(len(f), 0.5), explained, checklist
    )
    assert text.iloc[0] == (
        "RISKYHS: HS 854231 found diverted in 31 % of 212 earlier inspections | "
        "PROFILE Office ID: Office ID OFF-7 found diverted in 50 % of 40 earlier inspections"
    )
    assert not model_checklist().hits(features.assign(profile_hs6_inspections=2.0)).any(axis=None)
    unexplained = reasons(
        shipments, features, np.array([0.1]), lambda f: np.zeros(len(f)), ~explained, checklist
    )
    assert unexplained.iloc[0] == "", "no points: a reason only by its contribution"


def test_profile_flags_carry_no_checklist_points():
    """The red-flag rules baseline stays the hand checklist."""
    assert all(flag.points == 0 for flag in model_checklist(("office",)).flags[len(RED_FLAGS) :])
