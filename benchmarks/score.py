"""Benchmark of batch scoring against the I/O floor and the path a user would otherwise write.

Trains a small model into a fresh embedded store (a child ``divert train``), simulates the file
to score, then runs each contender in its own child process and measures its wall time and
peak RSS side by side in one run:

(a) pyarrow reads the CSV and writes it back as CSV: the I/O floor;
(b) ``mlflow.pyfunc.load_model(uri).predict(pd.read_csv(F, dtype=pandas_dtypes()))`` then
    ``to_csv``: the whole file in memory at once;
(c) ``divert score F --out O``: streaming, with rejects, ranks and a summary;
(m) the model alone: the registered model's ``predict`` on every row's features, computed
    beforehand and not timed; the time of the predict calls only (as (c) makes them: 100,000
    rows a call). No scorer of this file with this model can be faster than (m).

    python -m benchmarks.score --rows 1000000
    python -m benchmarks.score --rows 5000000 --only c     # peak RSS on a large file

Targets (issue 5): on 1M rows (c) <= 5x (a) and no slower than (b); peak RSS of (c) on 5M
rows <= 1.5 GB. (m) / (a) shows whether the first is within reach of this model at all.
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
PYARROW_TARGET = 5.0
"""(c) may take at most this many times (a)."""


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


def model_alone(source: str, target: str) -> None:
    """Write to ``target`` the seconds the champion's ``predict`` takes on the features of
    every row of ``source``, in calls of ``SCORE_CHUNK_ROWS`` rows."""
    import pandas as pd

    from features.build import compute_features
    from features.column_map import ColumnMap
    from features.intake import iter_validated
    from serve.options import SCORE_CHUNK_ROWS
    from serve.scoring import load_scoring_model
    from serve.settings import Settings

    _, bundle = load_scoring_model(MODEL_URI, Settings.from_environment())
    chunks = iter_validated(Path(source), ColumnMap(), chunk_rows=SCORE_CHUNK_ROWS)
    shipments = pd.concat([chunk.shipments for chunk in chunks], ignore_index=True)
    features, _ = compute_features(shipments, bundle.state, bundle.context())
    started = time.perf_counter()
    for start in range(0, len(features), SCORE_CHUNK_ROWS):
        bundle.predict(features.iloc[start : start + SCORE_CHUNK_ROWS])
    Path(target).write_text(f"{time.perf_counter() - started}\n")


STEPS = {"a": pyarrow_round_trip, "b": pyfunc_in_memory, "m": model_alone}
LABELS = {
    "a": "(a) pyarrow read + write CSV",
    "b": "(b) pyfunc.predict(pd.read_csv)",
    "c": "(c) divert score",
    "m": "(m) the model's predict alone",
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


def contender(step: str, data: Path, out: Path) -> list[str]:
    if step == "c":
        return [sys.executable, "-m", "serve", "score", str(data), "--out", str(out)]
    return [sys.executable, "-m", "benchmarks.score", "--step", step, str(data), str(out)]


def measure(
    step: str, data: Path, folder: Path, environment: dict[str, str]
) -> tuple[float, float]:
    """Seconds and peak RSS of one contender: the child's wall time, or for (m) the time of
    the predict calls it reports."""
    out = folder / ("model-seconds.txt" if step == "m" else f"scored-{step}.csv")
    seconds, peak = run_child(contender(step, data, out), environment)
    if step == "m":
        seconds = float(out.read_text())
    return seconds, peak


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
            results[step] = measure(step, data, folder, environment)
            seconds, peak = results[step]
            memory = "(predict calls only)" if step == "m" else f"peak RSS {peak / GB:5.2f} GB"
            print(f"{LABELS[step]:<34} {seconds:8.1f} s   {memory}", flush=True)
    print_ratios(results, options.rows)


def print_ratios(results: dict[str, tuple[float, float]], rows: int) -> None:
    seconds = {step: measured[0] for step, measured in results.items()}
    if "c" in results:
        print(f"(c) rows/s: {rows / seconds['c']:,.0f}; peak RSS {results['c'][1] / GB:.2f} GB")
        for step, target in (("a", PYARROW_TARGET), ("b", 1.0)):
            if step in seconds:
                ratio = seconds["c"] / seconds[step]
                verdict = "met" if ratio <= target else "NOT met"
                print(f"(c) / {LABELS[step]}: {ratio:.2f}x (target <= {target:g}x: {verdict})")
    if "m" in seconds and "a" in seconds:
        ratio = seconds["m"] / seconds["a"]
        reach = "within" if ratio <= PYARROW_TARGET else "out of"
        print(
            f"(m) / (a): {ratio:.2f}x: (c) <= {PYARROW_TARGET:g}x (a) is {reach} reach of "
            "this model"
        )
    if "m" in seconds and "c" in seconds:
        print(f"(c) / (m): {seconds['c'] / seconds['m']:.2f}x")


if __name__ == "__main__":
    main()
