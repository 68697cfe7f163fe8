"""The fitted history state: what earlier shipments taught, carried from training to scoring.

A state is immutable: ``absorb`` returns a new state that also holds a batch's events.
Features read it only for days before each shipment's own day (see ``features.pit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from features.extras import ExtraColumns
from features.hs_code import PRICE_BASES, PRICE_MEASURES, price_events
from features.names import normalise_addresses
from features.pit import EventTable, PairTable, day_numbers
from features.profiles import (
    OUTCOME_MEASURES,
    OVERALL,
    outcome_days,
    outcome_measures,
    overall_rates,
    profile_columns,
    profile_events,
)
from features.reference import Reference

ENTITY_MEASURES = ("shipments", "value_cents", "chpl", "target", "labelled", "diverted")
CENTS = 100
"""Values are summed in whole cents, so that totals are exact (see ``features.pit``)."""
BUILT_IN_ENTITIES = {
    "consignee": ("consignee_id", "exporter_id"),
    "exporter": ("exporter_id", "consignee_id"),
}
"""Entity kind -> (key column, counterparty column)."""
EXTRA_COUNTERPARTY = "consignee_id"


def address_keys(shipments: pd.DataFrame) -> pd.Series:
    """Normalised consignee addresses; NA where missing or normalised to nothing."""
    return normalise_addresses(shipments["consignee_address"]).replace("", pd.NA)


def entity_columns(entity_keys: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Every entity kind with history features: the built-in ones and the column map's keys."""
    return {**BUILT_IN_ENTITIES, **{key: (key, EXTRA_COUNTERPARTY) for key in entity_keys}}


def _entity_events(shipments: pd.DataFrame, reference: Reference):
    """Every row's shipment event on its ship day and, for inspected rows, its outcome event on
    the day the outcome was known: the positions of the rows behind the events, their days and
    their measures."""
    shipped = _shipment_measures(shipments, reference)
    outcomes = outcome_measures(shipments)
    inspected = np.flatnonzero(outcomes["labelled"])
    rows = np.concatenate([np.arange(len(shipments)), inspected])
    days = np.concatenate([day_numbers(shipments["ship_date"]), outcome_days(shipments)[inspected]])
    none = np.zeros(len(inspected))
    measures = {name: np.concatenate([values, none]) for name, values in shipped.items()}
    nothing = np.zeros(len(shipments))
    measures |= {
        name: np.concatenate([nothing, values[inspected]]) for name, values in outcomes.items()
    }
    return rows, days, measures


def _shipment_measures(shipments: pd.DataFrame, reference: Reference) -> dict[str, np.ndarray]:
    return {
        "shipments": np.ones(len(shipments)),
        "value_cents": np.round(shipments["value_usd"].to_numpy(dtype="float64") * CENTS),
        "chpl": shipments["hs_code"].isin(reference.chpl.tier_by_hs6).to_numpy(dtype="float64"),
        "target": shipments["destination_country"]
        .isin(reference.countries.targets)
        .to_numpy(dtype="float64"),
    }


@dataclass(frozen=True)
class HistoryState:
    """Per-entity event totals, counterparty and address links, HS-6 price history and the
    outcomes behind the risk profiles (``features.profiles``)."""

    extras: ExtraColumns = field(default_factory=ExtraColumns)
    entities: dict[str, EventTable] = field(default_factory=dict)
    counterparties: dict[str, PairTable] = field(default_factory=dict)
    addresses: PairTable = field(default_factory=PairTable.empty)
    """key = normalised consignee address, other = consignee id."""
    prices: dict[str, EventTable] = field(default_factory=dict)
    """Price basis (``features.hs_code.PRICE_BASES``) -> HS-6 log prices."""
    profiles: dict[str, EventTable] = field(default_factory=dict)
    """Profile (and ``OVERALL``) -> inspection outcomes by the day they were known."""
    last_day: int | None = None

    @classmethod
    def empty(cls, extras: ExtraColumns | None = None) -> HistoryState:
        extras = extras or ExtraColumns()
        kinds = entity_columns(extras.entity_keys)
        return cls(
            extras=extras,
            entities={kind: EventTable.empty(ENTITY_MEASURES) for kind in kinds},
            counterparties={kind: PairTable.empty() for kind in kinds},
            prices={basis: EventTable.empty(PRICE_MEASURES) for basis in PRICE_BASES},
            profiles={
                profile: EventTable.empty(OUTCOME_MEASURES)
                for profile in (*profile_columns(extras), OVERALL)
            },
        )

    def overall_rate(self, days: np.ndarray) -> np.ndarray:
        """The overall rate found diverted among inspections known before each day."""
        return overall_rates(self.profiles[OVERALL], days)

    def absorb(
        self, shipments: pd.DataFrame, reference: Reference, addresses: pd.Series
    ) -> HistoryState:
        """A new state that also knows ``shipments`` (validated rows, any order).

        ``addresses`` are the rows' normalised consignee addresses (``address_keys``).
        """
        if shipments.empty:
            return self
        days = day_numbers(shipments["ship_date"])
        rows, event_days, measures = _entity_events(shipments, reference)
        entities, counterparties = {}, {}
        for kind, (key, other) in entity_columns(self.extras.entity_keys).items():
            keys = shipments[key].take(rows).reset_index(drop=True)
            events = EventTable.from_events(keys, event_days, measures)
            entities[kind] = self.entities[kind].merge(events)
            pairs = PairTable.from_events(shipments[key], shipments[other], days)
            counterparties[kind] = self.counterparties[kind].merge(pairs)
        address_pairs = PairTable.from_events(addresses, shipments["consignee_id"], days)
        last_day = int(days.max()) if self.last_day is None else max(self.last_day, int(days.max()))
        return replace(
            self,
            entities=entities,
            counterparties=counterparties,
            addresses=self.addresses.merge(address_pairs),
            prices=_merged(self.prices, price_events(shipments)),
            profiles=_merged(self.profiles, profile_events(shipments, self.extras)),
            last_day=last_day,
        )

    def merge(self, other: HistoryState) -> HistoryState:
        """A state that knows the events of both states (same entity keys).

        Totals are exact sums and pairs keep their first day, so states absorbed from parts of
        a history, in any grouping or order, merge into the state of the whole history.
        """
        return merge_states([self, other])

    def compact(self, before_day: int) -> HistoryState:
        """Drop day-level detail older than ``before_day`` (answers from that day on are kept)."""
        return replace(
            self,
            entities={kind: table.compact(before_day) for kind, table in self.entities.items()},
            prices={basis: table.compact(before_day) for basis, table in self.prices.items()},
            profiles={name: table.compact(before_day) for name, table in self.profiles.items()},
        )


class StateMerger:
    """Merges states as they come, pairing states made of equally many parts (as a binary
    counter carries): each event is re-sorted about log2(parts) times, not once per part as
    when every part is absorbed into one growing state, and at most about log2(parts)
    partial states are held at once."""

    def __init__(self, extras: ExtraColumns | None = None) -> None:
        self.extras = extras or ExtraColumns()
        self._levels: list[HistoryState | None] = []
        """Level ``i`` holds a state merged from 2**i parts, or None."""

    def absorb(self, shipments: pd.DataFrame, reference: Reference) -> None:
        """Add one chunk of validated shipments as a partial state (the absorb step of every
        chunked reader: the file scorer, ``divert features`` and Spark partitions)."""
        if not shipments.empty:
            partial = HistoryState.empty(self.extras)
            self.add(partial.absorb(shipments, reference, address_keys(shipments)))

    def add(self, state: HistoryState) -> None:
        level = 0
        while level < len(self._levels) and self._levels[level] is not None:
            parts = [self._levels[level], state]
            self._levels[level] = None
            del state  # so that merge_states can release each kind of table once merged
            state = merge_states(parts)
            level += 1
        if level == len(self._levels):
            self._levels.append(state)
        else:
            self._levels[level] = state

    def merged(self, into: HistoryState | None = None) -> HistoryState:
        """``into`` (default an empty state) merged with every state added (the merger is
        left empty)."""
        into = HistoryState.empty(self.extras) if into is None else into
        states = [into, *(held for held in self._levels if held is not None)]
        self._levels = []
        return merge_states(states)


def merge_states(states: list[HistoryState]) -> HistoryState:
    """The merge of ``states`` (at least one, the same extras), one kind of table at a time in
    one sort each.

    ``states`` is emptied: each kind of table is released once merged, so that at most one
    is held twice (parts and merge) when the caller keeps no other reference to the states.
    """
    if not states:
        raise ValueError("no history states to merge")
    first = states[0]
    others = [state.extras for state in states if state.extras != first.extras]
    if others:
        raise ValueError(
            f"cannot merge history states with extras {first.extras!r} and {others[0]!r}"
        )
    days = [state.last_day for state in states if state.last_day is not None]
    entities = {kind: [state.entities[kind] for state in states] for kind in first.entities}
    counterparties = {
        kind: [state.counterparties[kind] for state in states] for kind in first.counterparties
    }
    addresses = [state.addresses for state in states]
    prices = {basis: [state.prices[basis] for state in states] for basis in first.prices}
    profiles = {name: [state.profiles[name] for state in states] for name in first.profiles}
    extras = first.extras
    states.clear()
    del first
    for kind in entities:
        entities[kind] = EventTable.combined(entities[kind])
    for kind in counterparties:
        counterparties[kind] = PairTable.combined(counterparties[kind])
    return HistoryState(
        extras=extras,
        entities=entities,
        counterparties=counterparties,
        addresses=PairTable.combined(addresses),
        prices={basis: EventTable.combined(tables) for basis, tables in prices.items()},
        profiles={name: EventTable.combined(tables) for name, tables in profiles.items()},
        last_day=max(days) if days else None,
    )


def _merged(tables: dict[str, EventTable], more: dict[str, EventTable]) -> dict[str, EventTable]:
    return {name: table.merge(more[name]) for name, table in tables.items()}
