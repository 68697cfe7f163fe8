"""Two passes over a shipment file: learn its history, then compute features chunk by chunk.

Pass one absorbs every valid row into the history state; pass two computes each chunk's
features against that complete state. Because features only read events dated before each
shipment's own day, the result is the same for any chunk size and any row order in the file,
rows come out in file order, and memory is bounded by the state (per-key daily totals), not by
the file. Labels are read (the feature frame of labelled history is what training sees).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from features.build import FeatureContext, query_features
from features.column_map import ColumnMap
from features.intake import IntakeReport, iter_validated
from features.readers import DEFAULT_CHUNK_ROWS
from features.state import HistoryState, StateMerger
from features.validation import ValidatedChunk


def absorb_file(
    path: Path,
    state: HistoryState,
    context: FeatureContext,
    *,
    column_map: ColumnMap | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    report: IntakeReport | None = None,
    rejects_path: Path | None = None,
) -> HistoryState:
    """Pass one: ``state`` plus every valid row of the file (tallying and rejects here).

    Each chunk is absorbed into a partial state and the partial states are merged in a
    balanced order (``StateMerger``), so the work grows as n log n with the file, not n**2.
    """
    merger = StateMerger(state.extras)
    for chunk in iter_validated(
        path,
        column_map,
        chunk_rows=chunk_rows,
        report=report,
        rejects_path=rejects_path,
        labels=True,
    ):
        merger.absorb(chunk.shipments, context.reference)
    return merger.merged(into=state)


def feature_chunks(
    path: Path,
    state: HistoryState,
    context: FeatureContext,
    *,
    column_map: ColumnMap | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> Iterator[tuple[ValidatedChunk, pd.DataFrame]]:
    """Pass two: each chunk's validated rows and their features, in file order."""
    for chunk in iter_validated(path, column_map, chunk_rows=chunk_rows, labels=True):
        yield chunk, query_features(chunk.shipments, state, context)
