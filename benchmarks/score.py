"""Benchmark of batch scoring against the I/O floor and the path a user would otherwise write.

Trains a small model into a fresh embedded store (a child ``divert train``), simulates the file
to score, then runs each contender in its own child process and measures its wall time and
peak RSS side by side in one run:

(a) pyarrow reads the CSV and writes it back as CSV: the I/O floor;
(b) ``mlflow.pyfunc.load_model(uri).predict(pd.read_csv(F, dtype=pandas_dtypes()))`` then
    ``to_csv``: the whole file in memory at once;
(c) ``divert score F --out O``: streaming, with rejects, ranks and a summary.

    python -m benchmarks.score --rows 1000000
    python -m benchmarks.score --rows 5000000 --only c     # peak RSS on a large file

Targets (issue 5): on 1M rows (c) <= 5x (a) and no slower than (b); peak RSS of (c) on 5M
rows <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import simulate_in_child, train_in_child

MODEL_URI = "models:/diversion-detector@champion"
GB = 1e9


def pyarrow_round_trip(source: str, target: str) -> None:
    import pyarrow.csv as pa_csv

    pa_csv.write_csv(pa_csv.read_csv(source), target)


def pyfunc_in_memory(source: str, target: str) -> None:
    import mlflow.pyfunc
    import pandas as pd

    from features.schema import pandas_dtypes
    from models.tracking import open_store
    from serve.settings import Settings

    open_store(Settings.from_environment().home)
    model = mlflow.pyfunc.load_model(MODEL_URI)
    model.predict(pd.read_csv(source, dtype=pandas_dtypes())).to_csv(target, index=False)


STEPS = {"a": pyarrow_round_trip, "b": pyfunc_in_memory}
LABELS = {
    "a": "(a) pyarrow read + write CSV",
    "b": "(b) pyfunc.predict(pd.read_csv)",
    "c": "(c) divert score",
}


def run_child(command: list[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in bytes of one child process."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command} failed with exit code {child.returncode}")
    return seconds, usage.ru_maxrss * 1024


def contender(step: str, data: Path, folder: Path) -> list[str]:
    out = str(folder / f"scored-{step}.csv")
    if step == "c":
        return [sys.executable, "-m", "serve", "score", str(data), "--out", out]
    return [sys.executable, "-m", "benchmarks.score", "--step", step, str(data), out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--only", choices=sorted(LABELS), nargs="+", default=sorted(LABELS))
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        STEPS[options.step](*options.paths)
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        environment = train_in_child(folder)
        (folder / "scoring").mkdir()
        data, _, _ = simulate_in_child(options.rows, options.seed, folder / "scoring")
        size = data.stat().st_size / 2**20
        print(f"{options.rows:,} simulated shipments to score, {size:.0f} MiB CSV", flush=True)
        results = {}
        for step in options.only:
            results[step] = run_child(contender(step, data, folder), environment)
            seconds, peak = results[step]
            print(f"{LABELS[step]:<34} {seconds:8.1f} s   peak RSS {peak / GB:5.2f} GB", flush=True)
    if "c" in results:
        seconds, peak = results["c"]
        print(f"(c) rows/s: {options.rows / seconds:,.0f}; peak RSS {peak / GB:.2f} GB")
        for step, target in (("a", 5.0), ("b", 1.0)):
            if step in results:
                ratio = seconds / results[step][0]
                verdict = "met" if ratio <= target else "NOT met"
                print(f"(c) / {LABELS[step]}: {ratio:.2f}x (target <= {target:g}x: {verdict})")


if __name__ == "__main__":
    main()
