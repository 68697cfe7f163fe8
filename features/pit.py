"""Point-in-time totals: what was known about a key strictly before a given day.

Events are summed per ``(key, day)``. A query for ``(key, day)`` sees only events on earlier
days, so shipments on the same day never see each other, whatever their order in the file,
and appending later shipments never changes an earlier one's answer. Tables merge, so the
totals fitted on a training history can be carried forward into later files.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

DAY_OFFSET = 1 << 20
"""Added to day numbers so that they are positive in the packed (key, day) sort key."""
DAY_SPAN = 1 << 22


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int64 (dates must be present)."""
    return dates.to_numpy(dtype="datetime64[D]").astype(np.int64)


def _group(keys: pd.Series, days: np.ndarray, others: pd.Series | None = None):
    """Sorted distinct (key[, other], day) groups and each row's group number.

    Keys are coded in sorted order, so a table's layout depends only on its content, never on
    the order or chunking of the rows that built it.
    """
    key_codes, key_values = pd.factorize(keys, sort=True)
    packed = key_codes.astype(np.int64) * DAY_SPAN
    if others is not None:
        other_codes, other_values = pd.factorize(others, sort=True)
        packed = (packed // DAY_SPAN * (len(other_values) + 1) + other_codes) * DAY_SPAN
    else:
        other_values = None
    groups, inverse = np.unique(packed + days + DAY_OFFSET, return_inverse=True)
    return groups, inverse, key_values, other_values


@dataclass(frozen=True)
class EventTable:
    """Per-``(key, day)`` totals of some measures, sorted by key then day.

    Measures must be integer-valued (counts, cents, quantised logs): their sums are then exact,
    so totals do not depend on the order in which events were added.
    """

    frame: pd.DataFrame
    """Columns ``key``, ``day`` and one float column per measure."""

    @classmethod
    def empty(cls, measures: tuple[str, ...]) -> EventTable:
        columns = {"key": pd.Series(dtype="str"), "day": pd.Series(dtype="int64")}
        columns |= {name: pd.Series(dtype="float64") for name in measures}
        return cls(pd.DataFrame(columns))

    @classmethod
    def from_events(
        cls, keys: pd.Series, days: np.ndarray, measures: dict[str, np.ndarray]
    ) -> EventTable:
        """Sum events per (key, day); rows whose key is missing are ignored."""
        present = keys.notna().to_numpy()
        keys, days = keys[present], np.asarray(days)[present]
        groups, inverse, key_values, _ = _group(keys, days)
        columns = {
            "key": pd.array(np.asarray(key_values, dtype=object)[groups // DAY_SPAN], dtype="str"),
            "day": groups % DAY_SPAN - DAY_OFFSET,
        }
        for name, values in measures.items():
            weights = np.asarray(values, dtype="float64")[present]
            columns[name] = np.bincount(inverse, weights=weights, minlength=len(groups))
        return cls(pd.DataFrame(columns))

    @classmethod
    def _summed(cls, events: pd.DataFrame) -> EventTable:
        measures = {name: events[name].to_numpy() for name in events.columns[2:]}
        return cls.from_events(events["key"], events["day"].to_numpy(), measures)

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(self.frame.columns[2:])

    def merge(self, other: EventTable) -> EventTable:
        """Totals of both tables (the same measures)."""
        if other.frame.empty:
            return self
        if self.frame.empty:
            return other
        return self._summed(pd.concat([self.frame, other.frame], ignore_index=True))

    def compact(self, before_day: int) -> EventTable:
        """Fold each key's events before ``before_day`` into one row at its first such day.

        Totals over windows that start on or after ``before_day``, all-time totals and first
        days are unchanged, so a state frozen at a cutoff can drop its day-level detail.
        """
        old = self.frame["day"] < before_day
        folded = (
            self.frame[old]
            .groupby("key", sort=True)
            .agg({"day": "min", **{name: "sum" for name in self.measures}})
        )
        events = pd.concat([folded.reset_index(), self.frame[~old]], ignore_index=True)
        return self._summed(events)

    @cached_property
    def keys(self) -> pd.Index:
        """The distinct keys, in table order; a key's code is its position here."""
        return pd.Index(self.frame["key"].unique())

    @cached_property
    def packed(self) -> np.ndarray:
        """``code * DAY_SPAN + day + DAY_OFFSET`` per row: sorted, one int64 per (key, day)."""
        codes = self.keys.get_indexer(self.frame["key"]).astype(np.int64)
        return codes * DAY_SPAN + self.frame["day"].to_numpy() + DAY_OFFSET

    @cached_property
    def _running_totals(self) -> dict[str, np.ndarray]:
        return {}

    def cumulative(self, measure: str) -> np.ndarray:
        """Running total of ``measure`` with a leading 0 (computed once per table)."""
        if measure not in self._running_totals:
            values = self.frame[measure].to_numpy(dtype="float64")
            self._running_totals[measure] = np.concatenate([[0.0], np.cumsum(values)])
        return self._running_totals[measure]

    def codes_of(self, keys: pd.Series) -> np.ndarray:
        """Each key's code in this table, -1 for keys it has never seen (or NA)."""
        positions, distinct = pd.factorize(keys, use_na_sentinel=True)
        if not len(distinct):
            return np.full(len(positions), -1)
        mapped = self.keys.get_indexer(distinct)
        return np.where(positions >= 0, mapped[np.maximum(positions, 0)], -1)

    def lookup(self, keys: pd.Series, days: np.ndarray) -> PriorLookup:
        return PriorLookup(self, self.codes_of(keys), days)


class PriorLookup:
    """Totals of an ``EventTable`` before each queried ``(key, day)``."""

    def __init__(self, table: EventTable, codes: np.ndarray, days: np.ndarray) -> None:
        self._table = table
        self._known = codes >= 0
        self._query = np.where(self._known, codes, 0).astype(np.int64) * DAY_SPAN + days
        self._order = np.argsort(self._query, kind="stable")
        self._sorted = self._query[self._order]
        self._before = self._position(0)
        # code * DAY_SPAN sorts before every (key, day) of the key and after earlier keys.
        key_start = self._query - days
        self._group_start = np.searchsorted(table.packed, key_start, side="left")

    def _position(self, days_back: int) -> np.ndarray:
        """Index of the first table row at or after ``(key, day - days_back)``, per query.

        Shifting every day by the same amount keeps the queries' sort order, so one argsort
        serves every window, and sorted queries make ``searchsorted`` cache-friendly.
        """
        positions = np.empty(len(self._query), dtype=np.int64)
        positions[self._order] = np.searchsorted(
            self._table.packed, self._sorted - days_back + DAY_OFFSET, side="left"
        )
        return positions

    def total(self, measure: str, window: int | None = None) -> np.ndarray:
        """Sum of ``measure`` over ``[day - window, day)``, or over all earlier days."""
        cumulative = self._table.cumulative(measure)
        start = self._group_start if window is None else self._position(window)
        return np.where(self._known, cumulative[self._before] - cumulative[start], 0.0)

    def total_between(self, measure: str, newest: int, oldest: int) -> np.ndarray:
        """Sum over ``[day - oldest, day - newest)``: an older window, for growth ratios."""
        cumulative = self._table.cumulative(measure)
        result = cumulative[self._position(newest)] - cumulative[self._position(oldest)]
        return np.where(self._known, result, 0.0)

    def first_day(self) -> np.ndarray:
        """The key's first event day before the queried day, NaN when there is none."""
        days = self._table.frame["day"].to_numpy()
        seen = self._known & (self._before > self._group_start)
        if not len(days):
            return np.full(len(seen), np.nan)
        first = days[np.minimum(self._group_start, len(days) - 1)].astype("float64")
        return np.where(seen, first, np.nan)


@dataclass(frozen=True)
class PairTable:
    """The first day each (key, other) pair was seen: distinct counterparties in time."""

    frame: pd.DataFrame
    """Columns ``key``, ``other``, ``day``; one row per pair."""

    @classmethod
    def empty(cls) -> PairTable:
        return cls(
            pd.DataFrame({"key": [], "other": [], "day": []}).astype(
                {"key": "str", "other": "str", "day": "int64"}
            )
        )

    @classmethod
    def from_events(cls, keys: pd.Series, others: pd.Series, days: np.ndarray) -> PairTable:
        """First day of each (key, other) pair; rows missing either part are ignored."""
        present = (keys.notna() & others.notna()).to_numpy()
        keys, others = keys[present], others[present]
        groups, _, key_values, other_values = _group(keys, np.asarray(days)[present], others)
        # groups are sorted by (pair, day): a pair's first group holds its first day
        pairs, first_group = np.unique(groups // DAY_SPAN, return_index=True)
        other_count = len(other_values) + 1
        key_values = np.asarray(key_values, dtype=object)
        other_values = np.asarray(other_values, dtype=object)
        return cls(
            pd.DataFrame(
                {
                    "key": pd.array(key_values[pairs // other_count], dtype="str"),
                    "other": pd.array(other_values[pairs % other_count], dtype="str"),
                    "day": groups[first_group] % DAY_SPAN - DAY_OFFSET,
                }
            )
        )

    def merge(self, other: PairTable) -> PairTable:
        if other.frame.empty:
            return self
        if self.frame.empty:
            return other
        both = pd.concat([self.frame, other.frame], ignore_index=True)
        return self.from_events(both["key"], both["other"], both["day"].to_numpy())

    @cached_property
    def as_events(self) -> EventTable:
        """One ``new`` event per pair on its first day."""
        ones = np.ones(len(self.frame))
        return EventTable.from_events(
            self.frame["key"], self.frame["day"].to_numpy(), {"new": ones}
        )

    def first_day_of(self, keys: pd.Series, others: pd.Series) -> np.ndarray:
        """First day of each queried pair, NaN for pairs never seen (or with a missing part)."""
        stored = len(self.frame)
        key_codes, _ = pd.factorize(pd.concat([self.frame["key"], keys], ignore_index=True))
        other_codes, _ = pd.factorize(pd.concat([self.frame["other"], others], ignore_index=True))
        pair = key_codes.astype(np.int64) * (other_codes.max(initial=-1) + 2) + other_codes
        pair[(key_codes < 0) | (other_codes < 0)] = -1
        position = pd.Index(pair[:stored]).get_indexer(pair[stored:])
        position[pair[stored:] < 0] = -1
        days = self.frame["day"].to_numpy().astype("float64")
        found = days[np.maximum(position, 0)] if stored else np.zeros(len(position))
        return np.where(position >= 0, found, np.nan)
