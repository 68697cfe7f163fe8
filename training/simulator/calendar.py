"""The monthly time grid that actors' activity and diversion curves live on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from training.simulator.config import CALIBRATION_END, CALIBRATION_START, SimulationConfig

SEASONALITY = np.array([1.0, 0.95, 1.05, 1.0, 1.0, 1.0, 0.95, 0.85, 1.05, 1.05, 1.05, 0.9])
"""Month-of-year factor of legitimate trade volumes (August and December dips) [inference]."""


def day(value: date) -> np.datetime64:
    """A ``date`` as a numpy day."""
    return np.datetime64(value, "D")


@dataclass(frozen=True)
class MonthGrid:
    """Calendar months covering the calibration years and the simulated window.

    ``window_days[m]`` is how many days of month ``m`` fall inside [start, end]; shipments are
    only drawn where it is positive.
    """

    months: np.ndarray
    start: np.datetime64
    end: np.datetime64
    window_days: np.ndarray

    @classmethod
    def for_config(cls, config: SimulationConfig) -> MonthGrid:
        first = np.datetime64(min(config.start, CALIBRATION_START), "M")
        last = np.datetime64(max(config.end, CALIBRATION_END), "M")
        months = np.arange(first, last + 1)
        start, end = day(config.start), day(config.end)
        month_first = months.astype("datetime64[D]")
        month_last = (months + 1).astype("datetime64[D]") - 1
        lo = np.maximum(month_first, start)
        hi = np.minimum(month_last, end)
        window_days = np.clip((hi - lo).astype(np.int64) + 1, 0, None)
        return cls(months=months, start=start, end=end, window_days=window_days)

    @property
    def size(self) -> int:
        return len(self.months)

    @property
    def first_days(self) -> np.ndarray:
        return self.months.astype("datetime64[D]")

    @property
    def month_lengths(self) -> np.ndarray:
        return ((self.months + 1).astype("datetime64[D]") - self.first_days).astype(np.int64)

    @property
    def years(self) -> np.ndarray:
        return self.months.astype("datetime64[Y]").astype(np.int64) + 1970

    @property
    def seasonality(self) -> np.ndarray:
        return SEASONALITY[self.months.astype(np.int64) % 12]

    def index(self, value: date | np.datetime64) -> int:
        """The grid index of the month containing ``value`` (may fall outside the grid)."""
        month = np.datetime64(value, "M")
        return int((month - self.months[0]).astype(np.int64))

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Grid indices of the months containing ``days`` (datetime64[D])."""
        return (days.astype("datetime64[M]") - self.months[0]).astype(np.int64)

    def fraction(self, value: date) -> float:
        """Grid position of a day as a fractional month index (the 1st of a month is whole)."""
        return float(self.day_positions(np.array([day(value)]))[0])

    def curve(self, knots: Sequence[tuple[date, float]]) -> np.ndarray:
        """A piecewise-linear level per month through ``(date, level)`` knots, flat outside them.

        Levels are evaluated at each month's midpoint, so a knot on the 1st of a month is
        reached by that month.
        """
        positions = np.array([self.fraction(when) for when, _ in knots])
        levels = np.array([level for _, level in knots], dtype=np.float64)
        return np.interp(np.arange(self.size) + 0.5, positions, levels)

    def in_year(self, year: int) -> np.ndarray:
        """Boolean mask of the grid months in calendar ``year``."""
        return self.years == year

    def position_days(self, positions: np.ndarray) -> np.ndarray:
        """Days (datetime64[D]) at fractional month ``positions`` (e.g. 3.5 = mid fourth month)."""
        positions = np.asarray(positions, dtype=np.float64)
        index = np.floor(positions).astype(np.int64)
        month = self.months[0] + index
        first = month.astype("datetime64[D]")
        length = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
        offset = np.floor((positions - index) * length).astype(np.int64)
        return first + offset.astype("timedelta64[D]")

    def day_positions(self, days: np.ndarray) -> np.ndarray:
        """Fractional month positions of ``days`` (datetime64[D]), inverse of ``position_days``."""
        days = np.asarray(days, dtype="datetime64[D]")
        month = days.astype("datetime64[M]")
        first = month.astype("datetime64[D]")
        length = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
        index = (month - self.months[0]).astype(np.int64)
        return index + (days - first).astype(np.int64) / length

    def overlap(self, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
        """Share of each grid month inside [start, stop) for each row: shape (rows, months)."""
        edges = np.arange(self.size, dtype=np.float64)
        lo = np.maximum(np.asarray(start, dtype=np.float64)[:, None], edges[None, :])
        hi = np.minimum(np.asarray(stop, dtype=np.float64)[:, None], edges[None, :] + 1)
        return np.clip(hi - lo, 0.0, 1.0)
