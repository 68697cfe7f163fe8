"""Writing a simulated history to disk: shipments, ground truth and the watchlist apart."""

from __future__ import annotations

from pathlib import Path

from features.writers import write_frame
from training.simulator.config import SimulationConfig
from training.simulator.core import simulate

TRUTH_SUFFIX = ".truth.csv"


def default_truth_path(shipments_path: Path) -> Path:
    """``s.csv`` -> ``s.truth.csv`` (also for ``.csv.gz`` and ``.parquet``)."""
    name = shipments_path.name
    for suffix in (".csv.gz", ".parquet", ".csv"):
        if name.endswith(suffix):
            name = name.removesuffix(suffix)
            break
    return shipments_path.with_name(name + TRUTH_SUFFIX)


def write_simulation(
    config: SimulationConfig,
    shipments_path: Path,
    *,
    truth_path: Path | None = None,
    watchlist_path: Path | None = None,
) -> dict[str, Path]:
    """Simulate and write the files; returns what was written, by role."""
    history = simulate(config)
    written = {
        "shipments": shipments_path,
        "truth": truth_path or default_truth_path(shipments_path),
    }
    write_frame(history.shipments, written["shipments"])
    write_frame(history.truth, written["truth"])
    if watchlist_path:
        write_frame(history.watchlist, watchlist_path, file_format="csv")
        written["watchlist"] = watchlist_path
    return written
