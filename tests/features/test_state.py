"""History states absorbed from parts of a history merge into the state of the whole."""

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.build import FeatureContext, query_features
from features.extras import ExtraColumns
from features.pit import EventTable
from features.reference import Reference
from features.state import HistoryState, StateMerger, address_keys
from tests.features.history_data import EXTRAS, random_history


@pytest.fixture(scope="module")
def context():
    return FeatureContext(Reference.load())


def absorbed(shipments, context, state=None):
    state = state or HistoryState.empty(EXTRAS)
    return state.absorb(shipments, context.reference, address_keys(shipments))


def tables(state):
    return {
        **{f"entity {kind}": table.frame for kind, table in state.entities.items()},
        **{f"pairs {kind}": table.frame for kind, table in state.counterparties.items()},
        "addresses": state.addresses.frame,
        **{f"prices {basis}": table.frame for basis, table in state.prices.items()},
        **{f"profile {name}": table.frame for name, table in state.profiles.items()},
    }


def assert_same_state(actual, expected):
    assert actual.last_day == expected.last_day
    actual_tables, expected_tables = tables(actual), tables(expected)
    assert actual_tables.keys() == expected_tables.keys()
    for name, frame in expected_tables.items():
        pd.testing.assert_frame_equal(actual_tables[name], frame, obj=name)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), split_seed=st.integers(0, 10_000))
def test_merging_the_states_of_any_two_parts_gives_the_state_of_the_whole(
    context, seed, split_seed
):
    shipments = random_history(seed)
    in_first = np.random.default_rng(split_seed).random(len(shipments)) < 0.5
    first, second = shipments[in_first], shipments[~in_first]
    whole = absorbed(shipments, context)
    merged = absorbed(first, context).merge(absorbed(second, context))
    assert_same_state(merged, whole)
    pd.testing.assert_frame_equal(
        query_features(shipments, merged, context), query_features(shipments, whole, context)
    )


def test_merging_parts_into_a_fitted_state_equals_absorbing_them_in_turn(context):
    history, later = random_history(1), random_history(2)
    fitted = absorbed(history, context)
    parts = [later.iloc[:20], later.iloc[20:45], later.iloc[45:]]
    in_turn = fitted
    for part in parts:
        in_turn = absorbed(part, context, in_turn)
    merged = fitted
    for part in reversed(parts):
        merged = merged.merge(absorbed(part, context))
    assert_same_state(merged, in_turn)


def test_merging_an_empty_state_changes_nothing(context):
    state = absorbed(random_history(3), context)
    assert_same_state(state.merge(HistoryState.empty(EXTRAS)), state)
    assert_same_state(HistoryState.empty(EXTRAS).merge(state), state)


def test_states_with_different_extras_do_not_merge():
    with pytest.raises(ValueError, match="cannot merge history states with extras"):
        HistoryState.empty(EXTRAS).merge(
            HistoryState.empty(ExtraColumns(entity_keys=("broker_id",)))
        )


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000), parts=st.integers(1, 9))
def test_merging_parts_as_they_come_equals_absorbing_them_in_turn(context, seed, parts):
    history = random_history(seed, rows=90)
    fitted = absorbed(random_history(seed + 1), context)
    in_turn, merger = fitted, StateMerger(EXTRAS)
    for part in np.array_split(np.arange(len(history)), parts):
        in_turn = absorbed(history.iloc[part], context, in_turn)
        merger.add(absorbed(history.iloc[part], context))
    assert_same_state(merger.merged(into=fitted), in_turn)


def test_a_table_pickled_as_its_frame_loads_as_the_same_table(context):
    """Bundles saved by earlier versions hold each table as a dataclass with its frame."""
    table = absorbed(random_history(4), context).entities["consignee"]
    earlier = EventTable.__new__(EventTable)
    earlier.__setstate__({"frame": table.frame})
    for loaded in (earlier, pickle.loads(pickle.dumps(table))):
        pd.testing.assert_frame_equal(loaded.frame, table.frame)
        pd.testing.assert_index_equal(loaded.keys, table.keys)
        np.testing.assert_array_equal(loaded.packed, table.packed)


def test_running_totals_are_exact_float64_for_small_counts_and_large_sums(context):
    table = absorbed(random_history(5), context).entities["consignee"]
    frame = table.frame
    for measure in table.measures:
        running = table.cumulative(measure)
        assert running.dtype == np.float64
        np.testing.assert_array_equal(running, np.concatenate([[0.0], frame[measure].cumsum()]))
    big = EventTable(frame.assign(value_cents=frame["value_cents"] * 2**40))
    assert big.cumulative("value_cents")[-1] == frame["value_cents"].sum() * 2**40


def test_first_days_are_each_keys_first_day_with_the_measure(context):
    table = absorbed(random_history(6, rows=120), context).entities["consignee"]
    frame = table.frame
    expected = frame[frame["diverted"] > 0].groupby("key")["day"].min()
    pd.testing.assert_series_equal(table.first_days("diverted"), expected)
    pd.testing.assert_series_equal(
        EventTable.empty(("diverted",)).first_days("diverted"),
        frame.iloc[:0].groupby("key")["day"].min(),
    )
