"""What the benchmarks share: a simulated history made in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TRAINING_ROWS = 100_000


def simulate_in_child(
    rows: int, seed: int, folder: Path, world: str = "default"
) -> tuple[Path, Path, Path]:
    """Simulate ``rows`` shipments of ``world`` into ``folder`` with ``divert simulate`` in a
    child process (so its memory does not count); return the shipments, ground truth and
    watchlist paths."""
    data, watchlist = folder / "history.csv", folder / "watchlist.csv"
    command = ["simulate", "--rows", rows, "--seed", seed, "--out", data, "--world", world]
    command += ["--watchlist-out", watchlist]
    subprocess.run(
        [sys.executable, "-m", "serve", *map(str, command)], check=True, stdout=subprocess.DEVNULL
    )
    return data, folder / "history.truth.csv", watchlist


def train_in_child(folder: Path) -> dict[str, str]:
    """Train and promote a model on a simulated history with ``divert train`` in a child
    process, into a fresh embedded store under ``folder``; return the environment that
    points at that store."""
    environment = os.environ | {"DIVERT_HOME": str(folder / "home")}
    environment.pop("MLFLOW_TRACKING_URI", None)
    (folder / "training").mkdir()
    history, truth, watchlist = simulate_in_child(TRAINING_ROWS, 1, folder / "training")
    command = ["train", "--data", history, "--truth", truth, "--watchlist", watchlist]
    subprocess.run(
        [sys.executable, "-m", "serve", *map(str, command), "--promote"],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return environment
