"""The diversion typologies: one generator per scheme, each adding diverting consignees.

Every generator returns consignee rows (see ``actors.new_consignees``) whose ``div_*`` columns
describe the diversion flow: ``div_from``/``div_to`` (grid positions), ``div_weight`` (relative
size), ``div_growth`` (monthly growth rate), ``div_ramp`` (months to reach full speed) and
``div_basket``. The generators decide who diverts and from when; the tables below hold the
per-typology parameters they share (``BUSINESS_MIX``, ``FLOWS``, ``COVER_BUYERS``), and
``config.TYPOLOGY_FIGURES`` the sizes, listing rates and baskets.
``calibration.split_diversion`` later scales the flows to the country volumes.
What the shipments look like is set per typology in ``behaviour``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
from training.simulator.config import (
    FRONT_LIFETIME_MONTHS,
    INVASION_DATE,
    LISTING_DELAY_MONTHS,
    LISTING_STOP_MONTHS,
    RISE_START,
    TYPOLOGY_FIGURES,
)
from training.simulator.naming import (
    PREFIX_FORMS,
    CompanyName,
    legal_forms,
    name_key,
    name_variant,
)
from training.simulator.naming import with_other_office as other_office

SHELF_COMPANY_SHARE = 0.15
"""Front companies bought off the shelf: registered years before they start diverting
(R8: a dormant company suddenly active) [inference]."""

FRONT_AT_MASS_ADDRESS = 0.35
"""Front companies registered at a business centre shared with legitimate firms [inference]."""

SHELF_SINCE, SHELF_UNTIL = date(2005, 1, 1), date(2019, 12, 31)
ESTABLISHED_SINCE, ESTABLISHED_UNTIL = date(2000, 1, 1), date(2020, 12, 31)
CONDUIT_REGISTERED_BEFORE = date(2019, 1, 1)

BUSINESS_MIX: dict[str, dict[str, float]] = {
    "front_company": {
        "freight_forwarder": 0.35,
        "trading_house": 0.40,
        "distributor": 0.20,
        "manufacturer": 0.05,
    },
    "shared_address_network": {
        "trading_house": 0.45,
        "freight_forwarder": 0.3,
        "distributor": 0.25,
    },
    "transit_routing": {"trading_house": 0.4, "freight_forwarder": 0.35, "distributor": 0.25},
    "price_premium": {"distributor": 0.6, "manufacturer": 0.2, "trading_house": 0.2},
    "name_variant": {"trading_house": 0.5, "distributor": 0.3, "freight_forwarder": 0.2},
}
"""Business types of the consignees each typology creates (conduits convert existing ones).
R11: the consignee is a forwarder, trading or logistics company."""


@dataclass(frozen=True)
class Flow:
    """How a typology's diversion flow runs once it starts [inference].

    ``growth``: monthly growth rate, uniform in this range; ``ramp``: months to reach full
    speed; ``months``: how long one consignee diverts, uniform in this range (None where the
    generator sets the end). The relative size (``div_weight``) is always log-normal(0, 0.5).
    """

    growth: tuple[float, float]
    ramp: float
    months: tuple[float, float] | None = None


FLOWS: dict[str, Flow] = {
    "front_company": Flow(growth=(0.08, 0.2), ramp=1.0),  # until burned: set by its chain
    "conduit_distributor": Flow(growth=(0.02, 0.08), ramp=2.0),  # to the end of the grid
    "shared_address_network": Flow(growth=(0.03, 0.12), ramp=1.0, months=(8, 24)),
    "transit_routing": Flow(growth=(0.0, 0.06), ramp=1.5, months=(8, 30)),
    "price_premium": Flow(growth=(0.0, 0.04), ramp=1.5, months=(12, 36)),
    "name_variant": Flow(growth=(0.0, 0.08), ramp=0.7, months=(6, 24)),
}


@dataclass(frozen=True)
class CoverBuyers:
    """Buyers that may keep a legitimate business as cover (typologies 4 and 5).

    Each starts diverting between ``start_after[0]`` months after the invasion and six months
    before the end of the grid (or ``start_after[1]`` months after the invasion if that is
    later). ``young``: share registered shortly before that, the others are established;
    ``cover``: share of the established ones that keep a small legitimate business from the
    start of the grid; ``electronics``: share buying electronics, the others industrial goods.
    """

    start_after: tuple[float, float]
    young: float
    cover: float
    electronics: float = 1.0


COVER_BUYERS: dict[str, CoverBuyers] = {
    "transit_routing": CoverBuyers(start_after=(1.0, 2.0), young=0.5, cover=0.4, electronics=0.6),
    "price_premium": CoverBuyers(start_after=(0.5, 1.0), young=0.25, cover=0.5),
}


def _invasion(grid: MonthGrid) -> float:
    return grid.fraction(INVASION_DATE)


def _flow_columns(
    rng: np.random.Generator, typology: str, start: np.ndarray, stop: np.ndarray | float | None
) -> dict[str, object]:
    """``typology`` and the ``div_*`` columns of diverters starting at ``start`` (see ``FLOWS``).

    ``stop`` (a position, or one per diverter) is drawn from the flow's ``months`` if not given.
    """
    flow = FLOWS[typology]
    n = len(start)
    if stop is None:
        stop = start + rng.uniform(*flow.months, n)
    return {
        "typology": typology,
        "div_from": start,
        "div_to": stop,
        "div_weight": rng.lognormal(0.0, 0.5, n),
        "div_growth": rng.uniform(*flow.growth, n),
        "div_ramp": flow.ramp,
        "div_basket": TYPOLOGY_FIGURES[typology].basket,
    }


def _with_flow(
    rng: np.random.Generator,
    frame: pd.DataFrame,
    typology: str,
    start: np.ndarray,
    stop: np.ndarray | None = None,
) -> pd.DataFrame:
    """``frame`` (new consignees) with the diversion flow of ``_flow_columns``."""
    for column, value in _flow_columns(rng, typology, start, stop).items():
        frame[column] = value
    return frame


def _new_diverters(
    rng: np.random.Generator,
    registry: Registry,
    typology: str,
    countries: np.ndarray,
    registered_on: np.ndarray,
    start: np.ndarray,
    active_to: np.ndarray | None = None,
) -> pd.DataFrame:
    """New consignees of ``typology`` that only divert: electronics buyers with business types
    from ``BUSINESS_MIX`` and no legitimate business (zero weight; the activity window runs
    from ``start`` to ``active_to``, by default ``start``)."""
    n = len(countries)
    return new_consignees(
        rng,
        registry,
        countries=countries,
        business_types=choose(rng, BUSINESS_MIX[typology], n),
        sectors=np.full(n, "electronics"),
        baskets=np.full(n, "electronics"),
        registered_on=registered_on,
        active_from=start,
        active_to=start if active_to is None else active_to,
        weights=np.zeros(n),
        typology=typology,
    )


def _young_registration(
    rng: np.random.Generator, grid: MonthGrid, start: np.ndarray, not_before: float | None = None
) -> np.ndarray:
    """Registration shortly before ``start``, but not before ``not_before`` (a grid position)."""
    registered = start - rng.uniform(0.3, 6.0, len(start))
    if not_before is not None:
        floor = not_before + rng.random(len(start)) * np.maximum(start - not_before, 0.0)
        registered = np.maximum(registered, np.minimum(floor, start))
    return grid.position_days(registered)


def _young_or_established(
    rng: np.random.Generator,
    grid: MonthGrid,
    start: np.ndarray,
    young_share: float,
    established: tuple[date, date] = (ESTABLISHED_SINCE, ESTABLISHED_UNTIL),
) -> tuple[np.ndarray, np.ndarray]:
    """(young, registered_on): a ``young_share`` registered shortly before ``start``, the rest
    on a random day of the ``established`` range."""
    young = rng.random(len(start)) < young_share
    registered = np.where(
        young,
        _young_registration(rng, grid, start),
        random_days(rng, *established, len(start)),
    )
    return young, registered


def front_companies(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    counts: dict[str, int],
    centres: dict[str, list[str]],
) -> pd.DataFrame:
    """Typology 1, new front companies in hubs.

    Chains of short-lived companies per hub so that some front is always active after the
    invasion: each is registered after 2022-02-24 (except shelf companies), usually a forwarder
    or trading house, buys Tier 1-2 heavy baskets from many exporters, and its volume grows
    fast until it is burned (listed, or abandoned) and the next one takes over. Listing is
    decided here, so the successor starts as soon as a listed front stops.
    Red flags: R1, R2, R6, R8, R11, R15; often R14 (overpaying) and R16 (third-country payer).
    """
    invasion = _invasion(grid)
    span = grid.size - invasion
    lo, hi = FRONT_LIFETIME_MONTHS
    delay_lo, delay_hi = LISTING_DELAY_MONTHS
    listing_probability = TYPOLOGY_FIGURES["front_company"].listing_probability
    records: list[tuple[str, float, float, float]] = []
    for country, n in sorted(counts.items()):
        chains = max(1, round(n * (lo + hi) / 2 / span))
        for chain in range(chains):
            t = np.ceil(invasion) + (rng.uniform(0, 2) if chain else 0.0)
            while t < grid.size - 1:
                life = rng.uniform(lo, hi)
                listing = np.nan
                delay = rng.uniform(delay_lo, delay_hi)
                if rng.random() < listing_probability and delay < life:
                    listing = t + delay
                    life = delay + rng.uniform(0, LISTING_STOP_MONTHS)
                records.append((country, t, t + life, listing))
                t += life - rng.uniform(0, min(2.0, life / 2))
    countries = np.array([r[0] for r in records], dtype=object).astype(str)
    start = np.array([r[1] for r in records])
    stop = np.array([r[2] for r in records])
    n = len(records)
    shelf = rng.random(n) < SHELF_COMPANY_SHARE
    registered = np.where(
        shelf,
        random_days(rng, SHELF_SINCE, SHELF_UNTIL, n),
        _young_registration(rng, grid, start, invasion),
    )
    frame = _new_diverters(rng, registry, "front_company", countries, registered, start, stop)
    addresses = frame["address"].to_numpy(dtype=object)
    for i in np.flatnonzero(rng.random(n) < FRONT_AT_MASS_ADDRESS):
        options = centres.get(countries[i], [])
        if options:
            addresses[i] = options[rng.integers(len(options))]
    frame["address"] = addresses
    frame["planned_listing"] = np.array([r[3] for r in records])
    return _with_flow(rng, frame, "front_company", start, stop)


def conduit_distributors(
    rng: np.random.Generator, consignees: pd.DataFrame, grid: MonthGrid, counts: dict[str, int]
) -> pd.DataFrame:
    """Typology 2, established distributors turning conduit.

    Picks long-established legitimate distributors and trading houses (a few manufacturers)
    in hubs and adds, from a change point between the invasion and end-2023, a growing CHPL
    flow on top of their usual business: a change in CHPL share and volume (R8, R30) by a
    company that looks clean on age and history. Returns ``consignees`` with them converted.
    """
    frame = consignees.copy()
    invasion = _invasion(grid)
    last_change = min(grid.fraction(RISE_START), grid.size - 3.0)
    kind = frame["business_type"].to_numpy()
    eligible = (
        (frame["typology"].to_numpy() == "legitimate")
        & (frame["profile"].to_numpy() == "")
        & (np.isin(kind, ["distributor", "trading_house"]) | (kind == "manufacturer"))
        & (frame["registered_on"].to_numpy() < np.datetime64(CONDUIT_REGISTERED_BEFORE))
        & (frame["active_from"].to_numpy() <= invasion - 6)
        & (frame["active_to"].to_numpy() >= grid.size - 0.5)
        & ~frame["humanitarian"].to_numpy()
        & (frame["weight"].to_numpy() > 0)
    )
    preference = np.where(kind == "manufacturer", 0.15, 1.0)
    chosen: list[int] = []
    for country, n in sorted(counts.items()):
        pool = np.flatnonzero(eligible & (frame["country"].to_numpy() == country))
        if len(pool) == 0:
            continue
        p = preference[pool] / preference[pool].sum()
        chosen.extend(rng.choice(pool, size=min(n, len(pool)), replace=False, p=p).tolist())
    rows = np.array(sorted(chosen), dtype=np.int64)
    start = rng.uniform(invasion + 1, max(last_change, invasion + 2), len(rows))
    updates = _flow_columns(rng, "conduit_distributor", start, float(grid.size))
    for column, value in updates.items():
        values = frame[column].to_numpy(dtype=object if column in _TEXT else None).copy()
        values[rows] = value
        frame[column] = values if column not in _TEXT else values.astype(str)
    return frame


_TEXT = ("typology", "div_basket")


def transit_routers(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    counts: dict[str, int],
    cover_weight: dict[str, float],
) -> pd.DataFrame:
    """Typology 4, routing through Russia/Belarus or EAEU chains ("fake transit").

    Consignees in Central Asia and the Caucasus whose land freight is declared in transit
    through Russia or Belarus (or several EAEU hops) and never arrives (R31, R3). Half are
    young; some established ones keep a small legitimate business as cover.
    """
    return _buyers_with_cover(rng, registry, grid, "transit_routing", counts, cover_weight)


def price_premium_buyers(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    counts: dict[str, int],
    cover_weight: dict[str, float],
) -> pd.DataFrame:
    """Typology 5, the price premium.

    Mostly established distributors in trade hubs that pay +25 % to +90 % over the HS-6 norm
    for Tier 1-2 parts in smaller lots (R14) and otherwise look clean: regular suppliers,
    local payer, no forwarder, declared destination = own country.
    """
    return _buyers_with_cover(rng, registry, grid, "price_premium", counts, cover_weight)


def _buyers_with_cover(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    typology: str,
    counts: dict[str, int],
    cover_weight: dict[str, float],
) -> pd.DataFrame:
    """``counts`` diverting buyers of ``typology`` per country, as ``COVER_BUYERS`` describes.

    A cover business is sized from ``cover_weight``, a typical legitimate weight per country.
    """
    buyers = COVER_BUYERS[typology]
    invasion = _invasion(grid)
    countries = repeat_countries(counts)
    n = len(countries)
    first, floor = buyers.start_after
    start = rng.uniform(invasion + first, max(grid.size - 6.0, invasion + floor), n)
    young, registered = _young_or_established(rng, grid, start, buyers.young)
    cover = ~young & (rng.random(n) < buyers.cover)
    sectors = np.full(n, "electronics")
    if buyers.electronics < 1.0:  # no draw when all buy electronics
        sectors = np.where(rng.random(n) < buyers.electronics, "electronics", "industrial")
    frame = new_consignees(
        rng,
        registry,
        countries=countries,
        business_types=choose(rng, BUSINESS_MIX[typology], n),  # drawn before the cover weights
        sectors=sectors,
        baskets=sectors,
        registered_on=registered,
        active_from=np.where(cover, 0.0, start),
        active_to=np.full(n, float(grid.size)),
        weights=np.where(cover, _cover(rng, countries, cover_weight), 0.0),
        typology=typology,
    )
    return _with_flow(rng, frame, typology, start)


def shared_address_networks(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    counts: dict[str, int],
    consignees: pd.DataFrame,
) -> pd.DataFrame:
    """Typology 3, shared-address networks around known diverters.

    Satellites registered in a burst (within weeks of each other) at the address of a front
    company (same office, or another office in the same building), trading alongside it and
    after it; once the front is listed, the shared address is the link (R10, R21, R7).
    ``parent`` holds the front's row in ``consignees``.
    """
    fronts = consignees[consignees["typology"] == "front_company"]
    records: list[tuple[int, float]] = []
    for country, n in sorted(counts.items()):
        cores = fronts[fronts["country"] == country]
        if cores.empty:
            continue
        order = np.lexsort((cores["div_from"].to_numpy(), cores["planned_listing"].isna()))
        core_rows = cores.index.to_numpy()[order]
        made, k = 0, 0
        while made < n:
            core = int(core_rows[k % len(core_rows)])
            cluster = consignees.at[core, "div_from"] + rng.uniform(0, 6)
            size = int(min(rng.integers(2, 5), n - made))
            records.extend((core, cluster) for _ in range(size))
            made, k = made + size, k + 1
    parents = np.array([r[0] for r in records], dtype=np.int64)
    cluster = np.array([r[1] for r in records])
    n = len(records)
    registered_at = np.minimum(cluster + rng.uniform(0, 0.5, n), grid.size - 1.5)
    start = np.minimum(registered_at + rng.uniform(0.3, 3.0, n), grid.size - 1.0)
    countries = consignees["country"].to_numpy()[parents]
    registered = grid.position_days(registered_at)
    frame = _new_diverters(rng, registry, "shared_address_network", countries, registered, start)
    core_address = consignees["address"].to_numpy(dtype=object)[parents]
    same = rng.random(n) < 0.6
    frame["address"] = [
        a if s else other_office(rng, a) for a, s in zip(core_address, same, strict=True)
    ]
    frame["parent"] = parents
    return _with_flow(rng, frame, "shared_address_network", start)


def name_variants(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    counts: dict[str, int],
    consignees: pd.DataFrame,
    outsiders: pd.DataFrame,
) -> pd.DataFrame:
    """Typology 6, name variants of listed parties.

    After a party is listed, its business re-appears under a variant of its name
    (transliteration, another legal form, a typo, word order or spelling) so that exact
    screening misses it (R9). Parents are listed diverters in the same country or listed
    Russian/Belarusian end users (``outsiders``) re-appearing in a hub. ``parent`` /
    ``parent_outsider`` point at the listed party.
    """
    invasion = _invasion(grid)
    listed = consignees[consignees["planned_listing"].notna()]
    foreign = outsiders[outsiders["country"].isin(["RU", "BY"])]
    records: list[tuple[str, int, int, float]] = []
    for country, n in sorted(counts.items()):
        local = listed[listed["country"] == country]
        for _ in range(n):
            use_local = len(local) > 0 and (rng.random() < 0.6 or foreign.empty)
            if use_local:
                row = int(local.index[rng.integers(len(local))])
                listing, parent, outsider = consignees.at[row, "planned_listing"], row, -1
            elif not foreign.empty:
                row = int(foreign.index[rng.integers(len(foreign))])
                listing, parent, outsider = outsiders.at[row, "listed_pos"], -1, row
            else:
                continue
            start = max(listing, invasion) + rng.uniform(0, 3)
            if start < grid.size - 1:
                records.append((country, parent, outsider, start))
    n = len(records)
    countries = np.array([r[0] for r in records], dtype=object).astype(str)
    parents = np.array([r[1] for r in records], dtype=np.int64)
    outsider_rows = np.array([r[2] for r in records], dtype=np.int64)
    start = np.array([r[3] for r in records])
    _, registered = _young_or_established(
        rng, grid, start, 0.6, established=(date(2010, 1, 1), date(2021, 12, 31))
    )
    frame = _new_diverters(rng, registry, "name_variant", countries, registered, start)
    names, addresses = [], frame["address"].to_numpy(dtype=object)
    for i in range(n):
        if parents[i] >= 0:
            original = consignees.at[parents[i], "name_parts"]
            draw = rng.random()
            if draw < 0.4:
                addresses[i] = consignees.at[parents[i], "address"]
            elif draw < 0.6:
                addresses[i] = other_office(rng, consignees.at[parents[i], "address"])
        else:
            original = outsiders.at[outsider_rows[i], "name_parts"]
            forms = legal_forms(countries[i])
            form = str(forms[rng.integers(len(forms))])
            original = replace(original, country=countries[i], form=form,
                               prefix_form=form in PREFIX_FORMS, quoted=False)  # fmt: skip
        names.append(fresh_variant(rng, registry, original))
    frame["name_parts"] = pd.Series(names, dtype=object)
    frame["name"] = [name.text for name in names]
    frame["address"] = addresses
    frame["parent"] = parents
    frame["parent_outsider"] = outsider_rows
    return _with_flow(rng, frame, "name_variant", start)


def fresh_variant(
    rng: np.random.Generator, registry: Registry, original: CompanyName
) -> CompanyName:
    """A variant of ``original`` that no other company already uses."""
    for _ in range(20):
        variant = name_variant(rng, original)
        if name_key(variant) not in registry.taken:
            registry.reserve(variant)
            return variant
    variant = replace(variant, stem=f"{variant.stem} Group")
    registry.reserve(variant)
    return variant


def plan_listings(
    rng: np.random.Generator, consignees: pd.DataFrame, grid: MonthGrid, typologies: tuple[str, ...]
) -> pd.DataFrame:
    """Decide which diverters of ``typologies`` get listed, months after they start diverting."""
    frame = consignees.copy()
    rows = np.flatnonzero(frame["typology"].isin(typologies).to_numpy())
    listing = {t: figures.listing_probability for t, figures in TYPOLOGY_FIGURES.items()}
    p = frame["typology"].iloc[rows].map(listing).to_numpy()
    lo, hi = LISTING_DELAY_MONTHS
    when = frame["div_from"].to_numpy()[rows] + rng.uniform(lo, hi, len(rows))
    listed = (rng.random(len(rows)) < p) & (when < grid.size)
    planned = frame["planned_listing"].to_numpy().copy()
    planned[rows[listed]] = when[listed]
    frame["planned_listing"] = planned
    return frame


def stop_listed(rng: np.random.Generator, consignees: pd.DataFrame) -> pd.DataFrame:
    """Exporters stop shipping to a listed party within ``LISTING_STOP_MONTHS``.

    Front companies are skipped: their chains already end each listed front on time.
    """
    frame = consignees.copy()
    stop = frame["planned_listing"].to_numpy() + rng.uniform(0, LISTING_STOP_MONTHS, len(frame))
    listed = ~np.isnan(stop) & (frame["typology"].to_numpy() != "front_company")
    frame["active_to"] = np.where(listed, np.minimum(frame["active_to"], stop), frame["active_to"])
    frame["div_to"] = np.where(listed, np.minimum(frame["div_to"], stop), frame["div_to"])
    return frame


def _cover(rng: np.random.Generator, countries: np.ndarray, scale: dict[str, float]) -> np.ndarray:
    base = np.array([scale.get(c, 0.0) for c in countries])
    return base * rng.uniform(0.5, 2.0, len(countries))
