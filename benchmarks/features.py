"""Benchmark of the feature families on a simulated history with its watchlist.

The history is simulated in a child process (so its memory does not count), then this process
measures, side by side in one run: the pyarrow read of the same CSV (the I/O floor), reading
and validating it, building the watchlist index (reported apart, as agreed), and computing
every feature at once. Peak RSS is this process's.

    python -m benchmarks.features --rows 1000000

Targets (issue 3): features for 1M shipments <= 10 s, excluding the index build, and <= 3 GB
peak.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.csv as pa_csv

from benchmarks.common import simulate_in_child
from features.build import FeatureContext, compute_features
from features.intake import iter_validated
from features.reference import Reference
from features.screening import WatchlistIndex
from features.state import HistoryState
from features.watchlist import read_watchlist


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def timed(label: str, timings: dict[str, float], function, *args):
    start = time.perf_counter()
    result = function(*args)
    timings[label] = time.perf_counter() - start
    print(f"{label:<34} {timings[label]:8.2f} s   peak RSS {peak_rss_gib():5.2f} GiB", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data, _, watchlist_path = simulate_in_child(options.rows, options.seed, Path(folder))
        print(f"{options.rows:,} simulated shipments, {data.stat().st_size / 2**20:.0f} MiB CSV")
        timings: dict[str, float] = {}
        timed("pyarrow read (I/O floor)", timings, pa_csv.read_csv, str(data))
        chunks = timed("read + validate", timings, lambda: list(iter_validated(data)))
        shipments = pd.concat([chunk.shipments for chunk in chunks])
        del chunks
        watchlist = read_watchlist(watchlist_path)
        index = timed("watchlist index build (apart)", timings, WatchlistIndex().fit, watchlist)
        context = FeatureContext(Reference.load(), index)
        frame, _ = timed(
            "features at once", timings, compute_features, shipments, HistoryState.empty(), context
        )
    print(
        f"{len(frame.columns)} features x {len(frame):,} rows; watchlist {len(watchlist):,} entries"
    )
    ratio = timings["features at once"] / timings["pyarrow read (I/O floor)"]
    print(f"features / pyarrow read: {ratio:.1f}x")
    print(f"features rows/s: {len(frame) / timings['features at once']:,.0f}")
    print(f"peak RSS: {peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
