"""Legitimate look-alikes: lawful businesses that carry several red flags at once.

Red-flag checklists produce many false positives because ordinary firms in hub markets carry
the same flags as diverters, and several at a time: a trading house in Almaty registered in
2023 that imports Tier 1-2 components, pays through its group's Dubai office, sits in a
business centre and ships by rail across Russia is lawful trade in most cases. Each generator
here adds legitimate consignees of one kind (a ``profile``, see ``LOOKALIKES``); their truth
typology is "legitimate", and one ``Behaviour`` per profile in ``behaviour`` sets what their
shipments look like.

They differ from diverters in how they behave over time, which a checklist does not see and a
model's history features do: steady volumes (no growth curve, no burst), two to four regular
suppliers rather than any exporter of the sector, normal prices, long lives, no tie to a listed
party, and, because their flags draw inspections, a long record of clean inspections (with the
occasional false positive, ``config.FALSE_POSITIVE_RATE``, so "found diverting before" fires on
some of them too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from training.simulator.actors import (
    Registry,
    choose,
    new_consignees,
    random_days,
    repeat_countries,
)
from training.simulator.calendar import MonthGrid
from training.simulator.config import INVASION_DATE
from training.simulator.naming import address, with_other_office
from training.simulator.places import CAUCASUS, CENTRAL_ASIA, CONSIGNEE_BASELINE_SHARES


@dataclass(frozen=True)
class LookAlike:
    """One kind of legitimate look-alike [inference: the sources name these businesses, not
    their sizes or habits].

    ``trade_share``: per country, the share of its baseline legitimate trade that the kind adds
    once all its consignees trade; ``shipments_per_month``: typical size of one consignee (its
    count follows); ``business``/``sector``/``basket``: what they are and buy;
    ``at_business_centre``: share registered at a business-centre address shared with other
    firms; ``group_hq``: share belonging to a group
    whose headquarters abroad (``GROUP_HQ_COUNTRIES``) pays part of their invoices;
    ``rail_via_russia``: share of those in Central Asia and the Caucasus whose forwarder sends
    land freight through Russia; ``suppliers``: range of regular suppliers; ``growth``: range of
    the monthly log growth of their business.
    """

    trade_share: dict[str, float]
    shipments_per_month: float
    business: dict[str, float]
    sector: str
    basket: str
    at_business_centre: float
    group_hq: float
    rail_via_russia: float
    suppliers: tuple[int, int]
    growth: tuple[float, float] = (0.0, 0.0)


# fmt: off
LOOKALIKES: dict[str, LookAlike] = {
    "new_intermediary": LookAlike(
        trade_share={
            "KZ": 0.35, "KG": 0.40, "UZ": 0.30, "AM": 0.35, "GE": 0.30, "AZ": 0.15, "TJ": 0.15,
            "MN": 0.15, "AE": 0.20, "TR": 0.10, "HK": 0.14, "CN": 0.03, "SG": 0.07, "IN": 0.05,
            "MY": 0.07, "TH": 0.07, "VN": 0.07, "RS": 0.14,
        },
        shipments_per_month=4.5,
        business={"trading_house": 0.45, "distributor": 0.25, "freight_forwarder": 0.3},
        sector="electronics", basket="component_distribution",
        at_business_centre=0.6, group_hq=0.6, rail_via_russia=0.7, suppliers=(2, 4),
    ),
    "regional_distributor": LookAlike(
        trade_share={
            "KZ": 0.06, "KG": 0.06, "UZ": 0.05, "AM": 0.05, "GE": 0.05, "AE": 0.05, "TR": 0.03,
            "HK": 0.05, "CN": 0.01, "SG": 0.04, "IN": 0.02, "MY": 0.03, "TH": 0.02, "VN": 0.02,
            "RS": 0.03,
        },
        shipments_per_month=10.0,
        business={"distributor": 0.6, "trading_house": 0.4},
        sector="electronics", basket="component_distribution",
        at_business_centre=0.4, group_hq=0.5, rail_via_russia=0.4, suppliers=(3, 6),
    ),
    "growing_broker": LookAlike(
        trade_share={
            "HK": 0.05, "CN": 0.01, "AE": 0.05, "SG": 0.04, "TR": 0.04, "KZ": 0.05, "KG": 0.05,
            "AM": 0.05, "UZ": 0.04, "GE": 0.04, "IN": 0.03, "MY": 0.03, "TH": 0.02, "VN": 0.02,
            "RS": 0.04,
        },
        shipments_per_month=3.0,
        business={"trading_house": 0.6, "distributor": 0.3, "freight_forwarder": 0.1},
        sector="electronics", basket="component_distribution",
        at_business_centre=0.5, group_hq=0.25, rail_via_russia=0.3, suppliers=(1, 3),
        growth=(0.03, 0.10),
    ),
}
# fmt: on
"""The look-alike kinds, in the order of ``behaviour.LOOKALIKE_PROFILES``."""

GROUP_HQ_COUNTRIES: dict[str, float] = {
    "AE": 0.17, "SG": 0.11, "HK": 0.10, "CY": 0.09, "GB": 0.09, "CH": 0.09, "NL": 0.07,
    "DE": 0.07, "TR": 0.06, "US": 0.07, "VG": 0.04, "SC": 0.04,
}  # fmt: skip
"""Where regional groups keep the headquarters that pays for their subsidiaries' imports
(Gulf and Asian regional hubs, holding jurisdictions including the offshore BVI and Seychelles
holdings that diverters also use, Western parents) [inference]."""

NEW_FIRMS_UNTIL = date(2024, 6, 30)
"""New intermediaries register between the invasion and this date [inference]."""

ESTABLISHED_RANGE = (date(1995, 1, 1), date(2016, 12, 31))
"""Regional distributors were registered in this range [inference]."""

ONBOARDING_MONTHS = (2.0, 8.0)
"""Months from registration to the first shipment: suppliers vet post-2022 companies in hubs
before selling them controlled parts [inference]."""

EXIT_SHARE = 0.1
EXIT_AFTER_MONTHS = (18.0, 36.0)
"""Share of new intermediaries that stop trading, and when [inference]."""

TENANTS_PER_CENTRE = 4
EXISTING_CENTRE_SHARE = 0.5
SAME_DESK_SHARE = 0.8
"""Look-alikes at a business centre: half join an existing one (the busiest most often), the
others one of a few new ones per country (about four look-alikes each); 80 % use the centre's
registration address itself (flexi-desk licences), the others an office in it [inference]."""

SIZE_SIGMA = 0.5
"""Log-normal spread of look-alike sizes around the kind's typical size [inference]."""


def new_intermediaries(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    rows_per_weight_month: float,
    centres: dict[str, list[str]],
) -> pd.DataFrame:
    """Young legitimate trading houses, forwarders and distributors in hub markets.

    Registered after 2022-02-24, when Western suppliers moved regional distribution out of
    Moscow and new importers set up in Central Asia, the Caucasus, the Gulf and Asia to serve
    their own markets. They start trading after a few months of supplier vetting and buy Tier
    1-2 heavy component baskets at normal prices on EXW/FCA terms with their own forwarder;
    60 % belong to a regional group whose headquarters pays most of their invoices, 60 % sit in
    a business centre, and in Central Asia and the Caucasus 70 % use a forwarder that sends
    most of their freight by land through Russia (see ``LOOKALIKES`` and ``behaviour``).
    Red flags: CHPL tier 1-2, hub destination, EAEU (KZ, KG, AM), registered after the
    invasion, logistics or trading name, often a third-country payer, a mass-registration
    address and transit through Russia; "found diverting before" after a false-positive
    inspection.
    Unlike diverters: steady volumes from the first month to the end of the period (90 %), two
    to four regular suppliers, normal prices, no link to a listed party, a clean inspection
    record.
    """
    profile = LOOKALIKES["new_intermediary"]
    weights, countries = _sizes(rng, profile, rows_per_weight_month)
    n = len(countries)
    invasion = grid.fraction(INVASION_DATE)
    last = min(grid.fraction(NEW_FIRMS_UNTIL), grid.size - ONBOARDING_MONTHS[1] - 1.0)
    registered_at = rng.uniform(invasion + 0.5, max(last, invasion + 1.0), n)
    start = registered_at + rng.uniform(*ONBOARDING_MONTHS, n)
    exits = rng.random(n) < EXIT_SHARE
    stop = np.where(exits, start + rng.uniform(*EXIT_AFTER_MONTHS, n), float(grid.size))
    frame = _consignees(
        rng, registry, profile, countries, grid.position_days(registered_at), start,
        np.minimum(stop, grid.size), weights,
    )  # fmt: skip
    return _finish(rng, frame, "new_intermediary", profile, centres)


def regional_distributors(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    rows_per_weight_month: float,
    centres: dict[str, list[str]],
) -> pd.DataFrame:
    """Long-established component distributors serving a region from a hub.

    Authorised and independent distributors registered in 1995-2016 in Central Asia, the
    Caucasus, the Gulf and Asia, trading through the whole period with the same suppliers and
    the same Tier 1-2 heavy mix before and after the invasion. Half are subsidiaries of a
    group that pays part of their invoices, 12 % of shipments go straight to a customer in a
    neighbouring country, 40 % sit in a free-zone or business-centre address, and in Central
    Asia and the Caucasus 40 % use a forwarder that sends land freight through Russia. Their
    flags draw many inspections, so some carry a false-positive finding.
    Red flags: CHPL tier 1-2, hub destination, EAEU, often a trading name, a third-country payer
    (group headquarters), another declared destination, a mass-registration address, transit
    through Russia; "found diverting before" after a false-positive inspection.
    Unlike conduits: no change at the invasion (same volume, same CHPL share, same suppliers).
    """
    profile = LOOKALIKES["regional_distributor"]
    weights, countries = _sizes(rng, profile, rows_per_weight_month)
    n = len(countries)
    registered = random_days(rng, *ESTABLISHED_RANGE, n)
    frame = _consignees(
        rng, registry, profile, countries, registered, np.zeros(n), np.full(n, float(grid.size)),
        weights,
    )  # fmt: skip
    return _finish(rng, frame, "regional_distributor", profile, centres)


BROKERS_REGISTERED = (date(2019, 1, 1), date(2023, 12, 31))
"""Growing brokers were registered in this range, many during the 2021-2022 chip shortage
[inference]."""

BROKER_EXIT_SHARE = 0.3
"""Share of growing brokers that stop trading after ``EXIT_AFTER_MONTHS`` [inference]."""


def growing_brokers(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    rows_per_weight_month: float,
    centres: dict[str, list[str]],
) -> pd.DataFrame:
    """Young independent component brokers in hubs whose lawful trade grows fast.

    Spot-market brokers live on shortages: they buy Tier 1-2 parts from whichever Western
    exporter or distributor has stock (a quarter of their shipments from a regular supplier),
    in small lots, sometimes above the norm, and their volume grows 3-10 % a month. Registered
    2019-2023, trading from one to six months later, 30 % stop after 18-36 months.
    Red flags: everything a front company shows over time (young, many exporters, fast growth,
    CHPL tier 1-2 to a hub, small lots, premiums, trading name, business centre), without the
    diversion.
    Unlike diverters: no finding, no listing, no successor; prices only sometimes above the
    norm; some began before the invasion and grew through it.
    """
    profile = LOOKALIKES["growing_broker"]
    weights, countries = _sizes(rng, profile, rows_per_weight_month)
    n = len(countries)
    registered = random_days(rng, *BROKERS_REGISTERED, n)
    start = np.clip(grid.day_positions(registered) + rng.uniform(1.0, 6.0, n), 0.0, grid.size - 1)
    exits = rng.random(n) < BROKER_EXIT_SHARE
    stop = np.where(exits, start + rng.uniform(*EXIT_AFTER_MONTHS, n), float(grid.size))
    frame = _consignees(
        rng, registry, profile, countries, registered, start, np.minimum(stop, grid.size),
        weights,
    )  # fmt: skip
    frame["growth"] = rng.uniform(*profile.growth, n)
    return _finish(rng, frame, "growing_broker", profile, centres)


def _sizes(
    rng: np.random.Generator, profile: LookAlike, rows_per_weight_month: float
) -> tuple[np.ndarray, np.ndarray]:
    """Weights (in the units of legitimate weights) and countries of the kind's consignees."""
    totals = {c: s * CONSIGNEE_BASELINE_SHARES[c] for c, s in profile.trade_share.items()}
    per_consignee = profile.shipments_per_month / rows_per_weight_month
    counts = {c: max(1, round(total / per_consignee)) for c, total in totals.items()}
    countries = repeat_countries(counts)
    weights = rng.lognormal(0.0, SIZE_SIGMA, len(countries))
    for country, total in totals.items():
        mask = countries == country
        weights[mask] *= total / weights[mask].sum()
    return weights, countries


def _consignees(
    rng: np.random.Generator,
    registry: Registry,
    profile: LookAlike,
    countries: np.ndarray,
    registered: np.ndarray,
    start: np.ndarray,
    stop: np.ndarray,
    weights: np.ndarray,
) -> pd.DataFrame:
    n = len(countries)
    return new_consignees(
        rng,
        registry,
        countries=countries,
        business_types=choose(rng, profile.business, n),
        sectors=np.full(n, profile.sector),
        baskets=np.full(n, profile.basket),
        registered_on=registered,
        active_from=start,
        active_to=stop,
        weights=weights,
        typology="legitimate",
    )


def _finish(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    name: str,
    profile: LookAlike,
    centres: dict[str, list[str]],
) -> pd.DataFrame:
    """Profile, group headquarters, land-bridge forwarder and business-centre addresses."""
    n = len(frame)
    countries = frame["country"].to_numpy()
    frame["profile"] = name
    hq = choose(rng, GROUP_HQ_COUNTRIES, n).astype(str)
    abroad = (hq != countries) & (rng.random(n) < profile.group_hq)  # a local parent pays locally
    frame["hq_country"] = np.where(abroad, hq, "")
    east = np.isin(countries, sorted(CENTRAL_ASIA | CAUCASUS))
    frame["rail_via_russia"] = east & (rng.random(n) < profile.rail_via_russia)
    addresses = frame["address"].to_numpy(dtype=object)
    chosen = np.flatnonzero(rng.random(n) < profile.at_business_centre)
    for country in sorted(set(countries[chosen])):
        members = chosen[countries[chosen] == country]
        existing = centres.get(country, [])
        fresh = [address(rng, country) for _ in range(max(1, len(members) // TENANTS_PER_CENTRE))]
        for i in members:
            use_existing = existing and rng.random() < EXISTING_CENTRE_SHARE
            pool = existing if use_existing else fresh
            centre = pool[rng.integers(len(pool))]
            same_desk = rng.random() < SAME_DESK_SHARE
            addresses[i] = centre if same_desk else with_other_office(rng, centre)
    frame["address"] = addresses
    return frame


def lookalike_consignees(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    rows_per_weight_month: float,
    centres: dict[str, list[str]],
) -> pd.DataFrame:
    """Every kind of look-alike, in the order of ``LOOKALIKES`` (not yet equipped).

    ``rows_per_weight_month`` converts a kind's typical shipments per month into a weight;
    ``centres`` are the business-centre addresses by country (``actors.business_centres``).
    """
    frames = [
        generator(rng, registry, grid, rows_per_weight_month, centres)
        for generator in (new_intermediaries, regional_distributors, growing_brokers)
    ]
    return pd.concat(frames, ignore_index=True)


def with_regular_suppliers(rng: np.random.Generator, consignees: pd.DataFrame) -> pd.DataFrame:
    """Look-alikes (already equipped) with their kind's number of regular suppliers."""
    frame = consignees.copy()
    counts = frame["n_suppliers"].to_numpy().copy()
    for name, profile in LOOKALIKES.items():
        rows = np.flatnonzero(frame["profile"].to_numpy() == name)
        low, high = profile.suppliers
        counts[rows] = rng.integers(low, high + 1, len(rows))
    frame["n_suppliers"] = counts
    return frame
