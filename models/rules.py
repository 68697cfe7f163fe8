"""The transparent red-flag baseline: points per flag, mapped to a probability on training data.

Every run trains and evaluates it beside the model on the same holdout, so each run says how
much the learned model adds to the checklist an analyst would apply by hand. The flags are the
BIS/FinCEN/EU/UK red flags computable from shipment records; the points are set by hand
(below) and only their mapping to a probability is learned (isotonic, monotone).

A model's reasons use the checklist and its risk-profile flags (``model_checklist``): codes
inspected before that were often found diverted. They carry no points, so the baseline stays
the hand checklist; they become reasons by their contribution to the model's score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.isotonic import IsotonicRegression
from sklearn.utils.validation import check_is_fitted

PREMIUM_LOG_RATIO = np.log(1.25)
"""Unit value 25 % above the HS-6 norm: the low end of the premia reported by BOFIT."""
RISKY_PROFILE_RATE = 0.1
"""A profile flag fires when at least 1 in 10 earlier inspections (smoothed) found a diversion
and ``RISKY_PROFILE_INSPECTIONS`` inspections back it; whether it is a reason for a score is
its contribution to the score."""
RISKY_PROFILE_INSPECTIONS = 5
LISTED_NAME_SCORE = 88.0
MASS_ADDRESS_CONSIGNEES = 3


@dataclass(frozen=True)
class RedFlag:
    """One checklist item, whole: when it fires (every ``(feature, operator, value)``
    condition holds), its points, the feature values on which it would not fire, and its
    reason text. Adding a red flag is adding one of these to ``RED_FLAGS``."""

    code: str
    points: int
    conditions: tuple[tuple[str, str, float], ...]
    meaning: str
    clean: Mapping[str, float]
    """Feature values of a shipment on which the flag would not fire: its contribution to a
    score is the drop when its features take these values (``models.reasons``)."""
    text: Callable
    """``text(s, f, t)``: the reason from the shipment's values as text (``s``, "?" where
    missing) and its feature values (``f``); ``t`` builds the pieces from columns or from one
    shipment's values, so that one definition serves both paths (``models.reasons``)."""

    def fires(self, features: pd.DataFrame) -> pd.Series:
        hit = pd.Series(True, index=features.index)
        for feature, operator, value in self.conditions:
            hit &= OPERATORS[operator](features[feature], value).fillna(False).astype(bool)
        return hit

    def fires_on(self, values: Mapping[str, float]) -> bool:
        """``fires`` for one shipment's feature values (NaN never fires)."""
        return all(
            bool(OPERATORS[operator](values[feature], value))
            for feature, operator, value in self.conditions
        )


OPERATORS = {
    ">=": lambda column, value: column >= value,
    "==": lambda column, value: column == value,
    "in 1-4": lambda column, value: (column >= 1) & (column <= 4),
}


def _chpl_text(s, f, t) -> object:
    text = "CHPL tier " + t.tier(f["hs_chpl_tier_rank"]) + " item (HS " + s["hs_code"] + ")"
    to_hub = text + " to diversion-risk country " + s["destination_country"]
    return t.where(f["route_destination_hub_lists"] >= 1, to_hub, text)


NOT_LISTED = {"hs_chpl_tier_rank": 0, "hs_chpl_listed": 0}

RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "CHPL12", 3, (("hs_chpl_tier_rank", ">=", 5),), "CHPL tier 1 or 2 item",
        NOT_LISTED, _chpl_text,
    ),
    RedFlag(
        "CHPL34", 1, (("hs_chpl_tier_rank", "in 1-4", 0),), "CHPL tier 3 or 4 item",
        NOT_LISTED, _chpl_text,
    ),
    RedFlag(
        "HUB", 2, (("route_destination_hub_lists", ">=", 1),),
        "destination on an official diversion-risk list",
        {"route_destination_hub_lists": 0},
        lambda s, f, t: (
            "destination " + s["destination_country"] + " is on an official diversion-risk list"
        ),
    ),
    RedFlag(
        "EAEU", 1, (("route_destination_eaeu", "==", 1),),
        "destination in the Eurasian Economic Union",
        {"route_destination_eaeu": 0},
        lambda s, f, t: (
            "destination " + s["destination_country"] + " is in the Eurasian Economic Union"
        ),
    ),
    RedFlag(
        "TARGET", 3, (("route_destination_target", "==", 1), ("hs_humanitarian", "==", 0)),
        "non-humanitarian goods to Russia or Belarus",
        {"route_destination_target": 0},
        lambda s, f, t: "non-humanitarian goods to " + s["destination_country"],
    ),
    RedFlag(
        "TRANSIT", 3, (("route_transit_target", "==", 1),), "transit through Russia or Belarus",
        {"route_transit_target": 0},
        lambda s, f, t: "declared transit through " + s["transit_countries"],
    ),
    RedFlag(
        "NEWCO", 2, (("consignee_registered_after_invasion", "==", 1),),
        "consignee registered after 24 February 2022",
        {"consignee_registered_after_invasion": 0, "consignee_registration_age_days": 3650},
        lambda s, f, t: (
            "consignee registered " + t.day(s["consignee_registered_on"]) + ", after 24 Feb 2022"
        ),
    ),
    RedFlag(
        "FIRST", 1, (("consignee_prior_shipments", "==", 0),), "first shipment to this consignee",
        {
            "consignee_prior_shipments": 12,
            "consignee_prior_shipments_365d": 12,
            "consignee_days_since_first_seen": 365,
        },
        lambda s, f, t: "first shipment to consignee " + s["consignee_name"],
    ),
    RedFlag(
        "LOGISTICS", 1, (("route_consignee_logistics_name", "==", 1),),
        "consignee named like a forwarder or trading house",
        {"route_consignee_logistics_name": 0},
        lambda s, f, t: "consignee " + s["consignee_name"] + " reads like a forwarder or trader",
    ),
    RedFlag(
        "RESOLD", 1, (("route_partner_origin_third_country_exporter", "==", 1),),
        "goods made in a partner country, exported from a third country",
        {"route_partner_origin_third_country_exporter": 0},
        lambda s, f, t: (
            s["origin_country"] + "-made goods exported from " + s["exporter_country"]
        ),
    ),
    RedFlag(
        "PAYER", 2, (("route_payer_third_country", "==", 1),),
        "payer in an unrelated third country",
        {"route_payer_third_country": 0},
        lambda s, f, t: "payer in " + s["payer_country"] + ", not a party to the shipment",
    ),
    RedFlag(
        "REROUTE", 1, (("route_destination_differs", "==", 1),),
        "destination differs from the consignee's country",
        {"route_destination_differs": 0},
        lambda s, f, t: (
            "destination " + s["destination_country"] + " differs from consignee country "
            + s["consignee_country"]
        ),
    ),
    RedFlag(
        "PREMIUM", 2, (("hs_unit_value_log_ratio", ">=", PREMIUM_LOG_RATIO),),
        "unit value 25 % or more above the norm",
        {"hs_unit_value_log_ratio": 0, "hs_unit_value_zscore": 0},
        lambda s, f, t: (
            "unit value " + t.rounded((np.exp(f["hs_unit_value_log_ratio"]) - 1) * 100)
            + " % above the HS-6 norm"
        ),
    ),
    RedFlag(
        "KGPREMIUM", 2, (("hs_kg_value_log_ratio", ">=", PREMIUM_LOG_RATIO),),
        "value per kg 25 % or more above the norm",
        {"hs_kg_value_log_ratio": 0, "hs_kg_value_zscore": 0},
        lambda s, f, t: (
            "value per kg " + t.rounded((np.exp(f["hs_kg_value_log_ratio"]) - 1) * 100)
            + " % above the HS-6 norm"
        ),
    ),
    RedFlag(
        "NOCHARGE", 1, (("value_no_charge", "==", 1),),
        "declared value 0 (no charge)",
        {"value_no_charge": 0},
        lambda s, f, t: t.constant(
            "declared value 0 (no charge: sample or replacement?)", f["value_no_charge"]
        ),
    ),
    RedFlag(
        "LISTED", 4, (("screen_consignee_name_score", ">=", LISTED_NAME_SCORE),),
        "consignee name matches a listed party",
        {"screen_consignee_name_score": 0},
        lambda s, f, t: (
            "consignee name " + t.rounded(f["screen_consignee_name_score"])
            + " % similar to a listed party"
        ),
    ),
    RedFlag(
        "LISTEDADDR", 3, (("screen_consignee_address_listed", "==", 1),),
        "consignee address of a listed party",
        {"screen_consignee_address_listed": 0},
        lambda s, f, t: t.constant(
            "consignee address is a listed party's", f["screen_consignee_address_listed"]
        ),
    ),
    RedFlag(
        "DIVERTERADDR", 3, (("screen_address_prior_diverters", ">=", 1),),
        "same address as an earlier diverter",
        {"screen_address_prior_diverters": 0},
        lambda s, f, t: (
            "same address as " + t.count(f["screen_address_prior_diverters"])
            + " earlier diverter(s)"
        ),
    ),
    RedFlag(
        "MASSADDR", 1, (("consignee_address_other_consignees", ">=", MASS_ADDRESS_CONSIGNEES),),
        "address shared by many companies",
        {"consignee_address_other_consignees": 0},
        lambda s, f, t: (
            "address shared with " + t.count(f["consignee_address_other_consignees"])
            + " other companies"
        ),
    ),
    RedFlag(
        "REPEAT", 4, (("consignee_prior_diversions", ">=", 1),), "consignee found diverting before",
        {"consignee_prior_diversions": 0},
        lambda s, f, t: (
            "consignee found diverting " + t.count(f["consignee_prior_diversions"])
            + " time(s) before"
        ),
    ),
)  # fmt: skip


def profile_flag(code: str, profile: str, what: Callable) -> RedFlag:
    """A flag on one risk profile (``features.profiles``): ``what(s, t)`` names the code."""
    rate, inspections = f"profile_{profile}_found_rate", f"profile_{profile}_inspections"
    return RedFlag(
        code, 0,
        ((rate, ">=", RISKY_PROFILE_RATE), (inspections, ">=", RISKY_PROFILE_INSPECTIONS)),
        f"earlier inspections of the {profile} profile often found a diversion",
        {rate: np.nan, inspections: 0},
        lambda s, f, t: (
            what(s, t) + " found diverted in " + t.rounded(f[rate] * 100) + " % of "
            + t.count(f[inspections]) + " earlier inspections"
        ),
    )  # fmt: skip


PROFILE_FLAGS = (
    profile_flag("RISKYHS", "hs6", lambda s, t: "HS " + s["hs_code"]),
    profile_flag(
        "RISKYORIGIN", "hs6_origin",
        lambda s, t: "HS " + s["hs_code"] + " of " + s["origin_country"] + " origin",
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Checklist:
    """The flags a model's reasons are drawn from, in checklist order."""

    flags: tuple[RedFlag, ...]
    by_code: dict[str, RedFlag] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_code", {flag.code: flag for flag in self.flags})

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.by_code)

    @property
    def points(self) -> np.ndarray:
        return np.array([flag.points for flag in self.flags], dtype="float64")

    def hits(self, features: pd.DataFrame) -> pd.DataFrame:
        """One boolean column per flag (NaN features never fire)."""
        return pd.DataFrame(
            {flag.code: flag.fires(features) for flag in self.flags}, index=features.index
        )


CHECKLIST = Checklist(RED_FLAGS)
"""The hand checklist: the red-flag rules baseline."""


@cache
def model_checklist(categorical_extras: tuple[str, ...] = ()) -> Checklist:
    """The checklist with the risk-profile flags of a model with these categorical extras."""
    extras = tuple(
        profile_flag(
            f"PROFILE {name}", f"extra_{name}", lambda s, t, name=name: name + " " + s[name]
        )
        for name in categorical_extras
    )
    return Checklist((*RED_FLAGS, *PROFILE_FLAGS, *extras))


def red_flag_hits(features: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per red flag of the hand checklist (NaN features never fire)."""
    return CHECKLIST.hits(features)


def red_flag_points(features: pd.DataFrame) -> np.ndarray:
    """The checklist score: the sum of the points of the flags that fire."""
    return red_flag_hits(features).to_numpy(dtype="float64") @ CHECKLIST.points


class RedFlagRules(ClassifierMixin, BaseEstimator):
    """The checklist as a classifier: fixed points, probabilities learned monotonically.

    Attributes
    ----------
    calibration_ : IsotonicRegression from points to the share of positives
    classes_ : ndarray, ``[0, 1]``
    """

    def fit(self, X: pd.DataFrame, y, sample_weight=None) -> RedFlagRules:
        self.calibration_ = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        self.calibration_.fit(red_flag_points(X), np.asarray(y, dtype="float64"), sample_weight)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self)
        positive = self.calibration_.predict(red_flag_points(X))
        return np.column_stack([1 - positive, positive])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)
