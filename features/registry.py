"""The ordered list of features the model uses, each with a one-line text for analysts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from features.extras import ExtraColumns


class FeatureKind(Enum):
    FLAG = "flag"
    """0 or 1."""
    NUMBER = "number"
    """A count, ratio or age; NaN where unknown."""
    CATEGORY = "category"
    """A small integer code from a fixed vocabulary."""


@dataclass(frozen=True)
class Feature:
    """One model input: its column name, how to read it, and what it means for an analyst."""

    name: str
    kind: FeatureKind
    doc: str
    """One line an analyst understands; reused in reason texts and the feature docs."""


def flag(name: str, doc: str) -> Feature:
    return Feature(name, FeatureKind.FLAG, doc)


def number(name: str, doc: str) -> Feature:
    return Feature(name, FeatureKind.NUMBER, doc)


def category(name: str, doc: str) -> Feature:
    return Feature(name, FeatureKind.CATEGORY, doc)


def feature_list(extras: ExtraColumns | None = None) -> tuple[Feature, ...]:
    """The ordered list of model features: each family's, in this order (the history, profile
    and extra families depend on the column map's extras). A feature is added in its family's
    module."""
    from features import counterparty, history, hs_code, profiles, routing  # they import this
    from features.extras import ExtraColumns, extra_feature_list

    extras = extras or ExtraColumns()
    return (
        *hs_code.FEATURES,
        *routing.FEATURES,
        *history.history_feature_list(extras),
        *profiles.profile_feature_list(extras),
        *counterparty.FEATURES,
        *extra_feature_list(extras),
    )
