"""Reasons: the red flags behind a score, in the words analysts use, strongest first.

Each reason is a red flag of ``models.rules`` that fires on the row, with a short code and a
text filled from the row (``CHPL12: CHPL tier 1 item (HS 854231) to diversion-risk country
KZ``). For the rows worth explaining (scores near or above the alert threshold) the flags are
ordered by their contribution to the model's score: the drop in score when the flag's features
are set to a clean value. Other rows list their flags by checklist points.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from models.rules import RED_FLAGS, red_flag_hits

MAX_REASONS = 3
SEPARATOR = " | "
CLEAN_VALUES: dict[str, dict[str, float]] = {
    "CHPL12": {"hs_chpl_tier_rank": 0, "hs_chpl_listed": 0},
    "CHPL34": {"hs_chpl_tier_rank": 0, "hs_chpl_listed": 0},
    "HUB": {"route_destination_hub_lists": 0},
    "EAEU": {"route_destination_eaeu": 0},
    "TARGET": {"route_destination_target": 0},
    "TRANSIT": {"route_transit_target": 0},
    "NEWCO": {"consignee_registered_after_invasion": 0, "consignee_registration_age_days": 3650},
    "FIRST": {
        "consignee_prior_shipments": 12,
        "consignee_prior_shipments_365d": 12,
        "consignee_days_since_first_seen": 365,
    },
    "LOGISTICS": {"route_consignee_logistics_name": 0},
    "PAYER": {"route_payer_third_country": 0},
    "REROUTE": {"route_destination_differs": 0},
    "PREMIUM": {"hs_unit_value_log_ratio": 0, "hs_unit_value_zscore": 0},
    "LISTED": {"screen_consignee_name_score": 0},
    "LISTEDADDR": {"screen_consignee_address_listed": 0},
    "DIVERTERADDR": {"screen_address_prior_diverters": 0},
    "MASSADDR": {"consignee_address_other_consignees": 0},
    "REPEAT": {"consignee_prior_diversions": 0},
}
"""Per red flag: the feature values of a shipment on which it would not fire."""

TIER_BY_RANK = {6: "1", 5: "2", 4: "3.A", 3: "3.B", 2: "4.A", 1: "4.B"}


def _text(rows: pd.DataFrame, features: pd.DataFrame, code: str) -> pd.Series:
    """The reason text of flag ``code`` for ``rows`` (vectorised string building)."""
    s, f = rows.astype("str").fillna("?"), features
    destination = s["destination_country"]
    if code in ("CHPL12", "CHPL34"):
        tier = f["hs_chpl_tier_rank"].map(TIER_BY_RANK).astype("str")
        text = "CHPL tier " + tier + " item (HS " + s["hs_code"] + ")"
        to_hub = (f["route_destination_hub_lists"] >= 1).to_numpy()
        return text.where(~to_hub, text + " to diversion-risk country " + destination)
    count = lambda name: f[name].fillna(0).astype(int).astype("str")  # noqa: E731
    texts: dict[str, Callable[[], pd.Series]] = {
        "HUB": lambda: "destination " + destination + " is on an official diversion-risk list",
        "EAEU": lambda: "destination " + destination + " is in the Eurasian Economic Union",
        "TARGET": lambda: "non-humanitarian goods to " + destination,
        "TRANSIT": lambda: "declared transit through " + s["transit_countries"],
        "NEWCO": lambda: (
            "consignee registered "
            + s["consignee_registered_on"].str.slice(0, 10)
            + ", after 24 Feb 2022"
        ),
        "FIRST": lambda: "first shipment to consignee " + s["consignee_name"],
        "LOGISTICS": lambda: (
            "consignee " + s["consignee_name"] + " reads like a forwarder or trader"
        ),
        "PAYER": lambda: "payer in " + s["payer_country"] + ", not a party to the shipment",
        "REROUTE": lambda: (
            "destination "
            + destination
            + " differs from consignee country "
            + s["consignee_country"]
        ),
        "PREMIUM": lambda: (
            "unit value "
            + ((np.exp(f["hs_unit_value_log_ratio"]) - 1) * 100).round().astype(int).astype("str")
            + " % above the HS-6 norm"
        ),
        "LISTED": lambda: (
            "consignee name "
            + f["screen_consignee_name_score"].round().astype(int).astype("str")
            + " % similar to a listed party"
        ),
        "LISTEDADDR": lambda: pd.Series("consignee address is a listed party's", index=f.index),
        "DIVERTERADDR": lambda: (
            "same address as " + count("screen_address_prior_diverters") + " earlier diverter(s)"
        ),
        "MASSADDR": lambda: (
            "address shared with "
            + count("consignee_address_other_consignees")
            + " other companies"
        ),
        "REPEAT": lambda: (
            "consignee found diverting " + count("consignee_prior_diversions") + " time(s) before"
        ),
    }
    return texts[code]()


def contributions(
    predict: Callable[[pd.DataFrame], np.ndarray],
    features: pd.DataFrame,
    hits: pd.DataFrame,
    scores: np.ndarray,
) -> np.ndarray:
    """Per row and flag: score minus the score with the flag's features made clean (NaN where
    the flag does not fire). All cleaned copies go through the model in one call."""
    result = np.full(hits.shape, np.nan)
    cleaned, targets = [], []
    for column, flag in enumerate(RED_FLAGS):
        firing = np.flatnonzero(hits[flag.code].to_numpy())
        if len(firing):
            cleaned.append(features.iloc[firing].assign(**CLEAN_VALUES[flag.code]))
            targets.append((firing, column))
    if cleaned:
        ends = np.cumsum([len(rows) for rows, _ in targets])[:-1]
        clean_scores = np.split(predict(pd.concat(cleaned)), ends)
        for (rows, column), clean in zip(targets, clean_scores, strict=True):
            result[rows, column] = scores[rows] - clean
    return result


def reasons(
    shipments: pd.DataFrame,
    features: pd.DataFrame,
    scores: np.ndarray,
    predict: Callable[[pd.DataFrame], np.ndarray],
    explain: np.ndarray,
) -> pd.Series:
    """Up to ``MAX_REASONS`` reasons per row; ``explain`` marks rows ordered by contribution."""
    hits = red_flag_hits(features)
    points = np.array([flag.points for flag in RED_FLAGS], dtype="float64")
    strength = np.where(hits.to_numpy(), points, np.nan)
    if explain.any():
        strength[explain] = contributions(
            predict, features[explain], hits[explain], scores[explain]
        )
    # a CHPL reason already names the hub, so the hub flag would only repeat it
    chpl = hits["CHPL12"].to_numpy() | hits["CHPL34"].to_numpy()
    strength[chpl, [flag.code for flag in RED_FLAGS].index("HUB")] = np.nan
    ranked = np.argsort(-np.nan_to_num(strength, nan=-np.inf), axis=1, kind="stable")
    parts = []
    for rank in range(MAX_REASONS):
        flag_column = ranked[:, rank]
        valid = ~np.isnan(strength[np.arange(len(strength)), flag_column])
        part = np.full(len(strength), None, dtype=object)
        for column, flag in enumerate(RED_FLAGS):
            rows = valid & (flag_column == column)
            if rows.any():
                text = _text(shipments[rows], features[rows], flag.code)
                part[rows] = (flag.code + ": " + text).to_numpy(dtype=object)
        parts.append(pd.Series(part, index=shipments.index, dtype="str"))
    joined = parts[0].fillna("")
    for part in parts[1:]:
        joined = joined.where(part.isna(), joined + SEPARATOR + part)
    return joined
