"""The feature contract a model carries: it refuses to run where features mean something else."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd

from features.column_map import ColumnMap
from features.errors import FeatureContractError, ModelInputError
from features.extras import ExtraColumns
from features.registry import feature_list
from features.schema import LABEL_COLUMN, SCHEMA_VERSION
from seeds import seeds_version


@dataclass(frozen=True)
class FeatureContract:
    """What a model's inputs meant when it was trained."""

    features: tuple[str, ...]
    """The features the model uses, in registry order: the registry's, less those that were
    entirely missing or constant in its training rows (``used_features``)."""
    extras: ExtraColumns
    """The column map's extras the model reads (entity keys, categorical and numeric), with
    the categories it knows."""
    schema_version: str
    seeds_version: str

    @classmethod
    def current(
        cls, extras: ExtraColumns | None = None, features: tuple[str, ...] | None = None
    ) -> FeatureContract:
        """The contract of the code that is running now, for ``features`` (default all)."""
        extras = extras or ExtraColumns()
        registry = tuple(feature.name for feature in feature_list(extras))
        return cls(
            features=registry if features is None else features,
            extras=extras,
            schema_version=SCHEMA_VERSION,
            seeds_version=seeds_version(),
        )

    @property
    def entity_keys(self) -> tuple[str, ...]:
        return self.extras.entity_keys

    def check(self) -> None:
        """Raise ``FeatureContractError`` unless the running code has the same contract."""
        if not hasattr(self, "extras"):  # pickled before contracts named their extras
            raise FeatureContractError(
                f"the model was trained by an earlier version (shipment schema version "
                f"{self.schema_version!r}, this code: {SCHEMA_VERSION!r}); retrain it with this "
                "version, or install the version it was trained with."
            )
        current = FeatureContract.current(self.extras)
        problems = []
        if self.schema_version != current.schema_version:
            problems.append(
                f"shipment schema version {self.schema_version!r} (this code: "
                f"{current.schema_version!r})"
            )
        if self.seeds_version != current.seeds_version:
            problems.append(
                f"reference tables version {self.seeds_version!r} (this code: "
                f"{current.seeds_version!r})"
            )
        missing = sorted(set(self.features) - set(current.features))
        if missing:
            problems.append(f"it uses feature(s) this code does not compute: {missing}")
        if problems:
            raise FeatureContractError(
                "the model's feature contract does not match this code: "
                + "; ".join(problems)
                + ". Retrain the model with this version, or install the version it was "
                "trained with."
            )

    def scoring_map(self, column_map: ColumnMap | None = None) -> ColumnMap:
        """``column_map`` (default: none, records in canonical form) with this model's extras,
        whatever the map itself declares, so that scoring input is read with exactly the
        columns the model was trained on; without the label's source, which scoring never
        reads."""
        column_map = column_map or ColumnMap()
        renames = {  # a training map names the label's source; a file to score may lack it
            source: name for source, name in column_map.renames.items() if name != LABEL_COLUMN
        }
        return replace(
            column_map,
            renames=renames,
            entity_keys=self.extras.entity_keys,
            categorical_extras=self.extras.categorical,
            numeric_extras=self.extras.numeric,
        )

    def check_input(self, columns: Iterable[str], where: str) -> None:
        """``ModelInputError`` naming every extra column the input's ``columns`` lack."""
        present = set(columns)
        missing = [name for name in self.extras.names if name not in present]
        if missing:
            raise ModelInputError(
                f"{where} lacks column(s) {missing}, which the model was trained with as extra "
                "columns (entity keys, categorical or numeric extras: its feature contract); "
                "add them, with the same source header as in training, or score with a model "
                "trained without them"
            )

    def as_dict(self) -> dict:
        return {
            "features": list(self.features),
            "extras": self.extras.as_dict(),
            "schema_version": self.schema_version,
            "seeds_version": self.seeds_version,
        }


def used_features(training_features: pd.DataFrame) -> tuple[str, ...]:
    """The columns of ``training_features`` that carry information: not entirely missing and
    not one value on every row (missing counts as a value). A real file without, say,
    quantities or a watchlist gives features that are missing everywhere; a model leaves them
    out, and its contract says so."""
    return tuple(
        name
        for name in training_features.columns
        if training_features[name].nunique(dropna=False) > 1
    )
