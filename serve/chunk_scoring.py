"""Pass 2 of ``divert score``: each spilled chunk's features, scores and reasons.

Once the history state knows the whole file the chunks are independent, so they can be scored
by several worker processes. Workers are forked after pass 1: they share the state's arrays
with the parent copy-on-write (nothing is pickled but the chunk numbers and the results),
each predicts with one OpenMP thread, and results come back in file order.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from threadpoolctl import threadpool_limits

from features.build import FeatureContext, query_features
from features.state import HistoryState
from models.bundle import ModelBundle
from models.reasons import SEPARATOR
from serve.memory import release_free_memory
from serve.spills import read_chunk


@dataclass(frozen=True)
class ChunkResult:
    """What pass 2 keeps of one chunk."""

    scored: pd.DataFrame
    """``diversion_score``, ``alert`` and ``reasons`` of the chunk's rows."""
    reason_counts: dict[str, int]
    """Reason code -> rows giving it, in order of first appearance."""


@dataclass(frozen=True)
class ChunkScorer:
    """Scores chunk ``i`` of the validated-shipments spill against the complete state."""

    bundle: ModelBundle
    state: HistoryState
    context: FeatureContext
    threshold: float
    shipments: Path

    def __call__(self, index: int) -> ChunkResult:
        shipments = read_chunk(self.shipments, index)
        features = query_features(shipments, self.state, self.context)
        scored = self.bundle.score_features(shipments, features, self.threshold)
        del shipments, features
        release_free_memory()
        return ChunkResult(scored, reason_code_counts(scored["reasons"]))


def reason_code_counts(reasons: pd.Series) -> dict[str, int]:
    """How many times each reason code is given (the text before the first ':' of each
    ``SEPARATOR``-joined reason), in order of first appearance."""
    values = pa.array(reasons.array)
    given = values.filter(pc.and_(pc.is_valid(values), pc.not_equal(values, "")))
    each = pc.list_flatten(pc.split_pattern(given, SEPARATOR))
    codes = pc.list_element(pc.split_pattern(each, ":", max_splits=1), 0)
    counts = pc.value_counts(codes)
    return dict(zip(counts.field(0).to_pylist(), counts.field(1).to_pylist(), strict=True))


@contextmanager
def chunk_scoring(
    scorer: ChunkScorer, workers: int
) -> Iterator[Callable[[Iterable[int]], Iterator[ChunkResult]]]:
    """Yield ``score(chunks)``: the chunks' results in order, from ``workers`` forked
    processes when more than one (stopped when the block exits, also on an interrupt)."""
    if workers <= 1:
        yield lambda chunks: map(scorer, chunks)
        return
    alone = replace(scorer, context=replace(scorer.context, workers=1))
    fork = multiprocessing.get_context("fork")
    with fork.Pool(workers, initializer=_start_worker, initargs=(alone,)) as pool:
        yield lambda chunks: pool.imap(_score_in_worker, chunks)


_worker_scorer: ChunkScorer | None = None
"""The scorer a forked worker inherited (set by ``_start_worker``)."""


def _start_worker(scorer: ChunkScorer) -> None:
    global _worker_scorer
    _worker_scorer = scorer
    # the parent handles interrupts and stops the workers; they end quietly on SIGTERM
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threadpool_limits(limits=1)


def _score_in_worker(index: int) -> ChunkResult:
    return _worker_scorer(index)
