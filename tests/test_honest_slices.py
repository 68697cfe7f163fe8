"""Rules of the honest benchmark slices: a consignee counts as found only from the day its
finding became known, and the slices partition the holdout as their names say."""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks.honest import found_before_share, holdout_slices, without_networks
from training.dataset import TrainingData

CUTOFF = "2024-06-01"


def history() -> TrainingData:
    """Entity 1 found (known before the cutoff), 2 found but known only after it, 3 clean,
    4 first seen after the cutoff; each diverts once in the holdout."""
    shipments = pd.DataFrame(
        {
            "ship_date": pd.to_datetime(
                ["2024-01-01", "2024-02-01", "2024-03-01", "2024-07-01", "2024-07-02",
                 "2024-07-03", "2024-07-04"]
            ),
            "diverted": [1.0, 1.0, 0.0, np.nan, np.nan, np.nan, np.nan],
            "outcome_date": pd.to_datetime(
                ["2024-03-01", "2024-08-01", "2024-04-01", None, None, None, None]
            ),
        }
    )  # fmt: skip
    truth = pd.DataFrame(
        {
            "truth_diverted": [1, 1, 0, 1, 1, 1, 1],
            "truth_consignee": [1, 2, 3, 1, 2, 3, 4],
            "truth_network": [10, 20, 30, 10, 20, 30, 40],
        }
    )
    return TrainingData(shipments=shipments, truth=truth, report=None)


def test_a_consignee_counts_as_found_only_once_its_finding_is_known() -> None:
    data = history()
    train, holdout = data.shipments.index[:3], data.shipments.index[3:]
    assert found_before_share(data, train, holdout, CUTOFF) == 0.25
    slices = holdout_slices(data, train, holdout, CUTOFF)
    assert slices["no earlier finding"].tolist() == [False, True, True, True]
    assert slices["unseen consignee"].tolist() == [False, False, False, True]


def test_leaving_a_network_out_drops_only_its_rows_before_the_cutoff() -> None:
    reduced = without_networks(history(), np.array([20]), CUTOFF)
    assert reduced.truth["truth_consignee"].tolist() == [1, 3, 1, 2, 3, 4]
