"""How the shipments of each kind of stream look: one ``Behaviour`` per typology.

The typology generators (``typologies``) decide who diverts and when; a behaviour decides what
their shipments carry: goods, suppliers, prices, routes, parties. Red flags are probabilities
here, not certainties, so that no single column separates diverted from legitimate trade.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from training.simulator.config import (
    DIVERTED_LOT_MEDIAN,
    FRONT_PREMIUM_PROBABILITY,
    FRONT_PREMIUM_RANGE,
    LEGIT_PREMIUM_PROBABILITY,
    LEGIT_PREMIUM_RANGE,
    PRICE_PREMIUM_RANGE,
)

LEGITIMATE = "legitimate"


@dataclass(frozen=True)
class Behaviour:
    """Shipment-level habits of one stream kind.

    Probabilities: ``p_staple`` buy one of the consignee's usual codes; ``p_regular`` buy from
    one of its regular suppliers; ``p_premium`` pay a mark-up drawn from ``premium``;
    ``p_ru_transit`` route land freight to Central Asia / the Caucasus through Russia or Belarus
    (after the invasion); ``p_destination_mismatch`` declare another destination;
    ``p_third_payer`` pay from a third country; ``p_hub_forwarder`` use a small forwarder in a
    hub; ``p_vague`` describe the goods vaguely; ``p_end_user`` name an end user;
    ``p_reexport`` buy Western-brand electronics, IT or instruments from a distributor in a
    trade hub instead of a Western exporter.
    ``lot_median`` scales lot sizes; ``buyer_terms`` favours EXW/FCA (buyer-nominated carrier).

    Legitimate look-alikes (``lookalikes``) read two of them per consignee: ``p_third_payer`` is
    the share of invoices paid by the group headquarters (only for consignees that have one),
    ``p_ru_transit`` the share of shipments their forwarder sends by land through Russia (only
    for consignees whose forwarder runs that route). Ordinary legitimate streams use neither
    (4 % of their invoices are paid by a headquarters, and 4 % of CHPL / 35 % of other land
    freight to Central Asia goes through Russia after the invasion, in ``shipments``).
    """

    typology: str
    diverted: bool
    p_staple: float
    p_regular: float
    p_premium: float
    premium: tuple[float, float]
    lot_median: float
    p_ru_transit: float
    p_destination_mismatch: float
    p_third_payer: float
    p_hub_forwarder: float
    p_vague: float
    p_end_user: float
    buyer_terms: bool
    p_reexport: float


BEHAVIOURS: tuple[Behaviour, ...] = (
    Behaviour(
        typology=LEGITIMATE, diverted=False, p_staple=0.6, p_regular=0.85,
        p_premium=LEGIT_PREMIUM_PROBABILITY, premium=LEGIT_PREMIUM_RANGE, lot_median=1.0,
        p_ru_transit=0.0, p_destination_mismatch=0.02, p_third_payer=0.03, p_hub_forwarder=0.2,
        p_vague=0.03, p_end_user=0.45, buyer_terms=False, p_reexport=0.01,
    ),
    Behaviour(
        typology="new_intermediary", diverted=False, p_staple=0.75, p_regular=0.95,
        p_premium=LEGIT_PREMIUM_PROBABILITY, premium=LEGIT_PREMIUM_RANGE, lot_median=1.0,
        p_ru_transit=0.8, p_destination_mismatch=0.04, p_third_payer=0.8, p_hub_forwarder=0.5,
        p_vague=0.03, p_end_user=0.5, buyer_terms=True, p_reexport=0.15,
    ),
    Behaviour(
        typology="regional_distributor", diverted=False, p_staple=0.7, p_regular=0.92,
        p_premium=LEGIT_PREMIUM_PROBABILITY, premium=LEGIT_PREMIUM_RANGE, lot_median=1.0,
        p_ru_transit=0.5, p_destination_mismatch=0.12, p_third_payer=0.5, p_hub_forwarder=0.3,
        p_vague=0.02, p_end_user=0.5, buyer_terms=True, p_reexport=0.2,
    ),
    Behaviour(
        typology="growing_broker", diverted=False, p_staple=0.3, p_regular=0.25,
        p_premium=0.2, premium=LEGIT_PREMIUM_RANGE, lot_median=0.7,
        p_ru_transit=0.5, p_destination_mismatch=0.08, p_third_payer=0.5, p_hub_forwarder=0.5,
        p_vague=0.06, p_end_user=0.3, buyer_terms=True, p_reexport=0.3,
    ),
    Behaviour(
        typology="front_company", diverted=True, p_staple=0.0, p_regular=0.1,
        p_premium=FRONT_PREMIUM_PROBABILITY, premium=FRONT_PREMIUM_RANGE, lot_median=0.6,
        p_ru_transit=0.3, p_destination_mismatch=0.12, p_third_payer=0.35, p_hub_forwarder=0.6,
        p_vague=0.12, p_end_user=0.35, buyer_terms=True, p_reexport=0.3,
    ),
    Behaviour(
        typology="conduit_distributor", diverted=True, p_staple=0.0, p_regular=0.45,
        p_premium=0.1, premium=(1.05, 1.3), lot_median=0.8,
        p_ru_transit=0.15, p_destination_mismatch=0.08, p_third_payer=0.2, p_hub_forwarder=0.45,
        p_vague=0.08, p_end_user=0.45, buyer_terms=True, p_reexport=0.15,
    ),
    Behaviour(
        typology="shared_address_network", diverted=True, p_staple=0.0, p_regular=0.25,
        p_premium=0.15, premium=(1.1, 1.4), lot_median=0.6,
        p_ru_transit=0.2, p_destination_mismatch=0.1, p_third_payer=0.3, p_hub_forwarder=0.55,
        p_vague=0.1, p_end_user=0.35, buyer_terms=True, p_reexport=0.3,
    ),
    Behaviour(
        typology="transit_routing", diverted=True, p_staple=0.0, p_regular=0.4,
        p_premium=0.1, premium=(1.05, 1.3), lot_median=0.8,
        p_ru_transit=1.0, p_destination_mismatch=0.0, p_third_payer=0.25, p_hub_forwarder=0.6,
        p_vague=0.1, p_end_user=0.4, buyer_terms=True, p_reexport=0.1,
    ),
    Behaviour(
        typology="price_premium", diverted=True, p_staple=0.0, p_regular=0.7,
        p_premium=1.0, premium=PRICE_PREMIUM_RANGE, lot_median=DIVERTED_LOT_MEDIAN,
        p_ru_transit=0.05, p_destination_mismatch=0.03, p_third_payer=0.1, p_hub_forwarder=0.25,
        p_vague=0.04, p_end_user=0.5, buyer_terms=False, p_reexport=0.2,
    ),
    Behaviour(
        typology="name_variant", diverted=True, p_staple=0.0, p_regular=0.3,
        p_premium=0.2, premium=(1.1, 1.5), lot_median=0.7,
        p_ru_transit=0.2, p_destination_mismatch=0.1, p_third_payer=0.3, p_hub_forwarder=0.55,
        p_vague=0.1, p_end_user=0.35, buyer_terms=True, p_reexport=0.3,
    ),
)  # fmt: skip
"""Red-flag rates per typology [inference: the guidance names the flags, not their rates;
``p_reexport`` follows the public reporting that most Western-brand parts reaching Russia
left a third country's distributor, ``domain-facts.md`` §4.1]."""

TYPOLOGIES: tuple[str, ...] = tuple(b.typology for b in BEHAVIOURS if b.diverted)
"""The diversion typologies, in a fixed order."""

LOOKALIKE_PROFILES: tuple[str, ...] = tuple(
    b.typology for b in BEHAVIOURS if not b.diverted and b.typology != LEGITIMATE
)
"""Kinds of legitimate look-alikes (``lookalikes``); their truth typology is "legitimate"."""


def behaviour_table() -> pd.DataFrame:
    """One row per behaviour, indexed by typology name."""
    rows = [asdict(b) for b in BEHAVIOURS]
    frame = pd.DataFrame(rows).set_index("typology")
    frame[["premium_low", "premium_high"]] = pd.DataFrame(
        frame["premium"].tolist(), index=frame.index
    )
    return frame.drop(columns="premium")


def stream_kind(profile: str) -> str:
    """The behaviour of a legitimate stream: its consignee's look-alike profile, if any."""
    return profile or LEGITIMATE
