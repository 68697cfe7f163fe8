"""Two shipments that differ in one red flag move the matching feature the documented way."""

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from features.build import FeatureContext, compute_features
from features.docs import markdown_table
from features.intake import validate_frame
from features.reference import Reference
from features.registry import feature_list
from features.screening import WatchlistIndex
from features.state import HistoryState
from features.watchlist import watchlist_frame
from tests.factories import shipment

CLEAN = {
    "hs_code": "847330",
    "destination_country": "DE",
    "consignee_country": "DE",
    "end_user_country": "DE",
    "payer_country": "DE",
    "transit_countries": "",
    "consignee_registered_on": "2005-05-05",
    "consignee_name": "Muster Maschinenbau",
    "freight_forwarder": "",
    "incoterm": "DAP",
    "transport_mode": "road",
}


@pytest.fixture(scope="module")
def context():
    return FeatureContext(Reference.load())


def features_of(context, *rows: dict[str, str], state=None) -> pd.DataFrame:
    validated = validate_frame(pd.DataFrame(rows), labels=True)
    assert validated.rejects.empty, validated.rejects["reason"].tolist()
    frame, _ = compute_features(validated.shipments, state or HistoryState.empty(), context)
    return frame


RED_FLAGS = {
    "CHPL tier 1 chip": ({"hs_code": "854231"}, "hs_chpl_tier_rank", 6.0, 0.0),
    "CHPL tier 4.B machine tool": ({"hs_code": "845710"}, "hs_chpl_tier_rank", 1.0, 0.0),
    "hub destination": (
        {"destination_country": "KG", "consignee_country": "KG"},
        "route_destination_hub_lists",
        2.0,
        0.0,
    ),
    "EAEU destination": ({"destination_country": "KZ"}, "route_destination_eaeu", 1.0, 0.0),
    "transit via Russia": ({"transit_countries": "RU"}, "route_transit_target", 1.0, 0.0),
    "destination unlike the consignee": (
        {"destination_country": "AM"},
        "route_destination_differs",
        1.0,
        0.0,
    ),
    "payer in a third country": ({"payer_country": "AE"}, "route_payer_third_country", 1.0, 0.0),
    "Western goods from a hub distributor": (
        {"origin_country": "US", "exporter_country": "AE"},
        "route_partner_origin_third_country_exporter",
        1.0,
        0.0,
    ),
    "logistics-company consignee": (
        {"consignee_name": "Silk Road Logistics"},
        "route_consignee_logistics_name",
        1.0,
        0.0,
    ),
    "registered after the invasion": (
        {"consignee_registered_on": "2022-06-01"},
        "consignee_registered_after_invasion",
        1.0,
        0.0,
    ),
}


@pytest.mark.parametrize(
    ("change", "feature", "flagged", "clean"), RED_FLAGS.values(), ids=RED_FLAGS
)
def test_one_red_flag_moves_its_feature(context, change, feature, flagged, clean):
    frame = features_of(
        context,
        shipment(shipment_id="clean", **CLEAN),
        shipment(shipment_id="flagged", **{**CLEAN, **change}),
    )
    assert frame[feature].tolist() == [clean, flagged]


def test_a_fresh_registration_has_a_smaller_registration_age(context):
    frame = features_of(
        context,
        shipment(shipment_id="old", **CLEAN),
        shipment(shipment_id="new", **{**CLEAN, "consignee_registered_on": "2023-01-01"}),
    )
    old, new = frame["consignee_registration_age_days"]
    assert new < old


def test_a_unit_value_premium_shows_as_a_log_ratio_against_earlier_prices(context):
    history = [
        shipment(
            shipment_id=f"h{i}", ship_date=f"2023-01-{i + 1:02d}", value_usd="1000", quantity="100"
        )
        for i in range(6)
    ]
    normal = shipment(
        shipment_id="normal", ship_date="2023-02-01", value_usd="1000", quantity="100"
    )
    premium = shipment(
        shipment_id="premium", ship_date="2023-02-01", value_usd="1600", quantity="100"
    )
    frame = features_of(context, *history, normal, premium)
    assert frame["hs_unit_value_log_ratio"].iloc[-2] == pytest.approx(0.0, abs=1e-5)
    assert frame["hs_unit_value_log_ratio"].iloc[-1] == pytest.approx(math.log(1.6), abs=1e-5)
    assert frame["hs_unit_value_log_ratio"].iloc[:5].isna().all(), "needs 5 earlier prices"


def test_a_consignee_sharing_an_address_with_an_earlier_diverter_is_linked(context):
    address = "Komitas 26, Yerevan"
    frame = features_of(
        context,
        shipment(shipment_id="a", consignee_id="A", consignee_address=address, diverted="1"),
        shipment(
            shipment_id="b", consignee_id="B", consignee_address=address, ship_date="2023-04-01"
        ),
        shipment(
            shipment_id="c",
            consignee_id="C",
            consignee_address="Abay 10, Almaty",
            ship_date="2023-04-01",
        ),
    )
    assert frame["screen_address_prior_diverters"].tolist() == [0.0, 1.0, 0.0]
    assert frame["consignee_address_other_consignees"].tolist() == [0.0, 1.0, 0.0]


def test_a_consignee_buying_from_many_exporters_counts_them(context):
    rows = [
        shipment(shipment_id=f"s{i}", exporter_id=f"E{i % 3}", ship_date=f"2023-03-{i + 1:02d}")
        for i in range(6)
    ]
    frame = features_of(context, *rows)
    assert frame["consignee_distinct_counterparties"].tolist() == [0, 1, 2, 3, 3, 3]
    assert frame["consignee_prior_shipments"].tolist() == [0, 1, 2, 3, 4, 5]


def test_every_feature_has_an_analyst_docstring_and_a_conforming_name():
    families = ("hs_", "value_", "route_", "consignee_", "exporter_", "profile_", "screen_")
    for feature in feature_list():
        assert feature.name.startswith(families), feature.name
        assert feature.name == feature.name.lower() and " " not in feature.name
        assert 10 < len(feature.doc) <= 120 and "\n" not in feature.doc, feature.name
    assert len({feature.name for feature in feature_list()}) == len(feature_list())


def test_the_feature_docs_table_is_generated_from_the_registry():
    docs = Path(__file__).resolve().parents[2] / "docs" / "features.md"
    found = re.search(
        r"<!-- feature-table -->\n(.*?)<!-- /feature-table -->", docs.read_text(), re.S
    )
    assert found, "docs/features.md lost its <!-- feature-table --> markers"
    assert found.group(1) == markdown_table(), "regenerate it with: python -m features.docs"


@pytest.fixture(scope="module")
def screening_context():
    listed = watchlist_frame(
        [
            {
                "name": "OOO Radiotekhnika",
                "country": "RU",
                "addresses": ("Ulitsa Lenina 12, Moscow, RU",),
                "listed_on": "2022-06-01",
            }
        ]
    )
    return FeatureContext(Reference.load(), WatchlistIndex().fit(listed))


def test_a_listed_name_variant_scores_high_and_only_after_the_listing(screening_context):
    frame = features_of(
        screening_context,
        shipment(shipment_id="before", consignee_name="Radiotechnika LLC", ship_date="2022-05-01"),
        shipment(shipment_id="variant", consignee_name="Radiotechnika LLC"),
        shipment(shipment_id="unrelated", consignee_name="Muster Maschinenbau"),
    )
    before, variant, unrelated = frame["screen_consignee_name_score"]
    assert variant >= 88 > unrelated
    assert before == 0.0, "the list entry is dated after this shipment"


def test_an_address_shared_with_a_listed_party_is_flagged(screening_context):
    frame = features_of(
        screening_context,
        shipment(shipment_id="shared", consignee_address="ul. Lenina, 12, Moscow"),
        shipment(shipment_id="other", consignee_address="Abay Avenue 10, Almaty"),
    )
    assert frame["screen_consignee_address_listed"].tolist() == [1.0, 0.0]
