"""Benchmark of a full retraining run (`divert train`) on a large simulated history.

Simulates the history in a child process, then times ``run_training`` end to end on a fresh
embedded MLflow store: validation, features, fitting, evaluation (with permutation importance
and plots), model logging and registration. Peak RSS is this process's.

    python -m benchmarks.training --rows 1000000

Target (issue 4): a full training run on 1M simulated shipments in <= 10 minutes.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from benchmarks.common import simulate_in_child
from models.tracking import open_store
from training.run import TrainingConfig, run_training


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data, truth, watchlist = simulate_in_child(options.rows, options.seed, Path(folder))
        config = TrainingConfig(
            data=data,
            watchlist=watchlist,
            truth=truth,
            promote=True,
            seed=options.seed,
        )
        started = time.perf_counter()
        result = run_training(config, open_store(Path(folder) / "home"))
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{options.rows:,} shipments: training run {seconds:.0f} s ({seconds / 60:.1f} min)")
    print(f"precision@1% {result.metrics['precision_at_1pct']:.3f} vs rules "
          f"{result.metrics['rules_precision_at_1pct']:.3f}; peak RSS {peak:.2f} GiB")  # fmt: skip
    print(f"target <= 600 s: {'met' if seconds <= 600 else 'NOT met'}")


if __name__ == "__main__":
    main()
