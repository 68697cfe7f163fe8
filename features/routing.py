"""Routing features: country groups of each party, transit, hub hops and mismatches."""

from __future__ import annotations

import re
from functools import partial

import numpy as np
import pandas as pd

from features.distinct import map_distinct, table_distinct
from features.reference import Reference
from features.registry import category, flag, number
from features.schema import TRANSIT_SEPARATOR, TRANSPORT_MODES
from seeds import HUB_LISTS

BUYER_ARRANGED_INCOTERMS = frozenset({"EXW", "FCA", "FAS", "FOB"})
"""Terms under which the buyer nominates the carrier (a heuristic proxy, not a sourced flag)."""
LOGISTICS_NAME = re.compile(
    r"\b(?:logistic|logistics|cargo|forwarding|freight|express|shipping|transit|trade|trading|"
    r"import|export|impex|supply|supplies)\b",
    re.IGNORECASE,
)
"""Name words of freight forwarders, trading and logistics companies (red flag R11)."""

PARTIES = ("consignee", "destination", "end_user", "payer")
COUNTRY_FLAGS = ("target", "eaeu", "hub_lists", "partner")
"""The per-party feature suffixes, in the order ``country_flags`` returns them."""

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


def routing_features(shipments: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """The routing family: pure function of each shipment's own fields."""
    groups = reference.countries
    index = shipments.index
    parties = [
        table_distinct(
            country,
            partial(country_flags, reference=reference),
            [f"route_{party}_{flag}" for flag in COUNTRY_FLAGS],
        )
        for party, country in _country_columns(shipments).items()
    ]
    transit = table_distinct(
        shipments["transit_countries"],
        partial(transit_flags, reference=reference),
        ["route_transit_target", "route_transit_count", "route_transit_hubs"],
    )
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
    columns = {
        "route_hub_hops": transit["route_transit_hubs"] + destination.isin(groups.named_hubs),
        "route_destination_differs": destination != shipments["consignee_country"],
        "route_end_user_differs": end_user.notna() & (end_user != destination),
        "route_payer_third_country": payer_elsewhere,
        "route_transport_mode": table_distinct(
            shipments["transport_mode"],
            lambda mode: (mode_codes.get(mode, np.nan),),
            ["mode"],
        )["mode"],
        "route_buyer_arranged_carriage": shipments["incoterm"].isin(BUYER_ARRANGED_INCOTERMS),
        "route_forwarder_named": shipments["freight_forwarder"].notna(),
        "route_consignee_logistics_name": _logistics_names(shipments["consignee_name"]),
    }
    frame = pd.concat([*parties, transit, pd.DataFrame(columns, index=index)], axis=1)
    return frame.astype("float64")[[feature.name for feature in FEATURES]]


def country_flags(country: str | None, reference: Reference) -> tuple[float, ...]:
    """Target, EAEU, number of official hub lists, partner: for one ISO-2 code."""
    groups = reference.countries
    hub_lists = sum(country in groups[name] for name in HUB_LISTS)
    return (
        float(country in groups.targets),
        float(country in groups["eaeu_member"]),
        float(hub_lists),
        float(country in groups.partners),
    )


def transit_flags(transit: str | None, reference: Reference) -> tuple[float, ...]:
    """Through Russia/Belarus, number of transit countries, number of them that are hubs."""
    countries = transit.split(TRANSIT_SEPARATOR) if transit else []
    groups = reference.countries
    return (
        float(any(country in groups.targets for country in countries)),
        float(len(countries)),
        float(sum(country in groups.named_hubs for country in countries)),
    )


def _logistics_names(names: pd.Series) -> pd.Series:
    matches = LOGISTICS_NAME.search
    return map_distinct(names, lambda name: bool(matches(name)), dtype="bool", missing=False)
