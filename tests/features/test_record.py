"""The per-record path gives each shipment the values and the feature row of the file path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.build import FeatureContext, query_features
from features.column_map import ColumnMap
from features.extras import ExtraColumns
from features.intake import validate_frame
from features.record import RecordFeatures
from features.record_validation import parse_record
from features.reference import Reference
from features.registry import feature_list
from features.schema import NUMERIC_KINDS, SHIPMENT_COLUMNS
from features.screening import WatchlistIndex
from features.state import HistoryState, address_keys
from features.watchlist import read_watchlist
from tests.factories import shipment

WATCHLISTS = Path(__file__).resolve().parents[1] / "data" / "watchlists"
FIRST_DAY = pd.Timestamp("2023-01-01")
POOLS = {
    "consignee_id": ("C1", "C2", "C3", "", "c-1", "C 2"),
    "exporter_id": ("E1", "E2", "e.1"),
    "consignee_address": (
        "Komitas 26/114, Yerevan, Armenia, AM",  # listed in the CSL sample
        "Komitas 26/114 Yerevan",
        "Abay 10, Almaty",
        "",
    ),
    "consignee_country": ("AM", "KZ", "AE", "Kazakhstan", "uae"),
    "destination_country": ("AM", "KZ", "RU", "BY", "DE"),
    "transit_countries": ("", "KZ", "KZ;RU", "GE; AM", " ; "),
    "end_user_country": ("", "RU", "AM"),
    "payer_country": ("", "AE", "HK", "DE"),
    "hs_code": ("8542.31.00", "853224", "8482 10", "300490", "9403.20.0080"),
    "quantity": ("", "0", "1", "250"),
    "net_mass_kg": ("", "0", "2.5", "40"),
    "origin_country": ("", "US", "CN"),
    "consignee_registered_on": ("", "2019-05-01", "2022-06-01"),
    "transport_mode": ("", "air", "SEA", "road"),
    "incoterm": ("", "exw", "FCA", "DAP"),
    "freight_forwarder": ("", "Fast Cargo LLC"),
    "diverted": ("", "", "0", "1"),
}
EXTRA_POOLS = {
    "broker_id": ("", "B1", "B2"),
    "office": ("", "O1", "O2", "O3"),
    "tax_rate": ("", "0", "8.5"),
}
EXTRAS = ColumnMap(
    entity_keys=("broker_id",), categorical_extras=("office",), numeric_extras=("tax_rate",)
)
"""The column map of ``raw_history``'s extra columns."""


@pytest.fixture(scope="module")
def watchlist() -> WatchlistIndex:
    return WatchlistIndex().fit(read_watchlist(WATCHLISTS / "us_csl_sample_current_format.csv"))


@pytest.fixture(scope="module")
def listed_names(watchlist) -> list[str]:
    return watchlist.entries_["name"].head(5).tolist()


def raw_history(seed: int, names: list[str], rows: int = 80) -> list[dict[str, str]]:
    """Raw rows over two years, drawing every field from small pools (listed names
    included), so that entities, addresses, prices and listings repeat across days."""
    rng = np.random.default_rng(seed)
    pick = lambda pool: str(rng.choice(pool))  # noqa: E731
    name_pool = (*names, "Armtech Trading LLC", "Armtech Trading", "Blue Sky Logistics")
    return [
        shipment(
            shipment_id=f"S-{i:04d}",
            ship_date=str((FIRST_DAY + pd.Timedelta(days=int(day))).date()),
            consignee_name=pick(name_pool),
            end_user_name=pick(("", *name_pool)),
            value_usd=pick(("0", *(f"{rng.lognormal(8, 1):.2f}",) * 9)),
            **{column: pick(pool) for column, pool in POOLS.items()},
        )
        | {column: pick(pool) for column, pool in EXTRA_POOLS.items()}
        for i, day in enumerate(np.sort(rng.integers(0, 730, size=rows)))
    ]


def request_record(raw: dict[str, str]) -> dict[str, object]:
    """A raw row as the request model types it: numbers as floats, empty as None."""
    numeric = {column.name for column in SHIPMENT_COLUMNS if column.kind in NUMERIC_KINDS}
    record = {}
    for name in (*(column.name for column in SHIPMENT_COLUMNS), *EXTRAS.extras):
        value = raw.get(name, "")
        if value == "":
            record[name] = None
        else:
            number = name in numeric or name in EXTRAS.numeric_extras
            record[name] = float(value) if number else value
    return record


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), cut=st.integers(5, 75))
def test_each_shipment_gets_the_feature_row_of_the_file_path(watchlist, listed_names, seed, cut):
    raw = raw_history(seed, listed_names)
    validated = validate_frame(pd.DataFrame(raw), EXTRAS, labels=True)
    assert validated.rejects.empty
    shipments = validated.shipments
    known, asked = shipments.iloc[:cut], shipments.iloc[cut:]
    context = FeatureContext(Reference.load(), watchlist, workers=1)
    extras = EXTRAS.extra_columns.fitted(known)
    state = HistoryState.empty(extras).absorb(known, context.reference, address_keys(known))
    expected = query_features(asked, state, context)

    featurise = RecordFeatures(state, context)
    records = [parse_record(request_record(row), extras) for row in raw[cut:]]
    actual = pd.DataFrame(featurise.rows(records), columns=featurise.names, index=asked.index)
    pd.testing.assert_frame_equal(actual, expected)


@pytest.mark.parametrize(
    "extras",
    [ExtraColumns(), ExtraColumns(("broker_id",), ("office",), ("tax_rate",), {"office": ("O1",)})],
)
def test_the_record_path_computes_exactly_the_registry_features(watchlist, extras):
    context = FeatureContext(Reference.load(), watchlist, workers=1)
    featurise = RecordFeatures(HistoryState.empty(extras), context)
    given = {"broker_id": "B-1", "office": "O1", "tax_rate": 8.0}
    record = parse_record(request_record(shipment()) | given, extras)
    assert sorted(featurise.values(record)) == sorted(f.name for f in feature_list(extras))


def test_without_a_watchlist_the_screening_scores_are_empty_as_in_the_file_path():
    raw = raw_history(1, [], rows=20)
    shipments = validate_frame(pd.DataFrame(raw), labels=True).shipments
    context = FeatureContext(Reference.load())
    state = HistoryState.empty().absorb(
        shipments[:10], context.reference, address_keys(shipments[:10])
    )
    featurise = RecordFeatures(state, context)
    row = dict(zip(featurise.names, featurise(parse_record(request_record(raw[15]))), strict=True))
    expected = query_features(shipments[15:16], state, context).iloc[0]
    assert np.isnan(row["screen_consignee_name_score"])
    assert row == pytest.approx(expected.to_dict(), nan_ok=True)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_canonical_records_parse_to_the_values_the_file_validator_gives(listed_names, seed):
    raw = raw_history(seed, listed_names, rows=40)
    shipments = validate_frame(pd.DataFrame(raw)).shipments
    for row, (_, expected) in zip(raw, shipments.iterrows(), strict=True):
        parsed = parse_record(request_record(row))
        for column, value in expected.items():
            given = parsed[column]
            if pd.isna(value):
                assert given is None or pd.isna(given), column
            elif column.endswith(("_date", "_on")):
                assert given == np.datetime64(value.date(), "D"), column
            else:
                assert given == value, column


@pytest.mark.parametrize(
    "overrides",
    [
        {"ship_date": "14/03/2023"},
        {"ship_date": "2023-02-30"},
        {"ship_date": "2023-03-14T10:00"},
        {"ship_date": "1650-01-01"},
        {"consignee_country": "Atlantis"},
        {"transit_countries": "KZ;XX"},
        {"hs_code": "85423"},
        {"hs_code": "8542 31 AB"},
        {"quantity": "-1"},
        {"transport_mode": "teleport"},
        {"incoterm": "CIF2010"},
        {"consignee_name": "", "consignee_id": ""},
        {"shipment_id": "  "},
        {"goods_description": "chips\x00"},
    ],
    ids=lambda overrides: f"{next(iter(overrides))}={next(iter(overrides.values()))!r}",
)
def test_records_that_are_not_canonical_are_left_to_the_file_validator(overrides):
    assert parse_record(request_record(shipment(**overrides))) is None


@pytest.mark.parametrize("label", ["1", "0", "0.5", "-7"])
def test_a_label_is_ignored_by_both_validators_whatever_its_value(label):
    record = shipment(diverted=label)
    parsed = parse_record(request_record(record))
    validated = validate_frame(pd.DataFrame([record]))
    assert validated.rejects.empty
    assert np.isnan(parsed["diverted"]) and validated.shipments["diverted"].isna().all()
