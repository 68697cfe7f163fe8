"""What the benchmarks share: a simulated history made in a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def simulate_in_child(rows: int, seed: int, folder: Path) -> tuple[Path, Path, Path]:
    """Simulate ``rows`` shipments into ``folder`` with ``divert simulate`` in a child process
    (so its memory does not count); return the shipments, ground truth and watchlist paths."""
    data, watchlist = folder / "history.csv", folder / "watchlist.csv"
    command = ["simulate", "--rows", rows, "--seed", seed, "--out", data]
    command += ["--watchlist-out", watchlist]
    subprocess.run(
        [sys.executable, "-m", "serve", *map(str, command)], check=True, stdout=subprocess.DEVNULL
    )
    return data, folder / "history.truth.csv", watchlist
