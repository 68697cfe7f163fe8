"""Labels as they arise in practice: inspections chosen by red flags, outcomes with noise.

Only inspected shipments get a label. Inspectors pick shipments with the red flags of the
guidance (CHPL goods to hubs, young consignees, intermediaries, transit through Russia,
overpaying, screening hits) plus a small share of random audits and some intelligence-led
checks of real diversions; an inspection finds a diversion with probability
``DETECTION_RATE`` and wrongly flags a legitimate shipment with ``FALSE_POSITIVE_RATE``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from seeds.tables import CountryGroups
from training.simulator.calendar import day
from training.simulator.config import (
    DETECTION_RATE,
    FALSE_POSITIVE_RATE,
    FINCEN_ALERT_DATE,
    HIGH_PRIORITY_ALERT_DATE,
    INSPECTION_RATE,
    INVASION_DATE,
    RANDOM_AUDIT_RATE,
    SCREENING_VARIANT_HIT_RATE,
)

YOUNG_COMPANY_DAYS = 365
PRICE_ALERT_RATIO = 1.25
BISECTION_ROUNDS = 50

# Log-odds added by each signal an inspector sees [inference: the guidance names the flags,
# not their weights].
# fmt: off
SIGNAL_WEIGHTS: dict[str, float] = {
    "chpl_to_hub_after_invasion": 1.6,
    "chpl_to_hub_after_alert": 0.5,
    "chpl_to_hub_before_invasion": 0.3,
    "tier12_after_high_priority_alert": 0.4,
    "young_consignee": 1.0,
    "intermediary_consignee": 0.6,
    "transit_through_target_chpl": 1.5,
    "transit_through_target_other": 0.5,
    "price_above_norm": 0.9,
    "party_country_mismatch": 0.5,
    "direct_to_target_after_invasion": 0.8,
    "listed_consignee": 2.5,
    "variant_of_listed_party": 1.8,
    "address_of_listed_party": 1.2,
    "intelligence_tip": 1.0,
}
# fmt: on


@dataclass(frozen=True)
class Labels:
    inspected: np.ndarray
    diverted_label: np.ndarray
    probability: np.ndarray


def screening_dates(
    consignees: pd.DataFrame, listed_on: pd.Series, outsiders: pd.DataFrame
) -> pd.DataFrame:
    """Per consignee, when screening could first link it to a listed party.

    Columns: ``self_listed`` (its own listing), ``parent_listed`` (the listing of the party
    whose name it varies) and ``address_listed`` (earliest listing of another party at the
    same address); NaT where there is none.
    """
    own = listed_on.reindex(consignees.index).to_numpy(dtype="datetime64[D]")
    parent = consignees["parent"].to_numpy()
    outsider = consignees["parent_outsider"].to_numpy()
    outsider_days = outsiders["listed_on"].to_numpy(dtype="datetime64[D]")
    variant = (consignees["typology"] == "name_variant").to_numpy()
    parent_day = np.full(len(consignees), np.datetime64("NaT"), dtype="datetime64[D]")
    by_consignee = variant & (parent >= 0)
    parent_day[by_consignee] = own[parent[by_consignee]]
    by_outsider = variant & (outsider >= 0)
    parent_day[by_outsider] = outsider_days[outsider[by_outsider]]

    parties = pd.concat(
        [
            pd.DataFrame({"address": consignees["address"], "day": own, "row": consignees.index}),
            pd.DataFrame({"address": outsiders["address"], "day": outsider_days, "row": -1}),
        ],
        ignore_index=True,
    ).dropna(subset=["day"])
    address_day = np.full(len(consignees), np.datetime64("NaT"), dtype="datetime64[D]")
    if not parties.empty:
        first = parties.groupby("address")["day"].min()
        lookup = consignees["address"].map(first).to_numpy(dtype="datetime64[D]")
        sole = parties.groupby("address")["row"].agg(lambda r: r.iloc[0] if len(r) == 1 else -2)
        self_only = consignees["address"].map(sole).to_numpy() == consignees.index.to_numpy()
        address_day = np.where(self_only, np.datetime64("NaT"), lookup)
    return pd.DataFrame(
        {"self_listed": own, "parent_listed": parent_day, "address_listed": address_day},
        index=consignees.index,
    )


def _signals(
    rng: np.random.Generator,
    facts: dict[str, np.ndarray],
    ship_day: np.ndarray,
    consignees: pd.DataFrame,
    screening: pd.DataFrame,
    chpl: np.ndarray,
    tier12: np.ndarray,
    hub_country: np.ndarray,
) -> dict[str, np.ndarray]:
    row = facts["consignee"]
    post = ship_day >= day(INVASION_DATE)
    hub = hub_country[facts["own_country"]] | hub_country[facts["destination"]]
    registered = consignees["registered_on"].to_numpy(dtype="datetime64[D]")[row]
    age = (ship_day - registered).astype(np.int64)
    young = (age < YOUNG_COMPANY_DAYS) | (registered >= day(INVASION_DATE))
    kind = consignees["business_type"].to_numpy()[row]

    def known_by(column: str) -> np.ndarray:
        when = screening[column].to_numpy(dtype="datetime64[D]")[row]
        return ~np.isnat(when) & (when <= ship_day)

    variant_hit = known_by("parent_listed") & (rng.random(len(row)) < SCREENING_VARIANT_HIT_RATE)
    return {
        "chpl_to_hub_after_invasion": chpl & hub & post,
        "chpl_to_hub_after_alert": chpl & hub & (ship_day >= day(FINCEN_ALERT_DATE)),
        "chpl_to_hub_before_invasion": chpl & hub & ~post,
        "tier12_after_high_priority_alert": tier12 & (ship_day >= day(HIGH_PRIORITY_ALERT_DATE)),
        "young_consignee": young,
        "intermediary_consignee": np.isin(kind, ["freight_forwarder", "trading_house"]),
        "transit_through_target_chpl": facts["ru_transit"] & post & chpl,
        "transit_through_target_other": facts["ru_transit"] & post & ~chpl,
        "price_above_norm": facts["price_ratio"] > PRICE_ALERT_RATIO,
        "party_country_mismatch": (facts["destination"] != facts["own_country"])
        | facts["payer_differs"],
        "direct_to_target_after_invasion": facts["target_country"] & post,
        "listed_consignee": known_by("self_listed"),
        "variant_of_listed_party": variant_hit,
        "address_of_listed_party": known_by("address_listed"),
        "intelligence_tip": facts["diverted"],
    }


def _intercept(score: np.ndarray) -> float:
    """Intercept that makes the mean inspection probability equal ``INSPECTION_RATE``."""
    low, high = -30.0, 10.0
    for _ in range(BISECTION_ROUNDS):
        mid = (low + high) / 2
        rate = RANDOM_AUDIT_RATE + (1 - RANDOM_AUDIT_RATE) * np.mean(_sigmoid(mid + score))
        low, high = (mid, high) if rate < INSPECTION_RATE else (low, mid)
    return (low + high) / 2


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def inspect(
    rng: np.random.Generator,
    facts: dict[str, np.ndarray],
    ship_day: np.ndarray,
    consignees: pd.DataFrame,
    screening: pd.DataFrame,
    goods: pd.DataFrame,
    groups: CountryGroups,
    countries: np.ndarray,
) -> Labels:
    """Choose inspected shipments and their (noisy) outcome; ``diverted_label`` is NaN when
    not inspected, else 1.0 / 0.0."""
    hub_set = (
        groups.named_hubs
        | groups["research_supply_node"]
        | (groups["eaeu_member"] - groups.targets)
    )
    hub_country = np.isin(countries, sorted(hub_set))
    target = np.isin(countries, sorted(groups.targets))
    facts = facts | {"target_country": target[facts["own_country"]]}
    chpl = goods["chpl"].to_numpy()[facts["goods"]]
    tier12 = goods["tier12"].to_numpy()[facts["goods"]]
    signals = _signals(rng, facts, ship_day, consignees, screening, chpl, tier12, hub_country)
    score = np.zeros(len(ship_day))
    for name, weight in SIGNAL_WEIGHTS.items():
        score += weight * signals[name]
    probability = RANDOM_AUDIT_RATE + (1 - RANDOM_AUDIT_RATE) * _sigmoid(_intercept(score) + score)
    inspected = rng.random(len(score)) < probability
    found = np.where(
        facts["diverted"],
        rng.random(len(score)) < DETECTION_RATE,
        rng.random(len(score)) < FALSE_POSITIVE_RATE,
    )
    label = np.where(inspected, found.astype(np.float64), np.nan)
    return Labels(inspected=inspected, diverted_label=label, probability=probability)
