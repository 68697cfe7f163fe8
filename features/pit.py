"""Point-in-time totals: what was known about a key strictly before a given day.

Events are summed per ``(key, day)``. A query for ``(key, day)`` sees only events on earlier
days, so shipments on the same day never see each other, whatever their order in the file,
and appending later shipments never changes an earlier one's answer. Tables merge, so the
totals fitted on a training history can be carried forward into later files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DAY_OFFSET = 1 << 20
"""Added to day numbers so that they are positive in the packed (key, day) sort key."""
DAY_SPAN = 1 << 22


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int64 (dates must be present)."""
    return dates.to_numpy(dtype="datetime64[D]").astype(np.int64)


@dataclass(frozen=True)
class EventTable:
    """Per-``(key, day)`` totals of some measures, sorted by key then day."""

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
        events = pd.DataFrame({"key": keys.to_numpy(), "day": days, **measures})
        events = events[events["key"].notna()]
        return cls._summed(events)

    @classmethod
    def _summed(cls, events: pd.DataFrame) -> EventTable:
        totals = events.groupby(["key", "day"], sort=True, observed=True).sum()
        return cls(totals.reset_index().astype({"key": "str", "day": "int64"}))

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

    def lookup(self, keys: pd.Series, days: np.ndarray) -> PriorLookup:
        return PriorLookup(self, keys, days)


class PriorLookup:
    """Totals of an ``EventTable`` before each queried ``(key, day)``."""

    def __init__(self, table: EventTable, keys: pd.Series, days: np.ndarray) -> None:
        frame = table.frame
        self._table = table
        unique_keys = pd.Index(frame["key"].unique())
        table_codes = unique_keys.get_indexer(frame["key"])
        self._packed = (
            table_codes.astype(np.int64) * DAY_SPAN + frame["day"].to_numpy() + DAY_OFFSET
        )
        self._days = frame["day"].to_numpy()
        codes = unique_keys.get_indexer(keys.to_numpy())
        self._known = codes >= 0
        self._query_code = np.where(self._known, codes, 0).astype(np.int64) * DAY_SPAN
        self.days = days
        self._before = self._position(days)
        self._group_start = np.searchsorted(self._packed, self._query_code, side="left")
        self._cumulative: dict[str, np.ndarray] = {}

    def _position(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._packed, self._query_code + days + DAY_OFFSET, side="left")

    def _cumsum(self, measure: str) -> np.ndarray:
        if measure not in self._cumulative:
            values = self._table.frame[measure].to_numpy(dtype="float64")
            self._cumulative[measure] = np.concatenate([[0.0], np.cumsum(values)])
        return self._cumulative[measure]

    def total(self, measure: str, window: int | None = None) -> np.ndarray:
        """Sum of ``measure`` over ``[day - window, day)``, or over all earlier days."""
        cumulative = self._cumsum(measure)
        start = self._group_start if window is None else self._position(self.days - window)
        result = cumulative[self._before] - cumulative[start]
        return np.where(self._known, result, 0.0)

    def total_between(self, measure: str, newest: int, oldest: int) -> np.ndarray:
        """Sum over ``[day - oldest, day - newest)``: an older window, for growth ratios."""
        cumulative = self._cumsum(measure)
        result = (
            cumulative[self._position(self.days - newest)]
            - cumulative[self._position(self.days - oldest)]
        )
        return np.where(self._known, result, 0.0)

    def first_day(self) -> np.ndarray:
        """The key's first event day before the queried day, NaN when there is none."""
        seen = self._known & (self._before > self._group_start)
        start = np.minimum(self._group_start, max(len(self._days) - 1, 0))
        first = self._days[start].astype("float64") if len(self._days) else np.zeros(len(seen))
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
        events = pd.DataFrame({"key": keys.to_numpy(), "other": others.to_numpy(), "day": days})
        return cls._first(events.dropna(subset=["key", "other"]))

    @classmethod
    def _first(cls, events: pd.DataFrame) -> PairTable:
        first = events.groupby(["key", "other"], sort=True, observed=True)["day"].min()
        return cls(first.reset_index().astype({"key": "str", "other": "str", "day": "int64"}))

    def merge(self, other: PairTable) -> PairTable:
        if other.frame.empty:
            return self
        if self.frame.empty:
            return other
        return self._first(pd.concat([self.frame, other.frame], ignore_index=True))

    def as_events(self) -> EventTable:
        """One ``new`` event per pair on its first day."""
        ones = np.ones(len(self.frame))
        return EventTable.from_events(
            self.frame["key"], self.frame["day"].to_numpy(), {"new": ones}
        )

    def first_day_of(self, keys: pd.Series, others: pd.Series) -> np.ndarray:
        """First day of each queried pair, NaN for pairs never seen."""
        if self.frame.empty:
            return np.full(len(keys), np.nan)
        index = pd.MultiIndex.from_frame(self.frame[["key", "other"]])
        wanted = pd.MultiIndex.from_arrays([keys.to_numpy(), others.to_numpy()])
        position = index.get_indexer(wanted)
        days = self.frame["day"].to_numpy().astype("float64")
        return np.where(position >= 0, days[np.maximum(position, 0)], np.nan)
