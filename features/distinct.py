"""Work once per distinct value: a Python function per distinct value (or row of values), and
distinct integers by a sort."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def map_distinct(
    values: pd.Series, function: Callable[[str], object], *, dtype: str, missing: object
) -> pd.Series:
    """``function`` of each value, computed once per distinct value; ``missing`` where NA.

    Factorising first keeps the cost proportional to the number of distinct values (names,
    addresses, countries repeat a lot in shipment files) and avoids element-wise pandas maps.
    """
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    results = np.array([function(value) for value in distinct] + [missing], dtype=object)
    mapped = results[np.where(codes >= 0, codes, len(distinct))]
    return pd.Series(mapped, index=values.index).astype(dtype)


def table_distinct(
    values: pd.Series, function: Callable[[str | None], tuple[float, ...]], columns: list[str]
) -> pd.DataFrame:
    """Several float columns computed once per distinct value (``function(None)`` for NA)."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    rows = [function(value) for value in distinct] + [function(None)]
    results = np.array(rows, dtype="float64").reshape(len(rows), len(columns))
    taken = results[np.where(codes >= 0, codes, len(distinct))]
    return pd.DataFrame(taken, index=values.index, columns=columns)


class DistinctRows:
    """Applies Python functions to the rows of a frame once per distinct combination of the
    columns each reads; each column is factorised once, however many functions read it."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._factorised: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def _column(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Codes from 1 (0 = missing) and the values they stand for (None first)."""
        if name not in self._factorised:
            codes, distinct = pd.factorize(self._frame[name], use_na_sentinel=True)
            values = np.array([None, *distinct.tolist()], dtype=object)
            self._factorised[name] = (codes.astype(np.int64) + 1, values)
        return self._factorised[name]

    def apply(
        self,
        columns: tuple[str, ...],
        function: Callable[..., tuple[float, ...]],
        names: tuple[str, ...],
    ) -> pd.DataFrame:
        """Float columns ``names`` from ``function(*values)`` of ``columns`` (None where
        missing), called once per distinct combination."""
        key = np.zeros(len(self._frame), dtype=np.int64)
        for name in columns:
            codes, values = self._column(name)
            key, _ = pd.factorize(key * len(values) + codes)
        firsts = pd.Series(key).drop_duplicates()
        table = np.empty((len(firsts), len(names)), dtype="float64")
        arguments = [self._column(name) for name in columns]
        for position, row in zip(firsts.index, firsts.to_numpy(), strict=True):
            table[row] = function(*(values[codes[position]] for codes, values in arguments))
        return pd.DataFrame(table[key], index=self._frame.index, columns=list(names))


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for integers, by a sort in place (numpy 2.4's ``np.unique`` hashes
    first, several times slower on a million distinct values)."""
    values.sort()
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]
