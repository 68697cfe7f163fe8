"""The ordered list of features the model uses, each with a one-line text for analysts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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
