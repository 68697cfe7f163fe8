"""Labelled history for a retraining run: read, validate, attach ground truth, split by time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from features.column_map import ColumnMap
from features.errors import DivertError
from features.intake import IntakeReport, iter_validated
from features.readers import file_format, read_header
from features.schema import GROUND_TRUTH_PREFIX, LABEL_COLUMN

TRUTH_COLUMNS = ("shipment_id", "truth_diverted")
DEFAULT_VALID_MONTHS = 6


@dataclass(frozen=True)
class TrainingData:
    """Validated shipments in date order (ties by line), with ground truth when supplied."""

    shipments: pd.DataFrame
    truth: pd.DataFrame | None
    """``truth_*`` columns on the shipments' index (simulated data only)."""
    report: IntakeReport


def load_training_data(
    path: Path, column_map: ColumnMap, truth_path: Path | None = None
) -> TrainingData:
    """Read every valid row of ``path``; labels must be present, ground truth is optional."""
    header = read_header(path, delimiter=column_map.delimiter, encoding=column_map.encoding)
    report = IntakeReport(path=path, file_format=file_format(path), columns=header)
    chunks = [
        chunk.shipments for chunk in iter_validated(path, column_map, report=report, labels=True)
    ]
    shipments = pd.concat(chunks) if chunks else pd.DataFrame()
    if not report.usable:
        raise DivertError(f"{path}: no row passed validation; run `divert validate {path}`")
    if shipments[LABEL_COLUMN].notna().sum() == 0:
        raise DivertError(
            f"{path}: no labelled row (column {LABEL_COLUMN!r} is empty everywhere); "
            "training needs inspection outcomes"
        )
    shipments = shipments.sort_values(["ship_date"], kind="stable")
    truth = _read_truth(truth_path, shipments) if truth_path else None
    return TrainingData(shipments=shipments, truth=truth, report=report)


def _read_truth(path: Path, shipments: pd.DataFrame) -> pd.DataFrame:
    truth = pd.read_csv(path, dtype={"shipment_id": "str"})
    missing = [name for name in TRUTH_COLUMNS if name not in truth.columns]
    if missing:
        raise DivertError(f"{path}: ground-truth file lacks column(s) {missing}")
    truth = truth.set_index("shipment_id")
    columns = [name for name in truth.columns if name.startswith(GROUND_TRUTH_PREFIX)]
    aligned = truth[columns].reindex(shipments["shipment_id"].to_numpy())
    if aligned["truth_diverted"].isna().any():
        count = int(aligned["truth_diverted"].isna().sum())
        raise DivertError(f"{path}: no ground truth for {count} shipment(s) of the data file")
    aligned.index = shipments.index
    return aligned


@dataclass(frozen=True)
class TimeSplit:
    cutoff: date
    train: pd.Index
    holdout: pd.Index
    """Index labels of the rows before / on or after the cutoff."""


def split_by_time(
    shipments: pd.DataFrame, *, cutoff: date | None = None, valid_months: int | None = None
) -> TimeSplit:
    """Train before ``cutoff``, evaluate on and after it (default: the last six months)."""
    dates = shipments["ship_date"]
    if cutoff is None:
        months = DEFAULT_VALID_MONTHS if valid_months is None else valid_months
        cutoff = (dates.max() - pd.DateOffset(months=months)).date()
    stamp = pd.Timestamp(cutoff)
    before = (dates < stamp).to_numpy()
    first, last = dates.min().date(), dates.max().date()
    if before.all() or not before.any():
        raise DivertError(
            f"cutoff {cutoff} leaves no {'holdout' if before.all() else 'training'} rows; "
            f"the data runs from {first} to {last}"
        )
    for name, rows in (("training", before), ("holdout", ~before)):
        if shipments.loc[rows, LABEL_COLUMN].eq(1).sum() == 0:
            raise DivertError(
                f"cutoff {cutoff} leaves no labelled diversion in the {name} rows "
                f"(data from {first} to {last}); choose another --cutoff"
            )
    return TimeSplit(cutoff=cutoff, train=shipments.index[before], holdout=shipments.index[~before])
