"""The pandas engine of ``divert score``: a file of any size, in three streaming passes.

1. Validate every chunk, send bad rows to the rejects, spill the valid rows (``serve.spills``)
   and absorb them into a partial history state; merge the partial states (``StateMerger``)
   into the model's state.
2. Compute each spilled chunk's features against the complete state, score it and spill the
   scores, alerts and reasons (in worker processes if asked, ``serve.chunk_scoring``); keep
   only the scores in memory (8 bytes a row) for the ranking.
3. Stream the source rows and their scores to the output with their ``risk_rank``.

Features read only events dated before each shipment's day, so the output is the same for any
chunk size, any number of workers and any row order in the file (unsorted files need no
sorting); rows come out in file order. Output and rejects are written to hidden temporary
files and renamed into place only after ``read = scored + rejected`` has been checked, so an
interrupted run leaves nothing at the output paths; the summary JSON follows them.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from features.build import FeatureContext
from features.intake import IntakeReport, iter_validated
from features.readers import file_format, read_header
from features.state import HistoryState, StateMerger
from features.validation import empty_rejects
from features.writers import TableWriter
from models.alert_threshold import AlertThreshold
from models.bundle import ModelBundle
from models.tracking import ModelVersionInfo
from serve.chunk_scoring import ChunkScorer, chunk_scoring
from serve.memory import map_large_blocks, release_free_memory
from serve.scoring import (
    SCORE_COLUMNS,
    TOP_REASONS,
    ScoreRequest,
    ScoreSummary,
    scoring_context,
    scoring_input,
    summary_path,
    write_summary,
)
from serve.spills import SpillWriter, read_chunks


def score_file(
    request: ScoreRequest,
    bundle: ModelBundle,
    version: ModelVersionInfo,
    threshold: AlertThreshold,
    *,
    progress: Callable[[str, int], None] = lambda stage, rows: None,
) -> ScoreSummary:
    """Score ``request.path`` with ``bundle``; see the module docstring for the passes."""
    started = time.perf_counter()
    map_large_blocks()
    path, out = Path(request.path), Path(request.out)
    context = scoring_context(bundle, request.watchlist)
    header = read_header(
        path, delimiter=request.column_map.delimiter, encoding=request.column_map.encoding
    )
    reading = scoring_input(bundle, header, request.column_map, path)
    request = replace(request, column_map=reading.column_map)
    report = IntakeReport(path, file_format(path), header)
    summary = ScoreSummary.start(request, version, threshold, reading.ignored)
    with (
        tempfile.TemporaryDirectory(dir=out.parent, prefix=".divert-score-") as folder,
        TableWriter(Path(request.rejects)) as rejects,
        TableWriter(out, file_format=request.file_format) as output,
    ):
        passes = _Passes(request, bundle, context, Path(folder), progress)
        state = passes.validate_and_absorb(report, rejects)
        scores, reasons = passes.score(state, threshold.value)
        passes.write_ranked(scores, header, output)
        summary.rows_read = report.rows_read
        summary.rows_scored = len(scores)
        summary.rows_rejected = report.rows_rejected
        summary.read_as_missing = report.missing_counts
        summary.check_counts()
    summary.alerts = int((scores >= threshold.value).sum())
    summary.top_reasons = dict(reasons.most_common(TOP_REASONS))
    summary.finish(started)
    write_summary(summary_path(out), summary)
    return summary


@dataclass
class _Passes:
    """The three passes of one run, spilling to files in ``work``."""

    request: ScoreRequest
    bundle: ModelBundle
    context: FeatureContext
    work: Path
    progress: Callable[[str, int], None]

    def __post_init__(self) -> None:
        self.sources = SpillWriter(self.work / "source.arrow")
        self.shipments = SpillWriter(self.work / "shipments.arrow", keep_index=True)
        self.scores = SpillWriter(self.work / "scores.arrow")

    def validate_and_absorb(self, report: IntakeReport, rejects: TableWriter) -> HistoryState:
        """Pass 1: validate, write rejects, spill the valid rows and absorb them into a
        partial state per chunk; merge the partial states into the model's state."""
        merger = StateMerger(self.bundle.state.extras)
        for chunk in iter_validated(
            Path(self.request.path),
            self.request.column_map,
            chunk_rows=self.request.chunk_rows,
            report=report,
        ):
            rejects.write(chunk.rejects)
            shipments = chunk.shipments
            if not shipments.empty:
                self.sources.write(chunk.source)
                self.shipments.write(shipments)
                merger.absorb(shipments, self.context.reference)
            self.progress("validated", len(chunk.shipments) + len(chunk.rejects))
            del chunk, shipments
            release_free_memory()
        if report.rows_read == 0:
            rejects.write(empty_rejects(report.columns))
        self.sources.close()
        self.shipments.close()
        state = merger.merged(into=self.bundle.state)
        release_free_memory()
        return state

    def score(self, state: HistoryState, threshold: float) -> tuple[np.ndarray, Counter]:
        """Pass 2: features against the complete state, scores and reasons per chunk (in
        ``request.workers`` processes); spill them and keep only the scores (8 bytes a row)
        and the reason counts in memory."""
        scores, reasons = [], Counter()
        scorer = ChunkScorer(self.bundle, state, self.context, threshold, self.shipments.path)
        with chunk_scoring(scorer, self.request.workers) as score_chunks:
            for result in score_chunks(range(self.shipments.chunks)):
                scores.append(result.scored["diversion_score"].to_numpy())
                reasons.update(result.reason_counts)
                self.scores.write(result.scored)
                self.progress("scored", len(result.scored))
        self.scores.close()
        return (np.concatenate(scores) if scores else np.empty(0)), reasons

    def write_ranked(self, scores: np.ndarray, header: list[str], output: TableWriter) -> None:
        """Pass 3: stream the source rows and their scores to the output in file order, with
        ``risk_rank``."""
        order = np.argsort(-scores, kind="stable")
        ranks = np.empty(len(scores), dtype=np.int64)
        ranks[order] = np.arange(1, len(scores) + 1)
        for piece in _pieces(self._ranked_chunks(ranks), self.request.chunk_rows):
            output.write(piece)
        if not len(scores):
            output.write(_empty_output(header))

    def _ranked_chunks(self, ranks: np.ndarray) -> Iterator[pd.DataFrame]:
        position = 0
        parts = zip(read_chunks(self.sources.path), read_chunks(self.scores.path), strict=True)
        for source, scored in parts:
            scored["risk_rank"] = ranks[position : position + len(scored)]
            position += len(scored)
            yield pd.concat([source, scored[list(SCORE_COLUMNS)]], axis=1)


def _pieces(frames: Iterator[pd.DataFrame], rows: int) -> Iterator[pd.DataFrame]:
    """The rows of ``frames`` regrouped in pieces of ``rows`` rows (the last shorter): a
    Parquet output's row groups then follow the chunk size, not where the rejects fell."""
    pending: list[pd.DataFrame] = []
    count = 0
    for frame in frames:
        pending.append(frame)
        count += len(frame)
        while count >= rows:
            joined = pd.concat(pending) if len(pending) > 1 else pending[0]
            yield joined.iloc[:rows]
            pending, count = [joined.iloc[rows:]], count - rows
    if count:
        yield pd.concat(pending) if len(pending) > 1 else pending[0]


def _empty_output(header: list[str]) -> pd.DataFrame:
    columns = {name: pd.Series(dtype="str") for name in header}
    columns |= {
        "diversion_score": pd.Series(dtype="float64"),
        "alert": pd.Series(dtype="bool"),
        "risk_rank": pd.Series(dtype="int64"),
        "reasons": pd.Series(dtype="str"),
    }
    return pd.DataFrame(columns)
