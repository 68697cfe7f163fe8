"""Shared fixtures: one small trained model in one MLflow store per test session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from features.column_map import ColumnMap
from models.tracking import Store, open_store
from serve.demo import split_history
from training.run import TrainingConfig, TrainingResult, run_training
from training.simulator import SimulationConfig
from training.simulator.files import write_simulation

TRAINED_ROWS = 30_000
TRAINED_SEED = 5


@dataclass(frozen=True)
class TrainedStore:
    home: Path
    history: Path
    later: Path
    truth: Path
    watchlist: Path
    config: TrainingConfig
    result: TrainingResult


@pytest.fixture(scope="session")
def trained(tmp_path_factory) -> TrainedStore:
    """A simulated history, a later-period file, and a model trained, registered and promoted
    in an embedded store (build once; copy with ``store_copy`` before changing it)."""
    folder = tmp_path_factory.mktemp("trained")
    written = write_simulation(
        SimulationConfig(rows=TRAINED_ROWS, seed=TRAINED_SEED),
        folder / "simulated.csv",
        watchlist_path=folder / "watchlist.csv",
    )
    history, later = folder / "history.csv", folder / "later.csv"
    split_history(written["shipments"], history, later)
    config = TrainingConfig(
        data=history,
        column_map=ColumnMap(),
        watchlist=written["watchlist"],
        truth=written["truth"],
        promote=True,
        force_promote=True,  # 15k rows are too few to beat the rules at 1 % (docs/training.md)
        seed=TRAINED_SEED,
    )
    home = folder / "home"
    result = run_training(config, open_store(home))
    return TrainedStore(
        home, history, later, written["truth"], written["watchlist"], config, result
    )


@pytest.fixture
def store_copy(trained, tmp_path, monkeypatch) -> Store:
    """A private copy of the trained store's registry (artifacts stay shared, read-only)."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(trained.home / "mlflow.db", home / "mlflow.db")
    return open_store(home)


@pytest.fixture
def trained_store(trained, monkeypatch) -> Store:
    """The session's store itself, for tests that only read it."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    return open_store(trained.home)
