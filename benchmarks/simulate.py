"""Benchmark of ``simulate``: generation time, CSV writing time, rows per second, peak RSS.

Simulates ``--rows`` shipments (default 1,000,000), writes them as CSV with pyarrow (dates as
YYYY-MM-DD) and prints, from the one run, the wall time of each step, rows per second and the
process's peak resident set size. Targets: 1M rows in at most 60 s and 2 GB. It then prints
the figures of the label step and of the findings' consequences that ``docs/simulator.md``
records (inspection rates, false and pending outcomes, delays, successors):

    python -m benchmarks.simulate --rows 1000000
    python -m benchmarks.simulate --rows 300000 --seed 1
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from training.simulator import SimulationConfig, simulate

DATE_COLUMNS = ("ship_date", "consignee_registered_on", "outcome_date")
TARGET_SECONDS = 60.0
TARGET_PEAK_GB = 2.0


def write_shipments_csv(shipments: pd.DataFrame, path: Path) -> None:
    """Write shipments as CSV with pyarrow, dates as plain YYYY-MM-DD."""
    table = pa.Table.from_pandas(shipments, preserve_index=False)
    for name in DATE_COLUMNS:
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, table.column(name).cast(pa.date32()))
    pa_csv.write_csv(table, path)


def peak_rss_gb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux, B on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**30 if sys.platform == "darwin" else peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="CSV to write (default: a temporary file)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    history = simulate(SimulationConfig(rows=args.rows, seed=args.seed))
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        path = args.out or Path(folder) / "shipments.csv"
        started = time.perf_counter()
        write_shipments_csv(history.shipments, path)
        written = time.perf_counter() - started
        size_mb = path.stat().st_size / 2**20

    peak = peak_rss_gb()
    print(f"rows              {args.rows:>12,}")
    print(f"generate          {generated:>12.2f} s   {args.rows / generated:>12,.0f} rows/s")
    print(f"write CSV         {written:>12.2f} s   {args.rows / written:>12,.0f} rows/s")
    print(f"total             {generated + written:>12.2f} s   target <= {TARGET_SECONDS:.0f} s")
    print(f"CSV size          {size_mb:>12.1f} MiB")
    print(f"peak RSS          {peak:>12.2f} GiB target <= {TARGET_PEAK_GB:.0f} GB")
    for name, value in world_figures(history).items():
        print(f"{name:<40} {value}")
    return 0


def world_figures(history) -> dict[str, str]:
    """Label and succession figures of one simulated history, as printable text."""
    shipments, truth = history.shipments, history.truth
    diverted = truth["truth_diverted"].to_numpy() == 1
    inspected = truth["truth_inspected"].to_numpy() == 1
    label = shipments["diverted"].to_numpy()
    positive, pending = label == 1, np.isnan(label)
    delay = (shipments["outcome_date"] - shipments["ship_date"]).dt.days
    entity = truth["truth_consignee"]
    found = shipments.loc[positive, "outcome_date"].groupby(entity[positive]).min()
    after_finding = diverted & (entity.map(found) < shipments["ship_date"]).to_numpy()
    networks = truth[diverted].groupby("truth_network")
    countries = shipments[diverted].groupby(truth.loc[diverted, "truth_network"])
    return {
        "diverted rows": f"{diverted.mean():.2%}",
        "inspected rows": f"{inspected.mean():.2%}",
        "inspected diverted / legitimate rows": (
            f"{inspected[diverted].mean():.1%} / {inspected[~diverted].mean():.2%}"
        ),
        "positive labels (false)": (
            f"{positive.sum():,} ({(positive & ~diverted).sum() / max(positive.sum(), 1):.0%})"
        ),
        "inspections pending at the end": f"{(inspected & pending).sum() / inspected.sum():.1%}",
        "median outcome delay": f"{delay.median():.0f} days",
        "diverted after own finding was known": f"{after_finding.sum() / diverted.sum():.1%}",
        "networks with a successor": (
            f"{(networks['truth_consignee'].nunique() > 1).sum()} of {networks.ngroups}"
        ),
        "networks in more than one country": (
            f"{(countries['consignee_country'].nunique() > 1).sum()}"
        ),
    }


if __name__ == "__main__":
    raise SystemExit(main())
