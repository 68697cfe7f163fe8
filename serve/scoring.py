"""``divert score``: score a shipment file of any size, in three streaming passes.

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

import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from features.build import FeatureContext
from features.column_map import ColumnMap
from features.errors import DivertError, ShipmentFileError
from features.intake import IntakeReport, iter_validated
from features.readers import file_format, read_header
from features.screening import WatchlistIndex
from features.state import HistoryState, StateMerger
from features.validation import ShipmentValidator, empty_rejects, ignored_labels
from features.watchlist import read_watchlist
from features.writers import TableWriter
from models.alert_threshold import version_threshold
from models.bundle import ModelBundle
from models.tracking import ModelVersionInfo
from serve.chunk_scoring import ChunkScorer, chunk_scoring
from serve.memory import map_large_blocks, release_free_memory
from serve.spills import SpillWriter, read_chunks

SCORE_COLUMNS = ("diversion_score", "alert", "risk_rank", "reasons")
SCORE_CHUNK_ROWS = 100_000
"""Rows per chunk: each chunk's temporaries (about 3 KB a row in validation and features)
come on top of the history state, so smaller chunks bound the peak memory; below this the
fixed cost of a chunk (a few tenths of a second) starts to show."""
TOP_REASONS = 5
SUMMARY_SUFFIX = ".summary.json"


class CountMismatchError(DivertError):
    """Rows read do not equal rows scored plus rows rejected: the run refuses to finish."""


@dataclass(frozen=True)
class ScoreRequest:
    path: Path
    out: Path
    rejects: Path
    column_map: ColumnMap = field(default_factory=ColumnMap)
    threshold: float | None = None
    watchlist: Path | None = None
    file_format: str | None = None
    chunk_rows: int = SCORE_CHUNK_ROWS
    workers: int = 1
    """Processes scoring chunks in pass 2 (see ``serve.chunk_scoring``)."""


@dataclass
class ScoreSummary:
    """What a run did; printed on stderr and written as JSON beside the output."""

    input: str
    output: str
    rejects: str
    model: str
    model_version: str
    threshold: float
    threshold_source: str
    ignored_columns: list[str] = field(default_factory=list)
    """Columns of the input never read for scoring (a label column)."""
    rows_read: int = 0
    rows_scored: int = 0
    rows_rejected: int = 0
    alerts: int = 0
    top_reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rows_per_second: float = 0.0

    def check_counts(self) -> None:
        """``CountMismatchError`` unless every row read was scored or rejected."""
        if self.rows_read != self.rows_scored + self.rows_rejected:
            raise CountMismatchError(
                f"{self.input}: read {self.rows_read} rows but scored {self.rows_scored} and "
                f"rejected {self.rows_rejected}; nothing was written, please report this"
            )


def summary_path(out: Path) -> Path:
    return out.with_name(out.name + SUMMARY_SUFFIX)


def scoring_context(
    bundle: ModelBundle, watchlist: Path | None, *, workers: int = 2
) -> FeatureContext:
    """The bundle's feature context, screening against ``watchlist`` instead if one is given."""
    context = bundle.context(workers=workers)
    if watchlist is None:
        return context
    index = WatchlistIndex().fit(read_watchlist(watchlist))
    return FeatureContext(context.reference, index, workers=workers)


@dataclass(frozen=True)
class ScoringInput:
    """How a file is read for scoring by a model, after its header was checked."""

    column_map: ColumnMap
    """The user's map with the model's entity keys (``FeatureContract.scoring_map``)."""
    ignored: list[str]
    """Columns present but never read for scoring (labels)."""


def scoring_input(
    bundle: ModelBundle, header: list[str] | tuple[str, ...], column_map: ColumnMap, where
) -> ScoringInput:
    """Check a file's header for every door that scores files (``ShipmentFileError``,
    ``ModelInputError``): not already scored, the model's entity keys present, the contract's
    required columns there."""
    header = list(header)
    check_not_scored(header, where)
    bundle.contract.check_input(map(column_map.target, header), str(where))
    scoring_map = bundle.contract.scoring_map(column_map)
    ShipmentValidator(scoring_map).check_header(header, str(where))
    return ScoringInput(scoring_map, ignored_labels(header, column_map))


def check_not_scored(header: list[str] | tuple[str, ...], path) -> None:
    """``ShipmentFileError`` if the file already has the columns scoring adds."""
    clashing = [name for name in header if name in SCORE_COLUMNS]
    if clashing:
        raise ShipmentFileError(
            f"{path} already has column(s) {clashing} (is it a scored file?); "
            "remove or rename them before scoring"
        )


def score_file(
    request: ScoreRequest,
    bundle: ModelBundle,
    version: ModelVersionInfo,
    *,
    progress: Callable[[str, int], None] = lambda stage, rows: None,
) -> ScoreSummary:
    """Score ``request.path`` with ``bundle``; see the module docstring for the passes."""
    started = time.perf_counter()
    map_large_blocks()
    chosen = version_threshold(version, bundle.threshold, given=request.threshold)
    threshold = chosen.value
    context = scoring_context(bundle, request.watchlist)
    header = read_header(
        request.path, delimiter=request.column_map.delimiter, encoding=request.column_map.encoding
    )
    reading = scoring_input(bundle, header, request.column_map, request.path)
    request = replace(request, column_map=reading.column_map)
    report = IntakeReport(request.path, file_format(request.path), header)
    summary = ScoreSummary(
        input=str(request.path),
        output=str(request.out),
        rejects=str(request.rejects),
        model=version.uri,
        model_version=version.version,
        threshold=threshold,
        threshold_source=chosen.source,
        ignored_columns=reading.ignored,
    )
    with (
        tempfile.TemporaryDirectory(dir=request.out.parent, prefix=".divert-score-") as folder,
        TableWriter(request.rejects) as rejects,
        TableWriter(request.out, file_format=request.file_format) as output,
    ):
        passes = _Passes(request, bundle, context, Path(folder), progress)
        state = passes.validate_and_absorb(report, rejects)
        scores, reasons = passes.score(state, threshold)
        passes.write_ranked(scores, header, output)
        summary.rows_read = report.rows_read
        summary.rows_scored = len(scores)
        summary.rows_rejected = report.rows_rejected
        summary.check_counts()
    summary.alerts = int((scores >= threshold).sum())
    summary.top_reasons = dict(reasons.most_common(TOP_REASONS))
    summary.seconds = round(time.perf_counter() - started, 3)
    summary.rows_per_second = round(summary.rows_read / max(summary.seconds, 1e-9), 1)
    write_summary(summary_path(request.out), summary)
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
        merger = StateMerger(self.bundle.state.entity_keys)
        for chunk in iter_validated(
            self.request.path,
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


def write_summary(path: Path, summary: ScoreSummary) -> None:
    """The summary as JSON, written to a temporary file and renamed into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    temporary.write_text(json.dumps(asdict(summary), indent=2, default=str) + "\n")
    os.replace(temporary, path)
