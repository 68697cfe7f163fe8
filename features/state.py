"""The fitted history state: what earlier shipments taught, carried from training to scoring.

A state is immutable: ``absorb`` returns a new state that also holds a batch's events.
Features read it only for days before each shipment's own day (see ``features.pit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from features.hs_code import PRICE_MEASURES, price_events
from features.names import normalise_addresses
from features.pit import EventTable, PairTable, day_numbers
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


def _entity_measures(shipments: pd.DataFrame, reference: Reference) -> dict[str, np.ndarray]:
    labels = shipments["diverted"].to_numpy(dtype="float64")
    return {
        "shipments": np.ones(len(shipments)),
        "value_cents": np.round(shipments["value_usd"].to_numpy(dtype="float64") * CENTS),
        "chpl": shipments["hs_code"].isin(reference.chpl.tier_by_hs6).to_numpy(dtype="float64"),
        "target": shipments["destination_country"]
        .isin(reference.countries.targets)
        .to_numpy(dtype="float64"),
        "labelled": (~np.isnan(labels)).astype("float64"),
        "diverted": (labels == 1).astype("float64"),
    }


@dataclass(frozen=True)
class HistoryState:
    """Per-entity event totals, counterparty and address links, and HS-6 price history."""

    entity_keys: tuple[str, ...] = ()
    entities: dict[str, EventTable] = field(default_factory=dict)
    counterparties: dict[str, PairTable] = field(default_factory=dict)
    addresses: PairTable = field(default_factory=PairTable.empty)
    """key = normalised consignee address, other = consignee id."""
    prices: EventTable = field(default_factory=lambda: EventTable.empty(PRICE_MEASURES))
    last_day: int | None = None

    @classmethod
    def empty(cls, entity_keys: tuple[str, ...] = ()) -> HistoryState:
        kinds = entity_columns(entity_keys)
        return cls(
            entity_keys=entity_keys,
            entities={kind: EventTable.empty(ENTITY_MEASURES) for kind in kinds},
            counterparties={kind: PairTable.empty() for kind in kinds},
        )

    def absorb(
        self, shipments: pd.DataFrame, reference: Reference, addresses: pd.Series
    ) -> HistoryState:
        """A new state that also knows ``shipments`` (validated rows, any order).

        ``addresses`` are the rows' normalised consignee addresses (``address_keys``).
        """
        if shipments.empty:
            return self
        days = day_numbers(shipments["ship_date"])
        measures = _entity_measures(shipments, reference)
        entities, counterparties = {}, {}
        for kind, (key, other) in entity_columns(self.entity_keys).items():
            events = EventTable.from_events(shipments[key], days, measures)
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
            prices=self.prices.merge(price_events(shipments)),
            last_day=last_day,
        )

    def merge(self, other: HistoryState) -> HistoryState:
        """A state that knows the events of both states (same entity keys).

        Totals are exact sums and pairs keep their first day, so states absorbed from parts of
        a history, in any grouping or order, merge into the state of the whole history.
        """
        if other.entity_keys != self.entity_keys:
            raise ValueError(
                f"cannot merge history states with entity keys {self.entity_keys!r} and "
                f"{other.entity_keys!r}"
            )
        days = [day for day in (self.last_day, other.last_day) if day is not None]
        return replace(
            self,
            entities={
                kind: table.merge(other.entities[kind]) for kind, table in self.entities.items()
            },
            counterparties={
                kind: table.merge(other.counterparties[kind])
                for kind, table in self.counterparties.items()
            },
            addresses=self.addresses.merge(other.addresses),
            prices=self.prices.merge(other.prices),
            last_day=max(days) if days else None,
        )

    def compact(self, before_day: int) -> HistoryState:
        """Drop day-level detail older than ``before_day`` (answers from that day on are kept)."""
        return replace(
            self,
            entities={kind: table.compact(before_day) for kind, table in self.entities.items()},
            prices=self.prices.compact(before_day),
        )
