"""Diversion volumes by country and month, calibrated to the figures in ``config``.

The 2022 CHPL growth multiples fix how much the CHPL shipments to KG, AM, UZ, KZ, GE and TR
grow; ``LEGIT_SURGE_SHARE`` of that surge is legitimate (relocated firms), the rest is
diversion. The 2023 hub shares then size diversion through CN, HK, AE and the other hubs
relative to those countries.
Country curves add the later shifts (Türkiye's rise and fall, the 2024 drop through CN/HK,
emerging hubs). ``split_diversion`` shares each country's monthly volume among its diverting
consignees, with typology weights fitted so that typology shares hit the world's targets
(``TYPOLOGY_SHARES`` in the default world).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.simulator.behaviour import TYPOLOGIES, behaviour_table, stream_kind
from training.simulator.calendar import MonthGrid
from training.simulator.config import (
    DIVERSION_RAMP_END,
    DIVERSION_SHARE_2023,
    EMERGING_HUB_GROWTH_2025,
    EMERGING_HUBS,
    GROWTH_MULTIPLES_2022,
    HUB_DECLINE_2024,
    HUB_DECLINE_END,
    HUB_DECLINE_START,
    INVASION_DATE,
    LEGIT_SURGE_SHARE,
    MACHINE_TOOL_SHARE_2022,
    MACHINE_TOOL_SHARE_2025,
    OTHER_RELOCATION_SURGE,
    RISE_END,
    RISE_START,
    RISING_HUBS_2024,
    TRANSIT_COUNTRIES,
    TURKIYE_DROP_FROM_PEAK,
    TURKIYE_DROP_YEAR_ON_YEAR,
    TURKIYE_LOW,
    TURKIYE_PEAK,
    TURKIYE_PEAK_LEVEL,
    TURKIYE_YEAR_BEFORE_LOW,
    TYPOLOGY_FIGURES,
)
from training.simulator.goods import Catalogue
from training.simulator.places import CONSIGNEE_BASELINE_SHARES
from training.simulator.streams import Streams, window_weights

BASELINE_YEAR = 2021
SURGE_YEAR = 2022
SHARE_YEAR = 2023
IPF_ROUNDS = 40
MAX_DIVERTERS_PER_GROUP = 5_000


def diversion_countries() -> tuple[str, ...]:
    """Consignee countries that diversion runs through, in a fixed order."""
    return tuple(sorted(set(GROWTH_MULTIPLES_2022) | set(DIVERSION_SHARE_2023)))


def diversion_curve(grid: MonthGrid, country: str) -> np.ndarray:
    """Relative diversion level per month through ``country`` (zero before the invasion)."""
    knots = [(INVASION_DATE, 0.0), (DIVERSION_RAMP_END, 1.0)]
    if country == "TR":
        low = TURKIYE_PEAK_LEVEL * (1.0 - TURKIYE_DROP_FROM_PEAK)
        knots += [
            (TURKIYE_PEAK, TURKIYE_PEAK_LEVEL),
            (TURKIYE_YEAR_BEFORE_LOW, low / (1.0 - TURKIYE_DROP_YEAR_ON_YEAR)),
            (TURKIYE_LOW, low),
        ]
    elif country in HUB_DECLINE_2024:
        knots += [(HUB_DECLINE_START, 1.0), (HUB_DECLINE_END, 1.0 - HUB_DECLINE_2024[country])]
    elif country in RISING_HUBS_2024:
        knots += [(RISE_START, 1.0), (RISE_END, RISING_HUBS_2024[country])]
    elif country in EMERGING_HUBS:
        knots += [(RISE_START, 1.0), (RISE_END, EMERGING_HUB_GROWTH_2025)]
    return grid.curve(knots)


def machine_tool_share(grid: MonthGrid) -> np.ndarray:
    """Share of diverted shipments drawn from the machine-tool basket, per month."""
    return grid.curve(
        [(INVASION_DATE, MACHINE_TOOL_SHARE_2022), (RISE_END, MACHINE_TOOL_SHARE_2025)]
    )


def diversion_chpl_share(catalogue: Catalogue, shares: dict[str, float]) -> float:
    """Expected CHPL share of diverted shipments in 2022, from the diversion baskets and the
    typology ``shares``."""
    by_typology = sum(
        shares[t] * catalogue.chpl_fraction(TYPOLOGY_FIGURES[t].basket) for t in TYPOLOGIES
    ) / sum(shares[t] for t in TYPOLOGIES)
    tools = catalogue.chpl_fraction("diversion_machine_tools")
    return (1 - MACHINE_TOOL_SHARE_2022) * by_typology + MACHINE_TOOL_SHARE_2022 * tools


def legit_chpl_fraction(consignees: pd.DataFrame, catalogue: Catalogue) -> np.ndarray:
    """Expected CHPL share of each consignee's legitimate shipments (usual codes + basket)."""
    chpl = catalogue.goods["chpl"].to_numpy(np.float64)
    staples = consignees[["staple_0", "staple_1", "staple_2"]].to_numpy()
    staple_share = chpl[staples].mean(axis=1)
    fractions = {name: catalogue.chpl_fraction(name) for name in catalogue.basket_names()}
    basket_share = consignees["basket"].map(fractions).to_numpy(np.float64)
    p_staple = behaviour_table()["p_staple"]
    p = consignees["profile"].map(lambda profile: p_staple[stream_kind(profile)])
    p = p.to_numpy(np.float64)
    return p * staple_share + (1 - p) * basket_share


def chpl_by_country(streams: Streams, chpl_fraction: np.ndarray) -> dict[str, np.ndarray]:
    """Expected CHPL shipments per month by consignee country (``chpl_fraction`` per stream)."""
    weighted = streams.intensity * chpl_fraction[:, None]
    frame = pd.DataFrame(weighted).groupby(streams.table["country"].to_numpy()).sum()
    return {country: frame.loc[country].to_numpy() for country in frame.index}


@dataclass(frozen=True)
class DiversionPlan:
    """Diverted shipments per month by consignee country (``levels``, relative units) and the
    legitimate relocation surge to add, as CHPL shipments in 2022 (``relocation_chpl``)."""

    levels: dict[str, np.ndarray]
    relocation_chpl: dict[str, float]
    typology_shares: dict[str, float]


def plan_diversion(
    grid: MonthGrid,
    legit_chpl: dict[str, np.ndarray],
    chpl_share: float,
    typology_shares: dict[str, float],
) -> DiversionPlan:
    """Solve the country levels so the calibration figures hold in expectation."""
    base_year, surge_year = grid.in_year(BASELINE_YEAR), grid.in_year(SURGE_YEAR)
    share_year = grid.in_year(SHARE_YEAR)
    levels: dict[str, np.ndarray] = {}
    relocation: dict[str, float] = {}
    for country, multiple in GROWTH_MULTIPLES_2022.items():
        legit = legit_chpl.get(country, np.zeros(grid.size))
        excess = max(multiple * legit[base_year].sum() - legit[surge_year].sum(), 0.0)
        relocation[country] = LEGIT_SURGE_SHARE * excess
        curve = diversion_curve(grid, country)
        scale = (1 - LEGIT_SURGE_SHARE) * excess / (chpl_share * curve[surge_year].sum())
        levels[country] = scale * curve
    for country, surge in OTHER_RELOCATION_SURGE.items():
        relocation[country] = surge * legit_chpl.get(country, np.zeros(grid.size))[base_year].sum()
    anchored = 0.0
    for country, multiple in GROWTH_MULTIPLES_2022.items():
        curve = diversion_curve(grid, country)
        typical = _typical_chpl(legit_chpl, country, base_year)
        excess = (1 - LEGIT_SURGE_SHARE) * (multiple - 1.0) * typical
        anchored += excess / (chpl_share * curve[surge_year].sum()) * curve[share_year].sum()
    total_2023 = anchored / (1.0 - sum(DIVERSION_SHARE_2023.values()))
    for country, share in DIVERSION_SHARE_2023.items():
        curve = diversion_curve(grid, country)
        levels[country] = share * total_2023 * curve / curve[share_year].sum()
    return DiversionPlan(
        levels={c: levels[c] for c in diversion_countries()},
        relocation_chpl=relocation,
        typology_shares=typology_shares,
    )


def _typical_chpl(legit_chpl: dict[str, np.ndarray], country: str, year: np.ndarray) -> float:
    """CHPL shipments ``country`` would receive in ``year`` with the average CHPL mix.

    Anchoring the total diversion volume on this, rather than on the realised mix of a few
    large consignees in a small market, keeps the overall prevalence stable across seeds.
    """
    total = sum(values[year].sum() for values in legit_chpl.values())
    share = CONSIGNEE_BASELINE_SHARES[country] / sum(CONSIGNEE_BASELINE_SHARES.values())
    return total * share


def allowed_typologies(country: str) -> np.ndarray:
    """Which typologies can operate in ``country`` (fake transit only to Central Asia and the
    Caucasus; overpaying buyers everywhere else)."""
    transit = country in TRANSIT_COUNTRIES
    return np.array(
        [
            (t != "transit_routing" or transit) and (t != "price_premium" or not transit)
            for t in TYPOLOGIES
        ]
    )


def _fit_weights(volume: np.ndarray, allowed: np.ndarray, shares: dict[str, float]) -> np.ndarray:
    """Typology weights g so that sum_X volume_X * g_t A_Xt / sum_t' g_t' A_Xt' hits the targets.

    ``volume`` has shape (countries,) or (countries, months); ``allowed`` (countries, types)
    or (countries, types, months).
    """
    target = np.array([shares[t] for t in TYPOLOGIES])
    target = target / target.sum()
    weights = np.ones(len(TYPOLOGIES))
    shape = (1, -1) + (1,) * (allowed.ndim - 2)
    for _ in range(IPF_ROUNDS):
        mix = allowed * weights.reshape(shape)
        mix = mix / np.maximum(mix.sum(axis=1, keepdims=True), 1e-300)
        realised = (mix * np.expand_dims(volume, 1)).sum(
            axis=tuple(i for i in range(mix.ndim) if i != 1)
        )
        realised = realised / max(realised.sum(), 1e-300)
        weights *= np.where(realised > 0, (target / np.maximum(realised, 1e-300)) ** 0.8, 1.0)
    return weights


def plan_counts(plan: DiversionPlan, rows_per_unit: float) -> dict[str, dict[str, int]]:
    """How many diverting consignees of each typology to create in each country."""
    countries = list(plan.levels)
    volume = np.array([plan.levels[c].sum() for c in countries]) * rows_per_unit
    allowed = np.array([allowed_typologies(c) for c in countries], dtype=np.float64)
    mix = allowed * _fit_weights(volume, allowed, plan.typology_shares)[None, :]
    mix /= mix.sum(axis=1, keepdims=True)
    counts: dict[str, dict[str, int]] = {t: {} for t in TYPOLOGIES}
    for i, country in enumerate(countries):
        for j, typology in enumerate(TYPOLOGIES):
            if not allowed[i, j]:
                continue
            expected = volume[i] * mix[i, j] / TYPOLOGY_FIGURES[typology].shipments_per_diverter
            counts[typology][country] = int(min(max(1, round(expected)), MAX_DIVERTERS_PER_GROUP))
    return counts


def split_diversion(shapes: Streams, plan: DiversionPlan, grid: MonthGrid) -> Streams:
    """Scale diversion shapes so each country's streams add up to its planned level.

    Within a country, each month's volume is shared among the typologies active that month
    (weights fitted on the simulated window) and within a typology in proportion to shape.
    """
    table = shapes.table
    countries = list(plan.levels)
    c_index = table["country"].map({c: i for i, c in enumerate(countries)}).to_numpy()
    t_index = table["typology"].map({t: j for j, t in enumerate(TYPOLOGIES)}).to_numpy()
    group_sum = np.zeros((len(countries), len(TYPOLOGIES), grid.size))
    np.add.at(group_sum, (c_index, t_index), shapes.intensity)
    active = (group_sum > 0).astype(np.float64)
    levels = np.array([plan.levels[c] for c in countries])
    volume = levels * window_weights(grid)[None, :]
    fitted = volume.sum() > 0
    weights = (
        _fit_weights(volume, active, plan.typology_shares) if fitted else np.ones(len(TYPOLOGIES))
    )
    mix = active * weights[None, :, None]
    mix = mix / np.maximum(mix.sum(axis=1, keepdims=True), 1e-300)
    per_group = levels[:, None, :] * mix / np.maximum(group_sum, 1e-300)
    intensity = shapes.intensity * per_group[c_index, t_index]
    return Streams(table, intensity)
