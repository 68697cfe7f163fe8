"""The column map's extra columns as model inputs: what they are and how they become features.

Entity keys get history features like consignees (``features.history``); categorical extras
become a category code (``extra_<name>``) and a risk profile (``features.profiles``); numeric
extras are features as they are. The categories a model knows are fitted on its training rows
(the most frequent values; the rest share one "other" code), so a code means the same at
training and at scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from features.registry import Feature, category, number

MAX_CATEGORIES = 254
"""Codes 0..253 for known values, ``len(vocabulary)`` for any other: within the 255 values a
histogram gradient-boosting model takes for one categorical feature."""
MIN_CATEGORY_ROWS = 10
"""A value needs this many training rows to get its own code."""


@dataclass(frozen=True)
class ExtraColumns:
    """The extra source columns a model reads, by role, and the categories it knows."""

    entity_keys: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    vocabularies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Categorical extra -> its known values, code = position (empty until fitted)."""

    @property
    def names(self) -> tuple[str, ...]:
        """Every extra column scoring input must carry."""
        return self.entity_keys + self.categorical + self.numeric

    @property
    def text(self) -> tuple[str, ...]:
        """The extras read as text (the rest are numbers)."""
        return self.entity_keys + self.categorical

    def fitted(self, shipments: pd.DataFrame) -> ExtraColumns:
        """These extras with each categorical extra's vocabulary learnt from ``shipments``:
        values with at least ``MIN_CATEGORY_ROWS`` rows, most frequent first (ties by value),
        at most ``MAX_CATEGORIES``."""
        vocabularies = {}
        for name in self.categorical:
            counts = shipments[name].value_counts()
            counts = counts[counts >= MIN_CATEGORY_ROWS]
            order = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            vocabularies[name] = tuple(value for value, _ in order[:MAX_CATEGORIES])
        return ExtraColumns(self.entity_keys, self.categorical, self.numeric, vocabularies)

    def as_dict(self) -> dict:
        return {
            "entity_keys": list(self.entity_keys),
            "categorical": list(self.categorical),
            "numeric": list(self.numeric),
            "vocabularies": {name: list(values) for name, values in self.vocabularies.items()},
        }

    @classmethod
    def from_dict(cls, document: dict) -> ExtraColumns:
        return cls(
            tuple(document["entity_keys"]),
            tuple(document["categorical"]),
            tuple(document["numeric"]),
            {name: tuple(values) for name, values in document["vocabularies"].items()},
        )


def extra_feature_name(column: str) -> str:
    return f"extra_{column}"


def extra_feature_list(extras: ExtraColumns) -> tuple[Feature, ...]:
    categorical = (
        category(extra_feature_name(name), f"{name} (a category of the source file)")
        for name in extras.categorical
    )
    numeric = (
        number(extra_feature_name(name), f"{name} (a number of the source file)")
        for name in extras.numeric
    )
    return (*categorical, *numeric)


def category_code(vocabulary: tuple[str, ...], value: str | None) -> float:
    """One value's code: its position in ``vocabulary``, ``len(vocabulary)`` for any other
    value, NaN when missing."""
    if value is None:
        return np.nan
    try:
        return float(vocabulary.index(value))
    except ValueError:
        return float(len(vocabulary))


def extra_features(shipments: pd.DataFrame, extras: ExtraColumns) -> pd.DataFrame:
    """The extras' own features: category codes and numbers."""
    columns = {}
    for name in extras.categorical:
        vocabulary = extras.vocabularies.get(name, ())
        codes = pd.Index(vocabulary, dtype="str").get_indexer(shipments[name])
        values = np.where(codes >= 0, codes, len(vocabulary)).astype("float64")
        values[shipments[name].isna().to_numpy()] = np.nan
        columns[extra_feature_name(name)] = values
    for name in extras.numeric:
        columns[extra_feature_name(name)] = shipments[name].to_numpy(dtype="float64")
    return pd.DataFrame(columns, index=shipments.index)
