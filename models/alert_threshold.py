"""The alert threshold in force, by one rule that every door applies.

Precedence: the caller's own value (``--threshold``, the HTTP service's option, the MLflow
model's ``threshold`` param) > the value recorded for the model (``divert threshold`` or the
notebook, tag ``alert_threshold``) > the training default stored in the model. The record is
written twice by one function (``training.decision``): as a registry tag on the model
version, which the file, Spark and HTTP doors read, and as a tag on the version's logged
model, which the MLflow pyfunc reads when it loads (it does not know its registry version).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from features.errors import ThresholdError

if TYPE_CHECKING:
    from models.tracking import ModelVersionInfo

THRESHOLD_TAG = "alert_threshold"
"""Where a recorded threshold lives: a model version tag and a logged-model tag."""
THRESHOLD_PARAM = "threshold"
"""The MLflow model's inference param that overrides the recorded threshold."""
TRAINING_SOURCE = "training run (score at the 1 % alert budget on its holdout)"


@dataclass(frozen=True)
class AlertThreshold:
    """The threshold a door alerts at and where it came from (shown to users and auditors)."""

    value: float
    source: str


def as_probability(value: object, where: str) -> float:
    """``value`` as a float from 0 to 1, or ``ThresholdError`` naming ``where`` it came from."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not 0 <= number <= 1 or isinstance(value, bool):
        raise ThresholdError(
            f"{where}: alert threshold {value!r} is not a number from 0 to 1; record one with "
            "`divert threshold` or give one explicitly"
        )
    return number


def threshold_in_force(
    *,
    given: float | None,
    given_where: str,
    recorded: str | None,
    recorded_where: str,
    training: float,
) -> AlertThreshold:
    """Apply the precedence rule: ``given`` > ``recorded`` (tag text) > ``training``."""
    if given is not None:
        return AlertThreshold(as_probability(given, given_where), given_where)
    if recorded is not None:
        return AlertThreshold(as_probability(recorded, recorded_where), recorded_where)
    return AlertThreshold(training, TRAINING_SOURCE)


def version_threshold(
    version: ModelVersionInfo,
    training: float,
    *,
    given: float | None = None,
    given_where: str = "command line (--threshold)",
) -> AlertThreshold:
    """``threshold_in_force`` for a registered ``version`` (its tags hold the record)."""
    return threshold_in_force(
        given=given,
        given_where=given_where,
        recorded=version.tags.get(THRESHOLD_TAG),
        recorded_where=f"registry tag {THRESHOLD_TAG!r} of {version.uri}",
        training=training,
    )
