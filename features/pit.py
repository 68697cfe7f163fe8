"""Point-in-time totals: what was known about a key strictly before a given day.

Events are summed per ``(key, day)``. A query for ``(key, day)`` sees only events on earlier
days, so shipments on the same day never see each other, whatever their order in the file,
and appending later shipments never changes an earlier one's answer. Tables merge, so the
totals fitted on a training history can be carried forward into later files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from features.distinct import sorted_distinct

DAY_OFFSET = 1 << 20
"""Added to day numbers so that they are positive in the packed (key, day) sort key."""
DAY_SPAN = 1 << 22


def day_numbers(dates: pd.Series) -> np.ndarray:
    """Days since 1970-01-01 as int64 (dates must be present)."""
    return dates.to_numpy(dtype="datetime64[D]").astype(np.int64)


def _sorted_codes(values: pd.Series | pd.Index) -> tuple[np.ndarray, pd.Index]:
    """Each value's position among the sorted distinct values, and those values as strings.

    Codes follow sorted order, so a table's layout depends only on its content, never on the
    order or chunking of the rows that built it.
    """
    codes, distinct = pd.factorize(values, sort=True)
    return codes.astype(np.int64), pd.Index(distinct, dtype="str")


def _group(keys: pd.Series, others: pd.Series, days: np.ndarray):
    """Sorted distinct (key, other, day) groups, and the sorted distinct keys and others."""
    key_codes, key_values = _sorted_codes(keys)
    other_codes, other_values = _sorted_codes(others)
    packed = (key_codes * (len(other_values) + 1) + other_codes) * DAY_SPAN
    return sorted_distinct(packed + days + DAY_OFFSET), key_values, other_values


INT32_MAX = np.iinfo(np.int32).max


def _narrowed(running: np.ndarray) -> np.ndarray:
    """Running totals as int32 when they are whole numbers from 0 to ``INT32_MAX`` (counts),
    so that differences of two fit too; float64 otherwise."""
    if not 0 <= running.min() <= running.max() <= INT32_MAX:  # NaN fails too
        return running
    narrow = running.astype(np.int32)
    return narrow if np.array_equal(narrow, running) else running


class EventTable:
    """Per-``(key, day)`` totals of some measures, sorted by key then day.

    Measures must be integer-valued (counts, cents, quantised logs): their sums are then exact
    (while running totals stay below 2**53), so totals do not depend on the order in which
    events were added.

    Held compactly, with no string per row: the sorted distinct ``keys``, one ``packed``
    (key code, day) per row and each measure's running total (``cumulative``), 8 bytes a row
    each (4 for counts, kept as int32). ``frame`` is built from them on each access.
    """

    keys: pd.Index
    """The distinct keys, sorted; a key's code is its position here."""
    packed: np.ndarray
    """``code * DAY_SPAN + day + DAY_OFFSET`` per row: sorted, one int64 per (key, day)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        """A table of ``frame``'s columns ``key``, ``day`` and measures (rows of the same key
        and day are summed)."""
        measures = {name: frame[name].to_numpy() for name in frame.columns[2:]}
        table = self.from_events(frame["key"], frame["day"].to_numpy(), measures)
        self._hold(table.keys, table.packed, table._running)

    def _hold(self, keys: pd.Index, packed: np.ndarray, running: dict[str, np.ndarray]) -> None:
        self.keys = keys
        self.packed = packed
        self._running = running
        """Measure -> running totals, with a leading 0 (int32 or float64, see ``_narrowed``)."""

    @classmethod
    def _of(cls, keys: pd.Index, packed: np.ndarray, running: dict[str, np.ndarray]) -> EventTable:
        table = cls.__new__(cls)
        table._hold(keys, packed, running)
        return table

    def __reduce__(self):
        # pickled as its frame, the layout of earlier versions, so that bundles load both ways
        return (type(self), (self.frame,))

    def __setstate__(self, state: dict) -> None:
        """Unpickle a table saved by an earlier version (a dataclass holding ``frame``)."""
        self.__init__(state["frame"])

    @classmethod
    def empty(cls, measures: tuple[str, ...]) -> EventTable:
        running = {name: np.zeros(1) for name in measures}
        return cls._of(pd.Index([], dtype="str"), np.empty(0, dtype=np.int64), running)

    @classmethod
    def from_events(
        cls, keys: pd.Series, days: np.ndarray, measures: dict[str, np.ndarray]
    ) -> EventTable:
        """Sum events per (key, day); rows whose key is missing are ignored."""
        present = keys.notna().to_numpy()
        codes, distinct = _sorted_codes(keys[present])
        packed = codes * DAY_SPAN + np.asarray(days)[present] + DAY_OFFSET
        return cls._summed(
            distinct,
            packed,
            tuple(measures),
            lambda name: np.asarray(measures[name], dtype="float64")[present],
        )

    @classmethod
    def _summed(
        cls,
        keys: pd.Index,
        packed: np.ndarray,
        measures: tuple[str, ...],
        values_of: Callable[[str], np.ndarray],
    ) -> EventTable:
        """The table of events given as packed (key code, day), in any order, and each
        measure's values (made one measure at a time, to hold few copies at once).
        ``packed`` is sorted in place."""
        order = np.argsort(packed, kind="stable")
        packed.sort(kind="stable")
        ends_group = np.empty(len(packed), dtype=bool)
        ends_group[:-1] = packed[1:] != packed[:-1]
        ends_group[-1:] = True
        last = np.flatnonzero(ends_group)
        running = {}
        for name in measures:
            totals = values_of(name)[order]
            np.cumsum(totals, out=totals)
            running[name] = _narrowed(np.concatenate([[0.0], totals[last]]))
            del totals  # before the next measure's values are made
        return cls._of(keys, packed[last], running)

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(self._running)

    @property
    def days(self) -> np.ndarray:
        """Each row's day (computed on each access)."""
        return self.packed % DAY_SPAN - DAY_OFFSET

    @property
    def frame(self) -> pd.DataFrame:
        """Columns ``key``, ``day`` and one float column per measure, one row per (key, day)
        (built on each access)."""
        columns = {"key": self.keys.take(self.packed // DAY_SPAN).array, "day": self.days}
        return pd.DataFrame(columns | {name: self._values(name) for name in self.measures})

    def _values(self, measure: str) -> np.ndarray:
        """The measure's value per row."""
        return np.diff(self._running[measure]).astype("float64")

    def merge(self, other: EventTable) -> EventTable:
        """Totals of both tables (the same measures)."""
        return self.combined([self, other])

    @classmethod
    def combined(cls, tables: list[EventTable]) -> EventTable:
        """Totals of all ``tables`` (the same measures), in one sort."""
        filled = [table for table in tables if len(table.packed)]
        if len(filled) <= 1:
            return filled[0] if filled else tables[0]
        _, keys = _sorted_codes(filled[0].keys.append([table.keys for table in filled[1:]]))
        ends = np.cumsum([len(table.packed) for table in filled])
        packed = np.empty(ends[-1], dtype=np.int64)
        for table, end in zip(filled, ends, strict=True):
            codes = keys.get_indexer(table.keys)[table.packed // DAY_SPAN]
            packed[end - len(table.packed) : end] = codes * DAY_SPAN + table.packed % DAY_SPAN

        def values_of(name: str) -> np.ndarray:
            values = np.empty(ends[-1])
            for table, end in zip(filled, ends, strict=True):
                running = table._running[name]
                np.subtract(running[1:], running[:-1], out=values[end - len(table.packed) : end])
            return values

        return cls._summed(keys, packed, filled[0].measures, values_of)

    def compact(self, before_day: int) -> EventTable:
        """Fold each key's events before ``before_day`` into one row at its first such day.

        Totals over windows that start on or after ``before_day``, all-time totals and first
        days are unchanged, so a state frozen at a cutoff can drop its day-level detail.
        """
        key_start = np.searchsorted(self.packed, self.packed // DAY_SPAN * DAY_SPAN)
        folded = np.where(self.days < before_day, self.packed[key_start], self.packed)
        return self._summed(self.keys, folded, self.measures, self._values)

    def cumulative(self, measure: str) -> np.ndarray:
        """Running total of ``measure`` over the rows, with a leading 0 (float64)."""
        return self._running[measure].astype("float64", copy=False)

    def first_days(self, measure: str) -> pd.Series:
        """Each key's first day with a positive ``measure`` (keys without one left out),
        as ``frame[frame[measure] > 0].groupby("key")["day"].min()`` gives it."""
        rows = np.flatnonzero(self._values(measure) > 0)
        codes, first = np.unique(self.packed[rows] // DAY_SPAN, return_index=True)
        keys = pd.Index(self.keys.take(codes), name="key")
        return pd.Series(self.packed[rows[first]] % DAY_SPAN - DAY_OFFSET, index=keys, name="day")

    def lookup(self, keys: pd.Series | KeyQueries, days: np.ndarray | None = None) -> PriorLookup:
        """Totals before each ``(key, day)``: ``keys`` with ``days``, or queries prepared once
        for several tables keyed by the same column."""
        queries = keys if isinstance(keys, KeyQueries) else KeyQueries(keys, days)
        return PriorLookup(self, queries.codes_in(self.keys), queries.days, queries.order)


class KeyQueries:
    """``(key, day)`` queries prepared once: the keys factorised (sorted) and the queries'
    order by key, then day. Tables index their keys in sorted order, so this order sorts the
    queries of every table keyed by the same column (up to keys a table lacks, whose answers
    are 0 whatever the order): one sort serves them all."""

    def __init__(self, keys: pd.Series, days: np.ndarray) -> None:
        positions, distinct = pd.factorize(keys, sort=True, use_na_sentinel=True)
        self.positions = positions
        self.distinct = pd.Index(distinct, dtype="str")
        self.days = np.asarray(days)
        ranks = np.maximum(positions, 0).astype(np.int64)
        self.order = np.argsort(ranks * DAY_SPAN + self.days, kind="stable")

    def codes_in(self, table_keys: pd.Index) -> np.ndarray:
        """Each query's key code in a table's sorted keys, -1 where the table lacks it (or
        the key is missing)."""
        if not len(self.distinct):
            return np.full(len(self.positions), -1)
        mapped = table_keys.get_indexer(self.distinct)
        return np.where(self.positions >= 0, mapped[np.maximum(self.positions, 0)], -1)


class PriorLookup:
    """Totals of an ``EventTable`` before each queried ``(key, day)``."""

    def __init__(
        self, table: EventTable, codes: np.ndarray, days: np.ndarray, order: np.ndarray
    ) -> None:
        """``order``: any order of the queries; sorted by (code, day) keeps ``searchsorted``
        cache-friendly."""
        self._table = table
        self._known = codes >= 0
        self._query = np.where(self._known, codes, 0).astype(np.int64) * DAY_SPAN + days
        self._order = order
        self._sorted = self._query[self._order]
        self._before = self._position(0)
        # code * DAY_SPAN sorts before every (key, day) of the key and after earlier keys;
        # the queries' order sorts these too (the code is the major part of the query)
        self._group_start = np.empty(len(codes), dtype=np.int64)
        key_start = self._sorted - np.asarray(days)[self._order]
        self._group_start[self._order] = np.searchsorted(table.packed, key_start, side="left")

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
        cumulative = self._table._running[measure]
        start = self._group_start if window is None else self._position(window)
        return np.where(self._known, cumulative[self._before] - cumulative[start], 0.0)

    def total_between(self, measure: str, newest: int, oldest: int) -> np.ndarray:
        """Sum over ``[day - oldest, day - newest)``: an older window, for growth ratios."""
        cumulative = self._table._running[measure]
        result = cumulative[self._position(newest)] - cumulative[self._position(oldest)]
        return np.where(self._known, result, 0.0)

    def first_day(self) -> np.ndarray:
        """The key's first event day before the queried day, NaN when there is none."""
        packed = self._table.packed
        seen = self._known & (self._before > self._group_start)
        if not len(packed):
            return np.full(len(seen), np.nan)
        first = packed[np.minimum(self._group_start, len(packed) - 1)] % DAY_SPAN - DAY_OFFSET
        return np.where(seen, first.astype("float64"), np.nan)


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
        groups, key_values, other_values = _group(keys, others, np.asarray(days)[present])
        # groups are sorted by (pair, day): a pair's first group holds its first day
        pairs, first_group = np.unique(groups // DAY_SPAN, return_index=True)
        other_count = len(other_values) + 1
        return cls(
            pd.DataFrame(
                {
                    "key": key_values.take(pairs // other_count).array,
                    "other": other_values.take(pairs % other_count).array,
                    "day": groups[first_group] % DAY_SPAN - DAY_OFFSET,
                }
            )
        )

    def merge(self, other: PairTable) -> PairTable:
        return self.combined([self, other])

    @classmethod
    def combined(cls, tables: list[PairTable]) -> PairTable:
        """The first days of the pairs of all ``tables``, in one sort."""
        filled = [table for table in tables if not table.frame.empty]
        if len(filled) <= 1:
            return filled[0] if filled else tables[0]
        every = pd.concat([table.frame for table in filled], ignore_index=True)
        return cls.from_events(every["key"], every["other"], every["day"].to_numpy())

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
