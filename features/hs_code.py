"""HS-code features: CHPL membership and tier, chapter and heading, unit value vs the norm."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from features.distinct import table_distinct
from features.pit import EventTable, day_numbers
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
        "unit value against the average of earlier shipments of the same HS-6 (log ratio; "
        "0.3 is about 35 % above the norm)",
    ),
    number(
        "hs_unit_value_zscore",
        "unit value in standard deviations from earlier shipments of the same HS-6",
    ),
)


def log_unit_values(shipments: pd.DataFrame) -> np.ndarray:
    """log(value / quantity), NaN where the quantity is missing or zero."""
    return log_unit_value(
        shipments["value_usd"].to_numpy(dtype="float64"),
        shipments["quantity"].to_numpy(dtype="float64"),
    )


def log_unit_value(value, quantity):
    """``log_unit_values`` of arrays or of one shipment's numbers."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(quantity > 0, np.log(value / quantity), np.nan)


def price_events(shipments: pd.DataFrame) -> EventTable:
    """The priced shipments as HS-6 events, the state behind the unit-value norm."""
    log_value = log_unit_values(shipments)
    priced = ~np.isnan(log_value)
    rows = shipments[priced]
    return EventTable.from_events(
        rows["hs_code"],
        day_numbers(rows["ship_date"]),
        {
            "priced": np.ones(int(priced.sum())),
            "log_unit_value": np.round(log_value[priced] / LOG_QUANTUM),
            "log_unit_value_squared": np.round(log_value[priced] ** 2 / LOG_QUANTUM),
        },
    )


def hs_features(shipments: pd.DataFrame, prices: EventTable, reference: Reference) -> pd.DataFrame:
    """The HS-code family; ``prices`` must already include this batch's own events."""
    hs6 = shipments["hs_code"]
    code_columns = ["hs_chpl_listed", "hs_chpl_tier_rank", "hs_chapter", "hs_heading"]
    codes = table_distinct(hs6, partial(code_features, reference=reference), code_columns)
    lookup = prices.lookup(hs6, day_numbers(shipments["ship_date"]))
    log_ratio, zscore = unit_value_values(lookup, log_unit_values(shipments))
    return codes.assign(
        hs_humanitarian=codes["hs_chapter"].isin(HUMANITARIAN_CHAPTERS).astype("float64"),
        hs_unit_value_log_ratio=log_ratio,
        hs_unit_value_zscore=zscore,
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
