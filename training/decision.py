"""A model version's threshold decision: its holdout predictions in, registry tags out.

The training run logs the holdout predictions under ``evaluation/`` and registers the model
version with a ``run_id`` tag; a decision is recorded as tags on that version, which
``divert score`` reads (``alert_threshold``; the other ``alert_threshold_*`` tags say how it
was chosen, by whom and when).
"""

from __future__ import annotations

import getpass
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from mlflow.exceptions import MlflowException

from features.errors import RegistryError
from models.alert_threshold import THRESHOLD_TAG
from models.tracking import ModelVersionInfo, Store, resolve_model
from training.thresholds import (
    SEED,
    Policy,
    ThresholdChoice,
    check_predictions,
    tune_threshold,
)

HOLDOUT_ARTIFACT = "evaluation/holdout_predictions.parquet"
RUN_ID_TAG = "run_id"
DECISION_TAG_PREFIX = f"{THRESHOLD_TAG}_"
UNKNOWN_USER = "unknown"
PROGRESS_BAR_VARIABLE = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"


@dataclass(frozen=True)
class ThresholdDecision:
    """A tuned threshold for one model version and the tags recorded for it (None: dry run)."""

    version: ModelVersionInfo
    choice: ThresholdChoice
    tags: dict[str, str] | None


def model_uri(name: str, alias_or_version: str | int) -> str:
    """``models:/<name>/<version>`` for a version number, else ``models:/<name>@<alias>``."""
    text = str(alias_or_version)
    return f"models:/{name}/{text}" if text.isdigit() else f"models:/{name}@{text}"


def load_holdout_predictions(store: Store, uri: str) -> tuple[ModelVersionInfo, pd.DataFrame]:
    """The model version behind ``uri`` and its training run's holdout predictions, checked."""
    version = resolve_model(store, uri)
    run_id = version.tags.get(RUN_ID_TAG)
    if not run_id:
        raise RegistryError(
            f"{version.uri} has no {RUN_ID_TAG!r} tag, so its holdout predictions cannot be "
            "found; tune a version registered by `divert train`"
        )
    with tempfile.TemporaryDirectory(prefix="divert-holdout-") as folder, _no_progress_bar():
        try:
            path = store.client.download_artifacts(run_id, HOLDOUT_ARTIFACT, folder)
        except (MlflowException, OSError) as error:
            raise RegistryError(
                f"cannot read {HOLDOUT_ARTIFACT} of run {run_id} ({version.uri}): {error}"
            ) from error
        predictions = pd.read_parquet(path)
    return version, check_predictions(predictions)


@contextmanager
def _no_progress_bar() -> Iterator[None]:
    """MLflow draws a download bar even for one small file: switch it off while reading."""
    before = os.environ.get(PROGRESS_BAR_VARIABLE)
    os.environ[PROGRESS_BAR_VARIABLE] = "false"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(PROGRESS_BAR_VARIABLE, None)
        else:
            os.environ[PROGRESS_BAR_VARIABLE] = before


def current_user() -> str:
    """The login name (``getpass``), else ``$USER``, else 'unknown'."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return os.environ.get("USER") or UNKNOWN_USER


def decision_tags(choice: ThresholdChoice, *, user: str, at: datetime) -> dict[str, str]:
    """The tags that record ``choice``: the threshold, the policy and its value, each expected
    metric as ``value [low, high]``, how the intervals were made, when (UTC) and by whom."""
    tags = {
        THRESHOLD_TAG: repr(choice.threshold),
        f"{DECISION_TAG_PREFIX}policy": choice.policy,
        f"{DECISION_TAG_PREFIX}policy_value": repr(choice.policy_value),
        f"{DECISION_TAG_PREFIX}alerts": f"{choice.alerts} of {choice.rows} holdout rows "
        f"({choice.labelled} labelled, {choice.rows_per_week:.1f} a week)",
    }
    for name, estimate in choice.metrics.items():
        tags[f"{DECISION_TAG_PREFIX}expected_{name}"] = str(estimate)
    tags[f"{DECISION_TAG_PREFIX}intervals"] = (
        f"{choice.confidence:.0%} percentile bootstrap, {choice.resamples} resamples, "
        f"seed {choice.seed}"
    )
    tags[f"{DECISION_TAG_PREFIX}set_at"] = at.astimezone(UTC).isoformat(timespec="seconds")
    tags[f"{DECISION_TAG_PREFIX}set_by"] = user
    return tags


def record_decision(
    store: Store,
    version: ModelVersionInfo,
    choice: ThresholdChoice,
    *,
    user: str | None = None,
    at: datetime | None = None,
) -> dict[str, str]:
    """Record ``choice`` on ``version`` (every door reads ``alert_threshold`` from then on:
    the registry doors from the version's tags, the MLflow pyfunc from its logged model's) and
    drop the earlier decision's tags that this one does not set; returns the tags set."""
    tags = decision_tags(choice, user=user or current_user(), at=at or datetime.now(UTC))
    client = store.client
    for key in version.tags:
        if key.startswith(DECISION_TAG_PREFIX) and key not in tags:
            client.delete_model_version_tag(version.name, version.version, key)
    for key, value in tags.items():
        client.set_model_version_tag(version.name, version.version, key, value)
    if version.model_id is not None:  # what the MLflow pyfunc reads when it loads
        client.set_logged_model_tags(version.model_id, {THRESHOLD_TAG: tags[THRESHOLD_TAG]})
    return tags


def decide_threshold(
    store: Store, uri: str, policy: Policy, *, record: bool, seed: int = SEED
) -> ThresholdDecision:
    """Tune the threshold of the version behind ``uri`` on its holdout with ``policy`` and,
    when ``record``, record it on the version."""
    version, predictions = load_holdout_predictions(store, uri)
    choice = tune_threshold(predictions, policy, seed=seed)
    tags = record_decision(store, version, choice) if record else None
    return ThresholdDecision(version, choice, tags)


METRIC_LABELS = {
    "alert_rate": "alert rate",
    "alerts_per_week": "alerts a week",
    "precision": "precision",
    "recall": "recall",
    "expected_cost": "expected cost",
}


def render_decision(decision: ThresholdDecision) -> str:
    """The decision as an analyst reads it: threshold, expected metrics with intervals, and
    whether (and where) it was recorded."""
    version, choice = decision.version, decision.choice
    lines = [
        f"model {version.name} version {version.version}: holdout of run "
        f"{version.tags.get(RUN_ID_TAG, '?')}, {choice.rows:,} shipments "
        f"({choice.labelled:,} labelled), {choice.rows_per_week:,.1f} a week",
        f"policy: {choice.description}",
        f"threshold {choice.threshold:.6f}: {choice.alerts:,} of {choice.rows:,} holdout "
        "shipments alerted",
        f"  {'expected':<15}{'value':>10}   {choice.confidence:.0%} interval",
    ]
    for name, estimate in choice.metrics.items():
        lines.append(
            f"  {METRIC_LABELS.get(name, name):<15}{estimate.value:>10.4f}   "
            f"[{estimate.low:.4f}, {estimate.high:.4f}]"
        )
    lines.append(
        f"  (percentile bootstrap over the holdout rows, {choice.resamples} resamples, "
        f"seed {choice.seed}; precision, recall and cost on labelled rows, alert rate on all)"
    )
    previous = version.tags.get(THRESHOLD_TAG)
    if decision.tags is None:
        lines.append(
            f"dry run: nothing recorded ({version.uri} keeps "
            + (f"{THRESHOLD_TAG} {previous})" if previous else "its training threshold)")
        )
    else:
        replaced = f", replacing {previous}" if previous else ""
        lines.append(
            f"recorded on {version.uri} as tag {THRESHOLD_TAG!r} = "
            f"{decision.tags[THRESHOLD_TAG]}{replaced}; `divert score` with this version "
            "uses it unless --threshold is given"
        )
    return "\n".join(lines)
