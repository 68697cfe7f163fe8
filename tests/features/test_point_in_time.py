"""A shipment's features depend only on what was known before its day."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.build import FeatureContext, compute_features
from features.errors import DivertError
from features.pit import day_numbers
from features.profiles import PRIOR_INSPECTIONS
from features.reference import Reference
from features.state import HistoryState
from tests.features.history_data import EXTRAS, random_history


@pytest.fixture(scope="module")
def context():
    return FeatureContext(Reference.load())


def features_at_once(shipments, context, state=None):
    frame, _ = compute_features(shipments, state or HistoryState.empty(EXTRAS), context)
    return frame


def features_in_chunks(shipments, context, chunk_rows):
    state, parts = HistoryState.empty(EXTRAS), []
    for start in range(0, len(shipments), chunk_rows):
        frame, state = compute_features(shipments.iloc[start : start + chunk_rows], state, context)
        parts.append(frame)
    return pd.concat(parts)


SEEDS = st.integers(0, 10_000)
FAST = settings(max_examples=10, deadline=None)


@FAST
@given(seed=SEEDS, order_seed=SEEDS)
def test_shuffling_rows_changes_no_rows_features(context, seed, order_seed):
    shipments = random_history(seed)
    shuffled = shipments.sample(frac=1, random_state=order_seed)
    expected = features_at_once(shipments, context)
    pd.testing.assert_frame_equal(features_at_once(shuffled, context).loc[expected.index], expected)


@FAST
@given(seed=SEEDS, cut=st.integers(1, 59))
def test_appending_later_shipments_changes_no_earlier_rows_features(context, seed, cut):
    shipments = random_history(seed)
    days = day_numbers(shipments["ship_date"])
    earlier = shipments[days < days[cut]]
    if earlier.empty:
        return
    alone = features_at_once(earlier, context)
    with_later = features_at_once(shipments, context).loc[alone.index]
    pd.testing.assert_frame_equal(with_later, alone)


@FAST
@given(seed=SEEDS, chunk_rows=st.integers(1, 31))
def test_chunks_of_any_size_in_date_order_equal_computing_at_once(context, seed, chunk_rows):
    shipments = random_history(seed, rows=30, days=60)
    pd.testing.assert_frame_equal(
        features_in_chunks(shipments, context, chunk_rows), features_at_once(shipments, context)
    )


@FAST
@given(seed=SEEDS, row=st.integers(0, 59))
def test_a_shipments_own_label_never_changes_its_own_features(context, seed, row):
    shipments = random_history(seed)
    flipped = shipments.copy()
    label = flipped.iloc[row]["diverted"]
    flipped.iloc[row, flipped.columns.get_loc("diverted")] = 0.0 if label == 1 else 1.0
    same_day = shipments["ship_date"] <= shipments.iloc[row]["ship_date"]
    original = features_at_once(shipments, context)[same_day.to_numpy()]
    changed = features_at_once(flipped, context)[same_day.to_numpy()]
    pd.testing.assert_frame_equal(changed, original)


def test_labels_of_earlier_days_do_count(context):
    shipments = random_history(3)
    labelled = shipments.assign(diverted=1.0)
    last = shipments.index[-1]
    before = features_at_once(shipments.assign(diverted=np.nan), context).loc[last]
    after = features_at_once(labelled, context).loc[last]
    assert after["consignee_prior_diversions"] > before["consignee_prior_diversions"] == 0
    assert after["profile_hs6_inspections"] > before["profile_hs6_inspections"] == 0
    assert np.isnan(before["profile_hs6_found_rate"]), "no inspection known yet"
    assert after["profile_hs6_found_rate"] == 1.0, "every earlier inspection found a diversion"


def test_an_outcome_counts_from_the_day_it_was_known_not_the_day_shipped(context):
    rows = random_history(4).iloc[:3].copy()
    rows["consignee_id"] = "C-ONE"
    rows["ship_date"] = pd.to_datetime(["2023-01-01", "2023-01-05", "2023-01-11"])
    rows["diverted"] = [1.0, np.nan, np.nan]
    rows["outcome_date"] = pd.to_datetime(["2023-01-10", None, None])
    frame = features_at_once(rows, context)
    assert frame["consignee_prior_diversions"].tolist() == [0, 0, 1]
    assert frame["profile_hs6_inspections"].iloc[1] == 0, "shipped before, known after"


def test_a_profile_rate_is_shrunk_toward_the_overall_rate(context):
    """Two inspections of an HS code, both found diverted, against an overall rate of 1/4."""
    rows = random_history(5).iloc[:6].copy()
    rows["hs_code"] = ["111111", "111111", "222222", "222222", "222222", "222222"]
    rows["diverted"] = [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    rows["ship_date"] = pd.Timestamp("2023-01-02")
    later = rows.iloc[:1].assign(ship_date=pd.Timestamp("2023-01-03"), diverted=np.nan)
    later.index = [999]
    frame = features_at_once(pd.concat([rows, later]), context).loc[999]
    overall = 2 / 6
    expected = (2 + PRIOR_INSPECTIONS * overall) / (2 + PRIOR_INSPECTIONS)
    assert frame["profile_hs6_inspections"] == 2
    assert frame["profile_hs6_found_rate"] == pytest.approx(expected)


@FAST
@given(seed=SEEDS, cut=st.integers(10, 50))
def test_a_state_fitted_up_to_a_cutoff_carries_forward_to_later_rows(context, seed, cut):
    shipments = random_history(seed)
    days = day_numbers(shipments["ship_date"])
    history, later = shipments[days < days[cut]], shipments[days >= days[cut]]
    _, state = compute_features(history, HistoryState.empty(EXTRAS), context)
    frozen = state.compact(before_day=int(days[cut]) - 365)
    carried = features_at_once(later, context, frozen)
    pd.testing.assert_frame_equal(carried, features_at_once(shipments, context).loc[later.index])


def test_ground_truth_columns_are_refused_as_inputs(context):
    shipments = random_history(1).assign(truth_diverted=1)
    with pytest.raises(DivertError, match=r"ground-truth column\(s\) \['truth_diverted'\]"):
        compute_features(shipments, HistoryState.empty(EXTRAS), context)
