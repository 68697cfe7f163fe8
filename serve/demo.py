"""``divert demo``: the main job end to end on the embedded default."""

from __future__ import annotations

from collections.abc import Callable

from features.intake import validate_file
from serve.reports import render_intake
from serve.settings import Settings
from training.simulator import SimulationConfig
from training.simulator.files import write_simulation

DEMO_ROWS = 50_000
DEMO_SEED = 7


def run_demo(settings: Settings, *, echo: Callable[[str], None]) -> None:
    """Simulate a history into the demo folder and validate it (later stages come next)."""
    folder = settings.demo_dir
    folder.mkdir(parents=True, exist_ok=True)
    shipments = folder / "shipments.csv"
    echo(f"simulating {DEMO_ROWS:,} shipments (seed {DEMO_SEED}) into {folder}")
    written = write_simulation(
        SimulationConfig(rows=DEMO_ROWS, seed=DEMO_SEED),
        shipments,
        watchlist_path=folder / "watchlist.csv",
    )
    for role, path in written.items():
        echo(f"  {role:<10} {path}")
    echo(render_intake(validate_file(shipments, rejects_path=folder / "rejects.csv")))
