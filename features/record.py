"""The feature row of one shipment in plain Python, for latency-bound scoring.

The vectorised families (``features.build``) pay a fixed cost per call of a few tens of
milliseconds in pandas, whatever the number of rows. ``RecordFeatures`` answers the same
question for one validated shipment against a frozen history state in well under a
millisecond, with the same arithmetic: the history, price and address-link formulas are the
families' own functions (``entity_values``, ``unit_value_values``, ``consignee_values``,
``prior_diverters``), fed here with scalar lookups instead of arrays. Tests check that both
paths give equal feature rows.

It serves shipments that see only the state (no earlier-dated shipment in the same batch),
which is what ``query_features`` computes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from features import routing
from features.build import FeatureContext
from features.counterparty import (
    WATCHLIST_COLUMNS,
    diverter_links,
    first_diversion_days,
    prior_diverters,
)
from features.extras import category_code, extra_feature_name
from features.history import consignee_values, entity_values
from features.hs_code import (
    HUMANITARIAN_CHAPTERS,
    PRICE_BASES,
    code_features,
    log_price,
    price_columns,
)
from features.names import normalise_address
from features.pit import DAY_OFFSET, DAY_SPAN, EventTable
from features.profiles import (
    OVERALL,
    overall_rates,
    profile_columns,
    profile_values,
    record_profile_key,
)
from features.registry import feature_list
from features.screening import RecordScreener
from features.state import HistoryState, entity_columns

NO_TOTAL = np.float64(0.0)
SCREENED_NAMES = ("consignee_name", "end_user_name")


class TableIndex:
    """An ``EventTable`` prepared for one-key queries: key codes in a dict, running totals."""

    def __init__(self, table: EventTable) -> None:
        self.codes = {key: code for code, key in enumerate(table.keys)}
        self.packed = table.packed
        self.days = table.days
        self.cumulative = {measure: table.cumulative(measure) for measure in table.measures}

    def lookup(self, key: str | None, day: int) -> RecordLookup:
        return RecordLookup(self, self.codes.get(key) if key is not None else None, day)


class RecordLookup:
    """``PriorLookup`` for one ``(key, day)``: totals over days strictly before ``day``."""

    def __init__(self, index: TableIndex, code: int | None, day: int) -> None:
        self._index = index
        self._known = code is not None
        if self._known:
            self._query = code * DAY_SPAN + day
            self._before = self._position(0)
            self._group_start = int(np.searchsorted(index.packed, code * DAY_SPAN, side="left"))

    def _position(self, days_back: int) -> int:
        target = self._query - days_back + DAY_OFFSET
        return int(np.searchsorted(self._index.packed, target, side="left"))

    def total(self, measure: str, window: int | None = None) -> np.float64:
        if not self._known:
            return NO_TOTAL
        cumulative = self._index.cumulative[measure]
        start = self._group_start if window is None else self._position(window)
        return cumulative[self._before] - cumulative[start]

    def total_between(self, measure: str, newest: int, oldest: int) -> np.float64:
        if not self._known:
            return NO_TOTAL
        cumulative = self._index.cumulative[measure]
        return cumulative[self._position(newest)] - cumulative[self._position(oldest)]

    def first_day(self) -> np.float64:
        if not self._known or self._before <= self._group_start:
            return np.float64(np.nan)
        return np.float64(self._index.days[self._group_start])


class RecordFeatures:
    """Feature rows of single validated shipments (``features.record_validation``) against a
    frozen ``state``; built once per model, then called per shipment."""

    def __init__(self, state: HistoryState, context: FeatureContext) -> None:
        self.reference = context.reference
        self.names = [feature.name for feature in feature_list(state.extras)]
        self.extras = state.extras
        self._entities = {
            kind: (
                key,
                TableIndex(state.entities[kind]),
                TableIndex(state.counterparties[kind].as_events),
            )
            for kind, (key, _) in entity_columns(state.extras.entity_keys).items()
        }
        self._prices = {basis: TableIndex(table) for basis, table in state.prices.items()}
        self._profiles = {
            profile: (columns, TableIndex(state.profiles[profile]))
            for profile, columns in profile_columns(state.extras).items()
        }
        self._outcomes = state.profiles[OVERALL]
        self._addresses = TableIndex(state.addresses.as_events)
        pairs = state.addresses.frame
        self._first_at_address = {
            (key, other): float(day)
            for key, other, day in zip(pairs["key"], pairs["other"], pairs["day"], strict=True)
        }
        self._diverter_links = TableIndex(diverter_links(state))
        self._first_diversion = {
            key: float(day) for key, day in first_diversion_days(state).items()
        }
        watchlist = context.watchlist
        self._screener = RecordScreener(watchlist) if watchlist is not None else None

    def rows(self, records: list[Mapping[str, object]]) -> list[list[float]]:
        """``self(record)`` for each record, screening their names together first."""
        if self._screener is not None:
            names = [record[column] for record in records for column in SCREENED_NAMES]
            self._screener.prepare(names, [record["consignee_address"] for record in records])
        return [self(record) for record in records]

    def __call__(self, record: Mapping[str, object]) -> list[float]:
        """The feature values in registry order (``self.names``)."""
        values = self.values(record)
        return [float(values[name]) for name in self.names]

    def values(self, record: Mapping[str, object]) -> dict[str, object]:
        """Every family's per-record values by feature name (a test holds their names equal to
        the registry's, so no feature exists on one path only)."""
        date = record["ship_date"]
        day = int(date.astype(np.int64))
        address = _address_key(record["consignee_address"])
        at_address_since = np.float64(
            self._first_at_address.get((address, record["consignee_id"]), np.nan)
        )
        overall = overall_rates(self._outcomes, np.array([day]))[0]
        values = self._hs(record, day)
        values |= routing.routing_values(record, self.reference)
        values |= self._history(record, day, address, at_address_since, overall)
        values |= self._profiles_of(record, day, overall)
        values |= self._screening(record, date, day, address, at_address_since)
        return values | self._extras(record)

    def _hs(self, record: Mapping[str, object], day: int) -> dict[str, object]:
        hs6 = record["hs_code"]
        listed, rank, chapter, heading = code_features(hs6, self.reference)
        value = np.float64(record["value_usd"])
        values = {
            "hs_chpl_listed": listed,
            "hs_chpl_tier_rank": rank,
            "hs_chapter": chapter,
            "hs_heading": heading,
            "hs_humanitarian": float(chapter in HUMANITARIAN_CHAPTERS),
            "value_no_charge": float(value == 0),
        }
        for basis, prices in self._prices.items():
            log_value = log_price(value, np.float64(record[PRICE_BASES[basis]]))
            values |= price_columns(basis, prices.lookup(hs6, day), log_value)
        return values

    def _profiles_of(self, record: Mapping[str, object], day: int, overall) -> dict[str, object]:
        values = {}
        for profile, (columns, outcomes) in self._profiles.items():
            lookup = outcomes.lookup(record_profile_key(record, columns), day)
            values |= profile_values(profile, lookup, overall)
        return values

    def _extras(self, record: Mapping[str, object]) -> dict[str, object]:
        values = {
            extra_feature_name(name): category_code(
                self.extras.vocabularies.get(name, ()), record[name]
            )
            for name in self.extras.categorical
        }
        return values | {
            extra_feature_name(name): np.float64(record[name]) for name in self.extras.numeric
        }

    def _history(
        self,
        record: Mapping[str, object],
        day: int,
        address: str | None,
        at_address_since: np.float64,
        overall,
    ) -> dict[str, object]:
        values = {}
        for kind, (key, events, counterparties) in self._entities.items():
            entity = record.get(key)
            values |= entity_values(
                kind, events.lookup(entity, day), counterparties.lookup(entity, day), day, overall
            )
        registered = record["consignee_registered_on"]
        registration_day = np.nan if np.isnat(registered) else float(registered.astype(np.int64))
        return values | consignee_values(
            day,
            np.float64(registration_day),
            self._addresses.lookup(address, day).total("new"),
            at_address_since,
            address is None,
        )

    def _screening(
        self,
        record: Mapping[str, object],
        date: np.datetime64,
        day: int,
        address: str | None,
        at_address_since: np.float64,
    ) -> dict[str, object]:
        own_link = np.maximum(
            at_address_since, self._first_diversion.get(record["consignee_id"], np.nan)
        )
        linked = self._diverter_links.lookup(address, day).total("linked")
        values = {
            "screen_address_prior_diverters": prior_diverters(
                linked, np.float64(own_link), day, address is None
            )
        }
        screener = self._screener
        if screener is None:
            return values | dict.fromkeys(WATCHLIST_COLUMNS, np.nan)
        return values | {
            "screen_consignee_name_score": screener.name_score(record["consignee_name"], date),
            "screen_end_user_name_score": screener.name_score(record["end_user_name"], date),
            "screen_consignee_address_listed": screener.address_listed(
                record["consignee_address"], date
            ),
        }


def _address_key(address: str | None) -> str | None:
    """``features.state.address_keys`` for one address: None when missing or empty."""
    if address is None:
        return None
    return normalise_address(address) or None
