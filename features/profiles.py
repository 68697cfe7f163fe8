"""Risk profiles: how often earlier inspections of the same code found a diversion.

For each profile (an HS-6 code, HS-6 with the origin, destination or departure country, and
each categorical extra) a shipment sees the inspections of earlier days only: their count and
the share found diverted, shrunk toward the overall share of the same earlier days (an
m-estimate: ``(found + m * overall) / (inspected + m)``, with ``m = PRIOR_INSPECTIONS``), so a
code inspected twice does not read as 0 % or 100 %. Consignees, exporters and entity keys get
the same rate from their history tables (``features.history``).

Outcomes count from the day they are known (``outcome_days``), never earlier.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from features.extras import ExtraColumns
from features.pit import DAY_OFFSET, EventTable, day_numbers
from features.registry import Feature, number
from features.schema import OUTCOME_DATE_COLUMN

PRIOR_INSPECTIONS = 20.0
"""Weight of the overall rate in a profile's rate, in inspections: a code with 20 earlier
inspections is half its own rate, half the overall one."""
OUTCOME_MEASURES = ("labelled", "diverted")
OVERALL = "overall"
"""The profile every shipment belongs to: the overall rate."""
KEY_SEPARATOR = "|"
BUILT_IN_PROFILES: dict[str, tuple[str, ...]] = {
    "hs6": ("hs_code",),
    "hs6_origin": ("hs_code", "origin_country"),
    "hs6_destination": ("hs_code", "destination_country"),
    "hs6_departure": ("hs_code", "exporter_country"),
}
"""Profile -> the columns whose values make its key."""
PROFILE_TEXT = {
    "hs6": "HS code",
    "hs6_origin": "HS code from this origin country",
    "hs6_destination": "HS code to this destination",
    "hs6_departure": "HS code from this exporting country",
}


def profile_columns(extras: ExtraColumns) -> dict[str, tuple[str, ...]]:
    """Every profile of a model: the built-in ones and one per categorical extra."""
    return {**BUILT_IN_PROFILES, **{f"extra_{name}": (name,) for name in extras.categorical}}


def profile_text(profile: str) -> str:
    return PROFILE_TEXT.get(profile, profile.removeprefix("extra_"))


def profile_groups(extras: ExtraColumns) -> dict[str, tuple[Feature, ...]]:
    """Each profile's two features: its smoothed found rate and its inspections."""
    groups = {}
    for profile in profile_columns(extras):
        what = profile_text(profile)
        groups[profile] = (
            number(
                f"profile_{profile}_found_rate",
                f"share of earlier inspections of the {what} that found a diversion (smoothed)",
            ),
            number(f"profile_{profile}_inspections", f"earlier inspections of the {what}"),
        )
    return groups


def outcome_days(shipments: pd.DataFrame) -> np.ndarray:
    """The day each shipment's inspection outcome is known: its ``outcome_date``, else its
    ship day (training fills missing outcome dates with its delay first,
    ``training.labels.with_outcome_dates``); features read it from the next day on."""
    known = shipments[OUTCOME_DATE_COLUMN].fillna(shipments["ship_date"])
    return day_numbers(known)


def outcome_measures(shipments: pd.DataFrame) -> dict[str, np.ndarray]:
    labels = shipments["diverted"].to_numpy(dtype="float64")
    return {
        "labelled": (~np.isnan(labels)).astype("float64"),
        "diverted": (labels == 1).astype("float64"),
    }


def profile_keys(shipments: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    """Each row's key of one profile; NA when any of its columns is missing."""
    key = shipments[columns[0]].astype("str")
    for column in columns[1:]:
        key = key + KEY_SEPARATOR + shipments[column].astype("str")
    return key


def record_profile_key(record: Mapping[str, object], columns: tuple[str, ...]) -> str | None:
    """``profile_keys`` of one record."""
    values = [record.get(column) for column in columns]
    return None if any(value is None for value in values) else KEY_SEPARATOR.join(values)


def profile_events(shipments: pd.DataFrame, extras: ExtraColumns) -> dict[str, EventTable]:
    """The outcomes of inspected ``shipments`` per profile (and overall), by outcome day."""
    inspected = shipments[shipments["diverted"].notna()]
    days = outcome_days(inspected)
    measures = outcome_measures(inspected)
    tables = {
        profile: EventTable.from_events(profile_keys(inspected, columns), days, measures)
        for profile, columns in profile_columns(extras).items()
    }
    overall = pd.Series(OVERALL, index=inspected.index, dtype="str")
    return tables | {OVERALL: EventTable.from_events(overall, days, measures)}


def smoothed_rate(found, inspected, overall):
    """The m-estimate of a rate (arrays or scalars); NaN while nothing was inspected."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (found + PRIOR_INSPECTIONS * overall) / (inspected + PRIOR_INSPECTIONS)


def overall_rates(table: EventTable, days: np.ndarray) -> np.ndarray:
    """The overall share found diverted among inspections known before each day (NaN before
    the first), from the ``OVERALL`` table: its one key has code 0, so a day's position is
    found without a per-row key lookup."""
    days = np.asarray(days, dtype=np.int64)
    before = np.searchsorted(table.packed, days + DAY_OFFSET, side="left")
    inspected = table.cumulative("labelled")[before]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(inspected > 0, table.cumulative("diverted")[before] / inspected, np.nan)


def profile_values(profile: str, lookup, overall) -> dict:
    """One profile's features from its lookup (``PriorLookup`` or ``RecordLookup``)."""
    inspected = lookup.total("labelled")
    return {
        f"profile_{profile}_found_rate": smoothed_rate(
            lookup.total("diverted"), inspected, overall
        ),
        f"profile_{profile}_inspections": inspected,
    }


def profile_features(
    shipments: pd.DataFrame, tables: dict[str, EventTable], extras: ExtraColumns
) -> pd.DataFrame:
    """The profile family from ``tables`` (the state's, with at least every earlier day)."""
    days = day_numbers(shipments["ship_date"])
    overall = overall_rates(tables[OVERALL], days)
    columns = {}
    for profile, key_columns in profile_columns(extras).items():
        lookup = tables[profile].lookup(profile_keys(shipments, key_columns), days)
        columns |= profile_values(profile, lookup, overall)
    return pd.DataFrame(columns, index=shipments.index, dtype="float64")
