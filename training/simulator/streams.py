"""Shipment streams: who ships how much in which month, and drawing the shipments.

A stream is one consignee's flow of one kind (its legitimate business, or its diversion). Its
intensity is the expected number of shipments per month in relative units; ``draw`` turns all
intensities into exactly ``rows`` shipments with one multinomial draw, so volumes follow the
calibrated curves and the row count is exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.simulator.behaviour import stream_kind
from training.simulator.calendar import MonthGrid
from training.simulator.config import CALIBRATION_START

LEGIT_TREND_PER_YEAR = 0.02
"""Background growth of legitimate trade volumes [inference]."""

LEGIT_GROWTH_CAP = 3.0
"""A growing legitimate business grows at most e^3 (about 20-fold) over its first level."""


@dataclass(frozen=True)
class Streams:
    """Stream rows (``consignee``, ``country``, ``typology``, ``diverted``, ``basket``) and
    their monthly intensities, shape (streams, grid months)."""

    table: pd.DataFrame
    intensity: np.ndarray


def legit_streams(consignees: pd.DataFrame, grid: MonthGrid) -> Streams:
    """The legitimate business of every consignee with a positive ``weight``.

    The stream's ``typology`` names its behaviour: "legitimate", or a look-alike profile.
    """
    rows = np.flatnonzero(consignees["weight"].to_numpy() > 0)
    part = consignees.iloc[rows]
    years = (np.arange(grid.size) - grid.index(CALIBRATION_START)) / 12.0
    month_factor = grid.seasonality * (1.0 + LEGIT_TREND_PER_YEAR) ** years
    start = part["active_from"].to_numpy()
    activity = grid.overlap(start, part["active_to"].to_numpy())
    intensity = part["weight"].to_numpy()[:, None] * activity * month_factor[None, :]
    intensity *= _growth(part["growth"].to_numpy(), start, activity, grid)
    table = pd.DataFrame(
        {
            "consignee": rows,
            "country": part["country"].to_numpy(),
            "typology": [stream_kind(p) for p in part["profile"]],
            "diverted": False,
            "basket": part["basket"].to_numpy(),
        }
    )
    return Streams(table, intensity)


def _growth(
    rate: np.ndarray, start: np.ndarray, activity: np.ndarray, grid: MonthGrid
) -> np.ndarray:
    """Per stream and month, ``exp(rate * months since start)`` (capped at
    ``LEGIT_GROWTH_CAP``) scaled to average 1 over the active months, so that ``weight`` stays
    the stream's mean level."""
    age = np.clip(np.arange(grid.size)[None, :] + 0.5 - start[:, None], 0.0, None)
    factor = np.exp(np.minimum(rate[:, None] * age, LEGIT_GROWTH_CAP))
    active = activity > 0
    mean = (factor * active).sum(axis=1) / np.maximum(active.sum(axis=1), 1)
    return factor / np.maximum(mean, 1e-12)[:, None]


def diversion_shapes(consignees: pd.DataFrame, grid: MonthGrid) -> Streams:
    """The diversion flow of every diverting consignee, before it is scaled to the calibrated
    country volumes: relative weight x activity x growth since its first month."""
    rows = np.flatnonzero(consignees["typology"].to_numpy() != "legitimate")
    part = consignees.iloc[rows]
    start = part["div_from"].to_numpy()
    activity = grid.overlap(start, part["div_to"].to_numpy())
    months = np.arange(grid.size) + 0.5
    age = np.clip(months[None, :] - start[:, None], 0.0, None)
    ramp = 1.0 - np.exp(-(age + 0.5) / part["div_ramp"].to_numpy()[:, None])
    growth = np.exp(np.minimum(part["div_growth"].to_numpy()[:, None] * age, 5.0))
    intensity = part["div_weight"].to_numpy()[:, None] * activity * ramp * growth
    table = pd.DataFrame(
        {
            "consignee": rows,
            "country": part["country"].to_numpy(),
            "typology": part["typology"].to_numpy(),
            "diverted": True,
            "basket": part["div_basket"].to_numpy(),
        }
    )
    return Streams(table, intensity)


def concat(*parts: Streams) -> Streams:
    """Streams of several parts, in order."""
    table = pd.concat([p.table for p in parts], ignore_index=True)
    return Streams(table, np.vstack([p.intensity for p in parts]))


def window_weights(grid: MonthGrid) -> np.ndarray:
    """Share of each grid month that lies inside the simulated window."""
    return grid.window_days / grid.month_lengths


def draw(rng: np.random.Generator, streams: Streams, grid: MonthGrid, rows: int) -> pd.DataFrame:
    """Exactly ``rows`` shipments: columns ``stream`` (row of ``streams``) and ``ship_date``.

    Months partly outside the window are thinned by the share of their days inside it, and
    days are drawn uniformly within the part of the month that is inside.
    """
    expected = streams.intensity * window_weights(grid)[None, :]
    flat = expected.ravel()
    total = flat.sum()
    if total <= 0:
        raise ValueError("no shipment can fall inside the simulated window")
    counts = rng.multinomial(rows, flat / total)
    cells = np.flatnonzero(counts)
    repeats = counts[cells]
    stream = np.repeat(cells // grid.size, repeats)
    month = np.repeat(cells % grid.size, repeats)
    first_in_window = np.maximum(grid.first_days, grid.start)
    offsets = np.floor(rng.random(rows) * grid.window_days[month]).astype(np.int64)
    ship_date = first_in_window[month] + offsets.astype("timedelta64[D]")
    return pd.DataFrame({"stream": stream, "ship_date": ship_date})
