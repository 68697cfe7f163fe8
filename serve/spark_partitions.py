"""What the Spark scorer runs on each partition (on the executors; no pyspark import here).

Each partition arrives as Arrow record batches of source rows, sorted by their ``line``, with
every row of a given shipment id in the same partition. Both passes validate the rows with the
same ``ShipmentValidator`` as the pandas scorer, so a partition's valid rows and rejects are
exactly the file's (duplicate ids included: the validator sees all rows of an id, in line
order).

- ``AbsorbPartition`` (pass 1) yields the partition's rejects and one pickled
  ``PartitionOutcome``: its row counts and a partial ``HistoryState`` (per-key daily totals,
  far smaller than the rows);
- ``ScorePartition`` (pass 2) computes features against the merged state of the whole dataset,
  broadcast from the driver, and yields the scored rows.
"""

from __future__ import annotations

import csv
import io
import pickle
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from features.build import FeatureContext, query_features
from features.column_map import ColumnMap
from features.extras import ExtraColumns
from features.readers import RawChunk
from features.reference import Reference
from features.state import HistoryState, StateMerger
from features.validation import ShipmentValidator
from models.bundle import ModelBundle

LINE = "__divert_line"
"""The row's line: CSV record number counting the header as 1, or Parquet row number."""
CORRUPT = "__divert_corrupt"
"""Spark's raw text of a CSV record whose number of fields differs from the header's."""
OUTCOME = "__divert_outcome"
"""A pickled ``PartitionOutcome`` (pass 1's last row per partition; null on reject rows)."""
REPLACEMENT_CHARACTER = "\ufffd"
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class SourceLayout:
    """How the source rows arrive: their columns, and what marks a broken CSV record."""

    header: tuple[str, ...]
    delimiter: str | None = None
    """The CSV delimiter (to count a ragged record's fields); None for Parquet."""
    flag_undecodable: bool = False
    """UTF-8 CSV: Spark decodes invalid bytes to U+FFFD; such rows are rejected as the pandas
    reader rejects bytes that are not valid UTF-8."""


@dataclass(frozen=True)
class ScoringJob:
    """What pass 2 needs on every executor (broadcast once): the bundle whose state knows the
    whole dataset, the feature context and the alert threshold."""

    bundle: ModelBundle
    context: FeatureContext
    threshold: float


def _strings(column: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """A column as strings, as ``features.readers`` casts Parquet columns (lists joined with
    ';'); also a mask of binary values that are not valid UTF-8."""
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        column = pc.binary_join(pc.cast(column, pa.list_(pa.string())), LIST_SEPARATOR)
    if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
        try:
            return column.cast(pa.string()), None
        except pa.ArrowInvalid:
            values = column.to_pylist()
            bad = np.array([_undecodable(value) for value in values], dtype=bool)
            decoded = [None if v is None else v.decode("utf-8", errors="replace") for v in values]
            return pa.array(decoded, pa.string()), bad
    return column.cast(pa.string()), None


def _undecodable(value: bytes | None) -> bool:
    if value is None:
        return False
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _field_count(text: str, delimiter: str) -> int:
    return len(next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), []))


def raw_chunk(batch: pa.RecordBatch, layout: SourceLayout) -> RawChunk:
    """The batch as ``features.readers`` delivers a chunk: stripped strings, NA for empty,
    indexed by line, with ragged records and undecodable rows set aside."""
    lines = batch.column(LINE).to_numpy(zero_copy_only=False)
    broken = np.zeros(len(lines), dtype=bool)
    ragged = []
    if CORRUPT in batch.schema.names:
        corrupt = batch.column(CORRUPT)
        broken = corrupt.is_valid().to_numpy(zero_copy_only=False)
        expected = len(layout.header)
        for line, text in zip(
            lines[broken], corrupt.filter(pa.array(broken)).to_pylist(), strict=True
        ):
            actual = _field_count(text, layout.delimiter or ",")
            message = f"row has {actual} fields, the header has {expected}"
            ragged.append((int(line), message, text))
    kept = batch.filter(pa.array(~broken))
    kept_lines = lines[~broken]
    columns, undecodable = {}, {}
    for name in layout.header:
        strings, bad = _strings(kept.column(name))
        if layout.flag_undecodable:
            bad = pc.fill_null(pc.match_substring(strings, REPLACEMENT_CHARACTER), False)
            bad = bad.to_numpy(zero_copy_only=False)
        columns[name] = strings
        if bad is not None:
            for line in kept_lines[bad]:
                undecodable.setdefault(int(line), f"{name}: bytes that are not valid UTF-8")
    frame = pa.table(columns).to_pandas() if columns else pd.DataFrame(index=kept_lines)
    for name in frame.columns:
        frame[name] = frame[name].str.strip().replace("", pd.NA)
    frame.index = pd.Index(kept_lines, name="line")
    return RawChunk(frame=frame, ragged=ragged, undecodable=undecodable)


def _batches(frame: pd.DataFrame, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    """``frame``'s columns of ``schema``, typed as in ``schema``, as record batches."""
    table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    return iter(table.to_batches())


@dataclass(frozen=True)
class PartitionOutcome:
    """What pass 1 learnt from one partition (pickled into its last output row)."""

    state: HistoryState | None
    """The partition's valid rows absorbed into an empty state; None when there were none."""
    rows_read: int
    rows_rejected: int
    read_as_missing: dict[str, int]
    """Unknown codes in optional fields per column (see ``ValidatedChunk.read_as_missing``)."""


@dataclass(frozen=True)
class AbsorbPartition:
    """Pass 1 on one partition: validate, yield the rejects, then the ``PartitionOutcome``."""

    layout: SourceLayout
    column_map: ColumnMap
    extras: ExtraColumns
    schema: pa.Schema
    """``line``, ``reason``, the source columns, ``raw_text``, then ``OUTCOME``."""

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        validator = ShipmentValidator(self.column_map)
        reference = Reference.load()
        merger, rows_read, rows_rejected = StateMerger(self.extras), 0, 0
        read_as_missing: Counter[str] = Counter()
        for batch in batches:
            chunk = validator.validate(raw_chunk(batch, self.layout))
            rows_read += batch.num_rows
            rows_rejected += len(chunk.rejects)
            read_as_missing.update(
                {problem.column: len(problem.values) for problem in chunk.read_as_missing}
            )
            if not chunk.rejects.empty:
                yield from _batches(chunk.rejects.assign(**{OUTCOME: None}), self.schema)
            merger.absorb(chunk.shipments, reference)
        outcome = PartitionOutcome(
            merger.merged() if rows_read > rows_rejected else None,
            rows_read,
            rows_rejected,
            dict(read_as_missing),
        )
        blob = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        last_row = {name: [None] for name in self.schema.names} | {OUTCOME: [blob]}
        yield from _batches(pd.DataFrame(last_row), self.schema)


@dataclass(frozen=True)
class ScorePartition:
    """Pass 2 on one partition: validate again, score the valid rows against the merged state."""

    layout: SourceLayout
    column_map: ColumnMap
    job: Any
    """A Spark ``Broadcast`` of the ``ScoringJob``."""
    schema: pa.Schema
    """``LINE``, the source columns, ``diversion_score``, ``alert``, ``reasons``."""

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        job: ScoringJob = self.job.value
        validator = ShipmentValidator(self.column_map)
        for batch in batches:
            chunk = validator.validate(raw_chunk(batch, self.layout))
            shipments = chunk.shipments
            if shipments.empty:
                continue
            features = query_features(shipments, job.bundle.state, job.context)
            scored = job.bundle.score_features(shipments, features, job.threshold)
            yield from _batches(
                chunk.source.join(scored).rename_axis(LINE).reset_index(), self.schema
            )
