"""Exporters and consignees: who ships, who receives, where they sit and whom they buy from.

Consignees of every kind (legitimate, relocated, diverting) share one table layout, built by
``new_consignees``; the typology generators in ``typologies`` add their own rows to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from seeds.tables import CountryGroups
from training.simulator.calendar import MonthGrid, day
from training.simulator.config import (
    CONSIGNEE_ID_UNKNOWN_SHARE,
    INVASION_DATE,
    REGISTRY_UNKNOWN_SHARE,
    RU_WIND_DOWN_DAYS,
)
from training.simulator.goods import MIXED_BASKET, SECTORS, Catalogue
from training.simulator.naming import (
    BUSINESS_TYPES,
    CompanyName,
    address,
    exporter_id,
    name_key,
    registry_id,
    unique_company_names,
    with_other_office,
)
from training.simulator.places import (
    CONSIGNEE_BASELINE_SHARES,
    EXPORTER_COUNTRY_WEIGHTS,
    REEXPORTER_COUNTRIES,
)

REEXPORTED_SECTORS = ("electronics", "telecom_it", "instruments")
"""What hub distributors resell from Western stock."""
REEXPORTERS_PER_EXPORTER = 0.1
"""Hub re-exporters per Western exporter [inference]."""

SUPPLIER_SLOTS = 6
STAPLE_SLOTS = 3
ESTABLISHED_SINCE = date(1990, 1, 1)
ESTABLISHED_UNTIL = date(2019, 12, 31)
"""Registration dates of long-established companies fall in this range [inference]."""

PARETO_SHAPE = 1.3
PARETO_CAP = 300.0
"""Shape and cap of the heavy-tailed consignee and exporter sizes [inference]."""

BIRTH_SHARE = 0.12
EXIT_SHARE = 0.08
"""Share of legitimate consignees that appear, or stop trading, inside the grid [inference]."""

HUMANITARIAN_SHARE_IN_TARGETS = 0.25
"""Share of Russian/Belarusian consignees that buy medicines and food only [inference]."""

OCCASIONAL_ROW_SHARE = 0.08
OCCASIONAL_MONTHS = (1.0, 9.0)
OCCASIONAL_SHIPMENTS = 3.0
"""Occasional legitimate buyers carry 8 % of a market's rows, each active one to nine months
with about three shipments [inference: real customs files have a long tail of one-off
importers; without it, "new to the file" would single out diverters]."""

MASS_ADDRESS_SHARE = 0.08
"""Share of legitimate hub consignees registered at a business-centre address [inference]."""

# fmt: off
_MANUFACTURER_SECTORS = {
    "electronics": 0.14, "telecom_it": 0.08, "instruments": 0.06, "aerospace": 0.02,
    "semicon_equipment": 0.02, "machine_tools": 0.06, "industrial": 0.18, "automotive": 0.14,
    "chemicals": 0.10, "pharma": 0.08, "food": 0.08, "consumer": 0.04,
}
_DISTRIBUTOR_SECTORS = {
    "electronics": 0.22, "telecom_it": 0.15, "instruments": 0.10, "aerospace": 0.02,
    "semicon_equipment": 0.01, "machine_tools": 0.05, "industrial": 0.15, "automotive": 0.08,
    "chemicals": 0.06, "pharma": 0.07, "food": 0.05, "consumer": 0.04,
}
_BUSINESS_MIX = {  # shares of BUSINESS_TYPES, in order, by country class
    "partner": (0.50, 0.32, 0.10, 0.08),
    "hub": (0.40, 0.30, 0.18, 0.12),
    "target": (0.45, 0.35, 0.15, 0.05),
    "other": (0.40, 0.35, 0.17, 0.08),
}
_DISTRIBUTOR_COVERAGE = {
    ("electronics", "telecom_it", "instruments", "aerospace", "semicon_equipment"): 0.45,
    ("industrial", "machine_tools", "automotive", "aerospace"): 0.30,
    ("pharma",): 0.08,
    ("food",): 0.07,
    ("chemicals", "consumer"): 0.10,
}
# fmt: on


def choose(rng: np.random.Generator, weights: dict, size: int) -> np.ndarray:
    """``size`` keys of ``weights`` drawn with probabilities proportional to the values."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def pareto_weights(rng: np.random.Generator, size: int) -> np.ndarray:
    """Heavy-tailed sizes with median about 1.7 and a capped tail."""
    return np.minimum((1.0 - rng.random(size)) ** (-1.0 / PARETO_SHAPE), PARETO_CAP)


def repeat_countries(counts: dict[str, int]) -> np.ndarray:
    """Each country of ``counts`` repeated its count of times, countries in sorted order."""
    keys = sorted(counts)
    return np.repeat(np.array(keys, dtype=object), [counts[k] for k in keys]).astype(str)


def random_days(rng: np.random.Generator, first: date, last: date, size: int) -> np.ndarray:
    """Uniform random days in [first, last]."""
    span = int((day(last) - day(first)).astype(np.int64)) + 1
    return day(first) + rng.integers(0, span, size).astype("timedelta64[D]")


@dataclass
class Registry:
    """Hands out company names and registry ids that never repeat within one simulation.

    Names are unique after normalisation (``features.names.normalise_name``), across
    countries, so that only deliberate variants resemble a listed party exactly.
    """

    taken: set[str] = field(default_factory=set)
    next_serial: int = 0

    def names(self, rng: np.random.Generator, countries, kinds) -> list[CompanyName]:
        return unique_company_names(rng, list(countries), list(kinds), self.taken)

    def reserve(self, name: CompanyName) -> None:
        self.taken.add(name_key(name))

    def ids(self, rng: np.random.Generator, countries) -> list[str]:
        ids = [registry_id(rng, c, self.next_serial + i) for i, c in enumerate(countries)]
        self.next_serial += len(ids)
        return ids


def country_class(groups: CountryGroups, country: str) -> str:
    """'target', 'partner', 'hub' (named hubs and supply nodes) or 'other'."""
    if country in groups.targets:
        return "target"
    if country in groups.partners:
        return "partner"
    if country in groups.named_hubs or country in groups["research_supply_node"]:
        return "hub"
    return "other"


def make_exporters(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Manufacturers and distributors in coalition countries, one row per exporter.

    Columns: exporter_id, country, kind, size, one boolean ``sells_<sector>`` per sector, and
    ``had_ru`` (filled in once Russian customers have picked their suppliers).
    """
    countries = choose(rng, EXPORTER_COUNTRY_WEIGHTS, n)
    kinds = np.where(rng.random(n) < 0.55, "manufacturer", "distributor")
    sells = np.zeros((n, len(SECTORS)), dtype=bool)
    main = choose(rng, _MANUFACTURER_SECTORS, n)
    coverage = list(_DISTRIBUTOR_COVERAGE)
    picks = rng.choice(len(coverage), size=n, p=list(_DISTRIBUTOR_COVERAGE.values()))
    for i in range(n):
        covered = (main[i],) if kinds[i] == "manufacturer" else coverage[picks[i]]
        sells[i, [SECTORS.index(s) for s in covered]] = True
    frame = pd.DataFrame(
        {
            "exporter_id": [exporter_id(rng, c, i) for i, c in enumerate(countries)],
            "country": countries.astype(str),
            "kind": kinds,
            "size": pareto_weights(rng, n),
            "had_ru": False,
            "reexporter": False,
        }
    )
    for j, sector in enumerate(SECTORS):
        frame[f"sells_{sector}"] = sells[:, j]
    return frame


def with_reexporters(rng: np.random.Generator, exporters: pd.DataFrame, n: int) -> pd.DataFrame:
    """``exporters`` and ``n`` distributors in trade hubs (``REEXPORTER_COUNTRIES``) that resell
    Western-brand electronics, IT and instruments from stock.

    They are nobody's regular supplier (``supplier_pools`` leaves them out); a behaviour's
    ``p_reexport`` sends shipments to them (``shipments``).
    """
    countries = choose(rng, REEXPORTER_COUNTRIES, n).astype(str)
    first = len(exporters)
    frame = pd.DataFrame(
        {
            "exporter_id": [exporter_id(rng, c, first + i) for i, c in enumerate(countries)],
            "country": countries,
            "kind": "distributor",
            "size": pareto_weights(rng, n),
            "had_ru": False,
            "reexporter": True,
        }
    )
    for sector in SECTORS:
        frame[f"sells_{sector}"] = sector in REEXPORTED_SECTORS
    return pd.concat([exporters, frame], ignore_index=True)


@dataclass(frozen=True)
class SupplierPools:
    """Per sector, the exporters selling it and the probability of picking each."""

    members: dict[str, np.ndarray]
    probabilities: dict[str, np.ndarray]


def supplier_pools(exporters: pd.DataFrame, diversion: bool) -> SupplierPools:
    """Pick-probabilities by sector; diverters favour distributors and former suppliers of Russia.

    R5 (G7 2024): an exporter that supplied Russia before the invasion and sells to new
    countries afterwards.
    """
    weight = exporters["size"].to_numpy(np.float64).copy()
    weight *= ~exporters["reexporter"].to_numpy(bool)
    if diversion:
        weight *= 1.0 + 2.0 * exporters["had_ru"].to_numpy(np.float64)
        weight *= np.where(exporters["kind"].to_numpy() == "distributor", 2.0, 1.0)
    members, probabilities = {}, {}
    for sector in SECTORS:
        idx = np.flatnonzero(exporters[f"sells_{sector}"].to_numpy() & (weight > 0))
        members[sector] = idx
        probabilities[sector] = weight[idx] / weight[idx].sum()
    return SupplierPools(members, probabilities)


def new_consignees(
    rng: np.random.Generator,
    registry: Registry,
    *,
    countries: np.ndarray,
    business_types: np.ndarray,
    sectors: np.ndarray,
    baskets: np.ndarray,
    registered_on: np.ndarray,
    active_from: np.ndarray,
    active_to: np.ndarray,
    weights: np.ndarray,
    typology: str,
    name_kinds: np.ndarray | None = None,
) -> pd.DataFrame:
    """Consignee rows with names, addresses, ids and the activity window on the month grid.

    Positions (``active_from``, ``active_to``) are fractional month indices of the grid;
    ``typology`` is "legitimate" or the diversion typology the consignee belongs to. Legitimate
    look-alikes (``lookalikes``) set ``profile`` (their kind, "" for ordinary consignees), and
    may have a group headquarters abroad that pays (``hq_country``), a forwarder running land
    freight through Russia (``rail_via_russia``) and a legitimate business that grows
    (``growth``, log per month).
    """
    n = len(countries)
    kinds = business_types if name_kinds is None else name_kinds
    names = registry.names(rng, countries, kinds)
    ids = registry.ids(rng, countries)
    id_known = rng.random(n) >= CONSIGNEE_ID_UNKNOWN_SHARE
    return pd.DataFrame(
        {
            "name": [name.text for name in names],
            "name_parts": pd.Series(names, dtype=object),
            "country": np.asarray(countries, dtype=object).astype(str),
            "address": [address(rng, c) for c in countries],
            "registered_on": np.asarray(registered_on, dtype="datetime64[D]"),
            "registry_known": rng.random(n) >= REGISTRY_UNKNOWN_SHARE,
            "consignee_id": pd.Series(np.where(id_known, ids, None), dtype=object),
            "business_type": np.asarray(business_types).astype(str),
            "sector": np.asarray(sectors).astype(str),
            "basket": np.asarray(baskets).astype(str),
            "active_from": np.asarray(active_from, dtype=np.float64),
            "active_to": np.asarray(active_to, dtype=np.float64),
            "weight": np.asarray(weights, dtype=np.float64),
            "growth": 0.0,
            "typology": typology,
            "planned_listing": np.nan,
            "false_listing": False,
            "parent": -1,
            "parent_outsider": -1,
            "humanitarian": False,
            "relocated": False,
            "div_from": np.nan,
            "div_to": np.nan,
            "div_weight": 0.0,
            "div_growth": 0.0,
            "div_ramp": 1.0,
            "div_basket": "",
            "profile": "",
            "hq_country": "",
            "rail_via_russia": False,
        }
    )


def _sectors_and_baskets(
    rng: np.random.Generator, business_types: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    n = len(business_types)
    manufacturer = business_types == "manufacturer"
    sectors = np.where(
        manufacturer, choose(rng, _MANUFACTURER_SECTORS, n), choose(rng, _DISTRIBUTOR_SECTORS, n)
    )
    intermediary = np.isin(business_types, ["trading_house", "freight_forwarder"])
    baskets = np.where(intermediary & (rng.random(n) < 0.6), MIXED_BASKET, sectors)
    return sectors.astype(str), baskets.astype(str)


def _businesses(
    rng: np.random.Generator, groups: CountryGroups, countries: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per consignee: its country's class, a business type drawn from that class's mix, and
    the sector and basket that follow."""
    classes = np.array([country_class(groups, c) for c in countries])
    business = np.empty(len(countries), dtype=object)
    for name, mix in _BUSINESS_MIX.items():
        mask = classes == name
        business[mask] = rng.choice(BUSINESS_TYPES, size=int(mask.sum()), p=mix)
    business = business.astype(str)
    sectors, baskets = _sectors_and_baskets(rng, business)
    return classes, business, sectors, baskets


def legit_consignees(
    rng: np.random.Generator,
    registry: Registry,
    groups: CountryGroups,
    grid: MonthGrid,
    total: int,
) -> pd.DataFrame:
    """Legitimate consignees in every market, sized so countries keep their baseline shares.

    Russian and Belarusian consignees stop buying after the invasion (in-flight orders ship
    for a few weeks), except the humanitarian ones (medicines, food) which carry on.
    """
    shares = CONSIGNEE_BASELINE_SHARES
    scale = sum(shares.values())
    counts = {c: max(3, round(total * s / scale)) for c, s in shares.items()}
    countries = np.repeat(np.array(list(counts), dtype=object), list(counts.values())).astype(str)
    n = len(countries)
    classes, business, sectors, baskets = _businesses(rng, groups, countries)
    humanitarian = (classes == "target") & (rng.random(n) < HUMANITARIAN_SHARE_IN_TARGETS)
    sectors = np.where(humanitarian, np.where(rng.random(n) < 0.5, "pharma", "food"), sectors)
    baskets = np.where(humanitarian, sectors, baskets)

    born = rng.random(n) < BIRTH_SHARE
    active_from = np.where(born, rng.uniform(0, grid.size - 3, n), 0.0)
    exits = rng.random(n) < EXIT_SHARE
    active_to = np.where(
        exits, np.minimum(active_from + rng.uniform(6, grid.size, n), grid.size), grid.size
    )
    invasion = grid.fraction(INVASION_DATE)
    wind_down = invasion + rng.uniform(0, RU_WIND_DOWN_DAYS / 30.0, n)
    general_target = (classes == "target") & ~humanitarian
    active_to = np.where(general_target, np.minimum(active_to, wind_down), active_to)
    active_from = np.where(general_target, np.minimum(active_from, invasion - 6), active_from)

    established = random_days(rng, ESTABLISHED_SINCE, ESTABLISHED_UNTIL, n)
    newcomer = grid.position_days(active_from - rng.uniform(0.2, 6.0, n))
    registered = np.where(born, newcomer, established)

    weights = pareto_weights(rng, n)
    for country in counts:
        mask = countries == country
        weights[mask] *= shares[country] / weights[mask].sum()
    frame = new_consignees(
        rng,
        registry,
        countries=countries,
        business_types=business,
        sectors=sectors,
        baskets=baskets,
        registered_on=registered,
        active_from=active_from,
        active_to=active_to,
        weights=weights,
        typology="legitimate",
    )
    frame["humanitarian"] = humanitarian
    return frame


def occasional_buyers(
    rng: np.random.Generator,
    registry: Registry,
    groups: CountryGroups,
    grid: MonthGrid,
    total: int,
) -> pd.DataFrame:
    """Legitimate consignees that buy a few times within months and are not seen again.

    Real shipment files have a long tail of occasional buyers (a workshop importing one machine,
    a project buying a batch of parts): new to the file, few shipments, gone soon. They share
    ``OCCASIONAL_ROW_SHARE`` of each non-target market's rows, each active for
    ``OCCASIONAL_MONTHS`` from a uniform start; half are long-established companies, half
    registered shortly before they buy.
    """
    shares = {
        c: s for c, s in CONSIGNEE_BASELINE_SHARES.items() if country_class(groups, c) != "target"
    }
    scale = sum(shares.values())
    counts = {c: max(2, round(total * s / scale)) for c, s in shares.items()}
    countries = repeat_countries(counts)
    n = len(countries)
    _, business, sectors, baskets = _businesses(rng, groups, countries)
    months = rng.uniform(*OCCASIONAL_MONTHS, n)
    active_from = rng.uniform(0, grid.size - 1, n)
    active_to = np.minimum(active_from + months, grid.size)
    young = rng.random(n) < 0.5
    registered = np.where(
        young,
        grid.position_days(np.maximum(active_from - rng.uniform(0.2, 12.0, n), 0.0)),
        random_days(rng, ESTABLISHED_SINCE, ESTABLISHED_UNTIL, n),
    )
    weights = np.zeros(n)
    mean_months = (OCCASIONAL_MONTHS[0] + OCCASIONAL_MONTHS[1]) / 2
    for country, count in counts.items():
        mask = countries == country
        level = shares[country] * OCCASIONAL_ROW_SHARE / (1 - OCCASIONAL_ROW_SHARE)
        weights[mask] = level * grid.size / (count * mean_months)
    return new_consignees(
        rng,
        registry,
        countries=countries,
        business_types=business,
        sectors=sectors,
        baskets=baskets,
        registered_on=registered,
        active_from=active_from,
        active_to=active_to,
        weights=weights * rng.lognormal(-0.125, 0.5, n),  # mean 1
        typology="legitimate",
    )


def registered_before_trading(consignees: pd.DataFrame, grid: MonthGrid) -> pd.DataFrame:
    """Move registration dates no later than the first day of a consignee's first active month.

    Shipments fall anywhere inside an active month, so a company must exist from its start.
    """
    frame = consignees.copy()
    legit_start = np.where(frame["weight"].to_numpy() > 0, frame["active_from"].to_numpy(), np.inf)
    first = np.fmin(legit_start, frame["div_from"].to_numpy())
    month_start = grid.first_days[np.clip(np.floor(first), 0, grid.size - 1).astype(np.int64)]
    registered = frame["registered_on"].to_numpy(dtype="datetime64[D]")
    frame["registered_on"] = np.where(
        np.isfinite(first), np.minimum(registered, month_start), registered
    )
    return frame


def share_mass_addresses(
    rng: np.random.Generator, consignees: pd.DataFrame, eligible: np.ndarray
) -> pd.DataFrame:
    """Move some eligible consignees to business-centre addresses shared with others.

    Mass-registration addresses (R21) are common and mostly innocent: a share of legitimate
    hub companies sit at one, and diverters reuse them too.
    """
    frame = consignees.copy()
    chosen = np.flatnonzero(eligible & (rng.random(len(frame)) < MASS_ADDRESS_SHARE))
    addresses = frame["address"].to_numpy(dtype=object).copy()
    countries = frame["country"].to_numpy()
    for country in sorted(set(countries[chosen])):
        members = chosen[countries[chosen] == country]
        centres = [address(rng, country) for _ in range(max(1, len(members) // 6))]
        for i in members:
            centre = centres[rng.integers(len(centres))]
            addresses[i] = centre if rng.random() < 0.5 else with_other_office(rng, centre)
    frame["address"] = addresses
    return frame


def business_centres(consignees: pd.DataFrame) -> dict[str, list[str]]:
    """Addresses shared by two or more consignees, by country (sorted, for determinism).

    Each address is repeated once per company registered there, so a uniform pick from the
    list favours the busiest centres.
    """
    counts = consignees.groupby(["country", "address"]).size()
    shared = counts[counts >= 2].reset_index(name="companies")
    return {
        c: [a for a, k in zip(g["address"], g["companies"], strict=True) for _ in range(k)]
        for c, g in shared.groupby("country", sort=True)
    }


def equip(
    rng: np.random.Generator,
    consignees: pd.DataFrame,
    exporters: pd.DataFrame,
    catalogue: Catalogue,
    pools: SupplierPools,
) -> pd.DataFrame:
    """Add each consignee's staple goods (``staple_0..2``) and regular suppliers.

    Suppliers (``supplier_0..5``, ``n_suppliers``) are drawn from the exporters selling the
    consignee's sector and never sit in the consignee's own country.
    """
    frame = consignees.copy()
    n = len(frame)
    staples = np.zeros((n, STAPLE_SLOTS), dtype=np.int64)
    for basket, idx in frame.groupby("basket", sort=True).indices.items():
        p = catalogue.baskets[basket]
        staples[idx] = rng.choice(len(p), size=(len(idx), STAPLE_SLOTS), p=p)
    suppliers = np.zeros((n, SUPPLIER_SLOTS), dtype=np.int64)
    exporter_country = exporters["country"].to_numpy()
    own_country = frame["country"].to_numpy()
    for sector, idx in frame.groupby("sector", sort=True).indices.items():
        members, p = pools.members[sector], pools.probabilities[sector]
        draw = members[rng.choice(len(members), size=(len(idx), SUPPLIER_SLOTS), p=p)]
        for _ in range(5):
            clash = exporter_country[draw] == own_country[idx][:, None]
            if not clash.any():
                break
            draw[clash] = members[rng.choice(len(members), size=int(clash.sum()), p=p)]
        suppliers[idx] = draw
    for j in range(STAPLE_SLOTS):
        frame[f"staple_{j}"] = staples[:, j]
    for j in range(SUPPLIER_SLOTS):
        frame[f"supplier_{j}"] = suppliers[:, j]
    frame["n_suppliers"] = 1 + rng.binomial(SUPPLIER_SLOTS - 1, 0.3, n)
    return frame


def mark_russian_suppliers(exporters: pd.DataFrame, consignees: pd.DataFrame) -> pd.DataFrame:
    """Flag exporters that regularly supplied Russian or Belarusian consignees before 2022."""
    frame = exporters.copy()
    targets = consignees[consignees["country"].isin(["RU", "BY"]) & ~consignees["humanitarian"]]
    slots = [f"supplier_{j}" for j in range(SUPPLIER_SLOTS)]
    used = np.unique(targets[slots].to_numpy().ravel())
    had_ru = np.zeros(len(frame), dtype=bool)
    had_ru[used] = True
    frame["had_ru"] = had_ru
    return frame


def name_pool(
    rng: np.random.Generator, registry: Registry, countries: list[str], per_country: int, kind: str
) -> pd.DataFrame:
    """Extra company names by country (end users, forwarders): columns country, name."""
    repeated = [c for c in countries for _ in range(per_country)]
    names = registry.names(rng, repeated, [kind] * len(repeated))
    return pd.DataFrame({"country": repeated, "name": [n.text for n in names]})


RELOCATION_SECTORS = {"telecom_it": 0.7, "electronics": 0.15, "instruments": 0.15}
RELOCATION_WAVE_MONTHS = 9.5
"""Relocated firms start trading within 2022, the year of the exodus [inference]."""


def relocation_consignees(
    rng: np.random.Generator, registry: Registry, grid: MonthGrid, counts: dict[str, int]
) -> pd.DataFrame:
    """Legitimate young IT and engineering firms that moved out of Russia after the invasion.

    They register after 2022-02-24 in AM, GE, KZ, KG, UZ, TR, RS and the UAE and buy CHPL
    items (servers, routers, laptops) at normal prices: hard negatives with the young-company
    and hub red flags. Their weights are scaled later to the calibrated legitimate surge.
    """
    countries = repeat_countries(counts)
    n = len(countries)
    invasion = grid.fraction(INVASION_DATE)
    start = np.ceil(invasion) + np.minimum(rng.gamma(1.5, 3.0, n), RELOCATION_WAVE_MONTHS)
    sectors = choose(rng, RELOCATION_SECTORS, n).astype(str)
    exits = rng.random(n) < 0.15
    stop = np.where(exits, start + rng.uniform(12, 30, n), float(grid.size))
    frame = new_consignees(
        rng,
        registry,
        countries=countries,
        business_types=np.full(n, "manufacturer"),
        sectors=sectors,
        baskets=sectors,
        registered_on=grid.position_days(np.maximum(start - rng.uniform(0.2, 3.0, n), invasion)),
        active_from=start,
        active_to=np.minimum(stop, grid.size),
        weights=pareto_weights(rng, n),
        typology="legitimate",
        name_kinds=np.full(n, "it"),
    )
    frame["relocated"] = True
    return frame
