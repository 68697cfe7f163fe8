"""Routing features: country groups of each party, transit, hub hops and mismatches."""

from __future__ import annotations

import re

import pandas as pd

from features.reference import Reference
from features.registry import category, flag, number
from features.schema import TRANSIT_SEPARATOR, TRANSPORT_MODES
from seeds import HUB_LISTS

BUYER_ARRANGED_INCOTERMS = frozenset({"EXW", "FCA", "FAS", "FOB"})
"""Terms under which the buyer nominates the carrier (a heuristic proxy, not a sourced flag)."""
LOGISTICS_NAME = re.compile(
    r"\b(logistic|logistics|cargo|forwarding|freight|express|shipping|transit|trade|trading|"
    r"import|export|impex|supply|supplies)\b",
    re.IGNORECASE,
)
"""Name words of freight forwarders, trading and logistics companies (red flag R11)."""

PARTIES = ("consignee", "destination", "end_user", "payer")

FEATURES = (
    *(
        feature
        for party in PARTIES
        for feature in (
            flag(
                f"route_{party}_target", f"{party.replace('_', ' ')} country is Russia or Belarus"
            ),
            flag(
                f"route_{party}_eaeu",
                f"{party.replace('_', ' ')} country is in the Eurasian Economic Union",
            ),
            number(
                f"route_{party}_hub_lists",
                f"official diversion-risk lists naming the {party.replace('_', ' ')} country (0-3)",
            ),
            flag(
                f"route_{party}_partner",
                f"{party.replace('_', ' ')} country applies equivalent export controls",
            ),
        )
    ),
    flag("route_transit_target", "the route transits Russia or Belarus"),
    number("route_transit_count", "number of declared transit countries"),
    number("route_hub_hops", "transit or destination countries on an official diversion-risk list"),
    flag("route_destination_differs", "declared destination differs from the consignee's country"),
    flag("route_end_user_differs", "end user's country differs from the declared destination"),
    flag(
        "route_payer_third_country",
        "payer is in a country that is neither the consignee's, the destination nor the exporter's",
    ),
    category("route_transport_mode", "transport mode: " + ", ".join(TRANSPORT_MODES)),
    flag(
        "route_buyer_arranged_carriage",
        "Incoterm EXW, FCA, FAS or FOB: the buyer picks the carrier",
    ),
    flag("route_forwarder_named", "a freight forwarder is named on the shipment"),
    flag(
        "route_consignee_logistics_name",
        "consignee's name reads like a forwarder, trading or logistics company",
    ),
)


def _country_columns(shipments: pd.DataFrame) -> dict[str, pd.Series]:
    return {
        "consignee": shipments["consignee_country"],
        "destination": shipments["destination_country"],
        "end_user": shipments["end_user_country"],
        "payer": shipments["payer_country"],
    }


def _hub_list_counts(countries: pd.Series, reference: Reference) -> pd.Series:
    counts = {
        code: sum(code in reference.countries[name] for name in HUB_LISTS)
        for code in countries.dropna().unique()
    }
    return countries.map(counts).fillna(0).astype("float64")


def _transit_items(shipments: pd.DataFrame) -> pd.Series:
    return shipments["transit_countries"].dropna().str.split(TRANSIT_SEPARATOR).explode()


def routing_features(shipments: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """The routing family: pure function of each shipment's own fields."""
    groups = reference.countries
    columns: dict[str, pd.Series] = {}
    for party, country in _country_columns(shipments).items():
        columns[f"route_{party}_target"] = country.isin(groups.targets)
        columns[f"route_{party}_eaeu"] = country.isin(groups["eaeu_member"])
        columns[f"route_{party}_hub_lists"] = _hub_list_counts(country, reference)
        columns[f"route_{party}_partner"] = country.isin(groups.partners)

    transit = _transit_items(shipments)
    index = shipments.index
    transit_target = transit.isin(groups.targets).groupby(level=0).any()
    transit_hubs = transit.isin(groups.named_hubs).groupby(level=0).sum()
    destination = shipments["destination_country"]
    end_user = shipments["end_user_country"]
    payer = shipments["payer_country"]
    payer_known = payer.notna()
    payer_elsewhere = (
        payer_known
        & (payer != shipments["consignee_country"])
        & (payer != destination)
        & (payer != shipments["exporter_country"])
    )
    mode_codes = {mode: float(code) for code, mode in enumerate(TRANSPORT_MODES)}
    columns |= {
        "route_transit_target": transit_target.reindex(index, fill_value=False),
        "route_transit_count": transit.groupby(level=0).size().reindex(index, fill_value=0),
        "route_hub_hops": transit_hubs.reindex(index, fill_value=0)
        + destination.isin(groups.named_hubs),
        "route_destination_differs": destination != shipments["consignee_country"],
        "route_end_user_differs": end_user.notna() & (end_user != destination),
        "route_payer_third_country": payer_elsewhere,
        "route_transport_mode": shipments["transport_mode"].map(mode_codes),
        "route_buyer_arranged_carriage": shipments["incoterm"].isin(BUYER_ARRANGED_INCOTERMS),
        "route_forwarder_named": shipments["freight_forwarder"].notna(),
        "route_consignee_logistics_name": _logistics_names(shipments["consignee_name"]),
    }
    frame = pd.DataFrame(columns, index=index)
    return frame.astype("float64")[[feature.name for feature in FEATURES]]


def _logistics_names(names: pd.Series) -> pd.Series:
    distinct = names.dropna().unique()
    matches = {name: bool(LOGISTICS_NAME.search(name)) for name in distinct}
    return names.map(matches).fillna(False).astype(bool)
