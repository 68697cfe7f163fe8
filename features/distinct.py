"""Apply a Python function once per distinct value of a column, not once per row."""

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
