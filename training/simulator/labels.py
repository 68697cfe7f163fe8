"""Labels as they arise in practice: inspections chosen by what an authority sees, outcomes late.

Only inspected shipments get a label. Inspectors pick shipments with the red flags of the
guidance (CHPL goods to hubs, young consignees, intermediaries, transit through Russia,
overpaying, screening hits), a small share of random audits and rare tips, which are noisy: most
point at real diversions, some at lawful trade. Nothing an inspector could not see enters the
choice. An inspection finds a diversion with the world's detection rate (``DETECTION_RATE``
by default) and wrongly flags a legitimate shipment with ``FALSE_POSITIVE_RATE``; its outcome
becomes known months later
(``outcome_day``), and outcomes not known by the end of the window are missing.

Every random number is drawn once per row (``InspectionDraws``) and the intercept is fixed on
the first labelling, so relabelling after a successor takes over (``successors``) changes
only the rows whose signals changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from seeds.tables import CountryGroups
from training.simulator.calendar import day
from training.simulator.config import (
    FALSE_POSITIVE_RATE,
    FINCEN_ALERT_DATE,
    HIGH_PRIORITY_ALERT_DATE,
    INVASION_DATE,
    OUTCOME_DELAY_SIGMA,
    RANDOM_AUDIT_RATE,
    SCREENING_VARIANT_HIT_RATE,
    TIP_RATE_LEGITIMATE,
    WorldSettings,
)

YOUNG_COMPANY_DAYS = 365
PRICE_ALERT_RATIO = 1.25
BISECTION_ROUNDS = 50

# Log-odds added by each signal an inspector sees [inference: the guidance names the flags,
# not their weights]. The flags are weak on their own, so true diversions are inspected at a
# few percent (`docs/simulator.md`); screening hits and tips weigh more, and a declaration to
# Russia or Belarus by a consignee elsewhere needs a licence, so it is nearly always checked.
# fmt: off
SIGNAL_WEIGHTS: dict[str, float] = {
    "chpl_to_hub_after_invasion": 0.8,
    "chpl_to_hub_after_alert": 0.25,
    "chpl_to_hub_before_invasion": 0.15,
    "tier12_after_high_priority_alert": 0.2,
    "young_consignee": 0.5,
    "intermediary_consignee": 0.3,
    "transit_through_target_chpl": 0.75,
    "transit_through_target_other": 0.25,
    "price_above_norm": 0.45,
    "party_country_mismatch": 0.25,
    "direct_to_target_after_invasion": 0.4,
    "declared_to_target_after_invasion": 4.0,
    "listed_consignee": 2.5,
    "variant_of_listed_party": 1.8,
    "address_of_listed_party": 1.2,
    "tip": 2.5,
}
# fmt: on


@dataclass(frozen=True)
class Labels:
    """Per row: inspected or not, the label (NaN unless inspected and known by the end), the
    inspection probability and the day the outcome became known (NaT when not inspected)."""

    inspected: np.ndarray
    diverted_label: np.ndarray
    probability: np.ndarray
    outcome_day: np.ndarray


@dataclass(frozen=True)
class InspectionDraws:
    """The label step's random numbers, one per row and purpose."""

    screening: np.ndarray
    tip: np.ndarray
    inspection: np.ndarray
    outcome: np.ndarray
    delay_days: np.ndarray

    @classmethod
    def draw(cls, rng: np.random.Generator, rows: int, median_delay_days: int) -> InspectionDraws:
        delay = median_delay_days * np.exp(OUTCOME_DELAY_SIGMA * rng.standard_normal(rows))
        return cls(
            screening=rng.random(rows),
            tip=rng.random(rows),
            inspection=rng.random(rows),
            outcome=rng.random(rows),
            delay_days=np.maximum(np.round(delay), 1).astype(np.int64),
        )


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
    draws: InspectionDraws,
    settings: WorldSettings,
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

    tip_rate = np.where(facts["diverted"], settings.tip_rate_diverted, TIP_RATE_LEGITIMATE)
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
        "declared_to_target_after_invasion": facts["target_destination"]
        & ~facts["target_country"]
        & post,
        "listed_consignee": known_by("self_listed"),
        "variant_of_listed_party": known_by("parent_listed")
        & (draws.screening < SCREENING_VARIANT_HIT_RATE),
        "address_of_listed_party": known_by("address_listed"),
        "tip": draws.tip < tip_rate,
    }


def _intercept(score: np.ndarray, inspection_rate: float) -> float:
    """Intercept that makes the mean inspection probability equal ``inspection_rate``."""
    low, high = -30.0, 10.0
    for _ in range(BISECTION_ROUNDS):
        mid = (low + high) / 2
        rate = RANDOM_AUDIT_RATE + (1 - RANDOM_AUDIT_RATE) * np.mean(_sigmoid(mid + score))
        low, high = (mid, high) if rate < inspection_rate else (low, mid)
    return (low + high) / 2


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class Inspector:
    """Chooses inspections and their outcomes for one history, relabelling on demand.

    The goods, countries, random numbers and (after the first call) the intercept are fixed,
    so a row's label changes only when its consignee's facts do.
    """

    def __init__(
        self,
        draws: InspectionDraws,
        settings: WorldSettings,
        ship_day: np.ndarray,
        goods: pd.DataFrame,
        groups: CountryGroups,
        countries: np.ndarray,
        end: np.datetime64,
    ) -> None:
        hub_set = (
            groups.named_hubs
            | groups["research_supply_node"]
            | (groups["eaeu_member"] - groups.targets)
        )
        self.hub_country = np.isin(countries, sorted(hub_set))
        self.target = np.isin(countries, sorted(groups.targets))
        self.goods = goods
        self.draws = draws
        self.settings = settings
        self.ship_day = ship_day
        self.end = end
        self.intercept: float | None = None

    def labels(
        self, facts: dict[str, np.ndarray], consignees: pd.DataFrame, screening: pd.DataFrame
    ) -> Labels:
        """Inspections and outcomes; ``diverted_label`` is NaN when not inspected or not known
        by the end of the window, else 1.0 / 0.0."""
        facts = facts | {
            "target_country": self.target[facts["own_country"]],
            "target_destination": self.target[facts["destination"]],
        }
        chpl = self.goods["chpl"].to_numpy()[facts["goods"]]
        tier12 = self.goods["tier12"].to_numpy()[facts["goods"]]
        signals = _signals(
            self.draws,
            self.settings,
            facts,
            self.ship_day,
            consignees,
            screening,
            chpl,
            tier12,
            self.hub_country,
        )
        score = np.zeros(len(self.ship_day))
        for name, weight in SIGNAL_WEIGHTS.items():
            score += weight * signals[name]
        if self.intercept is None:
            self.intercept = _intercept(score, self.settings.inspection_rate)
        probability = RANDOM_AUDIT_RATE + (1 - RANDOM_AUDIT_RATE) * _sigmoid(self.intercept + score)
        inspected = self.draws.inspection < probability
        found = self.draws.outcome < np.where(
            facts["diverted"], self.settings.detection_rate, FALSE_POSITIVE_RATE
        )
        outcome_day = self.ship_day + self.draws.delay_days.astype("timedelta64[D]")
        outcome_day = np.where(inspected, outcome_day, np.datetime64("NaT"))
        known = inspected & (outcome_day <= self.end)
        label = np.where(known, found.astype(np.float64), np.nan)
        return Labels(
            inspected=inspected,
            diverted_label=label,
            probability=probability,
            outcome_day=np.where(known, outcome_day, np.datetime64("NaT")),
        )
