"""Consignee, exporter and extra-entity history: point-in-time aggregates of earlier shipments.

Every number here counts only shipments dated strictly before the shipment's own day; same-day
shipments never see each other. Label-derived counts (inspections, diversions) therefore never
include the shipment's own label.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features.extras import ExtraColumns
from features.pit import KeyQueries, day_numbers
from features.profiles import smoothed_rate
from features.registry import Feature, flag, number
from features.state import CENTS, HistoryState, entity_columns
from seeds.facts import INVASION_DATE

SHORT_WINDOW = 30
YEAR_WINDOW = 365
RECENT_WINDOW = 90
"""Growth compares the last 90 days with the 275 days before them."""
COUNTERPARTY_NOUN = {"consignee": "exporters", "exporter": "consignees"}


def entity_features(kind: str) -> tuple[Feature, ...]:
    """The history features of one entity kind (consignee, exporter or a column-map key)."""
    noun = kind.replace("_", " ")
    others = COUNTERPARTY_NOUN.get(kind, "consignees")
    return (
        number(f"{kind}_prior_shipments_30d", f"{noun}'s shipments in the 30 days before"),
        number(f"{kind}_prior_shipments_365d", f"{noun}'s shipments in the year before"),
        number(f"{kind}_prior_shipments", f"{noun}'s shipments ever before"),
        number(f"{kind}_prior_value_365d", f"{noun}'s shipment value in the year before (log USD)"),
        number(
            f"{kind}_chpl_share_365d",
            f"share of the {noun}'s shipments in the year before that were CHPL items",
        ),
        number(
            f"{kind}_value_growth_90d",
            f"{noun}'s value in the last 90 days against its rate in the 275 before (log ratio)",
        ),
        number(
            f"{kind}_days_since_first_seen", f"days since the {noun} was first seen (empty if new)"
        ),
        number(
            f"{kind}_distinct_counterparties", f"distinct {others} the {noun} dealt with before"
        ),
        number(f"{kind}_prior_inspections", f"earlier inspected shipments of the {noun}"),
        number(f"{kind}_prior_diversions", f"earlier shipments of the {noun} found diverted"),
        number(
            f"{kind}_found_rate",
            f"share of the {noun}'s earlier inspections that found a diversion (smoothed)",
        ),
    )


CONSIGNEE_FEATURES = (
    number(
        "consignee_registration_age_days",
        "days between the consignee's registration and the shipment",
    ),
    flag(
        "consignee_registered_after_invasion", "consignee registered on or after 24 February 2022"
    ),
    number(
        "consignee_address_other_consignees",
        "other consignees seen earlier at the same address (mass-registration address)",
    ),
)
EXPORTER_FEATURES = (
    number("exporter_prior_target_shipments", "exporter's earlier shipments to Russia or Belarus"),
)


def history_groups(extras: ExtraColumns) -> dict[str, tuple[Feature, ...]]:
    """Each entity kind's history features."""
    own = {"consignee": CONSIGNEE_FEATURES, "exporter": EXPORTER_FEATURES}
    return {
        kind: (*entity_features(kind), *own.get(kind, ()))
        for kind in entity_columns(extras.entity_keys)
    }


def history_feature_list(extras: ExtraColumns) -> tuple[Feature, ...]:
    return tuple(feature for group in history_groups(extras).values() for feature in group)


def _entity_columns(
    kind: str, shipments: pd.DataFrame, state: HistoryState, days: np.ndarray, overall
) -> dict:
    key, _ = entity_columns(state.extras.entity_keys)[kind]
    queries = KeyQueries(shipments[key], days)
    lookup = state.entities[kind].lookup(queries)
    counterparties = state.counterparties[kind].as_events.lookup(queries)
    return entity_values(kind, lookup, counterparties, days, overall)


def entity_values(kind: str, lookup, counterparties, days, overall):
    """The entity's history features from its lookups: ``PriorLookup`` over a batch (arrays)
    or ``features.record.RecordLookup`` for one shipment (scalars), so both paths share the
    arithmetic. ``counterparties`` counts ``new`` pairs; ``overall`` is the overall rate
    found diverted (``features.profiles.overall_rates``)."""
    year = lookup.total("shipments", YEAR_WINDOW)
    recent_value = lookup.total("value_cents", RECENT_WINDOW) / CENTS
    older_value = lookup.total_between("value_cents", RECENT_WINDOW, YEAR_WINDOW) / CENTS
    older_rate = older_value * RECENT_WINDOW / (YEAR_WINDOW - RECENT_WINDOW)
    with np.errstate(invalid="ignore", divide="ignore"):
        chpl_share = np.divide(lookup.total("chpl", YEAR_WINDOW), year)
    columns = {
        f"{kind}_prior_shipments_30d": lookup.total("shipments", SHORT_WINDOW),
        f"{kind}_prior_shipments_365d": year,
        f"{kind}_prior_shipments": lookup.total("shipments"),
        f"{kind}_prior_value_365d": np.log1p(lookup.total("value_cents", YEAR_WINDOW) / CENTS),
        f"{kind}_chpl_share_365d": np.where(year > 0, chpl_share, np.nan),
        f"{kind}_value_growth_90d": np.log1p(recent_value) - np.log1p(older_rate),
        f"{kind}_days_since_first_seen": days - lookup.first_day(),
        f"{kind}_distinct_counterparties": counterparties.total("new"),
        f"{kind}_prior_inspections": lookup.total("labelled"),
        f"{kind}_prior_diversions": lookup.total("diverted"),
        f"{kind}_found_rate": smoothed_rate(
            lookup.total("diverted"), lookup.total("labelled"), overall
        ),
    }
    if kind == "exporter":
        columns["exporter_prior_target_shipments"] = lookup.total("target")
    return columns


def _consignee_columns(
    shipments: pd.DataFrame, state: HistoryState, days: np.ndarray, addresses: pd.Series
) -> dict:
    registered = shipments["consignee_registered_on"]
    registration_days = registered.to_numpy(dtype="datetime64[D]").astype("float64")
    registration_days[registered.isna().to_numpy()] = np.nan
    at_address = state.addresses.as_events.lookup(addresses, days).total("new")
    own_first = state.addresses.first_day_of(addresses, shipments["consignee_id"])
    return consignee_values(
        days, registration_days, at_address, own_first, addresses.isna().to_numpy()
    )


def consignee_values(days, registration_days, at_address, own_first, no_address):
    """Registration and address features from point-in-time facts (arrays or scalars):
    ``at_address`` counts consignees first seen at the address before the day, ``own_first``
    is the day this consignee was first seen there (NaN if never)."""
    own_earlier = np.asarray(own_first < days).astype("float64")
    invasion = np.datetime64(INVASION_DATE, "D").astype("float64")
    return {
        "consignee_registration_age_days": days - registration_days,
        "consignee_registered_after_invasion": np.where(
            np.isnan(registration_days),
            np.nan,
            np.asarray(registration_days >= invasion).astype("float64"),
        ),
        "consignee_address_other_consignees": np.where(
            no_address, np.nan, at_address - own_earlier
        ),
    }


def history_features(
    shipments: pd.DataFrame, state: HistoryState, addresses: pd.Series
) -> pd.DataFrame:
    """The history family; ``state`` must already have absorbed ``shipments``.

    ``addresses`` are the normalised consignee addresses (NA where unknown).
    """
    days = day_numbers(shipments["ship_date"])
    overall = state.overall_rate(days)
    columns: dict[str, np.ndarray] = {}
    for kind in entity_columns(state.extras.entity_keys):
        columns |= _entity_columns(kind, shipments, state, days, overall)
        if kind == "consignee":
            columns |= _consignee_columns(shipments, state, days, addresses)
    names = [feature.name for feature in history_feature_list(state.extras)]
    return pd.DataFrame(columns, index=shipments.index)[names].astype("float64")
