"""The feature contract a model carries: it refuses to run where features mean something else."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from features.build import feature_list
from features.errors import DivertError
from features.schema import SCHEMA_VERSION
from seeds import seeds_version


class FeatureContractError(DivertError):
    """A model was trained with other features, schema or reference data than this code has."""


@dataclass(frozen=True)
class FeatureContract:
    """What a model's inputs meant when it was trained."""

    features: tuple[str, ...]
    entity_keys: tuple[str, ...]
    schema_version: str
    seeds_version: str

    @classmethod
    def current(cls, entity_keys: tuple[str, ...] = ()) -> FeatureContract:
        """The contract of the code that is running now."""
        return cls(
            features=tuple(feature.name for feature in feature_list(entity_keys)),
            entity_keys=tuple(entity_keys),
            schema_version=SCHEMA_VERSION,
            seeds_version=seeds_version(),
        )

    def check(self) -> None:
        """Raise ``FeatureContractError`` unless the running code has the same contract."""
        current = FeatureContract.current(self.entity_keys)
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
        if self.features != current.features:
            missing = sorted(set(self.features) - set(current.features))
            extra = sorted(set(current.features) - set(self.features))
            detail = f"missing here {missing}, new here {extra}" if missing or extra else "order"
            problems.append(f"feature list differs ({detail})")
        if problems:
            raise FeatureContractError(
                "the model's feature contract does not match this code: "
                + "; ".join(problems)
                + ". Retrain the model with this version, or install the version it was "
                "trained with."
            )

    def as_dict(self) -> dict:
        return asdict(self)
