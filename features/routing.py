"""Routing features: country groups of each party, transit, hub hops and mismatches."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from features.distinct import DistinctRows
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

TRANSPORT_MODE_CODES = {mode: float(code) for code, mode in enumerate(TRANSPORT_MODES)}
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
    flag(
        "route_partner_origin_third_country_exporter",
        "goods made in a partner country, exported from a third country (resold Western stock)",
    ),
)


@dataclass(frozen=True)
class RoutingRule:
    """Routing features of one shipment from a few of its fields, by one scalar function:
    the one definition, which the per-record path calls and the batch path applies once per
    distinct combination of the fields (few: countries, modes, terms, names repeat)."""

    names: tuple[str, ...]
    inputs: tuple[str, ...]
    compute: Callable[..., tuple[float, ...]]
    """``compute(reference, *values)``: the inputs' values, None where missing."""


def country_flags(reference: Reference, country: str | None) -> tuple[float, ...]:
    """Target, EAEU, number of official hub lists, partner: for one ISO-2 code."""
    groups = reference.countries
    hub_lists = sum(country in groups[name] for name in HUB_LISTS)
    return (
        float(country in groups.targets),
        float(country in groups["eaeu_member"]),
        float(hub_lists),
        float(country in groups.partners),
    )


def transit_flags(
    reference: Reference, transit: str | None, destination: str | None
) -> tuple[float, ...]:
    """Through Russia/Belarus, number of transit countries, hub hops (transit countries and
    the destination on a named hub list)."""
    countries = transit.split(TRANSIT_SEPARATOR) if transit else []
    groups = reference.countries
    return (
        float(any(country in groups.targets for country in countries)),
        float(len(countries)),
        float(sum(country in groups.named_hubs for country in [*countries, destination])),
    )


def _resold_from_elsewhere(reference, origin, exporter) -> tuple[float]:
    partners = reference.countries.partners
    return (float(origin in partners and exporter not in partners),)


def _payer_elsewhere(reference, payer, consignee, destination, exporter) -> tuple[float]:
    return (float(payer is not None and payer not in (consignee, destination, exporter)),)


RULES: tuple[RoutingRule, ...] = (
    *(
        RoutingRule(
            tuple(f"route_{party}_{name}" for name in COUNTRY_FLAGS),
            (f"{party}_country",),
            country_flags,
        )
        for party in PARTIES
    ),
    RoutingRule(
        ("route_transit_target", "route_transit_count", "route_hub_hops"),
        ("transit_countries", "destination_country"),
        transit_flags,
    ),
    RoutingRule(
        ("route_destination_differs",),
        ("destination_country", "consignee_country"),
        lambda reference, destination, consignee: (float(destination != consignee),),
    ),
    RoutingRule(
        ("route_end_user_differs",),
        ("end_user_country", "destination_country"),
        lambda reference, end_user, destination: (
            float(end_user is not None and end_user != destination),
        ),
    ),
    RoutingRule(
        ("route_payer_third_country",),
        ("payer_country", "consignee_country", "destination_country", "exporter_country"),
        _payer_elsewhere,
    ),
    RoutingRule(
        ("route_transport_mode",),
        ("transport_mode",),
        lambda reference, mode: (TRANSPORT_MODE_CODES.get(mode, np.nan),),
    ),
    RoutingRule(
        ("route_buyer_arranged_carriage",),
        ("incoterm",),
        lambda reference, incoterm: (float(incoterm in BUYER_ARRANGED_INCOTERMS),),
    ),
    RoutingRule(
        ("route_forwarder_named",),
        ("freight_forwarder",),
        lambda reference, forwarder: (float(forwarder is not None),),
    ),
    RoutingRule(
        ("route_consignee_logistics_name",),
        ("consignee_name",),
        lambda reference, name: (
            float(name is not None and LOGISTICS_NAME.search(name) is not None),
        ),
    ),
    RoutingRule(
        ("route_partner_origin_third_country_exporter",),
        ("origin_country", "exporter_country"),
        _resold_from_elsewhere,
    ),
)


def routing_features(shipments: pd.DataFrame, reference: Reference) -> pd.DataFrame:
    """The routing family for a batch: each rule once per distinct combination of its
    inputs."""
    distinct = DistinctRows(shipments)
    frames = [
        distinct.apply(rule.inputs, partial(rule.compute, reference), rule.names) for rule in RULES
    ]
    return pd.concat(frames, axis=1)[[feature.name for feature in FEATURES]]


def routing_values(record: Mapping[str, object], reference: Reference) -> dict[str, float]:
    """The routing family for one shipment (typed values, None where missing)."""
    values = {}
    for rule in RULES:
        computed = rule.compute(reference, *(record[name] for name in rule.inputs))
        values |= dict(zip(rule.names, computed, strict=True))
    return values
