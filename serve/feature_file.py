"""``divert features``: a file's feature frame, computed in two passes (``features.passes``)."""

from __future__ import annotations

from pathlib import Path

from features.build import FeatureContext
from features.column_map import ColumnMap
from features.intake import IntakeReport
from features.passes import absorb_file, feature_chunks
from features.readers import file_format, read_header
from features.reference import Reference
from features.screening import WatchlistIndex
from features.state import HistoryState
from features.watchlist import read_watchlist
from features.writers import TableWriter


def load_watchlist_index(path: Path | None) -> WatchlistIndex | None:
    """Read and index a watchlist file, or None when no path is given."""
    return WatchlistIndex().fit(read_watchlist(path)) if path else None


def write_feature_file(
    path: Path,
    out: Path,
    *,
    column_map: ColumnMap,
    watchlist_path: Path | None = None,
    rejects_path: Path | None = None,
) -> IntakeReport:
    """Write ``shipment_id``, ``line`` and every feature of each valid row of ``path``."""
    context = FeatureContext(Reference.load(), load_watchlist_index(watchlist_path))
    header = read_header(path, delimiter=column_map.delimiter, encoding=column_map.encoding)
    report = IntakeReport(path=path, file_format=file_format(path), columns=header)
    state = absorb_file(
        path,
        HistoryState.empty(column_map.extra_columns),
        context,
        column_map=column_map,
        report=report,
        rejects_path=rejects_path,
    )
    with TableWriter(out) as writer:
        for chunk, features in feature_chunks(path, state, context, column_map=column_map):
            ids = chunk.shipments[["shipment_id"]].reset_index()
            writer.write(ids.join(features.reset_index(drop=True)))
    return report
