"""Consequences of findings: a found company's suppliers stop, and a successor takes over.

Once an inspection finds a diverting consignee out (the day its outcome becomes known), its
suppliers stop shipping to it within ``SUPPLIERS_LEARN_DAYS``. Its network does not stop: a
successor company, registered shortly before, receives the rest of the diversion flow. The
successor shares some of the found company's traits (its address for ``SUCCESSOR_KEEPS_ADDRESS``
of them, the goods, the exporters, forwarders and payers the network uses) but not its name or
registry id (a name-variant network uses another variant of its name), and
``SUCCESSOR_MOVES_HUB`` of them are set up in another hub. A lawful business
that a diverter kept as cover goes on under the old name. Successors can be found in turn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from training.simulator.actors import Registry
from training.simulator.config import (
    CONSIGNEE_ID_UNKNOWN_SHARE,
    REGISTRY_UNKNOWN_SHARE,
    SUCCESSOR_KEEPS_ADDRESS,
    SUCCESSOR_MOVES_HUB,
    SUCCESSOR_REGISTERED_DAYS,
    SUPPLIERS_LEARN_DAYS,
)
from training.simulator.naming import address
from training.simulator.typologies import fresh_variant

STAYS_IN_COUNTRY = ("transit_routing",)
"""Typologies tied to their country (fake transit to Central Asia and the Caucasus)."""


@dataclass(frozen=True)
class Handover:
    """The consignees with this round's successors appended, and per row the consignee, own
    country and destination after the handover; ``moved`` counts the rows that changed hands."""

    consignees: pd.DataFrame
    consignee: np.ndarray
    own_country: np.ndarray
    destination: np.ndarray
    moved: int


def with_networks(consignees: pd.DataFrame) -> pd.DataFrame:
    """Add ``network`` (the company a diversion network started from: a satellite's or a name
    variant's parent, else itself) and ``predecessor`` (-1: none)."""
    frame = consignees.copy()
    parent = frame["parent"].to_numpy()
    linked = frame["typology"].isin(["shared_address_network", "name_variant"]).to_numpy()
    frame["network"] = np.where(linked & (parent >= 0), parent, np.arange(len(frame)))
    frame["predecessor"] = -1
    return frame


def first_findings(
    consignee: np.ndarray, label: np.ndarray, outcome_day: np.ndarray, n_consignees: int
) -> np.ndarray:
    """Per consignee, the first day a finding against it became known (NaT: none)."""
    found = np.flatnonzero(label == 1)
    days = np.full(n_consignees, np.datetime64("NaT"), dtype="datetime64[D]")
    if len(found):
        first = pd.Series(outcome_day[found]).groupby(consignee[found]).min()
        days[first.index.to_numpy()] = first.to_numpy(dtype="datetime64[D]")
    return days


def hand_over(
    rng: np.random.Generator,
    registry: Registry,
    consignees: pd.DataFrame,
    rows: dict[str, np.ndarray],
    found_on: np.ndarray,
    settled: np.ndarray,
    hubs: dict[str, float],
    country_codes: dict[str, int],
) -> Handover:
    """Move the diverted rows each newly found consignee would have received after its
    suppliers learnt of the finding to a new successor company.

    ``rows`` holds per row ``consignee``, ``ship_day``, ``diverted``, ``own_country`` and
    ``destination`` (country codes); ``settled`` marks consignees already handed over (updated
    in place; no other input is changed). ``hubs`` are the countries a network may move to, weighted
    by their share of diversion (so moves keep each hub's share, in expectation).
    """
    consignee = rows["consignee"].copy()
    own, destination = rows["own_country"].copy(), rows["destination"].copy()
    candidates = np.flatnonzero(~np.isnat(found_on) & ~settled)
    settled[candidates] = True
    learn = rng.integers(SUPPLIERS_LEARN_DAYS[0], SUPPLIERS_LEARN_DAYS[1] + 1, len(candidates))
    stop_day = found_on[candidates] + learn.astype("timedelta64[D]")
    stop_of = np.full(len(consignees), np.datetime64("NaT"), dtype="datetime64[D]")
    stop_of[candidates] = stop_day
    row_stop = stop_of[consignee]
    moving = rows["diverted"] & ~np.isnat(row_stop) & (rows["ship_day"] > row_stop)
    predecessors = np.unique(consignee[moving])
    if len(predecessors) == 0:
        return Handover(consignees, consignee, own, destination, 0)
    successors = _successors(rng, registry, consignees, predecessors, stop_of[predecessors], hubs)
    new_index = len(consignees) + np.arange(len(predecessors))
    successor_of = np.full(len(consignees), -1, dtype=np.int64)
    successor_of[predecessors] = new_index
    moved_to = successor_of[consignee[moving]]
    old_own = own[moving]
    new_own = np.array([country_codes[c] for c in successors["country"]], dtype=np.int64)
    own[moving] = new_own[moved_to - len(consignees)]
    local = destination[moving] == old_own
    destination[moving] = np.where(local, own[moving], destination[moving])
    consignee[moving] = moved_to
    table = pd.concat([consignees, successors], ignore_index=True)
    return Handover(table, consignee, own, destination, int(moving.sum()))


def _successors(
    rng: np.random.Generator,
    registry: Registry,
    consignees: pd.DataFrame,
    predecessors: np.ndarray,
    stop_day: np.ndarray,
    hubs: dict[str, float],
) -> pd.DataFrame:
    """One new company per predecessor, copied from it with a new identity."""
    frame = consignees.iloc[predecessors].reset_index(drop=True)
    n = len(frame)
    countries = frame["country"].to_numpy(dtype=object).copy()
    movable = ~frame["typology"].isin(STAYS_IN_COUNTRY).to_numpy()
    moves = movable & (rng.random(n) < SUCCESSOR_MOVES_HUB)
    for i in np.flatnonzero(moves):
        others = [c for c in sorted(hubs) if c != countries[i]]
        weights = np.array([hubs[c] for c in others])
        countries[i] = others[rng.choice(len(others), p=weights / weights.sum())]
    names = registry.names(rng, countries, frame["business_type"].to_numpy())
    variant = (frame["typology"] == "name_variant").to_numpy()
    for i in np.flatnonzero(variant):
        names[i] = fresh_variant(rng, registry, frame.at[i, "name_parts"])
    ids = registry.ids(rng, countries)
    keeps_address = ~moves & (rng.random(n) < SUCCESSOR_KEEPS_ADDRESS)
    addresses = frame["address"].to_numpy(dtype=object)
    early, late = SUCCESSOR_REGISTERED_DAYS
    registered = stop_day - rng.integers(early, late + 1, n).astype("timedelta64[D]")
    frame["name"] = [name.text for name in names]
    frame["name_parts"] = pd.Series(names, dtype=object)
    frame["country"] = countries.astype(str)
    frame["address"] = [
        addresses[i] if keeps_address[i] else address(rng, countries[i]) for i in range(n)
    ]
    frame["registered_on"] = registered
    frame["registry_known"] = rng.random(n) >= REGISTRY_UNKNOWN_SHARE
    id_known = rng.random(n) >= CONSIGNEE_ID_UNKNOWN_SHARE
    frame["consignee_id"] = pd.Series(np.where(id_known, ids, None), dtype=object)
    frame["predecessor"] = predecessors
    frame["planned_listing"] = np.nan
    frame["parent"] = np.where(variant, frame["parent"], -1)
    frame["parent_outsider"] = np.where(variant, frame["parent_outsider"], -1)
    frame["weight"] = 0.0
    return frame
