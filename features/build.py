"""The feature frame: every family, in registry order, for a batch of validated shipments."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import pandas as pd

from features.counterparty import address_link_features, watchlist_features
from features.errors import DivertError
from features.extras import extra_features
from features.history import history_features
from features.hs_code import hs_features
from features.profiles import profile_features
from features.reference import Reference
from features.registry import feature_list
from features.routing import routing_features
from features.schema import GROUND_TRUTH_PREFIX
from features.screening import WatchlistIndex
from features.state import HistoryState, address_keys


@dataclass(frozen=True)
class FeatureContext:
    """What feature computation reads besides the shipments and the history state."""

    reference: Reference
    watchlist: WatchlistIndex | None = None
    workers: int = 2
    """Threads for one batch: watchlist matching runs beside the other families (numpy,
    pyarrow and rapidfuzz release the GIL). Use 1 for single-row, latency-bound scoring."""


def compute_features(
    shipments: pd.DataFrame, state: HistoryState, context: FeatureContext
) -> tuple[pd.DataFrame, HistoryState]:
    """Features of validated ``shipments`` given what ``state`` knows, and the updated state.

    Each shipment sees only ``state`` and the batch's rows dated before its own day, so the
    result does not depend on row order. To get the same result in chunks as at once, pass
    chunks in date order, threading the returned state into the next call, or absorb every
    chunk first and then call ``query_features`` per chunk (see ``features.passes``).
    """
    return _features(
        shipments,
        context,
        lambda addresses: state.absorb(shipments, context.reference, addresses),
    )


def query_features(
    shipments: pd.DataFrame, state: HistoryState, context: FeatureContext
) -> pd.DataFrame:
    """Features of ``shipments`` from a state that has already absorbed at least every
    shipment dated before them (later or same-day events in the state are never read)."""
    frame, _ = _features(shipments, context, lambda addresses: state)
    return frame


def _features(
    shipments: pd.DataFrame,
    context: FeatureContext,
    state_for: Callable[[pd.Series], HistoryState],
) -> tuple[pd.DataFrame, HistoryState]:
    truth = [name for name in shipments.columns if str(name).startswith(GROUND_TRUTH_PREFIX)]
    if truth:
        raise DivertError(f"ground-truth column(s) {truth} must never be feature inputs")
    addresses = address_keys(shipments)
    with ThreadPoolExecutor(max_workers=max(context.workers - 1, 1)) as pool:
        if context.workers > 1:
            watchlist = pool.submit(watchlist_features, shipments, context.watchlist).result
        else:
            watchlist = partial(watchlist_features, shipments, context.watchlist)
        state = state_for(addresses)
        families = [
            hs_features(shipments, state.prices, context.reference),
            routing_features(shipments, context.reference),
            history_features(shipments, state, addresses),
            profile_features(shipments, state.profiles, state.extras),
            address_link_features(shipments, state, addresses),
            watchlist(),
            extra_features(shipments, state.extras),
        ]
    frame = pd.concat(families, axis=1)
    return frame[[feature.name for feature in feature_list(state.extras)]], state
