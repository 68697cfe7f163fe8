"""The ``divert threshold`` entry and the notebook's way into the store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from features.errors import ThresholdPolicyError
from models.tracking import Store, open_store
from serve.options import DEFAULT_MODEL_URI
from serve.settings import Settings
from training.decision import ThresholdDecision, decide_threshold, render_decision
from training.thresholds import POLICIES, Policy, policy_for


def policy_from_options(options: dict[str, float | None]) -> Policy:
    """The one policy given among ``options`` (policy key -> value or None)."""
    given = {key: value for key, value in options.items() if value is not None}
    if len(given) != 1:
        names = ", ".join(f"--{key.replace('_', '-')}" for key in POLICIES)
        found = ", ".join(f"--{key.replace('_', '-')}" for key in given) or "none"
        raise ThresholdPolicyError(f"give exactly one policy option of {names}; got {found}")
    ((key, value),) = given.items()
    return policy_for(key, value)


def open_tuning_store(
    divert_home: str | Path | None = None, tracking_uri: str | None = None
) -> Store:
    """The store to tune in: ``tracking_uri`` if given, else the configured store (the
    embedded one at ``divert_home``, default ``$DIVERT_HOME`` or ``./.divert``, unless
    ``MLFLOW_TRACKING_URI`` is set)."""
    if tracking_uri:
        return Store(uri=tracking_uri, artifacts=None)
    home = Path(divert_home).resolve() if divert_home else Settings.from_environment().home
    return open_store(home)


def run_threshold(
    model: str | None, policy: Policy, *, dry_run: bool, echo: Callable[[str], None]
) -> ThresholdDecision:
    store = open_store(Settings.from_environment().home)
    decision = decide_threshold(store, model or DEFAULT_MODEL_URI, policy, record=not dry_run)
    echo(render_decision(decision))
    return decision
