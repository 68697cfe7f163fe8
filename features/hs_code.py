"""HS-code features: CHPL membership and tier, chapter and heading, value per unit and per kg
against the HS-6 norm, and no-charge shipments."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from features.distinct import table_distinct
from features.pit import EventTable, KeyQueries, day_numbers
from features.reference import Reference
from features.registry import category, flag, number
from seeds import CHPL_TIERS

HUMANITARIAN_CHAPTERS = frozenset(range(1, 25)) | {30}
"""HS chapters 01-24 (food and agricultural goods) and 30 (pharmaceuticals)."""
MIN_PRICE_HISTORY = 5
"""Earlier priced shipments of an HS-6 needed before its unit-value norm is trusted."""
PRICE_MEASURES = ("priced", "log_unit_value", "log_unit_value_squared")
LOG_QUANTUM = 1e-6
"""Log unit values are summed as whole multiples of this, so that totals are exact."""
TIER_RANK = {tier: len(CHPL_TIERS) - position for position, tier in enumerate(CHPL_TIERS)}
"""Tier 1 -> 6 (most critical) ... tier 4.B -> 1; not listed -> 0."""

FEATURES = (
    flag("hs_chpl_listed", "the HS-6 code is on the Common High Priority List"),
    number(
        "hs_chpl_tier_rank",
        "CHPL tier as a rank: 6 = tier 1 (chips) ... 1 = tier 4.B, 0 = not listed",
    ),
    category("hs_chapter", "HS chapter (first two digits)"),
    number("hs_heading", "HS heading (first four digits), as a number"),
    flag("hs_humanitarian", "food, agricultural or pharmaceutical goods (HS 01-24, 30)"),
    number(
        "hs_unit_value_log_ratio",
        "value per unit against the average of earlier shipments of the same HS-6 (log ratio; "
        "0.3 is about 35 % above the norm)",
    ),
    number(
        "hs_unit_value_zscore",
        "value per unit in standard deviations from earlier shipments of the same HS-6",
    ),
    number(
        "hs_kg_value_log_ratio",
        "value per kg against the average of earlier shipments of the same HS-6 (log ratio)",
    ),
    number(
        "hs_kg_value_zscore",
        "value per kg in standard deviations from earlier shipments of the same HS-6",
    ),
    flag("value_no_charge", "declared value is 0 (no charge: samples, replacements)"),
)
PRICE_BASES = {"unit": "quantity", "kg": "net_mass_kg"}
"""Price basis -> the column the value is divided by; each has its own HS-6 norm."""


def log_price(value, amount):
    """log(value / amount) of arrays or of one shipment's numbers; NaN where either is
    missing or zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((amount > 0) & (value > 0), np.log(value / amount), np.nan)


def log_prices(shipments: pd.DataFrame, basis: str) -> np.ndarray:
    return log_price(
        shipments["value_usd"].to_numpy(dtype="float64"),
        shipments[PRICE_BASES[basis]].to_numpy(dtype="float64"),
    )


def price_events(shipments: pd.DataFrame) -> dict[str, EventTable]:
    """The priced shipments as HS-6 events per basis, the state behind the price norms."""
    tables = {}
    for basis in PRICE_BASES:
        log_value = log_prices(shipments, basis)
        priced = ~np.isnan(log_value)
        rows = shipments[priced]
        tables[basis] = EventTable.from_events(
            rows["hs_code"],
            day_numbers(rows["ship_date"]),
            {
                "priced": np.ones(int(priced.sum())),
                "log_unit_value": np.round(log_value[priced] / LOG_QUANTUM),
                "log_unit_value_squared": np.round(log_value[priced] ** 2 / LOG_QUANTUM),
            },
        )
    return tables


def price_columns(basis: str, lookup, log_value) -> dict:
    """One basis's features (log ratio and z-score against the HS-6 norm)."""
    log_ratio, zscore = unit_value_values(lookup, log_value)
    return {f"hs_{basis}_value_log_ratio": log_ratio, f"hs_{basis}_value_zscore": zscore}


def hs_features(
    shipments: pd.DataFrame, prices: dict[str, EventTable], reference: Reference
) -> pd.DataFrame:
    """The HS-code family; ``prices`` must already include this batch's own events."""
    hs6 = shipments["hs_code"]
    code_columns = ["hs_chpl_listed", "hs_chpl_tier_rank", "hs_chapter", "hs_heading"]
    codes = table_distinct(hs6, partial(code_features, reference=reference), code_columns)
    queries = KeyQueries(hs6, day_numbers(shipments["ship_date"]))
    columns = {}
    for basis, table in prices.items():
        columns |= price_columns(basis, table.lookup(queries), log_prices(shipments, basis))
    value = shipments["value_usd"].to_numpy(dtype="float64")
    return codes.assign(
        hs_humanitarian=codes["hs_chapter"].isin(HUMANITARIAN_CHAPTERS).astype("float64"),
        **columns,
        value_no_charge=(value == 0).astype("float64"),
    )


def unit_value_values(lookup, log_value) -> tuple:
    """Unit value against the HS-6's earlier priced shipments, as (log ratio, z-score); NaN
    until ``MIN_PRICE_HISTORY`` of them exist. ``lookup`` is a ``PriorLookup`` (arrays) or a
    ``features.record.RecordLookup`` (one shipment) on the price table."""
    count = lookup.total("priced")
    trusted = count >= MIN_PRICE_HISTORY
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = lookup.total("log_unit_value") * LOG_QUANTUM / count
        variance = lookup.total("log_unit_value_squared") * LOG_QUANTUM / count - mean**2
        log_ratio = np.where(trusted, log_value - mean, np.nan)
        zscore = log_ratio / np.sqrt(np.maximum(variance, 1e-6))
    return log_ratio, zscore


def code_features(hs6: str | None, reference: Reference) -> tuple[float, ...]:
    """CHPL listing, tier rank, chapter and heading of one HS-6 code (validated: 6 digits)."""
    if hs6 is None:
        return (np.nan, np.nan, np.nan, np.nan)
    tier = reference.chpl.tier(hs6)
    return (float(tier is not None), float(TIER_RANK.get(tier, 0)), float(hs6[:2]), float(hs6[:4]))
