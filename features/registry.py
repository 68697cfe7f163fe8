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


def feature_groups(extras: ExtraColumns | None = None) -> dict[str, tuple[Feature, ...]]:
    """The model features by group, in registry order: each family's, in this order, the
    history family's per entity, the profiles' per profile, the extras' per column (those
    depend on the column map's extras). A feature is added in its family's module; a group is
    what permutation importance permutes together."""
    from features import counterparty, history, hs_code, profiles, routing  # they import this
    from features.extras import ExtraColumns, extra_feature_list

    extras = extras or ExtraColumns()
    groups = {"HS code and value": hs_code.FEATURES, "routing": routing.FEATURES}
    groups |= {f"{kind} history": group for kind, group in history.history_groups(extras).items()}
    groups |= {
        f"profile {profile}": group for profile, group in profiles.profile_groups(extras).items()
    }
    groups["screening"] = counterparty.FEATURES
    return groups | {f"extra {feature.name}": (feature,) for feature in extra_feature_list(extras)}


def feature_list(extras: ExtraColumns | None = None) -> tuple[Feature, ...]:
    """The ordered list of model features (``feature_groups`` one after the other)."""
    return tuple(feature for group in feature_groups(extras).values() for feature in group)
