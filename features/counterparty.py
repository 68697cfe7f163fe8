"""Counterparty screening: watchlist matches of consignee and end user, and address links.

Watchlist matches count only entries listed strictly before the shipment's day; address links
to earlier diverters count only diversions labelled on earlier days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.pit import EventTable, day_numbers
from features.registry import flag, number
from features.screening import WatchlistIndex
from features.state import HistoryState

FEATURES = (
    number(
        "screen_consignee_name_score",
        "closest watchlist name to the consignee's (0-100; empty without a watchlist)",
    ),
    number(
        "screen_end_user_name_score",
        "closest watchlist name to the end user's (0-100; empty without a watchlist)",
    ),
    flag(
        "screen_consignee_address_listed",
        "consignee's address is the address of a listed party",
    ),
    number(
        "screen_address_prior_diverters",
        "other consignees at the same address found diverting earlier",
    ),
)


def first_diversion_days(state: HistoryState) -> pd.Series:
    """Each consignee found diverting: the first day of a shipment labelled diverted."""
    return state.entities["consignee"].first_days("diverted")


def diverter_links(state: HistoryState) -> EventTable:
    """One event per (address, consignee) on the first day both were known: co-located and
    found diverting."""
    first_positive = first_diversion_days(state)
    pairs = state.addresses.frame
    positive_day = pairs["other"].map(first_positive)
    linked = pairs[positive_day.notna()]
    link_day = np.maximum(linked["day"].to_numpy(), positive_day[positive_day.notna()].to_numpy())
    return EventTable.from_events(
        linked["key"], link_day.astype("int64"), {"linked": np.ones(len(linked))}
    )


def _own_link_day(state: HistoryState, addresses: pd.Series, consignees: pd.Series) -> np.ndarray:
    at_address = state.addresses.first_day_of(addresses, consignees)
    positive = consignees.map(first_diversion_days(state)).to_numpy(dtype="float64")
    return np.maximum(at_address, positive)


def prior_diverters(linked, own_link_day, days, no_address):
    """Other consignees at the address found diverting before the day, from the address's
    ``linked`` total and this consignee's own link day (NaN if none); arrays or scalars."""
    own = np.asarray(own_link_day < days).astype("float64")
    return np.where(no_address, np.nan, linked - own)


WATCHLIST_COLUMNS = (
    "screen_consignee_name_score",
    "screen_end_user_name_score",
    "screen_consignee_address_listed",
)


def watchlist_features(shipments: pd.DataFrame, watchlist: WatchlistIndex | None) -> pd.DataFrame:
    """Watchlist matches of each row (no history needed); NaN columns without a watchlist."""
    if watchlist is None:
        return pd.DataFrame(np.nan, index=shipments.index, columns=list(WATCHLIST_COLUMNS))
    dates = shipments["ship_date"]
    consignee = watchlist.best_name_matches(
        shipments["consignee_name"], shipments["consignee_country"], dates
    )
    end_user = watchlist.best_name_matches(
        shipments["end_user_name"], shipments["end_user_country"], dates
    )
    address = watchlist.address_matches(shipments["consignee_address"], dates)
    columns = (consignee["score"], end_user["score"], address["matched"])
    return pd.DataFrame(
        {
            name: values.to_numpy(dtype="float64")
            for name, values in zip(WATCHLIST_COLUMNS, columns, strict=True)
        },
        index=shipments.index,
    )


def address_link_features(
    shipments: pd.DataFrame, state: HistoryState, addresses: pd.Series
) -> pd.DataFrame:
    """Links to earlier diverters at the same address; ``state`` must know every earlier row."""
    days = day_numbers(shipments["ship_date"])
    linked = diverter_links(state).lookup(addresses, days).total("linked")
    own = _own_link_day(state, addresses, shipments["consignee_id"])
    prior = prior_diverters(linked, own, days, addresses.isna().to_numpy())
    return pd.DataFrame({"screen_address_prior_diverters": prior}, index=shipments.index)
